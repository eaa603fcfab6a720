"""SPARQL over the exported knowledge graph, answered by pyoxigraph, on this machine only.

pyoxigraph loads the Turtle export and answers in milliseconds where rdflib's engine takes seconds;
the project's prefixes (``dcterms:``, ``cito:``, ``task:``, …) are predeclared, so a query may use
them without ``PREFIX`` lines. Example queries ship with the package (``queries/*.rq``), found by
name with :func:`example_query`.

A query stays local: ``SERVICE`` (the one way SPARQL reaches another host while a query runs) is
refused unless its endpoint is named as allowed, and the query is evaluated in a child process
that is killed when it outlasts its timeout or the user presses Ctrl-C; pyoxigraph's evaluation
cannot be interrupted from Python otherwise.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import re
import signal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
import rdflib

from .config import DEFAULT_QUERY_TIMEOUT
from .errors import QueryError
from .exports.rdf import prefixes
from .output import aligned_table, csv_text

__all__ = [
    "QueryResult",
    "Term",
    "answer_from_bytes",
    "example_names",
    "example_query",
    "format_result",
    "read_query",
    "run_query",
    "service_endpoints",
    "check_services",
]

ResultFormat = Literal["table", "json", "csv"]
#: an RDF term in a table cell; ``None`` is an unbound variable
Term = ox.NamedNode | ox.BlankNode | ox.Literal

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The answer to a query: a table (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE).

    ``terms`` keeps each cell as the RDF term the engine returned (IRI, typed or language-tagged
    literal, blank node; ``None`` when unbound), so JSON output can say which is which.
    """

    columns: tuple[str, ...] = ()
    terms: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    graph: rdflib.Graph | None = None

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        """Table cells as plain strings: an IRI, a literal's lexical form, ``_:id`` for a blank
        node, ``""`` for an unbound variable."""
        return tuple(tuple(_plain(term) for term in row) for row in self.terms)


