"""ApiClient: rate limit, retries, Retry-After, error translation, fail-fast when offline."""

from __future__ import annotations

import json

import httpx
import pytest
from conftest import SteppedClock, closed_port_url

from rsvlm_graph.errors import (
    BadRequest,
    NetworkUnavailable,
    PaperNotFound,
    RateLimited,
    ServiceUnavailable,
    SourceDown,
    SourceError,
)
from rsvlm_graph.sources.http import (
    MAX_FAILED_CALLS,
    MAX_WAIT,
    ApiClient,
    retry_after_seconds,
)


def scripted(*responses: httpx.Response | Exception):
    """A MockTransport answering with ``responses`` in turn, recording the requests."""
    queue = list(responses)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return httpx.MockTransport(handler), seen


def make_client(transport, clock: SteppedClock, **kwargs) -> ApiClient:
    options = dict(name="Test API", min_interval=0.0, timeout=5.0, retries=3,
                   headers={"x-api-key": "k"}, transport=transport, sleep=clock.sleep,
                   clock=clock, jitter=lambda: 0.0)
    options.update(kwargs)
    return ApiClient("https://api.example.org", **options)


def test_retries_5xx_then_succeeds_with_exponential_backoff():
    transport, seen = scripted(httpx.Response(503), httpx.Response(502),
                               httpx.Response(200, json={"ok": True}))
    clock = SteppedClock()
    with make_client(transport, clock) as client:
        assert client.get_json("/x", endpoint="x") == {"ok": True}
        assert client.request_counts["x"] == 3
    assert clock.sleeps == [1.0, 2.0]
    assert all(r.headers["x-api-key"] == "k" for r in seen)


def test_jitter_stretches_backoff():
    transport, _ = scripted(httpx.Response(500), httpx.Response(200, json=1))
    clock = SteppedClock()
    with make_client(transport, clock, jitter=lambda: 0.5) as client:
        client.get_json("/x", endpoint="x")
    assert clock.sleeps == [1.25]


def test_retry_after_is_honoured_and_capped():
    transport, _ = scripted(
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(429, headers={"Retry-After": "100000"}),
        httpx.Response(200, json=[]),
    )
    clock = SteppedClock()
    with make_client(transport, clock) as client:
        assert client.get_json("/x", endpoint="x") == []
    assert clock.sleeps == [7.0, MAX_WAIT]


def test_429s_are_retried_past_the_retry_budget_until_they_go_through():
    transport, seen = scripted(*[httpx.Response(429)] * 6, httpx.Response(200, json={"ok": 1}))
    clock = SteppedClock()
    with make_client(transport, clock, retries=2) as client:
        assert client.get_json("/x", endpoint="x") == {"ok": 1}
    assert len(seen) == 7
    assert clock.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]


def test_429s_give_up_after_the_patience_with_the_hint():
    transport, seen = scripted(*[httpx.Response(429)] * 10)
    clock = SteppedClock()
    with make_client(transport, clock, patience=10.0, rate_limit_hint="set S2_API_KEY") as client:
        with pytest.raises(RateLimited, match=r"after 4 tries and 7 s of waiting.*set S2_API_KEY"):
            client.get_json("/x", endpoint="x")
    assert clock.sleeps == [1.0, 2.0, 4.0]  # the next wait (8 s) would outlast the patience
    assert len(seen) == 4


def test_a_retry_after_that_was_not_enough_is_followed_by_the_backoff():
    transport, _ = scripted(*[httpx.Response(429, headers={"Retry-After": "0"})] * 3,
                            httpx.Response(200, json=1))
    clock = SteppedClock()
    with make_client(transport, clock) as client:
        assert client.get_json("/x", endpoint="x") == 1
    assert clock.sleeps == [1.0, 2.0]  # the first Retry-After: 0 honoured as it is


def test_429s_never_mark_the_host_down_and_never_spend_the_retries():
    answers = [httpx.Response(429)] * (3 * MAX_FAILED_CALLS) + [httpx.Response(200, json=1)]
    transport, seen = scripted(*answers)
    with make_client(transport, SteppedClock(), retries=0, patience=0.0) as client:
        for _ in range(3 * MAX_FAILED_CALLS):
            with pytest.raises(RateLimited) as info:
                client.get_json("/x", endpoint="x")
            assert not isinstance(info.value, NetworkUnavailable)
        assert client.get_json("/x", endpoint="x") == 1
    assert len(seen) == len(answers)


def test_waits_are_told_to_on_wait_before_and_after():
    transport, _ = scripted(httpx.Response(429, headers={"Retry-After": "7"}),
                            httpx.Response(503), httpx.Response(200, json=1))
    told: list[tuple[float, str]] = []
    with make_client(transport, SteppedClock(), on_wait=lambda s, why: told.append((s, why))) as client:
        client.get_json("/x", endpoint="x")
    assert told == [(7.0, "rate limited (HTTP 429)"), (0.0, "rate limited (HTTP 429)"),
                    (1.0, "after a failed request"), (0.0, "after a failed request")]


def test_persistent_5xx_raises_source_error_after_bounded_tries():
    transport, seen = scripted(*[httpx.Response(504)] * 4)
    clock = SteppedClock()
    with make_client(transport, clock) as client:
        with pytest.raises(SourceError, match="HTTP 504") as info:
            client.get_json("/x", endpoint="x")
    assert not isinstance(info.value, RateLimited)
    assert len(seen) == 4


