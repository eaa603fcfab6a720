"""Tests of export_tables: GraphML read back by networkx with typed attributes, CSV tables.

Graphs are SYNTHETIC (see test_export_rdf.sample_graph).
"""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest
from test_export_rdf import CAPTIONER, OUTSIDE, SURVEY, TITLE_ONLY, sample_graph

from rsvlm_graph.errors import ExportError
from rsvlm_graph.exports.tables import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    write_csv,
    write_graphml,
)


@pytest.fixture
def graphml(tmp_path) -> nx.MultiDiGraph:
    path = tmp_path / "graph.graphml"
    write_graphml(sample_graph(), path)
    return nx.read_graphml(path, force_multigraph=True)


def test_graphml_keeps_nodes_and_typed_attributes(graphml):
    G = sample_graph()
    assert set(graphml) == set(G)
    survey = graphml.nodes[SURVEY]
    assert survey["kind"] == "paper"
    assert survey["year"] == 2023 and type(survey["year"]) is int
    assert survey["citation_count"] == 120 and type(survey["citation_count"]) is int
    assert survey["in_list"] is True
    assert survey["authors"] == "A. Author; B. Author"
    assert survey["abstract"] == 'A "survey"\nwith a back\\slash.'
    assert "embedding" not in survey
    assert "resolution_score" not in survey  # None is left out, not written as "None"


def test_graphml_omits_none_and_empty_tuples(graphml):
    remoteglm = graphml.nodes[TITLE_ONLY]
    assert set(remoteglm) == {"kind", "label", "title", "in_list"}


def test_graphml_edges_carry_relation_and_typed_attributes(graphml):
    G = sample_graph()
    relations = sorted((u, v, d["relation"]) for u, v, d in graphml.edges(data=True))
    assert relations == sorted((u, v, k) for u, v, k in G.edges(keys=True))
    cites = {(u, v): d for u, v, d in graphml.edges(data=True) if d["relation"] == "cites"}
    assert cites[(CAPTIONER, SURVEY)]["is_influential"] is True
    assert cites[(SURVEY, OUTSIDE)]["is_influential"] is False
    positions = sorted(d["position"] for _, _, d in graphml.edges(data=True) if d["relation"] == "authored_by")
    assert positions == [0, 1]


