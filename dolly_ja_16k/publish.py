"""Publish a built folder to the Hugging Face Hub: one atomic commit per repo, or nothing.

``make_plan`` reads the remote (head commit and file list) and decides what every repo
needs: files to upload (with size and sha256), files to delete under the managed paths,
the commit message. ``--dry-run`` prints that plan; ``execute`` carries out the same plan.

Each repo gets a single ``create_commit`` holding every changed file and every deletion,
with ``parent_commit`` set to the head the plan was made against: the Hub applies all of
it or none of it, and refuses (HTTP 412) if someone else committed in between. Files whose
sha256 (LFS) or git blob id (regular files) already match are left out, and a repo with
nothing to change gets no commit at all, so publishing the same build twice is a no-op.

Retries are left to ``huggingface_hub``: it retries the idempotent calls (preupload, the
LFS batch, uploads and their verification, listings) on 429/5xx, timeouts and dropped
connections, with exponential backoff; it never retries repo creation or the commit.
The token is never printed, logged or put in an error message or commit.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from . import __version__
from .errors import HubError, InputError
from .layout import (
    CARD_FILE,
    DEFAULT_BRANCH,
    DEFAULT_OUT,
    LAYOUT_PER_PART,
    LAYOUT_SINGLE,
    LAYOUTS,
    MANAGED_PATHS,
    MANIFEST_FILE,
    REPO_TYPE,
    is_managed,
    per_part_repo_id,
)

Log = Callable[[str], None]
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")
DEFAULT_TIMEOUT = 60.0


@dataclass
class PublishOptions:
    repo_id: str
    folder: Path = Path(DEFAULT_OUT)
    layout: str = LAYOUT_SINGLE
    private: bool = False
    revision: str = DEFAULT_BRANCH
    create_pr: bool = False
    message: str | None = None
    dry_run: bool = False
    #: Seconds to wait for the Hub to accept a connection or send data before giving up.
    timeout: float = DEFAULT_TIMEOUT


@dataclass
class LocalFile:
    """One file as it will be in the repo: where its bytes come from and how to compare them."""

    path: str
    source: Path | None = None
    data: bytes | None = None
    size: int = 0
    sha256: str = ""
    git_oid: str = ""
    status: str = "new"  # new | changed | unchanged

    def read(self) -> bytes:
        return self.data if self.data is not None else self.source.read_bytes()  # type: ignore[union-attr]


@dataclass
class RepoPlan:
    repo_id: str
    revision: str
    files: list[LocalFile]
    deletions: list[str] = field(default_factory=list)
    exists: bool = False
    branch_exists: bool = False
    head: str | None = None
    part: str | None = None
    message: str = ""

    @property
    def uploads(self) -> list[LocalFile]:
        return [f for f in self.files if f.status != "unchanged"]

    @property
    def changed(self) -> bool:
        return bool(self.uploads or self.deletions)


@dataclass
class Plan:
    options: PublishOptions
    manifest: dict[str, Any]
    repos: list[RepoPlan]
    description: str
    endpoint: str


@dataclass
class Result:
    repo_id: str
    url: str
    commit: str
    changed: bool
    pr_url: str | None = None


def file_entry(path: str, *, source: Path | None = None, data: bytes | None = None) -> LocalFile:
    """A LocalFile with its size, sha256 and git blob id (the two ids the Hub reports)."""
    content = data if data is not None else source.read_bytes()  # type: ignore[union-attr]
    blob = hashlib.sha1(b"blob %d\0" % len(content))
    blob.update(content)
    return LocalFile(path=path, source=source, data=data, size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), git_oid=blob.hexdigest())


def part_manifest(manifest: dict[str, Any], part: str) -> dict[str, Any]:
    """The manifest of a per-part repo: the same build, listing only that part and its file."""
    info = next(p for p in manifest["parts"] if p["name"] == part)
    out = dict(manifest)
    out["parts"] = [info]
    out["records"] = info["records"]
    out["files"] = {info["file"]: manifest["files"][info["file"]]}
    out["part_of"] = {"parts": [p["name"] for p in manifest["parts"]], "records": manifest["records"]}
    return out


def local_files(folder: Path, manifest: dict[str, Any], repo_id: str, part: str | None = None) -> list[LocalFile]:
    """Every file a repo gets: the card rendered for ``repo_id``, the manifest, the data.

    Only files the manifest lists are published (plus the card and the manifest itself),
    so stray files in the folder never reach the Hub.
    """
    from .card import render_card

    card = render_card(manifest, repo_id=repo_id, part=part).encode()
    files = [file_entry(CARD_FILE, data=card)]
    if part is None:
        files.append(file_entry(MANIFEST_FILE, source=folder / MANIFEST_FILE))
        listed = sorted(manifest["files"])
    else:
        sub = part_manifest(manifest, part)
        files.append(file_entry(MANIFEST_FILE, data=orjson.dumps(sub, option=orjson.OPT_INDENT_2) + b"\n"))
        listed = sorted(sub["files"])
    for relpath in listed:
        if not is_managed(relpath):
            raise InputError(f"the manifest lists {relpath}, outside the paths a publish manages "
                             f"({', '.join(MANAGED_PATHS)})", folder)
        files.append(file_entry(relpath, source=folder / relpath))
    return files


def check_folder(folder: Path) -> dict[str, Any]:
    """The folder's manifest, after ``verify`` accepted the folder (checksums, card, configs)."""
    from .verify import verify

    if not folder.is_dir():
        raise InputError("no such folder (build one with `dolly-ja-16k build --out DIR`)", folder)
    if not (folder / MANIFEST_FILE).is_file():
        raise InputError(f"no {MANIFEST_FILE}; is this a folder written by `dolly-ja-16k build`?", folder)
    lines: list[str] = []
    report = verify(folder, log=lines.append)
    if not report.ok:
        more = f" (and {len(report.problems) - 1} more problems)" if len(report.problems) > 1 else ""
        raise InputError(f"verify rejected the folder, refusing to publish it: {report.problems[0]}{more}; "
                         f"run `dolly-ja-16k verify {folder}` for details, then rebuild", folder)
    return json.loads((folder / MANIFEST_FILE).read_bytes())


