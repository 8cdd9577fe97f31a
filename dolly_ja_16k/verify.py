"""Check a built folder the way the Hub's dataset viewer would, before anyone pushes it.

First the files (every file the manifest lists: a regular file inside the folder, with its
sha256, size and line count; no other file anywhere in the folder; no loading script),
then the card (readable YAML, license, ``configs`` and ``dataset_info`` exactly as the
manifest implies), then the validation split if there is one (no record, context passage or
repeated question on both sides), then ``datasets`` itself: config names, split names, streaming the first
rows of every split, and a full load of every config with row counts, columns and Arrow
sizes compared to the manifest.

Every problem is one ``FAIL`` line; nothing a damaged folder holds may end in a traceback.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dolly_ja_16k.errors import one_line
from dolly_ja_16k.layout import CARD_FILE, MANIFEST_FILE
from dolly_ja_16k.manifest import Manifest, ManifestError, measure
from dolly_ja_16k.manifest import read as read_manifest
from dolly_ja_16k.write.card import LICENSE, card_metadata

Log = Callable[[str], None]

#: Longest error text of ``datasets`` quoted in a FAIL line.
_MAX_QUOTE = 300
SCRIPT_PROBLEM = "a loading script; datasets >= 4 refuses to load such a folder"


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    checks: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def check(self, passed: bool, problem: str) -> bool:
        """Count one check; a failed one keeps ``problem`` (one line) for the report."""
        self.checks += 1
        if not passed:
            self.problems.append(_one_line(problem))
        return passed


def _one_line(text: object, limit: int | None = None) -> str:
    """Any message (a YAML error, a ``datasets`` traceback text) as one line, cut at ``limit``."""
    line = one_line(" ".join(str(text).split()))
    return line if limit is None or len(line) <= limit else line[: limit - 1] + "…"


def _error(err: BaseException) -> str:
    return _one_line(f"{type(err).__name__}: {err}", _MAX_QUOTE)


# -- the files ----------------------------------------------------------------------------------

def inside(folder: Path, relpath: str) -> tuple[Path, str | None]:
    """``folder / relpath`` and why it may not be read (None: a regular file inside the folder).

    The path is resolved first, so a symlink (of the file or of a folder on its way) that
    leads outside the folder is refused before anything is opened; a FIFO or a device is
    refused too, since reading one could block or never end.
    """
    path = folder / relpath
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(Path(os.path.realpath(folder))):
        return path, f"a symlink that leads outside the folder (to {real}); files must be regular files inside it"
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return path, "missing"
    except OSError as err:
        return path, f"cannot read it ({err.strerror or err})"
    if not stat.S_ISREG(mode):
        return path, "not a regular file"
    return path, None


def check_manifest(folder: Path, report: Report) -> Manifest | None:
    """The manifest reads and checks (types, counts, paths inside the folder), or one FAIL line."""
    path, problem = inside(folder, MANIFEST_FILE)
    if problem == "missing":  # say it the way ``manifest.read`` does: what the folder should be
        problem = f"no {MANIFEST_FILE}; is this a folder written by `dolly-ja-16k build`?"
    if not report.check(problem is None, f"{path}: {problem}"):
        return None
    try:
        manifest = read_manifest(folder)
    except ManifestError as err:
        report.check(False, str(err))
        return None
    for part in manifest.splits:
        lines = manifest.file(part.file).lines
        report.check(lines == part.records, f"{path}: part {part.name}: its file {part.file} has {lines} lines, "
                                            f"the part {part.records} records")
    return manifest


def check_validation(folder: Path, manifest: Manifest, report: Report) -> None:
    """The validation split shares no record, no context passage and no repeated question with a part.

    Read from the files themselves (already checked against their sha256), so a split edited
    by hand and re-hashed is still caught; one FAIL line names the first such record.
    """
    from dolly_ja_16k.holdout import group_key

    held = manifest.validation
    if held is None:
        return
    indexes: set[str] = set()
    groups: set[str] = set()
    for record in _records(folder / held.file):
        indexes.add(record["index"])
        groups.add(group_key(record))
    for part in manifest.parts:
        for number, record in enumerate(_records(folder / part.file), 1):
            both = record["index"] in indexes or group_key(record) in groups
            what = "is also in" if record["index"] in indexes else "shares its context or question with"
            if not report.check(not both, f"{folder / part.file}: line {number}: record {record['index']} {what} "
                                          f"the validation split {held.file}"):
                return


def _records(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def check_files(folder: Path, manifest: Manifest, report: Report) -> None:
    """Every listed file is a regular file inside the folder with the manifest's sha256, size and lines."""
    for entry in manifest.files:
        path, problem = inside(folder, entry.path)
        if not report.check(problem is None, f"{path}: {problem} (the manifest lists it)"):
            continue
        try:
            sha256, size, lines = measure(path)
        except OSError as err:
            report.check(False, f"{path}: cannot read it ({err.strerror or err})")
            continue
        differences = []
        if sha256 != entry.sha256:
            differences.append("sha256 does not match the manifest")
        if size != entry.bytes:
            differences.append(f"{size} bytes, the manifest says {entry.bytes}")
        if lines != entry.lines:
            differences.append(f"{lines} lines, the manifest says {entry.lines}")
        report.check(not differences, f"{path}: {'; '.join(differences)}")


