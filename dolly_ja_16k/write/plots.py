"""The card's two pictures: category mix per part, and instruction/output lengths per part.

Both functions take plain data and return PNG bytes that are identical across identical
builds (Agg backend, fixed size and dpi, no timestamp or software metadata).

The write step draws them in the build's own process; matplotlib is imported there
(about 0.4 s), so ``--help`` and the other commands never pay for it.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from typing import Any

from dolly_ja_16k.read.records import Record

CATEGORY_MIX = "images/category_mix.png"
LENGTHS = "images/lengths.png"
TITLES = {CATEGORY_MIX: "Category mix per part", LENGTHS: "Length of instruction and output per part"}
#: What each picture draws, shown under it in the card.
CAPTIONS = {
    CATEGORY_MIX: "One bar per part; each coloured segment is the share of one category among that part's "
                  "records, so every bar adds up to 100%. Beyond the ten largest categories, the others share "
                  "one grey segment, named in the legend with how many categories it holds.",
    LENGTHS: "Length in characters of `instruction` (left) and `output` (right), one box per part. "
             "The box spans the middle half of the records (first to third quartile) and the line in it "
             "is the median; the whiskers reach the shortest and the longest record, so no record lies "
             "outside them and none is hidden. Wide ranges are drawn on a log scale.",
}
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


#: Categories drawn as segments of their own; the rest share one "other" segment. Ten is
#: as many as the colour map tells apart and the legend beside the bars holds, and drawing
#: costs time per segment: 10,000 categories of their own took a minute.
SHOWN_CATEGORIES = 10
_OTHER_COLOUR = "0.75"


def shown_categories(parts: list[tuple[str, dict[str, int]]]) -> tuple[list[str], list[str]]:
    """The categories drawn on their own (the largest over all parts, ties by name) and the rest."""
    totals: Counter[str] = Counter()
    for _, counts in parts:
        totals.update(counts)
    ranked = sorted(totals, key=lambda c: (-totals[c], c))
    if len(ranked) <= SHOWN_CATEGORIES + 1:  # one "other" for one category would hide its name
        return sorted(ranked), []
    return sorted(ranked[:SHOWN_CATEGORIES]), sorted(ranked[SHOWN_CATEGORIES:])


def category_mix_figure(parts: list[tuple[str, dict[str, int]]]) -> Any:
    """100 % stacked bars: the share of each category in each part (a figure, for tests)."""
    from matplotlib import colormaps
    from matplotlib.ticker import PercentFormatter

    names = [name for name, _ in parts]
    shown, rest = shown_categories(parts)
    totals = [sum(counts.values()) or 1 for _, counts in parts]
    palette = colormaps["tab10"]

    def shares(categories: list[str]) -> list[float]:
        return [sum(counts.get(c, 0) for c in categories) / t for (_, counts), t in zip(parts, totals, strict=True)]

    segments: list[tuple[str, Any, list[float]]] = [(c, palette(k % 10), shares([c])) for k, c in enumerate(shown)]
    if rest:
        segments.append((f"other ({len(rest):,} categories)", _OTHER_COLOUR, shares(rest)))
    fig = _figure(figsize=(8, 1.3 + 0.4 * len(parts)))
    ax = fig.subplots()
    left = [0.0] * len(parts)
    for label, colour, widths in segments:
        ax.barh(names, widths, left=left, color=colour, label=label)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.invert_yaxis()
    ax.set_xlabel("share of records")
    ax.set_title("Category mix per part")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    # fixed margins instead of tight_layout(), which draws the figure an extra time
    fig.subplots_adjust(left=0.1, right=0.72, top=0.86, bottom=0.22)
    return fig


def category_mix_png(parts: list[tuple[str, dict[str, int]]]) -> bytes:
    """The category mix picture as PNG bytes."""
    return _png(category_mix_figure(parts))


#: Below this ratio of longest to shortest length a linear axis is used: a log axis over
#: less than two decades shows one or two labels at most.
LOG_RATIO = 100.0


def _length_axis(ax: Any, low: int, high: int) -> str:
    """Scale and ticks for lengths from ``low`` to ``high``: at least three labels at any size.

    A wide range (longest over ``LOG_RATIO`` times the shortest) gets a log axis; a narrow
    one a linear axis, on which a log scale would show one or two labels. Returns the
    axis label.
    """
    from matplotlib.ticker import LogLocator, MaxNLocator

    low = max(1, low)
    if high >= LOG_RATIO * low:
        ax.set_yscale("log")
        # 1, 2 and 5 of each decade over two or three decades; over more, one label per
        # decade is already three or more, and more would crowd the axis
        subs = (1.0, 2.0, 5.0) if math.log10(high / low) < 3 else (1.0,)
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=subs))
        # plain numbers (10, 100, 1000): the default 10^n labels go through mathtext,
        # which costs about 0.1 s of the build for a few short labels
        ax.yaxis.set_major_formatter(_plain_numbers())
        # no minor ticks: each is an object to create and draw
        ax.yaxis.set_minor_locator(_no_ticks())
        return "characters (log scale)"
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, min_n_ticks=3))
    return "characters"


def lengths_figure(parts: list[tuple[str, list[int], list[int]]]) -> Any:
    """The lengths picture as a figure (``lengths_png`` saves it; tests read its axes).

    Whiskers reach the shortest and the longest record (``whis=(0, 100)``), so no record
    lies beyond them and none is hidden; the caption in the card says so.
    """
    names = [name for name, _, _ in parts]
    fig = _figure(figsize=(9, 3.6))
    axes = fig.subplots(1, 2, sharey=True)
    every = [max(1, n) for _, a, b in parts for n in (*a, *b)] or [1]
    label = ""
    for ax, column, title in ((axes[0], 1, "instruction"), (axes[1], 2, "output")):
        data = [[max(1, n) for n in p[column]] or [1] for p in parts]
        ax.boxplot(data, whis=(0, 100), showfliers=False)
        ax.set_xticks(range(1, len(names) + 1), names)
        label = _length_axis(ax, min(every), max(every))
        ax.set_title(f"{title} length")
        ax.set_xlabel("part")
    # a little room above the longest record, so the top whisker is not cut by the frame
    low, high = min(every), max(every)
    if axes[0].get_yscale() == "log":
        axes[0].set_ylim(low / 1.3, high * 1.3)
    else:
        pad = max(1.0, (high - low) * 0.05)
        axes[0].set_ylim(max(0.0, low - pad), high + pad)
    axes[0].set_ylabel(label)
    fig.subplots_adjust(left=_left_margin(fig, axes[0]), right=0.98, top=0.9, bottom=0.15, wspace=0.08)
    return fig


def _left_margin(fig: Any, ax: Any) -> float:
    """The left margin (a fraction of the width) that holds the y axis's tick labels and its label.

    Measured on the renderer, without drawing the figure: long tick labels (``10000``) and
    the label beside them take more room than a fixed margin leaves, and were cut off.
    """
    fig.subplots_adjust(left=0.5)  # measure with the axes well inside the figure
    renderer = fig.canvas.get_renderer()
    box = ax.yaxis.get_tightbbox(renderer)
    needed = ax.get_window_extent(renderer).x0 - box.x0 + 6  # pixels left of the axes, and a little air
    return min(0.3, max(0.05, needed / (fig.get_figwidth() * fig.dpi)))


def lengths_png(parts: list[tuple[str, list[int], list[int]]]) -> bytes:
    """Box plots of instruction and output length (characters) per part."""
    return _png(lengths_figure(parts))


#: What the pictures need of one part: its name, records per category, and the lengths of
#: every instruction and output. Plain numbers, so a second process can be handed them cheaply.
PartFigures = tuple[str, dict[str, int], list[int], list[int]]


def picture_data(parts: list[tuple[str, list[Record]]]) -> list[PartFigures]:
    """What both pictures draw, taken from named lists of records."""
    return [(name, dict(sorted(Counter(r["category"] for r in records).items())),
             [len(r["instruction"]) for r in records], [len(r["output"]) for r in records])
            for name, records in parts]


def draw_pictures(data: list[PartFigures]) -> dict[str, bytes]:
    """Both pictures, keyed by their path in the build."""
    return {
        CATEGORY_MIX: category_mix_png([(name, counts) for name, counts, _, _ in data]),
        LENGTHS: lengths_png([(name, instructions, outputs) for name, _, instructions, outputs in data]),
    }


def render_pictures(parts: list[tuple[str, list[Record]]]) -> dict[str, bytes]:
    """Both pictures for named lists of records, drawn in this process."""
    return draw_pictures(picture_data(parts))
