"""Tests of analysis.py on hand-computed graphs and on a SYNTHETIC corpus with planted papers.

Every graph here is SYNTHETIC, built by hand following the graph contract of
docs/ARCHITECTURE.md; none of it is real Semantic Scholar data.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import networkx as nx
import pytest

from rsvlm_graph.discovery import Candidate, discover_candidates
from rsvlm_graph.errors import RsvlmGraphError
from rsvlm_graph.exports.report import citation_distribution, papers_per_year_per_task
from rsvlm_graph.identifiers import task_node_id, title_similarity
from rsvlm_graph.listfile.curation import Curation, Rejection
from rsvlm_graph.listfile.parse import parse_list, read_list
from rsvlm_graph.listfile.rows import markdown_row, with_rows
from rsvlm_graph.markdown import Markdown
from rsvlm_graph.models import ListEntry
from rsvlm_graph.output import format_records
from rsvlm_graph.ranking import (
    NO_CITATIONS,
    coverage_notes,
    pagerank_papers,
    rank_papers,
)

YEAR_NOW = 2025


def s2(name: str) -> str:
    """A SYNTHETIC 40-hex S2 id derived from a name."""
    return name.encode().hex().ljust(40, "0")[:40]


def add_list_paper(G: nx.MultiDiGraph, node: str, title: str, *, tasks=("Image Captioning",), year=2020,
                   **attrs) -> str:
    defaults = dict(s2_id=None, doi=None, arxiv_id=None, venue=None, citation_count=None,
                    influential_citation_count=None, embedding=None, url=f"https://example.org/{node}")
    G.add_node(node, kind="paper", label=title, title=title, in_list=True, tasks=tuple(sorted(tasks)),
               year=year, **{**defaults, **attrs})
    G.add_edge("list:synthetic", node, key="has_part")
    for task in tasks:
        G.add_node(task_node_id(task), kind="task", label=task, name=task, section=task)
        G.add_edge(node, task_node_id(task), key="has_task")
    return node


def add_outside(G: nx.MultiDiGraph, name: str, title: str, *, year=2024, **attrs) -> str:
    node = f"paper:s2:{s2(name)}"
    defaults = dict(doi=None, arxiv_id=None, venue=None, citation_count=None,
                    influential_citation_count=None, embedding=None, tasks=())
    G.add_node(node, kind="outside_paper", label=title, title=title, in_list=False, year=year,
               s2_id=s2(name), url=f"https://www.semanticscholar.org/paper/{s2(name)}",
               **{**defaults, **attrs})
    return node


def cite(G: nx.MultiDiGraph, citing: str, cited: str, influential: bool = False) -> None:
    G.add_edge(citing, cited, key="cites", is_influential=influential)


def new_graph() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph(list="list:synthetic")
    G.add_node("list:synthetic", kind="list", label="SYNTHETIC list", title="SYNTHETIC list", path="-")
    return G


# --- PageRank -----------------------------------------------------------------------------------


def test_pagerank_three_papers_by_hand():
    # a → c, b → c; c cites nothing (dangling). With x_a = x_b = p, x_c = q:
    # p = 0.15/3 + 0.85 q/3 and 2p + q = 1 give q = 27/47, p = 10/47.
    G = new_graph()
    for n in "abc":
        add_list_paper(G, n, n.upper())
    cite(G, "a", "c")
    cite(G, "b", "c")
    cite(G, "b", "c", influential=True)  # a parallel edge counts once
    pr = pagerank_papers(G)
    assert set(pr) == {"a", "b", "c"}  # list, task nodes and has_part/has_task edges are ignored
    assert pr["c"] == pytest.approx(27 / 47, abs=1e-6)
    assert pr["a"] == pr["b"] == pytest.approx(10 / 47, abs=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pagerank_matches_networkx_on_collapsed_citation_graph(seed):
    rng = random.Random(seed)
    G = new_graph()
    nodes = [add_list_paper(G, f"l{i}", f"L{i}") for i in range(8)]
    nodes += [add_outside(G, f"o{i}", f"O{i}") for i in range(12)]
    for _ in range(60):
        u, v = rng.sample(nodes, 2)
        cite(G, u, v)
    expected_graph = nx.DiGraph()
    expected_graph.add_nodes_from(nodes)
    expected_graph.add_edges_from((u, v) for u, v, k in G.edges(keys=True) if k == "cites")
    expected = nx.pagerank(expected_graph, alpha=0.85, tol=1e-10)
    got = pagerank_papers(G, tol=1e-10)
    assert got == pytest.approx(expected, abs=1e-9)
    assert sum(got.values()) == pytest.approx(1.0)


def test_pagerank_without_papers_is_empty():
    assert pagerank_papers(new_graph()) == {}


# --- ranking ------------------------------------------------------------------------------------


def small_ranked_graph() -> nx.MultiDiGraph:
    """Five list papers, two outside papers; figures chosen so each sort key decides once."""
    G = new_graph()
    add_list_paper(G, "p1", "Alpha", year=2018, citation_count=100, influential_citation_count=9,
                   tasks=("Image Captioning",))
    add_list_paper(G, "p2", "Beta", year=2023, citation_count=30, tasks=("Visual Question Answering",))
    add_list_paper(G, "p3", "Gamma", year=2025, citation_count=30, tasks=("Image Captioning",))
    add_list_paper(G, "p4", "Delta", year=2021, citation_count=None,
                   tasks=("Image Captioning", "Visual Question Answering"))
    add_list_paper(G, "p5", "Epsilon", year=None, citation_count=0, tasks=("Visual Question Answering",))
    o1 = add_outside(G, "o1", "Outside one", citation_count=500)
    o2 = add_outside(G, "o2", "Outside two")
    cite(G, "p3", "p2")  # Beta: cited by one list paper, so more PageRank than Gamma
    cite(G, "p4", "p2")
    cite(G, o1, "p3")
    cite(G, o2, "p4")
    cite(G, "p1", o1)
    return G


def test_rank_papers_order_and_figures():
    ranking = rank_papers(small_ranked_graph(), year_now=YEAR_NOW)
    assert [p.title for p in ranking] == ["Alpha", "Beta", "Gamma", "Epsilon", "Delta"]
    assert [p.rank for p in ranking] == [1, 2, 3, 4, 5]
    by_title = {p.title: p for p in ranking}
    assert by_title["Alpha"].citations_per_year == pytest.approx(100 / 8)  # 2018..2025: 8 years
    assert by_title["Beta"].citations_per_year == pytest.approx(10.0)
    assert by_title["Gamma"].citations_per_year == pytest.approx(30.0)  # this year: max(1, 1)
    assert by_title["Epsilon"].citations_per_year is None  # no year
    assert by_title["Delta"].citations_per_year is None  # no count
    assert by_title["Beta"].in_list_citations == 2
    assert by_title["Gamma"].in_list_citations == 0  # cited by an outside paper only
    assert by_title["Alpha"].influential_citation_count == 9
    assert by_title["Beta"].pagerank > by_title["Gamma"].pagerank  # the tie on 30 citations


def test_rank_records_carry_the_json_fields():
    record = rank_papers(small_ranked_graph(), year_now=YEAR_NOW)[0].to_dict()
    assert {"title", "s2_id", "year", "tasks", "citation_count", "influential_citation_count",
            "in_list_citations", "pagerank", "citations_per_year", "node", "venue", "rank"} <= set(record)
    json.dumps(record)


@pytest.mark.parametrize("task", ["Visual Question Answering", "visual question answering",
                                  "visual-question-answering", "task:visual-question-answering"])
def test_rank_papers_per_task_restarts_ranks(task):
    ranking = rank_papers(small_ranked_graph(), task=task, year_now=YEAR_NOW)
    assert [(p.rank, p.title) for p in ranking] == [(1, "Beta"), (2, "Epsilon"), (3, "Delta")]


def test_rank_papers_unknown_task_names_the_known_ones():
    with pytest.raises(RsvlmGraphError, match="Image Captioning, Visual Question Answering"):
        rank_papers(small_ranked_graph(), task="Segmentation")


def test_rank_papers_top():
    full = rank_papers(small_ranked_graph(), year_now=YEAR_NOW)
    assert rank_papers(small_ranked_graph(), top=2, year_now=YEAR_NOW) == full[:2]


def test_rank_ties_break_on_title_then_node():
    G = new_graph()
    for node, title in [("z", "Same"), ("a", "Same"), ("m", "Apple")]:
        add_list_paper(G, node, title, citation_count=7)
    assert [p.node for p in rank_papers(G, year_now=YEAR_NOW)] == ["m", "a", "z"]


def test_rank_in_list_citations_decides_when_citations_and_pagerank_tie():
    # equal PageRank is given, not computed: a citation that adds an in-list count adds PageRank too
    G = new_graph()
    add_list_paper(G, "a", "A", citation_count=5)
    add_list_paper(G, "b", "B", citation_count=5)
    add_list_paper(G, "c", "C", citation_count=1)
    cite(G, "c", "b")
    ranking = rank_papers(G, year_now=YEAR_NOW, pagerank={"a": 0.3, "b": 0.3, "c": 0.4})
    assert [p.title for p in ranking] == ["B", "A", "C"]


# --- planted discovery corpus -------------------------------------------------------------------

IC, VQA, SC = "Image Captioning", "Visual Question Answering", "Scene Classification"


def planted_corpus() -> tuple[nx.MultiDiGraph, dict[str, str]]:
    """SYNTHETIC: 20 list papers and outside papers whose discovery ranks are known.

    Scores (year_now 2025): links + 0.5 / (1 + age) + recommendation.
    R1 2024 cites 8 → 8.25; OLD 2010 cites 8 → 8.03; C1 2012 cited by 7 → 7.04;
    R3 2024 cites 6 → 6.25; R2 2023 cites 6 → 6.17; C2 2015 cited by 5 → 5.05;
    REC 2024, no links, recommended 1st of 2 → 3.25; N05 noise, recommended 2nd → 2.5+;
    other noise (one link each) by year, newest first.
    """
    G = new_graph()
    L = []
    for i in range(20):
        task = IC if i < 10 else VQA if i < 15 else SC
        L.append(add_list_paper(G, f"paper:title:l{i:02d}", f"List paper {i:02d}", tasks=(task,),
                                year=2016 + i % 8, doi=f"10.9999/list.{i}"))
    G.nodes[L[3]]["title"] = "GeoChat: Grounded Large Vision-Language Model for Remote Sensing"
    o = {}
    o["R1"] = add_outside(G, "R1", "Recent one", year=2024)
    o["OLD"] = add_outside(G, "OLD", "Old citing many", year=2010)
    o["R2"] = add_outside(G, "R2", "Recent two", year=2023)
    o["R3"] = add_outside(G, "R3", "Recent three", year=2024)
    o["C1"] = add_outside(G, "C1", "Classic one", year=2012)
    o["C2"] = add_outside(G, "C2", "Classic two", year=2015)
    o["REC"] = add_outside(G, "REC", "Recommended only", year=2024)
    o["DUP"] = add_outside(G, "DUP", "GEOCHAT - grounded large vision language model for remote sensing.")
    o["DOI"] = add_outside(G, "DOI", "A different title, same DOI", doi="10.9999/list.4")
    o["REJ"] = add_outside(G, "REJ", "Rejected by the maintainer")
    for i in range(8):
        cite(G, o["R1"], L[i])
        cite(G, o["OLD"], L[i])
    for i in (10, 11, 12, 13, 14, 0):
        cite(G, o["R2"], L[i])
    for i in (15, 16, 17, 18, 19, 1):
        cite(G, o["R3"], L[i])
    for i in range(7):
        cite(G, L[i], o["C1"])
    for i in (10, 11, 12, 13, 15):
        cite(G, L[i], o["C2"])
    for key in ("DUP", "DOI", "REJ"):  # would top the ranking if they were not excluded
        for i in range(12):
            cite(G, o[key], L[i])
    for j in range(20):  # noise: cites one list paper
        o[f"N{j:02d}"] = add_outside(G, f"N{j:02d}", f"Noise {j:02d}", year=2005 + j)
        cite(G, o[f"N{j:02d}"], L[j])
    o["NOYEAR"] = add_outside(G, "NOYEAR", "Noise without year", year=None)
    cite(G, o["NOYEAR"], L[0])
    # an outside paper citing another outside paper is no evidence
    cite(G, o["N00"], o["N01"])
    return G, o


def discover_planted(**kwargs) -> list[Candidate]:
    G, o = planted_corpus()
    curation = Curation(rejections=(Rejection(s2_paper_id=s2("REJ"), reason="off topic"),))
    return discover_candidates(
        G, recommended=(s2("REC"), s2("N05")), is_rejected=curation.is_rejected, year_now=YEAR_NOW,
        **kwargs,
    )


def test_planted_corpus_ranks_new_work_and_foundations_apart():
    # list papers span 2016-2023: new work is 2022 on; the classics and old papers are not in it
    new = discover_planted()
    assert [c.title for c in new] == [
        "Recent one", "Recent three", "Recent two", "Recommended only",
        "Noise 19", "Noise 18", "Noise 17",
    ]
    assert {c.kind for c in new} == {"new"} and [c.rank for c in new] == list(range(1, 8))
    foundations = discover_planted(kind="foundation")
    assert [(c.title, c.kind, c.rank) for c in foundations] == [
        ("Classic one", "foundation", 1), ("Classic two", "foundation", 2),
    ]
    both = discover_planted(kind="all")
    assert [c.node for c in both] == [c.node for c in new] + [c.node for c in foundations]


def test_planted_corpus_ranks_with_every_year_as_new_work():
    # since=0: every paper of known year is new work; being cited by list papers scores nothing
    titles = [c.title for c in discover_planted(since=0)]
    assert titles[:6] == [
        "Recent one", "Old citing many", "Recent three", "Recent two", "Recommended only",
        "Noise 05",
    ]
    noise = [t for t in titles[6:]]
    assert noise[-2:] == ["Classic two", "Classic one"]  # cited by list papers only: last
    assert noise[:-2] == [f"Noise {j:02d}" for j in range(19, -1, -1) if j != 5]
    # the paper of unknown year is never new work: it is an old citing paper, not a foundation
    assert "Noise without year" not in {c.title for c in discover_planted(kind="all")}


def test_foundations_are_never_among_new_work():
    new = {c.node for c in discover_planted(top=50)}
    foundations = {c.node for c in discover_planted(kind="foundation", top=50)}
    assert new and foundations and not new & foundations


def test_planted_corpus_excludes_list_papers_and_rejections():
    titles = {c.title for c in discover_planted(since=0, kind="all")}
    assert not titles & {"GEOCHAT - grounded large vision language model for remote sensing.",
                         "A different title, same DOI", "Rejected by the maintainer"}
    assert not any(t.startswith("List paper") for t in titles)


def test_planted_corpus_evidence():
    by_title = {c.title: c for c in discover_planted(since=0, kind="all")}
    r2 = by_title["Recent two"]
    assert (r2.cites_list, r2.cited_by_list) == (6, 0)
    assert r2.suggested_task == VQA and dict(r2.task_evidence) == {VQA: 5, IC: 1}
    assert "cites 6 list paper(s)" in r2.why
    c1 = by_title["Classic one"]
    assert (c1.cites_list, c1.cited_by_list) == (0, 7)
    assert c1.cited_by_list_papers[0] == "GeoChat: Grounded Large Vision-Language Model for Remote Sensing"
    assert c1.suggested_task == IC and c1.kind == "new"  # since=0: every year is new work
    assert discover_planted(kind="foundation")[0].title == "Classic one"
    rec = by_title["Recommended only"]
    assert rec.recommended_rank == 1 and rec.suggested_task is None
    assert "S2 recommendation #1 of 2" in rec.why
    assert by_title["Noise 05"].recommended_rank == 2
    record = r2.to_dict()
    assert {"title", "s2_id", "year", "venue", "score", "cites_list", "cites_list_papers",
            "cited_by_list", "cited_by_list_papers", "similarity", "recommended_rank",
            "suggested_task", "task_evidence", "why", "markdown_row", "node", "url", "kind",
            "peer_lists", "peer_count"} <= set(record)
    assert record["cites_list"] == 6 and len(record["cites_list_papers"]) == 6
    json.dumps(record)


def test_planted_since_filters_by_year():
    titles = [c.title for c in discover_planted(since=2020)]
    assert titles == ["Recent one", "Recent three", "Recent two", "Recommended only",
                      "Noise 19", "Noise 18", "Noise 17", "Noise 16", "Noise 15"]


def test_planted_min_links_keeps_recommended():
    found = discover_planted(min_links=2, since=2013, kind="all")
    assert [(c.title, c.kind) for c in found] == [
        ("Recent one", "new"), ("Recent three", "new"), ("Recent two", "new"),
        ("Recommended only", "new"), ("Classic two", "new"), ("Classic one", "foundation"),
    ]


def test_planted_top_is_a_prefix():
    full = discover_planted()
    top = discover_planted(top=3)
    assert [c.node for c in top] == [c.node for c in full[:3]]
    assert [c.rank for c in top] == [1, 2, 3]
    both = discover_planted(top=1, kind="all")  # top applies to each kind
    assert [(c.title, c.rank) for c in both] == [("Recent one", 1), ("Classic one", 1)]


def test_rejection_by_callable_receives_identifiers():
    seen = []

    def is_rejected(**kwargs):
        seen.append(kwargs)
        return kwargs["title"] == "Recent one"

    G, _ = planted_corpus()
    titles = [c.title for c in discover_candidates(G, is_rejected=is_rejected, year_now=YEAR_NOW,
                                                   since=0)]
    assert "Recent one" not in titles and "Old citing many" in titles
    assert set(seen[0]) == {"s2_paper_id", "doi", "arxiv_id", "title"}


def test_similarity_breaks_equal_links_and_suggests_nearest_task():
    G = new_graph()
    add_list_paper(G, "a", "Captioning paper", tasks=(IC,), embedding=(1.0, 0.0, 0.0))
    add_list_paper(G, "b", "VQA paper", tasks=(VQA,), embedding=(0.0, 1.0, 0.0))
    near = add_outside(G, "near", "Near", year=2020, embedding=(0.0, 0.9, 0.1))
    far = add_outside(G, "far", "Far", year=2020, embedding=(0.0, 0.1, 1.0))
    add_outside(G, "lonely", "Recommended, no links", year=2020, embedding=(0.1, 1.0, 0.0))
    cite(G, near, "a")
    cite(G, far, "a")
    candidates = discover_candidates(G, recommended=(s2("lonely"),), year_now=YEAR_NOW)
    by_title = {c.title: c for c in candidates}
    assert [c.title for c in candidates if c.title != "Recommended, no links"] == ["Near", "Far"]
    assert by_title["Near"].similarity > by_title["Far"].similarity
    assert by_title["Near"].similarity == pytest.approx(0.9 / (0.81 + 0.01) ** 0.5, abs=1e-4)
    assert "SPECTER similarity" in by_title["Near"].why
    assert by_title["Recommended, no links"].suggested_task == VQA  # from its nearest list paper


@pytest.mark.parametrize("outside_title", [
    "GeoChat: Grounded Large Vision-Language Model for Remote Sensing!",
    "GeoChat: Grounded Large Vision-Language Models for Remote Sensing",
    "GeoChat: Grounded Large Language Model for Remote Sensing",
    "GeoChat: Grounded Vision-Language Model",
    "Geo-Chat grounded large vision language model for remote-sensing images",
])
def test_title_exclusion_agrees_with_title_similarity(outside_title):
    G = new_graph()
    list_title = "GeoChat: Grounded Large Vision-Language Model for Remote Sensing"
    add_list_paper(G, "a", list_title)
    cite(G, add_outside(G, "x", outside_title), "a")
    found = bool(discover_candidates(G, year_now=YEAR_NOW))
    assert found == (title_similarity(outside_title, list_title) < 90)


# --- markdown rows ------------------------------------------------------------------------------


def candidate(**overrides) -> Candidate:
    fields = dict(node="paper:s2:x", title="A | B [C]", s2_id="ab" * 20, arxiv_id=None, doi=None,
                  year=2024, venue="TGRS", url="", score=1.0, cites_list_papers=(),
                  cited_by_list_papers=(), similarity=None, recommended_rank=None, suggested_task=None)
    return Candidate(**{**fields, **overrides})


def entry(raw: str) -> ListEntry:
    return ListEntry(kind="paper", title="t", url=None, section=IC, task=IC, line=1, raw=raw)


def test_markdown_row_default_shape_and_links():
    assert markdown_row(candidate()) == (
        f"[A \\| B \\[C\\]](https://www.semanticscholar.org/paper/{'ab' * 20})|TGRS 2024|-"
    )
    assert markdown_row(candidate(doi="10.1/x")).startswith("[A \\| B \\[C\\]](https://doi.org/10.1/x)|")
    assert "(https://arxiv.org/abs/2401.00001)|TGRS 2024|" in markdown_row(
        candidate(doi="10.1/x", arxiv_id="2401.00001"))
    assert markdown_row(candidate(venue=None, year=None)).endswith("|-|-")


def test_markdown_row_copies_the_section_shape():
    rows = [entry("|[X](u)|TGRS 2020|-|"), entry("|[Y](u)|GRSL 2021|[code](c)|"),
            entry("[Z](u)|arxiv 2023|-")]
    assert markdown_row(candidate(arxiv_id="2401.00001"), rows) == (
        "|[A \\| B \\[C\\]](https://arxiv.org/abs/2401.00001)|TGRS 2024|-|"
    )
    padded = [entry("| [X](u) | TGRS 2020 | - | - |")]
    assert markdown_row(candidate(arxiv_id="2401.00001", title="T"), padded) == (
        "| [T](https://arxiv.org/abs/2401.00001) | TGRS 2024 | - | - |"
    )


ARXIV_LINK = "https://arxiv.org/abs/2401.00001"


def row_for(section_text: str, **overrides) -> str:
    """The candidate's row for the one section of a SYNTHETIC list under the heading ``## S``."""
    text = f"# SYNTHETIC list\n## S\n{section_text}"
    document = parse_list(text)
    assert document.papers and not document.problems
    return markdown_row(candidate(**{"arxiv_id": "2401.00001", "title": "New one", "venue": "ICCV",
                                     **overrides}), document.papers, text)


