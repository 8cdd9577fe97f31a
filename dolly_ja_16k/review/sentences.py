"""Where the sentences of an answer end, and which parts of an answer are not sentences.

The register of Japanese text (です・ます or だ・である) shows in the predicate that ends each
clause. The style tagger reads those predicates and the converter rewrites them, so both
need the same answer to two questions, given here once:

- **Where does a sentence end?** At 。！？!?, at a line break, at a colon (the clause before
  "：" in "次のとおりです：" is a sentence of its own) and at the end of the text. The
  predicate sits just before the end, after trailing symbols, brackets and citation marks
  (``ある。[1]``) are set aside.
- **What is not a sentence?** Text inside quotation marks (「」『』“”‘’ and ASCII double
  quotes: speech and titles keep their own register); list items and ``label：value`` lines
  that do not end in 。！？!? (``5. 日記を書く`` is a label, not a plain sentence); code
  (fenced blocks and ```inline```). These spans are *protected*: an ending inside one is
  never rewritten and never counted.

Quotes are paired within a line, because the translation often loses one half of a pair: an
opening mark that is never closed protects the rest of its line, a closing mark with no
opening one protects the line up to it. Finding the spans costs one regular expression
search for answers without any quote, colon, backtick or list marker (most of them).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from typing import NamedTuple

HIRAGANA = "\u3041-\u309f"
QUOTED, LABEL, CODE = "quoted", "label", "code"

#: Characters that end a sentence; a run of them ("。」", "？！") is one end.
_ENDS = "。！？!?\n：:"
_SEGMENT = re.compile(f"[^{_ENDS}]+")
_SPLIT = re.compile(f"[{_ENDS}]+")
#: Trailing symbols, brackets, quotes, spaces and citation marks after a sentence's last word,
#: matched on the reversed sentence (Python's re has no fast search from the end).
_TRAILING_REVERSED = re.compile(r"(?:\][0-9]{1,3}\[|[\s\W_])+")
#: A clause ending as the analyser sees it: the final run of hiragana (at most ``KANA``, enough
#: for "ではありませんでした") and up to ``CONTEXT`` characters before it, the stem of the last
#: word ("書", "勉強"): MeCab needs the stem to tell 書きました from 聞きました. Without a stem,
#: a closing bracket, quote mark or percent sign before the run shows that a noun ends there
#: (「東京」です, 20％です), and so does a word or a bracket before spaces ("fib(n) です", which
#: the window holds without the spaces, as MeCab would drop them). Matched on the reversed
#: sentence, like ``_TRAILING_REVERSED``.
KANA, CONTEXT = 12, 3
_NOUN_END = "[」』）)\\]｝}】〉》\"”’%％℃]"
_WINDOW_REVERSED = re.compile(rf"[{HIRAGANA}]{{1,{KANA}}}(?:[^\W{HIRAGANA}_]{{1,{CONTEXT}}}|{_NOUN_END}"
                              rf"|[ \t\u3000]+(?:[^\W{HIRAGANA}_]|{_NOUN_END}))?")
_SPACES = re.compile(r"[ \t\u3000]+")
#: Katakana before the run is a loanword, cut anywhere by ``CONTEXT`` ("クター" of キャラクター,
#: which MeCab misreads): it is analysed as the noun ``KATAKANA_NOUN`` instead, which also
#: makes all "<loanword>です" endings one cache entry.
_KATAKANA_CONTEXT = re.compile(rf"[\u30a1-\u30fa\u30fc]+(?=[{HIRAGANA}])")
KATAKANA_NOUN = "テスト"

_QUOTE_PAIRS = {"「": "」", "『": "』", "“": "”", "‘": "’", '"': '"'}
_CLOSING = frozenset("」』”’")
_QUOTE_MARK = re.compile("[「」『』“”‘’\"]")
#: A list item: bullets, "1." "2)" "(3)" "①" "a)" at the start of a line.
_LIST_ITEM = re.compile(r"[ \t\u3000]*(?:[-‐－―*＊+•・●○◦■□◆◇▪►▶▸✓✔☆★※→]|\d{1,3}[ \t]*[.．)）:：]"
                        r"|\d{1,3}[ \t\u3000]|[(（]\d{1,3}[)）]|[①-⑳⑴-⒇❶-❿]|[A-Za-z][.)）](?=[ \t]))")
#: A "label：value" line: a short label without a sentence end, a colon, then text.
_LABEL_VALUE = re.compile(r"[ \t\u3000]*[^\s：:。！？!?][^：:。！？!?\n]{0,30}[：:][ \t\u3000]*\S")
#: How a line that is a sentence ends (after trailing brackets, quotes and citation marks).
_SENTENCE_MARK = re.compile(r"[。！？!?](?:\[\d{1,3}\]|[\s」』）)\]】\"”’])*$")
_FENCE = re.compile(r"```.*?(?:```|\Z)", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
#: Anything that may need a protected span: a quote mark, a backtick, a colon with text after it
#: on its line, a list marker. Answers without any (most of them) skip the search for spans.
_MAYBE_PROTECTED = re.compile(r"[「」『』“”‘’\"`]|[：:][ \t\u3000]*[^\s]"
                              r"|^[ \t\u3000]*(?:[-‐－―*＊+•・●○◦■□◆◇▪►▶▸✓✔☆★※→(（①-⑳⑴-⒇❶-❿]"
                              r"|\d{1,3}[ \t\u3000.．)）]|[A-Za-z][.)）])", re.M)


class Ending(NamedTuple):
    """The end of one sentence: where its last word ends, and the clause-final window before it."""

    end: int  # index just after the last word (trailing symbols excluded)
    window: str  # the analyser's view of the ending
    protected: str  # "" or why the ending is not a sentence: QUOTED, LABEL, CODE
    mark: str  # what ends the sentence: "。", "！", "\n", "：", … or "" at the end of the text


def _quote_spans(line: str, start: int) -> Iterator[tuple[int, int]]:
    """Quoted stretches of one line, as absolute (start, end) positions."""
    stack: list[tuple[str, int]] = []
    for m in _QUOTE_MARK.finditer(line):
        ch, at = m.group(), m.start()
        if stack and ch == _QUOTE_PAIRS[stack[-1][0]]:
            opened = stack.pop()[1]
            if not stack:
                yield start + opened, start + at + 1
        elif ch in _CLOSING:
            if any(ch == _QUOTE_PAIRS[o] for o, _ in stack):
                while _QUOTE_PAIRS[stack[-1][0]] != ch:
                    stack.pop()
                opened = stack.pop()[1]
                if not stack:
                    yield start + opened, start + at + 1
            elif not stack:  # its opening half was lost: the quote ran from the start of the line
                yield start, start + at + 1
        else:
            stack.append((ch, at))
    if stack:  # never closed: the quote runs to the end of the line
        yield start + stack[0][1], start + len(line)


def _line_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Quotes, labels and inline code, line by line (a line without a quote mark or backtick skips those)."""
    quotes = _QUOTE_MARK.search(text) is not None
    code = "`" in text
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if (_LIST_ITEM.match(line) or _LABEL_VALUE.match(line)) and not _SENTENCE_MARK.search(line):
            yield start, end, LABEL
        else:
            if quotes and _QUOTE_MARK.search(line):
                for a, b in _quote_spans(line, start):
                    yield a, b, QUOTED
            if code and "`" in line:
                for m in _INLINE_CODE.finditer(line):
                    yield start + m.start(), start + m.end(), CODE
        start = end + 1


