"""The build, as the list of steps it runs: read → review → size → split → write.

Each step is a small function over a ``BuildState``; ``build()`` runs them in order.
Nothing touches the output folder until the last step, which swaps in a complete build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .errors import InputError
from .layout import CARD_FILE, DEFAULT_OUT, DEFAULT_SOURCE, SUPPLEMENT_PREFIX, part_names
from .records import FIELDS, Record

if TYPE_CHECKING:
    from .manifest import SourceFile


@dataclass
class BuildOptions:
    """Everything a build depends on besides the input files' contents."""

    source: str = DEFAULT_SOURCE
    out: Path = Path(DEFAULT_OUT)
    parts: int = 4
    strategy: str = "stratified"
    seed: int = 42
    supplements: list[str] = field(default_factory=list)
    target_size: int | None = None
    repo_id: str | None = None
    #: Review: report every finding but change and drop nothing (parts equal a plain build).
    keep_all: bool = False
    #: Review checks whose records are dropped; None means each check's default.
    drop: frozenset[str] | None = None
    #: Keep only records of this style (keitai or jotai); needs ``tag_style``.
    style: str | None = None
    #: Add the ``style`` column (polite / plain / mixed / none) to every record.
    tag_style: bool = True

    def recorded(self) -> dict[str, Any]:
        """The options as the manifest and card show them (no local paths)."""
        return {"parts": self.parts, "strategy": self.strategy, "seed": self.seed,
                "target_size": self.target_size, "repo_id": self.repo_id}


@dataclass
class BuildState:
    options: BuildOptions
    source: SourceFile | None = None
    supplements: list[SourceFile] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    fields: list[str] = field(default_factory=lambda: list(FIELDS))
    parts: list[list[Record]] = field(default_factory=list)
    #: Files other steps add to the build (path in the repo → bytes), tracked in the manifest.
    extra_files: dict[str, bytes] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)
    #: The child process rendering the card's pictures (started early, see plots.py).
    renderer: Any = None


Step = Callable[[BuildState], None]


def check_options(state: BuildState) -> None:
    """Reject impossible options before reading anything."""
    opts = state.options
    if opts.parts < 1:
        raise InputError(f"--parts must be at least 1, got {opts.parts}")
    if opts.target_size is not None and opts.target_size < opts.parts:
        raise InputError(f"--target-size {opts.target_size} is smaller than --parts {opts.parts}")
    from .write import check_out_dir

    inputs = [Path(p) for p in [opts.source, *opts.supplements] if not p.startswith("hf://")]
    check_out_dir(opts.out, inputs)


def read_inputs(state: BuildState) -> None:
    """Read the source and every supplement; indexes must be unique across all of them."""
    from .sources import check_distinct, read_source, warn

    check_distinct(state.options.source, state.options.supplements)
    seen: dict[str, str] = {}
    state.records, state.source, warnings = read_source(state.options.source, seen)
    for location in state.options.supplements:
        records, supplement, more = read_source(location, seen, SUPPLEMENT_PREFIX)
        state.records += records
        state.supplements.append(supplement)
        warnings += more
    for message in warnings:
        warn(message)


def start_renderer(state: BuildState) -> None:
    """Start the child that renders the card's pictures: it imports matplotlib (about 0.4 s)
    while this process reads, reviews and splits. It is the build's longest chain of work,
    so it goes first, before anything else is imported or checked."""
    from .plots import Renderer

    state.renderer = Renderer()


