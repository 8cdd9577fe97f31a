"""The conjugation table: one test per UniDic conjugation type, and the irregular verbs.

Each case names a verb in its dictionary form and what every form the converter makes must
be; the verb's conjugation type comes from UniDic, as in the converter.
"""

from __future__ import annotations

import pytest

from dolly_ja_16k.review.conjugate import FORMS, MASU, NEG_PAST, NEGATIVE, PAST, PLAIN, VOLITIONAL, form, is_verb
from dolly_ja_16k.review.morphemes import Morpheme, analyse


def verb(text: str, lemma: str | None = None) -> Morpheme:
    """The last verb-like morpheme of ``text`` (or the last with that lemma)."""
    found = [m for m in analyse(text) if is_verb(m) and (lemma is None or m.lemma == lemma)]
    assert found, (text, analyse(text))
    return found[-1]


def forms(text: str) -> tuple[str | None, ...]:
    m = verb(text)
    return tuple(form(m, wanted) for wanted in FORMS)


# (dictionary form, its cType, (MASU, PLAIN, PAST, NEGATIVE, NEG_PAST, VOLITIONAL))
BY_TYPE = [
    ("書く", "五段-カ行", ("書き", "書く", "書いた", "書かない", "書かなかった", "書こう")),
    ("泳ぐ", "五段-ガ行", ("泳ぎ", "泳ぐ", "泳いだ", "泳がない", "泳がなかった", "泳ごう")),
    ("話す", "五段-サ行", ("話し", "話す", "話した", "話さない", "話さなかった", "話そう")),
    ("待つ", "五段-タ行", ("待ち", "待つ", "待った", "待たない", "待たなかった", "待とう")),
    ("死ぬ", "五段-ナ行", ("死に", "死ぬ", "死んだ", "死なない", "死ななかった", "死のう")),
    ("遊ぶ", "五段-バ行", ("遊び", "遊ぶ", "遊んだ", "遊ばない", "遊ばなかった", "遊ぼう")),
    ("読む", "五段-マ行", ("読み", "読む", "読んだ", "読まない", "読まなかった", "読もう")),
    ("始まる", "五段-ラ行", ("始まり", "始まる", "始まった", "始まらない", "始まらなかった", "始まろう")),
    ("使う", "五段-ワア行", ("使い", "使う", "使った", "使わない", "使わなかった", "使おう")),
    ("見る", "上一段-マ行", ("見", "見る", "見た", "見ない", "見なかった", "見よう")),
    ("生きる", "上一段-カ行", ("生き", "生きる", "生きた", "生きない", "生きなかった", "生きよう")),
    ("食べる", "下一段-バ行", ("食べ", "食べる", "食べた", "食べない", "食べなかった", "食べよう")),
    ("得る", "下一段-ア行", ("得", "得る", "得た", "得ない", "得なかった", "得よう")),
    ("来る", "カ行変格", ("来", "来る", "来た", "来ない", "来なかった", "来よう")),
    ("する", "サ行変格", ("し", "する", "した", "しない", "しなかった", "しよう")),
]


@pytest.mark.parametrize(("word", "ctype", "expected"), BY_TYPE, ids=[c[1] for c in BY_TYPE])
def test_every_conjugation_type(word: str, ctype: str, expected: tuple[str, ...]) -> None:
    assert verb(word).ctype == ctype
    assert forms(word) == expected


def test_the_table_reads_any_form_it_is_given() -> None:
    """The stem comes from the form the word is in: 書きました, 書いた, 書かない, 書こう all give 書く."""
    for text in ("書きました", "書いた", "書かない", "書こう", "書けば"):
        assert form(verb(text), PLAIN) == "書く", text
    for text in ("食べました", "食べた", "食べない", "食べよう", "食べれば"):
        assert form(verb(text), PAST) == "食べた", text


