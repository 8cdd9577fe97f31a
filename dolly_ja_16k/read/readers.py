"""Reading one local file of records: a JSON array or JSON Lines, sniffed from the content.

Every problem is a one-line ``InputError`` naming the file and the record (JSON array:
``record N``) or the line (JSON Lines: ``line N``). A JSON array is parsed by orjson in one
call; JSON Lines are read line by line, which is what large inputs are for. A pipe or FIFO
(``/dev/stdin``, ``<(cat f)``) cannot be read twice, so it is read completely once and parsed
from memory. A regular file that changes while it is read is refused.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import msgspec
import orjson

from dolly_ja_16k.errors import InputError, one_line
from dolly_ja_16k.read.records import FIELDS, KNOWN_CATEGORIES, Record, to_record

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
#: How much of a file is looked at to tell its format and encoding.
HEAD = 4096
#: A UTF-8 byte order mark: allowed as the first bytes of a file, in either format, and nowhere else.
BOM = b"\xef\xbb\xbf"
NEWLINE = b"\n"


def without_bom(start: bytes) -> bytes:
    """The first bytes of a file (its whole text, or its first line) without a leading BOM."""
    return start[len(BOM):] if start.startswith(BOM) else start


class RecordFile:
    """One file of records: ``for record, where in RecordFile(path): ...``.

    Yields each validated record with where it is (``record 3``, ``line 3``). Once the last
    one is yielded, ``sha256`` covers every byte read and ``warnings`` holds one line per
    warning. ``label`` names the file in messages (default: ``path``).
    """

    def __init__(self, path: Path, label: object = None) -> None:
        self.path = path
        self.name = path if label is None else label
        self.sha256 = ""
        self.warnings: list[str] = []
        self._input: _Input | None = None

    def __iter__(self) -> Iterator[tuple[Record, str]]:
        name = self.name
        with open(self.path, "rb") as f:
            source = self._input = _Input(self.path, name, f)
            try:
                head = source.head()
                _check_encoding_head(head, name)
                first = without_bom(head).lstrip()[:1]
                if not first and len(head) >= HEAD:  # only whitespace in the head: look at the whole file
                    first = source.whole().lstrip()[:1]
                if not first:
                    raise InputError("file is empty (expected a JSON array of records or JSON Lines)", name)
                if self.path.suffix.lower() in JSONL_SUFFIXES or first == b"{":
                    yield from _jsonl_records(source, self)
                elif first == b"[":
                    yield from _array_records(source, self)
                else:
                    raise InputError("expected a JSON array of records or JSON Lines (one object per line)", name)
            except InputError:
                self.check_unchanged()  # a file changing under us explains whatever looked wrong in it
                raise

    def check_unchanged(self) -> None:
        """Raise if the file changed since it was opened (nothing to say before that)."""
        if self._input is not None:
            self._input.check_unchanged()


class _Input:
    """An open file: a regular file is read where it lies; a pipe or FIFO is read once, whole."""

    def __init__(self, path: Path, name: object, file: BinaryIO) -> None:
        self.path = path
        self.name = name
        self.file = file
        self.before = os.fstat(file.fileno())
        self.regular = stat.S_ISREG(self.before.st_mode)
        #: The whole stream of a pipe or FIFO, read at once: it cannot be rewound.
        self.data: bytes | None = None if self.regular else file.read()

    def head(self) -> bytes:
        if self.data is not None:
            return self.data[:HEAD]
        head = self.file.read(HEAD)
        self.file.seek(0)
        return head

    def whole(self) -> bytes:
        """Every byte of the file, from the start."""
        if self.data is not None:
            return self.data
        self.file.seek(0)
        return self.file.read()

    def lines(self) -> Iterable[bytes]:
        if self.data is not None:
            return io.BytesIO(self.data)
        self.file.seek(0)
        return self.file

    def check_unchanged(self, read: int | None = None) -> None:
        """Refuse a regular file whose size or modification time changed while it was read.

        The records and the sha256 must describe one version of the file: a file rewritten
        or appended to half-way would give a mix of two.
        """
        if not self.regular:
            return
        before = self.before
        try:
            now = os.stat(self.path)
        except OSError:
            now = None
        if ((read is not None and read != before.st_size) or now is None
                or (now.st_size, now.st_mtime_ns, now.st_ino, now.st_dev)
                != (before.st_size, before.st_mtime_ns, before.st_ino, before.st_dev)):
            raise InputError("the file changed while it was read; read it again once nothing writes to it",
                             self.name)


# --- JSON array ---------------------------------------------------------------------------

def _array_records(source: _Input, report: RecordFile) -> Iterator[tuple[Record, str]]:
    name = source.name
    data = source.whole()
    source.check_unchanged(len(data))
    report.sha256 = hashlib.sha256(data).hexdigest()  # the very bytes that are parsed
    body = without_bom(data)
    try:
        items = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise _json_error(err, body, name, None) from None
    if items == []:
        raise InputError("the JSON array is empty; expected records", name)
    if not isinstance(items, list):
        raise InputError("expected a JSON array of records, found a JSON "
                         f"{'object' if isinstance(items, dict) else type(items).__name__}", name)
    _check_array_keys(body, items, name)
    del data, body
    source.data = None  # the records are all that is needed from here on
    extras = _Extras(name)
    for number, obj in enumerate(items, 1):
        where = f"record {number}"
        record, extra = to_record(obj, name, where)
        extras.note(record, extra, where)
        yield record, where
    report.warnings += extras.report()


# --- JSON Lines ---------------------------------------------------------------------------

def _jsonl_records(source: _Input, report: RecordFile) -> Iterator[tuple[Record, str]]:
    name = source.name
    digest = hashlib.sha256()
    extras = _Extras(name)
    read = 0
    first = True  # no record read yet
    for number, raw in enumerate(source.lines(), 1):
        digest.update(raw)
        read += len(raw)
        line = without_bom(raw) if number == 1 else raw
        if line[:1] != b"{" and not line.strip():
            continue  # blank lines (and a trailing newline) are allowed
        where = f"line {number}"
        if line.startswith(BOM):
            raise InputError(_STRAY_BOM, name, where)
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            problem = _decode_problem(line, name)
            if problem is not None:
                raise InputError(problem.problem, name, where) from None
            one_object = _single_object(source) if first else None  # e.g. a pretty-printed {...}
            raise one_object or _json_error(err, line, name, where) from None
        if type(obj) is dict and line.count(b":") != len(obj):  # the first test of _check_keys, inline
            _check_keys(line, obj, name, where)
        try:
            record, extra = to_record(obj, name, where)
        except InputError as err:
            if first and isinstance(obj, dict) and not set(obj) & set(FIELDS):
                raise _single_object(source) or err from None
            raise
        first = False
        extras.note(record, extra, where)
        yield record, where
    source.check_unchanged(read)
    report.sha256 = digest.hexdigest()
    report.warnings += extras.report()


def _single_object(source: _Input) -> InputError | None:
    """The error for a .json file holding one JSON object (not an array), else None."""
    if source.path.suffix.lower() in JSONL_SUFFIXES:
        return None
    try:
        obj = orjson.loads(without_bom(source.whole()))
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict):
        return None
    keys = ", ".join(f'"{k}"' for k in list(obj)[:5]) + (", ..." if len(obj) > 5 else "")
    return InputError("expected a JSON array of records or JSON Lines (one object per line), found one JSON "
                      f"object{f' with keys {keys}' if keys else ''}", source.name)


# --- keys given twice -----------------------------------------------------------------------
#
# orjson, like most parsers, keeps the last value of a key written twice in one object
# ({"index": "1", ..., "index": "2"} reads as index "2") and cannot say so. The standard
# library can (object_pairs_hook) but is slower, so it is asked only about a record whose
# text has a ":" to spare. Every key of the text is followed by one ":", and every other ":"
# is inside a string, where the parsed keys and values still hold it: a record whose text has
# exactly as many ":" as it has keys (most records), or as its parsed keys and values account
# for, has no key twice. A ":" written as an escape (\u003a) would upset the second count, so
# such a record is always asked about. msgspec cuts a JSON array into its records' texts
# without building any value (``msgspec.Raw``).

_COLON_ESCAPE = b"\\u003"
_RECORD_TEXTS = msgspec.json.Decoder(list[msgspec.Raw])


def _check_array_keys(body: bytes, items: list[object], name: object) -> None:
    """Raise if a record of the JSON array ``body`` (parsed as ``items``) gives a key twice."""
    try:
        texts = _RECORD_TEXTS.decode(body)
    except msgspec.DecodeError:  # orjson read it, msgspec does not: ask the standard library
        texts = None
    if texts is None or len(texts) != len(items):
        _check_pairs(body, name, None)
        return
    for number, (obj, text) in enumerate(zip(items, texts, strict=True), 1):
        if type(obj) is dict:
            raw = bytes(text)
            if raw.count(b":") != len(obj):  # the first test of _check_keys, without a call per record
                _check_keys(raw, obj, name, f"record {number}")


def _check_keys(text: bytes, obj: object, name: object, where: str) -> None:
    """Raise if the record ``text`` (parsed as ``obj``) gives a key twice."""
    if type(obj) is not dict:
        return  # not a record at all: to_record says so
    colons = text.count(b":")
    if colons == len(obj) or (colons == _colons(obj) and _COLON_ESCAPE not in text):
        return
    _check_pairs(text, name, where)


def _colons(value: object) -> int:
    """How many ":" ``value`` holds written as JSON: one per key, plus those inside keys and strings.

    Counted on the parsed value, not on ``orjson.dumps`` of it: that would leave a cached UTF-8
    copy inside every string it wrote, for as long as the record lives.
    """
    if type(value) is str:
        return value.count(":")
    if type(value) is dict:
        return sum(1 + key.count(":") + _colons(item) for key, item in value.items())
    if type(value) is list:
        return sum(map(_colons, value))
    return 0  # numbers, true, false and null


class _Repeated(dict):
    """A JSON object that had ``key`` more than once (made by ``_pairs``)."""

    key = ""


def _pairs(pairs: list[tuple[str, object]]) -> dict[str, object]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    marked = _Repeated(obj)
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            marked.key = key
            break
        seen.add(key)
    return marked


def _repeated_key(value: object) -> str | None:
    """The first key given twice in ``value`` or in anything inside it, else None."""
    if isinstance(value, _Repeated):
        return value.key
    inner = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in inner:
        key = _repeated_key(item)
        if key is not None:
            return key
    return None


def _check_pairs(text: bytes, name: object, where: str | None) -> None:
    """Parse ``text`` (one record, or with ``where`` None a JSON array of them) with the
    standard library, which sees every key, and raise for the first record with a key twice."""
    try:
        parsed = json.loads(text.decode("utf-8"), object_pairs_hook=_pairs)
    except ValueError:  # text orjson read but the standard library does not: nothing more to learn
        return
    records = enumerate(parsed, 1) if where is None and isinstance(parsed, list) else [(0, parsed)]
    for number, record in records:
        key = _repeated_key(record)
        if key is not None:
            raise InputError(f'key "{key}" appears more than once in the record; JSON readers keep only '
                             "the last value, so keep one", name, where or f"record {number}")


# --- encodings and JSON syntax ----------------------------------------------------------------

_STRAY_BOM = "a byte order mark (BOM) inside the file; it is only allowed at the very start (were files joined?)"


def _check_encoding_head(head: bytes, name: object) -> None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError("file is UTF-32 encoded; save it as UTF-8", name)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and (head[1::2][:2] == b"\x00\x00"
                                                                           or head[0::2][:2] == b"\x00\x00")):
        raise InputError("file is UTF-16 encoded; save it as UTF-8", name)


_JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # what cp932 makes of stray bytes such as 0xff


def _decode_problem(data: bytes, name: object) -> InputError | None:
    """Explain why ``data`` is not UTF-8 (Shift_JIS and friends are common for Japanese)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - data.rfind(b"\n", 0, err.start)
        if err.reason == "unexpected end of data" and not data[err.end:].strip():
            return InputError("file ends in the middle of a character (is it cut short?)", name, f"line {line}")
        for codec_name, codec in (("Shift_JIS", "cp932"), ("EUC-JP", "euc_jp")):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _JAPANESE.search(text) and not _PRIVATE_USE.search(text):
                return InputError(f"file is not UTF-8 (looks like {codec_name}); save it as UTF-8", name,
                                  f"line {line}")
        return InputError(f"file is not valid UTF-8 (byte 0x{data[err.start]:02x} at byte {column} of the "
                          "line); save it as UTF-8", name, f"line {line}")
    return None


