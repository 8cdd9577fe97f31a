"""Errors the CLI turns into one line on stderr and an exit code, never a traceback."""

from __future__ import annotations

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


class DollyError(Exception):
    """A failure the user can act on; ``str(err)`` is the whole one-line message."""

    exit_code = 1

    def __str__(self) -> str:
        return one_line(super().__str__())


class InputError(DollyError):
    """Bad input: a file, a record or an option the user gave us. Exit code 2."""

    exit_code = 2

    def __init__(self, problem: str, path: object = None, where: str | None = None) -> None:
        parts = [str(p) for p in (path, where) if p not in (None, "")]
        parts.append(problem)
        super().__init__(": ".join(parts))
        self.path = path
        self.where = where
        self.problem = problem


class HubError(DollyError):
    """The Hub (or the network on the way to it) refused or failed. Exit code 1."""

