"""Wikipedia's editorial marks: what is removed, what stays, the judged sample and the source's evidence."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dolly_ja_16k.review import marks
from dolly_ja_16k.review.run import run_review
from tests.conftest import make_record, read_jsonl, run_cli
from tests.review import marks_evidence

REMOVED = [
    ("東京は首都である[3]。", "東京は首都である。"),
    ("首都である[4][5]。", "首都である。"),
    ("首都である [a][12] 。", "首都である 。"),
    ("1743年4月13日[a]-1826年", "1743年4月13日-1826年"),
    ("BTC[a]またはXBT[b]", "BTCまたはXBT"),
    ("毛沢東[注 1]（1893年）、[注1]、[注釈 2]", "毛沢東（1893年）、、"),
    ("である[nb 1][n 2][n. 9][p 2][p 3][T 3][note a][web 3][Jp 6][※2][リスト1][ch.285、286]。", "である。"),
    ("とされる[citation needed]。[要出典]", "とされる。"),
    ("とされる[clarification needed][full citation needed][dubious - discuss]。", "とされる。"),
    ("とされる[編集][検証失敗][より良いソースが必要][引用者注釈][引用]。", "とされる。"),
    ("とされる[who?][いつ?][誰？][permanent dead link]。", "とされる。"),
    ("とされる[ ]。", "とされる。"),
    ("消えた[ii]。[iv]", "消えた。"),
    ("開催された[A]。", "開催された。"),
    ("Kurchatov[5]によって", "Kurchatovによって"),
    ("Canis familiaris[4][5] or", "Canis familiaris or"),
    ("DNT[i]のインプラント", "DNTのインプラント"),
    ("クリスチャン・シュテッカー[de]と", "クリスチャン・シュテッカーと"),
]
KEPT = [
    "ハワイ語: Hawaiʻi [həˈvɐʔi]",
    "カルボナーラ（イタリア語：[karboˈnaː]）",
    "def f(fut: Future[Int]): Future[Int] = {",
    "for i in range(n): total += a[i]",
    "x[0] = 1",
    "区間 [a, b] で連続",
    "[分散](https://en.wikipedia.org/wiki/Variance)",
    "[3](https://example.org/notes)",
    "（『文化と帝国主義 [1994] 16）",
    "「Colo[u]rpoint Longhair」",
    "こんにちは、[NAME]です。",
    "自転車の通路が含まれる[...]。",
    "対になる文字（[] {} など）",
    "マスターURLにlocal[N]を渡す",
    "[Metaspace: 242029K->242029K(260096K)]",
]


@pytest.mark.parametrize(("text", "expected"), REMOVED)
def test_editorial_marks_are_removed(text: str, expected: str) -> None:
    assert marks.remove(text)[0] == expected


@pytest.mark.parametrize("text", KEPT)
def test_content_brackets_stay(text: str) -> None:
    assert marks.remove(text) == (text, 0)


def test_all_three_fields_are_fixed_and_the_note_counts_every_mark() -> None:
    records = [make_record(0, instruction="これ[1]は何[citation needed]？", input="文脈[a]。", output="答え[注 1]。")]
    result = run_review(records, tag_style=False)
    assert (records[0]["instruction"], records[0]["input"], records[0]["output"]) == ("これは何？", "文脈。", "答え。")
    (row,) = [r for r in result.rows if r["rule"] == "citation_marks"]
    assert row["excerpt"].startswith("4 removed: ")


def _judged() -> list[dict]:
    return read_jsonl(marks_evidence.SAMPLE)


def test_the_judged_sample_is_large_enough_and_every_case_is_decided_as_judged() -> None:
    sample = _judged()
    removed = [c for c in sample if c["removed"]]
    assert len(removed) >= 150 and len(sample) - len(removed) >= 100
    wrong = [c for c in sample
             if marks.is_mark(c["token"][1:-1], c["before"][-1:], c["after"][:5]) != (c["verdict"] == "mark")]
    assert wrong == []


def test_the_readme_states_the_precision_of_the_judged_sample() -> None:
    sample = _judged()
    removed = [c for c in sample if c["removed"]]
    right = sum(c["verdict"] == "mark" for c in removed)
    kept = [c for c in sample if not c["removed"]]
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert f"| removed | {len(removed)} | {right} | {right / len(removed):.1%} |" in readme
    kept_right = sum(c["verdict"] == "content" for c in kept)
    assert f"| kept | {len(kept)} | {kept_right} | {kept_right / len(kept):.1%} |" in readme


def test_the_token_list_is_the_sources_own(real_source: Path) -> None:
    found = marks_evidence.occurrences(json.loads(real_source.read_bytes()))
    assert marks_evidence.table(found) == marks_evidence.TOKENS.read_text(encoding="utf-8")


# Every kind of mark in the issue, as a pattern that must not survive a default build.
LEFT_OVER = re.compile(r"\[(?:[0-9]{1,3}|[a-nA-D]|注釈? ?[0-9]+|nb [0-9]+|n\.? [0-9]+|p [0-9]+|T [0-9]+|"
                       r"citation needed|clarification needed|要出典|引用者注釈|引用|編集|検証失敗|"
                       r"より良いソースが必要|dubious - discuss| ?)\](?!\()")


def test_a_default_build_of_the_source_keeps_no_editorial_mark(real_source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--source", real_source, "--out", out, "--no-style")
    assert result.returncode == 0, result.stderr
    rows = [r for p in sorted((out / "data").glob("?_of_4.jsonl")) for r in read_jsonl(p)]
    assert len(rows) > 14000
    left = [(r["index"], m.group()) for r in rows for name in ("instruction", "input", "output")
            for m in LEFT_OVER.finditer(r[name])
            if not marks.TOKEN.fullmatch(m.group()) or marks.is_mark(m.group()[1:-1], r[name][m.start() - 1:m.start()],
                                                                     r[name][m.end():m.end() + 5])]
    assert left == []
    judged_content = [c for c in _judged() if c["verdict"] == "content"]
    texts = {r["index"]: r["instruction"] + r["input"] + r["output"] for r in rows}
    missing = [c for c in judged_content if c["index"] in texts and c["token"] not in texts[c["index"]]]
    assert missing == []


def test_the_readme_gives_the_token_counts_of_the_list() -> None:
    rows = [line.split("\t") for line in marks_evidence.TOKENS.read_text(encoding="utf-8").splitlines()[1:]]
    total, removed = sum(int(r[1]) for r in rows), sum(int(r[2]) for r in rows)
    numbered = next(int(r[2]) for r in rows if r[0] == "[N]")
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8").split())
    assert (f"{total:,} bracketed tokens: {removed:,} are removed ({numbered:,} numbered notes), "
            f"{total - removed:,} stay") in readme
