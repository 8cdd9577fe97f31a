"""A local Hugging Face Hub for tests: the write API that ``huggingface_hub`` uses to publish.

Speaks the parts of the Hub HTTP API that ``HfApi.create_repo`` / ``create_commit`` /
``repo_info`` / ``list_repo_tree`` / ``create_branch`` / ``create_tag`` / ``list_repo_refs`` /
``whoami`` and a plain file download (``resolve``) need: repo creation,
``/api/validate-yaml``, ``preupload``, the LFS batch API with the *basic* transfer (upload
and verify; Xet is never advertised), the NDJSON ``commit`` endpoint (``header``, ``file``,
``lfsFile``, ``deletedFile``, ``deletedFolder``), revision info and tree listing. Tags are
real (lightweight) git tags, refused if they exist, so olah resolves them as revisions.

Every repo is a real (non-bare) git repository under ``root/<type>s/OWNER/NAME`` -- the
layout olah's local mirror mode serves -- with one git commit per Hub commit. LFS files
are committed as LFS pointer blobs and their content lives in ``.git/lfs/objects``, where
olah looks for it, so what this server stores is exactly what olah serves back.

It checks what the real Hub checks and the tests rely on: tokens (401) and namespaces
(403), the sha256 and size of every uploaded LFS object, that every ``lfsFile`` of a
commit was uploaded, and ``parentCommit`` (HTTP 412 when the branch moved). Faults can
be injected at a chosen request (a status code, a dropped connection, a hang, a dropped
response *after* the commit was applied, or a callback that simulates a concurrent
writer), and every request is recorded so tests can look for leaked secrets.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

LFS_POINTER = "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n"
_POINTER_RE = re.compile(rb"^version https://git-lfs\.github\.com/spec/v1\noid sha256:([0-9a-f]{64})\nsize (\d+)\n$")
#: Like the Hub: files above 10 MB, binary files and .gitattributes' LFS patterns go to LFS.
LFS_SIZE_THRESHOLD = 10 * 1024 * 1024
#: The .gitattributes of every new repo (the Hub writes one in the repo's first commit).
#: ``*.jsonl`` is listed so that data files take the LFS path in the tests.
GITATTRIBUTES = (
    "*.parquet filter=lfs diff=lfs merge=lfs -text\n"
    "*.arrow filter=lfs diff=lfs merge=lfs -text\n"
    "*.jsonl filter=lfs diff=lfs merge=lfs -text\n"
    "*.png filter=lfs diff=lfs merge=lfs -text\n"
)
REPO_TYPES = {"datasets": "dataset", "models": "model", "spaces": "space"}
INVALID_TOKEN = "Invalid credentials in Authorization header"


@dataclass
class Fault:
    """What to do to the ``times`` next requests whose method and path match.

    ``kind``: ``"status"`` answers ``status`` (with ``Retry-After: 0`` on 5xx, so the
    client's backoff is quick), ``"drop"`` closes the connection without an answer,
    ``"hang"`` waits ``delay`` seconds and then closes it (a timeout for the client),
    ``"drop_after"`` handles the request (a commit is applied) but drops the answer,
    ``"call"`` runs ``action`` first and then handles the request normally, ``"body"``
    answers 200 with ``body`` (a Hub that says something unexpected), ``"hold"`` waits
    until ``release`` is set and then handles the request (or, with ``apply=False``,
    closes the connection), ``"hold_after"`` handles the request at once (a commit is
    applied) and holds the answer until ``release`` is set. ``arrived`` is set when a
    request takes the fault.
    """

    method: str
    path: str  # a regular expression searched in the request path
    kind: str = "status"
    status: int = 500
    times: int = 1
    delay: float = 0.0
    action: Callable[[], None] | None = None
    hits: int = 0
    body: bytes = b""
    apply: bool = True
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, obj: Any, **headers: str) -> Reply:
    return Reply(status, json.dumps(obj).encode(), {"Content-Type": "application/json", **headers})


def _error(status: int, message: str, code: str | None = None) -> Reply:
    headers = {"X-Error-Message": message}
    if code:
        headers["X-Error-Code"] = code
    return _json(status, {"error": message}, **headers)


class HubError(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


def _valid_ref(ref: str) -> bool:
    return subprocess.run(["git", "check-ref-format", ref], capture_output=True, check=False).returncode == 0


def lfs_pointer(oid: str, size: int) -> bytes:
    return LFS_POINTER.format(oid=oid, size=size).encode()


class GitRepo:
    """One Hub repo as a git repository, changed only through plumbing commands."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.git_dir = path / ".git"
        self.lock = threading.Lock()

    # -- git plumbing -------------------------------------------------------------------
    def git(self, *args: str, data: bytes | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> str:
        full_env = {**os.environ, "GIT_DIR": str(self.git_dir), "GIT_CONFIG_NOSYSTEM": "1",
                    "GIT_AUTHOR_NAME": "hub", "GIT_AUTHOR_EMAIL": "hub@localhost",
                    "GIT_COMMITTER_NAME": "hub", "GIT_COMMITTER_EMAIL": "hub@localhost", **(env or {})}
        proc = subprocess.run(["git", *args], input=data, capture_output=True, env=full_env, check=False)
        if check and proc.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace')}")
        return proc.stdout.decode().strip() if proc.returncode == 0 else ""

    def resolve(self, revision: str) -> str | None:
        """A commit sha for a branch, a ``refs/...`` name or a sha; None if unknown."""
        for name in (f"refs/heads/{revision}", revision):
            sha = self.git("rev-parse", "--verify", "-q", f"{name}^{{commit}}", check=False)
            if sha:
                return sha
        return None

    def tree(self, commit: str, prefix: str = "") -> list[dict[str, Any]]:
        """Every entry (files and folders) under ``prefix``, as the tree API lists them."""
        out = self.git("ls-tree", "-r", "-t", "-l", "-z", commit)
        entries = []
        for line in filter(None, out.split("\0")):
            meta, path = line.split("\t", 1)
            _mode, kind, oid, size = meta.split()
            if prefix and not path.startswith(prefix.rstrip("/") + "/"):
                continue
            if kind == "tree":
                entries.append({"type": "directory", "oid": oid, "size": 0, "path": path})
                continue
            entry: dict[str, Any] = {"type": "file", "oid": oid, "size": int(size), "path": path}
            if int(size) < 200:
                match = _POINTER_RE.match(self.blob(oid))
                if match:
                    entry["size"] = int(match[2])
                    entry["lfs"] = {"oid": match[1].decode(), "size": int(match[2]), "pointerSize": int(size)}
            entries.append(entry)
        return entries

    def blob(self, oid: str) -> bytes:
        env = {**os.environ, "GIT_DIR": str(self.git_dir)}
        return subprocess.run(["git", "cat-file", "blob", oid], capture_output=True, env=env, check=True).stdout

    def files(self, commit: str) -> dict[str, dict[str, Any]]:
        return {e["path"]: e for e in self.tree(commit) if e["type"] == "file"}

    def lfs_path(self, oid: str) -> Path:
        return self.git_dir / "lfs" / "objects" / oid[:2] / oid[2:4] / oid

    def has_lfs(self, oid: str, size: int | None = None) -> bool:
        path = self.lfs_path(oid)
        return path.is_file() and (size is None or path.stat().st_size == size)

    def store_lfs(self, data: bytes | Path, oid: str | None = None) -> str:
        """Store LFS content after checking its sha256; returns the oid."""
        content = data.read_bytes() if isinstance(data, Path) else data
        actual = hashlib.sha256(content).hexdigest()
        if oid is not None and actual != oid:
            raise ValueError(f"sha256 mismatch: expected {oid}, got {actual}")
        target = self.lfs_path(actual)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(content)
        os.replace(tmp.name, target)
        return actual

    def commit(self, parent: str | None, adds: dict[str, bytes], deletes: list[str], message: str,
               author: str) -> str:
        """Write a commit on top of ``parent`` (blobs as given); returns its sha (no ref moves)."""
        with tempfile.TemporaryDirectory() as tmp:
            env = {"GIT_INDEX_FILE": os.path.join(tmp, "index"), "GIT_AUTHOR_NAME": author,
                   "GIT_AUTHOR_EMAIL": f"{author}@localhost"}
            if parent:
                self.git("read-tree", parent, env=env)
            for path in deletes:
                self.git("update-index", "--force-remove", "--", path, env=env)
            for path, content in adds.items():
                oid = self.git("hash-object", "-w", "--stdin", data=content)
                self.git("update-index", "--add", "--cacheinfo", f"100644,{oid},{path}", env=env)
            tree = self.git("write-tree", env=env)
        args = ["commit-tree", tree, "-m", message]
        if parent:
            args += ["-p", parent]
        return self.git(*args, env=env)

    def move_ref(self, ref: str, new: str, old: str | None) -> bool:
        """Compare-and-swap a ref (git's own ref lock makes it atomic); False if it moved."""
        env = {**os.environ, "GIT_DIR": str(self.git_dir)}
        args = ["git", "update-ref", ref, new, old or "0" * 40]
        return subprocess.run(args, capture_output=True, env=env, check=False).returncode == 0

    def alias_commit(self, alias: str, commit: str) -> None:
        """Store a copy of ``commit``'s object under the name ``alias`` (see the caller)."""
        import zlib

        raw = subprocess.run(["git", "cat-file", "commit", commit], capture_output=True, check=True,
                             env={**os.environ, "GIT_DIR": str(self.git_dir)}).stdout
        target = self.git_dir / "objects" / alias[:2] / alias[2:]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(zlib.compress(b"commit %d\0" % len(raw) + raw))


class LocalHub:
    """The server. ``start()`` binds a free loopback port; ``url`` is its ``HF_ENDPOINT``."""

    def __init__(self, root: Path, tokens: dict[str, str], host: str = "127.0.0.1") -> None:
        self.root = Path(root)
        self.tokens = dict(tokens)  # token -> user name
        self.host = host
        self.faults: list[Fault] = []
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._repos: dict[tuple[str, str], GitRepo] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> LocalHub:
        hub = self

        class Handler(_Handler):
            pass

        Handler.hub = hub
        self._server = ThreadingHTTPServer((self.host, 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the hub first"
        return f"http://{self.host}:{self._server.server_address[1]}"

    # -- test controls -----------------------------------------------------------------------
    def fail(self, method: str, path: str, kind: str = "status", *, status: int = 500, times: int = 1,
             delay: float = 0.0, action: Callable[[], None] | None = None, body: bytes = b"",
             apply: bool = True) -> Fault:
        fault = Fault(method.upper(), path, kind, status, times, delay, action, body=body, apply=apply)
        with self._lock:
            self.faults.append(fault)
        return fault

    def reset(self) -> None:
        with self._lock:
            for fault in self.faults:  # let a held request go
                fault.release.set()
            self.faults.clear()
            self.requests.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.hits < fault.times and fault.method == method and re.search(fault.path, path):
                    fault.hits += 1
                    fault.arrived.set()
                    return fault
        return None

    # -- repos ------------------------------------------------------------------------------
    def repo_dir(self, repo_id: str, repo_type: str = "datasets") -> Path:
        return self.root / repo_type / repo_id

    def repo(self, repo_id: str, repo_type: str = "datasets") -> GitRepo | None:
        key = (repo_type, repo_id)
        with self._lock:
            if key not in self._repos:
                path = self.repo_dir(repo_id, repo_type)
                if not (path / ".git").is_dir():
                    return None
                self._repos[key] = GitRepo(path)
            return self._repos[key]

    def settings(self, repo: GitRepo) -> dict[str, Any]:
        return json.loads((repo.git_dir / "hub.json").read_text())

    def create_repo(self, repo_id: str, owner: str | None = None, private: bool = False,
                    repo_type: str = "datasets") -> GitRepo:
        """Create a repo the way the Hub does: one first commit holding ``.gitattributes``."""
        path = self.repo_dir(repo_id, repo_type)
        path.mkdir(parents=True)
        subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True, capture_output=True)
        repo = GitRepo(path)
        (repo.git_dir / "hub.json").write_text(json.dumps({"owner": owner or repo_id.split("/")[0],
                                                            "private": private}))
        first = repo.commit(None, {".gitattributes": GITATTRIBUTES.encode()}, [], "initial commit", "hub")
        repo.move_ref("refs/heads/main", first, None)
        with self._lock:
            self._repos[(repo_type, repo_id)] = repo
        return repo

    def seed(self, repo_id: str, files: dict[str, bytes | Path], message: str = "seed",
             branch: str = "main", author: str = "someone-else", lfs: tuple[str, ...] = ()) -> str:
        """Commit files directly (another writer, or a test fixture); ``lfs`` paths go to LFS."""
        repo = self.repo(repo_id) or self.create_repo(repo_id)
        with repo.lock:
            head = repo.resolve(branch)
            adds = {}
            for path, data in files.items():
                if path in lfs:
                    oid = repo.store_lfs(data)
                    size = repo.lfs_path(oid).stat().st_size
                    adds[path] = lfs_pointer(oid, size)
                else:
                    adds[path] = data.read_bytes() if isinstance(data, Path) else data
            sha = repo.commit(head, adds, [], message, author)
            assert repo.move_ref(f"refs/heads/{branch}", sha, head)
        return sha

    def head(self, repo_id: str, revision: str = "main") -> str | None:
        repo = self.repo(repo_id)
        return repo.resolve(revision) if repo else None

    def read_files(self, repo_id: str, revision: str = "main") -> dict[str, bytes]:
        """Every file at ``revision`` with LFS content resolved (what a download would give)."""
        repo = self.repo(repo_id)
        assert repo is not None
        sha = repo.resolve(revision)
        assert sha is not None
        out = {}
        for path, entry in repo.files(sha).items():
            out[path] = repo.lfs_path(entry["lfs"]["oid"]).read_bytes() if "lfs" in entry else repo.blob(entry["oid"])
        return out

    def commit_count(self, repo_id: str, revision: str = "main") -> int:
        repo = self.repo(repo_id)
        assert repo is not None
        return int(repo.git("rev-list", "--count", revision))

    # -- request handling -----------------------------------------------------------------------
    def user_for(self, headers: Any) -> str | None:
        """The user a request authenticates as; raises 401 for a token the Hub does not know."""
        auth = headers.get("authorization")
        if not auth:
            return None
        token = auth.split(" ", 1)[1] if " " in auth else auth
        if token not in self.tokens:
            raise HubError(_error(401, INVALID_TOKEN))
        return self.tokens[token]

    def handle(self, method: str, raw_path: str, headers: Any, body: bytes) -> Reply:
        url = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        segments = [unquote(s) for s in url.path.strip("/").split("/")]
        try:
            user = self.user_for(headers)
            return self._route(method, segments, query, headers, body, user)
        except HubError as err:
            return err.reply

    def _route(self, method: str, seg: list[str], query: dict[str, str], headers: Any, body: bytes,
               user: str | None) -> Reply:
        if seg == ["api", "whoami-v2"] and method == "GET":
            if user is None:
                return _error(401, "Authorization header is required")
            return _json(200, {"type": "user", "name": user, "fullname": user, "orgs": [],
                               "auth": {"type": "access_token", "accessToken": {"displayName": "test",
                                                                                "role": "write"}}})
        if seg == ["api", "repos", "create"] and method == "POST":
            return self._create(json.loads(body), user)
        if seg == ["api", "validate-yaml"] and method == "POST":
            return self._validate_yaml(json.loads(body))
        if len(seg) >= 4 and seg[0] == "api" and seg[1] in REPO_TYPES:
            repo_type, repo_id = seg[1], f"{seg[2]}/{seg[3]}"
            rest = seg[4:]
            if not rest or rest[0] == "revision":
                if method != "GET":
                    return _error(405, "method not allowed")
                return self._info(repo_type, repo_id, rest[1] if len(rest) > 1 else "main", user)
            action, revision, tail = rest[0], rest[1] if len(rest) > 1 else "main", "/".join(rest[2:])
            if action == "tree" and method == "GET":
                return self._tree(repo_type, repo_id, revision, tail, user)
            if action == "preupload" and method == "POST":
                return self._preupload(repo_type, repo_id, revision, json.loads(body), user)
            if action == "commit" and method == "POST":
                return self._commit(repo_type, repo_id, revision, body, user, query.get("create_pr") == "1")
            if action == "branch" and method == "POST":
                return self._branch(repo_type, repo_id, revision, json.loads(body or b"{}"), user)
            if action == "tag" and method == "POST":
                return self._tag(repo_type, repo_id, revision, json.loads(body or b"{}"), user)
            if action == "refs" and method == "GET":
                return self._refs(repo_type, repo_id, user)
        if len(seg) >= 6 and seg[0] in REPO_TYPES and seg[3] == "resolve" and method in ("GET", "HEAD"):
            return self._resolve(seg[0], f"{seg[1]}/{seg[2]}", seg[4], "/".join(seg[5:]), user)
        if len(seg) >= 5 and seg[-4:-1] == ["info", "lfs", "objects"] and seg[-1] == "batch" and method == "POST":
            repo_type = seg[0] if seg[0] in REPO_TYPES else "models"
            parts = seg[1:-4] if seg[0] in REPO_TYPES else seg[:-4]
            if len(parts) == 2 and parts[1].endswith(".git"):
                return self._lfs_batch(repo_type, f"{parts[0]}/{parts[1][:-4]}", json.loads(body), user)
        if len(seg) == 5 and seg[0] == "lfs-upload" and method == "PUT":
            return self._lfs_upload(seg[1], f"{seg[2]}/{seg[3]}", seg[4], body)
        if len(seg) == 4 and seg[0] == "lfs-verify" and method == "POST":
            return self._lfs_verify(seg[1], f"{seg[2]}/{seg[3]}", json.loads(body), user)
        return _error(404, f"no route for {method} /{'/'.join(seg)}")

    # -- access ---------------------------------------------------------------------------------
    def _readable(self, repo_type: str, repo_id: str, user: str | None) -> GitRepo:
        repo = self.repo(repo_id, repo_type)
        if repo is None or (self.settings(repo)["private"] and self.settings(repo)["owner"] != user):
            raise HubError(_error(404, "Repository not found", "RepoNotFound"))
        return repo

    def _writable(self, repo_type: str, repo_id: str, user: str | None) -> GitRepo:
        if user is None:
            raise HubError(_error(401, "Authorization header is required"))
        repo = self._readable(repo_type, repo_id, user)
        if self.settings(repo)["owner"] != user:
            raise HubError(_error(403, f"You don't have write access to {repo_id}"))
        return repo

    def _revision(self, repo: GitRepo, revision: str) -> str:
        sha = repo.resolve(revision)
        if sha is None:
            raise HubError(_error(404, f"Invalid rev id: {revision}", "RevisionNotFound"))
        return sha

    # -- endpoints ------------------------------------------------------------------------------
    def _create(self, payload: dict[str, Any], user: str | None) -> Reply:
        if user is None:
            return _error(401, "Authorization header is required")
        namespace = payload.get("organization") or user
        repo_type = {"dataset": "datasets", "model": "models", "space": "spaces"}[payload.get("type") or "model"]
        repo_id = f"{namespace}/{payload['name']}"
        url = f"{self.url}/{'' if repo_type == 'models' else repo_type + '/'}{repo_id}"
        if namespace != user:
            kind = REPO_TYPES[repo_type]
            return _error(403, f'You don\'t have the rights to create a {kind} under the namespace "{namespace}"')
        if self.repo(repo_id, repo_type) is not None:
            return _json(409, {"error": "You already created this repo", "url": url},
                         **{"X-Error-Message": "You already created this repo"})
        private = payload.get("visibility") == "private" or bool(payload.get("private"))
        self.create_repo(repo_id, owner=user, private=private, repo_type=repo_type)
        return _json(200, {"url": url, "name": repo_id, "id": repo_id})

    def _validate_yaml(self, payload: dict[str, Any]) -> Reply:
        content = payload.get("content", "")
        match = re.match(r"^---\n(.*?)\n---\n", content, re.S)
        if match:
            try:
                data = yaml.safe_load(match[1])
            except yaml.YAMLError as err:
                return _json(400, {"errors": [{"message": f"Invalid YAML: {err}"}], "warnings": []})
            if data is not None and not isinstance(data, dict):
                return _json(400, {"errors": [{"message": "metadata must be a mapping"}], "warnings": []})
        return _json(200, {"errors": [], "warnings": []})

    def _info(self, repo_type: str, repo_id: str, revision: str, user: str | None) -> Reply:
        repo = self._readable(repo_type, repo_id, user)
        sha = self._revision(repo, revision)
        files = repo.files(sha)
        return _json(200, {"id": repo_id, "author": repo_id.split("/")[0], "sha": sha,
                           "private": self.settings(repo)["private"], "gated": False, "disabled": False,
                           "siblings": [{"rfilename": p} for p in sorted(files)], "tags": []})

    def _tree(self, repo_type: str, repo_id: str, revision: str, path: str, user: str | None) -> Reply:
        repo = self._readable(repo_type, repo_id, user)
        sha = self._revision(repo, revision)
        entries = repo.tree(sha, path)
        if path and not entries:
            return _error(404, f"{path} does not exist", "EntryNotFound")
        return _json(200, entries)

    def _gitattributes_lfs(self, repo: GitRepo, sha: str | None) -> list[str]:
        if sha is None:
            return []
        entry = repo.files(sha).get(".gitattributes")
        if entry is None:
            return []
        text = repo.blob(entry["oid"]).decode()
        return [line.split()[0] for line in text.splitlines() if "filter=lfs" in line]

    def _preupload(self, repo_type: str, repo_id: str, revision: str, payload: dict[str, Any],
                   user: str | None) -> Reply:
        repo = self._writable(repo_type, repo_id, user)
        sha = self._revision(repo, revision)
        patterns = self._gitattributes_lfs(repo, sha)
        existing = repo.files(sha)
        out = []
        for item in payload["files"]:
            path, size = item["path"], item["size"]
            sample = base64.b64decode(item["sample"])
            name = path.rsplit("/", 1)[-1]
            lfs = (size > LFS_SIZE_THRESHOLD or b"\0" in sample
                   or any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(path, p) for p in patterns))
            remote = existing.get(path)
            oid = None
            if remote is not None:
                oid = remote["lfs"]["oid"] if "lfs" in remote else remote["oid"]
            out.append({"path": path, "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False,
                        "oid": oid})
        return _json(200, {"files": out, "commitOid": sha})

    def _lfs_batch(self, repo_type: str, repo_id: str, payload: dict[str, Any], user: str | None) -> Reply:
        repo = self._writable(repo_type, repo_id, user)
        if payload.get("operation") != "upload":
            return _error(400, "only uploads are supported")
        if "basic" not in payload.get("transfers", ["basic"]):
            return _error(400, "only the basic transfer is supported")
        objects = []
        for obj in payload["objects"]:
            oid, size = obj["oid"], obj["size"]
            entry: dict[str, Any] = {"oid": oid, "size": size, "authenticated": True}
            if not repo.has_lfs(oid, size):  # already stored: no actions, nothing to upload
                entry["actions"] = {
                    "upload": {"href": f"{self.url}/lfs-upload/{repo_type}/{repo_id}/{oid}", "header": {}},
                    "verify": {"href": f"{self.url}/lfs-verify/{repo_type}/{repo_id}", "header": {}},
                }
            objects.append(entry)
        return Reply(200, json.dumps({"transfer": "basic", "objects": objects, "hash_algo": "sha256"}).encode(),
                     {"Content-Type": "application/vnd.git-lfs+json"})

    def _lfs_upload(self, repo_type: str, repo_id: str, oid: str, body: bytes) -> Reply:
        # Like a pre-signed storage URL: no token; the oid in the URL is the authorization.
        repo = self.repo(repo_id, repo_type)
        if repo is None:
            return _error(404, "Repository not found", "RepoNotFound")
        try:
            repo.store_lfs(body, oid)
        except ValueError as err:
            return _error(400, str(err))
        return Reply(200)

    def _lfs_verify(self, repo_type: str, repo_id: str, payload: dict[str, Any], user: str | None) -> Reply:
        repo = self._writable(repo_type, repo_id, user)
        if not repo.has_lfs(payload["oid"], payload["size"]):
            return _error(404, f"LFS object {payload['oid']} not found or wrong size")
        return _json(200, {"success": True})

    def _branch(self, repo_type: str, repo_id: str, branch: str, payload: dict[str, Any],
                user: str | None) -> Reply:
        repo = self._writable(repo_type, repo_id, user)
        if repo.resolve(f"refs/heads/{branch}"):
            return _error(409, f"Reference refs/heads/{branch} already exists")
        start = self._revision(repo, payload.get("startingPoint") or "main")
        repo.move_ref(f"refs/heads/{branch}", start, None)
        return _json(200, {"success": True})

    def _tag(self, repo_type: str, repo_id: str, revision: str, payload: dict[str, Any],
             user: str | None) -> Reply:
        """A lightweight git tag, so olah resolves it as a revision like the Hub does."""
        repo = self._writable(repo_type, repo_id, user)
        name = payload.get("tag") or ""
        if not _valid_ref(f"refs/tags/{name}"):
            return _error(400, f"Invalid tag name: {name}")
        sha = self._revision(repo, revision)
        if not repo.move_ref(f"refs/tags/{name}", sha, None):
            return _error(409, f"Tag {name} already exists")
        return _json(200, {"success": True})

    def _refs(self, repo_type: str, repo_id: str, user: str | None) -> Reply:
        repo = self._readable(repo_type, repo_id, user)
        out: dict[str, list[dict[str, str]]] = {"branches": [], "converts": [], "tags": []}
        listing = repo.git("for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/", "refs/tags/")
        for line in filter(None, listing.splitlines()):
            ref, sha = line.split()
            kind, name = ("branches", ref[len("refs/heads/"):]) if ref.startswith("refs/heads/") else \
                ("tags", ref[len("refs/tags/"):])
            out[kind].append({"name": name, "ref": ref, "targetCommit": sha})
        return _json(200, out)

    def _resolve(self, repo_type: str, repo_id: str, revision: str, path: str, user: str | None) -> Reply:
        """A file's bytes (LFS content served directly), with the headers hf_hub_download reads."""
        repo = self._readable(repo_type, repo_id, user)
        sha = self._revision(repo, revision)
        entry = repo.files(sha).get(path)
        if entry is None:
            return _error(404, f"{path} does not exist", "EntryNotFound")
        headers = {"X-Repo-Commit": sha, "Content-Type": "application/octet-stream"}
        if "lfs" in entry:
            oid = entry["lfs"]["oid"]
            headers.update({"ETag": f'"{oid}"', "X-Linked-Etag": f'"{oid}"', "X-Linked-Size": str(entry["size"])})
            return Reply(200, repo.lfs_path(oid).read_bytes(), headers)
        headers["ETag"] = f'"{entry["oid"]}"'
        return Reply(200, repo.blob(entry["oid"]), headers)

    def _commit(self, repo_type: str, repo_id: str, revision: str, body: bytes, user: str | None,
                create_pr: bool) -> Reply:
        repo = self._writable(repo_type, repo_id, user)
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            return _error(400, "the first line must be the commit header")
        header = lines[0]["value"]
        with repo.lock:
            head = self._revision(repo, revision)
            parent = header.get("parentCommit")
            if parent is not None and parent != head:
                return _error(412, "A commit has happened since. Please refresh and try again.")
            existing = repo.files(head)
            adds: dict[str, bytes] = {}
            deletes: list[str] = []
            for line in lines[1:]:
                key, value = line["key"], line["value"]
                path = value["path"]
                if key == "file":
                    adds[path] = base64.b64decode(value["content"])
                elif key == "lfsFile":
                    if value.get("algo", "sha256") != "sha256" or not repo.has_lfs(value["oid"], value.get("size")):
                        return _error(422, f"LFS object for {path} was not uploaded (oid {value['oid']})")
                    adds[path] = lfs_pointer(value["oid"], repo.lfs_path(value["oid"]).stat().st_size)
                elif key == "deletedFile":
                    if path not in existing:
                        return _error(404, f"A file with this name doesn't exist: {path}", "EntryNotFound")
                    deletes.append(path)
                elif key == "deletedFolder":
                    inside = [p for p in existing if p.startswith(path.rstrip("/") + "/")]
                    if not inside:
                        return _error(404, f"A folder with this name doesn't exist: {path}", "EntryNotFound")
                    deletes.extend(inside)
                else:
                    return _error(400, f"unknown commit operation {key!r}")
            message = header.get("summary") or "Upload"
            if header.get("description"):
                message += "\n\n" + header["description"]
            sha = repo.commit(head, adds, deletes, message, user or "anonymous")
            reply: dict[str, Any] = {"success": True, "commitOid": sha,
                                     "commitUrl": f"{self.url}/{repo_type}/{repo_id}/commit/{sha}"}
            if create_pr:
                number = 1 + len(repo.git("for-each-ref", "refs/pr/").splitlines())
                repo.move_ref(f"refs/pr/{number}", sha, None)
                reply["pullRequestUrl"] = f"{self.url}/{repo_type}/{repo_id}/discussions/{number}"
            elif not repo.move_ref(f"refs/heads/{revision}", sha, head):
                return _error(412, "A commit has happened since. Please refresh and try again.")
        return _json(200, reply)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: LocalHub

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _body(self) -> bytes:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        body = self._body()
        hub = self.hub
        with hub._lock:
            hub.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
        fault = hub._take_fault(self.command, urlsplit(self.path).path)
        if fault is not None and fault.kind == "call" and fault.action is not None:
            fault.action()
            fault = None
        if fault is not None and fault.kind in ("drop", "hang"):
            if fault.kind == "hang":
                time.sleep(fault.delay)
            self.close_connection = True
            return
        if fault is not None and fault.kind == "hold":
            fault.release.wait()
            if not fault.apply:
                self.close_connection = True
                return
            fault = None
        if fault is not None and fault.kind == "status":
            message = {401: INVALID_TOKEN, 403: "You don't have write access to this repo"}.get(
                fault.status, f"injected failure (HTTP {fault.status})")
            reply = _error(fault.status, message)
            if fault.status >= 500:
                reply.headers["Retry-After"] = "0"
        elif fault is not None and fault.kind == "body":
            reply = Reply(200, fault.body, {"Content-Type": "application/json"})
        else:
            reply = hub.handle(self.command, self.path, self.headers, body)
        if fault is not None and fault.kind == "hold_after":
            fault.release.wait()
        if fault is not None and fault.kind == "drop_after":
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _serve
