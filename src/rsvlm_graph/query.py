"""SPARQL over the exported knowledge graph, answered by pyoxigraph.

pyoxigraph loads the Turtle export and answers in milliseconds where rdflib's engine takes seconds;
the project's prefixes (``dcterms:``, ``cito:``, ``task:``, …) are predeclared, so a query may use
them without ``PREFIX`` lines. Example queries live in ``docs/queries/``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
import rdflib

from .errors import QueryError
from .exports.rdf import prefixes
from .output import aligned_table

__all__ = ["QueryResult", "read_query", "run_query", "format_result"]

ResultFormat = Literal["table", "json", "csv"]

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The answer to a query: a table (SELECT), a boolean (ASK) or a graph (CONSTRUCT, DESCRIBE).

    Table cells are plain strings: an IRI, a literal's lexical form, ``_:id`` for a blank node,
    ``""`` for an unbound variable.
    """

    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    boolean: bool | None = None
    graph: rdflib.Graph | None = None


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
            raise QueryError(f"{path}: cannot read the query file ({exc}); see docs/queries/ for examples") from exc
    return query_or_file


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a long query text is a file name too long for the system
        return False


def _store(source: Path | rdflib.Graph) -> ox.Store:
    store = ox.Store()
    if isinstance(source, rdflib.Graph):
        store.load(source.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES)
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


def _plain(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def run_query(source: Path | rdflib.Graph, query: str) -> QueryResult:
    """Answer a SPARQL 1.1 query over an RDF file or graph.

    Parameters
    ----------
    source : Path or rdflib.Graph
        A Turtle (``.ttl``), N-Triples (``.nt``) or JSON-LD (``.jsonld``) file, or a graph such
        as ``export_rdf.to_rdf(G)``.
    query : str
        SPARQL text; the prefixes of ``export_rdf.prefixes()`` need no declaration.

    Returns
    -------
    QueryResult
        ``columns`` and ``rows`` for SELECT, ``boolean`` for ASK, ``graph`` for CONSTRUCT/DESCRIBE.

    Raises
    ------
    QueryError
        If the source cannot be read, the query is not valid SPARQL or its evaluation fails
        (e.g. a ``SERVICE`` that cannot be reached).

    Examples
    --------
    >>> g = rdflib.Graph()
    >>> _ = g.add((rdflib.URIRef("https://example.org/a"), rdflib.URIRef("http://purl.org/dc/terms/title"), rdflib.Literal("A")))
    >>> run_query(g, "SELECT ?title WHERE { ?paper dcterms:title ?title }").rows
    (('A',),)
    >>> run_query(g, "ASK { ?paper cito:cites ?other }").boolean
    False
    """
    store = _store(source)
    try:
        answer = store.query(query, prefixes=prefixes())
    except SyntaxError as exc:
        raise QueryError(f"query is not valid SPARQL: {exc}") from exc
    try:
        return _result(answer)
    except (OSError, RuntimeError) as exc:  # raised while solutions are computed, lazily
        raise QueryError(f"query failed while running: {exc}; check SERVICE endpoints and functions used") from exc


def _result(answer: ox.QueryBoolean | ox.QuerySolutions | ox.QueryTriples) -> QueryResult:
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        columns = tuple(variable.value for variable in answer.variables)
        rows = tuple(tuple(_plain(solution[column]) for column in columns) for solution in answer)
        return QueryResult(columns=columns, rows=rows)
    graph = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in prefixes().items():
        graph.bind(prefix, namespace)
    graph.parse(data=ox.serialize(answer, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return QueryResult(graph=graph)


def format_result(result: QueryResult, fmt: ResultFormat = "table") -> str:
    """Render a query result as an aligned text table, JSON or CSV.

    A graph result is Turtle as "table", JSON-LD as "json" and subject/predicate/object rows as
    "csv"; a boolean is ``true``/``false``.

    Examples
    --------
    >>> print(format_result(QueryResult(columns=("paper", "n"), rows=(("a", "2"), ("bb", "10"))), "table"))
    paper  n
    -----  --
    a      2
    bb     10
    """
    if fmt not in ("table", "json", "csv"):
        raise QueryError(f"unknown result format {fmt!r}; use table, json or csv")
    if result.graph is not None:
        if fmt == "csv":
            rows = sorted((str(s), str(p), str(o)) for s, p, o in result.graph)
            return _csv(("subject", "predicate", "object"), rows)
        return result.graph.serialize(format="json-ld" if fmt == "json" else "turtle")
    if result.boolean is not None:
        text = "true" if result.boolean else "false"
        return json.dumps({"boolean": result.boolean}) if fmt == "json" else (f"boolean\n{text}\n" if fmt == "csv" else text)
    if fmt == "json":
        return json.dumps([dict(zip(result.columns, row)) for row in result.rows], ensure_ascii=False, indent=2)
    if fmt == "csv":
        return _csv(result.columns, result.rows)
    return aligned_table(result.columns, result.rows)


def _csv(columns: tuple[str, ...], rows: object) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()
