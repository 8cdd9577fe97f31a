"""What a ``datasets`` user would write to cut the source into four parts: load it as JSON, take
four contiguous shards, write each as JSON Lines. ``python bench/datasets_user.py SOURCE OUT``.

The bench runs it with ``HF_DATASETS_CACHE`` set to a new, empty folder every time."""

from __future__ import annotations

import sys
from pathlib import Path


def datasets_user(source: Path, out: Path, parts: int = 4) -> list[int]:
    """Write ``parts`` contiguous JSON Lines files with ``datasets``; their record counts."""
    from datasets import load_dataset

    data = load_dataset("json", data_files=str(source), split="train")
    out.mkdir(parents=True, exist_ok=True)
    sizes = []
    for i in range(parts):
        part = data.shard(parts, i, contiguous=True)
        part.to_json(out / f"{i + 1}_of_{parts}.jsonl", force_ascii=False)
        sizes.append(part.num_rows)
    return sizes


if __name__ == "__main__":
    datasets_user(Path(sys.argv[1]), Path(sys.argv[2]))
