"""Pacing: Semantic Scholar's keyless shared pool as a sliding window that adapts to 429s, the
interval of a key, and ApiClient against a pool others share (a MockTransport, a moved clock)."""

from __future__ import annotations

from collections import deque

import httpx
import pytest
from conftest import SteppedClock as Clock

from rsvlm_graph.config import Settings
from rsvlm_graph.errors import RateLimited
from rsvlm_graph.sources.http import ApiClient
from rsvlm_graph.sources.pacing import (
    Interval,
    SharedPool,
    interval_floor_seconds,
    pool_floor_seconds,
)
from rsvlm_graph.sources.semantic_scholar import client_for


def send(pool: SharedPool, clock: Clock, rate_limited: bool = False) -> float:
    """One request as ApiClient sends it: wait as the pool says, send, tell the answer."""
    waited = pool.delay()
    clock.sleep(waited) if waited else None
    pool.started()
    pool.finished(rate_limited)
    return waited


def test_the_first_requests_go_at_once_and_the_next_waits_until_the_oldest_leaves_the_window():
    clock = Clock()
    pool = SharedPool(5, 60.0, clock=clock)
    assert [send(pool, clock) for _ in range(5)] == [0.0] * 5
    assert send(pool, clock) == 60.0
    assert send(pool, clock) == 0.0  # the first five left the window together


def test_the_window_slides_request_by_request():
    clock = Clock()
    pool = SharedPool(3, 30.0, clock=clock)
    for gap in (0.0, 10.0, 10.0):  # requests at 0, 10, 20
        clock.now += gap
        send(pool, clock)
    clock.now += 1.0  # t = 21: the one at 0 leaves at 30
    assert pool.delay() == pytest.approx(9.0)
    clock.now += 9.0
    assert pool.delay() == 0.0


def test_a_429_shrinks_the_budget_to_what_got_through_and_success_grows_it_back():
    clock = Clock()
    pool = SharedPool(10, 60.0, clock=clock)
    for _ in range(6):
        send(pool, clock)
    send(pool, clock, rate_limited=True)  # others hold the rest of the pool
    assert pool.budget == 6
    assert pool.delay() == 60.0  # wait for the window rather than hammer the pool
    send(pool, clock)
    assert pool.budget == 7
    for _ in range(5):
        send(pool, clock)
    assert pool.budget == 10  # never above the pool


def test_a_429_with_nothing_else_in_the_window_keeps_a_budget_of_one():
    clock = Clock()
    pool = SharedPool(100, 300.0, clock=clock)
    send(pool, clock, rate_limited=True)  # a previous run used the pool up
    assert pool.budget == 1
    assert pool.delay() == 300.0


def test_a_zero_window_never_waits():
    clock = Clock()
    pool = SharedPool(1, 0.0, clock=clock)
    assert [send(pool, clock) for _ in range(5)] == [0.0] * 5


def test_interval_spaces_the_starts():
    clock = Clock()
    pacer = Interval(1.0, clock=clock)
    assert pacer.delay() == 0.0
    pacer.started()
    clock.now += 0.25
    pacer.finished(True)  # a 429 teaches an interval nothing
    assert pacer.delay() == 0.75


def test_the_floors():
    assert pool_floor_seconds(335, 100, 300.0) == 900.0
    assert pool_floor_seconds(300, 100, 300.0) == 600.0
    assert pool_floor_seconds(301, 100, 300.0) == 900.0
    assert interval_floor_seconds(335, 1.0) == 334.0


def test_without_a_key_the_client_paces_to_the_pool_the_settings_describe():
    keyless = client_for(Settings(s2_pool_requests=7, s2_pool_seconds=42.0,
                                  rate_limit_patience=99.0))
    keyed = client_for(Settings(s2_api_key="SYNTHETIC", s2_rate=4.0))
    with keyless, keyed:
        assert isinstance(keyless.pacer, SharedPool)
        assert (keyless.pacer.requests, keyless.pacer.seconds, keyless.patience) == (7, 42.0, 99.0)
        assert isinstance(keyed.pacer, Interval) and keyed.pacer.seconds == 0.25


class PoolServer:
    """A host with a keyless pool of ``requests`` per sliding ``seconds`` (429 without
    Retry-After beyond it, refused requests not counted) that ``others`` draw from too: every
    ``every`` seconds of the clock they send ``burst`` requests."""

    def __init__(self, clock: Clock, requests: int, seconds: float, *, others: int = 0,
                 every: float = 1.0) -> None:
        self.clock, self.requests, self.seconds = clock, requests, seconds
        self.others, self.every = others, every
        self.served: deque[float] = deque()
        self.answered = self.refused = 0
        self._others_until = clock()

    def _admit(self, now: float) -> bool:
        while self.served and self.served[0] <= now - self.seconds:
            self.served.popleft()
        if len(self.served) >= self.requests:
            return False
        self.served.append(now)
        return True

    def handler(self, request: httpx.Request) -> httpx.Response:
        now = self.clock()
        while self.others and self._others_until <= now:  # the other users' requests so far
            for _ in range(self.others):
                self._admit(self._others_until)
            self._others_until += self.every
        if not self._admit(now):
            self.refused += 1
            return httpx.Response(429, json={"message": "Too Many Requests"})
        self.answered += 1
        return httpx.Response(200, json={"n": self.answered})


def keyless_client(server: PoolServer, clock: Clock, *, patience: float = 1800.0) -> ApiClient:
    return ApiClient(
        "https://api.example.org", name="SYNTHETIC S2", min_interval=0.0, timeout=5.0, retries=0,
        transport=httpx.MockTransport(server.handler), sleep=clock.sleep, clock=clock,
        jitter=lambda: 0.0, pacer=SharedPool(server.requests, server.seconds, clock=clock),
        patience=patience,
    )


def test_alone_in_the_pool_every_request_goes_through_at_the_floor_without_a_429():
    clock = Clock()
    server = PoolServer(clock, requests=10, seconds=60.0)
    start = clock()
    with keyless_client(server, clock) as client:
        answers = [client.get_json("/x", endpoint="x") for _ in range(35)]
    assert [a["n"] for a in answers] == list(range(1, 36))
    assert server.refused == 0
    assert clock() - start == pool_floor_seconds(35, 10, 60.0) == 180.0


def test_sharing_the_pool_loses_nothing_and_never_gives_up():
    clock = Clock()
    # others take 4 of every 10 requests per minute, one every 15 s
    server = PoolServer(clock, requests=10, seconds=60.0, others=1, every=15.0)
    start = clock()
    with keyless_client(server, clock) as client:
        answers = [client.get_json("/x", endpoint="x") for _ in range(60)]
    assert len(answers) == 60 and server.answered == 60
    # the client learns its share: a handful of 429s per window at most, not one per request
    windows = (clock() - start) / 60.0
    assert server.refused <= 3 * windows + 3
    # at our share of 6 per minute, 60 requests take about ten windows; slower only by a little
    assert clock() - start <= 1.5 * pool_floor_seconds(60, 6, 60.0)


def test_a_pool_that_never_frees_fails_the_request_after_the_patience_not_the_host():
    clock = Clock()
    server = PoolServer(clock, requests=2, seconds=60.0, others=2, every=1.0)  # always full
    with keyless_client(server, clock, patience=600.0) as client:
        for _ in range(8):  # more than MAX_FAILED_CALLS: still asked, each time
            with pytest.raises(RateLimited, match="patience 600 s"):
                client.get_json("/x", endpoint="x")
    assert server.answered == 0 and server.refused > 8
