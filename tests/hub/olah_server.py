"""Run olah (a Hugging Face mirror server) offline over local git repositories.

olah's local mirror mode serves any git repository it finds at
``<mirrors-path>/<type>s/OWNER/NAME`` through the Hub's read API (revision info, tree,
paths-info, resolve), reading LFS content from ``.git/lfs/objects``. With
``[accessibility] offline = true`` it never contacts huggingface.co. So the read side
of the tests is served by a program we did not write, from the repositories our local
Hub wrote.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Olah:
    def __init__(self, workdir: Path, mirrors: list[Path]) -> None:
        self.workdir = Path(workdir)
        self.mirrors = [Path(m) for m in mirrors]
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self) -> str:
        mirrors = ", ".join(f'"{m}"' for m in self.mirrors)
        return (
            "[basic]\n"
            'host = "127.0.0.1"\n'
            f"port = {self.port}\n"
            f'repos-path = "{self.workdir / "cache"}"\n'
            f'mirror-netloc = "127.0.0.1:{self.port}"\n'
            f'mirror-lfs-netloc = "127.0.0.1:{self.port}"\n'
            f"mirrors-path = [{mirrors}]\n"
            "metadata-cache-ttl = 0\n"  # always read the repos as they are now
            "\n[accessibility]\n"
            "offline = true\n"
        )

    def start(self, timeout: float = 60.0) -> Olah:
        self.workdir.mkdir(parents=True, exist_ok=True)
        for attempt in range(3):  # the port is free when chosen; retry if something took it since
            self.port = free_port()
            toml = self.workdir / "olah.toml"
            toml.write_text(self.config())
            log = open(self.workdir / "olah.log", "ab")  # noqa: SIM115 (closed in stop)
            self.proc = subprocess.Popen([sys.executable, "-m", "olah.server", "--config", str(toml)],
                                         cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
            self._log = log
            if self._wait(timeout):
                return self
            self.stop()
            if attempt == 2:
                tail = (self.workdir / "olah.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"olah did not start:\n{tail}")
        return self

    def _wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            try:
                urllib.request.urlopen(f"{self.url}/api/datasets/none/none/revision/main", timeout=2)
                return True
            except urllib.error.HTTPError:
                return True  # it answered (404 for a repo that does not exist)
            except OSError:
                time.sleep(0.2)
        return False

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self._log.close()
