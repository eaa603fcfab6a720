"""Tests of query: the example queries (package data) on a SYNTHETIC hand-built graph, results
as SPARQL JSON, and queries kept on this machine (SERVICE refused, a timeout)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from test_export_rdf import CAPTIONER, DATASET, NASTY, OUTSIDE, SURVEY, sample_graph

from rsvlm_graph.errors import QueryError
from rsvlm_graph.exports.jsonld import write_jsonld
from rsvlm_graph.exports.rdf import node_iri, to_rdf, to_statements
from rsvlm_graph.exports.turtle import write_turtle
from rsvlm_graph.query import QueryResult, example_names, example_query, format_result, read_query, run_query

QUERIES = Path(__file__).parents[1] / "src" / "rsvlm_graph" / "queries"


@pytest.fixture(scope="module")
def turtle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "graph.ttl"
    write_turtle(to_statements(sample_graph()), path)
    return path


def test_papers_of_a_task_citing_a_paper(turtle):
    result = run_query(turtle, read_query(str(QUERIES / "papers-of-task-citing-paper.rq")))
    assert result.columns == ("paper", "title", "year")
    assert result.rows == ((node_iri(CAPTIONER), "A Remote Sensing Captioner", "2023"),)


def test_datasets_introduced_by_list_papers_and_their_users(turtle):
    result = run_query(turtle, read_query(str(QUERIES / "datasets-introduced-and-users.rq")))
    assert result.columns == ("dataset", "name", "introducedBy", "users", "usedBy")
    assert result.rows == ((node_iri(DATASET), "RSICD", "A Remote Sensing Captioner", "1",
                            "Vision-Language Models in Remote Sensing"),)


def test_most_cited_outside_papers():
    result = run_query(to_rdf(sample_graph()), read_query(str(QUERIES / "most-cited-outside-papers.rq")))
    # cited by the survey, the captioner and the old paper; list papers themselves never appear
    assert result.rows == ((node_iri(OUTSIDE), "An Outside Paper", "2021", "3"),)


def test_jsonld_file_gives_the_same_answers_as_turtle(turtle, tmp_path):
    path = tmp_path / "graph.jsonld"
    write_jsonld(to_statements(sample_graph()), path)
    query = "SELECT ?s ?o WHERE { ?s cito:cites ?o } ORDER BY ?s ?o"
    assert run_query(path, query) == run_query(turtle, query)
    assert len(run_query(path, query).rows) == 4


def test_ask_construct_and_unbound_cells(turtle):
    assert run_query(turtle, f"ASK {{ <{node_iri(NASTY)}> cito:cites ?x }}").boolean is True
    assert run_query(turtle, "ASK { ?x cito:cites ?x }").boolean is False
    built = run_query(turtle, "CONSTRUCT { ?b <https://example.org/citedBy> ?a } WHERE { ?a cito:cites ?b }")
    assert len(built.graph) == 4
    assert (rdflib.URIRef(node_iri(SURVEY)), rdflib.URIRef("https://example.org/citedBy"),
            rdflib.URIRef(node_iri(CAPTIONER))) in built.graph
    optional = run_query(turtle, "SELECT ?p ?d WHERE { ?p a schema:ScholarlyArticle OPTIONAL { ?p cito:describes ?d } }")
    assert sorted(row[1] for row in optional.rows) == ["", "", "", "", node_iri(DATASET)]


def test_format_result_as_table_json_and_csv():
    result = QueryResult(columns=("paper", "n"), terms=((ox.Literal("a,b"), ox.Literal("2")), (ox.Literal("c"), ox.Literal("10"))))
    assert format_result(result, "table").splitlines() == ["paper  n", "-----  --", "a,b    2", "c      10"]
    assert json.loads(format_result(result, "json")) == {"head": {"vars": ["paper", "n"]}, "results": {"bindings": [
        {"paper": {"type": "literal", "value": "a,b"}, "n": {"type": "literal", "value": "2"}},
        {"paper": {"type": "literal", "value": "c"}, "n": {"type": "literal", "value": "10"}}]}}
    assert format_result(result, "csv") == 'paper,n\n"a,b",2\nc,10\n'
    assert json.loads(format_result(QueryResult(boolean=True), "json")) == {"head": {}, "boolean": True}
    assert format_result(QueryResult(boolean=False), "table") == "false"


def test_format_graph_result(turtle):
    built = run_query(turtle, f"CONSTRUCT {{ ?a cito:cites ?b }} WHERE {{ ?a cito:cites ?b FILTER(?a = <{node_iri(NASTY)}>) }}")
    assert format_result(built, "csv").splitlines() == ["subject,predicate,object", f"{node_iri(NASTY)},http://purl.org/spar/cito/cites,{node_iri(OUTSIDE)}"]
    assert "cito:cites" in format_result(built, "table")
    with pytest.raises(QueryError, match="unknown result format"):
        format_result(built, "xml")


def test_errors_name_the_problem(turtle, tmp_path):
    with pytest.raises(QueryError, match="not valid SPARQL"):
        run_query(turtle, "SELEKT ?x")
    with pytest.raises(QueryError, match="rsvlm-graph build"):
        run_query(tmp_path / "missing.ttl", "ASK {}")
    with pytest.raises(QueryError, match="unknown RDF format"):
        run_query(tmp_path / "graph.xml", "ASK {}")
    with pytest.raises(QueryError, match="cannot read the query file"):
        read_query(str(tmp_path / "missing.rq"))


def test_query_file_with_any_suffix_is_read(tmp_path):
    path = tmp_path / "count.txt"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n", encoding="utf-8")
    assert read_query(str(path)) == path.read_text(encoding="utf-8")
    long_text = "SELECT ?s WHERE { ?s ?p ?o } # " + "x" * 400  # too long for a file name
    assert read_query(long_text) == long_text


def test_evaluation_error_is_a_query_error_not_a_traceback(turtle):
    # port 9 (discard) is refused by pyoxigraph's HTTP client before any connection is tried
    for query in ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"):
        with pytest.raises(QueryError, match="query failed while running"):
            run_query(turtle, query, allowed_services=["http://127.0.0.1:9/sparql"])


def test_example_queries_count_outside_papers_without_a_title(tmp_path):
    # Semantic Scholar knows some cited papers without a title; they still cite and use
    G = sample_graph()
    G.nodes[OUTSIDE]["title"] = G.nodes[OUTSIDE]["label"] = ""
    G.add_edge(OUTSIDE, DATASET, key="uses")
    g = to_rdf(G)
    most_cited = run_query(g, read_query(str(QUERIES / "most-cited-outside-papers.rq")))
    assert most_cited.rows == ((node_iri(OUTSIDE), "", "2021", "3"),)
    datasets = run_query(g, read_query(str(QUERIES / "datasets-introduced-and-users.rq")))
    assert [row[3] for row in datasets.rows] == ["2"]


class _Listener:
    """A loopback HTTP server that records every request it receives (it answers 500)."""

    def __init__(self) -> None:
        import http.server
        import threading

        seen = self.requests = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                seen.append(self.path)
                self.send_error(500)

            do_POST = do_GET

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = _Listener()
    yield server
    server.close()


def test_service_is_refused_and_nothing_leaves_the_machine(turtle, listener):
    for query in (f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
                  f"select * {{ ?a cito:cites ?b . service silent <{listener.url}> {{ ?b ?p ?o }} }}",
                  f"SELECT * WHERE {{ BIND(<{listener.url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}"):
        with pytest.raises(QueryError, match="refused: a query stays on this machine"):
            run_query(turtle, query)
    # FROM names a graph of the local store: pyoxigraph never fetches it
    assert run_query(turtle, f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}").rows == ()
    assert listener.requests == []


def test_service_words_in_strings_comments_and_names_are_not_service(turtle):
    query = """SELECT ?service WHERE { # SERVICE <http://a.example/>
      ?service dcterms:title ?t FILTER(?t != "SERVICE <http://a.example/> {}") } LIMIT 1"""
    assert run_query(turtle, query).columns == ("service",)


def test_an_allowed_service_is_called(turtle, listener):
    with pytest.raises(QueryError, match="query failed while running"):
        run_query(turtle, f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
                  allowed_services=[listener.url])
    assert len(listener.requests) == 1


def test_a_costly_query_is_stopped_at_its_timeout(turtle):
    import time

    costly = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"query stopped after 0.5 s \(--timeout\)"):
        run_query(turtle, costly, timeout=0.5)
    assert time.monotonic() - started < 5


def test_results_json_keeps_iris_typed_literals_and_languages(turtle):
    query = f"""SELECT ?paper ?year ?title ?tagged ?missing WHERE {{
      BIND(<{node_iri(CAPTIONER)}> AS ?paper) ?paper fabio:hasPublicationYear ?year ; dcterms:title ?title
      BIND(STRLANG("x", "en") AS ?tagged) }}"""
    document = json.loads(format_result(run_query(turtle, query), "json"))
    assert document["head"]["vars"] == ["paper", "year", "title", "tagged", "missing"]
    assert document["results"]["bindings"] == [{
        "paper": {"type": "uri", "value": node_iri(CAPTIONER)},
        "year": {"type": "literal", "value": "2023", "datatype": "http://www.w3.org/2001/XMLSchema#gYear"},
        "title": {"type": "literal", "value": "A Remote Sensing Captioner"},
        "tagged": {"type": "literal", "value": "x", "xml:lang": "en"},
    }]


def test_examples_are_found_by_name():
    assert example_names() == sorted(p.stem for p in QUERIES.glob("*.rq"))
    assert example_query("most-cited-outside-papers") == (QUERIES / "most-cited-outside-papers.rq").read_text()
    with pytest.raises(QueryError, match="examples: datasets-introduced-and-users"):
        example_query("nope")
