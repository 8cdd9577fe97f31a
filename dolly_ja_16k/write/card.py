"""The dataset card (README.md): YAML from ``DatasetCardData``, body from ``dataset_card/``.

The card is a pure function of the manifest (and the repo id for the usage snippets), so a
publish can render it for its target repo and ``verify`` can re-derive what it must say.

``DatasetCard.from_template`` renders it: the card data's YAML and fields, plus the
values below, go into the Jinja templates of ``dataset_card/``.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dolly_ja_16k.errors import one_line
from dolly_ja_16k.layout import ALL_CONFIG, PART_SPLIT, VALIDATION_SPLIT
from dolly_ja_16k.manifest import Manifest, Part, SourceFile, TrainingConfig, per_part
from dolly_ja_16k.options import STYLE_WORDS, CardFacts, CommandFacts, card_lines, command_line
from dolly_ja_16k.read.records import FLAGS
from dolly_ja_16k.review.rules import summary_sentence
from dolly_ja_16k.write.formats import CONVERSATION_FORMATS, KEPT_FIELDS, column_feature, features
from dolly_ja_16k.write.plots import CAPTIONS

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
    return [column_feature(name) for name in manifest.features]


def _split_info(part: Part, name: str) -> dict[str, Any]:
    return {"name": name, "num_bytes": part.num_bytes, "num_examples": part.records}


def _training_configs(manifest: Manifest, part: str) -> list[TrainingConfig]:
    return [] if manifest.training is None else [c for c in manifest.training.configs if c.part == part]


def _held(manifest: Manifest, fmt: str | None = None) -> list[Part | TrainingConfig]:
    """The validation split as one more split of a config: raw (``fmt`` None) or in a training format."""
    held = manifest.validation
    if held is None:
        return []
    if fmt is None:
        return [held]
    return [c for c in held.training if c.format == fmt]


def _with_validation(manifest: Manifest, entry: dict[str, Any], info: dict[str, Any],
                     held: list[Part | TrainingConfig]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A config's ``configs`` and ``dataset_info`` entries with the ``validation`` split added."""
    for h in held:
        entry["data_files"].append({"split": VALIDATION_SPLIT, "path": h.file})
        info["splits"].append({"name": VALIDATION_SPLIT, "num_bytes": h.num_bytes, "num_examples": h.records})
        info["download_size"] += manifest.file(h.file).bytes
        info["dataset_size"] += h.num_bytes
    return entry, info


