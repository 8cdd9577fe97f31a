"""The publish plan: every file each repo gets, what the remote already has, what to delete, the tag.

``make_plan`` reads the remote (``remote.read_remote``) and decides, changing nothing, what
every repo needs: files to upload (with size, sha256 and git blob id), files of an earlier
build to delete (only those the remote's ``manifest.json`` lists), the commit message, the
tag. Files whose sha256 (LFS) or git blob id (regular files) already match are left out, and
a repo with nothing to change gets no commit at all, so publishing the same build twice is a
no-op. ``--dry-run`` prints this plan; ``commit.execute`` carries out the same plan.

The folder is read once, into memory, before the remote is asked anything (``Build``): the
bytes whose sha256 the plan shows, and that match the manifest ``verify`` accepted, are the
bytes the commit sends. A folder rebuilt while a publish runs cannot mix two builds.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dolly_ja_16k import __version__
from dolly_ja_16k.errors import HubError, InputError, Opt, OptionError
from dolly_ja_16k.hub.configs import config_paths, other_formats, our_config_names, render, split_foreign
from dolly_ja_16k.hub.errors import Call, hub_errors
from dolly_ja_16k.hub.remote import Remote, read_remote
from dolly_ja_16k.layout import (
    CARD_FILE,
    DEFAULT_BRANCH,
    LAYOUT_PER_PART,
    MANAGED_PATHS,
    MANIFEST_FILE,
    is_managed,
    per_part_repo_id,
)
from dolly_ja_16k.manifest import Manifest, per_part, to_bytes
from dolly_ja_16k.options import PublishOptions

if TYPE_CHECKING:
    from huggingface_hub import HfApi

Log = Callable[[str], None]
#: Added to a transient failure that left the remote as it was.
RETRY = "publish again to retry"


@dataclass
class LocalFile:
    """One file as it will be in the repo: its bytes (read once, never again from disk) and its ids."""

    path: str
    data: bytes = b""
    size: int = 0
    sha256: str = ""
    git_oid: str = ""
    status: str = "new"  # new | changed | unchanged | unknown (the remote could not be read)


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
    #: This run created the repo (a failed first commit leaves it empty).
    created: bool = False
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
class Build:
    """A verified build folder, held in memory: the manifest's bytes and every file it lists."""

    folder: Path
    manifest: Manifest
    manifest_bytes: bytes
    files: dict[str, bytes]


def file_entry(path: str, data: bytes) -> LocalFile:
    """A LocalFile with its size, sha256 and git blob id (the two ids the Hub reports)."""
    blob = hashlib.sha1(b"blob %d\0" % len(data))
    blob.update(data)
    return LocalFile(path=path, data=data, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                     git_oid=blob.hexdigest())


def local_files(build: Build, repo_id: str, part: str | None = None, foreign: list[dict[str, Any]] | None = None,
                infos: list[dict[str, Any]] | None = None) -> list[LocalFile]:
    """Every file a repo gets: the card rendered for ``repo_id``, the manifest, the data, all from memory.

    Only files the manifest lists are published (plus the card and the manifest itself),
    so stray files in the folder never reach the Hub.
    """
    manifest = build.manifest
    files = [file_entry(CARD_FILE, render(manifest, repo_id, part, foreign or [], infos or []))]
    if part is None:
        files.append(file_entry(MANIFEST_FILE, build.manifest_bytes))
        listed = sorted(f.path for f in manifest.files)
    else:
        sub = per_part(manifest, part)
        files.append(file_entry(MANIFEST_FILE, to_bytes(sub)))
        listed = sorted(f.path for f in sub.files)
    for relpath in listed:
        if not is_managed(relpath):
            raise InputError(f"the manifest lists {relpath}, outside the paths a publish manages "
                             f"({', '.join(MANAGED_PATHS)})", build.folder)
        files.append(file_entry(relpath, build.files[relpath]))
    return files


#: Said when the folder's files are not the build ``verify`` checked: it was rebuilt meanwhile.
CHANGED = "the folder changed while it was being read (rebuilt meanwhile?); nothing was sent to the Hub: publish again"


def check_folder(folder: Path) -> Build:
    """The folder in memory, after ``verify`` accepted it (checksums, card, configs).

    The manifest's bytes are read before ``verify`` and again after it, with every file it
    lists: if they differ, or a file's sha256 or size is not the manifest's, the folder was
    rebuilt in between and nothing is published. The bytes kept are the ones that matched.
    """
    from dolly_ja_16k.manifest import from_bytes
    from dolly_ja_16k.verify import verify

    if not folder.is_dir():
        raise InputError("no such folder (build one with `dolly-ja-16k build --out DIR`)", folder)
    if not (folder / MANIFEST_FILE).is_file():
        raise InputError(f"no {MANIFEST_FILE}; is this a folder written by `dolly-ja-16k build`?", folder)
    before = _read(folder, MANIFEST_FILE)
    lines: list[str] = []
    report = verify(folder, log=lines.append)
    if not report.ok:
        more = f" (and {len(report.problems) - 1} more problems)" if len(report.problems) > 1 else ""
        raise InputError(f"verify rejected the folder, refusing to publish it: {report.problems[0]}{more}; "
                         f"run `dolly-ja-16k verify {folder}` for details, then rebuild", folder)
    manifest_bytes = _read(folder, MANIFEST_FILE)
    if manifest_bytes != before:
        raise InputError(CHANGED, folder)
    manifest = from_bytes(manifest_bytes, folder / MANIFEST_FILE)
    files = {}
    for entry in manifest.files:
        data = _read(folder, entry.path)
        if len(data) != entry.bytes or hashlib.sha256(data).hexdigest() != entry.sha256:
            raise InputError(CHANGED, folder)
        files[entry.path] = data
    return Build(folder, manifest, manifest_bytes, files)


