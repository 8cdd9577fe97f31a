"""The dataset card tells the truth: every number from the parts, no machine paths, Hub-valid YAML.

Cards are rendered for five builds: a local source, an hf:// source (a manifest made here),
a supplement cut by a target size, a polite-style-only build and the demo.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import msgspec
import pytest
from huggingface_hub import DatasetCard

from dolly_ja_16k.build import build
from dolly_ja_16k.layout import DEFAULT_SOURCE
from dolly_ja_16k.manifest import Manifest, SourceFile
from dolly_ja_16k.manifest import read as read_manifest
from dolly_ja_16k.options import BuildOptions
from dolly_ja_16k.review.rules import FINDERS, FIXES
from dolly_ja_16k.split import SPLIT_STRATEGIES
from dolly_ja_16k.write.card import card_metadata, render_card, size_category
from dolly_ja_16k.write.formats import CONVERSATION_FORMATS
from tests.conftest import DEMO_SOURCE, ROOT, make_record, make_records, read_jsonl, write_jsonl

#: Distinctive folder names: the card and manifest must name none of them.
MACHINE_DIRS = ("machine-folder-q7", "inputs-x9")
#: The Hub's values (datasets' creators.json; task ids are the subtasks of huggingface.js pipelines.ts).
LANGUAGE_CREATORS = {"found", "crowdsourced", "expert-generated", "machine-generated", "other"}
ANNOTATIONS_CREATORS = LANGUAGE_CREATORS | {"no-annotation"}
TASK_IDS = {"extractive-qa", "open-domain-qa", "closed-domain-qa", "dialogue-modeling", "dialogue-generation",
            "conversational", "language-modeling", "news-articles-summarization",
            "news-articles-headline-generation", "abstractive-qa", "open-domain-abstractive-qa",
            "open-book-qa", "closed-book-qa"}
HUB_REV = "6391034b0126850543299cda071dc6281c31a6fb"


def _inputs(tmp: Path) -> Path:
    folder = tmp / MACHINE_DIRS[1]
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, tuple[Path, Manifest]]:
    """name -> (build folder, manifest) for every kind of build the card must describe."""
    tmp = tmp_path_factory.mktemp(MACHINE_DIRS[0])
    inputs = _inputs(tmp)
    out: dict[str, tuple[Path, Manifest]] = {}

    def run(name: str, **options) -> None:
        folder = tmp / name
        out[name] = (folder, build(BuildOptions(out=folder, **options)))

    run("local", source=str(write_jsonl(inputs / "src.jsonl", make_records(21))), parts=4)
    run("supplement", source=str(write_jsonl(inputs / "forty.jsonl", make_records(40))),
        supplements=[str(write_jsonl(inputs / "mine.jsonl", make_records(30, start=100)))], target_size=60)
    mixed = [make_record(i, output=f"答え{i}は東京だ。" if i % 3 else f"答え{i}は東京です。") for i in range(24)]
    run("keitai", source=str(write_jsonl(inputs / "mixed.jsonl", mixed)), parts=2, style="keitai", seed=7)
    run("demo", source=str(DEMO_SOURCE))
    return out


@pytest.fixture(scope="module")
def hub_manifest(builds) -> Manifest:
    """The local build's manifest as if its source had been read from the Hub at a revision."""
    _, manifest = builds["local"]
    source = SourceFile(name=DEFAULT_SOURCE, kind="hub", sha256=manifest.source.sha256, records=21,
                        revision=HUB_REV, dolly_ja=True)
    return msgspec.structs.replace(manifest, source=source)


def _cards(builds) -> list[tuple[str, str, Manifest]]:
    """(label, card text, manifest) for every build's card and one part card of each."""
    cards = []
    for name, (folder, manifest) in builds.items():
        cards.append((name, (folder / "README.md").read_text(encoding="utf-8"), manifest))
        part = manifest.part_names[-1]
        cards.append((f"{name}/{part}", render_card(manifest, repo_id="me/dolly-" + part, part=part), manifest))
    return cards


def _body(card: str) -> str:
    """The card without its YAML and without code blocks (usage snippets may show code)."""
    body = card.split("\n---\n", 1)[1]
    return re.sub(r"```.*?```", "", body, flags=re.S)


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _from_files(folder: Path, manifest: Manifest) -> dict:
    """What the parts hold, counted from their files."""
    parts = {p.name: read_jsonl(folder / p.file) for p in manifest.parts}
    return {
        "records": {name: len(rows) for name, rows in parts.items()},
        "user": sum(r["index"].startswith("user-") for rows in parts.values() for r in rows),
        "categories": {name: Counter(r["category"] for r in rows) for name, rows in parts.items()},
        "styles": {name: Counter(r.get("style") for r in rows) for name, rows in parts.items()},
    }