def _json_error(err: orjson.JSONDecodeError, data: bytes, name: object, where: str | None) -> InputError:
    problem = _decode_problem(data, name)
    if problem is not None:
        return problem
    bom = data.find(BOM)
    if bom >= 0:
        return InputError(_STRAY_BOM, name, where or f"line {data.count(NEWLINE, 0, bom) + 1}")
    msg = err.msg.rstrip(".")
    if "surrogate" in msg:
        msg = f"{msg} (a lone surrogate escape such as \\ud800 is not text)"
    elif "control character" in msg:
        msg = f"{msg} (a raw control character such as NUL; write tab and newline as \\t and \\n)"
    if where is None:
        where = f"line {err.lineno} column {err.colno}"
    return InputError(f"invalid JSON: {msg}", name, where)


# --- warnings ---------------------------------------------------------------------------------

class _Extras:
    """Collects the warnings for fields outside the schema and unknown categories."""

    def __init__(self, name: object) -> None:
        self.name = name
        self.extra_fields: dict[str, int] = {}
        self.first_extra: str | None = None
        self.categories: dict[str, str] = {}

    def note(self, record: Record, extra: list[str], where: str) -> None:
        for key in extra:
            self.extra_fields[key] = self.extra_fields.get(key, 0) + 1
            self.first_extra = self.first_extra or where
        category = record["category"]
        if category not in KNOWN_CATEGORIES and category not in self.categories:
            self.categories[category] = where

    def report(self) -> list[str]:
        """One line per warning; values from the file are escaped (``one_line``)."""
        warnings = []
        if self.extra_fields:
            names = ", ".join(f'"{k}" ({v})' for k, v in sorted(self.extra_fields.items()))
            warnings.append(f"{self.name}: {self.first_extra}: fields outside the schema are not kept: {names}")
        for category, where in self.categories.items():
            warnings.append(f'{self.name}: {where}: category "{category}" is not one of the eight '
                            "Dolly categories; kept as is")
        return [one_line(w) for w in warnings]
