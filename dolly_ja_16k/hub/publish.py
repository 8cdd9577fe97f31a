"""Publish a built folder to the Hugging Face Hub: one atomic commit per repo, or nothing.

``make_plan`` reads the remote (head commit, file list, card, manifest, tags) and decides
what every repo needs: files to upload (with size and sha256), files of an earlier build
to delete, the commit message, the tag. ``--dry-run`` prints that plan; ``execute``
carries out the same plan. What the Hub's errors mean is said by ``hub_errors``.

Each repo gets a single ``create_commit`` holding every changed file and every deletion,
with ``parent_commit`` set to the head the plan was made against: the Hub applies all of
it or none of it, and refuses (HTTP 412) if someone else committed in between. Files whose
sha256 (LFS) or git blob id (regular files) already match are left out, and a repo with
nothing to change gets no commit at all, so publishing the same build twice is a no-op.

A publish only replaces what it made: configs of the remote card that this build does
not define are kept (with their ``dataset_info``), and only files the remote's
``manifest.json`` lists (an earlier build of ours) are deleted. ``datasets`` reads every
config of a repo with the builder of the first one, so configs in another format than
JSON Lines are refused unless ``--force``.

Retries are left to ``huggingface_hub``: it retries the idempotent calls (preupload, the
LFS batch, uploads and their verification, listings) on 429/5xx, timeouts and dropped
connections, with exponential backoff; it never retries repo creation or the commit.
The token is never printed, logged or put in an error message or commit.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dolly_ja_16k import __version__
from dolly_ja_16k.errors import HubError, InputError
from dolly_ja_16k.hub.errors import Interrupted, UnexpectedAnswer, head_after_failure, hub_errors, interrupted
from dolly_ja_16k.layout import (
    CARD_FILE,
    LAYOUT_PER_PART,
    MANAGED_PATHS,
    MANIFEST_FILE,
    REPO_TYPE,
    is_managed,
    per_part_repo_id,
)
from dolly_ja_16k.manifest import Manifest, per_part, to_bytes
from dolly_ja_16k.manifest import read as read_manifest
from dolly_ja_16k.options import PublishOptions

Log = Callable[[str], None]
#: Data file endings of configs that ``datasets`` reads with the same builder as ours.
JSON_ENDINGS = (".jsonl", ".json")
_SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass
class LocalFile:
    """One file as it will be in the repo: where its bytes come from and how to compare them."""

    path: str
    source: Path | None = None
    data: bytes | None = None
    size: int = 0
    sha256: str = ""
    git_oid: str = ""
    status: str = "new"  # new | changed | unchanged | unknown (the remote could not be read)


@dataclass
class Remote:
    """What a repo on the Hub holds at a revision, read once for the plan."""

    exists: bool
    branch_exists: bool
    head: str | None
    files: dict[str, tuple[str, str | None]]  # path -> (git blob id, LFS sha256 or None)
    #: Files the remote's manifest.json lists: an earlier build of ours, the only files a publish deletes.
    built: frozenset[str] = frozenset()
    #: The remote card's ``configs`` and ``dataset_info`` entries (None: no card, or no YAML).
    configs: list[dict[str, Any]] = field(default_factory=list)
    infos: list[dict[str, Any]] = field(default_factory=list)
    #: Why the card's YAML could not be read, if it could not.
    card_problem: str | None = None
    tags: dict[str, str] = field(default_factory=dict)  # tag name -> commit
    #: Why the remote could not be read at all (only a dry run goes on without it).
    unread: str | None = None


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
    #: Configs (and their dataset_info) on the remote card that this build does not define: kept.
    foreign_configs: list[dict[str, Any]] = field(default_factory=list)
    foreign_infos: list[dict[str, Any]] = field(default_factory=list)
    tag: str | None = None
    #: The commit the tag already names (None: the tag is new).
    tag_target: str | None = None
    unread: str | None = None

    @property
    def uploads(self) -> list[LocalFile]:
        return [f for f in self.files if f.status != "unchanged"]

    @property
    def changed(self) -> bool:
        return bool(self.uploads or self.deletions)

    @property
    def kept_paths(self) -> list[str]:
        """``data_files`` paths (or patterns) of the foreign configs: never deleted."""
        return [p for config in self.foreign_configs for p in config_paths(config)]


@dataclass
class Plan:
    options: PublishOptions
    manifest: Manifest
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
    tagged: bool = False


def file_entry(path: str, *, source: Path | None = None, data: bytes | None = None) -> LocalFile:
    """A LocalFile with its size, sha256 and git blob id (the two ids the Hub reports)."""
    content = data if data is not None else source.read_bytes()  # type: ignore[union-attr]
    blob = hashlib.sha1(b"blob %d\0" % len(content))
    blob.update(content)
    return LocalFile(path=path, source=source, data=data, size=len(content),
                     sha256=hashlib.sha256(content).hexdigest(), git_oid=blob.hexdigest())


# -- the card's configs ------------------------------------------------------------------------

def config_paths(config: dict[str, Any]) -> list[str]:
    """Every path (or glob pattern) of a card config's ``data_files``, whatever its shape."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            walk(value.get("path", []) if "path" in value or "split" in value else list(value.values()))

    walk(config.get("data_files", []))
    return found


