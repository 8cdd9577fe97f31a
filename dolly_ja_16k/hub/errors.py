"""What went wrong talking to the Hub, as one line the user can act on.

Planning (``publish.make_plan``) and executing (``publish.execute``) wrap every Hub call
in ``hub_errors``: whatever ``huggingface_hub`` or the network raises becomes a
``HubError`` whose message says what we were doing, what the Hub answered, whether the
remote was left as it was, and whether trying again can help. The token is never part
of a message. Only public ``huggingface_hub`` names are used here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from dolly_ja_16k.errors import HubError

#: Exit code of an interrupted command (128 + SIGINT), as the command line uses it.
EXIT_INTERRUPTED = 130


class UnexpectedAnswer(ValueError):
    """The Hub answered 200 but the body is not what its API documents."""


class Interrupted(HubError):
    """Ctrl-C during a publish; the message says what is known about the remote."""

    exit_code = EXIT_INTERRUPTED


def redact(text: str, token: str | None) -> str:
    """``text`` with the token replaced by ``***`` (defence in depth: messages never hold it)."""
    return text.replace(token, "***") if token else text


def server_message(response: Any) -> str:
    """The Hub's own explanation of an error (``X-Error-Message`` or the JSON ``error``), one line."""
    message = response.headers.get("X-Error-Message") or ""
    if not message:
        try:
            body = response.json()
            message = str(body.get("error", "")) if isinstance(body, dict) else ""
        except Exception:  # not JSON, or not read: there is no server message
            message = ""
    return " ".join(message.split())[:200]


def _root(err: BaseException) -> BaseException:
    """The real cause under ``huggingface_hub``'s "Error while uploading 'x'" wrappers."""
    while isinstance(err, RuntimeError) and err.__cause__ is not None:
        err = err.__cause__
    return err


def explain(err: BaseException, doing: str, repo_id: str, endpoint: str, timeout: float) -> str:
    """One line saying what went wrong, in the user's terms."""
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.utils import httpx

    cause = _root(err)
    if isinstance(cause, RevisionNotFoundError):
        return f"{doing}: revision not found in {repo_id}"
    if isinstance(cause, HfHubHTTPError) and cause.response is not None:
        status = cause.response.status_code
        detail = server_message(cause.response)
        said = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status == 401 and detail.startswith("Invalid credentials"):
            return f"{doing}: the Hub rejected the token ({said}); set a valid HF_TOKEN or run `hf auth login`"
        if isinstance(cause, RepositoryNotFoundError) or status == 404:
            return f"{doing}: dataset repository {repo_id} not found, or the token cannot see it ({said})"
        if status == 401:
            return f"{doing}: the Hub wants a valid token ({said}); set HF_TOKEN or run `hf auth login`"
        if status == 403:
            return (f"{doing}: no write access to {repo_id} ({said}); it belongs to someone else "
                    "or the token cannot write to it")
        if status in (409, 412):
            return (f"{doing}: {repo_id} changed on the Hub while publishing ({said}); "
                    "someone else committed, so this commit was refused rather than overwrite it")
        return f"{doing}: the Hub answered {said}"
    if isinstance(cause, httpx.TimeoutException) and not isinstance(cause, httpx.ConnectTimeout):
        return f"{doing}: the Hub at {endpoint} did not answer within {timeout:g}s"
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
        return f"{doing}: cannot reach the Hub at {endpoint} (no network, or nothing listening there)"
    if isinstance(cause, (httpx.RemoteProtocolError, httpx.NetworkError)):
        return f"{doing}: the connection to the Hub at {endpoint} dropped"
    if isinstance(cause, UnexpectedAnswer):
        return f"{doing}: the Hub at {endpoint} answered with {cause}; is HF_ENDPOINT a Hugging Face Hub?"
    if isinstance(cause, json.JSONDecodeError):
        return (f"{doing}: the Hub at {endpoint} answered with something that is not JSON; "
                "is HF_ENDPOINT a Hugging Face Hub?")
    if isinstance(cause, _SHAPE_ERRORS):  # the client read a field the answer lacks
        return (f"{doing}: the Hub at {endpoint} answered with something of an unexpected shape "
                f"({type(cause).__name__}: {' '.join(str(cause).split())[:80]}); is HF_ENDPOINT a Hugging Face Hub?")
    if isinstance(cause, ValueError):
        text = str(cause).strip()
        return f"{doing}: {text.splitlines()[0] if text else type(cause).__name__}"
    return f"{doing}: {type(cause).__name__}: {' '.join(str(cause).split())[:200]}"


