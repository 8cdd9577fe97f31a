"""The converter on sentences of the real source, judged by reading (``tests/data/restyle_sample.jsonl``).

The sample was drawn with ``python -m tests.review.restyle_sample SOURCE`` (seed 19, 120
converted sentences per direction, every kind of ending at least six times where the source
has that many) and each output was read and judged: grammatical, same meaning, nothing else
changed ("ok"), or not ("wrong", with a note). A test fails if any judged case comes out
differently now: a changed output has to be judged again.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from dolly_ja_16k.review.restyle import restyle
from dolly_ja_16k.review.style import JOTAI, KEITAI
from tests.conftest import SHARED_SOURCE

SAMPLE = Path(__file__).parent.parent / "data" / "restyle_sample.jsonl"
GOAL = 0.95
KINDS = {"五段-カ行", "五段-ガ行", "五段-サ行", "五段-タ行", "五段-ナ行", "五段-バ行", "五段-マ行", "五段-ラ行",
         "五段-ワア行", "上一段", "下一段", "カ行変格", "サ行変格", "助動詞", "adjective", "copula", "ある/ない",
         "でしょう/だろう"}


def cases() -> list[dict[str, str]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]


def test_the_sample_is_large_spread_and_judged() -> None:
    sample = cases()
    assert len(sample) >= 200
    for to in (JOTAI, KEITAI):
        drawn = [c for c in sample if c["direction"] == to]
        assert len(drawn) >= 100
        assert {c["kind"] for c in drawn} >= KINDS, to
    assert {c["kind"] for c in sample if c["direction"] == JOTAI} >= {"joining"}
    assert all(c["verdict"] in ("ok", "wrong") for c in sample)
    assert all(c.get("note") for c in sample if c["verdict"] == "wrong")
    assert len({(c["direction"], c["index"], c["source"]) for c in sample}) == len(sample)


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c['direction']}-{c['index']}-{c['kind']}")
def test_every_judged_case_comes_out_as_judged(case: dict[str, str]) -> None:
    assert restyle(case["source"], case["direction"]).text == case["output"]


def test_precision_per_direction() -> None:
    verdicts = Counter((c["direction"], c["verdict"]) for c in cases())
    for to in (JOTAI, KEITAI):
        ok, wrong = verdicts[(to, "ok")], verdicts[(to, "wrong")]
        precision = ok / (ok + wrong)
        print(f"\nto {to}: {ok} of {ok + wrong} judged correct, precision {precision:.1%}")
        assert precision >= GOAL


def test_the_sentences_are_from_the_shared_source() -> None:
    if not SHARED_SOURCE.is_file():
        pytest.skip(f"real source not present at {SHARED_SOURCE}")
    outputs = {r["index"]: r["output"] for r in json.loads(SHARED_SOURCE.read_bytes())}
    for case in cases():
        assert case["source"] in outputs[case["index"]], case
