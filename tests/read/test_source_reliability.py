"""Inputs the reader must not get wrong, through the real command line: pipes and FIFOs, a file
rewritten while it is read, and the Hub when it cannot be reached (offline mode included).

Refused inputs: the exit code, exactly one line on stderr naming the file (and the record or
line), no traceback, and nothing written where ``--out`` points.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT, make_record, make_records, run_cli

PINNED = "hf://datasets/someone/missing@" + "0" * 40 + "/data.json"


def _jsonl(records: list[dict[str, str]]) -> bytes:
    # ASCII only (\u escapes): what goes through a text-mode pipe is then byte for byte what we wrote
    return "".join(json.dumps(r) + "\n" for r in records).encode()


def _first_line_of(size: int) -> dict[str, str]:
    """A record whose JSON Lines line, newline included, is exactly ``size`` bytes."""
    record = make_record(0, instruction="")
    record["instruction"] = "x" * (size - len(_jsonl([record])))
    assert len(_jsonl([record])) == size
    return record


CASES = {
    # the first 4,096 bytes (what the reader sniffs) end exactly at a line break
    "jsonl, first line of 4096 bytes": _jsonl([_first_line_of(4096), *make_records(7, start=1)]),
    "jsonl, head ends mid-line": _jsonl([_first_line_of(3000), *make_records(200, start=1)]),
    "json array": json.dumps(make_records(300), indent=1).encode(),
}


def _one_error(result: subprocess.CompletedProcess, *parts: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for part in parts:
        assert part in lines[0], (part, lines[0])
    return lines[0]


def _built(out: Path, data: bytes) -> dict:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    expected = [json.loads(line) for line in data.splitlines()] if data.startswith(b"{") else json.loads(data)
    assert manifest["records"] == len(expected)
    assert manifest["source"]["sha256"] == hashlib.sha256(data).hexdigest()
    got = {}
    for part in manifest["parts"]:
        for line in (out / part["file"]).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            got[row["index"]] = row["instruction"]
    assert got == {r["index"]: r["instruction"] for r in expected}  # no record lost, none changed
    return manifest


class _Fifo:
    """A FIFO that a thread fills with ``data`` once a reader opens it (as ``<(cat FILE)`` does)."""

    def __init__(self, folder: Path, data: bytes) -> None:
        self.path = folder / "fifo"
        os.mkfifo(self.path)
        self.thread = threading.Thread(target=self._write, args=(data,), daemon=True)
        self.thread.start()

    def _write(self, data: bytes) -> None:
        with open(self.path, "wb") as f:
            f.write(data)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        self.thread.join(timeout=60)


@pytest.mark.parametrize("name", list(CASES))
def test_build_from_a_fifo_reads_every_record(tmp_path: Path, name: str) -> None:
    data = CASES[name]
    out = tmp_path / "out"
    with _Fifo(tmp_path, data) as fifo:
        result = run_cli("build", "--source", fifo, "--out", out, "--parts", "2", "--keep-all")
    assert result.returncode == 0, result.stderr
    manifest = _built(out, data)
    assert manifest["source"]["name"] == "fifo"


@pytest.mark.parametrize("name", list(CASES))
def test_build_from_piped_stdin_reads_every_record(tmp_path: Path, name: str) -> None:
    data = CASES[name]
    out = tmp_path / "out"
    result = run_cli("build", "--source", "/dev/stdin", "--out", out, "--parts", "2", "--keep-all",
                     stdin=data.decode())
    assert result.returncode == 0, result.stderr
    assert _built(out, data)["source"]["name"] == "stdin"


def test_review_from_piped_stdin_and_a_fifo(tmp_path: Path) -> None:
    data = CASES["jsonl, first line of 4096 bytes"]
    result = run_cli("review", "/dev/stdin", "--no-style", stdin=data.decode())
    assert result.returncode == 0, result.stderr
    assert "The review checked 8 records" in result.stdout
    with _Fifo(tmp_path, CASES["json array"]) as fifo:
        result = run_cli("review", fifo, "--no-style")
    assert result.returncode == 0, result.stderr
    assert "The review checked 300 records" in result.stdout


def test_a_bad_record_from_a_pipe_is_one_line(tmp_path: Path) -> None:
    data = _jsonl([*make_records(3), make_record(3, output="")])
    out = tmp_path / "out"
    result = run_cli("build", "--source", "/dev/stdin", "--out", out, stdin=data.decode())
    assert result.returncode == 2
    assert _one_error(result) == 'error: /dev/stdin: line 4: field "output" is empty'
    assert not out.exists()


# --- a file rewritten while it is read --------------------------------------------------------

REWRITE_DURING_READ = """
import os, sys
from pathlib import Path
from dolly_ja_16k import cli
from dolly_ja_16k.read import readers

