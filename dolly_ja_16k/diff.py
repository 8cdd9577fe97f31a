"""Compare two builds record by record: what was added, removed, changed and moved.

Records are matched by ``index`` (the split keeps it stable across builds), so the answer
is the same whatever order the parts list their records in. A build is a folder written by
``build`` or a published repo ``hf://datasets/OWNER/NAME[@REV]``; both are read through the
manifest (``manifest.read``), and every part file is checked against its sha256 there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import orjson

from dolly_ja_16k import manifest as mf
from dolly_ja_16k.errors import InputError
from dolly_ja_16k.hub.addresses import is_hub, parse_build
from dolly_ja_16k.hub.remote import download_build
from dolly_ja_16k.layout import MANIFEST_FILE
from dolly_ja_16k.read.records import FIELDS, Record

#: One record as read from a part: the part's name and the record's fields.
Located = tuple[str, dict[str, Any]]


def change_line(change: mf.Change) -> dict[str, Any]:
    """A change as ``changes.jsonl`` and ``diff --json`` write it: ``from``/``to`` for the parts a
    record moved between, and only the fields that apply to its kind of change."""
    line: dict[str, Any] = {"index": change.index, "change": change.change}
    if change.part is not None:
        line["part"] = change.part
    if change.fields is not None:
        line["fields"] = change.fields
    if change.source is not None:
        line["from"], line["to"] = change.source, change.target
    return line


@dataclass(frozen=True)
class BuildDiff:
    """The record-level difference of two builds; every list is in index order."""

    old: str
    new: str
    added: list[str]
    removed: list[str]
    #: Index of each changed record -> the fields whose values differ (in ``FIELDS`` order).
    changed_fields: dict[str, list[str]]
    #: Every record in another part in the new build (``change`` "moved", ``source`` → ``target``).
    moved: list[mf.Change]
    parts: list[mf.PartChange]
    #: Part of each added record in the new build, of each removed record in the old one.
    added_to: dict[str, str]
    removed_from: dict[str, str]

    @property
    def changed(self) -> list[str]:
        return list(self.changed_fields)

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed_fields or self.moved)

    def to_json(self) -> dict[str, Any]:
        """One JSON object: what ``diff --json`` prints."""
        return {
            "old": self.old,
            "new": self.new,
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "changed_fields": self.changed_fields,
            "moved": [{"index": m.index, "from": m.source, "to": m.target} for m in self.moved],
            "parts": msgspec.to_builtins(self.parts),
        }

    def changes(self) -> list[mf.Change]:
        """Every record-level change, in index order: added, removed, changed or moved.

        A record that both changed and moved is one change, ``changed``, with its fields
        and the parts it moved between.
        """
        moves = {m.index: m for m in self.moved}
        events = [mf.Change(index=i, change="added", part=self.added_to[i]) for i in self.added]
        events += [mf.Change(index=i, change="removed", part=self.removed_from[i]) for i in self.removed]
        for index, fields in self.changed_fields.items():
            move = moves.pop(index, None)
            source, target = (move.source, move.target) if move else (None, None)
            events.append(mf.Change(index=index, change="changed", fields=fields, source=source, target=target))
        events += moves.values()
        events.sort(key=lambda e: index_order(e.index))
        return events

    def summary(self) -> str:
        """A few lines for people: the totals, then one row per part."""
        if self.identical:
            head = "no record-level differences"
        else:
            head = (f"{len(self.added):,} added, {len(self.removed):,} removed, {len(self.changed_fields):,} changed, "
                    f"{len(self.moved):,} moved to another part")
        lines = [f"{self.old} -> {self.new}: {head}"]
        width = max(len(p.name) for p in self.parts)
        for p in self.parts:
            lines.append(f"  {p.name:<{width}}  {p.old:>7,} -> {p.new:>7,}  +{p.added:,} -{p.removed:,} "
                         f"moved in {p.moved_in:,} out {p.moved_out:,}, changed {p.changed:,}")
        field_counts: dict[str, int] = {}
        for fields in self.changed_fields.values():
            for name in fields:
                field_counts[name] = field_counts.get(name, 0) + 1
        if field_counts:
            lines.append("  changed fields: " + ", ".join(f"{n} {c:,}" for n, c in field_counts.items()))
        return "\n".join(lines)


def index_order(index: str) -> tuple[int, int, str]:
    """Numeric indexes in number order first, then every other index in text order."""
    if index.isascii() and index.isdigit():
        return (0, int(index), index)
    return (1, 0, index)


def _field_order(name: str) -> tuple[int, str]:
    return (FIELDS.index(name), "") if name in FIELDS else (len(FIELDS), name)


def diff_builds(old: str | Path, new: str | Path) -> BuildDiff:
    """Compare the builds at ``old`` and ``new`` (folders or ``hf://datasets/OWNER/NAME@REV``)."""
    old_parts, old_records = read_build(old)
    new_parts, new_records = read_build(new)
    return diff_records(str(old), str(new), old_parts, old_records, new_parts, new_records)


def diff_records(old_name: str, new_name: str, old_parts: list[str], old: dict[str, Located],
                 new_parts: list[str], new: dict[str, Located]) -> BuildDiff:
    """The difference of two builds already read (part names, index -> (part, record))."""
    names = new_parts + [p for p in old_parts if p not in new_parts]
    counts = {name: dict.fromkeys(("old", "new", "added", "removed", "moved_in", "moved_out", "changed"), 0)
              for name in names}
    for key, located in (("old", old), ("new", new)):
        for part, _ in located.values():
            counts[part][key] += 1
    added = sorted(new.keys() - old.keys(), key=index_order)
    removed = sorted(old.keys() - new.keys(), key=index_order)
    for key, indexes, build in (("added", added, new), ("removed", removed, old)):
        for index in indexes:
            counts[build[index][0]][key] += 1
    changed: dict[str, list[str]] = {}
    moved: list[mf.Change] = []
    for index in sorted(old.keys() & new.keys(), key=index_order):
        (was, before), (now, after) = old[index], new[index]
        fields = sorted((k for k in before.keys() | after.keys() if before.get(k) != after.get(k)), key=_field_order)
        if fields:
            changed[index] = fields
            counts[now]["changed"] += 1
        if was != now:
            moved.append(mf.Change(index=index, change="moved", source=was, target=now))
            counts[was]["moved_out"] += 1
            counts[now]["moved_in"] += 1
    return BuildDiff(old=old_name, new=new_name, added=added, removed=removed, changed_fields=changed, moved=moved,
                     parts=[mf.PartChange(name=name, **c) for name, c in counts.items()],
                     added_to={i: new[i][0] for i in added}, removed_from={i: old[i][0] for i in removed})


@dataclass(frozen=True)
class Release:
    """A build as read for comparing: every record by index, and how to name the build."""

    #: ``hf://datasets/OWNER/NAME@COMMIT`` for a published build, the folder's own name for a local one.
    name: str
    commit: str | None
    parts: list[str]
    records: dict[str, Located]
    #: How it was split (``parts``, ``strategy``, ``seed``): a build that differs moves most records.
    split: dict[str, object] = field(default_factory=dict)


def read_build(location: str | Path) -> tuple[list[str], dict[str, Located]]:
    """The part names of a build and every record by index, checked against the manifest."""
    release = read_release(location)
    return release.parts, release.records


def read_release(location: str | Path) -> Release:
    """A build folder or ``hf://datasets/OWNER/NAME@REV``, every part checked against the manifest.

    Every file is read only if it is a regular file (``manifest.read_regular``): a FIFO or a
    device put in a build folder is one line, not a read that never ends.
    """
    folder, name, commit = _locate(location)
    manifest = mf.read(folder)
    records: dict[str, Located] = {}
    for part in manifest.splits:  # the validation split, if any, is compared like a part
        path = folder / part.file
        entry = manifest.file(part.file)
        try:
            data = mf.read_regular(path)
        except OSError as err:
            raise InputError(f"cannot read part {part.name} ({err.strerror or err})", path) from None
        if mf.entry_for(part.file, data) != entry:
            raise InputError(f"part {part.name} does not match its sha256 in {MANIFEST_FILE} (edited after the build?)",
                             path)
        for number, line in enumerate(data.splitlines(), 1):
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise InputError("not a JSON object", path, f"line {number}") from None
            index = record.get("index") if isinstance(record, dict) else None
            if not isinstance(index, str):
                raise InputError("a record without a text index", path, f"line {number}")
            if index in records:
                raise InputError(f'index "{index}" is also in part {records[index][0]}', path, f"line {number}")
            records[index] = (part.name, record)
    return Release(name, commit, [s.name for s in manifest.splits], records, split_settings(manifest))


def split_settings(manifest: mf.Manifest) -> dict[str, object]:
    """The settings that decide which part a record goes to: the same ones keep every record in place."""
    return {"parts": len(manifest.parts), "strategy": getattr(manifest.options, "strategy", None),
            "seed": getattr(manifest.options, "seed", None)}


def _locate(location: str | Path) -> tuple[Path, str, str | None]:
    """The local folder of a build, how to name it, and the commit it was read at (Hub builds)."""
    if is_hub(location):
        address = parse_build(str(location))
        folder, commit = download_build(address)
        return folder, f"hf://datasets/{address.repo_id}@{commit}", commit
    folder = Path(location)
    if not folder.is_dir():
        raise InputError("no such folder (expected a build folder or hf://datasets/OWNER/NAME@REV)", folder)
    return folder, folder.resolve().name, None


def changes_since(previous: Release, parts: dict[str, list[Record]], name: str = "this build") -> BuildDiff:
    """What changed from ``previous`` to a build whose parts are in memory (name → records)."""
    new: dict[str, Located] = {r["index"]: (part, dict(r)) for part, records in parts.items() for r in records}
    return diff_records(previous.name, name, previous.parts, previous.records, list(parts), new)


def change_lines(result: BuildDiff) -> bytes:
    """``changes.jsonl``: one JSON line per record-level change, in index order."""
    return b"".join(orjson.dumps(change_line(change)) + b"\n" for change in result.changes())
