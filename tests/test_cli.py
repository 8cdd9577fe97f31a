"""The command line on its own: help text, flags named in errors, exit codes, Ctrl-C, lean start-up."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dolly_ja_16k import cli
from dolly_ja_16k.options import BuildOptions, OptionError
from tests.conftest import ROOT, make_records, run_cli, write_jsonl

HEAVY = ("datasets", "huggingface_hub", "pyarrow", "matplotlib", "fugashi", "pandas")


def test_help_describes_the_tool_not_the_module() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "Build, check and publish databricks-dolly-15k-ja" in result.stdout
    assert "argument parsing" not in result.stdout and "exit codes only" not in result.stdout
    for command in ("build", "verify", "review", "publish"):
        assert command in result.stdout


@pytest.mark.parametrize("option,expected", [("target_size", "--target-size"), ("supplements", "--supplement"),
                                             ("tag_style", "--no-style"), ("folder", "--dir"), ("seed", "--seed")])
def test_library_option_names_map_to_flags(option: str, expected: str) -> None:
    assert cli.flag(option) == expected


def test_an_option_error_names_the_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", make_records(8))
    code = cli.main(["build", "--source", str(src), "--out", str(tmp_path / "o"), "--seed", str(2**64)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: --seed: must fit in 64 bits") and err.count("\n") == 1
    assert not (tmp_path / "o").exists()
    with pytest.raises(OptionError) as caught:  # the library names the option itself
        BuildOptions(seed=2**64).check()
    assert caught.value.option == "seed" and str(caught.value).startswith("seed: ")


def test_huge_seed_through_the_real_cli(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", make_records(8))
    result = run_cli("build", "--source", src, "--out", tmp_path / "o", "--seed", "99999999999999999999")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: --seed: must fit in 64 bits (from -2**63 to 2**63-1), got 99999999999999999999"]
    negative = run_cli("build", "--source", src, "--out", tmp_path / "n", "--seed", "-5", "--no-style")
    assert negative.returncode == 0, negative.stderr


def test_control_characters_in_an_argument_stay_on_one_line(tmp_path: Path) -> None:
    result = run_cli("build", "--source", "nope\nerror: fake.jsonl", "--out", tmp_path / "o")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "\\n" in lines[0] and not lines[0].startswith("error: fake")


def test_unknown_command_is_one_line_exit_2() -> None:
    result = run_cli("buidl")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1


def _imported(*args: str) -> set[str]:
    """Top-level packages a command imports (from ``python -X importtime``)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "dolly_ja_16k", *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_help_imports_no_heavy_library() -> None:
    assert not _imported("--help") & set(HEAVY)


def test_build_imports_neither_datasets_nor_pyarrow(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", make_records(8))
    imported = _imported("build", "--source", str(src), "--out", str(tmp_path / "o"))
    assert not imported & {"datasets", "pyarrow", "pandas"}
    assert "fugashi" in imported  # the check sees real imports: style tagging ran


def test_ctrl_c_at_any_moment_after_start_up_is_exit_130_without_traceback(tmp_path: Path) -> None:
    """From the command line module's first instruction on (the interpreter's own start-up
    comes before it): ``-X importtime`` tells when ``dolly_ja_16k.cli`` has been imported,
    then the interrupt comes at a random moment of the imports and the build after it."""
    src = write_jsonl(tmp_path / "src.jsonl", make_records(40))
    rng = random.Random(7)
    codes = []
    for n in range(30):
        proc = subprocess.Popen([sys.executable, "-X", "importtime", "-m", "dolly_ja_16k", "build", "--source",
                                 str(src), "--out", str(tmp_path / f"o{n}")], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.rstrip().endswith("| dolly_ja_16k.cli"):
                break
        # half of them while the first libraries load (orjson once crashed when interrupted there)
        time.sleep(rng.uniform(0.0, 0.05 if n % 2 else 0.3))
        proc.send_signal(signal.SIGINT)
        _, rest = proc.communicate(timeout=120)
        err = [line for line in rest.splitlines() if not line.startswith("import time:")]
        assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in err), err
        # A shell reports both 130 and "killed by SIGINT" (-2 here) as exit status 130: CPython ends
        # the process with SIGINT itself when an interrupt hit a library's C-level code run.
        # 0: the build was already done.
        assert proc.returncode in (130, -signal.SIGINT, 0), (proc.returncode, err)
        if proc.returncode != 0:
            assert len(err) == 1 and err[0].startswith("error: interrupted"), err
        codes.append(proc.returncode)
        assert not list(tmp_path.glob(f".o{n}.building-*"))  # no staging folder left behind
    assert codes.count(0) <= 20  # most interrupts landed while the command was at work


def test_main_gives_back_the_callers_sigterm_handler(tmp_path: Path, capsys) -> None:
    """``main()`` called in-process (a notebook, a test) unwinds on SIGTERM only while it runs."""

    def own(signum, frame):  # pragma: no cover - never called
        pass

    previous = signal.signal(signal.SIGTERM, own)
    try:
        assert cli.main(["verify", str(tmp_path / "no-build")]) == 1  # verify failed: a result, not a crash
        assert signal.getsignal(signal.SIGTERM) is own
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_an_interrupt_python_wraps_during_a_class_definition_is_still_an_interrupt(tmp_path: Path, monkeypatch,
                                                                                    capsys) -> None:
    """A Ctrl-C that lands in a class's ``__set_name__`` (a dataclass being imported) reaches the
    command as a RuntimeError caused by it (Python 3.11): still one line and exit 130."""

    class Interrupting:
        def __set_name__(self, owner: type, name: str) -> None:
            raise KeyboardInterrupt

    def build_that_imports(args: object) -> int:
        type("Imported", (), {"field": Interrupting()})
        return 0

    monkeypatch.setattr(cli, "_run_build", build_that_imports)
    assert cli.main(["build", "--out", str(tmp_path / "o")]) == 130
    assert capsys.readouterr().err == "error: interrupted; the output folder was left as it was\n"
