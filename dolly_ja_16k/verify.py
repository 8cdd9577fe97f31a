"""Check a built folder the way the Hub's dataset viewer would, before anyone pushes it.

First the manifest (every file's sha256 and size, line counts, no loading script), then
the card (license, ``configs`` and ``dataset_info`` exactly as the manifest implies),
then ``datasets`` itself: config names, split names, streaming the first rows of every
split, and a full load of every config with row counts compared to the manifest.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .layout import CARD_FILE, MANIFEST_FILE, PART_SPLIT, config_names
from .manifest import Manifest, ManifestError, file_sha256
from .manifest import read as read_manifest

Log = Callable[[str], None]


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checks: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def check(self, passed: bool, problem: str) -> bool:
        self.checks += 1
        if not passed:
            self.problems.append(problem)
        return passed


def check_manifest(folder: Path, report: Report) -> Manifest | None:
    """The manifest reads, every file it lists matches, and no file it does not list is there."""
    try:
        manifest = read_manifest(folder)
    except ManifestError as err:
        report.check(False, str(err))
        return None
    for entry in manifest.files:
        file = folder / entry.path
        if not report.check(file.is_file(), f"{file}: listed in the manifest but missing"):
            continue
        size = file.stat().st_size
        report.check(size == entry.bytes, f"{file}: {size} bytes, the manifest says {entry.bytes}")
        report.check(file_sha256(file) == entry.sha256, f"{file}: sha256 does not match the manifest")
        with open(file, "rb") as f:
            lines = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
        report.check(lines == entry.lines, f"{file}: {lines} lines, the manifest says {entry.lines}")
    for part in manifest.parts:
        report.check(manifest.file(part.file).lines == part.records,
                     f"{folder / part.file}: {manifest.file(part.file).lines} lines, the manifest says "
                     f"{part.records} records")
    listed = {entry.path for entry in manifest.files} | {CARD_FILE, MANIFEST_FILE}
    for file in sorted(folder.rglob("*")):
        rel = file.relative_to(folder).as_posix()
        report.check(file.is_dir() or rel in listed, f"{file}: not listed in the manifest (a stray file)")
    return manifest


def check_card(folder: Path, manifest: Manifest, report: Report) -> None:
    """The card's YAML says CC BY-SA 3.0 and holds exactly the configs and sizes of the build."""
    from huggingface_hub import DatasetCard

    from .card import LICENSE, card_metadata

    path = folder / CARD_FILE
    if not report.check(path.is_file(), f"{path}: missing (the dataset card)"):
        return
    try:
        data = DatasetCard.load(path).data.to_dict()
    except Exception as err:  # a card whose YAML does not parse, is not a mapping, or is not text
        report.check(False, f"{path}: the card's YAML cannot be read ({type(err).__name__}: {err})")
        return
    report.check(data.get("license") == LICENSE, f"{path}: license is {data.get('license')!r}, not {LICENSE}")
    expected = card_metadata(manifest)
    for key in ("configs", "dataset_info"):
        report.check(data.get(key) == expected[key], f"{path}: `{key}` does not match the manifest")


def check_with_datasets(folder: Path, manifest: Manifest, report: Report, rows: int, log: Log) -> None:
    """What the dataset viewer does: list configs and splits, stream rows, load everything."""
    import datasets

    datasets.disable_progress_bars()
    parts = {p.name: p for p in manifest.parts}
    expected_configs = config_names(len(parts))
    root = str(folder)
    configs = datasets.get_dataset_config_names(root)
    if not report.check(sorted(configs) == sorted(expected_configs),
                        f"config names {configs}, expected {expected_configs}"):
        return
    log(f"configs: {', '.join(configs)}")
    features = list(manifest.features)
    with tempfile.TemporaryDirectory(prefix="dolly-ja-16k-verify-") as cache:
        for config in expected_configs:
            splits = {name: name for name in parts} if config == "all" else {PART_SPLIT: config}
            found = datasets.get_dataset_split_names(root, config)
            if not report.check(sorted(found) == sorted(splits), f"{config}: splits {found}, expected {list(splits)}"):
                continue
            for split, part in splits.items():
                stream = datasets.load_dataset(root, config, split=split, streaming=True)
                first = list(stream.take(rows))
                with open(folder / parts[part].file, encoding="utf-8") as f:
                    expected_rows = [json.loads(next(f)) for _ in range(min(rows, parts[part].records))]
                report.check(first == expected_rows, f"{config}/{split}: streamed rows differ from the file")
            loaded = datasets.load_dataset(root, config, cache_dir=cache)
            for split, part in splits.items():
                ds = loaded[split]
                report.check(ds.num_rows == parts[part].records,
                             f"{config}/{split}: {ds.num_rows} rows, the manifest says {parts[part].records}")
                report.check(list(ds.column_names) == features,
                             f"{config}/{split}: columns {ds.column_names}, expected {features}")
                report.check(ds.info.splits[split].num_bytes == parts[part].num_bytes,
                             f"{config}/{split}: Arrow size {ds.info.splits[split].num_bytes}, "
                             f"the card says {parts[part].num_bytes}")
            log(f"{config}: " + ", ".join(f"{s} {loaded[s].num_rows:,} rows" for s in splits))


def verify(folder: Path, rows: int = 5, log: Log = print) -> Report:
    """Run every check; ``report.ok`` is True only if all of them hold."""
    folder = Path(folder)
    report = Report()
    if not folder.is_dir():
        report.check(False, f"{folder}: not a folder")
    else:
        manifest = check_manifest(folder, report)
        if manifest is not None and report.ok:
            check_card(folder, manifest, report)
            if report.ok:
                check_with_datasets(folder, manifest, report, rows, log)
    for problem in report.problems:
        log(f"FAIL {problem}")
    log(f"{'ok' if report.ok else 'FAILED'}: {folder} ({report.checks} checks, {len(report.problems)} failed)")
    return report
