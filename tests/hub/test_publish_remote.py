"""`dolly-ja-16k publish` when things are not as planned: damaged folders, odd Hub answers,
Ctrl-C mid-commit, other people's configs, tags, and no Hub at all for a dry run.

Like tests/test_publish.py, every publish is the real command line in its own process
against the local Hub, and what a reader sees is read back through olah.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hub.clients import ALICE_TOKEN, hub_env, local_rows, read_back, run_cli
from tests.hub.local_hub import LocalHub
from tests.hub.test_publish import PARTS, assert_no_secret, assert_one_line_error, built_files, publish, seed_build

pytest_plugins = ["tests.hub.fixtures"]


def _writes(hub: LocalHub) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in hub.requests if r.method in ("PUT", "POST", "DELETE")]


# -- the HTTP client -------------------------------------------------------------------------


def test_configure_http_sets_a_timeout_and_keeps_the_clients_hooks():
    """The session keeps huggingface_hub's own request hooks (offline mode, request ids)."""
    from huggingface_hub import get_session

    from dolly_ja_16k.hub.client import configure_http

    hooks = get_session().event_hooks
    assert hooks["request"]  # huggingface_hub's hook is there to keep
    configure_http(7.0)
    session = get_session()
    assert session.timeout.read == 7.0 and session.timeout.connect == 7.0
    assert session.event_hooks == hooks and session.follow_redirects


# -- B1: a damaged folder never reaches the Hub ------------------------------------------------


def _damage_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text())
    path.write_text(json.dumps(change(data)))


def _drop_bytes(m):
    del m["files"][0]["bytes"]
    return m


def _no_parts(m):
    m["parts"] = []
    return m


def _path(value):
    def change(m):
        m["files"][0]["path"] = value
        return m
    return change


@pytest.mark.parametrize(("damage", "needle"), [
    ("card_yaml", "README.md"),
    ("manifest_list", "not a dolly-ja-16k manifest"),
    ("no_bytes", "bytes"),
    ("no_parts", "no parts"),
    ("escaping_path", "data/../../secret.txt"),
    ("absolute_path", "/etc/passwd"),
])
def test_damaged_folder_is_refused_before_any_request(hub, demo_build, repo_id, tmp_path, damage, needle):
    folder = tmp_path / "damaged"
    shutil.copytree(demo_build, folder)
    if damage == "card_yaml":
        card = folder / "README.md"
        card.write_text("---\nlicense: [cc-by-sa-3.0\n" + card.read_text(encoding="utf-8").split("\n", 1)[1],
                        encoding="utf-8")
    elif damage == "manifest_list":
        (folder / "manifest.json").write_text("[]")
    else:
        change = {"no_bytes": _drop_bytes, "no_parts": _no_parts, "escaping_path": _path("data/../../secret.txt"),
                  "absolute_path": _path("/etc/passwd")}[damage]
        _damage_manifest(folder, change)
    result = publish(hub, tmp_path, folder, repo_id)
    assert result.returncode == 2, result.stderr
    assert_one_line_error(result, needle)
    assert hub.requests == [] and hub.repo(repo_id) is None  # not even whoami, no repo created


# -- B2: the Hub answers 200 with something unexpected -------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "needle"), [
    ("GET", r"/revision/main$", b'{"id": "x", "private": false}', "revision info without a commit id"),
    ("GET", r"/revision/main$", b'{"private": false}', "revision info"),
    ("GET", r"/tree/", b'{"files": "not a list"}', "a file listing of an unexpected shape"),
    ("GET", r"/tree/", b'[{"path": 3}]', "a file listing of an unexpected shape"),
    ("GET", r"/revision/main$", b"<html>maintenance</html>", "revision info that is not JSON"),
])
def test_unexpected_answer_is_one_line_and_the_remote_is_unchanged(hub, demo_build, demo_build_other, repo_id,
                                                                   tmp_path, method, path, body, needle):
    head = seed_build(hub, repo_id, demo_build)
    hub.fail(method, path, "body", body=body)
    result = publish(hub, tmp_path, demo_build_other, repo_id)
    assert result.returncode == 1
    assert_one_line_error(result, f"reading {repo_id} on the Hub", needle)
    assert hub.head(repo_id) == head and _writes(hub) == []
    assert_no_secret(result, hub, [repo_id], ALICE_TOKEN)


