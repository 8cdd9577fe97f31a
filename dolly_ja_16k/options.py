"""The options of a build and of a publish, checked in one place.

The command line takes its choices and defaults from here; ``check()`` raises an
``OptionError`` naming the option (``target_size``), which the command line shows as its
flag (``--target-size``). Library users get the same checks with the option's own name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from dolly_ja_16k.errors import InputError
from dolly_ja_16k.hub.addresses import REPO_ID
from dolly_ja_16k.layout import DEFAULT_BRANCH, DEFAULT_OUT, DEFAULT_SOURCE

Strategy = Literal["stratified", "contiguous", "shuffle"]
Style = Literal["keitai", "jotai"]
Layout = Literal["single", "per-part"]
SystemPrompts = Literal["off", "style"]
STRATEGIES: tuple[str, ...] = get_args(Strategy)
STYLES: tuple[str, ...] = get_args(Style)
LAYOUTS: tuple[str, ...] = get_args(Layout)
SYSTEM_PROMPT_MODES: tuple[str, ...] = get_args(SystemPrompts)
DEFAULT_TIMEOUT = 60.0
#: The user turn of a training record with input: the instruction, a blank line, the input.
DEFAULT_USER_TEMPLATE = "{instruction}\n\n{input}"
#: The user turn of a record without input (empty or whitespace only): the instruction alone.
DEFAULT_USER_TEMPLATE_NO_INPUT = "{instruction}"
#: One component of a git ref name (``git check-ref-format``): a tag, or one level of a branch.
REF_COMPONENT = re.compile(r"^(?!\.)(?!.*\.\.)(?!.*@\{)(?!.*\.lock$)(?!.*\.$)[^\x00-\x20\x7f~^:?*\[\\/]+$")
BRANCH_PREFIX = "refs/heads/"


def valid_ref_component(name: str) -> bool:
    return bool(REF_COMPONENT.match(name)) and name != "@"


class OptionError(InputError):
    """An option's value is impossible; ``option`` is its name in the options class."""

    def __init__(self, option: str, problem: str) -> None:
        super().__init__(f"{option}: {problem}")
        self.option = option
        self.problem = problem


def _check_choice(option: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise OptionError(option, f"{value!r} is not one of {', '.join(choices)}")


@dataclass
class BuildOptions:
    """Everything a build depends on besides the input files' contents."""

    source: str = DEFAULT_SOURCE
    out: Path = Path(DEFAULT_OUT)
    parts: int = 4
    strategy: Strategy = "stratified"
    seed: int = 42
    supplements: list[str] = field(default_factory=list)
    target_size: int | None = None
    repo_id: str | None = None
    #: Review: report every finding but change and drop nothing (parts equal a plain build).
    keep_all: bool = False
    #: Review checks whose records are dropped; None means each check's default.
    drop: frozenset[str] | None = None
    #: Keep only records of this style; needs ``tag_style`` and not ``keep_all``.
    style: Style | None = None
    #: Add the ``style`` column (polite / plain / mixed / none) to every record.
    tag_style: bool = True
    #: The user turn of the training configs: ``str.format`` templates with ``{instruction}``
    #: and ``{input}`` (records with input) and ``{instruction}`` alone (records without).
    user_template: str = DEFAULT_USER_TEMPLATE
    user_template_no_input: str = DEFAULT_USER_TEMPLATE_NO_INPUT
    #: ``style``: a system message asking for the answer's style (です・ます or だ・である).
    system_prompts: SystemPrompts = "off"
    #: The release this build follows: a build folder or ``hf://datasets/OWNER/NAME@REV``.
    previous: str | None = None

    def check(self) -> None:
        """Refuse impossible combinations before anything is read."""
        if self.parts < 1:
            raise OptionError("parts", f"must be at least 1, got {self.parts}")
        _check_choice("strategy", self.strategy, STRATEGIES)
        if not -(2**63) <= self.seed < 2**63:
            raise OptionError("seed", f"must fit in 64 bits (from -2**63 to 2**63-1), got {self.seed}")
        if self.target_size is not None:
            if self.target_size < 1:
                raise OptionError("target_size", f"must be at least 1, got {self.target_size}")
            if self.target_size < self.parts:
                raise OptionError("target_size", f"{self.target_size} is smaller than the {self.parts} parts")
        if self.repo_id is not None and not REPO_ID.match(self.repo_id):
            raise OptionError("repo_id", f"{self.repo_id!r} is not OWNER/NAME (letters, digits, '-', '_', '.')")
        if self.style is not None:
            _check_choice("style", self.style, STYLES)
            if self.keep_all or not self.tag_style:
                raise OptionError("style", "needs style tagging; it cannot be combined with keep_all or "
                                           "without tag_style")
        if self.drop is not None:
            from dolly_ja_16k.review.run import check_drop

            check_drop(self.drop)
        from dolly_ja_16k.write.formats import UserTemplate

        UserTemplate(self.user_template, self.user_template_no_input).check()
        _check_choice("system_prompts", self.system_prompts, SYSTEM_PROMPT_MODES)
        if self.system_prompts == "style" and (self.keep_all or not self.tag_style):
            raise OptionError("system_prompts", "style needs the style column; it cannot be combined with "
                                                "keep_all or without tag_style")


@dataclass
class PublishOptions:
    """Where and how a built folder goes to the Hub."""

    repo_id: str
    folder: Path = Path(DEFAULT_OUT)
    layout: Layout = "single"
    private: bool = False
    revision: str = DEFAULT_BRANCH
    create_pr: bool = False
    message: str | None = None
    dry_run: bool = False
    #: Seconds to wait for the Hub to accept a connection or send data before giving up.
    timeout: float = DEFAULT_TIMEOUT
    #: Tag the published commit (an existing tag on another commit is an error, never moved).
    tag: str | None = None
    #: Publish even when the remote holds configs in another format, or a card whose YAML is unreadable.
    force: bool = False

    @property
    def branch(self) -> str:
        """The branch ``revision`` names: ``refs/heads/main`` is the branch ``main``."""
        return self.revision.removeprefix(BRANCH_PREFIX)

    def check(self) -> None:
        if not REPO_ID.match(self.repo_id):
            raise OptionError("repo_id", f"{self.repo_id!r} is not OWNER/NAME (letters, digits, '-', '_', '.')")
        _check_choice("layout", self.layout, LAYOUTS)
        if self.create_pr and self.branch != DEFAULT_BRANCH:
            raise OptionError("create_pr", f"opens a pull request against {DEFAULT_BRANCH}; it cannot be "
                                           "combined with another revision")
        if not self.timeout > 0:
            raise OptionError("timeout", f"must be positive, got {self.timeout:g}")
        if self.message is not None and not self.message.strip():
            raise OptionError("message", "is empty")
        if self.revision.startswith("refs/") and not self.revision.startswith(BRANCH_PREFIX):
            raise OptionError("revision", f"{self.revision!r} is not a branch; a publish commits to a branch, "
                                          f"give its name (e.g. {DEFAULT_BRANCH})")
        if not all(valid_ref_component(c) for c in self.branch.split("/")):
            raise OptionError("revision", f"{self.revision!r} is not a valid branch name")
        if self.tag is not None:
            if not valid_ref_component(self.tag):
                raise OptionError("tag", f"{self.tag!r} is not a valid tag name (no spaces, '/', '..', '~^:?*[\\', "
                                         "and not starting with '.' or ending with '.lock')")
            if self.create_pr:
                raise OptionError("tag", "tags a published commit; a pull request is not published yet, so it "
                                         "cannot be combined with create_pr")
