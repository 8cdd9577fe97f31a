"""Speech style of an answer: polite (敬体, です・ます), plain (常体, だ・である), mixed or none.

The style of Japanese text shows in the predicate that ends each sentence, so only sentence
endings are analysed: every sentence of ``output`` is cut to its last few characters and
those go through MeCab (``fugashi``) with the UniDic dictionary (``unidic-lite``), both
installed from PyPI and fully offline. Verdicts are cached per ending, because answers
end the same few ways again and again ("あります。", "である。"), which keeps tagging the
whole source well under a second.

Labelling rules (the hand-labelled test set follows them too):

- sentences end at 。！？!?, a line break or a colon (the clause before "：" in
  "次のとおりです：" is a sentence of its own);
- a sentence ending in a polite form (です, ます and their forms, ください, ございます) is polite;
- one ending in a plain predicate (a verb, an adjective, だ, である, た, ない, だろう in their
  final form) is plain;
- a sentence ending in a noun, a name, a number, a particle or a suspended form has no
  predicate and counts for neither (lists, bare answers, 体言止め);
- the record is ``keitai`` if it has polite sentences only, ``jotai`` if plain only,
  ``mixed`` if both, ``none`` if no sentence has a predicate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from dolly_ja_16k.errors import DollyError, Opt

KEITAI, JOTAI, MIXED, NONE = "keitai", "jotai", "mixed", "none"
STYLES: tuple[str, ...] = (KEITAI, JOTAI, MIXED, NONE)

#: What the analyser sees of a sentence: its final run of hiragana (at most ``KANA`` of
#: them, enough for "ではありませんでした") and the one character before it, usually the
#: kanji stem of the last word ("変わりやすい", "酷です"). Short endings repeat a lot, so
#: most sentences are answered from the cache.
KANA = 10

_POLITE, _PLAIN, _NO_PREDICATE = 1, 2, 0
_SENTENCES = re.compile(r"[。！？!?\n：:]+")
_ENDING = re.compile(rf"[^\u3041-\u309f]?[\u3041-\u309f]{{1,{KANA}}}$")
_POLITE_AUX = frozenset({"です", "ます"})
_FINAL_FORMS = ("終止形", "連体形", "意志推量形", "命令形")
_SKIP_POS1 = frozenset({"補助記号", "記号", "空白"})


@lru_cache(maxsize=1)
def _tagger() -> Any:
    """One MeCab tagger per process (loading the dictionary takes about 0.1 s)."""
    try:
        import fugashi
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise DollyError.naming("style tagging needs fugashi and unidic-lite (pip install fugashi unidic-lite); "
                                "or build with ", Opt("tag_style", False)) from err
    return fugashi.Tagger()


def _ending_kind(tail: str) -> int:
    """Polite, plain or no predicate, from the morphemes at the end of one sentence."""
    nodes = _tagger()(tail)
    i = len(nodes) - 1
    while i >= 0 and (nodes[i].feature.pos1 in _SKIP_POS1 or nodes[i].feature.pos2 == "終助詞"
                      or nodes[i].feature.pos2 == "準体助詞"):
        i -= 1  # symbols and sentence-final particles (ね, よ, か, の) do not carry the style
    if i < 0:
        return _NO_PREDICATE
    last = nodes[i].feature
    if last.pos1 == "助動詞":
        j = i
        while j >= 0 and nodes[j].feature.pos1 == "助動詞":
            if nodes[j].feature.lemma in _POLITE_AUX:
                return _POLITE  # ました, ません, でしょう, のです …
            j -= 1
        return _PLAIN if (last.cForm or "").startswith(_FINAL_FORMS) else _NO_PREDICATE
    if last.pos1 == "動詞":
        if last.lemma == "下さる":
            return _POLITE  # 〜てください
        return _PLAIN if (last.cForm or "").startswith(_FINAL_FORMS) else _NO_PREDICATE
    if last.pos1 == "形容詞" or (last.pos1 == "接尾辞" and last.pos2 == "形容詞的"):  # 高い, 〜やすい
        return _PLAIN if (last.cForm or "").startswith(_FINAL_FORMS) else _NO_PREDICATE
    return _NO_PREDICATE


@lru_cache(maxsize=1 << 16)
def _cached_kind(tail: str) -> int:
    return _ending_kind(tail)


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
    """The ending of every sentence of ``text`` that could end in a predicate."""
    tails = []
    for sentence in _SENTENCES.split(text):
        if not sentence:
            continue
        if not "\u3041" <= sentence[-1] <= "\u309f":
            sentence = _strip_trailing(sentence)
            # Japanese predicates end in hiragana (okurigana, です, だ, ない): a sentence ending in
            # kanji, katakana, Latin letters or digits ends in a noun, so the analyser is skipped.
            if not sentence or not "\u3041" <= sentence[-1] <= "\u309f":
                continue
        # the ending lies in the last KANA + 1 characters; searching only those keeps the
        # regex from trying every position of a long sentence
        match = _ENDING.search(sentence[-(KANA + 1):])
        if match is not None:
            tails.append(match.group())
    return tails


def classify(text: str, kind: Callable[[str], int] = _cached_kind) -> str:
    """``keitai``, ``jotai``, ``mixed`` or ``none`` for one answer."""
    polite = plain = False
    for tail in sentence_tails(text):
        k = kind(tail)
        if k == _POLITE:
            polite = True
        elif k == _PLAIN:
            plain = True
        if polite and plain:
            return MIXED
    if polite:
        return KEITAI
    return JOTAI if plain else NONE
