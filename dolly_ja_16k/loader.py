"""A ``datasets`` builder over a built folder or a Hub repo, for Python users of this package.

On the Hub, ``load_dataset(repo_id, config)`` needs no script: the card's ``configs:`` do
it. This builder adds what the card cannot: every file the manifest lists is checked
against its sha256 on every load, cached or not (hashing the 16 MB of a build takes tens
of milliseconds), and the cache is keyed by the manifest's hash, so a rebuild is never
served from a stale cache and a file changed since the first load is an error, not old rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import datasets

from dolly_ja_16k.errors import DollyError
from dolly_ja_16k.hub.addresses import is_repo_id
from dolly_ja_16k.layout import ALL_CONFIG, DEFAULT_OUT, MANIFEST_FILE, PART_SPLIT, config_names, parse_part_name
from dolly_ja_16k.manifest import Manifest, file_sha256
from dolly_ja_16k.manifest import read as manifest_read
from dolly_ja_16k.read.records import FLAGS


class ChecksumError(DollyError):
    """A file differs from what the manifest recorded."""


def resolve_source(source: str | Path, revision: str | None = None) -> Path:
    """A built folder as is, or a Hub dataset repo id downloaded through the HF cache.

    A folder's manifest is read (and checked) here, so a missing or malformed one is one
    ``ManifestError`` line before ``datasets`` is involved.
    """
    path = Path(source)
    if path.is_dir():
        manifest_read(path)
        return path
    if not is_repo_id(str(source)):
        raise DollyError(f"{source}: not a folder, and not a Hub repo id (OWNER/NAME)")
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(str(source), repo_type="dataset", revision=revision))


def read_manifest(folder: Path) -> tuple[Manifest, str]:
    """The checked manifest and its sha256 (which names the build, for caching)."""
    manifest = manifest_read(folder)
    return manifest, file_sha256(folder / MANIFEST_FILE)


def check_file(folder: Path, relpath: str, expected: str) -> Path:
    """The file's path, after checking it against its sha256 from the manifest.

    Symlinks are followed: the files of a Hub download are links into the HF cache's blobs.
    """
    path = folder / relpath
    if not path.is_file():
        raise ChecksumError(f"{path}: missing (the manifest lists it)")
    actual = file_sha256(path)
    if actual != expected:
        raise ChecksumError(f"{path}: sha256 {actual} does not match the manifest's {expected}; "
                            "the file was changed after the build (rebuild, or download it again)")
    return path


def check_checksums(folder: Path, manifest: Manifest) -> None:
    """Every file the manifest lists, against its sha256; the first that differs is a ``ChecksumError``."""
    for entry in manifest.files:
        check_file(folder, entry.path, entry.sha256)


class DollyJa16kConfig(datasets.BuilderConfig):
    """``all`` (one split per part) or one part (a single ``train`` split)."""


def _configs(parts: int) -> list[DollyJa16kConfig]:
    return [DollyJa16kConfig(name=name, description="every part, one split each" if name == ALL_CONFIG
                             else f"part {name} as a single train split") for name in config_names(parts)]


class DollyJa16k(datasets.GeneratorBasedBuilder):
    """databricks-dolly-15k-ja in named parts, read from a build folder or a Hub repo.

    ``DollyJa16k("2_of_4", source="dist/dolly-ja-16k")`` or ``source="OWNER/NAME"``.
    """

    BUILDER_CONFIG_CLASS = DollyJa16kConfig
    BUILDER_CONFIGS = _configs(4)
    DEFAULT_CONFIG_NAME = ALL_CONFIG

    def __init__(self, config_name: str | None = None, *, source: str | Path = DEFAULT_OUT,
                 revision: str | None = None, **kwargs: Any) -> None:
        self.folder = resolve_source(source, revision)
        self.manifest, manifest_sha = read_manifest(self.folder)
        kwargs.setdefault("hash", manifest_sha[:16])
        super().__init__(config_name=config_name, **kwargs)

    def download_and_prepare(self, *args: Any, **kwargs: Any) -> None:
        """Check every file, then prepare (or reuse the cache): a cached load is checked too."""
        check_checksums(self.folder, self.manifest)
        super().download_and_prepare(*args, **kwargs)

    def as_streaming_dataset(self, *args: Any, **kwargs: Any) -> Any:
        """Check every file, then stream (streaming never calls ``download_and_prepare``)."""
        check_checksums(self.folder, self.manifest)
        return super().as_streaming_dataset(*args, **kwargs)

    def _info(self) -> datasets.DatasetInfo:
        features = datasets.Features({name: datasets.List(datasets.Value("string")) if name == FLAGS
                                      else datasets.Value("string") for name in self.manifest.features})
        return datasets.DatasetInfo(description="databricks-dolly-15k-ja in named parts", features=features,
                                    license="cc-by-sa-3.0")

    def _split_generators(self, dl_manager: datasets.DownloadManager) -> list[datasets.SplitGenerator]:
        parts = {p.name: p for p in self.manifest.parts}
        name = self.config.name
        if name == ALL_CONFIG:
            chosen = [(p, p) for p in parts]
        elif name in parts:
            chosen = [(name, PART_SPLIT)]
        else:
            raise DollyError(f"config {name!r} is not in this build; it has {', '.join(config_names(len(parts)))}")
        # the files were checked by download_and_prepare / as_streaming_dataset just before
        return [datasets.SplitGenerator(name=split, gen_kwargs={"path": self.folder / parts[part].file})
                for part, split in chosen]

    def _generate_examples(self, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f):
                yield number, json.loads(line)


def builder_for(config: str, source: str | Path = DEFAULT_OUT, revision: str | None = None,
                **kwargs: Any) -> DollyJa16k:
    """A builder for ``config``; builds with other part counts get their own config list."""
    parsed = parse_part_name(config)
    cls: type[DollyJa16k] = DollyJa16k
    if parsed and parsed[1] != 4:
        cls = type(f"DollyJa16k{parsed[1]}", (DollyJa16k,), {"BUILDER_CONFIGS": _configs(parsed[1])})
    return cls(config, source=source, revision=revision, **kwargs)


def load(config: str = ALL_CONFIG, source: str | Path = DEFAULT_OUT, *, split: str | None = None,
         revision: str | None = None, **kwargs: Any) -> datasets.Dataset | datasets.DatasetDict:
    """``load("2_of_4", "dist/dolly-ja-16k", split="train")``: like ``load_dataset``, checksums first.

    Every file is checked against the manifest on every call, also when the rows come
    from the cache of an earlier load.
    """
    builder = builder_for(config, source, revision, **kwargs)
    builder.download_and_prepare()
    return builder.as_dataset(split=split)
