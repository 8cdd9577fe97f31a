"""`dolly-ja-16k publish`, against a local Hub (write side) and olah (read side).

Every publish runs the real command line in its own process (``huggingface_hub`` reads
``HF_ENDPOINT`` at import time). What was published is read back through olah -- a Hub
mirror we did not write -- with ``datasets.load_dataset``, ``snapshot_download`` and this
package's builder, and compared with the local build row for row.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hub.clients import (
    ALICE_TOKEN,
    BOB_TOKEN,
    SHARED_DOLLY,
    SOURCE_COMMIT,
    UNKNOWN_TOKEN,
    Run,
    hub_env,
    local_rows,
    read_back,
    run_cli,
    sha256,
)
from tests.hub.local_hub import LocalHub
from tests.hub.olah_server import free_port

pytest_plugins = ["tests.hub.fixtures"]

PARTS = ["1_of_4", "2_of_4", "3_of_4", "4_of_4"]
CONFIGS = ["all", *PARTS]


def publish(hub: LocalHub, tmp_path: Path, folder: Path, repo: str, *args: str, token: str | None = ALICE_TOKEN,
            endpoint: str | None = None) -> Run:
    env = hub_env(endpoint or hub.url, tmp_path / "hf-home-publish", token)
    return run_cli(["publish", "--dir", str(folder), "--repo-id", repo, *args], env, cwd=tmp_path)


def seed_build(hub: LocalHub, repo: str, folder: Path) -> str:
    """Put a build into a repo directly (as an earlier publish would have), returning the head."""
    files = {"README.md": folder / "README.md", "manifest.json": folder / "manifest.json"}
    files.update({path: folder / path for path in built_files(folder)})
    return hub.seed(repo, files, author=repo.split("/")[0], lfs=tuple(p for p in files if p.endswith(".jsonl")))


def git_objects(hub: LocalHub, repo: str) -> bytes:
    """Every git object of the repo, uncompressed, plus its LFS objects."""
    git_repo = hub.repo(repo)
    assert git_repo is not None
    proc = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], capture_output=True, check=True,
                          env={"GIT_DIR": str(git_repo.git_dir), "PATH": "/usr/bin:/bin"})
    lfs = b"".join(p.read_bytes() for p in sorted((git_repo.git_dir / "lfs").rglob("*")) if p.is_file())
    return proc.stdout + lfs


def assert_no_secret(result: Run, hub: LocalHub, repos: list[str], *tokens: str) -> None:
    """The tokens appear nowhere but in Authorization headers: not in output, requests or repos."""
    for token in tokens:
        assert token not in result.stdout and token not in result.stderr
        for request in hub.requests:
            assert token.encode() not in request.body, f"{request.method} {request.path} body holds the token"
            assert token not in request.path
            assert all(token not in v for k, v in request.headers.items() if k.lower() != "authorization")
        for repo in repos:
            if hub.repo(repo) is not None:
                assert token.encode() not in git_objects(hub, repo)


def assert_one_line_error(result: Run, *needles: str) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = result.error_lines
    assert len(errors) == 1, result.stderr
    assert result.stderr.strip().splitlines()[-1] == errors[0]  # last, after any progress bars
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def built_files(folder: Path) -> list[str]:
    """The files a build's manifest lists (data parts, review report, pictures)."""
    from dolly_ja_16k.manifest import read

    return [entry.path for entry in read(folder).files]


def expected_rows(folder: Path) -> dict[str, list[dict[str, str]]]:
    return {part: local_rows(folder / "data" / f"{part}.jsonl") for part in PARTS}


# -- the plan, in-process -------------------------------------------------------------------


