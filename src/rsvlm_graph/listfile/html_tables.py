"""HTML tables of a list (``<table>``, ``<tr>``, ``<td rowspan=…>``) → rows of Markdown cells.

Lists written for GitHub often lay a wide table out in HTML, one tag per line, indented: Markdown
reads the block as HTML, and once its tags are dropped the indented cells look like a code block.
This module reads such a table with the standard library's HTML parser and gives each row, with
the lines it spans, as the Markdown its cells would be (``<a href>`` a link, ``<br>`` a line
break, ``<b>``/``<strong>`` bold, an ``<img>`` in a link a badge), so the parser reads its rows
as it reads a pipe table's: by their header words. A cell spanning rows (``rowspan``) is repeated
in the rows below it, and one spanning columns (``colspan``) fills them, so every row's cells sit
under their header. Only the outermost table is read; a table inside a cell is that cell's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["HtmlRow", "html_tables", "table_span"]

# Markdown's own characters in a cell's text, escaped so that text stays text
_MARKDOWN_CHARS = re.compile(r"([\\`*_\[\]<>!])")
_TABLE_TAG = re.compile(r"<(/?)table\b", re.IGNORECASE)
_MAX_SPAN = 1000  # a rowspan or colspan beyond this is a typo, not a layout


@dataclass(frozen=True, slots=True)
class HtmlRow:
    """One ``<tr>``: its first and last line (1-based, in the text given) and its cells as
    Markdown."""

    first: int
    last: int
    cells: tuple[str, ...]


@dataclass(slots=True)
class _Cell:
    markdown: list[str] = field(default_factory=list)
    rows: int = 1
    columns: int = 1


def _span(value: str | None) -> int:
    return min(int(value), _MAX_SPAN) if value and value.strip().isdigit() and int(value) > 0 else 1


class _TableReader(HTMLParser):
    """Collects the rows of the outermost tables, each cell as Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[int, int, list[_Cell]]]] = []
        self.depth = 0
        self.row: tuple[int, list[_Cell]] | None = None
        self.cell: _Cell | None = None
        self.links: list[str | None] = []  # hrefs of the open <a> tags of the cell

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
            return
        if self.depth != 1:
            if self.cell is not None and tag == "br":
                self.cell.markdown.append("<br>")
            return
        named = dict(attrs)
        if tag == "tr":
            self.end_row(line)
            self.row = (line, [])
        elif tag in ("td", "th"):
            self.end_cell()
            if self.row is None:
                self.row = (line, [])
            self.cell = _Cell(rows=_span(named.get("rowspan")), columns=_span(named.get("colspan")))
        elif self.cell is not None:
            self.inline(tag, named)

    def inline(self, tag: str, named: dict[str, str | None]) -> None:
        assert self.cell is not None
        if tag == "a":
            href = (named.get("href") or "").strip()
            self.links.append(href or None)
            if href:
                self.cell.markdown.append("[")
        elif tag == "br":
            self.cell.markdown.append("<br>")
        elif tag in ("b", "strong"):
            self.cell.markdown.append("**")
        elif tag == "img":
            alt = _MARKDOWN_CHARS.sub(r"\\\1", named.get("alt") or "")
            self.cell.markdown.append(f"![{alt}]({(named.get('src') or '').strip()})")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag == "table":
            if self.depth == 1:
                self.end_row(line)
            self.depth = max(0, self.depth - 1)
            return
        if self.depth != 1:
            return
        if tag == "tr":
            self.end_row(line)
        elif tag in ("td", "th"):
            self.end_cell()
        elif self.cell is not None and tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.cell.markdown.append(f"](<{href}>)")
        elif self.cell is not None and tag in ("b", "strong"):
            self.cell.markdown.append("**")

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.markdown.append(_MARKDOWN_CHARS.sub(r"\\\1", re.sub(r"\s+", " ", data)))

    def end_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            while self.links:  # an <a> left open: close it where its cell ends
                if href := self.links.pop():
                    self.cell.markdown.append(f"](<{href}>)")
            self.row[1].append(self.cell)
        self.cell = None

    def end_row(self, line: int) -> None:
        self.end_cell()
        if self.row is not None and self.row[1] and self.tables:
            self.tables[-1].append((self.row[0], line, self.row[1]))
        self.row = None


def _grid(rows: list[tuple[int, int, list[_Cell]]]) -> list[HtmlRow]:
    """The rows with spanned cells placed under every column and row they cover."""
    pending: dict[int, tuple[int, str]] = {}  # column → (rows still covered, its Markdown)
    out = []
    for first, last, cells in rows:
        placed: list[str] = []
        queue = list(cells)
        while queue or any(col >= len(placed) for col in pending):
            column = len(placed)
            if column in pending:
                left, text = pending[column]
                placed.append(text)
                if left > 1:
                    pending[column] = (left - 1, text)
                else:
                    del pending[column]
                continue
            if not queue:
                break
            cell = queue.pop(0)
            text = "".join(cell.markdown).strip()
            for offset in range(cell.columns):
                placed.append(text if offset == 0 else "")
                if cell.rows > 1:
                    pending[column + offset] = (cell.rows - 1, text if offset == 0 else "")
        out.append(HtmlRow(first, last, tuple(placed)))
    return out


def html_tables(text: str) -> list[list[HtmlRow]]:
    """The outermost HTML tables of ``text``, each a list of rows (the first its header), lines
    numbered from 1 in ``text``.

    >>> (table,) = html_tables('''<table>
    ... <tr><th>Title</th><th>Paper</th></tr>
    ... <tr><td>A <b>title</b></td>
    ...     <td><a href="https://arxiv.org/abs/2401.00001">PDF</a></td></tr>
    ... </table>''')
    >>> [(row.first, row.last, row.cells) for row in table]
    [(2, 2, ('Title', 'Paper')), (3, 4, ('A **title**', '[PDF](<https://arxiv.org/abs/2401.00001>)'))]
    """
    reader = _TableReader()
    reader.feed(text)
    reader.close()
    reader.end_row(reader.getpos()[0])
    return [_grid(rows) for rows in reader.tables if rows]


def table_span(lines: list[str], start: int) -> int | None:
    """The index of the line closing the HTML table opened on ``lines[start]`` (nested tables
    counted), or ``None`` when no ``<table`` opens there or it is never closed."""
    depth = 0
    for index in range(start, len(lines)):
        for match in _TABLE_TAG.finditer(lines[index]):
            depth += -1 if match[1] else 1
            if depth == 0:
                return index
        if index == start and depth == 0:
            return None
    return None
