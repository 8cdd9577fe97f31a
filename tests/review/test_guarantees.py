"""What every rule keeps: clean records are never changed, and `review --examples` shows each rule."""

from __future__ import annotations

import copy
from pathlib import Path

from dolly_ja_16k.review.rules import FINDERS, FIXES
from dolly_ja_16k.review.run import run_review
from tests.conftest import make_record, run_cli, write_jsonl

#: Hand-picked clean records: brackets that are content, short answers, code, lists, numbers.
CLEAN = [
    make_record(0, instruction="ハワイの発音は？", input="ハワイ語: Hawaiʻi [həˈvɐʔi]",
                output="[həˈvɐʔi] と発音します。"),
    make_record(1, instruction="このコードは何をしますか？", input="for i in range(n): total += a[i]",
                output="配列 a の要素を合計します。x[0] = 1 のように書くこともできます。"),
    make_record(2, instruction="区間を説明して", output="閉区間 [a, b] は a 以上 b 以下の実数です。"),
    make_record(3, instruction="参考文献は？", output="『文化と帝国主義』[1994] を参照。"),
    make_record(4, instruction="リンクを書いて",
                output="[分散](https://en.wikipedia.org/wiki/Variance) を読んでください。"),
    make_record(5, instruction="いつ生まれた？", output="1月10日に"),
    make_record(6, instruction="どこで会う？", output="東京で"),
    make_record(7, instruction="アメリカの初代大統領は？", output="ジョージ・ワシントン"),
    make_record(8, instruction="チェス盤は何マス？", output="64"),
    make_record(9, instruction="シアトルは住みやすい？", output="はい"),
    make_record(10, instruction="果物を挙げて", output="1. りんご\n2. みかん\n3. ぶどう"),
    make_record(11, instruction="型を書いて", output="整数の結果を待つ型は Future[Int] と書きます。"),
    make_record(12, instruction="テンプレートを書いて", output="こんにちは、[NAME]です。よろしくお願いします。"),
    make_record(13, instruction="どちらが魚？", output="鯛"),
    make_record(14, instruction="車のクラクションのキーは？", output="F"),
    make_record(15, instruction="説明して", output="東から西へ"),
]


def test_a_clean_record_is_never_changed_or_flagged() -> None:
    records = copy.deepcopy(CLEAN)
    result = run_review(records, tag_style=False)
    assert [r.pop("flags") for r in records] == [[]] * len(CLEAN)  # the review's own column, empty
    assert records == CLEAN
    assert result.rows == [] and result.dropped == 0


def test_review_examples_show_every_rule_that_found_something(tmp_path: Path) -> None:
    records = [
        make_record(0, output=" 空白が前にある答えです。"),  # whitespace
        make_record(1, output="答えです[citation needed]。"),  # citation_marks
        make_record(2, output="指輪物語』は小説です。"),  # lost_brackets
        make_record(3, output="[1][2]"),  # emptied_by_fixes
        make_record(4, input="同じ文です。", output="同じ文です。"),  # input_equals_output
        make_record(5, instruction="この文を書いて。", output="この文を書いて。"),  # output_in_instruction
        make_record(6),
        make_record(7, instruction="質問その6に答えてください。", output="これは答え6です。"),  # duplicate
        make_record(8, output="よ"),  # too_short
        make_record(9, instruction="ログ：" + "x" * 3000),  # too_long
        make_record(10, instruction="List bands.", output="Oasis, Blur, Pulp"),  # non_japanese
        make_record(11, output="ローソンは、日本のコンビニエンスストアフランチャイズチェーンで"),  # truncated
        make_record(12, output="これは「A」B」です。"),  # unbalanced_brackets
    ]
    src = write_jsonl(tmp_path / "src.jsonl", records)
    result = run_cli("review", src, "--no-style", "--examples", "1")
    assert result.returncode == 0, result.stderr
    for rule in (*FIXES, *FINDERS):
        assert f"\n{rule.name} (first 1 of " in result.stdout, rule.name
