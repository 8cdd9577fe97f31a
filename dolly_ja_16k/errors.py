"""Errors the CLI turns into one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Characters that would break a message over lines or drive the terminal, each written as an
#: escape: C0 and C1 controls (line feed, carriage return, escape, NEL, ...) and the Unicode
#: line and paragraph separators.
_ESCAPES = {
    **{code: f"\\x{code:02x}" for code in [*range(0x20), *range(0x7F, 0xA0)]},
    ord("\t"): "\\t", ord("\n"): "\\n", ord("\r"): "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029",
}


def one_line(text: str) -> str:
    """``text`` with every control character escaped, so a value from the input (an index, a
    category, a key, a path) can never start a line of its own, such as a fake ``error:``."""
    return text.translate(_ESCAPES)


_NO_VALUE = object()


@dataclass(frozen=True)
class Opt:
    """An option named inside a message.

    The library speaks of its options by name (``keep_all``) and the command line by flag
    (``--keep-all``), so a message that names an option keeps it as an ``Opt`` and each
    shows it its own way (``DollyError.render``). With a ``value`` it names a setting:
    ``keep_all=True`` / ``--keep-all``, ``tag_style=False`` / ``--no-style``; ``metavar``
    adds what the flag takes (``--supplement FILE``).
    """

    name: str
    value: object = _NO_VALUE
    metavar: bool = False

    @property
    def has_value(self) -> bool:
        return self.value is not _NO_VALUE

    def __str__(self) -> str:
        """The library's way: the option's name, or ``name=value`` for a setting."""
        return f"{self.name}={self.value!r}" if self.has_value else self.name


#: A message as text and the options named in it.
Message = tuple[str | Opt, ...]


def _join(message: Message, name: Callable[[Opt], str]) -> str:
    return "".join(part if isinstance(part, str) else name(part) for part in message)


class DollyError(Exception):
    """A failure the user can act on; ``str(err)`` is the whole one-line message."""

    exit_code = 1
    #: The message with the options it names kept apart (empty: ``str(err)`` is all there is).
    message: Message = ()

    @classmethod
    def naming(cls, *message: str | Opt) -> DollyError:
        """An error whose message names options: ``DollyError.naming("or build with ", Opt("tag_style", False))``."""
        err = cls(_join(message, str))
        err.message = message
        return err

    def __str__(self) -> str:
        return one_line(super().__str__())

    def render(self, name: Callable[[Opt], str] = str) -> str:
        """The one-line message with each named option shown by ``name`` (the CLI shows flags)."""
        return one_line(_join(self.message, name)) if self.message else str(self)


class InputError(DollyError):
    """Bad input: a file, a record or an option the user gave us. Exit code 2.

    ``problem`` is text, or a ``Message`` when it names options.
    """

    exit_code = 2

    def __init__(self, problem: str | Message, path: object = None, where: str | None = None) -> None:
        problem = (problem,) if isinstance(problem, str) else problem
        self.message = (*(f"{p}: " for p in (path, where) if p not in (None, "")), *problem)
        super().__init__(_join(self.message, str))
        self.path = path
        self.where = where
        self.problem = _join(problem, str)


class OptionError(InputError):
    """An option's value is impossible, alone, with another option or with the input.

    ``option`` is its name in the options class; the message starts with it (``seed: must
    fit in 64 bits``) unless ``lead`` is False, for a sentence that names it itself.
    """

    def __init__(self, option: str, *problem: str | Opt, path: object = None, where: str | None = None,
                 lead: bool = True) -> None:
        super().__init__((Opt(option), ": ", *problem) if lead else problem, path, where)
        self.option = option


class HubError(DollyError):
    """The Hub (or the network on the way to it) refused or failed. Exit code 1."""

