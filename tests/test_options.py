"""The options: one declaration each, and the parser, checks, manifest fields and card lines derived from it."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, fields
from pathlib import Path

import pytest

from dolly_ja_16k import cli, manifest, split
from dolly_ja_16k.errors import DollyError, InputError, Opt, OptionError
from dolly_ja_16k.options import (
    STRATEGIES,
    BuildOptions,
    PublishOptions,
    card_lines,
    check_distinct,
    check_options,
    check_out_dir,
    check_target_size,
    declared,
    option,
    recorded_fields,
)
from dolly_ja_16k.write import formats
from tests.conftest import DEMO_SOURCE, make_record, make_records, run_cli, write_jsonl

FLAG = re.compile(r"--[a-z]")


# -- one declaration, everything derived ----------------------------------------------------------

@pytest.mark.parametrize(("command", "cls"), [("build", BuildOptions), ("publish", PublishOptions)])
def test_every_declared_option_is_on_the_command_line_with_its_help(command: str, cls: type) -> None:
    parser = cli.make_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]  # type: ignore[union-attr]
    actions = {a.dest: a for a in sub._actions if a.dest != "help"}
    assert list(actions) == [f.name for f, _ in declared(cls)]  # nothing else, in the order declared
    for f, d in declared(cls):
        assert actions[f.name].help == d.help and cli.flag(f.name) in actions[f.name].option_strings
    text = run_cli(command, "--help").stdout
    assert all(cli.flag(f.name) in text for f, _ in declared(cls))


def test_the_command_line_defaults_are_the_declared_defaults(tmp_path: Path) -> None:
    args = cli.make_parser().parse_args(["build"])
    assert cli.options_from(BuildOptions, args) == BuildOptions()
    args = cli.make_parser().parse_args(["publish", "--repo-id", "a/b"])
    assert cli.options_from(PublishOptions, args) == PublishOptions(repo_id="a/b")


def test_flags_turn_into_the_option_values(tmp_path: Path) -> None:
    args = cli.make_parser().parse_args([
        "build", "--out", "o", "--parts", "3", "--supplement", "a.jsonl", "--supplement", "b.jsonl", "--keep-all",
        "--no-style", "--drop", "duplicate, non_japanese", "--user-template", r"Q:\n{instruction}\n{input}"])
    options = cli.options_from(BuildOptions, args)
    assert options.out == Path("o") and options.parts == 3 and options.supplements == ["a.jsonl", "b.jsonl"]
    assert options.keep_all and not options.tag_style and options.drop == {"duplicate", "non_japanese"}
    assert options.user_template == "Q:\n{instruction}\n{input}"


def test_a_new_option_is_one_declaration() -> None:
    """The parser, the checks and the flags of errors work from the declarations of any options class."""
    def check_even(name: str, value: int, options: object) -> None:
        if value % 2:
            raise OptionError(name, f"must be even, got {value}; or use ", Opt("loud", True))

    @dataclass
    class More:
        count: int = option(2, parse=int, metavar="N", help="how many", check=check_even)
        loud: bool = option(False, help="say it loudly")

    parser = cli._Parser(prog="t")
    cli.add_options(parser, More)
    assert cli.options_from(More, parser.parse_args(["--count", "4", "--loud"])) == More(count=4, loud=True)
    with pytest.raises(OptionError) as caught:
        check_options(More(count=3))
    assert str(caught.value) == "count: must be even, got 3; or use loud=True"


def test_the_manifest_records_the_options_declared_with_a_record() -> None:
    recorded = [f[0] for f in recorded_fields()]
    assert recorded == [f.name for f, d in declared(BuildOptions) if d.record is not None]
    assert list(manifest.Options.__struct_fields__) == recorded
    # parts, strategy and seed must be in every manifest; the others have their defaults
    with pytest.raises(TypeError, match="parts"):
        manifest.Options(strategy="contiguous", seed=1)
    assert manifest.Options(parts=1, strategy="contiguous", seed=1).tag_style is True


def test_the_card_lines_follow_the_declarations(tmp_path: Path) -> None:
    from dolly_ja_16k.build import build

    built = build(BuildOptions(source=str(DEMO_SOURCE), out=tmp_path / "o", style="keitai", seed=5))
    from dolly_ja_16k.write.card import card_facts

    lines = card_lines(card_facts(built))
    assert [line.split(" ", 1)[0] for line in lines] == ["4", "split:", "review:", "style", "style"]
    assert "seed `5`" in lines[1] and lines[3].startswith("style filter:") and lines[4].startswith("style tagging:")
    card = (tmp_path / "o" / "README.md").read_text(encoding="utf-8")
    assert all(line[:1].upper() + line[1:] in card for line in lines)


# -- checks: in options.py, naming options; the command line names flags ---------------------------

def test_parts_and_strategy_are_checked_with_the_options(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="^parts: must be at least 1, got 0$"):
        BuildOptions(out=tmp_path / "o", parts=0).check()
    with pytest.raises(OptionError, match="^strategy: 'alphabetical' is not one of stratified, contiguous, shuffle$"):
        BuildOptions(out=tmp_path / "o", strategy="alphabetical").check()  # type: ignore[arg-type]
    assert set(STRATEGIES) == set(split.SPLIT_STRATEGIES)  # every choice is a strategy the split has


@pytest.mark.parametrize(("options", "library", "flags"), [
    (BuildOptions(style="keitai", keep_all=True), "style: needs style tagging; it cannot be combined with "
     "keep_all=True or tag_style=False", "--style: needs style tagging; it cannot be combined with --keep-all or "
     "--no-style"),
    (BuildOptions(system_prompts="style", tag_style=False), "system_prompts: style needs the style column; it cannot "
     "be combined with keep_all=True or tag_style=False", "--system-prompts: style needs the style column; it "
     "cannot be combined with --keep-all or --no-style"),
    (PublishOptions(repo_id="a/b", tag="v1", create_pr=True), "tag: tags a published commit; a pull request is not "
     "published yet, so it cannot be combined with create_pr=True", "--tag: tags a published commit; a pull request "
     "is not published yet, so it cannot be combined with --create-pr"),
    (PublishOptions(repo_id="a/b", create_pr=True, revision="dev"), "create_pr: opens a pull request against main; "
     "it cannot be combined with another revision", "--create-pr: opens a pull request against main; it cannot be "
     "combined with another --revision"),
])
def test_library_errors_name_options_and_the_cli_shows_flags(options: object, library: str, flags: str) -> None:
    with pytest.raises(OptionError) as caught:
        options.check()  # type: ignore[attr-defined]
    assert str(caught.value) == library and not FLAG.search(library)
    assert caught.value.render(cli.shown) == flags


@pytest.mark.parametrize(("args", "message"), [
    (["--style", "keitai", "--keep-all"],
     "error: --style: needs style tagging; it cannot be combined with --keep-all or --no-style"),
    (["--style", "jotai", "--no-style"],
     "error: --style: needs style tagging; it cannot be combined with --keep-all or --no-style"),
    (["--system-prompts", "style", "--keep-all"],
     "error: --system-prompts: style needs the style column; it cannot be combined with --keep-all or --no-style"),
])
def test_combined_build_options_name_flags_on_the_command_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = run_cli("build", "--source", DEMO_SOURCE, "--out", tmp_path / "o", *args)
    assert result.returncode == 2 and result.stderr.splitlines() == [message]
    assert not (tmp_path / "o").exists()


def test_tag_with_create_pr_names_the_flag_on_the_command_line(tmp_path: Path) -> None:
    result = run_cli("publish", "--repo-id", "alice/x", "--dir", tmp_path, "--tag", "v1", "--create-pr",
                     env={"HF_HUB_OFFLINE": "1"})
    assert result.returncode == 2
    assert result.stderr.splitlines() == ["error: --tag: tags a published commit; a pull request is not published "
                                          "yet, so it cannot be combined with --create-pr"]


def test_an_option_named_with_a_value_or_a_metavar(tmp_path: Path) -> None:
    with pytest.raises(OptionError) as caught:
        check_target_size(16, 10)
    assert str(caught.value) == ("target_size=16 needs 6 more records than the 10 available; add them with "
                                 "supplements")
    assert caught.value.render(cli.shown) == ("--target-size 16 needs 6 more records than the 10 available; add them "
                                              "with --supplement FILE")
    check_target_size(10, 10)


def test_out_folder_checks(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        check_out_dir(tmp_path / "file")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="holds no manifest.json; refusing"):
        check_out_dir(foreign)
    with pytest.raises(OptionError) as caught:
        check_out_dir(tmp_path / "x", [tmp_path / "x" / "src.json"])
    assert caught.value.option == "out"
    assert str(caught.value) == f"{tmp_path / 'x'}: out would replace an input file; choose another folder"
    check_out_dir(tmp_path / "new")  # a new folder is fine


def test_an_input_given_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_jsonl(tmp_path / "src.jsonl", make_records(2))
    mine = write_jsonl(tmp_path / "mine.jsonl", make_records(2))
    other = write_jsonl(tmp_path / "other.jsonl", make_records(2))
    monkeypatch.chdir(tmp_path)
    check_distinct(str(src), [str(mine), str(other), "hf://datasets/a/b/c.json"])
    with pytest.raises(OptionError, match=r"^\./mine\.jsonl is given twice as supplements$"):
        check_distinct(str(src), [str(mine), str(other), "./mine.jsonl"])
    with pytest.raises(OptionError, match=r"^src\.jsonl is given as both source and supplements$"):
        check_distinct(str(src), ["src.jsonl"])
    with pytest.raises(OptionError, match="given twice"):
        check_distinct(str(src), ["hf://datasets/a/b/c.json", "hf://datasets/a/b/c.json"])
    with pytest.raises(OptionError, match="given twice"):  # checked with the other options
        BuildOptions(source=str(src), out=tmp_path / "o", supplements=[str(mine), str(mine)]).check()


def test_the_training_formats_name_the_option_not_a_flag() -> None:
    with pytest.raises(OptionError) as caught:
        formats.system_prompt(make_record(7), "style")
    assert str(caught.value) == ("record 7: system prompts by style need the style column, which keep_all=True and "
                                 "tag_style=False leave out")
    assert caught.value.render(cli.shown).endswith("which --keep-all and --no-style leave out")


def test_every_flag_a_message_can_name_exists() -> None:
    flags = {s for a in cli.make_parser()._subparsers._group_actions[0].choices.values()  # type: ignore[union-attr]
             for action in a._actions for s in action.option_strings}
    for cls in (BuildOptions, PublishOptions):
        for f in fields(cls):
            assert cli.flag(f.name) in flags, f.name
    assert cli.shown(Opt("tag_style", False)) == "--no-style" and cli.shown(Opt("tag_style", True)) == \
        "without --no-style"
    assert cli.shown(Opt("folder")) == "--dir" and cli.shown(Opt("seed", 5)) == "--seed 5"


def test_a_missing_tagger_names_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    from dolly_ja_16k.review import morphemes

    monkeypatch.setitem(sys.modules, "fugashi", None)  # import fugashi fails
    morphemes.tagger.cache_clear()
    try:
        with pytest.raises(DollyError) as caught:
            morphemes.tagger()
    finally:
        morphemes.tagger.cache_clear()
    assert str(caught.value).endswith("; or build with tag_style=False")
    assert caught.value.render(cli.shown).endswith("; or build with --no-style")


@pytest.mark.parametrize("repo_id", ["a--b/c", "a/b..c", "a/" + "n" * 97, "a b/c", "a/c.git"])
def test_repo_ids_the_hub_would_refuse_are_refused_before_anything_is_read(tmp_path: Path, repo_id: str) -> None:
    result = run_cli("build", "--source", tmp_path / "missing.jsonl", "--out", tmp_path / "o", "--repo-id", repo_id)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: --repo-id: {repo_id!r} is not a Hub repo id (OWNER/NAME"), result.stderr
    assert result.stderr.count("\n") == 1 and not (tmp_path / "o").exists()
