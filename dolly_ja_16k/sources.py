"""Where records come from: a local JSON array, a local JSON Lines file, or an hf:// file.

Every reader yields validated records and reports problems as one-line ``InputError``s
that name the file and the record (JSON array: record number; JSON Lines: line number).
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from .errors import HubError, InputError
from .manifest import SourceFile
from .records import FIELDS, KNOWN_CATEGORIES, Record, to_record

DOLLY_JA_FILE = "databricks-dolly-15k-ja.json"
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_HF_URL = re.compile(r"^hf://datasets/(?P<repo>[^/@]+/[^/@]+)(?:@(?P<rev>[^/]+))?/(?P<path>.+)$")
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass
class Source:
    """A source file on local disk, with where it came from (for the manifest and card)."""

    path: Path
    location: str
    revision: str | None = None
    sha256: str = ""
    records: int = 0
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, object]:
        return {"location": self.location, "revision": self.revision, "sha256": self.sha256,
                "records": self.records, "dolly_ja": self.path.name == DOLLY_JA_FILE}


def open_source(location: str) -> Source:
    """Resolve ``location`` to a local file, downloading ``hf://`` files through the HF cache."""
    match = _HF_URL.match(location)
    if match:
        return _download(location, match["repo"], match["rev"], match["path"])
    if location.startswith("hf://"):
        raise InputError("expected hf://datasets/OWNER/NAME[@REVISION]/PATH", location)
    path = Path(location)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a folder, expected a JSON or JSON Lines file", path)
    return Source(path=path, location=str(path))


def _download(location: str, repo_id: str, revision: str | None, filename: str) -> Source:
    from huggingface_hub import constants, hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    hint = "pass a local copy with --source PATH"
    try:
        local = _cached(repo_id, filename, revision)
        if local is None:
            _probe(constants.ENDPOINT, location, hint)
            local = hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision)
    except GatedRepoError as err:
        raise HubError(f"{location}: access to {repo_id} is gated; accept its terms on the Hub first") from err
    except RepositoryNotFoundError as err:
        raise HubError(f"{location}: dataset repository {repo_id} not found (or no access)") from err
    except RevisionNotFoundError as err:
        raise HubError(f"{location}: revision {revision} not found in {repo_id}") from err
    except LocalEntryNotFoundError as err:  # before EntryNotFoundError: it is a subclass of it
        raise HubError(f"{location}: cannot reach the Hub at {constants.ENDPOINT} and the file is not in the "
                       f"HF cache; {hint}") from err
    except EntryNotFoundError as err:
        raise HubError(f"{location}: no file {filename} in {repo_id}") from err
    except OSError as err:
        raise HubError(f"{location}: cannot download from {constants.ENDPOINT} ({type(err).__name__}); "
                       f"{hint}") from err
    # hf_hub_download returns .../snapshots/<commit>/<filename>: record the commit actually read.
    commit = Path(local).parents[len(Path(filename).parts) - 1].name
    return Source(path=Path(local), location=location, revision=commit)


def _cached(repo_id: str, filename: str, revision: str | None) -> str | None:
    """The cached file of a pinned commit: a commit never changes, so no request is needed."""
    if not (revision and _COMMIT.match(revision)):
        return None
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision, local_files_only=True)
    except LocalEntryNotFoundError:
        return None


def _probe(endpoint: str, location: str, hint: str) -> None:
    """Fail in a second when nothing answers at the endpoint.

    huggingface_hub retries a refused connection with backoff for about 23 s; a user
    with no network (or a mistyped HF_ENDPOINT) should hear it at once.
    """
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname or "", port), timeout=10).close()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise HubError(f"{location}: cannot reach the Hub at {endpoint} ({reason}) and the file is not in the "
                       f"HF cache; {hint}") from None




def read_source(location: str, seen: dict[str, str], prefix: str = "") -> tuple[list[Record], SourceFile, list[str]]:
    """Find, read and validate one input: its records, how the manifest names it, its warnings.

    ``seen`` maps every index read so far to where it was read, across files, so a
    duplicate is reported with both places. ``prefix`` goes before each index.
    """
    source = open_source(location)
    records = read_records(source, seen, prefix)
    d = source.describe()
    hub = location.startswith("hf://")
    info = SourceFile(name=location if hub else source.path.name, kind="hub" if hub else "local",
                      sha256=source.sha256, records=len(records), revision=source.revision,
                      dolly_ja=bool(d["dolly_ja"]))
    return records, info, source.warnings


def read_records(source: Source, seen: dict[str, str], prefix: str = "") -> list[Record]:
    """Read and validate every record of ``source`` (filling in its sha256 and count).

    ``seen`` maps every index read so far to where it was read, across files, so a
    duplicate is reported with both places. ``prefix`` goes before each index.
    """
    records = []
    name = str(source.path)
    for record, where in iter_records(source):
        if prefix:
            record["index"] = prefix + record["index"]
        index = record["index"]
        if index in seen:
            raise InputError(f'duplicate index "{index}" (first seen at {seen[index]})', source.path, where)
        seen[index] = f"{name}: {where}"
        records.append(record)
    source.records = len(records)
    return records


