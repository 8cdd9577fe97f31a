"""The training formats: user-turn templates, system prompts, rows, bytes, names and the manifest entry."""

from __future__ import annotations

import hashlib
from pathlib import Path

import msgspec
import orjson
import pyarrow
import pytest

from dolly_ja_16k import layout, manifest
from dolly_ja_16k.errors import InputError
from dolly_ja_16k.options import SYSTEM_PROMPT_MODES, BuildOptions, OptionError, decode_cli_template
from dolly_ja_16k.write import formats
from dolly_ja_16k.write.formats import UserTemplate
from tests.conftest import ROOT, make_record, write_jsonl

KEITAI_TEXT = formats.STYLE_SYSTEM_PROMPTS["keitai"]
JOTAI_TEXT = formats.STYLE_SYSTEM_PROMPTS["jotai"]


def styled(i: int, style: str, **fields: str) -> dict[str, str]:
    return {**make_record(i, **fields), "style": style}


# -- the user turn ------------------------------------------------------------------------------

def test_default_user_turn_is_instruction_then_input_after_a_blank_line() -> None:
    template = UserTemplate()
    assert template.render(make_record(1, instruction="要約して", input="本文です。")) == "要約して\n\n本文です。"
    assert template.render(make_record(1, instruction="要約して", input="")) == "要約して"
    # whitespace alone is no input: no dangling blank line
    assert template.render(make_record(1, instruction="要約して", input=" \n ")) == "要約して"


def test_custom_templates_render_both_kinds_of_record(tmp_path: Path) -> None:
    template = UserTemplate("### 指示:\n{instruction}\n\n### 入力:\n{input}", "### 指示:\n{instruction} {{JSON}}")
    BuildOptions(out=tmp_path / "o", user_template=template.with_input,
                 user_template_no_input=template.no_input).check()
    assert template.render(make_record(1, instruction="訳して", input="hello")) == \
        "### 指示:\n訳して\n\n### 入力:\nhello"
    assert template.render(make_record(1, instruction="訳して")) == "### 指示:\n訳して {JSON}"


def test_the_default_templates_pass_their_own_check(tmp_path: Path) -> None:
    BuildOptions(out=tmp_path / "o", user_template=UserTemplate().with_input,
                 user_template_no_input=UserTemplate().no_input).check()


@pytest.mark.parametrize(("template", "problem"), [
    ("{instruction}\n{inptu}", "unknown placeholder {inptu}"),
    ("{instruction}\n{}", "unknown placeholder {}"),
    ("{0}\n{input}", "unknown placeholder {0}"),
    ("{instruction.upper}\n{input}", "unknown placeholder {instruction.upper}"),
    ("{instruction}\n{input!r}", "takes no conversion or format spec"),
    ("{instruction:>20}\n{input}", "takes no conversion or format spec"),
    ("{instruction}\n{input", "is not a valid template"),
    ("{instruction} } {input}", "is not a valid template"),
    ("{instruction}", "must contain {input}"),
    ("{input}", "must contain {instruction}"),
])
def test_bad_templates_are_refused_naming_the_option(template: str, problem: str, tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="^user_template: ") as err:
        BuildOptions(out=tmp_path / "o", user_template=template).check()
    assert problem in str(err.value)
    assert "\n" not in str(err.value).replace(repr(template), "")  # one line, the template shown escaped


def test_the_no_input_template_needs_instruction_and_refuses_input(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="^user_template_no_input: must contain {instruction}"):
        BuildOptions(out=tmp_path / "o", user_template_no_input="答えて").check()
    with pytest.raises(OptionError, match="cannot contain {input}"):
        BuildOptions(out=tmp_path / "o", user_template_no_input="{instruction}\n{input}").check()


def test_command_line_escapes_are_decoded() -> None:
    assert decode_cli_template(r"{instruction}\n\n{input}") == "{instruction}\n\n{input}"
    assert decode_cli_template(r"a\tb\\n\x") == "a\tb\\n\\x"
    assert decode_cli_template("trailing\\") == "trailing\\"


# -- system prompts -------------------------------------------------------------------------------

