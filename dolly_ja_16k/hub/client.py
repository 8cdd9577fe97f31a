"""The Hub client as this tool sets it up: the token, the HTTP timeout, and a quiet log.

Every module that talks to the Hub gets its ``HfApi`` and its settings from here, so the
choices below are made once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def get_token() -> str | None:
    """``HF_TOKEN``, or the token ``hf auth login`` stored."""
    from huggingface_hub import get_token as hf_get_token

    return hf_get_token()


def make_api(token: str | None) -> HfApi:
    """An ``HfApi`` at ``HF_ENDPOINT`` that sends ``token``, or no token at all when there is none
    (never one picked up behind our back: a dry run without a token must read as anonymous)."""
    from huggingface_hub import HfApi

    return HfApi(token=token if token is not None else False)


def configure_http(timeout: float) -> None:
    """Give the Hub client's HTTP session a timeout (it has none by default, and hangs).

    The client keeps the event hooks and redirect policy of the session it replaces, read
    from that session through the public ``get_session``.
    """
    from huggingface_hub import get_session, set_client_factory
    from huggingface_hub.utils import httpx

    current = get_session()
    hooks, redirects = current.event_hooks, current.follow_redirects
    limit = httpx.Timeout(timeout, connect=min(timeout, 10.0))

    def factory() -> Any:
        return httpx.Client(event_hooks=hooks, follow_redirects=redirects, timeout=limit)

    set_client_factory(factory)


@contextmanager
def quiet() -> Iterator[None]:
    """Keep ``huggingface_hub``'s own warnings off the terminal while a read runs.

    It logs a line for every retry of a download ("Retrying in 1s [Retry 1/5]"), and a
    dropped connection is retried several times per file; the one line of our error says what
    happened once the retries are over. Errors still show; the previous level comes back after.
    """
    from huggingface_hub.utils import logging as hf_logging

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity(logging.ERROR)
    try:
        yield
    finally:
        hf_logging.set_verbosity(before)