path = Path(sys.argv[1])
original = readers.to_record
calls = []

def to_record(obj, *args):
    if not calls:  # after the first record: another program rewrites the file
        path.write_bytes(path.read_bytes().replace(b"question", b"QUESTION"))
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    calls.append(obj)
    return original(obj, *args)

readers.to_record = to_record
sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("name", ["src.jsonl", "src.json"])
@pytest.mark.parametrize("command", ["build", "review"])
def test_a_source_rewritten_while_it_is_read_is_refused(tmp_path: Path, name: str, command: str) -> None:
    """Deterministic: the command runs with a hook that rewrites the file after the first record
    (for a JSON array, after it was read and parsed: then the bytes read are what is hashed and
    the change shows at the next look; the hook's run says which)."""
    src = tmp_path / name
    records = [make_record(i, instruction=f"question {i}") for i in range(6)]
    src.write_bytes(_jsonl(records) if name.endswith(".jsonl") else json.dumps(records).encode())
    out = tmp_path / "out"
    args = ["build", "--source", str(src), "--out", str(out)] if command == "build" else ["review", str(src)]
    result = subprocess.run([sys.executable, "-c", REWRITE_DURING_READ, str(src), *args], capture_output=True,
                            text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    if name.endswith(".jsonl"):
        assert result.returncode == 2, result.stderr
        assert _one_error(result) == (f"error: {src}: the file changed while it was read; "
                                      "read it again once nothing writes to it")
    else:  # the whole array was read before the hook ran: one consistent version, accepted
        assert result.returncode == 0, result.stderr
        if command == "build":
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            original = json.dumps(records).encode()
            assert manifest["source"]["sha256"] == hashlib.sha256(original).hexdigest()
    if result.returncode:
        assert not out.exists()


# --- the Hub out of reach -----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OFFLINE = {"HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://hub.invalid"}  # a probe would fail on DNS


@pytest.mark.parametrize("location", [PINNED, "hf://datasets/someone/missing/data.json"])
def test_offline_build_of_a_file_not_in_the_cache_says_offline(tmp_path: Path, location: str) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--source", location, "--out", out, env={**OFFLINE, "HF_HOME": str(tmp_path / "hf")})
    assert result.returncode == 1
    line = _one_error(result, location, "offline mode is set (HF_HUB_OFFLINE=1)", "--source PATH")
    assert "Name or service not known" not in line and "hub.invalid" not in line
    assert not out.exists()


def test_offline_review_advises_a_local_file_as_its_argument(tmp_path: Path) -> None:
    result = run_cli("review", PINNED, env={**OFFLINE, "HF_HOME": str(tmp_path / "hf")})
    assert result.returncode == 1
    line = _one_error(result, "offline mode is set (HF_HUB_OFFLINE=1)", "dolly-ja-16k review PATH")
    assert "--source" not in line


def test_review_of_an_unreachable_hub_advises_a_local_file_as_its_argument(tmp_path: Path) -> None:
    env = {"HF_ENDPOINT": f"http://127.0.0.1:{_free_port()}", "HF_HOME": str(tmp_path / "hf")}
    result = run_cli("review", PINNED, env=env)
    assert result.returncode == 1
    line = _one_error(result, "cannot reach the Hub", "dolly-ja-16k review PATH")
    assert "--source" not in line


@pytest.mark.parametrize("command", ["build", "review"])
@pytest.mark.parametrize("repo", ["a b/c", "a--b/c", "a/b..c", "a/" + "x" * 200])
def test_a_source_repo_id_the_hub_would_refuse_is_one_line_exit_2(tmp_path: Path, command: str, repo: str) -> None:
    """Said before any request: the endpoint does not even resolve, and the message is about the input."""
    location = f"hf://datasets/{repo}/data.json"
    args = ["build", "--source", location, "--out", tmp_path / "out"] if command == "build" else ["review", location]
    result = run_cli(*args, env={"HF_ENDPOINT": "http://hub.invalid", "HF_HOME": str(tmp_path / "hf")})
    assert result.returncode == 2
    _one_error(result, f"{location}: ", "is not a Hub repo id")
    assert not (tmp_path / "out").exists()