def test_system_prompts_follow_the_style_only_when_asked() -> None:
    assert formats.system_prompt(styled(1, "keitai"), "style") == KEITAI_TEXT
    assert formats.system_prompt(styled(1, "jotai"), "style") == JOTAI_TEXT
    assert formats.system_prompt(styled(1, "mixed"), "style") is None
    assert formats.system_prompt(styled(1, "none"), "style") is None
    assert formats.system_prompt(styled(1, "keitai"), "off") is None
    assert "です・ます" in KEITAI_TEXT and "だ・である" in JOTAI_TEXT


def test_style_system_prompts_need_the_style_column() -> None:
    with pytest.raises(InputError, match="record 7: system prompts by style need the style column"):
        formats.system_prompt(make_record(7), "style")
    formats.system_prompt(make_record(7), "off")  # no style needed when off


def test_system_prompt_mode_is_checked() -> None:
    BuildOptions(system_prompts="style").check()
    with pytest.raises(OptionError, match="^system_prompts: 'styles' is not one of off, style"):
        BuildOptions(system_prompts="styles").check()  # type: ignore[arg-type]
    with pytest.raises(OptionError, match="^system_prompts: style needs the style column"):
        BuildOptions(system_prompts="style", tag_style=False).check()


def test_system_prompt_counts_per_style_in_style_order() -> None:
    records = [styled(1, "none"), styled(2, "jotai"), styled(3, "keitai"), styled(4, "keitai"), styled(5, "mixed")]
    assert formats.system_prompt_counts(records, "style") == [
        formats.SystemPromptCount("keitai", KEITAI_TEXT, 2),
        formats.SystemPromptCount("jotai", JOTAI_TEXT, 1),
        formats.SystemPromptCount("mixed", None, 1),
        formats.SystemPromptCount("none", None, 1),
    ]
    assert [c.text for c in formats.system_prompt_counts(records, "off")] == [None] * 4
    assert formats.system_prompt_counts([make_record(1)], "off") == [formats.SystemPromptCount("", None, 1)]


# -- rows -------------------------------------------------------------------------------------

def test_messages_row() -> None:
    record = styled(3, "keitai", instruction="東京の人口は？", input="2020年の統計", output="約1400万人です。")
    assert formats.to_messages(record, system_prompts="style") == {
        "messages": [
            {"role": "system", "content": KEITAI_TEXT},
            {"role": "user", "content": "東京の人口は？\n\n2020年の統計"},
            {"role": "assistant", "content": "約1400万人です。"},
        ],
        "category": record["category"], "index": "3", "style": "keitai",
    }
    row = formats.to_messages(record)
    assert [m["role"] for m in row["messages"]] == ["user", "assistant"]
    assert list(row) == ["messages", "category", "index", "style"]


def test_prompt_completion_row() -> None:
    record = styled(4, "jotai", output="富士山である。")
    row = formats.to_prompt_completion(record, system_prompts="style")
    assert row["prompt"] == [{"role": "system", "content": JOTAI_TEXT},
                             {"role": "user", "content": record["instruction"]}]
    assert row["completion"] == [{"role": "assistant", "content": "富士山である。"}]
    assert list(row) == ["prompt", "completion", "category", "index", "style"]


def test_rows_without_style_have_no_style_column() -> None:
    assert list(formats.to_messages(make_record(1))) == ["messages", "category", "index"]
    assert list(formats.to_prompt_completion(make_record(1))) == ["prompt", "completion", "category", "index"]


# -- bytes ------------------------------------------------------------------------------------

def test_encoded_lines_are_compact_utf8_and_deterministic() -> None:
    records = [styled(i, ["keitai", "jotai", "mixed", "none"][i % 4], input="入力" if i % 2 else "")
               for i in range(12)]
    files = formats.encode_part("1_of_1", records, system_prompts="style")
    again = formats.encode_part("1_of_1", [dict(r) for r in records], system_prompts="style")
    assert files == again
    assert [config.format for config, _ in files] == ["messages", "prompt_completion"]
    for (_, data), convert in zip(files, [formats.to_messages, formats.to_prompt_completion], strict=True):
        lines = bytes(data).split(b"\n")
        assert lines[-1] == b"" and len(lines) == len(records) + 1
        assert [orjson.loads(line) for line in lines[:-1]] == [convert(r, system_prompts="style") for r in records]
        assert "質問".encode() in data and b"\\u" not in data and b": " not in data


