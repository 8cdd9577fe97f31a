from __future__ import annotations

from collections import Counter

import pytest

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.split import split

from .conftest import make_record


def _records(n):
    # uneven categories: a third are "open_qa", the rest spread over three others
    cats = ["open_qa", "open_qa", "closed_qa", "summarization", "open_qa", "brainstorming"]
    return [make_record(i, category=cats[i % len(cats)]) for i in range(n)]


@pytest.mark.parametrize("strategy", ["stratified", "contiguous", "shuffle"])
@pytest.mark.parametrize(("n", "parts"), [(15015, 4), (10, 3), (7, 7), (5, 1)])
def test_every_record_once_and_sizes_within_one(strategy, n, parts):
    records = _records(n)
    out = split(records, parts, strategy, seed=1)
    assert len(out) == parts
    indexes = [r["index"] for part in out for r in part]
    assert sorted(indexes) == sorted(r["index"] for r in records)
    sizes = [len(p) for p in out]
    assert max(sizes) - min(sizes) <= 1
    assert sizes == sorted(sizes, reverse=True)  # the first parts get the extra records
    position = {r["index"]: i for i, r in enumerate(records)}
    for part in out:  # source order inside each part
        assert [position[r["index"]] for r in part] == sorted(position[r["index"]] for r in part)


def test_real_sizes_are_3754_3754_3754_3753():
    assert [len(p) for p in split(_records(15015), 4)] == [3754, 3754, 3754, 3753]


def test_stratified_parts_share_the_category_mix():
    out = split(_records(1003), 4, "stratified", seed=5)
    counts = [Counter(r["category"] for r in part) for part in out]
    for category in {"open_qa", "closed_qa", "summarization", "brainstorming"}:
        per_part = [c[category] for c in counts]
        assert max(per_part) - min(per_part) <= 1, (category, per_part)


def test_contiguous_is_consecutive_slices():
    records = _records(10)
    out = split(records, 3, "contiguous")
    assert out == [records[0:4], records[4:7], records[7:10]]


def test_seeded_strategies_are_deterministic_and_depend_on_the_seed():
    records = _records(200)
    for strategy in ("stratified", "shuffle"):
        assert split(records, 4, strategy, seed=3) == split(records, 4, strategy, seed=3)
        assert split(records, 4, strategy, seed=3) != split(records, 4, strategy, seed=4)


def test_impossible_splits_are_input_errors():
    with pytest.raises(InputError, match="3 records cannot fill 4 parts"):
        split(_records(3), 4)
    with pytest.raises(InputError, match="at least 1"):
        split(_records(3), 0)
    with pytest.raises(InputError, match="unknown split strategy"):
        split(_records(3), 1, "alphabetical")
