"""The review step: each check on small records, the options, and the exact counts on the real source."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from dolly_ja_16k import build as pipeline
from dolly_ja_16k.errors import InputError
from dolly_ja_16k.layout import parse_part_name, part_names
from dolly_ja_16k.manifest import read as read_manifest
from dolly_ja_16k.options import BuildOptions, parse_drop
from dolly_ja_16k.review.rules import FINDERS, FIXES, default_drop, japanese_share
from dolly_ja_16k.review.run import run_review
from dolly_ja_16k.write.staging import encode_lines
from tests.conftest import make_record, make_records, read_jsonl, run_cli, write_jsonl


def _rules(result) -> dict[str, tuple[str, int]]:
    return {r.name: (r.action, r.count) for r in result.rules}


def test_every_check_has_a_name_a_description_and_an_action() -> None:
    names = [c.name for c in (*FIXES, *FINDERS)]
    assert len(set(names)) == len(names)
    for check in (*FIXES, *FINDERS):
        assert re.fullmatch(r"[a-z_]+", check.name)
        assert check.description and "\n" not in check.description
        assert check.action in {"fix", "flag", "drop"}


def test_citation_marks_are_removed_from_every_field() -> None:
    records = [make_record(0, input="1990年に運航を開始した[3]。", output="運航を開始した[3][12]。"),
               make_record(1, instruction="これ[1]は？", output="文献 [1994] を参照。")]
    result = run_review(records, tag_style=False)
    assert records[0]["input"] == "1990年に運航を開始した。"
    assert records[0]["output"] == "運航を開始した。"
    assert records[1]["instruction"] == "これは？"
    assert records[1]["output"] == "文献 [1994] を参照。"  # a year in brackets is not a reference mark
    assert _rules(result)["citation_marks"] == ("fix", 2)
    row = next(r for r in result.rows if r["rule"] == "citation_marks")
    assert row["index"] == "0" and row["action"] == "fixed" and row["excerpt"].startswith("3 removed")


def test_whitespace_is_trimmed_and_crlf_normalised_without_nfkc() -> None:
    records = [make_record(0, output="  ＡＢＣ １２３です。\r\n次の行です。 \n"), make_record(1)]
    result = run_review(records, tag_style=False)
    assert records[0]["output"] == "ＡＢＣ １２３です。\n次の行です。"  # full-width letters stay
    assert _rules(result)["whitespace"] == ("fix", 1)


def test_input_equals_output_and_output_in_instruction_are_dropped_by_default() -> None:
    records = [make_record(0, input="同じ  文章です。", output="同じ\n文章です。"),
               make_record(1, instruction="この文を書いてください。", output="この文を書いてください。"),
               make_record(2, instruction="魚の種類はどっち？トープとロープ", output="トープ"),  # a choice: kept
               make_record(3)]
    result = run_review(records, tag_style=False)
    assert [r["index"] for r in result.records] == ["2", "3"]
    assert _rules(result)["input_equals_output"] == ("drop", 1)
    assert _rules(result)["output_in_instruction"] == ("drop", 1)
    assert result.dropped == 2


def test_duplicates_keep_the_first() -> None:
    records = [make_record(0), make_record(1), make_record(2, instruction="質問その0に答えてください。 ",
                                                            output="これは答え0です。")]
    result = run_review(records, tag_style=False)
    assert [r["index"] for r in result.records] == ["0", "1"]
    (row,) = [r for r in result.rows if r["rule"] == "duplicate"]
    assert row["index"] == "2" and "same as index 0" in row["excerpt"]


def test_non_japanese_is_flagged_not_dropped() -> None:
    records = [make_record(0, instruction="List some bands.", output="Oasis, Blur, Pulp"), make_record(1)]
    result = run_review(records, tag_style=False)
    assert len(result.records) == 2
    assert _rules(result)["non_japanese"] == ("flag", 1)
    assert japanese_share("日本語です") == 1.0
    assert japanese_share("abc") == 0.0
    assert japanese_share("「」、。abcd日本") == pytest.approx(2 / 6)  # CJK punctuation is not script


def test_drop_option_replaces_the_defaults() -> None:
    records = [make_record(0, input="同じ", output="同じ"), make_record(1, instruction="Bands?", output="Oasis, Blur"),
               make_record(2)]
    result = run_review(records, drop=parse_drop("non_japanese"), tag_style=False)
    assert [r["index"] for r in result.records] == ["0", "2"]
    assert _rules(result)["input_equals_output"] == ("flag", 1)
    assert parse_drop("") == frozenset()
    assert parse_drop(" duplicate , non_japanese") == {"duplicate", "non_japanese"}


@pytest.mark.parametrize("text", ["foo", "duplicate,bogus", "citation_marks"])
def test_unknown_or_fix_rules_in_drop_are_input_errors(text: str) -> None:
    with pytest.raises(InputError):
        parse_drop(text)


def test_keep_all_changes_and_drops_nothing() -> None:
    records = [make_record(0, input="同じ[1]", output="同じ[1]"), make_record(1, output=" x ")]
    before = json.loads(json.dumps(records))
    result = run_review(records, keep_all=True)
    assert [{k: v for k, v in r.items() if k != "flags"} for r in records] == before and result.records == records
    assert records[0]["flags"] == ["citation_marks", "input_equals_output"] and records[1]["flags"] == ["whitespace"]
    assert result.styles is None and result.dropped == 0
    assert {r["action"] for r in result.rows} == {"flagged"}
    assert {r.action for r in result.rules} == {"flag"}


def test_style_column_and_style_filter() -> None:
    records = [make_record(0, output="東京は首都です。"), make_record(1, output="東京は首都である。"),
               make_record(2, output="りんご")]
    result = run_review(records, style="jotai")
    assert [(r["index"], r["style"]) for r in result.records] == [("1", "jotai")]
    assert result.styles == {"jotai": 1}
    assert _rules(result)["style"] == ("drop", 2)


def _sha(folder: Path) -> dict[str, str]:
    """The raw parts' hashes (``1_of_4.jsonl`` …) without their ``flags`` column, without the training configs."""
    def unflagged(path: Path) -> bytes:
        return bytes(encode_lines([{k: v for k, v in r.items() if k != "flags"} for r in read_jsonl(path)]))

    return {p.name: hashlib.sha256(unflagged(p)).hexdigest() for p in sorted((folder / "data").iterdir())
            if parse_part_name(p.stem)}