def test_encode_part_names_one_file_per_format() -> None:
    files = formats.encode_part("2_of_4", [make_record(1), make_record(2)])
    assert [c.file for c, _ in files] == ["data/2_of_4-messages.jsonl", "data/2_of_4-prompt_completion.jsonl"]
    assert [c.name for c, _ in files] == ["2_of_4-messages", "2_of_4-prompt_completion"]
    for config, data in files:
        rows = [orjson.loads(line) for line in data.splitlines()]
        assert config.records == len(rows) == 2 and config.part == "2_of_4"
        assert config.num_bytes == pyarrow.Table.from_pylist(rows).nbytes


def test_arrow_sizes_of_the_training_configs_match_pyarrow() -> None:
    pyarrow = pytest.importorskip("pyarrow")
    records = [styled(i, "keitai", instruction=f"問{i}" * i, input="入力" * (i % 3), output="答えです。" * (i + 1))
               for i in range(9)]
    for mode in SYSTEM_PROMPT_MODES:
        for config, data in formats.encode_part("1_of_1", records, UserTemplate(), mode):  # type: ignore[arg-type]
            rows = [orjson.loads(line) for line in data.splitlines()]
            assert config.num_bytes == pyarrow.Table.from_pylist(rows).nbytes, (config.format, mode)


def test_features_are_what_datasets_reads(tmp_path) -> None:
    datasets = pytest.importorskip("datasets")
    records = [styled(i, "keitai" if i % 2 else "mixed") for i in range(6)]
    for config, data in formats.encode_part("1_of_1", records, system_prompts="style"):
        fmt = config.format
        path = tmp_path / f"{fmt}.jsonl"
        path.write_bytes(data)
        loaded = datasets.load_dataset("json", data_files=str(path), split="train",
                                       cache_dir=str(tmp_path / "cache"))
        assert loaded.features == datasets.Features._from_yaml_list(formats.features(fmt, with_style=True))
        assert "style" not in datasets.Features._from_yaml_list(formats.features(fmt, with_style=False))


# -- names ------------------------------------------------------------------------------------

def test_config_and_file_names() -> None:
    assert layout.format_config_name("2_of_4", "messages") == "2_of_4-messages"
    assert layout.format_config_name("all", "prompt_completion") == "all-prompt_completion"
    assert layout.format_file("2_of_4", "prompt_completion") == "data/2_of_4-prompt_completion.jsonl"
    names = [layout.format_config_name(p, f) for p in layout.part_names(4) for f in layout.TRAINING_FORMATS]
    # part and format names use "_" inside, so the first "-" splits them
    assert [n.partition("-")[::2] for n in names[:3]] == [("1_of_4", "messages"), ("1_of_4", "prompt_completion"),
                                                          ("2_of_4", "messages")]
    assert all("-" not in name for name in (*layout.part_names(4), *layout.TRAINING_FORMATS))
    # each part's raw config and its training configs sort together, the raw one first
    every = layout.part_names(4) + names
    assert sorted(every)[:3] == ["1_of_4", "1_of_4-messages", "1_of_4-prompt_completion"]
    assert sorted(every) == [n for p in layout.part_names(4) for n in (p, *(x for x in names if x.startswith(p)))]


# -- the manifest entry -------------------------------------------------------------------------

def _manifest_with_training(tmp_path, mode: formats.SystemPrompts) -> manifest.Manifest:
    """A small but complete manifest of two parts plus their training files."""
    parts = {"1_of_2": [styled(1, "keitai", input="入力"), styled(2, "jotai"), styled(3, "mixed")],
             "2_of_2": [styled(4, "keitai"), styled(5, "none")]}
    files = []
    part_entries = []
    trained = []
    for name, records in parts.items():
        raw = write_jsonl(tmp_path / f"{name}.jsonl", records).read_bytes()
        files.append(manifest.entry_for(layout.part_file(name), raw))
        part_entries.append(manifest.Part(name=name, file=layout.part_file(name), records=len(records),
                                          num_bytes=0, categories={"open_qa": len(records)}))
        encoded = formats.encode_part(name, records)
        files += [manifest.entry_for(config.file, data) for config, data in encoded]
        trained.append(formats.part_training(name, records, [config for config, _ in encoded], mode))
    source = manifest.SourceFile(name="src.jsonl", kind="local", sha256=hashlib.sha256(b"").hexdigest(), records=5)
    return manifest.Manifest(
        generator="test", features=["instruction", "input", "output", "category", "index", "style"],
        source=source, options=manifest.Options(parts=2, strategy="contiguous", seed=1), records=5,
        parts=part_entries, files=files,
        training=formats.training_summary(trained, UserTemplate(), mode))


