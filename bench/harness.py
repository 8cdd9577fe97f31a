"""Measurement helpers: timed child processes with their peak memory, interleaved repetitions,
paired ratios, and a description of the machine the numbers came from.

Absolute times drift on shared machines, so every comparison is made of cases run one
after another in the same repetition (the order rotates each repetition) and reported as
the median of the per-repetition ratios.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

#: Packages whose versions go with the results (missing ones are recorded as null).
PACKAGES = ("dolly-ja-16k", "datasets", "huggingface_hub", "pyarrow", "orjson", "pandas", "matplotlib",
            "fugashi", "unidic-lite", "sudachipy", "jinja2", "pyyaml")


class BenchError(RuntimeError):
    """A measured command failed: the bench stops rather than report a meaningless number."""


@dataclass
class Sample:
    """One run of a command: wall time (s) and peak resident memory (bytes).

    ``max_rss`` is the largest peak of any one process of the tree (what ``/usr/bin/time -v``
    reports); ``tree_rss`` is the largest sum over all its processes at once.
    """

    seconds: float
    max_rss: int
    returncode: int = 0
    tree_rss: int | None = None


#: How often ``TreeSampler`` reads /proc.
TREE_INTERVAL = 0.02


class TreeSampler(threading.Thread):
    """Polls /proc for a process and all its descendants (Linux).

    ``peak`` is the highest sum of their VmRSS at one moment (a sum of RSS counts shared
    library pages once per process, so it errs high; moments shorter than the interval can
    be missed); ``hwm`` the highest VmHWM (one process's own peak RSS) seen, which misses a
    peak reached in a process's last ``TREE_INTERVAL``.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.hwm = 0
        self.peak = 0
        self.done = threading.Event()

    @staticmethod
    def _tree(pid: int) -> list[int]:
        found, todo = [], [pid]
        while todo:
            p = todo.pop()
            found.append(p)
            try:
                for task in os.listdir(f"/proc/{p}/task"):
                    with open(f"/proc/{p}/task/{task}/children") as f:
                        todo.extend(int(c) for c in f.read().split())
            except OSError:
                continue  # gone meanwhile
        return found

    @staticmethod
    def _memory(pid: int) -> tuple[int, int]:
        """(VmRSS, VmHWM) in bytes; zeros once the process is gone."""
        rss = hwm = 0
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        hwm = int(line.split()[1]) * 1024
                    elif line.startswith("VmRSS:"):
                        rss = int(line.split()[1]) * 1024
                        break  # VmRSS follows VmHWM
        except OSError:
            pass
        return rss, hwm

    def sample(self) -> None:
        total = 0
        for pid in self._tree(self.pid):
            rss, hwm = self._memory(pid)
            total += rss
            self.hwm = max(self.hwm, hwm)
        self.peak = max(self.peak, total)

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(TREE_INTERVAL)


#: GNU time: reports the peak RSS of the command it runs (``%M``, kB).
GNU_TIME = "/usr/bin/time"


def run(cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
        check: bool = True, stdin: Path | None = None) -> Sample:
    """Run ``cmd`` and measure it: wall clock around the process, its peak RSS, and the
    peak of all its processes at once (``TreeSampler``).

    The peak RSS is ``/usr/bin/time``'s ``%M``: ``wait4``'s ``ru_maxrss`` as seen by a
    small C parent. Read here directly it would be wrong: Linux folds the peak of the
    address space a process had before ``exec`` into it, and a child spawned with vfork
    (as ``subprocess`` does) had its parent's, so a large measuring process would be
    reported as the build's peak. Without GNU time, the sampler's VmHWM is used.
    ``stdin``: a file the command reads as its standard input.
    """
    sampler = None
    with (tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile(mode="r") as peak,
          open(stdin or os.devnull, "rb") as feed):
        full = list(cmd)
        if os.access(GNU_TIME, os.X_OK):
            full = [GNU_TIME, "-f", "%M", "-o", peak.name, *full]
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdin=feed, stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd)
        if os.path.isdir(f"/proc/{proc.pid}"):
            sampler = TreeSampler(proc.pid)
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        if sampler is not None:
            sampler.done.set()
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        if check and proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-5:]
            raise BenchError(f"{' '.join(map(str, cmd))} exited {proc.returncode}: " + " | ".join(tail))
        reported = peak.read().split()
    if full[0] == GNU_TIME and reported and reported[-1].isdigit():
        max_rss = int(reported[-1]) * 1024
    else:
        max_rss = (sampler.hwm if sampler is not None else 0) or usage.ru_maxrss * 1024
    return Sample(seconds, max_rss, proc.returncode, sampler.peak if sampler is not None and sampler.peak else None)


@dataclass
class Series:
    """The samples of one case across repetitions."""

    name: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def seconds(self) -> list[float]:
        return [s.seconds for s in self.samples]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def max_rss(self) -> int:
        return max(s.max_rss for s in self.samples)

    @property
    def tree_rss(self) -> int | None:
        sampled = [s.tree_rss for s in self.samples if s.tree_rss is not None]
        return max(sampled) if sampled else None


def interleave(cases: dict[str, Callable[[], Sample]], reps: int, warmup: int = 1,
               progress: Callable[[str], None] | None = None) -> dict[str, Series]:
    """Run every case once per repetition, rotating the order; ``warmup`` rounds are discarded.

    The warm-up fills the OS page cache and Python's bytecode caches, so the first
    measured case is not penalised for going first.
    """
    names = list(cases)
    series = {name: Series(name) for name in names}
    for rep in range(warmup + reps):
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            sample = cases[name]()
            if rep >= warmup:
                series[name].samples.append(sample)
        if progress:
            progress(f"  round {rep + 1 - warmup}/{reps}" if rep >= warmup else "  warm-up")
    return series


def paired_ratio(a: Series, b: Series, per_a: float = 1.0, per_b: float = 1.0) -> float:
    """Median over repetitions of ``(a/per_a) / (b/per_b)``, each pair from the same round.

    ``per_a`` and ``per_b`` turn times into times per unit (per record, for scale).
    """
    return statistics.median((x / per_a) / (y / per_b) for x, y in zip(a.seconds, b.seconds, strict=True))


def machine() -> dict[str, Any]:
    """Cores, CPU, memory, OS, Python and package versions, and the commit measured."""
    info: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": _cpu_model(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": {name: _version(name) for name in PACKAGES},
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }
    return info


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 ** 2, 1)
    except OSError:
        pass
    return None


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10,
                             cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def python_cmd(*args: str) -> list[str]:
    """This interpreter with ``args`` (children use the same Python and packages as the bench)."""
    return [sys.executable, *args]


def cli_cmd(*args: str) -> list[str]:
    """The installed ``dolly-ja-16k`` command beside this interpreter, else ``python -m dolly_ja_16k``."""
    script = Path(sys.executable).parent / "dolly-ja-16k"
    if script.is_file():
        return [str(script), *args]
    return python_cmd("-m", "dolly_ja_16k", *args)


def fmt_seconds(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_bytes(n: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n:.0f} B"
