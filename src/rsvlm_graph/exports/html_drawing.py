"""How the page draws the view: each node's label, shape, colour, size, tooltip and positions
(:mod:`.html_layout`), computed once per build and shared by the HTML page and the GraphML
(:func:`node_pictures`), so both show the same picture.

Labels and tooltips are plain text: the page writes them with ``textContent``, never as markup.
"""

from __future__ import annotations

import math
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..identifiers import paper_page
from . import html_layout

if TYPE_CHECKING:
    from ..discovery import Candidate

__all__ = [
    "draw_view",
    "node_pictures",
    "ViewDrawing",
    "NODE_ATTRIBUTES",
    "PAGE_NODE_KEYS",
    "KIND_STYLES",
    "MAJOR_FONT",
    "MINOR_FONT",
    "TASK_FONT",
    "LABEL_COLOUR",
    "PAPER_KINDS",
    "size_of",
]

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

#: the keys of every node object in the page's data
PAGE_NODE_KEYS = frozenset(
    {"id", "label", "shape", "color", "size", "x", "y", "kind", "tasks", "name", "tip",
     "font", "tx", "ty", "tb", "tc", "cl", "cit", "year", "major", "opacity", "borderWidth", "shapeProperties"}
)

#: kind → (legend text, colour, vis-network shape), in legend order
KIND_STYLES: Mapping[str, tuple[str, str, str]] = {
    "paper": ("List paper", "#1f77b4", "dot"),
    "outside_paper": ("Discovery candidate", "#ff7f0e", "dot"),
    "dataset": ("Dataset", "#2ca02c", "square"),
    "task": ("Task", "#9467bd", "diamond"),
    "code": ("Code repository", "#7f7f7f", "triangle"),
}

#: label pixels of the most important nodes and of the others (at zoom 1)
MAJOR_FONT = 22.0
MINOR_FONT = 14.0
#: label pixels of a task (at zoom 1): the room its cluster's name takes; the page writes the
#: name itself, never smaller than it can be read (vis-network draws the label transparent)
TASK_FONT = 30.0
#: the colour of every label vis-network draws (its own default, written out so that the page
#: can restore it after dimming)
LABEL_COLOUR = "#343434"
_HIDDEN_LABEL = "rgba(0, 0, 0, 0)"
_BOLD = 1.1
#: a discovery candidate's border is dashed: it tells candidates from list papers whatever
#: the colour shows (kind, year or citations)
_CANDIDATE_BORDER = {"borderWidth": 2, "shapeProperties": {"borderDashes": [4, 2]}}

#: the kinds of paper nodes: list papers and discovery candidates
PAPER_KINDS = frozenset({"paper", "outside_paper"})
#: a canvas label: at most this many lines of at most this many characters
_LABEL_LINES = 2
_LINE_CHARS = 22
_SIZE_MAX = 40.0
#: how many nodes besides the tasks get a major label: a tenth, within these bounds
_MAJOR_MIN, _MAJOR_MAX = 5, 25


@dataclass(frozen=True)
class ViewDrawing:
    """The view's nodes as the page draws them: computed once per build and read by the page and
    by the GraphML (:func:`node_pictures`), so both show the same colours, sizes and positions."""

    nodes: Mapping[str, Mapping[str, Any]]  # node → pyvis keyword arguments, positions apart
    clustered: html_layout.Clustered
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
    years = html_layout.node_years(view)
    page_nodes = {n: _page_node(n, a, tasks[n], influence[n], n in major, years[n], view)
                  for n, a in attrs.items()}
    # a task's name is written in bold, a tenth wider
    boxes = {n: html_layout.box(d["label"], d["size"],
                                d["font"]["size"] * (_BOLD if d["kind"] == "task" else 1.0))
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
            "size": drawn["size"] if drawn else size_of(_influence(attrs, degree[node])),
        }
        if node in drawing.clustered.positions:
            x, y = drawing.clustered.positions[node]
            picture.update(x=x, y=-y)
        pictures[node] = picture
    return pictures


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
    year: int | None,
    view: nx.MultiDiGraph,
) -> dict[str, Any]:
    """The pyvis keyword arguments of one node: :data:`PAGE_NODE_KEYS` but ``id`` and the
    positions. ``year`` is the one the timeline and the colour by year use (a dataset's is its
    paper's)."""
    kind = attrs.get("kind", "")
    _, colour, shape = _kind_style(kind)
    name = str(attrs.get("title") or attrs.get("name") or attrs.get("label") or node)
    citations = attrs.get("citation_count")
    return {
        "label": _short_label(str(attrs.get("label") or name), kind),
        "shape": shape,
        "color": colour,
        "size": size_of(influence),
        "font": ({"size": TASK_FONT, "color": _HIDDEN_LABEL} if kind == "task" else
                 {"size": MAJOR_FONT if major else MINOR_FONT}),
        "major": major,
        "kind": kind,
        "tasks": list(tasks),
        "name": name,
        "cit": citations if isinstance(citations, int) else None,
        "year": year,
        "tip": _tooltip(node, kind, name, attrs, tasks, view),
    } | (_CANDIDATE_BORDER if kind == "outside_paper" else {})


def _kind_style(kind: str) -> tuple[str, str, str]:
    return KIND_STYLES.get(kind, ("Other", "#bcbd22", "dot"))


def size_of(influence: int) -> float:
    """Node radius in pixels: logarithmic, since citation counts span five orders of magnitude
    (0 → 6 px, 100 → about 23 px, 10,000 → the cap of 40 px)."""
    return round(min(_SIZE_MAX, 6 + 2.5 * math.log2(1 + max(influence, 0))), 1)


def _short_label(text: str, kind: str) -> str:
    """A label short enough to read on the canvas: a paper's acronym before ':' when it has one
    ("RSGPT: A Remote Sensing ..." → "RSGPT"), else the text wrapped on :data:`_LABEL_LINES`
    lines of :data:`_LINE_CHARS` characters, cut with "…". Two short lines rather than one
    long one: a label about as wide as it is tall leaves room for its neighbours."""
    text = " ".join(text.split())
    if kind in PAPER_KINDS:
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
    if kind in PAPER_KINDS:
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
