"""Lost opening brackets and cut-off endings: unit cases, properties, and the hand-checked sample.

tests/data/review2_sample.jsonl holds findings of the three rules on the shared source,
drawn at random (seed 2024: 100 repairs, 100 unbalanced records, every one of the 83
cut-off endings), each read and judged by hand: verdict true when the repair put the
bracket where it belongs / the bracket really pairs with nothing / the text really ends
where a sentence cannot. The test re-runs the rules and fails if any finding changed. (Two
excerpts were updated when ``citation_marks`` learned the editorial marks: 8340 and 5512 read
the same without ``[p 2][p 3][p 4][note 1]`` and ``[permanent dead link]``.)
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dolly_ja_16k.review import brackets
from dolly_ja_16k.review.run import run_review
from tests.conftest import make_record, run_cli, write_jsonl

SAMPLE = Path(__file__).parents[1] / "data" / "review2_sample.jsonl"


def test_lost_opening_brackets_are_put_back_where_certain() -> None:
    cases = {
        "World of Warcraft」「Grand Theft Auto」": "「World of Warcraft」「Grand Theft Auto」",
        "treat」と「watch」は違う。": "「treat」と「watch」は違う。",
        "1.ゲーム\n2.ブレイキング・バッド」（2008年）9.4点": "1.ゲーム\n2.「ブレイキング・バッド」（2008年）9.4点",
        "- 指輪物語』\n- ホビット』": "- 『指輪物語』\n- 『ホビット』",
        "次を分類せよ：天空の小石」「星」": "次を分類せよ：「天空の小石」「星」",
        "アバター：水の道」は映画": "「アバター：水の道」は映画",  # a colon after katakana is inside a title
        "注）イランは": "（注）イランは",
    }
    for before, after in cases.items():
        assert brackets.repair(before).text == after, before


def test_uncertain_places_are_left_alone() -> None:
    for text in ("東京は首都です。カタン」は人気だ", "「A」B」", "1）ピスタチオ、2）ナッツ", "顔 :) です",
                 "三女の名前は「アリス"):
        assert brackets.repair(text).text == text, text
    # a quote opened in the instruction and closed in the output is one pair
    assert brackets.repair("学生です」", carried=frozenset({"kagi"})).text == "学生です」"
    assert brackets.unmatched(["次の文を完成させて：「私は", "", "学生です」"]) == []


def test_cut_off_endings() -> None:
    assert brackets.cut_off("三女の名前は「アリス") is not None
    assert brackets.cut_off("リックの") is not None
    assert brackets.cut_off("ハワイには8つの島があります、") is not None
    assert brackets.cut_off("発売されましたが") is not None
    for fine in ("東京です。", "1月10日に", "東から西へ", "飼いならされたもの", "「A」と「B」", "こんにちは",
                 "1. 水\n2. 緑を"):
        assert brackets.cut_off(fine) is None, fine


_TEXT = st.text(alphabet="「」『』（）()あア1.-：\n ", max_size=40)


@given(_TEXT)
def test_balanced_text_is_never_changed(text: str) -> None:
    if brackets.balance(text).balanced:
        assert brackets.repair(text).text == text


@given(_TEXT)
def test_repair_only_inserts_opening_brackets(text: str) -> None:
    fixed = brackets.repair(text)
    assert len(fixed.text) == len(text) + len(fixed.inserted)
    assert "".join(c for i, c in enumerate(fixed.text) if i not in set(fixed.inserted)) == text
    assert all(fixed.text[i] in brackets.OPENERS for i in fixed.inserted)
    assert len(brackets.balance(fixed.text).unopened) <= len(brackets.balance(text).unopened)


def test_every_balanced_record_of_the_shared_source_is_unchanged(real_source: Path) -> None:
    records = json.loads(real_source.read_bytes())
    for r in records:
        for name in ("instruction", "input", "output"):
            if brackets.balance(r[name]).balanced:
                assert brackets.repair(r[name]).text == r[name], (r["index"], name)


def test_hand_checked_sample_matches_the_rules(real_source: Path) -> None:
    sample = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    result = run_review(json.loads(real_source.read_bytes()), tag_style=False)
    found = {(row["rule"], row["index"]): row["excerpt"] for row in result.rows}
    precision = {}
    for rule in ("lost_brackets", "unbalanced_brackets", "truncated"):
        rows = [s for s in sample if s["rule"] == rule]
        assert len(rows) >= 83
        for s in rows:  # every sampled finding is still made, with the same text
            assert found.get((rule, s["index"])) == s["excerpt"], (rule, s["index"])
        precision[rule] = sum(s["verdict"] for s in rows) / len(rows)
    assert precision == {"lost_brackets": 0.95, "unbalanced_brackets": 0.99, "truncated": 81 / 83}
    assert precision["lost_brackets"] >= 0.95
    cut = {s["index"] for s in sample if s["rule"] == "truncated" and s["verdict"]}
    assert {"3", "5017"} <= cut
    assert {i for r, i in found if r == "truncated"} >= cut


def test_review_examples_option(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [make_record(0, output="指輪物語』は小説です。"),
                                               make_record(1, output="三女の名前は「アリス"),
                                               make_record(2, output="ホビット』は小説です。")])
    result = run_cli("review", src, "--examples", "1", "--no-style")
    assert result.returncode == 0, result.stderr
    assert "lost_brackets (first 1 of 2):" in result.stdout
    assert "index 0: would be fixed: output: 指輪物語』は小説です。 → 『指輪物語』は小説です。" in result.stdout
    assert "index 1: would be flagged: output ends inside an unclosed 「" in result.stdout