def test_keep_all_build_has_the_parts_of_a_plain_build(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [*make_records(30), make_record(30, input="同じ[2]", output="同じ[2]")])
    # the plain build: the pipeline's own steps with the review left out
    options = BuildOptions(source=str(src), out=tmp_path / "plain")
    inputs = pipeline.read_inputs(options)
    plain = {f"{name}.jsonl": hashlib.sha256(encode_lines(records)).hexdigest() for name, records in
             zip(part_names(4), pipeline.split_parts(inputs.records, options), strict=True)}
    manifest = pipeline.build(BuildOptions(source=str(src), out=tmp_path / "kept", keep_all=True))
    assert plain == _sha(tmp_path / "kept")
    assert manifest.features == ["instruction", "input", "output", "category", "index", "flags"]
    assert manifest.review is not None and manifest.review.records_dropped == 0
    kept = {r["index"]: r["flags"] for p in manifest.parts for r in read_jsonl(tmp_path / "kept" / p.file)}
    assert kept["30"] == ["citation_marks", "input_equals_output"] and kept["0"] == []
    assert {r["action"] for r in read_jsonl(tmp_path / "kept" / "review.jsonl")} == {"flagged"}


def test_build_writes_review_file_images_style_and_card_section(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [*make_records(30), make_record(30, input="同じ", output="同じ")])
    out = tmp_path / "out"
    result = run_cli("build", "--source", src, "--out", out)
    assert result.returncode == 0, result.stderr
    manifest = read_manifest(out)
    assert manifest.features[-2:] == ["style", "flags"]
    assert manifest.records == 30
    assert {"review.jsonl", "images/category_mix.png", "images/lengths.png"} <= {f.path for f in manifest.files}
    assert [r["index"] for r in read_jsonl(out / "review.jsonl")] == ["30"]
    card = (out / "README.md").read_text()
    assert "## Data quality" in card and "![Category mix per part](images/category_mix.png)" in card
    assert "images/lengths.png" in card and "## Records per style and part" in card
    assert "name: style" in card  # a feature in dataset_info
    assert all(r["style"] == "keitai" for p in manifest.parts for r in read_jsonl(out / p.file))


