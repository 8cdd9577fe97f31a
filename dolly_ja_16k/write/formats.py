"""Training formats: each part as TRL's conversational ``messages`` and ``prompt``/``completion``.

Trainers (TRL's ``SFTTrainer``, axolotl's ``chat_template`` type, LLaMA-Factory's sharegpt
type) read conversations, not ``instruction``/``input``/``output`` columns, so every part is
also written as conversations that load with no conversion code:

- ``messages``: ``[system?, user, assistant]``, the conversational language-modeling type;
- ``prompt_completion``: ``prompt`` = ``[system?, user]``, ``completion`` = ``[assistant]``,
  the conversational prompt-completion type (loss on the completion only, by default).

Each row keeps ``category``, ``index`` and (when tagged) ``style`` beside the conversation.

The user turn is the instruction, then the input after a blank line when there is one
(``UserTemplate``); other templates are format strings with ``{instruction}`` and
``{input}``, checked before anything is written. Optional style-aware system prompts ask
for the style the answer is written in (です・ます for ``keitai``, だ・である for ``jotai``);
``mixed`` and ``none`` answers get no system message, because no style instruction would
match them and a system prompt the answer ignores teaches the model to ignore it.

Everything here is a pure function of the records and the options, and the JSON Lines
bytes are deterministic (orjson, keys in a fixed order), so an unchanged build gives
byte-identical files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from dolly_ja_16k.errors import Opt, OptionError
from dolly_ja_16k.layout import (
    MESSAGES_FORMAT,
    PROMPT_COMPLETION_FORMAT,
    TRAINING_FORMATS,
    format_config_name,
    format_file,
)
from dolly_ja_16k.manifest import SystemPrompt, Training, TrainingConfig
from dolly_ja_16k.options import DEFAULT_USER_TEMPLATE, DEFAULT_USER_TEMPLATE_NO_INPUT, SystemPrompts
from dolly_ja_16k.read.records import FLAGS, Record
from dolly_ja_16k.review.style import JOTAI, KEITAI, STYLES

#: ``--system-prompts style``: the system message of each style; styles not listed get none.
STYLE_SYSTEM_PROMPTS: dict[str, str] = {
    KEITAI: "回答は「です・ます」調（敬体）で書いてください。",
    JOTAI: "回答は「だ・である」調（常体）で書いてください。",
}
#: Columns kept beside the conversation, in this order (``style`` only when the build tagged it,
#: ``flags`` when the review ran: a list of rule names).
KEPT_FIELDS: tuple[str, ...] = ("category", "index", "style", FLAGS)


# -- the user turn ------------------------------------------------------------------------------

@dataclass(frozen=True)
class UserTemplate:
    """How ``instruction`` and ``input`` become the user turn (templates checked with the options)."""

    with_input: str = DEFAULT_USER_TEMPLATE
    no_input: str = DEFAULT_USER_TEMPLATE_NO_INPUT

    def render(self, record: Record) -> str:
        if has_input(record):
            return self.with_input.format_map({"instruction": record["instruction"], "input": record["input"]})
        return self.no_input.format_map({"instruction": record["instruction"]})


#: The documented default: the instruction, then the input after a blank line when there is one.
DEFAULT_TEMPLATE = UserTemplate()


def has_input(record: Record) -> bool:
    """True if the record's ``input`` holds text (whitespace alone counts as no input)."""
    return bool(record.get("input", "").strip())


# -- system prompts -------------------------------------------------------------------------------

#: ``--system-prompts style-control``: each record asks for the register its training copy was
#: converted to (``style_control``), or for none.
STYLE_CONTROL = "style-control"
#: What the counts call records without a register asked for.
NO_REGISTER = "none"


def system_prompt(record: Record, mode: SystemPrompts) -> str | None:
    """The system message of one record, or None for no system message."""
    if mode == "off":
        return None
    if mode == STYLE_CONTROL:
        return STYLE_SYSTEM_PROMPTS.get(record.get("register", ""))
    style = record.get("style")
    if style is None:
        raise OptionError("system_prompts", "system prompts by style need the style column, which ",
                          Opt("keep_all", True), " and ", Opt("tag_style", False), " leave out",
                          where=f"record {record.get('index', '?')}", lead=False)
    return STYLE_SYSTEM_PROMPTS.get(style)


