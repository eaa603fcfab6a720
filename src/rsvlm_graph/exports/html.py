"""The interactive HTML page of the graph: an explorer that works from disk, safe and quick to open.

Three steps, as for every export: :func:`select_view` picks a readable subgraph (capped to the
most important nodes), :func:`build_page` turns it into HTML text (pure and deterministic),
:func:`write_page` writes it. Positions come from :mod:`.html_layout`; the page's CSS, script and
template are the package files ``page.css``, ``page.js`` and ``page.html``.

Why the page is built the way it is (pyvis 0.3.2, see ``shared/reference/EXPORT-NOTES.md``):

- **Allow-lists, never** ``from_nx``: ``from_nx`` copies every node attribute (embeddings,
  provenance) into the page. The canvas nodes read only :data:`NODE_ATTRIBUTES` and carry only
  :data:`PAGE_NODE_KEYS`; the details panel reads only :data:`DETAIL_ATTRIBUTES`.
- **Text, never markup**: pyvis renders every tooltip as HTML as soon as one node title contains
  "href". No node is given a ``title`` in Python; the page's script builds tooltips and the
  details panel with ``textContent``, and links only to ``http(s)`` addresses.
- **No script break-out**: node data goes through Jinja's ``tojson`` and the explorer's data
  through :func:`_script_json`, both escaping ``<``, ``>`` and ``&``; the template autoescapes.
- **Self-contained, no surgery**: pyvis's own template links Bootstrap and vis-network's CSS
  (220 KB of images for widgets the page does not use); ``page.html`` renders pyvis's network
  data with the vis-network that pyvis bundles, inline, and nothing else. :func:`build_page`
  checks that the page loads nothing from another host.
- **Usable at once**: positions for both layouts are computed here and physics is off.
- **Readable at first sight**: the most important nodes get larger labels; the page opens at a
  zoom where those are at least 11 px, and vis-network draws the others once one zooms in.
"""

from __future__ import annotations

import json
import logging
import math
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..errors import ExportError
from ..files import write_atomic
from ..identifiers import paper_page
from . import html_layout

if TYPE_CHECKING:
    from jinja2 import Template
    from markupsafe import Markup

    from ..discovery import Candidate
    from ..ranking import RankedPaper

__all__ = [
    "select_view",
    "build_page",
    "draw_view",
    "node_pictures",
    "ViewDrawing",
    "write_page",
    "NODE_ATTRIBUTES",
    "DETAIL_ATTRIBUTES",
    "PAGE_NODE_KEYS",
    "KIND_STYLES",
    "VIEW_RELATIONS",
    "VIEW_MAX_NODES",
    "MAJOR_FONT",
    "MINOR_FONT",
]

logger = logging.getLogger(__name__)

#: the graph attributes the canvas nodes read
NODE_ATTRIBUTES = frozenset(
    {
        "kind",
        "label",
        "title",
        "name",
        "year",
        "venue",
        "citation_count",
        "tasks",
        "section",
        "url",
        "arxiv_id",
        "doi",
        "code_urls",
        "home_urls",
        "download_urls",
    }
)

#: the graph attributes the details panel reads besides :data:`NODE_ATTRIBUTES`; embeddings,
#: provenance and everything else never reach the page
DETAIL_ATTRIBUTES = frozenset(
    {"abstract", "tldr", "authors", "influential_citation_count", "s2_id"}
)

#: the keys of every node object in the page's data
PAGE_NODE_KEYS = frozenset(
    {"id", "label", "shape", "color", "size", "x", "y", "kind", "tasks", "name", "tip",
     "font", "tx", "ty", "cit", "major"}
)

#: kind → (legend text, colour, vis-network shape), in legend order
KIND_STYLES: Mapping[str, tuple[str, str, str]] = {
    "paper": ("List paper", "#1f77b4", "dot"),
    "outside_paper": ("Discovery candidate", "#ff7f0e", "dot"),
    "dataset": ("Dataset", "#2ca02c", "square"),
    "task": ("Task", "#9467bd", "diamond"),
    "code": ("Code repository", "#7f7f7f", "triangle"),
}

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
#: label pixels of the most important nodes and of the others (at zoom 1)
MAJOR_FONT = 22.0
MINOR_FONT = 14.0