def protected_spans(text: str) -> list[tuple[int, int, str]]:
    """Sorted, non-overlapping (start, end, reason) spans of ``text`` that are not sentences."""
    if _MAYBE_PROTECTED.search(text) is None:
        return []
    spans = [(m.start(), m.end(), CODE) for m in _FENCE.finditer(text)] if "```" in text else []
    spans += _line_spans(text)
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for span in spans:
        if merged and span[0] < merged[-1][1]:  # inside an earlier span (a quote in a code block)
            if span[1] > merged[-1][1]:
                merged[-1] = (merged[-1][0], span[1], merged[-1][2])
            continue
        merged.append(span)
    return merged


def protection(spans: list[tuple[int, int, str]], starts: list[int], at: int) -> str:
    """Why position ``at`` is protected, or ""."""
    i = bisect_right(starts, at) - 1
    return spans[i][2] if i >= 0 and at < spans[i][1] else ""


def window_of(sentence: str) -> str:
    """The clause-final window of a sentence that ends exactly at its last word ("" if no hiragana ends it)."""
    if not sentence or not "\u3041" <= sentence[-1] <= "\u309f":
        return ""  # it ends in a noun, a name, a number: no predicate
    window = _WINDOW_REVERSED.match(sentence[:-(KANA + CONTEXT + 12):-1]).group()[::-1]  # type: ignore[union-attr]
    if " " in window or "\t" in window or "\u3000" in window:
        window = _SPACES.sub("", window)
    if "\u30a1" <= window[0] <= "\u30fc":
        return _KATAKANA_CONTEXT.sub(KATAKANA_NOUN, window, count=1)
    return window


def _last_word(sentence: str) -> str:
    """``sentence`` without the symbols, brackets, spaces and citation marks after its last word."""
    if "\u3041" <= sentence[-1] <= "\u309f":
        return sentence  # most sentences end in hiragana: nothing to cut
    trailing = _TRAILING_REVERSED.match(sentence[::-1])
    return sentence if trailing is None else sentence[:len(sentence) - trailing.end()]


def endings(text: str, spans: list[tuple[int, int, str]] | None = None) -> list[Ending]:
    """Every sentence end of ``text`` that could follow a predicate (its last word ends in hiragana), in order.

    A sentence that ends in kanji, katakana, Latin letters or digits ends in a noun, a name or a
    number (体言止め): Japanese predicates end in hiragana (okurigana, です, だ, ない), so it has
    no ending to read or rewrite. ``spans`` is ``protected_spans(text)`` if the caller has it.
    """
    if spans is None:
        spans = protected_spans(text)
    starts = [s[0] for s in spans]
    size = len(text)
    found = []
    for m in _SEGMENT.finditer(text):
        sentence = _last_word(m.group())
        window = window_of(sentence)
        if window:
            end = m.start() + len(sentence)
            after = m.end()
            found.append(Ending(end, window, protection(spans, starts, end - 1) if spans else "",
                                text[after] if after < size else ""))
    return found


def windows(text: str) -> list[str]:
    """The clause-final windows of the sentences of ``text`` that count (not protected), in order.

    The style tagger's path: ``endings`` without positions and tuples, and without looking for
    protected spans in the texts (most of them) that have no quote, colon, list marker or code.
    """
    spans = protected_spans(text)
    found = []
    if not spans:
        for sentence in _SPLIT.split(text):
            if sentence:
                window = window_of(_last_word(sentence))
                if window:
                    found.append(window)
        return found
    starts = [s[0] for s in spans]
    for m in _SEGMENT.finditer(text):
        sentence = _last_word(m.group())
        window = window_of(sentence)
        if window and not protection(spans, starts, m.start() + len(sentence) - 1):
            found.append(window)
    return found