@dataclass(frozen=True)
class SystemPromptCount:
    """How many records of one style got which system message (``text`` None: none)."""

    style: str
    text: str | None
    records: int


def system_prompt_counts(records: Iterable[Record], mode: SystemPrompts) -> list[SystemPromptCount]:
    """One entry per style present, in ``STYLES`` order (untagged records under ``""``), for the card;
    with style-control, one per register asked for, and ``none`` for the records that ask for none."""
    if mode == STYLE_CONTROL:
        asked = Counter(r.get("register", NO_REGISTER) for r in records)
        return [SystemPromptCount(key, STYLE_SYSTEM_PROMPTS.get(key), asked[key])
                for key in (KEITAI, JOTAI, NO_REGISTER) if asked[key]]
    counts = Counter(r.get("style", "") for r in records)
    order = [s for s in STYLES if s in counts] + sorted(s for s in counts if s not in STYLES)
    return [SystemPromptCount(style, STYLE_SYSTEM_PROMPTS.get(style) if mode == "style" else None, counts[style])
            for style in order]


# -- rows -------------------------------------------------------------------------------------

def _conversation(record: Record, template: UserTemplate,
                  mode: SystemPrompts) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The messages up to the user turn, and the assistant message."""
    prompt = []
    system = system_prompt(record, mode)
    if system is not None:
        prompt.append({"role": "system", "content": system})
    prompt.append({"role": "user", "content": template.render(record)})
    return prompt, {"role": "assistant", "content": record["output"]}


def _kept(record: Record) -> dict[str, Any]:
    """The ``KEPT_FIELDS`` of a record, in that order."""
    kept: dict[str, Any] = {"category": record["category"], "index": record["index"]}
    if "style" in record:
        kept["style"] = record["style"]
    if FLAGS in record:
        kept[FLAGS] = record[FLAGS]
    return kept


def to_messages(record: Record, template: UserTemplate = DEFAULT_TEMPLATE,
                system_prompts: SystemPrompts = "off") -> dict[str, Any]:
    """``{"messages": [system?, user, assistant], "category", "index", "style"?}``."""
    prompt, answer = _conversation(record, template, system_prompts)
    return {"messages": [*prompt, answer], **_kept(record)}


def to_prompt_completion(record: Record, template: UserTemplate = DEFAULT_TEMPLATE,
                         system_prompts: SystemPrompts = "off") -> dict[str, Any]:
    """``{"prompt": [system?, user], "completion": [assistant], "category", "index", "style"?}``."""
    prompt, answer = _conversation(record, template, system_prompts)
    return {"prompt": prompt, "completion": [answer], **_kept(record)}


#: A format's code: a record, the user-turn template and the system-prompt mode → one row.
Convert = Callable[[Record, UserTemplate, SystemPrompts], dict[str, Any]]


@dataclass(frozen=True)
class TrainingFormat:
    """A training format: its name, its conversation columns, the line that describes a row, its code.

    ``description`` is what the card's training table says a row of this format holds,
    column by column, each with its turns in order; a test reads the rows against it.
    """

    name: str
    #: The conversation columns, in row order (``KEPT_FIELDS`` follow them).
    columns: tuple[str, ...]
    description: str
    convert: Convert


CONVERSATION_FORMATS: dict[str, TrainingFormat] = {f.name: f for f in (
    TrainingFormat(MESSAGES_FORMAT, ("messages",), "`messages`: system (if any), user, assistant", to_messages),
    TrainingFormat(PROMPT_COMPLETION_FORMAT, ("prompt", "completion"),
                   "`prompt`: system (if any), user; `completion`: assistant", to_prompt_completion),
)}


def _encode(rows: Iterable[dict[str, Any]]) -> tuple[bytearray, int, int]:
    """JSON Lines bytes, row count and Arrow size of ``rows``, one row at a time (no row list is
    kept: at a million records the rows would take more memory than their bytes)."""
    dumps, opt = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    out = bytearray()
    count = nbytes = 0
    for row in rows:
        out += dumps(row, option=opt)
        count += 1
        nbytes += row_nbytes(row)
    return out, count, nbytes


def encode_part(part: str, records: list[Record], template: UserTemplate = DEFAULT_TEMPLATE,
                system_prompts: SystemPrompts = "off") -> list[tuple[TrainingConfig, bytearray]]:
    """Every training config of one part, with its file's bytes (JSON Lines: one compact UTF-8
    object per line), in ``TRAINING_FORMATS`` order."""
    out = []
    for fmt in TRAINING_FORMATS:
        convert = CONVERSATION_FORMATS[fmt].convert
        data, count, nbytes = _encode(convert(record, template, system_prompts) for record in records)
        config = TrainingConfig(name=format_config_name(part, fmt), format=fmt, part=part,
                                file=format_file(part, fmt), records=count, num_bytes=nbytes)
        out.append((config, data))
    return out


# -- what the card and the dataset_info need ----------------------------------------------------------

def column_feature(name: str) -> dict[str, str]:
    """One kept column in ``datasets`` YAML form: ``flags`` is a list of strings, the others strings."""
    return {"name": name, "list": "string"} if name == FLAGS else {"name": name, "dtype": "string"}


def features(fmt: str, with_style: bool, with_flags: bool = False) -> list[dict[str, Any]]:
    """The config's features as the card's ``dataset_info`` writes them (``datasets`` YAML form)."""
    message = {"list": [{"name": "role", "dtype": "string"}, {"name": "content", "dtype": "string"}]}
    columns = CONVERSATION_FORMATS[fmt].columns
    kept = [name for name in KEPT_FIELDS if (with_style or name != "style") and (with_flags or name != FLAGS)]
    # a new dict per column: a shared one would be dumped as a YAML anchor and aliases
    return ([{"name": name, **{k: [dict(f) for f in v] for k, v in message.items()}} for name in columns]
            + [column_feature(name) for name in kept])


def row_nbytes(row: Mapping[str, Any]) -> int:
    """One row's share of the Arrow size.

    Per list column: 4 bytes of list offset; per message: 4 + 4 bytes of string offsets for
    role and content, plus their UTF-8 bytes; per kept string column: 4 bytes of offset plus
    the UTF-8 bytes. No nulls, so no validity bitmaps. The tests check it against pyarrow.
    """
    total = 0
    for name, value in row.items():
        if isinstance(value, str):
            total += 4 + len(value.encode())
        elif name == FLAGS:  # list<string>: a list offset, then an offset and the bytes per name
            total += 4 + sum(4 + len(flag.encode()) for flag in value)
        else:
            total += 4 + sum(8 + len(m["role"].encode()) + len(m["content"].encode()) for m in value)
    return total


@dataclass(frozen=True)
class PartTraining:
    """What the manifest's ``training`` entry needs of one part, counted while the part is at hand."""

    name: str
    #: The part's training configs, as ``encode_part`` wrote them.
    configs: list[TrainingConfig]
    #: Records whose user turn used the template for records with input.
    with_input: int
    prompts: list[SystemPromptCount]


