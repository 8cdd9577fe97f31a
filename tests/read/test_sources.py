from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import msgspec
import pytest

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.layout import DEFAULT_SOURCE, SUPPLEMENT_PREFIX
from dolly_ja_16k.read import readers
from dolly_ja_16k.read.sources import KNOWN_UPSTREAM, Source, open_source, read_source, source_file
from tests.conftest import make_record, make_records, write_json, write_jsonl


def _read(path, seen=None, prefix=""):
    return read_source(str(path), {} if seen is None else seen, prefix)[0]


def test_json_array_and_jsonl_read_the_same_records(tmp_path):
    records = make_records(5)
    a = _read(write_json(tmp_path / "a.json", records))
    b = _read(write_jsonl(tmp_path / "b.jsonl", records))
    assert a == b == records


def test_source_records_count_and_sha256(tmp_path):
    for path in (write_json(tmp_path / "a.json", make_records(3)), write_jsonl(tmp_path / "a.jsonl", make_records(3))):
        records, info, warnings = read_source(str(path), {})
        assert info.records == len(records) == 3
        assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert warnings == []


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


@pytest.mark.parametrize("name", ["a.json", "a.jsonl"])
def test_a_bom_inside_the_file_is_named_in_both_formats(tmp_path, name):
    """One BOM rule: at the very start it is skipped, anywhere else it is an error (files joined)."""
    one = write_jsonl(tmp_path / "one.jsonl", make_records(2)).read_bytes()
    two = write_jsonl(tmp_path / "two.jsonl", make_records(2, start=2)).read_bytes()
    if name.endswith(".jsonl"):
        data = readers.BOM + one + readers.BOM + two
    else:
        items = [one.replace(b"}\n", b"},\n"), two.replace(b"}\n", b"},\n")[:-2]]
        data = readers.BOM + b"[" + items[0] + readers.BOM + items[1] + b"]"
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as err:
        _read(path)
    assert str(err.value) == f"{path}: line 3: {readers._STRAY_BOM}"


