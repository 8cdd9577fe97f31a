"""How one clause-final window is rewritten in the other register: the conventions as rules on morphemes.

A window is what ``sentences.window_of`` cuts from the end of a clause ("書きました",
"日本人です"). MeCab with UniDic (``morphemes``) splits it, the predicate at its end is matched
against the conventions (see ``restyle``), and its verb is conjugated from UniDic's conjugation
type (``conjugate``). Anything else, an ending the conventions do not cover, a form the table
does not know, a word MeCab did not split as written, a change that would reach past the final
hiragana, gives the reason it is left instead: never a guess. Results are cached per window
(endings repeat: "あります", "である").

The rewritten window used to be analysed again, to check that it came out in the target
register. On the shared source that check rejected one ending in both directions (とある。,
correct, which MeCab then reads as the adnominal "a certain") and cost as much as all the
other work together, so it was dropped; the judged sample (``tests/data/restyle_sample.jsonl``)
measures the rules instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from dolly_ja_16k.review.conjugate import MASU, NEG_PAST, NEGATIVE, PAST, PLAIN, VOLITIONAL, form, is_verb
from dolly_ja_16k.review.morphemes import Morpheme, analyse
from dolly_ja_16k.review.style import JOTAI, POLITE_END, ending_kind, predicate_end
from dolly_ja_16k.review.style import PLAIN as PLAIN_KIND
from dolly_ja_16k.review.style import POLITE as POLITE_KIND

DEARU, DA = "である", "だ"

#: Why an ending was left as it is (besides the ``sentences`` reasons quoted, label, code).
ALREADY = "already"  # nothing to convert: already in the target register, or a particle or suspended form
REQUEST = "request"  # 〜てください, ご〜ください: no faithful plain form
IMPERATIVE = "imperative"  # 書け, しろ: no polite form that keeps the meaning
PARTICLE = "particle"  # a final particle the conventions do not cover (かな, わ, の)
UNSURE = "unsure"  # a form outside the conventions or the table, or the result did not check out

#: Every polite ending holds one of these (the surfaces of です, ます, 下さる): an ending without
#: any is not polite, and needs no analysis towards plain.
POLITE_MARK = re.compile("です|でし|ます|まし|ませ|くださ|下さ")
#: Particles that can stand before です (からです, だけです, などです, どちらかです …).
_COPULA_PARTICLES = frozenset({"から", "まで", "だけ", "ほど", "くらい", "ぐらい", "など", "ばかり", "のみ", "きり",
                               "か", "について", "に就いて", "にかけて", "に関して", "に対して"})
#: Verbs that make a compound particle with て (について, にかけて, に関して): 〜についてです.
_TE_PARTICLE_VERBS = frozenset({"就く", "つく", "掛ける", "関する", "対する", "依る", "因る", "於く", "渡る", "際する"})
_KANA_RUN = re.compile(r"[\u3041-\u309f]+$")
_ADJECTIVE_AUX = frozenset({"ない", "たい", "らしい"})
#: Final particles that stay after the rewritten ending (行くか → 行きますか, ありますね → あるね).
_FINAL_PARTICLES = {(), ("か",), ("ね",), ("よ",), ("よ", "ね")}

#: A rewrite of one window: (start, end, new text), both counted back from the window's end
#: (a loanword before the ending is analysed as a stand-in of another length), or the reason it
#: is left.
Rewrite = tuple[int, int, str] | str


def _adjective_like(m: Morpheme) -> bool:
    """An adjective, 〜やすい, or the auxiliaries that conjugate like one (ない, たい, らしい)."""
    return m.pos.startswith(("形容詞", "接尾辞-形容詞的")) or (m.pos == "助動詞" and m.lemma in _ADJECTIVE_AUX)


def _noun_like(m: Morpheme) -> bool:
    """What です/だ can follow directly: a noun, a な-adjective, こと, よう, べき, から, だけ …"""
    if m.pos.startswith(("名詞", "代名詞", "形状詞", "接尾辞-名詞的", "接尾辞-形状詞的", "副詞", "補助記号", "記号")):
        return True  # 副詞: もちろんです; 補助記号, 記号: 」です, ％です (a noun ends before the mark)
    if m.pos.startswith("助詞"):
        return m.lemma in _COPULA_PARTICLES
    if m.pos.startswith("動詞"):
        return m.cform == "連用形-一般"  # a verb stem used as a noun: おすすめです, 出来上がりです
    return m.pos == "助動詞" and m.lemma == "べし"


def _copula_de(m: Morpheme | None) -> bool:
    """The で of である, であった, であろう (the copula だ in its 連用形)."""
    return m is not None and m.pos == "助動詞" and m.lemma == "だ" and m.surface == "で"


def _verb(chain: Sequence[Morpheme], i: int, wanted: str, suffix: str = "") -> tuple[int, str] | str:
    """Morpheme ``i`` of ``chain`` in the ``wanted`` form, then ``suffix``: (i, new text) or UNSURE."""
    if i < 0 or not is_verb(chain[i]):
        return UNSURE
    new = form(chain[i], wanted)
    return UNSURE if new is None else (i, new + suffix)


class _Chain:
    """The morphemes of a predicate, read from the end."""

    def __init__(self, morphemes: Sequence[Morpheme]) -> None:
        self.m = morphemes
        self.n = len(morphemes)

    def at(self, k: int) -> Morpheme | None:
        """The ``k``-th morpheme from the end (1 = the last), or None."""
        return self.m[self.n - k] if self.n >= k else None

    def lemma(self, k: int) -> str:
        m = self.at(k)
        return m.lemma if m is not None else ""


def _plain_copula(c: _Chain, k: int, past: bool, copula: str, particles: tuple[str, ...],
                  joining: str) -> tuple[int, str] | str:
    """です (``k`` morphemes from the end) or でした towards plain, from what comes before it."""
    prev = c.at(k + 1)
    if prev is None:
        return UNSURE  # ですから at the start of a sentence: a conjunction
    if particles and particles != ("か",):
        copula = DA  # ですね → だね, ですよ → だよ: であるね is not Japanese
    word = ("であった" if copula == DEARU else "だった") if past else copula
    if particles == ("か",) and not past:
        word = ""  # 本当ですか → 本当か
    elif joining == "ので" and copula == DA and not past:
        word = "な"  # 学生ですので → 学生なので
    if prev.pos == "助詞-準体助詞":
        if particles and copula == DA:
            return c.n - k, word  # あるんですね → あるんだね
        return c.n - k - 1, "の" + word  # のです, んです → のである
    before = c.at(k + 2)
    if _noun_like(prev) or (prev.lemma == "て" and before is not None and before.lemma in _TE_PARTICLE_VERBS):
        return c.n - k, word  # 〜です, 〜についてです
    if not past and ((_adjective_like(prev) and prev.cform.startswith("終止形"))
                     or (prev.lemma == "た" and c.at(k + 2) is not None and _adjective_like(c.m[c.n - k - 2]))):
        return c.n - k, ""  # おいしいです → おいしい, 難しかったです → 難しかった
    return UNSURE


def _to_plain(c: _Chain, copula: str, particles: tuple[str, ...], joining: str) -> tuple[int, str] | str:
    """The chain of a polite predicate rewritten in plain register: (first morpheme replaced, new text)."""
    last = c.at(1)
    assert last is not None
    if last.cform == "命令形" and (last.lemma == "下さる" or c.lemma(2) == "下さる"):
        return REQUEST  # 〜てください, 〜くださいませ (but 教えてくださいます → 教えてくださる)
    if last.lemma == "ます":
        if last.cform.startswith(("終止形", "連体形")):
            return _verb(c.m, c.n - 2, PLAIN)
        return _verb(c.m, c.n - 2, VOLITIONAL) if last.cform == "意志推量形" else UNSURE
    if (c.lemma(1), c.lemma(2)) == ("た", "ます"):
        return _verb(c.m, c.n - 3, PAST)
    if (c.lemma(1), c.lemma(2)) == ("ず", "ます"):
        return _verb(c.m, c.n - 3, NEGATIVE)
    if (c.lemma(1), c.lemma(2), c.lemma(3), c.lemma(4)) == ("た", "です", "ず", "ます"):
        return _verb(c.m, c.n - 5, NEG_PAST)
    if last.lemma == "です":
        if last.cform == "意志推量形":  # でしょう
            return UNSURE if c.at(2) is None or c.lemma(2) == "ます" else (c.n - 1, "だろう")
        return _plain_copula(c, 1, False, copula, particles, joining)
    if (c.lemma(1), c.lemma(2)) == ("た", "です"):
        return _plain_copula(c, 2, True, copula, particles, joining)
    return UNSURE


def _to_polite(c: _Chain) -> tuple[int, str] | str:
    """The chain of a plain predicate rewritten in polite register: (first morpheme replaced, new text)."""
    last = c.at(1)
    assert last is not None
    if last.cform == "命令形":
        return IMPERATIVE
    if is_verb(last):
        if _copula_de(c.at(2)) and last.lemma == "有る":  # である, であろう
            return (c.n - 2, "です") if last.cform.startswith("終止形") else (
                (c.n - 2, "でしょう") if last.cform == "意志推量形" else UNSURE)
        if last.cform.startswith(("終止形", "連体形")):
            return _verb(c.m, c.n - 1, MASU, "ます")
        return _verb(c.m, c.n - 1, MASU, "ましょう") if last.cform == "意志推量形" else UNSURE
    final = last.cform.startswith("終止形")
    if last.pos == "助動詞" and last.lemma == "た":
        return _polite_past(c) if final else UNSURE  # not たろう
    if last.pos == "助動詞" and last.lemma == "ない":
        return _verb(c.m, c.n - 2, MASU, "ません") if final else UNSURE
    if last.lemma == "無い":
        return (c.n - 1, "ありません") if final else UNSURE  # ない, ではない, くない → ありません
    if _adjective_like(last) or (last.pos == "助動詞" and last.lemma == "べし" and last.cform.startswith("連体形")):
        return (c.n, "です") if final or last.lemma == "べし" else UNSURE  # 高いです, 〜べきです
    if last.pos == "助動詞" and last.lemma == "だ":
        if last.cform == "意志推量形":
            return c.n - 1, "でしょう"
        prev = c.at(2)
        if not final or prev is None or prev.pos.startswith(("動詞", "形容詞")):
            return UNSURE  # 便利な (a dangling attributive), 行くだ
        return c.n - 1, "です"
    return UNSURE


def _polite_past(c: _Chain) -> tuple[int, str] | str:
    """A plain past (〜た) in polite register: ました, でした, ませんでした, かったです."""
    prev = c.at(2)
    if prev is None:
        return UNSURE
    if prev.pos == "助動詞" and prev.lemma == "ない":
        return _verb(c.m, c.n - 3, MASU, "ませんでした")
    if prev.lemma == "無い":
        return c.n - 2, "ありませんでした"
    if prev.pos == "助動詞" and prev.lemma == "だ":
        return c.n - 2, "でした"  # だった
    if prev.lemma == "有る" and _copula_de(c.at(3)):
        return c.n - 3, "でした"  # であった
    if _adjective_like(prev):
        return c.n, "です"  # 難しかった → 難しかったです
    return _verb(c.m, c.n - 2, MASU, "ました")


def _particles(morphemes: Sequence[Morpheme], end: int) -> tuple[str, ...]:
    return tuple(m.surface for m in morphemes[end:])


@lru_cache(maxsize=1 << 16)
def rewrite(window: str, to: str, copula: str = DEARU, joining: str = "") -> Rewrite:
    """How one clause-final window changes, cached per window: (start, end, new) or the reason it stays.

    ``joining`` is the particle after the window when it ends a clause inside a sentence
    (towards plain only: 延びましたが → 延びたが).
    """
    if (POLITE_MARK.search(window) is None) if to == JOTAI else (POLITE_END.search(window) is not None):
        return ALREADY  # decided without MeCab: about half of all endings
    morphemes = analyse(window)
    if "".join([m.surface for m in morphemes]) != window:
        return UNSURE
    if ending_kind(morphemes) != (POLITE_KIND if to == JOTAI else PLAIN_KIND):
        return ALREADY
    end = len(morphemes) if joining else predicate_end(morphemes)
    particles = _particles(morphemes, end)
    chain = _Chain(morphemes[:end])
    if to == JOTAI:
        if particles not in _FINAL_PARTICLES:
            return REQUEST if "下さる" in (m.lemma for m in morphemes) else PARTICLE
        found = _to_plain(chain, copula, particles, joining)
    elif particles == ("の", "か"):  # 行くのか → 行くのですか
        found = (end, "のです")
        end += 1
    else:
        found = _to_polite(chain) if particles in _FINAL_PARTICLES else PARTICLE
    if isinstance(found, str):
        return found
    offsets = [0]
    for m in morphemes:
        offsets.append(offsets[-1] + len(m.surface))
    start, stop = offsets[found[0]], offsets[end]
    new = found[1]
    head = _shared(window[start:stop], new)  # keep the change to what differs: 書きました → 書いた is きまし → い
    tail = _shared(window[start + head:stop][::-1], new[head:][::-1])
    if start + head < len(window) - len(_KANA_RUN.search(window).group()):  # type: ignore[union-attr]
        return UNSURE  # only the final hiragana may change; not a stem, a loanword's stand-in (ググります)
    return len(window) - start - head, len(window) - stop + tail, new[head:len(new) - tail]


def _shared(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` share at their start."""
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n
