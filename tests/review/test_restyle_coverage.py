"""Coverage of the register converter on the shared source (issue 19's "done when").

- sentences ending in 。！？ outside quotes: after ``--to jotai`` at most 5% of the records that
  had a polite one still have one; after ``--to keitai`` at most 10% of those that had a plain one;
- outside clause-final kana nothing changes in at least 99.5% of records;
- an answer already wholly in the target register, and one without any predicate, comes out
  byte-identical.
"""

from __future__ import annotations

import json

import pytest

from dolly_ja_16k.review.restyle import Change, Restyled, restyle
from dolly_ja_16k.review.restyle_coverage import Coverage, kana_only, measure, other_register_end
from dolly_ja_16k.review.style import JOTAI, KEITAI
from tests.conftest import SHARED_SOURCE

GOALS = {JOTAI: 0.05, KEITAI: 0.10}


@pytest.fixture(scope="module")
def outputs() -> list[str]:
    if not SHARED_SOURCE.is_file():
        pytest.skip(f"real source not present at {SHARED_SOURCE}")
    return [r["output"] for r in json.loads(SHARED_SOURCE.read_bytes())]


@pytest.fixture(scope="module", params=[JOTAI, KEITAI])
def coverage(request: pytest.FixtureRequest, outputs: list[str]) -> Coverage:
    return measure(outputs, request.param)


def test_coverage_on_the_shared_source(coverage: Coverage) -> None:
    c = coverage
    print(f"\nto {c.to}: {c.records:,} records, {c.changed:,} changed ({c.changes:,} endings); "
          f"{c.still_other:,} of {c.had_other:,} with an ending in the other register keep one "
          f"({c.still_share:.2%}); left by reason: {dict(c.remaining.most_common())}; "
          f"clause-final kana only: {c.kana_only:,} ({c.kana_only_share:.3%}); "
          f"wholly {c.to}: {c.wholly_target_identical:,} of {c.wholly_target:,} identical; "
          f"no predicate: {c.no_predicate_identical:,} of {c.no_predicate:,} identical")
    assert c.records == 15015
    assert c.had_other > 4000  # both registers are common in the source
    assert c.still_share <= GOALS[c.to]
    assert c.kana_only_share >= 0.995
    assert c.wholly_target > 5000 and c.wholly_target_identical == c.wholly_target
    assert c.no_predicate > 3000 and c.no_predicate_identical == c.no_predicate


def test_the_measures_can_fail() -> None:
    """The checks behind the numbers see what they should (so a passing coverage test means something)."""
    assert other_register_end("東京です。", JOTAI) and not other_register_end("東京である。", JOTAI)
    assert other_register_end("東京である。", KEITAI) and not other_register_end("東京です。", KEITAI)
    assert not other_register_end("「東京です。」と言った。", JOTAI)  # the quote is not the sentence's end
    text = "手紙を書きました。"
    assert kana_only(text, restyle(text, JOTAI))
    stem_changed = Restyled("手紙を記した。", (Change(3, "書きまし", "記し"),), ())
    assert not kana_only(text, stem_changed)
    mid_clause = Restyled("", (Change(0, "わ", "あ"),), ())
    assert not kana_only("わたしは書きました。", mid_clause)
    joining = "延びましたが、完成した。"
    assert kana_only(joining, restyle(joining, JOTAI))
    unmarked = Restyled("", (Change(2, "ます", "る"),), ())  # a change before ので not marked as inside a sentence
    assert not kana_only("ありますので大丈夫", unmarked)
    small = measure(["東京です。", "東京である。", "りんご", "確認してください。"], JOTAI)
    assert (small.had_other, small.still_other, small.changed) == (2, 1, 1)
    assert small.remaining == {"request": 1}
    assert (small.wholly_target, small.wholly_target_identical, small.no_predicate) == (2, 2, 1)
