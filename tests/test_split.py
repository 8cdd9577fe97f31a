from __future__ import annotations

import hashlib
import itertools
from collections import Counter

import pytest

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.options import STRATEGIES
from dolly_ja_16k.split import SPLIT_STRATEGIES, split
from tests.conftest import make_record


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
    # parts and strategy are options, checked with the others: tests/test_options.py


def test_any_int_is_a_seed_and_each_gives_its_own_split():
    records = _records(200)
    seeds = [0, -1, 1, 2**63, 2**64, -(2**64), 10**100, -(10**100)]
    results = [split(records, 4, "stratified", seed=s) for s in seeds]
    assert all(r == split(records, 4, "stratified", seed=s) for r, s in zip(results, seeds, strict=True))
    assert len({tuple(r["index"] for r in out[0]) for out in results}) == len(seeds)


def test_contiguous_ignores_the_seed():
    records = _records(50)
    assert split(records, 4, "contiguous", seed=1) == split(records, 4, "contiguous", seed=2**80)


@pytest.mark.parametrize("strategy", ["stratified", "shuffle"])
def test_a_records_part_follows_its_index_not_its_position(strategy):
    records = _records(300)
    where = {r["index"]: n for n, part in enumerate(split(records, 4, strategy, seed=9)) for r in part}
    moved_around = records[150:] + records[:150]
    assert where == {r["index"]: n for n, part in enumerate(split(moved_around, 4, strategy, seed=9)) for r in part}


def test_removing_a_record_moves_only_boundary_records():
    records = _records(1000)
    before = {r["index"]: n for n, part in enumerate(split(records, 4, "shuffle", seed=3)) for r in part}
    for gone in (0, 499, 999):
        rest = records[:gone] + records[gone + 1:]
        after = {r["index"]: n for n, part in enumerate(split(rest, 4, "shuffle", seed=3)) for r in part}
        assert sum(before[i] != after[i] for i in after) <= 3  # one record per boundary at most


# -- each strategy's sentence (the card and --help print it) holds -------------------------------------

def _keyed_order(records, seed):
    """The records in the order the sentences name: a keyed hash (blake2b, keyed by the seed) of each index."""
    key = hashlib.blake2b(str(seed).encode("ascii"), digest_size=32).digest()

    def digest(index):
        return hashlib.blake2b(index.encode("utf-8", "surrogatepass"), key=key, digest_size=8).digest()

    return sorted(records, key=lambda r: (digest(r["index"]), r["index"]))


def _ranges(order, out):
    """The part of each record of ``order``, in that order."""
    part_of = {r["index"]: n for n, part in enumerate(out) for r in part}
    return [part_of[r["index"]] for r in order]


def _one_range_per_part(parts_in_order, parts):
    """True if the parts follow each other as contiguous ranges, in part order (an empty range allowed)."""
    return parts_in_order == sorted(parts_in_order) and set(parts_in_order) <= set(range(parts))


@pytest.mark.parametrize("seed", [0, 42, -7])
def test_stratified_sentence_holds(seed):
    sentence = SPLIT_STRATEGIES["stratified"].sentence(f"seed `{seed}`")
    assert sentence.startswith(f"each category ordered by a keyed hash of seed `{seed}` and each record's `index`")
    assert "cut into one contiguous range of that order per part" in sentence
    assert sentence.endswith("every part has the same category mix (within one record per category)")
    records = _records(1003)
    out = split(records, 4, "stratified", seed)
    for category in {r["category"] for r in records}:
        members = [r for r in records if r["category"] == category]
        assert _one_range_per_part(_ranges(_keyed_order(members, seed), out), 4), category
        per_part = Counter(_ranges(members, out))
        assert max(per_part.values()) - min(per_part[n] for n in range(4)) <= 1, category


@pytest.mark.parametrize("seed", [0, 42, -7])
def test_shuffle_sentence_holds(seed):
    sentence = SPLIT_STRATEGIES["shuffle"].sentence(f"seed `{seed}`")
    assert sentence == (f"all records ordered by a keyed hash of seed `{seed}` and each record's `index`, and cut "
                        "into consecutive slices of that order")
    records = _records(1003)
    out = split(records, 4, "shuffle", seed)
    order = _keyed_order(records, seed)
    starts = [0, *itertools.accumulate(len(p) for p in out)]
    for n, part in enumerate(out):
        assert {r["index"] for r in part} == {r["index"] for r in order[starts[n]:starts[n + 1]]}


def test_contiguous_sentence_holds():
    sentence = SPLIT_STRATEGIES["contiguous"].sentence("seed `1`")
    assert sentence == "consecutive slices of the input order (no shuffling, so the seed plays no part)"
    records = _records(1003)
    out = split(records, 4, "contiguous", seed=1)
    assert [r for part in out for r in part] == records  # consecutive slices of the input order
    assert split(records, 4, "contiguous", seed=2) == out  # the seed plays no part


def test_every_strategy_the_options_offer_has_a_sentence():
    assert list(SPLIT_STRATEGIES) == list(STRATEGIES)
    for strategy in SPLIT_STRATEGIES.values():
        assert strategy.description and "\n" not in strategy.description
        assert "shuffled" not in strategy.description and "dealt" not in strategy.description


def test_strategy_help_takes_each_strategys_sentence():
    from tests.conftest import run_cli

    result = run_cli("build", "--help")
    text = " ".join(result.stdout.split())
    for strategy in SPLIT_STRATEGIES.values():
        assert f"{strategy.name}: {strategy.sentence('the seed (--seed)')}" in text