def test_match_remote_uses_lfs_sha256_or_git_blob_id_and_deletes_only_earlier_builds_files():
    from dolly_ja_16k.hub.plan import RepoPlan, file_entry, match_remote
    from dolly_ja_16k.hub.remote import Remote

    card, data, manifest = (file_entry("README.md", data=b"card\n"), file_entry("data/1_of_2.jsonl", data=b"{}\n"),
                            file_entry("manifest.json", data=b"{}\n"))
    plan = RepoPlan("alice/x", "main", [card, data, manifest],
                    foreign_configs=[{"config_name": "extra", "data_files": [{"split": "train", "path": "data/x-*"}]}])
    remote = Remote(True, True, "a" * 40, {
        "README.md": (card.git_oid, None),  # regular file, same blob: unchanged
        "data/1_of_2.jsonl": ("f" * 40, data.sha256),  # LFS pointer, same content: unchanged
        "manifest.json": ("0" * 40, None),  # regular file, other blob: changed
        "data/1_of_4.jsonl": ("1" * 40, "2" * 64),  # an earlier build's part: deleted
        "images/old.png": ("3" * 40, "4" * 64),
        "review.jsonl": ("5" * 40, None),
        "data/x-0.jsonl": ("8" * 40, None),  # named by a kept config: kept even though listed
        "data/train-00000-of-00001.parquet": ("9" * 40, "a" * 64),  # not ours (push_to_hub): kept
        "notes.txt": ("6" * 40, None),  # not ours: kept
        ".gitattributes": ("7" * 40, None),
    }, built=frozenset({"data/1_of_4.jsonl", "images/old.png", "review.jsonl", "data/x-0.jsonl"}))
    match_remote(plan, remote)
    assert [f.status for f in plan.files] == ["unchanged", "unchanged", "changed"]
    assert plan.deletions == ["data/1_of_4.jsonl", "images/old.png", "review.jsonl"]
    assert plan.changed and [f.path for f in plan.uploads] == ["manifest.json"]
    git = subprocess.run(["git", "hash-object", "--stdin"], input=b"card\n", capture_output=True, check=True)
    assert card.git_oid == git.stdout.decode().strip()  # the id the Hub lists for a regular file


def test_per_part_manifest_lists_only_its_part(demo_build):
    from dolly_ja_16k.manifest import per_part, read, to_bytes

    manifest = read(demo_build)
    before = to_bytes(manifest)
    sub = per_part(manifest, "3_of_4")
    assert sub.part_names == ["3_of_4"]
    assert [f.path for f in sub.files] == ["data/3_of_4.jsonl", "data/3_of_4-messages.jsonl",
                                           "data/3_of_4-prompt_completion.jsonl"]
    assert sub.training is not None and [c.name for c in sub.training.configs] == [
        "3_of_4-messages", "3_of_4-prompt_completion"]
    assert sub.records == manifest.parts[2].records and sub.part_of is not None
    assert sub.part_of.records == manifest.records and sub.part_of.parts == manifest.part_names
    assert to_bytes(manifest) == before and manifest.files != sub.files  # the build's own manifest is left as it was


# -- publish and read back --------------------------------------------------------------


def test_single_layout_round_trip_through_olah(hub, olah, demo_build, repo_id, tmp_path):
    result = publish(hub, tmp_path, demo_build, repo_id)
    assert result.returncode == 0, result.stderr
    head = hub.head(repo_id)
    assert result.last_line == f"published: {hub.url}/datasets/{repo_id} at commit {head}"
    assert hub.commit_count(repo_id) == 2  # the repo's first commit + exactly one publish commit
    assert "1_of_4.jsonl" in result.stderr and "100%" in result.stderr  # upload progress
    commits = [r for r in hub.requests if r.method == "POST" and "/commit/" in r.path]
    assert len(commits) == 1
    header = json.loads(commits[0].body.splitlines()[0])["value"]
    assert header["parentCommit"] and header["summary"] == "Publish 40 records in 4 parts"
    built = built_files(demo_build)
    puts = {r.path.rsplit("/", 1)[-1] for r in hub.requests if r.method == "PUT"}
    assert puts == {sha256(demo_build / p) for p in built if p.endswith((".jsonl", ".png"))}  # LFS, basic

    files = hub.read_files(repo_id)
    assert sorted(files) == sorted([".gitattributes", "README.md", "manifest.json", *built])
    assert all(files[path] == (demo_build / path).read_bytes() for path in built)
    assert files["manifest.json"] == (demo_build / "manifest.json").read_bytes()
    assert f'load_dataset("{repo_id}"' in files["README.md"].decode()  # the card names the real repo

    requests = [{"kind": "load_dataset", "repo": repo_id, "config": c} for c in CONFIGS]
    requests += [{"kind": "load_dataset", "repo": repo_id, "split": "2_of_4"},
                 {"kind": "snapshot", "repo": repo_id},
                 {"kind": "builder", "repo": repo_id, "config": "2_of_4", "split": "train"},
                 {"kind": "builder", "repo": repo_id, "config": "all"}]
    got = read_back(requests, olah.url, tmp_path / "hf-home-read")
    rows = expected_rows(demo_build)
    assert got[0] == rows
    for part, loaded in zip(PARTS, got[1:5], strict=True):
        assert loaded == {"train": rows[part]}
    assert got[5] == rows["2_of_4"]
    assert got[6] == {path: hashlib.sha256(data).hexdigest() for path, data in files.items()}
    assert got[7] == rows["2_of_4"]
    assert got[8] == rows
    assert_no_secret(result, hub, [repo_id], ALICE_TOKEN)


