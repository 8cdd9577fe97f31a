"""Shared test helpers: small records the tests write themselves, and the real source if present."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_SOURCE = ROOT.parent / "shared" / "data" / "dolly-15k-ja" / "databricks-dolly-15k-ja.json"
DEMO_SOURCE = ROOT / "examples" / "demo-ja.jsonl"

# Keep every cache of the test run (HF hub, datasets) away from the user's own, before
# anything imports huggingface_hub or datasets (they read these at import time).
_CACHE = tempfile.mkdtemp(prefix="dolly-ja-16k-tests-")
os.environ["HF_HOME"] = os.path.join(_CACHE, "hf")
os.environ["HF_DATASETS_CACHE"] = os.path.join(_CACHE, "datasets")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# Child processes (`python -m dolly_ja_16k` run from temp folders) test this tree's code,
# not whatever copy of the package happens to be installed.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)

CATEGORIES = ["open_qa", "general_qa", "classification", "closed_qa", "brainstorming",
              "information_extraction", "summarization", "creative_writing"]


def make_record(i: int, category: str | None = None, **fields: str) -> dict[str, str]:
    record = {
        "instruction": f"質問その{i}に答えてください。",
        "input": "",
        "output": f"これは答え{i}です。",
        "category": category or CATEGORIES[i % len(CATEGORIES)],
        "index": str(i),
    }
    record.update(fields)
    return record


def make_records(n: int, start: int = 0) -> list[dict[str, str]]:
    return [make_record(i) for i in range(start, start + n)]


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def write_json(path: Path, records: list) -> Path:
    path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run the real command line (``python -m dolly_ja_16k``) as a user would; ``stdin`` is piped in."""
    return subprocess.run([sys.executable, "-m", "dolly_ja_16k", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env={**os.environ, **(env or {})}, timeout=600, input=stdin)


@pytest.fixture(scope="session")
def real_source() -> Path:
    if not SHARED_SOURCE.is_file():
        pytest.skip(f"real source not present at {SHARED_SOURCE}")
    return SHARED_SOURCE
