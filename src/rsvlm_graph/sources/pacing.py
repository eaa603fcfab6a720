"""When the next request may start: a fixed interval (an API key, arXiv) or Semantic Scholar's
keyless shared pool.

Without a key, Semantic Scholar serves everyone from one pool of about 100 requests per 300 s and
answers HTTP 429 beyond it, often without ``Retry-After``. :class:`SharedPool` keeps this client
inside that pool as a sliding window, so the first ``requests`` go at once and the next one waits
until the oldest has left the window; when 429s still come (others draw from the same pool) it
shrinks its budget to what got through and waits for the window to free, then grows back one
request per success. With a key, :class:`Interval` spaces request starts by ``1 / RSVLM_S2_RATE``.

A pacer never sleeps itself: :class:`~rsvlm_graph.sources.http.ApiClient` asks ``delay()``,
sleeps (through its injectable ``sleep``, telling its ``on_wait`` callback) and then reports
``started()`` and ``finished(rate_limited)``. The clock is injectable, so tests drive it.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

__all__ = [
    "Pacer",
    "Interval",
    "SharedPool",
    "pool_floor_seconds",
    "interval_floor_seconds",
]

class Pacer(Protocol):
    """What ``ApiClient`` asks before and tells after every request it sends."""

    #: why a wait happens, as the progress line shows it ("for the shared pool")
    reason: str

    def delay(self) -> float:
        """Seconds to wait before the next request may start (0 when it may go now)."""
        ...

    def started(self) -> None:
        """A request is being sent now."""
        ...

    def finished(self, rate_limited: bool) -> None:
        """The request sent last has been answered (``rate_limited``: with HTTP 429) or failed."""
        ...


class Interval:
    """At least ``seconds`` between the starts of two requests (1 / RSVLM_S2_RATE, arXiv's 3 s).

    >>> now = [10.0]
    >>> pacer = Interval(3.0, clock=lambda: now[0])
    >>> pacer.delay(); pacer.started(); now[0] = 11.0; pacer.delay()
    0.0
    2.0
    """

    reason = "between requests"

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = max(0.0, seconds)
        self._clock = clock
        self._last_start: float | None = None

    def delay(self) -> float:
        if self._last_start is None:
            return 0.0
        return max(0.0, self._last_start + self.seconds - self._clock())

    def started(self) -> None:
        self._last_start = self._clock()

    def finished(self, rate_limited: bool) -> None:
        """Nothing to learn: 429s are the client's backoff's business."""


class SharedPool:
    """At most ``requests`` per sliding ``seconds``, adapting when 429s say the pool is shared.

    Each request is counted from the moment its answer arrives: the server counted it no later,
    so once that moment has left the window the server's window has let it go too.

    ``budget`` starts at ``requests``. A 429 shrinks it to the requests of this client the pool
    let through in the window (at least 1); the next ``delay()`` then waits until enough of them
    have left the window. Each request answered without 429 grows it by one, up to ``requests``.

    >>> now = [0.0]
    >>> pool = SharedPool(2, 10.0, clock=lambda: now[0])
    >>> for _ in range(2):
    ...     pool.delay(), pool.started(), pool.finished(False)
    (0.0, None, None)
    (0.0, None, None)
    >>> pool.delay()
    10.0
    >>> now[0] = 4.0; pool.delay()
    6.0
    """

    reason = "for the shared pool"

    def __init__(self, requests: int, seconds: float, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if requests < 1:
            raise ValueError(f"a pool allows at least 1 request, not {requests}")
        self.requests = requests
        self.seconds = max(0.0, seconds)
        self.budget = requests
        self._clock = clock
        self._answered: deque[float] = deque()  # answer times of the requests in the window

    def _in_window(self) -> int:
        horizon = self._clock() - self.seconds
        while self._answered and self._answered[0] <= horizon:
            self._answered.popleft()
        return len(self._answered)

    def delay(self) -> float:
        sent = self._in_window()
        if sent < self.budget:
            return 0.0
        # the request that must leave the window before ``sent`` drops below the budget
        frees_at = self._answered[sent - self.budget] + self.seconds
        return max(0.0, frees_at - self._clock())

    def started(self) -> None:
        """Counted when answered (see the class docstring)."""

    def finished(self, rate_limited: bool) -> None:
        self._answered.append(self._clock())
        if rate_limited:
            # others use the rest of the pool: our share is what got through in this window
            self.budget = max(1, min(self.budget, self._in_window()) - 1)
        else:
            self.budget = min(self.requests, self.budget + 1)


def pool_floor_seconds(requests: int, pool_requests: int, pool_seconds: float) -> float:
    """The least wall time ``requests`` take in a sliding pool: ⌊(requests − 1) / pool⌋ windows.

    >>> pool_floor_seconds(100, 100, 300), pool_floor_seconds(101, 100, 300)
    (0.0, 300.0)
    >>> pool_floor_seconds(335, 100, 300), pool_floor_seconds(0, 100, 300)
    (900.0, 0.0)
    """
    if requests <= 1:
        return 0.0
    return float(math.floor((requests - 1) / pool_requests) * pool_seconds)


def interval_floor_seconds(requests: int, per_second: float) -> float:
    """The least wall time ``requests`` take at ``per_second`` requests per second.

    >>> interval_floor_seconds(61, 1.0), interval_floor_seconds(1, 1.0)
    (60.0, 0.0)
    """
    if requests <= 1 or per_second <= 0:
        return 0.0
    return (requests - 1) / per_second
