from __future__ import annotations

import json

import pyarrow as pa
import pytest

from dolly_ja_16k.layout import MANIFEST_FILE
from dolly_ja_16k.read.records import FIELDS
from dolly_ja_16k.write.staging import Staging, arrow_nbytes, encode_lines
from tests.conftest import make_record


def test_lines_are_utf8_compact_and_in_field_order():
    record = make_record(1, output='答え "引用" と\\ と 😀\u2028')
    line = encode_lines([record])
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert "答え".encode() in line  # not ASCII-escaped
    assert list(json.loads(line)) == list(FIELDS)
    assert json.loads(line) == record


@pytest.mark.parametrize("texts", [["a"], ["", "ああ", "😀x"], ["長い" * 1000] * 3])
def test_arrow_nbytes_equals_pyarrow(texts):
    records = [make_record(i, output=t or "x", input=t) for i, t in enumerate(texts)]
    assert arrow_nbytes(records, FIELDS) == pa.Table.from_pylist(records).nbytes


def test_staging_replaces_an_old_build_in_one_step(tmp_path):
    out = tmp_path / "out"
    with Staging(out) as staging:
        staging.write("data/a.jsonl", b"old\n")
        staging.write_manifest({})
        staging.commit()
    with Staging(out) as staging:
        staging.write("data/b.jsonl", b"new\n")
        assert [(e.path, e.bytes, e.lines) for e in staging.entries()] == [("data/b.jsonl", 4, 1)]
        staging.write_manifest({})
        staging.commit()
    assert sorted(p.name for p in (out / "data").iterdir()) == ["b.jsonl"]
    assert json.loads((out / MANIFEST_FILE).read_text()) == {}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left


def test_a_failed_build_leaves_the_old_output_and_no_staging(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST_FILE).write_text("{}")
    with pytest.raises(RuntimeError), Staging(out) as staging:
        staging.write("data/a.jsonl", b"half")
        raise RuntimeError("boom")
    assert [p.name for p in out.iterdir()] == [MANIFEST_FILE]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]

