"""The one HTTP transport every source goes through: rate limit, timeouts, retries, API key.

Sources never call httpx themselves. ``ApiClient`` sends each request at most ``retries + 1``
times, spaces requests by ``min_interval`` seconds, and turns every way a request can fail into
one exception from :mod:`rsvlm_graph.errors`, translated here and nowhere else:

=====================================  ==========================================================
what happened                          outcome
=====================================  ==========================================================
HTTP 429                               wait ``Retry-After`` (else exponential backoff), retry;
                                       ``RateLimited`` once the budget is spent
HTTP 500/502/503/504, read timeout,    backoff and retry; ``SourceError`` once the budget is spent
broken connection, malformed JSON
HTTP 404                               ``PaperNotFound`` at once
HTTP 400                               ``BadRequest`` at once, with the API's ``error`` text
other 4xx                              ``SourceError`` at once
DNS failure, connection refused,       ``NetworkUnavailable`` at once, and every later call on
connect timeout, a URL that is not     this client fails the same way without trying again
http(s)
``MAX_FAILED_CALLS`` calls in a row    the last one's error; every later call on this client
spent their retries (429, 5xx, …)      fails at once with ``NetworkUnavailable``
=====================================  ==========================================================

``sleep`` and ``clock`` are injectable so the tests can run the waits instantly and record them.
"""

from __future__ import annotations

import json as jsonlib
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import httpx

from .. import __version__
from ..config import utc_now
from ..errors import (
    BadRequest,
    NetworkUnavailable,
    PaperNotFound,
    RateLimited,
    SourceError,
)
from ..models import iso_utc

__all__ = [
    "ApiClient",
    "ApiSource",
    "RETRY_STATUSES",
    "DEFAULT_BACKOFF_BASE",
    "MAX_WAIT",
    "MAX_FAILED_CALLS",
    "user_agent",
    "utc_now",
]

logger = logging.getLogger(__name__)

#: server-side failures worth another try; every other 4xx/5xx is final
RETRY_STATUSES = frozenset({500, 502, 503, 504})
#: first backoff wait in seconds; doubles on every further failure
DEFAULT_BACKOFF_BASE = 1.0
#: no single wait (backoff or Retry-After) is longer than this many seconds
MAX_WAIT = 120.0
#: calls in a row that spend all their retries before the host counts as down for this run: each
#: costs about a minute of backoff, and an outage would otherwise cost that for every paper
MAX_FAILED_CALLS = 5

_SUMMARY = re.compile(r"<summary>(.*?)</summary>", re.DOTALL)


def user_agent(contact_email: str | None) -> str:
    """The User-Agent every request carries, with a contact address when one is configured.

    >>> user_agent("me@example.org")
    'rsvlm-graph/0.1.0 (mailto:me@example.org)'
    """
    contact = f" (mailto:{contact_email})" if contact_email else ""
    return f"rsvlm-graph/{__version__}{contact}"