def _plain(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def read_query(query_or_file: str) -> str:
    """Return the query text: the contents of the file if given an existing file or a
    ``.rq``/``.sparql`` path, else the text itself.

    Examples
    --------
    >>> read_query("ASK { ?s ?p ?o }")
    'ASK { ?s ?p ?o }'
    """
    path = Path(query_or_file)
    # a query text is never the name of an existing file; any such file is read, whatever its suffix
    if query_or_file.endswith((".rq", ".sparql")) or _is_file(path):
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise QueryError(
                f"{path}: cannot read the query file ({exc}); "
                f"or name an example with --example ({', '.join(example_names())})"
            ) from exc
    return query_or_file


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a long query text is a file name too long for the system
        return False


def example_names() -> list[str]:
    """The names of the example queries shipped with the package, sorted.

    Examples
    --------
    >>> "datasets-introduced-and-users" in example_names()
    True
    """
    folder = resources.files(__package__).joinpath("queries")
    return sorted(entry.name.removesuffix(".rq") for entry in folder.iterdir() if entry.name.endswith(".rq"))


def example_query(name: str) -> str:
    """Return the text of the example query ``name`` (its file name without ``.rq``).

    Raises
    ------
    QueryError
        If no example has that name; the message lists those that exist.
    """
    names = example_names()
    if name.removesuffix(".rq") not in names:
        raise QueryError(f"no example query named {name!r}; examples: {', '.join(names)}")
    return resources.files(__package__).joinpath("queries", name.removesuffix(".rq") + ".rq").read_text(
        encoding="utf-8"
    )


# Tokens of SPARQL that can hide the word SERVICE: comments, strings, IRIs; then words (keywords
# and prefixed names, so that ``ex:service`` is not the keyword) and variables.
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
    |(?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
        |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    |(?P<variable>[?$][\w]+)
    |(?P<word>[A-Za-z_][\w.-]*(?::[\w.:%-]*)?|:[\w.:%-]*)
    """,
    re.VERBOSE,
)


def service_endpoints(query: str) -> list[str]:
    """Return the endpoint of every ``SERVICE`` clause of a query, as written, in order.

    An IRI is given without its angle brackets; a variable or prefixed name as written.

    Examples
    --------
    >>> service_endpoints('SELECT * { SERVICE SILENT <http://a.example/sparql> { ?s ?p "SERVICE <x>" } }')
    ['http://a.example/sparql']
    >>> service_endpoints("SELECT ?service { ?service ex:service ?x } # SERVICE <http://b>")
    []
    """
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(query) if m.lastgroup not in ("comment", "string")]
    endpoints = []
    for i, (kind, text) in enumerate(tokens):
        if kind != "word" or text.upper() != "SERVICE":
            continue
        following = tokens[i + 1: i + 3]
        if following and following[0][0] == "word" and following[0][1].upper() == "SILENT":
            following = following[1:]
        target = following[0][1] if following else ""
        endpoints.append(target[1:-1] if target.startswith("<") else target)
    return endpoints


def check_services(query: str, allowed: Iterable[str] = ()) -> None:
    """Refuse a query that would reach another host through ``SERVICE``, unless every endpoint
    it names is in ``allowed``.

    Raises
    ------
    QueryError
        Naming the first endpoint not allowed, and how to allow it.

    Examples
    --------
    >>> check_services("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }", ["http://a.example/sparql"])
    >>> check_services("SELECT * { SERVICE <http://a.example/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    rsvlm_graph.errors.QueryError: SERVICE <http://a.example/sparql> refused: a query stays on this machine; allow that endpoint with --allow-service http://a.example/sparql
    """
    permitted = set(allowed)
    for endpoint in service_endpoints(query):
        if endpoint in permitted:
            continue
        if not endpoint or endpoint.startswith(("?", "$")) or "://" not in endpoint:
            raise QueryError(
                f"SERVICE {endpoint or '(no endpoint)'} refused: a query stays on this machine, and only "
                "an endpoint written as a full IRI can be allowed (--allow-service IRI)"
            )
        raise QueryError(
            f"SERVICE <{endpoint}> refused: a query stays on this machine; "
            f"allow that endpoint with --allow-service {endpoint}"
        )


def _store(source: Path | bytes) -> ox.Store:
    store = ox.Store()
    if isinstance(source, bytes):
        store.load(source, ox.RdfFormat.N_TRIPLES)
        return store
    path = Path(source)
    rdf_format = _FORMATS.get(path.suffix.lower())
    if rdf_format is None:
        raise QueryError(f"{path}: unknown RDF format; give a .ttl, .nt or .jsonld file")
    try:
        store.bulk_load(path=str(path), format=rdf_format)
    except OSError as exc:
        raise QueryError(f"{path}: cannot read ({exc}); run `rsvlm-graph build` first or pass --data") from exc
    except SyntaxError as exc:
        raise QueryError(f"{path}: not valid RDF ({exc})") from exc
    return store


def run_query(
    source: Path | rdflib.Graph,
    query: str,
    *,
    timeout: float = DEFAULT_QUERY_TIMEOUT,
    allowed_services: Sequence[str] = (),
) -> QueryResult:
    """Answer a SPARQL 1.1 query over an RDF file or graph, on this machine.

    Parameters
    ----------
    source : Path or rdflib.Graph
        A Turtle (``.ttl``), N-Triples (``.nt``) or JSON-LD (``.jsonld``) file, or a graph such
        as ``export_rdf.to_rdf(G)``.
    query : str
        SPARQL text; the prefixes of ``export_rdf.prefixes()`` need no declaration.
    timeout : float, default 30
        Seconds the evaluation may take; it is then stopped.
    allowed_services : sequence of str
        ``SERVICE`` endpoints the query may call; any other ``SERVICE`` is refused.

    Returns
    -------
    QueryResult
        ``columns`` and ``terms`` for SELECT, ``boolean`` for ASK, ``graph`` for CONSTRUCT/DESCRIBE.

    Raises
    ------
    QueryError
        If the source cannot be read, the query is not valid SPARQL, calls a ``SERVICE`` not
        allowed, outlasts ``timeout``, or its evaluation fails.

    Examples
    --------
    >>> g = rdflib.Graph()
    >>> _ = g.add((rdflib.URIRef("https://example.org/a"), rdflib.URIRef("http://purl.org/dc/terms/title"), rdflib.Literal("A")))
    >>> run_query(g, "SELECT ?title WHERE { ?paper dcterms:title ?title }").rows
    (('A',),)
    >>> run_query(g, "ASK { ?paper cito:cites ?other }").boolean
    False
    """
    check_services(query, allowed_services)
    data = source.serialize(format="nt", encoding="utf-8") if isinstance(source, rdflib.Graph) else Path(source)
    # fork where the system has it: the child starts at once, with this process's modules loaded
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_evaluate, args=(data, query, sender), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise QueryError(
                f"query stopped after {timeout:g} s (--timeout); narrow it (fewer patterns, a LIMIT) "
                "or allow it longer"
            )
        try:
            outcome: tuple[str, bytes] | QueryError = receiver.recv()
        except EOFError:
            raise QueryError(f"query evaluation ended without an answer (exit code {child.exitcode})") from None
    finally:  # a timeout, an error or Ctrl-C: the evaluation must not run on
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if isinstance(outcome, QueryError):
        raise outcome
    return answer_from_bytes(*outcome)


def _evaluate(source: Path | bytes, query: str, sender: Connection) -> None:
    """The child process: load, evaluate, send back the answer serialized (or the error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it kills us
    try:
        sender.send(_answer_bytes(_store(source), query))
    except QueryError as exc:
        sender.send(exc)
    finally:
        sender.close()


def _answer_bytes(store: ox.Store, query: str) -> tuple[str, bytes]:
    try:
        answer = store.query(query, prefixes=prefixes())
    except SyntaxError as exc:
        raise QueryError(f"query is not valid SPARQL: {' '.join(str(exc).split())}") from exc
    try:  # solutions are computed lazily, while serialized
        if isinstance(answer, ox.QueryTriples):
            return "application/n-triples", answer.serialize(format=ox.RdfFormat.N_TRIPLES) or b""
        return "application/sparql-results+json", answer.serialize(format=ox.QueryResultsFormat.JSON) or b""
    except (OSError, RuntimeError) as exc:
        raise QueryError(f"query failed while running: {exc}; check SERVICE endpoints and functions used") from exc


def answer_from_bytes(media_type: str, data: bytes) -> QueryResult:
    """Read an answer in the SPARQL 1.1 results formats (JSON, XML, CSV/TSV) or an RDF format
    (for CONSTRUCT and DESCRIBE), as a file query's child process or a server sends it.

    Raises
    ------
    QueryError
        If the media type is not one of those, or the data does not parse.

    Examples
    --------
    >>> answer = b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "2"}}]}}'
    >>> answer_from_bytes("application/sparql-results+json", answer).rows
    (('2',),)
    """
    base = media_type.split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(base)
    if results_format is not None:
        # solutions are parsed lazily, as they are read: a binding of a variable the header does
        # not declare, or an XML entity nobody defined, fails while reading them
        try:
            answer = ox.parse_query_results(data, results_format)
            if isinstance(answer, ox.QueryBoolean):
                return QueryResult(boolean=bool(answer))
            columns = tuple(variable.value for variable in answer.variables)
            terms = tuple(tuple(_cell(solution[column]) for column in columns) for solution in answer)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"the answer is not valid {base}: {' '.join(str(exc).split())}") from exc
        return QueryResult(columns=columns, terms=terms)
    rdf_format = ox.RdfFormat.from_media_type(base)
    if rdf_format is None:
        raise QueryError(f"the answer is in {base or 'no stated format'}, neither SPARQL results nor RDF")
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in prefixes().items():
        graph.bind(prefix, namespace)
    try:
        triples = ox.serialize(ox.parse(data, rdf_format), format=ox.RdfFormat.N_TRIPLES) or b""
    except SyntaxError as exc:
        raise QueryError(f"the answer is not valid {base}: {exc}") from exc
    graph.parse(data=triples.decode("utf-8"), format="nt")
    return QueryResult(graph=graph)


def _cell(term: object) -> Term | None:
    if term is None or isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term
    return ox.Literal(str(term))  # an RDF-star triple: shown as its text


def format_result(result: QueryResult, fmt: ResultFormat = "table") -> str:
    """Render a query result as an aligned text table, SPARQL 1.1 Query Results JSON or CSV.

    JSON is the W3C format (``head.vars``, ``results.bindings`` with ``type`` uri, literal or
    bnode, and a literal's ``datatype`` or ``xml:lang``; ``boolean`` for ASK). A graph result is
    Turtle as "table", JSON-LD as "json" and subject/predicate/object rows as "csv"; a boolean
    is ``true``/``false``.

    Examples
    --------
    >>> result = QueryResult(columns=("paper", "n"), terms=((ox.Literal("a"), ox.Literal("2")), (ox.Literal("bb"), ox.Literal("10"))))
    >>> print(format_result(result, "table"))
    paper  n
    -----  --
    a      2
    bb     10
    """
    if fmt not in ("table", "json", "csv"):
        raise QueryError(f"unknown result format {fmt!r}; use table, json or csv")
    if result.graph is not None:
        if fmt == "csv":
            triples = sorted((str(s), str(p), str(o)) for s, p, o in result.graph)
            return _csv(("subject", "predicate", "object"), triples)
        return result.graph.serialize(format="json-ld" if fmt == "json" else "turtle")
    if result.boolean is not None:
        text = "true" if result.boolean else "false"
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": result.boolean})
        return f"boolean\n{text}\n" if fmt == "csv" else text
    if fmt == "json":
        return _results_json(result)
    if fmt == "csv":
        return _csv(result.columns, result.rows)
    return aligned_table(result.columns, result.rows)


def _results_json(result: QueryResult) -> str:
    bindings = [
        {column: _json_term(term) for column, term in zip(result.columns, row) if term is not None}
        for row in result.terms
    ]
    document = {"head": {"vars": list(result.columns)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2)


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    cell = {"type": "literal", "value": term.value}
    if term.language:
        cell["xml:lang"] = term.language
    elif term.datatype.value not in (_XSD_STRING, _LANG_STRING):
        cell["datatype"] = term.datatype.value
    return cell


def _csv(columns: tuple[str, ...], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([csv_text(cell) for cell in row] for row in rows)
    return buffer.getvalue()
