"""A SPARQL server as the graph's shared home: publish the export as one named graph, query it.

Publishing uses the SPARQL 1.1 Graph Store HTTP Protocol: one ``PUT <endpoint>?graph=<IRI>`` of
the Turtle (or N-Triples) file, streamed from disk, replaces that graph and leaves every other
graph of the server alone. A server that refuses a body that large (HTTP 413), or a ``chunk``
asked for, gets the triples in N-Triples parts instead: a ``PUT`` of the first part, then a
``POST`` (which adds) of each further one. Afterwards the graph is read back from the server and
its triples counted: that is the count ``publish`` reports.

Queries use the SPARQL 1.1 Protocol (``POST`` of a form with ``query=``), asking for SPARQL JSON
results or N-Triples, and give the same :class:`~rsvlm_graph.query.QueryResult` as a file query.

The endpoints of common servers (``HOST`` and the dataset or repository names are yours):

==========  ====================================================  ==============================================
server      ``publish --endpoint`` (Graph Store Protocol)         ``query --endpoint`` (SPARQL Protocol)
==========  ====================================================  ==============================================
Oxigraph    ``http://HOST:7878/store``                            ``http://HOST:7878/query``
Fuseki      ``http://HOST:3030/DATASET/data``                     ``http://HOST:3030/DATASET/sparql``
GraphDB     ``http://HOST:7200/repositories/REPO/rdf-graphs/service``  ``http://HOST:7200/repositories/REPO``
Virtuoso    ``http://HOST:8890/sparql-graph-crud-auth``           ``http://HOST:8890/sparql``
==========  ====================================================  ==============================================

Credentials come from :class:`~rsvlm_graph.config.Settings` (the environment) only: a user and
password are sent as HTTP Basic, or as Digest when the server asks for it (Virtuoso's
``-auth`` endpoints), a token as ``Authorization: Bearer``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import httpx
import pyoxigraph as ox

from . import __version__
from .config import Settings
from .errors import EndpointError, QueryError
from .exports.rdf import DEFAULT_BASE, prefixes
from .query import QueryResult, answer_from_bytes, check_services

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "DEFAULT_CHUNK_TRIPLES",
    "Published",
    "client_for",
    "publish_graph",
    "count_triples",
    "query_endpoint",
]

log = logging.getLogger(__name__)

#: the named graph ``publish`` replaces unless told another
DEFAULT_GRAPH_IRI = DEFAULT_BASE + "graph"
#: triples per request when a graph goes in parts: a few MB of N-Triples, under common body limits
DEFAULT_CHUNK_TRIPLES = 50_000
_READ_SIZE = 1 << 16
_MEDIA_TYPES = {".ttl": "text/turtle", ".nt": "application/n-triples"}
_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5"
)
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_PREFIX_DECLARED = re.compile(r"\bPREFIX\s+([\w.-]*):", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Published:
    """What a publish did: the graph replaced, the triples sent, the server's count afterwards."""

    graph: str
    sent: int
    held: int
    requests: int


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
    """An HTTP client for a SPARQL server, signed in with the credentials of ``settings``."""
    auth: httpx.Auth | None = None
    headers = {"User-Agent": f"rsvlm-graph/{__version__}"}
    if settings.sparql_token:
        headers["Authorization"] = f"Bearer {settings.sparql_token}"
    elif settings.sparql_user and settings.sparql_password:
        auth = _PasswordAuth(settings.sparql_user, settings.sparql_password)
    return httpx.Client(auth=auth, headers=headers, timeout=timeout, follow_redirects=True)


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
) -> Published:
    """Replace the named graph ``graph_iri`` on a Graph Store Protocol endpoint with ``data``.

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

    Returns
    -------
    Published
        The triples sent and those the server holds in the graph afterwards.

    Raises
    ------
    EndpointError
        If the server cannot be reached or refuses a request (status and its message).
    QueryError
        If ``data`` cannot be read as RDF.
    """
    rdf_format, media_type = _file_format(data)
    sent = sum(1 for _ in _triples(data, rdf_format))
    target = {"graph": graph_iri}
    if chunk is None:
        headers = {"Content-Type": media_type, "Content-Length": str(data.stat().st_size)}
        response = _send(client, "PUT", endpoint, params=target, content=_FileBody(data), headers=headers)
        if response.status_code != 413:
            _check(response, f"PUT of {data}")
            return Published(graph_iri, sent, count_triples(client, endpoint, graph_iri), requests=1)
        log.info("%s refused %s as one body (413); sending it in parts", endpoint, data)
    requests = 0
    for part in _parts(data, rdf_format, chunk or DEFAULT_CHUNK_TRIPLES):
        method = "PUT" if requests == 0 else "POST"  # the first part replaces, the others add
        response = _send(client, method, endpoint, params=target, content=part,
                         headers={"Content-Type": "application/n-triples"})
        _check(response, f"{method} of part {requests + 1} of {data}")
        requests += 1
    if requests == 0:  # an empty file still replaces the graph: with nothing
        _check(_send(client, "PUT", endpoint, params=target, content=b"",
                     headers={"Content-Type": "application/n-triples"}), f"PUT of {data}")
        requests = 1
    return Published(graph_iri, sent, count_triples(client, endpoint, graph_iri), requests=requests)


def count_triples(client: httpx.Client, endpoint: str, graph_iri: str) -> int:
    """The triples a Graph Store Protocol endpoint holds in ``graph_iri`` (0 if it has no such
    graph), read back from the server."""
    response = _send(client, "GET", endpoint, params={"graph": graph_iri}, headers={"Accept": _GRAPH_ACCEPT})
    if response.status_code == 404:
        return 0
    _check(response, f"GET of graph <{graph_iri}>")
    media_type = response.headers.get("content-type", "application/n-triples").split(";")[0].strip()
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise EndpointError(f"{endpoint}: answered the graph in {media_type}, not an RDF format")
    try:
        return sum(1 for _ in ox.parse(response.content, rdf_format))
    except SyntaxError as exc:
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


def _declare_prefixes(query: str) -> str:
    """The query with a PREFIX line for each project prefix it does not declare itself."""
    declared = set(_PREFIX_DECLARED.findall(query))
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in prefixes().items() if p not in declared]
    return "\n".join([*lines, query])


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


def _send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    params: dict[str, str],
    headers: dict[str, str],
    content: bytes | _FileBody | None = None,
) -> httpx.Response:
    try:
        return client.request(method, url, params=params, headers=headers, content=content)
    except httpx.TimeoutException as exc:
        raise EndpointError(f"{url}: {method} timed out ({exc}); raise --timeout for a slow server") from exc
    except httpx.HTTPError as exc:
        raise EndpointError(f"{url}: cannot be reached ({exc}); check the URL and that the server runs") from exc


def _check(response: httpx.Response, what: str) -> None:
    """Turn a refusal into an error with the status and the server's own words."""
    if response.is_success:
        return
    said = " ".join(response.text.split())[:300]
    hint = {
        401: "; set RSVLM_SPARQL_USER and RSVLM_SPARQL_PASSWORD, or RSVLM_SPARQL_TOKEN",
        403: "; the credentials given may not write there",
        404: "; is this the server's Graph Store (publish) or query endpoint? see docs/maintainers.md",
        405: "; is this the server's Graph Store (publish) or query endpoint? see docs/maintainers.md",
    }.get(response.status_code, "")
    raise EndpointError(
        f"{response.request.url}: {what} refused with HTTP {response.status_code}"
        f"{': ' + said if said else ''}{hint}"
    )