_VIEW_KINDS = ("paper", "dataset", "task")
_PAPER_KINDS = frozenset({"paper", "outside_paper"})
#: a canvas label: at most this many lines of at most this many characters
_LABEL_LINES = 2
_LINE_CHARS = 22
_SIZE_MAX = 40.0
#: how many nodes besides the tasks get a major label: a tenth, within these bounds
_MAJOR_MIN, _MAJOR_MAX = 5, 25
#: cited papers listed in the details panel are the view's; the abstract is cut at this length
_ABSTRACT_CHARS = 2000
#: screen pixels of the side column (legend, filters, details), right of the graph
_SIDE_WIDTH = 340
#: relations drawn with an arrow (a has-task edge has no reading direction worth showing)
_ARROWS = frozenset({"cites", "introduces", "uses"})
#: how strong each relation is drawn until a node is selected: citations faint
_EDGE_OPACITY = {"cites": 0.35, "introduces": 0.8, "uses": 0.6, "has_task": 0.6, "has_code": 0.6}


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


@dataclass(frozen=True)
class ViewDrawing:
    """The view's nodes as the page draws them: computed once per build and read by the page and
    by the GraphML (:func:`node_pictures`), so both show the same colours, sizes and positions."""

    nodes: Mapping[str, Mapping[str, Any]]  # node → pyvis keyword arguments, positions apart
    clustered: Mapping[str, html_layout.Point]
    timeline: html_layout.Timeline
    tasks: Mapping[str, Sequence[str]]


def draw_view(view: nx.MultiDiGraph, candidates: Sequence[Candidate] = ()) -> ViewDrawing:
    """Style and lay out ``view`` as :func:`build_page` shows it (pure and deterministic)."""
    suggested = {c.node: c for c in candidates if c.node in view}
    attrs = {n: {k: v for k, v in view.nodes[n].items() if k in NODE_ATTRIBUTES}
             for n in sorted(view.nodes)}
    degree = dict(view.degree())
    tasks = {n: _node_tasks(n, a, suggested.get(n)) for n, a in attrs.items()}
    influence = {n: _influence(a, degree[n]) for n, a in attrs.items()}
    major = _major_nodes(attrs, influence)
    page_nodes = {n: _page_node(n, a, tasks[n], influence[n], n in major, view)
                  for n, a in attrs.items()}
    boxes = {n: html_layout.box(d["label"], d["size"], d["font"]["size"])
             for n, d in page_nodes.items()}
    importance = {n: float(influence[n]) + (1e9 if attrs[n].get("kind") == "task" else 0.0)
                  for n in attrs}
    return ViewDrawing(
        nodes=page_nodes,
        clustered=html_layout.clustered(view, boxes, importance, tasks),
        timeline=html_layout.timeline(view, boxes, importance, _bands(tasks)),
        tasks=tasks,
    )


def node_pictures(G: nx.MultiDiGraph, drawing: ViewDrawing) -> dict[str, dict[str, int | float | str]]:
    """Each node's picture for Gephi and Cytoscape: the page's colour of its kind (``color`` as
    ``#rrggbb`` and Gephi's ``r``, ``g``, ``b``), its size and, for the nodes of the page's view,
    the page's clustered position as ``x`` and ``-y`` (Gephi's y axis points up, the page's
    down). Nodes outside the view get the page's size formula over their degree in ``G`` and no
    position: Gephi places those at random, a real layout of the whole graph being a build's
    most expensive step."""
    degree = dict(G.degree())
    pictures: dict[str, dict[str, int | float | str]] = {}
    for node, attrs in G.nodes(data=True):
        drawn = drawing.nodes.get(node)
        colour = drawn["color"] if drawn else _kind_style(attrs.get("kind", ""))[1]
        picture: dict[str, int | float | str] = {
            "color": colour,
            "r": int(colour[1:3], 16), "g": int(colour[3:5], 16), "b": int(colour[5:7], 16),
            "size": drawn["size"] if drawn else _size(_influence(attrs, degree[node])),
        }
        if node in drawing.clustered:
            x, y = drawing.clustered[node]
            picture.update(x=x, y=-y)
        pictures[node] = picture
    return pictures