def test_markdown_row_fills_table_cells_by_the_header_roles():
    paper_column = ("| Title | Venue | Year | Paper | Code |\n|---|---|---|---|---|\n"
                    "| Old | TGRS | 2020 | [PDF](https://example.org/old.pdf) | [Code](https://c.org/o) |\n"
                    "| Older | - | 2019 | - | - |\n")
    assert row_for(paper_column) == f"| New one | ICCV | 2024 | [PDF]({ARXIV_LINK}) | - |"
    assert row_for(paper_column, venue=None, arxiv_id=None, year=None) == (
        f"| New one | - | - | [PDF](https://www.semanticscholar.org/paper/{'ab' * 20}) | - |")
    # a bracket would make the parser take a plain title for a broken link: such a title is linked
    assert row_for(paper_column, title="GeoX [v2]").startswith(f"| [GeoX \\[v2\\]]({ARXIV_LINK}) |")
    year_first = ("|Year|Title|Venue|Code|\n|:-:|---|---|---|\n"
                  "|2020|[Old](https://example.org/old)|TGRS|[code](https://c.org/o)|\n"
                  "|2021|[Older](https://example.org/older)|GRSL|N/A|\n")
    assert row_for(year_first) == f"|2024|[New one]({ARXIV_LINK})|ICCV|N/A|"
    link_column = ("| Method | Link | Published in |\n|---|---|---|\n"
                   "| Old | [arXiv](https://arxiv.org/abs/2001.00001) | TGRS 2020 |\n")
    assert row_for(link_column, title="A | B") == f"| A \\| B | [arXiv]({ARXIV_LINK}) | ICCV 2024 |"


