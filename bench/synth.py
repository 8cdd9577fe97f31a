"""Large JSON Lines sources from real records: ``python bench/synth.py SOURCE N OUT``.

The records cycle through the source's with fresh indexes ``"0"`` … ``str(N - 1)``. The review
drops exact duplicates, so each copy after the first gets its copy number appended to the
instruction ("…ですか？（2）") and stays a record of its own. Written in blocks: little memory."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson


def synthesize(source: Path, count: int, out: Path) -> int:
    """Write ``count`` records made from ``source`` (a JSON array) to ``out``; the bytes written."""
    records = orjson.loads(source.read_bytes())
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as f:
        block = []
        for i in range(count):
            copy, position = divmod(i, len(records))
            record = {**records[position], "index": str(i)}
            if copy:
                record["instruction"] += f"（{copy + 1}）"
            block.append(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
            if len(block) == 10_000:
                f.write(b"".join(block))
                block.clear()
        f.write(b"".join(block))
    return out.stat().st_size


def many_categories(source: Path, count: int, out: Path) -> int:
    """The records of ``source`` with ``count`` categories (``c0`` … in turn): the bytes written.

    Categories outside Dolly's eight are kept (with a warning); the picture and the card then
    have ``count`` categories to show, which is what this source measures."""
    records = orjson.loads(source.read_bytes())
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b"".join(orjson.dumps({**r, "category": f"c{i % count}"}, option=orjson.OPT_APPEND_NEWLINE)
                             for i, r in enumerate(records)))
    return out.stat().st_size


if __name__ == "__main__":
    synthesize(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