def build_page(
    view: nx.MultiDiGraph,
    title: str,
    *,
    ranking: Sequence[RankedPaper] = (),
    candidates: Sequence[Candidate] = (),
    drawing: ViewDrawing | None = None,
) -> str:
    """Return the HTML text of an interactive, self-contained page showing ``view``.

    Nodes are coloured and shaped by kind and sized by influence: the Semantic Scholar
    ``citation_count`` when known, else the node's degree in the view, on a logarithmic scale.
    Hovering shows a short text; clicking opens the details panel (links to the paper's pages,
    authors, figures and rank from ``ranking``, tasks, datasets, code, abstract and TLDR, and for
    candidates the evidence and the row from ``candidates``; citing and cited papers) and dims
    everything but the node's neighbours. Filters by edge and node kind, task (a candidate
    counts under its suggested task) and minimum citations; a search box; a switch between the
    clustered layout and the timeline; the state lives in the URL fragment.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        A graph following the contract, usually from :func:`select_view`.
    title : str
        The page heading and ``<title>``; any text (it is escaped).
    ranking : sequence of RankedPaper, default ()
        The list papers' figures and ranks (``rank_papers``).
    candidates : sequence of Candidate, default ()
        The discovery candidates with their evidence and rows (``Loaded.candidates``).
    drawing : ViewDrawing, optional
        ``draw_view(view, candidates)``, when the caller needs it too (the build gives it to
        the GraphML); drawn here when not given.

    Returns
    -------
    str
        The HTML document. The same inputs always give the same text.

    Raises
    ------
    ExportError
        If the page would load something from another host.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task:image-captioning", kind="task", label="Image Captioning")
    >>> page = build_page(G, "Demo <1>")
    >>> "<title>Demo &lt;1&gt;</title>" in page
    True
    """
    # imported here: pyvis pulls in IPython (~1 s), which every other CLI command can do without
    from pyvis.network import Network

    ranked = {r.node: r for r in ranking}
    suggested = {c.node: c for c in candidates if c.node in view}
    drawn = drawing if drawing is not None else draw_view(view, candidates)
    net = Network(directed=True, cdn_resources="in_line")
    for node, data in drawn.nodes.items():
        (x, y), (tx, ty) = drawn.clustered[node], drawn.timeline.positions[node]
        net.add_node(node, **data, x=x, y=y, tx=tx, ty=ty)
    for u, v, rel in sorted(view.edges(keys=True)):
        if rel in VIEW_RELATIONS:
            net.add_edge(u, v, **_page_edge(u, v, rel))
    net.options = _options()
    nodes, edges, _, _, _, options = net.get_network_data()
    explorer = {
        "details": {n: _details(n, view.nodes[n], ranked.get(n), suggested.get(n))
                    for n in sorted(view.nodes)},
        "tasks": sorted({t for node_tasks in drawn.tasks.values() for t in node_tasks}),
        "timeline": {"columns": drawn.timeline.columns, "bands": drawn.timeline.bands},
        "majorFont": MAJOR_FONT,
    }
    page = _template(net.template_dir).render(
        title=title,
        css=_package_text("page.css").replace("__SIDE_WIDTH__", str(_SIDE_WIDTH)),
        nodes=nodes,
        edges=edges,
        options=options,
        explorer=_script_json(explorer),
        script=_package_text("page.js"),
        legend=_legend(view),
        note=_cap_note(view),
    )
    remote = _remote_references(page)
    if remote:
        raise ExportError(f"HTML page: loads {remote[0]!r} from another host; check page.html")
    return page


def write_page(html_text: str, path: Path) -> int:
    """Write the page to ``path`` (UTF-8, parent folders created) and return its size in bytes.

    Raises
    ------
    ExportError
        If the file cannot be written.
    """
    data = html_text.encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the HTML page ({exc}); check the folder") from exc
    logger.info("wrote %s (%d bytes)", path, len(data))
    return len(data)


def _node_tasks(node: str, attrs: Mapping[str, Any], candidate: Candidate | None) -> list[str]:
    """The tasks a node counts under in the task filter: a task itself, a candidate its
    suggested task, anything else its own."""
    if attrs.get("kind") == "task":
        return [str(attrs.get("label") or attrs.get("name") or node)]
    own = sorted(str(t) for t in attrs.get("tasks") or ())
    if candidate is not None and candidate.suggested_task and candidate.suggested_task not in own:
        own.append(candidate.suggested_task)
    return own


