"""``truncated`` on outputs: the new endings, natural short answers, and recall and precision on a judged sample.

tests/data/truncated_sample.jsonl: 600 outputs of a default review of the shared source that
end without 。！？ (seeds 21 and 22, 300 each) and 100 that end with one (seed 21), each read
and marked ``verdict: true`` when the answer is cut off (stops in mid-sentence, on 、, inside
an opening bracket it never closes). ``ending`` is the last 60 characters, for reading.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dolly_ja_16k.review import brackets
from dolly_ja_16k.review.fragments import fragment
from dolly_ja_16k.review.run import run_review
from tests.conftest import make_record, read_jsonl, run_cli, write_jsonl

SAMPLE = Path(__file__).parents[1] / "data" / "truncated_sample.jsonl"
README = Path(__file__).parents[2] / "README.md"

CUT = [
    "…リテンションマーケティングにマーケティングオートメーションを使用します。で",
    "ローソンは、日本のコンビニエンスストアフランチャイズチェーンで",
    "こうしてオディシャ政府がGIステータスを申請した。インドGIレジストリーで承認されて2019年7月29日に",
    "現在までに3,000万部以上が販売され、35カ国語に翻訳されている。1",
    "日産タイタン（トラック）、テスラモデル3（自動車",
    "この地域は古くから交易で栄えた。港には世界中から船が集まり、街の人口も",
]
NATURAL = ["1月10日に", "東京で", "東から西へ", "私も", "ジョージ・ワシントン",
           "名前の由来は、パイナップル缶のブランドから",
           "ノルウェー、冬季五輪のメダル獲得数で歴代トップに", "する目的のために", "東京（日本）", "顔文字 :)",
           "全部で8つの島があります。"]


@pytest.mark.parametrize("text", CUT)
def test_cut_off_answers(text: str) -> None:
    assert brackets.cut_off(text, answer=True) is not None


@pytest.mark.parametrize("text", NATURAL)
def test_natural_short_answers_are_not_cut_off(text: str) -> None:
    assert brackets.cut_off(text, answer=True) is None and fragment(text) is None


def test_an_input_is_judged_on_the_old_endings_only() -> None:
    assert brackets.cut_off("日本のコンビニエンスストアフランチャイズチェーンで") is None


def test_a_long_answer_that_stops_without_a_predicate() -> None:
    head = "ネットワークは学習サイクルを繰り返すと、計算の誤差が小さくなる状態に収束する。" * 2
    assert fragment(head + "この場合、ネットワークはある目標関数") is not None
    assert fragment(head + "米国と欧州連合は経済的なペナルティを課し") is not None
    assert fragment(head + "好きな犬種は柴犬") is None  # a noun after は: the predicate is understood
    assert fragment("短い。ある目標関数") is None  # a short answer is not judged


def test_truncated_flags_in_the_review_and_examples(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [make_record(0, output=CUT[1]), make_record(1, output="東京で")])
    result = run_cli("review", src, "--no-style", "--examples", "3")
    assert result.returncode == 0, result.stderr
    assert "index 0: would be flagged: output a long sentence stops on で" in result.stdout
    assert "index 1:" not in result.stdout


def _measured(real_source: Path) -> tuple[int, int, int]:
    """(cut-off outputs in the sample, those the rule flags, outputs of the sample it flags)."""
    sample = read_jsonl(SAMPLE)
    result = run_review(json.loads(real_source.read_bytes()), tag_style=False)
    kept = {r["index"]: r["output"] for r in result.records}
    flagged = {row["index"] for row in result.rows if row["rule"] == "truncated"
               and (row["excerpt"].startswith("output ") or "; output " in row["excerpt"])}
    for s in sample:  # the sample is what the rule saw
        assert kept[s["index"]].rstrip().endswith(s["ending"])
    cut = {s["index"] for s in sample if s["verdict"]}
    found = {s["index"] for s in sample} & flagged
    return len(cut), len(cut & found), len(found)


def test_recall_and_precision_on_the_judged_sample(real_source: Path) -> None:
    sample = read_jsonl(SAMPLE)
    assert sum(not s["ends_in_stop"] for s in sample) >= 300 and sum(s["ends_in_stop"] for s in sample) >= 100
    cut, caught, flagged = _measured(real_source)
    recall, precision = caught / cut, caught / flagged
    assert (cut, caught, flagged) == (20, 18, 18)
    assert recall >= 0.8 and precision >= 0.9
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert f"recall {recall:.0%} ({caught}/{cut}), precision {precision:.0%} ({caught}/{flagged})" in text
