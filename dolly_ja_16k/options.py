"""The options of a build and of a publish: each declared once, everything else derived from it.

An option is one field of ``BuildOptions`` or ``PublishOptions``, declared with ``option()``:
its type and default (the field's), its help, flag and metavar, how command-line text
becomes its value, its check, how the manifest records it and the card's line about it.
From those declarations come the command line's parser (``cli.py``), ``check()``, the
manifest's recorded options (``manifest.Options``) and the card's option lines, so a new
option is one declaration here plus the code that uses it.

Every check of an option lives here: alone, with the other options, against the file
system (``out``, ``supplements``) and against the number of records (``target_size``). A
failed check raises ``OptionError`` naming the option (``target_size: …``); an option named
inside its message is an ``Opt``, which the command line shows as its flag
(``--target-size``). Library code never writes a flag.

This module imports no stage that imports it: the review's rules (``review/rules.py``)
read no files and write no manifest, so ``drop`` is checked against them without a loop.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, Field, dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any, Literal, get_args

from dolly_ja_16k.errors import Opt, OptionError
from dolly_ja_16k.hub.addresses import REPO_ID_RULES, is_repo_id
from dolly_ja_16k.layout import DEFAULT_BRANCH, DEFAULT_OUT, DEFAULT_SOURCE, MANIFEST_FILE
from dolly_ja_16k.review.rules import FINDERS, FIXES, default_drop, drop_help
from dolly_ja_16k.review.summary import Review
from dolly_ja_16k.split import SPLIT_STRATEGIES

__all__ = ["BuildOptions", "Opt", "Option", "OptionError", "PublishOptions", "Recorded", "RestyleOptions", "option"]

Strategy = Literal["stratified", "contiguous", "shuffle"]
Style = Literal["keitai", "jotai"]
Layout = Literal["single", "per-part"]
SystemPrompts = Literal["off", "style", "style-control"]
#: What the plain copula becomes when answers are restyled to plain: である or だ (as typed: ASCII).
Copula = Literal["dearu", "da"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)
#: The styles ``style`` may keep (the tagger's other labels, mixed and none, cannot be built alone).
STYLE_FILTERS: tuple[str, ...] = get_args(Style)
LAYOUTS: tuple[str, ...] = get_args(Layout)
SYSTEM_PROMPT_MODES: tuple[str, ...] = get_args(SystemPrompts)
COPULA_CHOICES: tuple[str, ...] = get_args(Copula)
#: The plain copula of each ``Copula`` choice, in Japanese.
COPULA_WORDS = {"dearu": "である", "da": "だ"}
DEFAULT_TIMEOUT = 60.0
#: The user turn of a training record with input: the instruction, a blank line, the input.
DEFAULT_USER_TEMPLATE = "{instruction}\n\n{input}"
#: The user turn of a record without input (empty or whitespace only): the instruction alone.
DEFAULT_USER_TEMPLATE_NO_INPUT = "{instruction}"
_PLACEHOLDERS = ("instruction", "input")
#: One component of a git ref name (``git check-ref-format``): a tag, or one level of a branch.
REF_COMPONENT = re.compile(r"^(?!\.)(?!.*\.\.)(?!.*@\{)(?!.*\.lock$)(?!.*\.$)[^\x00-\x20\x7f~^:?*\[\\/]+$")
BRANCH_PREFIX = "refs/heads/"
#: The ``--help`` section of the options that shape the training configs.
TRAINING = "training configs (messages, prompt/completion)"
#: What a style filter keeps, in words.
STYLE_WORDS = {
    "keitai": "the polite です・ます style (`keitai`)",
    "jotai": "the plain だ・である style (`jotai`)",
}
#: The settings that leave the style column out, which ``style`` and ``system_prompts`` need.
_NO_STYLE_COLUMN = ("it cannot be combined with ", Opt("keep_all", True), " or ", Opt("tag_style", False))

#: ``check(name, value, options)``: raises ``OptionError`` if the value is impossible.
Check = Callable[[str, Any, Any], None]


# -- the declaration ------------------------------------------------------------------------------

#: ``Recorded.default`` of a field every manifest must hold.
REQUIRED: Any = object()


@dataclass(frozen=True)
class Recorded:
    """How the manifest records an option (a field of ``manifest.Options``)."""

    #: The manifest field's type (a plain ``str`` for a choice, so older readers stay open).
    type: Any
    #: Its default when reading a manifest.
    default: Any = REQUIRED
    #: What the build did, when that can differ from what was asked: ``(value, review) -> recorded``.
    value: Callable[[Any, Review], Any] | None = None


@dataclass(frozen=True)
class CardFacts:
    """What the card's option lines read of a build (``write/card.py`` takes it from the manifest)."""

    #: The recorded options (``manifest.Options``).
    options: Any
    part_sizes: list[int]
    #: ``target_size``: the size asked for and how many records beyond it were left out.
    target: tuple[int, int] | None
    review: Review | None
    features: list[str]


