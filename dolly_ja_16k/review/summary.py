"""The review's summary as the manifest records it: each rule's count, the kept records' styles.

It sits below the rules, the options and the manifest, which all speak of it.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from dolly_ja_16k.model import Model

#: What a rule does to a record it finds.
Action = Literal["fix", "flag", "drop"]


class Rule(Model):
    """One review rule and how many records it touched."""

    name: str
    action: Action
    description: str
    count: int


class Image(Model):
    path: str
    title: str


class Restyle(Model):
    """``build --restyle``: the register the answers were rewritten in and what changed."""

    #: ``keitai`` or ``jotai``.
    to: str
    #: The plain copula (``dearu`` or ``da``; matters only towards ``jotai``).
    copula: str
    records_changed: int
    #: Sentence ends rewritten.
    sentences: int
    #: Clause ends inside sentences rewritten (延びましたが → 延びたが).
    clauses: int
    #: Endings in the other register left as they were, by reason (quoted, request, unsure, …).
    left: dict[str, int]


class Review(Model):
    """The review's summary; ``review.jsonl`` has one row per finding."""

    file: str
    keep_all: bool
    records_in: int
    records_dropped: int
    records_kept: int
    rules: list[Rule]
    #: Style of the kept records (None when the build did not tag styles).
    styles: dict[str, int] | None = None
    #: Only records of this style were kept (``keitai`` or ``jotai``), or None.
    style_filter: str | None = None
    images: list[Image] = msgspec.field(default_factory=list)
    #: What ``--restyle`` changed (None without it); ``styles`` counts the styles after it.
    restyle: Restyle | None = None
