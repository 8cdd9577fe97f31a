"""The card shows the command line that made the build, and running it rebuilds the same parts.

The command is derived from the option declarations (``options.py``): every build option is
either recorded in the manifest or says how it appears in the command.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from dolly_ja_16k.options import BuildOptions, declared, decode_cli_template, flag_of
from tests.conftest import make_record, make_records, run_cli, write_jsonl

TEMPLATE = r'指示: "{instruction}"\n\nit\'s: {input}\t\\end'


def test_every_build_option_is_recorded_or_has_its_words() -> None:
    for f, d in declared(BuildOptions):
        assert d.record is not None or d.command is not None, f.name


def _command(folder: Path) -> list[str]:
    card = (folder / "README.md").read_text(encoding="utf-8")
    built = card[card.index("## How it was built"):]
    block = re.search(r"```bash\n(.*?)\n```", built, re.S)
    assert block, "the card shows no command"
    assert str(folder.parent) not in block[1]  # no local path
    return shlex.split(block[1].replace("\\\n", " "))


def _rebuild(folder: Path, where: Path, inputs: list[Path]) -> Path:
    """Run the card's command in ``where``, with the inputs there under their base names."""
    where.mkdir()
    for path in inputs:
        (shutil.copytree if path.is_dir() else shutil.copy)(path, where / path.name)
    command = _command(folder)
    assert command[:2] == ["dolly-ja-16k", "build"]
    result = run_cli(*command[1:], cwd=where)
    assert result.returncode == 0, (command, result.stderr)
    return where / "dist" / "dolly-ja-16k"


def _same_parts(a: Path, b: Path) -> None:
    names = sorted(p.relative_to(a).as_posix() for p in (a / "data").iterdir())
    assert names == sorted(p.relative_to(b).as_posix() for p in (b / "data").iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "review.jsonl").read_bytes() == (b / "review.jsonl").read_bytes()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    tmp = tmp_path_factory.mktemp("command-inputs")
    records = [*make_records(30), make_record(40, input="同じ", output="同じ"), make_record(41, input="文脈です。")]
    records += [dict(make_record(50), index="50"), dict(make_record(51), index="51")]
    records[-1].update(instruction=records[-2]["instruction"], output=records[-2]["output"])  # a duplicate
    src = write_jsonl(tmp / "src.jsonl", records)
    own = write_jsonl(tmp / "own.jsonl", make_records(6, start=100))
    v1 = tmp / "v1"
    assert run_cli("build", "--source", src, "--out", v1, "--parts", "2").returncode == 0
    return src, own, v1


def test_the_cards_command_rebuilds_the_same_parts(tmp_path: Path, inputs) -> None:
    src, own, v1 = inputs
    folder = tmp_path / "made"
    result = run_cli("build", "--source", src, "--out", folder, "--supplement", own, "--target-size", "36",
                     "--parts", "3", "--strategy", "shuffle", "--seed", "9", "--drop", "duplicate,non_japanese",
                     "--style", "keitai", "--repo-id", "me/dolly", "--previous", v1, "--user-template", TEMPLATE,
                     "--user-template-no-input", r"Q\n{instruction}", "--system-prompts", "style")
    assert result.returncode == 0, result.stderr
    command = _command(folder)
    flags = {w for w in command if w.startswith("--")}
    every = {flag_of(f, d) for f, d in declared(BuildOptions)}
    # the output folder is never shown; the others are shown by test_the_command_of_plainer_builds
    # (--validation-size with a source small enough for the rest)
    assert every - flags == {"--out", "--keep-all", "--no-style", "--restyle", "--copula", "--validation-size"}
    shown = command[command.index("--user-template") + 1]
    assert decode_cli_template(shown) == decode_cli_template(TEMPLATE)  # the same template, typed again
    assert command[command.index("--previous") + 1] == "v1"
    _same_parts(folder, _rebuild(folder, tmp_path / "again", [src, own, v1]))


@pytest.mark.parametrize("extra", [["--keep-all"], ["--no-style"], ["--restyle", "jotai", "--copula", "da"],
                                   ["--validation-size", "4"], []])
def test_the_command_of_plainer_builds(tmp_path: Path, inputs, extra: list[str]) -> None:
    src, _, _ = inputs
    folder = tmp_path / "made"
    assert run_cli("build", "--source", src, "--out", folder, *extra).returncode == 0
    command = _command(folder)
    assert command == ["dolly-ja-16k", "build", "--source", "src.jsonl", *extra]
    _same_parts(folder, _rebuild(folder, tmp_path / "again", [src]))
