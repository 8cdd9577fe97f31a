"""``verify``: through the real command line on damaged folders, and each check on its own.

A damaged folder must give exit 1, one ``FAIL`` line naming the file and the problem, and
never a traceback; a path outside the folder must be refused without ever being opened.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import msgspec
import pytest

from dolly_ja_16k.manifest import Manifest, entry_for, measure
from dolly_ja_16k.manifest import read as read_manifest
from dolly_ja_16k.verify import (
    SCRIPT_PROBLEM,
    Report,
    check_card,
    check_contents,
    check_files,
    check_manifest,
    check_with_datasets,
    inside,
)
from dolly_ja_16k.write.card import card_metadata
from tests.conftest import make_records, run_cli, write_jsonl

PARTS = ["1_of_4", "2_of_4", "3_of_4", "4_of_4"]
ROWS = {"1_of_4": 6, "2_of_4": 6, "3_of_4": 5, "4_of_4": 5}  # 22 records in the stratified split
#: What each part offers: its raw config, then its two training configs, in the card's order.
PART_CONFIGS = [f"{p}{suffix}" for p in PARTS for suffix in ("", "-messages", "-prompt_completion")]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small build through the real command line; tests damage copies of it."""
    tmp = tmp_path_factory.mktemp("verify")
    source = write_jsonl(tmp / "small.jsonl", make_records(22))
    out = tmp / "small"
    result = run_cli("build", "--source", source, "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture
def folder(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "build"
    shutil.copytree(built, copy, symlinks=True)
    return copy


# -- helpers ----------------------------------------------------------------------------------

def edit_manifest(folder: Path, change: Callable[[dict], object]) -> None:
    """Change the manifest's JSON in place (what ``change`` returns is ignored)."""
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def entry(path: str, data: bytes) -> dict:
    """A manifest file entry (as JSON) that matches ``data``."""
    return msgspec.to_builtins(entry_for(path, data))


def index_of(m: dict, path: str) -> int:
    """Where the manifest's JSON lists ``path`` in ``files`` (found by path: the order is the build's)."""
    return [listed["path"] for listed in m["files"]].index(path)


def set_entry(folder: Path, path: str) -> None:
    """Make the manifest's entry of ``path`` match the file as it is now (only ``datasets`` can then see a change)."""
    data = (folder / path).read_bytes()
    edit_manifest(folder, lambda m: m["files"].__setitem__(index_of(m, path), entry(path, data)))


def config_names(manifest: Manifest) -> list[str]:
    """The configs the card declares for this manifest, in the card's order."""
    return [config["config_name"] for config in card_metadata(manifest)["configs"]]


def fails(folder: Path, result: subprocess.CompletedProcess[str] | None = None) -> list[str]:
    """The FAIL lines of ``verify`` on a folder that must fail, after the common checks."""
    result = result or run_cli("verify", folder)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith(f"FAILED: {folder} ("), lines
    return [line for line in lines if line.startswith("FAIL ")]


def one_fail(folder: Path) -> str:
    """The one FAIL line of a damaged folder that stops before ``datasets`` (nothing on stderr)."""
    result = run_cli("verify", folder)
    assert result.stderr == "", result.stderr
    assert not [line for line in result.stdout.splitlines() if line.startswith("configs:")]  # datasets never ran
    lines = fails(folder, result)
    assert len(lines) == 1, lines
    return lines[0]


def watch_fifo(path: Path) -> Callable[[], bool]:
    """Make ``path`` a FIFO; the returned function says whether anyone opened it for reading.

    A writer thread waits in ``open``; it gets through only when a reader opens the FIFO.
    Afterwards the test opens the read end itself (non-blocking) to release the writer.
    """
    os.mkfifo(path)
    opened = threading.Event()

    def writer() -> None:
        with open(path, "wb"):
            opened.set()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()

    def was_opened() -> bool:
        seen = opened.wait(1)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        thread.join(5)
        os.close(fd)
        return seen

    return was_opened


# -- the whole command on good folders ----------------------------------------------------------

def test_a_good_build_passes_and_leaves_no_cache_behind(folder: Path, tmp_path: Path) -> None:
    caches, temp = tmp_path / "hf-datasets", tmp_path / "tmp"
    caches.mkdir()
    temp.mkdir()
    result = run_cli("verify", folder, "--rows", "3", env={"HF_DATASETS_CACHE": str(caches), "TMPDIR": str(temp)})
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if line.startswith("FAIL")]
    names = config_names(read_manifest(folder))
    assert names == ["all", *PART_CONFIGS]
    assert lines[0] == f"configs: {', '.join(names)}"
    assert lines[1] == "all: 1_of_4 6 rows, 2_of_4 6 rows, 3_of_4 5 rows, 4_of_4 5 rows"
    assert lines[2:len(names) + 1] == [f"{name}: train {ROWS[name[:6]]} rows" for name in PART_CONFIGS]
    assert lines[-1].startswith(f"ok: {folder} (") and lines[-1].endswith(" 0 failed)")
    # every datasets cache lived in verify's own temporary folder, which is gone
    assert list(caches.iterdir()) == [] and list(temp.iterdir()) == []


def test_a_folder_given_through_a_symlink_passes_the_file_checks(folder: Path, tmp_path: Path) -> None:
    link = tmp_path / "current"
    link.symlink_to(folder, target_is_directory=True)
    report = Report()
    manifest = check_manifest(link, report)
    assert manifest is not None
    check_files(link, manifest, report)
    check_contents(link, manifest, report)
    check_card(link, manifest, report)
    assert report.ok, report.problems


def test_an_error_inside_datasets_is_one_line_per_config(folder: Path) -> None:
    # line 2 of part 1 stops being JSON, and the manifest is updated to match: only
    # ``datasets`` can notice, in the configs that read that file (all and 1_of_4)
    path = folder / "data/1_of_4.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1][:-1] + b"]"
    path.write_bytes(b"\n".join(lines))
    set_entry(folder, "data/1_of_4.jsonl")
    result = run_cli("verify", folder)
    found = fails(folder, result)
    assert [line.split(":")[0] for line in found] == ["FAIL config all", "FAIL config 1_of_4"], found
    assert "2_of_4: train 6 rows" in result.stdout  # the other configs still ran
    assert "1_of_4-messages: train 6 rows" in result.stdout  # so did the training configs of the same part