def part_training(name: str, records: Sequence[Record], configs: list[TrainingConfig],
                  system_prompts: SystemPrompts = "off") -> PartTraining:
    """Count one part for the summary, so the build can free the part as soon as it is written."""
    return PartTraining(name, configs, sum(map(has_input, records)), system_prompt_counts(records, system_prompts))


def training_summary(parts: Sequence[PartTraining], template: UserTemplate = DEFAULT_TEMPLATE,
                     system_prompts: SystemPrompts = "off") -> Training:
    """The manifest's ``training`` entry, made once from every part's counts (in part order)."""
    per_style: dict[str, dict[str, int]] = {}
    text: dict[str, str | None] = {}
    for part in parts:
        for entry in part.prompts:
            per_style.setdefault(entry.style, {})[part.name] = entry.records
            text[entry.style] = entry.text
    order = [s for s in STYLES if s in per_style] + sorted(s for s in per_style if s not in STYLES)
    return Training(
        formats=list(TRAINING_FORMATS),
        user_template=template.with_input,
        user_template_no_input=template.no_input,
        with_input={part.name: part.with_input for part in parts},
        system_prompts=system_prompts,
        prompts=[SystemPrompt(style=s, text=text[s], records=sum(per_style[s].values()), parts=per_style[s])
                 for s in order],
        configs=[config for part in parts for config in part.configs],
    )