def our_config_names(manifest: Manifest, part: str | None) -> list[str]:
    from dolly_ja_16k.write.card import card_metadata

    parts = None if part is None else [manifest.part(part)]
    return [c["config_name"] for c in card_metadata(manifest, parts)["configs"]]


def split_foreign(remote: Remote, ours: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The remote card's configs (and their dataset_info) that no build of ours made.

    A config is ours when this build defines its name, or when every file it names is
    listed by the remote's manifest.json (an earlier build, e.g. ``3_of_4`` before a
    rebuild into two parts). Everything else was added by someone else and is kept.
    """
    foreign = []
    for config in remote.configs:
        name = config.get("config_name", "default")
        paths = config_paths(config)
        earlier = bool(paths) and all(p in remote.built for p in paths)
        if name not in ours and not earlier:
            foreign.append({k: v for k, v in config.items() if k != "default"})  # ours stays the default
    names = {c.get("config_name", "default") for c in foreign}
    infos = [i for i in remote.infos if i.get("config_name", "default") in names]
    return foreign, infos


def other_formats(configs: list[dict[str, Any]]) -> list[str]:
    """``name (path)`` of configs whose data files are not JSON Lines / JSON."""
    return [f"{c.get('config_name', 'default')} ({p})" for c in configs for p in config_paths(c)
            if not p.endswith(JSON_ENDINGS)]


def render(manifest: Manifest, repo_id: str, part: str | None, foreign: list[dict[str, Any]],
           infos: list[dict[str, Any]]) -> bytes:
    """The card for ``repo_id``: the build's, with the remote's foreign configs merged into its YAML."""
    from huggingface_hub import DatasetCard

    from dolly_ja_16k.write.card import render_card

    text = render_card(manifest, repo_id=repo_id, part=part)
    if foreign:
        card = DatasetCard(text)
        data: Any = card.data  # DatasetCardData: configs and dataset_info are its fields
        data.configs = [*data.configs, *foreign]
        ours = data.dataset_info
        data.dataset_info = [*(ours if isinstance(ours, list) else [ours]), *infos]
        text = str(card).rstrip("\n") + "\n"
    return text.encode()


def local_files(folder: Path, manifest: Manifest, repo_id: str, part: str | None = None,
                foreign: list[dict[str, Any]] | None = None, infos: list[dict[str, Any]] | None = None
                ) -> list[LocalFile]:
    """Every file a repo gets: the card rendered for ``repo_id``, the manifest, the data.

    Only files the manifest lists are published (plus the card and the manifest itself),
    so stray files in the folder never reach the Hub.
    """
    files = [file_entry(CARD_FILE, data=render(manifest, repo_id, part, foreign or [], infos or []))]
    if part is None:
        files.append(file_entry(MANIFEST_FILE, source=folder / MANIFEST_FILE))
        listed = sorted(f.path for f in manifest.files)
    else:
        sub = per_part(manifest, part)
        files.append(file_entry(MANIFEST_FILE, data=to_bytes(sub)))
        listed = sorted(f.path for f in sub.files)
    for relpath in listed:
        if not is_managed(relpath):
            raise InputError(f"the manifest lists {relpath}, outside the paths a publish manages "
                             f"({', '.join(MANAGED_PATHS)})", folder)
        files.append(file_entry(relpath, source=folder / relpath))
    return files


def check_folder(folder: Path) -> Manifest:
    """The folder's manifest, after ``verify`` accepted the folder (checksums, card, configs)."""
    from dolly_ja_16k.verify import verify

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
    return read_manifest(folder)


