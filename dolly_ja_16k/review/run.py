"""The review run: apply the rules (``rules.py``) in order and report what they found.

``run_review`` applies the fixes, tags the style of each answer, runs the finders and
returns the kept records, one report row per finding (written to ``review.jsonl``) and
one ``Rule`` per rule with its count, in the form the manifest records. The same
``Rule`` list makes the ``dolly-ja-16k review`` report and, through the manifest, the
card's data-quality table; ``rules.summary_sentence`` is the one sentence both open with.

Fixes run first (whitespace, citation marks, brackets), so the finders see the text that
will be written. ``--keep-all`` turns every rule into a flag: nothing is changed or dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dolly_ja_16k.errors import one_line
from dolly_ja_16k.read.records import Record
from dolly_ja_16k.read.sources import read_source
from dolly_ja_16k.review.rules import (
    DROP,
    FINDERS,
    FIXES,
    FLAG,
    default_drop,
    excerpt,
    squashed_texts,
    summary_sentence,
)
from dolly_ja_16k.review.style import classify
from dolly_ja_16k.review.summary import Rule

log = logging.getLogger(__name__)

#: What a report row says happened to the record.
FIXED, FLAGGED, DROPPED = "fixed", "flagged", "dropped"
#: With ``--keep-all``, a row's ``would``: what a build with the default rules would have done.
WOULD_FIX, WOULD_DROP = "fix", "drop"
#: The rule name used in the report for records left out by ``--style``.
STYLE_RULE = "style"


@dataclass
class ReviewResult:
    """The kept records, one report row per finding, and each rule with its action and count."""

    records: list[Record]
    rows: list[dict[str, Any]] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    dropped: int = 0
    styles: dict[str, int] | None = None


def _apply_fixes(records: list[Record], keep_all: bool, rows: list[dict[str, Any]]) -> list[Rule]:
    """Run every fix over every record (on copies with ``keep_all``); one row per changed record."""
    rules = []
    for fix in FIXES:
        count = 0
        for r in records:
            target = dict(r) if keep_all else r
            note = fix.apply(target)  # type: ignore[arg-type]
            if note is not None:
                count += 1
                row = {"index": r["index"], "rule": fix.name, "action": FLAGGED if keep_all else FIXED}
                if keep_all:  # what a build without --keep-all would do, next to the note of that change
                    row["would"] = WOULD_FIX
                rows.append({**row, "excerpt": note})
        rules.append(Rule(name=fix.name, action=FLAG if keep_all else fix.action, description=fix.description,
                          count=count))
    return rules


def _run_finders(records: list[Record], drop_set: frozenset[str], keep_all: bool,
                 rows: list[dict[str, Any]]) -> tuple[list[Rule], set[int]]:
    """Run every finder; the positions of the records to drop, one row per finding."""
    rules = []
    dropped: set[int] = set()
    squashed = squashed_texts(records)
    defaults = default_drop()
    for finder in FINDERS:
        action = DROP if finder.name in drop_set or (finder.always and not keep_all) else FLAG
        would = WOULD_DROP if keep_all and (finder.always or finder.name in defaults) else None
        findings = finder.scan(records, squashed)
        for position, note in findings:
            row = {"index": records[position]["index"], "rule": finder.name,
                   "action": DROPPED if action == DROP else FLAGGED}
            if would is not None:
                row["would"] = would
            rows.append({**row, "excerpt": note})
            if action == DROP:
                dropped.add(position)
        rules.append(Rule(name=finder.name, action=action, description=finder.description, count=len(findings)))
    return rules, dropped


def _attach_flags(records: list[Record], rows: list[dict[str, Any]]) -> None:
    """Give every record its ``flags``: the rules that flagged it, in rule order ([] when none).

    A fix that changed the text and a rule that dropped the record are not flags; with
    ``--keep-all`` every finding is one, so the flags name every rule that found something.
    """
    flagged: dict[str, list[str]] = {}
    for row in rows:
        if row["action"] == FLAGGED:
            names = flagged.setdefault(row["index"], [])
            if row["rule"] not in names:
                names.append(row["rule"])
    for r in records:
        r["flags"] = flagged.get(r["index"], [])


def _filter_style(result: ReviewResult, style: str) -> None:
    """Leave out the kept records whose answer is not in ``style`` (``--style``), as a rule of its own."""
    left_out = [r for r in result.records if r["style"] != style]
    for r in left_out:
        result.rows.append({"index": r["index"], "rule": STYLE_RULE, "action": DROPPED,
                            "excerpt": f"{r['style']}: {excerpt(r['output'], len(r['output']))}"})
    result.rules.append(Rule(name=STYLE_RULE, action=DROP,
                             description=f"keep only records whose output is `{style}` (`--style`)",
                             count=len(left_out)))
    result.dropped += len(left_out)
    result.records = [r for r in result.records if r["style"] == style]


def run_review(records: list[Record], drop: Iterable[str] | None = None, keep_all: bool = False,
               style: str | None = None, tag_style: bool = True) -> ReviewResult:
    """Apply the rules to ``records`` (fixes change them in place unless ``keep_all``)."""
    drop_set = frozenset() if keep_all else (default_drop() if drop is None else frozenset(drop))
    rows: list[dict[str, Any]] = []
    rules = _apply_fixes(records, keep_all, rows)
    tagging = tag_style and not keep_all
    if tagging:
        # tagged after the fixes, which change the text
        for r in records:
            r["style"] = classify(r["output"])
    found, dropped = _run_finders(records, drop_set, keep_all, rows)
    _attach_flags(records, rows)
    kept = [r for i, r in enumerate(records) if i not in dropped] if dropped else list(records)
    result = ReviewResult(kept, rows, rules + found, len(dropped))
    if tagging:
        if style is not None:
            _filter_style(result, style)
        counts: dict[str, int] = {}
        for r in result.records:
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
            what = _WOULD[row["action"]] + (f" (a build would {row['would']} it)" if "would" in row else "")
            by_rule.setdefault(row["rule"], []).append(one_line(f"    index {row['index']}: {what}: {row['excerpt']}"))
    for rule in result.rules:
        if rule.name in by_rule:
            lines += ["", f"{rule.name} (first {len(by_rule[rule.name])} of {rule.count:,}):", *by_rule[rule.name]]
    return lines


def format_report(result: ReviewResult, total: int, keep_all: bool = False, examples: int = 0) -> str:
    """The review as plain text, for ``dolly-ja-16k review`` (``examples`` findings per rule)."""
    lines = [summary_sentence(total, result.rules, result.dropped, len(result.records), keep_all), ""]
    width = max(len(r.name) for r in result.rules)
    for r in result.rules:
        lines.append(f"  {r.name:<{width}}  {r.action:<4}  {r.count:>6,}  {r.description}")
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
        log.warning(message)
    result = run_review(records, drop, keep_all, None, tag_style)
    return format_report(result, len(records), keep_all, examples)
