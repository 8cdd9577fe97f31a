"""Republish benchmark: publish a build to the local Hub of the tests, then publish it again unchanged.

The second publish must upload nothing: it may ask the Hub what is there, but send no
file and make no commit. Every request the local Hub receives is recorded, so the
numbers are counted, not estimated.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "hf_FAKEbench0123456789abcdef0123SECRET"
USER = "bench"


def available() -> bool:
    """True once both the ``publish`` command and the local Hub of the tests exist."""
    try:
        import dolly_ja_16k.publish  # noqa: F401
    except ImportError:
        return False
    return (ROOT / "tests" / "hub" / "local_hub.py").is_file()


def _kind(method: str, path: str) -> str:
    """A short name for a request: ``GET info``, ``POST commit``, ``PUT lfs-upload`` …"""
    seg = urlsplit(path).path.strip("/").split("/")
    if seg[:1] == ["api"] and len(seg) >= 5 and seg[1] in ("datasets", "models", "spaces"):
        name = seg[4]
    elif seg[:1] == ["api"]:
        name = "/".join(seg[1:3])
    elif "lfs" in seg:
        name = "lfs-" + seg[-1]
    else:
        name = seg[0] if seg else "/"
    return f"{method} {name}"


def _uploaded(requests: list[Any]) -> int:
    """Bytes of file content sent: LFS uploads plus commit payloads (which carry small files inline)."""
    total = 0
    for r in requests:
        kind = _kind(r.method, r.path)
        if kind.startswith("PUT ") or kind == "POST commit":
            total += len(r.body)
    return total


def hub_env(endpoint: str, home: Path) -> dict[str, str]:
    """A client environment for the local Hub: its endpoint and token, an empty HF cache, no Xet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(HF_ENDPOINT=endpoint, HF_HOME=str(home), HF_TOKEN=TOKEN, HF_HUB_DISABLE_XET="1",
               HF_HUB_DISABLE_TELEMETRY="1", HF_HUB_DISABLE_UPDATE_CHECK="1")
    return env


def measure(built: Path, root: Path, reps: int = 5, repo_id: str = f"{USER}/dolly-ja-16k") -> dict[str, Any]:
    """First publish once, then ``reps`` republishes of the same folder; requests, bytes, seconds."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench.harness import cli_cmd, run
    from tests.hub.local_hub import LocalHub

    root.mkdir(parents=True, exist_ok=True)
    hub = LocalHub(Path(tempfile.mkdtemp(prefix="hub-", dir=root)), {TOKEN: USER}).start()
    try:
        env = hub_env(hub.url, root / "hf-home")
        cmd = cli_cmd("publish", "--dir", str(built), "--repo-id", repo_id)

        def once() -> dict[str, Any]:
            hub.reset()
            sample = run(cmd, env=env, cwd=root)
            requests = list(hub.requests)
            return {"seconds": sample.seconds, "requests": len(requests),
                    "request_kinds": sorted(f"{k} ×{n}" if n > 1 else k
                                            for k, n in Counter(_kind(r.method, r.path) for r in requests).items()),
                    "bytes_uploaded": _uploaded(requests),
                    "bytes_sent": sum(len(r.body) for r in requests)}

        first = once()
        commits = hub.commit_count(repo_id)
        again = [once() for _ in range(reps)]
        if hub.commit_count(repo_id) != commits:
            raise RuntimeError("a republish of an unchanged build made a commit")
    finally:
        hub.stop()
    return {
        "first": first,
        "republish": {
            "seconds": statistics.median(a["seconds"] for a in again),
            "requests": max(a["requests"] for a in again),
            "request_kinds": again[-1]["request_kinds"],
            "bytes_uploaded": max(a["bytes_uploaded"] for a in again),
            "bytes_sent": max(a["bytes_sent"] for a in again),
            "all_seconds": [a["seconds"] for a in again],
        },
    }
