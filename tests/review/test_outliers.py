"""Outliers: fields far too long for an instruction record, and outputs too short to answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dolly_ja_16k.review.rules import TOO_LONG, short_non_answer
from dolly_ja_16k.review.run import run_review
from tests.conftest import make_record, make_records

README = Path(__file__).parents[2] / "README.md"


@pytest.mark.parametrize("output", ["よ", "い", "り", "はあ", "もの", " はあ\n"])
def test_one_or_two_hiragana_that_answer_nothing_are_too_short(output: str) -> None:
    assert short_non_answer(output)


@pytest.mark.parametrize("output", ["7", "22", "7回", "2.", "F", "鯛", "ロハ", "日本", "はい", "いいえ", "ひげ",
                                    "42", "東京で", "はいはい", "です。"])
def test_numbers_names_symbols_and_yes_no_are_answers(output: str) -> None:
    assert not short_non_answer(output)


def test_too_short_drops_and_too_long_flags_by_default() -> None:
    records = [*make_records(3), make_record(3, output="よ"),
               make_record(4, instruction="ログ：" + "x" * TOO_LONG["instruction"]),
               make_record(5, output="答え。" * (TOO_LONG["output"] // 3 + 1))]
    result = run_review(records, tag_style=False)
    rules = {r.name: (r.action, r.count) for r in result.rules}
    assert rules["too_short"] == ("drop", 1) and rules["too_long"] == ("flag", 2)
    assert [r["index"] for r in result.records] == ["0", "1", "2", "4", "5"]
    long_rows = [r["excerpt"] for r in result.rows if r["rule"] == "too_long"]
    assert long_rows[0].startswith(f"instruction {TOO_LONG['instruction'] + 3:,} > {TOO_LONG['instruction']:,} chars")
    assert long_rows[1].startswith("output ")


def test_a_field_at_the_limit_is_not_too_long() -> None:
    records = [make_record(0, instruction="x" * TOO_LONG["instruction"], input="y" * TOO_LONG["input"],
                           output="z" * TOO_LONG["output"])]
    assert {r.name: r.count for r in run_review(records, tag_style=False).rules}["too_long"] == 0


def test_the_readme_gives_the_limits() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    limits = ", ".join(f"{name} {limit:,}" for name, limit in TOO_LONG.items())
    assert f"`too_long` limits (characters): {limits}" in text


def test_real_outliers(real_source: Path) -> None:
    records = json.loads(real_source.read_bytes())
    result = run_review(records, tag_style=False)
    short = {r["index"]: r["excerpt"] for r in result.rows if r["rule"] == "too_short"}
    assert "5731" in short and "2041" in short and len(short) == 20
    assert sum("'はあ'" in e for e in short.values()) == 16
    assert {r["index"] for r in result.rows if r["rule"] == "too_long"} == {"10838", "1868"}


def test_the_limits_sit_above_every_ordinary_record(real_source: Path) -> None:
    """The README's figures: 99.9th percentiles, the next-longest field, the 99 outputs of 1–2 characters."""
    records = json.loads(real_source.read_bytes())
    for name, p999, next_longest in (("instruction", 740, 1701), ("input", 5504, 13735), ("output", 3116, 5403)):
        lengths = sorted(len(r[name]) for r in records)
        assert lengths[int(len(lengths) * 0.999)] == p999
        below = [n for n in lengths if n <= TOO_LONG[name]]
        assert below[-1] == next_longest and 2.5 * p999 < TOO_LONG[name] < 4 * p999
    assert sum(len(r["output"].strip()) <= 2 for r in records) == 99