def _training_config(manifest: Manifest, config: TrainingConfig, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``configs`` and ``dataset_info`` entries of one training config, under ``name``."""
    entry = {"config_name": name, "data_files": [{"split": PART_SPLIT, "path": config.file}]}
    columns = features(config.format, "style" in manifest.features, FLAGS in manifest.features)
    info = {"config_name": name, "features": columns,
            "splits": [{"name": PART_SPLIT, "num_bytes": config.num_bytes, "num_examples": config.records}],
            "download_size": manifest.file(config.file).bytes, "dataset_size": config.num_bytes}
    return _with_validation(manifest, entry, info, _held(manifest, config.format))


def card_metadata(manifest: Manifest, parts: list[Part] | None = None) -> dict[str, Any]:
    """``configs`` and ``dataset_info`` for the card's YAML.

    With all parts: a default config ``all`` (one split per part), then per part its own
    config with a single ``train`` split followed by its training configs
    (``2_of_4-messages``, ``2_of_4-prompt_completion``), so each part's configs sort and
    read together. With one part (the per-part layout): that part as the default config,
    and its training configs as ``messages`` and ``prompt_completion``. A build with a
    validation split adds it to every config as the split ``validation``, in the config's
    own format (the same records for every part).
    """
    every = manifest.parts

    def size(chosen: list[Part]) -> int:
        return sum(manifest.file(p.file).bytes for p in chosen)

    configs: list[dict[str, Any]] = []
    infos: list[dict[str, Any]] = []

    def add(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
        configs.append(pair[0])
        infos.append(pair[1])

    if parts is None:
        add(_with_validation(manifest, {
            "config_name": ALL_CONFIG,
            "default": True,
            "data_files": [{"split": p.name, "path": p.file} for p in every],
        }, {
            "config_name": ALL_CONFIG,
            "features": _features(manifest),
            "splits": [_split_info(p, p.name) for p in every],
            "download_size": size(every),
            "dataset_size": sum(p.num_bytes for p in every),
        }, _held(manifest)))
        for p in every:
            add(_with_validation(manifest, {"config_name": p.name,
                                            "data_files": [{"split": PART_SPLIT, "path": p.file}]},
                                 {"config_name": p.name, "features": _features(manifest),
                                  "splits": [_split_info(p, PART_SPLIT)],
                                  "download_size": size([p]), "dataset_size": p.num_bytes}, _held(manifest)))
            for config in _training_configs(manifest, p.name):
                add(_training_config(manifest, config, config.name))
        return {"configs": configs, "dataset_info": infos}
    add(_with_validation(manifest, {"config_name": "default",
                                    "data_files": [{"split": PART_SPLIT, "path": p.file} for p in parts]},
                         {"config_name": "default", "features": _features(manifest),
                          "splits": [{"name": PART_SPLIT, "num_bytes": sum(p.num_bytes for p in parts),
                                      "num_examples": sum(p.records for p in parts)}],
                          "download_size": size(parts),
                          "dataset_size": sum(p.num_bytes for p in parts)}, _held(manifest)))
    for p in parts:
        for config in _training_configs(manifest, p.name):
            add(_training_config(manifest, config, config.format))
    return {"configs": configs, "dataset_info": infos}


#: Dolly categories whose records are questions answered from general knowledge: the
#: Hub's ``open-domain-qa`` (a question-answering subtask).
_OPEN_QA = {"open_qa", "general_qa"}
_QA = _OPEN_QA | {"closed_qa"}


def _categories(manifest: Manifest, parts: list[Part] | None) -> set[str]:
    return {c for p in (parts or manifest.parts) for c, n in p.categories.items() if n}


def _supplement_records(manifest: Manifest, parts: list[Part] | None) -> int:
    return sum(p.supplement_records for p in (parts or manifest.parts))


def language_creators(manifest: Manifest, parts: list[Part] | None = None) -> list[str]:
    """Who wrote the text, in the Hub's terms.

    kunishou's file is a machine translation (``machine-generated``); records of the
    builders' own, written by hand for this dataset, are ``expert-generated`` (written
    by the curators, neither collected nor crowd work). Any other source's origin is
    unknown to the tool: ``other``.
    """
    creators = ["machine-generated" if manifest.source.dolly_ja else "other"]
    if _supplement_records(manifest, parts):
        creators.append("expert-generated")
    return sorted(creators)


def annotations_creators(manifest: Manifest, parts: list[Part] | None = None) -> list[str]:
    """Who set the labels (``category``, and ``style`` when present), in the Hub's terms.

    Dolly's categories were chosen by the thousands of Databricks employees who wrote the
    records, a crowd of volunteers (``crowdsourced``); the ``style`` column is set by the
    build's analyser (``machine-generated``); the builders label their own records
    (``expert-generated``).
    """
    creators = {"crowdsourced" if manifest.source.dolly_ja else "other"}
    if "style" in manifest.features:
        creators.add("machine-generated")
    if _supplement_records(manifest, parts):
        creators.add("expert-generated")
    return sorted(creators)


def task_tags(manifest: Manifest, parts: list[Part] | None = None) -> tuple[list[str], list[str]]:
    """``task_categories`` and ``task_ids`` from the categories the parts hold.

    Every record is an instruction and a written answer (``text-generation``, whose Hub
    subtask ``language-modeling`` is what instruction tuning trains). Question categories
    add ``question-answering``; open and general questions, answered from general
    knowledge, its subtask ``open-domain-qa``. ``closed_qa`` answers are written from a
    given passage, not cut out of it, so ``extractive-qa`` would be wrong.
    """
    present = _categories(manifest, parts)
    categories = ["text-generation"]
    ids = ["language-modeling"]
    if present & _QA:
        categories.append("question-answering")
    if present & _OPEN_QA:
        ids.append("open-domain-qa")
    if "summarization" in present:
        categories.append("summarization")
    return categories, ids


def _card_data(manifest: Manifest, records: int, parts: list[Part] | None, name: str,
               metadata: dict[str, Any]) -> DatasetCardData:
    from huggingface_hub import DatasetCardData

    categories, ids = task_tags(manifest, parts)
    return DatasetCardData(
        language=["ja"],
        license=LICENSE,
        annotations_creators=annotations_creators(manifest, parts),
        language_creators=language_creators(manifest, parts),
        multilinguality=["monolingual"],
        size_categories=[size_category(records)],
        # another source's origin is unknown to the tool: no claim either way
        source_datasets=(["kunishou/databricks-dolly-15k-ja", "databricks/databricks-dolly-15k"]
                         if manifest.source.dolly_ja else None),
        task_categories=categories,
        task_ids=ids,
        pretty_name=name,
        tags=["dolly", "instruction-tuning", "japanese"],
        **metadata,
    )


def _count_rows(manifest: Manifest, key: str) -> list[dict[str, Any]]:
    """One row per category (or style): its count in each part and in all."""
    tables = [getattr(p, key) or {} for p in manifest.parts]
    rows = []
    for name in sorted({c for table in tables for c in table}):
        counts = [table.get(name, 0) for table in tables]
        rows.append({"name": table_cell(name), "counts": counts, "total": sum(counts)})
    return rows


def _held_rows(manifest: Manifest) -> list[dict[str, Any]]:
    """One row per category of the validation split: its records there, and in all the kept records."""
    held = manifest.validation
    if held is None:
        return []
    kept: dict[str, int] = {}
    for p in manifest.splits:
        for name, n in p.categories.items():
            kept[name] = kept.get(name, 0) + n
    return [{"name": table_cell(name), "held": held.categories.get(name, 0), "kept": n}
            for name, n in sorted(kept.items())]


def table_cell(text: str) -> str:
    """``text`` as one Markdown table cell: ``|`` escaped, control characters (line breaks) escaped."""
    return one_line(text).replace("|", "\\|")


def review_text(manifest: Manifest) -> str:
    """What the review did, from the manifest's counts, ending in what the parts hold."""
    review = manifest.review
    if review is None:
        return ""
    text = summary_sentence(review.records_in, review.rules, review.records_dropped, review.records_kept,
                            review.keep_all, review.file)
    if manifest.target is not None and manifest.target.left_out:
        text += (f" The target size then left out the last {manifest.target.left_out:,} of them in input "
                 f"order, so the parts hold {manifest.records:,}.")
    return text