def _influence(attrs: Mapping[str, Any], degree: int) -> int:
    citations = attrs.get("citation_count")
    return citations if isinstance(citations, int) else degree


def _major_nodes(attrs: Mapping[str, Mapping[str, Any]], influence: Mapping[str, int]) -> set[str]:
    """Tasks and the most influential tenth of the list's papers and datasets: the nodes
    labelled large. Candidates never are: the page is about the list, and a famous outside
    paper added to the view must not shrink a list paper's label."""
    tasks = {n for n, a in attrs.items() if a.get("kind") == "task"}
    listed = sorted((n for n, a in attrs.items() if a.get("kind") in {"paper", "dataset"}),
                    key=lambda n: (-influence[n], n))
    count = min(_MAJOR_MAX, max(_MAJOR_MIN, math.ceil(len(listed) / 10)))
    return tasks | set(listed[:count])


def _bands(tasks: Mapping[str, Sequence[str]]) -> dict[str, str | None]:
    """Each node's band on the timeline: of its tasks, the one with the most nodes."""
    sizes = Counter(t for node_tasks in tasks.values() for t in node_tasks)
    return {n: min(node_tasks, key=lambda t: (-sizes[t], t)) if node_tasks else None
            for n, node_tasks in tasks.items()}


def _page_node(
    node: str,
    attrs: Mapping[str, Any],
    tasks: Sequence[str],
    influence: int,
    major: bool,
    view: nx.MultiDiGraph,
) -> dict[str, Any]:
    """The pyvis keyword arguments of one node: :data:`PAGE_NODE_KEYS` but ``id`` and the
    positions."""
    kind = attrs.get("kind", "")
    _, colour, shape = _kind_style(kind)
    name = str(attrs.get("title") or attrs.get("name") or attrs.get("label") or node)
    citations = attrs.get("citation_count")
    return {
        "label": _short_label(str(attrs.get("label") or name), kind),
        "shape": shape,
        "color": colour,
        "size": _size(influence),
        "font": {"size": MAJOR_FONT if major else MINOR_FONT},
        "major": major,
        "kind": kind,
        "tasks": list(tasks),
        "name": name,
        "cit": citations if isinstance(citations, int) else None,
        "tip": _tooltip(node, kind, name, attrs, tasks, view),
    }


def _kind_style(kind: str) -> tuple[str, str, str]:
    return KIND_STYLES.get(kind, ("Other", "#bcbd22", "dot"))


def _page_edge(u: str, v: str, rel: str) -> dict[str, Any]:
    text, colour = VIEW_RELATIONS[rel]
    return {
        "id": f"{u}|{rel}|{v}",
        "rel": rel,
        "title": text,
        "color": {"color": colour, "highlight": "#222222", "opacity": _EDGE_OPACITY[rel]},
        "arrows": {"to": {"enabled": rel in _ARROWS, "scaleFactor": 0.5}},
    }


def _options() -> dict[str, Any]:
    """vis-network options; a dict, not ``set_options()``, which strips spaces and breaks later
    option calls."""
    return {
        "autoResize": True,
        "height": "100%",
        "width": "100%",
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True,
                        "multiselect": False},
        "nodes": {
            "font": {"size": MINOR_FONT, "face": "sans-serif"},
            "borderWidth": 1,
            "borderWidthSelected": 4,
            # labels below 7 screen pixels are not drawn: minor labels appear as one zooms in
            "scaling": {"label": {"drawThreshold": 7}},
        },
        "edges": {"smooth": False, "width": 1, "selectionWidth": 2},
    }


def _size(influence: int) -> float:
    """Node radius in pixels: logarithmic, since citation counts span five orders of magnitude
    (0 → 6 px, 100 → about 23 px, 10,000 → the cap of 40 px)."""
    return round(min(_SIZE_MAX, 6 + 2.5 * math.log2(1 + max(influence, 0))), 1)


