"""Restyle an answer: rewrite it in polite (敬体, です・ます) or plain (常体, だ・である) register.

Only clause-final predicates change, because that is where Japanese register lives: the end
of each sentence (as ``sentences.endings`` finds it: 。！？!?, a line break, a colon, the end
of the text) and, towards plain, a polite form before a clause-joining particle
(延びましたが、 → 延びたが、, ありますので → あるので). Plain forms before such a particle stay
as they are towards polite: they are natural in polite text. Every other character is kept
byte for byte, and quotes, labels, code and endings without a predicate (体言止め) are never
touched (``sentences`` says what they are).

Each ending is rewritten by ``rewrite.rewrite`` (MeCab with UniDic, conjugation from UniDic's
types); an ending it is not sure of is left as it is and reported with the reason, never guessed.

To plain (``jotai``):

- noun/な-adjective + です → である (``copula="だ"``: だ); でした → であった (だった);
  のです/んです → のである (のだ); でしょう → だろう; ではありません → ではない;
- verb + ます → dictionary form; ました → plain past (書いた, 泳いだ, 読んだ, 来た, した);
  ません → ない-form (ありません → ない, わかりません → わからない); ませんでした → なかった;
  ましょう → volitional (選ぼう); ています/ていました → ている/ていた, ております → ている;
  かもしれません → かもしれない; と思います → と思う; でございます → である;
- adjective + です → adjective (おいしいです → おいしい, かったです → かった);
- before か: です is dropped (本当ですか → 本当か), ますか → 終止形 + か; before ね, よ the
  copula is だ whatever ``copula`` says (いい質問ですね → いい質問だね: であるね is not Japanese);
- 〜てください and ご〜ください stay (no faithful plain form in an answer): reason ``request``.

To polite (``keitai``):

- である/だ → です; であった/だった → でした; のだ/のである → のです; だろう/であろう → でしょう;
- dictionary form → ます-form (書く → 書きます, する → します, 来る → 来ます, ある → あります);
  plain past → ました (書いた → 書きました); volitional → ましょう;
- verb + ない/なかった → ません/ませんでした; ない alone → ありません/ありませんでした
  (ではない → ではありません);
- adjective → adjective + です (難しい → 難しいです, 難しかった → 難しかったです);
- the final particles か, ね, よ stay after the new ending (行くか → 行きますか); のか → のですか.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dolly_ja_16k.review.rewrite import (
    ALREADY,
    DA,
    DEARU,
    IMPERATIVE,
    PARTICLE,
    POLITE_MARK,
    REQUEST,
    UNSURE,
    Rewrite,
    rewrite,
)
from dolly_ja_16k.review.sentences import CODE, LABEL, QUOTED, Ending, endings, protected_spans, protection, window_of
from dolly_ja_16k.review.style import JOTAI, KEITAI

TARGETS = (KEITAI, JOTAI)
#: Every reason an ending in the register converted from is left as it is.
REASONS = (QUOTED, LABEL, CODE, REQUEST, IMPERATIVE, PARTICLE, UNSURE)


@dataclass(frozen=True, slots=True)
class Change:
    """One rewritten ending: ``before`` at ``start`` of the original text became ``after``."""

    start: int
    before: str
    after: str
    inside: bool = False  # a clause inside a sentence (延びましたが → 延びたが), not a sentence end


@dataclass(frozen=True, slots=True)
class Left:
    """One ending in the register converted from that was left as it was, and why (one of ``REASONS``)."""

    position: int  # where the ending's last word ends in the text
    ending: str  # the last few characters up to ``position``
    reason: str


@dataclass(frozen=True)
class Restyled:
    """The rewritten text, every change made and every ending left alone."""

    text: str
    changes: tuple[Change, ...]
    left: tuple[Left, ...]


#: A polite form right before a particle that joins it to the next clause (to plain only).
_JOINING = re.compile(r"(?:ます|ました|ません|ませんでした|ましょう|です|でした|でしょう)"
                      r"(?=(が|ので|から|けれど|けど|(?:し|のに)(?=[^\u3041-\u309f]|$)))")


def restyle(text: str, to: str, copula: str = DEARU) -> Restyled:
    """``text`` rewritten in ``to`` register (``keitai`` or ``jotai``), with every change and every ending left.

    ``copula`` chooses what polite です becomes: である (default) or だ. An ending "left" is one
    in the register converted from that stays as it was (a quote, a label, 〜てください, …);
    endings already in the target register and endings without a predicate need nothing.
    """
    if to not in TARGETS:
        raise ValueError(f"to: must be one of {', '.join(TARGETS)}, got {to!r}")
    if copula not in (DEARU, DA):
        raise ValueError(f"copula: must be {DEARU} or {DA}, got {copula!r}")
    if to == JOTAI and POLITE_MARK.search(text) is None:
        return Restyled(text, (), ())  # no polite form anywhere: nothing to do (a third of the answers)
    changes: list[Change] = []
    left: list[Left] = []
    spans = protected_spans(text)
    for ending in endings(text, spans):
        if ending.window:
            _apply(text, ending, rewrite(ending.window, to, copula), changes, left)
    if to == JOTAI:
        _joining(text, copula, spans, changes, left)
    if not changes:
        return Restyled(text, (), tuple(left))
    changes.sort(key=lambda c: c.start)
    pieces, at = [], 0
    for c in changes:
        pieces += [text[at:c.start], c.after]
        at = c.start + len(c.before)
    pieces.append(text[at:])
    return Restyled("".join(pieces), tuple(changes), tuple(left))


def _apply(text: str, ending: Ending, found: Rewrite, changes: list[Change], left: list[Left],
           inside: bool = False) -> None:
    """Record the rewrite of one ending, or why it stays (nothing if it needs nothing)."""
    if found == ALREADY:
        return
    end = ending.end
    if ending.protected or isinstance(found, str):
        left.append(Left(end, text[max(0, end - len(ending.window)):end], ending.protected or str(found)))
        return
    start, stop, new = found
    if start != stop or new:
        changes.append(Change(end - start, text[end - start:end - stop], new, inside))


def _joining(text: str, copula: str, spans: list[tuple[int, int, str]], changes: list[Change],
             left: list[Left]) -> None:
    """Polite forms before a clause-joining particle, towards plain (延びましたが → 延びたが)."""
    starts = [span[0] for span in spans]
    for m in _JOINING.finditer(text):
        window = window_of(text[max(0, m.end() - 20):m.end()])
        ending = Ending(m.end(), window, protection(spans, starts, m.start()), m.group(1))
        _apply(text, ending, rewrite(window, JOTAI, copula, m.group(1)), changes, left, inside=True)
