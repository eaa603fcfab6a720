"""Build the knowledge graph from the curated list and what enrichment knows.

The graph follows the contract in ``docs/ARCHITECTURE.md``: a ``networkx.MultiDiGraph`` whose edge
keys are relation names. Building is pure and deterministic: the same inputs give the same nodes,
edges and attributes in the same insertion order, so exports can be byte-identical across runs.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Container, Iterable, Iterator, Mapping
from typing import Any

import networkx as nx

from .errors import IdentifierError
from .identifiers import (
    NodeNames,
    author_node_id,
    canonical_url,
    code_node_id,
    dataset_node_id,
    list_node_id,
    outside_paper_node_id,
    paper_node_id,
    paper_page,
    task_node_id,
    venue_node_id,
)
from .models import (
    PHASES,
    ArxivRecord,
    Enrichment,
    ListDocument,
    ListEntry,
    Paper,
    PaperIds,
    Phase,
    Resolution,
    either,
)
from .venue_names import normalize_venue

__all__ = [
    "build_graph",
    "list_paper_key",
    "count_kinds",
    "list_papers",
    "not_enriched",
    "paper_ids",
    "dataset_names",
    "DatasetMentions",
]

log = logging.getLogger(__name__)

#: node kinds in the order summaries print them
KINDS = ("list", "paper", "dataset", "task", "venue", "code", "author", "outside_paper")


def list_paper_key(entry: ListEntry) -> str:
    """Return the node id of a list paper, from its identifiers (``paper_node_id``).

    A pinned S2 id is among them when the list was parsed with its curation file. The id is
    the key enrichment files its resolution under, and never depends on enrichment, so it is
    stable across refreshes (a DOI found later becomes an attribute, not a new id).
    """
    return paper_node_id(entry.ids, entry.title)


def build_graph(
    document: ListDocument,
    enrichment: Enrichment | None = None,
) -> nx.MultiDiGraph:
    """Return the knowledge graph of a curated list, enriched with what is known.

    Parameters
    ----------
    document : ListDocument
        The parsed and curated list (papers and datasets, in file order; ``parse_list`` applies
        the curation file).
    enrichment : Enrichment, optional
        Semantic Scholar and arXiv records; ``None`` or empty gives the list-only graph.

    Returns
    -------
    G : networkx.MultiDiGraph
        Nodes of kinds list, paper, dataset, task, venue, code, author and outside_paper; edge
        keys ``has_part``, ``has_task``, ``introduces``, ``published_in``, ``has_code``,
        ``authored_by`` and ``cites`` (a → b: a cites b).

    Notes
    -----
    A paper listed under two sections is one node with two tasks; so is a dataset. A dataset is
    *introduced by* a list paper when the dataset's paper link and the paper's link are the same
    page (compared by ``canonical_url``) or carry the same identifier.
    """
    enrichment = enrichment or Enrichment()
    names = NodeNames()  # one graph: no two different names share an id
    G = nx.MultiDiGraph()
    list_id = list_node_id(document.title)
    G.add_node(list_id, kind="list", label=document.title, title=document.title, path=document.path)
    G.graph["list"] = list_id
    for entry in document.papers:
        _add_list_paper(G, names, list_id, entry, document.path)
    for entry in document.datasets:
        _add_dataset(G, names, list_id, entry)
    _link_introduced_datasets(G)
    _add_enrichment(G, names, enrichment)
    _link_dataset_users(G, document)
    return G


def _add_task(G: nx.MultiDiGraph, names: NodeNames, node: str, entry: ListEntry) -> None:
    """``node`` has the entry's task; an entry above every heading (a survey's own paper at
    the top of its list) has none, and no task node with an empty label is made for it."""
    if not entry.task.strip():
        return
    task = names.claim(task_node_id(entry.task), entry.task)
    if task not in G:
        G.add_node(task, kind="task", label=entry.task, name=entry.task, section=entry.section)
    G.add_edge(node, task, key="has_task")


def _tasks(*tasks: str) -> tuple[str, ...]:
    return tuple(sorted({task for task in tasks if task.strip()}))


def _venue(G: nx.MultiDiGraph, names: NodeNames, name: str) -> str:
    node = names.claim(venue_node_id(name), name)
    if node not in G:
        G.add_node(node, kind="venue", label=name, name=name)
    return node


def _merge_tuple(old: Iterable[Any], new: Iterable[Any]) -> tuple[Any, ...]:
    """Union keeping first-seen order, so merged rows read as the list reads."""
    return tuple(dict.fromkeys((*old, *new)))


def _add_list_paper(
    G: nx.MultiDiGraph, names: NodeNames, list_id: str, entry: ListEntry, path: str
) -> None:
    node = list_paper_key(entry)
    venue = entry.venue_name
    if node in G:  # the same paper listed again under another section: one paper, more tasks
        attrs = G.nodes[node]
        attrs["tasks"] = _tasks(*attrs["tasks"], entry.task)
        attrs["lines"] = (*attrs["lines"], entry.line)
        attrs["code_urls"] = _merge_tuple(attrs["code_urls"], entry.code_urls)
    else:
        ids = entry.ids
        G.add_node(
            node, kind="paper", label=entry.title, title=entry.title, url=entry.url,
            arxiv_id=ids.arxiv_id, doi=ids.doi, ieee_id=ids.ieee_id, pii=ids.pii,
            s2_id=ids.s2_paper_id, in_list=True, tasks=_tasks(entry.task), line=entry.line,
            lines=(entry.line,), section=entry.section, venue=venue, year=entry.year,
            list_venue=entry.venue, list_year=entry.year, code_urls=entry.code_urls,
            title_from_list=entry.title_from_list, alias=None, source=None, fetched_at=None,
        )
        G.add_edge(list_id, node, key="has_part")
        if venue:
            G.add_edge(node, _venue(G, names, venue), key="published_in")
    _add_task(G, names, node, entry)
    for url in entry.code_urls:
        try:
            code = code_node_id(url)
        except IdentifierError as exc:
            log.warning("%s:%d: %s; code link left out", path, entry.line, exc)
            continue
        if code not in G:
            G.add_node(code, kind="code", label=code.removeprefix("code:"), url=url)
        G.add_edge(node, code, key="has_code")


def _add_dataset(G: nx.MultiDiGraph, names: NodeNames, list_id: str, entry: ListEntry) -> None:
    name = entry.dataset_name or entry.title
    node = names.claim(dataset_node_id(name), name)
    if node in G:
        attrs = G.nodes[node]
        attrs["tasks"] = _tasks(*attrs["tasks"], entry.task)
        attrs["lines"] = (*attrs["lines"], entry.line)
        attrs["home_urls"] = _merge_tuple(attrs["home_urls"], entry.home_urls)
        attrs["download_urls"] = _merge_tuple(attrs["download_urls"], entry.download_urls)
        attrs["url"] = attrs["url"] or entry.url
    else:
        G.add_node(
            node, kind="dataset", label=name, name=name, url=entry.url,
            home_urls=entry.home_urls, download_urls=entry.download_urls,
            tasks=_tasks(entry.task), lines=(entry.line,), ids=entry.ids,
        )
        G.add_edge(list_id, node, key="has_part")
    _add_task(G, names, node, entry)


def paper_ids(attrs: Mapping[str, Any]) -> PaperIds:
    """Return the identifiers a paper node carries (list or outside paper)."""
    return PaperIds(
        arxiv_id=attrs.get("arxiv_id"), doi=attrs.get("doi"), ieee_id=attrs.get("ieee_id"),
        pii=attrs.get("pii"), s2_paper_id=attrs.get("s2_id"),
    )


def _link_introduced_datasets(G: nx.MultiDiGraph) -> None:
    by_url: dict[str, str] = {}
    by_id: dict[tuple[str, str], str] = {}
    for node, attrs in G.nodes(data=True):
        if attrs["kind"] == "paper":
            if attrs["url"]:
                by_url.setdefault(canonical_url(attrs["url"]), node)
            for key in paper_ids(attrs).pairs():
                by_id.setdefault(key, node)
    for node, attrs in list(G.nodes(data=True)):
        if attrs["kind"] != "dataset" or not attrs["url"]:
            continue
        ids = attrs.pop("ids")
        paper = by_url.get(canonical_url(attrs["url"]))
        if paper is None:
            paper = next((by_id[k] for k in ids.pairs() if k in by_id), None)
        if paper is not None:
            G.add_edge(paper, node, key="introduces")
    for _, attrs in G.nodes(data=True):
        attrs.pop("ids", None)


def _paper_facts(paper: Paper) -> dict[str, Any]:
    """Attributes every enriched paper node carries, list paper or outside paper."""
    return {
        "s2_id": paper.s2_paper_id,
        "s2_title": paper.title,
        "abstract": paper.abstract,
        "tldr": paper.tldr,
        "publication_date": paper.publication_date,
        "citation_count": paper.citation_count,
        "influential_citation_count": paper.influential_citation_count,
        "reference_count": paper.reference_count,
        "fields_of_study": paper.fields_of_study,
        "open_access_pdf": paper.open_access_pdf,
        "embedding": paper.embedding,
        "authors": tuple(a.name for a in paper.authors),
        "source": paper.source,
        "fetched_at": paper.fetched_at,
    }


def _add_authors(G: nx.MultiDiGraph, names: NodeNames, node: str, paper: Paper) -> None:
    for position, author in enumerate(paper.authors):
        if not (author.s2_author_id or "").strip() and not (author.name or "").strip():
            log.warning("S2 paper %s: field authors[%d] has neither an author id nor a name: "
                        "author left out", paper.s2_paper_id, position)
            continue
        author_id = author_node_id(author.s2_author_id, author.name)
        if author_id.startswith("author:name:"):
            author_id = names.claim(author_id, author.name)
        if author_id not in G:
            G.add_node(
                author_id, kind="author", label=author.name, name=author.name,
                s2_author_id=author.s2_author_id,
            )
        if not G.has_edge(node, author_id, key="authored_by"):  # S2 lists some authors twice
            G.add_edge(node, author_id, key="authored_by", position=position)


def _retitle(attrs: dict[str, Any], title: str | None) -> None:
    """Title a list paper the list only names (``SatMAE`` in a model table) from its resolved
    record, the list's name kept as its alias; a title the list gives is never replaced."""
    if title and not attrs["title_from_list"] and attrs["alias"] is None:
        attrs["alias"] = attrs["title"]
        attrs["title"] = attrs["label"] = title


