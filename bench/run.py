"""Benchmarks of dolly-ja-16k: ``python bench/run.py [--quick]`` prints a table, writes
bench/results.json and puts the table between the bench markers of README.md.

Every ratio compares cases measured side by side: each repetition runs every case once (the
order rotates), and the ratio reported is the median of the per-repetition ratios. Each case
is a whole process run under ``/usr/bin/time`` (its own peak RSS), while a thread sums the
RSS of all its processes from /proc (in case the build starts children).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SHARED_SOURCE = ROOT.parent / "shared" / "data" / "dolly-15k-ja" / "databricks-dolly-15k-ja.json"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
VERSIONS = ("datasets", "pandas", "pyarrow", "orjson", "fugashi", "matplotlib")


@dataclass
class Sample:
    """One run of a command: wall seconds, peak RSS of its largest process, peak sum over its processes."""

    seconds: float
    rss: int
    rss_all: int


def _tree_rss(root: int) -> int:
    """Sum of VmRSS over the descendants of ``root`` (root is /usr/bin/time, left out)."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
            if pid != root:
                with open(f"/proc/{pid}/status") as f:
                    total += next(int(x.split()[1]) * 1024 for x in f if x.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue  # the process ended meanwhile
    return total


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Sample:
    """Run ``cmd`` to the end: wall time, ``/usr/bin/time``'s peak RSS, and the largest sum of the
    RSS of all its processes, sampled every 20 ms (never below the single-process peak)."""
    with tempfile.NamedTemporaryFile("r") as peak, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name, *cmd], env=env,
                                stdout=subprocess.DEVNULL, stderr=err)
        highest, done = [0], threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                highest[0] = max(highest[0], _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {' | '.join(tail)}")
        rss = int(peak.read().split()[-1]) * 1024
    return Sample(seconds, rss, max(rss, highest[0]))


def interleave(cases: dict[str, Callable[[], Sample]], reps: int, warmup: int = 1,
               log: Callable[[str], None] = print) -> dict[str, list[Sample]]:
    """Run every case once per repetition, rotating the order; the ``warmup`` rounds are dropped."""
    names = list(cases)
    samples: dict[str, list[Sample]] = {name: [] for name in names}
    for rep in range(warmup + reps):
        for name in names[rep % len(names):] + names[:rep % len(names)]:
            sample = cases[name]()
            if rep >= warmup:
                samples[name].append(sample)
        log(f"  round {rep + 1 - warmup}/{reps}" if rep >= warmup else "  warm-up")
    return samples


def paired_ratio(a: list[float], b: list[float], per_a: float = 1, per_b: float = 1) -> float:
    """Median over repetitions of ``(a / per_a) / (b / per_b)``, pairing the same repetition."""
    return statistics.median((x / per_a) / (y / per_b) for x, y in zip(a, b, strict=True))


@dataclass
class Row:
    """One line of the table; ``limit`` is the goal (value ≤ limit), None for information."""

    what: str
    value: float
    detail: str
    limit: float | None = None
    unit: str = "×"

    @property
    def holds(self) -> bool | None:
        return None if self.limit is None else self.value <= self.limit

    def cells(self) -> list[str]:
        fmt = (lambda v: f"{v:g}") if self.unit == "" else (lambda v: f"{v:.2f}{self.unit}")
        goal = "" if self.limit is None else f"≤ {fmt(self.limit)}"
        return [self.what, fmt(self.value), self.detail, goal, {True: "yes", False: "**no**", None: ""}[self.holds]]


def table(rows: list[Row]) -> str:
    lines = ["| measurement | result | detail | goal | holds |", "|---|---:|---|---|---|"]
    return "\n".join(lines + ["| " + " | ".join(r.cells()) + " |" for r in rows])


def update_readme(readme: Path, text: str) -> bool:
    """Replace what is between the bench markers of ``readme``; False if it has none."""
    content = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    start, end = content.find(BEGIN), content.find(END)
    if start < 0 or end < start:
        return False
    readme.write_text(content[:start + len(BEGIN)] + "\n" + text + "\n" + content[end:], encoding="utf-8")
    return True


def seconds(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def megabytes(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def median_s(samples: list[Sample]) -> float:
    return statistics.median(s.seconds for s in samples)


class Bench:
    """The cases of one run: where they write, their environment, and the rows they produce."""

    def __init__(self, source: Path, work: Path, reps: int, quick: bool, log: Callable[[str], None]) -> None:
        self.source, self.work, self.reps, self.quick, self.log = source, work, reps, quick, log
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # this tree's package
        self.env = {**os.environ, "PYTHONPATH": path,
                    "HF_HOME": str(work / "hf"), "HF_HUB_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}
        self.raw: dict[str, dict[str, list[float]]] = {}

    def run(self, cmd: list[str], fresh_cache: bool = False) -> Sample:
        env = self.env
        if fresh_cache:  # an empty `datasets` cache for every run
            env = {**env, "HF_DATASETS_CACHE": tempfile.mkdtemp(dir=self.work, prefix="cache-")}
        try:
            return measure(cmd, env)
        finally:
            if fresh_cache:
                shutil.rmtree(env["HF_DATASETS_CACHE"])

    def build(self, source: Path, out: str) -> Callable[[], Sample]:
        cmd = [sys.executable, "-m", "dolly_ja_16k", "build", "--source", str(source), "--out", str(self.work / out)]
        return lambda: self.run(cmd)

    def peer(self, script: str, fresh_cache: bool = False) -> Callable[[], Sample]:
        cmd = [sys.executable, str(BENCH / script), str(self.source), str(self.work / script.removesuffix(".py"))]
        return lambda: self.run(cmd, fresh_cache)

    def keep(self, section: str, samples: dict[str, list[Sample]]) -> None:
        self.raw[section] = {name: [round(s.seconds, 4) for s in ss] for name, ss in samples.items()}

    def builds(self) -> list[Row]:
        """The default build against a `datasets` user's script, the seed's pandas script and the floor."""
        cases = {"build": self.build(self.source, "build"), "datasets user": self.peer("datasets_user.py", True),
                 "pandas": self.peer("handmade.py"), "floor": self.peer("floor.py")}
        self.log(f"build: {', '.join(cases)} × {self.reps}")
        got = interleave(cases, self.reps, log=self.log)
        self.keep("build", got)
        times = {name: [s.seconds for s in ss] for name, ss in got.items()}
        rows = []
        for peer, limit in (("datasets user", 1.0), ("pandas", 2.0), ("floor", None)):
            rows.append(Row(f"build / {peer}", paired_ratio(times["build"], times[peer]),
                            f"{seconds(median_s(got['build']))} / {seconds(median_s(got[peer]))}", limit))
        return rows

    def scale(self) -> list[Row]:
        """A large JSON Lines source (1M records; 100k with --quick) against the real 16k build."""
        from bench.synth import synthesize

        count = 100_000 if self.quick else 1_000_000
        name = f"{count // 1000}k" if count < 1_000_000 else f"{count // 1_000_000}M"
        big = self.work / f"synthetic-{name}.jsonl"
        self.log(f"scale: writing {big.name}")
        size = synthesize(self.source, count, big)
        real = len(json.loads(self.source.read_bytes()))
        cases = {"16k": self.build(self.source, "build-16k"), name: self.build(big, f"build-{name}")}
        self.log(f"scale: {', '.join(cases)} × {self.reps}")
        got = interleave(cases, self.reps, warmup=0, log=self.log)
        self.keep("scale", got)
        big_s, real_s = got[name], got["16k"]
        per = paired_ratio([s.seconds for s in big_s], [s.seconds for s in real_s], count, real)
        peak = max(s.rss_all for s in big_s)
        return [
            Row(f"{name} JSON Lines build: time per record / 16k build's", per,
                f"{median_s(big_s) / count * 1e6:.1f} µs vs {median_s(real_s) / real * 1e6:.1f} µs", 1.0),
            Row(f"{name} JSON Lines build: peak memory, all processes / source size", peak / size,
                f"{megabytes(peak)} / {megabytes(size)} (largest process {megabytes(max(s.rss for s in big_s))})",
                3.0),
        ]

    def categories(self, count: int = 10_000) -> list[Row]:
        """The real records with 10,000 categories against the real source: the card and its
        category picture must not grow with the number of categories."""
        from bench.synth import many_categories

        many = self.work / f"categories-{count}.jsonl"
        many_categories(self.source, count, many)
        cases = {"16k": self.build(self.source, "build-16k-c"), "categories": self.build(many, "build-categories")}
        self.log(f"categories: {', '.join(cases)} × {self.reps}")
        got = interleave(cases, self.reps, warmup=0, log=self.log)
        self.keep("categories", got)
        ratio = paired_ratio([s.seconds for s in got["categories"]], [s.seconds for s in got["16k"]])
        return [Row(f"{count:,} categories build / shared source build", ratio,
                    f"{seconds(median_s(got['categories']))} / {seconds(median_s(got['16k']))}", 5.0)]

    def load(self) -> list[Row]:
        """Cold load of 2_of_4 from the default build through its card, against a bare JSON load
        of the same file (information). In this process, after every other case has run."""
        import datasets

        datasets.disable_progress_bars()
        built = self.work / "build"
        ways = {"card": lambda cache: datasets.load_dataset(str(built), "2_of_4", split="train", cache_dir=cache),
                "json": lambda cache: datasets.load_dataset("json", data_files=str(built / "data" / "2_of_4.jsonl"),
                                                            split="train", cache_dir=cache)}

        def timed(way: str) -> Callable[[], Sample]:
            def go() -> Sample:
                with tempfile.TemporaryDirectory(dir=self.work) as cache:
                    start = time.perf_counter()
                    ways[way](cache)
                    return Sample(time.perf_counter() - start, 0, 0)
            return go

        self.log(f"load: card, json × {self.reps}")
        got = interleave({way: timed(way) for way in ways}, self.reps, log=self.log)
        self.keep("load", got)
        ratio = paired_ratio([s.seconds for s in got["card"]], [s.seconds for s in got["json"]])
        return [Row("load 2_of_4, empty cache: card / `load_dataset(\"json\")`", ratio,
                    f"{seconds(median_s(got['card']))} / {seconds(median_s(got['json']))}")]

    def restyle(self) -> list[Row]:
        """CPU of restyling every answer of the source, each direction in a fresh process (cold
        caches); the process's start-up, reading and MeCab's dictionary are not counted."""
        script = [sys.executable, str(BENCH / "restyle_cpu.py"), str(self.source)]

        def timed(to: str) -> Callable[[], Sample]:
            def go() -> Sample:
                done = subprocess.run([*script, to], env=self.env, capture_output=True, text=True, check=True)
                cpu, changed = done.stdout.split()
                self.changed[to] = int(changed)
                return Sample(float(cpu), 0, 0)
            return go

        self.changed: dict[str, int] = {}
        self.log(f"restyle: jotai, keitai × {self.reps}")
        got = interleave({to: timed(to) for to in ("jotai", "keitai")}, self.reps, log=self.log)
        self.keep("restyle", got)
        words = {"jotai": "to plain (だ・である)", "keitai": "to polite (です・ます)"}
        return [Row(f"restyle every answer {words[to]}: CPU", median_s(got[to]),
                    f"{self.changed[to]:,} answers changed; range {seconds(min(s.seconds for s in got[to]))}–"
                    f"{seconds(max(s.seconds for s in got[to]))}", 1.0, unit=" s")
                for to in got]

    def stability(self, removals: int = 200) -> list[Row]:
        """How many records change part when the source changes a little, with the default split."""
        from dolly_ja_16k.options import BuildOptions
        from dolly_ja_16k.read.sources import read_source
        from dolly_ja_16k.split import split

        options = BuildOptions()
        records, _, _ = read_source(str(self.source), {})

        def parts_of(some: list) -> dict[str, int]:
            cut = split(some, options.parts, strategy=options.strategy, seed=options.seed)
            return {r["index"]: i for i, part in enumerate(cut) for r in part}

        self.log(f"stable split: {removals} single removals, 1% churn")
        base = parts_of(records)
        rng = random.Random(0)
        worst = max(moved(base, parts_of(records[:p] + records[p + 1:]))
                    for p in rng.sample(range(len(records)), removals))
        churn = len(records) // 100
        gone = set(rng.sample(range(len(records)), churn))
        added = [{**records[p], "index": f"new-{p}", "instruction": records[p]["instruction"] + "（新）"}
                 for p in rng.sample(range(len(records)), churn)]
        after = parts_of([r for p, r in enumerate(records) if p not in gone] + added)
        share = moved(base, after) / len(records)
        return [Row("stable split: remove one record, other records moved between parts", worst,
                    f"worst of {removals} removals (seeded), default split", 8, unit=""),
                Row("stable split: 1% churn, records moved between parts", share * 100,
                    f"{churn} removed and {churn} added (seeded); {moved(base, after)} of {len(records)} moved",
                    1.0, unit="%")]


#: The sections of a run, in order (``load`` reads the default build that ``builds`` made).
SECTIONS = ("builds", "categories", "scale", "stability", "restyle", "load")


def moved(before: dict[str, int], after: dict[str, int]) -> int:
    """Records in both splits whose part differs."""
    return sum(1 for index, part in after.items() if before.get(index, part) != part)


def about(reps: int, quick: bool, took: float) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    versions = []
    for name in VERSIONS:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit.stdout.strip() or '?'}; "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, {', '.join(versions)}; "
            f"median of {reps} interleaved repetitions{' (--quick)' if quick else ''}; took {took:.0f} s.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SHARED_SOURCE, help="the real source (%(default)s)")
    parser.add_argument("--quick", action="store_true", help="100k records instead of 1M, 3 repetitions")
    parser.add_argument("--reps", type=int, help="repetitions per case (default 5, 3 with --quick)")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--no-readme", action="store_true", help="leave README.md alone")
    parser.add_argument("--only", metavar="SECTION[,SECTION…]",
                        help=f"run only these sections ({', '.join(SECTIONS)}); results.json and README.md are then "
                             "left alone")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"{args.source}: no such file; pass the real source with --source")
    unknown = set(args.only.split(",")) - set(SECTIONS) if args.only else set()
    if unknown:
        parser.error(f"--only: unknown section {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    reps = args.reps or (3 if args.quick else 5)
    began = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:5.0f}s] {message}", file=sys.stderr, flush=True)

    work = Path(tempfile.mkdtemp(prefix="dolly-ja-16k-bench-"))
    bench = Bench(args.source.resolve(), work, reps, args.quick, log)
    try:
        chosen = args.only.split(",") if args.only else list(SECTIONS)
        rows = [row for name in SECTIONS if name in chosen for row in getattr(bench, name)()]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = f"{table(rows)}\n\n{about(reps, args.quick, time.perf_counter() - began)}"
    print(text)
    if args.only:
        return 0  # a partial run replaces neither the full results nor the README's table
    results = {"about": text.split("\n")[-1], "rows": [{**asdict(r), "holds": r.holds} for r in rows],
               "seconds": bench.raw}
    (BENCH / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not args.no_readme and not update_readme(args.readme, text):
        log(f"{args.readme}: no bench markers; table not written there")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # `bench.synth` when run as a script
    raise SystemExit(main())