def default_message(manifest: Manifest, part: str | None = None) -> tuple[str, str]:
    """Commit summary and description: what was built, from what, by which version."""
    if part is None:
        summary = f"Publish {manifest.records:,} records in {len(manifest.parts)} parts"
    else:
        summary = f"Publish part {part} ({manifest.part(part).records:,} records)"
    source = manifest.source
    rev = f"@{source.revision}" if source.revision else ""
    description = (f"Built by {manifest.generator} from {source.name}{rev} "
                   f"(sha256 {source.sha256}); published by dolly-ja-16k {__version__}.")
    return summary, description


# -- the Hub client -------------------------------------------------------------------------

def configure_http(timeout: float) -> None:
    """Give the Hub client's HTTP session a timeout (it has none by default, and hangs).

    The client keeps the event hooks and redirect policy of the session it replaces, read
    from that session through the public ``get_session``.
    """
    from huggingface_hub import get_session, set_client_factory
    from huggingface_hub.utils import httpx

    current = get_session()
    hooks, redirects = current.event_hooks, current.follow_redirects
    limit = httpx.Timeout(timeout, connect=min(timeout, 10.0))

    def factory() -> Any:
        return httpx.Client(event_hooks=hooks, follow_redirects=redirects, timeout=limit)

    set_client_factory(factory)


def get_token() -> str | None:
    """``HF_TOKEN``, or the token ``hf auth login`` stored."""
    from huggingface_hub import get_token as hf_get_token

    return hf_get_token()


def _unexpected(what: str, err: Exception) -> UnexpectedAnswer:
    if isinstance(err, json.JSONDecodeError):
        return UnexpectedAnswer(f"{what} that is not JSON")
    return UnexpectedAnswer(f"{what} of an unexpected shape ({type(err).__name__}: {' '.join(str(err).split())[:80]})")


def read_head(api: Any, repo_id: str, revision: str) -> str:
    """The commit ``revision`` points at; an answer without one is ``UnexpectedAnswer``."""
    try:
        sha = api.repo_info(repo_id, repo_type=REPO_TYPE, revision=revision).sha
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as err:
        raise _unexpected("revision info", err) from None
    if not isinstance(sha, str) or not _SHA.match(sha):
        raise UnexpectedAnswer(f"revision info without a commit id (sha {sha!r})")
    return sha


def _read_text(api: Any, repo_id: str, path: str, revision: str) -> str:
    """One small file of the repo, as text (the card or the manifest)."""
    from huggingface_hub import get_session, hf_hub_url
    from huggingface_hub.utils import build_hf_headers, hf_raise_for_status

    url = hf_hub_url(repo_id, path, repo_type=REPO_TYPE, revision=revision, endpoint=api.endpoint)
    response = get_session().get(url, headers=build_hf_headers(token=api.token))
    hf_raise_for_status(response)
    return response.content.decode("utf-8", errors="replace")


def _earlier_build(text: str) -> frozenset[str]:
    """Paths the remote's manifest.json lists, read leniently (an older format is still ours)."""
    try:
        files = json.loads(text).get("files", [])
    except (ValueError, AttributeError):
        return frozenset()
    if isinstance(files, dict):  # format 1: path -> entry
        return frozenset(p for p in files if isinstance(p, str))
    if isinstance(files, list):
        return frozenset(f["path"] for f in files if isinstance(f, dict) and isinstance(f.get("path"), str))
    return frozenset()


def _card_configs(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]:
    """The ``configs`` and ``dataset_info`` of a card's YAML, or why they cannot be read."""
    from huggingface_hub import DatasetCard

    if not text.startswith("---"):
        return [], [], None
    try:
        data = DatasetCard(text).data
    except Exception as err:  # YAML that does not parse, or metadata that is not a mapping
        return [], [], " ".join(str(err).split())[:160]
    configs = getattr(data, "configs", None) or []
    infos = getattr(data, "dataset_info", None) or []
    infos = infos if isinstance(infos, list) else [infos]
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        return [], [], "its `configs` is not a list of mappings"
    return configs, [i for i in infos if isinstance(i, dict)], None