def test_per_part_layout_round_trip_through_olah(hub, olah, demo_build, repo_id, tmp_path):
    from dolly_ja_16k.manifest import from_bytes, per_part, read, to_bytes

    result = publish(hub, tmp_path, demo_build, repo_id, "--layout", "per-part")
    assert result.returncode == 0, result.stderr
    assert hub.repo(repo_id) is None  # only the four part repos
    for part in PARTS:
        repo = f"{repo_id}-{part}"
        files = hub.read_files(repo)
        own = [f"data/{part}.jsonl", f"data/{part}-messages.jsonl", f"data/{part}-prompt_completion.jsonl"]
        assert sorted(files) == sorted([".gitattributes", "README.md", *own, "manifest.json"])
        manifest = from_bytes(files["manifest.json"])
        assert manifest.part_names == [part] and [f.path for f in manifest.files] == own
        assert files["manifest.json"] == to_bytes(per_part(read(demo_build), part))
        assert f'load_dataset("{repo}", split="train")' in files["README.md"].decode()
        assert all(f"[`{repo_id}-{p}`]" in files["README.md"].decode() for p in PARTS)  # links its siblings
        assert hub.commit_count(repo) == 2
        assert f"{hub.url}/datasets/{repo} at commit {hub.head(repo)}" in result.stdout
    assert result.last_line.endswith(f"{repo_id}-4_of_4 at commit {hub.head(repo_id + '-4_of_4')}")

    requests = [{"kind": "load_dataset", "repo": f"{repo_id}-{p}", "split": "train"} for p in PARTS]
    requests += [{"kind": "load_dataset", "repo": f"{repo_id}-2_of_4"},
                 {"kind": "builder", "repo": f"{repo_id}-2_of_4", "config": "2_of_4", "split": "train"}]
    got = read_back(requests, olah.url, tmp_path / "hf-home-read")
    rows = expected_rows(demo_build)
    assert got[:4] == [rows[p] for p in PARTS]
    assert got[4] == {"train": rows["2_of_4"]}
    assert got[5] == rows["2_of_4"]

    again = publish(hub, tmp_path, demo_build, repo_id, "--layout", "per-part")
    assert again.returncode == 0 and again.stdout.count("up to date: nothing to commit") == 4
    assert all(hub.commit_count(f"{repo_id}-{p}") == 2 for p in PARTS)


def test_republishing_the_same_build_changes_nothing(hub, demo_build, repo_id, tmp_path):
    first = publish(hub, tmp_path, demo_build, repo_id)
    assert first.returncode == 0, first.stderr
    head = hub.head(repo_id)
    hub.reset()
    again = publish(hub, tmp_path, demo_build, repo_id)
    assert again.returncode == 0, again.stderr
    assert hub.head(repo_id) == head and hub.commit_count(repo_id) == 2
    assert "nothing to publish, nothing uploaded" in again.stdout
    assert again.last_line == f"up to date: {hub.url}/datasets/{repo_id} at commit {head}"
    writes = [(r.method, r.path) for r in hub.requests if r.method in ("PUT", "POST")]
    assert writes == []  # no preupload, no LFS, no commit, not even create_repo
    assert_no_secret(again, hub, [repo_id], ALICE_TOKEN)