@dataclass(frozen=True)
class CommandFacts:
    """What the build's command line in the card is made of (``write/card.py`` takes it from the
    manifest): the recorded options, and the inputs by the names the manifest gives them."""

    options: Any
    #: The source's base name, or its ``hf://`` address.
    source: str
    supplements: list[str]
    #: The previous release's name (a folder's base name, or ``hf://datasets/OWNER/NAME@COMMIT``).
    previous: str | None
    #: ``user_template``, ``user_template_no_input`` and ``system_prompts`` as the training configs used them.
    training: dict[str, str]
    #: Records held out as the validation split (the manifest's ``validation`` entry; 0: none).
    validation_size: int = 0


@dataclass(frozen=True)
class Option:
    """Everything about one option besides its name, type and default (the field's own)."""

    help: str
    #: The command-line flag; empty: ``--`` and the name with dashes. A True/False option's
    #: flag sets the value that is not the default.
    flag: str = ""
    metavar: str | None = None
    #: The values allowed; ``check()`` refuses others, ``--help`` lists them.
    choices: tuple[str, ...] = ()
    #: Command-line text to value; raises ``ValueError`` saying why the text is no value.
    parse: Callable[[str], Any] | None = None
    check: Check | None = None
    #: The check looks at the file system: it runs after the checks of every value.
    files: bool = False
    #: The ``--help`` section, when not the command's own.
    group: str | None = None
    record: Recorded | None = None
    #: The card's line about the option (a function of what the build recorded), if it has one.
    card: Callable[[CardFacts], str | None] | None = None
    #: The option's words in the build's command line that the card shows; None: from the
    #: recorded value (nothing when it is the default). Every build option has one or the other.
    command: Callable[[CommandFacts], list[str]] | None = None


def option(default: Any = MISSING, *, factory: Callable[[], Any] | None = None, **declaration: Any) -> Any:
    """A field of an options class with its ``Option``: ``parts: int = option(4, help=…)``."""
    metadata = {"option": Option(**declaration)}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def declared(cls: type) -> Iterator[tuple[Field[Any], Option]]:
    """Each option of an options class with its declaration, in the order declared."""
    for f in fields(cls):
        if "option" in f.metadata:
            yield f, f.metadata["option"]


def flag_of(f: Field[Any], d: Option) -> str:
    """The command-line flag of a declared option (``target_size`` → ``--target-size``)."""
    return d.flag or "--" + f.name.replace("_", "-")


def default_of(f: Field[Any]) -> Any:
    """A field's default value (a new one for a ``factory``); ``MISSING`` when it has none."""
    return f.default_factory() if f.default_factory is not MISSING else f.default


def check_options(options: object) -> None:
    """Run every declared check, in the order declared: the values first, then those that look
    at the file system (a mistyped value is reported before any folder is looked at)."""
    for f, d in sorted(declared(type(options)), key=lambda declaration: declaration[1].files):
        value = getattr(options, f.name)
        if d.choices and value is not None and value not in d.choices:
            raise OptionError(f.name, f"{value!r} is not one of {', '.join(d.choices)}")
        if d.check is not None:
            d.check(f.name, value, options)


# -- command-line text to values -----------------------------------------------------------------

def whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"expected a whole number, got {text!r}") from None


def positive(text: str) -> int:
    """A whole number of at least 1."""
    value = whole(text)
    if value < 1:
        raise ValueError(f"must be at least 1, got {value}")
    return value


def at_least_zero(text: str) -> int:
    """A whole number of at least 0."""
    value = whole(text)
    if value < 0:
        raise ValueError(f"must be at least 0, got {value}")
    return value


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"expected a number of seconds, got {text!r}") from None
    if not value > 0:
        raise ValueError(f"must be positive, got {text}")
    return value


