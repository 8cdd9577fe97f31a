"""Long answers whose last sentence stops without a predicate (needs the morpheme analyser).

``brackets.cut_off`` reads the last characters only. A long answer can also stop in the
middle of its last sentence on a word that could end a short one: a noun after a relative
clause or an adnominal (``…この場合、ネットワークはある目標関数``, ``…開始した保険契約``) or a verb in its
連用形 (``…経済的なペナルティを課し``). Only the text after the last 。 of the last line is
analysed, so the cost is one short analysis per long answer.
"""

from __future__ import annotations

from dolly_ja_16k.review.morphemes import analyse

#: An answer this long with a 。 on its last line is a text of sentences, not a short answer.
LONG_ANSWER = 80
_CLOSING = frozenset("」』）)]\"'。！？!?.…")
_NOUN_RUN = ("名詞", "接頭辞", "接尾辞-名詞的")
_PREDICATE = ("動詞", "助動詞", "形容詞")


def fragment(text: str) -> str | None:
    """Why the last sentence of a long ``text`` is a fragment, or None."""
    text = text.rstrip()
    line = text[text.rfind("\n") + 1:]
    if len(text) < LONG_ANSWER or "。" not in line:
        return None
    tail = line[line.rfind("。") + 1:].strip()
    if len(tail) < 4 or tail[-1] in _CLOSING:
        return None
    found = analyse(tail)
    if not found:
        return None
    last = found[-1]
    if last.pos.startswith(("動詞", "助動詞")) and last.cform.startswith("連用形") and last.surface not in ("て", "で"):
        return f"the last sentence stops on the 連用形 {last.surface}"
    k = len(found) - 1
    while k >= 0 and found[k].pos.startswith(_NOUN_RUN):
        k -= 1
    if k < len(found) - 1 and k >= 0 and (found[k].pos.startswith("連体詞") or (
            found[k].pos.startswith(_PREDICATE) and found[k].cform.startswith("連体形"))):
        return "the last sentence is a noun after a relative clause, with no predicate"
    return None
