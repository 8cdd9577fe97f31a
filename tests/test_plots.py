"""The card's pictures: valid PNGs, byte-identical for identical data."""

from __future__ import annotations

import zlib

from dolly_ja_16k.plots import CATEGORY_MIX, LENGTHS, category_mix_png, lengths_png, render_pictures

from .conftest import make_records

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
