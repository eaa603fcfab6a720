"""A SPARQL server as the graph's shared home: publish the export as one named graph, query it.

Publishing never leaves readers of the server with part of a graph. The triples go, through the
SPARQL 1.1 Graph Store HTTP Protocol, into a temporary named graph of a unique name: one
``PUT <endpoint>?graph=<temporary>`` of the Turtle (or N-Triples) file, streamed from disk; or, when
the server refuses a body that large (HTTP 413) or a ``chunk`` is asked for, N-Triples parts (a
``PUT`` of the first, a ``POST``, which adds, of each further one). Then one SPARQL 1.1 Update,
``MOVE GRAPH <temporary> TO GRAPH <graph>``, replaces the graph: a single transaction on Oxigraph
(and an atomic request by the Update spec), so a reader sees the old graph or the new one, and every
other graph of the server is left alone. If anything fails, the temporary graph is dropped and the
graph is as it was; the error names the request that failed and what the graph holds.

The Update endpoint is guessed from the Graph Store one (the table below) unless given. A server
without one (it answers the probe, ``DROP SILENT GRAPH <temporary>``, with a 4xx) gets the graph
replaced in place instead, the first request replacing and the others adding; a failure part-way then
says how many of the triples the server's graph now holds and that publishing again completes it.

Requests a server was briefly unable to answer (HTTP 429, 502, 503, 504, a connection dropped
mid-request) are tried again after a wait: its ``Retry-After``, else a doubling backoff (the one
retry schedule, :class:`~rsvlm_graph.sources.transport.RetryPolicy`). Every request goes through
the one HTTP edge (:func:`~rsvlm_graph.sources.transport.open_client`): ``--timeout`` is a
deadline for the whole request, and a redirect to another origin never carries the credentials.
Afterwards the graph is read back and its triples counted: that is the count ``publish`` reports.

Queries use the SPARQL 1.1 Protocol (``POST`` of a form with ``query=``), asking for SPARQL JSON
results or N-Triples, and give the same :class:`~rsvlm_graph.query.QueryResult` as a file query.

The endpoints of common servers (``HOST`` and the dataset or repository names are yours):

==========  ====================================================  ==================================================  ==============================================
server      ``publish --endpoint`` (Graph Store Protocol)         its ``--update-endpoint`` (guessed)                 ``query --endpoint`` (SPARQL Protocol)
==========  ====================================================  ==================================================  ==============================================
Oxigraph    ``http://HOST:7878/store``                            ``http://HOST:7878/update``                         ``http://HOST:7878/query``
Fuseki      ``http://HOST:3030/DATASET/data``                     ``http://HOST:3030/DATASET/update``                 ``http://HOST:3030/DATASET/sparql``
GraphDB     ``http://HOST:7200/repositories/REPO/rdf-graphs/service``  ``http://HOST:7200/repositories/REPO/statements``  ``http://HOST:7200/repositories/REPO``
Virtuoso    ``http://HOST:8890/sparql-graph-crud-auth``           ``http://HOST:8890/sparql-auth``                    ``http://HOST:8890/sparql``
==========  ====================================================  ==================================================  ==============================================

Credentials come from :class:`~rsvlm_graph.config.Settings` (the environment) only: a user and
password are sent as HTTP Basic, or as Digest when the server asks for it (Virtuoso's
``-auth`` endpoints), a token as ``Authorization: Bearer``.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import httpx
import pyoxigraph as ox

from . import __version__
from .config import Settings
from .errors import EndpointError, QueryError, UsageError
from .exports.rdf import DEFAULT_BASE, prefixes
from .query import QueryResult, answer_from_bytes, check_services
from .sources.transport import HttpPolicy, RefusedAnswer, RetryPolicy, open_client

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "DEFAULT_CHUNK_TRIPLES",
    "DEFAULT_RETRY",
    "RETRY_STATUSES",
    "Published",
    "client_for",
    "publish_graph",
    "count_triples",
    "update_endpoint_for",
    "query_endpoint",
    "checked_endpoint",
]

log = logging.getLogger(__name__)

#: the named graph ``publish`` replaces unless told another
DEFAULT_GRAPH_IRI = DEFAULT_BASE + "graph"
#: triples per request when a graph goes in parts: a few MB of N-Triples, under common body limits
DEFAULT_CHUNK_TRIPLES = 50_000
#: answers of a server briefly unable (rate limiting, overloaded, restarting): worth another try
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: a graph read back, or query results, may be large; still not unbounded
SPARQL_MAX_BYTES = 1 << 30
#: a connection lost mid-request: sent again, except the swap (see ``_request``)
_DROPPED = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
#: how a Graph Store endpoint's path ends, and the SPARQL Update endpoint's path beside it
_UPDATE_BESIDE = (
    ("/store", "/update"),  # Oxigraph
    ("/data", "/update"),  # Fuseki
    ("/rdf-graphs/service", "/statements"),  # GraphDB, RDF4J
    ("/sparql-graph-crud-auth", "/sparql-auth"),  # Virtuoso
    ("/sparql-graph-crud", "/sparql"),
)
_IN_PLACE = (
    ": the graph was replaced in place, where readers could see it part-way; give the server's "
    "SPARQL Update endpoint with --update-endpoint to load it aside and swap it in at once"
)
_READ_SIZE = 1 << 16
_MEDIA_TYPES = {".ttl": "text/turtle", ".nt": "application/n-triples"}
_N_TRIPLES = {"Content-Type": "application/n-triples"}
_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5"
)
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_PREFIX_DECLARED = re.compile(r"\bPREFIX\s+([\w.-]*):", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Published:
    """What a publish did: the graph replaced, the triples sent, the server's count afterwards,
    whether the graph was swapped in at once, and, when it was replaced in place instead, why."""

    graph: str
    sent: int
    held: int
    requests: int
    swapped: bool = False
    note: str | None = None


#: 5 tries over about 15 s of backoff, or what the server's Retry-After asks (at most 60 s each)
DEFAULT_RETRY = RetryPolicy(retries=4, max_wait=60.0)


class _PasswordAuth(httpx.Auth):
    """HTTP Basic at once (Fuseki, GraphDB, a proxy in front of Oxigraph); Digest when the server
    answers 401 with a Digest challenge (Virtuoso), replaying the request once."""

    def __init__(self, user: str, password: str) -> None:
        self._basic = httpx.BasicAuth(user, password)
        self._digest = httpx.DigestAuth(user, password)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield next(self._basic.auth_flow(request))
        if response.status_code != 401 or "digest" not in response.headers.get("www-authenticate", "").lower():
            return
        del request.headers["Authorization"]
        digest = self._digest.auth_flow(request)
        next(digest)  # its first, unauthenticated try is the one just answered
        try:
            request = digest.send(response)
            while True:
                response = yield request
                request = digest.send(response)
        except StopIteration:
            return


def client_for(settings: Settings, timeout: float) -> httpx.Client:
    """An HTTP client for a SPARQL server, signed in with the credentials of ``settings``: the
    one HTTP edge, ``timeout`` seconds for each whole request."""
    auth: httpx.Auth | None = None
    headers = {"User-Agent": f"rsvlm-graph/{__version__}"}
    if settings.sparql_token:
        headers["Authorization"] = f"Bearer {settings.sparql_token}"
    elif settings.sparql_user and settings.sparql_password:
        auth = _PasswordAuth(settings.sparql_user, settings.sparql_password)
    policy = HttpPolicy(deadline=timeout, max_bytes=SPARQL_MAX_BYTES, retry=DEFAULT_RETRY)
    return open_client(policy, headers=headers, auth=auth)


class _FileBody:
    """A file read in pieces on each iteration: streamed, and replayable for an auth challenge."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[bytes]:
        with self.path.open("rb") as stream:
            while piece := stream.read(_READ_SIZE):
                yield piece