def _enrich_list_paper(attrs: dict[str, Any], paper: Paper) -> None:
    attrs.update(_paper_facts(paper))
    _retitle(attrs, paper.title)
    attrs["doi"] = attrs["doi"] or _lower(paper.external_id("DOI"))
    attrs["arxiv_id"] = attrs["arxiv_id"] or paper.external_id("ArXiv")
    # S2's year is the publication year; the list's "arxiv 2023" may predate the journal version
    attrs["year"] = paper.year or attrs["year"]
    attrs["s2_venue"] = paper.venue or None


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None


def _add_outside_paper(G: nx.MultiDiGraph, names: NodeNames, paper: Paper) -> str:
    node = outside_paper_node_id(paper.s2_paper_id)
    venue = normalize_venue(paper.venue) if paper.venue else None
    G.add_node(
        node, kind="outside_paper", label=paper.title, title=paper.title, in_list=False,
        year=paper.year, venue=venue, url=paper_page("s2_id", paper.s2_paper_id),
        doi=_lower(paper.external_id("DOI")), arxiv_id=paper.external_id("ArXiv"),
        ieee_id=None, pii=None, tasks=(), **_paper_facts(paper),
    )
    if venue:
        G.add_edge(node, _venue(G, names, venue), key="published_in")
    return node


