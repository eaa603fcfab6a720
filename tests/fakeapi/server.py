"""A fake Semantic Scholar + arXiv API on 127.0.0.1, serving a SYNTHETIC corpus.

Nothing this server answers is real: every record comes from :mod:`tests.fakeapi.corpus`. The
*shapes* follow the recorded real responses in ``../shared/reference`` (checked by
``tests/test_fakeapi_reference.py``):

- S2 Graph API: ``GET /graph/v1/paper/{id}`` (40-hex, ``CorpusId:``, ``DOI:``, bare DOI,
  ``ARXIV:``, ``URL:``), ``POST /graph/v1/paper/batch`` (input order, ``null`` for unknown ids,
  at most 500), ``GET /graph/v1/paper/search/match``, ``GET /graph/v1/paper/{id}/citations`` and
  ``/references`` (``offset``/``limit``/``next``, ``limit`` ≤ 1000, ``offset + limit`` < 10000),
  ``fields`` filtering including ``embedding.specter_v2`` and ``authors.*``;
- S2 Recommendations API: ``POST /recommendations/v1/papers/``;
- arXiv: ``GET /api/query?id_list=…`` (HTTP 400 feed for a malformed id, unknown well-formed
  ids silently absent).

Every request is recorded (``FakeApi.requests``, ``FakeApi.counts`` per endpoint) and faults can
be switched on per test through ``FakeApi.faults``.

Whatever the switches, a ``fields`` name the endpoint does not serve answers HTTP 400
``{"error": "Unrecognized or unsupported fields: [a, b]"}`` (every bad name, as the real API
lists them) on the paper, batch, match, citations, references and recommendations endpoints.

**Realism switches** (``FakeApi.realism``, a :class:`Realism`; all off by default so a test gets
the lenient fake it always had, ``FakeApi(corpus, real=True)`` turns on all but the pool). Each
one mimics a way the real service differs from a friendly fake, as recorded in
``../shared/reference`` and its OpenAPI spec (``s2-openapi/``):

- ``pool``: a :class:`SharedPoolLimit`, the unauthenticated shared pool (100 requests per sliding
  300 s). S2 requests without an ``x-api-key`` header past the budget answer 429 with the real
  body (:data:`TOO_MANY_REQUESTS`) and no ``Retry-After`` unless one is set; refused requests do
  not use up the budget; arXiv and keyed requests are not counted. ``accepted``/``rejected``
  say what happened, so a test or bench can check nothing was lost.
- ``max_response_bytes``: a batch or citations/references answer whose JSON would be larger is
  HTTP 400 ``{"error": "Response would exceed maximum size. ..."}`` (the real limit: 10 MB).
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

import json
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from .corpus import Corpus, Edge, real_venue_fields

__all__ = [
    "FakeApi",
    "Faults",
    "Realism",
    "SharedPoolLimit",
    "RecordedRequest",
    "PAPER_FIELD_NAMES",
    "CITATION_CAP",
    "RESPONSE_MAX_BYTES",
    "TOO_MANY_REQUESTS",
    "TOO_LARGE",
    "S2_ENDPOINTS",
]

#: every top-level paper field the real Graph API accepts
PAPER_FIELD_NAMES = frozenset({
    "paperId", "corpusId", "externalIds", "url", "title", "abstract", "venue",
    "publicationVenue", "year", "referenceCount", "citationCount", "influentialCitationCount",
    "isOpenAccess", "openAccessPdf", "fieldsOfStudy", "s2FieldsOfStudy", "publicationTypes",
    "publicationDate", "journal", "citationStyles", "authors", "citations", "references",
    "embedding", "tldr",
})
#: what the Recommendations API serves (its ``BasePaper``): no tldr, embedding or nested lists
_RECOMMENDATION_FIELD_NAMES = PAPER_FIELD_NAMES - {"tldr", "embedding", "citations",
                                                   "references"}
#: fields the real search endpoints (title match included) refuse with HTTP 400
_NOT_SEARCHABLE = frozenset({"tldr", "embedding"})
_AUTHOR_FIELDS = frozenset({"authorId", "name", "url", "affiliations", "homepage", "paperCount",
                            "citationCount", "hIndex", "externalIds"})
_EDGE_FIELDS = ("contexts", "intents", "isInfluential", "contextsWithIntent")
#: the API serves no citation past offset + limit = 9999 (the package lowers limit to stay below)
CITATION_CAP = 10_000
_BATCH_MAX = 500
_PAGE_MAX = 1000
_RECOMMEND_MAX = 500
#: the real API's answer size limit ("Can only return up to 10 MB of data at a time")
RESPONSE_MAX_BYTES = 10 * 1024 * 1024
#: the real 429 body of the shared pool (as users of the keyless API report it verbatim)
TOO_MANY_REQUESTS = {
    "message": "Too Many Requests. Please wait and try again or apply for a key for higher rate "
               "limits. https://www.semanticscholar.org/product/api#api-key-form",
    "code": "429",
}
#: the 400 of an answer past ``max_response_bytes``; the OpenAPI Error400 gives the text
#: "Response would exceed maximum size...." followed by suggestions to split or page
TOO_LARGE = ("Response would exceed maximum size. Please break the request into smaller batches "
             "or make use of the limit and offset features.")
#: endpoints served by the S2 host (those the shared pool counts)
S2_ENDPOINTS = frozenset({"paper", "batch", "match", "citations", "references",
                          "recommendations"})
_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z][a-z.\-]*(\.[A-Z]{2})?/\d{7})(v\d+)?$")


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


@dataclass
class Faults:
    """Per-test misbehaviour. Queued faults are consumed one request at a time per endpoint.

    Endpoints: ``paper``, ``batch``, ``match``, ``citations``, ``references``,
    ``recommendations``, ``arxiv``; ``"*"`` applies to any endpoint.
    """

    null_in_batch: set[str] = field(default_factory=set)  # ids sent that answer null
    changed_ids: dict[str, str] = field(default_factory=dict)  # id sent -> paperId answered
    missing_fields: set[str] = field(default_factory=set)  # top-level keys left out of papers
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
    """Which real-API behaviours the fake imitates (module docstring); all off by default."""

    pool: SharedPoolLimit | None = None
    max_response_bytes: int | None = None
    no_next_at_cap: bool = False
    best_title_match: bool = False
    recommendations_404: bool = False
    venues: bool = False

    @classmethod
    def real(cls, pool: SharedPoolLimit | None = None) -> Realism:
        """Every switch on as the real API behaves; the pool only if given (it slows tests)."""
        return cls(pool=pool, max_response_bytes=RESPONSE_MAX_BYTES, no_next_at_cap=True,
                   best_title_match=True, recommendations_404=True, venues=True)


class _UnknownField(Exception):
    pass


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

    # -- S2 ---------------------------------------------------------------------------------

    def select(self, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        """``record`` reduced to ``fields`` as the Graph API does (``paperId`` always); the
        fields were checked by ``_check_fields``."""
        if self.realism.venues:
            record = {**record, **real_venue_fields(record)}
        out: dict[str, Any] = {"paperId": record.get("paperId")}
        for name in fields:
            top, _, sub = name.partition(".")
            if top in _EDGE_FIELDS:
                continue  # a property of the citation, filled in by edge_json
            if top in self.faults.missing_fields:
                continue
            if top == "embedding":
                # the default model of a bare "embedding" is specter_v1; only v2 is synthesised
                model = sub or "specter_v1"
                vector = self.corpus.embedding(record["paperId"]) if record.get("paperId") \
                    else None
                out["embedding"] = {"model": model, "vector": vector} if vector else None
            elif top == "authors":
                wanted = (sub,) if sub else ("name",)
                authors = record.get("authors")
                previous = out.get("authors")
                out["authors"] = None if authors is None else [
                    {"authorId": a.get("authorId"),
                     **(previous[i] if previous else {}),
                     **{k: a.get(k) for k in wanted}}
                    for i, a in enumerate(authors)
                ]
            elif top in ("citations", "references"):
                out[top] = []  # nested lists in paper answers are truncated: never rely on them
            else:
                out[top] = record.get(top)
        return out

    def paper_json(self, pid: str, fields: list[str]) -> dict[str, Any]:
        return self.select(self.corpus.papers[pid], fields)

    def edge_json(self, edge: Edge, side: str, fields: list[str]) -> dict[str, Any]:
        """One ``citations``/``references`` item; ``side`` is ``citing`` or ``cited``."""
        pid = edge.citing if side == "citing" else edge.cited
        if pid is None:
            nested = self.select({"paperId": None, "title": edge.unresolved_title}, fields)
        else:
            nested = self.paper_json(pid, fields)
        item: dict[str, Any] = {}
        for name in _EDGE_FIELDS:
            if name in fields:
                item[name] = {
                    "contexts": list(edge.contexts),
                    "intents": list(edge.intents),
                    "isInfluential": edge.is_influential,
                    "contextsWithIntent": [{"context": c, "intents": list(edge.intents)}
                                           for c in edge.contexts],
                }[name]
        item["citingPaper" if side == "citing" else "citedPaper"] = nested
        return item


#: (HTTP status, Content-Type, body) of one answer
Answer = tuple[int, str, bytes]


def _json_body(status: int, payload: Any) -> Answer:
    return status, "application/json", (json.dumps(payload) + "\n").encode()


def _error(status: int, message: str) -> Answer:
    return _json_body(status, {"error": message})


def _sized(api: FakeApi, payload: Any) -> Answer:
    """A 200 answer, or the real 400 if it is larger than ``realism.max_response_bytes``."""
    answer = _json_body(200, payload)
    limit = api.realism.max_response_bytes
    if limit is not None and len(answer[2]) > limit:
        return _error(400, TOO_LARGE)
    return answer


def _check_fields(fields: list[str], allowed: frozenset[str], edge: bool = False) -> None:
    """Raise ``_UnknownField`` naming every field of ``fields`` the endpoint does not serve."""
    bad = []
    for name in fields:
        top, _, sub = name.partition(".")
        if edge and top in _EDGE_FIELDS and not sub:
            continue
        known = top in allowed and (
            not sub or (top == "authors" and sub in _AUTHOR_FIELDS)
            or top in ("embedding", "citations", "references"))
        if not known:
            bad.append(name)
    if bad:
        raise _UnknownField(", ".join(bad))


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
            self._send(*_json_body(429, TOO_MANY_REQUESTS), headers)
            return
        fault = self.api.faults.take(endpoint)
        if fault and fault.delay and self.api._stopping.wait(fault.delay):
            return
        if fault and fault.status:
            if fault.retry_after is not None:
                headers["Retry-After"] = fault.retry_after
            answer = _error(fault.status, f"SYNTHETIC fault: HTTP {fault.status}")
            if fault.status == 429:
                answer = _json_body(429, TOO_MANY_REQUESTS)
        elif fault and fault.malformed:
            answer = (200, "application/json", b'{"data": [{"paperId": "trunc')
        else:
            try:
                answer = route(self.api, path, query, body)
            except _UnknownField as exc:
                answer = _error(400, f"Unrecognized or unsupported fields: [{exc}]")
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
        return "arxiv", _arxiv_query
    if path.rstrip("/") == "/recommendations/v1/papers" and method == "POST":
        return "recommendations", _recommendations
    prefix = "/graph/v1/paper/"
    if path.startswith(prefix):
        rest = path[len(prefix):]
        if rest == "batch" and method == "POST":
            return "batch", _batch
        if rest == "search/match" and method == "GET":
            return "match", _match
        if method == "GET" and rest.endswith("/citations"):
            return "citations", _edges
        if method == "GET" and rest.endswith("/references"):
            return "references", _edges
        if method == "GET" and rest:
            return "paper", _paper
    return "unknown", lambda *_: _error(404, f"SYNTHETIC fake has no route for {method} {path}")


def _fields(query: dict[str, list[str]]) -> list[str]:
    raw = query.get("fields", ["title"])[0]
    return [f.strip() for f in raw.split(",") if f.strip()]


def _int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return int(query.get(name, [default])[0])
    except ValueError:
        raise _BadParam(name) from None


class _BadParam(Exception):
    pass


def _paper(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    sent = path[len("/graph/v1/paper/"):]
    pid = api.corpus.resolve(sent)
    if pid is None:  # before the fields: the recorded 404 was asked with fields "t,i,t,l,e"
        return _error(404, f"Paper with id {sent} not found")
    fields = _fields(query)
    _check_fields(fields, PAPER_FIELD_NAMES)
    return _json_body(200, api.paper_json(pid, fields))


def _batch(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    try:
        ids = json.loads(body or b"{}").get("ids")
    except ValueError:
        return _error(400, "Body is not valid JSON")
    if not isinstance(ids, list) or not ids:
        return _error(400, "Missing required 'ids' list in body")
    if len(ids) > _BATCH_MAX:
        return _error(400, f"Too many ids: at most {_BATCH_MAX} are allowed")
    fields = _fields(query)
    _check_fields(fields, PAPER_FIELD_NAMES)
    answer: list[dict[str, Any] | None] = []
    for sent in ids:
        pid = api.faults.changed_ids.get(sent) or api.corpus.resolve(str(sent))
        if sent in api.faults.null_in_batch or pid is None:
            answer.append(None)
        else:
            answer.append(api.paper_json(pid, fields))
    return _sized(api, answer)


def _match(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    _check_fields(_fields(query), PAPER_FIELD_NAMES - _NOT_SEARCHABLE)
    title = query.get("query", [""])[0]
    best = api.corpus.best_match if api.realism.best_title_match else api.corpus.match_title
    found = best(title) if title.strip() else None
    if found is None:
        return _error(404, "Title match not found")
    pid, similarity = found
    # S2's matchScore is an unbounded relevance score (e.g. 109.55), not a 0..100 similarity
    return _json_body(200, {"data": [{**api.paper_json(pid, _fields(query)),
                                      "matchScore": round(similarity * 1.1, 5)}]})


def _edges(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    sent, _, kind = path[len("/graph/v1/paper/"):].rpartition("/")
    pid = api.corpus.resolve(sent)
    if pid is None:
        return _error(404, f"Paper with id {sent} not found")
    fields = _fields(query)
    _check_fields(fields, PAPER_FIELD_NAMES, edge=True)
    try:
        offset = _int_param(query, "offset", 0)
        limit = _int_param(query, "limit", 100)
    except _BadParam as exc:
        return _error(400, f"Invalid value for {exc}")
    if not 1 <= limit <= _PAGE_MAX:
        return _error(400, f"limit must be between 1 and {_PAGE_MAX}")
    if offset < 0 or offset + limit >= CITATION_CAP:
        return _error(400, f"offset + limit must be < {CITATION_CAP}")
    edges = api.corpus.citations_of(pid) if kind == "citations" else \
        api.corpus.references_of(pid)
    side = "citing" if kind == "citations" else "cited"
    page = [api.edge_json(e, side, fields) for e in edges[offset:offset + limit]]
    answer: dict[str, Any] = {"offset": offset}
    following = offset + limit
    # the real API offers no next page that could not be asked for (offset + limit < cap)
    at_cap = api.realism.no_next_at_cap and following >= CITATION_CAP - 1
    if following < len(edges) and not at_cap:
        answer["next"] = following
    answer["data"] = page
    return _sized(api, answer)


def _recommendations(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return _error(400, "Body is not valid JSON")
    try:
        limit = _int_param(query, "limit", 100)
    except _BadParam as exc:
        return _error(400, f"Invalid value for {exc}")
    positive = payload.get("positivePaperIds") or []
    if not positive:
        return _error(400, "positivePaperIds must not be empty")
    if not 1 <= limit <= _RECOMMEND_MAX:
        return _error(400, f"limit must be between 1 and {_RECOMMEND_MAX}")
    fields = _fields(query)
    _check_fields(fields, _RECOMMENDATION_FIELD_NAMES)
    resolve = api.corpus.resolve
    pos = [p for p in (resolve(str(i)) for i in positive) if p]
    neg = [p for p in (resolve(str(i)) for i in payload.get("negativePaperIds") or []) if p]
    if not pos and api.realism.recommendations_404:
        return _error(404, "Input papers not found")
    return _json_body(200, {"recommendedPapers": [
        api.paper_json(pid, fields) for pid in api.corpus.recommend(pos, neg, limit)]})


# -- arXiv ---------------------------------------------------------------------------------------

_FEED_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
)


def _arxiv_error(bad: str) -> Answer:
    anchor = f"https://arxiv.org/api/errors#incorrect_id_format_for_{bad}"
    feed = (
        f"{_FEED_HEAD}  <id>https://arxiv.org/</id>\n  <title>arXiv Search Results</title>\n"
        "  <updated>2000-01-01T00:00:00Z</updated>\n"
        "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
        "  <opensearch:totalResults>1</opensearch:totalResults>\n"
        "  <opensearch:startIndex>0</opensearch:startIndex>\n"
        f"  <entry>\n    <id>{escape(anchor)}</id>\n    <title>Error</title>\n"
        "    <updated>2000-01-01T00:00:00Z</updated>\n"
        f"    <link href={quoteattr(anchor)} rel=\"alternate\" type=\"text/html\"/>\n"
        f"    <summary>incorrect id format for {escape(bad)}</summary>\n"
        "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n</feed>\n"
    )
    return 400, "application/atom+xml; charset=utf-8", feed.encode()


def _arxiv_entry(record: dict[str, Any], version: int) -> str:
    abs_id = f"{record['id']}v{version}"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{escape(abs_id)}</id>",
        f"    <title>{escape(record['title'])}</title>",
        f"    <updated>{record['updated']}</updated>",
        f'    <link href="https://arxiv.org/abs/{escape(abs_id)}" rel="alternate" '
        'type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{escape(abs_id)}" rel="related" '
        'type="application/pdf" title="pdf"/>',
        f"    <summary>{escape(record['summary'])}</summary>",
        *(f'    <category term="{escape(c)}" scheme="http://arxiv.org/schemas/atom"/>'
          for c in record["categories"]),
        f"    <published>{record['published']}</published>",
    ]
    if record.get("comment"):
        lines.append(f"    <arxiv:comment>{escape(record['comment'])}</arxiv:comment>")
    lines.append(f'    <arxiv:primary_category term="{escape(record["primary_category"])}"/>')
    if record.get("journal_ref"):
        lines.append(f"    <arxiv:journal_ref>{escape(record['journal_ref'])}</arxiv:journal_ref>")
    lines += [f"    <author>\n      <name>{escape(name)}</name>\n    </author>"
              for name in record["authors"]]
    if record.get("doi"):  # after the authors, as arXiv writes it
        lines.append(f"    <arxiv:doi>{escape(record['doi'])}</arxiv:doi>")
        lines.append(f'    <link rel="related" href="https://doi.org/{escape(record["doi"])}" '
                     'title="doi"/>')
    lines.append("  </entry>")
    return "\n".join(lines)


def _arxiv_query(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    raw = query.get("id_list", [""])[0]
    ids = [i.strip() for i in raw.split(",") if i.strip()]
    for sent in ids:
        if not _ARXIV_ID.match(sent):
            return _arxiv_error(sent)
    try:
        start = _int_param(query, "start", 0)
        max_results = _int_param(query, "max_results", 10)
    except _BadParam as exc:
        return _error(400, f"Invalid value for {exc}")
    entries = []
    for sent in ids:
        base, _, version = re.sub(r"v(\d+)$", r" \1", sent).partition(" ")
        record = api.corpus.arxiv.get(base)
        if record is None or (version and int(version) > record["version"]):
            continue  # arXiv leaves unknown well-formed ids out without a word
        entries.append(_arxiv_entry(record, int(version) if version else record["version"]))
    page = entries[start:start + max_results]
    feed = (
        f"{_FEED_HEAD}  <id>https://arxiv.org/api/SYNTHETIC</id>\n"
        f"  <title>arXiv Query: id_list={escape(raw)}</title>\n"
        "  <updated>2000-01-01T00:00:00Z</updated>\n"
        f"  <link href={quoteattr('https://arxiv.org/api/query?id_list=' + raw)} "
        'type="application/atom+xml"/>\n'
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{len(entries)}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        + "".join(entry + "\n" for entry in page)
        + "</feed>\n"
    )
    return 200, "application/atom+xml; charset=utf-8", feed.encode()