def test_cli_errors_are_one_line_exit_2(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", make_records(8))
    for args in (["build", "--source", src, "--out", tmp_path / "o", "--drop", "nope"],
                 ["review", src, "--drop", "nope"],
                 ["build", "--source", src, "--out", tmp_path / "o", "--style", "keitai", "--no-style"]):
        result = run_cli(*args)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "o").exists()


def test_review_command_prints_the_report_without_importing_datasets(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [*make_records(8), make_record(8, output="これは答え0です。",
                                                                              instruction="質問その0に答えてください。")])
    code = ("import sys; from dolly_ja_16k.cli import main; rc = main(['review', sys.argv[1]]); "
            "assert 'datasets' not in sys.modules and 'matplotlib' not in sys.modules; sys.exit(rc)")
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code, str(src)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.search(r"duplicate\s+drop\s+1", result.stdout)
    assert "style of output: keitai 8" in result.stdout


# ------------------------------------------------------------------- the real source

# From a plain scan of databricks-dolly-15k-ja.json (15,015 records), with each rule's
# definition: 2,659 records hold an editorial mark (tests/data/bracket_tokens.tsv lists every
# bracketed token); after that fix 60 with input == output (54 before it: in six records the
# input differs from the output only by its marks); 3 whose instruction is the output; 12
# repeats of an earlier instruction+input+output; 20 outputs of one or two hiragana that answer
# nothing (16 はあ, よ, い, り, もの; counted by hand among the 99 outputs of 1–2 characters);
# 2 fields over the length limits (a 10,796-character JVM log as an instruction, an
# 11,338-character output); 56 under 30 % Japanese. lost_brackets: 820 records get a lost
# opening bracket back; 835 still have a bracket that pairs with nothing (counts of
# tests/test_brackets.py's rules).
TRUNCATED = 149
REAL_COUNTS = {"whitespace": 0, "citation_marks": 2659, "lost_brackets": 820, "input_equals_output": 60,
               "output_in_instruction": 3, "duplicate": 12, "too_short": 20, "too_long": 2, "non_japanese": 56,
               "truncated": TRUNCATED, "unbalanced_brackets": 835, "emptied_by_fixes": 0}
#: Records a default build drops: 60 + 3 + 12 + 20 (no record is found by two of these rules).
DROPPED = 95


def test_real_source_counts(real_source: Path) -> None:
    records = json.loads(real_source.read_bytes())
    result = run_review(records, tag_style=False)
    assert {r.name: r.count for r in result.rules} == REAL_COUNTS
    dropped = {row["index"] for row in result.rows if row["action"] == "dropped"}
    assert result.dropped == len(dropped) == DROPPED
    assert len(result.records) == 15015 - DROPPED
    assert not dropped & {r["index"] for r in result.records}
    assert Counter(row["rule"] for row in result.rows) == {k: v for k, v in REAL_COUNTS.items() if v}


def test_real_keep_all_flags_the_raw_text(real_source: Path) -> None:
    records = json.loads(real_source.read_bytes())
    result = run_review(records, keep_all=True)
    counts = {r.name: r.count for r in result.rules}
    assert counts["input_equals_output"] == 54 and counts["citation_marks"] == 2659
    assert len(result.records) == 15015


