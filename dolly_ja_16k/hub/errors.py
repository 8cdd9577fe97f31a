"""What went wrong talking to the Hub, as one line the user can act on: the one translation.

Every Hub call of the tool (reading a source file, reading a published build for ``diff`` or
``--previous``, planning and committing a publish) runs inside ``hub_errors``: whatever
``huggingface_hub`` or the network raises becomes a ``HubError`` whose message says what we
were doing (``Call``), what the Hub answered, whether the remote was left as it was, and what
the user can do. Offline mode, a server error and an unreachable Hub are told apart, so no
message blames the network for what offline mode did. The token is never part of a message.
Only public ``huggingface_hub`` names are used here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
    """The real cause under ``huggingface_hub``'s wrappers: "Error while uploading 'x'" (a
    ``RuntimeError``) and "cannot find the requested files in the local cache" (a
    ``LocalEntryNotFoundError`` raised from the failure that kept it from asking the Hub)."""
    from huggingface_hub.errors import LocalEntryNotFoundError

    while isinstance(err, (RuntimeError, LocalEntryNotFoundError)) and err.__cause__ is not None:
        err = err.__cause__
    return err


@dataclass(frozen=True)
class Call:
    """What the tool was doing when the Hub failed: everything a message may name.

    ``doing`` starts the message ("reading alice/x on the Hub", or the ``hf://`` address being
    read); ``hint`` is the way out when the Hub cannot be asked at all (offline, unreachable, a
    dropped connection, a server error), e.g. "pass a local copy with --source PATH"; ``retry``
    is added to a transient failure that left the remote as it was ("publish again to retry").
    """

    doing: str
    repo_id: str
    endpoint: str
    timeout: float | None = None
    revision: str | None = None
    path: str | None = None
    hint: str = ""
    retry: str = ""
    token: str | None = None


def offline(call: Call) -> str:
    """Offline mode asked for and the thing not in the HF cache: say so, never blame the network."""
    way_out = f"{call.hint}, or unset HF_HUB_OFFLINE" if call.hint else "unset HF_HUB_OFFLINE to download it"
    return f"{call.doing}: offline mode is set (HF_HUB_OFFLINE=1) and it is not in the HF cache; {way_out}"


def explain(err: BaseException, call: Call) -> str:
    """One line saying what went wrong, in the user's terms (the token is redacted by ``hub_errors``)."""
    cause = _root(err)
    message = _refused(cause, call) or _unreachable(cause, call) or _odd_answer(cause, call)
    if message is not None:
        return message
    if isinstance(cause, ValueError):
        text = str(cause).strip()
        return f"{call.doing}: {text.splitlines()[0] if text else type(cause).__name__}"
    return f"{call.doing}: {type(cause).__name__}: {' '.join(str(cause).split())[:200]}"


def _refused(cause: BaseException, call: Call) -> str | None:
    """The Hub answered and said no: gated, no such revision or file, token, access, conflict, status."""
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    doing, repo_id = call.doing, call.repo_id
    if isinstance(cause, GatedRepoError):
        return f"{doing}: access to {repo_id} is gated; accept its terms on the Hub first"
    if isinstance(cause, RevisionNotFoundError):
        return f"{doing}: revision {call.revision + ' ' if call.revision else ''}not found in {repo_id}"
    if isinstance(cause, EntryNotFoundError) and not isinstance(cause, LocalEntryNotFoundError):
        return f"{doing}: no file {call.path or '(the one asked for)'} in {repo_id}"
    if not (isinstance(cause, HfHubHTTPError) and cause.response is not None):
        return None
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
    return _with_hint(f"{doing}: the Hub answered {said}", call if status >= 500 else None)


