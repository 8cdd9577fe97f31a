"""The review step: small named checks that fix, flag or drop records between reading and splitting.

databricks-dolly-15k-ja is a machine translation with known defects (Wikipedia citation
marks, answers copied from the context or into the instruction, duplicates, untranslated
text). Each check below is one small object with a name, a one-line description and an
action; ``run_review`` applies them in order and returns the kept records, one report row
per finding (written to ``review.jsonl``) and per-rule counts for the manifest and card.

Fixes run first (whitespace, citation marks), so the other checks see the text that will
be written. ``--keep-all`` turns every check into a flag: nothing is changed or dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.manifest import Rule
from dolly_ja_16k.read.records import REQUIRED_TEXT, Record, is_blank
from dolly_ja_16k.read.sources import read_source, warn
from dolly_ja_16k.review import brackets
from dolly_ja_16k.review.style import classify

FIX, FLAG, DROP = "fix", "flag", "drop"
#: What a report row says happened to the record.
FIXED, FLAGGED, DROPPED = "fixed", "flagged", "dropped"
EXCERPT = 60
TEXT_FIELDS = ("instruction", "input", "output")


def excerpt(text: str, start: int = 0, width: int = EXCERPT) -> str:
    """A one-line piece of ``text`` around ``start`` for the report (about ``width`` chars)."""
    begin = max(0, start - width // 3)
    piece = text[begin:begin + width].replace("\n", " ")
    return ("…" if begin else "") + piece + ("…" if begin + width < len(text) else "")


# ---------------------------------------------------------------------------------- fixes

@dataclass(frozen=True)
class Fix:
    """A check that rewrites text in place; ``apply`` returns a report note or None if unchanged."""

    name: str
    description: str
    apply: Callable[[Record], str | None]
    action: str = FIX
    default: str = FIX


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

Finding = tuple[int, str]  # position in the record list, excerpt / note
#: instruction, input and output of each record with whitespace squashed, made once per review
Squashed = list[tuple[str, str, str]]


@dataclass(frozen=True)
class Finder:
    """A check that points at records; they are dropped if its name is in the drop set, else flagged."""

    name: str
    description: str
    scan: Callable[[list[Record], Squashed], list[Finding]]
    default: str = FLAG
    #: Always drop, whatever the drop set says: the record cannot be written as it is.
    always: bool = False

    @property
    def action(self) -> str:
        return self.default


def _squash(text: str) -> str:
    """Whitespace runs → one space, ends trimmed (what "the same text" compares)."""
    # Most texts have no whitespace but single spaces: isprintable() is False for every
    # other whitespace (\n, \t, U+3000 …), so this C-speed test skips the split and join.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


def squashed_texts(records: list[Record]) -> Squashed:
    return [(_squash(r["instruction"]), _squash(r["input"]), _squash(r["output"])) for r in records]


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
#: names, so the check only flags by default.
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


FIXES: list[Fix] = [
    Fix("whitespace", "trim leading and trailing whitespace, turn \\r\\n into \\n (no NFKC)", _fix_whitespace),
    Fix("citation_marks", "remove Wikipedia reference marks such as [3] from input and output", _fix_citations),
    Fix("lost_brackets", "put back a lost opening 「 『 （ where its place is certain (start of a line or "
        "list item)", _fix_brackets),
]
def _scan_emptied(records: list[Record], squashed: Squashed) -> list[Finding]:
    """Records whose instruction or output the fixes left empty (an ``output`` of ``[1][2]``)."""
    found = []
    for i, r in enumerate(records):
        empty = [name for name in REQUIRED_TEXT if is_blank(r[name])]  # type: ignore[literal-required]
        if empty:
            found.append((i, f"{' and '.join(empty)} empty after the fixes"))
    return found


FINDERS: list[Finder] = [
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
]
CHECKS: list[Fix | Finder] = [*FIXES, *FINDERS]
#: The rule name used in the report for records left out by ``--style``.
STYLE_RULE = "style"


def default_drop() -> frozenset[str]:
    return frozenset(f.name for f in FINDERS if f.default == DROP)


def parse_drop(text: str) -> frozenset[str]:
    """``--drop RULE[,RULE…]``: the checks whose records are dropped ("" drops none)."""
    names = frozenset(n.strip() for n in text.split(",") if n.strip())
    check_drop(names)
    return names


def check_drop(names: Iterable[str]) -> None:
    """Every name is a check that can drop records (fixes cannot)."""
    fixes = {f.name for f in FIXES}
    known = {f.name for f in FINDERS}
    for name in sorted(names):
        if name in fixes:
            raise InputError(f"--drop: {name} is a fix, not a check that can drop records; "
                             f"choose from {', '.join(sorted(known))}")
        if name not in known:
            raise InputError(f"--drop: unknown rule {name!r}; choose from {', '.join(sorted(known))}")


@dataclass
class ReviewResult:
    records: list[Record]
    rows: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    dropped: int = 0
    styles: dict[str, int] | None = None

    def summary(self) -> list[Rule]:
        """The per-rule counts as the manifest records them."""
        return [Rule(name=r["name"], action=r["action"], description=r["description"], count=r["count"])
                for r in self.rules]

    def summary_text(self, total: int, keep_all: bool) -> str:
        changed = sum(r["count"] for r in self.rules if r["action"] == FIX)
        if keep_all:
            return (f"The review checked {total:,} records and changed or dropped nothing (`--keep-all`); "
                    "what it found is flagged below and in `review.jsonl`.")
        text = (f"The review checked {total:,} records: {changed:,} fixes were made, {self.dropped:,} "
                f"records were dropped and {len(self.records):,} kept.")
        return text


def run_review(records: list[Record], drop: Iterable[str] | None = None, keep_all: bool = False,
               style: str | None = None, tag_style: bool = True) -> ReviewResult:
    """Apply the checks to ``records`` (fixes change them in place unless ``keep_all``)."""
    drop_set = frozenset() if keep_all else (default_drop() if drop is None else frozenset(drop))
    rows: list[dict[str, Any]] = []
    rules: list[dict[str, Any]] = []
    for fix in FIXES:
        count = 0
        for r in records:
            target = dict(r) if keep_all else r
            note = fix.apply(target)  # type: ignore[arg-type]
            if note is not None:
                count += 1
                rows.append({"index": r["index"], "rule": fix.name, "action": FLAGGED if keep_all else FIXED,
                             "excerpt": note})
        rules.append({"name": fix.name, "action": FLAG if keep_all else FIX, "description": fix.description,
                      "count": count})
    tagging = tag_style and not keep_all
    if tagging:
        # tagged after the fixes, which change the text
        for r in records:
            r["style"] = classify(r["output"])
    dropped: set[int] = set()
    squashed = squashed_texts(records)
    for finder in FINDERS:
        action = DROP if finder.name in drop_set or (finder.always and not keep_all) else FLAG
        findings = finder.scan(records, squashed)
        for position, note in findings:
            rows.append({"index": records[position]["index"], "rule": finder.name,
                         "action": DROPPED if action == DROP else FLAGGED, "excerpt": note})
            if action == DROP:
                dropped.add(position)
        rules.append({"name": finder.name, "action": action, "description": finder.description,
                      "count": len(findings)})
    del squashed
    kept = [r for i, r in enumerate(records) if i not in dropped] if dropped else list(records)
    result = ReviewResult(kept, rows, rules, len(dropped))
    if tagging:
        if style is not None:
            left_out = [r for r in kept if r["style"] != style]
            for r in left_out:
                rows.append({"index": r["index"], "rule": STYLE_RULE, "action": DROPPED,
                             "excerpt": f"{r['style']}: {excerpt(r['output'], len(r['output']))}"})
            rules.append({"name": STYLE_RULE, "action": DROP,
                          "description": f"keep only records whose output is `{style}` (`--style`)",
                          "count": len(left_out)})
            result.dropped += len(left_out)
            kept = [r for r in kept if r["style"] == style]
            result.records = kept
        counts: dict[str, int] = {}
        for r in kept:
            counts[r["style"]] = counts.get(r["style"], 0) + 1
        result.styles = dict(sorted(counts.items()))
    return result


#: What a finding would do to its record, for ``review --examples``.
_WOULD = {FIXED: "would be fixed", FLAGGED: "would be flagged", DROPPED: "would be dropped"}


def format_examples(result: ReviewResult, per_rule: int) -> list[str]:
    """The first ``per_rule`` findings of each rule: index, what would happen, excerpt."""
    lines: list[str] = []
    shown: dict[str, int] = {}
    by_rule: dict[str, list[str]] = {}
    for row in result.rows:
        if shown.get(row["rule"], 0) < per_rule:
            shown[row["rule"]] = shown.get(row["rule"], 0) + 1
            by_rule.setdefault(row["rule"], []).append(
                f"    index {row['index']}: {_WOULD[row['action']]}: {row['excerpt']}")
    for rule in result.rules:
        if rule["name"] in by_rule:
            lines += ["", f"{rule['name']} (first {len(by_rule[rule['name']])} of {rule['count']:,}):",
                      *by_rule[rule["name"]]]
    return lines


def format_report(result: ReviewResult, total: int, keep_all: bool = False, examples: int = 0) -> str:
    """The review as plain text, for ``dolly-ja-16k review`` (``examples`` findings per rule)."""
    lines = [result.summary_text(total, keep_all), ""]
    width = max(len(r["name"]) for r in result.rules)
    for r in result.rules:
        lines.append(f"  {r['name']:<{width}}  {r['action']:<4}  {r['count']:>6,}  {r['description']}")
    if result.styles is not None:
        lines.append("")
        lines.append("style of output: " + ", ".join(f"{k} {v:,}" for k, v in result.styles.items()))
    if examples > 0:
        lines += format_examples(result, examples)
    return "\n".join(lines)


def review_source(location: str, drop: Iterable[str] | None = None, keep_all: bool = False,
                  tag_style: bool = True, examples: int = 0) -> str:
    """Read a source and return its review report (``dolly-ja-16k review SRC``)."""
    records, _, warnings = read_source(location, {}, command="review")
    for message in warnings:
        warn(message)
    result = run_review(records, drop, keep_all, None, tag_style)
    return format_report(result, len(records), keep_all, examples)
