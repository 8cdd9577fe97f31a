"""`--keep-all` says what happened: nothing was cleaned, and each finding says what a build would have done."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_record, make_records, read_jsonl, run_cli, write_jsonl


def _source(tmp_path: Path) -> Path:
    records = [*make_records(12), make_record(20, output="指輪物語』は小説です。"),  # a fix
               make_record(21, input="同じ", output="同じ"),  # input_equals_output: dropped by default
               make_record(22, output="三女の名前は「アリス")]  # unbalanced_brackets: only flagged
    return write_jsonl(tmp_path / "src.jsonl", records)


def test_a_keep_all_build_says_nothing_was_cleaned_and_what_would_have_been_done(tmp_path: Path) -> None:
    src = _source(tmp_path)
    result = run_cli("build", "--source", src, "--out", tmp_path / "kept", "--keep-all", "--parts", "2")
    assert result.returncode == 0, result.stderr
    card = (tmp_path / "kept" / "README.md").read_text(encoding="utf-8")
    assert "cleaned" not in card
    assert "reviewed (nothing was changed or dropped" in card
    rows = {(r["index"], r["rule"]): r for r in read_jsonl(tmp_path / "kept" / "review.jsonl")}
    assert rows[("20", "lost_brackets")]["action"] == "flagged" and rows[("20", "lost_brackets")]["would"] == "fix"
    assert rows[("21", "input_equals_output")]["would"] == "drop"
    assert "would" not in rows[("22", "unbalanced_brackets")]  # a build only flags it too
    assert all(r["action"] == "flagged" for r in rows.values())

    cleaned = run_cli("build", "--source", src, "--out", tmp_path / "cleaned", "--parts", "2")
    assert cleaned.returncode == 0, cleaned.stderr
    assert "reviewed and cleaned as described above" in (tmp_path / "cleaned" / "README.md").read_text("utf-8")
    assert all("would" not in r for r in read_jsonl(tmp_path / "cleaned" / "review.jsonl"))


def test_review_keep_all_claims_no_file_it_does_not_write(tmp_path: Path) -> None:
    src = _source(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("review", src, "--keep-all", "--examples", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "review.jsonl" not in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert "index 21: would be flagged (a build would drop it)" in result.stdout
    assert "index 20: would be flagged (a build would fix it)" in result.stdout
