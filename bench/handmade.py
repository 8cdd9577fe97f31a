"""The seed's hand-made way: ``json.load``, a pandas DataFrame, ``to_dict(orient="records")`` and
``json.dumps`` per row, four contiguous parts. ``python bench/handmade.py SOURCE OUT``."""

from __future__ import annotations

import json
import sys
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
        with open(out / f"{i + 1}_of_{parts}.jsonl", "w", encoding="utf-8") as f:
            for row in df.iloc[start:stop].to_dict(orient="records"):
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        sizes.append(stop - start)
        start = stop
    return sizes


if __name__ == "__main__":
    handmade(Path(sys.argv[1]), Path(sys.argv[2]))
