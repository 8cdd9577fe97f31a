"""Make the evidence behind ``review/marks.py`` from the shared source (run by hand, not by pytest).

``python -m tests.review.marks_evidence SOURCE`` writes ``tests/data/bracket_tokens.tsv`` (every
bracketed token of the source, digits shown as N, with its count and what the rule does with it)
and, with ``--sample``, draws the seeded sample of removed and kept tokens that was judged by hand
into ``tests/data/marks_sample.jsonl`` (the verdicts are added by hand afterwards).
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

from dolly_ja_16k.review import marks

DATA = Path(__file__).parent.parent / "data"
TOKENS = DATA / "bracket_tokens.tsv"
SAMPLE = DATA / "marks_sample.jsonl"
SEED = 21
FIELDS = ("instruction", "input", "output")
WIDTH = 20


def pattern(token: str) -> str:
    """The token with every run of ASCII digits shown as N: ``[12]`` and ``[3]`` are one pattern."""
    return re.sub(r"[0-9]+", "N", token)


def occurrences(records: list[dict[str, str]]) -> list[dict[str, object]]:
    """Every bracketed token of every field, with its context and whether the rule removes it."""
    found: list[dict[str, object]] = []
    for r in records:
        for name in FIELDS:
            text = r[name]
            for m in marks.TOKEN.finditer(text):
                start, end = m.span()
                found.append({"index": r["index"], "field": name, "token": m.group(),
                              "before": text[max(0, start - WIDTH):start], "after": text[end:end + WIDTH],
                              "removed": marks.is_mark(m.group(1), text[start - 1:start], text[end:end + 5])})
    return found


def table(found: list[dict[str, object]]) -> str:
    """One line per pattern: pattern, count, removed, kept, decision (remove, keep or context)."""
    count = Counter(pattern(str(f["token"])) for f in found)
    removed = Counter(pattern(str(f["token"])) for f in found if f["removed"])
    lines = ["pattern\tcount\tremoved\tkept\tdecision"]
    for p, n in sorted(count.items(), key=lambda kv: (-kv[1], kv[0])):
        r = removed[p]
        decision = "remove" if r == n else "keep" if r == 0 else "context"
        lines.append(f"{p}\t{n}\t{r}\t{n - r}\t{decision}")
    return "\n".join(lines) + "\n"


def sample(found: list[dict[str, object]]) -> list[dict[str, object]]:
    """110 kept tokens, 100 removed lettered/labelled/tag marks and 60 removed numbered ones, seeded."""
    rng = random.Random(SEED)
    kept = [f for f in found if not f["removed"]]
    numbered = [f for f in found if f["removed"] and re.fullmatch(r"\[[0-9]+\]", str(f["token"]))]
    other = [f for f in found if f["removed"] and not re.fullmatch(r"\[[0-9]+\]", str(f["token"]))]
    return rng.sample(other, 100) + rng.sample(numbered, 60) + rng.sample(kept, 110)


def main(source: str, with_sample: bool) -> None:
    found = occurrences(json.loads(Path(source).read_text(encoding="utf-8")))
    TOKENS.write_text(table(found), encoding="utf-8")
    if with_sample:
        SAMPLE.write_text("".join(json.dumps(f, ensure_ascii=False) + "\n" for f in sample(found)), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], "--sample" in sys.argv[2:])