def test_real_build_leaves_the_dropped_records_out(real_source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--source", real_source, "--out", out, "--no-style")
    assert result.returncode == 0, result.stderr
    manifest = read_manifest(out)
    dropped = {r["index"] for r in read_jsonl(out / "review.jsonl") if r["action"] == "dropped"}
    written = [r["index"] for p in manifest.parts for r in read_jsonl(out / p.file)]
    assert len(dropped) == DROPPED and len(written) == 15015 - DROPPED == manifest.records
    assert not dropped & set(written)
    assert "style" not in manifest.features
    assert manifest.review is not None
    assert {r.name: r.count for r in manifest.review.rules} == REAL_COUNTS
    assert not any(re.search(r"\[\d{1,3}\]", r[name]) for p in manifest.parts
                   for r in read_jsonl(out / p.file) for name in ("instruction", "input", "output"))


def test_finders_and_fixes_are_all_listed() -> None:
    result = run_review(make_records(3), tag_style=False)
    assert [r.name for r in result.rules] == [f.name for f in FIXES] + [f.name for f in FINDERS]


def test_a_fix_that_empties_a_field_drops_the_record_with_its_own_row(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [*make_records(8), make_record(8, output="[1][2]")])
    for extra in ([], ["--drop", ""]):  # dropped even when no other rule drops
        out = tmp_path / f"out{len(extra)}"
        result = run_cli("build", "--source", src, "--out", out, "--no-style", *extra)
        assert result.returncode == 0, result.stderr
        written = [r for p in read_manifest(out).parts for r in read_jsonl(out / p.file)]
        assert "8" not in {r["index"] for r in written} and all(r["output"].strip() for r in written)
        rows = [r for r in read_jsonl(out / "review.jsonl") if r["index"] == "8"]
        assert {(r["rule"], r["action"]) for r in rows} == {("citation_marks", "fixed"),
                                                            ("emptied_by_fixes", "dropped")}


@pytest.mark.parametrize("command", ["build", "review"])
def test_drop_help_lists_every_check_and_marks_the_defaults(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "RULE,RULE replaces the defaults, +RULE adds a check to them and -RULE takes one out" in text
    assert "'' drops none (emptied_by_fixes always drops)" in text
    for finder in FINDERS:
        if not finder.always:
            star = "*" if finder.name in default_drop() else ""
            assert f"{star}{finder.name} ({finder.action}): {' '.join(finder.description.split())}" in text
    assert not any(f"{fix.name} (" in text for fix in FIXES)  # fixes cannot be dropped


def test_drop_adds_to_or_takes_from_the_defaults() -> None:
    assert parse_drop("+truncated") == default_drop() | {"truncated"}
    assert parse_drop("-duplicate") == default_drop() - {"duplicate"}
    assert parse_drop("+truncated, -duplicate,+non_japanese") == (default_drop() | {"truncated", "non_japanese"}) - {
        "duplicate"}
    assert parse_drop("truncated") == {"truncated"}  # a plain list still replaces the defaults
    for bad in ("truncated,+duplicate", "+nope", "-citation_marks"):
        with pytest.raises(InputError):
            parse_drop(bad)


@pytest.mark.parametrize("args", [["--drop", "-duplicate,+truncated"], ["--drop=-duplicate,+truncated"]])
def test_drop_minus_on_the_command_line(tmp_path: Path, args: list[str]) -> None:
    repeat = make_record(8, instruction="質問その0に答えてください。", output="これは答え0です。")
    src = write_jsonl(tmp_path / "src.jsonl", [*make_records(8), repeat, make_record(9, output="三女の名前は「アリス")])
    result = run_cli("review", src, "--no-style", *args)
    assert result.returncode == 0, result.stderr
    assert re.search(r"duplicate\s+flag\s+1", result.stdout) and re.search(r"truncated\s+drop\s+1", result.stdout)
    assert re.search(r"input_equals_output\s+drop", result.stdout)


def test_one_action_field_per_rule() -> None:
    assert {fix.action for fix in FIXES} == {"fix"}
    assert {finder.action for finder in FINDERS} == {"drop", "flag"}
    assert default_drop() == {f.name for f in FINDERS if f.action == "drop"}
    records = make_records(3)
    actions = {r.name: r.action for r in run_review(records, tag_style=False).rules}
    assert actions == {rule.name: rule.action for rule in (*FIXES, *FINDERS)}  # by default, each its action


def test_real_flags_column(real_source: Path) -> None:
    """The README's count: records a default build keeps with at least one flag."""
    result = run_review(json.loads(real_source.read_bytes()), tag_style=False)
    flagged = [r for r in result.records if r["flags"]]
    assert {name for r in flagged for name in r["flags"]} == {"non_japanese", "too_long", "truncated",
                                                              "unbalanced_brackets"}
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8").split())
    assert f"a default build flags {len(flagged):,} of the {len(result.records):,} records it keeps" in readme
