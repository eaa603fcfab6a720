"""Influence ranking of the list's papers and discovery of the papers the list is missing.

Both analyses read the graph of ``docs/ARCHITECTURE.md`` and return plain records; they work on a
graph without enrichment too (every figure may be ``None``), and ``coverage_notes`` says what is
missing and how to get it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any, Literal

import networkx as nx

from .errors import RsvlmGraphError
from .identifiers import normalize_title, paper_page, task_node_id
from .listparse import header_roles, is_bullet_line
from .graph import paper_ids
from .models import ListEntry

__all__ = [
    "RankedPaper",
    "Candidate",
    "pagerank_papers",
    "rank_papers",
    "discover_candidates",
    "markdown_row",
    "markdown_link",
    "format_records",
    "papers_per_year_per_task",
    "citation_distribution",
    "coverage_notes",
    "NO_CITATIONS",
]

log = logging.getLogger(__name__)

PAPER_KINDS = frozenset({"paper", "outside_paper"})
#: a candidate whose title is at least this similar (0–100) to a list paper's is that paper
SAME_TITLE = 90.0
#: the best S2 recommendation weighs as much as three links to list papers, the last one little
RECOMMENDATION_WEIGHT = 3.0
#: the candidate most similar to the list (SPECTER) weighs as much as two links
SIMILARITY_WEIGHT = 2.0
#: at most half a link: recency orders papers with equal evidence and never outweighs a link
RECENCY_WEIGHT = 0.5
#: how many linked titles ``why`` names before "+N more"
WHY_TITLES = 3
_LINK_COLUMNS = frozenset({"paper", "link"})
#: cells that say "nothing here" in words; "-", "–" or an empty cell say it without
_NONE_WORDS = frozenset({"n/a", "na", "none", "null", "tbd"})
_BULLET = re.compile(r"(?P<indent>\s*)(?:(?P<number>\d{1,9})(?P<delim>[.)])|(?P<mark>[-*+]))"
                     r"(?P<space>\s+)(?P<rest>.*)", re.DOTALL)
#: "[[code]](…)", "[[paper](…)]" and "[Title](…)" (brackets escaped inside the text)
_BULLET_LINKS = re.compile(r"\[\[[^\]]*\]\]\([^)\s]*\)|\[\[[^\]]*\]\([^)\s]*\)\]"
                           r"|\[(?:\\.|[^\]\\])*\]\([^)\s]*\)")
_LINKED_TITLE = re.compile(r"(?P<wrap>\*\*|__|\*|_)?\[(?!\[)")
_STRONG_TITLE = re.compile(r"(?P<open>\*\*|__)(?!\[).+?(?P<close>(?P=open))")
_QUOTED_TITLE = re.compile(r"(?P<open>[\"“])[^\"“”]+?(?P<close>[.,]?[\"”])")
#: "(AAAI 2024)", ", TGRS 2020.", " | CVPR 2023": the text around a venue and year as written
_WRITTEN_VENUE_YEAR = re.compile(
    r"(?P<before>[\s(,|]*)[^()\[\]|,\"“”*\0]*?\b(?:19|20)\d{2}\b(?P<after>\)?\.?)")


@dataclass(frozen=True, slots=True)
class _TableShape:
    """How a section writes its table rows, and what each column holds."""

    leading: bool  # "|" before the first cell
    trailing: bool  # "|" after the last cell
    padded: bool  # " | " between cells rather than "|"
    roles: tuple[str | None, ...]  # of each column, as ``listparse.header_roles`` reads them
    linked_title: bool = True  # the title cell holds "[Title](link)"
    none: str = "-"  # what the rows write in a cell with nothing to say
    labels: tuple[str | None, ...] = ()  # link text of each Paper/PDF/Link column


@dataclass(frozen=True, slots=True)
class _BulletShape:
    """How a section writes its bullets, after its last bullet."""

    marker: str  # indentation, "-", "*", "+" or the next number, and the space after it
    title: tuple[str, str]  # the markup around the title: ("**", "**"), ('"', '."'), ("", "")
    linked_title: bool  # the title is "[Title](link)"
    venue: tuple[str, str]  # the text around "Venue Year": (" (", ")"), (", ", ".")
    paper: tuple[str, str]  # the text around the paper's link after an unlinked title


_Shape = _TableShape | _BulletShape
#: the row the bundled list writes: no pipes at either end, no padding, three cells
_DEFAULT_SHAPE = _TableShape(False, False, False, ("title", "venue", None))
_TABLE_CELL_WIDTH = 60
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A paper outside the list, with the evidence that it belongs in it and a row to paste."""

    node: str
    title: str
    s2_id: str | None
    arxiv_id: str | None
    doi: str | None
    year: int | None
    venue: str | None
    url: str
    score: float
    cites_list_papers: tuple[str, ...]  # titles of the list papers it cites
    cited_by_list_papers: tuple[str, ...]  # titles of the list papers citing it
    similarity: float | None  # cosine of its SPECTER embedding to the nearest list paper's
    recommended_rank: int | None  # 1-based position among S2's recommendations
    suggested_task: str | None
    task_evidence: Mapping[str, int] = field(default_factory=dict)
    why: str = ""
    markdown_row: str = ""
    rank: int = 0

    @property
    def cites_list(self) -> int:
        return len(self.cites_list_papers)

    @property
    def cited_by_list(self) -> int:
        return len(self.cited_by_list_papers)

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["task_evidence"] = dict(self.task_evidence)
        record["cites_list"] = self.cites_list
        record["cited_by_list"] = self.cited_by_list
        return record


