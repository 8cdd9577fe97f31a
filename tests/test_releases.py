"""Releases: ``build --previous`` records what changed since the release it follows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dolly_ja_16k.diff import change_lines, diff_builds
from dolly_ja_16k.manifest import read as read_manifest
from tests.conftest import make_record, make_records, read_jsonl, run_cli, write_jsonl


def _build(tmp_path: Path, name: str, records: list[dict], *extra: str) -> Path:
    src = write_jsonl(tmp_path / f"{name}.jsonl", records)
    out = tmp_path / name
    result = run_cli("build", "--source", src, "--out", out, "--no-style", *extra)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("releases")
    v1 = make_records(120)
    v2 = [dict(r, output="直した答えです。") if r["index"] == "5" else r for r in v1 if r["index"] not in {"7", "80"}]
    v2 += [make_record(200), make_record(201), make_record(202)]
    first = _build(tmp, "v1", v1)
    second = _build(tmp, "v2", v2, "--previous", first)
    plain = _build(tmp, "plain", v2)
    return first, second, plain


def test_changes_file_is_what_diff_says(releases: tuple[Path, Path, Path]) -> None:
    first, second, _ = releases
    assert (second / "changes.jsonl").read_bytes() == change_lines(diff_builds(first, second))
    events = read_jsonl(second / "changes.jsonl")
    assert [e["index"] for e in events if e["change"] == "removed"] == ["7", "80"]
    assert [e["index"] for e in events if e["change"] == "added"] == ["200", "201", "202"]
    assert {"index": "5", "change": "changed", "fields": ["output"]} in events
    diff = run_cli("diff", first, second, "--json")
    assert diff.returncode == 0
    assert json.loads(diff.stdout)["added"] == ["200", "201", "202"]
    # one encoding of a part's counts: diff --json says them as the manifest does
    recorded = json.loads((second / "manifest.json").read_text(encoding="utf-8"))["previous"]
    assert json.loads(diff.stdout)["parts"] == recorded["parts"]
    assert list(recorded["parts"][0]) == ["name", "old", "new", "added", "removed", "moved_in", "moved_out", "changed"]
    # and of a change: the manifest's examples are the first lines of changes.jsonl, `from`/`to` there
    examples = [{k: v for k, v in e.items() if v is not None} for e in recorded["examples"]]
    renamed = [{{"source": "from", "target": "to"}.get(k, k): v for k, v in e.items()} for e in examples]
    assert renamed == events[:len(examples)] and examples


def test_manifest_and_card_say_what_changed(releases: tuple[Path, Path, Path]) -> None:
    first, second, _ = releases
    manifest = read_manifest(second)
    previous = manifest.previous
    assert previous is not None and previous.name == first.name and previous.commit is None
    diff = diff_builds(first, second)
    assert (previous.added, previous.removed, previous.changed, previous.moved) == (
        len(diff.added), len(diff.removed), len(diff.changed_fields), len(diff.moved))
    assert "changes.jsonl" in {f.path for f in manifest.files}
    card = (second / "README.md").read_text(encoding="utf-8")
    assert "## Changes since the previous release" in card
    assert f"{previous.added:,} added, {previous.removed:,} removed, {previous.changed:,} changed" in card
    for part in previous.parts:
        assert f"| `{part.name}` | {part.old:,} | {part.new:,} |" in card
    assert str(first.parent) not in card  # the previous folder is named, never its path
    assert run_cli("verify", second).returncode == 0


def test_without_previous_there_is_no_change_record(releases: tuple[Path, Path, Path]) -> None:
    _, second, plain = releases
    assert not (plain / "changes.jsonl").exists()
    assert read_manifest(plain).previous is None
    assert "Changes since" not in (plain / "README.md").read_text(encoding="utf-8")
    for part in read_manifest(plain).parts:  # the parts are the same, with or without --previous
        assert (plain / part.file).read_bytes() == (second / part.file).read_bytes()


def test_a_previous_that_is_not_a_build_is_one_line_exit_2(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", make_records(8))
    (tmp_path / "empty").mkdir()
    for previous, message in ((tmp_path / "missing", "no such folder"), (tmp_path / "empty", "no manifest.json")):
        result = run_cli("build", "--source", src, "--out", tmp_path / "out", "--previous", previous)
        assert result.returncode == 2 and message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "out").exists()


def test_a_previous_holding_a_fifo_is_one_line_exit_2(tmp_path: Path) -> None:
    """A FIFO in place of a part: nobody writes to it, so reading it would wait forever."""
    src = write_jsonl(tmp_path / "src.jsonl", make_records(8))
    previous = _build(tmp_path, "v1", make_records(8))
    part = previous / read_manifest(previous).parts[0].file
    part.unlink()
    os.mkfifo(part)
    result = subprocess.run([sys.executable, "-m", "dolly_ja_16k", "build", "--source", str(src), "--out",
                             str(tmp_path / "out"), "--previous", str(previous)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"error: {part}: cannot read part 1_of_4 (not a regular file)"]
    assert not (tmp_path / "out").exists()
