"""Paired brackets and cut-off endings in machine-translated Japanese (pure functions on strings).

The translation of databricks-dolly-15k-ja often drops the opening half of a bracket pair
when the quoted text starts a field, a line or a list item (``World of Warcraft」「Grand
Theft Auto」``), and sometimes stops in mid-sentence (``三女の名前は「アリス``). These
functions find both. A missing opening bracket is put back only where its place is certain:
at the start of the line (after a list marker such as ``2.`` or ``- `` or a colon that opens
a list), and only when nothing between that place and the closing bracket could have held
it instead (no other bracket of the pair, no sentence end). Everything else is left to the
review to flag.

Brackets are matched per kind: 「」, 『』, and round brackets, where the full-width （） and
ASCII () count as one kind because the translation mixes them (``（マグニチュード9.2)``).
A closing round bracket after a list number (``1）``, ``b)``) and emoticons (``:)``) are not
brackets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: opening character → kind, closing character → kind
OPENERS = {"「": "kagi", "『": "double", "（": "round", "(": "round"}
CLOSERS = {"」": "kagi", "』": "double", "）": "round", ")": "round"}
#: The opening half that goes with each closing character.
OPENING_FOR = {"」": "「", "』": "『", "）": "（", ")": "("}
_ALL = frozenset(OPENERS) | frozenset(CLOSERS)
_BRACKET = re.compile("[" + re.escape("".join(sorted(_ALL))) + "]")

#: ``1)``, ``12）``, ``b)``, ``iv)`` after the start, a space or a list separator: a list number
#: (matched on the few characters before each closing round bracket).
_LIST_NUMBER = re.compile(r"[\s、，,：:。;；・](?:\d{1,3}|[A-Za-z]|[ivx]{2,4})\Z")
_ROUND_CLOSE = re.compile("[)）]")
#: ``:)``, ``;-)``, ``^^)``, ``:(``: faces, not brackets.
_EMOTICON = re.compile(r"[:;：；]-?[()（）]|\^[_\-]?\^?[)）]")
#: What may come before the text of a line: spaces, bullets, ``2.``, ``3）``, ``a)``, ``#``.
_LINE_LEAD = re.compile(r"[ \t\u3000]*(?:(?:[-*•・●◦‣]|#+|\d{1,3}[.．、)）]|[A-Za-z][.)）])[ \t\u3000]*)?")
#: Ends of sentences: a missing opening bracket is not put back across one.
_SENTENCE_END = frozenset("。！？")
_COLON = re.compile(r"：|: ")
#: A colon after hiragana or kanji ends an introduction ("次の通り：", "映画："), after katakana,
#: Latin letters or digits it is part of a title ("アバター：ザ・ラスト・エアベンダー").
_INTRO_BEFORE_COLON = re.compile(r"[\u3041-\u309f\u4e00-\u9fff]")


def has_brackets(text: str) -> bool:
    """True if ``text`` holds any bracket character (most fields hold none: they need no more work)."""
    return _BRACKET.search(text) is not None


def _faces(text: str) -> set[int]:
    """Positions of bracket characters that are part of a face such as ``:)``."""
    return {i for m in _EMOTICON.finditer(text) for i in range(m.start(), m.end()) if text[i] in _ALL}


def _list_numbers(text: str) -> set[int]:
    """Positions of ``)`` / ``）`` that end a list number such as ``1)`` (if no round bracket is open)."""
    found = set()
    for m in _ROUND_CLOSE.finditer(text):
        at = m.start()
        before = text[at - 5:at] if at >= 5 else "\n" + text[:at]
        if _LIST_NUMBER.search(before):
            found.add(at)
    return found


@dataclass(frozen=True)
class Balance:
    """Where the brackets of a text do not pair up."""

    unopened: list[int]  # positions of closing brackets with no opening one before them
    unclosed: list[int]  # positions of opening brackets that are never closed

    @property
    def balanced(self) -> bool:
        return not self.unopened and not self.unclosed


#: The kind each bracket character belongs to, for the quick pairing test.
_KIND = {**OPENERS, **CLOSERS}


def _pairs_up(sequence: str) -> bool:
    """The brackets alone (``「」（「」）``) pair up: every closing one closes the last one open.

    One pass with a stack, so a field of any length costs time in proportion to its brackets
    (removing adjacent pairs again and again took time in the square of the nesting depth).
    """
    open_: list[str] = []
    for c in sequence:
        if c in OPENERS:
            open_.append(OPENERS[c])
        elif not open_ or open_.pop() != _KIND[c]:
            return False
    return not open_


def balance(text: str) -> Balance:
    """Match each kind of bracket separately, left to right."""
    if _BRACKET.search(text) is None or _pairs_up("".join(_BRACKET.findall(text))):
        return Balance([], [])
    round_ = "(" in text or ")" in text or "）" in text or "（" in text
    skip, numbers = (_faces(text), _list_numbers(text)) if round_ else (set(), set())
    stacks: dict[str, list[int]] = {"kagi": [], "double": [], "round": []}
    unopened: list[int] = []
    for m in _BRACKET.finditer(text):
        i, c = m.start(), m.group()
        if i in skip:
            continue
        if c in OPENERS:
            stacks[OPENERS[c]].append(i)
        elif c in CLOSERS:
            stack = stacks[CLOSERS[c]]
            if stack:
                stack.pop()
            elif i not in numbers:  # "1）" with no round bracket open is a list number
                unopened.append(i)
    unclosed = sorted(i for stack in stacks.values() for i in stack)
    return Balance(unopened, unclosed)


def _line_start(text: str, pos: int) -> int:
    """Where the quoted text can start on the line of ``pos``: after the list marker, or the last colon."""
    start = text.rfind("\n", 0, pos) + 1
    lead = _LINE_LEAD.match(text, start, pos)
    start = lead.end() if lead else start
    # The last colon that ends an introduction: "分類せよ：", "映画：" open a list;
    # "アベンジャーズ：", "グランツーリスモ3：" are inside a title.
    intro = max((m.end() for m in _COLON.finditer(text, start, pos) if m.start() > start
                 and _INTRO_BEFORE_COLON.fullmatch(text[m.start() - 1])), default=start)
    start = intro
    while start < pos and text[start] in " \t\u3000":
        start += 1
    return start


def repair_place(text: str, pos: int, skip: set[int] | None = None) -> int | None:
    """Where the opening half of the closing bracket at ``pos`` must go, or None if not certain.

    Certain means: the closing bracket is the first unmatched one of its kind on its line,
    and between the start of the line's text and the bracket there is some text, no bracket
    of the same kind and no end of a sentence. ``skip`` (faces and list numbers of ``text``)
    can be passed in by a caller that places several brackets of one text, so that the whole
    text is scanned for them once, not once per bracket.
    """
    kind = CLOSERS[text[pos]]
    if skip is None:
        skip = _faces(text) | _list_numbers(text)
    start = _line_start(text, pos)
    segment = text[start:pos]
    if not segment.strip():
        return None
    for offset, c in enumerate(segment):
        if c in _SENTENCE_END:
            return None
        if start + offset not in skip and (OPENERS.get(c) == kind or CLOSERS.get(c) == kind):
            return None
    return start


@dataclass(frozen=True)
class Repair:
    """A text with its missing opening brackets put back, and what was left undecided."""

    text: str
    inserted: list[int]  # positions in the new text of the brackets put back
    left: int  # unmatched closing brackets whose place is not certain
    open_kinds: frozenset[str]  # kinds of bracket the new text leaves open


def repair(text: str, carried: frozenset[str] = frozenset()) -> Repair:
    """Put back the opening brackets whose place is certain (``text`` itself if it is balanced).

    ``carried``: kinds of bracket left open by an earlier field of the same record (a quote
    running from the input into the output); a closing bracket of such a kind on the first
    line may close it, so its place is not certain.
    """
    found = balance(text)
    if not found.unopened:
        return Repair(text, [], 0, _kinds(text, found))
    places: list[tuple[int, str]] = []
    left = 0
    seen: set[tuple[int, str]] = set()  # (line start, kind) already given a closing bracket
    skip = _faces(text) | _list_numbers(text)
    line, scanned = 0, 0  # start of the line of the last bracket, and how far the text was searched
    for pos in found.unopened:  # in text order: each stretch of text is searched for "\n" once
        newline = text.rfind("\n", scanned, pos)
        line, scanned = (newline + 1 if newline >= 0 else line), pos
        kind = CLOSERS[text[pos]]
        place = None if (line, kind) in seen or (line == 0 and kind in carried) else repair_place(text, pos, skip)
        seen.add((line, kind))
        if place is None:
            left += 1
        else:
            places.append((place, OPENING_FOR[text[pos]]))
    if not places:
        return Repair(text, [], left, _kinds(text, found))
    pieces, inserted, last = [], [], 0
    for shift, (place, char) in enumerate(sorted(places)):
        pieces.append(text[last:place])
        inserted.append(place + shift)
        pieces.append(char)
        last = place
    pieces.append(text[last:])
    new = "".join(pieces)
    return Repair(new, inserted, left, _kinds(new, balance(new)))


def _kinds(text: str, found: Balance) -> frozenset[str]:
    return frozenset(OPENERS[text[i]] for i in found.unclosed)


# ------------------------------------------------------------------------------ cut-offs

#: Particles that leave a sentence hanging. か, ね, よ, な can end a sentence; に, へ, で end
#: many short answers ("1月10日に", "東から西へ") and are left out.
_PARTICLES = frozenset("はがをのとや")
_HIRAGANA = re.compile(r"[\u3041-\u309f]")
#: Words that end in a particle's letter: もの, この, その, こと, あと …
_NOT_PARTICLE = ("もの", "この", "その", "あの", "どの", "こと", "あと", "もと", "ひと", "こんにちは", "こんばんは")
_OPENING_END = frozenset("「『（(")
_COMMA_END = frozenset("、，,")
_COLON_END = frozenset("：:")


#: Particles that end a short answer ("東京で", "1月10日に", "私も") but leave a long sentence
#: hanging ("…承認されて2019年7月29日に"). で is cut off from this many characters of the line on,
#: the others only in an answer that already ended a sentence or whose line is twice as long:
#: headlines end in に/へ ("歴代トップに", "総額300億ドルへ").
_LONG_PARTICLES = ("から", "より", "で", "に", "も", "へ")
_DE_LINE = 15
_OTHERS_LINE = 40
#: After the last 。 of a line, one character that is no closing mark is a stray ("…使用します。で").
_STRAY_AFTER = re.compile(r"。([^\s」』）)\]\"'。！？!?.…])$")


def cut_off(text: str, answer: bool = False) -> str | None:
    """Why ``text`` ends where a sentence cannot end, or None if its ending is possible.

    ``answer``: ``text`` is an output, where a long sentence stopping on で/に/も/へ/から/より
    or a stray character after 。 is also a cut-off (contexts copied from Wikipedia often end
    on a caption or a heading, so an input is not judged on those).
    """
    text = text.rstrip()
    if not text:
        return None
    last = text[-1]
    if last in _OPENING_END:
        return "ends in an opening bracket"
    if last in _COMMA_END:
        return "ends in 、"
    if last in _COLON_END:
        return "ends in a colon"
    line = text[text.rfind("\n") + 1:]
    # は, が, を end a clause wherever they stand; の, と, や only after a word that is
    # not written in hiragana (リックの, but もの, こと are words).
    if (last in _PARTICLES and not _is_list_item(line, text) and not text.endswith(_NOT_PARTICLE)
            and (last in "はがを" or not _HIRAGANA.fullmatch(text[-2:-1] or "x"))):
        return f"ends in the particle {last}"
    found = balance(line)
    tail_open = [i for i in found.unclosed if line[i] in "「『"]
    if tail_open and last not in _SENTENCE_END and not any(c in _SENTENCE_END for c in line[tail_open[-1]:]):
        return f"ends inside an unclosed {line[tail_open[-1]]}"
    return _dangling(text, line) if answer else None


def _dangling(text: str, line: str) -> str | None:
    """A long sentence that stops on で, に, も, へ, から or より, one stray character after 。, or an
    answer that stops inside a round bracket (``…テスラモデル3（自動車``, like a title list that lost its last 」)."""
    if _STRAY_AFTER.search(line) and len(line) > _DE_LINE:
        return "a stray character after 。"
    round_open = [i for i in balance(line).unclosed if line[i] in "（("]
    if round_open and not any(c in _SENTENCE_END for c in line[round_open[-1]:]):
        return f"ends inside an unclosed {line[round_open[-1]]}"
    particle = next((p for p in _LONG_PARTICLES if text.endswith(p)), None)
    before = text[-len(particle) - 1:-len(particle)] if particle else ""
    if particle is None or _is_list_item(line, text) or _HIRAGANA.fullmatch(before or "あ"):
        return None  # after hiragana it ends a word or a verb form: ために, ように, ですから
    if particle == "で":
        long_enough = len(line) >= _DE_LINE
    else:
        long_enough = len(line) >= _OTHERS_LINE or any(c in _SENTENCE_END for c in text)
    return f"a long sentence stops on {particle}" if long_enough else None


def _is_list_item(line: str, text: str) -> bool:
    """The last line is one item of a list of several lines (items are often fragments)."""
    lead = _LINE_LEAD.match(line)
    return "\n" in text and lead is not None and lead.end() > 0


# ------------------------------------------------------------------------- whole records

def unmatched(fields: list[str]) -> list[tuple[int, int]]:
    """(field number, position) of each bracket in ``fields`` that pairs with nothing.

    The fields are one record in order (instruction, input, output): a quote opened at the
    end of one field and closed on the first line of a later one (a sentence to complete)
    is a pair, not two defects.
    """
    found = [balance(text) for text in fields]
    pending: dict[str, list[tuple[int, int]]] = {}  # kind → unclosed (field, position) still waiting
    paired: set[tuple[int, int]] = set()
    for n, (text, b) in enumerate(zip(fields, found, strict=True)):
        first_line = text.find("\n") if "\n" in text else len(text)
        for pos in b.unopened:
            waiting = pending.get(CLOSERS[text[pos]])
            if pos < first_line and waiting:
                paired.add(waiting.pop())
                paired.add((n, pos))
        for pos in b.unclosed:
            pending.setdefault(OPENERS[text[pos]], []).append((n, pos))
    return sorted({(n, pos) for n, b in enumerate(found) for pos in b.unopened + b.unclosed} - paired)
