"""The manifest module: one typed model, one reader that turns anything malformed into one error."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from dolly_ja_16k import manifest as mf
from dolly_ja_16k.manifest import ManifestError


def _manifest(**changes: object) -> mf.Manifest:
    data = b'{"instruction":"q","input":"","output":"a","category":"open_qa","index":"0"}\n'
    base = mf.Manifest(
        generator="dolly-ja-16k test",
        features=["instruction", "input", "output", "category", "index"],
        source=mf.SourceFile(name="src.jsonl", kind="local", sha256="0" * 64, records=1),
        options=mf.Options(parts=1, strategy="contiguous", seed=42),
        records=1,
        parts=[mf.Part(name="1_of_1", file="data/1_of_1.jsonl", records=1, num_bytes=20,
                       categories={"open_qa": 1})],
        files=[mf.entry_for("data/1_of_1.jsonl", data)],
    )
    return msgspec.structs.replace(base, **changes)


def _dict(m: mf.Manifest) -> dict:
    return json.loads(mf.to_bytes(m))


def test_round_trip_is_exact() -> None:
    m = _manifest()
    data = mf.to_bytes(m)
    assert data.endswith(b"}\n") and b'\n  "format": 2,' in data
    assert mf.from_bytes(data) == m
    assert mf.to_bytes(mf.from_bytes(data)) == data


def test_entry_for_counts_bytes_lines_and_hash(tmp_path: Path) -> None:
    entry = mf.entry_for("data/x.jsonl", b"a\nb\n")
    assert (entry.bytes, entry.lines) == (4, 2)
    (tmp_path / "x").write_bytes(b"a\nb\n")
    assert mf.file_sha256(tmp_path / "x") == entry.sha256


def test_read_names_the_file_when_it_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match=r"no manifest\.json; is this a folder written by"):
        mf.read(tmp_path)


def _broken(mutate) -> bytes:
    data = _dict(_manifest())
    mutate(data)
    return json.dumps(data).encode()


BROKEN = {
    "not JSON": (b"{", r"not valid JSON"),
    "a list": (b"[]", r"Expected `object`, got `array`"),
    "missing key": (_broken(lambda d: d.pop("parts")), r"missing required field `parts`"),
    "entry without bytes": (_broken(lambda d: d["files"][0].pop("bytes")), r"missing required field `bytes`"),
    "wrong type": (_broken(lambda d: d["parts"][0].update(records="1")), r"Expected `int`, got `str`"),
    "unknown key": (_broken(lambda d: d.update(extra=1)), r"unknown field `extra`"),
    "other format": (_broken(lambda d: d.update(format=1)), r"format 1, this version reads format 2"),
    "no parts": (_broken(lambda d: d.update(parts=[], records=0)), r"no parts"),
    "path outside": (_broken(lambda d: d["files"][0].update(path="../../etc/hostname")),
                     r"'\.\./\.\./etc/hostname' is not a path inside the folder"),
    "absolute path": (_broken(lambda d: d["files"][0].update(path="/etc/hostname")), r"not a path inside"),
    "dotdot inside": (_broken(lambda d: d["files"][0].update(path="data/../../secret.txt")), r"not a path inside"),
    "backslash": (_broken(lambda d: d["files"][0].update(path="data\\x.jsonl")), r"not a path inside"),
    "part without file": (_broken(lambda d: d["parts"][0].update(file="data/none.jsonl")), r"is not among the files"),
    "counts": (_broken(lambda d: d.update(records=5)), r"the parts hold 1 records, the manifest says 5"),
    "categories": (_broken(lambda d: d["parts"][0].update(categories={"open_qa": 3})), r"do not add up"),
    "bad sha": (_broken(lambda d: d["files"][0].update(sha256="x")), r"malformed sha256"),
    "listed twice": (_broken(lambda d: d["files"].append(d["files"][0])), r"listed twice"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_anything_malformed_is_one_manifest_error(case: str, tmp_path: Path) -> None:
    data, message = BROKEN[case]
    (tmp_path / "manifest.json").write_bytes(data)
    with pytest.raises(ManifestError, match=message) as caught:
        mf.read(tmp_path)
    text = str(caught.value)
    assert "\n" not in text and text.startswith(str(tmp_path / "manifest.json"))
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("path,ok", [("data/1_of_4.jsonl", True), ("images/a.png", True), ("review.jsonl", True),
                                     ("", False), ("/abs", False), ("a/../b", False), ("./a", False),
                                     ("a//b", False), ("C:/x", False), ("a\\b", False), ("a\x00b", False)])
def test_safe_relpath(path: str, ok: bool) -> None:
    assert mf.safe_relpath(path) is ok


def test_per_part_keeps_only_its_part_and_file() -> None:
    m = _manifest()
    sub = mf.per_part(m, "1_of_1")
    assert sub.part_names == ["1_of_1"] and [f.path for f in sub.files] == ["data/1_of_1.jsonl"]
    assert sub.part_of == mf.PartOf(parts=["1_of_1"], records=1)
    assert m.part_of is None  # the build's own manifest is left as it was
    assert mf.from_bytes(mf.to_bytes(sub)) == sub


def test_supplement_records_are_counted_from_the_parts() -> None:
    part = mf.Part(name="1_of_1", file="data/1_of_1.jsonl", records=1, num_bytes=20, categories={"open_qa": 1},
                   supplement_records=1)
    assert _manifest(parts=[part]).supplement_records == 1