def test_markdown_row_writes_bullets_like_the_last_bullet():
    assert row_for("- [Old](https://example.org/old) | [code](https://c.org/o)\n") == (
        f"- [New one]({ARXIV_LINK}) | ICCV 2024")
    assert row_for("* **[Old 2019 survey](https://example.org/old)** (AAAI 2020) "
                   "[[code]](https://c.org/o)\n", venue=None) == (
        f"* **[New one]({ARXIV_LINK})** (arXiv 2024)")
    assert row_for("1. [A](https://example.org/a), TGRS 2020\n"
                   "2. **Old**, arXiv 2023. [[Paper](https://arxiv.org/abs/2307.15266)] "
                   "[[Code](https://c.org/o)]\n") == f"3. **New one**, ICCV 2024. [[Paper]({ARXIV_LINK})]"
    assert row_for('  + "Old." CVPR 2024. [[paper](https://arxiv.org/abs/2311.15826)]\n', year=None) == (
        f'  + "New one." ICCV. [[paper]({ARXIV_LINK})]')
    assert row_for("- Old, with a comma, Remote Sensing 2019. [[pdf](https://example.org/o.pdf)]\n"
                   ) == f"- New one, ICCV 2024. [[pdf]({ARXIV_LINK})]"
    assert row_for("- RemoteCLIP [[arXiv](https://arxiv.org/abs/2306.11029)]\n") == (
        f"- New one (ICCV 2024) [[arXiv]({ARXIV_LINK})]")