def test_missing_file_folder_and_bad_hf_url(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        open_source(str(tmp_path / "nope.json"))
    with pytest.raises(InputError, match="is a folder"):
        open_source(str(tmp_path))
    with pytest.raises(InputError, match="expected hf://datasets/OWNER/NAME"):
        open_source("hf://models/x")


def test_unknown_category_and_extra_fields_warn(tmp_path):
    records = [make_record(0, category="poetry"), {**make_record(1), "note": "x"}]
    got, _, warnings = read_source(str(write_jsonl(tmp_path / "s.jsonl", records)), {})
    assert len(got) == 2
    assert any('category "poetry"' in w for w in warnings)
    assert any('"note" (1)' in w for w in warnings)


def test_warnings_escape_line_breaks_in_values(tmp_path):
    records = [make_record(0, category="open_qa\nerror: fake"), {**make_record(1), "a\r\nwarning: b": "x"}]
    _, _, warnings = read_source(str(write_jsonl(tmp_path / "s.jsonl", records)), {})
    path = tmp_path / "s.jsonl"
    assert warnings == [f'{path}: line 2: fields outside the schema are not kept: "a\\r\\nwarning: b" (1)',
                        f'{path}: line 1: category "open_qa\\nerror: fake" is not one of the eight '
                        "Dolly categories; kept as is"]


# --- a JSON array is parsed whole, in one call -------------------------------------------------
# (moved from the tests of the block parser it replaced: text that looks like record boundaries)

TRICKY = [
    make_record(0, output='a string with "}, {" and }\n,\n{ inside'),
    make_record(1, input="[{}, {}]", instruction="波括弧 }, { と角括弧"),
    make_record(2, output="\\"),
    *[make_record(i) for i in range(3, 40)],
]


@pytest.mark.parametrize("indent", [None, 1, 4])
@pytest.mark.parametrize("bom", [False, True])
def test_json_array_with_brackets_inside_strings(tmp_path: Path, indent: int | None, bom: bool) -> None:
    text = json.dumps(TRICKY, ensure_ascii=False, indent=indent)
    path = tmp_path / "src.json"
    path.write_bytes((readers.BOM if bom else b"") + b"  \n" + text.encode() + b"\n")
    records, info, _ = read_source(str(path), {})
    assert records == TRICKY
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_json_array_syntax_error_and_non_object_record(tmp_path: Path) -> None:
    text = json.dumps(TRICKY, ensure_ascii=False, indent=1)
    path = tmp_path / "bad.json"
    path.write_text(text.replace('"index": "20"', '"index": "20",,', 1), encoding="utf-8")
    line = text[:text.index('"index": "20"')].count("\n") + 1
    with pytest.raises(InputError, match=rf"bad.json: line {line} column \d+: invalid JSON"):
        _read(path)
    path.write_text(json.dumps([*TRICKY[:30], "text", *TRICKY[30:]], ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match="record 31: expected a JSON object"):
        _read(path)


def test_the_block_parser_is_gone() -> None:
    from dolly_ja_16k.read import sources

    for name in ("ARRAY_BLOCK", "_parse_array_blocks", "_last_boundary"):
        assert not hasattr(sources, name) and not hasattr(readers, name)


# --- keys given twice ------------------------------------------------------------------------

DUP = ('{"instruction": "q", "input": "", "output": "a", "category": "open_qa", "index": "1", '
       '"index": "2"}')


def test_a_key_twice_in_a_jsonl_record_is_an_error(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(make_record(0)) + "\n" + DUP + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        _read(path)
    assert str(err.value).startswith(f'{path}: line 2: key "index" appears more than once in the record')


def test_a_key_twice_in_a_json_array_names_the_record(tmp_path):
    path = tmp_path / "s.json"
    path.write_text("[" + ",\n".join([*(json.dumps(r) for r in make_records(3)), DUP]) + "]", encoding="utf-8")
    with pytest.raises(InputError, match=r'^.*s\.json: record 4: key "index" appears more than once'):
        _read(path)


@pytest.mark.parametrize("name", ["s.json", "s.jsonl"])
@pytest.mark.parametrize(("text", "key"), [
    (DUP.replace('"index": "1", ', '"index" : "1", '), "index"),  # space before the colon
    (DUP.replace('"a"', '"a \\u003a b"'), "index"),  # a colon written as an escape elsewhere
    (DUP.replace('"index": "2"', '"note": {"x": 1, "x": 2}').replace('"1"', '"1"'), "x"),  # inside an extra field
    (DUP.replace('"output": "a"', '"output": "a\\":"').replace('"index": "1", ', ""), None),  # no repeat
    ('{"inst\\u0072uction": "q: a", "input": "", "output": "a", "category": "c", "index": "1", "k:": ":"}', None),
])
def test_repeated_keys_are_found_however_the_text_is_written(tmp_path, name, text, key):
    path = tmp_path / name
    body = text if name.endswith(".jsonl") else "[" + text + "]"
    path.write_text(body + "\n", encoding="utf-8")
    if key is None:
        assert len(_read(path)) == 1
    else:
        with pytest.raises(InputError, match=f'key "{key}" appears more than once'):
            _read(path)


def test_colons_in_the_real_source_do_not_need_the_slow_check(real_source, monkeypatch):
    """The real file has ":" in its text; counting still proves no key is repeated."""
    def fail(*args):
        raise AssertionError("the standard-library parse ran")

    monkeypatch.setattr(readers, "_check_pairs", fail)
    records, info, _ = read_source(str(real_source), {})
    assert info.records == 15015 and sum(r["output"].count(":") for r in records) > 0


# --- how the manifest names a file ----------------------------------------------------------

def test_a_local_file_is_named_by_its_base_name_only(tmp_path):
    folder = tmp_path / "home" / "someone"
    folder.mkdir(parents=True)
    _, info, _ = read_source(str(write_jsonl(folder / "mine.jsonl", make_records(2))), {})
    assert info.name == "mine.jsonl" and info.kind == "local" and info.revision is None
    assert str(tmp_path) not in msgspec.json.encode(info).decode()
    assert info.upstream is None and not info.dolly_ja


def test_a_hub_file_is_named_by_its_address_not_its_cache_path():
    cached = Path("/root/.cache/huggingface/hub/datasets--kunishou--databricks-dolly-15k-ja/snapshots/"
                  f"{'6391034b0126850543299cda071dc6281c31a6fb'}/databricks-dolly-15k-ja.json")
    source = Source(path=cached, location=DEFAULT_SOURCE, kind="hub", revision=cached.parent.name)
    sha = "f4f814b77074a864ed15859b354470b10b8d970647165dc4e2ed08a6ff139417"
    info = source_file(source, sha, 15015)
    assert info.name == DEFAULT_SOURCE and info.kind == "hub" and info.upstream == DEFAULT_SOURCE
    assert "/root" not in msgspec.json.encode(info).decode()
    assert info.dolly_ja


def test_the_shared_source_is_known_upstream_by_its_sha256(real_source, tmp_path):
    _, info, _ = read_source(str(real_source), {})
    assert info.sha256 == "b278f36e7ffe269e2ef48795824609cc1c06e6510051cb91758f5ca0402b4373"
    assert info.upstream == KNOWN_UPSTREAM[info.sha256] and "cd6c43d" in info.upstream and info.dolly_ja
    renamed = tmp_path / "copy.json"  # a known sha256 is kunishou's file whatever its name
    os.symlink(real_source, renamed)
    assert read_source(str(renamed), {})[1].dolly_ja


def test_dolly_ja_by_name(tmp_path):
    path = write_json(tmp_path / "databricks-dolly-15k-ja.json", make_records(2))
    _, info, _ = read_source(str(path), {})
    assert info.dolly_ja and info.upstream is None


# --- a file that changes while it is read ---------------------------------------------------

def _rewrite(path: Path, data: bytes, *, same_size: bool = False) -> None:
    before = path.stat()
    path.write_bytes(data)
    if same_size:  # keep the size, move the modification time on: the clock may not have ticked yet
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000))


@pytest.mark.parametrize("same_size", [False, True])
def test_a_jsonl_file_rewritten_while_it_is_read_is_refused(tmp_path, monkeypatch, same_size):
    path = write_jsonl(tmp_path / "s.jsonl", make_records(5))
    original = path.read_bytes()
    calls = []

    def rewriting(obj, *args):
        if not calls:
            _rewrite(path, original.replace(b"0", b"9") if same_size else original + original, same_size=same_size)
        calls.append(1)
        return to_record(obj, *args)

    to_record = readers.to_record
    monkeypatch.setattr(readers, "to_record", rewriting)
    with pytest.raises(InputError) as err:
        _read(path)
    assert str(err.value) == f"{path}: the file changed while it was read; read it again once nothing writes to it"


@pytest.mark.parametrize("same_size", [False, True])
def test_a_json_array_rewritten_while_it_is_read_is_refused(tmp_path, monkeypatch, same_size):
    path = write_json(tmp_path / "s.json", make_records(5))
    whole = readers._Input.whole

    def rewritten_after_the_read(self):
        data = whole(self)
        _rewrite(path, data.replace(b"0", b"9") if same_size else data[:-2], same_size=same_size)
        return data

    monkeypatch.setattr(readers._Input, "whole", rewritten_after_the_read)
    with pytest.raises(InputError, match="the file changed while it was read"):
        _read(path)


def test_an_unchanged_file_reads_the_same_after_a_touch_before(tmp_path):
    path = write_jsonl(tmp_path / "s.jsonl", make_records(3))
    os.utime(path, ns=(1, 1))  # a change before reading starts is no change while reading
    assert len(_read(path)) == 3


def test_repeated_keys_are_found_when_msgspec_cannot_cut_the_array(tmp_path, monkeypatch):
    """If msgspec ever refuses what orjson read, the standard library checks the whole array."""
    import msgspec

    class Refusing:
        def decode(self, data):
            raise msgspec.DecodeError("refused")

    monkeypatch.setattr(readers, "_RECORD_TEXTS", Refusing())
    path = tmp_path / "s.json"
    path.write_text("[" + ",\n".join([*(json.dumps(r) for r in make_records(3)), DUP]) + "]", encoding="utf-8")
    with pytest.raises(InputError, match=r's\.json: record 4: key "index" appears more than once'):
        _read(path)
    write_json(path, make_records(4))
    assert len(_read(path)) == 4
