"""The benchmark's code on tiny inputs, so bench/ cannot rot: the peers write correct parts, the
ratios and the table are right, a process's memory is measured. No timing assertions."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bench import datasets_user, floor, handmade, synth
from bench import run as bench
from tests.conftest import make_records, write_json


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_json(tmp_path / "tiny.json", make_records(41))


def _parts(folder: Path) -> list[list[dict]]:
    return [[json.loads(line) for line in (folder / f"{i}_of_4.jsonl").read_text(encoding="utf-8").splitlines()]
            for i in range(1, 5)]


def test_every_peer_writes_the_four_contiguous_parts(tiny: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    records = json.loads(tiny.read_bytes())
    expected = [records[0:11], records[11:21], records[21:31], records[31:41]]
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    peers = (("floor", floor.floor), ("pandas", handmade.handmade), ("datasets", datasets_user.datasets_user))
    for name, peer in peers:
        assert peer(tiny, tmp_path / name) == [11, 10, 10, 10]
        assert _parts(tmp_path / name) == expected, name
    assert "質問その0" in (tmp_path / "datasets" / "1_of_4.jsonl").read_text(encoding="utf-8")  # not \u-escaped


def test_synthesize_repeats_records_with_fresh_indexes_and_no_duplicates(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "big.jsonl"
    assert synth.synthesize(tiny, 100, out) == out.stat().st_size
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    source = json.loads(tiny.read_bytes())
    assert [r["index"] for r in records] == [str(i) for i in range(100)]
    assert records[41]["output"] == source[0]["output"]
    assert records[41]["instruction"] == source[0]["instruction"] + "（2）"
    assert len({(r["instruction"], r["output"]) for r in records}) == 100


def test_many_categories_keeps_the_records_and_deals_the_categories_in_turn(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "many.jsonl"
    assert synth.many_categories(tiny, 7, out) == out.stat().st_size
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    source = json.loads(tiny.read_bytes())
    assert [{**r, "category": s["category"]} for r, s in zip(records, source, strict=True)] == source
    assert [r["category"] for r in records[:8]] == ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c0"]


def test_paired_ratio_pairs_repetitions_and_takes_the_median() -> None:
    assert bench.paired_ratio([2.0, 4.0, 9.0], [1.0, 1.0, 3.0]) == 3.0  # ratios 2, 4, 3
    assert bench.paired_ratio([10.0], [2.0], per_a=10, per_b=1) == 0.5  # per record
    with pytest.raises(ValueError):
        bench.paired_ratio([1.0, 2.0], [1.0])


def test_interleave_rotates_the_order_and_drops_the_warm_up() -> None:
    order: list[str] = []

    def case(name: str) -> bench.Callable[[], bench.Sample]:
        return lambda: order.append(name) or bench.Sample(len(order), 0, 0)

    got = bench.interleave({"a": case("a"), "b": case("b")}, reps=2, log=lambda _: None)
    assert order == ["a", "b", "b", "a", "a", "b"]
    assert [s.seconds for s in got["a"]] == [4, 5] and [s.seconds for s in got["b"]] == [3, 6]


def test_table_shows_goals_and_verdicts(tmp_path: Path) -> None:
    rows = [bench.Row("build / pandas", 1.234, "1 s / 0.8 s", 1.5), bench.Row("build / floor", 4.0, "x"),
            bench.Row("moved", 12, "worst", 8, unit=""), bench.Row("churn", 0.5, "y", 1.0, unit="%")]
    assert [r.holds for r in rows] == [True, None, False, True]
    lines = bench.table(rows).splitlines()
    assert len(lines) == 6
    assert lines[2] == "| build / pandas | 1.23× | 1 s / 0.8 s | ≤ 1.50× | yes |"
    assert lines[3] == "| build / floor | 4.00× | x |  |  |"
    assert lines[4] == "| moved | 12 | worst | ≤ 8 | **no** |"
    assert lines[5] == "| churn | 0.50% | y | ≤ 1.00% | yes |"


def test_update_readme_replaces_only_between_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{bench.BEGIN}\nold\n{bench.END}\nafter\n", encoding="utf-8")
    assert bench.update_readme(readme, "| new |")
    assert readme.read_text(encoding="utf-8") == f"# x\n{bench.BEGIN}\n| new |\n{bench.END}\nafter\n"
    (tmp_path / "PLAIN.md").write_text("# no markers\n", encoding="utf-8")
    assert not bench.update_readme(tmp_path / "PLAIN.md", "| new |")


def test_moved_counts_records_in_both_splits_whose_part_changed() -> None:
    assert bench.moved({"a": 0, "b": 1, "c": 2}, {"a": 0, "b": 2, "new": 3}) == 1


def test_stability_rows_are_computed_from_the_split(tiny: Path, tmp_path: Path) -> None:
    rows = bench.Bench(tiny, tmp_path, 1, True, lambda _: None).stability(removals=5)
    assert [r.limit for r in rows] == [8, 1.0]
    assert all(r.value >= 0 for r in rows) and "of 41 moved" in rows[1].detail


def test_measure_reports_time_memory_and_failures() -> None:
    # a parent and its child each hold 80 MB at once: the largest process is near 80 MB, all of
    # them together near 160 MB (the pytest process itself must not count)
    child = "import time; x = bytearray(80_000_000); x[::4096] = b'1' * len(x[::4096]); time.sleep(0.5)"
    parent = (f"import subprocess, sys; p = subprocess.Popen([sys.executable, '-c', {child!r}]); "
              "x = bytearray(80_000_000); x[::4096] = b'1' * len(x[::4096]); p.wait()")
    sample = bench.measure([sys.executable, "-c", parent], dict(os.environ))
    assert sample.seconds > 0
    assert 80_000_000 < sample.rss < 130_000_000
    assert sample.rss_all > 160_000_000
    with pytest.raises(RuntimeError, match="exited 3"):
        bench.measure([sys.executable, "-c", "import sys; sys.exit(3)"])


def test_restyle_rows_time_the_conversion_in_each_direction(tmp_path: Path) -> None:
    records = [{**r, "output": "本を読みました。"} for r in make_records(12)]
    source = write_json(tmp_path / "polite.json", records)
    rows = bench.Bench(source, tmp_path, 1, True, lambda _: None).restyle()
    assert [r.limit for r in rows] == [1.0, 1.0] and all(r.unit == " s" and r.value >= 0 for r in rows)
    assert rows[0].what.startswith("restyle every answer to plain") and "12 answers changed" in rows[0].detail
    assert "0 answers changed" in rows[1].detail  # already polite


def test_only_runs_the_sections_named_and_leaves_the_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    source = write_json(tmp_path / "tiny.json", make_records(8))
    results = (bench.BENCH / "results.json").read_bytes()
    ran: list[str] = []
    for name in bench.SECTIONS:
        monkeypatch.setattr(bench.Bench, name, lambda self, name=name: ran.append(name) or [])
    assert bench.main(["--source", str(source), "--only", "restyle,stability", "--reps", "1"]) == 0
    assert ran == ["stability", "restyle"] and (bench.BENCH / "results.json").read_bytes() == results
    with pytest.raises(SystemExit):
        bench.main(["--source", str(source), "--only", "nope"])
    assert "unknown section nope" in capsys.readouterr().err
