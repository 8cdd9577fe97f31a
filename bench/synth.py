"""Synthetic sources for the scale benchmark: the real records repeated with fresh indexes.

``python bench/synth.py SOURCE N OUT [--jsonl]``. Written record by record, so making a
1M-record (1.1 GB) file takes little memory.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import orjson


def synthesize(source: Path, count: int, out: Path, jsonl: bool = False) -> int:
    """Write ``count`` records cycling through ``source``'s, index ``"0"`` … ``str(count - 1)``.

    The review drops exact duplicates, so every repeat after the first copy gets its copy
    number appended to the instruction ("…ですか？（2）") and survives as a record of its own.
    JSON arrays get one record per line (like the real source's layout); returns the bytes written.
    """
    records = orjson.loads(source.read_bytes())
    if not isinstance(records, list) or not records:
        raise ValueError(f"{source}: expected a non-empty JSON array")
    out.parent.mkdir(parents=True, exist_ok=True)
    n = len(records)
    with open(out, "wb") as f:
        if not jsonl:
            f.write(b"[\n")
        buffer = []
        for i in range(count):
            record = dict(records[i % n])
            record["index"] = str(i)
            copy = i // n
            if copy:
                record["instruction"] = f"{record['instruction']}（{copy + 1}）"
            line = orjson.dumps(record)
            buffer.append(line + (b"\n" if jsonl or i == count - 1 else b",\n"))
            if len(buffer) >= 10_000:
                f.write(b"".join(buffer))
                buffer.clear()
        f.write(b"".join(buffer))
        if not jsonl:
            f.write(b"]\n")
    return out.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--jsonl", action="store_true", help="write JSON Lines instead of a JSON array")
    args = parser.parse_args()
    size = synthesize(args.source, args.count, args.out, args.jsonl)
    print(f"{args.out}: {args.count:,} records, {size:,} bytes")


if __name__ == "__main__":
    main()