def check_options(options: PublishOptions) -> None:
    if not _REPO_ID.match(options.repo_id):
        raise InputError(f"--repo-id {options.repo_id!r} is not OWNER/NAME (letters, digits, '-', '_', '.')")
    if options.layout not in LAYOUTS:
        raise InputError(f"--layout {options.layout!r}: choose from {', '.join(LAYOUTS)}")
    if options.create_pr and options.revision != DEFAULT_BRANCH:
        raise InputError(f"--create-pr opens a pull request against {DEFAULT_BRANCH}; drop --revision or --create-pr")
    if options.timeout <= 0:
        raise InputError(f"--timeout must be positive, got {options.timeout:g}")
    if options.message is not None and not options.message.strip():
        raise InputError("--message is empty")


def default_message(manifest: dict[str, Any], part: str | None = None) -> tuple[str, str]:
    """Commit summary and description: what was built, from what, by which version."""
    parts = manifest["parts"]
    if part is None:
        summary = f"Publish {manifest['records']:,} records in {len(parts)} parts"
    else:
        info = next(p for p in parts if p["name"] == part)
        summary = f"Publish part {part} ({info['records']:,} records)"
    source = manifest.get("source", {})
    rev = f"@{source['revision']}" if source.get("revision") else ""
    description = (f"Built by {manifest.get('generator', 'dolly-ja-16k')} from {source.get('name')}{rev} "
                   f"(sha256 {source.get('sha256')}); published by dolly-ja-16k {__version__}.")
    return summary, description


# -- the Hub client -------------------------------------------------------------------------

def configure_http(timeout: float) -> None:
    """Give the Hub client's HTTP session a timeout (it has none by default, and hangs)."""
    from huggingface_hub import set_client_factory
    from huggingface_hub.utils import _http, httpx

    def factory() -> Any:
        client = _http.default_client_factory()
        client.timeout = httpx.Timeout(timeout, connect=min(timeout, 10.0))
        return client

    set_client_factory(factory)


def get_token() -> str | None:
    """``HF_TOKEN``, or the token ``hf auth login`` stored."""
    from huggingface_hub import get_token as hf_get_token

    return hf_get_token()