def _paper_nodes(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    return {n: a for n, a in G.nodes(data=True) if a.get("kind") in PAPER_KINDS}


def _in_list(attrs: Mapping[str, Any]) -> bool:
    return attrs.get("kind") == "paper" and attrs.get("in_list", True)


def _citations(
    G: nx.MultiDiGraph, citing: Iterable[str], cited: Container[str]
) -> Iterator[tuple[str, str]]:
    """Yield each (u, v), u in ``citing`` citing v in ``cited``, once however many parallel edges."""
    succ = G._succ  # the raw adjacency, as networkx's own algorithms read it: views cost more than the loop
    for u in citing:
        for v, keys in succ[u].items():
            if "cites" in keys and v in cited:
                yield u, v


def _citing(G: nx.MultiDiGraph, cited: Iterable[str], citing: Container[str]) -> Iterator[tuple[str, str]]:
    """Yield each (u, v), u in ``citing`` citing v in ``cited``, walking the edges into ``cited``."""
    pred = G._pred
    for v in cited:
        for u, keys in pred[v].items():
            if "cites" in keys and u in citing:
                yield u, v


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

    papers = _paper_nodes(G)
    nodes = sorted(papers)
    n = len(nodes)
    if n == 0:
        return {}
    index = {node: i for i, node in enumerate(nodes)}
    pairs = [(index[u], index[v]) for u, v in _citations(G, index, index)]
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
    for attrs in _paper_nodes(G).values():
        if _in_list(attrs):
            for label in attrs.get("tasks") or ():
                tasks.setdefault(task_node_id(label), label)
    return tasks


def _resolve_task(G: nx.MultiDiGraph, task: str) -> str:
    """Return the label of ``task`` given as label, slug or node id (case does not matter)."""
    tasks = _known_tasks(G)
    wanted = task if task.startswith("task:") else task_node_id(task)
    if wanted not in tasks:
        known = ", ".join(sorted(tasks.values())) or "none (the graph has no list papers)"
        raise RsvlmGraphError(f"no task {task!r} in the graph; known tasks: {known}")
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
    RsvlmGraphError
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
    papers = _paper_nodes(G)
    pr = pagerank_papers(G) if pagerank is None else pagerank
    listed = [n for n, a in papers.items() if _in_list(a)]
    cited_by_list: Counter[str] = Counter(v for _, v in _citations(G, listed, papers))
    rows = []
    for node, attrs in papers.items():
        if not _in_list(attrs) or (label is not None and label not in (attrs.get("tasks") or ())):
            continue
        count, year = attrs.get("citation_count"), attrs.get("year")
        per_year = count / max(1, year_now - year + 1) if count is not None and year else None
        rows.append(RankedPaper(
            node=node, title=attrs.get("title") or node, s2_id=attrs.get("s2_id"), year=year,
            venue=attrs.get("venue"), tasks=tuple(attrs.get("tasks") or ()), citation_count=count,
            influential_citation_count=attrs.get("influential_citation_count"),
            in_list_citations=cited_by_list[node], pagerank=pr.get(node, 0.0),
            citations_per_year=per_year, rank=0,
        ))
    # PageRank rounded: values equal but for float noise must tie and fall to the next key
    rows.sort(key=lambda p: (
        -(p.citation_count if p.citation_count is not None else -1), -round(p.pagerank, 12),
        -p.in_list_citations, p.title.casefold(), p.node,
    ))
    return [replace(p, rank=i) for i, p in enumerate(rows[:top] if top is not None else rows, 1)]


def _nearest_list_papers(
    papers: Mapping[str, Mapping[str, Any]], list_nodes: Sequence[str], outside: Sequence[str]
) -> dict[str, tuple[float, str, float]]:
    """Outside node → (cosine to the nearest list paper, that paper, percentile among outside papers).

    Nearest rather than centroid: the list spans many tasks, and the centroid of captioning,
    detection and VQA papers resembles none of them.
    """
    import numpy as np

    def embedded(nodes: Sequence[str]) -> list[str]:
        return [n for n in nodes if papers[n].get("embedding")]

    listed, others = embedded(list_nodes), embedded(outside)
    if not listed or not others:
        return {}
    dim = Counter(len(papers[n]["embedding"]) for n in listed).most_common(1)[0][0]
    listed = [n for n in listed if len(papers[n]["embedding"]) == dim]
    others = [n for n in others if len(papers[n]["embedding"]) == dim]
    if not others:
        return {}

    def unit_rows(nodes: Sequence[str]) -> Any:
        X = np.asarray([papers[n]["embedding"] for n in nodes], dtype=np.float32)
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)

    L = unit_rows(listed)
    best = np.empty(len(others), dtype=np.float32)
    nearest = np.empty(len(others), dtype=np.int64)
    chunk = 4096  # bounds the similarity matrix at chunk × list size
    for start in range(0, len(others), chunk):
        S = unit_rows(others[start:start + chunk]) @ L.T
        nearest[start:start + chunk] = S.argmax(axis=1)
        best[start:start + chunk] = S.max(axis=1)
    from scipy.stats import rankdata

    # percentile, not raw cosine: SPECTER cosines crowd into a narrow band whatever the topic
    percentile = rankdata(best, method="average") / len(others)
    return {
        node: (round(float(best[i]), 4), listed[int(nearest[i])], float(percentile[i]))
        for i, node in enumerate(others)
    }


