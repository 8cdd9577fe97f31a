"""The build, as the steps it runs: check → previous release → read → review → fit the size → split → write.

Each step is a small function that takes what the earlier steps returned and returns a
typed value of its own; ``build`` runs them in order. The manifest is assembled once, in
the write step, from those values. Nothing touches the output folder until the write
step, which stages every file beside it and swaps the complete build in.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

import msgspec

from dolly_ja_16k import __version__
from dolly_ja_16k.diff import Release, change_lines, changes_since, read_release, split_settings
from dolly_ja_16k.holdout import METHOD, Holdout, hold_out
from dolly_ja_16k.layout import (
    CARD_FILE,
    CHANGES_FILE,
    REVIEW_FILE,
    SUPPLEMENT_PREFIX,
    VALIDATION_SPLIT,
    part_file,
    part_names,
)
from dolly_ja_16k.manifest import (
    VALIDATION_FORMAT,
    Manifest,
    Options,
    Part,
    Previous,
    SourceFile,
    Target,
    Validation,
)
from dolly_ja_16k.options import BuildOptions, check_target_size, check_validation_size, recorded
from dolly_ja_16k.read.records import FIELDS, FLAGS, Record
from dolly_ja_16k.read.sources import read_source
from dolly_ja_16k.review.run import ReviewResult, run_review
from dolly_ja_16k.review.summary import Image, Restyle, Review
from dolly_ja_16k.split import split
from dolly_ja_16k.write.formats import (
    STYLE_CONTROL,
    PartTraining,
    UserTemplate,
    encode_part,
    part_training,
    training_summary,
)
from dolly_ja_16k.write.painter import Painter
from dolly_ja_16k.write.plots import TITLES, picture_data
from dolly_ja_16k.write.staging import Staging, encode_lines, part_info

log = logging.getLogger(__name__)

#: Changes since the previous release that the manifest (and the card) show as examples.
EXAMPLES = 5


@dataclass
class Inputs:
    """What ``read_inputs`` returns: every record, and how the manifest names each file."""

    records: list[Record]
    source: SourceFile
    supplements: list[SourceFile] = field(default_factory=list)


@dataclass
class Reviewed:
    """What ``review_records`` returns: the kept records, their columns, the report."""

    records: list[Record]
    fields: list[str]
    review: Review
    #: ``review.jsonl``: one JSON line per finding.
    report: bytes


def check_options(options: BuildOptions) -> None:
    """Refuse impossible options and output folders before reading anything."""
    options.check()


def read_inputs(options: BuildOptions) -> Inputs:
    """Read the source and every supplement; indexes must be unique across all of them."""
    seen: dict[str, str] = {}
    records, source, warnings = read_source(options.source, seen)
    inputs = Inputs(records, source)
    for location in options.supplements:
        more, supplement, more_warnings = read_source(location, seen, SUPPLEMENT_PREFIX)
        inputs.records += more
        inputs.supplements.append(supplement)
        warnings += more_warnings
    for message in warnings:
        log.warning(message)
    return inputs


def review_records(records: list[Record], options: BuildOptions) -> Reviewed:
    """Fix, flag and drop records (review.py), tag their style, and list every finding."""
    result = run_review(records, options.drop, options.keep_all, options.style, options.tag_style)
    restyled = restyle_answers(result, options)
    fields = list(FIELDS)
    if result.styles is not None:
        fields.append("style")
    fields.append(FLAGS)
    review = Review(
        file=REVIEW_FILE, keep_all=options.keep_all, records_in=len(records), records_dropped=result.dropped,
        records_kept=len(result.records), rules=result.rules, styles=result.styles, style_filter=options.style,
        images=[Image(path=path, title=title) for path, title in TITLES.items()], restyle=restyled,
    )
    return Reviewed(result.records, fields, review, bytes(encode_lines(result.rows)))


def restyle_answers(result: ReviewResult, options: BuildOptions) -> Restyle | None:
    """``--restyle``: every kept answer rewritten in one register, its style told again, one report
    row per changed record. The converter is imported only then: a build without it never loads it."""
    if options.restyle is None:
        return None
    from dolly_ja_16k.review.restyle_run import report_rows, restyle_records

    run = restyle_records(result.records, options.restyle, options.copula)  # type: ignore[arg-type]
    result.rows += report_rows(run)
    if result.styles is not None:
        result.styles = dict(sorted(Counter(r["style"] for r in result.records).items()))
    return Restyle(to=run.to, copula=run.copula, records_changed=run.records_changed, sentences=run.sentences,
                   clauses=run.clauses, left=run.left_by_reason())


def fit_target_size(records: list[Record], target: int | None) -> Target | None:
    """Make the total exactly ``target``: keep the first records in input order."""
    if target is None:
        return None
    have = len(records)
    check_target_size(target, have)
    own = sum(1 for r in records[target:] if r["index"].startswith(SUPPLEMENT_PREFIX))
    if own:
        log.warning(f"the target size of {target:,} leaves out {own:,} of your own records (the last of the "
                    f"supplements, index {SUPPLEMENT_PREFIX}…): the first {target:,} records in input order are kept")
    del records[target:]
    return Target(size=target, left_out=have - target)


def hold_out_validation(records: list[Record], options: BuildOptions) -> Holdout | None:
    """Take the validation split out of ``records`` (which keeps the rest); None without one."""
    if not options.validation_size:
        return None
    check_validation_size(options.validation_size, len(records), options.parts)
    held = hold_out(records, options.validation_size, options.seed)
    records[:] = held.rest
    return held


def split_parts(records: list[Record], options: BuildOptions) -> list[list[Record]]:
    return split(records, options.parts, options.strategy, options.seed)


def read_previous(options: BuildOptions) -> Release | None:
    """The release named by ``--previous``, read (and checked) before the new build is made.

    A release split another way (parts, strategy or seed) shares almost no part with this
    build: that is said before building, so the user can stop and use the release's settings.
    """
    if options.previous is None:
        return None
    previous = read_release(options.previous)
    ours = {"parts": options.parts, "strategy": options.strategy, "seed": options.seed}
    other = [f"{k}={previous.split[k]}" for k in ours if previous.split.get(k) != ours[k]]
    if other:
        mine = ", ".join(f"{k}={ours[k]}" for k in ours if previous.split.get(k) != ours[k])
        log.warning(f"the previous release {previous.name} was split with {', '.join(other)} and this build uses "
                    f"{mine}: most records will move to another part; build with the release's settings "
                    "to keep every record in its part")
    return previous


def _moved(previous: Release | None, manifest: Manifest) -> None:
    """After a build split unlike its previous release: how many records moved."""
    if previous is None or manifest.previous is None:
        return
    if previous.split != split_settings(manifest):
        log.warning(f"{manifest.previous.moved:,} of {manifest.records:,} records moved to another part since "
                    f"{previous.name} (see {CHANGES_FILE})")


def changes(previous: Release, names: list[str], parts: list[list[Record]], held: Holdout | None = None
            ) -> tuple[Previous, bytes]:
    """What changed since ``previous``: the manifest's summary and ``changes.jsonl``.

    The validation split counts as one more part, so a record that moved into or out of it
    is a move like any other (``"to": "validation"``).
    """
    splits = dict(zip(names, parts, strict=True))
    if held is not None:
        splits[VALIDATION_SPLIT] = held.validation
    diff = changes_since(previous, splits)
    summary = Previous(
        name=previous.name, commit=previous.commit, file=CHANGES_FILE, added=len(diff.added),
        removed=len(diff.removed), changed=len(diff.changed_fields), moved=len(diff.moved),
        parts=diff.parts, examples=diff.changes()[:EXAMPLES],
    )
    return summary, change_lines(diff)


def recorded_options(options: BuildOptions, reviewed: Reviewed) -> Options:
    """The options as the manifest and card show them (no local paths)."""
    return Options(**recorded(options, reviewed.review))


def write_validation(staging: Staging, held: Holdout, fields: list[str], template: UserTemplate,
                     options: BuildOptions) -> Validation:
    """The validation split in every format, named like a part's files; its manifest entry."""
    info = part_info(VALIDATION_SPLIT, held.validation, fields)
    staging.write(info.file, encode_lines(held.validation))
    files = encode_part(VALIDATION_SPLIT, training_records(held.validation, options), template, options.system_prompts)
    for config, data in files:
        staging.write(config.file, data)
    return Validation(**msgspec.structs.asdict(info), groups=held.groups, shared_groups=held.shared_groups,
                      shared_records=held.shared_records, seed=options.seed, method=METHOD,
                      training=[config for config, _ in files])