def _read(folder: Path, relpath: str) -> bytes:
    """One file of the folder, once, as ``verify`` allows it (a regular file inside the folder)."""
    from dolly_ja_16k.manifest import read_regular
    from dolly_ja_16k.verify import inside

    path, problem = inside(folder, relpath)
    try:
        if problem is not None:
            raise OSError(problem)
        return read_regular(path)
    except OSError as err:
        raise InputError(f"{CHANGED} ({relpath}: {err.strerror or err})", folder) from None


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


def match_remote(plan: RepoPlan, remote: Remote) -> None:
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


def call(doing: str, repo_id: str, api: HfApi, options: PublishOptions, retry: bool = True) -> Call:
    """A publish's Hub call, for ``hub_errors``: the endpoint, the timeout, the token to redact."""
    token = api.token if isinstance(api.token, str) else None
    return Call(doing, repo_id, api.endpoint, timeout=options.timeout, token=token, retry=RETRY if retry else "")


def plan_repo(options: PublishOptions, api: HfApi, build: Build, repo_id: str, part: str | None) -> RepoPlan:
    """One repo's plan: read the remote, keep what is not ours, match it with the remote, check the tag."""
    manifest = build.manifest
    message = options.message or default_message(manifest, part)[0]
    try:
        with hub_errors(call(f"reading {repo_id} on the Hub", repo_id, api, options, retry=not options.dry_run)):
            remote = read_remote(api, repo_id, options.branch,
                                 tags=options.tag is not None or options.branch != DEFAULT_BRANCH)
    except HubError as err:
        if not options.dry_run:
            raise
        plan = RepoPlan(repo_id, options.branch, local_files(build, repo_id, part), part=part,
                        message=message, tag=options.tag, unread=str(err))
        for f in plan.files:
            f.status = "unknown"
        return plan
    if options.branch != DEFAULT_BRANCH and options.branch in remote.tags:
        raise OptionError("revision", f"{options.branch} is a tag of {repo_id}, not a branch; a publish commits "
                                      "to a branch (tag the release with ", Opt("tag"), "); nothing was changed",
                          lead=True)
    foreign, infos = _kept_configs(remote, manifest, part, repo_id, options)
    plan = RepoPlan(repo_id, options.branch, local_files(build, repo_id, part, foreign, infos),
                    part=part, message=message, foreign_configs=foreign, foreign_infos=infos, tag=options.tag)
    match_remote(plan, remote)
    _check_tag(plan, remote, options)
    return plan


def _kept_configs(remote: Remote, manifest: Manifest, part: str | None, repo_id: str,
                  options: PublishOptions) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The remote card's configs (and dataset_info) someone else added, which the new card keeps;
    a card that cannot be read, or configs in another format, stop the publish unless ``force``."""
    if remote.card_problem and not options.force:
        raise HubError(f"{repo_id}: the YAML of its {CARD_FILE} cannot be read ({remote.card_problem}), so the "
                       "configs someone else added cannot be kept; fix the card on the Hub, or publish with "
                       "--force to replace it")
    foreign, infos = split_foreign(remote.configs, remote.infos, remote.built, our_config_names(manifest, part))
    others = other_formats(foreign)
    if others and not options.force:
        raise HubError(f"{repo_id} holds configs in another format than JSON Lines ({', '.join(others[:3])}"
                       f"{', …' if len(others) > 3 else ''}); `datasets` reads every config of a repo with the "
                       "builder of the first one, so they would break each other; publish to another repo, or "
                       "pass --force to publish anyway (their configs and files are kept)")
    return foreign, infos


def _check_tag(plan: RepoPlan, remote: Remote, options: PublishOptions) -> None:
    """A tag that exists already is fine only on the commit this publish ends at: a tag never moves."""
    if options.tag is None or options.tag not in remote.tags:
        return
    plan.tag_target = remote.tags[options.tag]
    if plan.changed or plan.tag_target != plan.head:
        why = "this build makes a new commit" if plan.changed else f"the head is {str(plan.head)[:12]}"
        raise HubError(f"{plan.repo_id}: tag {options.tag} already names commit {plan.tag_target[:12]} and "
                       f"{why}; a tag is never moved: choose another tag name (nothing was changed)")


def make_plan(options: PublishOptions, api: HfApi, build: Build) -> Plan:
    """Everything a publish will do, computed from the build in memory and the remote, changing nothing."""
    manifest = build.manifest
    targets: list[tuple[str, str | None]]
    if options.layout == LAYOUT_PER_PART:
        targets = [(per_part_repo_id(options.repo_id, name), name) for name in manifest.part_names]
    else:
        targets = [(options.repo_id, None)]
    repos = [plan_repo(options, api, build, repo_id, part) for repo_id, part in targets]
    return Plan(options, manifest, repos, default_message(manifest)[1], api.endpoint)
