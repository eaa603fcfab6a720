"""The interactive HTML page of the graph: an explorer that works from disk, safe and quick to open.

Three steps, as for every export: :func:`.html_view.select_view` picks a readable subgraph
(capped to the most important nodes), :func:`build_page` turns it into HTML text (pure and
deterministic), :func:`write_page` writes it. How each node is drawn comes from
:mod:`.html_drawing`, positions from :mod:`.html_layout`; the page's CSS, script and template
are the package files ``page.css``, ``page.html`` and the scripts :data:`SCRIPTS`.

Why the page is built the way it is (pyvis 0.3.2, see ``shared/reference/EXPORT-NOTES.md``):

- **Allow-lists, never** ``from_nx``: ``from_nx`` copies every node attribute (embeddings,
  provenance) into the page. The canvas nodes read only :data:`.html_drawing.NODE_ATTRIBUTES`
  and carry only :data:`.html_drawing.PAGE_NODE_KEYS`; the details panel reads only
  :data:`DETAIL_ATTRIBUTES`.
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
- **A map at first sight**: the page opens on everything it shows, fitted to the window; each
  task's cluster is a region named in type readable at that zoom (the page writes the names),
  the most important nodes get larger labels, and vis-network draws the others as one zooms in.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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
from .bibliography import Reference, bibtex_entry, ris_entry
from .bibliography import references as make_references
from .html_drawing import (
    KIND_STYLES,
    LABEL_COLOUR,
    MINOR_FONT,
    PAPER_KINDS,
    TASK_FONT,
    ViewDrawing,
    draw_view,
    size_of,
)
from .html_view import VIEW_RELATIONS

if TYPE_CHECKING:
    from jinja2 import Template
    from markupsafe import Markup

    from ..discovery import Candidate
    from ..ranking import RankedPaper

__all__ = ["build_page", "write_page", "DETAIL_ATTRIBUTES", "SCRIPTS"]

logger = logging.getLogger(__name__)

#: the graph attributes the details panel reads besides ``html_drawing.NODE_ATTRIBUTES``; embeddings,
#: provenance and everything else never reach the page
DETAIL_ATTRIBUTES = frozenset(
    {"abstract", "tldr", "authors", "influential_citation_count", "s2_id"}
)

#: the page's scripts (package files), in the order the page runs them: the explorer's parts,
#: then ``page.js``, which puts them together
SCRIPTS = ("page_view.js", "page_details.js", "page_colour.js", "page_export.js", "page.js")
#: cited papers listed in the details panel are the view's; the abstract is cut at this length
_ABSTRACT_CHARS = 2000
#: the citation counts whose node sizes the legend shows
_SIZE_LEGEND = (1, 10, 100, 1000, 10000)
#: screen pixels of the side column (legend, filters, details), right of the graph
_SIDE_WIDTH = 340
#: relations drawn with an arrow (a has-task edge has no reading direction worth showing)
_ARROWS = frozenset({"cites", "introduces", "uses"})
#: how strong each relation is drawn until a node is selected: citations faint
_EDGE_OPACITY = {"cites": 0.35, "introduces": 0.8, "uses": 0.6, "has_task": 0.6, "has_code": 0.6}


def build_page(
    view: nx.MultiDiGraph,
    title: str,
    *,
    ranking: Sequence[RankedPaper] = (),
    candidates: Sequence[Candidate] = (),
    drawing: ViewDrawing | None = None,
    references: Mapping[str, Reference] | None = None,
) -> str:
    """Return the HTML text of an interactive, self-contained page showing ``view``.

    Nodes are coloured by kind (or, switched on the page, by year or citations) and shaped by
    kind, sized by influence: the Semantic Scholar ``citation_count`` when known, else the
    node's degree in the view, on a logarithmic scale.
    Hovering shows a short text; clicking opens the details panel (links to the paper's pages,
    authors, figures and rank from ``ranking``, tasks, datasets, code, abstract and TLDR, and for
    candidates the evidence and the row from ``candidates``; citing and cited papers) and dims
    everything but the node's neighbours. Filters by edge and node kind, task (a candidate
    counts under its suggested task) and minimum citations; a search box; a switch between the
    clustered map and the timeline; what is shown always fits the window; the papers shown saved
    as BibTeX or RIS (each paper's entry written here, by :mod:`.bibliography`) and the canvas
    as PNG; the state lives in the URL fragment.

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
    references : mapping of node to Reference, optional
        The view's papers as references, from the whole graph (``bibliography.references(G,
        papers)``), so that their citation keys are those of ``papers.bib``; made from the
        view when not given.

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
    tasks = sorted({t for node_tasks in drawn.tasks.values() for t in node_tasks})
    cluster_index = {task: i for i, task in enumerate(tasks)}
    net = Network(directed=True, cdn_resources="in_line")
    for node, data in drawn.nodes.items():
        (x, y), (tx, ty) = drawn.clustered.positions[node], drawn.timeline.positions[node]
        tb, tc = drawn.timeline.cells[node]
        cluster = drawn.clustered.clusters.get(node)
        net.add_node(node, **data, x=x, y=y, tx=tx, ty=ty, tb=tb, tc=tc, opacity=1,
                     cl=-1 if cluster is None else cluster_index[cluster])
    for u, v, rel in sorted(view.edges(keys=True)):
        if rel in VIEW_RELATIONS:
            net.add_edge(u, v, **_page_edge(u, v, rel))
    net.options = _options()
    nodes, edges, _, _, _, options = net.get_network_data()
    explorer = {
        "details": {n: _details(n, view.nodes[n], ranked.get(n), suggested.get(n))
                    for n in sorted(view.nodes)},
        "tasks": tasks,
        "timeline": {"columns": drawn.timeline.columns, "bands": drawn.timeline.bands,
                     "gap": html_layout.GAP},
        "taskFont": TASK_FONT,
        "labelColour": LABEL_COLOUR,
        "references": _entries(view, references, suggested),
    }
    page = _template(net.template_dir).render(
        title=title,
        css=_package_text("page.css").replace("__SIDE_WIDTH__", str(_SIDE_WIDTH)),
        nodes=nodes,
        edges=edges,
        options=options,
        explorer=_script_json(explorer),
        scripts=[_package_text(name) for name in SCRIPTS],
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


def _entries(view: nx.MultiDiGraph, given: Mapping[str, Reference] | None,
             suggested: Mapping[str, Candidate]) -> dict[str, list[str]]:
    """Each paper's ``[citation key, BibTeX entry, RIS record]``: the page joins those of the
    papers it shows, in key order, into the text ``bibliography`` writes for them. A candidate's
    keywords are the task suggested for it, as in ``bibliography_of``."""
    papers = sorted(n for n, kind in view.nodes(data="kind") if kind in PAPER_KINDS)
    found = given if given is not None else make_references(view, papers)
    entries = {}
    for node in papers:
        ref = found.get(node)
        if ref is None:
            continue
        task = suggested[node].suggested_task if node in suggested else None
        if task:
            ref = dataclasses.replace(ref, keywords=(task,))
        entries[node] = [ref.key, bibtex_entry(ref), ris_entry(ref)]
    return entries


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
            "font": {"size": MINOR_FONT, "face": "sans-serif", "color": LABEL_COLOUR},
            "borderWidth": 1,
            "borderWidthSelected": 4,
            # labels below 7 screen pixels are not drawn: minor labels appear as one zooms in
            "scaling": {"label": {"drawThreshold": 7}},
        },
        "edges": {"smooth": False, "width": 1, "selectionWidth": 2},
    }


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
    if kind in PAPER_KINDS:
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
    """The legend rows: node kinds and relations present in the view (each a filter toggle),
    and the sizes of nodes with 1 to 10,000 citations, drawn at half their size at zoom 1."""
    counts = Counter(str(kind) for _, kind in view.nodes(data="kind"))
    relations = Counter(rel for _, _, rel in view.edges(keys=True))
    return {
        "kinds": [{"kind": kind, "text": text, "colour": colour, "shape": shape,
                   "count": counts[kind]}
                  for kind, (text, colour, shape) in KIND_STYLES.items() if counts[kind]],
        "relations": [{"rel": rel, "text": text, "colour": colour, "count": relations[rel]}
                      for rel, (text, colour) in VIEW_RELATIONS.items() if relations[rel]],
        "sizes": [{"diameter": round(size_of(count)), "text": f"{count:,}"}
                  for count in _SIZE_LEGEND],
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