def _title_matcher(titles: Iterable[str]) -> Callable[[str], bool]:
    """Return a test "is this title at least ``SAME_TITLE`` similar to one of ``titles``?".

    Uses ``title_similarity``'s own metric (normalised Levenshtein of normalised titles) through
    rapidfuzz's batch search: calling ``title_similarity`` pair by pair re-normalises both titles
    each time (~50 µs a pair), minutes on a full graph. The tests check both agree.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    by_length = sorted({normalize_title(t) for t in titles}, key=lambda t: (len(t), t))
    lengths = [len(t) for t in by_length]
    exact = set(by_length)
    cutoff = SAME_TITLE / 100

    def matches(title: str) -> bool:
        query = normalize_title(title)
        if query in exact:
            return True
        # similarity = 1 - distance / longer length and distance >= the length difference, so only
        # titles whose lengths are within the cutoff's ratio of the query's can reach it (the
        # window is rounded outwards: it only spares comparisons, the scorer decides)
        n = len(query)
        low, high = math.floor(n * cutoff), math.ceil(n / cutoff)
        window = by_length[bisect_left(lengths, low):bisect_right(lengths, high)]
        return process.extractOne(
            query, window, scorer=Levenshtein.normalized_similarity, processor=None, score_cutoff=cutoff,
        ) is not None

    return matches


def _recency(year: int | None, year_now: int) -> float:
    return RECENCY_WEIGHT / (1 + max(0, year_now - year)) if year else 0.0


def _task_evidence(linked: Iterable[str], papers: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    counts = Counter(task for n in linked for task in papers[n].get("tasks") or ())
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _paper_link(arxiv_id: str | None, doi: str | None, s2_id: str | None, fallback: str) -> str:
    """The page to link a paper by: arXiv's, else the DOI's, else Semantic Scholar's."""
    ids = (("arxiv_id", arxiv_id), ("doi", doi), ("s2_id", s2_id))
    return next((paper_page(kind, value) for kind, value in ids if value), fallback)