def test_markdown_row_keeps_the_bundled_list_rows():
    # reading the bundled list's headers changes none of its rows
    path = Path(__file__).resolve().parent / "data" / "awesome-list.md"  # frozen copy
    document, text = read_list(path), path.read_text(encoding="utf-8")
    for task in sorted({e.task for e in document.papers}):
        rows = [e for e in document.papers if e.task == task]
        for c in (candidate(), candidate(arxiv_id="2401.00001", venue=None), candidate(year=None)):
            assert markdown_row(c, rows, text) == markdown_row(c, rows), task


def test_discover_rows_use_entries_of_the_suggested_section():
    (first,) = with_rows(discover_planted(top=1), [entry("|[X](u)|TGRS 2020|-|")])
    assert first.suggested_task == IC
    assert first.markdown_row == f"|[Recent one](https://www.semanticscholar.org/paper/{s2('R1')})|2024|-|"


# --- formats ------------------------------------------------------------------------------------

RECORDS = [
    {"rank": 1, "title": "A | pipe", "score": 1.23456789, "tasks": ("X", "Y"), "year": None},
    {"rank": 10, "title": "Bee", "score": 0.5, "tasks": (), "year": 2020},
]


def test_format_json_round_trips_with_sorted_keys():
    text = format_records(RECORDS, "json")
    assert json.loads(text) == [{**r, "tasks": list(r["tasks"])} for r in RECORDS]
    assert text.index('"rank"') < text.index('"score"') < text.index('"title"')