def test_changed_build_uploads_only_what_differs_and_deletes_old_parts(hub, demo_build, demo_build_two_parts,
                                                                     repo_id, tmp_path):
    seed_build(hub, repo_id, demo_build)
    hub.seed(repo_id, {"notes.txt": b"kept: not a path publish manages\n"}, author="alice")
    head = hub.head(repo_id)
    hub.reset()
    result = publish(hub, tmp_path, demo_build_two_parts, repo_id)
    assert result.returncode == 0, result.stderr
    old_files = {f"data/{p}{fmt}.jsonl" for p in PARTS for fmt in ("", "-messages", "-prompt_completion")}
    for path in old_files:
        assert f"  - {path}" in result.stdout
    files = hub.read_files(repo_id)
    assert sorted(files) == sorted([".gitattributes", "README.md", "manifest.json", "notes.txt",
                                    *built_files(demo_build_two_parts)])
    assert hub.commit_count(repo_id) == hub.commit_count(repo_id, head) + 1  # one commit for all of it
    commit = next(r for r in hub.requests if r.method == "POST" and "/commit/" in r.path)
    entries = [json.loads(line) for line in commit.body.splitlines()]
    assert entries[0]["key"] == "header"
    assert {e["value"]["path"] for e in entries if e["key"] == "deletedFile"} == old_files
    uploaded = {e["value"]["path"] for e in entries if e["key"] in ("file", "lfsFile")}
    assert {"data/1_of_2.jsonl", "data/2_of_2.jsonl", "README.md", "manifest.json"} <= uploaded
    unchanged = {p for p in built_files(demo_build) if p in files and files[p] == (demo_build / p).read_bytes()}
    assert not unchanged & uploaded  # files that did not change are not sent again


def test_dry_run_prints_the_plan_and_touches_nothing(hub, demo_build, demo_build_other, repo_id, tmp_path):
    result = publish(hub, tmp_path, demo_build, repo_id, "--dry-run", token=None)  # no token needed
    assert result.returncode == 0, result.stderr
    assert hub.repo(repo_id) is None
    assert {r.method for r in hub.requests} <= {"GET"}
    for path in ["README.md", "manifest.json", *(f"data/{p}.jsonl" for p in PARTS)]:
        assert f"+ {path}" in result.stdout
    for part in PARTS:
        size = (demo_build / "data" / f"{part}.jsonl").stat().st_size
        assert f"sha256 {sha256(demo_build / 'data' / f'{part}.jsonl')}" in result.stdout
        assert f"{size / 1024:,.1f} KiB" in result.stdout
    assert "(new repo)" in result.stdout and "'Publish 40 records in 4 parts'" in result.stdout
    assert result.last_line == "dry run: nothing was changed on the Hub"

    seed_build(hub, repo_id, demo_build)
    # an earlier build's file (the remote manifest lists it) and a file someone else put under data/
    earlier = json.loads((demo_build / "manifest.json").read_text())
    earlier["files"].append({"path": "data/stale.jsonl", "sha256": "0" * 64, "bytes": 3, "lines": 1})
    hub.seed(repo_id, {"data/stale.jsonl": b"{}\n", "data/theirs.jsonl": b"{}\n",
                       "manifest.json": json.dumps(earlier).encode()}, author="alice")
    head = hub.head(repo_id)
    hub.reset()
    changed = publish(hub, tmp_path, demo_build_other, repo_id, "--dry-run", "--message", "Reshuffle")
    assert changed.returncode == 0, changed.stderr
    assert "- data/stale.jsonl" in changed.stdout and "~ data/1_of_4.jsonl" in changed.stdout
    assert "data/theirs.jsonl" not in changed.stdout  # not ours: never deleted
    assert "'Reshuffle'" in changed.stdout
    assert hub.head(repo_id) == head and {r.method for r in hub.requests} <= {"GET", "HEAD"}
    # HEAD only where hf_hub_download looks a file up before reading it (the remote's card and manifest)
    assert {r.path.split("/resolve/")[-1] for r in hub.requests if r.method == "HEAD"} <= {
        f"{head}/README.md", f"{head}/manifest.json"}
    assert_no_secret(changed, hub, [repo_id], ALICE_TOKEN)


