"""Finding the inputs: a local file, or an ``hf://`` file downloaded through the HF cache.

Reading and parsing a file is ``readers.py``'s job; this module turns what the user typed
into a local file (``open_source``), reads it through ``readers`` and says how the manifest
names it (``source_file``): never with a path of the build machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dolly_ja_16k.errors import HubError, InputError
from dolly_ja_16k.layout import DEFAULT_SOURCE
from dolly_ja_16k.manifest import SourceFile
from dolly_ja_16k.read.readers import RecordFile
from dolly_ja_16k.read.records import Record

DOLLY_JA_FILE = "databricks-dolly-15k-ja.json"
#: Upstream files of kunishou/databricks-dolly-15k-ja known by their sha256: ``SourceFile.upstream``.
KNOWN_UPSTREAM = {
    "f4f814b77074a864ed15859b354470b10b8d970647165dc4e2ed08a6ff139417": DEFAULT_SOURCE,
    "b278f36e7ffe269e2ef48795824609cc1c06e6510051cb91758f5ca0402b4373":
        "kunishou/databricks-dolly-15k-ja@cd6c43d (first public revision, 2023-04-14, records joined in index order)",
}
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_HF_URL = re.compile(r"^hf://datasets/(?P<repo>[^/@]+/[^/@]+)(?:@(?P<rev>[^/]+))?/(?P<path>.+)$")

#: The command reading the source: error messages name the way out that command has.
Command = Literal["build", "review"]
_LOCAL_COPY_HINT: dict[str, str] = {
    "build": "pass a local copy with --source PATH",
    "review": "pass a local copy instead: dolly-ja-16k review PATH",
}


@dataclass(frozen=True)
class Source:
    """A file on local disk and where it came from: what the user typed, local or Hub, the commit."""

    path: Path
    location: str
    kind: Literal["local", "hub"] = "local"
    revision: str | None = None

    @property
    def label(self) -> str:
        """How messages name the file: the path as given, or the ``hf://`` address."""
        return self.location if self.kind == "hub" else str(self.path)


def read_source(location: str, seen: dict[str, str], prefix: str = "",
                command: Command = "build") -> tuple[list[Record], SourceFile, list[str]]:
    """Find, read and validate one input: its records, how the manifest names it, its warnings.

    ``seen`` maps every index read so far to where it was read, across files, so a
    duplicate is reported with both places. ``prefix`` goes before each index.
    """
    source = open_source(location, command)
    file = RecordFile(source.path, source.label)
    records = []
    for record, where in file:
        if prefix:
            record["index"] = prefix + record["index"]
        index = record["index"]
        if index in seen:
            file.check_unchanged()  # records appended while reading would look like duplicates
            raise InputError(f'duplicate index "{index}" (first seen at {seen[index]})', file.name, where)
        seen[index] = f"{file.name}: {where}"
        records.append(record)
    return records, source_file(source, file.sha256, len(records)), file.warnings


def source_file(source: Source, sha256: str, records: int) -> SourceFile:
    """The manifest's entry for a source: its base name or ``hf://`` address, never a local path."""
    name = source.location if source.kind == "hub" else source.path.name
    upstream = KNOWN_UPSTREAM.get(sha256)
    return SourceFile(name=name, kind=source.kind, sha256=sha256, records=records, revision=source.revision,
                      upstream=upstream, dolly_ja=upstream is not None or source.path.name == DOLLY_JA_FILE)


def open_source(location: str, command: Command = "build") -> Source:
    """Resolve ``location`` to a local file, downloading ``hf://`` files through the HF cache."""
    match = _HF_URL.match(location)
    if match:
        return _download(location, match["repo"], match["rev"], match["path"], _LOCAL_COPY_HINT[command])
    if location.startswith("hf://"):
        raise InputError("expected hf://datasets/OWNER/NAME[@REVISION]/PATH", location)
    path = Path(location)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a folder, expected a JSON or JSON Lines file", path)
    return Source(path=path, location=location)


def _download(location: str, repo_id: str, revision: str | None, filename: str, hint: str) -> Source:
    from huggingface_hub import constants, hf_hub_download
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    offline = constants.HF_HUB_OFFLINE
    try:
        local = _cached(repo_id, filename, revision, offline)
        if local is None:
            if offline:
                raise HubError(f"{location}: offline mode is set (HF_HUB_OFFLINE=1) and the file is not in the "
                               f"HF cache; {hint}, or unset HF_HUB_OFFLINE")
            _probe(constants.ENDPOINT, location, hint)
            local = hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision)
    except GatedRepoError as err:
        raise HubError(f"{location}: access to {repo_id} is gated; accept its terms on the Hub first") from err
    except RepositoryNotFoundError as err:
        raise HubError(f"{location}: dataset repository {repo_id} not found (or no access)") from err
    except RevisionNotFoundError as err:
        raise HubError(f"{location}: revision {revision} not found in {repo_id}") from err
    except LocalEntryNotFoundError as err:  # before EntryNotFoundError: it is a subclass of it
        raise HubError(f"{location}: cannot reach the Hub at {constants.ENDPOINT} and the file is not in the "
                       f"HF cache; {hint}") from err
    except EntryNotFoundError as err:
        raise HubError(f"{location}: no file {filename} in {repo_id}") from err
    except OSError as err:
        raise HubError(f"{location}: cannot download from {constants.ENDPOINT} ({type(err).__name__}); "
                       f"{hint}") from err
    # hf_hub_download returns .../snapshots/<commit>/<filename>: record the commit actually read.
    commit = Path(local).parents[len(Path(filename).parts) - 1].name
    return Source(path=Path(local), location=location, kind="hub", revision=commit)


def _cached(repo_id: str, filename: str, revision: str | None, offline: bool) -> str | None:
    """The cached file, without a request: always for a pinned commit (a commit never changes),
    for a branch or tag only offline (then the cache's last answer is all there is)."""
    if not (offline or (revision and _COMMIT.match(revision))):
        return None
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        return hf_hub_download(repo_id, filename, repo_type="dataset", revision=revision, local_files_only=True)
    except LocalEntryNotFoundError:
        return None


def _probe(endpoint: str, location: str, hint: str) -> None:
    """Fail in a second when nothing answers at the endpoint.

    huggingface_hub retries a refused connection with backoff for about 23 s; a user
    with no network (or a mistyped HF_ENDPOINT) should hear it at once.
    """
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(endpoint)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname or "", port), timeout=10).close()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise HubError(f"{location}: cannot reach the Hub at {endpoint} ({reason}) and the file is not in the "
                       f"HF cache; {hint}") from None