def parse_drop(text: str) -> frozenset[str]:
    """The checks whose records are dropped, from ``--drop``'s value.

    ``RULE[,RULE…]`` replaces the defaults ("" drops none); ``+RULE`` adds a check to the
    defaults and ``-RULE`` takes one out (``+truncated,-duplicate``), so nobody has to
    re-list the defaults to change one of them. The two forms cannot be mixed.
    """
    items = [n.strip() for n in text.split(",") if n.strip()]
    changes = [n for n in items if n[0] in "+-"]
    if changes and len(changes) != len(items):
        raise OptionError("drop", f"{text!r} mixes RULE with +RULE/-RULE; either list the checks to drop "
                                  "or change the defaults with +RULE and -RULE")
    if not changes:
        names = frozenset(items)
        _check_drop("drop", names, None)
        return names
    _check_drop("drop", [n[1:].strip() for n in changes], None)
    chosen = set(default_drop())
    for change in changes:
        (chosen.add if change[0] == "+" else chosen.discard)(change[1:].strip())
    return frozenset(chosen)


def decode_cli_template(text: str) -> str:
    r"""A template as typed on the command line: ``\n`` is a line break, ``\t`` a tab, ``\\`` a backslash.

    Shells pass ``'{instruction}\n\n{input}'`` with a literal backslash and ``n``; every other
    backslash is kept as typed.
    """
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "nt\\":
            out.append({"n": "\n", "t": "\t", "\\": "\\"}[text[i + 1]])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


# -- checks -----------------------------------------------------------------------------------------

def _at_least_one(name: str, value: int | None, options: object) -> None:
    if value is not None and value < 1:
        raise OptionError(name, f"must be at least 1, got {value}")


def _at_least_zero(name: str, value: int, options: object) -> None:
    if value < 0:
        raise OptionError(name, f"must be at least 0, got {value}")


def _check_seed(name: str, seed: int, options: object) -> None:
    if not -(2**63) <= seed < 2**63:
        raise OptionError(name, f"must fit in 64 bits (from -2**63 to 2**63-1), got {seed}")


def _check_target_size(name: str, target: int | None, options: BuildOptions) -> None:
    _at_least_one(name, target, options)
    if target is not None and target < options.parts:
        raise OptionError(name, f"{target} is smaller than the {options.parts} parts")


def check_target_size(target: int, available: int) -> None:
    """``target_size`` against the records the review kept: too few says how many are missing."""
    if available < target:
        raise OptionError("target_size", Opt("target_size", target),
                          f" needs {target - available:,} more records than the {available:,} available; "
                          "add them with ", Opt("supplements", metavar=True), lead=False)


def _check_validation_size(name: str, size: int, options: BuildOptions) -> None:
    """At least 0; with ``target_size`` (which counts the held-out records) the parts still get one each."""
    if size < 0:
        raise OptionError(name, f"must be at least 0, got {size}")
    target = options.target_size
    if size and target is not None and target - size < options.parts:
        raise OptionError(name, Opt("validation_size", size), f" leaves {max(target - size, 0):,} of the ",
                          Opt("target_size", target), f" records for {options.parts} parts (each needs at least "
                          "one); the target size counts the held-out records", lead=False)


def check_validation_size(size: int, available: int, parts: int) -> None:
    """``validation_size`` against the records the review kept (and the target size left)."""
    if size > available:
        raise OptionError("validation_size", Opt("validation_size", size),
                          f" is more than the {available:,} records available", lead=False)
    if available - size < parts:
        raise OptionError("validation_size", Opt("validation_size", size),
                          f" leaves {available - size:,} of the {available:,} records for {parts} parts "
                          "(each needs at least one)", lead=False)


def _check_repo_id(name: str, repo_id: str | None, options: object) -> None:
    if repo_id is not None and not is_repo_id(repo_id):
        raise OptionError(name, f"{repo_id!r} is not a Hub repo id ({REPO_ID_RULES})")


def _check_drop(name: str, names: Iterable[str] | None, options: object) -> None:
    """Every name is a review check that can drop records (fixes cannot)."""
    fixes = {f.name for f in FIXES}
    known = sorted(f.name for f in FINDERS)
    for rule in sorted(names or ()):
        if rule in fixes:
            raise OptionError(name, f"{rule} is a fix, not a check that can drop records; "
                                    f"choose from {', '.join(known)}")
        if rule not in known:
            raise OptionError(name, f"unknown rule {rule!r}; choose from {', '.join(known)}")


def _check_style(name: str, style: str | None, options: BuildOptions) -> None:
    if style is not None and (options.keep_all or not options.tag_style):
        raise OptionError(name, "needs style tagging; ", *_NO_STYLE_COLUMN)


def _check_system_prompts(name: str, mode: str, options: BuildOptions) -> None:
    if mode == "style" and (options.keep_all or not options.tag_style):
        raise OptionError(name, "style needs the style column; ", *_NO_STYLE_COLUMN)
    if mode == "style-control" and options.keep_all:
        raise OptionError(name, "style-control rewrites answers; ", Opt("keep_all", True), " changes none, so they "
                                "cannot be combined")
    if mode == "style-control" and options.restyle is not None:
        raise OptionError(name, "style-control asks for both registers; ", Opt("restyle"), " makes every answer one, "
                                "so they cannot be combined")