class ApiClient:
    """One API host behind one ``httpx.Client``, with the project's rate limit and retry policy.

    Parameters
    ----------
    base_url : str
        Scheme, host and optional path prefix; relative paths given to the request methods are
        appended to it.
    name : str
        The API's display name, used in every error message (``"Semantic Scholar"``).
    min_interval : float
        Minimum seconds between the starts of two requests on this client (retries included).
    timeout : float
        Seconds allowed for connecting, and for each read, of every request.
    retries : int
        How many times a failed request (429, 5xx, timeout, malformed JSON) is tried again.
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
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be >= 0, not {retries}")
        self.name = name
        self.base_url = base_url
        self.min_interval = max(0.0, min_interval)
        self.retries = retries
        self.rate_limit_hint = rate_limit_hint
        self.backoff_base = backoff_base
        self.max_failed_calls = max(1, max_failed_calls)
        self.request_counts: Counter[str] = Counter()
        self._sleep = sleep
        self._clock = clock
        self._jitter = jitter
        self._last_start: float | None = None
        self._unreachable: str | None = None
        self._failed_in_a_row = 0
        self._client = httpx.Client(
            base_url=base_url,
            headers=dict(headers or {}),
            timeout=httpx.Timeout(timeout),
            transport=transport,
            # arXiv answers http:// with a redirect to https://
            follow_redirects=True,
        )

    # -- public request methods ------------------------------------------------------------

    def get_json(
        self, path: str, params: Mapping[str, Any] | None = None, *, endpoint: str
    ) -> Any:
        """GET ``path`` and return its decoded JSON body (see the class docstring for failures)."""
        return self._request("GET", path, params=params, body=None, endpoint=endpoint, as_json=True)

    def post_json(
        self, path: str, params: Mapping[str, Any] | None, json: Any, *, endpoint: str
    ) -> Any:
        """POST ``json`` to ``path`` and return the decoded JSON answer."""
        return self._request(
            "POST", path, params=params, body=json, endpoint=endpoint, as_json=True
        )

    def get_text(
        self, url_or_path: str, params: Mapping[str, Any] | None = None, *, endpoint: str
    ) -> str:
        """GET a path or an absolute URL and return the body as text (arXiv's Atom feeds)."""
        text: str = self._request(
            "GET", url_or_path, params=params, body=None, endpoint=endpoint, as_json=False
        )
        return text

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
        as_json: bool,
    ) -> Any:
        if self._unreachable is not None:
            # fail fast: a host that refused once will refuse again, and an offline run must
            # not spend minutes rediscovering that for every paper
            raise NetworkUnavailable(self._unreachable)
        where = f"{self.name} {method} {path}"
        problem = ""
        last_exc: Exception | None = None
        rate_limited = False
        wait = 0.0
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(wait)
            self._throttle()
            self.request_counts[endpoint] += 1
            retry_after: float | None = None
            try:
                response = self._client.request(
                    method, path, params=dict(params) if params else None, json=body
                )
            except httpx.UnsupportedProtocol as exc:
                # a URL without http:// or https:// fails every request alike: retrying only waits
                self._unreachable = (
                    f"{self.name}: the API URL {self.base_url!r} is not an http(s) URL ({exc}); "
                    "correct it (RSVLM_S2_API_URL / RSVLM_ARXIV_API_URL)"
                )
                raise NetworkUnavailable(self._unreachable) from exc
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # no connection within the whole timeout is as final as a refusal: a host that
                # does not answer at all will not answer the next paper either
                self._unreachable = (
                    f"{self.name} cannot be reached ({type(exc).__name__}: {exc}); check the "
                    f"network connection and the API URL {self.base_url!r}, or retry when online"
                )
                raise NetworkUnavailable(self._unreachable) from exc
            except httpx.TimeoutException as exc:
                problem, last_exc, rate_limited = f"timed out ({type(exc).__name__})", exc, False
            except httpx.TransportError as exc:
                # connection reset or a protocol error half-way: the host exists, try again
                problem, last_exc, rate_limited = f"connection broke ({exc})", exc, False
            else:
                status = response.status_code
                if status == 429:
                    retry_after = _retry_after_seconds(response.headers.get("retry-after"))
                    problem, last_exc, rate_limited = "HTTP 429 (rate limited)", None, True
                elif status in RETRY_STATUSES:
                    problem = f"HTTP {status} {_error_text(response)}"
                    last_exc, rate_limited = None, False
                elif status >= 400:
                    self._failed_in_a_row = 0  # the host answers: it is up
                    raise _final_error(where, response)
                elif not as_json:
                    self._failed_in_a_row = 0
                    return response.text
                else:
                    try:
                        data = response.json()
                    except ValueError as exc:
                        problem, last_exc, rate_limited = "answered malformed JSON", exc, False
                    else:
                        self._failed_in_a_row = 0
                        return data
            wait = self._wait_before_retry(attempt, retry_after)
            logger.info("%s: %s (try %d of %d)", where, problem, attempt + 1, self.retries + 1)
        tries = f"{self.retries + 1} tr{'y' if self.retries == 0 else 'ies'}"
        error = (
            RateLimited(f"{where}: still rate limited (HTTP 429) after {tries}; "
                        f"{self.rate_limit_hint}")
            if rate_limited else
            SourceError(f"{where}: {problem} after {tries}; the service may be down, retry later")
        )
        self._failed_in_a_row += 1
        if self._failed_in_a_row >= self.max_failed_calls:
            # an outage or an exhausted rate limit: every further call would spend its whole
            # backoff too, so stop asking this host for the rest of the run
            self._unreachable = (
                f"{self.name}: {self._failed_in_a_row} calls in a row failed after all their "
                f"retries; not asking again in this run (last: {error})"
            )
            logger.warning("%s", self._unreachable)
        raise error from last_exc

    def _throttle(self) -> None:
        """Sleep until ``min_interval`` has passed since the previous request started."""
        if self._last_start is not None:
            remaining = self._last_start + self.min_interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last_start = self._clock()

    def _wait_before_retry(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_WAIT)
        backoff = self.backoff_base * 2.0**attempt
        jitter: float = self._jitter()
        return min(backoff * (1 + jitter / 2), MAX_WAIT)


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


def _retry_after_seconds(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), else ``None``.

    >>> _retry_after_seconds("7"), _retry_after_seconds(None), _retry_after_seconds("soon")
    (7.0, None, None)
    """
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _error_text(response: httpx.Response) -> str:
    """The API's own words about a failed request: S2's ``error`` field, arXiv's ``<summary>``."""
    text = response.text
    try:
        data = jsonlib.loads(text)
    except ValueError:
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
