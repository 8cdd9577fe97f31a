"""``diff`` and ``build --previous`` reading published builds, when the address or the Hub is not as hoped.

Every case runs the real command line against the local Hub (its fault injection says what the
Hub answers) and ends in exactly one ``error:`` line on stderr with the promised exit code: 2
for an address or a repo that is not a build, 1 for the Hub. Progress bars are turned off so
that "one line" counts everything else ``huggingface_hub`` might print (warnings, retries).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.hub.clients import Run, hub_env, run_cli
from tests.hub.local_hub import LocalHub
from tests.hub.test_publish import seed_build

pytest_plugins = ["tests.hub.fixtures"]


def _env(hub: LocalHub, home: Path, **extra: str) -> dict[str, str]:
    return hub_env(hub.url, home, HF_HUB_DISABLE_PROGRESS_BARS="1", **extra)


def _diff(hub: LocalHub, tmp_path: Path, old: str, new: Path | str, home: str = "hf-home", **extra: str) -> Run:
    return run_cli(["diff", old, str(new)], _env(hub, tmp_path / home, **extra), cwd=tmp_path)


def _previous(hub: LocalHub, tmp_path: Path, previous: str, **extra: str) -> Run:
    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-ja.jsonl"
    return run_cli(["build", "--source", str(demo), "--out", str(tmp_path / "out"), "--previous", previous],
                   _env(hub, tmp_path / "hf-home-build", **extra), cwd=tmp_path)


def _one_line(result: Run, code: int, *needles: str) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


# -- addresses the Hub client would reject: caught before any request ----------------------------

BAD_IDS = ["hf://datasets/a b/c", "hf://datasets/a--b/c", "hf://datasets/a/b..c", "hf://datasets/a/" + "x" * 200]


@pytest.mark.parametrize("address", BAD_IDS)
def test_diff_of_a_repo_id_the_hub_rejects_is_one_line_exit_2(hub, demo_build, tmp_path, address):
    line = _one_line(_diff(hub, tmp_path, address, demo_build), 2, "is not a Hub repo id")
    assert line.startswith(f"error: {address}: ")
    assert hub.requests == []


def test_previous_with_a_repo_id_the_hub_rejects_is_one_line_exit_2(hub, tmp_path):
    _one_line(_previous(hub, tmp_path, "hf://datasets/a b/c@v1"), 2, "hf://datasets/a b/c@v1", "is not a Hub repo id")
    assert hub.requests == [] and not (tmp_path / "out").exists()


# -- the Hub answers 200 with something unexpected -----------------------------------------------

ODD_ANSWERS = [
    ("GET", r"/revision/main$", b"<html>maintenance</html>", "revision info that is not JSON"),
    ("GET", r"/revision/main$", b'{"sha": 5, "siblings": 3}', "revision info of an unexpected shape"),
    ("GET", r"/revision/main$", b'{"id": "x", "private": false}', "revision info without a commit id"),
    ("HEAD", r"/resolve/", b"", "sent a file without the headers a Hub sends"),
]


@pytest.mark.parametrize(("method", "path", "body", "needle"), ODD_ANSWERS)
def test_diff_of_an_odd_answer_is_one_line_exit_1(hub, demo_build, repo_id, tmp_path, method, path, body, needle):
    seed_build(hub, repo_id, demo_build)
    hub.fail(method, path, "body", body=body)
    _one_line(_diff(hub, tmp_path, f"hf://datasets/{repo_id}", demo_build), 1, f"hf://datasets/{repo_id}: ",
              needle, "is HF_ENDPOINT a Hugging Face Hub?")


@pytest.mark.parametrize(("method", "path", "body", "needle"), ODD_ANSWERS[:2])
def test_previous_of_an_odd_answer_is_one_line_exit_1(hub, demo_build, repo_id, tmp_path, method, path, body,
                                                      needle):
    seed_build(hub, repo_id, demo_build)
    hub.fail(method, path, "body", body=body)
    _one_line(_previous(hub, tmp_path, f"hf://datasets/{repo_id}"), 1, needle)
    assert not (tmp_path / "out").exists()


# -- offline mode and server errors are named as such ----------------------------------------------

def test_offline_diff_says_offline_and_reads_the_cache(hub, demo_build, repo_id, tmp_path):
    seed_build(hub, repo_id, demo_build)
    address = f"hf://datasets/{repo_id}"
    line = _one_line(_diff(hub, tmp_path, address, demo_build, HF_HUB_OFFLINE="1"), 1,
                     "offline mode is set (HF_HUB_OFFLINE=1)", "not in the HF cache")
    assert "reach" not in line and hub.requests == []

    online = _diff(hub, tmp_path, address, demo_build)  # fills the cache, then offline reads it
    assert online.returncode == 0, online.stderr
    asked = len(hub.requests)
    offline = _diff(hub, tmp_path, address, demo_build, HF_HUB_OFFLINE="1")
    assert offline.returncode == 0, offline.stderr
    assert len(hub.requests) == asked  # the cache alone
    assert offline.stdout == online.stdout and "no record-level differences" in online.stdout


def test_offline_previous_says_offline(hub, tmp_path, repo_id):
    line = _one_line(_previous(hub, tmp_path, f"hf://datasets/{repo_id}@v1", HF_HUB_OFFLINE="1"), 1,
                     "offline mode is set (HF_HUB_OFFLINE=1)")
    assert "reach" not in line and hub.requests == []


@pytest.mark.parametrize(("method", "path"), [("GET", r"/revision/"), ("HEAD", r"/resolve/")])
def test_server_errors_are_named_not_blamed_on_reachability(hub, demo_build, repo_id, tmp_path, method, path):
    seed_build(hub, repo_id, demo_build)
    hub.fail(method, path, status=500, times=1000)  # every attempt, every retry
    line = _one_line(_diff(hub, tmp_path, f"hf://datasets/{repo_id}", demo_build), 1,
                     "the Hub answered HTTP 500")
    assert "reach" not in line
    line = _one_line(_previous(hub, tmp_path, f"hf://datasets/{repo_id}"), 1, "the Hub answered HTTP 500")
    assert "reach" not in line


@pytest.mark.parametrize(("revision", "needle"), [("", "dataset repository {repo} not found"),
                                                   ("@v9", "revision v9 not found in {repo}")])
def test_a_missing_repo_or_revision_is_said_before_any_download(hub, demo_build, repo_id, tmp_path, revision,
                                                                 needle):
    if revision:
        seed_build(hub, repo_id, demo_build)
        hub.reset()
    repo = repo_id if revision else repo_id + "-missing"
    _one_line(_diff(hub, tmp_path, f"hf://datasets/{repo}{revision}", demo_build), 1, needle.format(repo=repo))
    assert [r.method for r in hub.requests] == ["GET"] and "/revision/" in hub.requests[0].path


def test_an_unreachable_hub_is_said_at_once(demo_build, tmp_path, closed_port):
    started = time.monotonic()
    result = run_cli(["diff", "hf://datasets/alice/x@v1", str(demo_build)],
                     hub_env(f"http://127.0.0.1:{closed_port}", tmp_path / "hf-home"), cwd=tmp_path)
    assert time.monotonic() - started < 15, "the unreachable Hub was not reported at once"
    _one_line(result, 1, "hf://datasets/alice/x@v1: cannot reach the Hub", f"127.0.0.1:{closed_port}")


# -- one line, no local path ------------------------------------------------------------------------

def test_a_repo_without_a_build_is_named_by_its_address(hub, demo_build, repo_id, tmp_path):
    hub.create_repo(repo_id)  # only the .gitattributes of a new repo
    line = _one_line(_diff(hub, tmp_path, f"hf://datasets/{repo_id}@main", demo_build), 2,
                     f"hf://datasets/{repo_id}@main: not a build of dolly-ja-16k: no manifest.json")
    assert str(tmp_path) not in line and "snapshots" not in line


def test_a_manifest_listing_a_missing_part_is_named_by_its_address(hub, demo_build, repo_id, tmp_path):
    hub.seed(repo_id, {"manifest.json": demo_build / "manifest.json"})
    line = _one_line(_diff(hub, tmp_path, f"hf://datasets/{repo_id}", demo_build), 2,
                     f"hf://datasets/{repo_id}: its manifest lists a file it does not hold: no data/")
    assert str(tmp_path) not in line


def test_a_dropped_connection_is_one_line_after_the_retries(hub, demo_build, repo_id, tmp_path):
    seed_build(hub, repo_id, demo_build)
    hub.fail("GET", r"/resolve/", "drop", times=1000)
    _one_line(_diff(hub, tmp_path, f"hf://datasets/{repo_id}", demo_build), 1,
              f"the connection to the Hub at {hub.url} dropped")
    assert sum("/resolve/" in r.path for r in hub.requests) > 1  # huggingface_hub did retry, quietly


def test_a_connection_dropped_once_is_retried_quietly(hub, demo_build, repo_id, tmp_path):
    seed_build(hub, repo_id, demo_build)
    hub.fail("GET", r"/resolve/", "drop", times=1)
    result = _diff(hub, tmp_path, f"hf://datasets/{repo_id}", demo_build)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and "no record-level differences" in result.stdout