class _Remote:
    """What a repo on the Hub holds at a revision, read once for the plan."""

    def __init__(self, exists: bool, branch_exists: bool, head: str | None,
                 files: dict[str, tuple[str, str | None]]) -> None:
        self.exists = exists
        self.branch_exists = branch_exists
        self.head = head
        self.files = files  # path -> (git blob id, LFS sha256 or None)


def read_remote(api: Any, repo_id: str, revision: str) -> _Remote:
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    try:
        head = api.repo_info(repo_id, repo_type=REPO_TYPE, revision=revision).sha
    except RevisionNotFoundError:
        return _Remote(True, False, None, {})
    except RepositoryNotFoundError:
        return _Remote(False, False, None, {})
    files = {}
    for entry in api.list_repo_tree(repo_id, repo_type=REPO_TYPE, revision=head, recursive=True):
        if hasattr(entry, "blob_id"):
            files[entry.path] = (entry.blob_id, entry.lfs.sha256 if entry.lfs else None)
    return _Remote(True, True, head, files)


def compare(plan: RepoPlan, remote: _Remote) -> None:
    """Mark each local file new/changed/unchanged and list the managed remote files to delete."""
    plan.exists, plan.branch_exists, plan.head = remote.exists, remote.branch_exists, remote.head
    local = {f.path for f in plan.files}
    for f in plan.files:
        if f.path not in remote.files:
            f.status = "new"
            continue
        blob_id, lfs_sha = remote.files[f.path]
        same = f.sha256 == lfs_sha if lfs_sha else f.git_oid == blob_id
        f.status = "unchanged" if same else "changed"
    plan.deletions = sorted(p for p in remote.files if is_managed(p) and p not in local)


def make_plan(options: PublishOptions, api: Any, manifest: dict[str, Any], folder: Path) -> Plan:
    """Everything a publish will do, computed from the folder and the remote, changing nothing."""
    targets: list[tuple[str, str | None]]
    if options.layout == LAYOUT_PER_PART:
        targets = [(per_part_repo_id(options.repo_id, p["name"]), p["name"]) for p in manifest["parts"]]
    else:
        targets = [(options.repo_id, None)]
    repos = []
    for repo_id, part in targets:
        plan = RepoPlan(repo_id, options.revision, local_files(folder, manifest, repo_id, part), part=part,
                        message=options.message or default_message(manifest, part)[0])
        with hub_errors(api, f"reading {repo_id} on the Hub", repo_id, options):
            compare(plan, read_remote(api, repo_id, options.revision))
        repos.append(plan)
    return Plan(options, manifest, repos, default_message(manifest)[1], api.endpoint)


def _size(n: int) -> str:
    return f"{n:,} B" if n < 1024 else f"{n / 1024:,.1f} KiB" if n < 1024**2 else f"{n / 1024**2:,.1f} MiB"


def describe(plan: Plan) -> list[str]:
    """The plan as lines of text (the same for --dry-run and a real publish)."""
    opts = plan.options
    lines = []
    for rp in plan.repos:
        state = ("new repo" + (", private" if opts.private else "") if not rp.exists
                 else f"new branch {rp.revision}" if not rp.branch_exists
                 else f"at {rp.head[:12] if rp.head else '?'}")
        target = f"a pull request against {rp.revision}" if opts.create_pr else f"branch {rp.revision}"
        lines.append(f"{plan.endpoint}/datasets/{rp.repo_id} ({state}) -> {target}:")
        if opts.private and rp.exists:
            lines.append("  note: --private applies to new repos only; this one keeps its visibility")
        for f in rp.files:
            mark = {"new": "+", "changed": "~", "unchanged": "="}[f.status]
            lines.append(f"  {mark} {f.path:<22} {_size(f.size):>12}  sha256 {f.sha256}  {f.status}")
        for path in rp.deletions:
            lines.append(f"  - {path:<22} {'':>12}  delete (not in this build)")
        if rp.changed:
            upload = sum(f.size for f in rp.uploads)
            lines.append(f"  one commit: {len(rp.uploads)} file(s) to upload ({_size(upload)}), "
                         f"{len(rp.deletions)} to delete; message: {rp.message!r}")
        else:
            lines.append("  up to date: nothing to commit")
    return lines


# -- errors ---------------------------------------------------------------------------------