def _table(card: str, heading: str) -> dict[str, list[int]]:
    """A count table of the card (rows under ``heading``): row name -> counts."""
    section = card.split(heading, 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip().strip("*") for c in line.strip("|").split("|")]
        if line.startswith("|") and cells[0] not in ("category", "style") and not cells[0].startswith("---"):
            rows[cells[0]] = [_int(c) for c in cells[1:]]
    return rows


# -- 1. every number from the parts ----------------------------------------------------------------

@pytest.mark.parametrize("name", ["local", "supplement", "keitai", "demo"])
def test_every_number_in_the_card_is_counted_from_the_parts(builds, name):
    folder, manifest = builds[name]
    card = (folder / "README.md").read_text(encoding="utf-8")
    data = _from_files(folder, manifest)
    names = list(data["records"])
    total = sum(data["records"].values())

    assert _int(re.search(r"holds \*\*([\d,]+)\*\* Japanese", card)[1]) == total
    sizes = re.search(r"parts of\s+([\d,/ ]+) records", card)[1]
    assert [_int(s) for s in sizes.split("/")] == list(data["records"].values())
    config_rows = dict(re.findall(r"^\| `(\d+_of_\d+)` \| `train` \| ([\d,]+) \|", card, re.M))
    assert {k: _int(v) for k, v in config_rows.items()} == data["records"]
    assert _int(re.search(r"^\| `all` \(default\) \|[^|]*\| ([\d,]+) \|", card, re.M)[1]) == total
    training_rows = sum(f.read_bytes().count(b"\n") for f in (folder / "data").glob("*-*.jsonl"))
    assert training_rows == 2 * total  # messages and prompt_completion hold every record once more each
    assert _int(re.search(r"shows ([\d,]+) rows", card)[1]) == 2 * total + training_rows
    assert _int(re.search(r"the dataset has\s+([\d,]+) records", card)[1]) == total

    categories = _table(card, "## Records per category and part")
    assert categories.pop("all") == [*data["records"].values(), total]
    expected = {c: [data["categories"][n][c] for n in names] for c in
                {c for counts in data["categories"].values() for c in counts}}
    assert {c: v[:-1] for c, v in categories.items()} == expected
    assert all(v[-1] == sum(v[:-1]) for v in categories.values())
    if "style" in manifest.features:
        styles = _table(card, "## Records per style and part")
        assert {s: v[:-1] for s, v in styles.items()} == {
            s: [data["styles"][n][s] for n in names] for s in {s for c in data["styles"].values() for s in c}}

    topped = re.search(r"topped up with ([\d,]+) records of our own", card)
    own = re.search(r"Records of our own in the parts: ([\d,]+)", card)
    if data["user"]:
        assert _int(topped[1]) == _int(own[1]) == data["user"]
    else:
        assert topped is None and own is None


