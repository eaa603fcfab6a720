"""The one HTTP edge: deadline per request, redirects that keep credentials at their origin,
bounded bodies and JSON, strict Atom. Against a local hostile server (SYNTHETIC answers)."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from conftest import SHARED
from hostile import HostileServer, deep_json, gzip_bomb

from rsvlm_graph.sources.transport import (
    AnswerTooLarge,
    DeadlineExceeded,
    HttpPolicy,
    MalformedAnswer,
    RedirectRefused,
    RetryPolicy,
    atom_answer,
    json_answer,
    open_client,
)

REFERENCE = SHARED / "reference" / "arxiv"
SECRETS = {"x-api-key": "SYNTHETIC-key", "Authorization": "Bearer SYNTHETIC-token",
           "Cookie": "session=SYNTHETIC"}


@pytest.fixture()
def api():
    with HostileServer() as server:
        yield server


@pytest.fixture()
def sink():
    with HostileServer() as server:
        yield server


def test_a_redirect_to_another_origin_reaches_it_without_credentials(api, sink):
    sink.answer("/sink", 200, b'{"ok": true}')
    api.answer("/p", 302, headers={"Location": sink.url("/sink")})
    with open_client(HttpPolicy(), headers={**SECRETS, "User-Agent": "ua"},
                     auth=httpx.BasicAuth("bob", "SYNTHETIC-pw")) as client:
        assert client.get(api.url("/p")).json() == {"ok": True}
    (at_api,), (at_sink,) = api.to("/p"), sink.to("/sink")
    assert at_api.headers["x-api-key"] == "SYNTHETIC-key"  # the origin they were given for
    assert not {"x-api-key", "authorization", "cookie"} & set(at_sink.headers)
    assert at_sink.headers["user-agent"] == "ua"


def test_a_redirect_within_the_origin_keeps_them(api):
    api.answer("/a", 307, headers={"Location": "/b"})
    api.answer("/b", 200, b"[]")
    with open_client(HttpPolicy(), headers=SECRETS) as client:
        client.post(api.url("/a"), json={"x": 1}).raise_for_status()
    (hop,) = api.to("/b")
    assert hop.method == "POST" and hop.headers["x-api-key"] == "SYNTHETIC-key"


def test_credentials_once_dropped_stay_dropped_on_the_way_back(api, sink):
    api.answer("/p", 302, headers={"Location": sink.url("/bounce")})
    sink.answer("/bounce", 302, headers={"Location": api.url("/back")})
    api.answer("/back", 200, b"{}")
    with open_client(HttpPolicy(), headers=SECRETS) as client:
        client.get(api.url("/p"))
    (back,) = api.to("/back")
    assert "x-api-key" not in back.headers


def test_a_redirect_loop_ends_with_one_error(api):
    api.answer("/loop", 302, headers={"Location": "/loop"})
    with open_client(HttpPolicy(max_redirects=4), headers=SECRETS) as client:
        with pytest.raises(httpx.TooManyRedirects, match="more than 4 redirects"):
            client.get(api.url("/loop"))
    assert len(api.to("/loop")) == 5


@pytest.mark.parametrize("location", ["file:///etc/passwd", "gopher://x/", "http://[::1"])
def test_a_redirect_off_http_is_refused(api, location):
    api.answer("/p", 301, headers={"Location": location})
    with open_client(HttpPolicy()) as client, pytest.raises(RedirectRefused):
        client.get(api.url("/p"))


@pytest.mark.parametrize("headers_too", [False, True])
def test_the_deadline_bounds_the_whole_request_not_each_read(api, headers_too):
    api.drip("/slow", every=0.05, headers_too=headers_too)  # a byte well within any read timeout
    started = time.monotonic()
    with open_client(HttpPolicy(deadline=1.0)) as client:
        with pytest.raises(DeadlineExceeded, match="within 1 s"):
            client.get(api.url("/slow"))
    assert time.monotonic() - started < 5


def test_the_deadline_bounds_a_streamed_body_too(api):
    api.drip("/slow", every=0.05)
    with open_client(HttpPolicy(deadline=1.0)) as client:
        with client.stream("GET", api.url("/slow")) as response, pytest.raises(DeadlineExceeded):
            response.read()


def test_a_body_over_the_bound_is_refused_before_or_while_read(api):
    api.answer("/declared", 200, b"x" * 2000)
    api.behave("/undeclared", lambda h: (h.wfile.write(
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"y" * 5000), h.wfile.flush()))
    with open_client(HttpPolicy(max_bytes=1000)) as client:
        for path in ("/declared", "/undeclared"):
            with pytest.raises(AnswerTooLarge, match="more than 1,000 bytes"):
                client.get(api.url(path))


def test_a_gzip_bomb_is_refused_by_its_decoded_size(api):
    api.answer("/bomb", 200, gzip_bomb(200_000_000), {"Content-Encoding": "gzip"})
    api.answer("/small", 200, gzip_bomb(1000), {"Content-Encoding": "gzip"})
    with open_client(HttpPolicy(max_bytes=1_000_000)) as client:
        assert client.get(api.url("/small")).content == b"\0" * 1000
        with pytest.raises(AnswerTooLarge):
            client.get(api.url("/bomb"))


def test_an_encoding_not_asked_for_is_refused(api):
    api.answer("/br", 200, b"\x1b\x00", {"Content-Encoding": "br"})
    with open_client(HttpPolicy()) as client, pytest.raises(AnswerTooLarge, match="not asked for"):
        client.get(api.url("/br"))


def test_json_nested_100000_deep_is_a_malformed_answer_not_a_recursion_error():
    with pytest.raises(MalformedAnswer, match="nested deeper than 64"):
        json_answer(httpx.Response(200, content=deep_json(100_000)))
    with pytest.raises(MalformedAnswer, match="nested deeper than 64"):
        json_answer(httpx.Response(200, content=deep_json(65)))
    assert json_answer(httpx.Response(200, content=deep_json(64))) is not None


@pytest.mark.parametrize("body", [
    b"<!doctype html><html><body>Service temporarily unavailable</body></html>",
    b'{"feed": []}',
    b"",
    b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>",
    # a feed cut off half-way: its missing entries must not read as "not found"
    b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry><id>x</id>",
])
def test_a_body_that_is_not_a_well_formed_atom_feed_is_malformed(body):
    with pytest.raises(MalformedAnswer, match="Atom feed"):
        atom_answer(httpx.Response(200, content=body))


def test_entities_of_a_feed_are_not_expanded():
    laughs = (b"<?xml version='1.0'?><!DOCTYPE feed [<!ENTITY a 'aaaaaaaaaa'>"
              b"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
              b"<feed xmlns='http://www.w3.org/2005/Atom'><title>&b;</title></feed>")
    assert atom_answer(httpx.Response(200, content=laughs)) == laughs


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is absent")
def test_real_arxiv_feeds_are_atom():
    for path in REFERENCE.glob("id_*.json"):
        recorded = json.loads(path.read_text(encoding="utf-8"))
        body = recorded["body"].encode("utf-8")
        assert atom_answer(httpx.Response(recorded["status_code"], content=body)) == body


def test_one_retry_schedule():
    policy = RetryPolicy(backoff=0.5, max_wait=3.0)
    assert [policy.wait(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert policy.wait(1, "2") == 2.0 and policy.wait(1, "nan") == 0.5
    assert RetryPolicy(jitter=lambda: 1.0).backoff_wait(1) == 1.5
    with pytest.raises(ValueError):
        RetryPolicy(retries=-1)