def test_training_summary_counts_and_round_trips(tmp_path) -> None:
    m = _manifest_with_training(tmp_path, "style")
    t = m.training
    assert t is not None
    assert [c.name for c in t.configs] == ["1_of_2-messages", "1_of_2-prompt_completion",
                                           "2_of_2-messages", "2_of_2-prompt_completion"]
    assert t.user_template == "{instruction}\n\n{input}" and t.with_input == {"1_of_2": 1, "2_of_2": 0}
    assert [(p.style, p.text, p.records, p.parts) for p in t.prompts] == [
        ("keitai", KEITAI_TEXT, 2, {"1_of_2": 1, "2_of_2": 1}),
        ("jotai", JOTAI_TEXT, 1, {"1_of_2": 1}),
        ("mixed", None, 1, {"1_of_2": 1}),
        ("none", None, 1, {"2_of_2": 1}),
    ]
    assert manifest.from_bytes(manifest.to_bytes(m)) == m

    one = manifest.per_part(m, "2_of_2")
    assert one.training is not None
    assert [c.name for c in one.training.configs] == ["2_of_2-messages", "2_of_2-prompt_completion"]
    assert [(p.style, p.records) for p in one.training.prompts] == [("keitai", 1), ("none", 1)]
    assert manifest.from_bytes(manifest.to_bytes(one)) == one


def test_a_manifest_whose_training_entry_does_not_add_up_is_refused(tmp_path) -> None:
    m = _manifest_with_training(tmp_path, "off")
    assert m.training is not None
    wrong_count = msgspec.structs.replace(
        m, training=msgspec.structs.replace(m.training, prompts=m.training.prompts[1:]))
    with pytest.raises(manifest.ManifestError, match="system-message counts add up to"):
        manifest.from_bytes(manifest.to_bytes(wrong_count))
    missing_file = msgspec.structs.replace(m, files=[f for f in m.files if "messages" not in f.path])
    with pytest.raises(manifest.ManifestError, match="training config '1_of_2-messages'"):
        manifest.from_bytes(manifest.to_bytes(missing_file))


def test_the_readme_shows_the_defaults_and_the_system_messages() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`{instruction}\\n\\n{input}`" in readme
    assert f"| `keitai` (です・ます) | {KEITAI_TEXT} |" in readme
    assert f"| `jotai` (だ・である) | {JOTAI_TEXT} |" in readme
    assert "| `mixed`, `none` | none |" in readme and set(formats.STYLE_SYSTEM_PROMPTS) == {"keitai", "jotai"}
    for name in ("2_of_4-messages", "2_of_4-prompt_completion"):
        assert f"`{layout.format_file('2_of_4', name.split('-')[1])}`" in readme


# -- each format's description (the card's training table prints it) holds -------------------------------

def _described(description: str) -> dict[str, list[str]]:
    """``"`prompt`: system (if any), user; `completion`: assistant"`` → column → turns, in order."""
    columns = {}
    for part in description.split("; "):
        name, turns = part.split(": ")
        columns[name.strip("`")] = turns.split(", ")
    return columns


@pytest.mark.parametrize("fmt", layout.TRAINING_FORMATS)
def test_each_formats_description_says_what_its_rows_hold(fmt: str) -> None:
    training_format = formats.CONVERSATION_FORMATS[fmt]
    described = _described(training_format.description)
    assert list(described) == list(training_format.columns)
    records = [styled(1, "keitai", input="入力"), styled(2, "mixed")]  # with and without a system message
    for mode in SYSTEM_PROMPT_MODES:
        for config, data in formats.encode_part("1_of_1", records, system_prompts=mode):  # type: ignore[arg-type]
            if config.format != fmt:
                continue
            for row in map(orjson.loads, data.splitlines()):
                assert list(row) == [*described, "category", "index", "style"]
                has_system = row[next(iter(described))][0]["role"] == "system"
                for column, turns in described.items():
                    expected = [t.removesuffix(" (if any)") for t in turns
                                if t != "system (if any)" or has_system]
                    assert [m["role"] for m in row[column]] == expected, (fmt, column)
    assert formats.features(fmt, with_style=False)[:len(described)] == [
        {"name": c, "list": [{"name": "role", "dtype": "string"}, {"name": "content", "dtype": "string"}]}
        for c in described]
