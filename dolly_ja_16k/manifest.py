"""The manifest: what a build holds, as typed values, and the one way to read and write it.

``manifest.json`` is the build's data model. The card, its templates, ``verify``, the
``datasets`` builder, ``diff`` and ``publish`` all read it through ``read`` (or
``from_bytes``), which checks every field's type, every count and every path, so a
damaged or hand-edited manifest is one clear ``ManifestError`` instead of a traceback
deep inside a reader. ``msgspec`` does the type checking from the classes below.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import msgspec

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.layout import MANIFEST_FILE
from dolly_ja_16k.model import Model as _Model
from dolly_ja_16k.options import recorded_fields
from dolly_ja_16k.review.summary import Review

#: Bumped when a field changes meaning; ``read`` refuses other versions.
FORMAT = 2
#: The format of a build with a validation split (``validation``); a build without one keeps
#: ``FORMAT`` and its manifest stays byte for byte what earlier versions wrote.
VALIDATION_FORMAT = 3

class ManifestError(InputError):
    """The manifest is missing, not JSON, of the wrong shape, or names a path outside the folder."""




class FileEntry(_Model):
    """One file of the build, as the manifest checks it."""

    path: str
    sha256: str
    bytes: int
    lines: int


class Part(_Model):
    """One part: its name, its JSON Lines file and what is in it."""

    name: str
    file: str
    records: int
    #: The Arrow size of the part's table (``dataset_info``'s ``num_bytes``).
    num_bytes: int
    categories: dict[str, int]
    styles: dict[str, int] | None = None
    #: Records of the user's own supplements (index prefix ``user-``) in this part.
    supplement_records: int = 0
    #: Records whose ``flags`` column names at least one rule (None: a build without the column).
    flagged: int | None = None


class Validation(Part, kw_only=True):
    """The held-out split (``build --validation-size``): a part no training config trains on.

    Its records are in no part. ``groups`` is how many groups were held out (records sharing a
    context passage, or an instruction without input, are one group); ``shared_groups`` of
    them hold more than one record (``shared_records`` in all).
    """

    groups: int
    shared_groups: int
    shared_records: int
    seed: int
    #: How the records were chosen, in words (``{seed}`` where the seed is named).
    method: str
    #: The same records in each training format (``data/validation-messages.jsonl`` …).
    training: list[TrainingConfig] = msgspec.field(default_factory=list)


class SourceFile(_Model):
    """An input file, named so that no path of the build machine is ever shown.

    ``name`` is the file's base name for a local file and the ``hf://`` address for a
    file read from the Hub; ``upstream`` names the known upstream revision whose file
    has the same sha256, if any.
    """

    name: str
    kind: Literal["local", "hub"]
    sha256: str
    records: int
    revision: str | None = None
    upstream: str | None = None
    #: True for kunishou's Japanese Dolly file (by name or by a known sha256).
    dolly_ja: bool = False


class Target(_Model):
    """``--target-size``: the size asked for, and how many records beyond it were left out."""

    size: int
    left_out: int


if TYPE_CHECKING:
    Options: TypeAlias = Any
else:
    # The build options that shaped the data (no paths): one field per option declared with a
    # ``record`` in options.py, in the order declared, so a new option needs no edit here.
    Options = msgspec.defstruct("Options", recorded_fields(), bases=(_Model,), module=__name__, kw_only=True)


class PartOf(_Model):
    """In a per-part repo's manifest: the build this one part came from."""

    parts: list[str]
    records: int


class SystemPrompt(_Model):
    """One style's system message in the training configs (``text`` None: no system message)."""

    style: str
    text: str | None
    records: int
    #: The same count per part.
    parts: dict[str, int]


class TrainingConfig(_Model):
    """One training config: a part in one format (``messages`` or ``prompt_completion``)."""

    name: str
    format: str
    part: str
    file: str
    records: int
    #: The Arrow size of the config's table (``dataset_info``'s ``num_bytes``).
    num_bytes: int


class Training(_Model):
    """How the training configs were made: the user-turn templates, the system messages, the configs."""

    formats: list[str]
    #: ``str.format`` templates with ``{instruction}`` and ``{input}``.
    user_template: str
    user_template_no_input: str
    #: Records per part whose user turn used ``user_template`` (they have input).
    with_input: dict[str, int]
    #: ``off`` or ``style``.
    system_prompts: str
    prompts: list[SystemPrompt]
    configs: list[TrainingConfig]


class PartChange(_Model):
    """How one part changed since the previous release (counts of records)."""

    name: str
    old: int
    new: int
    added: int
    removed: int
    moved_in: int
    moved_out: int
    changed: int


class Change(_Model):
    """One record-level change, as a line of ``changes.jsonl`` says it."""

    index: str
    change: Literal["added", "removed", "changed", "moved"]
    part: str | None = None
    fields: list[str] | None = None
    source: str | None = None
    target: str | None = None


