"""Writing entries of the list: a candidate as a row shaped like its section's rows.

A section's last entry decides the shape: a bullet gives a bullet with the same marker and
pattern, a table row a row with the same pipes, padding and column roles.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..discovery import Candidate
from ..identifiers import paper_link
from ..models import ListEntry
from .lines import split_lines, table_cells
from .parse import header_roles, is_bullet_line

__all__ = ["markdown_link", "markdown_row", "with_rows"]

log = logging.getLogger(__name__)

_LINK_COLUMNS = frozenset({"paper", "link"})
#: cells that say "nothing here" in words; "-", "–" or an empty cell say it without
_NONE_WORDS = frozenset({"n/a", "na", "none", "null", "tbd"})
_BULLET = re.compile(r"(?P<indent>\s*)(?:(?P<number>\d{1,9})(?P<delim>[.)])|(?P<mark>[-*+]))"
                     r"(?P<space>\s+)(?P<rest>.*)", re.DOTALL)
#: "[[code]](…)", "[[paper](…)]" and "[Title](…)" (brackets escaped inside the text)
_BULLET_LINKS = re.compile(r"\[\[[^\]]*\]\]\([^)\s]*\)|\[\[[^\]]*\]\([^)\s]*\)\]"
                           r"|\[(?:\\.|[^\]\\])*\]\([^)\s]*\)")
_LINKED_TITLE = re.compile(r"(?P<wrap>\*\*|__|\*|_)?\[(?!\[)")
_STRONG_TITLE = re.compile(r"(?P<open>\*\*|__)(?!\[).+?(?P<close>(?P=open))")
_QUOTED_TITLE = re.compile(r"(?P<open>[\"“])[^\"“”]+?(?P<close>[.,]?[\"”])")
#: "(AAAI 2024)", ", TGRS 2020.", " | CVPR 2023": the text around a venue and year as written
_WRITTEN_VENUE_YEAR = re.compile(
    r"(?P<before>[\s(,|]*)[^()\[\]|,\"“”*\0]*?\b(?:19|20)\d{2}\b(?P<after>\)?\.?)")


@dataclass(frozen=True, slots=True)
class _TableShape:
    """How a section writes its table rows, and what each column holds."""

    leading: bool  # "|" before the first cell
    trailing: bool  # "|" after the last cell
    padded: bool  # " | " between cells rather than "|"
    roles: tuple[str | None, ...]  # of each column, as ``listparse.header_roles`` reads them
    linked_title: bool = True  # the title cell holds "[Title](link)"
    none: str = "-"  # what the rows write in a cell with nothing to say
    labels: tuple[str | None, ...] = ()  # link text of each Paper/PDF/Link column


@dataclass(frozen=True, slots=True)
class _BulletShape:
    """How a section writes its bullets, after its last bullet."""

    marker: str  # indentation, "-", "*", "+" or the next number, and the space after it
    title: tuple[str, str]  # the markup around the title: ("**", "**"), ('"', '."'), ("", "")
    linked_title: bool  # the title is "[Title](link)"
    venue: tuple[str, str]  # the text around "Venue Year": (" (", ")"), (", ", ".")
    paper: tuple[str, str]  # the text around the paper's link after an unlinked title


_Shape = _TableShape | _BulletShape
#: the row the bundled list writes: no pipes at either end, no padding, three cells
_DEFAULT_SHAPE = _TableShape(False, False, False, ("title", "venue", None))


def _row_layout(raw: str) -> tuple[bool, bool, bool, int]:
    """(leading pipe, trailing pipe, padded, number of cells) of one table row as written."""
    text = raw.strip()
    padded = " | " in text[1 if text.startswith("|") else 0: -1 if text.endswith("|") else None]
    return text.startswith("|"), text.endswith("|") and len(text) > 1, padded, len(table_cells(text))


def _escape(text: str) -> str:
    return re.sub(r"([\[\]|])", r"\\\1", text)


def markdown_link(text: str, url: str) -> str:
    r"""Return ``[text](url)`` with ``[``, ``]`` and ``|`` in the text escaped, safe in a table row.

    >>> print(markdown_link("GeoX [v2] | RS", "https://arxiv.org/abs/2401.00001"))
    [GeoX \[v2\] \| RS](https://arxiv.org/abs/2401.00001)
    """
    return f"[{_escape(text)}]({url})"


def markdown_row(
    candidate: Candidate,
    section_rows: Sequence[ListEntry] | None = None,
    list_text: str | None = None,
) -> str:
    """Return the candidate as an entry of the list, written the way its section writes entries.

    The section is the one of the first of ``section_rows``, and its last entry decides:

    * a bullet gives a bullet with the same marker and pattern (linked or bold or quoted title,
      where venue and year go, how the paper link is written);
    * a table row gives a row with the pipes and padding most of the section's rows have. With
      ``list_text`` (the list the rows were read from) each cell is filled by the role
      ``listparse.header_roles`` gives its column in the table's header: the title (linked only
      when the rows link theirs), the venue (with the year unless the table has a Year column),
      the year, the paper link in the first Paper/PDF/Link column (labelled as the rows label
      it), and the rows' mark for "nothing" (``-`` by default) elsewhere. Without ``list_text``
      the cells are the bundled list's ``[Title](link)|Venue Year|-``.

    The link is the arXiv abstract page, else the DOI, else the Semantic Scholar page; ``[``,
    ``]`` and ``|`` in the title are escaped.

    Examples
    --------
    >>> c = Candidate(node="paper:s2:x", title="GeoX [v2]", s2_id="x", arxiv_id="2401.00001",
    ...               doi=None, year=2024, venue=None, url="", score=1.0, cites_list_papers=(),
    ...               cited_by_list_papers=(), similarity=None, recommended_rank=None,
    ...               suggested_task=None)
    >>> markdown_row(c)
    '[GeoX \\\\[v2\\\\]](https://arxiv.org/abs/2401.00001)|arxiv 2024|-'
    >>> rows = [ListEntry("paper", "A", "https://a.org", "VQA", "VQA", 3,
    ...                   "* **[A](https://a.org)** (CVPR 2023) [[code]](https://c.org)")]
    >>> markdown_row(c, rows)
    '* **[GeoX \\\\[v2\\\\]](https://arxiv.org/abs/2401.00001)** (arxiv 2024)'
    """
    link = paper_link(candidate.arxiv_id, candidate.doi, candidate.s2_id, candidate.url)
    return _render_row(
        _section_shape(section_rows or (), list_text), candidate.title, link, candidate.venue,
        candidate.year, candidate.arxiv_id,
    )


def with_rows(
    candidates: Sequence[Candidate], entries: Sequence[ListEntry], list_text: str | None = None
) -> list[Candidate]:
    """Return the candidates with ``markdown_row`` written like their suggested task's rows.

    ``entries`` are the list's rows and ``list_text`` the text they were read from
    (``ListDocument.text``): with it, table rows are filled cell by cell by their table's header.
    A candidate with no suggested task, or a task the list has no rows for, gets the bundled
    list's shape.
    """
    rows_by_task: dict[str, list[ListEntry]] = {}
    for entry in entries:
        if entry.kind == "paper":
            rows_by_task.setdefault(entry.task, []).append(entry)
    shapes = {task: _section_shape(rows, list_text) for task, rows in rows_by_task.items()}
    return [
        replace(c, markdown_row=_render_row(
            shapes.get(c.suggested_task or "", _DEFAULT_SHAPE), c.title, c.url, c.venue, c.year,
            c.arxiv_id,
        ))
        for c in candidates
    ]


def _section_shape(rows: Sequence[ListEntry], list_text: str | None = None) -> _Shape:
    """How the section of ``rows[0]`` writes its entries: as its last entry is written."""
    section = rows[0].section if rows else None
    rows = sorted((e for e in rows if e.raw.strip() and e.section == section), key=lambda e: e.line)
    if rows and is_bullet_line(rows[-1].raw):
        return _bullet_shape(rows[-1])
    table_rows = [e for e in rows if not is_bullet_line(e.raw)]
    return _table_shape(table_rows, list_text) if table_rows else _DEFAULT_SHAPE


def _table_shape(table_rows: Sequence[ListEntry], list_text: str | None) -> _TableShape:
    """Pipes and padding of most rows; each column's role from the table's header in
    ``list_text``, else the bundled list's columns."""
    layouts = [_row_layout(e.raw) for e in table_rows]
    # the most common layout, the first row's on a tie
    leading, trailing, padded, n_cells = max(
        layouts, key=lambda s: (layouts.count(s), -layouts.index(s)))
    header = _table_header(list_text, table_rows[0].line) if list_text else None
    roles = header_roles(header) if header else ()
    if "title" not in roles:
        return _TableShape(leading, trailing, padded, _DEFAULT_SHAPE.roles[:2]
                           + (None,) * max(0, n_cells - 2))
    cells = [table_cells(e.raw) for e in table_rows]
    column = [row[roles.index("title")] if len(row) > roles.index("title") else "" for row in cells]
    empty = Counter(cell for row in cells for cell in row if cell.casefold() in _NONE_WORDS
                    or ("](" not in cell and not any(ch.isalnum() for ch in cell)))
    labels = tuple(_link_label(header_cell, [row[i] for row in cells if len(row) > i])
                   if role in _LINK_COLUMNS else None
                   for i, (role, header_cell) in enumerate(zip(roles, table_cells(header or ""))))
    return _TableShape(
        leading, trailing, padded, roles,
        linked_title=2 * sum("](" in cell for cell in column) >= len(column),
        none=empty.most_common(1)[0][0] if empty else "-", labels=labels,
    )


