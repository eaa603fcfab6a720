"""The interactive HTML page of the graph: a pyvis network, self-contained, safe and quick to open.

Three steps, as for every export: :func:`select_view` picks a readable subgraph, :func:`build_page`
turns it into HTML text (pure and deterministic), :func:`write_page` writes it.

Why the page is built the way it is (pyvis 0.3.2, see ``shared/reference/EXPORT-NOTES.md``):

- **Allow-list, never** ``from_nx``: ``from_nx`` copies every node attribute (abstracts,
  embeddings, provenance) into the page. Only the attributes in :data:`NODE_ATTRIBUTES` are read,
  and only the keys in :data:`PAGE_NODE_KEYS` are written.
- **Tooltips as text**: pyvis renders every tooltip as HTML (``innerHTML``) as soon as one node
  title contains "href". No node is given a ``title`` in Python; the page's own script sets each
  tooltip to a ``<div>`` filled with ``textContent``, so titles from the network never run.
- **No script break-out**: pyvis embeds the node data with Jinja's ``tojson`` (which escapes
  ``<``, ``>``, ``&``); the page's own JSON goes through :func:`_script_json`, which does the same.
  ``heading`` is raw HTML in pyvis, so it stays empty and the title is written escaped here.
- **Self-contained**: ``cdn_resources="in_line"`` inlines vis-network, but the template still
  links Bootstrap from a CDN; those tags are removed and a little CSS replaces them. The page
  makes no request to any other host, which :func:`build_page` checks before returning.
- **Usable at once**: positions come from a networkx spring layout with a fixed seed and physics
  is off; with physics on, 2,500 nodes froze Chromium for ~100 s.
- **Readable at first sight**: vis-network first fits the whole graph into the window, so the
  layout decides how large the labels are. Each component's layout is scaled by its edges (not
  its bounding box, which a few far-flung nodes inflate), labels are wrapped on two short lines,
  node-and-label boxes are pushed apart until none overlap, and components are packed to the
  window's shape; the legend sits in a column of its own rather than over the graph.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import ExportError
from ..files import write_atomic
from ..identifiers import paper_page

__all__ = [
    "select_view",
    "build_page",
    "write_page",
    "NODE_ATTRIBUTES",
    "PAGE_NODE_KEYS",
    "KIND_STYLES",
    "VIEW_RELATIONS",
    "LAYOUT_SEED",
]

logger = logging.getLogger(__name__)

#: the only graph attributes the page reads; anything else (abstract, authors, embedding,
#: provenance) never reaches the HTML
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

#: the keys of every node object in the page's data
PAGE_NODE_KEYS = frozenset(
    {"id", "label", "shape", "color", "size", "x", "y", "kind", "tasks", "name", "tip"}
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

#: seed of the spring layout: the same graph always gets the same picture (and bytes)
LAYOUT_SEED = 42

_VIEW_KINDS = ("paper", "dataset", "task")
_PAPER_KINDS = frozenset({"paper", "outside_paper"})
#: a canvas label: at most this many lines of at most this many characters
_LABEL_LINES = 2
_LINE_CHARS = 22
_SIZE_MAX = 40.0
# Spring layout costs O(n²) per iteration: full quality up to 500 nodes, then fewer iterations
# so that a 2,500-node view is laid out in seconds rather than a quarter of a minute.
_LAYOUT_ITERATIONS = 50
_LAYOUT_BUDGET = _LAYOUT_ITERATIONS * 500
_LAYOUT_MIN_ITERATIONS = 10
#: canvas pixels: the median edge length of a component before its labels are pushed apart,
#: and the gap between packed components
_EDGE_LENGTH = 60.0
_GAP = 40.0
#: how much wider than tall a component's spring layout is drawn: labels are wider than tall
_STRETCH = 1.4
#: width / height of the packed components: about the graph's part of a landscape window
_ASPECT = 1.5
#: screen pixels of the legend's column, right of the graph: an overlay would hide nodes
_LEGEND_WIDTH = 220
# How vis-network draws a label (14 px sans-serif below the shape): the estimated width of a
# character (DejaVu Sans, Chromium's sans-serif on Debian, averages 7.6 px), a line's height,
# the gap between shape and label, and the margin kept around every node-and-label box.
_CHAR_WIDTH = 7.6
_LINE_HEIGHT = 17.0
_LABEL_GAP = 5.0
_BOX_MARGIN = 7.0
#: rounds of overlap removal; the share of each push applied per round (below 1 so that a box
#: pushed by several neighbours at once does not overshoot); the most a pair's distance may
#: grow in one round (two nearly coincident centres would otherwise fly apart)
_SEPARATION_ROUNDS = 100
_SEPARATION_STEP = 0.8
_SEPARATION_GROWTH_MAX = 3.0
#: row widths tried when packing components
_PACKING_TRIALS = 40
_REMOTE_TAG = re.compile(
    r"<link\b[^>]*?\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>"
    r"|<script\b[^>]*?\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>",
    re.IGNORECASE,
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*")


def select_view(
    G: nx.MultiDiGraph,
    candidates: Sequence[str] = (),
    max_candidates: int = 30,
    *,
    include_code: bool = False,
) -> nx.MultiDiGraph:
    """Return the default view of the graph: the list's content and the top discovery candidates.

    The whole graph holds thousands of outside papers, authors and venues; a page of all of them
    is unreadable. The view keeps the list papers, datasets and tasks (and code repositories when
    asked), plus the first ``max_candidates`` of ``candidates`` (outside papers ranked by the
    caller, e.g. by the analysis module), and the edges among them of the relations in
    :data:`VIEW_RELATIONS`.

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

    Returns
    -------
    networkx.MultiDiGraph
        A new graph (attributes copied) with nodes and edges inserted in sorted order.

    Raises
    ------
    ExportError
        If a candidate is not a node of ``G``.
    ValueError
        If ``max_candidates`` is negative.

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
    >>> view.number_of_edges()
    1
    """
    if max_candidates < 0:
        raise ValueError(f"max_candidates must be >= 0, got {max_candidates}")
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

    view = nx.MultiDiGraph()
    view.add_nodes_from((n, dict(G.nodes[n])) for n in sorted(keep))
    edges = sorted(
        (u, v, rel, dict(attrs))
        for u, v, rel, attrs in G.edges(keys=True, data=True)
        if rel in relations and u in keep and v in keep
    )
    view.add_edges_from(edges)
    logger.debug("HTML view: %d nodes, %d edges", view.number_of_nodes(), view.number_of_edges())
    return view


def build_page(view: nx.MultiDiGraph, title: str) -> str:
    """Return the HTML text of an interactive, self-contained page showing ``view``.

    Nodes are coloured and shaped by kind (see the page's legend) and sized by influence: the
    Semantic Scholar ``citation_count`` when known, else the node's degree in the view (tasks and
    datasets, and papers not enriched), on a logarithmic scale. Hovering a node shows its title,
    year, venue, citations, tasks and links as plain text. A dropdown shows only the nodes of one
    task, and a search box selects the nodes whose title contains the text typed.

    Parameters
    ----------
    view : networkx.MultiDiGraph
        A graph following the contract, usually from :func:`select_view`.
    title : str
        The page heading and ``<title>``; any text (it is escaped).

    Returns
    -------
    str
        The HTML document. The same graph and title always give the same text.

    Raises
    ------
    ExportError
        If the pyvis template changed so that the page would load something from another host
        or could not be completed.

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

    degree = dict(view.degree())
    page_nodes = {
        node: _page_node(
            node,
            {k: v for k, v in view.nodes[node].items() if k in NODE_ATTRIBUTES},
            degree[node],
            view,
        )
        for node in sorted(view.nodes)
    }
    positions = _layout(view, {n: _box(d["label"], d["size"]) for n, d in page_nodes.items()})
    net = Network(
        height="calc(100vh - 64px)",
        width=f"calc(100% - {_LEGEND_WIDTH}px)",
        directed=True,
        heading="",
        cdn_resources="in_line",
    )
    for node, data in page_nodes.items():
        x, y = positions[node]
        net.add_node(node, **data, x=x, y=y)
    for u, v, rel in sorted(view.edges(keys=True)):
        if rel not in VIEW_RELATIONS:
            continue
        net.add_edge(
            u,
            v,
            id=f"{u}|{rel}|{v}",
            title=VIEW_RELATIONS[rel][0],
            color=VIEW_RELATIONS[rel][1],
        )
    # a dict, not set_options(): set_options strips spaces and breaks later option calls
    net.options = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        "nodes": {
            "font": {"size": 14, "face": "sans-serif"},
            "borderWidth": 1,
            "borderWidthSelected": 4,
        },
        "edges": {
            "smooth": False,
            "width": 1,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
        },
    }
    page = net.generate_html(notebook=False)
    return _finish_page(page, view, title)


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