def _short_label(text: str, kind: str) -> str:
    """A label short enough to read on the canvas: a paper's acronym before ':' when it has one
    ("RSGPT: A Remote Sensing ..." → "RSGPT"), else the text wrapped on :data:`_LABEL_LINES`
    lines of :data:`_LINE_CHARS` characters, cut with "…". Two short lines rather than one
    long one: a label about as wide as it is tall leaves room for its neighbours."""
    text = " ".join(text.split())
    if kind in _PAPER_KINDS:
        head, sep, _ = text.partition(":")
        if sep and 2 <= len(head.strip()) <= _LINE_CHARS * _LABEL_LINES:
            text = head.strip()
    lines = textwrap.wrap(text, width=_LINE_CHARS, max_lines=_LABEL_LINES, placeholder="…")
    return "\n".join(lines)


def _tooltip(
    node: str,
    kind: str,
    name: str,
    attrs: Mapping[str, Any],
    tasks: Sequence[str],
    view: nx.MultiDiGraph,
) -> str:
    """Plain-text tooltip lines (the page shows them with ``textContent``, links as text)."""
    lines = [name]
    if kind in _PAPER_KINDS:
        year_venue = " · ".join(str(x) for x in (attrs.get("year"), attrs.get("venue")) if x)
        if year_venue:
            lines.append(year_venue)
        citations = attrs.get("citation_count")
        lines.append(f"Citations: {citations if citations is not None else 'unknown'}")
        if kind == "outside_paper":
            lines.append("Discovery candidate (not in the list)")
    elif kind == "task":
        counts = Counter(view.nodes[u].get("kind") for u, _, rel in view.in_edges(node, keys=True)
                         if rel == "has_task")
        lines.append(f"Task · {counts['paper']} papers, {counts['dataset']} datasets in view")
        if attrs.get("section"):
            lines.append(f"Section: {attrs['section']}")
    else:
        lines.append(KIND_STYLES.get(kind, ("Other",))[0])
    if tasks and kind != "task":
        lines.append(("Suggested task: " if kind == "outside_paper" else "Tasks: ")
                     + ", ".join(tasks))
    links = _links(attrs)
    if links:
        lines.append("Links:")
        lines.extend(links)
    return "\n".join(lines)


def _links(attrs: Mapping[str, Any]) -> list[str]:
    """The node's links, deduplicated in a fixed order: list link, arXiv, DOI, code, homes,
    downloads."""
    links: list[str] = []
    if attrs.get("url"):
        links.append(str(attrs["url"]))
    links.extend(paper_page(kind, attrs[kind]) for kind in ("arxiv_id", "doi") if attrs.get(kind))
    for key in ("code_urls", "home_urls", "download_urls"):
        links.extend(str(u) for u in attrs.get(key) or ())
    return list(dict.fromkeys(links))


def _web(urls: Iterable[tuple[str, object]]) -> list[list[str]]:
    """``[label, url]`` pairs of the http(s) addresses among ``urls``, first of each kept:
    anything else (``javascript:``, relative paths) is never made a link."""
    seen: set[str] = set()
    found = []
    for label, url in urls:
        text = str(url or "").strip()
        if text.lower().startswith(("https://", "http://")) and text not in seen:
            seen.add(text)
            found.append([label, text])
    return found


