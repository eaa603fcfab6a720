"""Link checks (``lint --online``): every link of the list asked with HEAD, then GET, through the
one HTTP edge, telling a dead link from a network that is down.

The findings they become are :mod:`~rsvlm_graph.listfile.lint`'s; this module only asks.
"""

from __future__ import annotations

import logging
import socket
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx

from ..config import Settings
from .transport import HttpPolicy, RetryPolicy, open_client

__all__ = [
    "LinkCheck",
    "LinkFailure",
    "LinkStatus",
    "FailureKind",
    "check_links",
    "client_for",
    "LINK_WORKERS",
    "NETWORK_PROBES",
]

log = logging.getLogger(__name__)

FailureKind = Literal["unresolved", "unreachable", "timeout", "broken"]

#: links checked at a time: enough to finish ~250 links in a minute, few enough to be polite
LINK_WORKERS = 4
#: hosts asked first, those holding most of the list's links: when none of them can be connected
#: to, the network is down and no other link is asked
NETWORK_PROBES = 3
#: getaddrinfo's "no such name": the resolver answered, and the host does not exist (a resolver
#: that could not answer, EAI_AGAIN, says nothing about the host)
_NO_SUCH_NAME = frozenset({socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)})


@dataclass(frozen=True, slots=True)
class LinkFailure:
    """Why a link got no HTTP answer: its host's name does not exist (``unresolved``), no
    connection could be made (``unreachable``: refused, connect timeout, no resolver), the answer
    did not come in time (``timeout``), or the exchange broke off (``broken``)."""

    kind: FailureKind
    reason: str

    def __str__(self) -> str:
        return self.reason


LinkStatus = int | LinkFailure  # an HTTP status code, or why no response came


@dataclass(frozen=True, slots=True)
class LinkCheck:
    """What :func:`check_links` found: each checked URL's status, and the URLs it could not check
    because the network was unavailable, with why (``unavailable``)."""

    status: Mapping[str, LinkStatus]
    unchecked: tuple[str, ...] = ()
    unavailable: str | None = None




def client_for(settings: Settings, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The client links are asked with: the one HTTP edge, a deadline of ``settings.timeout``
    per link, no retry (a link that does not answer now is a warning, not an error)."""
    policy = HttpPolicy(deadline=settings.timeout, retry=RetryPolicy(retries=0))
    return open_client(policy, headers={"User-Agent": "rsvlm-graph link check"},
                       transport=transport)


def _caused_by_missing_name(exc: BaseException) -> bool:
    """Whether getaddrinfo's "no such name" is behind `exc` (httpx wraps httpcore's error, which
    wraps the socket's)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, socket.gaierror):
            return cause.errno in _NO_SUCH_NAME
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _failure(exc: httpx.HTTPError) -> LinkFailure:
    reason = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.ConnectTimeout):
        return LinkFailure("unreachable", reason)
    if isinstance(exc, httpx.ConnectError):
        return LinkFailure("unresolved" if _caused_by_missing_name(exc) else "unreachable", reason)
    if isinstance(exc, httpx.TimeoutException):
        return LinkFailure("timeout", "timeout")
    return LinkFailure("broken", reason)


def _status(client: httpx.Client, url: str) -> LinkStatus:
    try:
        status = client.head(url).status_code
        if status < 400:
            return status
        # many servers refuse or mishandle HEAD (405, 403, 404): ask again with GET, body unread
        with client.stream("GET", url) as response:
            return response.status_code
    except httpx.HTTPError as exc:
        return _failure(exc)


def _probes(urls: Sequence[str], count: int) -> list[str]:
    """The first URL of each of the `count` servers (host and port) holding most of `urls`."""
    first: dict[str, str] = {}
    for url in urls:
        first.setdefault(urlsplit(url).netloc, url)
    servers = Counter(urlsplit(url).netloc for url in urls)
    return [first[server] for server, _ in servers.most_common(count)]


def _no_connection(status: LinkStatus) -> bool:
    """No connection was made: what a network that is down gives for every link."""
    return isinstance(status, LinkFailure) and status.kind in ("unresolved", "unreachable")


def _why_unavailable(status: Mapping[str, LinkStatus]) -> str:
    """"no connection to HOST, …: the first failure", naming at most three hosts."""
    hosts = list(dict.fromkeys(urlsplit(u).netloc for u in status))
    more = ", …" if len(hosts) > NETWORK_PROBES else ""
    return (f"no connection to {', '.join(hosts[:NETWORK_PROBES])}{more}: "
            f"{next(iter(status.values()), '')}")


def check_links(
    urls: Sequence[str],
    client: httpx.Client,
    *,
    workers: int = LINK_WORKERS,
    probes: int = NETWORK_PROBES,
) -> LinkCheck:
    """Ask every URL, with HEAD and falling back to GET, unless the network is unavailable.

    A link that gets no connection condemns nothing on its own: the network may be down. So the
    hosts holding most links are asked first (``probes`` of them); when none can be connected to,
    no other link is asked and every one is ``unchecked``. After the others, a host whose name
    did not resolve is asked again, right after a link that answered: when that link now gets no
    connection either, the network went away during the run and the links without a connection
    are ``unchecked``; otherwise what is still ``unresolved`` is a host that does not exist.

    Parameters
    ----------
    urls : sequence of str
        Absolute http(s) URLs, e.g. from :func:`list_urls`.
    client : httpx.Client
        From :func:`client_for` (the one HTTP edge: a deadline of ``RSVLM_TIMEOUT`` per link,
        redirects followed, at most ten); tests give one over ``httpx.MockTransport``.
    workers : int, default LINK_WORKERS
        Links checked at the same time.
    probes : int, default NETWORK_PROBES
        Hosts asked first to tell whether the network is up.

    Returns
    -------
    LinkCheck
        URL → final HTTP status code, or a :class:`LinkFailure` when no response came (keys in
        the order of ``urls``), and the URLs left unchecked with why.
    """
    unique = list(dict.fromkeys(urls))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:

        def ask(batch: Sequence[str]) -> dict[str, LinkStatus]:
            return dict(zip(batch, pool.map(lambda url: _status(client, url), batch)))

        first = ask(_probes(unique, probes))
        if first and all(_no_connection(s) for s in first.values()):
            reason = _why_unavailable(first)
            log.info("network unavailable, no link checked: %s", reason)
            return LinkCheck({}, tuple(unique), reason)
        status = first | ask([u for u in unique if u not in first])
        unresolved = [u for u, s in status.items()
                      if isinstance(s, LinkFailure) and s.kind == "unresolved"]
        if unresolved:
            control = next((u for u, s in status.items() if isinstance(s, int)), None)
            again = ask([control]) if control is not None else {}
            if control is None or _no_connection(again[control]):
                lost = tuple(u for u in unique if _no_connection(status[u]))
                reason = _why_unavailable(again or {u: status[u] for u in lost})
                log.info("network unavailable, %d link(s) not checked: %s", len(lost), reason)
                return LinkCheck({u: status[u] for u in unique if u not in lost}, lost, reason)
            status |= ask(unresolved)
    for url in unique:
        log.debug("%s -> %s", url, status[url])
    return LinkCheck({url: status[url] for url in unique})
