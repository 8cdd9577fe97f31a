"""Reading the Hub: what a repo holds (for a publish plan), a file (a source), a published build (diff).

Every read goes through ``huggingface_hub``'s public calls (``repo_info``, ``list_repo_tree``,
``list_repo_refs``, ``hf_hub_download``) inside ``hub_errors``, so whatever fails is one line.
An answer that is not what the Hub's API documents is an ``UnexpectedAnswer``, never a
``KeyError`` from deep inside the client.
"""

from __future__ import annotations

import functools
import json
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dolly_ja_16k.errors import HubError, InputError
from dolly_ja_16k.hub.addresses import COMMIT, Address, is_commit
from dolly_ja_16k.hub.client import quiet
from dolly_ja_16k.hub.configs import card_configs, earlier_build
from dolly_ja_16k.hub.errors import Call, UnexpectedAnswer, hub_errors, offline
from dolly_ja_16k.layout import CARD_FILE, DEFAULT_BRANCH, MANIFEST_FILE, REPO_TYPE
from dolly_ja_16k.manifest import read as read_manifest

if TYPE_CHECKING:
    from huggingface_hub import HfApi


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


def _unexpected(what: str, err: Exception) -> UnexpectedAnswer:
    if isinstance(err, json.JSONDecodeError):
        return UnexpectedAnswer(f"{what} that is not JSON")
    return UnexpectedAnswer(f"{what} of an unexpected shape ({type(err).__name__}: {' '.join(str(err).split())[:80]})")


def read_head(api: HfApi, repo_id: str, revision: str) -> str:
    """The commit ``revision`` points at; an answer without one is ``UnexpectedAnswer``."""
    try:
        sha = api.repo_info(repo_id, repo_type=REPO_TYPE, revision=revision).sha
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as err:
        raise _unexpected("revision info", err) from None
    if not isinstance(sha, str) or not COMMIT.match(sha):
        raise UnexpectedAnswer(f"revision info without a commit id (sha {sha!r})")
    return sha


def read_text(api: HfApi, repo_id: str, path: str, revision: str) -> str:
    """One small file of the repo as text (the card or the manifest), through the HF cache, no progress bar."""
    local = api.hf_hub_download(repo_id, path, repo_type=REPO_TYPE, revision=revision, tqdm_class=_no_bar())
    return Path(str(local)).read_bytes().decode("utf-8", errors="replace")


@functools.cache
def _no_bar() -> type:
    from huggingface_hub.utils import tqdm

    class NoBar(tqdm):
        """A progress bar that never shows: a card or a manifest is read in a blink."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "disable": True})

    return NoBar


def read_remote(api: HfApi, repo_id: str, revision: str, tags: bool = False) -> Remote:
    """What ``repo_id`` holds at ``revision``: head, files, the earlier build's files, card configs, tags."""
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError

    try:
        head = read_head(api, repo_id, revision)
    except RevisionNotFoundError:
        return Remote(True, False, None, {}, tags=_read_tags(api, repo_id) if tags else {})
    except RepositoryNotFoundError:
        return Remote(False, False, None, {})
    from huggingface_hub import RepoFile

    files = {}
    try:
        for entry in api.list_repo_tree(repo_id, repo_type=REPO_TYPE, revision=head, recursive=True):
            if isinstance(entry, RepoFile):
                files[entry.path] = (entry.blob_id, entry.lfs.sha256 if entry.lfs else None)
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as err:
        raise _unexpected("a file listing", err) from None
    remote = Remote(True, True, head, files, tags=_read_tags(api, repo_id) if tags else {})
    if MANIFEST_FILE in files:
        remote.built = earlier_build(read_text(api, repo_id, MANIFEST_FILE, head))
    if CARD_FILE in files:
        remote.configs, remote.infos, remote.card_problem = card_configs(read_text(api, repo_id, CARD_FILE, head))
    return remote


def _read_tags(api: HfApi, repo_id: str) -> dict[str, str]:
    try:
        refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
        return {t.name: t.target_commit for t in refs.tags}
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as err:
        raise _unexpected("a list of refs", err) from None