def _titles(nodes: Iterable[str], papers: Mapping[str, Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(sorted((papers[n].get("title") or n for n in nodes), key=lambda t: (t.casefold(), t)))


def _why(
    cites: Sequence[str], cited_by: Sequence[str], near: tuple[float, str, float] | None,
    near_title: str | None, rec: int | None, n_rec: int, year: int | None,
) -> str:
    def named(titles: Sequence[str]) -> str:
        shown = "; ".join(titles[:WHY_TITLES])
        return shown + (f"; +{len(titles) - WHY_TITLES} more" if len(titles) > WHY_TITLES else "")

    parts = []
    if cites:
        parts.append(f"cites {len(cites)} list paper(s): {named(cites)}")
    if cited_by:
        parts.append(f"cited by {len(cited_by)} list paper(s): {named(cited_by)}")
    if near is not None:
        parts.append(f"SPECTER similarity {near[0]:.2f} to {near_title!r} (percentile {100 * near[2]:.0f})")
    if rec is not None:
        parts.append(f"S2 recommendation #{rec} of {n_rec}")
    parts.append(f"year {year}" if year else "year unknown")
    return "; ".join(parts)


def discover_candidates(
    G: nx.MultiDiGraph,
    *,
    recommended: Sequence[str] = (),
    is_rejected: Callable[..., bool] | None = None,
    since: int | None = None,
    min_links: int = 1,
    top: int | None = None,
    year_now: int | None = None,
    entries: Sequence[ListEntry] = (),
    list_text: str | None = None,
) -> list[Candidate]:
    """Return papers outside the list, most relevant to it first, each with its evidence.

    The score adds four signals, in units of "one link to a list paper":

    * links: ``cites_list + cited_by_list``, one point per list paper the candidate cites (new
      work building on the list) and per list paper citing it (a classic the list lacks);
    * recommendation: ``3 * (1 - (k - 1) / n)`` for Semantic Scholar's k-th of n recommendations;
    * similarity: ``2 * p``, p the percentile (0–1] of the candidate's SPECTER cosine to its
      nearest list paper among all outside papers with an embedding; 0 without embeddings;
    * recency: ``0.5 / (1 + age)``, age in years (0 when the year is unknown), so newer work
      comes first for equal evidence but never outranks a paper with one more link.

    Ties break on title, then node id.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    recommended : sequence of str, optional
        S2 paper ids recommended from the list, best first (``Enrichment.recommendations``).
    is_rejected : callable, optional
        ``is_rejected(s2_paper_id=, doi=, arxiv_id=, title=) -> bool``, e.g. the bound method
        ``Curation.is_rejected``; rejected papers are never candidates.
    since : int, optional
        Only papers published in or after this year (papers of unknown year are dropped).
    min_links : int, optional
        Least ``cites_list + cited_by_list`` a candidate needs, unless S2 recommended it.
    top : int, optional
        Keep the first ``top`` candidates.
    year_now : int, optional
        The current year (default: today's), for recency.
    entries : sequence of ListEntry, optional
        The list's rows; each candidate's ``markdown_row`` is written like the rows of its
        suggested task's section (the bundled list's shape without them).
    list_text : str, optional
        The text ``entries`` were read from (``ListDocument.text``); with it, table rows are
        filled cell by cell by their table's header (title, venue, year, paper link, …).

    Returns
    -------
    candidates : list of Candidate
        Best first; ``rank`` is the 1-based position. Never a list paper: a paper with a list
        paper's S2 id, DOI or arXiv id, or a title at least 90 similar, is left out.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:a", kind="paper", in_list=True, title="A", tasks=("VQA",))
    >>> G.add_node("paper:s2:x", kind="outside_paper", title="Xylophone", year=2024, s2_id="x")
    >>> G.add_edge("paper:s2:x", "paper:a", key="cites", is_influential=False)
    'cites'
    >>> [(c.title, c.cites_list, c.suggested_task) for c in discover_candidates(G)]
    [('Xylophone', 1, 'VQA')]
    """
    year_now = year_now or date.today().year
    papers = _paper_nodes(G)
    list_nodes = sorted(n for n, a in papers.items() if _in_list(a))
    outside = sorted(n for n, a in papers.items() if a.get("kind") == "outside_paper")
    outside_set = set(outside)
    cites: dict[str, list[str]] = {}
    cited_by: dict[str, list[str]] = {}
    for u, v in _citations(G, list_nodes, outside_set):
        cited_by.setdefault(v, []).append(u)
    for u, v in _citing(G, list_nodes, outside_set):
        cites.setdefault(u, []).append(v)
    rec_rank: dict[str, int] = {}
    for k, s2_id in enumerate(recommended, 1):
        rec_rank.setdefault(f"paper:s2:{s2_id}", k)
    list_ids = {pair for n in list_nodes for pair in paper_ids(papers[n]).pairs()}
    near = _nearest_list_papers(papers, list_nodes, outside)

    scored: list[tuple[float, str, str]] = []
    for node in outside:
        attrs = papers[node]
        year = attrs.get("year")
        links = len(cites.get(node, ())) + len(cited_by.get(node, ()))
        rec = rec_rank.get(node)
        if (links < min_links and rec is None) or (since is not None and (not year or year < since)):
            continue
        if not list_ids.isdisjoint(paper_ids(attrs).pairs()):
            log.debug("%s shares an identifier with a list paper: not a candidate", node)
            continue
        score = links + _recency(year, year_now)
        if rec is not None:
            score += RECOMMENDATION_WEIGHT * (1 - (rec - 1) / len(recommended))
        if node in near:
            score += SIMILARITY_WEIGHT * near[node][2]
        scored.append((round(score, 6), (attrs.get("title") or node).casefold(), node))
    scored.sort(key=lambda s: (-s[0], s[1], s[2]))
    if not scored:
        log.info("no discovery candidates: %s", "; ".join(coverage_notes(G)) or "none pass the filters")

    is_list_title = _title_matcher(
        t for n in list_nodes for t in (papers[n].get("title"), papers[n].get("s2_title")) if t
    )
    rows_by_task: dict[str, list[ListEntry]] = {}
    for entry in entries:
        if entry.kind == "paper":
            rows_by_task.setdefault(entry.task, []).append(entry)
    shapes = {task: _section_shape(rows, list_text) for task, rows in rows_by_task.items()}

    # title matching and rejection are the slow checks: run them in rank order, only until `top`
    candidates: list[Candidate] = []
    for score, _, node in scored:
        if top is not None and len(candidates) >= top:
            break
        attrs = papers[node]
        title = attrs.get("title") or ""
        if title and is_list_title(title):
            log.info("%s has the title of a list paper: not a candidate", node)
            continue
        if is_rejected is not None and is_rejected(
            s2_paper_id=attrs.get("s2_id"), doi=attrs.get("doi"), arxiv_id=attrs.get("arxiv_id"),
            title=title or None,
        ):
            log.info("%s is rejected by the curation file", node)
            continue
        candidates.append(_candidate(
            node, attrs, score, papers, cites.get(node, []), cited_by.get(node, []),
            near.get(node), rec_rank.get(node), len(recommended), shapes, len(candidates) + 1,
        ))
    return candidates


def _candidate(
    node: str, attrs: Mapping[str, Any], score: float, papers: Mapping[str, Mapping[str, Any]],
    cites: Sequence[str], cited_by: Sequence[str], near: tuple[float, str, float] | None,
    rec: int | None, n_rec: int, shapes: Mapping[str, _Shape], rank: int,
) -> Candidate:
    evidence = _task_evidence(dict.fromkeys([*cites, *cited_by]), papers)
    if not evidence and near is not None:  # no links: the nearest list paper's task is the hint
        evidence = _task_evidence([near[1]], papers)
    suggested = next(iter(evidence), None)
    s2_id, arxiv_id, doi = attrs.get("s2_id"), attrs.get("arxiv_id"), attrs.get("doi")
    title, year, venue = attrs.get("title") or node, attrs.get("year"), attrs.get("venue")
    cites_titles, cited_by_titles = _titles(cites, papers), _titles(cited_by, papers)
    url = _paper_link(arxiv_id, doi, s2_id, attrs.get("url") or "")
    return Candidate(
        node=node, title=title, s2_id=s2_id, arxiv_id=arxiv_id, doi=doi, year=year, venue=venue,
        url=url, score=score, cites_list_papers=cites_titles, cited_by_list_papers=cited_by_titles,
        similarity=near[0] if near else None, recommended_rank=rec, suggested_task=suggested,
        task_evidence=evidence, rank=rank,
        why=_why(
            cites_titles, cited_by_titles, near, papers[near[1]].get("title") if near else None,
            rec, n_rec, year,
        ),
        markdown_row=_render_row(
            shapes.get(suggested or "", _DEFAULT_SHAPE), title, url, venue, year, arxiv_id
        ),
    )


def _cells(row: str) -> list[str]:
    """The cells of one table row as written, without the outer pipes, stripped."""
    text = row.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", text)]


def _row_layout(raw: str) -> tuple[bool, bool, bool, int]:
    """(leading pipe, trailing pipe, padded, number of cells) of one table row as written."""
    text = raw.strip()
    padded = " | " in text[1 if text.startswith("|") else 0: -1 if text.endswith("|") else None]
    return text.startswith("|"), text.endswith("|") and len(text) > 1, padded, len(_cells(text))


def _escape(text: str) -> str:
    return re.sub(r"([\[\]|])", r"\\\1", text)


def markdown_link(text: str, url: str) -> str:
    r"""Return ``[text](url)`` with ``[``, ``]`` and ``|`` in the text escaped, safe in a table row.

    >>> print(markdown_link("GeoX [v2] | RS", "https://arxiv.org/abs/2401.00001"))
    [GeoX \[v2\] \| RS](https://arxiv.org/abs/2401.00001)
    """
    return f"[{_escape(text)}]({url})"


def markdown_row(
    candidate: Candidate,
    section_rows: Sequence[ListEntry] | None = None,
    list_text: str | None = None,
) -> str:
    """Return the candidate as an entry of the list, written the way its section writes entries.

    The section is the one of the first of ``section_rows``, and its last entry decides:

    * a bullet gives a bullet with the same marker and pattern (linked or bold or quoted title,
      where venue and year go, how the paper link is written);
    * a table row gives a row with the pipes and padding most of the section's rows have. With
      ``list_text`` (the list the rows were read from) each cell is filled by the role
      ``listparse.header_roles`` gives its column in the table's header: the title (linked only
      when the rows link theirs), the venue (with the year unless the table has a Year column),
      the year, the paper link in the first Paper/PDF/Link column (labelled as the rows label
      it), and the rows' mark for "nothing" (``-`` by default) elsewhere. Without ``list_text``
      the cells are the bundled list's ``[Title](link)|Venue Year|-``.

    The link is the arXiv abstract page, else the DOI, else the Semantic Scholar page; ``[``,
    ``]`` and ``|`` in the title are escaped.

    Examples
    --------
    >>> c = Candidate(node="paper:s2:x", title="GeoX [v2]", s2_id="x", arxiv_id="2401.00001",
    ...               doi=None, year=2024, venue=None, url="", score=1.0, cites_list_papers=(),
    ...               cited_by_list_papers=(), similarity=None, recommended_rank=None,
    ...               suggested_task=None)
    >>> markdown_row(c)
    '[GeoX \\\\[v2\\\\]](https://arxiv.org/abs/2401.00001)|arxiv 2024|-'
    >>> rows = [ListEntry("paper", "A", "https://a.org", "VQA", "VQA", 3,
    ...                   "* **[A](https://a.org)** (CVPR 2023) [[code]](https://c.org)")]
    >>> markdown_row(c, rows)
    '* **[GeoX \\\\[v2\\\\]](https://arxiv.org/abs/2401.00001)** (arxiv 2024)'
    """
    link = _paper_link(candidate.arxiv_id, candidate.doi, candidate.s2_id, candidate.url)
    return _render_row(
        _section_shape(section_rows or (), list_text), candidate.title, link, candidate.venue,
        candidate.year, candidate.arxiv_id,
    )


def _section_shape(rows: Sequence[ListEntry], list_text: str | None = None) -> _Shape:
    """How the section of ``rows[0]`` writes its entries: as its last entry is written."""
    section = rows[0].section if rows else None
    rows = sorted((e for e in rows if e.raw.strip() and e.section == section), key=lambda e: e.line)
    if rows and is_bullet_line(rows[-1].raw):
        return _bullet_shape(rows[-1])
    table_rows = [e for e in rows if not is_bullet_line(e.raw)]
    return _table_shape(table_rows, list_text) if table_rows else _DEFAULT_SHAPE


def _table_shape(table_rows: Sequence[ListEntry], list_text: str | None) -> _TableShape:
    """Pipes and padding of most rows; each column's role from the table's header in
    ``list_text``, else the bundled list's columns."""
    layouts = [_row_layout(e.raw) for e in table_rows]
    # the most common layout, the first row's on a tie
    leading, trailing, padded, n_cells = max(
        layouts, key=lambda s: (layouts.count(s), -layouts.index(s)))
    header = _table_header(list_text, table_rows[0].line) if list_text else None
    roles = header_roles(header) if header else ()
    if "title" not in roles:
        return _TableShape(leading, trailing, padded, _DEFAULT_SHAPE.roles[:2]
                           + (None,) * max(0, n_cells - 2))
    cells = [_cells(e.raw) for e in table_rows]
    column = [row[roles.index("title")] if len(row) > roles.index("title") else "" for row in cells]
    empty = Counter(cell for row in cells for cell in row if cell.casefold() in _NONE_WORDS
                    or ("](" not in cell and not any(ch.isalnum() for ch in cell)))
    labels = tuple(_link_label(header_cell, [row[i] for row in cells if len(row) > i])
                   if role in _LINK_COLUMNS else None
                   for i, (role, header_cell) in enumerate(zip(roles, _cells(header))))
    return _TableShape(
        leading, trailing, padded, roles,
        linked_title=2 * sum("](" in cell for cell in column) >= len(column),
        none=empty.most_common(1)[0][0] if empty else "-", labels=labels,
    )


def _table_header(list_text: str, first_row: int) -> str | None:
    """The header line of the table whose first row is line ``first_row`` (1-based)."""
    lines = re.split(r"\r\n?|\n", list_text)
    top = first_row - 1
    while 0 < top <= len(lines) and _is_table_line(lines[top - 1]):
        top -= 1
    # the header and the delimiter line stand above the first row
    return lines[top] if top <= first_row - 3 else None


def _is_table_line(text: str) -> bool:
    return "|" in text and not is_bullet_line(text) and not text.lstrip().startswith("#")


def _link_label(header_cell: str, column: Sequence[str]) -> str:
    """The text the column's rows give their links (``PDF``, ``arXiv``), else its header's."""
    labels = Counter(m[1] for cell in column for m in re.finditer(r"\[([^\]]+)\]\(", cell))
    return labels.most_common(1)[0][0] if labels else header_cell.strip(" *_") or "link"


def _bullet_shape(entry: ListEntry) -> _BulletShape:
    """Marker and pattern of the bullet ``entry``, to write another bullet like it."""
    bullet = _BULLET.match(entry.raw)
    assert bullet is not None  # it matches every line ``is_bullet_line`` accepts
    number = bullet["number"]
    mark = f"{int(number) + 1}{bullet['delim']}" if number else bullet["mark"]
    marker = bullet["indent"] + mark + bullet["space"]
    rest = " ".join(bullet["rest"].split())
    # titles and links are masked, so a year inside them is not taken for the venue's
    masked = _BULLET_LINKS.sub(lambda m: "\0" * len(m[0]), rest)
    if linked := _LINKED_TITLE.match(rest):
        title, linked_title = (linked["wrap"] or "", linked["wrap"] or ""), True
    elif titled := (_STRONG_TITLE.match(rest) or _QUOTED_TITLE.match(rest)):
        title, linked_title = (titled["open"], titled["close"]), False
        masked = "\0" * titled.end() + masked[titled.end():]
    else:
        title, linked_title = ("", ""), False
    # after a plain-text title only "," or "(" tells the title from the venue
    plain = not linked_title and title == ("", "")
    venues = [m for m in _WRITTEN_VENUE_YEAR.finditer(masked)
              if m["before"].strip() or (m["before"] and not plain)]
    if venues:
        venue = (venues[-1]["before"], venues[-1]["after"])
    else:
        venue = (" | ", "") if " | " in rest and not plain else (" (", ")")
    paper = ("", "")
    if not linked_title:
        paper = (" [[paper]](", ")")
        for link in _BULLET_LINKS.finditer(rest):
            at = link[0].find(f"({entry.url})") if entry.url else -1
            if at >= 0:
                gap = re.search(r"[\s|]*\Z", rest[:link.start()])
                paper = ((gap[0] if gap else "") + link[0][:at + 1],
                         link[0][at + 1 + len(entry.url or ""):])
                break
    return _BulletShape(marker, title, linked_title, venue, paper)


def _render_row(
    shape: _Shape, title: str, link: str, venue: str | None, year: int | None, arxiv_id: str | None
) -> str:
    venue = venue or ("arxiv" if arxiv_id else "")
    if isinstance(shape, _BulletShape):
        published = " ".join(str(p) for p in (venue, year) if p)
        written = markdown_link(title, link) if shape.linked_title else _escape(title)
        return "".join((
            shape.marker, shape.title[0], written, shape.title[1],
            f"{shape.venue[0]}{published}{shape.venue[1]}" if published else "",
            f"{shape.paper[0]}{link}{shape.paper[1]}" if shape.paper[0] else "",
        ))
    # the parser takes a bracket in a plain-text title cell for a broken link: link such a title
    linked_title = shape.linked_title or bool(re.search(r"[\[\]]|://", title))
    by_role = {
        "title": markdown_link(title, link) if linked_title else _escape(title),
        # a Year column takes the year; else the venue cell holds both ("TGRS 2024")
        "venue": " ".join(str(p) for p in (venue, None if "year" in shape.roles else year) if p
                          ).replace("|", "\\|"),
        "year": str(year or ""),
    }
    cells, linked = [], False
    for role, label in zip(shape.roles, shape.labels or (None,) * len(shape.roles)):
        if role in _LINK_COLUMNS and not linked:  # one link, in the first Paper/PDF/Link column
            cells.append(markdown_link(label or "link", link))
            linked = True
        else:
            cells.append(by_role.get(role or "") or shape.none)
    pad = " " if shape.padded else ""
    return (("|" + pad if shape.leading else "") + f"{pad}|{pad}".join(cells)
            + (pad + "|" if shape.trailing else ""))


def _text_cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return " ".join(str(value).split())


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (Mapping, list, tuple)):
        return _text_cell(value)
    return value


def format_records(
    records: Sequence[Mapping[str, Any]],
    fmt: Literal["table", "json", "csv", "md"],
    columns: Sequence[str] | None = None,
) -> str:
    """Return records as a plain aligned text table, JSON, CSV or a Markdown table.

    ``columns`` picks and orders the fields (default: every field of the first record, in its
    order). JSON keeps values as they are (sorted keys, indent 2); the text formats join lists
    with ``; `` and show floats with four significant digits, ``table`` cuts cells at 60
    characters.

    Examples
    --------
    >>> print(format_records([{"title": "A", "n": 2}, {"title": "Bb", "n": 10}], "table"))
    title   n
    -----  --
    A       2
    Bb     10
    """
    columns = list(columns) if columns is not None else (list(records[0]) if records else [])
    rows = [{c: r.get(c) for c in columns} for r in records]
    if fmt == "json":
        return json.dumps(rows, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: _csv_cell(v) for c, v in row.items()} for row in rows)
        return buffer.getvalue()
    if fmt == "md":
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        lines += [
            "| " + " | ".join(re.sub(r"(?<!\\)\|", r"\\|", _text_cell(row[c])) for c in columns) + " |"
            for row in rows
        ]
        return "\n".join(lines) + "\n"
    if fmt != "table":
        raise RsvlmGraphError(f"unknown format {fmt!r}: use table, json, csv or md")

    def cut(text: str) -> str:
        return text if len(text) <= _TABLE_CELL_WIDTH else text[: _TABLE_CELL_WIDTH - 1] + "…"

    cells = [[cut(_text_cell(row[c])) for c in columns] for row in rows]
    numeric = [all(isinstance(row[c], (int, float)) or row[c] is None for row in rows) for c in columns]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)
        ).rstrip()

    return "\n".join([line(columns), line(["-" * w for w in widths]), *map(line, cells)])


