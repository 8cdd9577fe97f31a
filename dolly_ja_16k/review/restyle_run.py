"""Restyle many records at once: the answers (``output``) in one register, counted and reported.

``restyle_records`` is what both ``dolly-ja-16k restyle`` (a file in, a file out) and
``build --restyle`` (the reviewed records, before the split) run: each answer goes through
``restyle.restyle``, its ``style`` is told again from the new text, and the run counts what
changed (records, sentence ends, clauses inside sentences) and every ending left as it was, by
reason. Only ``output`` (and ``style``) change, so nothing a split depends on moves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from dolly_ja_16k.errors import one_line
from dolly_ja_16k.review.restyle import REASONS, Change, restyle
from dolly_ja_16k.review.rewrite import DA, DEARU
from dolly_ja_16k.review.style import classify

#: What the plain copula becomes, by the name an option gives it (ASCII, so it is easy to type).
COPULAS: dict[str, str] = {"dearu": DEARU, "da": DA}
#: Characters of context shown before a change in an example.
CONTEXT = 12
#: … and after it (the rest of the ending and its mark).
TAIL = 2
#: The review rule name of a restyled record (``review.jsonl``).
RESTYLE_RULE = "restyle"
RESTYLED = "restyled"


@dataclass(frozen=True)
class Example:
    """One change as the user sees it: the record, the text before and after, with some context."""

    index: str
    before: str
    after: str

    def line(self) -> str:
        return one_line(f"index {self.index}: {self.before} → {self.after}")


@dataclass
class RestyleRun:
    """What one run changed: counts of records and endings, endings left by reason, the changes."""

    to: str
    copula: str
    records: int = 0
    records_changed: int = 0
    #: Sentence ends rewritten.
    sentences: int = 0
    #: Clause ends inside a sentence rewritten (延びましたが → 延びたが; towards plain only).
    clauses: int = 0
    left: Counter[str] = field(default_factory=Counter)
    #: One entry per changed record, in input order: (index, its changes' examples).
    changed: list[tuple[str, list[Example]]] = field(default_factory=list)

    def left_by_reason(self) -> dict[str, int]:
        """Endings left alone, by reason, in ``restyle.REASONS`` order (reasons never met left out)."""
        return {reason: self.left[reason] for reason in REASONS if self.left[reason]}

    def examples(self, n: int) -> Iterator[Example]:
        """The first ``n`` changes, in input order."""
        shown = 0
        for _, examples in self.changed:
            for example in examples:
                if shown >= n:
                    return
                shown += 1
                yield example


def _lead(text: str, at: int) -> str:
    """Up to ``CONTEXT`` characters of the line before ``at`` (``…`` when cut)."""
    begin = max(0, at - CONTEXT, text.rfind("\n", 0, at) + 1)
    return ("…" if begin else "") + text[begin:at]


def _tail(text: str, at: int) -> str:
    """Up to ``TAIL`` characters after ``at``, up to the end of the line (た of ました → た, 。)."""
    end = text.find("\n", at, at + TAIL)
    return text[at:at + TAIL if end < 0 else end]


def _example(index: str, text: str, new_text: str, change: Change, shift: int) -> Example:
    """A change with some of its line around it, as it was and as it is (``shift``: how far earlier
    changes moved it in the new text)."""
    at, old_end = change.start + shift, change.start + len(change.before)
    return Example(index, _lead(text, change.start) + change.before + _tail(text, old_end),
                   _lead(new_text, at) + change.after + _tail(new_text, at + len(change.after)))


def restyle_records(records: list[MutableMapping[str, Any]], to: str, copula: str = "dearu") -> RestyleRun:
    """Rewrite every record's ``output`` in ``to`` register, in place, and tell ``style`` again
    where a record has one and its answer changed; ``copula`` is a key of ``COPULAS``."""
    run = RestyleRun(to, copula, records=len(records))
    for r in records:
        text = r["output"]
        done = restyle(text, to, COPULAS[copula])
        run.left.update(left.reason for left in done.left)
        if not done.changes:
            continue
        r["output"] = done.text
        if "style" in r:
            r["style"] = classify(done.text)
        run.records_changed += 1
        examples, shift = [], 0
        for change in done.changes:
            if change.inside:
                run.clauses += 1
            else:
                run.sentences += 1
            examples.append(_example(r["index"], text, done.text, change, shift))
            shift += len(change.after) - len(change.before)
        run.changed.append((r["index"], examples))
    return run


def report_rows(run: RestyleRun) -> list[dict[str, Any]]:
    """``review.jsonl``'s rows of a build's restyle: one per changed record, its first change as
    the excerpt (before → after) and how many more it had."""
    rows = []
    for index, examples in run.changed:
        first = examples[0]
        more = f" (+{len(examples) - 1} more)" if len(examples) > 1 else ""
        rows.append({"index": index, "rule": RESTYLE_RULE, "action": RESTYLED,
                     "excerpt": f"{first.before} → {first.after}{more}"})
    return rows


def summary_lines(run: RestyleRun) -> list[str]:
    """The run in words: records and endings changed, endings left alone by reason."""
    inside = f" and {run.clauses:,} clause ends inside sentences" if run.clauses else ""
    left = run.left_by_reason()
    return [
        f"{run.records_changed:,} of {run.records:,} records changed to {run.to}: "
        f"{run.sentences:,} sentence ends{inside} rewritten",
        "endings left alone: " + (", ".join(f"{reason} {n:,}" for reason, n in left.items()) if left else "none"),
    ]