def _check_restyle(name: str, to: str | None, options: BuildOptions) -> None:
    if to is not None and options.keep_all:
        raise OptionError(name, "rewrites answers; ", Opt("keep_all", True), " changes none, so they cannot be "
                                "combined")
    if to is not None and options.style is not None and options.style != to:
        raise OptionError(name, f"{to} would rewrite every answer that ", Opt("style", options.style),
                          " keeps; choose one register")


def check_restyle_out(name: str, out: Path, options: RestyleOptions) -> None:
    """The restyled file goes to a file: not a folder, and not the file it is read from."""
    if out.is_dir():
        raise OptionError(name, Opt(name), " is a folder, expected a file", path=out, lead=False)
    if _same_file(options.source, str(out)):
        raise OptionError(name, Opt(name), " is the file being restyled; write to another file and "
                                           "replace it yourself", path=out, lead=False)


def check_template(name: str, template: str, options: object, *, no_input: bool = False) -> None:
    """Refuse a template that would lose or invent text.

    Only ``{instruction}`` and ``{input}`` are placeholders (``{{`` and ``}}`` are literal
    braces); the template for records with input must hold both, the one for records
    without input must hold ``{instruction}`` and not ``{input}`` (it would always be empty).
    """
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:  # a lone "{" or "}"
        raise OptionError(name, f"{template!r} is not a valid template ({err}); write {{{{ and }}}} "
                                "for literal braces") from None
    seen: set[str] = set()
    for _literal, placeholder, spec, conversion in parsed:
        if placeholder is None:
            continue
        if placeholder not in _PLACEHOLDERS:
            shown = "{" + placeholder + "}" if placeholder else "{}"
            raise OptionError(name, f"unknown placeholder {shown}; use {{instruction}} and {{input}} "
                                    "(write {{ and }} for literal braces)")
        if spec or conversion:
            raise OptionError(name, f"placeholder {{{placeholder}}} takes no conversion or format spec")
        seen.add(placeholder)
    for required in ("instruction",) if no_input else _PLACEHOLDERS:
        if required not in seen:
            raise OptionError(name, f"must contain {{{required}}}")
    if no_input and "input" in seen:
        raise OptionError(name, "is for records without input; it cannot contain {input}")


def _inputs(options: BuildOptions) -> list[Path]:
    return [Path(p) for p in [options.source, *options.supplements] if not p.startswith("hf://")]