def test_graphml_widens_mixed_types_and_strips_characters_xml_cannot_hold(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("paper:title:a", kind="paper", label="a\x0bb", resolution_score=90)
    G.add_node("paper:title:b", kind="paper", label="c", resolution_score=87.5)
    G.add_node("paper:title:c", kind="paper", label="d", line=3)
    G.add_node("paper:title:d", kind="paper", label="e", line="x")
    G.add_node("paper:title:e", kind="paper", label="f", flag=True)
    G.add_node("paper:title:f", kind="paper", label="g", flag="maybe")
    path = tmp_path / "g.graphml"
    write_graphml(G, path)
    H = nx.read_graphml(path, force_multigraph=True)
    assert H.nodes["paper:title:a"]["resolution_score"] == 90.0
    assert type(H.nodes["paper:title:a"]["resolution_score"]) is float
    assert H.nodes["paper:title:c"]["line"] == "3"
    assert H.nodes["paper:title:a"]["label"] == "ab"
    assert H.nodes["paper:title:e"]["flag"] == "true"  # as a boolean key writes it, not Python's "True"


def test_graphml_is_byte_identical_whatever_the_insertion_order(tmp_path):
    write_graphml(sample_graph(), tmp_path / "1")
    write_graphml(sample_graph(reverse=True), tmp_path / "2")
    assert (tmp_path / "1").read_bytes() == (tmp_path / "2").read_bytes()


def test_values_tables_cannot_carry_raise(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("paper:title:a", kind="paper", label="a", extra={"nested": 1})
    with pytest.raises(ExportError, match="'extra' holds a dict"):
        write_graphml(G, tmp_path / "g.graphml")


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_tables_have_fixed_columns_and_sorted_rows(tmp_path):
    G = sample_graph(reverse=True)
    write_csv(G, tmp_path / "nodes.csv", tmp_path / "edges.csv")
    nodes, edges = read_csv(tmp_path / "nodes.csv"), read_csv(tmp_path / "edges.csv")
    assert nodes[0] == list(NODE_COLUMNS)
    assert edges[0] == list(EDGE_COLUMNS)
    assert [row[0] for row in nodes[1:]] == sorted(G)
    assert [tuple(row[:3]) for row in edges[1:]] == sorted(G.edges(keys=True))
    survey = dict(zip(nodes[0], next(row for row in nodes[1:] if row[0] == SURVEY)))
    assert survey["year"] == "2023"
    assert survey["in_list"] == "true"
    assert survey["authors"] == "A. Author; B. Author"
    assert survey["resolution_score"] == ""
    assert "embedding" not in nodes[0]
    influential = [row for row in edges[1:] if row[:3] == [CAPTIONER, SURVEY, "cites"]]
    assert influential == [[CAPTIONER, SURVEY, "cites", "", "true"]]


def test_csv_appends_attributes_outside_the_contract_sorted(tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("task:a", kind="task", label="A", zeta=1, alpha=2.5)
    G.add_node("task:b", kind="task", label="B")
    G.add_edge("task:a", "task:b", key="has_task", weight=3)
    write_csv(G, tmp_path / "n.csv", tmp_path / "e.csv")
    nodes, edges = read_csv(tmp_path / "n.csv"), read_csv(tmp_path / "e.csv")
    assert nodes[0][-2:] == ["alpha", "zeta"]
    assert nodes[1][-2:] == ["2.5", "1"] and nodes[2][-2:] == ["", ""]
    assert edges[0][-1] == "weight" and edges[1][-1] == "3"


def test_a_citation_whose_influence_is_unknown_writes_nothing_in_any_export(tmp_path):
    # issue 24: a citation served nested in a batch carries no isInfluential: unknown, not false
    from rsvlm_graph.exports.rdf import to_statements

    G = sample_graph()
    G.add_edge(OUTSIDE, TITLE_ONLY, key="cites", is_influential=None)
    write_graphml(G, tmp_path / "g.graphml")
    read = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    (unknown,) = [d for u, v, d in read.edges(data=True) if (u, v) == (OUTSIDE, TITLE_ONLY)]
    assert "is_influential" not in unknown
    write_csv(G, tmp_path / "nodes.csv", tmp_path / "edges.csv")
    header, *rows = read_csv(tmp_path / "edges.csv")
    (row,) = [dict(zip(header, r)) for r in rows if r[:3] == [OUTSIDE, TITLE_ONLY, "cites"]]
    assert row["is_influential"] == ""  # not "False"
    influential = [s for s in to_statements(G) if "influentiallyCites" in str(s[1])]
    assert all(OUTSIDE not in str(s[0]) or TITLE_ONLY not in str(s[2]) for s in influential)


FORMULAS = ['=HYPERLINK("http://evil/","x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\t=1+1", "\r=1+1"]


def test_csv_cells_that_start_as_formulas_are_shown_as_text(tmp_path):
    # issue 29: a list title =HYPERLINK(...) went unchanged into exports/nodes.csv (SYNTHETIC titles)
    G = sample_graph()
    for n, title in zip([SURVEY, CAPTIONER, OUTSIDE, TITLE_ONLY], FORMULAS):
        G.nodes[n]["title"] = G.nodes[n]["label"] = title
    G.nodes[SURVEY]["venue"] = FORMULAS[4]
    G.nodes[CAPTIONER]["venue"] = FORMULAS[5]
    G.nodes[SURVEY]["resolution_score"] = -0.5  # a number stays one
    write_csv(G, tmp_path / "nodes.csv", tmp_path / "edges.csv")
    with (tmp_path / "nodes.csv").open(newline="", encoding="utf-8") as f:
        rows = {row["id"]: row for row in csv.DictReader(f)}
    cells = [rows[n][c] for n in (SURVEY, CAPTIONER, OUTSIDE, TITLE_ONLY) for c in ("title", "label")]
    cells += [rows[SURVEY]["venue"], rows[CAPTIONER]["venue"]]
    assert cells and all(cell.startswith("'") for cell in cells)
    assert rows[SURVEY]["title"] == "'" + FORMULAS[0] and rows[SURVEY]["resolution_score"] == "-0.5"


def test_every_csv_the_commands_print_neutralises_formulas():
    import pyoxigraph as ox

    from rsvlm_graph.output import format_records
    from rsvlm_graph.query import QueryResult, format_result

    records = [{"title": f, "n": -3} for f in FORMULAS]
    printed = list(csv.DictReader(io.StringIO(format_records(records, "csv", ["title", "n"]), newline="")))
    assert [row["title"] for row in printed] == [("'" + f).replace("\r", "\n") for f in FORMULAS]
    assert {row["n"] for row in printed} == {"-3"}
    result = QueryResult(("t",), tuple((ox.Literal(f),) for f in FORMULAS))
    assert [row["t"] for row in csv.DictReader(io.StringIO(format_result(result, "csv"), newline=""))] == [
        ("'" + f).replace("\r", "\n") for f in FORMULAS]