def check_contents(folder: Path, manifest: Manifest, report: Report) -> None:
    """Nothing in the folder but the card, the manifest and the files it lists; no loading script.

    The whole tree is walked, hidden files and folders included: whatever is there would be
    seen by ``datasets`` loading the folder, and a ``.py`` file is a loading script, which
    ``datasets`` >= 4 refuses (the card's ``configs:`` replace it).
    """
    listed = {entry.path for entry in manifest.files} | {CARD_FILE, MANIFEST_FILE}
    for top, dirs, files in os.walk(folder):  # does not follow symlinked folders: they are reported below
        dirs.sort()
        here = Path(top)
        linked = [d for d in dirs if (here / d).is_symlink()]
        for name in sorted([*files, *linked]):
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if name.endswith(".py"):
                where = "" if rel in listed else ", not listed in the manifest"
                report.check(False, f"{path}: {SCRIPT_PROBLEM}{where}")
            elif name in linked:
                report.check(False, f"{path}: a symlink to a folder, not listed in the manifest (a stray file)")
            else:
                report.check(rel in listed, f"{path}: not listed in the manifest (a stray file)")


# -- the card -------------------------------------------------------------------------------------

def read_card(folder: Path, report: Report) -> dict[str, Any] | None:
    """The card's YAML as a mapping, or one FAIL line saying why it cannot be read."""
    from huggingface_hub import DatasetCard
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    path, problem = inside(folder, CARD_FILE)
    if not report.check(problem is None, f"{path}: {problem} (the dataset card)"):
        return None
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        report.check(False, f"{path}: not UTF-8 text (byte 0x{err.object[err.start]:02x} at byte {err.start + 1}); "
                            "the card must be a UTF-8 Markdown file")
        return None
    except OSError as err:
        report.check(False, f"{path}: cannot read it ({err.strerror or err})")
        return None
    if not report.check(REGEX_YAML_BLOCK.search(text) is not None,
                        f"{path}: no YAML metadata block (--- … ---) at the top of the card"):
        return None
    try:
        data: dict[str, Any] = DatasetCard(text).data.to_dict()
    except Exception as err:  # YAML that does not parse, or a list or a string instead of a mapping
        report.check(False, f"{path}: the card's YAML cannot be read ({_error(err)})")
        return None
    return data


def check_card(folder: Path, manifest: Manifest, report: Report) -> None:
    """The card's YAML says CC BY-SA 3.0 and holds exactly the configs and sizes of the build."""
    data = read_card(folder, report)
    if data is None:
        return
    path = folder / CARD_FILE
    report.check(data.get("license") == LICENSE, f"{path}: license is {data.get('license')!r}, not {LICENSE}")
    expected = card_metadata(manifest)
    for key in ("configs", "dataset_info"):
        report.check(data.get(key) == expected[key], f"{path}: `{key}` does not match the manifest")


# -- datasets -------------------------------------------------------------------------------------

@dataclass
class ExpectedSplit:
    """One split as the card declares it: its file, rows, columns and Arrow size."""

    file: str
    rows: int
    columns: list[str]
    num_bytes: int


