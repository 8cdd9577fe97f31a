"""The review step: the rules (``rules.py``) applied between reading and splitting.

``run_review`` applies the checks in order and returns the kept records, one report row
per finding (written to ``review.jsonl``) and per-rule counts for the manifest and card.

Fixes run first (whitespace, citation marks), so the other checks see the text that will
be written. ``--keep-all`` turns every check into a flag: nothing is changed or dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dolly_ja_16k.manifest import Rule
from dolly_ja_16k.read.records import Record
from dolly_ja_16k.read.sources import read_source, warn
from dolly_ja_16k.review.rules import DROP, FINDERS, FIX, FIXES, FLAG, default_drop, excerpt, squashed_texts
from dolly_ja_16k.review.style import classify

#: What a report row says happened to the record.
FIXED, FLAGGED, DROPPED = "fixed", "flagged", "dropped"
#: The rule name used in the report for records left out by ``--style``.
STYLE_RULE = "style"


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