def read_remote(api: Any, repo_id: str, revision: str, tags: bool = False) -> Remote:
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    try:
        head = read_head(api, repo_id, revision)
    except RevisionNotFoundError:
        return Remote(True, False, None, {}, tags=_read_tags(api, repo_id) if tags else {})
    except RepositoryNotFoundError:
        return Remote(False, False, None, {})
    files = {}
    try:
        for entry in api.list_repo_tree(repo_id, repo_type=REPO_TYPE, revision=head, recursive=True):
            if hasattr(entry, "blob_id"):
                files[entry.path] = (entry.blob_id, entry.lfs.sha256 if entry.lfs else None)
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as err:
        raise _unexpected("a file listing", err) from None
    remote = Remote(True, True, head, files, tags=_read_tags(api, repo_id) if tags else {})
    if MANIFEST_FILE in files:
        remote.built = _earlier_build(_read_text(api, repo_id, MANIFEST_FILE, head))
    if CARD_FILE in files:
        remote.configs, remote.infos, remote.card_problem = _card_configs(_read_text(api, repo_id, CARD_FILE, head))
    return remote


def _read_tags(api: Any, repo_id: str) -> dict[str, str]:
    try:
        refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
        return {t.name: t.target_commit for t in refs.tags}
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as err:
        raise _unexpected("a list of refs", err) from None


def compare(plan: RepoPlan, remote: Remote) -> None:
    """Mark each local file new/changed/unchanged and list the files of an earlier build to delete.

    Deleted are only files the remote's manifest.json lists (made by an earlier publish)
    that this build lacks, and never a file a kept config names.
    """
    plan.exists, plan.branch_exists, plan.head = remote.exists, remote.branch_exists, remote.head
    local = {f.path for f in plan.files}
    for f in plan.files:
        if f.path not in remote.files:
            f.status = "new"
            continue
        blob_id, lfs_sha = remote.files[f.path]
        same = f.sha256 == lfs_sha if lfs_sha else f.git_oid == blob_id
        f.status = "unchanged" if same else "changed"
    kept = plan.kept_paths
    plan.deletions = sorted(p for p in remote.files
                            if p not in local and p in remote.built and is_managed(p)
                            and not any(p == k or fnmatch.fnmatchcase(p, k) for k in kept))


def _hub(doing: str, repo_id: str, api: Any, options: PublishOptions,
         after: Callable[[], tuple[str, bool]] | None = None, retry_hint: bool = True) -> Any:
    return hub_errors(doing, repo_id, endpoint=api.endpoint, token=api.token or None, timeout=options.timeout,
                      after=after, retry_hint=retry_hint)


def plan_repo(options: PublishOptions, api: Any, manifest: Manifest, folder: Path, repo_id: str,
              part: str | None) -> RepoPlan:
    """One repo's plan: read the remote, keep what is not ours, compare, check the tag."""
    message = options.message or default_message(manifest, part)[0]
    try:
        with _hub(f"reading {repo_id} on the Hub", repo_id, api, options, retry_hint=not options.dry_run):
            remote = read_remote(api, repo_id, options.branch, tags=options.tag is not None)
    except HubError as err:
        if not options.dry_run:
            raise
        plan = RepoPlan(repo_id, options.branch, local_files(folder, manifest, repo_id, part), part=part,
                        message=message, tag=options.tag, unread=str(err))
        for f in plan.files:
            f.status = "unknown"
        return plan
    if remote.card_problem and not options.force:
        raise HubError(f"{repo_id}: the YAML of its {CARD_FILE} cannot be read ({remote.card_problem}), so the "
                       "configs someone else added cannot be kept; fix the card on the Hub, or publish with "
                       "--force to replace it")
    foreign, infos = split_foreign(remote, our_config_names(manifest, part))
    others = other_formats(foreign)
    if others and not options.force:
        raise HubError(f"{repo_id} holds configs in another format than JSON Lines ({', '.join(others[:3])}"
                       f"{', …' if len(others) > 3 else ''}); `datasets` reads every config of a repo with the "
                       "builder of the first one, so they would break each other; publish to another repo, or "
                       "pass --force to publish anyway (their configs and files are kept)")
    plan = RepoPlan(repo_id, options.branch, local_files(folder, manifest, repo_id, part, foreign, infos),
                    part=part, message=message, foreign_configs=foreign, foreign_infos=infos, tag=options.tag)
    compare(plan, remote)
    if options.tag is not None and options.tag in remote.tags:
        plan.tag_target = remote.tags[options.tag]
        if plan.changed or plan.tag_target != plan.head:
            why = ("this build makes a new commit" if plan.changed
                   else f"the head is {str(plan.head)[:12]}")
            raise HubError(f"{repo_id}: tag {options.tag} already names commit {plan.tag_target[:12]} and "
                           f"{why}; a tag is never moved: choose another tag name (nothing was changed)")
    return plan


