"""A folder rebuilt while `publish` runs: the remote gets exactly the build that was verified.

The rebuild happens inside a request of the publish (the local Hub runs it before answering),
so it lands at a known moment: while the plan reads the remote, or after the plan, while the
files are being uploaded and before the commit. Either way every repo must hold the first
build, whole, and pass ``verify`` once downloaded.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from dolly_ja_16k.hub.configs import render
from dolly_ja_16k.manifest import from_bytes
from tests.hub.clients import build, hub_env, run_cli
from tests.hub.local_hub import LocalHub
from tests.hub.test_publish import PARTS, publish

pytest_plugins = ["tests.hub.fixtures"]

#: Where the rebuild happens: the plan's first read of the remote, or the upload before the commit.
MOMENTS = {"planning": ("GET", r"/revision/"), "before the commit": ("POST", r"/preupload/")}


def _download(hub: LocalHub, repo: str, into: Path) -> Path:
    for path, data in hub.read_files(repo).items():
        if path != ".gitattributes":
            (into / path).parent.mkdir(parents=True, exist_ok=True)
            (into / path).write_bytes(data)
    return into


def _verified(folder: Path, tmp_path: Path) -> None:
    result = run_cli(["verify", str(folder)], hub_env("http://127.0.0.1:9", tmp_path / "hf-home-verify"), tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("layout", ["single", "per-part"])
def test_a_rebuild_during_publish_never_reaches_the_hub(hub, demo_build, repo_id, tmp_path, moment, layout):
    folder = tmp_path / "cx"
    shutil.copytree(demo_build, folder)
    first = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    method, path = MOMENTS[moment]
    hub.fail(method, path, "call", action=lambda: build(folder, "--seed", "7"))
    result = publish(hub, tmp_path, folder, repo_id, "--layout", layout)
    assert result.returncode == 0, result.stderr
    assert hub.faults[0].hits == 1
    assert (folder / "manifest.json").read_bytes() != first["manifest.json"]  # the rebuild did happen
    if layout == "single":
        remote = _download(hub, repo_id, tmp_path / "remote")
        assert (remote / "manifest.json").read_bytes() == first["manifest.json"]
        for name in [p for p in first if p.startswith("data/")]:
            assert (remote / name).read_bytes() == first[name], name
        _verified(remote, tmp_path)
        return
    built = from_bytes(first["manifest.json"])
    indexes: list[str] = []
    for part in PARTS:
        repo = f"{repo_id}-{part}"
        remote = _download(hub, repo, tmp_path / f"remote-{part}")
        manifest = json.loads((remote / "manifest.json").read_text())
        for entry in manifest["files"]:
            data = (remote / entry["path"]).read_bytes()
            assert data == first[entry["path"]], entry["path"]
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert (remote / "README.md").read_bytes() == render(built, repo, part, [], [])
        indexes += [json.loads(line)["index"] for line in (remote / f"data/{part}.jsonl").read_text().splitlines()]
    assert len(indexes) == len(set(indexes)) == built.records  # no record in two parts, none missing


def test_a_rebuild_while_verifying_is_refused(demo_build, tmp_path, monkeypatch):
    """A rebuild between ``verify`` and the read into memory: refused before the Hub is asked anything."""
    import dolly_ja_16k.verify as verify_module
    from dolly_ja_16k.errors import InputError
    from dolly_ja_16k.hub import plan

    folder = tmp_path / "cx"
    shutil.copytree(demo_build, folder)

    real = verify_module.verify

    def verify_then_rebuild(*args, **kwargs):
        report = real(*args, **kwargs)
        build(folder, "--seed", "7")
        return report

    monkeypatch.setattr(verify_module, "verify", verify_then_rebuild)
    with pytest.raises(InputError, match="changed while it was being read.*nothing was sent"):
        plan.check_folder(folder)