def _add_arxiv(attrs: dict[str, Any], record: ArxivRecord) -> None:
    if attrs["kind"] == "paper":
        _retitle(attrs, record.title)  # Semantic Scholar's title, when it had one, came first
    attrs["arxiv_categories"] = record.categories
    attrs["arxiv_primary_category"] = record.primary_category
    attrs["arxiv_published"] = record.published
    attrs["arxiv_version"] = record.version
    if record.withdrawn:  # set only then: a graph of papers none withdrew has no such attribute
        attrs["arxiv_withdrawn"] = True
    # S2 withholds many abstracts for licensing reasons; arXiv's is the author's own
    attrs["abstract"] = attrs.get("abstract") or record.abstract


def _add_enrichment(G: nx.MultiDiGraph, names: NodeNames, enrichment: Enrichment) -> None:
    papers = {p.s2_paper_id: p for p in enrichment.papers}
    node_of: dict[str, str] = {}  # S2 id → node
    for resolution in enrichment.resolutions:
        node = resolution.entry_key
        if node not in G:
            log.warning("resolution for %s, which is not in the list any more: ignored", node)
            continue
        attrs = G.nodes[node]
        attrs["resolution_method"] = resolution.method
        attrs["resolution_score"] = resolution.score
        if resolution.s2_paper_id is None or resolution.doubtful:
            continue
        node_of[resolution.s2_paper_id] = node
        if (paper := papers.get(resolution.s2_paper_id)) is not None:
            _enrich_list_paper(attrs, paper)
            _add_authors(G, names, node, paper)
        else:
            attrs["s2_id"] = resolution.s2_paper_id
    for s2_id in sorted(papers):
        if s2_id not in node_of:
            try:
                node_of[s2_id] = _add_outside_paper(G, names, papers[s2_id])
            except IdentifierError as exc:
                log.warning("S2 paper %r: field paperId: %s; paper left out of the graph", s2_id, exc)
                continue
            _add_authors(G, names, node_of[s2_id], papers[s2_id])
    succ = G._succ  # the raw adjacency, read as networkx's own algorithms do: 1M citations
    for citation in sorted(enrichment.citations, key=lambda c: (c.citing, c.cited)):
        citing, cited = node_of.get(citation.citing), node_of.get(citation.cited)
        if citing is None or cited is None:
            log.debug("citation %s → %s has an unknown end: skipped", citation.citing, citation.cited)
            continue
        influential = citation.is_influential  # None: not known (a nested citation)
        if (keys := succ[citing].get(cited)) is not None and "cites" in keys:
            # two S2 papers of one node: one edge, with what either citation knows
            influential = either(influential, keys["cites"]["is_influential"])
        G.add_edge(citing, cited, key="cites", is_influential=influential)
    by_arxiv: dict[str, str] = {
        attrs["arxiv_id"]: node for node, attrs in G.nodes(data=True) if attrs.get("arxiv_id")
    }
    for record in enrichment.arxiv:
        if (arxiv_node := by_arxiv.get(record.arxiv_id)) is not None:
            _add_arxiv(G.nodes[arxiv_node], record)
    for rank, s2_id in enumerate(enrichment.recommendations, start=1):
        if (rec_node := node_of.get(s2_id)) is not None and G.nodes[rec_node]["kind"] == "outside_paper":
            G.nodes[rec_node]["recommended_rank"] = rank


