"""The dataset card (README.md): YAML from ``DatasetCardData``, body from ``dataset_card/``.

The card is a pure function of the manifest (and the repo id for the usage snippets), so a
publish can render it for its target repo and ``verify`` can re-derive what it must say.

``render_card`` does what ``DatasetCard.from_template`` does (the card data's ``to_yaml()``
and its fields, plus our values, into the Jinja template) without importing
``huggingface_hub.repocard``: that module loads the whole Hub client, about 0.15 s of a
0.6 s build, only to re-parse and re-dump the YAML it was given. ``DatasetCard`` stays the
judge: ``verify`` reads the card with it, and the tests check that ``DatasetCard`` reads
every rendered card and writes it back byte for byte.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from .layout import ALL_CONFIG, PART_SPLIT

LICENSE = "cc-by-sa-3.0"
PRETTY_NAME = "Dolly 15k Japanese in named parts (dolly-ja-16k)"
#: Shown in usage snippets when the build was not told its Hub repo.
EXAMPLE_REPO = "YOUR_NAME/dolly-ja-16k"
TEMPLATE = "template.md"
PART_TEMPLATE = "part_template.md"
_SIZE_BOUNDS = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M")]


def size_category(records: int) -> str:
    for bound, name in _SIZE_BOUNDS:
        if records < bound:
            return name
    return "10M<n<100M"


def _features(manifest: dict[str, Any]) -> list[dict[str, str]]:
    # a new list per config: a shared one would be dumped as a YAML anchor and aliases
    return [{"name": name, "dtype": "string"} for name in manifest["features"]]


def _split_info(part: dict[str, Any], name: str) -> dict[str, Any]:
    return {"name": name, "num_bytes": part["num_bytes"], "num_examples": part["records"]}


def card_metadata(manifest: dict[str, Any], parts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``configs`` and ``dataset_info`` for the card's YAML.

    With all parts: a default config ``all`` (one split per part) plus one config per part
    with a single ``train`` split. With one part (the per-part layout): just that part,
    as the default config's ``train`` split.
    """
    every = manifest["parts"]
    if parts is None:
        configs: list[dict[str, Any]] = [{
            "config_name": ALL_CONFIG,
            "default": True,
            "data_files": [{"split": p["name"], "path": p["file"]} for p in every],
        }]
        infos: list[dict[str, Any]] = [{
            "config_name": ALL_CONFIG,
            "features": _features(manifest),
            "splits": [_split_info(p, p["name"]) for p in every],
            "download_size": sum(p["bytes"] for p in every),
            "dataset_size": sum(p["num_bytes"] for p in every),
        }]
        for p in every:
            configs.append({"config_name": p["name"], "data_files": [{"split": PART_SPLIT, "path": p["file"]}]})
            infos.append({"config_name": p["name"], "features": _features(manifest),
                          "splits": [_split_info(p, PART_SPLIT)],
                          "download_size": p["bytes"], "dataset_size": p["num_bytes"]})
        return {"configs": configs, "dataset_info": infos}
    configs = [{"config_name": "default", "data_files": [{"split": PART_SPLIT, "path": p["file"]}
                                                          for p in parts]}]
    infos = [{"config_name": "default", "features": _features(manifest),
              "splits": [{"name": PART_SPLIT, "num_bytes": sum(p["num_bytes"] for p in parts),
                          "num_examples": sum(p["records"] for p in parts)}],
              "download_size": sum(p["bytes"] for p in parts),
              "dataset_size": sum(p["num_bytes"] for p in parts)}]
    return {"configs": configs, "dataset_info": infos}


def _card_data(manifest: dict[str, Any], records: int, parts: list[dict[str, Any]] | None, name: str):
    from huggingface_hub.repocard_data import DatasetCardData

    return DatasetCardData(
        language=["ja"],
        license=LICENSE,
        language_creators=["machine-generated"],
        multilinguality="monolingual",
        size_categories=size_category(records),
        source_datasets=["kunishou/databricks-dolly-15k-ja", "databricks/databricks-dolly-15k"],
        task_categories=["text-generation", "question-answering", "summarization"],
        pretty_name=name,
        tags=["dolly", "instruction-tuning", "japanese"],
        **card_metadata(manifest, parts),
    )


def _category_rows(manifest: dict[str, Any], key: str) -> list[dict[str, Any]]:
    names = sorted({c for p in manifest["parts"] for c in p.get(key, {})})
    rows = []
    for name in names:
        counts = [p.get(key, {}).get(name, 0) for p in manifest["parts"]]
        rows.append({"name": name, "counts": counts, "total": sum(counts)})
    return rows


def _template(name: str):
    """dataset_card/NAME: from the source tree when run from it, else from the installed package."""
    in_tree = Path(__file__).resolve().parent.parent / "dataset_card" / name
    if in_tree.is_file():
        return in_tree
    return resources.files("dolly_ja_16k.dataset_card").joinpath(name)


def render_card(manifest: dict[str, Any], repo_id: str | None = None, part: str | None = None) -> str:
    """README.md text for a build (or, with ``part``, for one part's own repo)."""
    import jinja2

    parts = None if part is None else [p for p in manifest["parts"] if p["name"] == part]
    records = sum(p["records"] for p in (parts or manifest["parts"]))
    name = PRETTY_NAME if part is None else f"{PRETTY_NAME}, part {part}"
    template = _template(TEMPLATE if part is None else PART_TEMPLATE)
    data = _card_data(manifest, records, parts, name)
    values = dict(
        m=manifest,
        repo_id=repo_id or manifest["options"].get("repo_id") or EXAMPLE_REPO,
        part=part,
        part_index=[p["name"] for p in manifest["parts"]].index(part) if part else None,
        records=records,
        first_part=manifest["parts"][0]["name"],
        second_part=manifest["parts"][min(1, len(manifest["parts"]) - 1)]["name"],
        categories=_category_rows(manifest, "categories"),
        styles=_category_rows(manifest, "styles"),
    )
    # the card data's fields first, ours over them: the order from_template gives them
    text = jinja2.Template(template.read_text(encoding="utf-8")).render(
        {**data.to_dict(), **values}, card_data=data.to_yaml())
    return text.rstrip("\n") + "\n"
