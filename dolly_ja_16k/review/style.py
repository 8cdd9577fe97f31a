"""Speech style of an answer: polite (敬体, です・ます), plain (常体, だ・である), mixed or none.

The style of Japanese text shows in the predicate that ends each sentence, so only sentence
endings are analysed: every sentence of ``output`` is cut to its last few characters
(``sentences.endings``) and those go through MeCab (``fugashi``) with the UniDic dictionary
(``unidic-lite``), both installed from PyPI and fully offline. Verdicts are cached per
ending, because answers end the same few ways again and again ("あります。", "である。"),
which keeps tagging the whole source well under a second.

Labelling rules (the hand-labelled test set and the register converter follow them too):

- sentences end at 。！？!?, a line break or a colon (the clause before "：" in
  "次のとおりです：" is a sentence of its own);
- a sentence ending in a polite form (です, ます and their forms, ください, ございます) is polite;
- one ending in a plain predicate (a verb, an adjective, だ, である, た, ない, だろう in their
  final form) is plain;
- a sentence ending in a noun, a name, a number, a particle or a suspended form has no
  predicate and counts for neither (lists, bare answers, 体言止め);
- text inside quotation marks (「」『』“”), list items and ``label：value`` lines that do not
  end in 。！？, and code count for neither: speech and titles keep their own register, and
  ``5. 日記を書く`` is a label, not a plain sentence;
- the record is ``keitai`` if it has polite sentences only, ``jotai`` if plain only,
  ``mixed`` if both, ``none`` if no sentence has a predicate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from dolly_ja_16k.review.morphemes import Morpheme, analyse, tagger
from dolly_ja_16k.review.sentences import windows

KEITAI, JOTAI, MIXED, NONE = "keitai", "jotai", "mixed", "none"
STYLES: tuple[str, ...] = (KEITAI, JOTAI, MIXED, NONE)

POLITE, PLAIN, NO_PREDICATE = 1, 2, 0
_POLITE_AUX = frozenset({"です", "ます"})
_FINAL_FORMS = ("終止形", "連体形", "意志推量形", "命令形")
_SKIP_POS = ("補助記号", "記号", "空白", "助詞-終助詞", "助詞-準体助詞")


def predicate_end(nodes: Sequence[Morpheme]) -> int:
    """How many morphemes the predicate ends after: symbols and final particles (ね, よ, か, の) follow it."""
    i = len(nodes)
    while i and nodes[i - 1].pos.startswith(_SKIP_POS):
        i -= 1
    return i


def ending_kind(nodes: Sequence[Morpheme]) -> int:
    """Polite, plain or no predicate, from the morphemes at the end of one sentence."""
    i = predicate_end(nodes) - 1  # symbols and sentence-final particles do not carry the style
    if i < 0:
        return NO_PREDICATE
    last = nodes[i]
    if last.pos == "助動詞":
        j = i
        while j >= 0 and nodes[j].pos == "助動詞":
            if nodes[j].lemma in _POLITE_AUX:
                return POLITE  # ました, ません, でしょう, のです …
            j -= 1
    elif last.pos.startswith(("動詞", "接尾辞-動詞的")):  # 書く, 欲しがる
        if last.lemma == "下さる":
            return POLITE  # 〜てください
    elif not last.pos.startswith(("形容詞", "接尾辞-形容詞的")):  # 高い, 〜やすい
        return NO_PREDICATE
    return PLAIN if last.cform.startswith(_FINAL_FORMS) else NO_PREDICATE


#: An ending that is surely polite, told without MeCab (more than half of all endings): ます
#: and its forms after the い or え sound of a verb's 連用形 (書きます, 食べました, しません; not
#: 覚ます, すます, ますます), です and its forms, ください, then any final particles.
_I_OR_E = "いきしちにひみりぎじびぴえけせてねへめれげぜでべぺ"
POLITE_END = re.compile(rf"(?:[{_I_OR_E}](?:ます|ました|ません|ませんでした|ましょう|ませ)"
                        r"|です|でした|でしょう|ください|下さい)(?:か|ね|よ|な|わ|の)*$")


@lru_cache(maxsize=1 << 16)
def window_kind(window: str) -> int:
    """``ending_kind`` of one clause-final window, cached: endings repeat."""
    if POLITE_END.search(window) is not None:
        return POLITE
    return ending_kind(analyse(window))


def _strip_trailing(sentence: str) -> str:
    """``sentence`` without the symbols, brackets, quotes and spaces after its last letter or digit.

    Walked back from the end: a regex ending in ``$`` would try every position of a long run
    of brackets (time in the square of the run's length).
    """
    end = len(sentence)
    while end and not sentence[end - 1].isalnum():
        end -= 1
    return sentence[:end]


def sentence_tails(text: str) -> list[str]:
    """The ending of every sentence of ``text`` that could end in a predicate and counts for the style.

    A sentence ending in kanji, katakana, Latin letters or digits ends in a noun (Japanese
    predicates end in hiragana: okurigana, です, だ, ない), so it has no window and the
    analyser is skipped; so are quotes, labels and code.
    """
    return windows(text)


def classify(text: str, kind: Callable[[str], int] = window_kind) -> str:
    """``keitai``, ``jotai``, ``mixed`` or ``none`` for one answer."""
    # the analyser is loaded even when every ending is told without it (all "…です。"), so a
    # missing fugashi fails the same way whatever the answers are
    tagger()
    polite = plain = False
    for tail in sentence_tails(text):
        k = kind(tail)
        if k == POLITE:
            polite = True
        elif k == PLAIN:
            plain = True
        if polite and plain:
            return MIXED
    if polite:
        return KEITAI
    return JOTAI if plain else NONE
