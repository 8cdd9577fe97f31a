"""Morphemes of short Japanese text from MeCab (``fugashi``) with UniDic (``unidic-lite``).

The style tagger and the register converter both look at a few characters at the end of a
clause, and both need the same few things of each morpheme: its surface, part of speech,
lemma, conjugation type (``cType``: 五段-カ行, 上一段-マ行, サ行変格, …) and conjugation form
(``cForm``: 連用形-一般, 終止形-一般, …). One tagger is loaded per process, and its text output
is split directly: building fugashi's node objects costs about twice as much as the analysis.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

from dolly_ja_16k.errors import DollyError, Opt


class Morpheme(NamedTuple):
    """One morpheme, with the UniDic fields the register rules read (in the order MeCab prints them)."""

    surface: str
    lemma: str  # 書く, 為る, 有る, ます, です …
    pos: str  # part of speech, levels joined by "-": 動詞-一般, 助動詞, 助詞-終助詞, 接尾辞-形容詞的 …
    ctype: str  # 五段-カ行, 下一段-バ行, カ行変格, 助動詞-マス … ("" when it does not conjugate)
    cform: str  # 連用形-一般, 終止形-一般, 意志推量形 … ("" when it does not conjugate)


@lru_cache(maxsize=1)
def tagger() -> Any:
    """One MeCab tagger per process (loading the dictionary takes about 0.1 s)."""
    try:
        import fugashi
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise DollyError.naming("style tagging needs fugashi and unidic-lite (pip install fugashi unidic-lite); "
                                "or build with ", Opt("tag_style", False)) from err
    return fugashi.Tagger()


#: One line of unidic-lite's output: surface, pronunciation, reading, lemma, POS, cType, cForm, …
_LINE = re.compile(r"^([^\t\n]*)\t[^\t\n]*\t[^\t\n]*\t([^\t\n]*)\t([^\t\n]*)\t([^\t\n]*)\t([^\t\n]*)", re.M)


@lru_cache(maxsize=1 << 16)
def analyse(text: str) -> tuple[Morpheme, ...]:
    """The morphemes of ``text``, cached: clause endings repeat ("あります", "である")."""
    return tuple(map(Morpheme._make, _LINE.findall(tagger().parse(text))))
