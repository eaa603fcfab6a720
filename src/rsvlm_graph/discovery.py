"""Discovery: papers outside the list that belong in it, each with the evidence for it.

Two kinds of candidates, never ranked together (``Candidate.kind``):

* ``new`` — recent work that builds on the list: it cites list papers, S2 recommends it for the
  list, or peer lists name it; what a maintainer adds. Being cited by list papers is shown as
  evidence but not scored: that is what made ResNet outrank the papers the list missed.
* ``foundation`` — older papers the list builds on (cited by list papers): context for the
  report, never proposed as additions unless asked.

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
from typing import Any, Literal

import networkx as nx

from .graph import citation_pairs, citing_pairs, is_list_paper, paper_ids, paper_nodes
from .identifiers import normalize_title, paper_link
from .models import ListDocument
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
#: each peer list naming a candidate weighs as much as two links: curators agreeing is strong
PEER_WEIGHT = 2.0
#: how many linked titles ``why`` names before "+N more"
WHY_TITLES = 3
#: new work is published no earlier than this many years before the list's newest paper
RECENT_YEARS = 1

CandidateKind = Literal["new", "foundation"]
KindFilter = Literal["new", "foundation", "all"]
#: the order kinds are shown in by ``kind="all"``
KINDS: tuple[CandidateKind, ...] = ("new", "foundation")


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
    rank: int = 0  # 1-based, within its kind
    kind: CandidateKind = "new"
    peer_lists: tuple[str, ...] = ()  # names of the peer lists that include it
    authors: tuple[str, ...] = ()  # names, in order, as Semantic Scholar gives them

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
        record["peer_count"] = len(self.peer_lists)
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


def _title_matcher(titles: Iterable[str]) -> Callable[[str], str | None]:
    """Return a lookup "which of ``titles`` is this title at least ``SAME_TITLE`` similar to?"
    (the normalised title found, or ``None``).

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

    def match(title: str) -> str | None:
        query = normalize_title(title)
        if query in exact:
            return query
        # similarity = 1 - distance / longer length and distance >= the length difference, so only
        # titles whose lengths are within the cutoff's ratio of the query's can reach it (the
        # window is rounded outwards: it only spares comparisons, the scorer decides)
        n = len(query)
        low, high = math.floor(n * cutoff), math.ceil(n / cutoff)
        window = by_length[bisect_left(lengths, low):bisect_right(lengths, high)]
        found = process.extractOne(
            query, window, scorer=Levenshtein.normalized_similarity, processor=None, score_cutoff=cutoff,
        )
        return None if found is None else str(found[0])

    return match


def peer_listings(
    G: nx.MultiDiGraph, peer_lists: Sequence[tuple[str, ListDocument]]
) -> dict[str, tuple[str, ...]]:
    """Return outside paper node → names of the peer lists that include it.

    Each peer list's paper entries are matched to the graph's outside papers by identifier
    (arXiv id, DOI, S2 id, …), else by a title at least ``SAME_TITLE`` similar. Entries matching
    no known paper are left out (they would need fetching; ``log`` says how many).

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    peer_lists : sequence of (name, ListDocument)
        The peer lists, parsed with ``listfile.parse``; a name shows in the evidence.

    Examples
    --------
    >>> from rsvlm_graph.models import ListEntry, PaperIds
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:s2:x", kind="outside_paper", title="Xylophone", arxiv_id="2401.00001")
    >>> row = ListEntry("paper", "Xylophones", None, "VQA", "VQA", 3, "",
    ...                 ids=PaperIds(arxiv_id="2401.00001"))
    >>> peer_listings(G, [("peer.md", ListDocument("peer.md", "Peer", (row,)))])
    {'paper:s2:x': ('peer.md',)}
    """
    papers = paper_nodes(G)
    outside = sorted(n for n, a in papers.items() if a.get("kind") == "outside_paper")
    by_id: dict[tuple[str, str], str] = {}
    by_title: dict[str, str] = {}
    for node in outside:
        for pair in paper_ids(papers[node]).pairs():
            by_id.setdefault(pair, node)
        if title := papers[node].get("title"):
            by_title.setdefault(normalize_title(title), node)
    match_title = _title_matcher(by_title)
    listed: dict[str, set[str]] = {}
    for name, document in peer_lists:
        unmatched = 0
        for entry in document.papers:
            match = next((by_id[p] for p in entry.ids.pairs() if p in by_id), None)
            if match is None and entry.title and (found := match_title(entry.title)) is not None:
                match = by_title[found]
            if match is None:
                unmatched += 1
            else:
                listed.setdefault(match, set()).add(name)
        log.info("peer list %s: %d of %d papers among the graph's outside papers", name,
                 len(document.papers) - unmatched, len(document.papers))
    return {node: tuple(sorted(names)) for node, names in sorted(listed.items())}


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
    peers: Sequence[str] = (),
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
    if peers:
        parts.append(f"listed in {len(peers)} peer list(s): {named(peers)}")
    parts.append(f"year {year}" if year else "year unknown")
    return "; ".join(parts)


