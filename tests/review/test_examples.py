"""`review --examples N`: N is a count (never negative), and every example is one escaped line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_record, run_cli, write_jsonl


@pytest.mark.parametrize("bad", ["-5", "-1", "two"])
def test_examples_must_be_a_count(tmp_path: Path, bad: str) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [make_record(0)])
    result = run_cli("review", src, "--examples", bad, "--no-style")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--examples" in lines[0], result.stderr
    assert result.stdout == ""


def test_examples_are_escaped_like_every_other_message(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [
        make_record(0, output="指輪物語』は\x1b[31m小説です。"),
        {**make_record(1, output="ホビット』は小説です。"), "index": "1\nerror: fake"},
    ])
    result = run_cli("review", src, "--examples", "5", "--no-style")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert not any(line.startswith("error:") for line in result.stdout.splitlines())
    examples = [line for line in result.stdout.splitlines() if line.startswith("    index ")]
    assert examples[0].startswith("    index 0: would be fixed: output: 指輪物語』は\\x1b[31m小説です。")
    assert examples[1].startswith("    index 1\\nerror: fake: would be fixed: ")
