"""Peer lists fetched from their URLs: the one network call of peer lists, made through the API
client (the one HTTP edge, its retries and errors), so ``listfile/`` does no network itself.

Reading, caching and parsing them is :mod:`~rsvlm_graph.listfile.peers`' job; it is handed the
fetch function made here.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ..config import Settings
from .http import ApiClient, user_agent

__all__ = ["fetcher"]


def fetcher(settings: Settings, transport: httpx.BaseTransport | None = None
            ) -> Callable[[str], str]:
    """``fetch(url) -> text`` for peer lists: a deadline of ``settings.timeout`` per request,
    ``settings.retries`` retries of a 5xx or a broken answer.

    The returned function raises :class:`~rsvlm_graph.errors.SourceError` when the URL cannot be
    fetched (its message names the URL and why).
    """

    def fetch(url: str) -> str:
        with ApiClient("", name="peer list", min_interval=0.0, timeout=settings.timeout,
                       retries=settings.retries, transport=transport,
                       headers={"User-Agent": user_agent(settings.contact_email)},
                       patience=settings.rate_limit_patience) as client:
            return client.get_text(url, endpoint="peer list")

    return fetch
