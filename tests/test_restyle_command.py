"""``dolly-ja-16k restyle SOURCE --to keitai|jotai --out FILE``, end to end through the real command line."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from dolly_ja_16k import cli
from dolly_ja_16k.read.records import FIELDS
from dolly_ja_16k.review.restyle import restyle
from dolly_ja_16k.review.style import classify
from tests.conftest import make_record, read_jsonl, run_cli, write_json, write_jsonl

POLITE = "東京は日本の首都です。毎日日記を書きます。"
PLAIN = "東京は日本の首都である。毎日日記を書く。"
#: A polite answer with an ending the converter keeps (〜てください: reason request) and a quote.
REQUEST = "窓を開けてください。彼は「行きます。」と言った。"


def _records() -> list[dict[str, str]]:
    return [
        make_record(1, output=POLITE),
        make_record(2, output=PLAIN),
        make_record(3, output="1. りんご\n2. みかん"),
        make_record(4, output=REQUEST),
        make_record(5, output="手紙を書きました。\n川で泳ぎましたが、寒かったです。"),
    ]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("to", ["jotai", "keitai"])
def test_every_record_in_order_only_output_converted(tmp_path: Path, to: str) -> None:
    records = _records()
    # a record with its keys in another order and an extra key: written like the build writes it
    records.append({"index": "6", "output": POLITE, "input": "", "category": "open_qa", "instruction": "問",
                    "extra": "x"})
    src = write_jsonl(tmp_path / "src.jsonl", records)
    out = tmp_path / "out.jsonl"
    result = run_cli("restyle", src, "--to", to, "--out", out)
    assert result.returncode == 0, result.stderr
    written = read_jsonl(out)
    assert [r["index"] for r in written] == ["1", "2", "3", "4", "5", "6"]
    changed = 0
    for before, after in zip(records, written, strict=True):
        assert list(after) == [*FIELDS, "style"]
        assert {k: after[k] for k in FIELDS if k != "output"} == {k: before[k] for k in FIELDS if k != "output"}
        assert after["output"] == restyle(before["output"], to).text
        assert after["style"] == classify(after["output"])
        changed += after["output"] != before["output"]
    assert changed == (3 if to == "jotai" else 2)  # jotai: 1, 5, 6; keitai: 2, 4 (言った)
    data = out.read_bytes()
    assert "首都".encode() in data and b"\\u" not in data  # UTF-8, not escaped
    assert f"{changed} of 6 records changed to {to}" in result.stdout
    assert "Traceback" not in result.stderr


def test_to_plain_then_the_styles_and_the_summary(tmp_path: Path) -> None:
    src = write_json(tmp_path / "src.json", _records())  # a JSON array reads like JSON Lines
    out = tmp_path / "out.jsonl"
    result = run_cli("restyle", src, "--to", "jotai", "--out", out)
    assert result.returncode == 0, result.stderr
    written = {r["index"]: r for r in read_jsonl(out)}
    assert written["1"]["output"] == PLAIN and written["1"]["style"] == "jotai"
    assert written["3"]["output"] == "1. りんご\n2. みかん" and written["3"]["style"] == "none"
    assert written["5"]["output"] == "手紙を書いた。\n川で泳いだが、寒かった。"
    lines = result.stdout.splitlines()
    assert lines[0] == f"restyled 5 records -> {out}"
    # 1: two ends; 5: two ends and one joined clause; 4: the request and the quote stay (unchanged)
    assert lines[1] == "2 of 5 records changed to jotai: 4 sentence ends and 1 clause ends inside sentences rewritten"
    assert lines[2] == "endings left alone: quoted 1, request 1"


def test_copula_da(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [make_record(1, output="東京は日本の首都です。昔は村でした。")])
    out = tmp_path / "out.jsonl"
    assert run_cli("restyle", src, "--to", "jotai", "--copula", "da", "--out", out).returncode == 0
    assert read_jsonl(out)[0]["output"] == "東京は日本の首都だ。昔は村だった。"
    assert run_cli("restyle", src, "--to", "jotai", "--out", out).returncode == 0  # である by default
    assert read_jsonl(out)[0]["output"] == "東京は日本の首都である。昔は村であった。"


def test_examples_before_after_on_one_line_each(tmp_path: Path) -> None:
    records = [make_record(1, output="答え\x1b[31mは本です。"), make_record(2, output="本を読みました。"),
               make_record(3, output="友達が来ました。")]
    src = write_jsonl(tmp_path / "src.jsonl", records)
    result = run_cli("restyle", src, "--to", "jotai", "--out", tmp_path / "o.jsonl", "--examples", "2")
    assert result.returncode == 0, result.stderr
    examples = result.stdout.splitlines()[3:]
    assert examples == ["  index 1: 答え\\x1b[31mは本です。 → 答え\\x1b[31mは本である。",
                        "  index 2: 本を読みました。 → 本を読んだ。"]
    assert "\x1b" not in result.stdout
    none = run_cli("restyle", src, "--to", "jotai", "--out", tmp_path / "o.jsonl")
    assert len(none.stdout.splitlines()) == 3  # no examples unless asked


@pytest.mark.parametrize("content,message", [
    ('{"instruction": "a"\n', "src.jsonl: line 1: "),
    (json.dumps(make_record(1, output="")) + "\n", 'src.jsonl: line 1: field "output" is empty'),
    ("".join(json.dumps(make_record(1)) + "\n" for _ in range(2)), 'duplicate index "1"'),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path: Path, content: str, message: str) -> None:
    src = tmp_path / "src.jsonl"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    before = _snapshot(tmp_path)
    result = run_cli("restyle", src, "--to", "jotai", "--out", out)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0] and "Traceback" not in result.stderr
    assert _snapshot(tmp_path) == before  # the earlier file untouched, nothing beside it


@pytest.mark.parametrize("args,message", [
    (["--to", "polite"], "argument --to: invalid choice: 'polite'"),
    (["--to", "jotai", "--copula", "desu"], "argument --copula: invalid choice: 'desu'"),
    (["--to", "jotai", "--examples", "-1"], "error: --examples: must be at least 0, got -1"),
    (["--to", "jotai", "--examples", "x"], "expected a whole number, got 'x'"),
])
def test_bad_options_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", _records())
    result = run_cli("restyle", src, "--out", tmp_path / "out.jsonl", *args)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_missing_source_and_a_folder_as_out(tmp_path: Path) -> None:
    missing = run_cli("restyle", tmp_path / "nope.jsonl", "--to", "jotai", "--out", tmp_path / "o.jsonl")
    assert missing.returncode == 2 and missing.stderr == f"error: {tmp_path / 'nope.jsonl'}: no such file\n"
    src = write_jsonl(tmp_path / "src.jsonl", _records())
    folder = run_cli("restyle", src, "--to", "jotai", "--out", tmp_path)
    assert folder.returncode == 2 and folder.stderr == f"error: {tmp_path}: --out is a folder, expected a file\n"


def test_out_may_not_be_the_source(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", _records())
    before = src.read_bytes()
    result = run_cli("restyle", src, "--to", "jotai", "--out", tmp_path / "." / "src.jsonl")
    assert result.returncode == 2 and "--out is the file being restyled" in result.stderr
    assert src.read_bytes() == before


def test_an_unwritable_out_is_one_line_exit_1(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", _records())
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a folder\n")
    result = run_cli("restyle", src, "--to", "jotai", "--out", blocker / "out.jsonl")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr == f"error: {blocker / 'out.jsonl'}: Not a directory\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "src.jsonl"]


def test_a_failed_write_leaves_the_earlier_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", _records())
    out = tmp_path / "out.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    real_fsync = os.fsync

    def full(fd: int) -> None:  # the disk fills up as the file is flushed
        real_fsync(fd)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code = cli.main(["restyle", str(src), "--to", "jotai", "--out", str(out)])
    assert code == 1 and capsys.readouterr().err == f"error: {out}: No space left on device\n"
    assert out.read_text(encoding="utf-8") == "earlier\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "src.jsonl"]


def test_a_hub_source_offline_advises_a_local_file_as_its_argument(tmp_path: Path) -> None:
    location = "hf://datasets/someone/missing@" + "0" * 40 + "/data.json"
    env = {"HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://hub.invalid", "HF_HOME": str(tmp_path / "hf")}
    result = run_cli("restyle", location, "--to", "jotai", "--out", tmp_path / "o.jsonl", env=env)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and location in lines[0]
    assert "offline mode is set (HF_HUB_OFFLINE=1)" in lines[0] and "dolly-ja-16k restyle PATH" in lines[0]
    assert not (tmp_path / "o.jsonl").exists()


def test_the_command_is_listed_in_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0 and "restyle" in result.stdout and "です・ます or だ・である" in result.stdout
