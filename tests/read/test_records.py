from __future__ import annotations

import pytest

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.read.records import FIELDS, is_blank, to_record
from tests.conftest import make_record


def test_valid_record_is_returned_in_field_order():
    obj = dict(reversed(list(make_record(3).items())))
    record, extra = to_record(obj, "f.json", "record 1")
    assert list(record) == list(FIELDS)
    assert extra == []


def test_extra_fields_are_reported_and_not_kept():
    record, extra = to_record({**make_record(1), "source": "x", "id": 5}, "f.json", "record 1")
    assert extra == ["source", "id"]
    assert "source" not in record


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"output": None}, 'field "output" must be a string, got null'),
        ({"index": 7}, 'field "index" must be a string, got number'),
        ({"input": ["a"]}, 'field "input" must be a string, got list'),
        ({"instruction": ""}, 'field "instruction" is empty'),
        ({"output": " \n\u3000"}, 'field "output" is empty'),
        ({"output": "a\x00b"}, 'field "output" contains a NUL character'),
    ],
)
def test_bad_fields_name_the_file_record_and_problem(change, message):
    with pytest.raises(InputError) as err:
        to_record({**make_record(1), **change}, "f.json", "record 9")
    assert str(err.value) == f"f.json: record 9: {message}"


def test_missing_field_and_wrong_type():
    obj = make_record(1)
    del obj["category"]
    with pytest.raises(InputError, match='record 2: missing field "category"'):
        to_record(obj, "f.json", "record 2")
    with pytest.raises(InputError, match="expected a JSON object .* got list"):
        to_record(["a"], "f.json", "record 2")


def test_empty_input_is_allowed():
    record, _ = to_record(make_record(1, input=""), "f.json", "record 1")
    assert record["input"] == ""


@pytest.mark.parametrize("name", ["instruction", "output", "category", "index"])
@pytest.mark.parametrize("text", ["\u200b", "\u200c\u200d", " \u2060 ", "\ufeff", "\u3000\u200b\n\u200b\t"])
def test_text_of_only_invisible_characters_is_empty(name, text):
    with pytest.raises(InputError) as err:
        to_record(make_record(1, **{name: text}), "f.json", "record 4")
    assert str(err.value) == (f'f.json: record 4: field "{name}" is empty'
                              + ("" if not text.strip() else " (only invisible characters such as U+200B)"))
    assert is_blank(text)


@pytest.mark.parametrize("text", ["\u200ba", "a\u200b", "\u200b \u200bx\u200b", "\ufeff答え"])
def test_visible_text_around_invisible_characters_is_kept(text):
    record, _ = to_record(make_record(1, output=text, index=text), "f.json", "record 1")
    assert record["output"] == record["index"] == text
    assert not is_blank(text)


def test_invisible_input_is_allowed():
    record, _ = to_record(make_record(1, input="\u200b"), "f.json", "record 1")
    assert record["input"] == "\u200b"