def test_branch_pull_request_and_private(hub, demo_build, demo_build_other, repo_id, tmp_path):
    new = publish(hub, tmp_path, demo_build, repo_id, "--private")
    assert new.returncode == 0, new.stderr
    assert hub.settings(hub.repo(repo_id))["private"] is True
    main = hub.head(repo_id)

    branch = publish(hub, tmp_path, demo_build_other, repo_id, "--revision", "reshuffle")
    assert branch.returncode == 0, branch.stderr
    assert hub.head(repo_id) == main  # main untouched
    assert hub.read_files(repo_id, "reshuffle")["manifest.json"] == (demo_build_other / "manifest.json").read_bytes()

    pr = publish(hub, tmp_path, demo_build_other, repo_id, "--create-pr")
    assert pr.returncode == 0, pr.stderr
    assert hub.head(repo_id) == main
    assert hub.read_files(repo_id, "refs/pr/1")["manifest.json"] == (demo_build_other / "manifest.json").read_bytes()
    assert "(pull request " in pr.last_line and "/discussions/1)" in pr.last_line


# -- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["data", "card"])
def test_refuses_a_folder_verify_rejects(hub, demo_build, repo_id, tmp_path, damage):
    import shutil

    folder = tmp_path / "damaged"
    shutil.copytree(demo_build, folder)
    if damage == "data":
        path = folder / "data" / "3_of_4.jsonl"
        path.write_bytes(path.read_bytes().replace("。".encode(), "．".encode(), 1))
        needle = "sha256 does not match"
    else:
        card = folder / "README.md"
        card.write_text(card.read_text(encoding="utf-8").replace("config_name: 2_of_4", "config_name: two"),
                        encoding="utf-8")
        needle = "`configs` does not match"
    result = publish(hub, tmp_path, folder, repo_id)
    assert result.returncode == 2
    assert_one_line_error(result, "verify rejected the folder", needle)
    assert hub.requests == [] and hub.repo(repo_id) is None


def test_refuses_bad_options(hub, demo_build, tmp_path):
    result = publish(hub, tmp_path, demo_build, "not-a-repo-id")
    assert result.returncode == 2
    assert_one_line_error(result, "OWNER/NAME")
    result = publish(hub, tmp_path, tmp_path / "missing", "alice/x")
    assert result.returncode == 2
    assert_one_line_error(result, "no such folder")
    result = publish(hub, tmp_path, demo_build, "alice/x", "--create-pr", "--revision", "dev")
    assert result.returncode == 2
    assert hub.requests == []


# -- faults ---------------------------------------------------------------------------------


def _faulty_publish(hub, tmp_path, repo, old, new, *args):
    """Seed ``old``, publish ``new`` with whatever faults are set; returns (result, old head)."""
    head = seed_build(hub, repo, old)
    return publish(hub, tmp_path, new, repo, *args), head


def test_lfs_upload_failure_leaves_the_remote_unchanged_and_rerun_succeeds(
        hub, demo_build, demo_build_other, repo_id, tmp_path):
    hub.fail("PUT", r"^/lfs-upload/", status=500, times=1000)  # every attempt, every retry
    result, head = _faulty_publish(hub, tmp_path, repo_id, demo_build, demo_build_other)
    assert result.returncode == 1
    assert_one_line_error(result, f"publishing to {repo_id}", "HTTP 500",
                          f"nothing was committed, {repo_id} is unchanged")
    assert hub.head(repo_id) == head
    assert sum(r.method == "PUT" for r in hub.requests) > 1  # huggingface_hub retried with backoff
    assert not any("/commit/" in r.path for r in hub.requests)
    assert_no_secret(result, hub, [repo_id], ALICE_TOKEN)

    hub.reset()
    again = publish(hub, tmp_path, demo_build_other, repo_id)
    assert again.returncode == 0, again.stderr
    assert hub.read_files(repo_id)["manifest.json"] == (demo_build_other / "manifest.json").read_bytes()


