"""The card's two pictures: category mix per part, and instruction/output lengths per part.

Both functions take plain data and return PNG bytes that are identical across identical
builds (Agg backend, fixed size and dpi, no timestamp or software metadata).

The write step draws them in the build's own process; matplotlib is imported there
(about 0.4 s), so ``--help`` and the other commands never pay for it.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from .records import Record

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


def render_pictures(parts: list[tuple[str, list[Record]]]) -> dict[str, bytes]:
    """Both pictures for named lists of records, keyed by their path in the build."""
    return {
        CATEGORY_MIX: category_mix_png([(name, dict(sorted(Counter(r["category"] for r in records).items())))
                                        for name, records in parts]),
        LENGTHS: lengths_png([(name, [len(r["instruction"]) for r in records], [len(r["output"]) for r in records])
                              for name, records in parts]),
    }
