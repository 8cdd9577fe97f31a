"""The validation split (``build --validation-size``): what is held out, and what stays put.

The numbers promised in the README's "Validation split" section are measured here on the
shared source with ``--validation-size 500``, through the command line a user runs.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from dolly_ja_16k.errors import OptionError
from dolly_ja_16k.holdout import group_key, groups_of, hold_out, quotas
from tests.conftest import DEMO_SOURCE, make_record, make_records, read_jsonl, run_cli, write_jsonl


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _parts(folder: Path) -> dict[str, list[dict]]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return {p["name"]: read_jsonl(folder / p["file"]) for p in manifest["parts"]}


# -- the default: no validation split, the build of earlier versions -------------------------------

def test_without_the_option_the_build_is_unchanged(tmp_path: Path) -> None:
    """``--validation-size 0`` (the default) is byte for byte the build without the option,
    and its manifest has the format and keys of the versions before it (format 2, no
    ``validation`` key), so earlier builds and readers see nothing new."""
    plain = run_cli("build", "--source", DEMO_SOURCE, "--out", tmp_path / "plain", "--no-style")
    zero = run_cli("build", "--source", DEMO_SOURCE, "--out", tmp_path / "zero", "--no-style",
                   "--validation-size", "0")
    assert plain.returncode == zero.returncode == 0, plain.stderr + zero.stderr
    assert _tree(tmp_path / "plain") == _tree(tmp_path / "zero")
    manifest = json.loads((tmp_path / "plain" / "manifest.json").read_text())
    assert manifest["format"] == 2 and "validation" not in manifest
    assert not any("validation" in path for path in _tree(tmp_path / "plain"))
    assert "held out" not in plain.stdout


# -- the library: groups, quotas, errors ----------------------------------------------------------

def test_groups_are_held_out_whole() -> None:
    """Records sharing a context (whitespace squashed) or, without input, an instruction are
    one group, even across categories; every group is on one side only."""
    records = [make_record(i) for i in range(400)]
    for i in range(0, 120, 3):  # a passage asked about three times, in two categories
        for j, category in enumerate(("closed_qa", "closed_qa", "information_extraction")):
            records[i + j].update(input=f"同じ  文章{i}\n です。" if j else f"同じ 文章{i} です。", category=category)
    for i in range(120, 160):  # an open question asked twice
        records[i].update(instruction=f"なぜ空は青いのか{i // 2}？", category="open_qa")
    held = hold_out(records, 60, 42)
    assert len(held.validation) == 60 and len(held.rest) == 340
    sides = {group_key(r): "v" for r in held.validation}
    assert not any(group_key(r) in sides for r in held.rest)
    assert held.groups == len(sides) and held.shared_groups >= 1
    assert len(groups_of(records)) == 400 - 80 - 20


def test_quotas_are_within_one_of_each_share() -> None:
    rng = random.Random(5)
    for _ in range(200):
        counts = {f"c{i}": rng.randint(1, 500) for i in range(rng.randint(1, 9))}
        size = rng.randint(0, sum(counts.values()))
        got = quotas(counts, size)
        total = sum(counts.values())
        assert sum(got.values()) == size
        assert all(abs(got[c] - size * n / total) < 1 for c, n in counts.items())


def test_a_category_of_large_groups_only_is_one_error() -> None:
    records = [make_record(i, "closed_qa", input="同じ文章") for i in range(6)] + [make_record(i + 6, "open_qa")
                                                                                   for i in range(6)]
    with pytest.raises(OptionError, match="category 'closed_qa' needs"):
        hold_out(records, 2, 42)


# -- the command line: errors and the target size ------------------------------------------------------

@pytest.mark.parametrize("args,message", [
    (["--validation-size", "41"], "error: --validation-size 41 is more than the 40 records available"),
    (["--validation-size", "38"], "error: --validation-size 38 leaves 2 of the 40 records for 4 parts "
                                  "(each needs at least one)"),
    (["--validation-size", "-1"], "--validation-size: must be at least 0, got -1"),
    (["--validation-size", "7", "--target-size", "10"],
     "error: --validation-size 7 leaves 3 of the --target-size 10 records for 4 parts (each needs at least one); "
     "the target size counts the held-out records"),
])
def test_impossible_sizes_are_one_line_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run_cli("build", "--source", DEMO_SOURCE, "--out", tmp_path / "o", "--no-style", *args)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_the_target_size_counts_the_validation_records(tmp_path: Path) -> None:
    """``--target-size 30 --validation-size 6``: 30 records in all, 24 in the parts."""
    result = run_cli("build", "--source", DEMO_SOURCE, "--out", tmp_path / "o", "--no-style",
                     "--target-size", "30", "--validation-size", "6")
    assert result.returncode == 0, result.stderr
    assert "built 24 records in 4 parts (6 / 6 / 6 / 6) and 6 held out for validation" in result.stdout
    parts = _parts(tmp_path / "o")
    validation = read_jsonl(tmp_path / "o" / "data" / "validation.jsonl")
    demo = read_jsonl(DEMO_SOURCE)[:30]
    assert sorted(r["index"] for r in validation + [r for p in parts.values() for r in p]) == \
        sorted(r["index"] for r in demo)


# -- the shared source, --validation-size 500 -------------------------------------------------------------

@pytest.fixture(scope="module")
def shared_build(real_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("held") / "b"
    result = run_cli("build", "--source", real_source, "--out", out, "--validation-size", "500")
    assert result.returncode == 0, result.stderr
    return out


def test_shared_source_500_held_out(shared_build: Path) -> None:
    """Exactly 500 held out, none in a part, each category within 1 of its share, no context
    passage or repeated question on both sides, part sizes within one of each other."""
    validation = read_jsonl(shared_build / "data" / "validation.jsonl")
    parts = _parts(shared_build)
    rest = [r for records in parts.values() for r in records]
    assert len(validation) == 500
    assert not {r["index"] for r in validation} & {r["index"] for r in rest}
    counts = Counter(r["category"] for r in validation + rest)
    held = Counter(r["category"] for r in validation)
    total = len(validation) + len(rest)
    assert all(abs(held[c] - 500 * n / total) < 1 for c, n in counts.items())
    held_keys = {group_key(r) for r in validation}
    assert not any(group_key(r) in held_keys for r in rest)
    sizes = [len(p) for p in parts.values()]
    assert max(sizes) - min(sizes) <= 1 and total == 14920
    manifest = json.loads((shared_build / "manifest.json").read_text())
    assert manifest["format"] == 3 and manifest["validation"]["categories"] == {
        "brainstorming": 59, "classification": 72, "closed_qa": 60, "creative_writing": 24, "general_qa": 73,
        "information_extraction": 50, "open_qa": 121, "summarization": 41}  # the README's numbers
    assert [manifest["validation"][k] for k in ("groups", "shared_groups", "shared_records")] == [488, 8, 20]
    assert sizes == [3605, 3605, 3605, 3605]
    for category in counts:  # the stratified split still gives every part the same mix
        per_part = [sum(r["category"] == category for r in p) for p in parts.values()]
        assert max(per_part) - min(per_part) <= 1


def test_removing_one_record_changes_at_most_two_others(real_source: Path) -> None:
    """A seeded sample of removals (half of them held-out records, since those are the
    removals that make room for another), on the 14,920 records a default build keeps."""
    from dolly_ja_16k.read.sources import read_source
    from dolly_ja_16k.review.run import run_review

    records, _, _ = read_source(str(real_source), {})
    kept = run_review(records, tag_style=False).records
    base = {r["index"] for r in hold_out(kept, 500, 42).validation}
    rng = random.Random(20)
    held = [k for k, r in enumerate(kept) if r["index"] in base]
    shared = [ps for ps in groups_of(kept).values() if len(ps) > 1]
    sample = rng.sample(range(len(kept)), 100) + rng.sample(held, 60) + [rng.choice(g) for g in rng.sample(shared, 40)]
    worst = 0
    for k in sample:
        after = {r["index"] for r in hold_out(kept[:k] + kept[k + 1:], 500, 42).validation}
        worst = max(worst, len((base ^ after) - {kept[k]["index"]}))
    assert worst <= 2


# -- diff, changes.jsonl, build --previous, verify ------------------------------------------------------

def _build(out: Path, source: Path, *args: str) -> Path:
    result = run_cli("build", "--source", source, "--out", out, "--no-style", "--validation-size", "20", *args)
    assert result.returncode == 0, result.stderr
    return out


def test_moves_into_and_out_of_validation_are_changes(tmp_path: Path) -> None:
    """v2 drops three held-out records: they are removed from `validation`, others move into it;
    ``changes.jsonl`` (``build --previous``) says exactly what ``diff --json`` says."""
    records = make_records(200)
    v1 = _build(tmp_path / "v1", write_jsonl(tmp_path / "v1.jsonl", records))
    held = [r["index"] for r in read_jsonl(v1 / "data" / "validation.jsonl")]
    gone = set(held[:3])
    v2 = _build(tmp_path / "v2", write_jsonl(tmp_path / "v2.jsonl", [r for r in records if r["index"] not in gone]),
                "--previous", str(v1))
    changes = read_jsonl(v2 / "changes.jsonl")
    assert sorted(c["index"] for c in changes if c["change"] == "removed") == sorted(gone)
    assert all(c["part"] == "validation" for c in changes if c["change"] == "removed")
    into = [c for c in changes if c["change"] == "moved" and c["to"] == "validation"]
    out_of = [c for c in changes if c["change"] == "moved" and c["from"] == "validation"]
    assert into and len(into) - len(out_of) == 3
    assert len(changes) <= 3 + 3 * 3  # each removal moves at most two others (and the parts' few)
    diff = run_cli("diff", v1, v2, "--json")
    assert diff.returncode == 0, diff.stderr
    found = json.loads(diff.stdout)
    assert found["moved"] == [{"index": c["index"], "from": c["from"], "to": c["to"]}
                              for c in changes if c["change"] == "moved"]
    manifest = json.loads((v2 / "manifest.json").read_text())
    row = next(p for p in manifest["previous"]["parts"] if p["name"] == "validation")
    assert (row["old"], row["new"], row["removed"], row["moved_in"]) == (20, 20, 3, len(into))
    card = (v2 / "README.md").read_text(encoding="utf-8")
    assert f"| `validation` | 20 | 20 | 0 | 3 | {len(into)} | {len(out_of)} | 0 |" in card


def test_verify_catches_a_group_on_both_sides(tmp_path: Path) -> None:
    """A validation file edited to hold a part's passage (its hashes put right) fails verify."""
    import hashlib

    records = [make_record(i, input=f"文章{i}") for i in range(200)]
    folder = _build(tmp_path / "b", write_jsonl(tmp_path / "s.jsonl", records))
    assert run_cli("verify", folder).returncode == 0
    path = folder / "data" / "validation.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    first = json.loads(lines[0])
    # a passage of the same length, so the sizes the card declares stay right
    part = next(r for r in read_jsonl(folder / "data" / "1_of_4.jsonl") if len(r["input"]) == len(first["input"]))
    lines[0] = (json.dumps(dict(first, input=part["input"]), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    path.write_bytes(b"".join(lines))
    manifest = json.loads((folder / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["path"] == "data/validation.jsonl")
    entry.update(sha256=hashlib.sha256(path.read_bytes()).hexdigest(), bytes=path.stat().st_size)
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    result = run_cli("verify", folder)
    assert result.returncode == 1
    assert f"record {part['index']} shares its context or question with the validation split" in result.stdout


# -- the manifest ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("edit,message", [
    (lambda m: m.update(format=2), "format 2, this version reads format 3 for a build with a validation split"),
    (lambda m: m.pop("validation"), "format 3, this version reads format 2"),
    (lambda m: m["validation"].update(file="data/1_of_4.jsonl"), "its name or file 'data/1_of_4.jsonl' is a part's"),
    (lambda m: m["validation"].update(records=9), "its counts do not add up to its 9 records"),
    (lambda m: m["validation"]["training"][0].update(records=7), "holds other records"),
])
def test_a_damaged_validation_entry_is_one_manifest_error(tmp_path: Path, edit, message: str) -> None:
    from dolly_ja_16k.manifest import ManifestError, from_bytes

    out = tmp_path / "b"
    assert run_cli("build", "--source", DEMO_SOURCE, "--out", out, "--no-style",
                   "--validation-size", "8").returncode == 0
    data = json.loads((out / "manifest.json").read_text())
    from_bytes(json.dumps(data).encode())  # as built: reads
    edit(data)
    with pytest.raises(ManifestError, match=message):
        from_bytes(json.dumps(data).encode())


def test_holding_out_takes_time_linear_in_the_records() -> None:
    """Ten times the records (and categories, and shared groups) take at most 30 times as long."""
    import time

    def source(n: int) -> list[dict[str, str]]:
        return [make_record(i, f"c{i % (n // 20)}", input=f"文章{i // 3}" if i % 2 else "") for i in range(n)]

    def best(records: list[dict[str, str]]) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            hold_out(records, len(records) // 10, 42)
            times.append(time.perf_counter() - start)
        return min(times)

    small, large = source(2_000), source(20_000)
    assert best(large) <= 30 * best(small)
