from __future__ import annotations

import pytest

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.layout import SUPPLEMENT_PREFIX
from dolly_ja_16k.sources import open_source, read_records

from .conftest import make_record, make_records, write_json, write_jsonl


def _read(path, seen=None, prefix=""):
    return read_records(open_source(str(path)), {} if seen is None else seen, prefix)


def test_json_array_and_jsonl_read_the_same_records(tmp_path):
    records = make_records(5)
    a = _read(write_json(tmp_path / "a.json", records))
    b = _read(write_jsonl(tmp_path / "b.jsonl", records))
    assert a == b == records


def test_source_records_count_and_sha256(tmp_path):
    import hashlib

    path = write_json(tmp_path / "a.json", make_records(3))
    source = open_source(str(path))
    read_records(source, {})
    assert source.records == 3
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_jsonl_content_is_sniffed_whatever_the_suffix(tmp_path):
    path = write_jsonl(tmp_path / "records.json", make_records(2))
    assert len(_read(path)) == 2


def test_jsonl_errors_name_the_line(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(
        '{"instruction":"a","input":"","output":"b","category":"open_qa","index":"1"}\n\n{"instruction": 5}\n',
        encoding="utf-8")
    with pytest.raises(InputError) as err:
        _read(path)
    assert str(err.value) == f'{path}: line 3: field "instruction" must be a string, got number'


def test_json_errors_name_the_record(tmp_path):
    records = make_records(3)
    records[1]["output"] = ""
    path = write_json(tmp_path / "s.json", records)
    with pytest.raises(InputError) as err:
        _read(path)
    assert str(err.value) == f'{path}: record 2: field "output" is empty'


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('[\n {"a": 1},\n {"b": }\n]', encoding="utf-8")
    with pytest.raises(InputError, match=r"s.json: line 3 column \d+: invalid JSON"):
        _read(path)


def test_duplicate_index_names_both_places(tmp_path):
    records = make_records(3)
    records[2]["index"] = "0"
    path = write_jsonl(tmp_path / "s.jsonl", records)
    with pytest.raises(InputError) as err:
        _read(path)
    assert str(err.value) == f'{path}: line 3: duplicate index "0" (first seen at {path}: line 1)'


def test_supplement_indexes_are_prefixed_and_checked_across_files(tmp_path):
    seen: dict[str, str] = {}
    source = _read(write_jsonl(tmp_path / "src.jsonl", make_records(3)), seen)
    extra = _read(write_jsonl(tmp_path / "mine.jsonl", make_records(2)), seen, SUPPLEMENT_PREFIX)
    assert [r["index"] for r in source] == ["0", "1", "2"]
    assert [r["index"] for r in extra] == ["user-0", "user-1"]
    again = write_jsonl(tmp_path / "more.jsonl", [make_record(1)])
    expected = r'more.jsonl: line 1: duplicate index "user-1" \(first seen at .*mine.jsonl: line 2\)'
    with pytest.raises(InputError, match=expected):
        _read(again, seen, SUPPLEMENT_PREFIX)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + write_json(tmp_path / "x.json", make_records(2)).read_bytes())
    assert len(_read(path)) == 2


def test_missing_file_folder_and_bad_hf_url(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        open_source(str(tmp_path / "nope.json"))
    with pytest.raises(InputError, match="is a folder"):
        open_source(str(tmp_path))
    with pytest.raises(InputError, match="expected hf://datasets/OWNER/NAME"):
        open_source("hf://models/x")


def test_unknown_category_and_extra_fields_warn(tmp_path):
    records = [make_record(0, category="poetry"), {**make_record(1), "note": "x"}]
    source = open_source(str(write_jsonl(tmp_path / "s.jsonl", records)))
    assert len(read_records(source, {})) == 2
    assert any('category "poetry"' in w for w in source.warnings)
    assert any('"note" (1)' in w for w in source.warnings)
