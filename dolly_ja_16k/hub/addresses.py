"""How the tool names things on the Hub: repo ids, commit ids and ``hf://`` addresses, checked in one place.

Two kinds of address are accepted, both of a dataset repo:

- a file, ``hf://datasets/OWNER/NAME[@REVISION]/PATH`` (``build --source``, ``--supplement``);
- a build, ``hf://datasets/OWNER/NAME[@REVISION]`` (``diff``, ``build --previous``).

A repo id is checked here with the rules ``huggingface_hub.utils.validate_repo_id`` applies
(a test holds the two in agreement), so an id the Hub client would reject is one line about the
user's input, never a traceback from inside the client. This module imports only ``re``: the
options check it without loading ``huggingface_hub``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dolly_ja_16k.errors import InputError

#: A git commit id as the Hub reports it: 40 lowercase hex digits.
COMMIT = re.compile(r"^[0-9a-f]{40}$")
#: One side of a repo id: letters, digits, ``_``, ``.``, ``-``; 1 to 96 characters; first and last
#: a letter, digit or ``_`` (``validate_repo_id``'s word boundaries).
_SIDE = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?"
#: ``OWNER/NAME`` as the Hub accepts it: no ``--`` or ``..`` anywhere, not ending in ``.git``.
REPO_ID = re.compile(rf"^(?!.*(?:--|\.\.))(?!.*\.git$){_SIDE}/{_SIDE}$")
#: In words, for messages.
REPO_ID_RULES = ("OWNER/NAME, each 1-96 letters, digits, '-', '_' or '.', not starting or ending with "
                 "'-' or '.', without '--' or '..', not ending in '.git'")
PREFIX = "hf://datasets/"
FILE_FORM = "hf://datasets/OWNER/NAME[@REVISION]/PATH"
BUILD_FORM = "hf://datasets/OWNER/NAME[@REVISION]"
#: ``hf://datasets/`` + repo id + optional ``@revision`` (no ``/`` in it) + the rest.
_ADDRESS = re.compile(r"^hf://datasets/(?P<repo>[^/@]*/[^/@]*)(?:@(?P<rev>[^/]*))?(?P<rest>/.*)?$")


@dataclass(frozen=True)
class Address:
    """A checked ``hf://`` address: the repo, the revision asked for (None: the default branch), the file."""

    text: str
    repo_id: str
    revision: str | None
    path: str | None = None


def is_hub(location: object) -> bool:
    """True when ``location`` is meant as an ``hf://`` address (then it must parse, or it is an error)."""
    return str(location).startswith("hf://")


def is_commit(revision: str | None) -> bool:
    return revision is not None and COMMIT.match(revision) is not None


def is_repo_id(text: str) -> bool:
    return REPO_ID.match(text) is not None


def parse_file(text: str) -> Address:
    """``hf://datasets/OWNER/NAME[@REVISION]/PATH``, or an ``InputError`` saying what is wrong."""
    address = _parse(text, FILE_FORM)
    if not address.path:
        raise InputError(f"no file path after the repo; expected {FILE_FORM}", text)
    return address


def parse_build(text: str) -> Address:
    """``hf://datasets/OWNER/NAME[@REVISION]`` (a trailing ``/`` is allowed), or an ``InputError``."""
    address = _parse(text, BUILD_FORM)
    if address.path:
        raise InputError(f"a build is a whole repo, not the file {address.path}; expected {BUILD_FORM}", text)
    return address


def _parse(text: str, form: str) -> Address:
    match = _ADDRESS.match(text)
    if match is None:
        raise InputError(f"expected {form}", text)
    repo_id, revision, rest = match["repo"], match["rev"], (match["rest"] or "").strip("/")
    if not is_repo_id(repo_id):
        raise InputError(f"{repo_id!r} is not a Hub repo id ({REPO_ID_RULES})", text)
    if revision is not None and not _valid_revision(revision):
        raise InputError(f"{revision!r} after '@' is not a branch, tag or commit name; expected {form}", text)
    return Address(text=text, repo_id=repo_id, revision=revision, path=rest or None)


def _valid_revision(revision: str) -> bool:
    """A name git could give a branch, tag or commit: not empty, no spaces or control characters."""
    return bool(revision) and not any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in revision)