class Previous(_Model, kw_only=True):
    """The release this build follows (``build --previous``) and what changed since."""

    #: ``hf://datasets/OWNER/NAME@COMMIT`` for a published release, the folder's name for a local one.
    name: str
    commit: str | None = None
    #: ``changes.jsonl``: one line per record-level change.
    file: str
    added: int
    removed: int
    changed: int
    moved: int
    parts: list[PartChange]
    #: The first few changes, for the card.
    examples: list[Change]


class Manifest(_Model, kw_only=True):
    format: int = FORMAT
    generator: str
    features: list[str]
    source: SourceFile
    supplements: list[SourceFile] = msgspec.field(default_factory=list)
    supplement_prefix: str | None = None
    options: Options
    records: int
    parts: list[Part]
    review: Review | None = None
    target: Target | None = None
    files: list[FileEntry]
    part_of: PartOf | None = None
    #: The training configs (``2_of_4-messages`` …); None in builds made before they existed.
    training: Training | None = None
    #: The release this one follows; None when built without ``--previous``.
    previous: Previous | None = None
    #: The held-out split; None (and left out of ``manifest.json``) when built without one.
    validation: Validation | None = None

    # -- lookups every reader needs -------------------------------------------------------

    def file(self, path: str) -> FileEntry:
        """The entry of ``path`` (``read`` made sure every part's file has one)."""
        for entry in self.files:
            if entry.path == path:
                return entry
        raise KeyError(path)

    def part(self, name: str) -> Part:
        for part in self.parts:
            if part.name == name:
                return part
        raise KeyError(name)

    @property
    def part_names(self) -> list[str]:
        return [p.name for p in self.parts]

    @property
    def splits(self) -> list[Part]:
        """Every file of records: the parts, then the validation split if there is one."""
        return [*self.parts, *([self.validation] if self.validation else [])]

    @property
    def supplement_records(self) -> int:
        """Supplement records in the parts (not in the input files: the target size may cut some)."""
        return sum(p.supplement_records for p in self.parts)


# -- files ----------------------------------------------------------------------------------