def review_records(state: BuildState) -> None:
    """Fix, flag and drop records (review.py), tag their style, and list every finding in review.jsonl."""
    from .layout import REVIEW_FILE
    from .review import run_review
    from .write import encode_lines

    opts = state.options
    if opts.style is not None and (opts.keep_all or not opts.tag_style):
        raise InputError("--style needs style tagging; it cannot be combined with --keep-all or --no-style")
    total = len(state.records)
    result = run_review(state.records, opts.drop, opts.keep_all, opts.style, opts.tag_style)
    state.records = result.records
    tagged = result.styles is not None
    if tagged:
        state.fields.append("style")
    state.extra_files[REVIEW_FILE] = encode_lines(result.rows)  # type: ignore[arg-type]
    state.manifest["review"] = {
        "summary_text": result.summary_text(total, opts.keep_all),
        "mode": "keep-all: findings are flagged only, nothing changed or dropped" if opts.keep_all
                else "applied: fixes made, records of dropping checks removed",
        "file": REVIEW_FILE,
        "records_in": total,
        "records_dropped": result.dropped,
        "records_kept": len(result.records),
        "rules": result.rules,
        "styles": result.styles,
        "options": {"keep_all": opts.keep_all, "style": opts.style, "tag_style": tagged,
                    "drop": sorted(r["name"] for r in result.rules if r["action"] == "drop")},
        "images": [],
    }


def render_images(state: BuildState) -> None:
    """Send the split parts to the renderer started before the review; write_output collects
    the pictures last, so the card is written while the child draws."""
    from .plots import TITLES, Renderer, plot_data

    if "review" not in state.manifest:
        return
    renderer = state.renderer = state.renderer or Renderer()
    renderer.send(plot_data(list(zip(part_names(state.options.parts), state.parts, strict=True))))
    state.manifest["review"]["images"] = [{"path": path, "title": title} for path, title in TITLES.items()]


def _collect_images(state: BuildState) -> dict[str, bytes]:
    if state.renderer is None:
        return {}
    try:
        return state.renderer.result()
    finally:
        state.renderer.close()
        state.renderer = None


def fit_target_size(state: BuildState) -> None:
    """Make the total exactly ``--target-size``: keep the first N records in input order."""
    target = state.options.target_size
    if target is None:
        return
    have = len(state.records)
    if have < target:
        raise InputError(f"--target-size {target} needs {target - have:,} more records than the {have:,} "
                         "available; add them with --supplement FILE")
    state.manifest["target"] = {"size": target, "dropped": have - target}
    del state.records[target:]


def split_parts(state: BuildState) -> None:
    from .split import split

    opts = state.options
    state.parts = split(state.records, opts.parts, opts.strategy, opts.seed)
    state.records = []  # the parts hold every record now; one reference lets write_output free them


def write_output(state: BuildState) -> None:
    """Write parts, card and manifest into a staging folder, then swap it in as ``--out``."""
    import msgspec

    from .card import render_card
    from .write import Staging, encode_lines, part_stats

    opts = state.options
    assert state.source is not None
    manifest = state.manifest
    manifest.update({
        "generator": f"dolly-ja-16k {__version__}",
        "features": state.fields,
        "source": msgspec.to_builtins(state.source),
        "supplements": msgspec.to_builtins(state.supplements),
        "supplement_prefix": SUPPLEMENT_PREFIX if state.supplements else None,
        "supplement_records": sum(s.records for s in state.supplements),
        "options": opts.recorded(),
        "records": sum(len(p) for p in state.parts),
    })
    with Staging(opts.out) as staging:
        stats = []
        for number, name in enumerate(part_names(opts.parts)):
            records = state.parts[number]
            data = encode_lines(records)
            staging.write(f"data/{name}.jsonl", data)
            stats.append(part_stats(name, records, data, state.fields))
            # Free the part once written: encoding leaves a cached UTF-8 copy inside every
            # string, so keeping written parts alive nearly doubled the peak of large builds.
            del data, records
            state.parts[number] = []
        manifest["parts"] = stats
        staging.write(CARD_FILE, render_card(manifest).encode(), track=False)
        for relpath, data in {**state.extra_files, **_collect_images(state)}.items():
            staging.write(relpath, data)
        staging.write_manifest(manifest)
        staging.commit()


STEPS: list[Step] = [start_renderer, check_options, read_inputs, review_records, fit_target_size, split_parts,
                     render_images, write_output]


def build(options: BuildOptions, steps: list[Step] | None = None) -> dict[str, Any]:
    """Run the build and return its manifest."""
    state = BuildState(options)
    try:
        for step in steps or STEPS:
            step(state)
    finally:
        if state.renderer is not None:  # a step failed between the review and the pictures
            state.renderer.close()
    return state.manifest
