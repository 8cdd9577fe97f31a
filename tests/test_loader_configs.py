"""`dolly_ja_16k.load` loads every config the card lists, and names them when asked for another."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import dolly_ja_16k
from tests.conftest import DEMO_SOURCE, read_jsonl, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("loader") / "demo"
    result = run_cli("build", "--source", DEMO_SOURCE, "--out", out, "--parts", "3")
    assert result.returncode == 0, result.stderr
    return out


def _card_configs(folder: Path) -> list[dict]:
    text = (folder / "README.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])["configs"]


def test_every_config_of_the_card_loads_with_the_files_rows(demo: Path, tmp_path: Path) -> None:
    configs = _card_configs(demo)
    assert "2_of_3-messages" in [c["config_name"] for c in configs]
    for config in configs:
        loaded = dolly_ja_16k.load(config["config_name"], demo, cache_dir=tmp_path / "cache")
        assert sorted(loaded) == sorted(f["split"] for f in config["data_files"])
        for f in config["data_files"]:
            assert loaded[f["split"]].to_list() == read_jsonl(demo / f["path"]), (config["config_name"], f)


def test_an_unknown_config_is_one_line_naming_the_valid_ones(demo: Path, tmp_path: Path) -> None:
    names = [c["config_name"] for c in _card_configs(demo)]
    for wrong in ("2_of_4-messages", "4_of_4", "2_of_3-chat"):
        with pytest.raises(dolly_ja_16k.errors.DollyError) as caught:
            dolly_ja_16k.load(wrong, demo, cache_dir=tmp_path / "cache")
        message = str(caught.value)
        assert "\n" not in message and f"config {wrong!r} is not in this build" in message
        assert message.endswith(f"it has {', '.join(names)}")
