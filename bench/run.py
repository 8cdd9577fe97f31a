"""Benchmarks of dolly-ja-16k: ``python bench/run.py`` prints a table and writes bench/results.json.

Every comparison is a ratio of two cases measured side by side in the same run: the
cases take turns within each repetition (the order rotates), and the reported ratio is
the median of the per-repetition ratios. Memory is the peak resident set size of the
measured process (``wait4``). The machine, Python and package versions go with the
results, and the table replaces the one between the markers in README.md.

Sections (``--only`` picks some): ``build`` (build vs floor and vs the hand-made pandas
way), ``load`` (load overhead of the card and the builder), ``publish`` (republishing an
unchanged build to the local Hub), ``scale`` (100k and 1M synthetic records; ``--quick``
skips 1M).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable from the repo root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import floor as floor_mod
from bench import synth
from bench.harness import (
    BenchError,
    Sample,
    Series,
    cli_cmd,
    fmt_bytes,
    fmt_seconds,
    interleave,
    machine,
    paired_ratio,
    python_cmd,
    run,
)

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
SHARED_SOURCE = ROOT.parent / "shared" / "data" / "dolly-15k-ja" / "databricks-dolly-15k-ja.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SECTIONS = ("build", "load", "publish", "scale")
SCALE_1M_REPS = 5

#: The build variants: name, extra ``build`` options, the options that must exist for it.
VARIANTS: list[tuple[str, list[str]]] = [
    ("review off", ["--keep-all"]),
    ("review on, style off", ["--no-style"]),
    ("review on, style on", []),
]
#: Goals of the issue, per row key.
GOALS = {
    "build_review_off/floor": None,
    "build_review_on_style_off/floor": 3.0,
    "build_review_on_style_on/floor": 6.0,
    "load_card/json": 1.1,
    "scale_time_per_record": 1.5,
    "scale_peak_memory": 3.0,
}


@dataclass
class Row:
    """One line of the table."""

    key: str
    what: str
    result: str
    detail: str
    goal: str = ""
    holds: bool | None = None
    value: float | None = None

    def cells(self) -> list[str]:
        verdict = {True: "yes", False: "**no**", None: ""}[self.holds]
        return [self.what, self.result, self.detail, self.goal, verdict]


@dataclass
class Context:
    source: Path
    work: Path
    reps: int
    quick: bool
    env: dict[str, str]
    log: Callable[[str], None]
    raw: dict[str, Any]


def _ratio_row(key: str, what: str, a: Series, b: Series, goal: float | None, a_label: str, b_label: str,
               per_a: float = 1.0, per_b: float = 1.0, na: str | None = None) -> Row:
    ratio = paired_ratio(a, b, per_a, per_b)
    detail = f"{a_label} {fmt_seconds(a.median)} / {b_label} {fmt_seconds(b.median)}"
    return Row(key, what, f"{ratio:.2f}×", detail, f"≤ {goal:g}" if goal else "",
               None if goal is None else ratio <= goal, round(ratio, 3))


def _na(key: str, what: str, why: str) -> Row:
    return Row(key, what, "n/a", why)


# ----------------------------------------------------------------------------- build


def build_options() -> set[str]:
    """The ``--options`` the installed ``build`` command accepts."""
    out = subprocess.run(cli_cmd("build", "--help"), capture_output=True, text=True, check=True)
    return set(re.findall(r"--[a-z][a-z-]*", out.stdout))


def variant_key(name: str) -> str:
    return "build_" + re.sub(r"[^a-z]+", "_", name).strip("_")


def bench_build(ctx: Context) -> list[Row]:
    """Build variants against the floor script and the hand-made pandas script."""
    known = build_options()
    parser, parse_times = floor_mod.fastest_parser(ctx.source.read_bytes())
    ctx.raw["floor_parser"] = {"chosen": parser, "parse_seconds": parse_times}
    out = ctx.work / "build"
    cases: dict[str, Callable[[], Sample]] = {
        "floor": lambda: run(python_cmd(str(BENCH / "floor.py"), str(ctx.source), str(out / "floor"),
                                        "--parser", parser), env=ctx.env),
        "handmade": lambda: run(python_cmd(str(BENCH / "handmade.py"), str(ctx.source), str(out / "handmade")),
                                env=ctx.env),
    }
    missing: dict[str, str] = {}
    for name, options in VARIANTS:
        absent = [o for o in options if o not in known]
        if absent:
            missing[name] = f"n/a (option {', '.join(absent)} not available yet)"
            continue
        target = out / variant_key(name)
        cases[name] = lambda options=options, target=target: run(
            cli_cmd("build", "--source", str(ctx.source), "--out", str(target), *options), env=ctx.env)
    # The card's pictures alone, drawn by the same child process a build starts: no build
    # that draws them can take less time than this.
    pictures = out / "plot-data.json"
    out.mkdir(parents=True, exist_ok=True)
    pictures.write_bytes(plot_input(ctx.source))
    cases["pictures"] = lambda: run(python_cmd("-m", "dolly_ja_16k.plots"), env=ctx.env, stdin=pictures)
    ctx.log(f"build: {', '.join(cases)} × {ctx.reps} (floor parser: {parser})")
    series = interleave(cases, ctx.reps, progress=ctx.log)
    ctx.raw["build"] = {name: s.seconds for name, s in series.items()}
    rows = []
    for name, _ in VARIANTS:
        key = f"{variant_key(name)}/floor"
        what = f"build ({name}) / floor"
        if name in missing:
            rows.append(_na(key, what, missing[name]))
            continue
        rows.append(_ratio_row(key, what, series[name], series["floor"], GOALS[key], "build", "floor"))
    for name, _ in VARIANTS:
        if name in series:
            key = f"{variant_key(name)}/handmade"
            row = _ratio_row(key, f"build ({name}) / hand-made pandas", series[name], series["handmade"], 1.0,
                             "build", "pandas")
            row.goal = "< 1"
            row.holds = row.value is not None and row.value < 1
            rows.append(row)
    rows.append(_ratio_row("pictures/floor", "the card's pictures alone (renderer child) / floor", series["pictures"],
                           series["floor"], None, "pictures", "floor"))
    rows.append(lean_startup(ctx))
    return rows


def plot_input(source: Path, parts: int = 4) -> bytes:
    """What a build sends its picture renderer for ``source`` cut into ``parts`` (round robin)."""
    import orjson

    from dolly_ja_16k.layout import part_names
    from dolly_ja_16k.plots import plot_data

    records = orjson.loads(source.read_bytes())
    return orjson.dumps(plot_data([(name, records[i::parts]) for i, name in enumerate(part_names(parts))]))


def lean_startup(ctx: Context) -> Row:
    """``build`` and ``--help`` must not import datasets (or pyarrow, pandas)."""
    heavy = ("datasets", "pyarrow", "pandas")
    imported = set()
    for args in (["--help"], ["build", "--keep-all", "--source", str(ctx.source), "--out",
                              str(ctx.work / "build" / "importtime")]):
        proc = subprocess.run(python_cmd("-X", "importtime", "-m", "dolly_ja_16k", *args), capture_output=True,
                              text=True, env=ctx.env)
        for line in proc.stderr.splitlines():
            name = line.rsplit("|", 1)[-1].strip()
            if name in heavy:
                imported.add(name)
    return Row("lean_startup", "`build` / `--help` import datasets, pyarrow or pandas",
               ", ".join(sorted(imported)) or "none", "python -X importtime", "none", not imported)


# ------------------------------------------------------------------------------ load


def bench_load(ctx: Context) -> list[Row]:
    """Cold and cached loads of part 2_of_4: through the card, the builder, and plain JSON."""
    built = ctx.work / "load-build"
    run(cli_cmd("build", "--source", str(ctx.source), "--out", str(built)), env=ctx.env)
    ctx.log(f"load: card, json, builder × {ctx.reps} (cold, then cached)")
    proc = subprocess.run(python_cmd(str(BENCH / "loadbench.py"), str(built), "--reps", str(ctx.reps)),
                          capture_output=True, text=True, env=ctx.env)
    if proc.returncode != 0:
        raise BenchError(f"loadbench failed: {proc.stderr.strip().splitlines()[-1:]}")
    times = json.loads(proc.stdout)
    ctx.raw["load"] = times
    rows = []
    ways = (("card", "card"), ("card_part", "per-part repo's card"), ("builder", "builder class"))
    for way, label in ways:
        for phase in ("cold", "cached"):
            a = Series(way, [Sample(t, 0) for t in times[way][phase]])
            b = Series("json", [Sample(t, 0) for t in times["json"][phase]])
            goal = GOALS["load_card/json"] if way == "card" else None
            what = f"load 2_of_4, {phase} cache: {label} / `load_dataset(\"json\")`"
            rows.append(_ratio_row(f"load_{way}_{phase}/json", what, a, b, goal, way, "json"))
    return rows


# --------------------------------------------------------------------------- publish


def bench_publish(ctx: Context) -> list[Row]:
    """The second publish of an unchanged build to the local Hub: requests, bytes, time."""
    from bench import republish

    if not republish.available():
        return [_na("republish", "republish unchanged build", "n/a (publish or tests/hub not available yet)")]
    built = ctx.work / "publish-build"
    run(cli_cmd("build", "--source", str(ctx.source), "--out", str(built)), env=ctx.env)
    ctx.log("publish: first publish, then republish × reps")
    result = republish.measure(built, ctx.work / "hub", reps=ctx.reps)
    ctx.raw["publish"] = result
    again = result["republish"]
    first = result["first"]
    rows = [
        Row("republish_bytes", "republish unchanged build: bytes uploaded", fmt_bytes(again["bytes_uploaded"]),
            f"first publish {fmt_bytes(first['bytes_uploaded'])}", "0", again["bytes_uploaded"] == 0,
            again["bytes_uploaded"]),
        Row("republish_requests", "republish unchanged build: HTTP requests", str(again["requests"]),
            f"first publish {first['requests']}; {', '.join(again['request_kinds'])}", value=again["requests"]),
        Row("republish_time", "republish unchanged build: time", fmt_seconds(again["seconds"]),
            f"first publish {fmt_seconds(first['seconds'])}; ratio {again['seconds'] / first['seconds']:.2f}×",
            value=round(again["seconds"], 3)),
    ]
    return rows


# ----------------------------------------------------------------------------- scale


def bench_scale(ctx: Context) -> list[Row]:
    """Builds of 100k and 1M synthetic records (JSON array and JSON Lines) against the real 16k."""
    sizes = [100_000] if ctx.quick else [100_000, 1_000_000]
    data = ctx.work / "scale"
    sources: dict[str, tuple[Path, int]] = {}
    for count in sizes:
        for jsonl in (False, True):
            path = data / f"synthetic-{count}.{'jsonl' if jsonl else 'json'}"
            ctx.log(f"scale: writing {path.name}")
            synth.synthesize(ctx.source, count, path, jsonl=jsonl)
            sources[f"{_count(count)} {'JSON Lines' if jsonl else 'JSON'}"] = (path, count)
    real_count = len(json.loads(ctx.source.read_bytes()))

    def build(path: Path, target: Path) -> Callable[[], Sample]:
        return lambda: run(cli_cmd("build", "--source", str(path), "--out", str(target)), env=ctx.env)

    # Each size is interleaved with builds of the real 16k source; 1M builds take about a
    # minute each, so they get SCALE_1M_REPS rounds to keep the whole bench under 10 minutes.
    rows = []
    ctx.raw["scale"] = {}
    for count in sizes:
        names = [n for n, (_, c) in sources.items() if c == count]
        cases = {"16k": build(ctx.source, data / "out-16k")}
        cases.update({n: build(sources[n][0], data / f"out-{sources[n][0].name}") for n in names})
        reps = ctx.reps if count < 1_000_000 else min(ctx.reps, SCALE_1M_REPS)
        ctx.log(f"scale: {', '.join(cases)} × {reps}")
        series = interleave(cases, reps, warmup=0, progress=ctx.log)
        ctx.raw["scale"][_count(count)] = {name: {"seconds": s.seconds, "max_rss": [x.max_rss for x in s.samples],
                                                  "tree_rss": [x.tree_rss for x in s.samples]}
                                           for name, s in series.items()}
        base = series["16k"]
        for name in names:
            path = sources[name][0]
            s = series[name]
            key = f"scale_{name.replace(' ', '_')}"
            row = _ratio_row(f"{key}_time", f"scale {name}: time per record / real 16k", s, base,
                             GOALS["scale_time_per_record"], _count(count), "16k", per_a=count, per_b=real_count)
            row.detail = (f"{s.median / count * 1e6:.1f} µs vs {base.median / real_count * 1e6:.1f} µs per record "
                          f"({fmt_seconds(s.median)} per build; median of {reps})")
            rows.append(row)
            size = path.stat().st_size
            ratio = s.max_rss / size
            goal = GOALS["scale_peak_memory"]
            detail = f"{fmt_bytes(s.max_rss)} / {fmt_bytes(size)}"
            if s.tree_rss is not None:
                detail += f"; all processes at once {fmt_bytes(s.tree_rss)} ({s.tree_rss / size:.2f}×)"
            rows.append(Row(f"{key}_memory", f"scale {name}: peak memory / source size", f"{ratio:.2f}×",
                            detail, f"≤ {goal:g}", ratio <= goal, round(ratio, 3)))
    shutil.rmtree(data, ignore_errors=True)  # 1M sources and builds take gigabytes
    return rows


def _count(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


# ----------------------------------------------------------------------------- table


def table(rows: list[Row]) -> str:
    header = ["measurement", "result", "medians", "goal", "holds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] * len(header)) + "|"]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def describe(info: dict[str, Any], reps: int, seconds: float) -> str:
    pk = info["packages"]
    versions = ", ".join(f"{k} {v}" for k, v in pk.items() if v)
    return (f"{info['date']}, commit {info['commit']}{' (dirty)' if info['dirty'] else ''}; "
            f"{info['cores']} cores ({info['cpu']}), {info['memory_gb']} GB RAM, {info['python']}, {info['os']}; "
            f"{versions}; median of {reps} interleaved repetitions; bench took {seconds:.0f} s.")


def update_readme(readme: Path, text: str) -> bool:
    """Replace the text between the bench markers of ``readme``; False if it has none."""
    if not readme.is_file():
        return False
    content = readme.read_text(encoding="utf-8")
    start, end = content.find(BEGIN), content.find(END)
    if start < 0 or end < start:
        return False
    readme.write_text(content[:start + len(BEGIN)] + "\n" + text + "\n" + content[end:], encoding="utf-8")
    return True


def default_source() -> Path:
    return SHARED_SOURCE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=default_source(),
                        help="the real source, a JSON array (default: %(default)s)")
    parser.add_argument("--reps", type=int, default=5, help="measured repetitions per case, at least 5 "
                                                             "(default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="skip the 1M-record scale case")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections (default: all)")
    parser.add_argument("--results", type=Path, default=BENCH / "results.json")
    parser.add_argument("--readme", type=Path, default=README, help="README whose bench table is replaced")
    parser.add_argument("--no-readme", action="store_true", help="do not touch the README")
    parser.add_argument("--workdir", type=Path, help="where builds go (default: a temporary folder)")
    args = parser.parse_args(argv)
    sections = [s for s in args.only.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    if not args.source.is_file():
        parser.error(f"{args.source}: no such file; pass the real source with --source")
    if args.reps < 5 and not args.quick:
        parser.error("--reps must be at least 5 (medians of fewer are not reported), or use --quick")

    started = time.perf_counter()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="dolly-ja-16k-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HF_HOME": str(work / "hf"), "HF_DATASETS_CACHE": str(work / "hf-datasets"),
           "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    ctx = Context(args.source.resolve(), work, args.reps, args.quick, env, log, {})
    rows: list[Row] = []
    runners = {"build": bench_build, "load": bench_load, "publish": bench_publish, "scale": bench_scale}
    try:
        for section in SECTIONS:
            if section in sections:
                rows += runners[section](ctx)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    info = machine()
    text = table(rows)
    about = describe(info, args.reps, seconds)
    print(text)
    print()
    print(about)
    results = {"machine": info, "reps": args.reps, "quick": args.quick, "sections": sections,
               "seconds": round(seconds, 1), "source": {"path": str(args.source), "bytes": args.source.stat().st_size},
               "rows": [asdict(r) for r in rows], "raw": ctx.raw,
               "goals_hold": all(r.holds is not False for r in rows)}
    args.results.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_readme and sections == list(SECTIONS) and not args.quick:
        block = f"{text}\n\n{about}"
        if update_readme(args.readme, block):
            log(f"table written to {args.readme}")
        else:
            log(f"{args.readme}: no {BEGIN} … {END} markers; table not written there")
    failed = [r.what for r in rows if r.holds is False]
    for what in failed:
        log(f"goal missed: {what}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