#: shorter names ("AID" is three letters) match too many unrelated words
_MIN_NAME_LENGTH = 3


def dataset_names(name: str, aliases: Iterable[str] = ()) -> tuple[str, ...]:
    """Return the spellings under which a dataset is named in abstracts, longest first.

    A name with a parenthesised short form counts under both: ``UC Merced Land-Use(UCM)`` is
    also ``UC Merced Land-Use`` and ``UCM``.

    >>> dataset_names("UC Merced Land-Use(UCM)")
    ('UC Merced Land-Use(UCM)', 'UC Merced Land-Use', 'UCM')
    """
    names = [name, *aliases]
    for spelling in (name, *aliases):
        if m := re.fullmatch(r"\s*(.+?)\s*\(([^()]+)\)\s*", spelling):
            names += [m.group(1), m.group(2)]
    kept = {n.strip() for n in names if len(n.strip()) >= _MIN_NAME_LENGTH}
    return tuple(sorted(kept, key=lambda n: (-len(n), n)))


_WORD = re.compile(r"\w+")


class DatasetMentions:
    """Which listed datasets a text names: ``{dataset node: the spelling found}``.

    Matching is case-sensitive and on whole words (a hyphen or letter next to the name means
    another word), because dataset names are mostly acronyms that also occur inside other words.
    Built once per graph, with each spelling's pattern compiled once: a spelling is only tried
    on a text holding every word of it (its rarest is looked up), so an abstract costs its own
    words, not one search per listed dataset.

    >>> mentions = DatasetMentions({"dataset:rsicd": ("RSICD",), "dataset:ucm": ("UCM",),
    ...                             "dataset:ucm-captions": ("UCM-Captions",)})
    >>> mentions("We train on RSICD and UCM-Captions.")
    {'dataset:rsicd': 'RSICD', 'dataset:ucm-captions': 'UCM-Captions'}
    """

    def __init__(self, names: Mapping[str, tuple[str, ...]]) -> None:
        self._order = {node: i for i, node in enumerate(names)}
        self._spellings: dict[str, list[tuple[frozenset[str], str, re.Pattern[str]]]] = {}
        self._by_word: dict[str, set[str]] = {}
        self._always: set[str] = set()  # a spelling without any word: tried on every text
        words_of = {s: frozenset(_WORD.findall(s)) for spellings in names.values() for s in spellings}
        spread = Counter(word for words in words_of.values() for word in words)
        for node, spellings in names.items():
            for spelling in spellings:
                words = words_of[spelling]
                pattern = re.compile(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])")
                self._spellings.setdefault(node, []).append((words, spelling, pattern))
                if words:  # looked up by its rarest word ("DS12" of "SYNTHETIC-DS12")
                    rarest = min(words, key=lambda w: (spread[w], -len(w), w))
                    self._by_word.setdefault(rarest, set()).add(node)
                else:
                    self._always.add(node)

    def __call__(self, text: str) -> dict[str, str]:
        # the match is bounded by non-word characters, so each word of the spelling is a whole
        # word of the text
        words = set(_WORD.findall(text))
        nodes = set(self._always)
        for word in words & self._by_word.keys():
            nodes |= self._by_word[word]
        found = {}
        for node in sorted(nodes, key=self._order.__getitem__):
            for needed, spelling, pattern in self._spellings[node]:
                if needed <= words and pattern.search(text):
                    found[node] = spelling
                    break
        return found


