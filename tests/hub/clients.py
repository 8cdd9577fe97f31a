"""Helpers for the Hub tests: test tokens and names, client environments, CLI and read-back runners."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_SOURCE = REPO_ROOT / "examples" / "demo-ja.jsonl"
SHARED_DOLLY = REPO_ROOT.parent / "shared" / "data" / "dolly-15k-ja" / "databricks-dolly-15k-ja.json"
#: Recognisable fake tokens: tests assert they never show up anywhere but the auth header.
ALICE_TOKEN = "hf_FAKEalice7c1d2e3f4a5b6c7d8e9f0SECRET"
BOB_TOKEN = "hf_FAKEbob0a1b2c3d4e5f6a7b8c9d0e1fSECRET"
UNKNOWN_TOKEN = "hf_FAKEunknown99887766554433221100SECRET"
#: The upstream source of the default build (see ``source_mirror``).
SOURCE_REPO = "kunishou/databricks-dolly-15k-ja"
SOURCE_COMMIT = "6391034b0126850543299cda071dc6281c31a6fb"
SOURCE_FILE = "databricks-dolly-15k-ja.json"
CLI_TIMEOUT = 180


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def last_line(self) -> str:
        lines = self.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]


def hub_env(endpoint: str, home: Path, token: str | None = None, **extra: str) -> dict[str, str]:
    """A clean environment for a client process: our endpoint, an empty HF cache, no Xet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(HF_ENDPOINT=endpoint, HF_HOME=str(home), HF_HUB_DISABLE_XET="1",
               HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_DISABLE_UPDATE_CHECK="1", **extra)
    if token is not None:
        env["HF_TOKEN"] = token
    return env


def run_cli(args: list[str], env: dict[str, str], cwd: Path, timeout: float = CLI_TIMEOUT) -> Run:
    """The real command line, ``python -m dolly_ja_16k ...``, in its own process."""
    proc = subprocess.run([sys.executable, "-m", "dolly_ja_16k", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def read_back(requests: list[dict[str, Any]], olah_url: str, home: Path) -> list[Any]:
    """Load through olah with the real clients (see read_back.py)."""
    script = Path(__file__).with_name("read_back.py")
    proc = subprocess.run([sys.executable, str(script), json.dumps(requests)], env=hub_env(olah_url, home),
                          cwd=home.parent, capture_output=True, text=True, timeout=CLI_TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def local_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(out: Path, *args: str, source: Path | str = DEMO_SOURCE, env: dict[str, str] | None = None) -> Path:
    result = run_cli(["build", "--source", str(source), "--out", str(out), *args],
                     env or hub_env("http://127.0.0.1:9", out.parent / "hf-home-build"), cwd=out.parent)
    assert result.returncode == 0, result.stderr
    return out
