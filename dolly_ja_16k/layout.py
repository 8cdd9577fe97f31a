"""Every name in a built folder and on the Hub, in one place: parts, configs, files, repos."""

from __future__ import annotations

import re

CARD_FILE = "README.md"
MANIFEST_FILE = "manifest.json"
REVIEW_FILE = "review.jsonl"
#: What changed since the release named by ``build --previous``: one line per record.
CHANGES_FILE = "changes.jsonl"
DATA_DIR = "data"
IMAGES_DIR = "images"
#: The config that holds every part as its own split.
ALL_CONFIG = "all"
#: The one split of each per-part config (and of each per-part repo).
PART_SPLIT = "train"
#: The held-out split (``build --validation-size``): a split of every config, one file per format
#: (``data/validation.jsonl``, ``data/validation-messages.jsonl`` …), named like a part's files.
VALIDATION_SPLIT = "validation"
#: Paths a publish owns on the Hub: files under them that a new build lacks are deleted.
MANAGED_PATHS = (CARD_FILE, MANIFEST_FILE, REVIEW_FILE, CHANGES_FILE, DATA_DIR + "/", IMAGES_DIR + "/")
DEFAULT_OUT = "dist/dolly-ja-16k"
#: What ``build`` reads unless told otherwise: kunishou's translation, pinned to one commit.
DEFAULT_SOURCE = (
    "hf://datasets/kunishou/databricks-dolly-15k-ja@6391034b0126850543299cda071dc6281c31a6fb"
    "/databricks-dolly-15k-ja.json"
)
#: Supplement records get this before their own index, so they never clash with the
#: source's numeric indexes and stay recognisable in every part.
SUPPLEMENT_PREFIX = "user-"
#: Hub repo type and default branch a publish writes to.
REPO_TYPE = "dataset"
DEFAULT_BRANCH = "main"
#: The layout with one repo per part (``NAME-2_of_4``); the other, ``single``, is one repo with every config.
LAYOUT_PER_PART = "per-part"
#: Training formats, named after TRL's conversational dataset types: ``messages`` (language
#: modeling: one list of system/user/assistant messages) and ``prompt_completion`` (the
#: messages up to the user turn, then the assistant message).
MESSAGES_FORMAT = "messages"
PROMPT_COMPLETION_FORMAT = "prompt_completion"
TRAINING_FORMATS = (MESSAGES_FORMAT, PROMPT_COMPLETION_FORMAT)
#: Between a part (or ``all``) and a format in a config name: ``2_of_4-messages``. Part and
#: format names use ``_`` inside, so the first ``-`` splits the two unambiguously.
FORMAT_SEPARATOR = "-"

_PART = re.compile(r"^(\d+)_of_(\d+)$")


def part_name(number: int, parts: int) -> str:
    """``part_name(2, 4) == "2_of_4"``; numbers start at 1."""
    return f"{number}_of_{parts}"


def part_names(parts: int) -> list[str]:
    return [part_name(i, parts) for i in range(1, parts + 1)]


def parse_part_name(name: str) -> tuple[int, int] | None:
    """``(2, 4)`` for ``"2_of_4"``, None for anything that is not a part name."""
    match = _PART.match(name)
    if not match:
        return None
    number, parts = int(match[1]), int(match[2])
    return (number, parts) if 1 <= number <= parts else None


def part_file(name: str) -> str:
    """Repository path of a part's JSON Lines file."""
    return f"{DATA_DIR}/{name}.jsonl"


def config_names(parts: int) -> list[str]:
    return [ALL_CONFIG, *part_names(parts)]


def format_config_name(base: str, fmt: str) -> str:
    """``format_config_name("2_of_4", "messages") == "2_of_4-messages"``; ``base`` may also be ``all``.

    The part comes first, so a sorted list keeps each part's raw config and its training
    configs together (``1_of_4``, ``1_of_4-messages``, ``1_of_4-prompt_completion``, ``2_of_4`` …).
    """
    return f"{base}{FORMAT_SEPARATOR}{fmt}"


def format_file(part: str, fmt: str) -> str:
    """Repository path of a part in a training format: the file is named after its config."""
    return part_file(format_config_name(part, fmt))


def per_part_repo_id(repo_id: str, part: str) -> str:
    """The repo of one part in the per-part layout: ``OWNER/NAME-2_of_4``."""
    return f"{repo_id}-{part}"


def is_managed(path: str) -> bool:
    """True for repo paths a publish owns (see ``MANAGED_PATHS``)."""
    return any(path.startswith(p) if p.endswith("/") else path == p for p in MANAGED_PATHS)
