"""The hand-made way, as the original notebook did it: ``json.load``, a pandas DataFrame,
``to_dict(orient="records")`` and ``json.dumps`` of each row, for all four parts.

``python bench/handmade.py SOURCE OUT``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def handmade(source: Path, out: Path, parts: int = 4) -> list[int]:
    """Write ``parts`` contiguous JSON Lines files the pandas way; their record counts."""
    import pandas as pd

    with open(source, encoding="utf-8") as f:
        df = pd.DataFrame(json.load(f))
    out.mkdir(parents=True, exist_ok=True)
    base, extra = divmod(len(df), parts)
    start, sizes = 0, []
    for i in range(parts):
        stop = start + base + (i < extra)
        rows = df.iloc[start:stop].to_dict(orient="records")
        with open(out / f"{i + 1}_of_{parts}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        sizes.append(stop - start)
        start = stop
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    handmade(args.source, args.out)


if __name__ == "__main__":
    main()
