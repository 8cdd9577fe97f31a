"""The floor: parse the source with the fastest JSON parser installed, write four JSON Lines files.

Nothing else: no checks, no review, no card. ``python bench/floor.py SOURCE OUT [--parser NAME]``.
A build cannot be faster than this, so ``build / floor`` says what everything else costs.
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Candidate parsers, by import name; ``fastest_parser`` times the installed ones.
PARSERS = ("orjson", "msgspec.json", "simdjson", "ujson", "json")


def loader(name: str) -> Callable[[bytes], Any]:
    """The ``loads`` of parser ``name`` (bytes in, Python objects out)."""
    module = importlib.import_module(name)
    if name == "msgspec.json":
        return module.decode
    if name == "simdjson":
        return lambda data: module.Parser().parse(data, recursive=True)
    return module.loads


def installed_parsers() -> list[str]:
    found = []
    for name in PARSERS:
        try:
            loader(name)
        except ImportError:
            continue
        found.append(name)
    return found


def fastest_parser(data: bytes, rounds: int = 3) -> tuple[str, dict[str, float]]:
    """The installed parser that parses ``data`` fastest (best of ``rounds``), and every time."""
    times = {}
    for name in installed_parsers():
        loads = loader(name)
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            loads(data)
            best = min(best, time.perf_counter() - start)
        times[name] = best
    return min(times, key=times.__getitem__), times


def _dumper() -> Callable[[Any], bytes]:
    try:
        import orjson
    except ImportError:
        import json

        return lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
    return lambda obj: orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE)


def floor(source: Path, out: Path, parser: str = "orjson", parts: int = 4) -> list[int]:
    """Parse ``source`` (a JSON array) and write ``parts`` contiguous JSON Lines files; their sizes."""
    records = loader(parser)(source.read_bytes())
    out.mkdir(parents=True, exist_ok=True)
    dumps = _dumper()
    base, extra = divmod(len(records), parts)
    start, sizes = 0, []
    for i in range(parts):
        stop = start + base + (i < extra)
        data = b"".join([dumps(r) for r in records[start:stop]])
        (out / f"{i + 1}_of_{parts}.jsonl").write_bytes(data)
        sizes.append(stop - start)
        start = stop
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--parser", default="orjson", choices=PARSERS)
    args = parser.parse_args()
    floor(args.source, args.out, args.parser)


if __name__ == "__main__":
    main()
