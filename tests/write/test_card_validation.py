"""The card of a build with a validation split: every number from the files, the TRL example."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from dolly_ja_16k.manifest import read as read_manifest
from dolly_ja_16k.write.card import render_card
from tests.conftest import DEMO_SOURCE, read_jsonl, run_cli


def test_the_card_describes_the_validation_split(tmp_path: Path) -> None:
    out = tmp_path / "b"
    result = run_cli("build", "--source", DEMO_SOURCE, "--out", out, "--validation-size", "8", "--repo-id", "alice/ja")
    assert result.returncode == 0, result.stderr
    card = (out / "README.md").read_text(encoding="utf-8")
    held = read_jsonl(out / "data" / "validation.jsonl")
    everything = held + [r for p in sorted((out / "data").glob("?_of_4.jsonl")) for r in read_jsonl(p)]
    assert "## Validation split" in card and str(tmp_path) not in card
    assert "8 records are held out: they are in no part" in card
    counts, kept = Counter(r["category"] for r in held), Counter(r["category"] for r in everything)
    for category, n in kept.items():
        assert f"| {category} | {counts[category]:,} | {n:,} |" in card
    manifest = read_manifest(out)
    assert manifest.validation is not None
    assert (f"{manifest.validation.groups:,} groups are held out, {manifest.validation.shared_groups:,} of them"
            in card)
    assert "eval_dataset=held_out" in card
    assert 'held_out = load_dataset("alice/ja", "2_of_4-messages", split="validation")' in card
    assert "| `2_of_4` | `train`, `validation` |" in card
    assert "    --validation-size 8" in card  # the build command the card shows
    part_card = render_card(manifest, "alice/ja-2_of_4", part="2_of_4")
    assert 'held_out = load_dataset("alice/ja-2_of_4", split="validation")' in part_card
    assert "a split `validation` of 8 records held out" in part_card
