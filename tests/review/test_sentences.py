"""Where sentences end and what is not a sentence: the rules the tagger and the converter share."""

from __future__ import annotations

import pytest

from dolly_ja_16k.review.sentences import (
    CODE,
    KATAKANA_NOUN,
    LABEL,
    QUOTED,
    endings,
    protected_spans,
    window_of,
    windows,
)


def ends(text: str) -> list[tuple[str, str, str]]:
    """(text up to the ending, its protection, its mark) for every ending of ``text``."""
    return [(text[:e.end], e.protected, e.mark) for e in endings(text)]


def test_sentences_end_at_marks_line_breaks_colons_and_the_end() -> None:
    text = "雨です。晴れます！曇りますか？\n次のとおりです：\n終わります"
    assert [(e.mark, e.window) for e in endings(text)] == [
        ("。", "雨です"), ("！", "晴れます"), ("？", "曇りますか"), ("：", "次のとおりです"), ("", "終わります")]


def test_symbols_brackets_and_citation_marks_after_the_last_word_are_set_aside() -> None:
    assert [e.window for e in endings("東京にあります[1]。")] == ["東京にあります"]
    assert [e.window for e in endings("東京にあります。[1][2]")] == ["東京にあります"]
    assert [e.window for e in endings("（詳しくは後述します）")] == ["後述します"]


def test_endings_without_hiragana_have_no_window() -> None:
    assert endings("日本の首都は東京。Tokyo.\n1955年") == []  # 体言止め, names, numbers


def test_the_window_holds_the_stem_and_the_final_kana() -> None:
    assert window_of("長い説明の文章がここに続いていて最後に終わります") == "終わります"
    assert window_of("勉強することができます") == "勉強することができます"
    assert window_of("ではありませんでした") == "ではありませんでした"
    assert window_of("東京は「首都」です") == "」です"  # a closing bracket shows a noun ended
    assert window_of("成長率は20％です") == "％です"
    assert window_of("関数 fib(n) です") == ")です"  # spaces before the ending are dropped
    assert window_of("東京") == ""


def test_a_loanword_before_the_ending_is_analysed_as_one_stand_in() -> None:
    assert window_of("キャラクターです") == KATAKANA_NOUN + "です"
    assert window_of("東京タワーです") == KATAKANA_NOUN + "です"


@pytest.mark.parametrize(("text", "quoted"), [
    ("彼は「行きます。」と言った。", ["「行きます。」"]),
    ("『吾輩は猫である』と「坊っちゃん」", ["『吾輩は猫である』", "「坊っちゃん」"]),
    ("「外側『内側』外側」です。", ["「外側『内側』外側」"]),
    ("“Hello” and \"world\"", ["“Hello”", "\"world\""]),
    ("まず自分にお金を払う」という原則。", ["まず自分にお金を払う」"]),  # the opening half was lost
    ("ニール・ヤングの「ハート・オブ・ゴールド", ["「ハート・オブ・ゴールド"]),  # never closed: to the line end
    ("「一行目\n二行目」です。", ["「一行目", "二行目」"]),  # quotes pair within a line
])
def test_quotes(text: str, quoted: list[str]) -> None:
    assert [text[a:b] for a, b, reason in protected_spans(text) if reason == QUOTED] == quoted


def test_an_ending_inside_a_quote_is_protected() -> None:
    assert ends("彼は「行きます。」と言った。") == [
        ("彼は「行きます", QUOTED, "。"), ("彼は「行きます。」と言った", "", "。")]
    assert windows("彼は「行きます。」と言った。") == ["言った"]


@pytest.mark.parametrize(("line", "label"), [
    ("- 毎日運動する", True),
    ("* 毎日運動する", True),
    ("・毎日運動する", True),
    ("1. 日記を書く", True),
    ("2) 日記を書く", True),
    ("（3）日記を書く", True),
    ("① 日記を書く", True),
    ("a) 日記を書く", True),
    ("注意：必ず確認する", True),
    ("使い方: 毎日使う", True),
    ("1. 日記を書く。", False),  # it ends in a sentence mark: a sentence
    ("注意：必ず確認する。", False),
    ("次のとおりです：", False),  # a colon at the end introduces a list
    ("毎日運動する", False),
    ("この長い前置きの文章は三十文字を超えているのでラベルではありません：説明", False),
])
def test_list_items_and_label_lines(line: str, label: bool) -> None:
    assert ((0, len(line), LABEL) in protected_spans(line)) is label


def test_code() -> None:
    text = "例：\n```\nx = 1  # 変数を使う\n```\n`print()` を使います。"
    code = [text[a:b] for a, b, reason in protected_spans(text) if reason == CODE]
    assert code == ["```\nx = 1  # 変数を使う\n```", "`print()`"]
    assert windows(text) == ["使います"]


def test_answers_without_any_quote_label_or_code_have_no_spans() -> None:
    assert protected_spans("東京は日本の首都です。人口は多いです。") == []
