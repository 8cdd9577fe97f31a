"""The benchmark harness on a tiny generated source, so bench/ cannot rot (no timing assertions)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench import floor, handmade, harness, synth
from bench import run as bench_run
from tests.conftest import make_records, write_json

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_json(tmp_path / "tiny.json", make_records(41))


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_floor_and_handmade_write_the_same_four_parts(tiny: Path, tmp_path: Path) -> None:
    parser, times = floor.fastest_parser(tiny.read_bytes(), rounds=1)
    assert parser in times and "json" in times
    assert floor.floor(tiny, tmp_path / "floor", parser) == [11, 10, 10, 10]
    assert handmade.handmade(tiny, tmp_path / "pandas") == [11, 10, 10, 10]
    for i in range(1, 5):
        name = f"{i}_of_4.jsonl"
        assert _lines(tmp_path / "floor" / name) == _lines(tmp_path / "pandas" / name)
    assert sum(len(_lines(p)) for p in (tmp_path / "floor").iterdir()) == 41


@pytest.mark.parametrize("jsonl", [False, True])
def test_synthesize_repeats_records_with_fresh_indexes(tiny: Path, tmp_path: Path, jsonl: bool) -> None:
    out = tmp_path / ("big.jsonl" if jsonl else "big.json")
    size = synth.synthesize(tiny, 100, out, jsonl=jsonl)
    assert size == out.stat().st_size
    records = _lines(out) if jsonl else json.loads(out.read_bytes())
    source = json.loads(tiny.read_bytes())
    assert [r["index"] for r in records] == [str(i) for i in range(100)]
    assert records[41]["output"] == source[0]["output"]


def test_run_measures_time_and_memory_and_fails_loudly(tmp_path: Path) -> None:
    sample = harness.run([sys.executable, "-c", "x = bytearray(50_000_000)"])
    assert sample.seconds > 0 and sample.max_rss > 50_000_000
    with pytest.raises(harness.BenchError, match="exited 3"):
        harness.run([sys.executable, "-c", "import sys; sys.exit(3)"])


def test_memory_is_per_process_peak_and_all_processes_at_once() -> None:
    # parent and child each hold 80 MB for half a second: one process peaks near 80 MB,
    # the tree near 160 MB (and the pytest process's own size must not leak in)
    child = "import time; x = bytearray(80_000_000); x[::4096] = b'1' * len(x[::4096]); time.sleep(0.5)"
    parent = (f"import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', {child!r}]); "
              "x = bytearray(80_000_000); x[::4096] = b'1' * len(x[::4096]); p.wait()")
    sample = harness.run([sys.executable, "-c", parent])
    assert 80_000_000 < sample.max_rss < 130_000_000
    assert sample.tree_rss is not None and sample.tree_rss > 160_000_000


def test_interleave_rotates_and_pairs() -> None:
    order: list[str] = []

    def case(name: str, seconds: float):
        def go() -> harness.Sample:
            order.append(name)
            return harness.Sample(seconds, 0)
        return go

    series = harness.interleave({"a": case("a", 2.0), "b": case("b", 1.0)}, reps=3, warmup=1)
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert series["a"].seconds == [2.0, 2.0, 2.0]
    assert harness.paired_ratio(series["a"], series["b"]) == 2.0
    assert harness.paired_ratio(series["a"], series["b"], per_a=4) == 0.5


def test_machine_records_cores_python_and_versions() -> None:
    info = harness.machine()
    assert info["cores"] >= 1 and info["python"].startswith(("CPython", "PyPy"))
    assert info["packages"]["orjson"]


def test_build_section_on_tiny_source(tiny: Path, tmp_path: Path) -> None:
    ctx = bench_run.Context(tiny, tmp_path / "work", reps=1, quick=True, env=None, log=lambda _: None, raw={})
    rows = bench_run.bench_build(ctx)
    keys = {r.key for r in rows}
    assert {"build_review_on_style_off/floor", "pictures/floor", "lean_startup"} <= keys
    lean = next(r for r in rows if r.key == "lean_startup")
    assert lean.holds, lean.result
    for row in rows:
        assert row.key == "lean_startup" or row.result == "n/a" or row.value is not None
    text = bench_run.table(rows)
    assert text.count("\n") == len(rows) + 1


def test_update_readme_replaces_only_between_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{bench_run.BEGIN}\nold\n{bench_run.END}\n\nafter\n", encoding="utf-8")
    assert bench_run.update_readme(readme, "| new |")
    assert readme.read_text(encoding="utf-8") == f"# x\n\n{bench_run.BEGIN}\n| new |\n{bench_run.END}\n\nafter\n"
    plain = tmp_path / "PLAIN.md"
    plain.write_text("# no markers\n", encoding="utf-8")
    assert not bench_run.update_readme(plain, "| new |")


def test_loadbench_loads_the_part_four_ways(tiny: Path, tmp_path: Path) -> None:
    from bench import loadbench
    from dolly_ja_16k.options import BuildOptions
from dolly_ja_16k.pipeline import build

    build(BuildOptions(source=str(tiny), out=tmp_path / "built", tag_style=False))
    result = loadbench.measure(tmp_path / "built", "2_of_4", reps=1, warmup=0)  # checks every row count
    assert set(result) == set(loadbench.CASES)
    assert all(len(result[way][phase]) == 1 for way in result for phase in ("cold", "cached"))
    repo = loadbench.per_part_repo(tmp_path / "built", "3_of_4", tmp_path / "repo")
    assert sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file()) == [
        "README.md", "data/3_of_4.jsonl", "manifest.json"]
