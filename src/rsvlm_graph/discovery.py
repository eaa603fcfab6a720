"""Discovery: papers outside the list that belong in it, each with the evidence for it.

It returns evidence only; the list side (``listfile.rows``) writes a candidate as a row of the list.
"""

from __future__ import annotations

import logging
import math
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from .graph import citation_pairs, citing_pairs, is_list_paper, paper_ids, paper_nodes
from .identifiers import normalize_title, paper_link
from .ranking import coverage_notes

log = logging.getLogger(__name__)

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
    papers = paper_nodes(G)
    list_nodes = sorted(n for n, a in papers.items() if is_list_paper(a))
    outside = sorted(n for n, a in papers.items() if a.get("kind") == "outside_paper")
    outside_set = set(outside)
    cites: dict[str, list[str]] = {}
    cited_by: dict[str, list[str]] = {}
    for u, v in citation_pairs(G, list_nodes, outside_set):
        cited_by.setdefault(v, []).append(u)
    for u, v in citing_pairs(G, list_nodes, outside_set):
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
            near.get(node), rec_rank.get(node), len(recommended), len(candidates) + 1,
        ))
    return candidates


def _candidate(
    node: str, attrs: Mapping[str, Any], score: float, papers: Mapping[str, Mapping[str, Any]],
    cites: Sequence[str], cited_by: Sequence[str], near: tuple[float, str, float] | None,
    rec: int | None, n_rec: int, rank: int,
) -> Candidate:
    evidence = _task_evidence(dict.fromkeys([*cites, *cited_by]), papers)
    if not evidence and near is not None:  # no links: the nearest list paper's task is the hint
        evidence = _task_evidence([near[1]], papers)
    suggested = next(iter(evidence), None)
    s2_id, arxiv_id, doi = attrs.get("s2_id"), attrs.get("arxiv_id"), attrs.get("doi")
    title, year, venue = attrs.get("title") or node, attrs.get("year"), attrs.get("venue")
    cites_titles, cited_by_titles = _titles(cites, papers), _titles(cited_by, papers)
    url = paper_link(arxiv_id, doi, s2_id, attrs.get("url") or "")
    return Candidate(
        node=node, title=title, s2_id=s2_id, arxiv_id=arxiv_id, doi=doi, year=year, venue=venue,
        url=url, score=score, cites_list_papers=cites_titles, cited_by_list_papers=cited_by_titles,
        similarity=near[0] if near else None, recommended_rank=rec, suggested_task=suggested,
        task_evidence=evidence, rank=rank,
        why=_why(
            cites_titles, cited_by_titles, near, papers[near[1]].get("title") if near else None,
            rec, n_rec, year,
        ),
    )