def training_records(records: list[Record], options: BuildOptions) -> list[Record]:
    """The records the training configs are made of: the part itself, or with style-control its
    copies in the registers asked for (the converter is imported only then)."""
    if options.system_prompts != STYLE_CONTROL:
        return records
    from dolly_ja_16k.style_control import style_control

    return style_control(records, options.seed, options.copula)


def write_output(options: BuildOptions, inputs: Inputs, reviewed: Reviewed, target: Target | None,
                 parts: list[list[Record]], painter: Painter, previous: Release | None = None,
                 held: Holdout | None = None) -> Manifest:
    """Write parts, training configs, pictures, review, card and manifest into a staging folder,
    then swap it in. The painter draws the pictures meanwhile and renders the card, in its own process."""
    names = part_names(options.parts)
    template = UserTemplate(options.user_template, options.user_template_no_input)
    painter.draw(picture_data(list(zip(names, parts, strict=True))))
    since = None
    if previous is not None:
        since, change_file = changes(previous, names, parts, held)
    with Staging(options.out) as staging:
        infos: list[Part] = []
        trained: list[PartTraining] = []
        for number, name in enumerate(names):
            records = parts[number]
            infos.append(part_info(name, records, reviewed.fields))
            staging.write(part_file(name), encode_lines(records))
            training = training_records(records, options)
            files = encode_part(name, training, template, options.system_prompts)
            for config, data in files:
                staging.write(config.file, data)
            trained.append(part_training(name, training, [config for config, _ in files], options.system_prompts))
            # Free the part once written: encoding leaves a cached UTF-8 copy in every string,
            # so written parts kept alive nearly double the peak memory of a large build.
            del records, training, data, files
            parts[number] = []
        validation = None if held is None else write_validation(staging, held, reviewed.fields, template, options)
        staging.write(REVIEW_FILE, reviewed.report)
        for path, png in painter.pictures().items():
            staging.write(path, png)
        if since is not None:
            staging.write(CHANGES_FILE, change_file)
        manifest = Manifest(
            generator=f"dolly-ja-16k {__version__}",
            features=reviewed.fields,
            source=inputs.source,
            supplements=inputs.supplements,
            supplement_prefix=SUPPLEMENT_PREFIX if inputs.supplements else None,
            options=recorded_options(options, reviewed),
            records=sum(p.records for p in infos),
            parts=infos,
            review=reviewed.review,
            target=target,
            files=staging.entries(),
            training=training_summary(trained, template, options.system_prompts),
            previous=since,
            validation=validation,
        )
        if validation is not None:
            manifest.format = VALIDATION_FORMAT
        staging.write(CARD_FILE, painter.card(manifest).encode(), track=False)
        staging.write_manifest(manifest)
        staging.commit()
    return manifest


def build(options: BuildOptions) -> Manifest:
    """Run every step of the build and return its manifest.

    The painter's worker starts first, so it imports matplotlib while the records are read
    and reviewed (on the second core), and it ends with the build however the build ends.
    """
    check_options(options)
    with Painter() as painter:
        previous = read_previous(options)
        inputs = read_inputs(options)
        reviewed = review_records(inputs.records, options)
        inputs.records.clear()  # the kept records are in reviewed.records now
        target = fit_target_size(reviewed.records, options.target_size)
        held = hold_out_validation(reviewed.records, options)
        parts = split_parts(reviewed.records, options)
        reviewed.records.clear()  # and now in the parts only, which the write step frees one by one
        manifest = write_output(options, inputs, reviewed, target, parts, painter, previous, held)
    _moved(previous, manifest)
    return manifest
