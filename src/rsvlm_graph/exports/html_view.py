"""The page's view of the graph: the readable subgraph the HTML page (and the GraphML's picture)
shows, capped to the most important nodes so that a 10,000-row list still opens in a second."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence

import networkx as nx

from ..errors import ExportError

__all__ = ["select_view", "VIEW_RELATIONS", "VIEW_MAX_NODES"]

logger = logging.getLogger(__name__)

#: relation → (legend text, colour) of the edges the view keeps
VIEW_RELATIONS: Mapping[str, tuple[str, str]] = {
    "cites": ("cites", "#8c8c8c"),
    "introduces": ("introduces dataset", "#2ca02c"),
    "uses": ("uses dataset", "#98df8a"),
    "has_task": ("has task", "#c5b0d5"),
    "has_code": ("has code", "#c7c7c7"),
}

#: nodes in the default view: a page of a 10,000-row list stays light and opens in a second
VIEW_MAX_NODES = 300

_VIEW_KINDS = ("paper", "dataset", "task")


def select_view(
    G: nx.MultiDiGraph,
    candidates: Sequence[str] = (),
    max_candidates: int = 30,
    *,
    include_code: bool = False,
    max_nodes: int | None = VIEW_MAX_NODES,
) -> nx.MultiDiGraph:
    """Return the default view of the graph: the list's content and the top discovery candidates,
    capped to the ``max_nodes`` most important.

    The whole graph holds thousands of outside papers, authors and venues; a page of all of them
    is unreadable. The view keeps the list papers, datasets and tasks (and code repositories when
    asked), plus the first ``max_candidates`` of ``candidates`` (outside papers ranked by the
    caller, e.g. by discovery), and the edges among them of the relations in
    :data:`VIEW_RELATIONS`. Above ``max_nodes``, tasks are kept first, then the candidates, then
    list papers and datasets in proportion to their numbers, each kind by influence (citations,
    else links); ``view.graph["left_out"]`` counts what was left out by kind.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The graph of ``docs/ARCHITECTURE.md``.
    candidates : sequence of str, default ()
        Node ids, best first. Repeated ids count once.
    max_candidates : int, default 30
        How many of ``candidates`` to keep.
    include_code : bool, default False
        Also keep code repositories and the ``has_code`` edges.
    max_nodes : int or None, default :data:`VIEW_MAX_NODES`
        The cap on the view's nodes; ``None`` keeps everything.

    Returns
    -------
    networkx.MultiDiGraph
        A new graph (attributes copied) with nodes and edges inserted in sorted order;
        ``graph["left_out"]`` maps kind → nodes left out by the cap (empty when none).

    Raises
    ------
    ExportError
        If a candidate is not a node of ``G``.
    ValueError
        If ``max_candidates`` or ``max_nodes`` is negative.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arxiv:2305.05726", kind="paper", label="RemoteCLIP")
    >>> G.add_node("paper:s2:" + "a" * 40, kind="outside_paper", label="CLIP")
    >>> G.add_node("paper:s2:" + "b" * 40, kind="outside_paper", label="ViT")
    >>> G.add_edge("paper:arxiv:2305.05726", "paper:s2:" + "a" * 40, key="cites")
    'cites'
    >>> view = select_view(G, ["paper:s2:" + "a" * 40], max_candidates=1)
    >>> sorted(view.nodes) == ["paper:arxiv:2305.05726", "paper:s2:" + "a" * 40]
    True
    >>> view.number_of_edges(), select_view(G, max_nodes=0).graph["left_out"]
    (1, {'paper': 1})
    """
    if max_candidates < 0:
        raise ValueError(f"max_candidates must be >= 0, got {max_candidates}")
    if max_nodes is not None and max_nodes < 0:
        raise ValueError(f"max_nodes must be >= 0, got {max_nodes}")
    kinds = set(_VIEW_KINDS) | ({"code"} if include_code else set())
    relations = set(VIEW_RELATIONS) - (set() if include_code else {"has_code"})
    keep = {n for n, kind in G.nodes(data="kind") if kind in kinds}
    chosen = list(dict.fromkeys(candidates))[:max_candidates]
    for node in chosen:
        if node not in G:
            raise ExportError(
                f"HTML view: candidate {node!r} is not a node of the graph; "
                "pass candidate ids computed from this same graph"
            )
    keep.update(chosen)
    left_out: dict[str, int] = {}
    if max_nodes is not None and len(keep) > max_nodes:
        kept = _most_important(G, keep, chosen, relations, max_nodes)
        left_out = dict(sorted(Counter(str(G.nodes[n].get("kind")) for n in keep - kept).items()))
        keep = kept

    view = nx.MultiDiGraph(left_out=left_out)
    view.add_nodes_from((n, dict(G.nodes[n])) for n in sorted(keep))
    edges = sorted(
        (u, v, rel, dict(attrs))
        for u, v, rel, attrs in G.edges(keys=True, data=True)
        if rel in relations and u in keep and v in keep
    )
    view.add_edges_from(edges)
    logger.debug("HTML view: %d nodes, %d edges, left out %s",
                 view.number_of_nodes(), view.number_of_edges(), left_out)
    return view


def _most_important(
    G: nx.MultiDiGraph, keep: set[str], chosen: Sequence[str], relations: set[str], cap: int
) -> set[str]:
    """The ``cap`` nodes of ``keep`` that the view keeps: tasks, candidates (in the caller's
    order), then each other kind's share of the room, most influential first. O(E + n log n)."""
    links: Counter[str] = Counter()
    for u, v, rel in G.edges(keys=True):
        if rel in relations and u in keep and v in keep:
            links[u] += 1
            links[v] += 1

    def influence(node: str) -> tuple[int, int, str]:
        citations = G.nodes[node].get("citation_count")
        return (-(citations if isinstance(citations, int) else -1), -links[node], node)

    by_kind: dict[str, list[str]] = {}
    for node in keep:
        by_kind.setdefault(str(G.nodes[node].get("kind")), []).append(node)
    tasks = sorted(by_kind.pop("task", []), key=lambda n: (-links[n], n))
    kept = tasks[:cap]
    outside = set(by_kind.pop("outside_paper", []))
    kept += [n for n in chosen if n in outside][: cap - len(kept)]
    room = cap - len(kept)
    rest = {kind: sorted(nodes, key=influence) for kind, nodes in sorted(by_kind.items())}
    total = sum(len(nodes) for nodes in rest.values())
    for nodes in rest.values():
        kept += nodes[: room * len(nodes) // total] if total else []
    leftovers = sorted((n for nodes in rest.values() for n in nodes if n not in set(kept)),
                       key=influence)
    kept += leftovers[: cap - len(kept)]
    return set(kept)