def check_out_dir(out: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an ``out`` that is a file, a foreign non-empty folder, or holds an input.

    The build is swapped in by renaming, so ``out`` cannot be the current folder (or hold
    it) or a mount point: those are refused here, before anything is written.
    """
    def refuse(*problem: str | Opt) -> OptionError:
        return OptionError("out", *problem, path=out, lead=False)

    real = out.resolve()
    if real == Path.cwd().resolve() or real in Path.cwd().resolve().parents:
        raise refuse(Opt("out"), " is the current folder or holds it; the build replaces ", Opt("out"),
                     " as a whole, so choose a folder inside it (e.g. ", Opt("out", "dist"), ")")
    if real.is_dir() and os.path.ismount(real):
        raise refuse(Opt("out"), " is a mount point, which cannot be replaced; choose a folder inside it")
    if out.exists() and not out.is_dir():
        raise refuse(Opt("out"), " is a file, expected a folder")
    for parent in out.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise refuse(Opt("out"), f" is inside {parent}, which is a file")
            break
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST_FILE).is_file():
        raise refuse(f"folder is not empty and holds no {MANIFEST_FILE}; refusing to replace it "
                     "(choose an empty or new folder)")
    resolved = out.resolve()
    for path in inputs:
        p = path.resolve()
        if p == resolved or resolved in p.parents:
            raise refuse(Opt("out"), " would replace an input file; choose another folder")


def _check_out(name: str, out: Path, options: BuildOptions) -> None:
    check_out_dir(out, _inputs(options))


def _same_file(a: str, b: str) -> bool:
    if a.startswith("hf://") or b.startswith("hf://"):
        return a == b
    try:
        return os.path.samefile(a, b)
    except OSError:  # one is missing: reading it says so
        return a == b


def check_distinct(source: str, supplements: list[str]) -> None:
    """Refuse an input given twice.

    Read twice, the same records would only meet as duplicate indexes (or, against the
    source, as copies with another prefix); naming the repeated option says what happened.
    Local files are compared as files (``a.jsonl``, ``./a.jsonl`` and a link to it are one).
    """
    for i, location in enumerate(supplements):
        if _same_file(source, location):
            raise OptionError("supplements", f"{location} is given as both ", Opt("source"), " and ",
                              Opt("supplements"), lead=False)
        if any(_same_file(earlier, location) for earlier in supplements[:i]):
            raise OptionError("supplements", f"{location} is given twice as ", Opt("supplements"), lead=False)


def _check_supplements(name: str, supplements: list[str], options: BuildOptions) -> None:
    check_distinct(options.source, supplements)


def valid_ref_component(name: str) -> bool:
    return bool(REF_COMPONENT.match(name)) and name != "@"


def _check_revision(name: str, revision: str, options: object) -> None:
    if revision.startswith("refs/") and not revision.startswith(BRANCH_PREFIX):
        raise OptionError(name, f"{revision!r} is not a branch; a publish commits to a branch, "
                                f"give its name (e.g. {DEFAULT_BRANCH})")
    if not all(valid_ref_component(c) for c in revision.removeprefix(BRANCH_PREFIX).split("/")):
        raise OptionError(name, f"{revision!r} is not a valid branch name")


def _check_create_pr(name: str, create_pr: bool, options: PublishOptions) -> None:
    if create_pr and options.branch != DEFAULT_BRANCH:
        raise OptionError(name, f"opens a pull request against {DEFAULT_BRANCH}; it cannot be "
                                "combined with another ", Opt("revision"))


def _check_message(name: str, message: str | None, options: object) -> None:
    if message is not None and not message.strip():
        raise OptionError(name, "is empty")


def _check_timeout(name: str, timeout: float, options: object) -> None:
    if not timeout > 0:
        raise OptionError(name, f"must be positive, got {timeout:g}")


def _check_tag(name: str, tag: str | None, options: PublishOptions) -> None:
    if tag is None:
        return
    if not valid_ref_component(tag):
        raise OptionError(name, f"{tag!r} is not a valid tag name (no spaces, '/', '..', '~^:?*[\\', "
                                "and not starting with '.' or ending with '.lock')")
    if options.create_pr:
        raise OptionError(name, "tags a published commit; a pull request is not published yet, so it "
                                "cannot be combined with ", Opt("create_pr", True))


# -- what the manifest records and the card says ----------------------------------------------------

def _dropped(drop: frozenset[str] | None, review: Review) -> list[str]:
    """Every rule that dropped records: the defaults or ``drop``, those that always drop, the style filter."""
    return sorted(r.name for r in review.rules if r.action == "drop")


def _tagged(tag_style: bool, review: Review) -> bool:
    """Whether the records got their style column (never with ``keep_all``)."""
    return review.styles is not None


def _parts_line(m: CardFacts) -> str:
    return f"{len(m.part_sizes):,} parts, of sizes {' / '.join(f'{n:,}' for n in m.part_sizes)}"


def _split_line(m: CardFacts) -> str:
    known = SPLIT_STRATEGIES.get(m.options.strategy)
    return "split: " + (known.sentence(f"seed `{m.options.seed}`") if known else m.options.strategy)


def _strategy_help() -> str:
    """How records are assigned to parts: each strategy's own sentence (``split.py``)."""
    ways = "; ".join(f"{s.name}: {s.sentence('the seed (--seed)')}" for s in SPLIT_STRATEGIES.values())
    return f"how records are assigned to parts (default: %(default)s). {ways.replace('%', '%%')}"


def _target_line(m: CardFacts) -> str | None:
    if m.target is None:
        return None
    size, left_out = m.target
    return (f"target size: exactly {size:,} records in all; the {left_out:,} beyond it "
            "were left out (the last ones in input order)")


def _review_line(m: CardFacts) -> str | None:
    if m.options.keep_all:
        return "review: every finding reported, no record changed or dropped"
    if m.review is None:
        return None
    dropping = [r.name for r in m.review.rules if r.action == "drop" and r.name != "style"]
    if not dropping:
        return "review: fixes made, no record dropped by a rule"
    return "review: records dropped by the rules " + ", ".join(f"`{n}`" for n in dropping)


def _style_line(m: CardFacts) -> str | None:
    style = m.options.style
    return f"style filter: only records whose answers are in {STYLE_WORDS[style]}" if style in STYLE_WORDS else None


def _restyle_line(m: CardFacts) -> str | None:
    done = m.review.restyle if m.review is not None else None
    if done is None:
        return None
    copula = f", plain copula {COPULA_WORDS.get(done.copula, done.copula)}" if done.to == "jotai" else ""
    inside = f" and {done.clauses:,} clause ends inside sentences" if done.clauses else ""
    left = ", ".join(f"{reason} {n:,}" for reason, n in done.left.items()) or "none"
    return (f"restyle: answers rewritten in {STYLE_WORDS.get(done.to, done.to)}{copula}: "
            f"{done.records_changed:,} records changed, {done.sentences:,} sentence ends{inside} rewritten; "
            f"endings left as they were, by reason: {left}")


def _tagging_line(m: CardFacts) -> str:
    if "style" in m.features:
        return "style tagging: every record has a `style` column"
    return "style tagging: off (no `style` column)"


# -- the build's command line, for the card ---------------------------------------------------------

def encode_cli_template(template: str) -> str:
    r"""A template as it is typed on the command line (``decode_cli_template`` reads it back)."""
    return template.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def _no_words(facts: CommandFacts) -> list[str]:
    """The output folder: a local path, never shown (the command writes to the default folder)."""
    return []


def _source_words(facts: CommandFacts) -> list[str]:
    return ["--source", facts.source]


def _supplement_words(facts: CommandFacts) -> list[str]:
    return [word for name in facts.supplements for word in ("--supplement", name)]


def _previous_words(facts: CommandFacts) -> list[str]:
    return [] if facts.previous is None else ["--previous", facts.previous]


def _drop_words(facts: CommandFacts) -> list[str]:
    """``--drop`` when the rules that dropped records are not the defaults (those that always
    drop, and the style filter's own rule, come without asking)."""
    if facts.options.keep_all:
        return []
    always = {f.name for f in FINDERS if f.always} | {"style"}
    asked = sorted(set(facts.options.drop) - always)
    defaults = sorted(f.name for f in FINDERS if f.drops_by_default and not f.always)
    return [] if asked == defaults else ["--drop", ",".join(asked)]


def _validation_words(facts: CommandFacts) -> list[str]:
    return ["--validation-size", str(facts.validation_size)] if facts.validation_size else []


def _no_style_words(facts: CommandFacts) -> list[str]:
    return [] if facts.options.keep_all or facts.options.tag_style else ["--no-style"]


def _training_words(name: str, flag: str, default: str, encode: Callable[[str], str] = str
                    ) -> Callable[[CommandFacts], list[str]]:
    def words(facts: CommandFacts) -> list[str]:
        value = facts.training.get(name, default)
        return [] if value == default else [flag, encode(value)]
    return words


def _recorded_words(f: Field[Any], d: Option, facts: CommandFacts) -> list[str]:
    value = getattr(facts.options, f.name)
    if value == default_of(f) or value is None:
        return []
    return [flag_of(f, d)] if isinstance(value, bool) else [flag_of(f, d), str(value)]


def command_words(facts: CommandFacts) -> list[str]:
    """The build's command line as words, from every build option's declaration, in declared order."""
    import shlex

    words = ["dolly-ja-16k", "build"]
    for f, d in declared(BuildOptions):
        if d.command is None and d.record is None:
            raise TypeError(f"build option {f.name} has neither a recorded value nor a command")
        mine = d.command(facts) if d.command is not None else _recorded_words(f, d, facts)
        words += [shlex.quote(w) for w in mine]
    return words


def command_line(facts: CommandFacts) -> str:
    """The command as a reader types it: one option (with its value) per line."""
    words = command_words(facts)
    lines = [" ".join(words[:2])]
    for word in words[2:]:
        if word.startswith("--"):
            lines.append(word)
        else:
            lines[-1] += f" {word}"
    return " \\\n    ".join(lines)


# -- the options --------------------------------------------------------------------------------------

@dataclass
class BuildOptions:
    """Everything a build depends on besides the input files' contents."""

    source: str = option(DEFAULT_SOURCE, command=_source_words,
                         help="JSON array or JSON Lines file, or hf://datasets/OWNER/NAME@REV/PATH "
                              "(default: %(default)s)")
    out: Path = option(Path(DEFAULT_OUT), parse=Path, help="output folder (default: %(default)s)", command=_no_words,
                       check=_check_out, files=True)
    parts: int = option(4, parse=positive, help="number of parts (default: %(default)s)", check=_at_least_one,
                        record=Recorded(int), card=_parts_line)
    strategy: Strategy = option("stratified", choices=STRATEGIES, record=Recorded(str), card=_split_line,
                                help=_strategy_help())
    seed: int = option(42, parse=whole, help="seed for stratified and shuffle (default: %(default)s)",
                       check=_check_seed, record=Recorded(int))
    supplements: list[str] = option(factory=list, flag="--supplement", metavar="FILE", check=_check_supplements,
                                    files=True, command=_supplement_words,
                                    help="your own records (JSON or JSON Lines, same fields); repeatable")
    target_size: int | None = option(None, parse=positive, metavar="N", check=_check_target_size,
                                     record=Recorded(int | None, None), card=_target_line,
                                     help="make the total exactly N records after the review: fewer is an error; "
                                          "of more, the first N in input order are kept (the source first, then "
                                          "the supplements in the order given)")
    #: Records held out as the ``validation`` split before the parts are cut (0: no such split).
    #: Recorded in the manifest's ``validation`` entry, not in ``options``: a build without it
    #: keeps the manifest of earlier versions byte for byte.
    validation_size: int = option(0, parse=at_least_zero, metavar="N", check=_check_validation_size,
                                  command=_validation_words,
                                  help="hold out N records as a split 'validation' of every config, in whole groups "
                                       "(a shared context or a repeated question stays on one side) and in each "
                                       "category's share; --target-size counts them (default: 0, no validation "
                                       "split)")
    repo_id: str | None = option(None, metavar="OWNER/NAME", help="Hub repo the card's usage snippets name",
                                 check=_check_repo_id, record=Recorded(str | None, None))
    #: The release this build follows: a build folder or ``hf://datasets/OWNER/NAME@REV``.
    previous: str | None = option(None, metavar="DIR|hf://datasets/OWNER/NAME@REV", command=_previous_words,
                                  help="the release this build follows: adds changes.jsonl and a 'Changes since' "
                                       "section")
    #: Review: report every finding but change and drop nothing (parts equal a plain build).
    keep_all: bool = option(False, record=Recorded(bool, False),
                            help="review reports only: nothing is changed or dropped and there is no style column")
    #: Review checks whose records are dropped; None means each check's default.
    drop: frozenset[str] | None = option(None, parse=parse_drop, metavar="[+|-]RULE[,…]", check=_check_drop,
                                         record=Recorded(list[str], [], _dropped), card=_review_line,
                                         command=_drop_words,
                                         help=drop_help())
    #: Keep only records of this style; needs ``tag_style`` and not ``keep_all``.
    style: Style | None = option(None, choices=STYLE_FILTERS, check=_check_style, record=Recorded(str | None, None),
                                 card=_style_line, help="build from records of one speech style only: keitai "
                                                        "(です・ます) or jotai (だ・である)")
    #: Add the ``style`` column (polite / plain / mixed / none) to every record.
    tag_style: bool = option(True, flag="--no-style",
                             help="do not tag each answer's style (です・ます or だ・である; faster): `build` "
                                  "writes no style column, `review` prints no style counts",
                             record=Recorded(bool, True, _tagged), card=_tagging_line, command=_no_style_words)
    #: Rewrite every answer in one register (です・ます or だ・である) after the review.
    restyle: Style | None = option(None, choices=STYLE_FILTERS, check=_check_restyle, record=Recorded(str | None, None),
                                   card=_restyle_line,
                                   help="rewrite the answers in one register after the review: keitai (です・ます) or "
                                        "jotai (だ・である); only clause-final predicates change")
    #: What polite です becomes towards plain: である or だ.
    copula: Copula = option("dearu", choices=COPULA_CHOICES, record=Recorded(str, "dearu"),
                            help="the plain copula when restyling to jotai: dearu (である) or da (だ) "
                                 "(default: %(default)s)")
    #: The user turn of the training configs: ``str.format`` templates with ``{instruction}``
    #: and ``{input}`` (records with input) and ``{instruction}`` alone (records without).
    user_template: str = option(DEFAULT_USER_TEMPLATE, parse=decode_cli_template, metavar="TEMPLATE", group=TRAINING,
                                check=check_template,
                                command=_training_words("user_template", "--user-template", DEFAULT_USER_TEMPLATE,
                                                        encode_cli_template),
                                help="the user turn of a record with input, with {instruction} and {input}; \\n is "
                                     "a line break (default: the instruction, a blank line, the input)")
    user_template_no_input: str = option(DEFAULT_USER_TEMPLATE_NO_INPUT, parse=decode_cli_template,
                                         metavar="TEMPLATE", group=TRAINING,
                                         check=partial(check_template, no_input=True),
                                         command=_training_words("user_template_no_input",
                                                                 "--user-template-no-input",
                                                                 DEFAULT_USER_TEMPLATE_NO_INPUT, encode_cli_template),
                                         help="the user turn of a record without input, with {instruction} "
                                              "(default: the instruction)")
    #: ``style``: a system message asking for the answer's style (です・ます or だ・である).
    system_prompts: SystemPrompts = option("off", choices=SYSTEM_PROMPT_MODES, group=TRAINING,
                                           check=_check_system_prompts,
                                           command=_training_words("system_prompts", "--system-prompts", "off"),
                                           help="style: a system message asking for the answer's style (です・ます "
                                                "for keitai records, だ・である for jotai records, none for mixed and "
                                                "none); style-control: each answer that can be made wholly polite and "
                                                "wholly plain is converted to a register chosen by a keyed hash of "
                                                "the seed and its index (half and half per part and category) and its "
                                                "system message asks for it, the others get none; the raw parts stay "
                                                "as built (default: %(default)s)")

    def check(self) -> None:
        """Refuse impossible options and output folders before anything is read."""
        check_options(self)


@dataclass
class PublishOptions:
    """Where and how a built folder goes to the Hub."""

    repo_id: str = option(metavar="OWNER/NAME", help="dataset repo to publish to", check=_check_repo_id)
    folder: Path = option(Path(DEFAULT_OUT), flag="--dir", metavar="DIR", parse=Path,
                          help="built folder (default: %(default)s)")
    layout: Layout = option("single", choices=LAYOUTS,
                            help="single: one repo with every config; per-part: repos OWNER/NAME-1_of_4 … "
                                 "(default: %(default)s)")
    private: bool = option(False, help="create new repos as private")
    revision: str = option(DEFAULT_BRANCH, metavar="BRANCH", check=_check_revision,
                           help="branch to commit to, created if missing (default: %(default)s)")
    create_pr: bool = option(False, check=_check_create_pr,
                             help="open a pull request instead of committing to the branch")
    message: str | None = option(None, metavar="TEXT", check=_check_message,
                                 help="commit message (default: says what was built)")
    dry_run: bool = option(False, help="print the plan and change nothing")
    #: Seconds to wait for the Hub to accept a connection or send data before giving up.
    timeout: float = option(DEFAULT_TIMEOUT, parse=seconds, metavar="SECONDS", check=_check_timeout,
                            help="give up when the Hub does not answer for this long (default: %(default)s)")
    #: Tag the published commit (an existing tag on another commit is an error, never moved).
    tag: str | None = option(None, metavar="NAME", check=_check_tag,
                             help="tag the published commit (e.g. v1); never moves an existing tag")
    #: Publish even when the remote holds configs in another format, or a card whose YAML is unreadable.
    force: bool = option(False, help="publish even if the repo holds configs in another format (they are kept)")

    @property
    def branch(self) -> str:
        """The branch ``revision`` names: ``refs/heads/main`` is the branch ``main``."""
        return self.revision.removeprefix(BRANCH_PREFIX)

    def check(self) -> None:
        check_options(self)


@dataclass
class RestyleOptions:
    """``dolly-ja-16k restyle``: one source's answers rewritten in one register, to a JSON Lines file
    (the plain copula is the build's ``copula`` option)."""

    source: str = option(help="JSON array or JSON Lines file, or hf://datasets/OWNER/NAME@REV/PATH")
    to: Style = option(choices=STYLE_FILTERS, help="the register to write the answers in: keitai (です・ます) or "
                                                   "jotai (だ・である)")
    out: Path = option(parse=Path, metavar="FILE", check=check_restyle_out, files=True,
                       help="the JSON Lines file to write (replaced only once it is complete)")
    examples: int = option(0, parse=whole, metavar="N", check=_at_least_zero,
                           help="print the first N changes, before → after")

    def check(self) -> None:
        check_options(self)


def recorded_fields() -> list[tuple[Any, ...]]:
    """``manifest.Options``'s fields: ``(name, type)`` or ``(name, type, default)``, in declared order."""
    return [(f.name, d.record.type) if d.record.default is REQUIRED else (f.name, d.record.type, d.record.default)
            for f, d in declared(BuildOptions) if d.record is not None]


def recorded(options: BuildOptions, review: Review) -> dict[str, Any]:
    """The options as the manifest records them (what the build did, no paths)."""
    values = {}
    for f, d in declared(BuildOptions):
        if d.record is not None:
            value = getattr(options, f.name)
            values[f.name] = value if d.record.value is None else d.record.value(value, review)
    return values


def card_lines(facts: CardFacts) -> list[str]:
    """Every option that shaped the data, in words (never as command-line flags), for the card."""
    lines = []
    for _, d in declared(BuildOptions):
        line = d.card(facts) if d.card is not None else None
        if line is not None:
            lines.append(line)
    return lines
