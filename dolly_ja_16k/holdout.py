"""The validation split: records held out before the parts are cut, whole groups at a time.

A held-out set is only a fair test if nothing in it was seen in training. Dolly asks several
questions about one context passage and asks some open questions more than once, so records
are held out by *group*: records whose ``input`` is the same text (whitespace squashed) form
one group, and records without input whose ``instruction`` is the same text form one group.
A group is held out whole or not at all, so no passage and no repeated question is on both
sides.

Which groups, and why they stay put from release to release: every group gets a keyed hash
of the seed and its key (the squashed text, never a record's position). The number held out
of each category is its share of the kept records, by largest remainders, so the mix is the
parts' mix (each category within one record of its exact share). Groups of two or more
records are held out when their hash falls in the first ``size / records`` of the hash
space (a fixed fraction: one record more or less elsewhere flips no such group); single
records then fill each category's count in hash order. Removing one record therefore changes
the membership of at most two others in all but rare cases (``README.md``, Validation).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dolly_ja_16k.errors import Opt, OptionError
from dolly_ja_16k.read.records import Record
from dolly_ja_16k.split import keyed_hash

#: The hash is 8 bytes: a group is in the first ``f`` of the hash space when ``hash < f * SPACE``.
SPACE = 1 << 64
#: How the manifest and the card say the records were chosen.
METHOD = ("whole groups (records sharing a non-empty `input`, or without input sharing the same `instruction`, "
          "whitespace squashed) chosen by a keyed hash of {seed} and the group's text; each category's count is "
          "its share of the kept records (largest remainders)")


def squash(text: str) -> str:
    """Runs of whitespace as one space, no space at the ends: how two texts are compared."""
    return " ".join(text.split())


def group_key(record: Mapping[str, Any]) -> str:
    """The group of a record: its context passage, or its instruction when it has none."""
    context = squash(record.get("input", ""))
    if context:
        return "input\x00" + context
    return "instruction\x00" + squash(record["instruction"])


def groups_of(records: Sequence[Record]) -> dict[str, list[int]]:
    """Positions of the records of each group, groups in order of their first record."""
    groups: dict[str, list[int]] = {}
    for position, record in enumerate(records):
        groups.setdefault(group_key(record), []).append(position)
    return groups


def quotas(counts: Mapping[str, int], size: int) -> dict[str, int]:
    """``size`` shared out in proportion to ``counts`` by largest remainders (ties: category name).

    Each category gets the floor or the ceiling of its exact share, so it is within one of it.
    """
    total = sum(counts.values())
    out = {c: size * n // total for c, n in counts.items()}
    left = size - sum(out.values())
    for category in sorted(counts, key=lambda c: (-(size * counts[c] % total), c))[:left]:
        out[category] += 1
    return out


@dataclass(frozen=True)
class Holdout:
    """The records held out and the rest, both in input order, and what was held out."""

    validation: list[Record]
    rest: list[Record]
    #: Groups held out, and of those the groups of more than one record (and their records).
    groups: int
    shared_groups: int
    shared_records: int


class _Walk:
    """Groups taken in hash order while each of their categories has room left."""

    def __init__(self, records: Sequence[Record], groups: dict[str, list[int]], need: dict[str, int]) -> None:
        self.records, self.groups, self.need = records, groups, need
        self.chosen: dict[str, None] = {}
        #: Records still to hold out, over every category.
        self.left = sum(need.values())

    def take(self, key: str) -> None:
        if key in self.chosen:
            return
        wanted = Counter(self.records[p]["category"] for p in self.groups[key])
        if all(self.need[c] >= n for c, n in wanted.items()):
            for category, n in wanted.items():
                self.need[category] -= n
            self.left -= sum(wanted.values())
            self.chosen[key] = None

    @property
    def short(self) -> dict[str, int]:
        return {c: n for c, n in self.need.items() if n}


def hold_out(records: Sequence[Record], size: int, seed: int) -> Holdout:
    """Hold out exactly ``size`` records, whole groups only, in each category's share.

    ``size`` against the number of records is checked by ``options.check_validation_size``;
    a source whose groups cannot make up a category's count exactly (a category made of
    large groups only) is an ``OptionError``.
    """
    digest = keyed_hash(seed)
    groups = groups_of(records)
    hashes = {key: int.from_bytes(digest("validation\x00" + key), "big") for key in groups}
    order = sorted(groups, key=lambda key: (hashes[key], key))
    walk = _Walk(records, groups, quotas(Counter(r["category"] for r in records), size))
    shared = [key for key in order if len(groups[key]) > 1]
    for key in shared:  # a fixed fraction of the hash space: independent of every other group
        if hashes[key] * len(records) < size * SPACE:
            walk.take(key)
    for key in order:  # single records fill each category's count, in hash order
        if len(groups[key]) == 1 and walk.need[records[groups[key][0]]["category"]]:
            walk.take(key)
    for key in shared:  # only when a category has too few single records
        if not walk.left:
            break
        walk.take(key)
    if walk.left:
        category, missing = next(iter(walk.short.items()))
        raise OptionError("validation_size", Opt("validation_size", size), f" cannot be held out in whole groups: "
                          f"category {category!r} needs {missing} more records than its groups can give in its "
                          "share; choose another size", lead=False)
    held = {p for key in walk.chosen for p in groups[key]}
    multi = [key for key in walk.chosen if len(groups[key]) > 1]
    return Holdout(
        validation=[r for p, r in enumerate(records) if p in held],
        rest=[r for p, r in enumerate(records) if p not in held],
        groups=len(walk.chosen),
        shared_groups=len(multi),
        shared_records=sum(len(groups[key]) for key in multi),
    )
