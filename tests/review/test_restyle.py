"""The register converter: every convention of issue 19 in both directions, and what it never touches.

Each case is written by hand: the sentence and what it must become. Cases on the real source
(judged by reading) are in ``test_restyle_sample.py``.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dolly_ja_16k.review.restyle import (
    DA,
    IMPERATIVE,
    PARTICLE,
    REQUEST,
    UNSURE,
    Change,
    restyle,
)
from dolly_ja_16k.review.sentences import CODE, LABEL, QUOTED
from dolly_ja_16k.review.style import JOTAI, KEITAI, classify

TO_PLAIN = [
    # noun / な-adjective + です, でした, のです, でしょう, ではありません
    ("東京は日本の首都です。", "東京は日本の首都である。"),
    ("彼はとても親切でした。", "彼はとても親切であった。"),
    ("それが理由なのです。", "それが理由なのである。"),
    ("だから行くんです。", "だから行くのである。"),
    ("明日は雨が降るでしょう。", "明日は雨が降るだろう。"),
    ("それは正解ではありません。", "それは正解ではない。"),
    ("彼は学生ではありませんでした。", "彼は学生ではなかった。"),
    ("一番人気があるのはりんごです。", "一番人気があるのはりんごである。"),
    ("理由は天気が悪かったからです。", "理由は天気が悪かったからである。"),
    # verb + ます and its forms, with the sound changes of the past
    ("毎日日記を書きます。", "毎日日記を書く。"),
    ("手紙を書きました。", "手紙を書いた。"),
    ("川で泳ぎました。", "川で泳いだ。"),
    ("本を読みました。", "本を読んだ。"),
    ("友達が来ました。", "友達が来た。"),
    ("宿題をしました。", "宿題をした。"),
    ("東京へ行きました。", "東京へ行った。"),
    ("試合が始まりました。", "試合が始まった。"),
    ("お金がありません。", "お金がない。"),
    ("答えがわかりません。", "答えがわからない。"),
    ("誰も来ませんでした。", "誰も来なかった。"),
    ("雪は降りませんでした。", "雪は降らなかった。"),
    ("彼は東京に住んでいます。", "彼は東京に住んでいる。"),
    ("当時は大阪に住んでいました。", "当時は大阪に住んでいた。"),
    ("このように言われております。", "このように言われている。"),
    ("雨が降るかもしれません。", "雨が降るかもしれない。"),
    ("それは良い考えだと思います。", "それは良い考えだと思う。"),
    ("好きな色を選びましょう。", "好きな色を選ぼう。"),
    ("一緒に行きましょう。", "一緒に行こう。"),
    ("こちらが受付でございます。", "こちらが受付である。"),
    ("多くの種類がございます。", "多くの種類がある。"),
    ("先生がいらっしゃいます。", "先生がいらっしゃる。"),
    # adjective + です
    ("このケーキはおいしいです。", "このケーキはおいしい。"),
    ("試験は難しかったです。", "試験は難しかった。"),
    ("あまり高くないです。", "あまり高くない。"),
    ("海外に行きたいです。", "海外に行きたい。"),
    # questions and final particles
    ("それは本当ですか？", "それは本当か？"),
    ("何を食べますか？", "何を食べるか？"),
    ("明日は晴れるでしょうか。", "明日は晴れるだろうか。"),
    ("いい質問ですね。", "いい質問だね。"),
    ("とても楽しいですよ。", "とても楽しいよ。"),
    ("それは秘密ですよ。", "それは秘密だよ。"),
    ("たくさんありますね。", "たくさんあるね。"),
    # several sentences, line breaks and a colon that introduces a list
    ("雨が降りました。風も吹きました。", "雨が降った。風も吹いた。"),
    ("主な理由は次のとおりです：\n- 安い\n- 速い", "主な理由は次のとおりである：\n- 安い\n- 速い"),
    ("最初の行です\n次の行です", "最初の行である\n次の行である"),
    # a polite form before a clause-joining particle
    ("工期が延びましたが、完成しました。", "工期が延びたが、完成した。"),
    ("時間がありますので、ゆっくり話します。", "時間があるので、ゆっくり話す。"),
    ("値段は高いですが、品質は良いです。", "値段は高いが、品質は良い。"),
    ("雨でしたから、中止しました。", "雨であったから、中止した。"),
    ("行きませんが、応援します。", "行かないが、応援する。"),
]

TO_POLITE = [
    ("東京は日本の首都である。", "東京は日本の首都です。"),
    ("猫は動物だ。", "猫は動物です。"),
    ("彼は学生であった。", "彼は学生でした。"),
    ("昔は静かな町だった。", "昔は静かな町でした。"),
    ("それは正解ではない。", "それは正解ではありません。"),
    ("明日は雨が降るだろう。", "明日は雨が降るでしょう。"),
    ("これは重要であろう。", "これは重要でしょう。"),
    ("それが理由なのだ。", "それが理由なのです。"),
    ("だから行くのである。", "だから行くのです。"),
    ("毎日日記を書く。", "毎日日記を書きます。"),
    ("毎朝運動する。", "毎朝運動します。"),
    ("友達が来る。", "友達が来ます。"),
    ("多くの種類がある。", "多くの種類があります。"),
    ("手紙を書いた。", "手紙を書きました。"),
    ("試合が始まった。", "試合が始まりました。"),
    ("東京へ行った。", "東京へ行きました。"),
    ("本を読んだ。", "本を読みました。"),
    ("川で泳いだ。", "川で泳ぎました。"),
    ("彼はその本を読まない。", "彼はその本を読みません。"),
    ("誰も来なかった。", "誰も来ませんでした。"),
    ("お金がない。", "お金がありません。"),
    ("問題はなかった。", "問題はありませんでした。"),
    ("それほど高くない。", "それほど高くありません。"),
    ("彼は東京に住んでいる。", "彼は東京に住んでいます。"),
    ("当時は大阪に住んでいた。", "当時は大阪に住んでいました。"),
    ("この問題は難しい。", "この問題は難しいです。"),
    ("試験は難しかった。", "試験は難しかったです。"),
    ("海外に行きたい。", "海外に行きたいです。"),
    ("雨が降るかもしれない。", "雨が降るかもしれません。"),
    ("それは良い考えだと思う。", "それは良い考えだと思います。"),
    ("好きな色を選ぼう。", "好きな色を選びましょう。"),
    ("規則は守るべきだ。", "規則は守るべきです。"),
    ("規則は守るべき。", "規則は守るべきです。"),
    ("先生がおっしゃる。", "先生がおっしゃいます。"),
    ("毎日勉強しなければならない。", "毎日勉強しなければなりません。"),
    ("先生がいらっしゃる。", "先生がいらっしゃいます。"),
    # questions and final particles stay after the new ending
    ("何を食べるか？", "何を食べますか？"),
    ("なぜそうなるのか？", "なぜそうなるのですか？"),
    ("いい天気だね。", "いい天気ですね。"),
    ("雨が降った。風も吹いた。", "雨が降りました。風も吹きました。"),
    # plain forms before a clause-joining particle stay: they are natural in polite text
    ("工期が延びたが、完成した。", "工期が延びたが、完成しました。"),
    ("時間があるので、ゆっくり話す。", "時間があるので、ゆっくり話します。"),
]


@pytest.mark.parametrize(("text", "expected"), TO_PLAIN)
def test_to_plain(text: str, expected: str) -> None:
    result = restyle(text, JOTAI)
    assert result.text == expected
    assert classify(result.text) in (JOTAI, "none")


@pytest.mark.parametrize(("text", "expected"), TO_POLITE)
def test_to_polite(text: str, expected: str) -> None:
    result = restyle(text, KEITAI)
    assert result.text == expected
    assert classify(result.text) == KEITAI


def test_copula_da_instead_of_dearu() -> None:
    assert restyle("東京は首都です。", JOTAI, DA).text == "東京は首都だ。"
    assert restyle("彼は親切でした。", JOTAI, DA).text == "彼は親切だった。"
    assert restyle("それが理由なのです。", JOTAI, DA).text == "それが理由なのだ。"
    assert restyle("だから行くんです。", JOTAI, DA).text == "だから行くのだ。"
    assert restyle("学生ですので、割引があります。", JOTAI, DA).text == "学生なので、割引がある。"
    assert restyle("学生ですので、割引があります。", JOTAI).text == "学生であるので、割引がある。"
    with pytest.raises(ValueError, match="copula"):
        restyle("東京です。", JOTAI, "じゃ")
    with pytest.raises(ValueError, match="to: must be one of"):
        restyle("東京です。", "polite")


def test_changes_are_positions_and_the_kana_that_changed() -> None:
    text = "手紙を書きました。本を読みます。"
    result = restyle(text, JOTAI)
    assert result.changes == (Change(4, "きまし", "い"), Change(12, "みます", "む"))
    for change in result.changes:
        assert text[change.start:change.start + len(change.before)] == change.before
    assert result.text == "手紙を書いた。本を読む。"


@pytest.mark.parametrize(("text", "reason"), [
    ("この書類を確認してください。", REQUEST),
    ("詳しくはご確認ください。", REQUEST),
    ("ゆっくり休んでくださいね。", REQUEST),
    ("かわいいですわ。", PARTICLE),
])
def test_requests_and_unknown_particles_are_left_and_reported_to_plain(text: str, reason: str) -> None:
    result = restyle(text, JOTAI)
    assert result.text == text
    assert [left.reason for left in result.left] == [reason]


def test_endings_outside_the_conventions_are_left_and_reported() -> None:
    assert [left.reason for left in restyle("早く寝ろ。", KEITAI).left] == [IMPERATIVE]
    assert [left.reason for left in restyle("行くかな。", KEITAI).left] == [PARTICLE]
    unsure = restyle("です。", JOTAI)  # です with nothing before it: no noun to attach である to
    assert unsure.text == "です。" and [left.reason for left in unsure.left] == [UNSURE]
    dangling = restyle("とても便利な\n道具", KEITAI)  # な that waits for a noun on the next line
    assert dangling.text == "とても便利な\n道具"


@pytest.mark.parametrize(("text", "reason"), [
    ("彼は「明日行きます。」と言った。", QUOTED),
    ("『吾輩は猫である』を読んだ。", None),
    ("「はい、そうです」", QUOTED),
    ("“I think so”と書きます。", None),
    ("1. 日記を書きます\n2. 早く寝ます", LABEL),
    ("- 毎日運動します\n- 早く寝ます", LABEL),
    ("注意：必ず確認します", LABEL),
    ("```\n# 変数を使います\nx = 1\n```", CODE),
    ("`確認します` と入力。", None),
])
def test_never_touched_quotes_labels_code(text: str, reason: str | None) -> None:
    for to in (JOTAI, KEITAI):
        result = restyle(text, to)
        kept = {"「明日行きます。」", "『吾輩は猫である』", "「はい、そうです」", "“I think so”",
                "日記を書きます", "早く寝ます", "毎日運動します", "必ず確認します", "# 変数を使います", "`確認します`"}
        for part in kept:
            if part in text:
                assert part in result.text, (to, part, result.text)
        if reason is not None and to == JOTAI:  # the protected endings here are polite: left towards plain
            assert reason in {left.reason for left in result.left}
    assert [left.reason for left in restyle("5. 日記を書く\n6. 早く寝る", KEITAI).left] == [LABEL, LABEL]
    assert restyle("5. 日記を書く\n6. 早く寝る", JOTAI).left == ()  # already plain: nothing was left


def test_quotes_are_kept_but_the_sentence_around_them_changes() -> None:
    assert restyle("彼は「明日行きます。」と言いました。", JOTAI).text == "彼は「明日行きます。」と言った。"
    assert restyle("彼は「明日行く。」と言った。", KEITAI).text == "彼は「明日行く。」と言いました。"
    assert restyle("「ハムレット」です。", JOTAI).text == "「ハムレット」である。"


def test_a_list_item_that_ends_in_a_sentence_mark_is_a_sentence() -> None:
    assert restyle("1. 日記を書きます。\n2. 早く寝ます。", JOTAI).text == "1. 日記を書く。\n2. 早く寝る。"


@pytest.mark.parametrize("text", [
    "東京",
    "りんご、みかん、ぶどう",
    "1955年",
    "- ペールエール\n- ピルスナー",
    "日本の首都は東京。",  # 体言止め
    "主な産業：農業、観光",
    "Yes, it is.",
    "",
])
def test_answers_without_a_predicate_come_out_byte_identical(text: str) -> None:
    for to in (JOTAI, KEITAI):
        result = restyle(text, to)
        assert result.text == text and result.changes == ()


def test_answers_already_in_the_target_register_come_out_byte_identical() -> None:
    plain = "東京は日本の首都である。人口は多い。多くの人が住んでいる。"
    polite = "東京は日本の首都です。人口は多いです。多くの人が住んでいます。"
    for text, to in ((plain, JOTAI), (polite, KEITAI)):
        result = restyle(text, to)
        assert result.text == text and result.changes == () and result.left == ()  # nothing needed doing


def test_everything_but_the_endings_is_byte_identical() -> None:
    text = "  東京（とうきょう）は首都です！\n\n人口は約1400万人です。[1]  \r\nＡＢＣも使います？"
    result = restyle(text, JOTAI)
    assert result.text == "  東京（とうきょう）は首都である！\n\n人口は約1400万人である。[1]  \r\nＡＢＣも使う？"


def test_both_directions_round_trip_on_the_conventions() -> None:
    for plain, polite in [("手紙を書いた。", "手紙を書きました。"), ("猫は動物である。", "猫は動物です。"),
                          ("お金がない。", "お金がありません。"), ("彼は来なかった。", "彼は来ませんでした。")]:
        assert restyle(restyle(plain, KEITAI).text, JOTAI).text == plain
        assert restyle(restyle(polite, JOTAI).text, KEITAI).text == polite


_PIECES = st.sampled_from(["東京", "です", "ます", "でした", "ました", "ません", "書き", "書く", "ある", "ない", "だ",
                           "である", "た", "か", "ね", "が", "、", "。", "！", "\n", "：", "「", "」", "『", "』", "\"",
                           "- ", "1. ", "`", "```", " ", "テスト", "ください", "の", "ん", "しよう", "[1]", "𠮷",
                           "\x00"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join), st.sampled_from([JOTAI, KEITAI]), st.sampled_from(["である", DA]))
def test_any_text_only_its_changes_change(text: str, to: str, copula: str) -> None:
    """Whatever the text, the result is the text with exactly its listed changes applied, in order."""
    result = restyle(text, to, copula)
    rebuilt, at = [], 0
    for change in result.changes:
        assert change.start >= at and text.startswith(change.before, change.start)
        rebuilt += [text[at:change.start], change.after]
        at = change.start + len(change.before)
    assert result.text == "".join(rebuilt) + text[at:]
    if not result.changes:
        assert result.text == text