# -- files and builds, for reading ---------------------------------------------------------------

def download_file(address: Address, hint: str) -> tuple[Path, str]:
    """The file ``address`` names, on local disk through the HF cache, and the commit it was read at.

    A pinned commit already in the cache is used without asking the Hub (a commit never
    changes); a branch or tag is looked up, unless offline mode is set: then the cache's last
    answer is all there is. ``hint`` is the way out when the Hub cannot be asked.
    """
    from huggingface_hub import constants, hf_hub_download

    assert address.path is not None
    call = Call(address.text, address.repo_id, constants.ENDPOINT, revision=address.revision, path=address.path,
                hint=hint)
    with quiet(), hub_errors(call):
        local = _cached(address, address.path, address.revision, constants.HF_HUB_OFFLINE)
        if local is None:
            if constants.HF_HUB_OFFLINE:
                raise HubError(offline(call))
            probe(call)
            local = Path(str(hf_hub_download(address.repo_id, address.path, repo_type=REPO_TYPE,
                                             revision=address.revision)))
    # hf_hub_download returns .../snapshots/<commit>/<path>: the commit actually read.
    return local, local.parents[len(Path(address.path).parts) - 1].name


def download_build(address: Address) -> tuple[Path, str]:
    """A published build on local disk and the commit it was read at: its manifest first, then
    exactly the part files it lists, all from that commit. A repo without a manifest is not a
    build (``InputError``); the validation split, if any, counts as a part. Offline, the HF
    cache's copy is used, as ``hf_hub_download`` does.
    """
    from huggingface_hub import HfApi, constants

    offline = constants.HF_HUB_OFFLINE
    revision = address.revision or DEFAULT_BRANCH
    with quiet(), hub_errors(Call(address.text, address.repo_id, constants.ENDPOINT, revision=revision)):
        if not offline and not is_commit(revision):
            # one request that says "no such repo" or "no such revision" (or that the answer is odd)
            # before any download, and fails at once when nothing answers (downloads retry for long)
            read_head(HfApi(), address.repo_id, revision)
        manifest = _fetch(address, MANIFEST_FILE, revision, offline)
        commit = manifest.parent.name  # .../snapshots/<commit>/manifest.json: the commit actually read
        for part in read_manifest(manifest.parent).splits:  # the parts and the validation split
            _fetch(address, part.file, commit, offline)
    return manifest.parent, commit


def _fetch(address: Address, path: str, revision: str, offline: bool) -> Path:
    """One file of a build (from the cache when it is there, and only from there offline); a missing
    one is the user's mistake (not a build, or a damaged one), not the Hub's failure."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, LocalEntryNotFoundError

    try:
        return Path(str(hf_hub_download(address.repo_id, path, repo_type=REPO_TYPE, revision=revision,
                                        local_files_only=offline)))
    except EntryNotFoundError as err:
        if isinstance(err, LocalEntryNotFoundError):
            raise
        what = "not a build of dolly-ja-16k" if path == MANIFEST_FILE else "its manifest lists a file it does not hold"
        raise InputError(f"{what}: no {path} at {revision}", address.text) from None


def _cached(address: Address, path: str, revision: str | None, offline: bool) -> Path | None:
    """The cached file, without a request: always for a pinned commit, for a branch or tag only offline."""
    if not (offline or is_commit(revision)):
        return None
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return Path(str(hf_hub_download(address.repo_id, path, repo_type=REPO_TYPE, revision=revision,
                                        local_files_only=True)))
    except LocalEntryNotFoundError:
        return None


def probe(call: Call) -> None:
    """Fail in a second when nothing answers at the endpoint.

    huggingface_hub retries a refused connection of a download with backoff for about 23 s;
    a user with no network (or a mistyped HF_ENDPOINT) should hear it at once.
    """
    from urllib.parse import urlsplit

    url = urlsplit(call.endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname or "", port), timeout=10).close()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise HubError(f"{call.doing}: cannot reach the Hub at {call.endpoint} ({reason}) and it is not in the "
                       f"HF cache; {call.hint}") from None
