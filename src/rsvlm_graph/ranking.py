"""Influence ranking of the list's papers: citations, in-list citations, PageRank, velocity.

It reads the graph of ``docs/ARCHITECTURE.md`` and returns plain records; it works on a graph
without enrichment too (every figure may be ``None``), and ``coverage_notes`` says what is
missing and how to get it.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

import networkx as nx

from .errors import UsageError
from .graph import citation_pairs, is_list_paper, paper_nodes
from .identifiers import task_node_id

log = logging.getLogger(__name__)

NO_CITATIONS = "no citation data: run `rsvlm-graph enrich` with network access"


@dataclass(frozen=True, slots=True)
class RankedPaper:
    """One list paper with its influence figures; ``None`` where enrichment gave nothing."""

    node: str
    title: str
    s2_id: str | None
    year: int | None
    venue: str | None
    tasks: tuple[str, ...]
    citation_count: int | None
    influential_citation_count: int | None
    in_list_citations: int
    pagerank: float
    citations_per_year: float | None
    rank: int
    doi: str | None = None
    arxiv_id: str | None = None
    url: str | None = None  # the list's link to the paper
    authors: tuple[str, ...] = ()  # names, in order, as Semantic Scholar gives them

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def pagerank_papers(
    G: nx.MultiDiGraph, alpha: float = 0.85, max_iter: int = 100, tol: float = 1.0e-6
) -> dict[str, float]:
    """Return the PageRank of every paper on the citation graph (list and outside papers).

    A citation passes importance from the citing paper to the cited one, so papers cited by
    well-cited papers rank high. Only ``paper`` and ``outside_paper`` nodes and ``cites`` edges
    count; parallel ``cites`` edges between two papers count once. Papers citing nothing spread
    their rank uniformly, as in networkx.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    alpha : float, optional
        Damping factor (default 0.85).
    max_iter : int, optional
        Most power iterations (default 100); a warning is logged if they do not converge.
    tol : float, optional
        Convergence when the L1 change is below ``N * tol`` (default 1e-6).

    Returns
    -------
    pagerank : dict
        Node id → PageRank, summing to 1; empty when the graph has no papers.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from(["a", "b", "c"], kind="paper")
    >>> G.add_edge("a", "c", key="cites"); G.add_edge("b", "c", key="cites")
    'cites'
    'cites'
    >>> pr = pagerank_papers(G)
    >>> max(pr, key=pr.get)
    'c'

    Notes
    -----
    Same iteration as ``networkx.pagerank`` (uniform teleport and dangling distribution) on a
    sparse matrix built straight from the multigraph, which avoids copying a large graph into a
    ``DiGraph`` first.

    References
    ----------
    .. [1] Page, Brin, Motwani, Winograd. "The PageRank citation ranking: Bringing order to the
       Web". Stanford InfoLab, 1999.
    """
    import numpy as np
    import scipy.sparse as sp

    papers = paper_nodes(G)
    nodes = sorted(papers)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v in citation_pairs(G, index, index)]
    rows = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    cols = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    A = sp.csr_array((np.ones(len(pairs)), (rows, cols)), shape=(n, n))
    out_degree = A.sum(axis=1)
    dangling = out_degree == 0
    scale = np.divide(1.0, out_degree, out=np.zeros(n), where=~dangling)
    M = sp.diags_array(scale) @ A
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        previous = x
        x = alpha * (x @ M + previous[dangling].sum() / n) + (1.0 - alpha) / n
        if np.abs(x - previous).sum() < n * tol:
            break
    else:
        log.warning("pagerank did not converge in %d iterations (alpha=%s)", max_iter, alpha)
    return dict(zip(nodes, x.tolist()))


def _known_tasks(G: nx.MultiDiGraph) -> dict[str, str]:
    """Task node id → label, for every task any list paper has."""
    tasks: dict[str, str] = {}
    for node, attrs in paper_nodes(G).items():
        if is_list_paper(attrs):
            for _, task, key in G.out_edges(node, keys=True):
                if key == "has_task":
                    tasks.setdefault(task, G.nodes[task]["name"])
    return tasks


def _resolve_task(G: nx.MultiDiGraph, task: str) -> str:
    """Return the label of ``task`` given as label, slug or node id (case does not matter)."""
    tasks = _known_tasks(G)
    if task in tasks.values():  # the label as written: exact even where two labels share a slug
        return task
    wanted = task if task.startswith("task:") else task_node_id(task)
    if wanted not in tasks:
        known = ", ".join(sorted(tasks.values())) or "none (the graph has no list papers)"
        raise UsageError(f"no task {task!r} in the graph; known tasks: {known}")
    return tasks[wanted]


def rank_papers(
    G: nx.MultiDiGraph,
    task: str | None = None,
    top: int | None = None,
    year_now: int | None = None,
    pagerank: Mapping[str, float] | None = None,
) -> list[RankedPaper]:
    """Return the list's papers ranked by influence, with their figures side by side.

    The order is lexicographic: global ``citation_count`` (the broadest evidence, from Semantic
    Scholar), then ``pagerank`` (weighs who cites, within the graph), then ``in_list_citations``
    (how much the list itself builds on the paper), then title and node id, so ties always
    break the same way. Unknown figures sort after every known one, so a graph without
    enrichment is ranked by what exists and finally by title.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    task : str, optional
        Only papers of this task (label, slug or ``task:`` node id); ranks restart at 1.
    top : int, optional
        Keep the first ``top`` papers.
    year_now : int, optional
        The current year (default: today's), for
        ``citations_per_year = citation_count / max(1, year_now - year + 1)``.
    pagerank : mapping, optional
        Precomputed ``pagerank_papers(G)``; computed when omitted.

    Returns
    -------
    ranking : list of RankedPaper
        Best first; ``rank`` is the 1-based position.

    Raises
    ------
    UsageError
        If ``task`` names no task of the list.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="paper", in_list=True, title="A", citation_count=5, year=2020)
    >>> G.add_node("b", kind="paper", in_list=True, title="B", citation_count=50, year=2021)
    >>> G.add_node("c", kind="paper", in_list=True, title="C", year=2022)
    >>> [(p.rank, p.title, p.citations_per_year) for p in rank_papers(G, year_now=2024)]
    [(1, 'B', 12.5), (2, 'A', 1.0), (3, 'C', None)]
    """
    label = _resolve_task(G, task) if task is not None else None
    year_now = year_now or date.today().year
    papers = paper_nodes(G)
    pr = pagerank_papers(G) if pagerank is None else pagerank
    listed = [n for n, a in papers.items() if is_list_paper(a)]
    cited_by_list: Counter[str] = Counter(v for _, v in citation_pairs(G, listed, papers))
    rows = []
    for node, attrs in papers.items():
        if not is_list_paper(attrs) or (label is not None and label not in (attrs.get("tasks") or ())):
            continue
        count, year = attrs.get("citation_count"), attrs.get("year")
        per_year = count / max(1, year_now - year + 1) if count is not None and year else None
        rows.append(RankedPaper(
            node=node, title=attrs.get("title") or node, s2_id=attrs.get("s2_id"), year=year,
            venue=attrs.get("venue"), tasks=tuple(attrs.get("tasks") or ()), citation_count=count,
            influential_citation_count=attrs.get("influential_citation_count"),
            in_list_citations=cited_by_list[node], pagerank=pr.get(node, 0.0),
            citations_per_year=per_year, rank=0, doi=attrs.get("doi"), arxiv_id=attrs.get("arxiv_id"),
            url=attrs.get("url"), authors=tuple(attrs.get("authors") or ()),
        ))
    # PageRank rounded: values equal but for float noise must tie and fall to the next key
    rows.sort(key=lambda p: (
        -(p.citation_count if p.citation_count is not None else -1), -round(p.pagerank, 12),
        -p.in_list_citations, p.title.casefold(), p.node,
    ))
    return [replace(p, rank=i) for i, p in enumerate(rows[:top] if top is not None else rows, 1)]


def coverage_notes(G: nx.MultiDiGraph) -> list[str]:
    """Return plain-language notes on data the analyses lack (empty when nothing is missing).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="paper", in_list=True, title="A")
    >>> coverage_notes(G)[0]
    'no citation data: run `rsvlm-graph enrich` with network access'
    """
    papers = paper_nodes(G)
    listed = [a for a in papers.values() if is_list_paper(a)]
    if not listed:
        return ["the graph has no list papers"]
    notes = []
    has_citations = next(citation_pairs(G, papers, papers), None) is not None
    counted = sum(a.get("citation_count") is not None for a in listed)
    if not has_citations and not counted:
        notes.append(NO_CITATIONS)
    else:
        if counted < len(listed):
            notes.append(f"{len(listed) - counted} of {len(listed)} list papers have no citation count")
        if not has_citations:
            notes.append("no citation edges: PageRank is uniform and discovery has no links")
    outside = sum(a.get("kind") == "outside_paper" for a in papers.values())
    if has_citations and not outside:
        notes.append("no outside papers: nothing to discover")
    if not any(a.get("embedding") for a in papers.values()):
        notes.append("no SPECTER embeddings: similarity is not used in discovery")
    return notes
