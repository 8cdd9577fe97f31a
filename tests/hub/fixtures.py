"""pytest fixtures: the local Hub (write side), olah (read side) and the builds they serve.

Both servers are session-scoped and listen on free loopback ports; every test publishes
to its own repo names, and the ``hub`` fixture clears faults and the request log.
A test module uses them with ``pytest_plugins = ["tests.hub.fixtures"]``.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from .clients import ALICE_TOKEN, BOB_TOKEN, SHARED_DOLLY, SOURCE_COMMIT, SOURCE_FILE, SOURCE_REPO, build
from .local_hub import LocalHub
from .olah_server import Olah, free_port

_names = itertools.count(1)


@pytest.fixture(scope="session")
def local_hub(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("hub-mirrors")
    hub = LocalHub(root, {ALICE_TOKEN: "alice", BOB_TOKEN: "bob"}).start()
    yield hub
    hub.stop()


@pytest.fixture
def hub(local_hub: LocalHub) -> LocalHub:
    local_hub.reset()
    yield local_hub
    local_hub.reset()


@pytest.fixture
def repo_id() -> str:
    """A repo name no other test uses (the servers live for the whole session)."""
    return f"alice/dolly-ja-16k-t{next(_names)}"


@pytest.fixture(scope="session")
def source_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("source-mirrors")


@pytest.fixture(scope="session")
def olah(tmp_path_factory: pytest.TempPathFactory, local_hub: LocalHub, source_root: Path):
    server = Olah(tmp_path_factory.mktemp("olah"), [local_hub.root, source_root]).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def source_mirror(source_root: Path) -> str:
    """A git mirror of kunishou/databricks-dolly-15k-ja holding the shared JSON file.

    The default source names the upstream commit 6391034b…, and no git commit we can
    make has that id (it is a SHA-1 of the upstream history). So the fixture commits the
    file (as the upstream does: an LFS pointer, content in .git/lfs/objects) and then
    stores a copy of that commit object under the upstream id. git reads loose objects
    by name without re-hashing them, so olah resolves the revision 6391034b… to a commit
    with this tree, and answers ``x-repo-commit: 6391034b…`` like the Hub. What this
    proves: the build asks the Hub for exactly the pinned revision and path and reads the
    bytes it gets back; the bytes are the shared copy of that upstream file, not a
    download of it (no network here). Returns the branch head's real sha.
    """
    if not SHARED_DOLLY.is_file():
        pytest.skip(f"shared data not found at {SHARED_DOLLY}")
    mirror = LocalHub(source_root, {})  # never started: only its git helpers are used
    head = mirror.seed(SOURCE_REPO, {SOURCE_FILE: SHARED_DOLLY}, message="Upload databricks-dolly-15k-ja.json",
                       author="kunishou", lfs=(SOURCE_FILE,))
    repo = mirror.repo(SOURCE_REPO)
    assert repo is not None
    repo.alias_commit(SOURCE_COMMIT, head)
    import git  # GitPython, what olah reads the mirrors with

    assert git.Repo(repo.path).commit(SOURCE_COMMIT).tree.hexsha == git.Repo(repo.path).commit(head).tree.hexsha
    return head


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("builds") / "demo")


@pytest.fixture(scope="session")
def demo_build_other(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo split differently (seed 7): same files, different contents."""
    return build(tmp_path_factory.mktemp("builds") / "demo-seed7", "--seed", "7")


@pytest.fixture(scope="session")
def demo_build_two_parts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("builds") / "demo-2parts", "--parts", "2")


@pytest.fixture
def closed_port() -> int:
    return free_port()  # nothing listens there once the probe socket is closed
