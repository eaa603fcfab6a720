"""The curated list again, with each paper's citation figures: a copy for ``exports/``.

Only paper rows change, and in one place: the "Published in" cell gets
``· 123 citations (12 influential)`` appended (``· –`` when Semantic Scholar gave no count). No
column is added, so every table keeps its header and the rows the curators wrote unevenly (a
missing last cell, no outer pipes) stay exactly as valid as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import ExportError
from ..files import write_atomic
from ..listfile.lines import cell_spans, line_ending, split_lines
from ..listfile.parse import is_bullet_line, split_venue_year
from ..models import ListDocument

__all__ = [
    "annotate_list",
    "citation_figure",
    "write_annotated_list",
    "ANNOTATED_LIST_NAME",
    "NO_FIGURE",
]

log = logging.getLogger(__name__)

#: file name of the annotated copy inside ``exports/``
ANNOTATED_LIST_NAME = "awesome-list-with-citations.md"
#: what a paper row shows when there is no citation count
NO_FIGURE = "–"


def citation_figure(attrs: Mapping[str, Any] | None) -> str:
    """Return the citation figure of a paper node's attributes.

    Examples
    --------
    >>> citation_figure({"citation_count": 123, "influential_citation_count": 12})
    '123 citations (12 influential)'
    >>> citation_figure({"citation_count": 1, "influential_citation_count": None})
    '1 citation'
    >>> citation_figure(None)
    '–'
    """
    attrs = attrs or {}
    count = attrs.get("citation_count")
    if count is None:
        return NO_FIGURE
    figure = f"{count} citation{'' if count == 1 else 's'}"
    influential = attrs.get("influential_citation_count")
    return figure if influential is None else f"{figure} ({influential} influential)"


def _paper_attrs_by_line(graph: nx.MultiDiGraph) -> dict[int, Mapping[str, Any]]:
    by_line: dict[int, Mapping[str, Any]] = {}
    for _, attrs in graph.nodes(data=True):
        if attrs.get("kind") == "paper" and attrs.get("in_list"):
            # a paper listed under two sections is one node carrying both lines
            for line in attrs.get("lines") or (attrs.get("line"),):
                if line is not None:
                    by_line[line] = attrs
    return by_line


def _venue_cell_end(row: str, venue: str | None) -> tuple[int, bool]:
    """Return where the venue cell's text ends, and whether it has any.

    The venue cell is the one the parser read ``venue`` from (tables put it in any column), else
    the second cell, as in the bundled list's ``| Paper | Published in | … |``. A bullet, or a
    row with one cell, gets the figure at its end.
    """
    cells = cell_spans(row)
    if is_bullet_line(row) or len(cells) < 2:
        return len(row.rstrip()), True
    index = next((i for i, (a, b) in enumerate(cells)
                  if venue and split_venue_year(row[a:b])[0] == venue), 1)
    cell_start, cell_end = cells[index]
    text_end = cell_start + len(row[cell_start:cell_end].rstrip())
    return text_end, bool(row[cell_start:text_end].strip())


def _annotate_row(line: str, figure: str, venue: str | None) -> str:
    ending = line_ending(line)
    row = line[:len(line) - len(ending)]
    at, has_text = _venue_cell_end(row, venue)
    insert = f" · {figure}" if has_text else figure
    return f"{row[:at]}{insert}{row[at:]}{ending}"


def annotate_list(list_text: str, document: ListDocument, graph: nx.MultiDiGraph) -> str:
    """Return the list text with a citation figure after each paper row's venue.

    Parameters
    ----------
    list_text : str
        The list file's text, exactly as read (the one ``document`` was parsed from).
    document : ListDocument
        Its parsed entries; their ``line`` says which rows are papers.
    graph : networkx.MultiDiGraph
        The built graph; list paper nodes carry ``line``/``lines``, ``citation_count`` and
        ``influential_citation_count``.

    Returns
    -------
    text : str
        Byte-for-byte ``list_text`` except in paper rows, where the "Published in" cell ends
        with ``· N citations (M influential)``, or ``· –`` without data.

    Examples
    --------
    >>> from rsvlm_graph.models import ListEntry
    >>> row = ListEntry("paper", "GeoChat", None, "VLM", "VLM", 2, "")
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:title:geochat", kind="paper", in_list=True, line=2,
    ...            citation_count=10, influential_citation_count=3)
    >>> text = "| Paper | Published in |\\n[GeoChat](u)|arxiv 2023|-\\n"
    >>> print(annotate_list(text, ListDocument("l.md", "L", (row,)), G), end="")
    | Paper | Published in |
    [GeoChat](u)|arxiv 2023 · 10 citations (3 influential)|-
    """
    lines = split_lines(list_text, keepends=True)  # numbered as the parser numbers them
    by_line = _paper_attrs_by_line(graph)
    for entry in document.papers:
        if not 1 <= entry.line <= len(lines):
            log.warning("%s:%d: paper row is outside the text", document.path, entry.line)
            continue
        figure = citation_figure(by_line.get(entry.line))
        lines[entry.line - 1] = _annotate_row(lines[entry.line - 1], figure, entry.venue)
    return "".join(lines)


def write_annotated_list(document: ListDocument, graph: nx.MultiDiGraph, out_dir: Path) -> Path:
    """Write ``annotate_list`` of the list's text to ``out_dir / ANNOTATED_LIST_NAME``, in UTF-8.

    The text is the one the list was parsed from (``document.text``: decoded as the list reader
    decodes it, UTF-16 with a byte-order mark too), not the file read again, so the line numbers
    are those of the rows and line endings stay as the curators wrote them.

    Raises
    ------
    ExportError
        If the file cannot be written.
    """
    path = Path(out_dir) / ANNOTATED_LIST_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, annotate_list(document.text, document, graph))
    except OSError as exc:
        raise ExportError(f"{path}: cannot write the list with figures ({exc}); "
                          "check the folder is writable") from exc
    return path
