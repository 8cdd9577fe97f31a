"""The record type and its schema: what every source record must look like."""

from __future__ import annotations

from sys import intern
from typing import Final, TypedDict

from dolly_ja_16k.errors import InputError

#: Output key order of every written record (and of the card's features).
FIELDS: tuple[str, ...] = ("instruction", "input", "output", "category", "index")
#: The column the review adds to every written record: the names of the rules that flagged it
#: (``[]`` when none), the only column whose values are lists of strings.
FLAGS: Final = "flags"
#: Fields that must hold text after trimming whitespace.
REQUIRED_TEXT: tuple[str, ...] = ("instruction", "output", "category", "index")
#: The eight categories of databricks-dolly-15k; others are accepted with a warning.
KNOWN_CATEGORIES: frozenset[str] = frozenset(
    {
        "open_qa",
        "general_qa",
        "classification",
        "closed_qa",
        "brainstorming",
        "information_extraction",
        "summarization",
        "creative_writing",
    }
)


#: Characters that show nothing and that ``str.strip`` keeps: zero-width space, non-joiner and
#: joiner, word joiner, and the zero-width no-break space (a BOM pasted into a value).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def is_blank(text: str) -> bool:
    """True if ``text`` shows nothing: only whitespace and the ``INVISIBLE`` characters."""
    stripped = text.strip()
    # A visible first character settles it; only text starting invisibly is looked at whole.
    return not stripped or (stripped[0] in INVISIBLE and not stripped.translate(_DROP_INVISIBLE).strip())


class Record(TypedDict, total=False):
    """One instruction record. ``style`` and ``flags`` are added by the review step; ``register`` only by
    the style-control training copies (the register the system message asks for; never written as a column)."""

    instruction: str
    input: str
    output: str
    category: str
    index: str
    style: str
    flags: list[str]
    register: str


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def to_record(obj: object, path: object, where: str) -> tuple[Record, list[str]]:
    """Check one parsed JSON value against the schema.

    Returns the record with its keys in ``FIELDS`` order and the names of any extra
    keys, which are not kept (the Hub's viewer needs one schema for every part). A valid
    object already in ``FIELDS`` order is returned as is, not copied.
    Raises ``InputError`` naming the file, the record and the problem.
    """
    if type(obj) is dict and tuple(obj) == FIELDS and _is_valid(obj):
        obj["category"] = intern(obj["category"])
        return obj, []  # type: ignore[return-value]  # the common case, checked without copying
    if not isinstance(obj, dict):
        raise InputError(f"expected a JSON object with fields {', '.join(FIELDS)}, got {_type_name(obj)}",
                         path, where)
    record: Record = {}
    for name in FIELDS:
        if name not in obj:
            raise InputError(f'missing field "{name}"', path, where)
        value = obj[name]
        if not isinstance(value, str):
            raise InputError(f'field "{name}" must be a string, got {_type_name(value)}', path, where)
        if "\x00" in value:
            raise InputError(f'field "{name}" contains a NUL character', path, where)
        record[name] = value  # type: ignore[literal-required]
    # a handful of categories, each repeated in thousands of records: one string object apiece
    record["category"] = intern(record["category"])
    for name in REQUIRED_TEXT:
        text: str = record[name]  # type: ignore[literal-required]
        if is_blank(text):
            problem = "is empty" if not text.strip() else "is empty (only invisible characters such as U+200B)"
            raise InputError(f'field "{name}" {problem}', path, where)
    extra = [k for k in obj if k not in FIELDS] if len(obj) != len(FIELDS) else []
    return record, extra


def _is_valid(obj: dict[str, object]) -> bool:
    """True if every value of ``obj`` is valid text (the fast path of ``to_record``).

    Text that starts invisibly after trimming is left to ``to_record``'s full check.
    """
    for value in obj.values():
        if type(value) is not str or "\x00" in value:
            return False
    for name in REQUIRED_TEXT:
        stripped = obj[name].strip()  # type: ignore[attr-defined]  # every value is a str (checked above)
        if not stripped or stripped[0] in INVISIBLE:
            return False
    return True