def test_transient_upload_drop_is_retried(hub, demo_build, demo_build_other, repo_id, tmp_path):
    hub.fail("PUT", r"^/lfs-upload/", "drop", times=1)
    result, _ = _faulty_publish(hub, tmp_path, repo_id, demo_build, demo_build_other)
    assert result.returncode == 0, result.stderr
    assert hub.read_files(repo_id)["manifest.json"] == (demo_build_other / "manifest.json").read_bytes()


@pytest.mark.parametrize(("kind", "status", "needle"), [
    ("status", 500, "the Hub answered HTTP 500"),
    ("drop", 0, "connection to the Hub"),
    ("status", 401, "rejected the token"),
])
def test_commit_failure_leaves_the_remote_unchanged(hub, demo_build, demo_build_other, repo_id, tmp_path, kind,
                                                    status, needle):
    hub.fail("POST", r"/commit/", kind, status=status)
    result, head = _faulty_publish(hub, tmp_path, repo_id, demo_build, demo_build_other)
    assert result.returncode == 1
    assert_one_line_error(result, needle, f"nothing was committed, {repo_id} is unchanged")
    assert hub.head(repo_id) == head
    assert_no_secret(result, hub, [repo_id], ALICE_TOKEN)
    hub.reset()
    again = publish(hub, tmp_path, demo_build_other, repo_id)
    assert again.returncode == 0, again.stderr
    assert hub.commit_count(repo_id) == hub.commit_count(repo_id, head) + 1


def test_timeout_at_commit(hub, demo_build, demo_build_other, repo_id, tmp_path):
    hub.fail("POST", r"/commit/", "hang", delay=4)
    result, head = _faulty_publish(hub, tmp_path, repo_id, demo_build, demo_build_other, "--timeout", "1")
    assert result.returncode == 1
    assert_one_line_error(result, "did not answer within 1s", "is unchanged")
    assert hub.head(repo_id) == head
    assert_no_secret(result, hub, [repo_id], ALICE_TOKEN)


def test_answer_lost_after_commit_then_rerun_is_a_no_op(hub, demo_build, demo_build_other, repo_id, tmp_path):
    hub.fail("POST", r"/commit/", "drop_after")
    result, head = _faulty_publish(hub, tmp_path, repo_id, demo_build, demo_build_other)
    assert result.returncode == 1
    assert_one_line_error(result, "connection to the Hub", f"{repo_id} is now at", "publish again")
    assert hub.head(repo_id) != head
    hub.reset()
    again = publish(hub, tmp_path, demo_build_other, repo_id)
    assert again.returncode == 0 and "up to date" in again.last_line


def test_concurrent_commit_is_refused_not_overwritten(hub, demo_build, demo_build_other, repo_id, tmp_path):
    concurrent = {}

    def someone_else_commits() -> None:
        concurrent["head"] = hub.seed(repo_id, {"data/theirs.jsonl": b'{"a": 1}\n'}, author="alice")

    hub.fail("POST", r"/preupload/", "call", action=someone_else_commits)
    result, _ = _faulty_publish(hub, tmp_path, repo_id, demo_build, demo_build_other)
    assert result.returncode == 1
    assert_one_line_error(result, "HTTP 412", "changed on the Hub", "refused")
    assert hub.head(repo_id) == concurrent["head"]
    assert "data/theirs.jsonl" in hub.read_files(repo_id)
    assert_no_secret(result, hub, [repo_id], ALICE_TOKEN)


def test_invalid_token(hub, demo_build, repo_id, tmp_path):
    result = publish(hub, tmp_path, demo_build, repo_id, token=UNKNOWN_TOKEN)
    assert result.returncode == 1
    assert_one_line_error(result, "rejected the token", "HF_TOKEN")
    assert hub.repo(repo_id) is None
    assert_no_secret(result, hub, [], UNKNOWN_TOKEN)