def test_kuru_in_kana_changes_its_vowel() -> None:
    assert [form(verb("きます"), f) for f in FORMS] == ["き", "くる", "きた", "こない", "こなかった", "こよう"]
    assert form(verb("やって来ます"), PAST) == "来た"  # the kanji stays


def test_suru_compounds() -> None:
    assert form(verb("勉強します"), PLAIN) == "する"  # 勉強 + する: only する conjugates
    assert form(verb("愛します"), PLAIN) == "愛する"  # one word in UniDic
    assert form(verb("愛します"), NEGATIVE) is None  # 愛さない or 愛しない: unsure, so no guess
    assert form(verb("感じます"), PLAIN) == "感じる"  # 感ずる: the modern 上一段 forms
    assert form(verb("信ずる"), MASU) == "信じ"


@pytest.mark.parametrize(("text", "lemma", "wanted", "expected"), [
    ("行きました", "行く", PAST, "行った"),  # not 行いた
    ("いきました", "行く", PAST, "いった"),
    ("問います", "問う", PAST, "問うた"),
    ("ありません", "有る", NEGATIVE, "ない"),  # not あらない
    ("ありませんでした", "有る", NEG_PAST, "なかった"),
    ("あります", "有る", PAST, "あった"),
    ("でございます", "御座る", PLAIN, "ある"),  # でございます → である
    ("ございました", "御座る", PAST, "あった"),
    ("ございません", "御座る", NEGATIVE, "ない"),
    ("しております", "居る", PLAIN, "いる"),  # 〜ております → 〜ている
    ("しておりました", "居る", PAST, "いた"),
    ("いらっしゃいます", "いらっしゃる", PLAIN, "いらっしゃる"),
    ("いらっしゃる", "いらっしゃる", MASU, "いらっしゃい"),  # not いらっしゃります
    ("くださる", "下さる", MASU, "ください"),
    ("なさる", "為さる", MASU, "なさい"),
    ("おっしゃる", "しゃる", MASU, "しゃい"),  # UniDic reads おっ + しゃる
    ("ございます", "御座る", MASU, "ござい"),
    ("来ます", "来る", NEGATIVE, "来ない"),
    ("しません", "為る", NEGATIVE, "しない"),
])
def test_irregular_verbs(text: str, lemma: str, wanted: str, expected: str) -> None:
    assert form(verb(text, lemma), wanted) == expected


@pytest.mark.parametrize(("text", "lemma", "expected"), [
    ("書かれます", "れる", ("れ", "れる", "れた", "れない", "れなかった", "れよう")),
    ("食べられます", "られる", ("られ", "られる", "られた", "られない", "られなかった", "られよう")),
    ("書かせます", "せる", ("せ", "せる", "せた", "せない", "せなかった", "せよう")),
    ("行きたがります", "たがる", ("たがり", "たがる", "たがった", "たがらない", "たがらなかった", "たがろう")),
    ("なりかねません", "兼ねる", ("かね", "かねる", "かねた", "かねない", "かねなかった", "かねよう")),
])
def test_auxiliaries_that_conjugate_like_verbs(text: str, lemma: str, expected: tuple[str, ...]) -> None:
    m = verb(text, lemma)
    assert tuple(form(m, wanted) for wanted in FORMS) == expected


def test_a_form_the_table_does_not_know_gives_none() -> None:
    classical = Morpheme("為", "為る", "動詞-非自立可能", "文語サ行変格", "終止形-一般")
    assert form(classical, PLAIN) is None
    odd_form = Morpheme("書か", "書く", "動詞-一般", "五段-カ行", "未然形-撥音便")
    assert form(odd_form, PLAIN) is None
    wrong_surface = Morpheme("書け", "書く", "動詞-一般", "五段-カ行", "連用形-一般")  # 連用形 would end in き
    assert form(wrong_surface, VOLITIONAL) is None
    assert not is_verb(Morpheme("です", "です", "助動詞", "助動詞-デス", "終止形-一般"))
