"""What Ctrl-C says is true of the command interrupted: what it writes, and what it had sent.

The interrupt is raised inside the command's own work (the library call it runs is replaced
by one that raises ``KeyboardInterrupt``), so it lands at a known moment.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dolly_ja_16k import cli
from tests.conftest import make_records, write_jsonl


def _interrupt(*args: object, **kwargs: object) -> None:
    raise KeyboardInterrupt


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_ctrl_c_in_diff_names_no_output_folder(tmp_path: Path, monkeypatch, capsys) -> None:
    import dolly_ja_16k.diff

    monkeypatch.setattr(dolly_ja_16k.diff, "diff_builds", _interrupt)
    assert cli.main(["diff", str(tmp_path / "a"), str(tmp_path / "b")]) == 130
    line = _error_line(capsys)
    assert line == "error: interrupted; nothing was written"


def test_ctrl_c_in_a_dry_run_during_the_local_verify_says_nothing_was_sent(tmp_path: Path, monkeypatch,
                                                                           capsys) -> None:
    import dolly_ja_16k.verify

    src = write_jsonl(tmp_path / "src.jsonl", make_records(12))
    assert cli.main(["build", "--source", str(src), "--out", str(tmp_path / "b"), "--no-style"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(dolly_ja_16k.verify, "verify", _interrupt)
    for extra in (["--dry-run"], []):
        code = cli.main(["publish", "--dir", str(tmp_path / "b"), "--repo-id", "alice/x", *extra])
        assert code == 130
        line = _error_line(capsys)
        assert line.startswith("error: interrupted while checking ") and line.endswith(
            "before any request to the Hub: nothing was sent"), line
        assert "unknown" not in line


def test_ctrl_c_in_a_dry_run_anywhere_says_nothing_changed(tmp_path: Path, monkeypatch, capsys) -> None:
    import dolly_ja_16k.hub.publish

    monkeypatch.setattr(dolly_ja_16k.hub.publish, "publish", _interrupt)
    assert cli.main(["publish", "--dir", str(tmp_path), "--repo-id", "alice/x", "--dry-run"]) == 130
    assert _error_line(capsys) == "error: interrupted; a dry run sends nothing: nothing was changed on the Hub"
