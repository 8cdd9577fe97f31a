"""Style-control training data (``--system-prompts style-control``): answers in the register a request asks for.

A model learns to follow "write in です・ます" only if it sees requests for both registers answered
accordingly, so every record whose answer can be made wholly polite and wholly plain (both
conversions come out ``keitai`` and ``jotai`` by the tagger) gets a target register, its answer
is converted to it and its system message asks for it. Which register: the records of each part
and category are ordered by a keyed hash of (seed, index) and given polite and plain in turn, so
each part and category is half and half (the hash of the first in the order decides which register
an odd group has one more of, so that no register gets every odd one). The other
records (lists, bare names, answers with 〜てください) get no system message and keep their answer.

Only the training configs are made from these copies: the raw parts stay as built.
"""

from __future__ import annotations

from collections.abc import Sequence

from dolly_ja_16k.read.records import Record
from dolly_ja_16k.review.restyle import restyle
from dolly_ja_16k.review.restyle_run import COPULAS
from dolly_ja_16k.review.style import JOTAI, KEITAI, classify
from dolly_ja_16k.split import keyed_hash

#: The registers asked for, in turn along the keyed-hash order.
REGISTERS = (KEITAI, JOTAI)
#: Put before each index, so this order is not the split's own.
_KEY_TAG = "style-control\x00"


def both_registers(text: str, copula: str = "dearu") -> dict[str, str] | None:
    """The answer wholly polite and wholly plain, or None if either conversion leaves it otherwise."""
    versions = {}
    for to in REGISTERS:
        converted = restyle(text, to, COPULAS[copula]).text
        if classify(converted) != to:
            return None
        versions[to] = converted
    return versions


def style_control(records: Sequence[Record], seed: int, copula: str = "dearu") -> list[Record]:
    """Training copies of one part's records: each controllable answer in its target register,
    with ``register`` (and ``style``, when the records have it) set to that register."""
    digest = keyed_hash(seed)
    copies = [r.copy() for r in records]
    groups: dict[str, list[tuple[bytes, int, dict[str, str]]]] = {}
    for position, r in enumerate(copies):
        versions = both_registers(r["output"], copula)
        if versions is not None:
            groups.setdefault(r["category"], []).append((digest(_KEY_TAG + r["index"]), position, versions))
    for group in groups.values():
        group.sort()
        first = group[0][0][-1] & 1  # which register an odd group has one more of: the hash says
        for rank, (_, position, versions) in enumerate(group):
            to = REGISTERS[(rank + first) % 2]
            copy = copies[position]
            copy["output"], copy["register"] = versions[to], to
            if "style" in copy:
                copy["style"] = to
    return copies
