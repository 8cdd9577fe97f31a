"""How much of a source ``restyle`` converts, and proof that it changes nothing else.

Measured per record, over the answers (``output``) of a source, for one target register:

- **still in the other register**: of the records that had a sentence ending in 。！？!?
  (outside quotes) in the other register, how many still have one after the conversion; the
  endings left, by reason (``request`` for 〜てください, ``unsure``, …);
- **clause-final kana only**: records whose every change is hiragana replaced by hiragana,
  followed by at most a few hiragana (た, か, ね, が, ので) before the clause ends;
- **byte-identical**: records already wholly in the target register (no ending in the other
  register, and towards plain no polite form before a joining particle) and records without
  any predicate must come out exactly as they went in.

Sentence endings are read with the style tagger's own rules (``sentences``, ``style``), so
"polite" and "plain" mean here what the ``style`` column means.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from dolly_ja_16k.review.restyle import Restyled, restyle
from dolly_ja_16k.review.rewrite import DEARU
from dolly_ja_16k.review.sentences import endings
from dolly_ja_16k.review.style import JOTAI, NONE, PLAIN, POLITE, classify, window_kind

_SENTENCE_MARKS = frozenset("。！？!?")
#: Endings left inside quotes, labels and code are not sentence ends: they do not count.
_NOT_REMAINING = frozenset({"quoted", "label", "code"})
_HIRAGANA_ONLY = re.compile(r"[\u3041-\u309f]*")
#: What may follow a change before its sentence ends: the unchanged end of the ending (た of
#: ました → た) or a final particle (か, ね), then a mark, a space, a bracket or the end.
_SENTENCE_END_AFTER = re.compile(r"[\u3041-\u309f]{0,4}(?:$|(?=[^\w]))")
#: … or, for a clause inside a sentence, a joining particle (延びたが, あるので).
_JOINING_AFTER = re.compile(r"[\u3041-\u309f]{0,2}(?:が|ので|から|けれど|けど|し|のに)")


@dataclass
class Coverage:
    """The numbers for one source and one target register (counts of records unless said)."""

    to: str
    records: int = 0
    changed: int = 0
    changes: int = 0  # endings changed
    had_other: int = 0  # records with a sentence ending (。！？) in the other register
    still_other: int = 0  # … that still have one after the conversion
    kana_only: int = 0  # records whose changes are all clause-final kana
    wholly_target: int = 0  # records already wholly in the target register
    wholly_target_identical: int = 0
    no_predicate: int = 0  # records without any predicate (style none)
    no_predicate_identical: int = 0
    remaining: Counter[str] = field(default_factory=Counter)  # endings left in the other register, by reason

    @property
    def still_share(self) -> float:
        return self.still_other / self.had_other if self.had_other else 0.0

    @property
    def kana_only_share(self) -> float:
        return self.kana_only / self.records if self.records else 1.0


def other_register_end(text: str, to: str) -> bool:
    """True if a sentence of ``text`` ending in 。！？!? outside quotes ends in the register opposite to ``to``."""
    other = POLITE if to == JOTAI else PLAIN
    return any(e.mark in _SENTENCE_MARKS and e.window and not e.protected and window_kind(e.window) == other
               for e in endings(text))


def kana_only(text: str, result: Restyled) -> bool:
    """True if every change replaces hiragana with hiragana at the end of a clause."""
    for change in result.changes:
        if not (_HIRAGANA_ONLY.fullmatch(change.before) and _HIRAGANA_ONLY.fullmatch(change.after)):
            return False
        after = change.start + len(change.before)
        if not (_SENTENCE_END_AFTER.match(text, after) or (change.inside and _JOINING_AFTER.match(text, after))):
            return False
    return True


def measure(texts: Iterable[str], to: str, copula: str = DEARU) -> Coverage:
    """Restyle every text towards ``to`` and count what changed, what stayed, and why."""
    cov = Coverage(to)
    for text in texts:
        result = restyle(text, to, copula)
        cov.records += 1
        cov.changed += result.text != text
        cov.changes += len(result.changes)
        cov.kana_only += kana_only(text, result)
        if other_register_end(text, to):
            cov.had_other += 1
            if other_register_end(result.text, to):
                cov.still_other += 1
                cov.remaining.update(left.reason for left in result.left if left.reason not in _NOT_REMAINING)
        _count_identical(cov, text, result)
    return cov


def _count_identical(cov: Coverage, text: str, result: Restyled) -> None:
    """Count the records that must come out unchanged, and those that did."""
    # a predicate inside a sentence (a polite form before が, ので) is a predicate too: such a
    # record is neither without predicates nor wholly plain, whatever its sentence ends are
    if any(c.inside for c in result.changes):
        return
    style = classify(text)
    if style == NONE:
        cov.no_predicate += 1
        cov.no_predicate_identical += result.text == text
    if style in (NONE, cov.to):
        cov.wholly_target += 1
        cov.wholly_target_identical += result.text == text
