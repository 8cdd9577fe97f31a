"""A corpus of bad (and odd but acceptable) inputs for ``build``, generated at test time.

Nothing here is a data file: every case is a function that writes its own small files
into an empty folder and returns how the real command line must react — the exit code,
the exact message (file, record or line, problem) and, for accepted inputs, what the
output must hold. ``tests/test_bad_inputs.py`` runs them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CATEGORIES = ["open_qa", "general_qa", "classification", "closed_qa", "brainstorming",
              "information_extraction", "summarization", "creative_writing"]
FIELDS = ["instruction", "input", "output", "category", "index"]
OBJECT_EXPECTED = "expected a JSON object with fields instruction, input, output, category, index, got"


def record(i: int, **changes: object) -> dict[str, object]:
    """A valid record; ``changes`` replace fields (a value of ``...`` removes the field)."""
    rec: dict[str, object] = {
        "instruction": f"質問その{i}に答えてください。",
        "input": "",
        "output": f"これは答え{i}です。",
        "category": CATEGORIES[i % len(CATEGORIES)],
        "index": str(i),
    }
    rec.update(changes)
    return {k: v for k, v in rec.items() if v is not ...}


def records(n: int, start: int = 0) -> list[dict[str, object]]:
    return [record(i) for i in range(start, start + n)]


def jsonl(items: list[object], newline: str = "\n") -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + newline for r in items).encode()


def json_array(items: list[object]) -> bytes:
    return json.dumps(items, ensure_ascii=False, indent=1).encode()


@dataclass
class Outcome:
    """What ``dolly-ja-16k build ARGS`` must do.

    ``message`` is the exact last line of stderr (a ``re.Pattern`` when a part of it,
    such as a JSON column, is the parser's business). ``warnings`` are exact stderr lines
    that must also appear. ``check`` looks at the built folder of an accepted input.
    """

    args: list[str]
    code: int
    message: str | re.Pattern[str] | None = None
    warnings: list[str] = field(default_factory=list)
    check: Callable[[Path], None] | None = None


Case = Callable[[Path], Outcome]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        assert name not in CASES, name
        CASES[name] = fn
        return fn
    return register


def build(d: Path, data: bytes, name: str = "src.json", *more: str, parts: int = 4) -> tuple[Path, list[str]]:
    """Write the source and return it with the usual arguments (``--out d/out``)."""
    src = d / name
    src.write_bytes(data)
    return src, ["--source", str(src), "--out", str(d / "out"), "--parts", str(parts), *more]


def error(code: int, args: list[str], *parts: object) -> Outcome:
    """An exit-2 outcome whose message is ``error: PART: PART: ...``."""
    return Outcome(args, code, "error: " + ": ".join(str(p) for p in parts))


def pattern(args: list[str], path: Path, rest: str) -> Outcome:
    """An exit-2 outcome; ``rest`` is a regular expression for what follows the file name."""
    return Outcome(args, 2, re.compile(re.escape(f"error: {path}: ") + rest))


# --- outputs of accepted inputs ---------------------------------------------------------

def read_parts(out: Path) -> list[list[dict[str, object]]]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    parts = []
    for part in manifest["parts"]:
        with open(out / part["file"], encoding="utf-8", newline="") as f:
            parts.append([json.loads(line) for line in f])
    return parts


def _only_schema(rec: dict[str, object]) -> dict[str, object]:
    # The review step may add a "style" column; the five source fields are what we compare.
    return {k: rec[k] for k in FIELDS}


def holds(expected: list[dict[str, object]]) -> Callable[[Path], None]:
    """A check: the parts hold exactly ``expected`` (by index), fields in schema order."""
    def check(out: Path) -> None:
        got = [r for part in read_parts(out) for r in part]
        assert all(list(r)[:5] == FIELDS for r in got)
        by_index = {r["index"]: _only_schema(r) for r in got}
        assert len(by_index) == len(got), "an index appears twice"
        assert by_index == {r["index"]: r for r in expected}
    return check


# --- the file itself ----------------------------------------------------------------------

@case("empty file")
def _empty(d: Path) -> Outcome:
    src, args = build(d, b"")
    return error(2, args, src, "file is empty (expected a JSON array of records or JSON Lines)")


@case("only whitespace")
def _whitespace(d: Path) -> Outcome:
    src, args = build(d, b" \n\r\n\t\n" * 2000)  # longer than the first block the reader sniffs
    return error(2, args, src, "file is empty (expected a JSON array of records or JSON Lines)")


@case("empty array")
def _empty_array(d: Path) -> Outcome:
    src, args = build(d, b"[]\n")
    return error(2, args, src, "the JSON array is empty; expected records")


@case("object instead of array")
def _object(d: Path) -> Outcome:
    src, args = build(d, json.dumps({"records": records(4)}, ensure_ascii=False, indent=2).encode())
    return error(2, args, src, "expected a JSON array of records or JSON Lines (one object per line), "
                               'found one JSON object with keys "records"')


@case("object instead of array, one line")
def _object_one_line(d: Path) -> Outcome:
    src, args = build(d, json.dumps({"data": records(4), "version": 1}).encode())
    return error(2, args, src, "expected a JSON array of records or JSON Lines (one object per line), "
                               'found one JSON object with keys "data", "version"')


@case("a number instead of array")
def _number(d: Path) -> Outcome:
    src, args = build(d, b"42\n")
    return error(2, args, src, "expected a JSON array of records or JSON Lines (one object per line)")


@case("truncated JSON array")
def _truncated(d: Path) -> Outcome:
    data = json_array(records(5))
    cut = data.index(b'"index"', len(data) // 2)
    src, args = build(d, data[:cut])
    line = data[:cut].count(b"\n") + 1
    return error(2, args, src, f"line {line} column 3", "invalid JSON", "unexpected end of data")


@case("truncated in the middle of a character")
def _truncated_char(d: Path) -> Outcome:
    data = json_array(records(5))
    cut = data.index("答え4".encode()) + 1
    src, args = build(d, data[:cut])
    line = data[:cut].count(b"\n") + 1
    return error(2, args, src, f"line {line}",
                 "file ends in the middle of a character (is it cut short?)")


@case("truncated JSON Lines")
def _truncated_jsonl(d: Path) -> Outcome:
    data = jsonl(records(5))
    src, args = build(d, data[:-30], "src.jsonl")
    return pattern(args, src, r"line 5: invalid JSON: .+")


@case("trailing garbage after the array")
def _trailing(d: Path) -> Outcome:
    data = json_array(records(5))
    src, args = build(d, data + b"\n]}")
    line = data.count(b"\n") + 2
    return error(2, args, src, f"line {line} column 1", "invalid JSON", "unexpected content after document")


@case("trailing garbage after JSON Lines")
def _trailing_jsonl(d: Path) -> Outcome:
    src, args = build(d, jsonl(records(5)) + b"</records>\n", "src.jsonl")
    return pattern(args, src, r"line 6: invalid JSON: .+")


@case("missing source")
def _missing(d: Path) -> Outcome:
    src = d / "nope.json"
    return error(2, ["--source", str(src), "--out", str(d / "out")], src, "no such file")


@case("source is a folder")
def _folder(d: Path) -> Outcome:
    (d / "data").mkdir()
    return error(2, ["--source", str(d / "data"), "--out", str(d / "out")], d / "data",
                 "is a folder, expected a JSON or JSON Lines file")


# --- encodings ----------------------------------------------------------------------------

@case("UTF-8 BOM, JSON array (accepted)")
def _bom(d: Path) -> Outcome:
    recs = records(6)
    _, args = build(d, b"\xef\xbb\xbf" + json_array(recs))
    return Outcome(args, 0, check=holds(recs))


@case("UTF-8 BOM, JSON Lines (accepted)")
def _bom_jsonl(d: Path) -> Outcome:
    recs = records(6)
    _, args = build(d, b"\xef\xbb\xbf" + jsonl(recs), "src.jsonl")
    return Outcome(args, 0, check=holds(recs))


def _utf16(d: Path, data: bytes, name: str) -> Outcome:
    src, args = build(d, data, name)
    return error(2, args, src, "file is UTF-16 encoded; save it as UTF-8")


@case("UTF-16 LE with BOM")
def _utf16_le(d: Path) -> Outcome:
    return _utf16(d, json.dumps(records(4), ensure_ascii=False).encode("utf-16"), "src.json")


@case("UTF-16 BE with BOM")
def _utf16_be(d: Path) -> Outcome:
    return _utf16(d, b"\xfe\xff" + json.dumps(records(4), ensure_ascii=False).encode("utf-16-be"), "src.json")


@case("UTF-16 LE without BOM, JSON Lines")
def _utf16_nobom(d: Path) -> Outcome:
    return _utf16(d, jsonl(records(4)).decode().encode("utf-16-le"), "src.jsonl")


@case("UTF-32")
def _utf32(d: Path) -> Outcome:
    src, args = build(d, json.dumps(records(4), ensure_ascii=False).encode("utf-32"))
    return error(2, args, src, "file is UTF-32 encoded; save it as UTF-8")


@case("Shift_JIS JSON array")
def _sjis(d: Path) -> Outcome:
    src, args = build(d, json_array(records(4)).decode().encode("shift_jis"))
    return error(2, args, src, "line 3", "file is not UTF-8 (looks like Shift_JIS); save it as UTF-8")


@case("Shift_JIS on line 3 of JSON Lines")
def _sjis_jsonl(d: Path) -> Outcome:
    ascii_lines = "".join(json.dumps(r) + "\n" for r in records(2)).encode()  # \u escapes: plain ASCII
    src, args = build(d, ascii_lines + jsonl(records(2, start=2)).decode().encode("shift_jis"), "src.jsonl")
    return error(2, args, src, "line 3", "file is not UTF-8 (looks like Shift_JIS); save it as UTF-8")


@case("invalid UTF-8 byte")
def _bad_utf8(d: Path) -> Outcome:
    lines = jsonl(records(4)).split(b"\n")
    lines[1] = lines[1].replace("答え".encode(), b"\xff", 1)
    column = lines[1].index(b"\xff") + 1
    src, args = build(d, b"\n".join(lines), "src.jsonl")
    return error(2, args, src, "line 2",
                 f"file is not valid UTF-8 (byte 0xff at byte {column} of the line); save it as UTF-8")


@case("Latin-1 text")
def _latin1(d: Path) -> Outcome:
    text = json.dumps([record(0, output="Un café, s'il vous plaît."), *records(3, start=1)], indent=1)
    data = text.replace("\\u00e9", "\xe9").encode("latin-1")  # only the é is not ASCII
    src, args = build(d, data)
    line = data[: data.index(b"caf\xe9")].count(b"\n") + 1
    return pattern(args, src, re.escape(f"line {line}: file is not valid UTF-8 (byte 0xe9 at byte ")
                   + r"\d+" + re.escape(" of the line); save it as UTF-8"))


@case("lone surrogate escape in JSON Lines")
def _surrogate(d: Path) -> Outcome:
    data = jsonl(records(4)).replace(b'"index": "2"', b'"index": "\\ud800"')
    src, args = build(d, data, "src.jsonl")
    return pattern(args, src, r"line 3: invalid JSON: .+ \(a lone surrogate escape such as \\ud800 is not text\)")


@case("lone surrogate escape in a JSON array")
def _surrogate_array(d: Path) -> Outcome:
    data = json.dumps(records(4)).replace('"index": "3"', '"index": "x\\udc00"').encode()
    src, args = build(d, data)
    return pattern(args, src, r"line 1 column \d+: invalid JSON: .+ \(a lone surrogate escape such as "
                              r"\\ud800 is not text\)")


@case("escaped NUL character")
def _nul(d: Path) -> Outcome:
    src, args = build(d, json_array([*records(2), record(2, output="a\u0000b"), *records(2, start=3)]))
    return error(2, args, src, "record 3", 'field "output" contains a NUL character')


@case("raw NUL byte")
def _raw_nul(d: Path) -> Outcome:
    data = jsonl(records(4)).replace("答え2".encode(), b"\x00", 1)
    src, args = build(d, data, "src.jsonl")
    return error(2, args, src, "line 3", "invalid JSON: unexpected control character in string (a raw "
                 "control character such as NUL; write tab and newline as \\t and \\n)")


# --- lines --------------------------------------------------------------------------------

@case("CRLF JSON Lines (accepted)")
def _crlf(d: Path) -> Outcome:
    recs = [*records(5), record(5, output="一行目\r\n二行目")]  # an escaped CRLF inside a value stays
    # --keep-all: the review would otherwise (rightly) normalise that \r\n to \n
    _, args = build(d, jsonl(recs, newline="\r\n"), "src.jsonl", "--keep-all")

    def check(out: Path) -> None:
        holds(recs)(out)
        assert all(b"\r" not in p.read_bytes() for p in (out / "data").iterdir())
    return Outcome(args, 0, check=check)


@case("blank lines in JSON Lines (accepted)")
def _blank(d: Path) -> Outcome:
    recs = records(6)
    lines = jsonl(recs).split(b"\n")
    data = b"\n".join([b"", lines[0], b"", b"   \t", *lines[1:3], b"\r", *lines[3:], b"", b""])
    _, args = build(d, data, "src.jsonl")
    return Outcome(args, 0, check=holds(recs))


# --- records ------------------------------------------------------------------------------

@case("a record that is a list")
def _list_record(d: Path) -> Outcome:
    src, args = build(d, json_array([*records(3), ["質問", "", "答え", "open_qa", "3"]]))
    return error(2, args, src, "record 4", f"{OBJECT_EXPECTED} list")


@case("a record that is a string")
def _string_record(d: Path) -> Outcome:
    src, args = build(d, jsonl([*records(1), "質問その1", *records(2, start=2)]), "src.jsonl")
    return error(2, args, src, "line 2", f"{OBJECT_EXPECTED} string")


@case("a record that is null")
def _null_record(d: Path) -> Outcome:
    src, args = build(d, json_array([*records(4), None]))
    return error(2, args, src, "record 5", f"{OBJECT_EXPECTED} null")


@case("missing field")
def _missing_field(d: Path) -> Outcome:
    src, args = build(d, json_array([*records(2), record(2, output=...), *records(2, start=3)]))
    return error(2, args, src, "record 3", 'missing field "output"')


@case("missing input field")
def _missing_input(d: Path) -> Outcome:
    src, args = build(d, jsonl([*records(3), record(3, input=...)]), "src.jsonl")
    return error(2, args, src, "line 4", 'missing field "input"')


def _typed(name: str, line: int, change: dict[str, object], problem: str) -> Case:
    def make(d: Path) -> Outcome:
        recs = records(5)
        recs[line - 1] = record(line - 1, **change)
        src, args = build(d, jsonl(recs), "src.jsonl")
        return error(2, args, src, f"line {line}", problem)
    return case(name)(make)


_typed("field of type number", 2, {"index": 1}, 'field "index" must be a string, got number')
_typed("field of type null", 3, {"output": None}, 'field "output" must be a string, got null')
_typed("field of type list", 4, {"input": ["a", "b"]}, 'field "input" must be a string, got list')
_typed("field of type boolean", 1, {"category": True}, 'field "category" must be a string, got boolean')
_typed("field of type object", 5, {"instruction": {"ja": "質問"}}, 'field "instruction" must be a string, got object')
_typed("empty instruction", 2, {"instruction": ""}, 'field "instruction" is empty')
_typed("empty output", 3, {"output": ""}, 'field "output" is empty')
_typed("whitespace-only instruction", 4, {"instruction": " \u3000\n\t"}, 'field "instruction" is empty')
_typed("whitespace-only output", 5, {"output": "\r\n \u3000"}, 'field "output" is empty')
_typed("empty category", 1, {"category": ""}, 'field "category" is empty')
_typed("whitespace-only index", 2, {"index": "  "}, 'field "index" is empty')


_typed("invisible-only instruction (zero-width spaces)", 2, {"instruction": "\u200b\u200b"},
       'field "instruction" is empty (only invisible characters such as U+200B)')
_typed("invisible-only output (word joiner, BOM character, spaces)", 3, {"output": " \u2060\ufeff\n"},
       'field "output" is empty (only invisible characters such as U+200B)')
_typed("invisible-only category (zero-width joiners)", 4, {"category": "\u200c\u200d"},
       'field "category" is empty (only invisible characters such as U+200B)')
_typed("invisible-only index", 5, {"index": "\ufeff"},
       'field "index" is empty (only invisible characters such as U+200B)')


@case("empty and whitespace-only input (accepted)")
def _empty_input(d: Path) -> Outcome:
    recs = [record(0, input=""), record(1, input=" \n"), *records(4, start=2)]
    _, args = build(d, jsonl(recs), "src.jsonl", "--keep-all")  # the review would empty " \n"
    return Outcome(args, 0, check=holds(recs))


@case("fields in another order (accepted, written in schema order)")
def _order(d: Path) -> Outcome:
    recs = records(6)
    _, args = build(d, json_array([dict(reversed(list(r.items()))) for r in recs]))
    return Outcome(args, 0, check=holds(recs))


@case("extra unknown fields (dropped with a warning)")
def _extra(d: Path) -> Outcome:
    recs = records(6)
    raw = [recs[0], {**recs[1], "note": "x", "id": 1}, *recs[2:4], {**recs[4], "note": None}, recs[5]]
    src, args = build(d, jsonl(raw), "src.jsonl")

    def check(out: Path) -> None:
        holds(recs)(out)
        assert all("note" not in r and "id" not in r for part in read_parts(out) for r in part)
    return Outcome(args, 0, warnings=[f'warning: {src}: line 2: fields outside the schema are not kept: '
                                      '"id" (1), "note" (2)'], check=check)


@case("unknown category (accepted with a warning)")
def _category(d: Path) -> Outcome:
    recs = [*records(3), record(3, category="poetry"), *records(3, start=4), record(7, category="poetry")]
    src, args = build(d, jsonl(recs), "src.jsonl")
    return Outcome(args, 0, warnings=[f'warning: {src}: line 4: category "poetry" is not one of the eight Dolly '
                                      "categories; kept as is"], check=holds(recs))


@case("a key given twice in a JSON Lines record")
def _key_twice(d: Path) -> Outcome:
    lines = jsonl(records(4)).split(b"\n")
    lines[2] = lines[2].replace(b'"index": "2"', b'"index": "2", "index": "3"')
    src, args = build(d, b"\n".join(lines), "src.jsonl")
    return error(2, args, src, "line 3", 'key "index" appears more than once in the record; JSON readers keep '
                 "only the last value, so keep one")


@case("a key given twice in a JSON array record")
def _key_twice_array(d: Path) -> Outcome:
    fourth = '"output": "これは答え4'.encode()
    data = json_array(records(5)).replace(fourth, b'"output": "", ' + fourth)
    src, args = build(d, data)
    return error(2, args, src, "record 5", 'key "output" appears more than once in the record; JSON readers keep '
                 "only the last value, so keep one")


# --- values with line breaks: every message stays one line ------------------------------------

def _escaped(text: object) -> str:
    return str(text).replace("\n", "\\n").replace("\r", "\\r")


@case("line break in a category (accepted, the warning stays one line)")
def _category_newline(d: Path) -> Outcome:
    recs = [*records(3), record(3, category="open_qa\nerror: fake"), *records(2, start=4)]
    src, args = build(d, jsonl(recs), "src.jsonl", "--keep-all")
    return Outcome(args, 0, warnings=[f'warning: {src}: line 4: category "open_qa\\nerror: fake" is not one of the '
                                      "eight Dolly categories; kept as is"], check=holds(recs))


@case("line break in an extra field's name (dropped, the warning stays one line)")
def _extra_newline(d: Path) -> Outcome:
    recs = records(6)
    src, args = build(d, jsonl([*recs[:2], {**recs[2], "note\r\nerror: x": 1}, *recs[3:]]), "src.jsonl")
    return Outcome(args, 0, warnings=[f'warning: {src}: line 3: fields outside the schema are not kept: '
                                      '"note\\r\\nerror: x" (1)'], check=holds(recs))


@case("line break in a duplicate index")
def _dup_newline(d: Path) -> Outcome:
    src, args = build(d, jsonl([record(0, index="a\nerror: b"), *records(3, start=1), record(4, index="a\nerror: b")]),
                      "src.jsonl")
    return error(2, args, src, "line 5", f'duplicate index "a\\nerror: b" (first seen at {src}: line 1)')


@case("line break in the source's path")
def _path_newline(d: Path) -> Outcome:
    src, args = build(d, jsonl([*records(2), record(2, output=5)]), "src\nerror: fake.jsonl")
    return error(2, args, _escaped(src), "line 3", 'field "output" must be a string, got number')


@case("line break in a missing source's path")
def _missing_newline(d: Path) -> Outcome:
    src = d / "nope\r\nerror: fake.json"
    return error(2, ["--source", str(src), "--out", str(d / "out")], _escaped(src), "no such file")


@case("a BOM inside JSON Lines (files joined)")
def _bom_inside(d: Path) -> Outcome:
    src, args = build(d, b"\xef\xbb\xbf" + jsonl(records(2)) + b"\xef\xbb\xbf" + jsonl(records(2, start=2)),
                      "src.jsonl")
    return error(2, args, src, "line 3", "a byte order mark (BOM) inside the file; it is only allowed at the very "
                 "start (were files joined?)")


# --- indexes ------------------------------------------------------------------------------

@case("duplicate index in the source")
def _dup(d: Path) -> Outcome:
    src, args = build(d, jsonl([*records(4), record(4, index="2")]), "src.jsonl")
    return error(2, args, src, "line 5", f'duplicate index "2" (first seen at {src}: line 3)')


@case("duplicate index in a JSON array")
def _dup_array(d: Path) -> Outcome:
    src, args = build(d, json_array([*records(4), record(9, index="0")]))
    return error(2, args, src, "record 5", f'duplicate index "0" (first seen at {src}: record 1)')


@case("supplement index equal to a source index (accepted, prefixed)")
def _sup_same(d: Path) -> Outcome:
    sup = d / "mine.jsonl"
    sup.write_bytes(jsonl([record(100, index="0"), record(101, index="1")]))
    src_recs = records(6)
    _, args = build(d, jsonl(src_recs), "src.jsonl", "--supplement", str(sup))
    expected = [*src_recs, record(100, index="user-0"), record(101, index="user-1")]
    return Outcome(args, 0, check=holds(expected))


@case("duplicate index inside a supplement")
def _sup_dup(d: Path) -> Outcome:
    sup = d / "mine.jsonl"
    sup.write_bytes(jsonl([record(100, index="7"), record(101, index="8"), record(102, index="7")]))
    _, args = build(d, jsonl(records(6)), "src.jsonl", "--supplement", str(sup))
    return error(2, args, sup, "line 3", f'duplicate index "user-7" (first seen at {sup}: line 1)')


@case("duplicate index between two supplements")
def _sup_dup2(d: Path) -> Outcome:
    one, two = d / "one.json", d / "two.jsonl"
    one.write_bytes(json_array([record(100, index="a"), record(101, index="b")]))
    two.write_bytes(jsonl([record(102, index="c"), record(103, index="b")]))
    _, args = build(d, jsonl(records(6)), "src.jsonl", "--supplement", str(one), "--supplement", str(two))
    return error(2, args, two, "line 2", f'duplicate index "user-b" (first seen at {one}: record 2)')


@case("bad record in a supplement")
def _sup_bad(d: Path) -> Outcome:
    sup = d / "mine.jsonl"
    sup.write_bytes(jsonl([record(100), record(101, output=5)]))
    _, args = build(d, jsonl(records(6)), "src.jsonl", "--supplement", str(sup))
    return error(2, args, sup, "line 2", 'field "output" must be a string, got number')


@case("the same supplement given twice")
def _sup_twice(d: Path) -> Outcome:
    sup = d / "mine.jsonl"
    sup.write_bytes(jsonl([record(100, index="a")]))
    _, args = build(d, jsonl(records(6)), "src.jsonl", "--supplement", str(sup), "--supplement", str(sup))
    return error(2, args, f"{sup} is given twice as --supplement")


@case("the same supplement given twice, once through a link")
def _sup_twice_link(d: Path) -> Outcome:
    sup = d / "mine.jsonl"
    sup.write_bytes(jsonl([record(100, index="a")]))
    other = d / "link.jsonl"
    other.symlink_to(sup)
    _, args = build(d, jsonl(records(6)), "src.jsonl", "--supplement", str(sup), "--supplement", str(other))
    return error(2, args, f"{other} is given twice as --supplement")


@case("the source given again as a supplement")
def _sup_is_source(d: Path) -> Outcome:
    src, args = build(d, jsonl(records(6)), "src.jsonl")
    return error(2, [*args, "--supplement", str(src)], f"{src} is given as both --source and --supplement")


# --- size ---------------------------------------------------------------------------------

@case("a 10 MB record (accepted)")
def _big(d: Path) -> Outcome:
    big = record(3, input="長文" * (10 * 1024 * 1024 // 6 + 1), output="😀\u2028\u0301" * 1000)
    recs = [*records(3), big, *records(4, start=4)]
    _, args = build(d, jsonl(recs), "src.jsonl")
    assert len(jsonl([big])) > 10_000_000
    return Outcome(args, 0, check=holds(recs))


MILLION = 1_000_000


@case("a million tiny records (accepted)")
def _million(d: Path) -> Outcome:
    line = '{"instruction":"問%d","input":"","output":"答%d","category":"%s","index":"%d"}\n'.encode()
    cats = [c.encode() for c in CATEGORIES]
    data = b"".join([line % (i, i, cats[i & 7], i) for i in range(MILLION)])
    _, args = build(d, data, "src.jsonl")

    def check(out: Path) -> None:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["records"] == MILLION
        assert [p["records"] for p in manifest["parts"]] == [MILLION // 4] * 4
        assert all(p["categories"] == {c: MILLION // 32 for c in CATEGORIES} for p in manifest["parts"])
    return Outcome(args, 0, check=check)


# --- options ------------------------------------------------------------------------------

@case("fewer records than parts")
def _few(d: Path) -> Outcome:
    _, args = build(d, jsonl(records(3)), "src.jsonl", parts=4)
    return error(2, args, "3 records cannot fill 4 parts (each part needs at least one)")


@case("exactly as many records as parts (accepted)")
def _exact(d: Path) -> Outcome:
    recs = records(4)
    _, args = build(d, jsonl(recs), "src.jsonl", parts=4)
    return Outcome(args, 0, check=holds(recs))


def _bad_option(name: str, option: list[str], message: str) -> None:
    @case(name)
    def make(d: Path) -> Outcome:
        src = d / "src.jsonl"
        src.write_bytes(jsonl(records(8)))
        args = ["--source", str(src), "--out", str(d / "out"), *option]
        return Outcome(args, 2, f"dolly-ja-16k build: error: {message} (see --help)")


_bad_option("--parts 0", ["--parts", "0"], "argument --parts: must be at least 1, got 0")
_bad_option("--parts -1", ["--parts", "-1"], "argument --parts: must be at least 1, got -1")
_bad_option("--parts two", ["--parts", "two"], "argument --parts: expected a whole number, got 'two'")
_bad_option("--target-size 0", ["--target-size", "0"], "argument --target-size: must be at least 1, got 0")
_bad_option("unknown --strategy", ["--strategy", "random"],
            "argument --strategy: invalid choice: 'random' (choose from 'stratified', 'contiguous', 'shuffle')")


@case("--target-size larger than available")
def _target(d: Path) -> Outcome:
    _, args = build(d, jsonl(records(8)), "src.jsonl", "--target-size", "20")
    return error(2, args, "--target-size 20 needs 12 more records than the 8 available; "
                          "add them with --supplement FILE")


@case("--target-size smaller than --parts")
def _target_small(d: Path) -> Outcome:
    _, args = build(d, jsonl(records(8)), "src.jsonl", "--target-size", "3")
    return error(2, args, "--target-size: 3 is smaller than the 4 parts")


# --- the output folder --------------------------------------------------------------------

@case("--out is a file")
def _out_file(d: Path) -> Outcome:
    (d / "out").write_text("my notes\n")
    _, args = build(d, jsonl(records(8)), "src.jsonl")
    return error(2, args, d / "out", "--out is a file, expected a folder")


@case("--out is the source itself")
def _out_source(d: Path) -> Outcome:
    src, _ = build(d, jsonl(records(8)), "src.jsonl")
    return error(2, ["--source", str(src), "--out", str(src)], src, "--out is a file, expected a folder")


@case("--out inside a file")
def _out_in_file(d: Path) -> Outcome:
    (d / "notes").write_text("x\n")
    src, _ = build(d, jsonl(records(8)), "src.jsonl")
    out = d / "notes" / "build"
    return error(2, ["--source", str(src), "--out", str(out)], out, f"--out is inside {d / 'notes'}, which is a file")


@case("--out is a non-empty foreign folder")
def _out_foreign(d: Path) -> Outcome:
    (d / "out").mkdir()
    (d / "out" / "thesis.tex").write_text("\\documentclass{article}\n")
    _, args = build(d, jsonl(records(8)), "src.jsonl")
    return error(2, args, d / "out", "folder is not empty and holds no manifest.json; refusing to replace it "
                                     "(choose an empty or new folder)")


@case("--out is the folder holding the source")
def _out_holds_source(d: Path) -> Outcome:
    (d / "out").mkdir()
    (d / "out" / "manifest.json").write_text("{}\n")  # looks like one of our builds...
    src = d / "out" / "src.jsonl"  # ...but the source lives in it
    src.write_bytes(jsonl(records(8)))
    return error(2, ["--source", str(src), "--out", str(d / "out")], d / "out",
                 "--out would replace an input file; choose another folder")


@case("--out is an empty folder (accepted)")
def _out_empty(d: Path) -> Outcome:
    (d / "out").mkdir()
    recs = records(8)
    _, args = build(d, jsonl(recs), "src.jsonl")
    return Outcome(args, 0, check=holds(recs))
