from __future__ import annotations

import pytest

import dolly_ja_16k
from dolly_ja_16k.build import build
from dolly_ja_16k.loader import ChecksumError, DollyJa16k, builder_for, resolve_source
from dolly_ja_16k.options import BuildOptions
from tests.conftest import DEMO_SOURCE, read_jsonl


@pytest.fixture
def demo(tmp_path):
    out = tmp_path / "demo"
    build(BuildOptions(source=str(DEMO_SOURCE), out=out))
    return out


def test_builder_configs():
    assert [c.name for c in DollyJa16k.BUILDER_CONFIGS] == ["all", "1_of_4", "2_of_4", "3_of_4", "4_of_4"]


def test_load_one_part_and_all(demo, tmp_path):
    part = dolly_ja_16k.load("2_of_4", demo, split="train", cache_dir=tmp_path / "cache")
    assert part.to_list() == read_jsonl(demo / "data/2_of_4.jsonl")
    everything = dolly_ja_16k.load("all", demo, cache_dir=tmp_path / "cache")
    assert list(everything) == ["1_of_4", "2_of_4", "3_of_4", "4_of_4"]
    assert everything["4_of_4"].to_list() == read_jsonl(demo / "data/4_of_4.jsonl")


def test_a_changed_file_is_refused(demo, tmp_path):
    path = demo / "data/1_of_4.jsonl"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(ChecksumError, match=r"1_of_4.jsonl: sha256 .* does not match the manifest"):
        dolly_ja_16k.load("1_of_4", demo, cache_dir=tmp_path / "cache")


def test_a_rebuild_is_not_served_from_the_cache(tmp_path):
    out, cache = tmp_path / "b", tmp_path / "cache"
    build(BuildOptions(source=str(DEMO_SOURCE), out=out, seed=1))
    first = dolly_ja_16k.load("1_of_4", out, split="train", cache_dir=cache).to_list()
    build(BuildOptions(source=str(DEMO_SOURCE), out=out, seed=2))
    second = dolly_ja_16k.load("1_of_4", out, split="train", cache_dir=cache).to_list()
    assert first != second
    assert second == read_jsonl(out / "data/1_of_4.jsonl")


def test_other_part_counts_and_unknown_config(tmp_path):
    out = tmp_path / "three"
    build(BuildOptions(source=str(DEMO_SOURCE), out=out, parts=3))
    part = dolly_ja_16k.load("3_of_3", out, split="train", cache_dir=tmp_path / "cache")
    assert part.to_list() == read_jsonl(out / "data/3_of_3.jsonl")
    with pytest.raises(Exception, match="4_of_4"):
        dolly_ja_16k.load("4_of_4", out, cache_dir=tmp_path / "cache")


def test_not_a_build(tmp_path):
    with pytest.raises(dolly_ja_16k.errors.DollyError, match="no manifest.json"):
        dolly_ja_16k.load("all", tmp_path)


def test_a_file_changed_after_a_cached_load_is_refused(demo, tmp_path):
    cache = tmp_path / "cache"
    first = dolly_ja_16k.load("1_of_4", demo, split="train", cache_dir=cache)
    assert first.to_list() == read_jsonl(demo / "data/1_of_4.jsonl")
    part = demo / "data/1_of_4.jsonl"
    original = part.read_bytes()
    part.write_bytes(original.replace("。".encode(), "．".encode(), 1))  # same size, other rows
    with pytest.raises(ChecksumError, match=r"1_of_4.jsonl: sha256 .* does not match the manifest"):
        dolly_ja_16k.load("1_of_4", demo, split="train", cache_dir=cache)
    part.write_bytes(original)
    # every file, not only the config's: an image changed is refused too
    image = demo / "images/lengths.png"
    image.write_bytes(image.read_bytes() + b"\0")
    with pytest.raises(ChecksumError, match=r"lengths.png: sha256 .* does not match the manifest"):
        dolly_ja_16k.load("1_of_4", demo, split="train", cache_dir=cache)
    with pytest.raises(ChecksumError, match=r"lengths.png: sha256"):
        builder_for("2_of_4", demo, cache_dir=cache).as_streaming_dataset(split="train")


def test_a_malformed_manifest_is_one_line(demo):
    (demo / "manifest.json").write_text("[]", encoding="utf-8")
    for call in (lambda: resolve_source(demo), lambda: dolly_ja_16k.load("all", demo)):
        with pytest.raises(dolly_ja_16k.errors.DollyError) as caught:
            call()
        message = str(caught.value)
        assert message == f"{demo / 'manifest.json'}: not a dolly-ja-16k manifest: Expected `object`, got `array`"
