"""A `--user-template` shows in the card exactly as given, whatever it holds (code fences too).

The card is parsed with a CommonMark parser, the way the Hub renders it, and the code the
reader sees is compared with the template.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from dolly_ja_16k.manifest import read as read_manifest
from dolly_ja_16k.write.card import code_block, inline_code, render_card
from tests.conftest import DEMO_SOURCE, run_cli

TEMPLATES = [
    ("```\n{instruction}\n```\n\n入力:\n{input}", "````md\n{instruction}\n````"),
    ("`{instruction}` と ``{input}``", "`{instruction}`"),
    (" {instruction}\n\n{input} ", "``` {instruction} ```"),
]


def _escaped(text: str) -> str:
    """As typed on the command line: a line break is ``\\n`` (a backslash is doubled)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _code(markdown: str) -> tuple[list[str], list[str]]:
    """The fenced blocks and the inline code spans a reader sees in ``markdown``."""
    tokens = MarkdownIt("commonmark").parse(markdown)
    blocks = [t.content for t in tokens if t.type == "fence"]
    spans = [c.content for t in tokens if t.type == "inline" for c in (t.children or []) if c.type == "code_inline"]
    return blocks, spans


@pytest.mark.parametrize(("with_input", "without_input"), TEMPLATES)
def test_the_card_shows_the_templates_exactly(tmp_path: Path, with_input: str, without_input: str) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--source", DEMO_SOURCE, "--out", out, "--no-style",
                     "--user-template", _escaped(with_input), "--user-template-no-input", _escaped(without_input))
    assert result.returncode == 0, result.stderr
    blocks, _ = _code((out / "README.md").read_text(encoding="utf-8"))
    assert with_input + "\n" in blocks and without_input + "\n" in blocks
    manifest = read_manifest(out)
    _, spans = _code(render_card(manifest, repo_id="me/d-2_of_4", part="2_of_4"))
    assert with_input.replace("\n", "\\n") in spans and without_input.replace("\n", "\\n") in spans


@pytest.mark.parametrize("text", ["", "a", "```", "x ``` y ```` z", "`", " a ", "` a `", "a\n```\nb"])
def test_code_helpers_round_trip_through_commonmark(text: str) -> None:
    blocks, _ = _code(code_block(text))
    assert blocks == [text + "\n"]
    if "\n" not in text and text.strip():
        _, spans = _code(inline_code(text))
        assert spans == [text]
