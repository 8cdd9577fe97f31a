"""The forms of Japanese verbs that switching register needs, built from UniDic's conjugation type.

UniDic tags each verb with its conjugation type (``cType``: 五段-カ行, 上一段-マ行, カ行変格,
サ行変格, …) and the form it is in (``cForm``: 連用形-一般, 終止形-一般, …). That is all it
takes to make any other form: cut the ending of the form it is in to get the stem, put on the
ending of the wanted form. The endings are one table (``_ENDINGS``) indexed by type; the verbs
that do not follow their type are explicit entries (``_IRREGULAR``). A form the table does not
know gives ``None``: the converter then leaves the ending as it is and says so, it never guesses.

The forms, named after what the converter does with them:

========== ============================ ====================================================
form       what it is                   書く / 泳ぐ / 食べる / する / 来る
========== ============================ ====================================================
MASU       the stem ます attaches to     書き / 泳ぎ / 食べ / し / 来
PLAIN      dictionary form (終止形)      書く / 泳ぐ / 食べる / する / 来る
PAST       plain past, with た or だ     書いた / 泳いだ / 食べた / した / 来た
NEGATIVE   plain negative               書かない / 泳がない / 食べない / しない / 来ない
NEG_PAST   plain negative past          書かなかった / … / しなかった / 来なかった
VOLITIONAL plain volitional             書こう / 泳ごう / 食べよう / しよう / 来よう
========== ============================ ====================================================
"""

from __future__ import annotations

from dolly_ja_16k.review.morphemes import Morpheme

MASU, PLAIN, PAST, NEGATIVE, NEG_PAST, VOLITIONAL = "masu", "plain", "past", "negative", "neg_past", "volitional"
FORMS = (MASU, PLAIN, PAST, NEGATIVE, NEG_PAST, VOLITIONAL)

#: 五段 rows: the kana of the い, あ, う, え, お columns, the sound before た in the past
#: (音便) and whether the past is voiced (泳いだ, 読んだ).
_GODAN = {
    "カ行": ("き", "か", "く", "け", "こ", "い", False),
    "ガ行": ("ぎ", "が", "ぐ", "げ", "ご", "い", True),
    "サ行": ("し", "さ", "す", "せ", "そ", "し", False),
    "タ行": ("ち", "た", "つ", "て", "と", "っ", False),
    "ナ行": ("に", "な", "ぬ", "ね", "の", "ん", True),
    "バ行": ("び", "ば", "ぶ", "べ", "ぼ", "ん", True),
    "マ行": ("み", "ま", "む", "め", "も", "ん", True),
    "ラ行": ("り", "ら", "る", "れ", "ろ", "っ", False),
    "ワア行": ("い", "わ", "う", "え", "お", "っ", False),
}


def _godan(row: str) -> tuple[dict[str, str], dict[str, str]]:
    """(ending of each cForm, ending of each form we make) for one 五段 row."""
    i, a, u, e, o, sound, voiced = _GODAN[row]
    read = {"未然形-一般": a, "連用形-一般": i, "終止形-一般": u, "連体形-一般": u, "仮定形-一般": e,
            "命令形": e, "意志推量形": o + "う", "連用形-促音便": "っ", "連用形-撥音便": "ん",
            "連用形-イ音便": "い", "連用形-ウ音便": "う"}
    make = {MASU: i, PLAIN: u, PAST: sound + ("だ" if voiced else "た"), NEGATIVE: a + "ない",
            NEG_PAST: a + "なかった", VOLITIONAL: o + "う"}
    return read, make


#: 上一段 and 下一段 verbs of every row, and the auxiliaries that conjugate like them
#: (れる, られる: 助動詞-レル): the stem is the 連用形 itself (食べ, 見, 得).
_ICHIDAN = ({"未然形-一般": "", "連用形-一般": "", "終止形-一般": "る", "連体形-一般": "る",
             "仮定形-一般": "れ", "命令形": "ろ", "意志推量形": "よう"},
            {MASU: "", PLAIN: "る", PAST: "た", NEGATIVE: "ない", NEG_PAST: "なかった", VOLITIONAL: "よう"})
#: する and the サ変 compounds UniDic keeps whole (愛する: 愛し).
_SAHEN = ({"未然形-一般": "し", "未然形-サ": "さ", "未然形-セ": "せ", "連用形-一般": "し", "終止形-一般": "する",
           "連体形-一般": "する", "仮定形-一般": "すれ", "命令形": "しろ", "意志推量形": "しよう"},
          {MASU: "し", PLAIN: "する", PAST: "した", NEGATIVE: "しない", NEG_PAST: "しなかった", VOLITIONAL: "しよう"})