def _table_header(list_text: str, first_row: int) -> str | None:
    """The header line of the table whose first row is line ``first_row`` (1-based)."""
    lines = split_lines(list_text)
    top = first_row - 1
    while 0 < top <= len(lines) and _is_table_line(lines[top - 1]):
        top -= 1
    # the header and the delimiter line stand above the first row
    return lines[top] if top <= first_row - 3 else None


def _is_table_line(text: str) -> bool:
    return "|" in text and not is_bullet_line(text) and not text.lstrip().startswith("#")


def _link_label(header_cell: str, column: Sequence[str]) -> str:
    """The text the column's rows give their links (``PDF``, ``arXiv``), else its header's."""
    labels = Counter(m[1] for cell in column for m in re.finditer(r"\[([^\]]+)\]\(", cell))
    return labels.most_common(1)[0][0] if labels else header_cell.strip(" *_") or "link"


def _bullet_shape(entry: ListEntry) -> _BulletShape:
    """Marker and pattern of the bullet ``entry``, to write another bullet like it."""
    bullet = _BULLET.match(entry.raw)
    assert bullet is not None  # it matches every line ``is_bullet_line`` accepts
    number = bullet["number"]
    mark = f"{int(number) + 1}{bullet['delim']}" if number else bullet["mark"]
    marker = bullet["indent"] + mark + bullet["space"]
    rest = " ".join(bullet["rest"].split())
    # titles and links are masked, so a year inside them is not taken for the venue's
    masked = _BULLET_LINKS.sub(lambda m: "\0" * len(m[0]), rest)
    if linked := _LINKED_TITLE.match(rest):
        title, linked_title = (linked["wrap"] or "", linked["wrap"] or ""), True
    elif titled := (_STRONG_TITLE.match(rest) or _QUOTED_TITLE.match(rest)):
        title, linked_title = (titled["open"], titled["close"]), False
        masked = "\0" * titled.end() + masked[titled.end():]
    else:
        title, linked_title = ("", ""), False
    # after a plain-text title only "," or "(" tells the title from the venue
    plain = not linked_title and title == ("", "")
    venues = [m for m in _WRITTEN_VENUE_YEAR.finditer(masked)
              if m["before"].strip() or (m["before"] and not plain)]
    if venues:
        venue = (venues[-1]["before"], venues[-1]["after"])
    else:
        venue = (" | ", "") if " | " in rest and not plain else (" (", ")")
    paper = ("", "")
    if not linked_title:
        paper = (" [[paper]](", ")")
        for link in _BULLET_LINKS.finditer(rest):
            at = link[0].find(f"({entry.url})") if entry.url else -1
            if at >= 0:
                gap = re.search(r"[\s|]*\Z", rest[:link.start()])
                paper = ((gap[0] if gap else "") + link[0][:at + 1],
                         link[0][at + 1 + len(entry.url or ""):])
                break
    return _BulletShape(marker, title, linked_title, venue, paper)


