"""``diff``: two builds compared by index (added, removed, changed, moved), as a module and as a command.

``built`` makes real builds with the command line; ``write_build`` writes a folder with
hand-made parts (another order, damaged lines) that no build would write.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from dolly_ja_16k import manifest as mf
from dolly_ja_16k.diff import change_lines, diff_builds, index_order
from dolly_ja_16k.errors import HubError, InputError
from dolly_ja_16k.layout import MANIFEST_FILE, part_file, part_names
from dolly_ja_16k.split import split
from dolly_ja_16k.write.staging import encode_lines
from tests.conftest import make_record, make_records, run_cli, write_jsonl


def write_build(folder: Path, parts: list[list[dict]]) -> Path:
    """A build folder as ``build`` lays it out: data/N_of_M.jsonl and a format-2 manifest."""
    (folder / "data").mkdir(parents=True)
    names = part_names(len(parts))
    entries, infos = [], []
    for name, records in zip(names, parts, strict=True):
        data = encode_lines(records)
        (folder / part_file(name)).write_bytes(data)
        entries.append(mf.entry_for(part_file(name), data))
        infos.append(mf.Part(name=name, file=part_file(name), records=len(records), num_bytes=len(data),
                             categories=dict(Counter(r["category"] for r in records))))
    total = sum(len(p) for p in parts)
    manifest = mf.Manifest(generator="tests", features=["instruction", "input", "output", "category", "index"],
                           source=mf.SourceFile(name="src.jsonl", kind="local", sha256="0" * 64, records=total),
                           options=mf.Options(parts=len(parts), strategy="stratified", seed=42),
                           records=total, parts=infos, files=entries)
    (folder / MANIFEST_FILE).write_bytes(mf.to_bytes(manifest))
    return folder


def built(folder: Path, records: list[dict], parts: int = 4) -> Path:
    """``build --keep-all`` of ``records`` (default strategy and seed), through the command line."""
    folder.mkdir(parents=True)
    src = write_jsonl(folder.parent / f"{folder.name}-src.jsonl", records)
    result = run_cli("build", "--source", src, "--out", folder / "out", "--keep-all", "--parts", str(parts))
    assert result.returncode == 0, result.stderr
    return folder / "out"


@pytest.fixture
def pair(tmp_path):
    old = make_records(200)
    edits = {"3": {"output": "書き直した答え"}, "10": {"category": "summarization", "input": "追加"}}
    new = [dict(r, **edits.get(r["index"], {})) for r in old if r["index"] not in {"7", "150"}]
    new += [make_record(500), make_record(501)]
    return built(tmp_path / "old", old), built(tmp_path / "new", new), old, new


def test_added_removed_changed_moved_by_index(pair):
    old_dir, new_dir, old, new = pair
    result = diff_builds(old_dir, new_dir)
    assert result.added == ["500", "501"]
    assert result.removed == ["7", "150"]
    assert result.changed == ["3", "10"]
    assert result.changed_fields == {"3": ["output"], "10": ["input", "category"]}
    where_old = {r["index"]: i for i, p in enumerate(split(old, 4)) for r in p}
    where_new = {r["index"]: i for i, p in enumerate(split(new, 4)) for r in p}
    expected = [i for i in where_new if where_old.get(i, where_new[i]) != where_new[i]]
    assert [m.index for m in result.moved] == sorted(expected, key=index_order)
    for m in result.moved:
        assert (m.source, m.target) == (f"{where_old[m.index] + 1}_of_4", f"{where_new[m.index] + 1}_of_4")
    counts = {p.name: p for p in result.parts}
    assert sum(p.old for p in result.parts) == 200 and sum(p.new for p in result.parts) == 200
    assert sum(p.added for p in result.parts) == 2 and sum(p.removed for p in result.parts) == 2
    assert sum(p.moved_in for p in result.parts) == sum(p.moved_out for p in result.parts) == len(result.moved)
    for name, p in counts.items():
        assert p.new == p.old + p.added - p.removed + p.moved_in - p.moved_out, name


def test_json_output_and_changes_lines_say_the_same(pair, tmp_path):
    old_dir, new_dir, _, _ = pair
    result = diff_builds(old_dir, new_dir)
    data = result.to_json()
    assert {"added", "removed", "changed", "changed_fields", "moved", "parts"} <= data.keys()
    assert all(set(m) == {"index", "from", "to"} for m in data["moved"])
    (tmp_path / "changes.jsonl").write_bytes(change_lines(result))
    lines = [json.loads(line) for line in (tmp_path / "changes.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["index"] for e in lines] == sorted({*data["added"], *data["removed"], *data["changed"],
                                                  *(m["index"] for m in data["moved"])}, key=index_order)
    by_index = {e["index"]: e for e in lines}
    assert by_index["500"]["change"] == "added" and by_index["7"]["change"] == "removed"
    assert by_index["10"]["fields"] == ["input", "category"]
    for m in data["moved"]:
        assert (by_index[m["index"]]["from"], by_index[m["index"]]["to"]) == (m["from"], m["to"])
    assert change_lines(result) == change_lines(diff_builds(old_dir, new_dir))  # deterministic


def test_same_records_in_another_order_are_no_difference(tmp_path):
    records = make_records(40)
    a = write_build(tmp_path / "a", split(records, 4))
    b = write_build(tmp_path / "b", [list(reversed(p)) for p in split(records, 4)])
    result = diff_builds(a, b)
    assert result.identical and "no record-level differences" in result.summary()
    assert change_lines(result) == b""


def test_different_part_counts_list_every_part(tmp_path):
    records = make_records(60)
    result = diff_builds(built(tmp_path / "a", records, 4), built(tmp_path / "b", records, 5))
    assert [p.name for p in result.parts] == ["1_of_5", "2_of_5", "3_of_5", "4_of_5", "5_of_5",
                                              "1_of_4", "2_of_4", "3_of_4", "4_of_4"]
    assert len(result.moved) == 60 and not (result.added or result.removed or result.changed)


def test_index_order_is_numbers_then_text():
    assert sorted(["user-2", "10", "9", "user-10", "100"], key=index_order) == ["9", "10", "100", "user-10", "user-2"]


def test_cli_summary_and_json(pair):
    old_dir, new_dir, _, _ = pair
    text = run_cli("diff", old_dir, new_dir)
    assert text.returncode == 0, text.stderr
    assert "2 added, 2 removed, 2 changed" in text.stdout and "1_of_4" in text.stdout
    js = run_cli("diff", old_dir, new_dir, "--json")
    assert js.returncode == 0, js.stderr
    assert json.loads(js.stdout) == diff_builds(old_dir, new_dir).to_json() | {"old": str(old_dir),
                                                                               "new": str(new_dir)}


def test_cli_bad_folders_exit_2_in_one_line(pair, tmp_path):
    old_dir, _, _, _ = pair
    empty = tmp_path / "empty"
    empty.mkdir()
    for args, message in [((old_dir, empty), "no manifest.json"),
                          ((old_dir, tmp_path / "missing"), "no such folder"),
                          ((old_dir, "hf://datasets/only-owner"), "expected hf://datasets/OWNER/NAME")]:
        out = run_cli("diff", *args)
        assert out.returncode == 2, out
        assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1
    (old_dir / "data" / "2_of_4.jsonl").write_text("{}\n", encoding="utf-8")
    out = run_cli("diff", old_dir, old_dir)
    assert out.returncode == 2 and "does not match its sha256" in out.stderr


def _fifo_in_place_of(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


@pytest.mark.parametrize("name", ["data/1_of_4.jsonl", MANIFEST_FILE])
def test_a_fifo_in_a_build_folder_is_one_line_not_a_hang(pair, name):
    """Nobody writes to the FIFO: a reader that opened it would wait forever (the timeout says so)."""
    old_dir, new_dir, _, _ = pair
    _fifo_in_place_of(new_dir / name)
    result = subprocess.run([sys.executable, "-m", "dolly_ja_16k", "diff", str(old_dir), str(new_dir)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith(f"error: {new_dir / name}: ") and "not a regular file" in lines[0]


def test_damaged_part_lines_are_named(tmp_path):
    folder = write_build(tmp_path / "b", [[make_record(1)], [make_record(2)]])
    for data, problem in [(b"not json\n", "line 1: not a JSON object"), (b'{"index": 5}\n', "without a text index"),
                          (json.dumps(make_record(1)).encode() + b"\n", 'index "1" is also in part 1_of_2')]:
        path = folder / part_file("2_of_2")
        path.write_bytes(data)
        manifest = mf.read(folder)
        files = [mf.entry_for(f.path, data) if f.path == part_file("2_of_2") else f for f in manifest.files]
        parts = [p if p.name == "1_of_2" else mf.Part(name=p.name, file=p.file, records=1, num_bytes=len(data),
                                                        categories={"x": 1}) for p in manifest.parts]
        (folder / MANIFEST_FILE).write_bytes(mf.to_bytes(mf.Manifest(
            **{f: getattr(manifest, f) for f in manifest.__struct_fields__} | {"files": files, "parts": parts})))
        with pytest.raises(InputError, match=problem):
            diff_builds(folder, folder)


def test_hub_builds_are_read_from_the_manifest_then_its_parts(pair, monkeypatch, tmp_path):
    """``hf://`` goes through huggingface_hub (so HF_ENDPOINT applies): the revision first, then the
    manifest, then exactly the part files it lists, all from the commit the manifest was read at.
    End to end against a Hub: tests/hub/test_diff_hub.py."""
    import shutil
    from types import SimpleNamespace

    import huggingface_hub

    old_dir, new_dir, _, _ = pair
    commit = "c0ffee" + "0" * 34
    snapshot = tmp_path / "snapshots" / commit  # where hf_hub_download puts the files of a commit
    shutil.copytree(new_dir, snapshot)
    calls = []

    def fake_info(self, repo_id, repo_type, revision):
        calls.append(("revision", repo_id, repo_type, revision))
        return SimpleNamespace(sha=commit)

    def fake_download(repo_id, filename, repo_type, revision, local_files_only):
        calls.append((repo_id, repo_type, revision, filename))
        return str(snapshot / filename)

    monkeypatch.setattr(huggingface_hub.HfApi, "repo_info", fake_info)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    result = diff_builds(old_dir, "hf://datasets/someone/dolly-ja-16k@v2")
    assert result.added == ["500", "501"]
    assert calls == [("revision", "someone/dolly-ja-16k", "dataset", "v2"),
                     ("someone/dolly-ja-16k", "dataset", "v2", MANIFEST_FILE),
                     *[("someone/dolly-ja-16k", "dataset", commit, part_file(n)) for n in part_names(4)]]


@pytest.mark.parametrize("failure", ["missing", "unreachable"])
def test_hub_failures_are_hub_errors(monkeypatch, tmp_path, failure):
    import huggingface_hub
    from huggingface_hub.errors import RepositoryNotFoundError
    from huggingface_hub.utils import httpx  # the HTTP client the Hub library really uses

    request = httpx.Request("GET", "http://127.0.0.1:9/api/datasets/someone/gone")

    def fail(*args, **kwargs):
        if failure == "missing":
            raise RepositoryNotFoundError("404", response=httpx.Response(404, request=request))
        raise httpx.ConnectError("refused", request=request)

    monkeypatch.setattr(huggingface_hub.HfApi, "repo_info", fail)
    message = "someone/gone not found" if failure == "missing" else "cannot reach the Hub at .* [(]no network"
    with pytest.raises(HubError, match=message) as err:
        diff_builds("hf://datasets/someone/gone", tmp_path)
    assert err.value.exit_code == 1
