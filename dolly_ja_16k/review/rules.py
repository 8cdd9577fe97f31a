"""The review rules: each one small object with its name, its action, a one-line description and its code.

databricks-dolly-15k-ja is a machine translation with known defects (Wikipedia citation
marks, answers copied from the context or into the instruction, duplicates, untranslated
text). Each defect has one rule here. The rule's ``description`` is the only text that
says what it does: the review report, the manifest, the card's data-quality table and the
help of ``--drop`` all take it from the rule, so they cannot drift apart from each other.

A rule's ``action`` is what it does to a record it matches when nothing overrides it:
``fix`` (a ``Fix`` rewrites the text), ``drop`` or ``flag`` (a ``Finder`` points at records,
which are dropped or only listed). The run (``run.py``) decides what actually happens:
``--drop`` replaces the finders' defaults and ``--keep-all`` turns every rule into a flag.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from dolly_ja_16k.read.records import REQUIRED_TEXT, Record, is_blank
from dolly_ja_16k.review import brackets
from dolly_ja_16k.review.summary import Action, Rule

if TYPE_CHECKING:
    from collections.abc import Iterable


FIX: Literal["fix"] = "fix"
FLAG: Literal["flag"] = "flag"
DROP: Literal["drop"] = "drop"
EXCERPT = 60
TEXT_FIELDS = ("instruction", "input", "output")


def excerpt(text: str, start: int = 0, width: int = EXCERPT) -> str:
    """A one-line piece of ``text`` around ``start`` for the report (about ``width`` chars)."""
    begin = max(0, start - width // 3)
    piece = text[begin:begin + width].replace("\n", " ")
    return ("…" if begin else "") + piece + ("…" if begin + width < len(text) else "")


@dataclass(frozen=True)
class Fix:
    """A rule that rewrites text in place; ``apply`` returns a report note, or None if it changed nothing."""

    name: str
    description: str
    apply: Callable[[Record], str | None]
    #: A fix always fixes (``--keep-all`` reports it as a flag instead, changing nothing); it never
    #: drops, and ``--drop`` refuses its name.
    action: ClassVar[Action] = FIX


#: A finder's result: position in the record list, and the excerpt or note for the report.
Finding = tuple[int, str]
#: instruction, input and output of each record with whitespace squashed, made once per review
Squashed = list[tuple[str, str, str]]


@dataclass(frozen=True)
class Finder:
    """A rule that points at records; ``action`` says whether they are dropped or flagged by default."""

    name: str
    description: str
    scan: Callable[[list[Record], Squashed], list[Finding]]
    action: Literal["drop", "flag"]
    #: Dropped whatever ``--drop`` says (not with ``--keep-all``): the record cannot be written as it is.
    always: bool = False

    @property
    def drops_by_default(self) -> bool:
        return self.action == DROP


# ---------------------------------------------------------------------------------- fixes

def _fix_whitespace(record: Record) -> str | None:
    changed = []
    for name in TEXT_FIELDS:
        value = record[name]  # type: ignore[literal-required]
        new = value.replace("\r\n", "\n").replace("\r", "\n").strip() if ("\r" in value or value[:1].isspace()
                                                                           or value[-1:].isspace()) else value
        if new != value:
            record[name] = new  # type: ignore[literal-required]
            changed.append(name)
    return f"trimmed {', '.join(changed)}" if changed else None


#: Reference marks as Wikipedia prints them: [1] … [999]. Four digits are years ("[1994]").
_CITATION = re.compile(r"\[\d{1,3}\]")


def _remove_marks(text: str) -> tuple[str, int]:
    """``text`` without citation marks and the spaces or tabs just before each.

    Splitting on the bare mark and trimming each piece before a mark is about six times
    faster than one pattern with a leading ``[ \t]*`` (which the regex engine must try
    at every position).
    """
    pieces = _CITATION.split(text)
    last = len(pieces) - 1
    return "".join(p if i == last else p.rstrip(" \t") for i, p in enumerate(pieces)), last


def _fix_citations(record: Record) -> str | None:
    note = None
    removed = 0
    for name in ("input", "output"):
        value = record[name]
        if "[" not in value:
            continue
        match = _CITATION.search(value)
        if match is None:
            continue
        new, count = _remove_marks(value)
        note = note or excerpt(value, match.start())
        removed += count
        record[name] = new.strip()
    return f"{removed} removed: {note}" if removed else None


def _fix_brackets(record: Record) -> str | None:
    """Put back opening brackets the translation lost where their place is certain (see brackets.py)."""
    carried: frozenset[str] = frozenset()
    notes = []
    for name in TEXT_FIELDS:
        value = record[name]  # type: ignore[literal-required]
        if not brackets.has_brackets(value):
            carried = frozenset()  # nothing to repair, and nothing left open for the next field
            continue
        fixed = brackets.repair(value, carried)
        if fixed.inserted:
            at = fixed.inserted[0]
            width = EXCERPT // 2
            notes.append(f"{name}: {excerpt(value, at, width)} → {excerpt(fixed.text, at, width + 1)}")
            record[name] = fixed.text  # type: ignore[literal-required]
        carried = fixed.open_kinds
    return "; ".join(notes) if notes else None


# -------------------------------------------------------------------------------- finders

def _squash(text: str) -> str:
    """Whitespace runs → one space, ends trimmed (what "the same text" compares)."""
    # Most texts have no whitespace but single spaces: isprintable() is False for every
    # other whitespace (\n, \t, U+3000 …), so this C-speed test skips the split and join.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def squashed_texts(records: list[Record]) -> Squashed:
    return [(_squash(r["instruction"]), _squash(r["input"]), _squash(r["output"])) for r in records]


def _scan_emptied(records: list[Record], squashed: Squashed) -> list[Finding]:
    """Records whose instruction or output the fixes left empty (an ``output`` of ``[1][2]``)."""
    found = []
    for i, r in enumerate(records):
        empty = [name for name in REQUIRED_TEXT if is_blank(r[name])]  # type: ignore[literal-required]
        if empty:
            found.append((i, f"{' and '.join(empty)} empty after the fixes"))
    return found


def _scan_input_equals_output(records: list[Record], squashed: Squashed) -> list[Finding]:
    return [(i, excerpt(records[i]["output"])) for i, (_, inp, out) in enumerate(squashed) if inp and inp == out]


#: The output makes up at least this share of the instruction that contains it; below it
#: are multiple-choice questions whose answer is one of the offered choices ("トープとロープ").
OUTPUT_SHARE = 0.8


def _scan_output_in_instruction(records: list[Record], squashed: Squashed) -> list[Finding]:
    found = []
    for i, (ins, _, out) in enumerate(squashed):
        if out and out in ins and len(out) >= OUTPUT_SHARE * len(ins):
            found.append((i, excerpt(records[i]["instruction"])))
    return found


def _scan_duplicates(records: list[Record], squashed: Squashed) -> list[Finding]:
    first: dict[tuple[str, str, str], str] = {}
    found = []
    for i, (r, key) in enumerate(zip(records, squashed, strict=True)):
        seen = first.setdefault(key, r["index"])
        if seen != r["index"]:
            found.append((i, f"same as index {seen}: {excerpt(r['instruction'])}"))
    return found


#: Below this share of Japanese script among the letters of instruction + output, a record
#: is mostly untranslated. Most such records are legitimate lists of English titles and
#: names, so the rule only flags by default.
JAPANESE_SHARE = 0.3
# Counted on UTF-8 bytes, which keeps the scan in C: kana and kanji (U+3040-U+9FFF) start
# with a lead byte E3-E9, except the CJK punctuation block U+3000-U+303F (E3 80 xx).
_NOT_JAPANESE_LEAD = bytes(b for b in range(256) if not 0xE3 <= b <= 0xE9)
_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))


def japanese_share(text: str) -> float:
    """Share of kana and kanji among the kana, kanji and Latin letters of ``text`` (1.0 if none)."""
    data = text.encode()
    japanese = len(data.translate(None, _NOT_JAPANESE_LEAD)) - data.count(b"\xe3\x80")
    latin = len(data.translate(None, _NOT_ASCII_LETTER))
    return japanese / (japanese + latin) if japanese + latin else 1.0


def _scan_non_japanese(records: list[Record], squashed: Squashed) -> list[Finding]:
    found = []
    for i, r in enumerate(records):
        share = japanese_share(r["instruction"] + r["output"])
        if share < JAPANESE_SHARE:
            found.append((i, f"{share:.0%} Japanese: {excerpt(r['output'])}"))
    return found


def _scan_truncated(records: list[Record], squashed: Squashed) -> list[Finding]:
    found = []
    for i, r in enumerate(records):
        reasons = [f"{name} {why}: {excerpt(r[name], len(r[name]))}"
                   for name in ("input", "output")
                   if (why := brackets.cut_off(r[name])) is not None]
        if reasons:
            found.append((i, "; ".join(reasons)))
    return found


def _scan_unbalanced(records: list[Record], squashed: Squashed) -> list[Finding]:
    found = []
    for i, r in enumerate(records):
        fields = [r["instruction"], r["input"], r["output"]]
        if not any(map(brackets.has_brackets, fields)):
            continue
        left = brackets.unmatched(fields)
        if left:
            n, pos = left[0]
            text = fields[n]
            found.append((i, f"{TEXT_FIELDS[n]}: {len(left)} unmatched, first {text[pos]} in {excerpt(text, pos)}"))
    return found


# ---------------------------------------------------------------------------------- the rules

#: Run first and in this order, so the finders see the text that will be written.
FIXES: tuple[Fix, ...] = (
    Fix("whitespace", "trim leading and trailing whitespace, turn \\r\\n into \\n (no NFKC)", _fix_whitespace),
    Fix("citation_marks", "remove Wikipedia reference marks such as [3] from input and output", _fix_citations),
    Fix("lost_brackets", "put back a lost opening 「 『 （ where its place is certain (start of a line or "
        "list item)", _fix_brackets),
)
FINDERS: tuple[Finder, ...] = (
    Finder("emptied_by_fixes", "a fix left instruction or output empty (e.g. an output made only of "
           "citation marks); such a record is never written", _scan_emptied, DROP, always=True),
    Finder("input_equals_output", "input and output are the same text (the answer copies the context)",
           _scan_input_equals_output, DROP),
    Finder("output_in_instruction", "the answer was pasted into the instruction "
           f"(output is at least {OUTPUT_SHARE:.0%} of it)", _scan_output_in_instruction, DROP),
    Finder("duplicate", "same instruction, input and output as an earlier record (whitespace "
           "normalised); the first is kept", _scan_duplicates, DROP),
    Finder("non_japanese", f"under {JAPANESE_SHARE:.0%} of the letters in instruction + output are "
           "Japanese (mostly lists of English titles)", _scan_non_japanese, FLAG),
    Finder("truncated", "input or output ends where a sentence cannot (「, 、, a dangling particle, "
           "inside an open quote)", _scan_truncated, FLAG),
    Finder("unbalanced_brackets", "a bracket pairs with nothing and the fix could not place its "
           "other half", _scan_unbalanced, FLAG),
)


def default_drop() -> frozenset[str]:
    """The finders whose records are dropped when ``--drop`` is not given."""
    return frozenset(f.name for f in FINDERS if f.drops_by_default)


def drop_help() -> str:
    """The help of ``--drop``: the defaults and every finder with its description, from the rules.

    ``%`` is doubled for argparse, which formats help strings with ``%``.
    """
    defaults = ",".join(f.name for f in FINDERS if f.drops_by_default and not f.always)
    always = ", ".join(f.name for f in FINDERS if f.always)
    finders = "; ".join(f"{f.name} ({f.action}): {f.description}" for f in FINDERS if not f.always)
    text = (f"review checks whose records are dropped, replacing the defaults ({defaults}); '' drops none "
            f"({always} always drops). The checks: {finders}")
    return text.replace("%", "%%")


def summary_sentence(records_in: int, rules: Iterable[Rule], dropped: int, kept: int, keep_all: bool,
                     listed_in: str | None = None) -> str:
    """What the review did, in one sentence: the review report and the card both open with it.

    ``listed_in`` names the file that lists every finding, when there is one (a build's
    ``review.jsonl``; ``dolly-ja-16k review`` writes none).
    """
    if keep_all:
        where = f"below and in `{listed_in}`" if listed_in else "below"
        return (f"The review checked {records_in:,} records and changed or dropped nothing; "
                f"what it found is flagged {where}.")
    fixes = sum(r.count for r in rules if r.action == FIX)
    return (f"The review checked {records_in:,} records: it made {fixes:,} fix{'' if fixes == 1 else 'es'}, "
            f"dropped {dropped:,} records and kept {kept:,}.")