def test_format_csv_and_columns():
    rows = list(csv.DictReader(io.StringIO(format_records(RECORDS, "csv", ["title", "tasks", "year"]))))
    assert rows == [{"title": "A | pipe", "tasks": "X; Y", "year": ""},
                    {"title": "Bee", "tasks": "", "year": "2020"}]


def test_format_md_escapes_pipes_once():
    lines = format_records(RECORDS, "md", ["rank", "title"]).splitlines()
    assert lines == ["| rank | title |", "|---|---|", "| 1 | A \\| pipe |", "| 10 | Bee |"]
    # a row the list side rendered is Markdown already: only its pipes are escaped, once
    escaped = format_records([{"row": Markdown("[a \\| b](u)|x")}], "md").splitlines()[2]
    assert escaped == "| [a \\| b](u)\\|x |"


def test_format_table_aligns_numbers_right():
    lines = format_records(RECORDS, "table", ["rank", "title", "score"]).splitlines()
    assert lines[0] == "rank  title     score"
    assert lines[2] == "   1  A | pipe  1.235"
    assert lines[3] == "  10  Bee         0.5"


def test_format_unknown():
    with pytest.raises(RsvlmGraphError, match="unknown format"):
        format_records(RECORDS, "xml")  # type: ignore[arg-type]