def make_plan(options: PublishOptions, api: Any, manifest: Manifest, folder: Path) -> Plan:
    """Everything a publish will do, computed from the folder and the remote, changing nothing."""
    targets: list[tuple[str, str | None]]
    if options.layout == LAYOUT_PER_PART:
        targets = [(per_part_repo_id(options.repo_id, name), name) for name in manifest.part_names]
    else:
        targets = [(options.repo_id, None)]
    repos = [plan_repo(options, api, manifest, folder, repo_id, part) for repo_id, part in targets]
    return Plan(options, manifest, repos, default_message(manifest)[1], api.endpoint)


def _size(n: int) -> str:
    return f"{n:,} B" if n < 1024 else f"{n / 1024:,.1f} KiB" if n < 1024**2 else f"{n / 1024**2:,.1f} MiB"


def describe(plan: Plan) -> list[str]:
    """The plan as lines of text (the same for --dry-run and a real publish)."""
    opts = plan.options
    lines = []
    marks = {"new": "+", "changed": "~", "unchanged": "=", "unknown": "?"}
    for rp in plan.repos:
        state = ("remote not read" if rp.unread
                 else "new repo" + (", private" if opts.private else "") if not rp.exists
                 else f"new branch {rp.revision}" if not rp.branch_exists
                 else f"at {rp.head[:12] if rp.head else '?'}")
        target = f"a pull request against {rp.revision}" if opts.create_pr else f"branch {rp.revision}"
        lines.append(f"{plan.endpoint}/datasets/{rp.repo_id} ({state}) -> {target}:")
        if rp.unread:
            lines.append(f"  the remote could not be read ({rp.unread}); this is the plan from the folder alone")
        if opts.private and rp.exists:
            lines.append("  note: --private applies to new repos only; this one keeps its visibility")
        for f in rp.files:
            status = "upload unless the remote has it" if f.status == "unknown" else f.status
            lines.append(f"  {marks[f.status]} {f.path:<22} {_size(f.size):>12}  sha256 {f.sha256}  {status}")
        for path in rp.deletions:
            lines.append(f"  - {path:<22} {'':>12}  delete (an earlier build's file, not in this one)")
        for config in rp.foreign_configs:
            lines.append(f"  kept: config {config.get('config_name', 'default')} "
                         f"({', '.join(config_paths(config)) or 'no data files'}), not made by this build")
        if rp.unread:
            total = _size(sum(f.size for f in rp.files))
            lines.append(f"  one commit: up to {len(rp.files)} file(s) to upload ({total});"
                         f" files an earlier build published (listed by the remote's {MANIFEST_FILE}) that this "
                         f"build lacks would be deleted; message: {rp.message!r}")
        elif rp.changed:
            upload = sum(f.size for f in rp.uploads)
            lines.append(f"  one commit: {len(rp.uploads)} file(s) to upload ({_size(upload)}), "
                         f"{len(rp.deletions)} to delete; message: {rp.message!r}")
        else:
            lines.append("  up to date: nothing to commit")
        if rp.tag is not None:
            lines.append(f"  tag {rp.tag}: " + ("already on this commit, nothing to do" if rp.tag_target
                                                 else "new, on the commit published"))
    return lines


# -- execution ------------------------------------------------------------------------------

