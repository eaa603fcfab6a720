"""Tests of the GraphML's picture: Gephi and Cytoscape read the page's colours, sizes and layout.

Graphs are SYNTHETIC (see test_export_html.contract_graph).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
from test_export_html import OUTSIDE, contract_graph, page_nodes

from rsvlm_graph.exports.html import build_page
from rsvlm_graph.exports.html_drawing import KIND_STYLES, draw_view, node_pictures
from rsvlm_graph.exports.html_view import select_view
from rsvlm_graph.exports.tables import write_graphml


def _write(G: nx.MultiDiGraph, path: Path) -> str:
    """The build's steps: view, one drawing for the page and the GraphML; returns the page."""
    view = select_view(G, candidates=[OUTSIDE[3], OUTSIDE[1]], max_candidates=1)
    drawing = draw_view(view)
    write_graphml(G, path, pictures=node_pictures(G, drawing))
    return build_page(view, "SYNTHETIC", drawing=drawing)


def test_graphml_nodes_carry_the_pages_label_colour_size_and_position(tmp_path: Path) -> None:
    G = contract_graph()
    page = {node["id"]: node for node in page_nodes(_write(G, tmp_path / "g.graphml"))}
    H = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert set(H) == set(G) and set(page) < set(G)
    for node, data in H.nodes(data=True):
        kind = G.nodes[node]["kind"]
        assert data["label"] == G.nodes[node]["label"]
        if kind in KIND_STYLES:
            assert data["color"] == KIND_STYLES[kind][1]
        assert (data["r"], data["g"], data["b"]) == tuple(int(data["color"][i:i + 2], 16) for i in (1, 3, 5))
        assert data["size"] > 0
        if node in page:  # the page's clustered layout; y mirrored for Gephi's upward axis
            assert data["color"] == page[node]["color"] and data["size"] == page[node]["size"]
            assert (data["x"], data["y"]) == (page[node]["x"], -page[node]["y"])
        else:
            assert "x" not in data and "y" not in data
    assert {G.nodes[n]["kind"] for n in set(G) - set(page)}, "some nodes must lie outside the view"


def test_graphml_picture_is_byte_identical_on_rerun(tmp_path: Path) -> None:
    _write(contract_graph(), tmp_path / "a.graphml")
    _write(contract_graph(reverse=True), tmp_path / "b.graphml")
    assert (tmp_path / "a.graphml").read_bytes() == (tmp_path / "b.graphml").read_bytes()
    assert b'attr.name="x"' in (tmp_path / "a.graphml").read_bytes()
