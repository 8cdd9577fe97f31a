"""The ``flags`` column: in every raw part and training config, a list of strings, loadable by name."""

from __future__ import annotations

from pathlib import Path

import datasets
import pytest

import dolly_ja_16k
from dolly_ja_16k.manifest import read as read_manifest
from tests.conftest import make_record, make_records, read_jsonl, run_cli, write_jsonl

#: Records the review flags but keeps: untranslated (non_japanese) and cut off (truncated).
FLAGGED = {"40": ["non_japanese"], "41": ["truncated", "unbalanced_brackets"]}


def _source(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "src.jsonl", [
        *make_records(40), make_record(40, instruction="List bands.", output="Oasis, Blur, Pulp"),
        make_record(41, output="三女の名前は「アリス")])


def _configs(out: Path) -> list[str]:
    return datasets.get_dataset_config_names(str(out))


@pytest.mark.parametrize("extra", [[], ["--keep-all"]], ids=["default", "keep-all"])
def test_every_config_loads_flags_as_a_list_of_strings(tmp_path: Path, extra: list[str]) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--source", _source(tmp_path), "--out", out, *extra)
    assert result.returncode == 0, result.stderr
    cache = str(tmp_path / "cache")
    configs = _configs(out)
    assert len(configs) == 1 + 4 * 3
    seen: dict[str, list[str]] = {}
    for config in configs:
        loaded = datasets.load_dataset(str(out), config, cache_dir=cache)
        for split in loaded.values():
            assert split.features["flags"] == datasets.List(datasets.Value("string")), config
            for row in split:
                assert isinstance(row["flags"], list) and all(isinstance(f, str) for f in row["flags"])
                seen[row["index"]] = row["flags"]
            unflagged = split.filter(lambda r: not r["flags"])
            assert len(unflagged) == sum(1 for r in split if not r["flags"])
            assert not {r["index"] for r in unflagged} & set(FLAGGED)
    assert {index: flags for index, flags in seen.items() if flags} == FLAGGED


def test_a_part_without_flagged_records_still_types_flags_as_strings(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--source", write_jsonl(tmp_path / "src.jsonl", make_records(12)), "--out", out)
    assert result.returncode == 0, result.stderr
    assert all(r["flags"] == [] for p in read_manifest(out).parts for r in read_jsonl(out / p.file))
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.count("- name: flags\n    list: string") == 1 + 4 + 4 * 2  # all, the parts, the training configs
    part = datasets.load_dataset(str(out), "1_of_4", split="train", cache_dir=str(tmp_path / "cache"))
    assert part.features["flags"] == datasets.List(datasets.Value("string"))
    assert dolly_ja_16k.load("1_of_4", out, split="train", cache_dir=tmp_path / "c2").features["flags"] == \
        datasets.List(datasets.Value("string"))


def test_the_card_counts_flagged_records_per_part_and_shows_the_filter(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("build", "--source", _source(tmp_path), "--out", out).returncode == 0
    manifest = read_manifest(out)
    counted = {p.name: sum(1 for r in read_jsonl(out / p.file) if r["flags"]) for p in manifest.parts}
    assert {p.name: p.flagged for p in manifest.parts} == counted and sum(counted.values()) == 2
    card = " ".join((out / "README.md").read_text(encoding="utf-8").split())
    per_part = ", ".join(f"{name} {n}" for name, n in counted.items())
    assert f"Records with at least one flag per part: {per_part} (2 of 42)." in card
    assert 'ds = ds.filter(lambda r: not r["flags"])' in card
