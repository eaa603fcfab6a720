"""Pipeline decisions that are not visible from one CLI run (SYNTHETIC records)."""

from __future__ import annotations

import logging

import networkx as nx
import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsvlm_graph.exports.rdf import node_iri, to_statements
from rsvlm_graph.exports.shacl import conforming
from rsvlm_graph.graph import build_graph
from rsvlm_graph.listfile.curation import Curation
from rsvlm_graph.listfile.parse import parse_list
from rsvlm_graph.models import Author, Citation, Enrichment, Failure, Paper, Resolution
from rsvlm_graph.pipeline import Fetched, Loaded, _list_rows, write_exports

EARLIER = Paper("a" * 40, "Alpha", fetched_at="2026-11-20T08:00:00Z")
TODAY = Paper("b" * 40, "Beta", fetched_at="2026-11-27T10:00:05Z")
RUN_START = "2026-11-27T10:00:00Z"


def test_figures_of_an_earlier_run_are_not_todays():
    # S2 answered only 429 in this run: every paper known comes from the snapshot of last week
    rate_limited = Enrichment(
        papers=(EARLIER,), failures=(Failure("paper:x", "citations", "rate limited: set S2_API_KEY"),)
    )
    assert not Fetched(rate_limited, {"batch": 6, "citations": 6}, RUN_START).reached_semantic_scholar


def test_a_paper_fetched_in_this_run_makes_the_figures_todays():
    assert Fetched(Enrichment(papers=(EARLIER, TODAY)), {"batch": 1}, RUN_START).reached_semantic_scholar


def test_an_offline_run_reached_nothing():
    assert not Fetched(Enrichment(), {}, RUN_START).reached_semantic_scholar


# SYNTHETIC records, each with one value the graph or its RDF cannot take as it is
_LIST = """# L

## Captioning
| Title | Published in | Code |
|---|---|---|
| [A paper](https://arxiv.org/abs/2305.05726) | 全球传媒学刊 2023 | - |
"""
_FETCHED = "2026-11-27T10:00:00Z"
_GOOD = "a" * 40
_BAD = {
    "b" * 40: Paper("b" * 40, "Year out of range", year=99999, fetched_at=_FETCHED),
    "c" * 40: Paper("c" * 40, "DOI with a space", external_ids=(("DOI", "10.1/ space"),),
                    fetched_at=_FETCHED),
    "d" * 40: Paper("d" * 40, "Versioned arXiv id", external_ids=(("ArXiv", "2310.18324v2"),),
                    fetched_at=_FETCHED),
    "e" * 40: Paper("e" * 40, "Control \x0b characters", venue="Ven\x0cue", fetched_at=_FETCHED),
    "NOT-AN-S2-ID": Paper("NOT-AN-S2-ID", "Bad paper id", fetched_at=_FETCHED),
    "f" * 40: Paper("f" * 40, "Emoji venue", venue="🛰️", fetched_at=_FETCHED,
                    authors=(Author("🛰️"), Author(""), Author("A. Turing", "  "))),
}