def test_malformed_json_and_timeouts_are_retried():
    transport, seen = scripted(
        httpx.Response(200, content=b'{"broken'),
        httpx.ReadTimeout("slow"),
        httpx.Response(200, json={"fine": 1}),
    )
    with make_client(transport, SteppedClock()) as client:
        assert client.get_json("/x", endpoint="x") == {"fine": 1}
    assert len(seen) == 3


def test_malformed_json_every_time_raises_with_cause():
    transport, _ = scripted(*[httpx.Response(200, content=b"<html>")] * 2)
    with make_client(transport, SteppedClock(), retries=1) as client:
        with pytest.raises(SourceError, match="malformed JSON") as info:
            client.get_json("/x", endpoint="x")
    assert isinstance(info.value.__cause__, ValueError)


@pytest.mark.parametrize(
    ("status", "body", "error", "text"),
    [
        (404, {"error": "Paper with id X not found"}, PaperNotFound, "Paper with id X not found"),
        (400, {"error": "Unrecognized or unsupported fields: [x]"}, BadRequest,
         "Unrecognized or unsupported fields"),
        (403, {"message": "Forbidden"}, SourceError, "check the API key"),
    ],
)
def test_client_errors_are_final_and_carry_the_api_text(status, body, error, text):
    transport, seen = scripted(httpx.Response(status, json=body))
    with make_client(transport, SteppedClock()) as client:
        with pytest.raises(error, match=text):
            client.get_json("/x", endpoint="x")
    assert len(seen) == 1


def test_arxiv_style_400_feed_text_is_quoted():
    feed = b"<feed><entry><summary>incorrect id format for abc</summary></entry></feed>"
    transport, _ = scripted(httpx.Response(400, content=feed))
    with make_client(transport, SteppedClock()) as client:
        with pytest.raises(BadRequest, match="incorrect id format for abc"):
            client.get_atom("https://export.example.org/api/query", {"id_list": "abc"},
                            endpoint="arxiv")


def test_min_interval_spaces_requests():
    transport, _ = scripted(*[httpx.Response(200, json=i) for i in range(3)])
    clock = SteppedClock()
    with make_client(transport, clock, min_interval=3.0) as client:
        for _ in range(3):
            client.get_json("/x", endpoint="x")
    assert clock.sleeps == [3.0, 3.0]


def test_post_json_sends_body_params_and_headers():
    transport, seen = scripted(httpx.Response(200, json=[None]))
    with make_client(transport, SteppedClock()) as client:
        assert client.post_json("/batch", {"fields": "title"}, {"ids": ["a"]},
                                endpoint="batch") == [None]
    assert seen[0].method == "POST"
    assert seen[0].url.params["fields"] == "title"
    assert json.loads(seen[0].content) == {"ids": ["a"]}
    assert seen[0].headers["x-api-key"] == "k"


def test_an_unreachable_host_fails_fast_and_is_remembered():
    clock = SteppedClock()
    client = ApiClient(closed_port_url(), name="Nowhere", min_interval=0.0, timeout=5.0, retries=5,
                       sleep=clock.sleep, clock=clock)
    with client:
        with pytest.raises(NetworkUnavailable, match="cannot be reached"):
            client.get_json("/x", endpoint="x")
        with pytest.raises(NetworkUnavailable):
            client.get_json("/y", endpoint="y")
    # tried once, and not counted as a request: nothing reached a server
    assert client.unsent_counts == {"x": 1} and client.request_counts == {}
    assert clock.sleeps == []


def test_retry_after_parsing():
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after_seconds("") is None


def test_connect_timeout_counts_as_unreachable():
    transport, seen = scripted(httpx.ConnectTimeout("no answer"))
    clock = SteppedClock()
    with make_client(transport, clock) as client:
        with pytest.raises(NetworkUnavailable, match="ConnectTimeout"):
            client.get_json("/x", endpoint="x")
        with pytest.raises(NetworkUnavailable):
            client.get_atom("/y", endpoint="y")
    assert len(seen) == 1 and clock.sleeps == []


def test_calls_failing_in_a_row_mark_the_host_down():
    transport, seen = scripted(*[httpx.Response(503)] * (2 * MAX_FAILED_CALLS))
    clock = SteppedClock()
    with make_client(transport, clock, retries=1) as client:
        for _ in range(MAX_FAILED_CALLS):
            with pytest.raises(SourceError, match="HTTP 503") as info:
                client.get_json("/x", endpoint="x")
            assert not isinstance(info.value, SourceDown)
        # an outage of the service, not of the network: the next call does not spend another
        # round of backoff
        with pytest.raises(ServiceUnavailable, match="in a row.*HTTP 503"):
            client.get_json("/x", endpoint="x")
    assert len(seen) == 2 * MAX_FAILED_CALLS


def test_an_answer_in_between_resets_the_count_of_failed_calls():
    answers = []
    for _ in range(3):
        answers += [httpx.Response(503)] * 2 * (MAX_FAILED_CALLS - 1)
        answers.append(httpx.Response(404, json={"error": "Paper with id X not found"}))
    transport, seen = scripted(*answers)
    with make_client(transport, SteppedClock(), retries=1) as client:
        for _ in range(3):
            for _ in range(MAX_FAILED_CALLS - 1):
                with pytest.raises(SourceError, match="HTTP 503"):
                    client.get_json("/x", endpoint="x")
            with pytest.raises(PaperNotFound):
                client.get_json("/x", endpoint="x")
    assert len(seen) == len(answers)
