"""An existing build folder is replaced only by a complete new build.

The real command line is started in a subprocess on a large generated source and killed
(SIGTERM or SIGKILL) at random moments and while its staging folder exists. Afterwards
``--out`` holds either the old build, byte for byte, or the complete new one — never a
mix, never nothing. SIGTERM and Ctrl-C clean up their staging folder; after SIGKILL the
folder stays until the next build, which removes it. (Refusing an ``--out`` that is a
file, a foreign folder or the source itself is in the bad-input corpus.)
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bad_inputs import jsonl, records

ROOT = Path(__file__).resolve().parents[2]
BIG = 40_000  # records: a build long enough (a few seconds) to be killed part-way
STAGING = ".out.building-"


def _command(src: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "dolly_ja_16k", "build", "--source", str(src), "--out", str(out), *extra]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _default_sigint() -> None:
    # A test run started as a background job ignores SIGINT, and children inherit that: give
    # the build under test the handling it has when a user starts it at a terminal.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(src: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(_command(src, out, *extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=out.parent, env=_env(), preexec_fn=_default_sigint)


def run(src: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(_command(src, out, *extra), capture_output=True, text=True, cwd=out.parent,
                            env=_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under ``folder`` with the sha256 of its bytes ("folder" for folders)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*"))}


def others(out: Path) -> list[str]:
    """Everything beside ``out`` in its parent (staging folders, asides ...)."""
    return sorted(p.name for p in out.parent.iterdir() if p != out)


class Builds:
    """The sources, a finished old build to copy, and the finished new build to compare with."""

    def __init__(self, base: Path) -> None:
        self.small = base / "small.jsonl"
        self.small.write_bytes(jsonl(records(40)))
        self.big = base / "big.jsonl"
        self.big.write_bytes(jsonl(records(BIG, start=1000)))
        (base / "old").mkdir()
        self.old_out = base / "old" / "out"
        run(self.small, self.old_out)
        self.old = snapshot(self.old_out)
        (base / "new").mkdir()
        began = time.monotonic()
        run(self.big, base / "new" / "out")
        self.seconds = time.monotonic() - began  # how long an uninterrupted big build takes
        self.new = snapshot(base / "new" / "out")
        assert self.old != self.new

    def old_build_in(self, folder: Path) -> Path:
        """A copy of the old build at ``folder/out`` (nothing else in ``folder``)."""
        folder.mkdir()
        out = folder / "out"
        shutil.copytree(self.old_out, out)
        assert snapshot(out) == self.old
        return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    return Builds(tmp_path_factory.mktemp("builds"))


def after_next_build(builds: Builds, out: Path) -> None:
    """The next build replaces ``out`` and removes what killed builds left beside it."""
    run(builds.small, out, "--parts", "3")
    assert others(out) == []
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(
        f"{n}_of_3{fmt}.jsonl" for n in (1, 2, 3) for fmt in ("", "-messages", "-prompt_completion"))


_rng = random.Random()
KILLS = [(sig, _rng.random()) for sig in (signal.SIGTERM, signal.SIGKILL) for _ in range(2)]


@pytest.mark.parametrize(("sig", "fraction"), KILLS,
                         ids=[f"{s.name}-at-{f:.0%}" for s, f in KILLS])
def test_killed_at_a_random_moment(builds: Builds, tmp_path: Path, sig: signal.Signals, fraction: float) -> None:
    out = builds.old_build_in(tmp_path / "o")
    proc = start(builds.big, out)
    time.sleep(fraction * builds.seconds * 1.1)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)

    assert "Traceback" not in stderr, stderr
    state = snapshot(out)
    assert state in (builds.old, builds.new), "--out holds neither the old build nor the complete new one"
    if proc.returncode == 0:  # finished before the signal came
        assert state == builds.new
    if sig == signal.SIGTERM:
        assert proc.returncode in (0, 128 + signal.SIGTERM, -signal.SIGTERM), stderr
        assert others(out) == []
    else:
        assert proc.returncode in (0, -signal.SIGKILL)
        assert set(others(out)) <= {f"{STAGING}{proc.pid}"}  # at most its own staging folder
        after_next_build(builds, out)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: s.name)
def test_killed_while_writing_the_staging_folder(builds: Builds, tmp_path: Path, sig: signal.Signals) -> None:
    out = builds.old_build_in(tmp_path / "o")
    proc = start(builds.big, out)
    staging = out.parent / f"{STAGING}{proc.pid}"
    deadline = time.monotonic() + 120
    while not staging.exists():
        assert proc.poll() is None, "the build ended before it began writing"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=120)

    assert "Traceback" not in stderr, stderr
    assert snapshot(out) == builds.old
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
        assert others(out) == [staging.name]  # left behind, until the next build
        after_next_build(builds, out)
    elif sig == signal.SIGINT:
        assert proc.returncode == 130
        assert stderr == "error: interrupted; the output folder was left as it was\n"
        assert others(out) == []
    else:
        assert proc.returncode == 128 + signal.SIGTERM
        assert stderr == ""
        assert others(out) == []


def test_only_staging_folders_of_dead_builds_are_removed(builds: Builds, tmp_path: Path) -> None:
    out = builds.old_build_in(tmp_path / "o")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a pid that no longer runs
    dead, alive, foreign = (out.parent / f"{STAGING}{gone.pid}", out.parent / f"{STAGING}{os.getpid()}",
                            out.parent / ".out.building-notes")
    for folder in (dead, alive, foreign):
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "1_of_4.jsonl").write_text("half\n")
    run(builds.small, out)
    assert not dead.exists()
    assert alive.is_dir() and foreign.is_dir()  # a build still running, and not ours at all
    assert snapshot(out) == builds.old  # the same small source and options: the same bytes


def test_a_smaller_build_leaves_no_file_of_the_old_one(builds: Builds, tmp_path: Path) -> None:
    out = builds.old_build_in(tmp_path / "o")
    (out / "data" / "notes.txt").write_text("mine\n")  # even a file the user put in the build
    run(builds.small, out, "--parts", "2")
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(
        f"{n}_of_2{fmt}.jsonl" for n in (1, 2) for fmt in ("", "-messages", "-prompt_completion"))
    assert others(out) == []


# -- --out that is a link, the current folder, a mount point; a full disk ---------------------

def _small(tmp: Path) -> Path:
    src = tmp / "src.jsonl"
    src.write_bytes(jsonl(records(12)))
    return src


def test_out_as_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    src = _small(tmp_path)
    target = tmp_path / "releases" / "v1"
    target.parent.mkdir()
    run(src, target, "--no-style")
    link = tmp_path / "current"
    link.symlink_to(target)
    run(src, link, "--no-style", "--parts", "3")
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert sorted(p.name for p in (target / "data").iterdir() if "-" not in p.stem) == [
        "1_of_3.jsonl", "2_of_3.jsonl", "3_of_3.jsonl"]
    assert others(link) == ["releases", "src.jsonl"] and others(target) == []  # no staging left anywhere


def test_out_given_with_dotdot_is_the_folder_it_names(tmp_path: Path) -> None:
    src = _small(tmp_path)
    run(src, tmp_path / "b", "--no-style")  # an earlier build: b/data exists
    result = subprocess.run([*_command(src, Path("b/data/.."), "--no-style", "--parts", "2")], capture_output=True,
                            text=True, cwd=tmp_path, env=_env(), timeout=300)
    assert result.returncode == 0, result.stderr
    data = tmp_path / "b" / "data"
    assert (data / "2_of_2.jsonl").is_file() and not (data / "4_of_4.jsonl").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "src.jsonl"]


def test_out_as_the_current_folder_is_refused_up_front(tmp_path: Path) -> None:
    src = _small(tmp_path)
    work = tmp_path / "empty"
    work.mkdir()
    for out in (".", "..", str(work)):
        result = subprocess.run(_command(src, Path(out), "--no-style"), capture_output=True, text=True, cwd=work,
                                env=_env(), timeout=300)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"error: {out}: --out is the current folder or holds it; the build replaces --out as a whole, "
            "so choose a folder inside it (e.g. --out dist)"]
    assert list(work.iterdir()) == []


def test_a_mount_point_is_refused_up_front(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from dolly_ja_16k import cli

    src = _small(tmp_path)
    mount = tmp_path / "mnt"
    mount.mkdir()
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == mount or real_ismount(p))
    assert cli.main(["build", "--source", str(src), "--out", str(mount), "--no-style"]) == 2
    assert capsys.readouterr().err == (f"error: {mount}: --out is a mount point, which cannot be replaced; "
                                       "choose a folder inside it\n")
    assert list(mount.iterdir()) == []


def test_a_full_disk_names_the_file_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    from dolly_ja_16k import cli

    src = _small(tmp_path)
    real_write = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if self.name == "2_of_4.jsonl":
            raise OSError(errno.ENOSPC, "No space left on device")  # as write() raises it: no file name
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    assert cli.main(["build", "--source", str(src), "--out", str(tmp_path / "out"), "--no-style"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path}/.out.building-") and err.endswith(
        "/data/2_of_4.jsonl: No space left on device\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.jsonl"]
