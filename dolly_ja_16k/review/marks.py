"""Wikipedia's editorial marks in the translated text, told apart from brackets that are content.

The contexts of databricks-dolly-15k-ja were copied from Wikipedia with their reference
marks, and the translation copied the marks into the answers. Every bracketed token of the
shared source was listed with its count (``tests/data/bracket_tokens.tsv``); the marks are:

* numbered notes ``[3]``, runs ``[4][5]`` (one to three digits: four digits are years, ``[1994]``);
* lettered notes ``[a]`` … ``[n]``, ``[A]`` … ``[D]`` and Roman ``[ii]``, ``[iv]``;
* labelled notes, Latin and Japanese, with or without a space or a dot: ``[注 1]``, ``[注1]``,
  ``[注釈 1]``, ``[nb 1]``, ``[n 1]``, ``[n. 9]``, ``[p 2]``, ``[T 3]``, ``[note a]``, ``[web 3]``,
  ``[Jp 6]``, ``[※2]``, ``[リスト1]``, ``[ch.285、286]``;
* maintenance tags: ``[citation needed]`` and every ``[… needed]``, ``[要出典]``, ``[編集]``,
  ``[検証失敗]``, ``[より良いソースが必要]``, ``[dubious - discuss]``, short questions such as
  ``[who?]`` or ``[いつ?]`` …, the interlanguage links ``[de]`` / ``[fr]``, and the empty ``[ ]``
  left where a tag was, before 。 or at the end of a line.

Kept as content: IPA (``[həˈvɐʔi]``), code (``Future[Int]``, ``a[i]``, ``x[0] =``), intervals
(``[a, b]``), link text (``[分散](https://…)``), years (``[1994]``), letters inside a word
(``Colo[u]r``), template slots (``[NAME]``, ``[会社名]``) and the ellipsis ``[...]``.
Each rule below looks only at the token and one character on each side, so the scan is
linear in the text.
"""

from __future__ import annotations

import re

#: Any bracketed token on one line, at most 40 characters inside (longer ones are never marks).
TOKEN = re.compile(r"\[([^\[\]\n]{0,40})\]")

_NUMBER = re.compile(r"[0-9]{1,3}")
_LETTER = re.compile(r"[a-zA-Z]|i{2,3}|iv|vi{0,3}|ix|xi{0,2}")
_LABELLED = re.compile(r"(?:注釈|注|nb|n\.?|note|p|T|web|Jp|※|リスト|ch\.)\s?[0-9a-z]{1,3}(?:[、,]\s?[0-9]{1,3})*")
#: Maintenance tags, compared in lower case with ？ read as ?.
_TAGS = frozenset({
    "要出典", "要ページ", "編集", "検証失敗", "より良いソースが必要", "より良い情報源が必要", "引用", "完全引用",
    "引用元不明", "引用者注釈", "引用者註", "引用者", "引用者注釈：必要", "非一次資料", "非一次ソース必要",
    "ユーザー作成ソース?", "いつ", "いつ?", "誰が?", "誰?", "定量", "ニーズアップデート", "デ",
    "dubious - discuss", "permanent dead link", "not verified in body", "refresh", "de", "fr",
})
_NEEDED = re.compile(r"[a-z ]{1,30} needed")
_QUESTION = re.compile(r"[a-z ]{2,20}\?")
#: Characters of an ASCII identifier: before ``[i]`` or ``[0]`` they make it code (``a[i]``).
_IDENT = frozenset("abcdefghijklmnopqrstuvwxyz_")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: After an index, these continue an expression (``x[0] = 1``, ``a[0])``); not ``[`` or ``.``,
#: which follow notes in English text too (``familiaris[4][5]``, ``Ratification[10].``).
_CODE_AFTER = frozenset("=+-*/)")
_LINK_AFTER = ("(http", "(/", "(#", "(www")


def _tag(inner: str) -> bool:
    low = inner.lower().replace("？", "?")
    return low in _TAGS or bool(_NEEDED.fullmatch(low) or _QUESTION.fullmatch(low))


def _is_code(inner: str, before: str, after: str) -> bool:
    """``a[i]``, ``x[0] =``: an index after a lower-case identifier, followed by more expression."""
    if before not in _IDENT:
        return False
    return inner in ("i", "j", "k") or (_NUMBER.fullmatch(inner) is not None and (after[:1] in _CODE_AFTER
                                                                                   or after[:2] == " ="))


def is_mark(inner: str, before: str, after: str) -> bool:
    """Whether ``[inner]`` is an editorial mark, given the character before it and the text after it.

    ``before`` is one character ("" at the start), ``after`` the next few characters ("" at the end).
    """
    if after.startswith(_LINK_AFTER):
        return False
    if not inner.strip():
        return after[:1] in ("", "。", "\n")
    if _NUMBER.fullmatch(inner) or _LETTER.fullmatch(inner):
        if before in _ASCII_LETTERS and after[:1] in _ASCII_LETTERS:
            return False  # "Colo[u]r": a letter inside a word
        if len(inner) == 1 and inner.isupper() and before in _ASCII_LETTERS:
            return False  # "Future[T]": a type parameter
        return not _is_code(inner, before, after)
    return _LABELLED.fullmatch(inner) is not None or _tag(inner)


def find(text: str) -> list[tuple[int, int]]:
    """(start, end) of each editorial mark in ``text``, in order."""
    if "[" not in text:
        return []
    found = []
    for m in TOKEN.finditer(text):
        start, end = m.span()
        if is_mark(m.group(1), text[start - 1:start], text[end:end + 5]):
            found.append((start, end))
    return found


def remove(text: str) -> tuple[str, int]:
    """``text`` without its editorial marks and the spaces or tabs just before each; how many went."""
    spans = find(text)
    if not spans:
        return text, 0
    pieces = []
    last = 0
    for start, end in spans:
        pieces.append(text[last:start].rstrip(" \t"))
        last = end
    pieces.append(text[last:])
    return "".join(pieces), len(spans)