# --- summaries and missing data -----------------------------------------------------------------


def test_papers_per_year_per_task_and_citation_distribution():
    G = small_ranked_graph()
    assert papers_per_year_per_task(G) == {
        IC: {2018: 1, 2021: 1, 2025: 1},
        VQA: {2021: 1, 2023: 1},  # Epsilon has no year
    }
    assert citation_distribution(G) == {"0": 1, "1-9": 0, "10-99": 2, "100-999": 1, "unknown": 1}


def test_list_only_graph_works_and_says_what_is_missing():
    G = new_graph()
    for i, title in enumerate(["Zeta", "Alpha", "Mu"]):
        add_list_paper(G, f"p{i}", title)
    ranking = rank_papers(G, year_now=YEAR_NOW)
    assert [p.title for p in ranking] == ["Alpha", "Mu", "Zeta"]
    assert all(p.pagerank == pytest.approx(1 / 3) and p.citations_per_year is None for p in ranking)
    assert discover_candidates(G, year_now=YEAR_NOW) == []
    assert discover_candidates(G, recommended=(s2("absent"),), year_now=YEAR_NOW) == []
    assert coverage_notes(G)[0] == NO_CITATIONS
    assert citation_distribution(G) == {"unknown": 3}
    assert papers_per_year_per_task(G) == {IC: {2020: 3}}


def test_empty_graph():
    G = new_graph()
    assert rank_papers(G) == [] and discover_candidates(G) == []
    assert citation_distribution(G) == {"unknown": 0}
    assert coverage_notes(G) == ["the graph has no list papers"]


def test_coverage_notes_on_enriched_graph():
    notes = coverage_notes(planted_corpus()[0])
    assert NO_CITATIONS not in notes
    assert "20 of 20 list papers have no citation count" in notes
    assert "no SPECTER embeddings: similarity is not used in discovery" in notes