class _Upload(io.BufferedReader):
    """A data file for the commit that draws its upload progress while the client reads it.

    ``huggingface_hub`` reads it once to hash it (not counted) and then to send it; the
    bar belongs to this publish, so it is always closed before an error is printed.
    """

    def __init__(self, path: Path, name: str, bars: _Bars) -> None:
        super().__init__(io.FileIO(path, "rb"))
        self.name_in_repo, self.bars = name, bars
        self.total = path.stat().st_size

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bars.advance(self, len(data))
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = super().seek(offset, whence)
        self.bars.restart(self, position)
        return position


class _Bars:
    """The upload bars of one commit (``huggingface_hub``'s own ``tqdm``, which honours
    ``HF_HUB_DISABLE_PROGRESS_BARS``); counting starts with ``armed``."""

    def __init__(self) -> None:
        self.armed = False
        self.lock = threading.Lock()
        self.open: dict[int, Any] = {}

    def _bar(self, f: _Upload) -> Any:
        from huggingface_hub.utils import tqdm

        if id(f) not in self.open:
            self.open[id(f)] = tqdm(total=f.total, desc=f.name_in_repo, unit="B", unit_scale=True)
        return self.open[id(f)]

    def advance(self, f: _Upload, n: int) -> None:
        if self.armed and n:
            with self.lock:
                self._bar(f).update(n)

    def restart(self, f: _Upload, position: int) -> None:
        if self.armed and id(f) in self.open:  # a retry sends the file again
            with self.lock:
                bar = self.open[id(f)]
                bar.n = position
                bar.refresh()

    def close(self) -> None:
        with self.lock:
            for bar in self.open.values():
                bar.close()
            self.open.clear()