def test_supplement_count_is_what_the_target_size_left_in_the_parts(builds):
    folder, manifest = builds["supplement"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    data = _from_files(folder, manifest)
    assert 0 < data["user"] < 30  # the target size cut some supplement records
    assert manifest.supplement_records == data["user"]
    assert f"topped up with {data['user']:,} records of our own" in card
    assert "`mine.jsonl` (30 records, sha256" in card  # the file itself, named as a file
    kept = _int(re.search(r"kept ([\d,]+)\.", card)[1])
    left_out = _int(re.search(r"left out the last ([\d,]+) of them", card)[1])
    assert kept - left_out == sum(data["records"].values()) == 60
    assert _int(re.search(r"so the parts hold ([\d,]+)", card)[1]) == 60
    part = manifest.part_names[0]
    text = render_card(manifest, part=part)
    own = re.search(r"([\d,]+) of them records of our own", text)
    assert own is not None and _int(own[1]) == manifest.part(part).supplement_records


# -- 2. no path of the build machine -----------------------------------------------------------------

def test_no_path_of_the_build_machine_in_card_or_manifest(builds):
    for name, (folder, manifest) in builds.items():
        card = (folder / "README.md").read_text(encoding="utf-8")
        stored = (folder / "manifest.json").read_text(encoding="utf-8")
        texts = [card, stored, render_card(manifest, part=manifest.part_names[0])]
        forbidden = [str(folder), str(folder.parent), str(ROOT), str(DEMO_SOURCE.parent), *MACHINE_DIRS,
                     folder.parent.parent.name, "/tmp/", "/work/"]
        for text in texts:
            for word in forbidden:
                assert word not in text, (name, word)
        assert read_manifest(folder).source.name == ("demo-ja.jsonl" if name == "demo" else manifest.source.name)
        assert "/" not in manifest.source.name


def test_local_source_is_named_by_base_name_sha256_and_count(builds):
    folder, manifest = builds["local"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert f"`src.jsonl` (21 records, sha256 `{manifest.source.sha256}`)" in card
    assert "byte for byte" not in card  # no upstream known for this file


def test_hub_source_links_the_repo_at_its_revision(hub_manifest):
    card = render_card(hub_manifest)
    base = "https://huggingface.co/datasets/kunishou/databricks-dolly-15k-ja"
    assert f"({base}/tree/{HUB_REV})" in card
    assert f"({base}/blob/{HUB_REV}/databricks-dolly-15k-ja.json)" in card
    assert f"at revision `{HUB_REV}`" in card
    assert "hf://" not in _body(card)


def test_local_copy_of_a_known_upstream_says_which_revision_it_equals(builds):
    _, manifest = builds["local"]
    local = msgspec.structs.replace(manifest, source=msgspec.structs.replace(
        manifest.source, name="databricks-dolly-15k-ja.json", upstream=DEFAULT_SOURCE, dolly_ja=True))
    card = render_card(local)
    assert "`databricks-dolly-15k-ja.json` (21 records, sha256" in card
    assert f"byte for byte the file [`databricks-dolly-15k-ja.json`](https://huggingface.co/datasets/" \
           f"kunishou/databricks-dolly-15k-ja/blob/{HUB_REV}/databricks-dolly-15k-ja.json)" in card
    described = msgspec.structs.replace(local, source=msgspec.structs.replace(
        local.source, upstream="kunishou/databricks-dolly-15k-ja@cd6c43d (first public revision)"))
    assert ("byte for byte the file [kunishou/databricks-dolly-15k-ja](https://huggingface.co/datasets/"
            "kunishou/databricks-dolly-15k-ja/tree/cd6c43d) at revision `cd6c43d` (first public revision)"
            in render_card(described))


# -- 3. no licence history on cards ----------------------------------------------------------------------

def test_no_note_on_earlier_uploads_on_any_card(builds):
    for label, card, _ in _cards(builds):
        assert "apache" not in card.lower() and "hand-made" not in card, label
        assert "CC BY-SA 3.0" in card and "Databricks" in card and "kunishou" in card


# -- 4. options and filters in words ---------------------------------------------------------------------

def test_no_command_line_flag_outside_code(builds, hub_manifest):
    cards = [*_cards(builds), ("hub", render_card(hub_manifest), hub_manifest)]
    for label, card, _ in cards:
        assert re.findall(r"--[a-z]", _body(card)) == [], label


def test_style_build_describes_its_filter_and_every_option_in_words(builds):
    folder, manifest = builds["keitai"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    built = card.split("## How it was built", 1)[1].split("\n## ", 1)[0]
    assert "Style filter: only records whose answers are in the polite です・ます style" in built
    assert "2 parts, of sizes" in built
    assert "seed `7`" in built and "same category mix" in built
    assert "Review: records dropped by the rules `emptied_by_fixes`, `input_equals_output`" in built
    assert "Style tagging: every record has a `style` column" in built
    style_rule = next(r for r in manifest.review.rules if r.name == "style")
    assert style_rule.count > 0 and "--style" in style_rule.description  # review.py's own wording …
    row = re.search(r"^\| `style` \| drop \| (.*) \| ([\d,]+) \|$", card, re.M)
    assert row[1] == "keep only records whose answers are in the polite です・ます style (`keitai`)"  # … not the card's
    assert _int(row[2]) == style_rule.count
    supplement = builds["supplement"][0] / "README.md"
    assert "Target size: exactly 60 records in all; the 10 beyond it were left out" in supplement.read_text()


def test_review_table_lists_every_rule_with_its_count(builds):
    for name, (folder, manifest) in builds.items():
        card = (folder / "README.md").read_text(encoding="utf-8")
        rows = re.findall(r"^\| `([\w]+)` \| (fix|flag|drop) \| .* \| ([\d,]+) \|$", card, re.M)
        assert [(n, a, _int(c)) for n, a, c in rows] == [(r.name, r.action, r.count)
                                                         for r in manifest.review.rules], name


# -- 5 and 8. YAML: lists, Hub values, read back byte for byte ------------------------------------------------

def _yaml(card: str) -> dict:
    return DatasetCard(card).data.to_dict()


def test_yaml_fields_are_lists_of_hub_values(builds, hub_manifest):
    cards = [*_cards(builds), ("hub", render_card(hub_manifest), hub_manifest)]
    for label, card, _ in cards:
        data = _yaml(card)
        for key in ("language", "size_categories", "multilinguality", "language_creators", "annotations_creators",
                    "task_categories", "task_ids"):
            assert isinstance(data[key], list) and data[key], (label, key)
        assert set(data["language_creators"]) <= LANGUAGE_CREATORS
        assert set(data["annotations_creators"]) <= ANNOTATIONS_CREATORS
        assert set(data["task_ids"]) <= TASK_IDS
        assert data["multilinguality"] == ["monolingual"]


def test_language_and_annotation_creators_follow_the_data(builds, hub_manifest):
    dolly = _yaml(render_card(hub_manifest))
    assert dolly["language_creators"] == ["machine-generated"]
    assert dolly["annotations_creators"] == ["crowdsourced", "machine-generated"]  # Dolly's writers; style tags
    assert dolly["source_datasets"] == ["kunishou/databricks-dolly-15k-ja", "databricks/databricks-dolly-15k"]
    with_own = msgspec.structs.replace(hub_manifest, parts=builds["supplement"][1].parts,
                                       records=builds["supplement"][1].records)
    assert "expert-generated" in _yaml(render_card(with_own))["language_creators"]
    supplement = _yaml((builds["supplement"][0] / "README.md").read_text())
    assert "expert-generated" in supplement["language_creators"]
    assert "source_datasets" not in supplement  # a source of unknown origin claims no source dataset
    # a part card says what that part holds
    part = builds["local"][1].part_names[0]
    assert "expert-generated" not in _yaml(render_card(builds["local"][1], part=part))["language_creators"]


def test_task_tags_follow_the_categories(builds, hub_manifest):
    data = _yaml(render_card(hub_manifest))
    assert data["task_categories"] == ["text-generation", "question-answering", "summarization"]
    assert data["task_ids"] == ["language-modeling", "open-domain-qa"]
    _, manifest = builds["local"]
    only = msgspec.structs.replace(manifest, parts=[msgspec.structs.replace(
        p, categories={"brainstorming": p.records}) for p in manifest.parts])
    assert _yaml(render_card(only))["task_ids"] == ["language-modeling"]
    assert _yaml(render_card(only))["task_categories"] == ["text-generation"]


def test_card_yaml(builds):
    folder, manifest = builds["local"]
    data = DatasetCard.load(folder / "README.md").data.to_dict()
    assert data["license"] == "cc-by-sa-3.0"
    assert data["language"] == ["ja"]
    assert data["size_categories"] == ["n<1K"]
    assert data["task_categories"] and data["pretty_name"]
    configs = {c["config_name"]: c for c in data["configs"]}
    assert list(configs) == ["all", *(f"{p}{fmt}" for p in ("1_of_4", "2_of_4", "3_of_4", "4_of_4")
                                      for fmt in ("", "-messages", "-prompt_completion"))]
    assert configs["all"]["default"] is True
    assert [s["split"] for s in configs["all"]["data_files"]] == ["1_of_4", "2_of_4", "3_of_4", "4_of_4"]
    assert configs["3_of_4"]["data_files"] == [{"split": "train", "path": "data/3_of_4.jsonl"}]
    infos = {i["config_name"]: i for i in data["dataset_info"]}
    assert [s["num_examples"] for s in infos["all"]["splits"]] == [6, 5, 5, 5]
    assert infos["2_of_4"]["splits"] == [{"name": "train", "num_bytes": manifest.parts[1].num_bytes,
                                          "num_examples": 5}]
    assert [f["name"] for f in infos["1_of_4"]["features"]] == manifest.features
    assert "&id" not in (folder / "README.md").read_text()  # no YAML anchors


def test_datasetcard_reads_and_writes_every_card_back_unchanged(builds, hub_manifest):
    """DatasetCard must agree with every byte of a rendered card: parse it, render it again, compare."""
    cards = [*_cards(builds), ("hub", render_card(hub_manifest), hub_manifest)]
    for label, text, manifest in cards:
        card = DatasetCard(text)
        assert str(card) == text, label
        part = label.split("/")[1] if "/" in label else None
        assert card.data.to_dict()["configs"] == card_metadata(
            manifest, None if part is None else [manifest.part(part)])["configs"]


# -- 6. numbers one way ----------------------------------------------------------------------------------------

def test_numbers_have_thousands_separators(tmp_path):
    source = write_jsonl(tmp_path / "big.jsonl", make_records(2_400))
    manifest = build(BuildOptions(source=str(source), out=tmp_path / "out", parts=2))
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    prose = re.sub(r"`[^`]*`|\([^)\s]*://[^)]*\)", "", _body(card))  # code spans and link targets
    assert "1,200 / 1,200" in prose and "**2,400**" in prose
    assert re.findall(r"(?<![\d,.])\d{4,}(?![\d,])", prose) == []
    assert manifest.records == 2_400


# -- 7. pictures: captions in the card ----------------------------------------------------------------------

def test_each_picture_has_a_caption_saying_what_is_drawn(builds):
    folder, manifest = builds["demo"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    captions = {}
    for image in manifest.review.images:
        after = card.split(f"![{image.title}]({image.path})\n\n", 1)[1]
        captions[image.path] = after.split("\n", 1)[0]
        assert captions[image.path].startswith("*") and captions[image.path].endswith("*")
        assert (folder / image.path).is_file()
    lengths = captions["images/lengths.png"]
    assert "quartile" in lengths and "median" in lengths and "whiskers" in lengths and "none is hidden" in lengths
    assert "100%" in captions["images/category_mix.png"]


# -- 11 and 12. viewer search and the doubled row count ---------------------------------------------------------

def test_card_says_how_to_search_japanese_and_why_the_hub_doubles_the_rows(builds):
    for label, card, _ in _cards(builds):
        assert "a–z" in card and "WHERE output LIKE '%東京%'" in card, label
    card = (builds["local"][0] / "README.md").read_text(encoding="utf-8")
    note = card.split("| `4_of_4` | `train` |", 1)[1].split("###", 1)[0]
    assert "`all` config, the part configs and the training configs hold the same records" in note
    assert f"shows {4 * builds['local'][1].records:,} rows" in note


# -- the rest of the card ------------------------------------------------------------------------------------------

def test_card_body(builds):
    folder, manifest = builds["local"]
    text = (folder / "README.md").read_text()
    assert 'load_dataset("YOUR_NAME/dolly-ja-16k", "2_of_4", split="train")' in text
    assert 'split="1_of_4+2_of_4"' in text
    assert manifest.source.sha256 in text
    counts = [sum(r["category"] == "open_qa" for r in read_jsonl(folder / p.file)) for p in manifest.parts]
    assert f"| open_qa | {' | '.join(map(str, counts))} | {sum(counts)} |" in text  # category × part table


def test_card_names_the_repo_and_renders_one_part(builds):
    _, manifest = builds["local"]
    text = render_card(manifest, repo_id="me/dolly")
    assert 'load_dataset("me/dolly", "2_of_4", split="train")' in text
    part = render_card(manifest, repo_id="me/dolly-2_of_4", part="2_of_4")
    meta = card_metadata(manifest, [manifest.parts[1]])
    assert meta["configs"] == [
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/2_of_4.jsonl"}]},
        {"config_name": "messages", "data_files": [{"split": "train", "path": "data/2_of_4-messages.jsonl"}]},
        {"config_name": "prompt_completion",
         "data_files": [{"split": "train", "path": "data/2_of_4-prompt_completion.jsonl"}]}]
    assert 'load_dataset("me/dolly-2_of_4", split="train")' in part
    assert "license: cc-by-sa-3.0" in part
    assert "(5 件)" in part.replace("（", "(").replace("）", ")")


def test_size_category():
    assert [size_category(n) for n in (999, 1000, 16000, 100_000)] == ["n<1K", "1K<n<10K", "10K<n<100K",
                                                                      "100K<n<1M"]


def test_card_is_the_same_for_the_same_build(builds):
    for folder, manifest in builds.values():
        assert render_card(manifest) == (folder / "README.md").read_text(encoding="utf-8")
        assert json.loads((folder / "manifest.json").read_text())["source"]["name"] == manifest.source.name


def test_a_pipe_or_a_line_break_in_a_category_cannot_break_the_tables(tmp_path) -> None:
    records = make_records(8)
    records[0]["category"] = "open|qa"
    records[1]["category"] = "line\nbreak"
    src = write_jsonl(tmp_path / "src.jsonl", records)
    build(BuildOptions(source=str(src), out=tmp_path / "out", tag_style=False))
    text = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "| open\\|qa |" in text and "| line\\nbreak |" in text
    table = text[text.index("## Records per category and part"):].split("\n\n")[1].splitlines()
    assert len({row.count("|") - row.count("\\|") for row in table}) == 1  # every row has the same cells


def test_training_section_counts_come_from_the_training_files(tmp_path) -> None:
    from tests.conftest import run_cli

    out = tmp_path / "out"
    result = run_cli("build", "--source", DEMO_SOURCE, "--out", out, "--system-prompts", "style",
                     "--user-template", r"### 指示:\n{instruction}\n\n### 入力:\n{input}")
    assert result.returncode == 0, result.stderr
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "```text\n### 指示:\n{instruction}\n\n### 入力:\n{input}\n```" in card
    rows = [r for f in sorted((out / "data").glob("*-messages.jsonl")) for r in read_jsonl(f)]
    by_text: dict[str, int] = {}
    for row in rows:
        first = row["messages"][0]
        if first["role"] == "system":
            by_text[first["content"]] = by_text.get(first["content"], 0) + 1
    assert by_text  # the demo has polite and plain answers
    for text, count in by_text.items():
        assert re.search(rf"\| `\w+` \| {re.escape(text)} \| {count:,} \|", card), text
    with_input = sum(1 for r in rows if "\n\n### 入力:\n" in r["messages"][-2]["content"])
    assert f"with input ({with_input:,} records)" in card
    assert f"without input ({len(rows) - with_input:,} records)" in card


def test_usage_shows_how_to_load_a_pinned_release(builds) -> None:
    folder, manifest = builds["local"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert 'load_dataset("YOUR_NAME/dolly-ja-16k", "2_of_4", split="train", revision="TAG")' in card
    part = render_card(manifest, repo_id="me/dolly-2_of_4", part="2_of_4")
    assert 'load_dataset("me/dolly-2_of_4", split="train", revision="TAG")' in part


# -- descriptions come from what they describe ------------------------------------------------------------------

@pytest.mark.parametrize("strategy", ["stratified", "contiguous", "shuffle"])
def test_the_split_line_is_the_strategys_own_sentence(builds, strategy) -> None:
    _, manifest = builds["local"]
    built = msgspec.structs.replace(manifest, options=msgspec.structs.replace(manifest.options, strategy=strategy,
                                                                              seed=9))
    line = next(line for line in render_card(built).splitlines() if line.startswith("- Split: "))
    sentence = SPLIT_STRATEGIES[strategy].sentence("seed `9`")
    assert line == f"- Split: {sentence}"
    assert ("seed `9`" in line) == (strategy != "contiguous")


def test_the_training_table_describes_each_format_in_its_own_words(builds) -> None:
    folder, manifest = builds["local"]
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert manifest.training is not None
    for config in manifest.training.configs:
        row = f"| `{config.name}` | {CONVERSATION_FORMATS[config.format].description} | {config.records:,} |"
        assert row in card, row


def test_the_data_quality_table_describes_each_rule_in_its_own_words(builds) -> None:
    own = {rule.name: rule.description for rule in (*FIXES, *FINDERS)}
    for name, (folder, _) in builds.items():
        card = (folder / "README.md").read_text(encoding="utf-8")
        rows = dict(re.findall(r"^\| `(\w+)` \| (?:fix|flag|drop) \| (.*) \| [\d,]+ \|$", card, re.M))
        assert {n: d for n, d in rows.items() if n != "style"} == own, name


def test_the_card_and_the_review_command_open_with_the_same_sentence(builds) -> None:
    from tests.conftest import run_cli

    folder, _ = builds["local"]
    src = next(p for p in folder.parent.rglob("src.jsonl"))
    report = run_cli("review", src)
    assert report.returncode == 0, report.stderr
    first = report.stdout.splitlines()[0]
    assert first.startswith("The review checked 21 records: it made ")
    assert f"\n{first}\n" in (folder / "README.md").read_text(encoding="utf-8")