#: 来る written in kana (くる, きます, こない); 来る in kanji keeps its kanji in every form.
_KAHEN_KANA = ({"未然形-一般": "こ", "連用形-一般": "き", "終止形-一般": "くる", "連体形-一般": "くる",
                "仮定形-一般": "くれ", "命令形": "こい", "意志推量形": "こよう"},
               {MASU: "き", PLAIN: "くる", PAST: "きた", NEGATIVE: "こない", NEG_PAST: "こなかった",
                VOLITIONAL: "こよう"})
_KAHEN_KANJI = ({"未然形-一般": "", "連用形-一般": "", "終止形-一般": "る", "連体形-一般": "る",
                 "仮定形-一般": "れ", "命令形": "い", "意志推量形": "よう"}, _ICHIDAN[1])

_ENDINGS: dict[str, tuple[dict[str, str], dict[str, str]]] = {f"五段-{row}": _godan(row) for row in _GODAN}
_ENDINGS.update({"サ行変格": _SAHEN, "助動詞-レル": _ICHIDAN})

#: Verbs that leave their type's pattern, by lemma: the forms that differ, as the ending after
#: the stem ("=" before it: the whole word). ある has no ない-form of its own (ありません → ない);
#: 行く's past is 行った, not 行いた; 問う's is 問うた; the honorific ラ行 verbs take ます after い
#: (いらっしゃいます, くださいます, なさいます, おっしゃいます, ございます; UniDic reads a plain
#: おっしゃる as おっ + the auxiliary しゃる).
_IRREGULAR: dict[str, dict[str, str]] = {
    "有る": {NEGATIVE: "=ない", NEG_PAST: "=なかった"},
    "行く": {PAST: "った"},
    "逝く": {PAST: "った"},
    "問う": {PAST: "うた"},
    "請う": {PAST: "うた"},
    "乞う": {PAST: "うた"},
    "いらっしゃる": {MASU: "い"},
    "下さる": {MASU: "い"},
    "為さる": {MASU: "い"},
    "仰る": {MASU: "い"},
    "しゃる": {MASU: "い"},
    # ござる is ある in plain style (でございます → である); in polite style it stays ござい(ます)
    "御座る": {MASU: "い", PLAIN: "=ある", PAST: "=あった", NEGATIVE: "=ない", NEG_PAST: "=なかった",
             VOLITIONAL: "=あろう"},
}
#: The humble おる of 〜ております is いる in plain style (〜ている): おります → いる.
_HUMBLE_ORU = {PLAIN: "=いる", PAST: "=いた", NEGATIVE: "=いない", NEG_PAST: "=いなかった", VOLITIONAL: "=いよう"}


def _table(m: Morpheme) -> tuple[dict[str, str], dict[str, str]] | None:
    """The (read, make) endings for the conjugation type of ``m``."""
    if m.ctype in _ENDINGS:
        return _ENDINGS[m.ctype]
    if m.ctype.startswith(("上一段-", "下一段-")):
        return _ICHIDAN
    if m.ctype == "カ行変格":
        return _KAHEN_KANJI if m.surface.startswith("来") else _KAHEN_KANA
    return None


def is_verb(m: Morpheme) -> bool:
    """True for a morpheme ``form`` can conjugate: a verb, or an auxiliary that conjugates like one."""
    return _table(m) is not None and (m.pos.startswith(("動詞", "接尾辞-動詞的")) or m.pos == "助動詞")


def _irregular(m: Morpheme, wanted: str) -> str | None:
    """The explicit entry for ``m`` in the ``wanted`` form, if it has one."""
    if m.lemma == "居る" and m.surface.startswith("お"):
        return _HUMBLE_ORU.get(wanted)
    return _IRREGULAR.get(m.lemma, {}).get(wanted)


def form(m: Morpheme, wanted: str) -> str | None:
    """``m`` (a verb or verb-like auxiliary, in any form) in the ``wanted`` form, or None if unsure."""
    if m.ctype == "サ行変格" and m.surface.endswith(("じ", "ずる")):  # 感じ(ずる), 信じ(ずる): modern 上一段
        stem = m.surface[:-1] if m.surface.endswith("じ") else m.surface[:-2]
        return stem + "じ" + _ICHIDAN[1][wanted]
    table = _table(m)
    if table is None or m.cform not in table[0]:
        return None
    if m.ctype == "サ行変格" and m.lemma != "為る" and wanted in (NEGATIVE, NEG_PAST, VOLITIONAL):
        return None  # 愛する: 愛さない or 愛しない, 愛そう or 愛しよう; both are in use, so unsure
    read, make = table
    if not m.surface.endswith(read[m.cform]):
        return None
    ending = _irregular(m, wanted) or make[wanted]
    if ending.startswith("="):
        return ending[1:]
    return m.surface[:len(m.surface) - len(read[m.cform])] + ending
