"""Split strategies: each takes the records and a part count and returns one list per part.

Every strategy puts each record in exactly one part, keeps part sizes within one of
each other (the first parts get the extra records), and keeps source order inside a
part (so parts diff cleanly between builds). Each strategy carries the one sentence that
says how it assigns records (``SplitStrategy.description``); the card and ``--help`` print
that sentence, and a test per strategy checks that it holds.

The seeded strategies are *stable*: a record's part follows from its own ``index`` and
the seed, not from where the other records sit. Each category's records are ordered by
a keyed hash of their index and that order is cut into one contiguous range per part,
so adding or removing a record only shifts the few records at the range boundaries, and
editing a record's text moves nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.read.records import Record

#: A strategy's code: records, number of parts, seed → one list of records per part.
Assign = Callable[[Sequence[Record], int, int], list[list[Record]]]


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


def _key(seed: int) -> bytes:
    """A blake2b key for any Python int (negative, or far beyond 64 bits) via its decimal text."""
    return hashlib.blake2b(str(seed).encode("ascii"), digest_size=32).digest()


def _hasher(seed: int) -> Callable[[str], bytes]:
    """Keyed blake2b of a text; copying one keyed state is twice as fast as keying each hash."""
    keyed = hashlib.blake2b(key=_key(seed), digest_size=8)

    def digest(text: str) -> bytes:
        state = keyed.copy()
        state.update(text.encode("utf-8", "surrogatepass"))
        return state.digest()

    return digest


#: The keyed hash of the split, for other seeded choices made per record (``style_control``).
keyed_hash = _hasher


def _nested_sizes(count: int, order: Sequence[int]) -> list[int]:
    """Per-part sizes of ``count`` records; the extras go to the first ``count % parts`` of ``order``.

    Nested in ``count``: one record more adds one to exactly one part, so a category that
    grows or shrinks by one changes one of its ranges by one and the others not at all.
    """
    parts = len(order)
    base, extra = divmod(count, parts)
    sizes = [base] * parts
    for part in order[:extra]:
        sizes[part] += 1
    return sizes


def _balance(sizes: dict[str, list[int]], targets: list[int], preference: dict[str, bytes]) -> None:
    """Move single extras between parts until every part has its target size.

    Each step takes one record from the part furthest over its target to the part furthest
    under it, in the first category (in ``preference`` order) that has one more record in the
    first part than in the second, so every category stays within one per part. A change of
    one record changes the deviations by one, hence only a step or two of this loop.
    """
    parts = len(targets)
    totals = [sum(s[i] for s in sizes.values()) for i in range(parts)]
    order = sorted(sizes, key=lambda c: (preference[c], c))
    while True:
        over = [totals[i] - targets[i] for i in range(parts)]
        give = max(range(parts), key=lambda i: (over[i], -i))
        take = min(range(parts), key=lambda i: (over[i], i))
        if over[give] <= 0:
            return
        category = next(c for c in order if sizes[c][give] > sizes[c][take])
        sizes[category][give] -= 1
        sizes[category][take] += 1
        totals[give] -= 1
        totals[take] += 1


def _stable(groups: dict[str, list[int]], records: Sequence[Record], parts: int, seed: int
            ) -> list[list[Record]]:
    """Cut each group, in keyed-hash order of its indexes, into one contiguous range per part."""
    digest = _hasher(seed)
    total = sum(len(g) for g in groups.values())
    if len(groups) == 1:  # one group: its extras are simply the first parts'
        sizes = {name: _slice_sizes(total, parts) for name in groups}
    else:
        sizes = {}
        preference = {}
        for name, positions in groups.items():
            rank = {i: digest(f"part\x00{name}\x00{i}") for i in range(parts)}
            sizes[name] = _nested_sizes(len(positions), sorted(range(parts), key=lambda i: (rank[i], i)))
            preference[name] = digest(f"category\x00{name}")
        _balance(sizes, _slice_sizes(total, parts), preference)
    buckets: list[list[int]] = [[] for _ in range(parts)]
    for name, positions in groups.items():
        # ties (one in 2**64) fall back to the index itself, so the order is always total
        ordered = sorted(positions, key=lambda p: (digest(records[p]["index"]), records[p]["index"]))
        start = 0
        for part, size in enumerate(sizes[name]):
            buckets[part].extend(ordered[start:start + size])
            start += size
    return [[records[p] for p in sorted(bucket)] for bucket in buckets]


def shuffle(records: Sequence[Record], parts: int, seed: int) -> list[list[Record]]:
    """Records in keyed-hash order of their index (a seeded pseudo-random order) cut into slices."""
    return _stable({"": list(range(len(records)))}, records, parts, seed)


def stratified(records: Sequence[Record], parts: int, seed: int) -> list[list[Record]]:
    """Every part gets the same category mix, within one record per category.

    Each category is cut separately (see ``_stable``); which parts get a category's extra
    records depends only on the category's name, its size and the seed, and a few of those
    extras are then moved so that the overall part sizes are the ones ``_slice_sizes`` gives.
    """
    by_category: dict[str, list[int]] = {}
    for position, record in enumerate(records):
        by_category.setdefault(record["category"], []).append(position)
    return _stable(by_category, records, parts, seed)


@dataclass(frozen=True)
class SplitStrategy:
    """A split strategy: its name, the sentence that describes it, and its code.

    ``description`` says how records are assigned to parts, with ``{seed}`` where the seed
    is named: the card fills in the build's seed, ``--help`` the option.
    """

    name: str
    description: str
    assign: Assign

    def sentence(self, seed: str) -> str:
        """The description with the seed named as ``seed`` (e.g. "seed `42`")."""
        return self.description.format(seed=seed)


SPLIT_STRATEGIES: dict[str, SplitStrategy] = {s.name: s for s in (
    SplitStrategy("stratified", "each category ordered by a keyed hash of {seed} and each record's `index`, and "
                  "cut into one contiguous range of that order per part, so every part has the same category mix "
                  "(within one record per category)", stratified),
    SplitStrategy("contiguous", "consecutive slices of the input order (no shuffling, so the seed plays no part)",
                  contiguous),
    SplitStrategy("shuffle", "all records ordered by a keyed hash of {seed} and each record's `index`, and cut "
                  "into consecutive slices of that order", shuffle),
)}


def split(records: Sequence[Record], parts: int, strategy: str = "stratified", seed: int = 42
          ) -> list[list[Record]]:
    """Split ``records`` into ``parts`` lists with the named strategy.

    ``parts`` and ``strategy`` are options, checked where every option is (``BuildOptions.check``);
    whether there are records enough for the parts is known only here.
    """
    if len(records) < parts:
        raise InputError(f"{len(records)} records cannot fill {parts} parts (each part needs at least one)")
    return SPLIT_STRATEGIES[strategy].assign(records, parts, seed)
