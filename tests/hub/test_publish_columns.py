"""`publish --dry-run` prints its plan as a table whose columns line up, however long the names."""

from __future__ import annotations

import re

from tests.hub.clients import hub_env, run_cli

pytest_plugins = ["tests.hub.fixtures"]


def test_dry_run_columns_line_up_with_long_names(demo_build, tmp_path, closed_port):
    env = hub_env(f"http://127.0.0.1:{closed_port}", tmp_path / "hf-home", None)
    result = run_cli(["publish", "--dir", str(demo_build), "--repo-id", "alice/x", "--dry-run"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if re.match(r"  [+~=?-] ", line)]
    assert any("data/1_of_4-prompt_completion.jsonl" in row for row in rows)
    assert len(rows) > 10
    assert len({row.index(" sha256 ") for row in rows}) == 1, "\n".join(rows)


def test_verify_counts_in_the_singular_too(tmp_path):
    env = hub_env("http://127.0.0.1:9", tmp_path / "hf-home", None)
    result = run_cli(["verify", str(tmp_path / "missing")], env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.strip().splitlines()[-1].endswith("(1 check, 1 failed)")