def _link_dataset_users(G: nx.MultiDiGraph, document: ListDocument) -> None:
    """Add ``uses`` edges from papers whose abstract or TLDR names a listed dataset.

    The list says which paper introduces a dataset but not who uses it; an abstract that names
    the dataset is the evidence the graph has, and the edge keeps it (``evidence``).
    """
    aliases = {e.dataset_name or e.title: e.dataset_aliases for e in document.datasets}
    mentioned = DatasetMentions({
        node: dataset_names(attrs["name"], aliases.get(attrs["name"], ()))
        for node, attrs in G.nodes(data=True) if attrs["kind"] == "dataset"
    })
    for node, attrs in list(G.nodes(data=True)):
        text = " ".join(t for t in (attrs.get("abstract"), attrs.get("tldr")) if t)
        if attrs["kind"] not in {"paper", "outside_paper"} or not text:
            continue
        for dataset, spelling in mentioned(text).items():
            if not G.has_edge(node, dataset, key="introduces"):
                G.add_edge(node, dataset, key="uses", evidence=f"abstract names {spelling}")


def count_kinds(G: nx.MultiDiGraph) -> dict[str, int]:
    """Return the number of nodes of each kind, in a fixed order, kinds absent included as 0."""
    counts = Counter(kind for _, kind in G.nodes(data="kind"))
    return {kind: counts.get(kind, 0) for kind in KINDS}


