"""The validation split on the Hub: published in both layouts, loaded by name through olah."""

from __future__ import annotations

from pathlib import Path

from dolly_ja_16k.manifest import from_bytes
from tests.hub.clients import build, hub_env, local_rows, read_back, run_cli
from tests.hub.local_hub import LocalHub
from tests.hub.test_publish import publish

pytest_plugins = ["tests.hub.fixtures"]

PARTS = ["1_of_4", "2_of_4", "3_of_4", "4_of_4"]
HELD = ["data/validation.jsonl", "data/validation-messages.jsonl", "data/validation-prompt_completion.jsonl"]


def test_validation_split_loads_by_name_in_both_layouts(hub: LocalHub, olah, repo_id: str, tmp_path: Path) -> None:
    folder = build(tmp_path / "held", "--validation-size", "8")
    held = local_rows(folder / "data" / "validation.jsonl")
    messages = local_rows(folder / "data" / "validation-messages.jsonl")
    completions = local_rows(folder / "data" / "validation-prompt_completion.jsonl")
    single = publish(hub, tmp_path, folder, repo_id)
    assert single.returncode == 0, single.stderr
    per_part_repo = repo_id + "-pp"
    split_up = publish(hub, tmp_path, folder, per_part_repo, "--layout", "per-part")
    assert split_up.returncode == 0, split_up.stderr
    for part in PARTS:  # every per-part repo holds the validation files, listed in its manifest
        files = hub.read_files(f"{per_part_repo}-{part}")
        assert set(HELD) <= set(files)
        manifest = from_bytes(files["manifest.json"])
        assert manifest.validation is not None and manifest.validation.records == 8

    requests = [
        {"kind": "load_dataset", "repo": repo_id, "config": "2_of_4", "split": "validation"},
        {"kind": "load_dataset", "repo": repo_id, "config": "2_of_4-messages", "split": "validation"},
        {"kind": "load_dataset", "repo": repo_id, "config": "3_of_4-prompt_completion", "split": "validation"},
        {"kind": "load_dataset", "repo": repo_id, "config": "all", "split": "validation"},
        {"kind": "load_dataset", "repo": repo_id, "config": "2_of_4", "split": "train"},
        {"kind": "builder", "repo": repo_id, "config": "2_of_4", "split": "validation"},
        {"kind": "load_dataset", "repo": f"{per_part_repo}-2_of_4", "split": "validation"},
        {"kind": "load_dataset", "repo": f"{per_part_repo}-2_of_4", "config": "messages", "split": "validation"},
    ]
    got = read_back(requests, olah.url, tmp_path / "hf-home-read")
    assert got[0] == held and got[3] == held and got[5] == held and got[6] == held
    assert got[1] == messages and got[7] == messages and got[2] == completions
    assert got[4] == local_rows(folder / "data" / "2_of_4.jsonl")
    assert not {r["index"] for r in held} & {r["index"] for r in got[4]}


def test_diff_and_previous_read_the_validation_split_from_the_hub(hub: LocalHub, olah, repo_id: str,
                                                                  tmp_path: Path) -> None:
    """``diff`` of a published build and ``build --previous hf://…`` read its validation split too."""
    import json

    folder = build(tmp_path / "held", "--validation-size", "8")
    assert publish(hub, tmp_path, folder, repo_id).returncode == 0
    env = hub_env(olah.url, tmp_path / "hf-home-diff")
    same = run_cli(["diff", f"hf://datasets/{repo_id}", str(folder), "--json"], env, tmp_path)
    assert same.returncode == 0, same.stderr
    found = json.loads(same.stdout)
    assert not (found["added"] or found["removed"] or found["moved"] or found["changed"])
    assert any(p["name"] == "validation" and p["old"] == p["new"] == 8 for p in found["parts"])
    again = build(tmp_path / "again", "--validation-size", "8", "--previous", f"hf://datasets/{repo_id}", env=env)
    assert (again / "changes.jsonl").read_bytes() == b""