def publish_graph(
    client: httpx.Client,
    endpoint: str,
    data: Path,
    *,
    graph_iri: str = DEFAULT_GRAPH_IRI,
    chunk: int | None = None,
    update_endpoint: str | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> Published:
    """Replace the named graph ``graph_iri`` on a Graph Store Protocol endpoint with ``data``,
    loading it into a temporary graph and swapping that in with one SPARQL Update.

    Parameters
    ----------
    client : httpx.Client
        From :func:`client_for` (credentials, timeout).
    endpoint : str
        The server's Graph Store Protocol URL (see the module's table).
    data : Path
        A ``.ttl`` or ``.nt`` file, e.g. ``exports/graph.ttl``.
    graph_iri : str
        The named graph replaced; no other graph is touched.
    chunk : int, optional
        Send at most this many triples per request (PUT, then POSTs); by default the whole file
        in one streamed PUT, falling back to parts of :data:`DEFAULT_CHUNK_TRIPLES` on HTTP 413.
    update_endpoint : str, optional
        The server's SPARQL 1.1 Update URL, through which the graph is swapped in; by default
        :func:`update_endpoint_for` ``endpoint``, and the graph replaced in place when that finds
        none or the server refuses it (a 4xx). ``""``: replace in place, over the Graph Store
        Protocol only.
    retry : RetryPolicy
        How a request the server was briefly unable to answer is sent again.

    Returns
    -------
    Published
        The triples sent and those the server holds in the graph afterwards.

    Raises
    ------
    EndpointError
        If the server cannot be reached or refuses a request (status and its message); it names
        the request and says what the graph on the server holds then.
    QueryError
        If ``data`` cannot be read as RDF.
    UsageError
        If ``graph_iri`` is not an absolute IRI.
    """
    checked_endpoint(endpoint)
    if update_endpoint:
        checked_endpoint(update_endpoint, "--update-endpoint")
    rdf_format, _ = _file_format(data)
    graph = _named_node(graph_iri)
    sent = sum(1 for _ in _triples(data, rdf_format))
    update_url = note = None
    if sent == 0:  # one PUT of nothing empties the graph: no reader can see it part-way
        _request(client, "PUT", endpoint, f"PUT of {data}", retry, params={"graph": graph_iri},
                 content=b"", headers=_N_TRIPLES)
        requests = 1
    else:
        temporary = _named_node(f"{graph_iri}.publishing-{uuid.uuid4().hex}")
        try:
            update_url, note = _swap_endpoint(client, endpoint, update_endpoint, temporary, retry)
        except EndpointError as exc:
            raise EndpointError(f"{exc}; nothing was sent: the graph {graph} on the server is as it was") from exc
        if update_url is None:
            requests = _replace_in_place(client, endpoint, graph, data, sent, chunk, retry)
        else:
            requests = _load_and_swap(client, endpoint, update_url, graph, temporary, data, sent, chunk, retry)
    try:
        held = count_triples(client, endpoint, graph_iri, retry=retry)
    except EndpointError as exc:
        raise EndpointError(f"{exc}; the {sent:,} triples were sent to {graph}, but it could not be read back "
                            "to count them") from exc
    return Published(graph_iri, sent, held, requests, swapped=update_url is not None, note=note)


def _replace_in_place(
    client: httpx.Client, endpoint: str, graph: ox.NamedNode, data: Path, sent: int, chunk: int | None,
    retry: RetryPolicy,
) -> int:
    """Upload straight into the graph, for a server without SPARQL Update; a failure says how much
    of the graph the server then holds."""
    try:
        return _upload(client, endpoint, graph.value, data, sent, chunk, retry)
    except _UploadFailed as exc:
        held = _held(client, endpoint, graph.value, retry)
        if not isinstance(held, int):
            state = f"may now hold only part of the {sent:,} triples ({_holds(held)})"
        elif exc.replaced:
            state = f"now holds {held:,} of the {sent:,} triples: it is incomplete until publish runs again"
        else:
            state = f"now holds {held:,} triples, {sent:,} were sent: run publish again to replace it"
        raise EndpointError(f"{exc}; the graph {graph} on the server {state}") from exc


def _load_and_swap(
    client: httpx.Client, endpoint: str, update_url: str, graph: ox.NamedNode, temporary: ox.NamedNode,
    data: Path, sent: int, chunk: int | None, retry: RetryPolicy,
) -> int:
    """Upload into the temporary graph, then move it over the graph in one update; whatever fails,
    the temporary graph is dropped and the error says what the graph holds."""
    swapping = False
    try:
        requests = _upload(client, endpoint, temporary.value, data, sent, chunk, retry)
        swapping = True
        _request(client, "POST", update_url, f"the swap of {temporary} into {graph}", retry,
                 form={"update": f"MOVE GRAPH {temporary} TO GRAPH {graph}"}, resend_dropped=False)
    except BaseException as exc:  # Ctrl-C too: no temporary graph is left behind if it can be helped
        not_dropped = _drop(client, update_url, temporary, retry)
        if not isinstance(exc, EndpointError):
            raise
        holds = _holds(_held(client, endpoint, graph.value, retry))
        left = (f"{temporary}, which could not be dropped ({not_dropped}): drop it with the update "
                f"DROP GRAPH {temporary}") if not_dropped else "now dropped"
        state = (f"the swap was not confirmed: the graph {graph} on the server {holds}, {sent:,} were sent; "
                 f"run publish again to be sure (the parts went to a temporary graph, {left})" if swapping else
                 f"the graph {graph} on the server is unchanged: it {holds} (the parts sent went to a "
                 f"temporary graph, {left})")
        raise EndpointError(f"{exc}; {state}") from exc
    return requests


def update_endpoint_for(endpoint: str) -> str | None:
    """The SPARQL Update endpoint beside a Graph Store endpoint of the servers in the module's
    table, or ``None`` for a URL of none of them.

    >>> update_endpoint_for("http://localhost:7878/store")
    'http://localhost:7878/update'
    >>> update_endpoint_for("http://h:7200/repositories/rsvlm/rdf-graphs/service")
    'http://h:7200/repositories/rsvlm/statements'
    """
    url = httpx.URL(endpoint)
    path = url.path.rstrip("/")
    for graph_store, update in _UPDATE_BESIDE:
        if path.endswith(graph_store):
            return str(url.copy_with(path=path.removesuffix(graph_store) + update, query=None))
    return None


def count_triples(client: httpx.Client, endpoint: str, graph_iri: str, *, retry: RetryPolicy = DEFAULT_RETRY) -> int:
    """The triples a Graph Store Protocol endpoint holds in ``graph_iri`` (0 if it has no such
    graph), read back from the server."""
    response = _request(client, "GET", endpoint, f"GET of graph <{graph_iri}>", retry,
                        params={"graph": graph_iri}, headers={"Accept": _GRAPH_ACCEPT}, allow=frozenset({404}))
    if response.status_code == 404:
        return 0
    media_type = response.headers.get("content-type", "application/n-triples").split(";")[0].strip()
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise EndpointError(f"{endpoint}: answered the graph in {media_type}, not an RDF format")
    try:
        return sum(1 for _ in ox.parse(response.content, rdf_format))
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(f"{endpoint}: the graph it returned is not valid {media_type} ({exc})") from exc


def query_endpoint(
    client: httpx.Client,
    endpoint: str,
    query: str,
    *,
    graph_iri: str | None = DEFAULT_GRAPH_IRI,
    allowed_services: tuple[str, ...] = (),
) -> QueryResult:
    """Answer a query on a SPARQL 1.1 Protocol endpoint; the project's prefixes are declared
    for it, as for a file query, and ``SERVICE`` is refused unless allowed.

    ``graph_iri`` is sent as the protocol's ``default-graph-uri``: the query then sees the
    published graph as its default graph, as a file query sees the file, whether or not the
    server's own default graph is the union of its graphs (Oxigraph's and Fuseki's are not,
    GraphDB's and Virtuoso's are). ``None`` leaves the server's default graph.

    Raises
    ------
    QueryError
        If the query calls a ``SERVICE`` not allowed, or outlasts the client's timeout.
    EndpointError
        If the server cannot be reached, refuses the query (its message is given) or answers
        in a form that cannot be read.
    """
    checked_endpoint(endpoint)
    check_services(query, allowed_services)
    try:
        form = {"query": _declare_prefixes(query)}
        if graph_iri is not None:
            form["default-graph-uri"] = graph_iri
        response = client.post(endpoint, data=form, headers={"Accept": _RESULTS_ACCEPT})
    except httpx.TimeoutException as exc:
        raise QueryError(
            f"{endpoint}: query stopped after {client.timeout.read:g} s (--timeout); narrow it or allow it longer"
        ) from exc
    except httpx.HTTPError as exc:
        raise EndpointError(f"{endpoint}: cannot be reached ({exc}); check the URL and that the server runs") from exc
    _check(response, "the query")
    try:
        return answer_from_bytes(response.headers.get("content-type", ""), response.content)
    except QueryError as exc:
        raise EndpointError(f"{endpoint}: {exc}") from exc


def checked_endpoint(url: str, option: str = "--endpoint") -> str:
    """``url`` if it is an absolute http(s) URL without a user or password; else a ``UsageError``
    that names ``option`` and never repeats the password.

    Credentials come from the environment only (``Settings``): one in the URL would be sent as
    HTTP Basic, to whatever host the URL names, and be echoed by every error naming the URL.

    >>> checked_endpoint("http://localhost:7878/store")
    'http://localhost:7878/store'
    >>> checked_endpoint("http://bob:s3cret@localhost:7878/store")
    Traceback (most recent call last):
    ...
    rsvlm_graph.errors.UsageError: --endpoint http://***@localhost:7878/store holds a user or password: credentials come from RSVLM_SPARQL_USER and RSVLM_SPARQL_PASSWORD (or RSVLM_SPARQL_TOKEN) only
    """
    try:
        parsed = httpx.URL(url)
        host = parsed.host
    except (httpx.InvalidURL, ValueError) as exc:
        shown = option if "@" in url else f"{option} {url!r}"
        raise UsageError(f"{shown} is not a URL ({exc})") from None
    if parsed.userinfo:
        shown = str(parsed.copy_with(username=None, password=None)).replace("://", "://***@", 1)
        raise UsageError(f"{option} {shown} holds a user or password: credentials come from "
                         "RSVLM_SPARQL_USER and RSVLM_SPARQL_PASSWORD (or RSVLM_SPARQL_TOKEN) only")
    if parsed.scheme not in ("http", "https") or not host:
        raise UsageError(f"{option} {url!r} is not an absolute http(s) URL")
    return url


def _named_node(iri: str) -> ox.NamedNode:
    """The graph name as SPARQL writes it (``str()`` gives ``<iri>``): checked, as it goes into
    an update's text."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise UsageError(f"graph {iri!r} is not an absolute IRI ({exc})") from exc


def _swap_endpoint(
    client: httpx.Client, endpoint: str, given: str | None, unused: ox.NamedNode, retry: RetryPolicy
) -> tuple[str | None, str | None]:
    """The SPARQL Update endpoint to swap the graph in through, checked with an update that
    changes nothing (dropping the still unused temporary graph); else ``None`` and why not.

    A guessed endpoint the server refuses (4xx) means replacing in place; a given one, an error.
    """
    if given == "":
        return None, None
    url = given or update_endpoint_for(endpoint)
    if url is None:
        return None, f"no SPARQL Update endpoint is known beside {endpoint}{_IN_PLACE}"
    refusals = frozenset(range(400, 500)) if given is None else frozenset()
    response = _request(client, "POST", url, "a SPARQL Update that changes nothing", retry,
                        form={"update": f"DROP SILENT GRAPH {unused}"}, allow=refusals)
    if response.is_success:
        return url, None
    log.info("%s refused SPARQL Update: %s", url, response.text[:300])
    return None, f"{url} refused SPARQL Update (HTTP {response.status_code}){_IN_PLACE}"


def _upload(
    client: httpx.Client, endpoint: str, graph_iri: str, data: Path, sent: int, chunk: int | None, retry: RetryPolicy
) -> int:
    """Replace ``graph_iri`` with the ``sent`` triples of ``data``: one streamed PUT, or parts
    (a PUT, then POSTs that add); the requests it took."""
    rdf_format, media_type = _file_format(data)
    target = {"graph": graph_iri}
    if chunk is None:
        headers = {"Content-Type": media_type, "Content-Length": str(data.stat().st_size)}
        try:
            response = _request(client, "PUT", endpoint, f"PUT of {data}", retry, params=target,
                                content=_FileBody(data), headers=headers, allow=frozenset({413}))
        except EndpointError as exc:
            raise _UploadFailed(str(exc), replaced=False) from exc
        if response.status_code != 413:
            return 1
        log.info("%s refused %s as one body (413); sending it in parts", endpoint, data)
    size = chunk or DEFAULT_CHUNK_TRIPLES
    total = -(-sent // size)
    requests = 0
    for part in _parts(data, rdf_format, size):
        method = "PUT" if requests == 0 else "POST"  # the first part replaces, the others add
        first = requests * size + 1
        what = (f"{method} of part {requests + 1} of {total} (triples {first:,}-{min(first + size - 1, sent):,} "
                f"of {data})")
        try:
            _request(client, method, endpoint, what, retry, params=target, content=part, headers=_N_TRIPLES)
        except EndpointError as exc:
            raise _UploadFailed(str(exc), replaced=requests > 0) from exc
        requests += 1
    return requests


def _drop(client: httpx.Client, update_url: str, graph: ox.NamedNode, retry: RetryPolicy) -> str | None:
    """Drop the temporary graph; ``None`` once it is gone, else why it could not be."""
    try:
        _request(client, "POST", update_url, f"the drop of {graph}", retry,
                 form={"update": f"DROP SILENT GRAPH {graph}"})
    except EndpointError as exc:
        return str(exc)
    return None


def _held(client: httpx.Client, endpoint: str, graph_iri: str, retry: RetryPolicy) -> int | str:
    """The graph's triples on the server, or why they could not be counted: for an error's text."""
    try:
        return count_triples(client, endpoint, graph_iri, retry=retry)
    except EndpointError as exc:
        return str(exc)


def _holds(held: int | str) -> str:
    return f"holds {held:,} triples" if isinstance(held, int) else f"could not be read back: {held}"


class _UploadFailed(EndpointError):
    """A request of an upload failed; ``replaced``: an earlier one had replaced the graph already."""

    def __init__(self, message: str, *, replaced: bool) -> None:
        super().__init__(message)
        self.replaced = replaced


def _declare_prefixes(query: str) -> str:
    r"""The query with a PREFIX for each project prefix it does not declare itself, all before
    its first line, on that line: the server's syntax errors name the query's own lines.

    >>> _declare_prefixes("PREFIX schema: <s>\nSELECT *").splitlines()[1]
    'SELECT *'
    """
    declared = set(_PREFIX_DECLARED.findall(query))
    return "".join(f"PREFIX {p}: <{ns}> " for p, ns in prefixes().items() if p not in declared) + query


def _file_format(data: Path) -> tuple[ox.RdfFormat, str]:
    media_type = _MEDIA_TYPES.get(data.suffix.lower())
    if media_type is None:
        raise QueryError(f"{data}: publish sends Turtle (.ttl) or N-Triples (.nt)")
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    assert rdf_format is not None  # both media types are pyoxigraph's own
    return rdf_format, media_type


def _triples(data: Path, rdf_format: ox.RdfFormat) -> Iterator[ox.Quad]:
    try:
        yield from ox.parse(path=str(data), format=rdf_format)
    except OSError as exc:
        raise QueryError(f"{data}: cannot read ({exc}); run `rsvlm-graph build` first or pass --data") from exc
    except SyntaxError as exc:
        raise QueryError(f"{data}: not valid RDF ({exc})") from exc


def _parts(data: Path, rdf_format: ox.RdfFormat, size: int) -> Iterator[bytes]:
    """The file's triples as N-Triples documents of at most ``size`` triples each.

    The export has no blank nodes, which a server would not join across requests.
    """
    triples = _triples(data, rdf_format)
    while part := list(islice(triples, size)):
        yield ox.serialize([quad.triple for quad in part], format=ox.RdfFormat.N_TRIPLES) or b""


def _request(
    client: httpx.Client,
    method: str,
    url: str,
    what: str,
    retry: RetryPolicy,
    *,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    content: bytes | _FileBody | None = None,
    form: dict[str, str] | None = None,
    allow: frozenset[int] = frozenset(),
    resend_dropped: bool = True,
) -> httpx.Response:
    """Send a request, and again after a wait while the server is briefly unable (``retry``); a
    refusal raises, with its status and the server's words, unless its status is ``allow``ed.

    Every request publish makes can be sent twice to the same effect (a PUT replaces, a POST adds
    triples a graph, a set, may already hold, a DROP SILENT drops), but the swap: a ``MOVE`` whose
    answer was lost may have been done, and done again it fails, so it is not ``resend_dropped``.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            response = client.request(method, url, params=params, headers=headers, content=content, data=form)
        except httpx.TimeoutException as exc:
            raise EndpointError(f"{url}: {what} timed out ({exc}); raise --timeout for a slow server") from exc
        except _DROPPED as exc:
            if not resend_dropped or attempt >= retry.tries:
                raise EndpointError(f"{url}: {what} lost its connection ({exc}){_after(attempt)}") from exc
            wait, why = retry.wait(attempt, None), f"its connection lost ({exc})"
        except (httpx.TooManyRedirects, RefusedAnswer) as exc:
            raise EndpointError(f"{url}: {what} failed: {exc}") from exc
        except httpx.HTTPError as exc:
            raise EndpointError(f"{url}: cannot be reached ({exc}); check the URL and that the server runs") from exc
        else:
            if response.status_code not in RETRY_STATUSES or attempt >= retry.tries:
                if response.status_code not in allow:
                    _check(response, what, attempt)
                return response
            wait, why = retry.wait(attempt, response.headers.get("retry-after")), f"HTTP {response.status_code}"
        log.warning("%s: %s got %s; sending it again in %.3g s (try %d of %d)",
                    url, what, why, wait, attempt + 1, retry.tries)
        retry.sleep(wait)


def _after(tries: int) -> str:
    return f", after {tries} tries" if tries > 1 else ""


def _check(response: httpx.Response, what: str, tries: int = 1) -> None:
    """Turn a refusal into an error with the status and the server's own words."""
    if response.is_success:
        return
    said = " ".join(response.text.split())[:300]
    hint = {
        401: "; set RSVLM_SPARQL_USER and RSVLM_SPARQL_PASSWORD, or RSVLM_SPARQL_TOKEN",
        403: "; the credentials given may not write there",
        404: "; is this the server's Graph Store (publish), Update or query endpoint? see docs/maintainers.md",
        405: "; is this the server's Graph Store (publish), Update or query endpoint? see docs/maintainers.md",
    }.get(response.status_code, "")
    raise EndpointError(
        f"{response.request.url}: {what} refused with HTTP {response.status_code}{_after(tries)}"
        f"{': ' + said if said else ''}{hint}"
    )
