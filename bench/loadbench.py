"""Load overhead: loading a part through the card, through the package's builder, and as plain JSON.

``python bench/loadbench.py BUILT_DIR [--config 2_of_4] [--reps 5]`` prints JSON: for each
way, the seconds of every cold load (a fresh, empty cache folder each time) and of the
cached reload right after it. Runs in its own process so ``datasets`` is imported once,
outside the timings, and the cases are interleaved like every other comparison.

Besides the build folder (one card, five configs), ``card_part`` loads the same part from
a copy of what ``publish --layout per-part`` uploads for it (a card with one config): the
difference between the two is what ``datasets`` spends on the other four configs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CASES = ("card", "card_part", "json", "builder")


def per_part_repo(folder: Path, config: str, target: Path) -> Path:
    """``target`` filled with the files ``publish --layout per-part`` gives ``config``'s repo."""
    from dolly_ja_16k.publish import local_files

    manifest = json.loads((folder / "manifest.json").read_bytes())
    for entry in local_files(folder, manifest, f"bench/dolly-{config}", part=config):
        path = target / entry.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(entry.read())
    return target


def loaders(folder: Path, config: str, part_repo: Path) -> dict[str, Callable[[str], Any]]:
    """``load(cache_dir)`` for each way of loading ``config`` of a built ``folder``."""
    import datasets

    import dolly_ja_16k

    manifest = json.loads((folder / "manifest.json").read_bytes())
    part = next(p for p in manifest["parts"] if p["name"] == config)
    data_file = str(folder / part["file"])
    return {
        "card": lambda cache: datasets.load_dataset(str(folder), config, cache_dir=cache),
        "card_part": lambda cache: datasets.load_dataset(str(part_repo), cache_dir=cache),
        "json": lambda cache: datasets.load_dataset("json", data_files=data_file, cache_dir=cache),
        "builder": lambda cache: dolly_ja_16k.load(config, str(folder), cache_dir=cache),
    }


def measure(folder: Path, config: str = "2_of_4", reps: int = 5, warmup: int = 1) -> dict[str, Any]:
    """Interleaved cold loads and cached reloads; every load's row count is checked."""
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    rows = json.loads((folder / "manifest.json").read_bytes())
    expected = next(p["records"] for p in rows["parts"] if p["name"] == config)
    with tempfile.TemporaryDirectory(prefix="dolly-bench-load-") as tmp:
        ways = loaders(folder, config, per_part_repo(folder, config, Path(tmp) / f"repo-{config}"))
        result: dict[str, Any] = {name: {"cold": [], "cached": []} for name in ways}
        names = list(ways)
        for rep in range(warmup + reps):
            shift = rep % len(names)
            for name in names[shift:] + names[:shift]:
                cache = os.path.join(tmp, f"{name}-{rep}")
                times = []
                for _ in ("cold", "cached"):
                    start = time.perf_counter()
                    loaded = ways[name](cache)
                    times.append(time.perf_counter() - start)
                    got = loaded["train"].num_rows
                    if got != expected:
                        raise RuntimeError(f"{name}: {got} rows, expected {expected}")
                if rep >= warmup:
                    result[name]["cold"].append(times[0])
                    result[name]["cached"].append(times[1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--config", default="2_of_4")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    json.dump(measure(args.folder, args.config, args.reps, args.warmup), sys.stdout)


if __name__ == "__main__":
    main()