def _layout(
    view: nx.MultiDiGraph, boxes: Mapping[str, tuple[float, float, float]]
) -> dict[str, tuple[float, float]]:
    """Positions in canvas pixels: each connected component laid out on its own, its labels
    pushed apart, then the components packed in rows as wide as the screen, largest first.

    ``boxes`` maps each node to the half-width, half-height and downward offset of the box
    that its shape and label cover (see :func:`_box`). One spring layout of the whole view
    pushes unconnected nodes (candidates cited by nothing else in the view) to the rim and
    squeezes the connected core into a speck. Coordinates are rounded so that float noise
    cannot leak into the bytes of the page.
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(view.nodes))
    simple.add_edges_from(sorted((u, v) for u, v in view.edges() if u != v))
    components = sorted(
        (sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c[0])
    )
    laid_out = [_component_layout(_sorted_subgraph(simple, c), boxes) for c in components]
    return _pack(laid_out, boxes)


def _sorted_subgraph(G: nx.Graph, nodes: Sequence[str]) -> nx.Graph:
    """A copy of ``G`` restricted to ``nodes``, inserted in sorted order.

    Not ``G.subgraph``: a subgraph view may iterate its nodes in set order, which changes with
    ``PYTHONHASHSEED``, and the spring layout depends on node order.
    """
    sub = nx.Graph()
    sub.add_nodes_from(sorted(nodes))
    sub.add_edges_from(sorted(tuple(sorted(e)) for e in G.edges(nodes)))
    return sub


def _component_layout(
    component: nx.Graph, boxes: Mapping[str, tuple[float, float, float]]
) -> dict[str, tuple[float, float]]:
    """Spring layout of one connected component with edges about :data:`_EDGE_LENGTH` pixels
    long, then its node-and-label boxes pushed apart."""
    n = component.number_of_nodes()
    if n == 1:
        return {next(iter(component)): (0.0, 0.0)}
    iterations = max(_LAYOUT_MIN_ITERATIONS, min(_LAYOUT_ITERATIONS, _LAYOUT_BUDGET // n))
    pos = nx.spring_layout(component, seed=LAYOUT_SEED, iterations=iterations)
    # scale by the edges, not the bounding box: a few far-flung nodes would otherwise shrink
    # a dense cluster (the biggest task's star) to a ball of overlapping labels
    lengths = sorted(math.dist(pos[u], pos[v]) for u, v in component.edges())
    median = lengths[len(lengths) // 2] or 1.0
    nodes = list(component)
    # wider than tall, as the labels are: fewer boxes overlap, and fewer pushes distort the shape
    unit = _EDGE_LENGTH / median
    xy = [(float(pos[v][0]) * unit * _STRETCH, float(pos[v][1]) * unit) for v in nodes]
    return dict(zip(nodes, _separate(xy, [boxes[v] for v in nodes])))


def _separate(
    xy: Sequence[tuple[float, float]], boxes: Sequence[tuple[float, float, float]]
) -> list[tuple[float, float]]:
    """Move the nodes apart until their boxes (shape and label) no longer overlap.

    Each round, every overlapping pair is pushed apart along the line between its centres,
    half each way, just far enough to clear, until no pair overlaps or
    :data:`_SEPARATION_ROUNDS` is reached. Candidate pairs come from a sweep along x, so a
    round costs about ``n log n`` plus the pairs near each other, not ``n²``.
    """
    import numpy as np

    pos = np.array(xy, dtype=float).reshape(-1, 2)
    half = np.array([(w, h) for w, h, _ in boxes], dtype=float).reshape(-1, 2)
    offset = np.array([d for _, _, d in boxes], dtype=float)
    pos[:, 1] += offset  # work on box centres; shapes sit above their labels
    n = len(pos)
    reach = 2 * half[:, 0].max() if n else 0.0
    for _ in range(_SEPARATION_ROUNDS):
        order = np.argsort(pos[:, 0], kind="stable")
        xs = pos[order, 0]
        ends = np.searchsorted(xs, xs + reach, side="left")
        counts = np.maximum(ends - np.arange(1, n + 1), 0)
        total = int(counts.sum())
        if total == 0:
            break
        first = np.repeat(np.arange(n), counts)
        steps = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        a, b = order[first], order[first + 1 + steps]
        delta = pos[b] - pos[a]
        overlap = half[a] + half[b] - np.abs(delta)
        hit = (overlap[:, 0] > 0) & (overlap[:, 1] > 0)
        if not hit.any():
            break
        a, b, delta, overlap = a[hit], b[hit], delta[hit], overlap[hit]
        # push along the line between the centres, just far enough: neighbours keep their
        # bearings, so a star grows into a wider ring instead of a column
        with np.errstate(divide="ignore"):  # a zero offset on one axis: clear on the other
            growth = np.min((half[a] + half[b]) / np.abs(delta), axis=1)
        push = delta * ((np.minimum(growth, _SEPARATION_GROWTH_MAX) - 1) / 2)[:, None]
        # (nearly) coincident centres have no line: b, later in the sweep, goes down
        stuck = np.abs(delta).max(axis=1) < 1.0
        push[stuck] = np.column_stack([np.zeros(stuck.sum()), overlap[stuck, 1] / 2])
        moves = np.zeros_like(pos)
        np.add.at(moves, b, push)
        np.add.at(moves, a, -push)
        pos += moves * _SEPARATION_STEP
    pos[:, 1] -= offset
    return [(float(x), float(y)) for x, y in pos]


def _pack(
    laid_out: Sequence[Mapping[str, tuple[float, float]]],
    boxes: Mapping[str, tuple[float, float, float]],
) -> dict[str, tuple[float, float]]:
    """Place the laid-out components in rows, left to right, largest first.

    The row width is the one, among a few tried, whose packing needs the least zoom-out to fit
    a window of shape :data:`_ASPECT`: vis-network fits the whole graph into the window at
    first, so the tighter the packing the larger every label on the first view.
    """
    extents = []
    for pos in laid_out:
        left = min(x - boxes[v][0] for v, (x, _) in pos.items())
        right = max(x + boxes[v][0] for v, (x, _) in pos.items())
        top = min(y + boxes[v][2] - boxes[v][1] for v, (_, y) in pos.items())
        bottom = max(y + boxes[v][2] + boxes[v][1] for v, (_, y) in pos.items())
        extents.append((left, top, right - left, bottom - top))
    sizes = [(w, h) for _, _, w, h in extents]
    widest = max((w for w, _ in sizes), default=0.0)
    longest = sum(w + _GAP for w, _ in sizes)
    trials = [widest + (longest - widest) * (i / _PACKING_TRIALS) ** 2
              for i in range(_PACKING_TRIALS + 1)]
    row_width = min(trials, key=lambda width: _zoom_out(_rows(sizes, width)[1]))
    corners, _ = _rows(sizes, row_width)
    positions: dict[str, tuple[float, float]] = {}
    for pos, (left, top, _, _), (x, y) in zip(laid_out, extents, corners):
        for node, (px, py) in pos.items():
            positions[node] = (round(x + px - left, 1), round(y + py - top, 1))
    return positions


def _rows(
    sizes: Sequence[tuple[float, float]], row_width: float
) -> tuple[list[tuple[float, float]], tuple[float, float]]:
    """Top-left corners of boxes of ``sizes`` packed in rows no wider than ``row_width``, and
    the width and height of the whole.

    A row opens with one box at the left; the boxes after it fill the room to its right in
    sub-rows, as long as they stay within the row's height (only the first sub-row may make the
    row taller). Without sub-rows, one tall component next to many small ones leaves most of
    the picture empty.
    """
    corners: list[tuple[float, float]] = []
    right = top = 0.0
    i = 0
    while i < len(sizes):
        width, row_height = sizes[i]
        corners.append((0.0, top))
        right = max(right, width)
        left, sub_top, first_sub = width + _GAP, top, True
        i += 1
        while i < len(sizes) and left + sizes[i][0] <= row_width:
            x, sub_height = left, 0.0
            while (
                i < len(sizes)
                and x + sizes[i][0] <= row_width
                and (first_sub or sub_top + sizes[i][1] <= top + row_height)
            ):
                corners.append((x, sub_top))
                right = max(right, x + sizes[i][0])
                x += sizes[i][0] + _GAP
                sub_height = max(sub_height, sizes[i][1])
                i += 1
            if sub_height == 0.0:  # the next box is too tall for what is left of the row
                break
            if first_sub:
                row_height = max(row_height, sub_height)
            sub_top += sub_height + _GAP
            first_sub = False
        top += row_height + _GAP
    return corners, (right, max(top - _GAP, 0.0))


def _zoom_out(extent: tuple[float, float]) -> float:
    """How many canvas pixels one screen pixel shows when ``extent`` is fitted to the window."""
    width, height = extent
    return max(width / _ASPECT, height)


def _box(label: str, size: float) -> tuple[float, float, float]:
    """Half-width, half-height and downward offset from the node of the box that a node's shape
    and its label (drawn below it) cover, with :data:`_BOX_MARGIN` around."""
    lines = label.split("\n")
    half_width = max(size, max(len(line) for line in lines) * _CHAR_WIDTH / 2) + _BOX_MARGIN
    height = 2 * size + _LABEL_GAP + len(lines) * _LINE_HEIGHT
    return half_width, height / 2 + _BOX_MARGIN, height / 2 - size


def _page_node(
    node: str,
    attrs: Mapping[str, Any],
    degree: int,
    view: nx.MultiDiGraph,
) -> dict[str, Any]:
    """The pyvis keyword arguments of one node: :data:`PAGE_NODE_KEYS` but ``id``, ``x``, ``y``."""
    kind = attrs.get("kind", "")
    _, colour, shape = KIND_STYLES.get(kind, ("Other", "#bcbd22", "dot"))
    name = str(attrs.get("title") or attrs.get("name") or attrs.get("label") or node)
    citations = attrs.get("citation_count")
    influence = citations if isinstance(citations, int) else degree
    if kind == "task":
        tasks = [str(attrs.get("label") or name)]
    else:
        tasks = sorted(str(t) for t in attrs.get("tasks") or ())
    return {
        "label": _short_label(str(attrs.get("label") or name), kind),
        "shape": shape,
        "color": colour,
        "size": _size(influence),
        "kind": kind,
        "tasks": tasks,
        "name": name,
        "tip": _tooltip(node, kind, name, attrs, tasks, view),
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
        lines.append("Tasks: " + ", ".join(tasks))
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


def _finish_page(page: str, view: nx.MultiDiGraph, title: str) -> str:
    """Make pyvis's output self-contained and add the title, legend, filter, search and the
    script that sets text tooltips."""
    page = _REMOTE_TAG.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    head_anchor = '<meta charset="utf-8">'
    anchors = (head_anchor, "</head>", "<body>", "</body>")
    if any(page.count(anchor) != 1 for anchor in anchors):
        raise ExportError(
            "HTML page: the pyvis template no longer has the expected <head>/<body> layout; "
            "check the installed pyvis version (0.3.x expected)"
        )
    page = page.replace(head_anchor, f"{head_anchor}\n<title>{html.escape(title)}</title>", 1)
    # last in <head>, so that it overrides vis-network's own CSS
    css = _CSS.replace("__LEGEND_WIDTH__", str(_LEGEND_WIDTH))
    page = page.replace("</head>", f"<style>{css}</style>\n</head>", 1)
    page = page.replace("<body>", "<body>\n" + _controls(view, title), 1)
    tasks = {label for _, kind, label in _kind_labels(view) if kind == "task"}
    for _, node_tasks in view.nodes(data="tasks"):
        tasks.update(str(t) for t in node_tasks or ())
    script = _SCRIPT.replace("__CONFIG__", _script_json({"tasks": sorted(tasks)}))
    cut = page.index("</body>")
    page = "<!DOCTYPE html>\n" + page[:cut] + f"<script>{script}</script>\n" + page[cut:]
    remote = _remote_references(page)
    if remote:
        raise ExportError(
            f"HTML page: still loads {remote[0]!r} from another host; the pyvis template "
            "changed: extend _REMOTE_TAG in export_html.py"
        )
    return page


def _kind_labels(view: nx.MultiDiGraph) -> list[tuple[str, str, str]]:
    """``(node, kind, label)`` of every node."""
    return [(n, str(d.get("kind", "")), str(d.get("label") or n)) for n, d in view.nodes(data=True)]


def _controls(view: nx.MultiDiGraph, title: str) -> str:
    """The header (title, task filter, search box) and the legend, as escaped HTML."""
    counts = Counter(kind for _, kind, _ in _kind_labels(view))
    rows = []
    for kind, (text, colour, shape) in KIND_STYLES.items():
        if counts[kind]:
            rows.append(
                f'<li><span class="swatch {shape}" style="background:{colour}"></span>'
                f"{html.escape(text)} ({counts[kind]})</li>"
            )
    relations = {rel for _, _, rel in view.edges(keys=True)}
    for rel, (text, colour) in VIEW_RELATIONS.items():
        if rel in relations:
            swatch = f'<span class="line" style="background:{colour}"></span>'
            rows.append(f"<li>{swatch}{html.escape(text)}</li>")
    return (
        '<header id="rsvlm-header">'
        f"<h1>{html.escape(title)}</h1>"
        '<label>Task <select id="task-filter"><option value="">All tasks</option></select></label>'
        '<label>Search <input id="title-search" type="search" placeholder="title contains…"'
        ' autocomplete="off"></label>'
        '<span id="search-status" aria-live="polite"></span>'
        "</header>\n"
        '<aside id="legend"><strong>Legend</strong><ul>'
        + "".join(rows)
        + "</ul><small>Size: citations (Semantic Scholar),<br>else links in this view</small>"
        "</aside>\n"
    )


def _script_json(value: object) -> str:
    """JSON that is safe inside an inline ``<script>``: no ``</script>``, ``<!--`` or ``]]>``
    can appear, because ``<``, ``>`` and ``&`` are written as ``\\u`` escapes."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _RemoteFinder(HTMLParser):
    """Collects ``src``/``href`` attributes pointing at another host (scripts are raw text to
    the parser, so URLs inside the data do not count)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value and re.match(r"\s*(https?:)?//", value, re.I):
                self.found.append(value)


def _remote_references(page: str) -> list[str]:
    finder = _RemoteFinder()
    finder.feed(page)
    finder.close()
    return finder.found


_CSS = """
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; }
#rsvlm-header { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1.25rem;
  min-height: 60px; box-sizing: border-box; padding: 0.4rem 1rem; border-bottom: 1px solid #ddd;
  background: #fafafa; }
