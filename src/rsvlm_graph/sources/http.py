"""The API client every source goes through: pacing, retries, API key, errors translated.

Sources never call httpx themselves. ``ApiClient`` sends through a client of the one HTTP edge
(:func:`~rsvlm_graph.sources.transport.open_client`: a deadline per request, redirects that keep
the API key at its origin, bounded bodies), waits before each request as its
:mod:`~rsvlm_graph.sources.pacing` pacer says (an interval, or Semantic Scholar's keyless shared
pool), and turns every way a request can fail into one exception from :mod:`rsvlm_graph.errors`,
translated here and nowhere else:

=====================================  ==========================================================
what happened                          outcome
=====================================  ==========================================================
HTTP 429                               wait ``Retry-After`` (from the second 429 in a row at
                                       least the backoff), else exponential backoff, plus what
                                       the pacer asks; retry until it goes through. Only after
                                       ``patience`` seconds of such waits for one request:
                                       ``RateLimited`` for that request. A 429 is never "down"
                                       and never spends ``retries``
HTTP 500/502/503/504, the deadline     backoff and retry; ``SourceError`` once ``retries`` are
passed, broken connection, a body      spent
that is not the JSON (or Atom feed)
asked for, nested too deep, too large
too many redirects, a redirect to a    ``SourceError`` at once
URL that is not http(s), a URL that
cannot be parsed (``http://[::1``)
HTTP 404                               ``PaperNotFound`` at once
HTTP 400                               ``BadRequest`` at once, with the API's ``error`` text
other 4xx                              ``SourceError`` at once
DNS failure, connection refused,       ``NetworkUnavailable`` at once, and every later call on
connect timeout                        this client fails the same way without trying again;
                                       nothing was sent: ``unsent_counts``, not ``request_counts``
``MAX_FAILED_CALLS`` calls in a row    the last one's error; every later call on this client
spent their retries (5xx, timeouts)    fails at once with ``ServiceUnavailable``
=====================================  ==========================================================

``sleep`` and ``clock`` are injectable so the tests can run the waits instantly and record them;
``on_wait(seconds, reason)`` hears of every wait before it starts, and ``(0, reason)`` after it.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from .. import __version__
from ..config import DEFAULT_RATE_LIMIT_PATIENCE, utc_now
from ..errors import (
    BadRequest,
    NetworkUnavailable,
    PaperNotFound,
    RateLimited,
    ServiceUnavailable,
    SourceDown,
    SourceError,
)
from ..models import iso_utc
from .pacing import Interval, Pacer
from .transport import (
    DEFAULT_BACKOFF,
    MAX_WAIT,
    DeadlineExceeded,
    HttpPolicy,
    MalformedAnswer,
    RetryPolicy,
    atom_answer,
    json_answer,
    open_client,
    retry_after_seconds,
)

__all__ = [
    "ApiClient",
    "ApiSource",
    "RETRY_STATUSES",
    "DEFAULT_BACKOFF_BASE",
    "MAX_WAIT",
    "MAX_FAILED_CALLS",
    "WaitCallback",
    "retry_after_seconds",
    "user_agent",
    "utc_now",
]

logger = logging.getLogger(__name__)

#: server-side failures worth another try; every other 4xx/5xx is final
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: first backoff wait in seconds (the one retry schedule's); no wait is longer than MAX_WAIT,
#: though the shared pool's pacer may wait longer: its window is 300 s
DEFAULT_BACKOFF_BASE = DEFAULT_BACKOFF
#: calls in a row that spend all their retries before the host counts as down for this run: each
#: costs about a minute of backoff, and an outage would otherwise cost that for every paper
MAX_FAILED_CALLS = 5

#: told of every wait: ``(seconds, reason)`` before it, ``(0, reason)`` after it
WaitCallback = Callable[[float, str], None]

_SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.DOTALL)


def user_agent(contact_email: str | None) -> str:
    """The User-Agent every request carries, with a contact address when one is configured.

    >>> user_agent("me@example.org")
    'rsvlm-graph/0.1.0 (mailto:me@example.org)'
    """
    contact = f" (mailto:{contact_email})" if contact_email else ""
    return f"rsvlm-graph/{__version__}{contact}"




class ApiClient:
    """One API host behind one ``httpx.Client``, with the project's pacing and retry policy.

    Parameters
    ----------
    base_url : str
        Scheme, host and optional path prefix; relative paths given to the request methods are
        appended to it.
    name : str
        The API's display name, used in every error message (``"Semantic Scholar"``).
    min_interval : float
        Minimum seconds between the starts of two requests on this client (retries included);
        ignored when ``pacer`` is given.
    timeout : float
        Seconds one request may take in all: connecting, redirects, headers and body (a
        deadline, not a timeout per read).
    retries : int
        How many times a failed request (5xx, timeout, malformed JSON) is tried again; 429s do
        not count.
    headers : mapping, optional
        Sent with every request, e.g. ``{"x-api-key": ...}``.
    transport : httpx.BaseTransport, optional
        Replaces the network, e.g. ``httpx.MockTransport`` in tests.
    sleep, clock : callables
        ``time.sleep`` and ``time.monotonic`` unless injected.
    jitter : callable
        Returns a float in [0, 1); backoff waits are stretched by up to 50 % of it so that many
        clients do not retry in lock step.
    rate_limit_hint : str
        The next step a ``RateLimited`` message suggests ("set S2_API_KEY", "retry later").
    backoff_base : float
        First backoff wait in seconds.
    max_failed_calls : int
        Calls in a row that may spend all their retries before the host counts as down.
    pacer : Pacer, optional
        Decides when each request may start (:mod:`~rsvlm_graph.sources.pacing`); an
        ``Interval(min_interval)`` unless given.
    patience : float
        Seconds one request may spend waiting on 429s (``Retry-After``, backoff and the pacer's
        waits after the first 429, as asked of ``sleep``) before it fails with ``RateLimited``.
    on_wait : callable, optional
        ``on_wait(seconds, reason)`` before each wait, and ``on_wait(0, reason)`` when it is over:
        the progress display shows them.

    Examples
    --------
    >>> def handler(request):
    ...     return httpx.Response(200, json={"seen": request.headers["x-api-key"]})
    >>> with ApiClient("https://api.example.org", name="Example", min_interval=0, timeout=5,
    ...                retries=0, headers={"x-api-key": "k"},
    ...                transport=httpx.MockTransport(handler)) as client:
    ...     client.get_json("/thing", endpoint="thing"), client.request_counts["thing"]
    ({'seen': 'k'}, 1)
    """

    def __init__(
        self,
        base_url: str,
        *,
        name: str,
        min_interval: float,
        timeout: float,
        retries: int,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
        rate_limit_hint: str = "retry later",
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        max_failed_calls: int = MAX_FAILED_CALLS,
        pacer: Pacer | None = None,
        patience: float = DEFAULT_RATE_LIMIT_PATIENCE,
        on_wait: WaitCallback | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url
        self.pacer: Pacer = pacer if pacer is not None else Interval(min_interval, clock=clock)
        self.retry = RetryPolicy(retries=retries, backoff=backoff_base, sleep=sleep, jitter=jitter)
        self.retries = retries
        self.rate_limit_hint = rate_limit_hint
        self.max_failed_calls = max(1, max_failed_calls)
        self.patience = max(0.0, patience)
        self.request_counts: Counter[str] = Counter()
        #: per endpoint, the tries that reached no server (DNS, refused, connect timeout)
        self.unsent_counts: Counter[str] = Counter()
        self._on_wait = on_wait
        self._down: SourceDown | None = None  # raised again by every later call
        self._failed_in_a_row = 0
        self._policy = HttpPolicy(deadline=timeout, retry=self.retry)
        # arXiv answers http:// with a redirect to https://: the edge follows it, and a
        # redirect elsewhere without the API key
        self._client = open_client(self._policy, base_url=base_url, headers=headers,
                                   transport=transport)

    # -- public request methods ------------------------------------------------------------

    def get_json(
        self, path: str, params: Mapping[str, Any] | None = None, *, endpoint: str
    ) -> Any:
        """GET ``path`` and return its decoded JSON body (see the class docstring for failures)."""
        return self._request("GET", path, params=params, body=None, endpoint=endpoint,
                             answer=self._json)

    def post_json(
        self, path: str, params: Mapping[str, Any] | None, json: Any, *, endpoint: str
    ) -> Any:
        """POST ``json`` to ``path`` and return the decoded JSON answer."""
        return self._request(
            "POST", path, params=params, body=json, endpoint=endpoint, answer=self._json
        )

    def get_atom(
        self, url_or_path: str, params: Mapping[str, Any] | None = None, *, endpoint: str
    ) -> bytes:
        """GET a path or an absolute URL whose answer must be a well-formed Atom feed (arXiv's):
        any other body is a failed request, retried like a 5xx."""
        feed: bytes = self._request(
            "GET", url_or_path, params=params, body=None, endpoint=endpoint, answer=atom_answer
        )
        return feed

    def get_text(self, url: str, *, endpoint: str) -> str:
        """GET an absolute URL and return its body as text (a peer list's Markdown)."""
        text: str = self._request("GET", url, params=None, body=None, endpoint=endpoint,
                                  answer=lambda response: response.text)
        return text

    def _json(self, response: httpx.Response) -> Any:
        return json_answer(response, self._policy.max_json_depth)

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- the one request loop --------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None,
        body: Any,
        endpoint: str,
        answer: Callable[[httpx.Response], Any],
    ) -> Any:
        if self._down is not None:
            # fail fast: a host that refused once will refuse again, and an offline run must
            # not spend minutes rediscovering that for every paper
            raise type(self._down)(str(self._down))
        where = f"{self.name} {method} {path}"
        problem = ""
        last_exc: Exception | None = None
        failed = 0  # tries that failed other than by 429: they spend ``retries``
        limited = 0  # 429s in a row
        waited = 0.0  # seconds waited since the first 429: they spend ``patience``
        while True:
            pause = self.pacer.delay()
            self._wait(pause, self.pacer.reason)
            if limited:
                waited += pause
            self.pacer.started()
            try:
                response = self._client.request(
                    method, path, params=dict(params) if params else None, json=body
                )
            except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                # a URL httpx cannot even parse (``http://[::1``, ``https://``, no scheme): no
                # request left, and none ever will
                raise SourceError(f"{where}: not a URL that can be asked ({exc})") from exc
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # nothing reached a server (not a request sent), and retrying only waits: a
                # host that does not answer at all will not answer the next paper either
                self.unsent_counts[endpoint] += 1
                raise self._unreachable(exc) from exc
            except httpx.TimeoutException as exc:
                self.request_counts[endpoint] += 1
                self.pacer.finished(False)  # the server may have counted it
                why = str(exc) if isinstance(exc, DeadlineExceeded) else type(exc).__name__
                problem, last_exc = f"timed out ({why})", exc
            except httpx.TransportError as exc:
                # connection reset or a protocol error half-way: the host exists, try again
                self.request_counts[endpoint] += 1
                self.pacer.finished(False)
                problem, last_exc = f"connection broke ({exc})", exc
            except httpx.RequestError as exc:
                # what the edge refused: a redirect loop, a redirect to another scheme, a body
                # too large. The same answer would come again: no retry
                self.request_counts[endpoint] += 1
                self.pacer.finished(False)
                self._failed_in_a_row = 0  # the host answers: it is up
                raise SourceError(f"{where}: {exc}; the API URL may be wrong, or the service "
                                  "misbehaving: retry later") from exc
            else:
                self.request_counts[endpoint] += 1
                status = response.status_code
                rate_limited = status == 429
                self.pacer.finished(rate_limited)
                if rate_limited:
                    limited += 1
                    wait = self._rate_limit_wait(limited, response.headers.get("retry-after"))
                    if waited + wait > self.patience:
                        # the host answers, so it is up: a 429 never counts towards "down"
                        self._failed_in_a_row = 0
                        raise RateLimited(
                            f"{where}: still rate limited (HTTP 429) after {limited} "
                            f"tr{'y' if limited == 1 else 'ies'} and {waited:.0f} s of waiting "
                            f"(patience {self.patience:g} s, RSVLM_RATE_LIMIT_PATIENCE); "
                            f"{self.rate_limit_hint}")
                    logger.info("%s: HTTP 429 (rate limited, %d in a row); waiting %.1f s",
                                where, limited, wait)
                    self._wait(wait, "rate limited (HTTP 429)")
                    waited += wait
                    continue
                if status in RETRY_STATUSES:
                    problem, last_exc = f"HTTP {status} {_error_text(response)}", None
                elif status >= 400:
                    self._failed_in_a_row = 0  # the host answers: it is up
                    raise _final_error(where, response)
                else:
                    try:
                        data = answer(response)
                    except MalformedAnswer as exc:
                        problem, last_exc = str(exc), exc
                    else:
                        self._failed_in_a_row = 0
                        return data
            limited = 0
            logger.info("%s: %s (try %d of %d)", where, problem, failed + 1, self.retries + 1)
            if failed == self.retries:
                break
            self._wait(self.retry.backoff_wait(failed + 1), "after a failed request")
            failed += 1
        tries = f"{self.retries + 1} tr{'y' if self.retries == 0 else 'ies'}"
        error = SourceError(
            f"{where}: {problem} after {tries}; the service may be down, retry later")
        self._failed_in_a_row += 1
        if self._failed_in_a_row >= self.max_failed_calls:
            # an outage: every further call would spend its whole backoff too, so stop asking
            # this host for the rest of the run
            self._down = ServiceUnavailable(
                f"{self.name}: {self._failed_in_a_row} calls in a row failed after all their "
                f"retries; not asking again in this run (last: {error})"
            )
            logger.warning("%s", self._down)
        raise error from last_exc

    def _unreachable(self, exc: httpx.TransportError) -> NetworkUnavailable:
        """The error of a request that reached no server, kept for every later call.

        Its text goes into failures and the committed snapshot: it names the service and the
        cause, never this machine's URL (logged here instead; ``Settings`` refused a URL that is
        not http(s) at start-up).
        """
        logger.warning("%s cannot be reached at %s (%s: %s)", self.name, self.base_url,
                       type(exc).__name__, exc)
        down = NetworkUnavailable(
            f"{self.name} cannot be reached ({type(exc).__name__}: {exc}); check the network "
            "connection and the API URL, or retry when online")
        self._down = down
        return down

    def _wait(self, seconds: float, reason: str) -> None:
        """Sleep ``seconds``, telling ``on_wait`` before and after."""
        if seconds <= 0:
            return
        if self._on_wait is not None:
            self._on_wait(seconds, reason)
        self.retry.sleep(seconds)
        if self._on_wait is not None:
            self._on_wait(0.0, reason)

    def _rate_limit_wait(self, limited: int, retry_after_header: str | None) -> float:
        """The wait after the ``limited``-th 429 in a row: ``Retry-After`` when given (≤ MAX_WAIT),
        at least the backoff once the server's own wait was not enough; else the backoff."""
        if retry_after_seconds(retry_after_header) is None:
            return self.retry.backoff_wait(limited)
        wait = self.retry.wait(limited, retry_after_header)
        return wait if limited == 1 else max(wait, self.retry.backoff_wait(limited - 1))


class ApiSource:
    """What every source shares: it owns one ``ApiClient`` and stamps what it fetched.

    ``now`` returns the current ``datetime``; every record of one answer gets the same
    ``fetched_at``.
    """

    def __init__(self, client: ApiClient, now: Callable[[], datetime] = utc_now) -> None:
        self.client = client
        self._now = now

    @property
    def request_counts(self) -> Counter[str]:
        """Requests actually sent, per endpoint label, retries included."""
        return self.client.request_counts

    def stamp(self) -> str:
        """``fetched_at`` for what is being read now (ISO 8601 UTC seconds)."""
        return iso_utc(self._now())

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> ApiSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _error_text(response: httpx.Response) -> str:
    """The API's own words about a failed request: S2's ``error`` field, arXiv's ``<summary>``."""
    text = response.text
    try:
        data = json_answer(response)
    except MalformedAnswer:
        data = None
    if isinstance(data, dict):
        for key in ("error", "message"):
            if isinstance(message := data.get(key), str):
                return message
    if match := _SUMMARY.search(text):
        return " ".join(match.group(1).split())
    return " ".join(text.split())[:200]


def _final_error(where: str, response: httpx.Response) -> SourceError:
    status = response.status_code
    detail = _error_text(response)
    if status == 404:
        return PaperNotFound(f"{where}: not found (HTTP 404: {detail})")
    if status == 400:
        return BadRequest(f"{where}: the API rejected the request (HTTP 400: {detail})")
    if status in (401, 403):
        return SourceError(
            f"{where}: access denied (HTTP {status}: {detail}); check the API key"
        )
    return SourceError(f"{where}: HTTP {status}: {detail}")