def _redact(text: str, token: str | None) -> str:
    return text.replace(token, "***") if token else text


def _server_message(response: Any) -> str:
    message = response.headers.get("X-Error-Message") or ""
    if not message:
        try:
            message = str(response.json().get("error", ""))
        except Exception:
            message = ""
    return " ".join(message.split())[:200]


def explain(err: BaseException, doing: str, repo_id: str, endpoint: str, timeout: float) -> str:
    """One line saying what went wrong, in the user's terms."""
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.utils import httpx

    cause: BaseException = err
    while isinstance(cause, RuntimeError) and cause.__cause__ is not None:  # "Error while uploading 'x'"
        cause = cause.__cause__
    if isinstance(cause, RevisionNotFoundError):
        return f"{doing}: revision not found in {repo_id}"
    if isinstance(cause, HfHubHTTPError) and cause.response is not None:
        status = cause.response.status_code
        detail = _server_message(cause.response)
        said = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status == 401 and detail.startswith("Invalid credentials"):
            return f"{doing}: the Hub rejected the token ({said}); set a valid HF_TOKEN or run `hf auth login`"
        if isinstance(cause, RepositoryNotFoundError) or status == 404:
            return f"{doing}: dataset repository {repo_id} not found, or the token cannot see it ({said})"
        if status == 401:
            return f"{doing}: the Hub wants a valid token ({said}); set HF_TOKEN or run `hf auth login`"
        if status == 403:
            return (f"{doing}: no write access to {repo_id} ({said}); it belongs to someone else "
                    "or the token cannot write to it")
        if status in (409, 412):
            return (f"{doing}: {repo_id} changed on the Hub while publishing ({said}); "
                    "someone else committed, so this commit was refused rather than overwrite it")
        return f"{doing}: the Hub answered {said}"
    if isinstance(cause, httpx.TimeoutException) and not isinstance(cause, httpx.ConnectTimeout):
        return f"{doing}: the Hub at {endpoint} did not answer within {timeout:g}s"
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
        return f"{doing}: cannot reach the Hub at {endpoint} (no network, or nothing listening there)"
    if isinstance(cause, (httpx.RemoteProtocolError, httpx.NetworkError)):
        return f"{doing}: the connection to the Hub at {endpoint} dropped"
    if isinstance(cause, ValueError):
        return f"{doing}: {str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__}"
    return f"{doing}: {type(cause).__name__}: {' '.join(str(cause).split())[:200]}"


_HUB_EXCEPTIONS: tuple[type[BaseException], ...] = (OSError, ValueError, RuntimeError)


@contextmanager
def hub_errors(api: Any, doing: str, repo_id: str, options: PublishOptions,
               suffix: Callable[[], tuple[str, bool]] | None = None) -> Iterator[None]:
    """Turn anything the Hub client raises into a one-line HubError (token redacted)."""
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import httpx

    message = None
    try:
        yield
    except (HfHubHTTPError, httpx.HTTPError, *_HUB_EXCEPTIONS) as err:
        message = explain(err, doing, repo_id, api.endpoint, options.timeout)
        transient = _transient(err)
        if suffix is not None:
            state, unchanged = suffix()
            message += state
            transient = transient and unchanged
        if transient:
            message += "; publish again to retry"
    if message is not None:
        _close_progress_bars()
        raise HubError(_redact(message, api.token))


def _close_progress_bars() -> None:
    """Finish the client's upload bars now, so the error line is the last thing printed."""
    try:
        from tqdm import tqdm
    except ImportError:
        return
    for bar in list(getattr(tqdm, "_instances", ())):
        bar.close()


def _transient(err: BaseException) -> bool:
    """Worth trying again as is: server errors, rate limits, timeouts, dropped connections."""
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import httpx

    while isinstance(err, RuntimeError) and err.__cause__ is not None:
        err = err.__cause__
    if isinstance(err, HfHubHTTPError) and err.response is not None:
        return err.response.status_code >= 500 or err.response.status_code == 429
    return isinstance(err, httpx.TransportError)


# -- execution ------------------------------------------------------------------------------

