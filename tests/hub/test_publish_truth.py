"""What `publish` says after a race or a failure is what happened on the Hub.

A tag someone else creates during the commit, a ``--revision`` that names a tag, a first
commit that fails in a repo this run created, and a per-part run that fails half way.
"""

from __future__ import annotations

import re

from tests.hub.local_hub import LocalHub
from tests.hub.test_publish import PARTS, assert_one_line_error, publish, seed_build
from tests.hub.test_publish_remote import _tags, _writes

pytest_plugins = ["tests.hub.fixtures"]


def _tag_now(hub: LocalHub, repo: str, tag: str) -> None:
    """Someone else tags the repo's head (the git ref the local Hub's tag call makes)."""
    git_repo = hub.repo(repo)
    assert git_repo is not None and git_repo.move_ref(f"refs/tags/{tag}", str(hub.head(repo)), None)


def test_a_tag_created_during_the_commit_is_reported_as_such(hub, demo_build, demo_build_other, repo_id, tmp_path):
    before = seed_build(hub, repo_id, demo_build)
    hub.fail("POST", r"/commit/", "call", action=lambda: _tag_now(hub, repo_id, "v1"))
    result = publish(hub, tmp_path, demo_build_other, repo_id, "--tag", "v1")
    assert result.returncode == 1
    head = hub.head(repo_id)
    assert head != before  # the commit went through
    line = assert_one_line_error(result, f"{repo_id}: committed at {head}, but tagging it v1 failed because tag v1 "
                                         "now exists", f"on commit {before[:12]}", "the commit stays")
    assert "refused" not in line and "someone else committed" not in line
    assert _tags(hub, repo_id) == {"v1": before}


def test_a_revision_that_is_a_tag_is_refused_before_anything_is_sent(hub, demo_build, demo_build_other, repo_id,
                                                                     tmp_path):
    first = publish(hub, tmp_path, demo_build, repo_id, "--tag", "v1")
    assert first.returncode == 0, first.stderr
    head = hub.head(repo_id)
    hub.reset()
    for args in (["--revision", "v1"], ["--revision", "refs/heads/v1"], ["--revision", "v1", "--dry-run"]):
        result = publish(hub, tmp_path, demo_build_other, repo_id, *args)
        assert result.returncode == 2, result.stderr
        assert_one_line_error(result, "--revision", f"v1 is a tag of {repo_id}, not a branch", "--tag")
        assert "one commit" not in result.stdout  # refused before the plan is printed
    assert _writes(hub) == []
    assert hub.head(repo_id) == head and _tags(hub, repo_id) == {"v1": head}


def test_a_failed_first_commit_says_the_new_repo_stays_empty(hub, demo_build, repo_id, tmp_path):
    hub.fail("POST", r"/commit/", "status", status=500, times=5)
    result = publish(hub, tmp_path, demo_build, repo_id)
    assert result.returncode == 1
    line = assert_one_line_error(result, f"nothing was committed: {repo_id} was created by this publish and "
                                         "stays empty")
    assert "is unchanged" not in line
    assert hub.commit_count(repo_id) == 1  # the repo's own first commit, nothing of ours
    assert "manifest.json" not in hub.read_files(repo_id)


def test_a_per_part_failure_names_the_repos_published_and_tagged_before(hub, demo_build, repo_id, tmp_path):
    third = f"{repo_id}-{PARTS[2]}"
    hub.fail("POST", re.escape(third) + r"/commit/", "status", status=500, times=5)
    result = publish(hub, tmp_path, demo_build, repo_id, "--layout", "per-part", "--tag", "v1")
    assert result.returncode == 1
    done = ", ".join(f"{repo_id}-{part} (tagged v1)" for part in PARTS[:2])
    assert_one_line_error(result, f"publishing to {third}", f"{third} was created by this publish and stays empty",
                          f"published before that in this run: {done}")
    for part in PARTS[:2]:
        repo = f"{repo_id}-{part}"
        assert _tags(hub, repo) == {"v1": hub.head(repo)}
    assert hub.repo(f"{repo_id}-{PARTS[3]}") is None  # the run stopped at the failure