def test_one_bad_value_degrades_only_its_own_record(tmp_path, caplog):
    listed = tmp_path / "list.md"
    listed.write_text(_LIST, encoding="utf-8")
    document = parse_list(_LIST, str(listed))
    node = "paper:arxiv:2305.05726"
    enrichment = Enrichment(
        resolutions=(Resolution(node, _GOOD, "batch-arxiv"),),
        papers=(Paper(_GOOD, "A paper", year=2023, fetched_at=_FETCHED), *_BAD.values()),
        citations=tuple(Citation(s2_id, _GOOD) for s2_id in _BAD),
    )
    with caplog.at_level(logging.WARNING):
        loaded = Loaded.build(document, Curation(), enrichment)
        built = write_exports(loaded, tmp_path / "out", year_now=2026)
    G = loaded.graph
    assert G.nodes[node]["venue"] == "全球传媒学刊" and G.has_edge(node, "venue:全球传媒学刊")
    cited_by = {u for u, _, key in G.in_edges(node, keys=True) if key == "cites"}
    assert cited_by == {f"paper:s2:{s2_id}" for s2_id in _BAD if s2_id != "NOT-AN-S2-ID"}
    assert {"venue:--1a0eb4fc", "author:name:--1a0eb4fc", "author:name:a-turing"} <= set(G)
    warnings = caplog.text
    for named in ("S2 paper 'NOT-AN-S2-ID': field paperId", f"S2 paper {'f' * 40}: field authors[1]",
                  f"paper:s2:{'b' * 40}: year 99999", f"paper/s2/{'c' * 40}: http://prismstandard.org/namespaces/basic/2.0/doi '10.1/ space'",
                  f"paper/s2/{'d' * 40}: http://purl.org/spar/fabio/hasArXivId '2310.18324v2'"):
        assert named in warnings
    turtle = rdflib.Graph().parse(tmp_path / "out" / "graph.ttl")
    assert len(turtle) == len(rdflib.Graph().parse(tmp_path / "out" / "graph.jsonld", format="json-ld"))
    dois = {str(o) for o in turtle.objects(None, rdflib.URIRef("http://prismstandard.org/namespaces/basic/2.0/doi"))}
    assert "10.1/ space" not in dois
    titles = {str(o) for o in turtle.objects(None, rdflib.URIRef("http://purl.org/dc/terms/title"))}
    assert {"DOI with a space", "Versioned arXiv id", "Year out of range"} <= titles
    H = nx.read_graphml(tmp_path / "out" / "graph.graphml")
    assert H.number_of_nodes() == G.number_of_nodes()
    # the page's drawing reaches the GraphML: every node coloured, the view's nodes placed
    assert all("color" in data for _, data in H.nodes(data=True))
    assert sum("x" in data for _, data in H.nodes(data=True)) == built.view_nodes > 0


def _built(tmp_path, title: str, **kwargs):
    """A build of a one-paper SYNTHETIC list whose paper is called `title`, into tmp_path/out."""
    text = _LIST.replace("A paper", title)
    listed = tmp_path / "list.md"
    listed.write_text(text, encoding="utf-8")
    document = parse_list(text, str(listed))
    return write_exports(Loaded.build(document, Curation(), Enrichment()), tmp_path / "out", year_now=2026,
                         **kwargs)


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_build_that_fails_on_a_late_export_leaves_the_previous_set_whole(tmp_path, monkeypatch):
    from rsvlm_graph.errors import ExportError
    from rsvlm_graph.exports import annotated_list

    _built(tmp_path, "First title")
    before = _files(tmp_path / "out")
    assert b"First title" in before["graph.ttl"]

    def refuse(*args, **kwargs):
        raise ExportError("SYNTHETIC failure of the last export")

    monkeypatch.setattr(annotated_list, "write_annotated_list", refuse)
    with pytest.raises(ExportError, match="SYNTHETIC failure"):
        _built(tmp_path, "Second title")
    # not one file of the second build replaced one of the first, and no staging folder is left
    assert _files(tmp_path / "out") == before
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == []


def test_an_export_name_taken_by_a_folder_replaces_nothing(tmp_path):
    from rsvlm_graph.errors import ExportError

    _built(tmp_path, "First title")
    before = _files(tmp_path / "out")
    (tmp_path / "out" / "graph.html").unlink()
    (tmp_path / "out" / "graph.html").mkdir()
    with pytest.raises(ExportError, match="graph.html.*unchanged"):
        _built(tmp_path, "Second title")
    del before["graph.html"]
    assert _files(tmp_path / "out") == before


def test_a_stale_staging_folder_of_a_killed_build_is_removed_and_stale_plots_too(tmp_path):
    from rsvlm_graph.files import STAGING_PREFIX

    (tmp_path / "out").mkdir()
    (tmp_path / "out" / f"{STAGING_PREFIX}killed").mkdir()
    (tmp_path / "out" / f"{STAGING_PREFIX}killed" / "graph.ttl").write_text("half")
    (tmp_path / "out" / "report-citations-over-time.svg").write_text("a plot of an earlier build")
    built = _built(tmp_path, "A title")
    left = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert not any(name.startswith(STAGING_PREFIX) for name in left)
    assert "report-citations-over-time.svg" not in left  # no history: nothing to plot
    assert {p.name for p, _ in built.written} <= set(left)


