"""Draw the judged sample of converted sentences (``tests/data/restyle_sample.jsonl``).

``python -m tests.review.restyle_sample SOURCE [--seed 19] [--per-direction 120]`` prints one
JSON line per drawn sentence: the record's index, the direction, the sentence as written, the
converter's output for it, and the kind of ending changed (the verb's conjugation type, the
copula, an adjective, a clause inside a sentence). Every kind is drawn at least a few times
(``MIN_PER_KIND``), the rest at random, all from a seeded generator: the same source and seed
give the same sample. Each line was then judged by reading it and given ``verdict`` ("ok" or
"wrong") and, for wrong ones, a ``note``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

from dolly_ja_16k.review.conjugate import is_verb
from dolly_ja_16k.review.morphemes import Morpheme, analyse
from dolly_ja_16k.review.restyle import Change, restyle
from dolly_ja_16k.review.style import JOTAI, KEITAI

MIN_PER_KIND = 6
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def sentence_around(text: str, change: Change) -> tuple[int, int]:
    """(start, end) of the sentence holding ``change``: from the previous sentence mark to the next, inclusive."""
    start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, change.start)), default=0)
    after = _SENTENCE_END.search(text, change.start + len(change.before))
    end = after.end() if after and after.group() != "\n" else (after.start() if after else len(text))
    return start, end


def _morpheme_at(sentence: str, morphemes: tuple[Morpheme, ...], at: int) -> int:
    """Index of the morpheme that holds character ``at`` of ``sentence`` (MeCab drops spaces)."""
    offset = 0
    for i, m in enumerate(morphemes):
        offset = sentence.find(m.surface, offset) + len(m.surface)
        if at < offset:
            return i
    return len(morphemes) - 1


def kind_of(sentence: str, change: Change, at: int) -> str:
    """What kind of ending ``change`` (at ``at`` in ``sentence``) rewrote: a conjugation type, the copula, …"""
    if change.inside:
        return "joining"
    if "でしょ" in change.before + change.after or "だろ" in change.before + change.after:
        return "でしょう/だろう"
    morphemes = analyse(sentence)
    i = _morpheme_at(sentence, morphemes, at - 1 if not change.before else at)
    while i > 0 and morphemes[i].pos == "助動詞" and morphemes[i].lemma in ("ます", "た", "ず", "ない", "です", "だ"):
        i -= 1  # the word the auxiliary hangs on
    m = morphemes[i]
    if m.lemma in ("有る", "無い", "御座る") and not (i > 0 and morphemes[i - 1].surface == "で"):
        return "ある/ない"
    if m.pos.startswith(("形容詞", "接尾辞-形容詞的")) or m.lemma in ("たい", "らしい"):
        return "adjective"
    if is_verb(m):
        return m.ctype[:3] if m.ctype.startswith(("上一段", "下一段", "助動詞-レル")) else m.ctype
    return "copula"


def draw(records: list[dict[str, str]], seed: int, per_direction: int) -> list[dict[str, str]]:
    """The seeded sample: for each direction, every kind at least ``MIN_PER_KIND`` times, then at random."""
    rng = random.Random(seed)
    drawn = []
    for to in (JOTAI, KEITAI):
        by_kind: dict[str, list[dict[str, str]]] = defaultdict(list)
        for record in records:
            text = record["output"]
            for change in restyle(text, to).changes:
                start, end = sentence_around(text, change)
                sentence = text[start:end]
                output = restyle(sentence, to).text
                if output == sentence or len(sentence) > 160:
                    continue  # converted differently alone (or too long to judge comfortably)
                kind = kind_of(sentence, change, change.start - start)
                by_kind[kind].append({"index": record["index"], "direction": to, "source": sentence,
                                      "output": output, "kind": kind})
        picked: dict[tuple[str, str], dict[str, str]] = {}
        for kind in sorted(by_kind):
            for case in rng.sample(by_kind[kind], min(MIN_PER_KIND, len(by_kind[kind]))):
                picked.setdefault((case["index"], case["source"]), case)
        rest = [c for kind in sorted(by_kind) for c in by_kind[kind] if (c["index"], c["source"]) not in picked]
        rng.shuffle(rest)
        for case in rest:
            if len(picked) >= per_direction:
                break
            picked.setdefault((case["index"], case["source"]), case)
        drawn += sorted(picked.values(), key=lambda c: (c["kind"], int(c["index"])))
    return drawn


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--per-direction", type=int, default=120)
    args = parser.parse_args(argv)
    records = json.loads(args.source.read_bytes())
    for case in draw(records, args.seed, args.per_direction):
        sys.stdout.write(json.dumps(case, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
