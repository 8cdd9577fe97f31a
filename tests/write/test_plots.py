"""The card's pictures: valid PNGs, byte-identical for identical data, readable axes at every size."""

from __future__ import annotations

import zlib

import pytest

from dolly_ja_16k.write.plots import (
    CAPTIONS,
    CATEGORY_MIX,
    LENGTHS,
    LOG_RATIO,
    TITLES,
    category_mix_figure,
    category_mix_png,
    lengths_figure,
    lengths_png,
    render_pictures,
)
from tests.conftest import make_records

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _parts() -> list:
    records = make_records(40)
    return [(f"{i + 1}_of_2", records[i::2]) for i in range(2)]


def _chunks(png: bytes) -> list[bytes]:
    out, pos = [], 8
    while pos < len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        kind = png[pos + 4:pos + 8]
        assert zlib.crc32(png[pos + 4:pos + 8 + length]) == int.from_bytes(png[pos + 8 + length:pos + 12 + length],
                                                                           "big")
        out.append(kind)
        pos += 12 + length
    return out


def test_pngs_are_valid_and_carry_no_software_or_time_metadata() -> None:
    for png in render_pictures(_parts()).values():
        assert png.startswith(PNG_SIGNATURE)
        kinds = _chunks(png)
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"
        assert b"tIME" not in kinds
        assert b"Software" not in png and b"matplotlib" not in png


def test_pngs_are_byte_identical_for_identical_data() -> None:
    parts = [("1_of_2", {"open_qa": 3, "closed_qa": 1}), ("2_of_2", {"open_qa": 2, "closed_qa": 2})]
    assert category_mix_png(parts) == category_mix_png(parts)
    lengths = [("1_of_2", [5, 10, 20], [30, 40, 0]), ("2_of_2", [1, 2], [3, 4])]
    assert lengths_png(lengths) == lengths_png(lengths)
    assert category_mix_png(parts) != category_mix_png(list(reversed(parts)))


def test_both_pictures_are_drawn_and_repeatable() -> None:
    pictures = render_pictures(_parts())
    assert set(pictures) == {CATEGORY_MIX, LENGTHS}
    assert pictures == render_pictures(_parts())


# -- readable axes at every size ---------------------------------------------------------------------

def _visible_labels(ax, axis: str = "y") -> list[str]:
    """Tick labels drawn inside the axis' view (what a reader sees)."""
    ax.figure.canvas.draw()
    which = ax.yaxis if axis == "y" else ax.xaxis
    low, high = sorted(which.get_view_interval())
    return [tick.label1.get_text() for tick in which.get_major_ticks()
            if tick.label1.get_visible() and tick.label1.get_text() and low <= tick.get_loc() <= high]


@pytest.mark.parametrize("lengths", [
    [("1_of_1", [12], [12])],                                          # one record
    [("1_of_2", [5, 10, 20], [30, 40, 0]), ("2_of_2", [1, 2], [3, 4])],
    [("1_of_1", list(range(20, 60)), list(range(30, 95)))],            # a narrow range
    [("1_of_2", [8, 40, 300], [50, 900]), ("2_of_2", [9, 30], [20, 1000])],   # two decades
    [("1_of_1", [1, 30, 900], [5, 2_000, 26_000])],                     # the real data's range
])
def test_length_axis_shows_at_least_three_labels(lengths) -> None:
    fig = lengths_figure(lengths)
    left, right = fig.axes
    labels = _visible_labels(left)  # the right box plot shares this axis and hides its own labels
    assert len(labels) >= 3, labels
    assert len(set(labels)) == len(labels)
    assert right.get_ylim() == left.get_ylim()
    every = [max(1, n) for _, a, b in lengths for n in (*a, *b)]
    expected = "log" if max(every) >= LOG_RATIO * min(every) else "linear"
    assert fig.axes[0].get_yscale() == expected


def test_whiskers_reach_the_shortest_and_longest_record() -> None:
    """Nothing is hidden: with an outlier far above the rest, the whisker still reaches it."""
    fig = lengths_figure([("1_of_1", [10, 11, 12, 13, 14, 200], [20, 21, 22, 23, 500])])
    for ax, (low, high) in zip(fig.axes, ((10, 200), (20, 500)), strict=True):
        ys = [y for line in ax.lines for y in line.get_ydata()]
        assert min(ys) == low and max(ys) == high
        low_view, high_view = ax.get_ylim()
        assert low_view < low and high < high_view


def test_category_axis_shows_percent_labels() -> None:
    fig = category_mix_figure([("1_of_1", {"open_qa": 1})])
    labels = _visible_labels(fig.axes[0], "x")
    assert len(labels) >= 3 and labels[0] == "0%" and labels[-1] == "100%"


def test_every_picture_has_a_caption() -> None:
    assert set(CAPTIONS) == set(TITLES) == {CATEGORY_MIX, LENGTHS}


@pytest.mark.parametrize("high", [40, 900, 9_000, 90_000, 2_000_000])
def test_the_y_axis_label_and_ticks_are_inside_the_picture(high: int) -> None:
    """The y label (and the tick labels beside it) lie inside the figure, however long the numbers."""
    fig = lengths_figure([("1_of_2", [3, 12, high], [5, 40, high // 2 + 1]), ("2_of_2", [4, 9], [7, high])])
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    label = ax.yaxis.label.get_window_extent(renderer)
    assert ax.yaxis.label.get_text().startswith("characters")
    assert label.x0 >= 0 and label.x1 <= fig.bbox.x1, (label, fig.bbox)
    frame = ax.get_window_extent(renderer)
    ticks = [box for t in ax.get_yticklabels() if t.get_visible() and t.get_text()
             for box in [t.get_window_extent(renderer)] if frame.y0 - 1 <= (box.y0 + box.y1) / 2 <= frame.y1 + 1]
    assert ticks and all(t.x0 >= label.x1 for t in ticks)  # the label does not run into the numbers shown