def _after_failure(api: Any, rp: RepoPlan) -> tuple[str, bool]:
    """Say whether the failed commit left the repo as it was (read back from the Hub)."""
    try:
        head = api.repo_info(rp.repo_id, repo_type=REPO_TYPE, revision=rp.revision).sha
    except Exception:
        return "; could not read the repo back, check it on the Hub", False
    if head == rp.head:
        return f"; nothing was committed, {rp.repo_id} is unchanged", True
    return (f"; {rp.repo_id} is now at {head[:12]} (was {str(rp.head)[:12]}); "
            "publish again to check and finish (it uploads only what differs)"), False


def _operations(rp: RepoPlan) -> list[Any]:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    ops: list[Any] = []
    for f in rp.uploads:
        ops.append(CommitOperationAdd(f.path, f.data if f.data is not None else str(f.source)))
    ops += [CommitOperationDelete(path) for path in rp.deletions]
    return ops


def _repo_url(endpoint: str, repo_id: str) -> str:
    return f"{endpoint}/datasets/{repo_id}"


def execute(plan: Plan, api: Any, log: Log) -> list[Result]:
    """Carry out the plan: per repo, create it if needed, then one commit (or none)."""
    opts = plan.options
    results = []
    for rp in plan.repos:
        url = _repo_url(api.endpoint, rp.repo_id)
        if not rp.changed:
            log(f"{rp.repo_id}: up to date at commit {rp.head}; nothing to publish, nothing uploaded")
            results.append(Result(rp.repo_id, url, str(rp.head), changed=False))
            continue
        if not rp.exists:
            with hub_errors(api, f"creating {rp.repo_id}", rp.repo_id, opts):
                api.create_repo(rp.repo_id, repo_type=REPO_TYPE, exist_ok=True, private=opts.private)
                compare(rp, read_remote(api, rp.repo_id, rp.revision))
        if not rp.branch_exists:
            with hub_errors(api, f"creating branch {rp.revision} in {rp.repo_id}", rp.repo_id, opts):
                api.create_branch(rp.repo_id, branch=rp.revision, repo_type=REPO_TYPE, exist_ok=True)
                compare(rp, read_remote(api, rp.repo_id, rp.revision))
        if not rp.changed:  # a new repo or branch can already hold the files (e.g. a concurrent publish)
            log(f"{rp.repo_id}: up to date at commit {rp.head}; nothing to publish, nothing uploaded")
            results.append(Result(rp.repo_id, url, str(rp.head), changed=False))
            continue
        log(f"{rp.repo_id}: uploading {len(rp.uploads)} file(s) ({_size(sum(f.size for f in rp.uploads))}), "
            f"deleting {len(rp.deletions)}, in one commit on top of {str(rp.head)[:12]}")
        with hub_errors(api, f"publishing to {rp.repo_id}", rp.repo_id, opts,
                        suffix=lambda rp=rp: _after_failure(api, rp)):
            info = api.create_commit(
                rp.repo_id, _operations(rp), commit_message=rp.message,
                commit_description=plan.description, repo_type=REPO_TYPE, revision=rp.revision,
                create_pr=opts.create_pr, parent_commit=rp.head,
            )
        results.append(Result(rp.repo_id, url, info.oid, changed=True, pr_url=info.pr_url))
    return results


def publish(options: PublishOptions, log: Log = print) -> list[Result]:
    """Check the folder, plan, print the plan, and (unless dry-run) publish it."""
    from huggingface_hub import HfApi

    check_options(options)
    manifest = check_folder(options.folder)
    token = get_token()
    if token is None and not options.dry_run:
        raise HubError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (a token with write access)")
    configure_http(options.timeout)
    api = HfApi(token=token if token is not None else False)
    if token is not None and not options.dry_run:
        with hub_errors(api, "checking the token", options.repo_id, options):
            user = api.whoami()["name"]
        log(f"logged in to {api.endpoint} as {user}")
    plan = make_plan(options, api, manifest, options.folder)
    for line in describe(plan):
        log(line)
    if options.dry_run:
        log("dry run: nothing was changed on the Hub")
        return []
    results = execute(plan, api, log)
    for r in results:
        what = "up to date" if not r.changed else "published"
        where = f"{r.url} (pull request {r.pr_url})" if r.pr_url else r.url
        log(f"{what}: {where} at commit {r.commit}")
    return results