_FLAG = re.compile(r"\s*\(`?--[a-z][\w-]*`?\)|`--[a-z][\w-]*`|--[a-z][\w-]*")


def _no_flags(text: str) -> str:
    """A description without command-line flags: a public page speaks of what was done."""
    return " ".join(_FLAG.sub("", text).split())


def card_facts(m: Manifest) -> CardFacts:
    """What the options' card lines read (``options.py`` sits below the manifest)."""
    target = (m.target.size, m.target.left_out) if m.target else None
    return CardFacts(m.options, [p.records for p in m.parts], target, m.review, m.features)


def command_facts(m: Manifest) -> CommandFacts:
    """What the card's command line is made of: the recorded options and the inputs' names (no path)."""
    training = ({"user_template": m.training.user_template, "user_template_no_input": m.training.user_template_no_input,
                 "system_prompts": m.training.system_prompts} if m.training else {})
    return CommandFacts(m.options, m.source.name, [s.name for s in m.supplements],
                        m.previous.name if m.previous else None, training,
                        m.validation.records if m.validation else 0)


def rule_rows(manifest: Manifest) -> list[dict[str, Any]]:
    """The review's rules for the card's table: every rule with its count, described in words."""
    review = manifest.review
    if review is None:
        return []
    rows = []
    for rule in review.rules:
        description = rule.description
        if rule.name == "style" and review.style_filter in STYLE_WORDS:
            description = f"keep only records whose answers are in {STYLE_WORDS[review.style_filter]}"
        rows.append({"name": rule.name, "action": rule.action, "description": _no_flags(description),
                     "count": rule.count})
    return rows


_REPO_AT = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+)@(?P<rev>[\w.-]+)(?P<rest>.*)$")
HUB = "https://huggingface.co/datasets"