def list_papers(G: nx.MultiDiGraph) -> list[str]:
    """Return the node ids of the list's papers, in list order."""
    return [n for n, attrs in G.nodes(data=True) if attrs["kind"] == "paper"]


def _resolution_reason(resolution: Resolution) -> str | None:
    """Why a resolution gave no paper to enrich from, or ``None`` if it named one."""
    similarity = (f" (title similarity {resolution.score:.0f})"
                  if resolution.score is not None else "")
    if resolution.doubtful:
        return f"doubtful match{similarity}: pin or reject it in the curation file"
    if resolution.s2_paper_id is None:
        return f"no match on Semantic Scholar{similarity}"
    return None


def not_enriched(G: nx.MultiDiGraph, enrichment: Enrichment) -> list[tuple[str | None, Phase, str]]:
    """Return ``(node, phase, reason)`` for each list paper and phase whose record is not on file.

    ``enrichment.failures`` must name only what is not on file (``Fetched.not_on_file``; an
    offline read fails nothing else): a failed resolve names the entry, metadata, citations and
    references an S2 id, arxiv an arXiv id (three kinds of id that never look alike), each
    mapped to every list paper it belongs to. A
    paper resolved to nothing, or doubtfully, says why under ``resolve``; one with neither is
    "never fetched". The recommendations are the list's, not a paper's: their node is ``None``.
    Rows come in phase order, then list order; a paper once per phase.
    """
    papers = list_papers(G)
    resolutions = {r.entry_key: r for r in enrichment.resolutions}
    by_subject: dict[str, set[str]] = {}
    for node in papers:
        attrs = G.nodes[node]
        # the S2 id asked for is the resolution's; the record's own paperId may differ
        resolved = resolutions[node].s2_paper_id if node in resolutions else None
        for subject in {node, resolved, attrs.get("s2_id"), attrs.get("arxiv_id")} - {None}:
            by_subject.setdefault(subject, set()).add(node)
    reasons: dict[tuple[Phase, str | None], str] = {}
    for failure in enrichment.failures:
        owners: Iterable[str | None] = (
            [None] if failure.phase == "recommendations" else by_subject.get(failure.subject, ()))
        for owner in owners:
            reasons.setdefault((failure.phase, owner), failure.reason)
    for node in papers:
        resolution = resolutions.get(node)
        why = (_resolution_reason(resolution) if resolution is not None
               else "never fetched (no snapshot record)")
        if why is not None:
            reasons.setdefault(("resolve", node), why)
    order = {phase: i for i, phase in enumerate(PHASES)}
    position = {node: i for i, node in enumerate(papers)}
    rows = sorted(reasons.items(),
                  key=lambda kv: (order[kv[0][0]], position.get(kv[0][1] or "", -1)))
    return [(node, phase, reason) for (phase, node), reason in rows]


PAPER_KINDS = frozenset({"paper", "outside_paper"})


def paper_nodes(G: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    """Node id → attributes of every paper, list and outside."""
    return {n: a for n, a in G.nodes(data=True) if a.get("kind") in PAPER_KINDS}


def is_list_paper(attrs: Mapping[str, Any]) -> bool:
    """Whether a node's attributes are those of a paper of the list."""
    return attrs.get("kind") == "paper" and attrs.get("in_list", True)


def citation_pairs(
    G: nx.MultiDiGraph, citing: Iterable[str], cited: Container[str]
) -> Iterator[tuple[str, str]]:
    """Yield each (u, v), u in ``citing`` citing v in ``cited``, once however many parallel edges."""
    succ = G._succ  # the raw adjacency, as networkx's own algorithms read it: views cost more than the loop
    for u in citing:
        for v, keys in succ[u].items():
            if "cites" in keys and v in cited:
                yield u, v


def citing_pairs(G: nx.MultiDiGraph, cited: Iterable[str], citing: Container[str]) -> Iterator[tuple[str, str]]:
    """Yield each (u, v), u in ``citing`` citing v in ``cited``, walking the edges into ``cited``."""
    pred = G._pred
    for v in cited:
        for u, keys in pred[v].items():
            if "cites" in keys and u in citing:
                yield u, v
