"""``hub/addresses.py``: the one ``hf://`` parser and the repo-id and commit-id patterns, held to
``huggingface_hub``'s rules."""

from __future__ import annotations

import pytest
from huggingface_hub.errors import HFValidationError
from huggingface_hub.utils import validate_repo_id
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.hub.addresses import Address, is_commit, is_repo_id, parse_build, parse_file


def hub_accepts(repo_id: str) -> bool:
    try:
        validate_repo_id(repo_id)
    except HFValidationError:
        return False
    return True


# the characters that matter to the rules, plus a few that are never allowed
_SIDE = st.text(alphabet="aZ09_.-xé ~", max_size=100)


_EXAMPLES = [("a", "b"), ("a--b", "c"), ("a", "b..c"), ("_a", "b_"), ("a", "b.git"), ("a", "x" * 96), ("a", "x" * 97),
             ("a-", "b"), ("a", ".b"), ("a b", "c"), ("a", "é"), ("a.-b", "c-.d")]


def _with_examples(test):  # type: ignore[no-untyped-def]
    for owner, name in _EXAMPLES:
        test = example(owner, name)(test)
    return test


@settings(max_examples=3000, deadline=None)
@_with_examples
@given(_SIDE, _SIDE)
def test_repo_id_pattern_agrees_with_huggingface_hub(owner: str, name: str) -> None:
    """OWNER/NAME is accepted exactly when ``validate_repo_id`` accepts it."""
    repo_id = f"{owner}/{name}"
    assert is_repo_id(repo_id) == hub_accepts(repo_id), repo_id


def test_a_repo_id_needs_an_owner_and_a_name() -> None:
    for text in ("name", "a/b/c", "/b", "a/", ""):
        assert not is_repo_id(text), text


def test_commit_ids_are_forty_lowercase_hex_digits() -> None:
    assert is_commit("0123456789abcdef" * 2 + "01234567")
    for text in (None, "main", "v1", "A" * 40, "a" * 39, "a" * 41, "g" * 40):
        assert not is_commit(text), text


@pytest.mark.parametrize(("text", "expected"), [
    ("hf://datasets/kunishou/dolly@6391034/d.json", Address("hf://datasets/kunishou/dolly@6391034/d.json",
                                                            "kunishou/dolly", "6391034", "d.json")),
    ("hf://datasets/a/b/sub/d.jsonl", Address("hf://datasets/a/b/sub/d.jsonl", "a/b", None, "sub/d.jsonl")),
])
def test_file_addresses(text: str, expected: Address) -> None:
    assert parse_file(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("hf://datasets/alice/r@v1", Address("hf://datasets/alice/r@v1", "alice/r", "v1")),
    ("hf://datasets/alice/r/", Address("hf://datasets/alice/r/", "alice/r", None)),
    ("hf://datasets/alice/r", Address("hf://datasets/alice/r", "alice/r", None)),
])
def test_build_addresses(text: str, expected: Address) -> None:
    assert parse_build(text) == expected


@pytest.mark.parametrize(("text", "problem"), [
    ("hf://models/a/b", "expected hf://datasets/OWNER/NAME[@REVISION]"),
    ("hf://datasets/a", "expected hf://datasets/OWNER/NAME[@REVISION]"),
    ("hf://datasets/a b/c", "'a b/c' is not a Hub repo id"),
    ("hf://datasets/a--b/c", "'a--b/c' is not a Hub repo id"),
    ("hf://datasets/a/b..c", "'a/b..c' is not a Hub repo id"),
    ("hf://datasets/a/" + "x" * 200, "is not a Hub repo id"),
    ("hf://datasets/a/b@", "after '@' is not a branch, tag or commit name"),
    ("hf://datasets/a/b@v 1", "after '@' is not a branch, tag or commit name"),
    ("hf://datasets/a/b@v1/data/1_of_4.jsonl", "a build is a whole repo, not the file data/1_of_4.jsonl"),
])
def test_bad_build_addresses_are_input_errors(text: str, problem: str) -> None:
    with pytest.raises(InputError) as err:
        parse_build(text)
    assert err.value.exit_code == 2
    assert str(err.value).startswith(f"{text}: ") and problem in str(err.value)


def test_a_file_address_needs_a_path() -> None:
    with pytest.raises(InputError, match=r"^hf://datasets/a/b@v1: no file path after the repo"):
        parse_file("hf://datasets/a/b@v1")
    with pytest.raises(InputError, match="'a--b/c' is not a Hub repo id"):
        parse_file("hf://datasets/a--b/c/d.json")