def default_since(G: nx.MultiDiGraph) -> int | None:
    """The first year of new work: the year before the list's newest paper (``None`` without years).

    Relative to the list, not to today, so a list nobody updated for two years still gets what
    it missed since.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:a", kind="paper", in_list=True, year=2024)
    >>> default_since(G)
    2023
    """
    years = [a["year"] for a in paper_nodes(G).values() if is_list_paper(a) and a.get("year")]
    return max(years) - RECENT_YEARS if years else None


def candidate_kind(year: int | None, since: int | None) -> CandidateKind:
    """``new`` for papers published in or after ``since`` (all of them without ``since``),
    ``foundation`` for older ones and those of unknown year."""
    if since is None:
        return "new"
    return "new" if year is not None and year >= since else "foundation"


def discover_candidates(
    G: nx.MultiDiGraph,
    *,
    recommended: Sequence[str] = (),
    is_rejected: Callable[..., bool] | None = None,
    since: int | None = None,
    min_links: int = 1,
    top: int | None = None,
    year_now: int | None = None,
    kind: KindFilter = "new",
    peers: Mapping[str, Sequence[str]] | None = None,
) -> list[Candidate]:
    """Return papers outside the list, most relevant to it first, each with its evidence.

    A candidate is *new work* when published in or after ``since``, else a *foundation*
    (:func:`candidate_kind`); the two are ranked apart. Scores are in units of "one link to a
    list paper":

    * new work: ``cites_list`` (one point per list paper it cites), plus the recommendation
      ``3 * (1 - (k - 1) / n)`` for Semantic Scholar's k-th of n recommendations, plus
      ``2`` per peer list naming it, plus similarity ``2 * p`` (p the percentile (0–1] of its
      SPECTER cosine to the nearest list paper among outside papers with an embedding), plus
      recency ``0.5 / (1 + age)``. List papers citing it are evidence, not score: a classic
      every list paper cites is not what the list misses.
    * foundations: ``cited_by_list`` (one point per list paper citing it), plus the peer and
      similarity terms.

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
        First year of new work; default :func:`default_since` (the year before the list's
        newest paper). ``0`` makes every paper of known year new work.
    min_links : int, optional
        Least links a candidate needs: ``cites_list + cited_by_list`` for new work (unless S2
        recommended it or a peer list names it), ``cited_by_list`` for a foundation.
    top : int, optional
        Keep the first ``top`` candidates of each kind.
    year_now : int, optional
        The current year (default: today's), for recency.
    kind : {"new", "foundation", "all"}, optional
        Which kind to return; ``"all"`` gives the new work first, then the foundations.
    peers : mapping, optional
        Node → names of the peer lists that include it (:func:`peer_listings`).

    Returns
    -------
    candidates : list of Candidate
        Best first within each kind; ``rank`` is the 1-based position within its kind. Never a
        list paper: a paper with a list paper's S2 id, DOI or arXiv id, or a title at least 90
        similar, is left out.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:a", kind="paper", in_list=True, title="A", tasks=("VQA",), year=2024)
    >>> G.add_node("paper:s2:x", kind="outside_paper", title="Xylophone", year=2024, s2_id="x")
    >>> G.add_node("paper:s2:r", kind="outside_paper", title="ResNet", year=2016, s2_id="r")
    >>> G.add_edge("paper:s2:x", "paper:a", key="cites", is_influential=False)
    'cites'
    >>> G.add_edge("paper:a", "paper:s2:r", key="cites", is_influential=False)
    'cites'
    >>> [(c.title, c.kind, c.cites_list) for c in discover_candidates(G, kind="all")]
    [('Xylophone', 'new', 1), ('ResNet', 'foundation', 0)]
    """
    year_now = year_now or date.today().year
    since = default_since(G) if since is None else since
    peers = peers or {}
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
    wanted = KINDS if kind == "all" else (kind,)

    scored: dict[CandidateKind, list[tuple[float, str, str]]] = {k: [] for k in KINDS}
    for node in outside:
        attrs = papers[node]
        year = attrs.get("year")
        paper_kind = candidate_kind(year, since)
        if paper_kind not in wanted:
            continue
        n_cites, n_cited_by = len(cites.get(node, ())), len(cited_by.get(node, ()))
        rec, n_peers = rec_rank.get(node), len(peers.get(node, ()))
        if paper_kind == "new":
            if n_cites + n_cited_by < min_links and rec is None and not n_peers:
                continue
            score = n_cites + _recency(year, year_now)
            if rec is not None:
                score += RECOMMENDATION_WEIGHT * (1 - (rec - 1) / len(recommended))
        else:
            if n_cited_by < max(min_links, 1):
                continue
            score = float(n_cited_by)
        if not list_ids.isdisjoint(paper_ids(attrs).pairs()):
            log.debug("%s shares an identifier with a list paper: not a candidate", node)
            continue
        score += PEER_WEIGHT * n_peers
        if node in near:
            score += SIMILARITY_WEIGHT * near[node][2]
        scored[paper_kind].append((round(score, 6), (attrs.get("title") or node).casefold(), node))
    if not any(scored.values()):
        log.info("no discovery candidates: %s", "; ".join(coverage_notes(G)) or "none pass the filters")

    list_title = _title_matcher(
        t for n in list_nodes for t in (papers[n].get("title"), papers[n].get("s2_title")) if t
    )

    # title matching and rejection are the slow checks: run them in rank order, only until `top`
    candidates: list[Candidate] = []
    for paper_kind in wanted:
        ranked = sorted(scored[paper_kind], key=lambda s: (-s[0], s[1], s[2]))
        kept = 0
        for score, _, node in ranked:
            if top is not None and kept >= top:
                break
            attrs = papers[node]
            title = attrs.get("title") or ""
            if title and list_title(title) is not None:
                log.info("%s has the title of a list paper: not a candidate", node)
                continue
            if is_rejected is not None and is_rejected(
                s2_paper_id=attrs.get("s2_id"), doi=attrs.get("doi"), arxiv_id=attrs.get("arxiv_id"),
                title=title or None,
            ):
                log.info("%s is rejected by the curation file", node)
                continue
            kept += 1
            candidates.append(_candidate(
                node, attrs, score, papers, cites.get(node, []), cited_by.get(node, []),
                near.get(node), rec_rank.get(node), len(recommended), kept, paper_kind,
                tuple(sorted(peers.get(node, ()))),
            ))
    return candidates


def _candidate(
    node: str, attrs: Mapping[str, Any], score: float, papers: Mapping[str, Mapping[str, Any]],
    cites: Sequence[str], cited_by: Sequence[str], near: tuple[float, str, float] | None,
    rec: int | None, n_rec: int, rank: int, kind: CandidateKind, peer_lists: tuple[str, ...],
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
        task_evidence=evidence, rank=rank, kind=kind, peer_lists=peer_lists,
        authors=tuple(attrs.get("authors") or ()),
        why=_why(
            cites_titles, cited_by_titles, near, papers[near[1]].get("title") if near else None,
            rec, n_rec, year, peer_lists,
        ),
    )
