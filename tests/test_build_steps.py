"""The build's steps one by one: each takes what the earlier ones returned and returns a typed value."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import pytest

from dolly_ja_16k import build as pipeline
from dolly_ja_16k.errors import InputError
from dolly_ja_16k.manifest import Manifest, Review, SourceFile, Target
from dolly_ja_16k.manifest import read as read_manifest
from dolly_ja_16k.options import BuildOptions, OptionError
from tests.conftest import make_record, make_records, write_json, write_jsonl


def test_check_options_refuses_before_anything_is_read(tmp_path: Path) -> None:
    missing = str(tmp_path / "not-there.jsonl")  # never opened: the options fail first
    for options, option in ((BuildOptions(source=missing, parts=0), "parts"),
                            (BuildOptions(source=missing, strategy="random"), "strategy"),  # type: ignore[arg-type]
                            (BuildOptions(source=missing, target_size=2, parts=4), "target_size"),
                            (BuildOptions(source=missing, style="keitai", keep_all=True), "style"),
                            (BuildOptions(source=missing, repo_id="no slash"), "repo_id"),
                            (BuildOptions(source=missing, drop=frozenset({"nope"})), None)):
        with pytest.raises(InputError) as caught:
            pipeline.check_options(options)
        if option is not None:
            assert isinstance(caught.value, OptionError) and caught.value.option == option
    with pytest.raises(InputError, match="would replace an input"):
        pipeline.check_options(BuildOptions(source=str(tmp_path / "out" / "src.json"), out=tmp_path / "out"))


def test_read_inputs_names_files_without_their_folder(tmp_path: Path) -> None:
    src = write_json(tmp_path / "src.json", make_records(5))
    extra = write_jsonl(tmp_path / "mine.jsonl", [make_record(7)])
    inputs = pipeline.read_inputs(BuildOptions(source=str(src), supplements=[str(extra)]))
    assert [r["index"] for r in inputs.records] == ["0", "1", "2", "3", "4", "user-7"]
    assert isinstance(inputs.source, SourceFile)
    assert inputs.source.name == "src.json" and inputs.source.kind == "local" and inputs.source.records == 5
    assert inputs.source.sha256 == hashlib.sha256(src.read_bytes()).hexdigest()
    assert [s.name for s in inputs.supplements] == ["mine.jsonl"]
    assert str(tmp_path) not in repr(inputs.source) + repr(inputs.supplements)


def test_review_records_returns_the_kept_records_and_a_typed_summary() -> None:
    records = [*make_records(6), make_record(6, input="同じ", output="同じ")]
    reviewed = pipeline.review_records(records, BuildOptions(tag_style=False))
    assert [r["index"] for r in reviewed.records] == ["0", "1", "2", "3", "4", "5"]
    assert isinstance(reviewed.review, Review)
    assert (reviewed.review.records_in, reviewed.review.records_dropped, reviewed.review.records_kept) == (7, 1, 6)
    assert "style" not in reviewed.fields
    assert reviewed.report.count(b"\n") == 1 and b'"index":"6"' in reviewed.report


def test_fit_target_size_keeps_the_first_records() -> None:
    records = make_records(10)
    assert pipeline.fit_target_size(records, None) is None and len(records) == 10
    assert pipeline.fit_target_size(records, 8) == Target(size=8, left_out=2)
    assert [r["index"] for r in records] == [str(i) for i in range(8)]
    with pytest.raises(InputError, match="needs 4 more records than the 8 available"):
        pipeline.fit_target_size(records, 12)


def test_build_returns_the_manifest_it_wrote(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", make_records(21))
    manifest = pipeline.build(BuildOptions(source=str(src), out=tmp_path / "out", parts=3, tag_style=False))
    assert isinstance(manifest, Manifest)
    assert read_manifest(tmp_path / "out") == manifest
    assert [p.records for p in manifest.parts] == [7, 7, 7]
    assert {f.path for f in manifest.files} == {
        *(f"data/{n}_of_3{fmt}.jsonl" for n in (1, 2, 3) for fmt in ("", "-messages", "-prompt_completion")),
        "review.jsonl", "images/category_mix.png", "images/lengths.png"}


# -- warnings go through logging; the command line shows them as `warning:` lines -------------------------

def _with_extras(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "src.jsonl", [*make_records(7), {**make_record(7, category="poetry"), "note": "x"}])


def test_library_warnings_are_log_records(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from dolly_ja_16k.review.run import review_source

    src = _with_extras(tmp_path)
    with caplog.at_level(logging.WARNING, logger="dolly_ja_16k"):
        pipeline.read_inputs(BuildOptions(source=str(src)))
        review_source(str(src), tag_style=False)
    messages = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    expected = [f'{src}: line 8: fields outside the schema are not kept: "note" (1)',
                f'{src}: line 8: category "poetry" is not one of the eight Dolly categories; kept as is']
    assert messages == [("dolly_ja_16k.build", logging.WARNING, m) for m in expected] + [
        ("dolly_ja_16k.review.run", logging.WARNING, m) for m in expected]


def test_the_command_line_prints_each_warning_once_and_only_while_it_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dolly_ja_16k import cli

    src = _with_extras(tmp_path)
    root = logging.getLogger()
    seen: list[str] = []
    catch = logging.Handler()
    catch.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    root.addHandler(catch)  # a handler of the caller's own: the command line does not pass the warnings on
    try:
        assert cli.main(["review", str(src), "--no-style"]) == 0
    finally:
        root.removeHandler(catch)
    err = capsys.readouterr().err.splitlines()
    assert err == [f'warning: {src}: line 8: fields outside the schema are not kept: "note" (1)',
                   f'warning: {src}: line 8: category "poetry" is not one of the eight Dolly categories; kept as is']
    assert seen == []
    logger = logging.getLogger("dolly_ja_16k")
    assert logger.handlers == [] and logger.propagate  # left as it was found