def test_a_list_value_the_shapes_reject_is_left_out_with_the_lists_path_and_line(caplog):
    # SYNTHETIC: a versioned arXiv id on a list paper, as no parser gives it today
    G = build_graph(parse_list(_LIST, "kg/list.md"))
    G.nodes["paper:arxiv:2305.05726"]["arxiv_id"] = "2305.05726v2"
    with caplog.at_level(logging.WARNING):
        kept = conforming(to_statements(G), where=_list_rows(G, node_iri))
    assert "kg/list.md:6: https://w3id.org/rsvlm-graph/paper/arxiv/2305.05726: " in caplog.text
    assert "'2305.05726v2' violates the shapes" in caplog.text
    arxiv_ids = [o for _, po in kept for p, o in po if p == "http://purl.org/spar/fabio/hasArXivId"]
    assert arxiv_ids == []


# SYNTHETIC pieces of list text a maintainer may write: headings of markup or emoji alone,
# entries above every heading, labels, dates, counts, comments, full-width punctuation
_PIECES = st.sampled_from([
    "# <p align=center>`Title`</p>\n", "## <img src=\"https://example.org/a.png\">\n", "## 🛰️\n",
    "##\n", "## [](#anchor)\n", "### 1. [ICLR '2024]\n",
    "- [遥感大模型：进展与前瞻](https://doi.org/10.11834/jrs.20233077)（遥感学报 2023）\n",
    "- **2023/12/20**: News  \n  [[📝 Paper]](https://arxiv.org/abs/2312.12856)\n",
    "* [**TGRS 2022**] [9] [A title](https://ieeexplore.ieee.org/document/9395191)\n",
    "| Model | Paper |\n|---|---|\n| 🛰️ | [arXiv](https://arxiv.org/abs/2207.08051) |\n",
    "| Paper info | Description |\n|---|---|\n| **T** <br/> TGRS 2020 <br/> [[Paper]](https://arxiv.org/abs/2301.00001) | d |\n",
    "[//]: # (| 2023 | [Title](https://arxiv.org/abs/2301.00002&#41; |)\n", "<!-- [x](https://arxiv.org/abs/2301.00003) -->\n",
    "1. Segment any change. NeurIPS2024. | [paper](https://arxiv.org/pdf/2402.01188) | [code](https://github.com/a/b.) |\n",
    "- [Awesome list](https://github.com/a/awesome)\n", "[A](https://arxiv.org/abs/2401.00001), TGRS 2020.\n", "\n",
])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, min_size=1, max_size=8))
def test_nothing_in_the_list_text_fails_the_build(pieces: list[str]) -> None:
    G = build_graph(parse_list("".join(pieces), "kg/list.md"))
    conforming(to_statements(G), where=_list_rows(G, node_iri))  # every triple, as --validate
    assert all(attrs["label"].strip() for _, attrs in G.nodes(data=True) if attrs["kind"] == "task")


def test_a_title_keeps_its_full_width_punctuation_in_every_export(tmp_path):
    # ftfy repairs mojibake only; NFKC folding is for matching keys, never for what is shown
    _built(tmp_path, "遥感大模型：进展与前瞻")
    out = tmp_path / "out"
    escaped = "遥感大模型：进展与前瞻".encode("ascii", "backslashreplace").decode()  # the page's JSON
    for name in ("graph.ttl", "graph.jsonld", "nodes.csv", "graph.graphml", "report.md", "graph.html"):
        text = (out / name).read_text(encoding="utf-8")
        assert "遥感大模型：进展与前瞻" in text or escaped in text, name
        assert "遥感大模型:进展与前瞻" not in text and escaped.replace("\\uff1a", ":") not in text, name
