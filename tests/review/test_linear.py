"""Every review rule takes time in proportion to a field's length.

A field ten times longer may take about ten times as long; a rule that re-scans the text for
every bracket (or a regex that retries every position of a long run) takes a hundred times as
long, which these ratios catch without depending on the machine's speed.
"""

from __future__ import annotations

import time

import pytest

from dolly_ja_16k.review.run import run_review
from tests.conftest import make_record, run_cli, write_jsonl

#: a linear rule gives 10; the quadratic ones this replaced gave 80 to 100
MAX_RATIO = 30
#: repeated units that once made a rule quadratic, and a few more shapes of the same kind
UNITS = {
    "unmatched closing round brackets, one per line": "あ）\n",
    "unmatched closing quotes, one per line": "あ」\n",
    "unmatched closing brackets on one line": "あ）",
    "unclosed quotes": "「あ\n",
    "a closing bracket after a colon on every line": "項目：あ）\n",
    "every kind unmatched": "（あ」『\n",
    "citation marks": "あ[1] ",
    "faces and list numbers": " 1）:)",
    "editorial marks of every kind": "あ[注 1][citation needed][a][ ]。",
    "brackets that stay": "a[i] [ˈa] [1994] ",
    "sentences, the last stopping on a particle": "文です。ある目標関数（港で",
}


def _seconds(output: str) -> float:
    record = make_record(1, output=output, input=output[: len(output) // 2])
    best = float("inf")
    for _ in range(3):  # the fastest of three runs: the least disturbed by the rest of the machine
        start = time.process_time()
        run_review([dict(record)])  # type: ignore[list-item]
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("unit", list(UNITS.values()), ids=list(UNITS))
def test_review_time_grows_linearly_with_a_field(unit: str) -> None:
    small, large = _seconds(unit * 1_000), _seconds(unit * 10_000)
    assert large <= MAX_RATIO * max(small, 0.002), (small, large)


def test_deeply_nested_brackets_are_linear() -> None:
    def nested(n: int) -> str:
        return "（" * n + "あ" + "）" * n

    small, large = _seconds(nested(2_000)), _seconds(nested(20_000))
    assert large <= MAX_RATIO * max(small, 0.002), (small, large)


def test_review_command_on_a_field_of_800_kb(tmp_path) -> None:
    """The case that did not finish in 120 s: nine records, one output of 800 KB."""
    records = [make_record(i) for i in range(8)] + [make_record(8, output="あ）\n" * 100_000)]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    result = run_cli("review", source)
    assert result.returncode == 0, result.stderr
    assert "unbalanced_brackets" in result.stdout