def expected_configs(manifest: Manifest) -> dict[str, dict[str, ExpectedSplit]]:
    """Every config the card declares (raw parts and training configs), with its splits."""
    metadata = card_metadata(manifest)
    infos = {info["config_name"]: info for info in metadata["dataset_info"]}
    out: dict[str, dict[str, ExpectedSplit]] = {}
    for config in metadata["configs"]:
        info = infos[config["config_name"]]
        columns = [f["name"] for f in info["features"]]
        sizes = {s["name"]: s for s in info["splits"]}
        out[config["config_name"]] = {
            f["split"]: ExpectedSplit(f["path"], sizes[f["split"]]["num_examples"], columns,
                                      sizes[f["split"]]["num_bytes"])
            for f in config["data_files"]}
    return out


def check_with_datasets(folder: Path, manifest: Manifest, report: Report, rows: int, log: Log,
                        cache: str) -> None:
    """What the dataset viewer does: list configs and splits, stream rows, load everything.

    Each config is read through one ``load_dataset_builder`` (what ``get_dataset_split_names``
    and ``load_dataset`` do inside), with every cache in ``cache``; anything ``datasets``
    raises for a config is one ``FAIL config X: …`` line and the other configs still run.
    """
    import datasets

    datasets.disable_progress_bars()
    root = str(folder)
    expected = expected_configs(manifest)
    try:
        configs = datasets.get_dataset_config_names(root, cache_dir=cache)
    except Exception as err:
        report.check(False, f"config names: {_error(err)}")
        return
    if not report.check(sorted(configs) == sorted(expected), f"config names {configs}, expected {list(expected)}"):
        return
    log(f"configs: {', '.join(configs)}")
    for config, splits in expected.items():
        try:
            summary = _check_config(root, config, splits, report, rows, cache)
        except Exception as err:
            report.check(False, f"config {config}: {_error(err)}")
        else:
            if summary:
                log(f"{config}: {summary}")


def _check_config(root: str, config: str, splits: dict[str, ExpectedSplit], report: Report, rows: int,
                  cache: str) -> str:
    """Check one config; the summary line to log, or "" when its splits are wrong."""
    import datasets

    builder = datasets.load_dataset_builder(root, config, cache_dir=cache)
    found = list(builder.info.splits or datasets.get_dataset_split_names(root, config, cache_dir=cache))
    if not report.check(sorted(found) == sorted(splits), f"config {config}: splits {found}, expected {list(splits)}"):
        return ""
    for split, want in splits.items():
        first = list(builder.as_streaming_dataset(split=split).take(rows))
        with open(Path(root) / want.file, encoding="utf-8") as f:
            expected_rows = [json.loads(next(f)) for _ in range(min(rows, want.rows))]
        report.check(first == expected_rows, f"config {config}/{split}: streamed rows differ from the file")
    builder.download_and_prepare()
    counts = []
    for split, want in splits.items():
        ds = builder.as_dataset(split=split)
        report.check(ds.num_rows == want.rows,
                     f"config {config}/{split}: {ds.num_rows} rows, the manifest says {want.rows}")
        report.check(list(ds.column_names) == want.columns,
                     f"config {config}/{split}: columns {ds.column_names}, expected {want.columns}")
        num_bytes = ds.info.splits[split].num_bytes
        report.check(num_bytes == want.num_bytes,
                     f"config {config}/{split}: Arrow size {num_bytes}, the card says {want.num_bytes}")
        counts.append(f"{split} {ds.num_rows:,} rows")
    return ", ".join(counts)


# -- all of it ------------------------------------------------------------------------------------

def verify(folder: Path, rows: int = 5, log: Log = print) -> Report:
    """Run every check; ``report.ok`` is True only if all of them hold.

    The card is checked whenever the manifest reads; ``datasets`` runs only on a folder
    whose files and card passed (it would only repeat their problems, or read a file that
    must not be read).
    """
    folder = Path(folder)
    report = Report()
    if not folder.is_dir():
        report.check(False, f"{folder}: not a folder")
    else:
        manifest = check_manifest(folder, report)
        if manifest is not None:
            check_files(folder, manifest, report)
            check_contents(folder, manifest, report)
            check_card(folder, manifest, report)
            if report.ok:
                check_validation(folder, manifest, report)
            if report.ok:
                with tempfile.TemporaryDirectory(prefix="dolly-ja-16k-verify-") as cache:
                    check_with_datasets(folder, manifest, report, rows, log, cache)
    for problem in report.problems:
        log(f"FAIL {problem}")
    checks = f"{report.checks} check" + ("" if report.checks == 1 else "s")
    log(f"{'ok' if report.ok else 'FAILED'}: {folder} ({checks}, {len(report.problems)} failed)")
    return report