def papers_per_year_per_task(G: nx.MultiDiGraph) -> dict[str, dict[int, int]]:
    """Return, for each task, the number of list papers per year (papers of unknown year left out).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="paper", in_list=True, year=2023, tasks=("VQA",))
    >>> G.add_node("b", kind="paper", in_list=True, year=2023, tasks=("Captioning", "VQA"))
    >>> G.add_node("c", kind="paper", in_list=True, year=None, tasks=("VQA",))
    >>> papers_per_year_per_task(G)
    {'Captioning': {2023: 1}, 'VQA': {2023: 2}}
    """
    counts: dict[str, Counter[int]] = {}
    for attrs in _paper_nodes(G).values():
        if _in_list(attrs):
            for task in attrs.get("tasks") or ():
                bucket = counts.setdefault(task, Counter())
                if attrs.get("year"):
                    bucket[attrs["year"]] += 1
    return {task: dict(sorted(counts[task].items())) for task in sorted(counts)}


def _decade_label(count: int) -> str:
    if count == 0:
        return "0"
    low = 10 ** int(math.log10(count))
    return f"{low}-{10 * low - 1}"


def citation_distribution(G: nx.MultiDiGraph) -> dict[str, int]:
    """Return how many list papers fall in each decade of global citation count.

    Bins are ``0``, ``1-9``, ``10-99``, … up to the largest count, then ``unknown`` for papers
    without a count.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, c in [("a", 0), ("b", 5), ("c", 120), ("d", None)]:
    ...     G.add_node(n, kind="paper", in_list=True, citation_count=c)
    >>> citation_distribution(G)
    {'0': 1, '1-9': 1, '10-99': 0, '100-999': 1, 'unknown': 1}
    """
    counts = [a.get("citation_count") for a in _paper_nodes(G).values() if _in_list(a)]
    known = [c for c in counts if c is not None]
    bins = ["0"]
    if known and max(known) > 0:
        bins += [_decade_label(10**k) for k in range(int(math.log10(max(known))) + 1)]
    histogram = Counter(_decade_label(c) for c in known)
    result = {label: histogram[label] for label in bins} if known else {}
    result["unknown"] = len(counts) - len(known)
    return result


def coverage_notes(G: nx.MultiDiGraph) -> list[str]:
    """Return plain-language notes on data the analyses lack (empty when nothing is missing).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="paper", in_list=True, title="A")
    >>> coverage_notes(G)[0]
    'no citation data: run `rsvlm-graph enrich` with network access'
    """
    papers = _paper_nodes(G)
    listed = [a for a in papers.values() if _in_list(a)]
    if not listed:
        return ["the graph has no list papers"]
    notes = []
    has_citations = next(_citations(G, papers, papers), None) is not None
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