def _hub_file(address: str, revision: str | None) -> str | None:
    """Markdown for an ``hf://`` file: its repo at the revision and the file, as links."""
    from dolly_ja_16k.errors import InputError
    from dolly_ja_16k.hub.addresses import parse_file

    try:
        hub = parse_file(address)
    except InputError:
        return None
    rev, repo = revision or hub.revision or "main", hub.repo_id
    return (f"[`{hub.path}`]({HUB}/{repo}/blob/{rev}/{hub.path}) of "
            f"[{repo}]({HUB}/{repo}/tree/{rev}) at revision `{rev}`")


def _upstream(upstream: str) -> str:
    """Markdown for the upstream file a local copy equals (an address or ``repo@rev (note)``)."""
    linked = _hub_file(upstream, None)
    if linked is not None:
        return linked
    m = _REPO_AT.match(upstream)
    if m is not None:
        return f"[{m['repo']}]({HUB}/{m['repo']}/tree/{m['rev']}) at revision `{m['rev']}`{m['rest']}"
    return f"`{upstream}`"


def short_name(f: SourceFile) -> str:
    """An input's name in running text: its base name, or its Hub file as a link."""
    if f.kind == "hub":
        return _hub_file(f.name, f.revision) or f"`{f.name}`"
    return f"`{f.name}`"


def describe_file(f: SourceFile) -> str:
    """How the card names an input: base name or Hub link, record count, sha256, upstream."""
    text = f"{short_name(f)} ({f.records:,} records, sha256 `{f.sha256}`)"
    if f.kind == "local" and f.upstream:
        text += f", byte for byte the file {_upstream(f.upstream)}"
    return text


def _previous_link(manifest: Manifest) -> str | None:
    """The Hub page of the previous release at its commit (None for a local folder)."""
    previous = manifest.previous
    if previous is None or previous.commit is None:
        return None
    from dolly_ja_16k.errors import InputError
    from dolly_ja_16k.hub.addresses import parse_build

    try:
        return f"{HUB}/{parse_build(previous.name).repo_id}/tree/{previous.commit}"
    except InputError:
        return None


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def code_block(text: str, info: str = "text") -> str:
    """``text`` as a fenced code block that shows it exactly, whatever it holds: the fence is
    longer than any run of backticks in it, so a template with its own ``` cannot close it."""
    fence = "`" * max(3, _longest_backticks(text) + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def inline_code(text: str) -> str:
    """``text`` as inline code that shows it exactly: delimiters longer than any backtick run in it,
    and a space inside each (removed again by Markdown) when it starts or ends with a backtick or a space."""
    fence = "`" * (_longest_backticks(text) + 1)
    pad = " " if text[:1] == "`" or text[-1:] == "`" or (text[:1] == " " and text[-1:] == " ") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _template(name: str) -> Path:
    """dataset_card/NAME: from the source tree when run from it, else from the installed package."""
    in_tree = Path(__file__).resolve().parents[2] / "dataset_card" / name
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
    metadata = card_metadata(manifest, parts)
    training = manifest.training if part is None else (per_part(manifest, part).training if manifest.training
                                                       else None)
    card = DatasetCard.from_template(
        _card_data(manifest, records, parts, name, metadata),
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
        rules=rule_rows(manifest),
        options=card_lines(card_facts(manifest)),
        command=code_block(command_line(command_facts(manifest)), "bash"),
        source=describe_file(manifest.source),
        source_name=short_name(manifest.source),
        supplements=[describe_file(s) for s in manifest.supplements],
        supplement_records=_supplement_records(manifest, parts),
        captions=CAPTIONS,
        sizes=" / ".join(f"{p.records:,}" for p in manifest.parts),
        training=training,
        with_input=sum(training.with_input.values()) if training else 0,
        kept_fields=[f for f in KEPT_FIELDS if f in manifest.features],
        format_rows={name: f.description for name, f in CONVERSATION_FORMATS.items()},
        previous_link=_previous_link(manifest),
        code_block=code_block,
        inline_code=inline_code,
        hub_rows=sum(split["num_examples"] for info in metadata["dataset_info"] for split in info["splits"]),
        held=manifest.validation,
        held_method=(manifest.validation.method.format(seed=f"seed `{manifest.validation.seed}`")
                     if manifest.validation else ""),
        held_categories=_held_rows(manifest),
        flagged=None if FLAGS not in manifest.features else sum(p.flagged or 0 for p in manifest.parts),
    )
    return str(card).rstrip("\n") + "\n"