def _unreachable(cause: BaseException, call: Call) -> str | None:
    """No answer: offline mode, nothing listening, no answer in time, a dropped connection."""
    from huggingface_hub import constants
    from huggingface_hub.errors import LocalEntryNotFoundError, OfflineModeIsEnabled
    from huggingface_hub.utils import httpx

    doing, endpoint = call.doing, call.endpoint
    if isinstance(cause, OfflineModeIsEnabled):
        return offline(call)
    if isinstance(cause, LocalEntryNotFoundError):  # the cache alone was asked: only offline mode does that
        return offline(call) if constants.HF_HUB_OFFLINE else f"{doing}: it is not in the HF cache"
    if isinstance(cause, httpx.TimeoutException) and not isinstance(cause, httpx.ConnectTimeout):
        within = f"within {call.timeout:g}s" if call.timeout else "in time"
        return _with_hint(f"{doing}: the Hub at {endpoint} did not answer {within}", call)
    if isinstance(cause, (httpx.ConnectError, httpx.ConnectTimeout)):
        return _with_hint(f"{doing}: cannot reach the Hub at {endpoint} (no network, or nothing listening there)",
                          call)
    if isinstance(cause, (httpx.RemoteProtocolError, httpx.NetworkError)):
        return _with_hint(f"{doing}: the connection to the Hub at {endpoint} dropped", call)
    return None


def _odd_answer(cause: BaseException, call: Call) -> str | None:
    """An answer, but not what a Hub sends: not JSON, fields missing, headers missing."""
    from huggingface_hub.errors import FileMetadataError

    where = f"{call.doing}: the Hub at {call.endpoint} answered with"
    question = "is HF_ENDPOINT a Hugging Face Hub?"
    if isinstance(cause, UnexpectedAnswer):
        return f"{where} {cause}; {question}"
    if isinstance(cause, json.JSONDecodeError):
        return f"{where} something that is not JSON; {question}"
    if isinstance(cause, _SHAPE_ERRORS):  # the client read a field the answer lacks
        return (f"{where} something of an unexpected shape ({type(cause).__name__}: "
                f"{' '.join(str(cause).split())[:80]}); {question}")
    if isinstance(cause, FileMetadataError):
        return f"{call.doing}: the Hub at {call.endpoint} sent a file without the headers a Hub sends; {question}"
    return None


def _with_hint(message: str, call: Call | None) -> str:
    return f"{message}; {call.hint}" if call is not None and call.hint else message


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
def hub_errors(call: Call, after: Callable[[], tuple[str, bool]] | None = None) -> Iterator[None]:
    """Turn anything the Hub client raises into a one-line ``HubError`` (token redacted).

    ``after`` reads the remote back once something failed and returns what to add to the
    message (the remote's state) and whether the remote is known to be unchanged; only
    then is ``call.retry`` offered for a transient failure.
    """
    from huggingface_hub.errors import HfHubHTTPError
    from huggingface_hub.utils import httpx

    catch: tuple[type[BaseException], ...] = (HfHubHTTPError, httpx.HTTPError, *_CLIENT_EXCEPTIONS)
    message = None
    try:
        yield
    except catch as err:
        message = explain(err, call)
        retry = transient(err)
        if after is not None:
            state, unchanged = after()
            message += state
            retry = retry and unchanged
        if retry and call.retry:
            message += f"; {call.retry}"
    if message is not None:
        raise HubError(redact(message, call.token))


def head_after_failure(read_head: Callable[[], str | None], repo_id: str, before: str | None,
                       created: bool = False) -> tuple[str, bool]:
    """Whether a failed commit left ``repo_id`` as it was, read back from the Hub; a repo this
    run ``created`` is not "unchanged": it exists now, and stays empty."""
    try:
        head = read_head()
    except Exception:  # the Hub is still unreachable: say so instead of guessing
        return (f"; could not read {repo_id} back: run `dolly-ja-16k publish --dry-run` with the same options "
                "to see whether the commit went through"), False
    if head == before and created:
        return (f"; nothing was committed: {repo_id} was created by this publish and stays empty "
                "(publish again to fill it, or delete it on the Hub)"), True
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
