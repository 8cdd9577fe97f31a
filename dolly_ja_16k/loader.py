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
from dolly_ja_16k.layout import ALL_CONFIG, DEFAULT_OUT, MANIFEST_FILE, config_names
from dolly_ja_16k.manifest import Manifest, file_sha256
from dolly_ja_16k.manifest import read as manifest_read


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
    """A config of the card: ``all`` (one split per part), a part, or a part in a training format."""


def _configs(names: list[str]) -> list[DollyJa16kConfig]:
    return [DollyJa16kConfig(name=name, description="every part, one split each" if name == ALL_CONFIG
                             else f"{name} as a single train split") for name in names]


def card_configs(manifest: Manifest) -> dict[str, dict[str, Any]]:
    """Every config the card lists (name → its ``data_files`` and ``dataset_info``), from the manifest."""
    from dolly_ja_16k.write.card import card_metadata

    metadata = card_metadata(manifest)
    infos = {info["config_name"]: info for info in metadata["dataset_info"]}
    return {c["config_name"]: {"data_files": c["data_files"], "info": infos[c["config_name"]]}
            for c in metadata["configs"]}


class DollyJa16k(datasets.GeneratorBasedBuilder):
    """databricks-dolly-15k-ja in named parts, read from a build folder or a Hub repo.

    ``DollyJa16k("2_of_4", source="dist/dolly-ja-16k")`` or ``source="OWNER/NAME"``. The configs
    are the card's, so every config the Hub shows loads here too (``2_of_4-messages`` …).
    """

    BUILDER_CONFIG_CLASS = DollyJa16kConfig
    BUILDER_CONFIGS = _configs(config_names(4))
    DEFAULT_CONFIG_NAME = ALL_CONFIG

    def __init__(self, config_name: str | None = None, *, source: str | Path = DEFAULT_OUT,
                 revision: str | None = None, **kwargs: Any) -> None:
        self.folder = resolve_source(source, revision)
        self.manifest, manifest_sha = read_manifest(self.folder)
        self.card_configs = card_configs(self.manifest)
        _check_config(config_name or ALL_CONFIG, self.card_configs)
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
        info = self.card_configs[self.config.name]["info"]
        features = datasets.Features._from_yaml_list(info["features"])
        return datasets.DatasetInfo(description="databricks-dolly-15k-ja in named parts", features=features,
                                    license="cc-by-sa-3.0")

    def _split_generators(self, dl_manager: datasets.DownloadManager) -> list[datasets.SplitGenerator]:
        _check_config(self.config.name, self.card_configs)
        # the files were checked by download_and_prepare / as_streaming_dataset just before
        return [datasets.SplitGenerator(name=f["split"], gen_kwargs={"path": self.folder / f["path"]})
                for f in self.card_configs[self.config.name]["data_files"]]

    def _generate_examples(self, path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f):
                yield number, json.loads(line)


def _check_config(name: str, configs: dict[str, Any]) -> None:
    if name not in configs:
        raise DollyError(f"config {name!r} is not in this build; it has {', '.join(configs)}")


def builder_for(config: str, source: str | Path = DEFAULT_OUT, revision: str | None = None,
                **kwargs: Any) -> DollyJa16k:
    """A builder for ``config``, with the configs of this build's card (a build of 3 parts has ``3_of_3``)."""
    folder = resolve_source(source, revision)
    names = list(card_configs(read_manifest(folder)[0]))
    _check_config(config, dict.fromkeys(names))
    cls = type("DollyJa16kBuild", (DollyJa16k,), {"BUILDER_CONFIGS": _configs(names)})
    return cls(config, source=folder, **kwargs)


def load(config: str = ALL_CONFIG, source: str | Path = DEFAULT_OUT, *, split: str | None = None,
         revision: str | None = None, **kwargs: Any) -> datasets.Dataset | datasets.DatasetDict:
    """``load("2_of_4", "dist/dolly-ja-16k", split="train")``: like ``load_dataset``, checksums first.

    Every config the card lists loads (``all``, ``2_of_4``, ``2_of_4-messages`` …). Every file
    is checked against the manifest on every call, also when the rows come from the cache of
    an earlier load.
    """
    builder = builder_for(config, source, revision, **kwargs)
    builder.download_and_prepare()
    return builder.as_dataset(split=split)