@contextmanager
def _operations(rp: RepoPlan) -> Iterator[list[Any]]:
    """The commit's operations; the data files draw their upload bars, closed when the commit ends."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    bars = _Bars()
    files: list[_Upload] = []
    try:
        ops: list[Any] = []
        for f in rp.uploads:
            if f.source is None:
                ops.append(CommitOperationAdd(f.path, f.data or b""))
            else:
                files.append(_Upload(f.source, f.path, bars))
                ops.append(CommitOperationAdd(f.path, files[-1]))
        ops += [CommitOperationDelete(path) for path in rp.deletions]
        bars.armed = True
        yield ops
    finally:
        bars.close()
        for upload in files:
            upload.close()


def _repo_url(endpoint: str, repo_id: str) -> str:
    return f"{endpoint}/datasets/{repo_id}"


def _tag(api: Any, rp: RepoPlan, commit: str, options: PublishOptions, log: Log) -> bool:
    """Tag ``commit`` (a no-op when the tag already names it); True if a tag was created."""
    if rp.tag is None or rp.tag_target == commit:
        return False
    with _hub(f"tagging {rp.repo_id} at {commit[:12]} as {rp.tag}", rp.repo_id, api, options):
        api.create_tag(rp.repo_id, tag=rp.tag, revision=commit, repo_type=REPO_TYPE)
    log(f"{rp.repo_id}: tagged commit {commit} as {rp.tag}")
    return True


def _commit(api: Any, plan: Plan, rp: RepoPlan, log: Log) -> Any:
    """Upload, then the one commit; Ctrl-C says what is known about the remote."""
    from huggingface_hub import CommitOperationAdd

    opts = plan.options
    with _operations(rp) as ops:
        try:
            with _hub(f"publishing to {rp.repo_id}", rp.repo_id, api, opts,
                      after=lambda: head_after_failure(lambda: read_head(api, rp.repo_id, rp.revision),
                                                       rp.repo_id, rp.head)):
                api.preupload_lfs_files(rp.repo_id, [op for op in ops if isinstance(op, CommitOperationAdd)],
                                        repo_type=REPO_TYPE, revision=rp.revision,
                                        create_pr=opts.create_pr)
        except KeyboardInterrupt:
            raise Interrupted(f"interrupted while uploading to {rp.repo_id}, before the commit: nothing was "
                              f"committed, {rp.revision} is still at {str(rp.head)[:12]}") from None
        try:
            with _hub(f"publishing to {rp.repo_id}", rp.repo_id, api, opts,
                      after=lambda: head_after_failure(lambda: read_head(api, rp.repo_id, rp.revision),
                                                       rp.repo_id, rp.head)):
                return api.create_commit(
                    rp.repo_id, ops, commit_message=rp.message, commit_description=plan.description,
                    repo_type=REPO_TYPE, revision=rp.revision, create_pr=opts.create_pr, parent_commit=rp.head)
        except KeyboardInterrupt:
            log(f"interrupted: reading {rp.repo_id} back to see whether the commit went through "
                "(Ctrl-C again to stop waiting)")
            raise interrupted(lambda: read_head(api, rp.repo_id, rp.revision), rp.repo_id, rp.head,
                              rp.revision, api.token or None) from None


def execute(plan: Plan, api: Any, log: Log) -> list[Result]:
    """Carry out the plan: per repo, create it if needed, then one commit (or none), then the tag."""
    opts = plan.options
    results = []
    for rp in plan.repos:
        url = _repo_url(api.endpoint, rp.repo_id)
        if rp.changed and not rp.exists:
            with _hub(f"creating {rp.repo_id}", rp.repo_id, api, opts):
                api.create_repo(rp.repo_id, repo_type=REPO_TYPE, exist_ok=True, private=opts.private)
                compare(rp, read_remote(api, rp.repo_id, rp.revision))
        if rp.changed and not rp.branch_exists:
            with _hub(f"creating branch {rp.revision} in {rp.repo_id}", rp.repo_id, api, opts):
                api.create_branch(rp.repo_id, branch=rp.revision, repo_type=REPO_TYPE, exist_ok=True)
                compare(rp, read_remote(api, rp.repo_id, rp.revision))
        if not rp.changed:  # also: a new repo or branch can already hold the files (a concurrent publish)
            log(f"{rp.repo_id}: up to date at commit {rp.head}; nothing to publish, nothing uploaded")
            tagged = _tag(api, rp, str(rp.head), opts, log)
            results.append(Result(rp.repo_id, url, str(rp.head), changed=False, tagged=tagged))
            continue
        log(f"{rp.repo_id}: uploading {len(rp.uploads)} file(s) ({_size(sum(f.size for f in rp.uploads))}), "
            f"deleting {len(rp.deletions)}, in one commit on top of {str(rp.head)[:12]}")
        try:
            info = _commit(api, plan, rp, log)
        except Interrupted as err:  # the per-part layout: say which repos were published before
            done = [r.repo_id for r in results if r.changed]
            if done:
                raise Interrupted(f"{err}; published before that: {', '.join(done)}") from None
            raise
        oid = getattr(info, "oid", None)
        if not isinstance(oid, str) or not _SHA.match(oid):
            raise HubError(f"publishing to {rp.repo_id}: the Hub at {api.endpoint} accepted the commit but did not "
                           "say which commit it made; run `dolly-ja-16k publish --dry-run` to compare")
        tagged = _tag(api, rp, oid, opts, log)
        results.append(Result(rp.repo_id, url, oid, changed=True, pr_url=info.pr_url, tagged=tagged))
    return results


def publish(options: PublishOptions, log: Log = print) -> list[Result]:
    """Check the folder, plan, print the plan, and (unless dry-run) publish it."""
    from huggingface_hub import HfApi

    options.check()
    manifest = check_folder(options.folder)
    token = get_token()
    if token is None and not options.dry_run:
        raise HubError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (a token with write access)")
    configure_http(options.timeout)
    api = HfApi(token=token if token is not None else False)
    if token is not None and not options.dry_run:
        with _hub("checking the token", options.repo_id, api, options):
            who = api.whoami()
            user = who.get("name") if isinstance(who, dict) else None
            if not isinstance(user, str):
                raise UnexpectedAnswer("an account without a name")
        log(f"logged in to {api.endpoint} as {user}")
    try:
        plan = make_plan(options, api, manifest, options.folder)
    except KeyboardInterrupt:
        raise Interrupted("interrupted while reading the remote: nothing was changed on the Hub") from None
    for line in describe(plan):
        log(line)
    if options.dry_run:
        log("dry run: nothing was changed on the Hub")
        return []
    results = execute(plan, api, log)
    for r in results:
        what = "up to date" if not r.changed else "published"
        where = f"{r.url} (pull request {r.pr_url})" if r.pr_url else r.url
        log(f"{what}: {where} at commit {r.commit}" + (f", tagged {options.tag}" if r.tagged else ""))
    return results
