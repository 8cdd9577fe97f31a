"""Write a build: JSON Lines parts, extra files, card and manifest, staged and swapped in.

Everything goes into a staging folder beside ``out``; only when every file is written
does the staging folder replace ``out`` (an atomic exchange on Linux), so an interrupted
or failed build never leaves a half-written or missing output folder.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Mapping
from operator import itemgetter
from pathlib import Path

import orjson

from dolly_ja_16k.layout import MANIFEST_FILE, SUPPLEMENT_PREFIX, part_file
from dolly_ja_16k.manifest import FileEntry, Manifest, Part, entry_for, to_bytes
from dolly_ja_16k.read.records import FLAGS, Record

STAGING_TAG = ".building-"


def encode_lines(records: Iterable[Mapping[str, object]]) -> bytearray:
    """One compact JSON object per line, UTF-8 (not ASCII-escaped), keys in record order."""
    dumps, opt = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    out = bytearray()  # appending beats keeping a million small bytes objects alive for a join
    for record in records:
        out += dumps(record, option=opt)
    return out  # not bytes(out): that copy doubled a 270 MB part at the peak of a 1M-record build


def arrow_nbytes(records: list[Record], fields: Iterable[str]) -> int:
    """The Arrow size ``datasets`` records for string columns (and ``flags``) without nulls.

    Equal to ``pyarrow.Table.from_pylist(records).nbytes`` (tests check it): per column
    4 bytes of int32 offset per value (pyarrow counts n of the n + 1) plus the UTF-8 bytes.
    Counting it here keeps pyarrow's import (about 0.2 s) off the build path.
    """
    n = len(records)
    total = 0
    for name in fields:
        if name == FLAGS:  # list<string>: 4 bytes of list offset per row, then per string as above
            total += 4 * n + sum(4 + len(flag.encode()) for r in records for flag in r[FLAGS])
            continue
        # value by value: encoding reuses the UTF-8 that orjson left cached in each string,
        # and no column-sized copy is made (a join was slower and doubled a column in memory)
        total += 4 * n + sum(map(len, map(str.encode, map(itemgetter(name), records))))
    return total


def part_info(name: str, records: list[Record], fields: list[str]) -> Part:
    """What the manifest says of one part (its file's hash and size come from ``Staging.write``)."""
    styles = Counter(r["style"] for r in records) if "style" in fields else None
    return Part(
        name=name,
        file=part_file(name),
        records=len(records),
        num_bytes=arrow_nbytes(records, fields),
        categories=dict(sorted(Counter(map(itemgetter("category"), records)).items())),
        styles=dict(sorted(styles.items())) if styles is not None else None,
        supplement_records=sum(1 for r in records if r["index"].startswith(SUPPLEMENT_PREFIX)),
        flagged=sum(1 for r in records if r[FLAGS]) if FLAGS in fields else None,
    )


class Staging:
    """A staging folder beside ``out``, for ``with``: ``commit()`` swaps it in, leaving discards it.

    The folder is made in ``__enter__``, so a signal (SIGTERM, Ctrl-C) at any moment after
    it exists unwinds through ``__exit__`` and removes it.
    """

    def __init__(self, out: Path) -> None:
        # ``b/data/..`` is ``b``; a symlink to an earlier build is followed, so the build
        # replaces the folder it points to and the link itself stays
        self.out = out = Path(os.path.abspath(out.resolve() if out.is_symlink() else out))
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out)
        self.path = out.parent / f".{out.name}{STAGING_TAG}{os.getpid()}"
        self.files: dict[str, FileEntry] = {}

    def write(self, relpath: str, data: bytes | bytearray, *, track: bool = True) -> None:
        """Write one file; tracked files are listed with their sha256 and size in the manifest."""
        target = self.path / relpath
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as err:  # a full disk says nothing of the file: name it
            raise OSError(err.errno, err.strerror, str(target)) from None
        if track:
            self.files[relpath] = entry_for(relpath, data)

    def entries(self) -> list[FileEntry]:
        """The tracked files so far, in path order."""
        return [self.files[path] for path in sorted(self.files)]

    def write_manifest(self, manifest: Manifest) -> None:
        self.write(MANIFEST_FILE, to_bytes(manifest), track=False)

    def commit(self) -> None:
        for root, _dirs, names in os.walk(self.path):
            for name in names:  # flush file contents before the folder becomes visible
                fd = os.open(os.path.join(root, name), os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
        if self.out.exists():
            replace_dir(self.path, self.out)
        else:
            os.rename(self.path, self.out)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Staging:
        try:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path.mkdir()
        except BaseException:  # e.g. SystemExit from SIGTERM right after mkdir: no __exit__ then
            self.discard()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()  # after a commit the path no longer exists; otherwise clean up


def write_file(path: Path, data: bytes | bytearray) -> None:
    """Write one file whole or not at all: into a hidden file beside it, then renamed over it.

    A failure (a full disk, Ctrl-C) removes the hidden file and leaves ``path`` as it was.
    """
    path = Path(os.path.abspath(path))
    staged = path.parent / f".{path.name}{STAGING_TAG}{os.getpid()}"
    try:
        with open(staged, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(staged, path)
    except BaseException as err:
        with contextlib.suppress(OSError):  # it may never have been made (no such folder)
            staged.unlink(missing_ok=True)
        if isinstance(err, OSError):  # name the file asked for, not the hidden one (or none: a full disk)
            raise OSError(err.errno, err.strerror, str(path)) from None
        raise


def remove_stale_staging(out: Path) -> None:
    """Remove staging folders left by builds that were killed (their process is gone)."""
    for path in out.parent.glob(f".{out.name}{STAGING_TAG}*"):
        pid = path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def replace_dir(new: Path, old: Path) -> None:
    """Put ``new`` where ``old`` is and delete the old contents.

    Linux's renameat2(RENAME_EXCHANGE) swaps the two names in one step, so ``old`` is
    always either the complete old build or the complete new one. Elsewhere the old
    folder is renamed aside first (a crash in between leaves it beside ``out``).
    """
    if not _exchange(new, old):
        aside = new.with_name(new.name + "-old")
        os.rename(old, aside)
        os.rename(new, old)
        new = aside
    shutil.rmtree(new)


def _exchange(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        libc = ctypes.CDLL(None, use_errno=True)  # the C library Python itself runs on
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is None:
            return False
        rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        return rc == 0
    return False
