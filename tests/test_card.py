from __future__ import annotations

import pytest
from huggingface_hub import DatasetCard

from dolly_ja_16k.card import card_metadata, render_card, size_category
from dolly_ja_16k.options import BuildOptions
from dolly_ja_16k.pipeline import build

from .conftest import make_records, write_jsonl


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("card")
    source = write_jsonl(tmp / "src.jsonl", make_records(21))
    manifest = build(BuildOptions(source=str(source), out=tmp / "out", parts=4))
    return tmp / "out", manifest


def test_card_yaml(built):
    out, manifest = built
    data = DatasetCard.load(out / "README.md").data.to_dict()
    assert data["license"] == "cc-by-sa-3.0"
    assert data["language"] == ["ja"]
    assert data["size_categories"] == "n<1K"
    assert "kunishou/databricks-dolly-15k-ja" in data["source_datasets"]
    assert data["task_categories"] and data["pretty_name"]
    configs = {c["config_name"]: c for c in data["configs"]}
    assert list(configs) == ["all", "1_of_4", "2_of_4", "3_of_4", "4_of_4"]
    assert configs["all"]["default"] is True
    assert [s["split"] for s in configs["all"]["data_files"]] == ["1_of_4", "2_of_4", "3_of_4", "4_of_4"]
    assert configs["3_of_4"]["data_files"] == [{"split": "train", "path": "data/3_of_4.jsonl"}]
    infos = {i["config_name"]: i for i in data["dataset_info"]}
    assert [s["num_examples"] for s in infos["all"]["splits"]] == [6, 5, 5, 5]
    assert infos["2_of_4"]["splits"] == [{"name": "train", "num_bytes": manifest.parts[1].num_bytes,
                                          "num_examples": 5}]
    assert [f["name"] for f in infos["1_of_4"]["features"]] == manifest.features
    assert "&id" not in (out / "README.md").read_text()  # no YAML anchors


def test_card_body(built):
    out, manifest = built
    text = (out / "README.md").read_text()
    assert 'load_dataset("YOUR_NAME/dolly-ja-16k", "2_of_4", split="train")' in text
    assert 'split="1_of_4+2_of_4"' in text
    assert "CC BY-SA 3.0" in text and "Databricks" in text and "kunishou" in text
    assert "apache-2.0" in text  # the note that the older uploads were mislabelled
    assert manifest.source.sha256 in text
    assert "| open_qa | 1 | 1 | 1 | 0 | 3 |" in text  # category × part table


def test_card_names_the_repo_and_renders_one_part(built):
    _, manifest = built
    text = render_card(manifest, repo_id="me/dolly")
    assert 'load_dataset("me/dolly", "2_of_4", split="train")' in text
    part = render_card(manifest, repo_id="me/dolly-2_of_4", part="2_of_4")
    meta = card_metadata(manifest, [manifest.parts[1]])
    assert meta["configs"] == [{"config_name": "default",
                                "data_files": [{"split": "train", "path": "data/2_of_4.jsonl"}]}]
    assert 'load_dataset("me/dolly-2_of_4", split="train")' in part
    assert "license: cc-by-sa-3.0" in part


def test_size_category():
    assert [size_category(n) for n in (999, 1000, 16000, 100_000)] == ["n<1K", "1K<n<10K", "10K<n<100K",
                                                                      "100K<n<1M"]


def test_card_is_the_same_for_the_same_build(built):
    out, manifest = built
    assert render_card(manifest) == (out / "README.md").read_text()


@pytest.mark.parametrize("part", [None, "3_of_4"])
def test_datasetcard_reads_and_writes_the_card_back_unchanged(built, part):
    """DatasetCard must agree with every byte of a rendered card: parse it, render it again, compare."""
    _, manifest = built
    text = render_card(manifest, repo_id="me/dolly", part=part)
    card = DatasetCard(text)
    assert str(card) == text
    assert card.data.to_dict()["configs"] == card_metadata(
        manifest, None if part is None else [manifest.part(part)])["configs"]
