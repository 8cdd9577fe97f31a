"""Warnings a build prints for what it does that the user may not expect.

`--target-size` that leaves out some of the user's own records, and `--previous` naming a
release split with other settings (most records then move): said on the terminal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dolly_ja_16k.manifest import read as read_manifest
from tests.conftest import make_records, run_cli, write_jsonl


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("warning:")]


def test_a_target_size_that_leaves_out_own_records_says_how_many(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", make_records(20))
    own = write_jsonl(tmp_path / "own.jsonl", make_records(7, start=100))
    result = run_cli("build", "--source", src, "--supplement", own, "--target-size", "24", "--out", tmp_path / "o",
                     "--no-style")
    assert result.returncode == 0, result.stderr
    lines = _warnings(result.stderr)
    assert len(lines) == 1 and "leaves out 3 of your own records" in lines[0], result.stderr
    assert read_manifest(tmp_path / "o").target.left_out == 3
    fits = run_cli("build", "--source", src, "--supplement", own, "--target-size", "27", "--out", tmp_path / "p",
                   "--no-style")
    assert fits.returncode == 0 and _warnings(fits.stderr) == []
    source_only = run_cli("build", "--source", src, "--target-size", "15", "--out", tmp_path / "q", "--no-style")
    assert source_only.returncode == 0 and _warnings(source_only.stderr) == []  # none of the user's own left out


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("previous")
    src = write_jsonl(tmp / "src.jsonl", make_records(200))
    result = run_cli("build", "--source", src, "--out", tmp / "v1", "--no-style")
    assert result.returncode == 0, result.stderr
    return src, tmp / "v1"


@pytest.mark.parametrize("changed", [["--seed", "7"], ["--strategy", "contiguous"], ["--parts", "2"]])
def test_previous_split_otherwise_warns_before_and_counts_the_moves_after(tmp_path: Path, first, changed) -> None:
    src, v1 = first
    result = run_cli("build", "--source", src, "--out", tmp_path / "v2", "--no-style", "--previous", v1, *changed)
    assert result.returncode == 0, result.stderr
    lines = _warnings(result.stderr)
    assert len(lines) == 2, result.stderr
    option = changed[0].removeprefix("--")
    assert f"{option}=" in lines[0] and "most records will move to another part" in lines[0]
    moved = read_manifest(tmp_path / "v2").previous.moved
    assert moved > 0
    assert lines[1] == f"warning: {moved:,} of 200 records moved to another part since v1 (see changes.jsonl)"
    assert result.stderr.index(lines[0]) < result.stderr.index(lines[1])


def test_previous_split_alike_says_nothing(tmp_path: Path, first) -> None:
    src, v1 = first
    result = run_cli("build", "--source", src, "--out", tmp_path / "v2", "--no-style", "--previous", v1)
    assert result.returncode == 0 and _warnings(result.stderr) == [], result.stderr