def read_regular(path: Path) -> bytes:
    """The bytes of a regular file (links followed); a FIFO, a device or a folder is refused.

    Reading a FIFO blocks until someone writes to it, and a device may never end, so a
    build folder holding one would hang the reader. The file is opened without blocking and
    checked on the open descriptor (what is checked is what is read); anything but a regular
    file is an ``OSError`` whose ``strerror`` is "not a regular file".
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return f.read()


def measure(path: Path) -> tuple[str, int, int]:
    """sha256, size and line count of a file, in one pass over it (1 MiB blocks)."""
    digest, size, lines = hashlib.sha256(), 0, 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
            lines += block.count(b"\n")
    return digest.hexdigest(), size, lines


def file_sha256(path: Path) -> str:
    """The sha256 of a file as the manifest records it."""
    return measure(path)[0]


def entry_for(path: str, data: bytes | bytearray) -> FileEntry:
    """The manifest entry of a file about to be written with ``data``."""
    return FileEntry(path=path, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data),
                     lines=data.count(b"\n"))


def safe_relpath(path: str) -> bool:
    """True for a relative POSIX path that stays inside the folder (no ``..``, no drive, no ``\\``)."""
    if not path or "\\" in path or "\x00" in path:
        return False
    parts = path.split("/")  # exactly as written: no normalising away "." or "//"
    return all(p not in ("..", ".", "") for p in parts) and ":" not in parts[0]


# -- reading and writing ----------------------------------------------------------------------

def to_bytes(manifest: Manifest) -> bytes:
    """The manifest as written: indented JSON, keys in class order, a final newline.

    Without a validation split the ``validation`` key is left out, so such a manifest is
    byte for byte what versions before it wrote.
    """
    data: Any = manifest
    if isinstance(manifest, Manifest) and manifest.validation is None:
        data = msgspec.to_builtins(manifest)
        del data["validation"]
    return msgspec.json.format(msgspec.json.encode(data), indent=2) + b"\n"


def from_bytes(data: bytes, where: object = MANIFEST_FILE) -> Manifest:
    """Parse and check a manifest; anything malformed is one ``ManifestError`` naming ``where``."""
    try:
        manifest = msgspec.json.decode(data, type=Manifest)
    except msgspec.ValidationError as err:
        raise ManifestError(f"not a dolly-ja-16k manifest: {_one_line(err)}", where) from None
    except msgspec.DecodeError as err:
        raise ManifestError(f"not valid JSON ({_one_line(err)})", where) from None
    _check(manifest, where)
    return manifest


def read(folder: Path) -> Manifest:
    """The checked manifest of a build folder."""
    path = Path(folder) / MANIFEST_FILE
    try:
        data = read_regular(path)
    except FileNotFoundError:
        raise ManifestError(f"no {MANIFEST_FILE}; is this a folder written by `dolly-ja-16k build`?",
                            folder) from None
    except OSError as err:
        raise ManifestError(f"cannot read it ({err.strerror or err})", path) from None
    return from_bytes(data, path)


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())


def _check(m: Manifest, where: object) -> None:
    """What the types cannot say: paths inside the folder, counts that add up, no duplicates."""

    def fail(problem: str) -> None:
        raise ManifestError(f"not a dolly-ja-16k manifest: {problem}", where)

    expected = FORMAT if m.validation is None else VALIDATION_FORMAT
    if m.format != expected:
        held = " for a build with a validation split" if m.validation is not None else ""
        fail(f"format {m.format}, this version reads format {expected}{held} (rebuild the folder)")
    paths = [f.path for f in m.files]
    for path in paths:
        if not safe_relpath(path) or path == MANIFEST_FILE:
            fail(f"file entry {path!r} is not a path inside the folder")
    if len(set(paths)) != len(paths):
        fail("a file is listed twice")
    for f in m.files:
        if f.bytes < 0 or f.lines < 0 or len(f.sha256) != 64:
            fail(f"file entry {f.path!r} has a negative size or a malformed sha256")
    if not m.parts:
        fail("no parts")
    names = m.part_names
    if len(set(names)) != len(names):
        fail("a part is listed twice")
    for p in m.parts:
        if p.file not in paths:
            fail(f"part {p.name!r}: its file {p.file!r} is not among the files")
        if p.records < 0 or p.num_bytes < 0 or sum(p.categories.values()) != p.records:
            fail(f"part {p.name!r}: its counts do not add up to its {p.records} records")
    if m.validation is not None:
        _check_validation(m.validation, m, fail)
    if sum(p.records for p in m.parts) != m.records:
        fail(f"the parts hold {sum(p.records for p in m.parts)} records, the manifest says {m.records}")
    if not m.features or len(set(m.features)) != len(m.features):
        fail("features must be distinct names")
    if m.training is not None:
        _check_training(m.training, m, fail)
    if m.previous is not None and m.previous.file not in paths:
        fail(f"previous release: its changes file {m.previous.file!r} is not among the files")


def _check_validation(v: Validation, m: Manifest, fail: Callable[[str], None]) -> None:
    """The validation split's file is listed, its counts add up, its name is no part's."""
    paths = {f.path for f in m.files}
    if v.name in m.part_names or v.file in {p.file for p in m.parts} or v.file not in paths:
        fail(f"validation split {v.name!r}: its name or file {v.file!r} is a part's, or its file is not listed")
    if v.records < 1 or sum(v.categories.values()) != v.records or v.shared_records > v.records:
        fail(f"validation split: its counts do not add up to its {v.records} records")
    for c in v.training:
        if c.part != v.name or c.file not in paths or c.records != v.records:
            fail(f"validation split: training file {c.file!r} is not in the build or holds other records")


def _check_training(t: Training, m: Manifest, fail: Callable[[str], None]) -> None:
    """Training configs name known parts and listed files; the system-message counts add up."""
    paths = {f.path for f in m.files}
    for c in t.configs:
        if c.part not in m.part_names or c.file not in paths:
            fail(f"training config {c.name!r}: part {c.part!r} or file {c.file!r} is not in the build")
    if set(t.with_input) - set(m.part_names):
        fail("training: with_input names a part that is not in the build")
    if sum(p.records for p in t.prompts) != m.records:
        fail(f"training: the system-message counts add up to {sum(p.records for p in t.prompts)} records, "
             f"the manifest says {m.records}")
    for p in t.prompts:
        if sum(p.parts.values()) != p.records or set(p.parts) - set(m.part_names):
            fail(f"training: the per-part counts of style {p.style!r} do not add up")


def per_part(manifest: Manifest, part: str) -> Manifest:
    """The manifest of one part's own repo (the per-part layout): that part and its file only."""
    info = manifest.part(part)
    training = manifest.training
    files = [manifest.file(info.file)]
    if training is not None:
        configs = [c for c in training.configs if c.part == part]
        files += [manifest.file(c.file) for c in configs]
        prompts = [msgspec.structs.replace(p, records=p.parts.get(part, 0), parts={part: p.parts.get(part, 0)})
                   for p in training.prompts if p.parts.get(part, 0)]
        training = msgspec.structs.replace(training, configs=configs, prompts=prompts,
                                           with_input={part: training.with_input.get(part, 0)})
    if manifest.validation is not None:
        files += [manifest.file(manifest.validation.file)]
        files += [manifest.file(c.file) for c in manifest.validation.training]
    return msgspec.structs.replace(
        manifest,
        parts=[info],
        records=info.records,
        files=files,
        part_of=PartOf(parts=manifest.part_names, records=manifest.records),
        training=training,
    )
