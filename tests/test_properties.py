"""Property-based tests of the splitter and the writer (hypothesis).

For any valid records and any parts / strategy / seed: every record lands in exactly one
part, part sizes differ by at most one (and, stratified, by at most one per category),
parts keep source order, the result is deterministic; every written line reads back to
the same record, whatever the text (emoji, combining marks, RTL, U+2028, quotes ...).
"""

from __future__ import annotations

import copy
import io
import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.manifest import entry_for
from dolly_ja_16k.read.records import FIELDS, KNOWN_CATEGORIES, is_blank
from dolly_ja_16k.read.sources import read_source
from dolly_ja_16k.split import SPLIT_STRATEGIES, split
from dolly_ja_16k.write.staging import arrow_nbytes, encode_lines, part_info

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

CATEGORIES = [*sorted(KNOWN_CATEGORIES), "poetry", "カテゴリ"]
#: Characters that tend to break writers and readers, mixed into otherwise arbitrary text.
AWKWARD = ["😀", "👩‍👩‍👧", "🇯🇵", "\u0301", "が", "\u3099", "\u05d0\u05d1", "\u0627\u0644", "\u200f", "\u202e",
           "\u2028", "\u2029", "\u0085", "\ufeff", "\u3000", '"', "\\", "/", "\n", "\r", "\r\n", "\t", "\x1f",
           "\x7f", "</script>", "\U0010fffd"]
TEXT_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
ANY_TEXT = st.lists(st.one_of(st.text(TEXT_CHARS, max_size=8), st.sampled_from(AWKWARD)), max_size=6).map("".join)
SOME_TEXT = ANY_TEXT.filter(lambda t: not is_blank(t))  # what an instruction, output, category or index must be


@st.composite
def record_lists(draw: st.DrawFn, text: st.SearchStrategy[str] | None = None, max_size: int = 120
                 ) -> list[dict[str, str]]:
    """Valid records with unique indexes; ``text`` draws their free text (plain if None)."""
    n = draw(st.integers(0, max_size))
    categories = draw(st.lists(st.sampled_from(CATEGORIES), min_size=n, max_size=n))
    records = []
    for i, category in enumerate(categories):
        if text is None:
            instruction, input_, output = f"q{i}", "", f"a{i}"
        else:
            instruction, input_, output = draw(SOME_TEXT), draw(ANY_TEXT), draw(SOME_TEXT)
        records.append({"instruction": instruction, "input": input_, "output": output, "category": category,
                        "index": str(i)})
    return records


splits = st.tuples(record_lists(), st.integers(1, 12), st.sampled_from(sorted(SPLIT_STRATEGIES)),
                   st.integers(-(2**63), 2**63))


@SETTINGS
@given(splits)
def test_every_record_in_exactly_one_part_and_sizes_within_one(case) -> None:
    records, parts, strategy, seed = case
    if len(records) < parts:
        with pytest.raises(InputError, match=f"{len(records)} records cannot fill {parts} parts"):
            split(records, parts, strategy, seed)
        return
    result = split(records, parts, strategy, seed)
    assert len(result) == parts
    placed = [r["index"] for part in result for r in part]
    assert sorted(placed) == sorted(r["index"] for r in records)  # all of them, each once
    sizes = [len(part) for part in result]
    assert max(sizes) - min(sizes) <= 1
    position = {r["index"]: i for i, r in enumerate(records)}
    for part in result:  # source order inside a part
        assert [position[r["index"]] for r in part] == sorted(position[r["index"]] for r in part)


@SETTINGS
@given(splits)
def test_stratified_parts_differ_by_at_most_one_per_category(case) -> None:
    records, parts, _, seed = case
    if len(records) < parts:
        return
    result = split(records, parts, "stratified", seed)
    counts = [Counter(r["category"] for r in part) for part in result]
    for category in {r["category"] for r in records}:
        per_part = [c[category] for c in counts]
        assert max(per_part) - min(per_part) <= 1, (category, per_part)


@SETTINGS
@given(splits)
def test_split_is_deterministic_and_leaves_the_input_alone(case) -> None:
    records, parts, strategy, seed = case
    if len(records) < parts:
        return
    before = copy.deepcopy(records)
    first = split(records, parts, strategy, seed)
    assert records == before
    assert split(copy.deepcopy(records), parts, strategy, seed) == first


@SETTINGS
@given(record_lists(text=ANY_TEXT, max_size=12))
def test_every_written_line_reads_back_to_the_same_record(records) -> None:
    data = encode_lines(records)
    assert data.count(b"\n") == len(records)
    assert data.endswith(b"\n") or not records
    lines = data.split(b"\n")[:-1]
    assert [json.loads(line) for line in lines] == records
    for line, record in zip(lines, records, strict=True):
        assert list(json.loads(line)) == list(record)  # key order kept
        assert b"\r" not in line  # a raw CR would end the line for many readers
    # Text-mode readers (universal newlines) see the same lines; U+2028 and friends stay inside a line.
    assert [json.loads(line) for line in io.StringIO(data.decode("utf-8"), newline=None)] == records


@SETTINGS
@given(record_lists(text=ANY_TEXT, max_size=12), st.sampled_from(["a.jsonl", "a.json"]))
def test_written_parts_read_back_through_our_own_reader(tmp_path: Path, records, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(encode_lines(records))
    if not records:
        return
    assert read_source(str(path), {})[0] == records


@SETTINGS
@given(record_lists(text=ANY_TEXT, max_size=12).filter(bool))
def test_part_info_matches_the_written_bytes_and_pyarrow(records) -> None:
    data = encode_lines(records)
    info = part_info("1_of_1", records, list(FIELDS))
    entry = entry_for(info.file, data)
    assert info.records == len(records) == sum(info.categories.values()) == entry.lines
    assert entry.bytes == len(data)
    assert info.num_bytes == arrow_nbytes(records, FIELDS) == pa.Table.from_pylist(records).nbytes