def _details(
    node: str, attrs: Mapping[str, Any], ranked: RankedPaper | None, candidate: Candidate | None
) -> dict[str, Any]:
    """What the details panel shows of one node, as JSON-ready values (text only; the page
    writes them with ``textContent``). Empty facts are left out."""
    kind = str(attrs.get("kind", ""))
    pages: list[tuple[str, object]] = []
    if kind in _PAPER_KINDS:
        pages += [(label, paper_page(key, attrs[key])) for key, label in
                  (("s2_id", "Semantic Scholar"), ("arxiv_id", "arXiv"), ("doi", "DOI"))
                  if attrs.get(key)]
        pages.append(("List link" if kind == "paper" else "Page", attrs.get("url")))
    elif kind == "dataset":
        pages.append(("Paper", attrs.get("url")))
        pages += [("Home", u) for u in attrs.get("home_urls") or ()]
        pages += [("Download", u) for u in attrs.get("download_urls") or ()]
    elif kind == "code":
        pages.append(("Repository", attrs.get("url")))
    abstract = str(attrs.get("abstract") or "")
    if len(abstract) > _ABSTRACT_CHARS:
        abstract = abstract[:_ABSTRACT_CHARS].rstrip() + "…"
    facts: dict[str, Any] = {
        "title": str(attrs.get("title") or attrs.get("name") or attrs.get("label") or node),
        "links": _web(pages),
        "code": _web(("Code", u) for u in attrs.get("code_urls") or ()),
        "authors": [str(a) for a in attrs.get("authors") or ()],
        "venue": attrs.get("venue"),
        "year": attrs.get("year"),
        "citations": attrs.get("citation_count"),
        "influential": attrs.get("influential_citation_count"),
        "section": attrs.get("section") if kind == "task" else None,
        "abstract": abstract,
        "tldr": attrs.get("tldr"),
    }
    if ranked is not None:
        facts.update(rank=ranked.rank, in_list=ranked.in_list_citations)
    if candidate is not None:
        facts.update(
            rank=candidate.rank,
            in_list=candidate.cited_by_list,
            candidate_kind=candidate.kind,
            peer_lists=list(candidate.peer_lists),
            why=candidate.why,
            suggested_task=candidate.suggested_task,
            cites_list=list(candidate.cites_list_papers),
            cited_by_list=list(candidate.cited_by_list_papers),
            similarity=None if candidate.similarity is None else round(candidate.similarity, 3),
            recommended_rank=candidate.recommended_rank,
            row=candidate.markdown_row,
        )
    return {k: v for k, v in facts.items() if v not in (None, "", [], ())}


def _legend(view: nx.MultiDiGraph) -> dict[str, list[dict[str, Any]]]:
    """The legend rows (each a filter toggle): node kinds and relations present in the view."""
    counts = Counter(str(kind) for _, kind in view.nodes(data="kind"))
    relations = Counter(rel for _, _, rel in view.edges(keys=True))
    return {
        "kinds": [{"kind": kind, "text": text, "colour": colour, "shape": shape,
                   "count": counts[kind]}
                  for kind, (text, colour, shape) in KIND_STYLES.items() if counts[kind]],
        "relations": [{"rel": rel, "text": text, "colour": colour, "count": relations[rel]}
                      for rel, (text, colour) in VIEW_RELATIONS.items() if relations[rel]],
    }


def _cap_note(view: nx.MultiDiGraph) -> str:
    """What the cap left out of the view and how to widen it; empty when nothing was."""
    left_out: Mapping[str, int] = view.graph.get("left_out") or {}
    if not left_out:
        return ""
    names = {kind: text.lower() + "s" for kind, (text, _, _) in KIND_STYLES.items()}
    parts = ", ".join(f"{count:,} {names.get(kind, kind)}" for kind, count in left_out.items())
    shown = view.number_of_nodes()
    wider = max(2 * shown, 1000)
    return (f"Showing the {shown:,} most important nodes (citations, else links); left out: "
            f"{parts}. Widen with: rsvlm-graph build --html-max-nodes {wider} "
            "(a larger page opens more slowly).")


@cache
def _template(pyvis_templates: str) -> Template:
    """``page.html``, able to include the vis-network that pyvis bundles."""
    from jinja2 import ChoiceLoader, Environment, FileSystemLoader

    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(Path(__file__).parent)),
                             FileSystemLoader(pyvis_templates)]),
        autoescape=True,
        keep_trailing_newline=True,
    )
    return env.get_template("page.html")


@cache
def _package_text(name: str) -> Markup:
    """A file of this package as markup that the template inserts as written."""
    from markupsafe import Markup

    return Markup(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _script_json(value: object) -> Markup:
    """JSON that is safe inside an inline ``<script>``: no ``</script>``, ``<!--`` or ``]]>``
    can appear, because ``<``, ``>`` and ``&`` are written as ``\\u`` escapes."""
    from markupsafe import Markup

    text = json.dumps(value, sort_keys=True, ensure_ascii=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


class _RemoteFinder(HTMLParser):
    """Collects ``src``/``href`` attributes pointing at another host (scripts are raw text to
    the parser, so URLs inside the data do not count)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value and value.lstrip().lower().startswith(
                    ("http:", "https:", "//")):
                self.found.append(value)


def _remote_references(page: str) -> list[str]:
    finder = _RemoteFinder()
    finder.feed(page)
    finder.close()
    return finder.found
