"""Tests of query: the example queries of docs/queries on a SYNTHETIC hand-built graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from test_export_rdf import CAPTIONER, DATASET, NASTY, OUTSIDE, SURVEY, sample_graph

from rsvlm_graph.errors import QueryError
from rsvlm_graph.exports.rdf import (
    node_iri,
    to_rdf,
    to_statements,
    write_jsonld,
    write_turtle,
)
from rsvlm_graph.query import QueryResult, format_result, read_query, run_query

QUERIES = Path(__file__).parents[1] / "docs" / "queries"


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
    result = QueryResult(columns=("paper", "n"), rows=(("a,b", "2"), ("c", "10")))
    assert format_result(result, "table").splitlines() == ["paper  n", "-----  --", "a,b    2", "c      10"]
    assert json.loads(format_result(result, "json")) == [{"paper": "a,b", "n": "2"}, {"paper": "c", "n": "10"}]
    assert format_result(result, "csv") == 'paper,n\n"a,b",2\nc,10\n'
    assert format_result(QueryResult(boolean=True), "json") == '{"boolean": true}'
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
            run_query(turtle, query)


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
