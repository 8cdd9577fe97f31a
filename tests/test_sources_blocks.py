"""Large JSON arrays are parsed block by block: same records, sha256 and errors as a whole-file parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dolly_ja_16k import sources
from dolly_ja_16k.errors import InputError
from tests.conftest import make_record


def _read(path: Path, block: int | None, monkeypatch: pytest.MonkeyPatch) -> tuple[list, str]:
    if block is not None:
        monkeypatch.setattr(sources, "ARRAY_BLOCK", block)
    source = sources.open_source(str(path))
    records = [dict(r) for r, _ in sources.iter_records(source)]
    return records, source.sha256


TRICKY = [
    make_record(0, output='a string with "}, {" and }\n,\n{ inside'),
    make_record(1, input="[{}, {}]", instruction="波括弧 }, { と角括弧"),
    make_record(2, output="\\"),
    *[make_record(i) for i in range(3, 40)],
]


@pytest.mark.parametrize("indent", [None, 1, 4])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("block", [64, 257, 1000, 5000])
def test_block_parse_equals_whole_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indent: int | None,
                                        bom: bool, block: int) -> None:
    text = json.dumps(TRICKY, ensure_ascii=False, indent=indent)
    path = tmp_path / "src.json"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + b"  \n" + text.encode() + b"\n")
    whole = _read(path, None, monkeypatch)
    assert _read(path, block, monkeypatch) == whole
    assert [r["index"] for r in whole[0]] == [str(i) for i in range(40)]


def test_block_parse_keeps_whole_file_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = json.dumps(TRICKY, ensure_ascii=False, indent=1)
    broken = text.replace('"index": "20"', '"index": "20",,', 1)
    path = tmp_path / "bad.json"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(InputError) as whole:
        _read(path, None, monkeypatch)
    with pytest.raises(InputError) as blocks:
        _read(path, 300, monkeypatch)
    assert str(blocks.value) == str(whole.value)
    assert "invalid JSON" in str(whole.value)


def test_block_parse_of_a_non_object_record_reports_its_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([*TRICKY[:30], "text", *TRICKY[30:]], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match="record 31"):
        _read(path, 200, monkeypatch)


def test_blocks_are_really_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "src.json"
    path.write_text(json.dumps(TRICKY, ensure_ascii=False, indent=1), encoding="utf-8")
    monkeypatch.setattr(sources, "ARRAY_BLOCK", 500)
    items = sources._parse_array_blocks(sources.open_source(str(path)))
    assert items == json.loads(path.read_bytes())
