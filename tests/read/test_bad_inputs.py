"""Every case of the bad-input corpus through the real command line, in a subprocess.

Each case must exit with its code (0 or 2), print its exact message and never a
traceback; a refused input must leave every file of its folder as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bad_inputs import CASES, Outcome

ROOT = Path(__file__).resolve().parents[2]


def run_build(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python -m dolly_ja_16k build ARGS`` with this source tree, as a user would run it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dolly_ja_16k", "build", *args], capture_output=True,
                          text=True, encoding="utf-8", errors="replace", cwd=cwd, env=env, timeout=300)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with a hash of its contents."""
    state = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        state[key] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
    return state


def test_corpus_has_every_kind_of_case() -> None:
    names = " ".join(CASES)
    for kind in ["empty file", "empty array", "object instead of array", "truncated", "trailing garbage",
                 "BOM", "UTF-16", "Shift_JIS", "invalid UTF-8", "surrogate", "NUL", "CRLF", "blank lines",
                 "a list", "a string", "missing field", "number", "null", "field of type list", "extra unknown",
                 "empty instruction", "empty output", "whitespace-only", "duplicate index", "supplement",
                 "10 MB", "million", "unknown category", "fewer records than parts", "--parts 0",
                 "--parts -1", "--target-size larger", "--out is a file", "foreign folder", "source itself"]:
        assert kind in names, kind
    assert {c for c in CASES if "(accepted" in c} and len(CASES) > 60


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input(name: str, tmp_path: Path) -> None:
    work = tmp_path / "case"
    work.mkdir()
    outcome: Outcome = CASES[name](work)
    before = snapshot(work) if outcome.code else {}

    result = run_build(outcome.args, cwd=tmp_path)

    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == outcome.code, result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith(("error: ", "warning: ", "dolly-ja-16k build: error: ")) for line in lines), lines
    if outcome.code == 0:
        assert result.stdout.startswith("built "), result.stdout
        assert [line for line in lines if line.startswith("warning: ")] == outcome.warnings
        assert not [line for line in lines if "error" in line.split(":")[0]]
        out = work / "out"
        assert (out / "manifest.json").is_file()
        assert [p.name for p in work.iterdir() if ".building-" in p.name] == []
        if outcome.check is not None:
            outcome.check(out)
    else:
        assert result.stdout == ""
        assert len(lines) == 1, lines  # one line, nothing else
        message = outcome.message
        assert message is not None
        if isinstance(message, re.Pattern):
            assert message.fullmatch(lines[0]), (lines[0], message.pattern)
        else:
            assert lines[0] == message
        assert snapshot(work) == before  # nothing written, nothing removed
        assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]


def test_an_os_error_is_one_line_and_exit_1(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    from dolly_ja_16k import build as pipeline
    from dolly_ja_16k import cli

    def full_disk(options: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / ".out.building-1" / "data"))

    monkeypatch.setattr(pipeline, "build", full_disk)
    code = cli.main(["build", "--source", "x.jsonl", "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == f"error: {tmp_path / '.out.building-1' / 'data'}: No space left on device\n"
    assert captured.out == ""
