"""Split strategies: each takes the records and a part count and returns one list per part.

Every strategy puts each record in exactly one part, keeps part sizes within one of
each other, and keeps source order inside a part (so parts diff cleanly between builds).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from .errors import InputError
from .records import Record

Strategy = Callable[[Sequence[Record], int, int], list[list[Record]]]


def _slice_sizes(total: int, parts: int) -> list[int]:
    """Sizes within one of each other; the first parts get the extra records."""
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts)]


def _cut(positions: Sequence[int], records: Sequence[Record], parts: int) -> list[list[Record]]:
    out, start = [], 0
    for size in _slice_sizes(len(positions), parts):
        chunk = sorted(positions[start:start + size])
        out.append([records[p] for p in chunk])
        start += size
    return out


def contiguous(records: Sequence[Record], parts: int, seed: int) -> list[list[Record]]:
    """Consecutive slices of the source order: what the hand-made 4 × 4,000 files were."""
    return _cut(range(len(records)), records, parts)


def shuffle(records: Sequence[Record], parts: int, seed: int) -> list[list[Record]]:
    """A seeded random permutation cut into slices."""
    positions = list(range(len(records)))
    random.Random(seed).shuffle(positions)
    return _cut(positions, records, parts)


def stratified(records: Sequence[Record], parts: int, seed: int) -> list[list[Record]]:
    """Every part gets the same category mix, within one record per category.

    Records of each category (categories in name order) are shuffled with the seed and
    dealt round-robin with one counter running across all categories, so each category
    is spread evenly and part sizes still differ by at most one.
    """
    by_category: dict[str, list[int]] = {}
    for position, record in enumerate(records):
        by_category.setdefault(record["category"], []).append(position)
    rng = random.Random(seed)
    buckets: list[list[int]] = [[] for _ in range(parts)]
    dealt = 0
    for category in sorted(by_category):
        positions = by_category[category]
        rng.shuffle(positions)
        for position in positions:
            buckets[dealt % parts].append(position)
            dealt += 1
    return [[records[p] for p in sorted(bucket)] for bucket in buckets]


STRATEGIES: dict[str, Strategy] = {
    "stratified": stratified,
    "contiguous": contiguous,
    "shuffle": shuffle,
}


def split(records: Sequence[Record], parts: int, strategy: str = "stratified", seed: int = 42
          ) -> list[list[Record]]:
    """Split ``records`` into ``parts`` lists with the named strategy."""
    if parts < 1:
        raise InputError(f"--parts must be at least 1, got {parts}")
    if len(records) < parts:
        raise InputError(f"{len(records)} records cannot fill {parts} parts (each part needs at least one)")
    try:
        chosen = STRATEGIES[strategy]
    except KeyError:
        raise InputError(f"unknown split strategy {strategy!r}; choose from {', '.join(STRATEGIES)}") from None
    return chosen(records, parts, seed)