#rsvlm-header h1 { font-size: 1.15rem; margin: 0; font-weight: 600; }
#rsvlm-header label { font-size: 0.9rem; }
#rsvlm-header select, #rsvlm-header input { font: inherit; padding: 0.15rem 0.3rem; }
#rsvlm-header input { width: 16rem; }
#search-status { font-size: 0.85rem; color: #555; }
.card { position: relative; }
#mynetwork { box-sizing: border-box; float: none !important; border: none !important; }
#legend { position: fixed; top: 60px; right: 0; bottom: 0; width: __LEGEND_WIDTH__px;
  box-sizing: border-box; overflow-y: auto; border-left: 1px solid #ddd; background: #fafafa;
  padding: 0.6rem 0.75rem; font-size: 0.85rem; }
#legend ul { list-style: none; margin: 0.3rem 0; padding: 0; }
#legend li { margin: 0.15rem 0; display: flex; align-items: center; gap: 0.4rem; }
#legend .swatch { display: inline-block; width: 12px; height: 12px; }
#legend .swatch.dot { border-radius: 50%; }
#legend .swatch.diamond { transform: rotate(45deg) scale(0.8); }
#legend .swatch.triangle { clip-path: polygon(50% 0, 100% 100%, 0 100%); }
#legend .line { display: inline-block; width: 18px; height: 3px; }
div.vis-tooltip { white-space: normal; max-width: 32rem; font-family: inherit; font-size: 13px; }
.rsvlm-tip { white-space: pre-wrap; overflow-wrap: anywhere; }
"""

# Runs after pyvis's drawGraph(): uses its globals `nodes` (vis.DataSet) and `network`.
_SCRIPT = """
(function () {
  "use strict";
  var config = __CONFIG__;
  var select = document.getElementById("task-filter");
  var search = document.getElementById("title-search");
  var status = document.getElementById("search-status");

  // Tooltips as DOM text: never innerHTML, whatever a title contains.
  nodes.update(nodes.get().map(function (n) {
    var tip = document.createElement("div");
    tip.className = "rsvlm-tip";
    tip.textContent = n.tip;
    return {id: n.id, title: tip};
  }));

  config.tasks.forEach(function (task) {
    var option = document.createElement("option");
    option.value = task;
    option.textContent = task;
    select.appendChild(option);
  });

  function visibleIds() {
    return nodes.getIds({filter: function (n) { return !n.hidden; }});
  }

  function applyTask() {
    var task = select.value;
    nodes.update(nodes.get().map(function (n) {
      return {id: n.id, hidden: task !== "" && n.tasks.indexOf(task) < 0};
    }));
    network.fit({nodes: visibleIds(), animation: false});
    applySearch();
  }

  function applySearch() {
    var query = search.value.trim().toLowerCase();
    if (query === "") {
      network.unselectAll();
      status.textContent = "";
      return;
    }
    var found = nodes.getIds({filter: function (n) {
      return !n.hidden && n.name.toLowerCase().indexOf(query) >= 0;
    }});
    network.selectNodes(found, false);
    status.textContent = found.length + (found.length === 1 ? " match" : " matches");
    if (found.length > 0) {
      network.fit({nodes: found, animation: false});
    }
  }

  select.addEventListener("change", applyTask);
  search.addEventListener("input", applySearch);
})();
"""