@pytest.mark.parametrize(("body", "needle"), [(b'{"success": true}', "something of an unexpected shape"),
                                              (b"not json", "something that is not JSON")])
def test_unexpected_commit_answer(hub, demo_build, demo_build_other, repo_id, tmp_path, body, needle):
    head = seed_build(hub, repo_id, demo_build)
    hub.fail("POST", r"/commit/", "body", body=body)  # answered without applying it
    result = publish(hub, tmp_path, demo_build_other, repo_id)
    assert result.returncode == 1
    assert_one_line_error(result, f"publishing to {repo_id}", needle,
                          f"nothing was committed, {repo_id} is unchanged")
    assert hub.head(repo_id) == head
    assert_no_secret(result, hub, [repo_id], ALICE_TOKEN)


# -- B3: Ctrl-C while the commit is in flight --------------------------------------------------------


def _interrupt_at_commit(hub: LocalHub, tmp_path: Path, folder: Path, repo: str, committed) -> subprocess.Popen:
    """Start a publish, wait until ``committed()`` says the commit request is where we want it, send SIGINT."""
    env = hub_env(hub.url, tmp_path / "hf-home-publish", ALICE_TOKEN)
    proc = subprocess.Popen([sys.executable, "-m", "dolly_ja_16k", "publish", "--dir", str(folder),
                             "--repo-id", repo], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not committed():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the commit request never arrived"
        time.sleep(0.05)
    time.sleep(0.3)  # the client is now blocked waiting for the answer
    proc.send_signal(signal.SIGINT)
    return proc


def test_ctrl_c_while_the_hub_holds_the_commit(hub, demo_build, demo_build_other, repo_id, tmp_path):
    head = seed_build(hub, repo_id, demo_build)
    held = hub.fail("POST", r"/commit/", "hold")  # not applied until released
    proc = _interrupt_at_commit(hub, tmp_path, demo_build_other, repo_id, held.arrived.is_set)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and stderr.strip().splitlines()[-1] == errors[0], stderr
    assert f"interrupted while committing to {repo_id}: not committed when read back" in errors[0]
    assert f"still at {head[:12]}" in errors[0] and "publish --dry-run" in errors[0]
    assert "may still apply" in errors[0]
    assert hub.head(repo_id) == head  # what the message said was true when it was said

    held.release.set()  # the Hub applies what it received: the message warned about exactly this
    deadline = time.monotonic() + 30
    while hub.head(repo_id) == head and time.monotonic() < deadline:
        time.sleep(0.05)
    hub.reset()
    check = publish(hub, tmp_path, demo_build_other, repo_id, "--dry-run")
    assert check.returncode == 0 and "up to date: nothing to commit" in check.stdout, check.stdout


def test_ctrl_c_after_the_hub_applied_the_commit(hub, demo_build, demo_build_other, repo_id, tmp_path):
    head = seed_build(hub, repo_id, demo_build)
    held = hub.fail("POST", r"/commit/", "hold_after")  # applied at once, the answer held
    proc = _interrupt_at_commit(hub, tmp_path, demo_build_other, repo_id, lambda: hub.head(repo_id) != head)
    _, stderr = proc.communicate(timeout=60)
    held.release.set()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert errors[0] == (f"error: interrupted, but the commit went through: {repo_id} main is at commit "
                         f"{hub.head(repo_id)} (was {head[:12]})")


def test_ctrl_c_while_uploading_says_nothing_was_committed(hub, demo_build, demo_build_other, repo_id, tmp_path):
    head = seed_build(hub, repo_id, demo_build)
    held = hub.fail("PUT", r"^/lfs-upload/", "hold", apply=False)
    proc = _interrupt_at_commit(hub, tmp_path, demo_build_other, repo_id, held.arrived.is_set)
    time.sleep(1)
    held.release.set()  # the client waits for its upload threads before it stops
    _, stderr = proc.communicate(timeout=90)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and stderr.strip().splitlines()[-1] == errors[0], stderr
    assert errors[0] == (f"error: interrupted while uploading to {repo_id}, before the commit: nothing was "
                         f"committed, main is still at {head[:12]}")
    assert hub.head(repo_id) == head and not any("/commit/" in r.path for r in hub.requests)


# -- B4: --revision refs/heads/main -----------------------------------------------------------------


def test_revision_given_as_a_full_ref(hub, demo_build, repo_id, tmp_path):
    result = publish(hub, tmp_path, demo_build, repo_id, "--revision", "refs/heads/main")
    assert result.returncode == 0, result.stderr
    assert result.last_line == f"published: {hub.url}/datasets/{repo_id} at commit {hub.head(repo_id)}"
    assert hub.commit_count(repo_id) == 2
    hub.reset()
    again = publish(hub, tmp_path, demo_build, repo_id, "--revision", "refs/heads/main")
    assert again.returncode == 0 and "up to date" in again.last_line
    for bad, needle in [("refs/tags/v1", "is not a branch"), ("refs/pr/1", "is not a branch"),
                        ("a..b", "not a valid branch name")]:
        refused = publish(hub, tmp_path, demo_build, repo_id, "--revision", bad)
        assert refused.returncode == 2
        assert_one_line_error(refused, "--revision", needle)
    assert _writes(hub) == []


# -- C9: a dry run without a Hub --------------------------------------------------------------------


def test_dry_run_offline_prints_the_local_plan(demo_build, tmp_path, closed_port):
    started = time.monotonic()
    env = hub_env(f"http://127.0.0.1:{closed_port}", tmp_path / "hf-home", None)
    result = run_cli(["publish", "--dir", str(demo_build), "--repo-id", "alice/x", "--dry-run"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60
    out = result.stdout
    assert "(remote not read)" in out and "the remote could not be read" in out
    assert f"cannot reach the Hub at http://127.0.0.1:{closed_port}" in out
    for part in PARTS:
        size = (demo_build / "data" / f"{part}.jsonl").stat().st_size
        assert f"? data/{part}.jsonl" in out and f"{size / 1024:,.1f} KiB" in out
    listed = built_files(demo_build)
    assert f"one commit: up to {len(listed) + 2} file(s) to upload (" in out  # + the card and the manifest
    assert "that this build lacks would be deleted" in out
    assert result.last_line == "dry run: nothing was changed on the Hub"


# -- C10: configs someone else added -----------------------------------------------------------------


def _add_config(hub: LocalHub, repo: str, name: str, files: dict[str, bytes], pattern: str,
                features: list[str]) -> str:
    """What `push_to_hub(config_name=...)` or a hand edit does: a config in the card and its files."""
    from huggingface_hub import DatasetCard

    card = DatasetCard(hub.read_files(repo)["README.md"].decode())
    card.data.configs = [*card.data.configs, {"config_name": name,
                                              "data_files": [{"split": "train", "path": pattern}]}]
    info = card.data.dataset_info
    card.data.dataset_info = [*(info if isinstance(info, list) else [info]), {
        "config_name": name, "features": [{"name": f, "dtype": "string"} for f in features],
        "splits": [{"name": "train", "num_examples": 2}]}]
    lfs = tuple(p for p in files if p.endswith((".jsonl", ".parquet")))
    return hub.seed(repo, {"README.md": str(card).encode(), **files}, author="alice", lfs=lfs)


def test_foreign_json_lines_config_and_its_files_are_kept(hub, olah, demo_build, demo_build_other, repo_id,
                                                          tmp_path):
    first = publish(hub, tmp_path, demo_build, repo_id)
    assert first.returncode == 0, first.stderr
    extra = [{"q": "一", "a": "1"}, {"q": "二", "a": "2"}]
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in extra).encode()
    _add_config(hub, repo_id, "extra", {"extra/train.jsonl": lines}, "extra/train.jsonl", ["q", "a"])
    hub.seed(repo_id, {"data/notes.jsonl": b'{"x": "y"}\n'}, author="alice")  # under data/, not ours
    hub.reset()

    result = publish(hub, tmp_path, demo_build_other, repo_id)
    assert result.returncode == 0, result.stderr
    assert "kept: config extra (extra/train.jsonl)" in result.stdout
    files = hub.read_files(repo_id)
    assert files["extra/train.jsonl"] == lines and "data/notes.jsonl" in files
    assert files["manifest.json"] == (demo_build_other / "manifest.json").read_bytes()
    from huggingface_hub import DatasetCard

    data = DatasetCard(files["README.md"].decode()).data
    assert [c["config_name"] for c in data.configs] == [
        "all", *(f"{p}{fmt}" for p in PARTS for fmt in ("", "-messages", "-prompt_completion")), "extra"]
    assert data.configs[0].get("default") is True and "default" not in data.configs[-1]
    assert [i["config_name"] for i in data.dataset_info][-1] == "extra"

    got = read_back([{"kind": "load_dataset", "repo": repo_id, "config": "extra", "split": "train"},
                     {"kind": "load_dataset", "repo": repo_id, "config": "2_of_4", "split": "train"}],
                    olah.url, tmp_path / "hf-home-read")
    assert got[0] == extra
    assert got[1] == local_rows(demo_build_other / "data" / "2_of_4.jsonl")

    hub.reset()
    again = publish(hub, tmp_path, demo_build_other, repo_id)  # the merged card is stable: no new commit
    assert again.returncode == 0 and "up to date" in again.last_line
    assert _writes(hub) == []


def test_parquet_config_is_refused_unless_forced(hub, demo_build, demo_build_other, repo_id, tmp_path):
    first = publish(hub, tmp_path, demo_build, repo_id)
    assert first.returncode == 0, first.stderr
    parquet = b"PAR1 not really parquet PAR1"
    head = _add_config(hub, repo_id, "pq", {"pq/train-00000-of-00001.parquet": parquet}, "pq/train-*",
                       ["text"])
    hub.reset()
    refused = publish(hub, tmp_path, demo_build_other, repo_id)
    assert refused.returncode == 1
    assert_one_line_error(refused, "configs in another format than JSON Lines", "pq (pq/train-*)",
                          "another repo", "--force")
    assert hub.head(repo_id) == head and _writes(hub) == []

    forced = publish(hub, tmp_path, demo_build_other, repo_id, "--force")
    assert forced.returncode == 0, forced.stderr
    files = hub.read_files(repo_id)
    assert files["pq/train-00000-of-00001.parquet"] == parquet
    assert files["manifest.json"] == (demo_build_other / "manifest.json").read_bytes()
    assert "config_name: pq" in files["README.md"].decode()


def test_unreadable_remote_card_is_refused_unless_forced(hub, demo_build, demo_build_other, repo_id, tmp_path):
    seed_build(hub, repo_id, demo_build)
    head = hub.seed(repo_id, {"README.md": b"---\nconfigs: [\n---\nhand-edited\n"}, author="alice")
    hub.reset()
    refused = publish(hub, tmp_path, demo_build_other, repo_id)
    assert refused.returncode == 1
    assert_one_line_error(refused, "the YAML of its README.md cannot be read", "--force")
    assert hub.head(repo_id) == head and _writes(hub) == []
    forced = publish(hub, tmp_path, demo_build_other, repo_id, "--force")
    assert forced.returncode == 0, forced.stderr
    assert hub.read_files(repo_id)["manifest.json"] == (demo_build_other / "manifest.json").read_bytes()


# -- D: tags ------------------------------------------------------------------------------------


def _tags(hub: LocalHub, repo: str) -> dict[str, str]:
    git_repo = hub.repo(repo)
    assert git_repo is not None
    out = git_repo.git("for-each-ref", "--format=%(refname:short) %(objectname)", "refs/tags/")
    return dict(line.split() for line in out.splitlines())


def test_tags_pin_releases_and_are_never_moved(hub, olah, demo_build, demo_build_other, repo_id, tmp_path):
    v1 = publish(hub, tmp_path, demo_build, repo_id, "--tag", "v1")
    assert v1.returncode == 0, v1.stderr
    head1 = hub.head(repo_id)
    assert v1.last_line.endswith(f"at commit {head1}, tagged v1") and _tags(hub, repo_id) == {"v1": head1}

    moved = publish(hub, tmp_path, demo_build_other, repo_id, "--tag", "v1")  # would need the tag to move
    assert moved.returncode == 1
    assert_one_line_error(moved, f"tag v1 already names commit {head1[:12]} and this build makes a new commit",
                          "never moved", "nothing was changed")
    assert hub.head(repo_id) == head1 and _tags(hub, repo_id) == {"v1": head1}

    v2 = publish(hub, tmp_path, demo_build_other, repo_id, "--tag", "v2")
    assert v2.returncode == 0, v2.stderr
    head2 = hub.head(repo_id)
    assert head2 != head1 and _tags(hub, repo_id) == {"v1": head1, "v2": head2}

    hub.reset()
    same = publish(hub, tmp_path, demo_build_other, repo_id, "--tag", "v2")  # same tag, same commit: no-op
    assert same.returncode == 0 and "tag v2: already on this commit" in same.stdout
    assert _writes(hub) == []
    latest = publish(hub, tmp_path, demo_build_other, repo_id, "--tag", "latest")  # unchanged build, new tag
    assert latest.returncode == 0, latest.stderr
    assert hub.head(repo_id) == head2 and _tags(hub, repo_id)["latest"] == head2
    assert [w for w in _writes(hub) if "/commit/" in w[1]] == []
    old = publish(hub, tmp_path, demo_build_other, repo_id, "--tag", "v1")  # unchanged build, v1 elsewhere
    assert old.returncode == 1
    assert_one_line_error(old, f"tag v1 already names commit {head1[:12]} and the head is {head2[:12]}",
                          "never moved")

    requests = [{"kind": "load_dataset", "repo": repo_id, "config": "2_of_4", "split": "train", "revision": rev}
                for rev in ("v1", "v2")]
    got = read_back(requests, olah.url, tmp_path / "hf-home-read")
    assert got[0] == local_rows(demo_build / "data" / "2_of_4.jsonl")
    assert got[1] == local_rows(demo_build_other / "data" / "2_of_4.jsonl")
    assert got[0] != got[1]


def test_tags_in_the_per_part_layout(hub, demo_build, repo_id, tmp_path):
    result = publish(hub, tmp_path, demo_build, repo_id, "--layout", "per-part", "--tag", "v1")
    assert result.returncode == 0, result.stderr
    for part in PARTS:
        repo = f"{repo_id}-{part}"
        assert _tags(hub, repo) == {"v1": hub.head(repo)}
    hub.reset()
    again = publish(hub, tmp_path, demo_build, repo_id, "--layout", "per-part", "--tag", "v1")
    assert again.returncode == 0 and again.stdout.count("tag v1: already on this commit") == 4
    assert _writes(hub) == []


def test_bad_tag_names_are_refused(hub, demo_build, repo_id, tmp_path):
    for bad in ["has space", "a/b", "..", "v1.lock", "x^y"]:
        result = publish(hub, tmp_path, demo_build, repo_id, "--tag", bad)
        assert result.returncode == 2
        assert_one_line_error(result, "--tag", "not a valid tag name")
    result = publish(hub, tmp_path, demo_build, repo_id, "--tag", "v1", "--create-pr")
    assert result.returncode == 2
    assert_one_line_error(result, "--tag", "pull request")
    assert hub.requests == []
