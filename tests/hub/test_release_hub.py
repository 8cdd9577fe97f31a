"""The release workflow end to end against the local Hub, read back through olah.

Build and publish v1 with a tag; change the source (remove, add, edit records); build v2 with
``--previous`` pointing at the published v1; publish it with a second tag. Then each tag loads
its own release by name, ``diff`` of the two Hub revisions says what ``diff`` of the two
folders says, and v2's ``changes.jsonl`` says it too.
"""

from __future__ import annotations

import json
from pathlib import Path

from dolly_ja_16k.diff import change_lines, diff_builds
from dolly_ja_16k.manifest import read as read_manifest
from tests.conftest import make_record, make_records, write_jsonl
from tests.hub.clients import build, hub_env, local_rows, read_back, run_cli
from tests.hub.local_hub import LocalHub
from tests.hub.test_publish import publish

pytest_plugins = ["tests.hub.fixtures"]


def _diff(old: str, new: str, env: dict[str, str], cwd: Path) -> dict:
    result = run_cli(["diff", old, new, "--json"], env, cwd)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    del found["old"], found["new"]  # the names differ (folders, Hub revisions); nothing else may
    return found


def test_release_workflow_through_the_hub(hub: LocalHub, olah, repo_id: str, tmp_path: Path) -> None:
    v1_records = make_records(160)
    v2_records = [dict(r, output="書き直した答えです。") if r["index"] in {"3", "40"} else r
                  for r in v1_records if r["index"] not in {"10", "11", "99"}]
    v2_records += [make_record(300), make_record(301)]
    read_env = hub_env(olah.url, tmp_path / "hf-home-read")

    first = build(tmp_path / "v1", "--no-style", source=write_jsonl(tmp_path / "v1.jsonl", v1_records))
    published = publish(hub, tmp_path, first, repo_id, "--tag", "v1")
    assert published.returncode == 0, published.stderr
    v1_commit = hub.head(repo_id)

    second = build(tmp_path / "v2", "--no-style", "--previous", f"hf://datasets/{repo_id}@v1",
                   source=write_jsonl(tmp_path / "v2.jsonl", v2_records), env=read_env)
    previous = read_manifest(second).previous
    assert previous is not None and previous.commit == v1_commit
    assert previous.name == f"hf://datasets/{repo_id}@{v1_commit}"
    card = (second / "README.md").read_text(encoding="utf-8")
    assert f"https://huggingface.co/datasets/{repo_id}/tree/{v1_commit}" in card
    published = publish(hub, tmp_path, second, repo_id, "--tag", "v2")
    assert published.returncode == 0, published.stderr

    # each tag loads its own release, by name, as from the Hub
    requests = [{"kind": "load_dataset", "repo": repo_id, "config": "2_of_4", "split": "train", "revision": tag}
                for tag in ("v1", "v2")]
    got = read_back(requests, olah.url, tmp_path / "hf-home-load")
    assert got == [local_rows(first / "data" / "2_of_4.jsonl"), local_rows(second / "data" / "2_of_4.jsonl")]

    # diff of the Hub revisions = diff of the folders = changes.jsonl
    on_hub = _diff(f"hf://datasets/{repo_id}@v1", f"hf://datasets/{repo_id}@v2", read_env, tmp_path)
    local = _diff(str(first), str(second), read_env, tmp_path)
    assert on_hub == local
    assert local["removed"] == ["10", "11", "99"] and local["added"] == ["300", "301"]
    assert local["changed"] == ["3", "40"]
    assert (second / "changes.jsonl").read_bytes() == change_lines(diff_builds(first, second))