def transient(err: BaseException) -> bool:
    """Worth trying again as is: server errors, rate limits, timeouts, dropped connections."""
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import httpx

    cause = _root(err)
    if isinstance(cause, HfHubHTTPError) and cause.response is not None:
        return cause.response.status_code >= 500 or cause.response.status_code == 429
    return isinstance(cause, httpx.TransportError)


#: What the client raises when an answer lacks a field it reads (e.g. a commit answer without its id).
_SHAPE_ERRORS: tuple[type[Exception], ...] = (KeyError, TypeError, AttributeError)
#: What the client raises besides its own HTTP errors: I/O, malformed answers, upload wrappers.
_CLIENT_EXCEPTIONS: tuple[type[BaseException], ...] = (OSError, ValueError, RuntimeError, *_SHAPE_ERRORS)


@contextmanager
def hub_errors(doing: str, repo_id: str, *, endpoint: str, token: str | None, timeout: float,
               after: Callable[[], tuple[str, bool]] | None = None, retry_hint: bool = True) -> Iterator[None]:
    """Turn anything the Hub client raises into a one-line ``HubError`` (token redacted).

    ``after`` reads the remote back once something failed and returns what to add to the
    message (the remote's state) and whether the remote is known to be unchanged; only
    then is "publish again to retry" offered for a transient failure (unless ``retry_hint``
    is off: a dry run goes on without the remote).
    """
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import httpx

    catch: tuple[type[BaseException], ...] = (HfHubHTTPError, httpx.HTTPError, *_CLIENT_EXCEPTIONS)
    message = None
    try:
        yield
    except catch as err:
        message = explain(err, doing, repo_id, endpoint, timeout)
        retry = transient(err)
        if after is not None:
            state, unchanged = after()
            message += state
            retry = retry and unchanged
        if retry and retry_hint:
            message += "; publish again to retry"
    if message is not None:
        raise HubError(redact(message, token))


def head_after_failure(read_head: Callable[[], str | None], repo_id: str, before: str | None) -> tuple[str, bool]:
    """Whether a failed commit left ``repo_id`` as it was, read back from the Hub."""
    try:
        head = read_head()
    except Exception:  # the Hub is still unreachable: say so instead of guessing
        return (f"; could not read {repo_id} back: run `dolly-ja-16k publish --dry-run` with the same options "
                "to see whether the commit went through"), False
    if head == before:
        return f"; nothing was committed, {repo_id} is unchanged", True
    return (f"; {repo_id} is now at {str(head)[:12]} (was {str(before)[:12]}); "
            "publish again to check and finish (it uploads only what differs)"), False


def interrupted(read_head: Callable[[], str | None], repo_id: str, before: str | None, branch: str,
                token: str | None) -> Interrupted:
    """What to say after Ctrl-C while a commit was in flight: committed, not (yet), or unknown."""
    check = "run `dolly-ja-16k publish --dry-run` with the same options to compare the remote with the folder"
    try:
        head = read_head()
    except BaseException:  # a second Ctrl-C, or no answer: the state is unknown
        return Interrupted(redact(f"interrupted while committing to {repo_id}: whether the commit went through "
                                  f"is unknown (the Hub could not be read back); {check}", token))
    if head != before:
        return Interrupted(redact(f"interrupted, but the commit went through: {repo_id} {branch} is at commit "
                                  f"{head} (was {str(before)[:12]})", token))
    return Interrupted(redact(f"interrupted while committing to {repo_id}: not committed when read back "
                              f"({branch} is still at {str(before)[:12]}), but the Hub may still apply the "
                              f"commit it received; {check}", token))