def iter_records(source: Source) -> Iterator[tuple[Record, str]]:
    """Yield validated records of a JSON array or JSON Lines file (sniffed from the content)."""
    path = source.path
    with open(path, "rb") as f:
        head = f.read(4096)
    _check_encoding_head(head, path)
    start = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    first = start.lstrip()[:1]
    if not first:
        if len(head) >= 4096:  # only whitespace in the first block: look at the whole file
            first = _first_non_space(path)
        if not first:
            raise InputError("file is empty (expected a JSON array of records or JSON Lines)", path)
    if path.suffix.lower() in _JSONL_SUFFIXES or first == b"{":
        yield from _iter_jsonl(source)
    elif first == b"[":
        yield from _iter_json_array(source)
    else:
        raise InputError("expected a JSON array of records or JSON Lines (one object per line)", path)


def _first_non_space(path: Path) -> bytes:
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            stripped = block.lstrip()
            if stripped:
                return stripped[:1]
    return b""


def _check_encoding_head(head: bytes, path: Path) -> None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise InputError("file is UTF-32 encoded; save it as UTF-8", path)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 4 and (head[1::2][:2] == b"\x00\x00"
                                                                           or head[0::2][:2] == b"\x00\x00")):
        raise InputError("file is UTF-16 encoded; save it as UTF-8", path)


_JAPANESE = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")  # what cp932 makes of stray bytes such as 0xff


