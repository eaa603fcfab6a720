"""A fake Semantic Scholar + arXiv API on 127.0.0.1, serving a SYNTHETIC corpus.

Nothing this server answers is real: every record comes from :mod:`tests.fakeapi.corpus`. The
*shapes* follow the recorded real responses in ``../shared/reference`` (checked by
``tests/test_fakeapi_reference.py``); the routes are in ``graph_api.py`` (S2 Graph and
Recommendations APIs) and ``arxiv_api.py``, this module is the server around them:

- S2 Graph API: ``GET /graph/v1/paper/{id}`` (40-hex, ``CorpusId:``, ``DOI:``, bare DOI,
  ``ARXIV:``, ``URL:``), ``POST /graph/v1/paper/batch`` (input order, ``null`` for unknown ids,
  at most 500, nested ``citations.*`` / ``references.*``), ``GET /graph/v1/paper/search/match``,
  ``GET /graph/v1/paper/search/bulk``, ``GET /graph/v1/paper/{id}/citations`` and
  ``/references`` (``offset``/``limit``/``next``, ``limit`` ≤ 1000, ``offset + limit`` < 10000,
  ``publicationDateOrYear``), ``fields`` filtering including ``embedding.specter_v2`` and
  ``authors.*``;
- S2 Recommendations API: ``POST /recommendations/v1/papers/``;
- arXiv: ``GET /api/query?id_list=…`` (HTTP 400 feed for a malformed id, unknown well-formed
  ids silently absent).

Every request is recorded (``FakeApi.requests``, ``FakeApi.counts`` per endpoint) and faults can
be switched on per test through ``FakeApi.faults``.

Whatever the switches, a ``fields`` name the endpoint does not serve answers HTTP 400
``{"error": "Unrecognized or unsupported fields: [a, b]"}`` (every bad name, as the real API
lists them) on the paper, batch, match, bulk, citations, references and recommendations
endpoints.

**Realism** (``FakeApi.realism``, a :class:`Realism`). The limits of the real service are on by
default, a test opts out (``Realism.lenient()``, or one switch): each mimics a way the real
service differs from a friendly fake, as recorded in ``../shared/reference`` and its OpenAPI spec
(``s2-openapi/``), with the sources in ``wire.py``:

- ``nested_budget``: one batch answer holds at most 9,999 nested citations and references
  together, the papers past it ``[]``, filled in a non-input order;
- ``single_nested_cap``: a single ``GET /paper/{id}`` holds at most 1,000 of each list;
- ``null_nested_references``: a paper of ``Corpus.elided_references`` has ``"references":
  null`` nested, and no references on its ``/references`` pages;
- ``max_response_bytes``: a batch, bulk or citations/references answer whose JSON would be
  larger is HTTP 400 ``{"error": "Response would exceed maximum size. ..."}`` (10 MB).

Older switches stay off by default (``FakeApi(corpus, real=True)`` turns them on, all but the
pool):

- ``pool``: a :class:`SharedPoolLimit`, the unauthenticated shared pool (100 requests per sliding
  300 s). S2 requests without an ``x-api-key`` header past the budget answer 429 with the real
  body (:data:`TOO_MANY_REQUESTS`) and no ``Retry-After`` unless one is set; refused requests do
  not use up the budget; arXiv and keyed requests are not counted. ``accepted``/``rejected``
  say what happened, so a test or bench can check nothing was lost.
- ``no_next_at_cap``: no ``next`` once a page ends where no further page may start
  (``offset + limit`` must stay < 10000), as the real API ends a 25,000-citation list: only
  ``citationCount`` tells the list was cut (``Corpus.citation_count_override`` sets a count above
  the served edges).
- ``best_title_match``: title match answers its best match whatever the similarity (a partial
  title comes back with the full one, or another paper of the field); 404 ``Title match not
  found`` only when no title shares a word with the query.
- ``recommendations_404``: 404 ``{"error": "Input papers not found"}`` when no positive id is
  known, where the lenient fake answers an empty list.
- ``venues``: ``journal`` and ``publicationVenue`` in the recorded shapes (see
  :func:`fakeapi.corpus.real_venue_fields`), including papers whose ``venue`` is ``""``
  and whose name is only in ``publicationVenue.name`` or only in ``journal.name``.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import graph_api
from .arxiv_api import arxiv_query, empty_feed
from .corpus import Corpus
from .wire import (
    CITATION_CAP,
    NESTED_BUDGET,
    PAPER_FIELD_NAMES,
    RESPONSE_MAX_BYTES,
    S2_ENDPOINTS,
    SINGLE_NESTED_CAP,
    TOO_LARGE,
    TOO_MANY_REQUESTS,
    Answer,
    UnknownField,
    error,
    json_body,
)

__all__ = [
    "FakeApi",
    "Faults",
    "Realism",
    "SharedPoolLimit",
    "RecordedRequest",
    "PAPER_FIELD_NAMES",
    "CITATION_CAP",
    "NESTED_BUDGET",
    "RESPONSE_MAX_BYTES",
    "SINGLE_NESTED_CAP",
    "TOO_MANY_REQUESTS",
    "TOO_LARGE",
    "S2_ENDPOINTS",
]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the fake saw it; header names are lower-cased."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    endpoint: str

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass
class _Fault:
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    malformed: bool = False
    empty: bool = False


@dataclass
class Faults:
    """Per-test misbehaviour. Queued faults are consumed one request at a time per endpoint.

    Endpoints: ``paper``, ``batch``, ``match``, ``citations``, ``references``,
    ``recommendations``, ``arxiv``; ``"*"`` applies to any endpoint.
    """

    null_in_batch: set[str] = field(default_factory=set)  # ids sent that answer null
    changed_ids: dict[str, str] = field(default_factory=dict)  # id sent -> paperId answered
    missing_fields: set[str] = field(default_factory=set)  # top-level keys left out of papers
    rotate_batch: bool = False  # a proxy that rotates every batch answer array by one
    _queues: dict[str, list[_Fault]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, endpoint: str, status: int, times: int = 1, retry_after: str | None = None
             ) -> None:
        """Answer the next ``times`` requests to ``endpoint`` with HTTP ``status``."""
        self._queue(endpoint, times, _Fault(status=status, retry_after=retry_after))

    def rate_limit(self, endpoint: str, times: int = 1, retry_after: str | None = None) -> None:
        """A burst of ``times`` HTTP 429 answers, with ``Retry-After`` if given."""
        self.fail(endpoint, 429, times, retry_after)

    def slow(self, endpoint: str, seconds: float, times: int = 1) -> None:
        """Hold the next ``times`` answers for ``seconds`` (to trip the client's timeout)."""
        self._queue(endpoint, times, _Fault(delay=seconds))

    def empty(self, endpoint: str, times: int = 1) -> None:
        """Answer the next ``times`` requests with a result that holds nothing (arXiv's feed
        now and then leaves out every id it was asked for)."""
        self._queue(endpoint, times, _Fault(empty=True))

    def malformed(self, endpoint: str, times: int = 1) -> None:
        """Answer the next ``times`` requests with HTTP 200 and a truncated JSON body."""
        self._queue(endpoint, times, _Fault(malformed=True))

    def _queue(self, endpoint: str, times: int, fault: _Fault) -> None:
        with self._lock:
            self._queues.setdefault(endpoint, []).extend([fault] * times)

    def take(self, endpoint: str) -> _Fault | None:
        with self._lock:
            for key in (endpoint, "*"):
                if self._queues.get(key):
                    return self._queues[key].pop(0)
        return None


@dataclass
class SharedPoolLimit:
    """S2's keyless shared pool: at most ``requests`` per sliding window of ``seconds``.

    ``clock`` is injectable so tests move time instead of sleeping. ``admit`` is thread-safe; a
    refused request is not counted against the window (the real pool counts what it serves).
    """

    requests: int = 100
    seconds: float = 300.0
    clock: Callable[[], float] = time.monotonic
    retry_after: str | None = None  # the Retry-After header of a 429; the real pool often has none
    accepted: int = field(default=0, init=False)
    rejected: int = field(default=0, init=False)
    _times: deque[float] = field(default_factory=deque, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def admit(self) -> bool:
        """Count one request now if the window has room; ``False`` means answer 429."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            if len(self._times) >= self.requests:
                self.rejected += 1
                return False
            self._times.append(now)
            self.accepted += 1
            return True

    def wait_time(self) -> float:
        """Seconds from now until the window has room again (0.0 if it has room)."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            if len(self._times) < self.requests:
                return 0.0
            return self._times[0] + self.seconds - now

    def _expire(self, now: float) -> None:
        while self._times and self._times[0] <= now - self.seconds:
            self._times.popleft()


@dataclass
class Realism:
    """Which real-API behaviours the fake imitates (module docstring): the limits on by
    default, the older switches off."""

    pool: SharedPoolLimit | None = None
    max_response_bytes: int | None = RESPONSE_MAX_BYTES
    nested_budget: int | None = NESTED_BUDGET
    single_nested_cap: int | None = SINGLE_NESTED_CAP
    null_nested_references: bool = True
    no_next_at_cap: bool = False
    best_title_match: bool = False
    recommendations_404: bool = False
    venues: bool = False

    @classmethod
    def real(cls, pool: SharedPoolLimit | None = None) -> Realism:
        """Every switch on as the real API behaves; the pool only if given (it slows tests)."""
        return cls(pool=pool, no_next_at_cap=True, best_title_match=True,
                   recommendations_404=True, venues=True)

    @classmethod
    def lenient(cls) -> Realism:
        """Every switch off: a friendly fake (a test of something else, opted out)."""
        return cls(max_response_bytes=None, nested_budget=None, single_nested_cap=None,
                   null_nested_references=False)


class FakeApi:
    """The fake server: ``start()`` it (or use ``with``), point clients at ``s2_url`` and
    ``arxiv_url``; ``corpus`` and ``realism`` may be replaced between requests.

    ``real=True`` starts with ``Realism.real()`` (everything but the pool); ``realism`` given
    explicitly wins.
    """

    def __init__(self, corpus: Corpus, real: bool = False, realism: Realism | None = None
                 ) -> None:
        self.corpus = corpus
        self.realism = realism or (Realism.real() if real else Realism())
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.api = self  # type: ignore[attr-defined]
        # a short poll interval: shutdown() waits for it, once per test
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def s2_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def arxiv_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/query"

    def start(self) -> FakeApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a "slow" fault
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.endpoint == endpoint]

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self.counts[request.endpoint] += 1

    def paper_json(self, pid: str, fields: list[str]) -> dict[str, Any]:
        """The paper ``pid`` as the Graph API answers it with ``fields``."""
        return graph_api.paper_json(self, pid, fields)


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeApi/1.0 (SYNTHETIC)"

    @property
    def api(self) -> FakeApi:
        api: FakeApi = self.server.api  # type: ignore[attr-defined]
        return api

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default stderr access log."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._serve("POST")

    def _serve(self, method: str) -> None:
        split = urlsplit(self.path)
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        endpoint, route = _route(method, path)
        self.api.record(RecordedRequest(
            method, path, query, {k.lower(): v for k, v in self.headers.items()}, body, endpoint))
        headers: dict[str, str] = {}
        pool = self.api.realism.pool
        if pool is not None and endpoint in S2_ENDPOINTS and "x-api-key" not in self.headers \
                and not pool.admit():
            if pool.retry_after is not None:
                headers["Retry-After"] = pool.retry_after
            self._send(*json_body(429, TOO_MANY_REQUESTS), headers)
            return
        fault = self.api.faults.take(endpoint)
        if fault and fault.delay and self.api._stopping.wait(fault.delay):
            return
        if fault and fault.status:
            if fault.retry_after is not None:
                headers["Retry-After"] = fault.retry_after
            answer = error(fault.status, f"SYNTHETIC fault: HTTP {fault.status}")
            if fault.status == 429:
                answer = json_body(429, TOO_MANY_REQUESTS)
        elif fault and fault.malformed:
            answer = (200, "application/json", b'{"data": [{"paperId": "trunc')
        elif fault and fault.empty and endpoint == "arxiv":
            answer = empty_feed(self.api, path, query, body)
        else:
            try:
                answer = route(self.api, path, query, body)
            except UnknownField as exc:
                answer = error(400, f"Unrecognized or unsupported fields: [{exc}]")
        self._send(*answer, headers)

    def _send(self, status: int, content_type: str, payload: bytes, headers: dict[str, str]
              ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test): nothing to answer


# -- routes ------------------------------------------------------------------------------------

Route = Callable[[FakeApi, str, dict[str, list[str]], bytes], Answer]


def _route(method: str, path: str) -> tuple[str, Route]:
    if path.rstrip("/") == "/api/query" and method == "GET":
        return "arxiv", arxiv_query
    if path.rstrip("/") == "/recommendations/v1/papers" and method == "POST":
        return "recommendations", graph_api.recommendations
    prefix = "/graph/v1/paper/"
    if path.startswith(prefix):
        rest = path[len(prefix):]
        if rest == "batch" and method == "POST":
            return "batch", graph_api.batch
        if rest == "search/match" and method == "GET":
            return "match", graph_api.match
        if rest == "search/bulk" and method == "GET":
            return "bulk", graph_api.bulk_search
        if method == "GET" and rest.endswith("/citations"):
            return "citations", graph_api.edges
        if method == "GET" and rest.endswith("/references"):
            return "references", graph_api.edges
        if method == "GET" and rest:
            return "paper", graph_api.paper
    return "unknown", lambda *_: error(404, f"SYNTHETIC fake has no route for {method} {path}")
