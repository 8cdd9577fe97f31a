"""``build --restyle keitai|jotai``: the parts and their training configs carry the converted answers,
nothing moves, the review, the manifest and the card say what changed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from dolly_ja_16k import manifest as manifest_module
from dolly_ja_16k.review.restyle import restyle
from dolly_ja_16k.review.style import classify
from tests.conftest import DEMO_SOURCE, ROOT, make_record, read_jsonl, run_cli, write_jsonl

PARTS = ("1_of_4", "2_of_4", "3_of_4", "4_of_4")


def _parts(folder: Path) -> dict[str, list[dict]]:
    return {name: read_jsonl(folder / "data" / f"{name}.jsonl") for name in PARTS}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo source built without the option, and with it in each direction."""
    root = tmp_path_factory.mktemp("restyle-builds")
    out = {}
    for name, extra in (("plain", []), ("jotai", ["--restyle", "jotai"]), ("keitai", ["--restyle", "keitai"])):
        out[name] = root / name
        result = run_cli("build", "--source", DEMO_SOURCE, "--out", out[name], *extra)
        assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("to", ["jotai", "keitai"])
def test_parts_carry_the_converted_answers_and_nothing_moves(builds: dict[str, Path], to: str) -> None:
    before, after = _parts(builds["plain"]), _parts(builds[to])
    changed = []
    for name in PARTS:
        assert [r["index"] for r in after[name]] == [r["index"] for r in before[name]]  # same membership, order
        for old, new in zip(before[name], after[name], strict=True):
            assert new["output"] == restyle(old["output"], to).text
            assert new["style"] == classify(new["output"])
            assert {k: v for k, v in new.items() if k not in ("output", "style")} == \
                   {k: v for k, v in old.items() if k not in ("output", "style")}
            if new["output"] != old["output"]:
                changed.append(new["index"])
        for fmt in ("messages", "prompt_completion"):  # the training configs carry them too
            rows = read_jsonl(builds[to] / "data" / f"{name}-{fmt}.jsonl")
            answers = [r["messages"][-1] if fmt == "messages" else r["completion"][0] for r in rows]
            assert [a["content"] for a in answers] == [r["output"] for r in after[name]]
            assert [r["style"] for r in rows] == [r["style"] for r in after[name]]
    assert changed  # the demo has answers in both registers
    m = manifest_module.read(builds[to])
    assert m.review is not None and m.review.restyle is not None
    done = m.review.restyle
    assert (done.to, done.copula, done.records_changed) == (to, "dearu", len(changed))
    assert m.review.styles == dict(sorted(Counter(r["style"] for p in after.values() for r in p).items()))
    for part in m.parts:
        assert part.styles == dict(sorted(Counter(r["style"] for r in after[part.name]).items()))
    rows = [r for r in read_jsonl(builds[to] / "review.jsonl") if r["rule"] == "restyle"]
    assert sorted(r["index"] for r in rows) == sorted(changed)
    assert all(r["action"] == "restyled" and " → " in r["excerpt"] for r in rows)
    originals = {r["index"]: r["output"] for p in before.values() for r in p}
    for row in rows:
        n = len(restyle(originals[row["index"]], to).changes)
        assert row["excerpt"].endswith(f" (+{n - 1} more)") == (n > 1)
    left = Counter(left.reason for text in originals.values() for left in restyle(text, to).left)
    assert done.left == {reason: n for reason, n in left.items() if n}
    sentences = sum(len([c for c in restyle(old["output"], to).changes if not c.inside])
                    for p in before.values() for old in p)
    assert done.sentences == sentences
    word = {"jotai": "the plain だ・である style (`jotai`), plain copula である", "keitai":
            "the polite です・ます style (`keitai`)"}[to]
    card = (builds[to] / "README.md").read_text(encoding="utf-8")
    assert (f"- Restyle: answers rewritten in {word}: {len(changed):,} records changed, {sentences:,} sentence ends"
            in card)
    assert "Restyle" not in (builds["plain"] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("to", ["jotai", "keitai"])
def test_verify_passes_and_diff_shows_only_changed_records(builds: dict[str, Path], to: str) -> None:
    assert run_cli("verify", builds[to]).returncode == 0
    result = run_cli("diff", builds["plain"], builds[to], "--json")
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)
    before = {r["index"]: r["output"] for rows in _parts(builds["plain"]).values() for r in rows}
    after = {r["index"]: r["output"] for rows in _parts(builds[to]).values() for r in rows}
    changed = {i for i in after if after[i] != before[i]}
    assert changed
    assert (diff["added"], diff["removed"], diff["moved"]) == ([], [], [])
    assert set(diff["changed"]) == changed and len(diff["changed"]) == len(changed)
    assert all("output" in fields and set(fields) <= {"output", "style"} for fields in diff["changed_fields"].values())


def test_copula_da_and_system_prompts_follow_the_new_style(tmp_path: Path) -> None:
    records = [make_record(i, output="東京は日本の首都です。昔は村でした。") for i in range(8)]
    src = write_jsonl(tmp_path / "src.jsonl", records)
    out = tmp_path / "out"
    result = run_cli("build", "--source", src, "--out", out, "--restyle", "jotai", "--copula", "da",
                     "--system-prompts", "style")
    assert result.returncode == 0, result.stderr
    rows = [r for name in PARTS for r in read_jsonl(out / "data" / f"{name}-messages.jsonl")]
    assert {r["messages"][-1]["content"] for r in rows} == {"東京は日本の首都だ。昔は村だった。"}
    assert {r["messages"][0]["content"] for r in rows} == {"回答は「だ・である」調（常体）で書いてください。"}
    assert "plain copula だ: 8 records changed, 16 sentence ends" in (out / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("extra,message", [
    (["--keep-all"], "error: --restyle: rewrites answers; --keep-all changes none, so they cannot be combined\n"),
    (["--style", "keitai"], "error: --restyle: jotai would rewrite every answer that --style keitai keeps; choose "
                            "one register\n"),
])
def test_refused_combinations(tmp_path: Path, extra: list[str], message: str) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [make_record(i) for i in range(8)])
    result = run_cli("build", "--source", src, "--out", tmp_path / "o", "--restyle", "jotai", *extra)
    assert result.returncode == 2 and not (tmp_path / "o").exists()
    assert result.stderr == message


def test_a_build_without_the_options_never_loads_the_converter(tmp_path: Path) -> None:
    code = ("import sys; from dolly_ja_16k.cli import main; "
            f"code = main(['build', '--source', {str(DEMO_SOURCE)!r}, '--out', {str(tmp_path / 'o')!r}]); "
            "print(code, sorted(m for m in sys.modules if m.startswith(('dolly_ja_16k.review.re', "
            "'dolly_ja_16k.review.conjugate', 'dolly_ja_16k.style_control'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split("\n")[-2] == "0 []"
