"""The dataset card (README.md): YAML from ``DatasetCardData``, body from ``dataset_card/``.

The card is a pure function of the manifest (and the repo id for the usage snippets), so a
publish can render it for its target repo and ``verify`` can re-derive what it must say.

``DatasetCard.from_template`` renders it: the card data's YAML and fields, plus the
values below, go into the Jinja templates of ``dataset_card/``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from .layout import ALL_CONFIG, PART_SPLIT
from .manifest import Manifest, Part

if TYPE_CHECKING:
    from huggingface_hub import DatasetCardData

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


def _features(manifest: Manifest) -> list[dict[str, str]]:
    # a new list per config: a shared one would be dumped as a YAML anchor and aliases
    return [{"name": name, "dtype": "string"} for name in manifest.features]


def _split_info(part: Part, name: str) -> dict[str, Any]:
    return {"name": name, "num_bytes": part.num_bytes, "num_examples": part.records}


def card_metadata(manifest: Manifest, parts: list[Part] | None = None) -> dict[str, Any]:
    """``configs`` and ``dataset_info`` for the card's YAML.

    With all parts: a default config ``all`` (one split per part) plus one config per part
    with a single ``train`` split. With one part (the per-part layout): just that part,
    as the default config's ``train`` split.
    """
    every = manifest.parts

    def size(chosen: list[Part]) -> int:
        return sum(manifest.file(p.file).bytes for p in chosen)

    if parts is None:
        configs: list[dict[str, Any]] = [{
            "config_name": ALL_CONFIG,
            "default": True,
            "data_files": [{"split": p.name, "path": p.file} for p in every],
        }]
        infos: list[dict[str, Any]] = [{
            "config_name": ALL_CONFIG,
            "features": _features(manifest),
            "splits": [_split_info(p, p.name) for p in every],
            "download_size": size(every),
            "dataset_size": sum(p.num_bytes for p in every),
        }]
        for p in every:
            configs.append({"config_name": p.name, "data_files": [{"split": PART_SPLIT, "path": p.file}]})
            infos.append({"config_name": p.name, "features": _features(manifest),
                          "splits": [_split_info(p, PART_SPLIT)],
                          "download_size": size([p]), "dataset_size": p.num_bytes})
        return {"configs": configs, "dataset_info": infos}
    configs = [{"config_name": "default", "data_files": [{"split": PART_SPLIT, "path": p.file} for p in parts]}]
    infos = [{"config_name": "default", "features": _features(manifest),
              "splits": [{"name": PART_SPLIT, "num_bytes": sum(p.num_bytes for p in parts),
                          "num_examples": sum(p.records for p in parts)}],
              "download_size": size(parts),
              "dataset_size": sum(p.num_bytes for p in parts)}]
    return {"configs": configs, "dataset_info": infos}


def _card_data(manifest: Manifest, records: int, parts: list[Part] | None, name: str) -> DatasetCardData:
    from huggingface_hub import DatasetCardData

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


def _count_rows(manifest: Manifest, key: str) -> list[dict[str, Any]]:
    """One row per category (or style): its count in each part and in all."""
    tables = [getattr(p, key) or {} for p in manifest.parts]
    rows = []
    for name in sorted({c for table in tables for c in table}):
        counts = [table.get(name, 0) for table in tables]
        rows.append({"name": name, "counts": counts, "total": sum(counts)})
    return rows


def review_text(manifest: Manifest) -> str:
    """One sentence on what the review did, from the manifest's counts."""
    review = manifest.review
    if review is None:
        return ""
    if review.keep_all:
        return (f"The review checked {review.records_in:,} records and changed or dropped nothing; "
                "what it found is flagged below and in `review.jsonl`.")
    fixes = sum(r.count for r in review.rules if r.action == "fix")
    return (f"The review checked {review.records_in:,} records: {fixes:,} fixes were made, "
            f"{review.records_dropped:,} records were dropped and {review.records_kept:,} kept.")


def option_lines(manifest: Manifest) -> list[str]:
    """The options that shaped the data, as ``name=value`` (unset ones left out)."""
    values = msgspec.structs.asdict(manifest.options)
    return [f"{k}={v}" for k, v in values.items() if v is not None and v != []]


def _template(name: str) -> Path:
    """dataset_card/NAME: from the source tree when run from it, else from the installed package."""
    in_tree = Path(__file__).resolve().parent.parent / "dataset_card" / name
    if in_tree.is_file():
        return in_tree
    return Path(str(resources.files("dolly_ja_16k.dataset_card").joinpath(name)))


def render_card(manifest: Manifest, repo_id: str | None = None, part: str | None = None) -> str:
    """README.md text for a build (or, with ``part``, for one part's own repo)."""
    from huggingface_hub import DatasetCard

    names = manifest.part_names
    parts = None if part is None else [manifest.part(part)]
    records = sum(p.records for p in (parts or manifest.parts))
    name = PRETTY_NAME if part is None else f"{PRETTY_NAME}, part {part}"
    card = DatasetCard.from_template(
        _card_data(manifest, records, parts, name),
        template_path=str(_template(TEMPLATE if part is None else PART_TEMPLATE)),
        m=manifest,
        repo_id=repo_id or manifest.options.repo_id or EXAMPLE_REPO,
        part=part,
        part_index=names.index(part) if part else None,
        records=records,
        first_part=names[0],
        second_part=names[min(1, len(names) - 1)],
        categories=_count_rows(manifest, "categories"),
        styles=_count_rows(manifest, "styles"),
        review_text=review_text(manifest),
        options=option_lines(manifest),
    )
    return str(card).rstrip("\n") + "\n"