def _decode_problem(data: bytes, path: Path) -> InputError | None:
    """Explain why ``data`` is not UTF-8 (Shift_JIS and friends are common for Japanese)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - data.rfind(b"\n", 0, err.start)
        if err.reason == "unexpected end of data" and not data[err.end:].strip():
            return InputError("file ends in the middle of a character (is it cut short?)", path, f"line {line}")
        for name, codec in (("Shift_JIS", "cp932"), ("EUC-JP", "euc_jp")):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if _JAPANESE.search(text) and not _PRIVATE_USE.search(text):
                return InputError(f"file is not UTF-8 (looks like {name}); save it as UTF-8", path,
                                  f"line {line}")
        return InputError(f"file is not valid UTF-8 (byte 0x{data[err.start]:02x} at byte {column} of the "
                          "line); save it as UTF-8", path, f"line {line}")
    return None


def _json_error(err: orjson.JSONDecodeError, data: bytes, path: Path, where: str | None) -> InputError:
    problem = _decode_problem(data, path)
    if problem is not None:
        return problem
    msg = err.msg.rstrip(".")
    if "surrogate" in msg:
        msg = f"{msg} (a lone surrogate escape such as \\ud800 is not text)"
    elif "control character" in msg:
        msg = f"{msg} (a raw control character such as NUL; write tab and newline as \\t and \\n)"
    if where is None:
        where = f"line {err.lineno} column {err.colno}"
    return InputError(f"invalid JSON: {msg}", path, where)


#: JSON arrays larger than this are parsed block by block (see ``_parse_array_blocks``).
#: A block is alive up to three times at once (read, joined, orjson's copy), so it is kept
#: small next to the records; parsing speed is the same from a few MB up.
ARRAY_BLOCK = 8 << 20
#: A "}" then "," then "{" (JSON whitespace between): a possible boundary between two records.
_BOUNDARY = re.compile(rb"\}[ \t\r\n]*,[ \t\r\n]*\{")
_JSON_SPACE = b" \t\r\n"


def _load_array(source: Source) -> object:
    """The parsed JSON of a source that starts with "[", filling in its sha256."""
    path = source.path
    if path.stat().st_size > ARRAY_BLOCK:
        items = _parse_array_blocks(source)
        if items is not None:
            return items
    data = path.read_bytes()
    source.sha256 = hashlib.sha256(data).hexdigest()
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise _json_error(err, body, path, None) from None


def _last_boundary(buf: bytes) -> re.Match[bytes] | None:
    found = deque(_BOUNDARY.finditer(buf, max(0, len(buf) - (1 << 20))), maxlen=1)
    if not found:  # records longer than 1 MB: look at the whole buffer
        found = deque(_BOUNDARY.finditer(buf), maxlen=1)
    return found[0] if found else None


def _parse_array_blocks(source: Source) -> list[object] | None:
    """Parse a large JSON array piece by piece, or None to let the caller parse it whole.

    Parsing 1 GB at once holds the file's bytes, orjson's own copy of them and the parsed
    records together: 3.3 times the file at 1M records. Piece by piece, only about one block
    of bytes is alive next to the records, in one buffer that is never copied: a piece is
    parsed in place, its closing "]" written over the byte after its last "}" and its "["
    over the byte before the next piece's "{". A piece ends at a ``_BOUNDARY``; if that "}"
    is inside a string or a nested value, the piece is not valid JSON, so it just grows by
    the next block: every piece that parses ends between two records. Odd files (a syntax
    error, no boundaries at all) return None, and the caller's whole-file parse gives the
    same records, or the same error message, as before.
    """
    digest = hashlib.sha256()
    items: list[object] = []
    buf = bytearray(b"[")  # buf[0] is always the "[" of the next piece
    with open(source.path, "rb") as f:
        block = f.read(ARRAY_BLOCK)
        digest.update(block)
        block = (block[3:] if block.startswith(b"\xef\xbb\xbf") else block).lstrip(_JSON_SPACE)
        if not block.startswith(b"["):
            return None
        block = block[1:]
        while block:
            buf += block
            del block
            last = _last_boundary(buf)
            if last is not None:
                end, start = last.start() + 1, last.end() - 1  # after the "}", at the "{"
                del last
                saved, buf[end] = buf[end], ord("]")
                try:
                    with memoryview(buf) as view:
                        items.extend(orjson.loads(view[:end + 1]))
                    del buf[:start - 1]  # keeps the byte before "{", which becomes the next "["
                    buf[0] = ord("[")
                except orjson.JSONDecodeError:
                    buf[end] = saved
                    if len(buf) > 4 * ARRAY_BLOCK:
                        return None  # most likely a real syntax error: let the whole-file parse report it
            block = f.read(ARRAY_BLOCK)
            digest.update(block)
    try:
        rest = orjson.loads(buf)  # the last records and the closing "]"
    except orjson.JSONDecodeError:
        return None
    if not isinstance(rest, list):
        return None
    items.extend(rest)
    source.sha256 = digest.hexdigest()
    return items


def _iter_json_array(source: Source) -> Iterator[Record]:
    path = source.path
    items = _load_array(source)
    if items == []:
        raise InputError("the JSON array is empty; expected records", path)
    if not isinstance(items, list):
        raise InputError("expected a JSON array of records, found a JSON "
                         f"{'object' if isinstance(items, dict) else type(items).__name__}", path)
    extras = _Extras(source)
    for number, obj in enumerate(items, 1):
        where = f"record {number}"
        record, extra = to_record(obj, path, where)
        extras.note(record, extra, where)
        yield record, where
    extras.report()


def _iter_jsonl(source: Source) -> Iterator[Record]:
    path = source.path
    digest = hashlib.sha256()
    extras = _Extras(source)
    first = True  # no record read yet
    with open(path, "rb") as f:
        for number, raw in enumerate(f, 1):
            digest.update(raw)
            line = raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw
            if line[:1] != b"{" and not line.strip():
                continue  # blank lines (and a trailing newline) are allowed
            where = f"line {number}"
            try:
                obj = orjson.loads(line)
            except orjson.JSONDecodeError as err:
                problem = _decode_problem(line, path)
                if problem is not None:
                    raise InputError(problem.problem, path, where) from None
                one_object = _single_object(path) if first else None  # e.g. a pretty-printed {...}
                raise one_object or _json_error(err, line, path, where) from None
            try:
                record, extra = to_record(obj, path, where)
            except InputError as err:
                if first and isinstance(obj, dict) and not set(obj) & set(FIELDS):
                    raise _single_object(path) or err from None
                raise
            first = False
            extras.note(record, extra, where)
            yield record, where
    source.sha256 = digest.hexdigest()
    extras.report()


def _single_object(path: Path) -> InputError | None:
    """The error for a .json file holding one JSON object (not an array), else None."""
    if path.suffix.lower() in _JSONL_SUFFIXES:
        return None
    data = path.read_bytes()
    try:
        obj = orjson.loads(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(obj, dict):
        return None
    keys = ", ".join(f'"{k}"' for k in list(obj)[:5]) + (", ..." if len(obj) > 5 else "")
    return InputError("expected a JSON array of records or JSON Lines (one object per line), found one JSON "
                      f"object{f' with keys {keys}' if keys else ''}", path)


class _Extras:
    """Collects the warnings for fields outside the schema and unknown categories."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.extra_fields: dict[str, int] = {}
        self.first_extra: str | None = None
        self.categories: dict[str, str] = {}

    def note(self, record: Record, extra: list[str], where: str) -> None:
        for name in extra:
            self.extra_fields[name] = self.extra_fields.get(name, 0) + 1
            self.first_extra = self.first_extra or where
        category = record["category"]
        if category not in KNOWN_CATEGORIES and category not in self.categories:
            self.categories[category] = where

    def report(self) -> None:
        path = self.source.path
        if self.extra_fields:
            names = ", ".join(f'"{k}" ({v})' for k, v in sorted(self.extra_fields.items()))
            self.source.warnings.append(
                f"{path}: {self.first_extra}: fields outside the schema are not kept: {names}")
        for category, where in self.categories.items():
            self.source.warnings.append(f'{path}: {where}: category "{category}" is not one of the eight '
                                        "Dolly categories; kept as is")


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)
