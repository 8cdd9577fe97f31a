"""Finding the inputs: a local file, or an ``hf://`` file downloaded through the HF cache.

Reading and parsing a file is ``readers.py``'s job; this module turns what the user typed
into a local file (``open_source``), reads it through ``readers`` and says how the manifest
names it (``source_file``): never with a path of the build machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.hub.addresses import is_hub, parse_file
from dolly_ja_16k.hub.remote import download_file
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

#: The command reading the source: error messages name the way out that command has.
Command = Literal["build", "review", "restyle"]
_LOCAL_COPY_HINT: dict[str, str] = {
    "build": "pass a local copy with --source PATH",
    "review": "pass a local copy instead: dolly-ja-16k review PATH",
    "restyle": "pass a local copy instead: dolly-ja-16k restyle PATH",
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
    if is_hub(location):
        path, commit = download_file(parse_file(location), _LOCAL_COPY_HINT[command])
        return Source(path=path, location=location, kind="hub", revision=commit)
    path = Path(location)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a folder, expected a JSON or JSON Lines file", path)
    return Source(path=path, location=location)


