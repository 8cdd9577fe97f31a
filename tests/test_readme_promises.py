"""What the README and `--help` promise a new user, checked by doing what they say."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from dolly_ja_16k.manifest import read as read_manifest
from tests.conftest import ROOT, make_records, read_jsonl, run_cli, write_jsonl

README = (ROOT / "README.md").read_text(encoding="utf-8")
#: Nothing answers here: a command that tries the network fails at once.
OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9"}


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _commands(block_holding: str) -> list[list[str]]:
    """The commands of the README's bash block holding ``block_holding`` (lines joined at ``\\``)."""
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    block = next(b for b in blocks if block_holding in b)
    joined = block.replace("\\\n", " ")
    return [shlex.split(line) for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def test_the_16k_numbers_are_those_of_the_shared_source(real_source: Path, tmp_path: Path) -> None:
    match = re.search(r"keeps ([\d,]+) records after the review, so the command below needs \*\*([\d,]+) "
                      r"records of your own\*\*\s+that pass the review \(([\d,]+) with `--keep-all`, which keeps "
                      r"all ([\d,]+)\)", README)
    assert match, "the 16k section no longer says how many records of your own are needed"
    kept, needed, needed_all, everything = map(_number, match.groups())
    for extra, have, need in (((), kept, needed), (("--keep-all",), everything, needed_all)):
        result = run_cli("build", "--source", real_source, "--target-size", "16000", "--out", tmp_path / "o", *extra)
        assert result.returncode == 2
        assert f"needs {need:,} more records than the {have:,} available" in result.stderr, result.stderr
        assert have + need == 16000
    assert README.index("1,080 records of your own") < README.index("--supplement my_records.jsonl --target-size")


def test_the_setup_build_and_verify_of_the_demo_work_offline(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    line = next(c for c in README.splitlines() if "pip install . && dolly-ja-16k build --source examples/demo" in c)
    for command in line.split(" && ")[3:]:  # after the venv and the install
        args = shlex.split(command)
        assert args[0] == "dolly-ja-16k"
        result = run_cli(*args[1:], cwd=tmp_path, env=OFFLINE)
        assert result.returncode == 0, (command, result.stderr)


def test_the_template_example_runs_as_written_offline(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    [command] = _commands("--user-template")
    assert command[:2] == ["dolly-ja-16k", "build"] and "--source" in command and "--out" in command
    result = run_cli(*command[1:], cwd=tmp_path, env=OFFLINE)
    assert result.returncode == 0, result.stderr
    out = tmp_path / command[command.index("--out") + 1]
    rows = read_jsonl(out / "data" / "1_of_4-messages.jsonl")
    assert all(row["messages"][-2]["content"].startswith("### 指示:\n") for row in rows)


def test_target_size_help_says_what_happens_with_too_many_and_it_does(tmp_path: Path) -> None:
    help_text = " ".join(run_cli("build", "--help").stdout.split())
    assert "fewer is an error; of more, the first N in input order are kept (the source first, then the " \
           "supplements in the order given)" in help_text
    src = write_jsonl(tmp_path / "src.jsonl", make_records(10))
    own = write_jsonl(tmp_path / "own.jsonl", make_records(5, start=50))
    result = run_cli("build", "--source", src, "--supplement", own, "--target-size", "12", "--parts", "1",
                     "--strategy", "contiguous", "--out", tmp_path / "o", "--no-style")
    assert result.returncode == 0, result.stderr
    kept = [r["index"] for r in read_jsonl(tmp_path / "o" / "data" / "1_of_1.jsonl")]
    assert sorted(kept) == sorted([str(i) for i in range(10)] + ["user-50", "user-51"])
    assert read_manifest(tmp_path / "o").target.left_out == 3


@pytest.mark.parametrize("command", ["build", "review"])
def test_no_style_help_is_true_for_both_commands(command: str, tmp_path: Path) -> None:
    help_text = " ".join(run_cli(command, "--help").stdout.split())
    assert "`build` writes no style column, `review` prints no style counts" in help_text
    src = write_jsonl(tmp_path / "src.jsonl", make_records(6))
    if command == "review":
        tagged, plain = run_cli("review", src), run_cli("review", src, "--no-style")
        assert "style of output:" in tagged.stdout and "style of output:" not in plain.stdout
        return
    assert run_cli("build", "--source", src, "--out", tmp_path / "o", "--no-style", "--parts", "1").returncode == 0
    assert all("style" not in row for row in read_jsonl(tmp_path / "o" / "data" / "1_of_1.jsonl"))