def _render_row(
    shape: _Shape, title: str, link: str, venue: str | None, year: int | None, arxiv_id: str | None
) -> str:
    venue = venue or ("arxiv" if arxiv_id else "")
    if isinstance(shape, _BulletShape):
        published = " ".join(str(p) for p in (venue, year) if p)
        written = markdown_link(title, link) if shape.linked_title else _escape(title)
        return "".join((
            shape.marker, shape.title[0], written, shape.title[1],
            f"{shape.venue[0]}{published}{shape.venue[1]}" if published else "",
            f"{shape.paper[0]}{link}{shape.paper[1]}" if shape.paper[0] else "",
        ))
    # the parser takes a bracket in a plain-text title cell for a broken link: link such a title
    linked_title = shape.linked_title or bool(re.search(r"[\[\]]|://", title))
    by_role = {
        "title": markdown_link(title, link) if linked_title else _escape(title),
        # a Year column takes the year; else the venue cell holds both ("TGRS 2024")
        "venue": " ".join(str(p) for p in (venue, None if "year" in shape.roles else year) if p
                          ).replace("|", "\\|"),
        "year": str(year or ""),
    }
    cells, linked = [], False
    for role, label in zip(shape.roles, shape.labels or (None,) * len(shape.roles)):
        if role in _LINK_COLUMNS and not linked:  # one link, in the first Paper/PDF/Link column
            cells.append(markdown_link(label or "link", link))
            linked = True
        else:
            cells.append(by_role.get(role or "") or shape.none)
    pad = " " if shape.padded else ""
    return (("|" + pad if shape.leading else "") + f"{pad}|{pad}".join(cells)
            + (pad + "|" if shape.trailing else ""))