def _break_json(line: bytes) -> bytes:
    return line[:-1] + b"]"


def _shorter_answer(line: bytes) -> bytes:
    # the answer's last 。 (3 bytes in the file and in the text) becomes the JSON escape \n and
    # a ! (3 bytes in the file, 2 in the text): the file keeps its size, so the card's
    # download_size still holds, but the answer is one UTF-8 byte shorter
    mark = "。".encode()
    at = line.rindex(mark)
    changed = line[:at] + b"\\n!" + line[at + len(mark):]
    before, after = json.loads(line)["messages"][-1]["content"], json.loads(changed)["messages"][-1]["content"]
    assert len(changed) == len(line) and len(after.encode()) == len(before.encode()) - 1
    return changed


@pytest.mark.parametrize("damage", [_break_json, _shorter_answer], ids=["broken JSON", "shorter answer"])
def test_a_training_config_is_checked_by_datasets_like_the_others(folder: Path,
                                                                  damage: Callable[[bytes], bytes]) -> None:
    # line 2 of the messages file of part 2 changes, keeping its size, and the manifest is updated
    # to match: the files and the card still pass, so only ``datasets`` can notice, in that config
    name, path = "2_of_4-messages", folder / "data/2_of_4-messages.jsonl"
    lines = path.read_bytes().split(b"\n")
    lines[1] = damage(lines[1])
    path.write_bytes(b"\n".join(lines))
    set_entry(folder, "data/2_of_4-messages.jsonl")
    result = run_cli("verify", folder)
    found = fails(folder, result)
    assert len(found) == 1, found
    if damage is _break_json:
        assert found[0].startswith(f"FAIL config {name}: "), found
        assert f"{name}: train" not in result.stdout  # datasets could not load it: no summary
    else:
        training = read_manifest(folder).training
        assert training is not None
        want = next(c for c in training.configs if c.name == name).num_bytes
        assert found == [f"FAIL config {name}/train: Arrow size {want - 1}, the card says {want}"]
        assert f"\n{name}: train 6 rows\n" in result.stdout  # it loaded; only its size is wrong
    for other in ["2_of_4", "2_of_4-prompt_completion", "1_of_4-messages", "3_of_4-messages"]:
        assert f"\n{other}: train {ROWS[other[:6]]} rows\n" in result.stdout, other  # the others still ran


