"""Errors the CLI turns into one line on stderr and an exit code, never a traceback."""

from __future__ import annotations


class DollyError(Exception):
    """A failure the user can act on; ``str(err)`` is the whole one-line message."""

    exit_code = 1


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


def one_line(text: str) -> str:
    """``text`` with every control character escaped (``\\n`` → ``\\\\n``), so that a value
    holding a line break can never make a message span two lines or forge another one."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)
