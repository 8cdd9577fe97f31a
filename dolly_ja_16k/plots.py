"""The card's two pictures: category mix per part, and instruction/output lengths per part.

Both functions take plain data and return PNG bytes that are identical across identical
builds (Agg backend, fixed size and dpi, no timestamp or software metadata).

Importing matplotlib takes about 0.4 s, so a build renders the pictures in a
child process (``Renderer``) that is started before the review and imports matplotlib
while the parent reads, reviews and splits; the parent then sends it the data and reads
back the PNGs. ``python -m dolly_ja_16k.plots`` is that child: JSON in on stdin, JSON out.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import threading
from typing import Any

from .errors import DollyError

CATEGORY_MIX = "images/category_mix.png"
LENGTHS = "images/lengths.png"
TITLES = {CATEGORY_MIX: "Category mix per part", LENGTHS: "Length of instruction and output per part"}
_DPI = 100
_SAVE = {"format": "png", "dpi": _DPI, "metadata": {"Software": None}}


def _figure(**kwargs: Any) -> Any:
    """A figure on the Agg canvas, made without pyplot: no global figure registry to clean
    up, and about 0.06 s less to import."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig


def _plain_numbers() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{value:g}")


def _no_ticks() -> Any:
    from matplotlib.ticker import NullLocator

    return NullLocator()


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, **_SAVE)
    return buf.getvalue()


def category_mix_png(parts: list[tuple[str, dict[str, int]]]) -> bytes:
    """100 % stacked bars: the share of each category in each part."""
    from matplotlib import colormaps

    names = [name for name, _ in parts]
    categories = sorted({c for _, counts in parts for c in counts})
    fig = _figure(figsize=(8, 1.3 + 0.4 * len(parts)))
    ax = fig.subplots()
    left = [0.0] * len(parts)
    cmap = colormaps["tab10"]
    for k, category in enumerate(categories):
        shares = []
        for _, counts in parts:
            total = sum(counts.values()) or 1
            shares.append(counts.get(category, 0) / total)
        ax.barh(names, shares, left=left, color=cmap(k % 10), label=category)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_xlabel("share of records")
    ax.set_title("Category mix per part")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    # fixed margins instead of tight_layout(), which draws the figure an extra time
    fig.subplots_adjust(left=0.1, right=0.72, top=0.86, bottom=0.22)
    return _png(fig)


def lengths_png(parts: list[tuple[str, list[int], list[int]]]) -> bytes:
    """Box plots of instruction and output length (characters, log scale) per part."""
    names = [name for name, _, _ in parts]
    fig = _figure(figsize=(9, 3.6))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, column, title in ((axes[0], 1, "instruction"), (axes[1], 2, "output")):
        data = [[max(1, n) for n in p[column]] or [1] for p in parts]
        ax.boxplot(data, showfliers=False)
        ax.set_xticks(range(1, len(names) + 1), names)
        ax.set_yscale("log")
        # plain numbers (10, 100, 1000): the default 10^n labels go through mathtext, which
        # costs about 0.1 s of the build for two short labels
        ax.yaxis.set_major_formatter(_plain_numbers())
        # no minor ticks: a log axis makes eight per decade, and each is an object
        # to create and draw (a third of this picture's time)
        ax.yaxis.set_minor_locator(_no_ticks())
        ax.set_title(f"{title} length")
        ax.set_xlabel("part")
    axes[0].set_ylabel("characters (log scale)")
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.15, wspace=0.08)
    return _png(fig)


def render_all(data: dict[str, Any]) -> dict[str, bytes]:
    """Both pictures from ``plot_data`` output, keyed by their path in the build."""
    return {
        CATEGORY_MIX: category_mix_png([(p["name"], p["categories"]) for p in data["parts"]]),
        LENGTHS: lengths_png([(p["name"], p["instruction"], p["output"]) for p in data["parts"]]),
    }


def plot_data(parts: list[tuple[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """Plain data for ``render_all`` from named lists of records."""
    out = []
    for name, records in parts:
        counts: dict[str, int] = {}
        for r in records:
            counts[r["category"]] = counts.get(r["category"], 0) + 1
        out.append({"name": name, "categories": dict(sorted(counts.items())),
                    "instruction": [len(r["instruction"]) for r in records],
                    "output": [len(r["output"]) for r in records]})
    return {"parts": out}


class Renderer:
    """A child process that imports matplotlib now and renders when ``render`` sends it data."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "dolly_ja_16k.plots"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.writer: threading.Thread | None = None

    def send(self, data: dict[str, Any]) -> None:
        """Hand the child its data; it renders while the caller does other work."""
        import orjson

        stdin, self.proc.stdin = self.proc.stdin, None  # so communicate() only reads
        assert stdin is not None
        payload = orjson.dumps(data)

        def write() -> None:
            try:
                stdin.write(payload)
                stdin.close()
            except (BrokenPipeError, ValueError):
                pass  # the child died (or was closed); result() reports its error

        # The payload is larger than a pipe's buffer and the child reads it only once
        # matplotlib is imported: a writer thread keeps this process from waiting for that.
        self.writer = threading.Thread(target=write, daemon=True)
        self.writer.start()

    def result(self) -> dict[str, bytes]:
        """The PNGs by path, once the child is done."""
        import orjson

        out, err = self.proc.communicate()
        if self.writer is not None:
            self.writer.join()
        if self.proc.returncode != 0:
            last = err.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise DollyError(f"rendering the card's pictures failed: {last[0]}")
        return {path: base64.b64decode(png) for path, png in orjson.loads(out).items()}

    def render(self, data: dict[str, Any]) -> dict[str, bytes]:
        self.send(data)
        return self.result()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _main() -> None:
    import orjson

    _figure()  # the slow import, done while the parent is still reviewing and splitting
    data = orjson.loads(sys.stdin.buffer.read())
    pngs = render_all(data)
    sys.stdout.buffer.write(orjson.dumps({k: base64.b64encode(v).decode() for k, v in pngs.items()}))
    sys.stdout.flush()
    # The parent reads until this process is gone; a normal exit would first tear down
    # matplotlib and numpy, about 0.1 s the whole build would wait for.
    os._exit(0)


if __name__ == "__main__":
    _main()
