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
from dolly_ja_16k.review import brackets, fragments, marks, morphemes
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


def _fix_citations(record: Record) -> str | None:
    """Remove Wikipedia's editorial marks (``marks.py``) from all three fields."""
    note = None
    removed = 0
    for name in TEXT_FIELDS:
        value = record[name]  # type: ignore[literal-required]
        new, count = marks.remove(value)
        if not count:
            continue
        note = note or excerpt(value, marks.find(value)[0][0])
        removed += count
        record[name] = new.strip()  # type: ignore[literal-required]
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
                   if (why := brackets.cut_off(r[name], name == "output")
                       or (fragments.fragment(r[name]) if name == "output" else None)) is not None]
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


#: Longest a field may be: about three times the 99.9th percentile of its length in the shared
#: source (instruction 740, input 5,504, output 3,116 characters) and above every ordinary
#: record (the next-longest instruction has 1,701 characters, input 13,735, output 5,403).
#: Longer fields are pasted logs and dumps (a 10,795-character JVM log as an instruction).
TOO_LONG = {"instruction": 2500, "input": 15000, "output": 8000}


def _scan_too_long(records: list[Record], squashed: Squashed) -> list[Finding]:
    found = []
    for i, r in enumerate(records):
        over = [f"{name} {len(r[name]):,} > {limit:,} chars" for name, limit in TOO_LONG.items()  # type: ignore[literal-required]
                if len(r[name]) > limit]  # type: ignore[literal-required]
        if over:
            found.append((i, f"{'; '.join(over)}: {excerpt(r['instruction'])}"))
    return found


#: Whole answers of two hiragana that answer a question: yes and no.
_YES_NO = frozenset({"はい", "いいえ", "うん", "ええ"})
#: Nouns that say nothing alone ("もの": a thing).
_FORMAL_NOUNS = frozenset({"もの", "こと", "ところ", "ため"})
_HIRAGANA_ONLY = re.compile(r"[\u3041-\u309f]{1,2}")


def short_non_answer(output: str) -> bool:
    """An output of one or two hiragana that is no word an answer can be: ``よ``, ``はあ``, ``もの``.

    Numbers, names, symbols and words in kanji or katakana (``7``, ``鯛``, ``ロハ``, ``F``) can answer
    a question and are left alone; so are ``はい``/``いいえ`` and nouns written in hiragana (``ひげ``).
    """
    text = output.strip()
    if not _HIRAGANA_ONLY.fullmatch(text) or text in _YES_NO:
        return False
    if len(text) == 1 or text in _FORMAL_NOUNS:
        return True
    found = morphemes.analyse(text)
    return not (len(found) == 1 and found[0].pos.startswith("名詞"))


def _scan_too_short(records: list[Record], squashed: Squashed) -> list[Finding]:
    return [(i, f"output {r['output'].strip()!r} for: {excerpt(r['instruction'])}") for i, r in enumerate(records)
            if len(r["output"]) <= 4 and short_non_answer(r["output"])]


# ---------------------------------------------------------------------------------- the rules

#: Run first and in this order, so the finders see the text that will be written.
FIXES: tuple[Fix, ...] = (
    Fix("whitespace", "trim leading and trailing whitespace, turn \\r\\n into \\n (no NFKC)", _fix_whitespace),
    Fix("citation_marks", "remove Wikipedia's editorial marks from all three fields: notes such as [3], [a], "
        "[注 1], [nb 2] and tags such as [citation needed], [要出典], [編集] (IPA, code, years stay)",
        _fix_citations),
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
    Finder("too_short", "the output is one or two hiragana that answer nothing (よ, はあ, もの); numbers, "
           "yes/no, names and symbols are not counted", _scan_too_short, DROP),
    Finder("too_long", "a field far longer than an instruction record needs (a pasted log or dump): "
           + ", ".join(f"{name} over {limit:,}" for name, limit in TOO_LONG.items()) + " characters",
           _scan_too_long, FLAG),
    Finder("non_japanese", f"under {JAPANESE_SHARE:.0%} of the letters in instruction + output are "
           "Japanese (mostly lists of English titles)", _scan_non_japanese, FLAG),
    Finder("truncated", "input or output ends where a sentence cannot (「, 、, a dangling particle, "
           "inside an open quote); an output also when a long sentence stops on で/に/も/へ/から/より, "
           "after 。 with one stray character, or on a noun or 連用形 with no predicate", _scan_truncated, FLAG),
    Finder("unbalanced_brackets", "a bracket pairs with nothing and the fix could not place its "
           "other half", _scan_unbalanced, FLAG),
)


def default_drop() -> frozenset[str]:
    """The finders whose records are dropped when ``--drop`` is not given."""
    return frozenset(f.name for f in FINDERS if f.drops_by_default)


def drop_help() -> str:
    """The help of ``--drop``: its three forms and every finder, the defaults marked, from the rules.

    ``%`` is doubled for argparse, which formats help strings with ``%``.
    """
    always = ", ".join(f.name for f in FINDERS if f.always)
    finders = "; ".join(f"{'*' if f.drops_by_default else ''}{f.name} ({f.action}): {f.description}"
                        for f in FINDERS if not f.always)
    text = ("review checks whose records are dropped: RULE,RULE replaces the defaults, +RULE adds a check to "
            "them and -RULE takes one out (--drop +truncated,-duplicate); '' drops none "
            f"({always} always drops). The checks, * dropped by default: {finders}")
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