def test_missing_token(hub, demo_build, repo_id, tmp_path):
    result = publish(hub, tmp_path, demo_build, repo_id, token=None)
    assert result.returncode == 1
    assert_one_line_error(result, "no Hugging Face token", "hf auth login")
    assert hub.requests == []


@pytest.mark.parametrize("private", [False, True])
def test_someone_elses_repo(hub, demo_build, demo_build_other, tmp_path, private, repo_id):
    theirs = repo_id.replace("alice/", "bob/")
    hub.create_repo(theirs, owner="bob", private=private)
    head = seed_build(hub, theirs, demo_build)
    result = publish(hub, tmp_path, demo_build_other, theirs)
    assert result.returncode == 1
    assert_one_line_error(result, f"no write access to {theirs}", "HTTP 403")
    assert hub.head(theirs) == head
    assert_no_secret(result, hub, [theirs], ALICE_TOKEN, BOB_TOKEN)


def test_connection_refused(hub, demo_build, repo_id, tmp_path, closed_port):
    result = publish(hub, tmp_path, demo_build, repo_id, endpoint=f"http://127.0.0.1:{closed_port}")
    assert result.returncode == 1
    assert_one_line_error(result, "cannot reach the Hub", f"127.0.0.1:{closed_port}")
    assert_no_secret(result, hub, [], ALICE_TOKEN)


def test_publish_script_is_a_thin_wrapper(hub, demo_build, repo_id, tmp_path):
    script = Path(__file__).resolve().parents[2] / "scripts" / "publish_to_hub.py"
    proc = subprocess.run([sys.executable, str(script), "--dir", str(demo_build), "--repo-id", repo_id, "--dry-run"],
                          env=hub_env(hub.url, tmp_path / "hf-home", ALICE_TOKEN), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "dry run: nothing was changed on the Hub"


# -- the source, through the Hub --------------------------------------------------------


def test_build_reports_an_unreachable_hub(tmp_path):
    """`build` with the default source and nothing listening at HF_ENDPOINT fails at once.

    huggingface_hub alone would retry a refused connection with backoff for about 23 s;
    the build probes the endpoint first, so the user hears within seconds.
    """
    port = free_port()
    started = time.monotonic()
    result = run_cli(["build", "--out", str(tmp_path / "out")],
                     hub_env(f"http://127.0.0.1:{port}", tmp_path / "hf-home"), cwd=tmp_path)
    assert time.monotonic() - started < 15, "the unreachable Hub was not reported at once"
    assert result.returncode == 1
    assert_one_line_error(result, "cannot reach the Hub", f"127.0.0.1:{port}", "--source")
    assert not (tmp_path / "out").exists()


def test_real_data_default_source_build_publish_and_load(hub, olah, source_mirror, repo_id, tmp_path):
    """The whole path with the real 15k records: default hf:// source through olah, publish, load."""
    out = tmp_path / "real"
    built = run_cli(["build", "--out", str(out)], hub_env(olah.url, tmp_path / "hf-home-build"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    source = manifest["source"]
    assert source["revision"] == SOURCE_COMMIT  # the pinned upstream commit, as the Hub (olah) answered it
    assert source["sha256"] == sha256(SHARED_DOLLY) and source["records"] == 15015
    cached = tmp_path / "hf-home-build" / "hub" / "datasets--kunishou--databricks-dolly-15k-ja" / "snapshots"
    assert (cached / SOURCE_COMMIT / "databricks-dolly-15k-ja.json").is_file()

    result = publish(hub, tmp_path, out, repo_id)
    assert result.returncode == 0, result.stderr
    requests = [{"kind": "load_dataset", "repo": repo_id, "config": c} for c in CONFIGS]
    got = read_back(requests, olah.url, tmp_path / "hf-home-read")
    rows = expected_rows(out)
    assert sum(len(r) for r in rows.values()) == manifest["records"]
    assert got[0] == rows
    for part, loaded in zip(PARTS, got[1:], strict=True):
        assert loaded == {"train": rows[part]}
    assert_no_secret(result, hub, [repo_id], ALICE_TOKEN)
