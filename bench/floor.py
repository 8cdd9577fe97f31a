"""The floor (information only): parse the source with orjson and write four contiguous JSON Lines
files, nothing else. ``python bench/floor.py SOURCE OUT``; no build can be faster than this."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson


def floor(source: Path, out: Path, parts: int = 4) -> list[int]:
    """Write ``parts`` contiguous JSON Lines files of ``source`` (a JSON array); their record counts."""
    records = orjson.loads(source.read_bytes())
    out.mkdir(parents=True, exist_ok=True)
    base, extra = divmod(len(records), parts)
    start, sizes = 0, []
    for i in range(parts):
        stop = start + base + (i < extra)
        lines = [orjson.dumps(r, option=orjson.OPT_APPEND_NEWLINE) for r in records[start:stop]]
        (out / f"{i + 1}_of_{parts}.jsonl").write_bytes(b"".join(lines))
        sizes.append(stop - start)
        start = stop
    return sizes


if __name__ == "__main__":
    floor(Path(sys.argv[1]), Path(sys.argv[2]))
