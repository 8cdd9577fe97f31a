"""End to end through the command line, as a user runs it: build, verify, load."""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter

import datasets
import pytest

from dolly_ja_16k.manifest import read as read_manifest
from tests.conftest import DEMO_SOURCE, ROOT, make_records, read_jsonl, run_cli, write_jsonl

PARTS = ["1_of_4", "2_of_4", "3_of_4", "4_of_4"]
PLAIN = ["--keep-all"]  # the plain build of the build issue: no review fixes or drops


def _files(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def real_build(real_source, tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "dolly"
    result = run_cli("build", "--source", real_source, "--out", out, *PLAIN)
    assert result.returncode == 0, result.stderr
    return out


def test_demo_build_verify_and_load(tmp_path):
    out = tmp_path / "demo"
    result = run_cli("build", "--source", DEMO_SOURCE, "--out", out)
    assert result.returncode == 0, result.stderr
    assert "-> " in result.stdout
    verified = run_cli("verify", out)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.strip().splitlines()[-1].startswith("ok:")


def test_real_build_sizes_and_every_index_once(real_build, real_source):
    parts = [read_jsonl(real_build / f"data/{p}.jsonl") for p in PARTS]
    assert [len(p) for p in parts] == [3754, 3754, 3754, 3753]
    source = json.loads(real_source.read_text(encoding="utf-8"))
    built = [r["index"] for part in parts for r in part]
    assert sorted(built) == sorted(r["index"] for r in source)
    assert len(set(built)) == 15015
    by_index = {r["index"]: r for r in source}
    for record in parts[2][:50]:
        assert list(record) == ["instruction", "input", "output", "category", "index", "flags"]
        assert all(isinstance(name, str) for name in record["flags"])
        assert record == {**{k: by_index[record["index"]][k] for k in record if k != "flags"}, "flags": record["flags"]}
    # stratified: every part has the same category mix, within one per category
    counts = [Counter(r["category"] for r in part) for part in parts]
    for category in counts[0]:
        assert max(c[category] for c in counts) - min(c[category] for c in counts) <= 1
    text = (real_build / "data/1_of_4.jsonl").read_text(encoding="utf-8")
    assert "\\u" not in text.split("\n")[0]  # UTF-8, not ASCII-escaped


def test_real_manifest(real_build, real_source):
    manifest = read_manifest(real_build)
    assert manifest.source.sha256 == hashlib.sha256(real_source.read_bytes()).hexdigest()
    assert manifest.source.records == 15015
    assert manifest.source.name == "databricks-dolly-15k-ja.json"  # the base name, never a local path
    assert manifest.options.parts == 4 and manifest.options.strategy == "stratified"
    for part in manifest.parts:
        data = (real_build / part.file).read_bytes()
        assert manifest.file(part.file).sha256 == hashlib.sha256(data).hexdigest()
        assert data.count(b"\n") == part.records == manifest.file(part.file).lines


def test_real_build_verifies_and_loads_with_datasets(real_build, real_source):
    result = run_cli("verify", real_build)
    assert result.returncode == 0, result.stdout + result.stderr
    third = datasets.load_dataset(str(real_build), "3_of_4", split="train")
    assert third.num_rows == 3754
    assert third.to_list() == read_jsonl(real_build / "data/3_of_4.jsonl")
    second = datasets.load_dataset(str(real_build), split="2_of_4")
    assert second.to_list() == read_jsonl(real_build / "data/2_of_4.jsonl")
    both = datasets.load_dataset(str(real_build), split="1_of_4+2_of_4")
    assert both.num_rows == 3754 * 2


def test_rebuild_is_byte_identical(real_build, real_source, tmp_path):
    again = tmp_path / "again"
    assert run_cli("build", "--source", real_source, "--out", again, *PLAIN).returncode == 0
    assert _files(again) == _files(real_build)


def test_contiguous_matches_the_hand_made_slices(real_source, tmp_path):
    out = tmp_path / "c"
    result = run_cli("build", "--source", real_source, "--out", out, "--strategy", "contiguous", *PLAIN)
    assert result.returncode == 0, result.stderr
    source = json.loads(real_source.read_text(encoding="utf-8"))
    first = read_jsonl(out / "data/1_of_4.jsonl")
    assert [r["index"] for r in first] == [r["index"] for r in source[:3754]]
    last = read_jsonl(out / "data/4_of_4.jsonl")
    assert [r["index"] for r in last] == [r["index"] for r in source[-3753:]]


def test_supplement_and_target_size_make_4_x_4000(real_source, tmp_path):
    mine = [dict(r, index=f"m{i}", instruction=f"自作の質問{i}：{r['instruction']}")
            for i, r in enumerate(make_records(1200))]
    supplement = write_jsonl(tmp_path / "mine.jsonl", mine)
    out = tmp_path / "16k"
    result = run_cli("build", "--source", real_source, "--out", out, "--supplement", supplement,
                     "--target-size", "16000")
    assert result.returncode == 0, result.stderr
    parts = [read_jsonl(out / f"data/{p}.jsonl") for p in PARTS]
    assert [len(p) for p in parts] == [4000] * 4
    indexes = [r["index"] for p in parts for r in p]
    assert len(set(indexes)) == 16000
    assert sum(i.startswith("user-m") for i in indexes) >= 985
    manifest = read_manifest(out)
    assert manifest.supplements[0].records == 1200
    assert manifest.target is not None and manifest.target.size == 16000
    assert manifest.supplement_records == sum(i.startswith("user-") for i in indexes)
    assert run_cli("verify", out).returncode == 0


def test_target_size_too_large_says_how_many_are_missing(tmp_path):
    source = write_jsonl(tmp_path / "s.jsonl", make_records(10))
    result = run_cli("build", "--source", source, "--out", tmp_path / "o", "--target-size", "16", *PLAIN)
    assert result.returncode == 2
    assert result.stderr.strip() == ("error: --target-size 16 needs 6 more records than the 10 available; "
                                     "add them with --supplement FILE")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_target_size_drops_the_last_records_in_input_order(tmp_path):
    source = write_jsonl(tmp_path / "s.jsonl", make_records(10))
    supplement = write_jsonl(tmp_path / "u.jsonl", make_records(5))
    out = tmp_path / "o"
    result = run_cli("build", "--source", source, "--supplement", supplement, "--out", out,
                     "--target-size", "12", "--parts", "3", *PLAIN)
    assert result.returncode == 0, result.stderr
    indexes = {r["index"] for p in ("1_of_3", "2_of_3", "3_of_3") for r in read_jsonl(out / f"data/{p}.jsonl")}
    assert indexes == {str(i) for i in range(10)} | {"user-0", "user-1"}


def test_bad_record_exits_2_with_one_line_and_writes_nothing(tmp_path):
    records = make_records(5)
    del records[3]["output"]
    source = write_jsonl(tmp_path / "s.jsonl", records)
    result = run_cli("build", "--source", source, "--out", tmp_path / "o")
    assert result.returncode == 2
    assert result.stderr == f'error: {source}: line 4: missing field "output"\n'
    assert not (tmp_path / "o").exists()


def test_other_part_counts_and_the_build_script(tmp_path):
    out = tmp_path / "three"
    result = __import__("subprocess").run(
        [sys.executable, str(ROOT / "scripts" / "build_dataset.py"), "--source", str(DEMO_SOURCE),
         "--out", str(out), "--parts", "3", "--strategy", "shuffle", "--seed", "7"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(
        f"{n}_of_3{fmt}.jsonl" for n in (1, 2, 3) for fmt in ("", "-messages", "-prompt_completion"))
    assert run_cli("verify", out).returncode == 0


def test_verify_fails_on_a_changed_file(tmp_path):
    out = tmp_path / "demo"
    assert run_cli("build", "--source", DEMO_SOURCE, "--out", out).returncode == 0
    path = out / "data/2_of_4.jsonl"
    path.write_bytes(path.read_bytes().replace("です".encode(), "だ".encode(), 1))
    result = run_cli("verify", out)
    assert result.returncode == 1
    assert "data/2_of_4.jsonl: sha256 does not match the manifest" in result.stdout
