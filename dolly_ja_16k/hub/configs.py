"""The remote card's configs: which are ours, which someone else added, and the card that keeps theirs.

A publish only replaces what it made: configs of the remote card that this build does not
define are kept (with their ``dataset_info``) and merged into the card it commits. ``datasets``
reads every config of a repo with the builder of the first one, so configs in another format
than JSON Lines are reported (the publish refuses them unless ``--force``).
"""

from __future__ import annotations

import json
from typing import Any

from dolly_ja_16k.manifest import Manifest

#: Data file endings of configs that ``datasets`` reads with the same builder as ours.
JSON_ENDINGS = (".jsonl", ".json")


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


def split_foreign(configs: list[dict[str, Any]], infos: list[dict[str, Any]], built: frozenset[str],
                  ours: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The remote card's configs (and their dataset_info) that no build of ours made.

    A config is ours when this build defines its name, or when every file it names is
    listed by the remote's manifest.json (an earlier build, e.g. ``3_of_4`` before a
    rebuild into two parts). Everything else was added by someone else and is kept.
    """
    foreign = []
    for config in configs:
        name = config.get("config_name", "default")
        paths = config_paths(config)
        earlier = bool(paths) and all(p in built for p in paths)
        if name not in ours and not earlier:
            foreign.append({k: v for k, v in config.items() if k != "default"})  # ours stays the default
    names = {c.get("config_name", "default") for c in foreign}
    return foreign, [i for i in infos if i.get("config_name", "default") in names]


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


def earlier_build(text: str) -> frozenset[str]:
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


def card_configs(text: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str | None]:
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
