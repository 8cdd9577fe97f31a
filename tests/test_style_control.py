"""``build --system-prompts style-control``: answers converted to the register their system message asks for,
half and half per part and category, in the training configs only."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dolly_ja_16k import manifest as manifest_module
from dolly_ja_16k.style_control import both_registers, style_control
from dolly_ja_16k.write.card import render_card
from dolly_ja_16k.write.formats import STYLE_SYSTEM_PROMPTS
from tests.conftest import CATEGORIES, make_record, read_jsonl, run_cli, write_jsonl

PARTS = ("1_of_4", "2_of_4", "3_of_4", "4_of_4")
ANSWERS = [
    "東京は日本の首都です。毎日日記を書きます。",  # polite: both registers
    "東京は日本の首都である。本を読んだ。",  # plain: both registers
    "手紙を書きました。川で泳ぐ。",  # mixed: both registers
    "1. りんご\n2. みかん",  # no predicate: none
    "窓を開けてください。",  # 〜てください stays: not wholly plain, none
]


def _source(tmp_path: Path, n: int = 203) -> Path:
    records = [make_record(i, category=CATEGORIES[i % 3], output=ANSWERS[(i // 3) % len(ANSWERS)]) for i in range(n)]
    return write_jsonl(tmp_path / "src.jsonl", records)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("style-control")
    src = _source(root)
    out = {}
    for name, extra in (("off", []), ("control", ["--system-prompts", "style-control"])):
        out[name] = root / name
        result = run_cli("build", "--source", src, "--out", out[name], *extra)
        assert result.returncode == 0, result.stderr
    return out


def test_both_registers() -> None:
    assert both_registers(ANSWERS[2]) == {"keitai": "手紙を書きました。川で泳ぎます。",
                                          "jotai": "手紙を書いた。川で泳ぐ。"}
    assert both_registers(ANSWERS[0], "da") == {"keitai": ANSWERS[0], "jotai": "東京は日本の首都だ。毎日日記を書く。"}
    assert both_registers(ANSWERS[3]) is None and both_registers(ANSWERS[4]) is None


def test_raw_parts_stay_as_built(builds: dict[str, Path]) -> None:
    for name in PARTS:
        part = f"data/{name}.jsonl"
        assert (builds["control"] / part).read_bytes() == (builds["off"] / part).read_bytes()


def test_each_answer_in_the_register_asked_for_half_and_half(builds: dict[str, Path]) -> None:
    asked: Counter[tuple[str, str, str]] = Counter()
    for name in PARTS:
        raw = read_jsonl(builds["control"] / "data" / f"{name}.jsonl")
        for fmt in ("messages", "prompt_completion"):
            rows = read_jsonl(builds["control"] / "data" / f"{name}-{fmt}.jsonl")
            assert [r["index"] for r in rows] == [r["index"] for r in raw]
            for record, row in zip(raw, rows, strict=True):
                turns = row["messages"] if fmt == "messages" else row["prompt"] + row["completion"]
                versions = both_registers(record["output"])
                if versions is None:  # no system message, the answer as built
                    assert [t["role"] for t in turns] == ["user", "assistant"]
                    assert turns[-1]["content"] == record["output"] and row["style"] == record["style"]
                    register = "none"
                else:
                    register = next(r for r, text in STYLE_SYSTEM_PROMPTS.items() if text == turns[0]["content"])
                    assert turns[0]["role"] == "system" and turns[-1]["content"] == versions[register]
                    assert row["style"] == register
                if fmt == "messages":
                    asked[name, record["category"], register] += 1
    for name in PARTS:
        for category in CATEGORIES[:3]:
            keitai, jotai = asked[name, category, "keitai"], asked[name, category, "jotai"]
            assert keitai + jotai > 4 and abs(keitai - jotai) <= 1
    assert sum(asked[k] for k in asked if k[2] == "keitai") != 0
    _card_counts_the_requests(builds["control"], asked)


def _card_counts_the_requests(folder: Path, asked: Counter[tuple[str, str, str]]) -> None:
    """The card's table: per part, the records asking for each register and those asking for none."""
    card = (folder / "README.md").read_text(encoding="utf-8")
    for register, label in (("keitai", "`keitai`"), ("jotai", "`jotai`"), ("none", "none")):
        per_part = [sum(n for (p, _, r), n in asked.items() if p == name and r == register) for name in PARTS]
        text = STYLE_SYSTEM_PROMPTS.get(register, "none")
        row = f"| {label} | {text} | " + " | ".join(f"{n:,}" for n in per_part) + f" | {sum(per_part):,} |"
        assert row in card
    m = manifest_module.read(folder)
    assert m.training is not None and m.training.system_prompts == "style-control"
    part = PARTS[1]  # a per-part repo's card says the same of its part
    count = {register: sum(n for (p, _, r), n in asked.items() if p == part and r == register)
             for register in ("keitai", "jotai", "none")}
    assert (f"`keitai` {STYLE_SYSTEM_PROMPTS['keitai']} ({count['keitai']:,}), `jotai` "
            f"{STYLE_SYSTEM_PROMPTS['jotai']} ({count['jotai']:,}), no register asked for ({count['none']:,})."
            in render_card(m, part=part))


def test_the_choice_follows_seed_and_index_not_the_order() -> None:
    records = [make_record(i, category="open_qa", output=ANSWERS[i % 3], style="keitai") for i in range(40)]
    chosen = {r["index"]: r["register"] for r in style_control(records, 42)}
    again = {r["index"]: r["register"] for r in style_control(list(reversed(records)), 42)}
    assert chosen == again and Counter(chosen.values()) == {"keitai": 20, "jotai": 20}
    other = {r["index"]: r["register"] for r in style_control(records, 7)}
    assert other != chosen
    assert [r["output"] for r in records] == [ANSWERS[i % 3] for i in range(40)]  # copies: the part is untouched
    # groups of three: the hash decides which register gets the odd one, so both do
    odd = [make_record(i, category=f"c{i // 3}", output=ANSWERS[0]) for i in range(60)]
    chosen_odd = style_control(odd, 42)
    majority = {Counter(r["register"] for r in chosen_odd if r["category"] == f"c{g}").most_common(1)[0][0]
                for g in range(20)}
    assert majority == {"keitai", "jotai"}


@pytest.mark.parametrize("extra,message", [
    (["--keep-all"], "error: --system-prompts: style-control rewrites answers; --keep-all changes none"),
    (["--restyle", "jotai"], "error: --system-prompts: style-control asks for both registers; --restyle makes"),
])
def test_refused_combinations(tmp_path: Path, extra: list[str], message: str) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", [make_record(i) for i in range(8)])
    result = run_cli("build", "--source", src, "--out", tmp_path / "o", "--system-prompts", "style-control", *extra)
    assert result.returncode == 2 and result.stderr.startswith(message) and not (tmp_path / "o").exists()


def test_without_the_style_column(tmp_path: Path) -> None:
    out = tmp_path / "o"
    result = run_cli("build", "--source", _source(tmp_path, 40), "--out", out, "--no-style",
                     "--system-prompts", "style-control")
    assert result.returncode == 0, result.stderr
    rows = [r for name in PARTS for r in read_jsonl(out / "data" / f"{name}-messages.jsonl")]
    assert all("style" not in r for r in rows)
    assert {len(r["messages"]) for r in rows} == {2, 3}  # some ask for a register, some do not


def test_verify_passes(builds: dict[str, Path]) -> None:
    assert run_cli("verify", builds["control"]).returncode == 0