# -- damaged manifest and card through the CLI ------------------------------------------------------

def _card_yaml_broken(folder: Path) -> None:
    card = folder / "README.md"
    card.write_text(card.read_text(encoding="utf-8").replace("license: cc-by-sa-3.0", "license: [cc-by-sa-3.0", 1),
                    encoding="utf-8")


def _card_binary(folder: Path) -> None:
    (folder / "README.md").write_bytes(b"\xff" + random.Random(7).randbytes(4000))


def _card_list(folder: Path) -> None:
    (folder / "README.md").write_text("---\n- license\n- cc-by-sa-3.0\n---\n# Dolly\n", encoding="utf-8")


def _card_no_yaml(folder: Path) -> None:
    (folder / "README.md").write_text("# Dolly, without a YAML block\n", encoding="utf-8")


def _card_missing(folder: Path) -> None:
    (folder / "README.md").unlink()


def _manifest_text(text: str) -> Callable[[Path], None]:
    return lambda folder: (folder / "manifest.json").write_text(text, encoding="utf-8")


DAMAGE = {
    "card YAML that does not parse": (_card_yaml_broken, "README.md: the card's YAML cannot be read (ParserError: "),
    "binary card": (_card_binary, "README.md: not UTF-8 text (byte 0xff at byte 1); the card must be a UTF-8 "
                                  "Markdown file"),
    "card YAML that is a list": (_card_list, "README.md: the card's YAML cannot be read (ValueError: repo card "
                                             "metadata block should be a dict)"),
    "card without YAML": (_card_no_yaml, "README.md: no YAML metadata block (--- … ---) at the top of the card"),
    "no card": (_card_missing, "README.md: missing (the dataset card)"),
    "manifest that is []": (_manifest_text("[]"), "manifest.json: not a dolly-ja-16k manifest: Expected `object`, "
                                                  "got `array`"),
    "manifest that is not JSON": (_manifest_text("{\"format\": 2,"), "manifest.json: not valid JSON ("),
    "manifest that is binary": (lambda f: (f / "manifest.json").write_bytes(b"\xff\xfe{}"),
                                "manifest.json: not valid JSON ("),
    "file entry without bytes": (lambda f: edit_manifest(f, lambda m: m["files"][2].pop("bytes")),
                                 "manifest.json: not a dolly-ja-16k manifest: Object missing required field `bytes` "
                                 "- at `$.files[2]`"),
    "no parts key": (lambda f: edit_manifest(f, lambda m: m.pop("parts")),
                     "manifest.json: not a dolly-ja-16k manifest: Object missing required field `parts`"),
    "empty parts": (lambda f: edit_manifest(f, lambda m: m.__setitem__("parts", [])),
                    "manifest.json: not a dolly-ja-16k manifest: no parts"),
    "manifest of format 1": (lambda f: edit_manifest(f, lambda m: m.__setitem__("format", 1)),
                             "manifest.json: not a dolly-ja-16k manifest: format 1, this version reads format 2 "
                             "(rebuild the folder)"),
    "no manifest": (lambda f: (f / "manifest.json").unlink(),
                    "manifest.json; is this a folder written by `dolly-ja-16k build`?"),
    "manifest that is a folder": (lambda f: ((f / "manifest.json").unlink(), (f / "manifest.json").mkdir()),
                                  "manifest.json: not a regular file"),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_manifest_or_card_is_one_fail_line(folder: Path, damage: str) -> None:
    make, expected = DAMAGE[damage]
    make(folder)
    line = one_fail(folder)
    assert line.startswith(f"FAIL {folder}/"), line
    assert expected in line, (line, expected)


def test_not_a_folder(tmp_path: Path) -> None:
    assert fails(tmp_path / "nowhere") == [f"FAIL {tmp_path / 'nowhere'}: not a folder"]


# -- stray files and loading scripts through the CLI ---------------------------------------------------

STRAYS = ["notes.txt", "images/extra.png", "data/train.jsonl", ".DS_Store", "data/.hidden.jsonl",
          "data/sub/deeper/more.jsonl", ".cache/huggingface/download/x.metadata", "images/README.md"]


@pytest.mark.parametrize("stray", STRAYS)
def test_a_stray_file_anywhere_is_reported(folder: Path, stray: str) -> None:
    path = folder / stray
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((folder / "images/lengths.png").read_bytes() if stray.endswith(".png") else b"{}\n")
    assert one_fail(folder) == f"FAIL {path}: not listed in the manifest (a stray file)"


@pytest.mark.parametrize("name", ["loader.py", "build.py", "data/helper.py"])
def test_a_loading_script_is_refused(folder: Path, name: str) -> None:
    script = folder / name.replace("build.py", f"{folder.name}.py")  # the folder's own name: what datasets loads
    script.write_text("import datasets\n", encoding="utf-8")
    assert one_fail(folder) == (f"FAIL {script}: a loading script; datasets >= 4 refuses to load such a folder, "
                                "not listed in the manifest")


def test_a_loading_script_listed_in_the_manifest_is_refused_too(folder: Path) -> None:
    script = folder / "data/dolly.py"
    script.write_bytes(b"import datasets\n")
    edit_manifest(folder, lambda m: m["files"].append(entry("data/dolly.py", script.read_bytes())))
    assert one_fail(folder) == f"FAIL {script}: {SCRIPT_PROBLEM}"


# -- paths outside the folder through the CLI ------------------------------------------------------------

@pytest.mark.parametrize("bad_path", ["../../../../etc/hostname", "/etc/hostname", "data/../../secret.txt",
                                      "../secret.txt", "C:/secret.txt", "data\\..\\..\\secret.txt"])
def test_a_manifest_entry_outside_the_folder_is_refused_unopened(folder: Path, tmp_path: Path, bad_path: str) -> None:
    secret = tmp_path / "secret.txt"  # ../secret.txt from the folder: with a matching entry it would pass
    was_opened = watch_fifo(secret)
    edit_manifest(folder, lambda m: m["files"].append(entry(bad_path, b"")))
    line = one_fail(folder)
    assert not was_opened()
    assert line == (f"FAIL {folder / 'manifest.json'}: not a dolly-ja-16k manifest: file entry {bad_path!r} is not "
                    "a path inside the folder")


def test_an_entry_outside_with_a_matching_hash_is_refused(folder: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"the secret\n")
    edit_manifest(folder, lambda m: m["files"].append(entry("../secret.txt", secret.read_bytes())))
    assert "file entry '../secret.txt' is not a path inside the folder" in one_fail(folder)


def test_a_part_that_is_a_symlink_outside_is_refused_unopened(folder: Path, tmp_path: Path) -> None:
    part = folder / "data/1_of_4.jsonl"
    part.unlink()
    fifo = tmp_path / "outside.fifo"
    was_opened = watch_fifo(fifo)
    part.symlink_to(fifo)
    line = one_fail(folder)
    assert not was_opened()
    assert line == (f"FAIL {part}: a symlink that leads outside the folder (to {fifo}); files must be regular "
                    "files inside it (the manifest lists it)")


@pytest.mark.parametrize("target", ["copy", "/etc/hostname"])
def test_a_symlink_outside_is_refused_even_with_the_right_content(folder: Path, tmp_path: Path, target: str) -> None:
    part = folder / "data/2_of_4.jsonl"
    outside = tmp_path / "elsewhere.jsonl"
    if target == "copy":
        shutil.copyfile(part, outside)  # the very same bytes: sha256, size and lines all match
    else:
        outside = Path(os.path.realpath(target))
        if not outside.is_file():
            pytest.skip(f"{target} is not on this machine")
    part.unlink()
    part.symlink_to(outside)
    assert one_fail(folder) == (f"FAIL {part}: a symlink that leads outside the folder (to {outside}); files must "
                                "be regular files inside it (the manifest lists it)")


def test_a_manifest_that_is_a_symlink_outside_is_refused(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "manifest.json"
    shutil.move(folder / "manifest.json", outside)
    (folder / "manifest.json").symlink_to(outside)
    assert one_fail(folder) == (f"FAIL {folder / 'manifest.json'}: a symlink that leads outside the folder "
                                f"(to {outside}); files must be regular files inside it")


# -- Report -----------------------------------------------------------------------------------------------

def test_report_counts_checks_and_keeps_failures_on_one_line() -> None:
    report = Report()
    assert report.ok and report.checks == 0
    assert report.check(True, "never shown") is True
    assert report.ok
    assert report.check(False, "a.md: YAML error\n  in line 3\r\n\tcolumn 2") is False
    assert report.check(False, "b: a\x1bb") is False
    assert not report.ok and report.checks == 3
    assert report.problems == ["a.md: YAML error in line 3 column 2", "b: a\\x1bb"]


# -- check_manifest ---------------------------------------------------------------------------------------

def test_check_manifest_passes_and_returns_the_manifest(folder: Path) -> None:
    report = Report()
    manifest = check_manifest(folder, report)
    assert manifest == read_manifest(folder) and report.ok and report.checks == 1 + 4


def test_check_manifest_part_lines_must_equal_its_records(folder: Path) -> None:
    def change(m: dict) -> None:
        m["files"][index_of(m, "data/2_of_4.jsonl")]["lines"] = 7  # the part still says 6 records
    edit_manifest(folder, change)
    report = Report()
    assert check_manifest(folder, report) is not None
    assert report.problems == [f"{folder / 'manifest.json'}: part 2_of_4: its file data/2_of_4.jsonl has 7 lines, "
                               "the part 6 records"]


# -- check_files ------------------------------------------------------------------------------------------

def _files_report(folder: Path) -> Report:
    report = Report()
    check_files(folder, read_manifest(folder), report)
    return report


def test_check_files_passes_and_measures_every_file(folder: Path) -> None:
    report = _files_report(folder)
    manifest = read_manifest(folder)
    assert report.ok and report.checks == 2 * len(manifest.files)  # where it is, what it holds
    assert manifest.training is not None and manifest.review is not None
    built = ([p.file for p in manifest.parts] + [c.file for c in manifest.training.configs]
             + [manifest.review.file] + [image.path for image in manifest.review.images])
    assert sorted(f.path for f in manifest.files) == sorted(built) and len(built) == 3 * len(PARTS) + 1 + 2
    for listed in manifest.files:
        assert measure(folder / listed.path) == (listed.sha256, listed.bytes, listed.lines)


def test_check_files_same_size_other_content(folder: Path) -> None:
    path = folder / "data/3_of_4.jsonl"
    path.write_bytes(path.read_bytes().replace("。".encode(), "．".encode(), 1))  # 3 bytes each
    assert _files_report(folder).problems == [f"{path}: sha256 does not match the manifest"]


def test_check_files_size_and_lines_are_checked_on_their_own(folder: Path) -> None:
    def change(m: dict) -> None:
        m["files"][index_of(m, "images/category_mix.png")]["bytes"] += 1
        m["files"][index_of(m, "review.jsonl")]["lines"] += 2
    edit_manifest(folder, change)
    manifest = read_manifest(folder)
    png, review = manifest.file("images/category_mix.png"), manifest.file("review.jsonl")
    assert _files_report(folder).problems == [
        f"{folder / png.path}: {png.bytes - 1} bytes, the manifest says {png.bytes}",
        f"{folder / review.path}: {review.lines - 2} lines, the manifest says {review.lines}",
    ]


def test_check_files_a_changed_part_names_every_difference(folder: Path) -> None:
    path = folder / "data/4_of_4.jsonl"
    before = path.read_bytes()
    path.write_bytes(before + b'{"extra": 1}\n')
    extra, lines = len(b'{"extra": 1}\n'), before.count(b"\n")
    assert _files_report(folder).problems == [
        f"{path}: sha256 does not match the manifest; {len(before) + extra} bytes, the manifest says {len(before)}; "
        f"{lines + 1} lines, the manifest says {lines}"]


def test_check_files_missing_and_not_regular(folder: Path) -> None:
    (folder / "review.jsonl").unlink()
    (folder / "images/lengths.png").unlink()
    (folder / "images/lengths.png").mkdir()
    assert _files_report(folder).problems == [
        f"{folder / 'images/lengths.png'}: not a regular file (the manifest lists it)",
        f"{folder / 'review.jsonl'}: missing (the manifest lists it)",
    ]


def test_check_files_a_symlinked_folder_leading_outside(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "data-elsewhere"
    shutil.move(folder / "data", outside)
    (folder / "data").symlink_to(outside, target_is_directory=True)
    problems = _files_report(folder).problems
    in_data = [listed.path.removeprefix("data/") for listed in read_manifest(folder).files
               if listed.path.startswith("data/")]
    assert len(in_data) == 3 * len(PARTS)  # every part and its two training files
    assert problems == [f"{folder / 'data' / name}: a symlink that leads outside the folder (to "
                        f"{outside / name}); files must be regular files inside it (the manifest lists it)"
                        for name in in_data]
    report = Report()
    check_contents(folder, read_manifest(folder), report)
    assert report.problems == [f"{folder / 'data'}: a symlink to a folder, not listed in the manifest (a stray file)"]


def test_inside(folder: Path, tmp_path: Path) -> None:
    assert inside(folder, "review.jsonl") == (folder / "review.jsonl", None)
    assert inside(folder, "nope.txt") == (folder / "nope.txt", "missing")
    assert inside(folder, "data") == (folder / "data", "not a regular file")
    (folder / "data/link.jsonl").symlink_to(folder / "review.jsonl")  # inside the folder: readable
    assert inside(folder, "data/link.jsonl") == (folder / "data/link.jsonl", None)
    assert inside(folder, "../x")[1] == f"a symlink that leads outside the folder (to {tmp_path / 'x'}); " \
                                        "files must be regular files inside it"


# -- check_contents ---------------------------------------------------------------------------------------

def test_check_contents_passes_without_reporting_the_card_or_the_manifest(folder: Path) -> None:
    report = Report()
    manifest = read_manifest(folder)
    check_contents(folder, manifest, report)
    assert report.ok
    assert report.checks == len(manifest.files) + 2  # the listed files, README.md and manifest.json


def test_check_contents_reports_every_stray_and_script_in_order(folder: Path) -> None:
    for name in ["zz.txt", ".git/config", "data/a/b.jsonl", "images/x.py"]:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x\n", encoding="utf-8")
    report = Report()
    check_contents(folder, read_manifest(folder), report)
    assert report.problems == [
        f"{folder / 'zz.txt'}: not listed in the manifest (a stray file)",  # a folder's files, then its folders
        f"{folder / '.git/config'}: not listed in the manifest (a stray file)",
        f"{folder / 'data/a/b.jsonl'}: not listed in the manifest (a stray file)",
        f"{folder / 'images/x.py'}: {SCRIPT_PROBLEM}, not listed in the manifest",
    ]


# -- check_card -------------------------------------------------------------------------------------------

def _card_report(folder: Path) -> list[str]:
    report = Report()
    check_card(folder, read_manifest(folder), report)
    return report.problems


def _edit_card(folder: Path, old: str, new: str) -> None:
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8")
    assert old in text
    card.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_card_passes(folder: Path) -> None:
    assert _card_report(folder) == []


def test_check_card_license(folder: Path) -> None:
    _edit_card(folder, "license: cc-by-sa-3.0", "license: mit")
    assert _card_report(folder) == [f"{folder / 'README.md'}: license is 'mit', not cc-by-sa-3.0"]


def test_check_card_configs(folder: Path) -> None:
    _edit_card(folder, "path: data/3_of_4.jsonl", "path: data/*.jsonl")
    assert _card_report(folder) == [f"{folder / 'README.md'}: `configs` does not match the manifest"]


def test_check_card_dataset_info(folder: Path) -> None:
    _edit_card(folder, "num_examples: 5", "num_examples: 50")
    assert _card_report(folder) == [f"{folder / 'README.md'}: `dataset_info` does not match the manifest"]


def test_check_card_yaml_that_is_a_string(folder: Path) -> None:
    (folder / "README.md").write_text("---\njust a sentence\n---\n", encoding="utf-8")
    assert _card_report(folder) == [f"{folder / 'README.md'}: the card's YAML cannot be read (ValueError: repo card "
                                    "metadata block should be a dict)"]


# -- check_with_datasets ---------------------------------------------------------------------------------

def _datasets_report(folder: Path, manifest: object, tmp_path: Path, rows: int = 5) -> tuple[Report, list[str]]:
    report, log = Report(), []
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    check_with_datasets(folder, manifest, report, rows, log.append, str(cache))  # type: ignore[arg-type]
    return report, log


def test_check_with_datasets_passes(folder: Path, tmp_path: Path) -> None:
    manifest = read_manifest(folder)
    report, log = _datasets_report(folder, manifest, tmp_path)
    assert report.ok, report.problems
    assert config_names(manifest) == ["all", *PART_CONFIGS]
    assert log == [f"configs: {', '.join(['all', *PART_CONFIGS])}",
                   "all: 1_of_4 6 rows, 2_of_4 6 rows, 3_of_4 5 rows, 4_of_4 5 rows",
                   *[f"{name}: train {ROWS[name[:6]]} rows" for name in PART_CONFIGS]]


def test_check_with_datasets_compares_what_datasets_sees_with_the_manifest(folder: Path, tmp_path: Path) -> None:
    manifest = read_manifest(folder)
    parts = list(manifest.parts)
    parts[0] = msgspec.structs.replace(parts[0], file="data/2_of_4.jsonl")  # streamed rows differ
    parts[2] = msgspec.structs.replace(parts[2], records=9, num_bytes=parts[2].num_bytes + 1)
    features = ["id" if name == "style" else name for name in manifest.features]
    changed = msgspec.structs.replace(manifest, parts=parts, features=features)
    report, _ = _datasets_report(folder, changed, tmp_path)
    real = read_manifest(folder).parts[2]
    columns = f"columns {list(manifest.features)}, expected {changed.features}"
    # the training configs keep their own rows and sizes; without `style` among the features
    # their card drops that column too, which their files still hold
    kept = ["category", "index"]
    messages = f"columns {['messages', *kept, 'style', 'flags']}, expected {['messages', *kept, 'flags']}"
    pair = ["prompt", "completion"]
    prompt_completion = f"columns {[*pair, *kept, 'style', 'flags']}, expected {[*pair, *kept, 'flags']}"

    def training(part: str) -> list[str]:
        return [f"config {part}-messages/train: {messages}",
                f"config {part}-prompt_completion/train: {prompt_completion}"]

    assert report.problems == [
        "config all/1_of_4: streamed rows differ from the file",
        f"config all/1_of_4: {columns}", f"config all/2_of_4: {columns}",
        "config all/3_of_4: 5 rows, the manifest says 9", f"config all/3_of_4: {columns}",
        f"config all/3_of_4: Arrow size {real.num_bytes}, the card says {real.num_bytes + 1}",
        f"config all/4_of_4: {columns}",
        "config 1_of_4/train: streamed rows differ from the file", f"config 1_of_4/train: {columns}",
        *training("1_of_4"),
        f"config 2_of_4/train: {columns}",
        *training("2_of_4"),
        "config 3_of_4/train: 5 rows, the manifest says 9", f"config 3_of_4/train: {columns}",
        f"config 3_of_4/train: Arrow size {real.num_bytes}, the card says {real.num_bytes + 1}",
        *training("3_of_4"),
        f"config 4_of_4/train: {columns}",
        *training("4_of_4"),
    ]


def test_check_with_datasets_config_names_and_splits(folder: Path, tmp_path: Path) -> None:
    # a card that offers only three part configs (the training configs of 4_of_4 stay), then
    # one whose `all` names a split otherwise
    card = folder / "README.md"
    text = card.read_text(encoding="utf-8")
    block = "- config_name: 4_of_4\n  data_files:\n  - split: train\n    path: data/4_of_4.jsonl\n"
    assert block in text
    card.write_text(text.replace(block, ""), encoding="utf-8")
    report, _ = _datasets_report(folder, read_manifest(folder), tmp_path)
    expected = ["all", *PART_CONFIGS]
    offered = [name for name in expected if name != "4_of_4"]  # exactly what is missing: 4_of_4
    assert report.problems == [f"config names {offered}, expected {expected}"]
    card.write_text(text.replace("  - split: 4_of_4\n", "  - split: four\n", 1), encoding="utf-8")
    report, _ = _datasets_report(folder, read_manifest(folder), tmp_path)
    assert report.problems and report.problems[0].startswith("config all")
