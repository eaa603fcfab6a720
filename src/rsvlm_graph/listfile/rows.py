"""Writing entries of the list: a candidate as a row shaped like its section's rows.

A section's last entry decides the shape: a bullet gives a bullet with the same marker and
pattern, a table row a row with the same pipes, padding and column roles.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..discovery import Candidate
from ..identifiers import canonical_url, link_kind, normalize_title, paper_link
from ..markdown import Markdown, markdown_link, markdown_text, markdown_url
from ..models import ListEntry
from ..venue_names import normalize_venue
from .lines import split_lines, table_cells
from .parse import header_roles, is_bullet_line

__all__ = ["markdown_row", "with_rows"]

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
_LINK = re.compile(r"\[((?:\\.|[^\]\\])+)\]\(([^)\s]+)\)")
_YEAR = re.compile(r"(?:19|20)\d\d")
#: the label of a link to each of ``paper_link``'s pages, when the list has none of its own
_SITE_LABELS = {"arxiv_id": "arXiv", "doi": "DOI", "s2_id": "Semantic Scholar"}
#: labels that name the site a link is on (folded), rather than the paper or its venue
_SITE_WORDS = frozenset({"arxiv", "doi", "s2", "semanticscholar"})


@dataclass(frozen=True, slots=True)
class _LinkLabels:
    """How the list labels its paper links (``_link_labels`` learns it from the rows)."""

    by_site: Mapping[str, str] = field(default_factory=dict)  # ``link_kind`` → its label
    by_venue: bool = False  # the label is the row's venue: "[CVPR](…)"
    year: str | None = None  # what joins the year to the venue in the label: "" in "[TGRS2024](…)"
    constant: str | None = None  # the label most rows give whatever the site: "Paper", "PDF"

    def label(self, link: str, venue: str, year: int | None) -> str:
        """The label of a new row's ``link`` to a paper published in ``venue`` (as the list
        spells it) in ``year``."""
        if self.by_venue and venue:
            if self.year is None or not year:
                return venue
            # "TGRS2024" but "ISPRS P&RS 2024": a name of several words keeps its space
            return f"{venue}{' ' if ' ' in venue else self.year}{year}"
        site = link_kind(link) or ""
        return self.by_site.get(site) or self.constant or _SITE_LABELS.get(site, "link")


@dataclass(frozen=True, slots=True)
class _TableShape:
    """How a section writes its table rows, and what each column holds."""

    leading: bool  # "|" before the first cell
    trailing: bool  # "|" after the last cell
    padded: bool  # " | " between cells rather than "|"
    roles: tuple[str | None, ...]  # of each column, as ``listfile.parse.header_roles`` reads them
    linked_title: bool = True  # the title cell holds "[Title](link)"
    linked_venue: bool = False  # the venue cell holds the paper's link: "[TGRS2024](link)"
    none: str = "-"  # what the rows write in a cell with nothing to say
    labels: _LinkLabels = _LinkLabels()  # of the link in the first Paper/PDF/Link column


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


def markdown_row(
    candidate: Candidate,
    section_rows: Sequence[ListEntry] | None = None,
    list_text: str | None = None,
    spell_venue: Callable[[str], str] = normalize_venue,
) -> str:
    """Return the candidate as an entry of the list, written the way its section writes entries.

    The section is the one of the first of ``section_rows``, and its last entry decides:

    * a bullet gives a bullet with the same marker and pattern (linked or bold or quoted title,
      where venue and year go, how the paper link is written);
    * a table row gives a row with the pipes and padding most of the section's rows have. With
      ``list_text`` (the list the rows were read from) each cell is filled by the role
      ``listfile.parse.header_roles`` gives its column in the table's header: the title (linked only
      when the rows link theirs), the venue (with the year unless the table has a Year column),
      the year, the paper link in the first Paper/PDF/Link column (labelled as the rows label
      theirs, see ``with_rows``), and the rows' mark for "nothing" (``-`` by default)
      elsewhere. Without ``list_text`` the cells are the bundled list's
      ``[Title](link)|Venue Year|-``.

    The link is the arXiv abstract page, else the DOI, else the Semantic Scholar page; the
    venue (``arXiv`` for a preprint S2 names none for) is written as ``spell_venue`` gives it
    (``venues.venue_spelling``: as the list spells it); title and venue are written as text
    (:func:`~rsvlm_graph.markdown.markdown_text`: markup and HTML escaped), the link
    percent-encoded.

    Examples
    --------
    >>> c = Candidate(node="paper:s2:x", title="GeoX [v2]", s2_id="x", arxiv_id="2401.00001",
    ...               doi=None, year=2024, venue=None, url="", score=1.0, cites_list_papers=(),
    ...               cited_by_list_papers=(), similarity=None, recommended_rank=None,
    ...               suggested_task=None)
    >>> markdown_row(c)
    '[GeoX \\\\[v2\\\\]](https://arxiv.org/abs/2401.00001)|arXiv 2024|-'
    >>> rows = [ListEntry("paper", "A", "https://a.org", "VQA", "VQA", 3,
    ...                   "* **[A](https://a.org)** (CVPR 2023) [[code]](https://c.org)")]
    >>> markdown_row(c, rows)
    '* **[GeoX \\\\[v2\\\\]](https://arxiv.org/abs/2401.00001)** (arXiv 2024)'
    """
    link = paper_link(candidate.arxiv_id, candidate.doi, candidate.s2_id, candidate.url)
    rows = section_rows or ()
    lines = split_lines(list_text) if list_text else None
    return Markdown(_render_row(
        _section_shape(rows, lines, _link_labels(rows)), candidate.title, link,
        _venue(candidate, spell_venue), candidate.year,
    ))


def with_rows(
    candidates: Sequence[Candidate],
    entries: Sequence[ListEntry],
    list_text: str | None = None,
    spell_venue: Callable[[str], str] = normalize_venue,
) -> list[Candidate]:
    """Return the candidates with ``markdown_row`` written like their suggested task's rows.

    ``entries`` are the list's rows and ``list_text`` the text they were read from
    (``ListDocument.text``): with it, table rows are filled cell by cell by their table's header.
    A candidate with no suggested task, or a task the list has no rows for, gets the bundled
    list's shape. The paper link's label follows the convention of the list's rows (see
    ``_link_labels``), and the venue is written as ``spell_venue`` gives it.
    """
    rows_by_task: dict[str, list[ListEntry]] = {}
    for entry in entries:
        if entry.kind == "paper":
            rows_by_task.setdefault(entry.task, []).append(entry)
    labels = _link_labels(entries)
    lines = split_lines(list_text) if list_text else None  # once: a list has many sections
    shapes = {task: _section_shape(rows, lines, labels) for task, rows in rows_by_task.items()}
    return [
        replace(c, markdown_row=_render_row(
            shapes.get(c.suggested_task or "", _DEFAULT_SHAPE), c.title, c.url,
            _venue(c, spell_venue), c.year,
        ))
        for c in candidates
    ]


def _venue(candidate: Candidate, spell_venue: Callable[[str], str]) -> str:
    venue = candidate.venue or ("arXiv" if candidate.arxiv_id else "")
    return spell_venue(venue) if venue else ""


def _fold(text: str) -> str:
    """Letters and digits, lower case, without years: "CVPR 2024" and "cvpr" are one venue."""
    return re.sub(r"[^a-z0-9]", "", _YEAR.sub("", text.casefold()))


def _link_labels(entries: Sequence[ListEntry]) -> _LinkLabels:
    """Learn how the list's table rows label their paper links: by the row's venue (most rows'
    label is their own venue, not a site's name), else by the link's site (what the rows call
    arXiv, DOI and Semantic Scholar links), else by the one label most rows give any link.

    A row's paper link is its link to ``entry.url`` other than the title. Bullets are left out:
    their shape copies the last bullet's link text.
    """
    venue_labels: list[str | None] = []  # per row labelled by its venue: what joins its year
    site_labels: list[tuple[str, str | None]] = []  # (label, link_kind) of the other rows
    for entry in entries:
        if entry.kind != "paper" or not entry.url or is_bullet_line(entry.raw):
            continue
        url = canonical_url(entry.url)
        for match in _LINK.finditer(entry.raw):
            label = match[1].strip()
            if (canonical_url(match[2]) != url
                    or normalize_title(label) == normalize_title(entry.title)):
                continue
            venues = {_fold(v) for v in (entry.venue, entry.venue_name) if v}
            if _fold(label) in venues - {""} and _fold(label) not in _SITE_WORDS:
                joined = re.search(rf"(\s*){entry.year}", label) if entry.year else None
                venue_labels.append(joined[1] if joined else None)
            else:
                site_labels.append((label, link_kind(match[2])))
            break
    if len(venue_labels) > len(site_labels):
        joiners = Counter(venue_labels).most_common(1)[0][0]
        return _LinkLabels(by_venue=True, year=joiners)
    by_site = {site: Counter(label for label, kind in site_labels if kind == site).most_common(1)
               for site in _SITE_LABELS}
    anywhere = Counter(label for label, _ in site_labels if _fold(label) not in _SITE_WORDS)
    constant = anywhere.most_common(1)[0] if anywhere else None
    return _LinkLabels(
        by_site={site: found[0][0] for site, found in by_site.items() if found},
        constant=constant[0] if constant and 2 * constant[1] >= len(site_labels) else None,
    )


def _section_shape(
    rows: Sequence[ListEntry], lines: Sequence[str] | None, labels: _LinkLabels
) -> _Shape:
    """How the section of ``rows[0]`` writes its entries: as its last entry is written."""
    section = rows[0].section if rows else None
    rows = sorted((e for e in rows if e.raw.strip() and e.section == section), key=lambda e: e.line)
    if rows and is_bullet_line(rows[-1].raw):
        return _bullet_shape(rows[-1])
    table_rows = [e for e in rows if not is_bullet_line(e.raw)]
    return _table_shape(table_rows, lines, labels) if table_rows else _DEFAULT_SHAPE


def _table_shape(
    table_rows: Sequence[ListEntry], lines: Sequence[str] | None, labels: _LinkLabels
) -> _TableShape:
    """Pipes and padding of most rows; each column's role from the table's header in the
    list's ``lines``, else the bundled list's columns."""
    layouts = Counter(_row_layout(e.raw) for e in table_rows)
    # the most common layout, the first row's on a tie (a Counter keeps first-seen order)
    leading, trailing, padded, n_cells = max(layouts, key=layouts.__getitem__)
    header = _table_header(lines, table_rows[0].line) if lines is not None else None
    roles = header_roles(header) if header else ()
    if "title" not in roles:
        return _TableShape(leading, trailing, padded, _DEFAULT_SHAPE.roles[:2]
                           + (None,) * max(0, n_cells - 2))
    cells = [table_cells(e.raw) for e in table_rows]
    column = [row[roles.index("title")] if len(row) > roles.index("title") else "" for row in cells]
    empty = Counter(cell for row in cells for cell in row if cell.casefold() in _NONE_WORDS
                    or ("](" not in cell and not any(ch.isalnum() for ch in cell)))
    venues = [row[roles.index("venue")] for row in cells
              if "venue" in roles and len(row) > roles.index("venue")]
    return _TableShape(
        leading, trailing, padded, roles,
        linked_title=2 * sum("](" in cell for cell in column) >= len(column),
        linked_venue=2 * sum("](" in cell for cell in venues) > len(cells),
        none=empty.most_common(1)[0][0] if empty else "-", labels=labels,
    )


def _table_header(lines: Sequence[str], first_row: int) -> str | None:
    """The header line of the table whose first row is line ``first_row`` (1-based) of
    ``lines``: walks up through that table only, so all sections together cost one pass."""
    top = first_row - 1
    while 0 < top <= len(lines) and _is_table_line(lines[top - 1]):
        top -= 1
    # the header and the delimiter line stand above the first row
    return lines[top] if top <= first_row - 3 else None


def _is_table_line(text: str) -> bool:
    return "|" in text and not is_bullet_line(text) and not text.lstrip().startswith("#")


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


def _render_row(shape: _Shape, title: str, link: str, venue: str, year: int | None) -> str:
    if isinstance(shape, _BulletShape):
        published = " ".join(str(p) for p in (venue, year) if p)
        written = (markdown_link(title, link, references=True) if shape.linked_title
                   else markdown_text(title, references=True))
        return "".join((
            shape.marker, shape.title[0], written, shape.title[1],
            f"{shape.venue[0]}{published}{shape.venue[1]}" if published else "",
            f"{shape.paper[0]}{markdown_url(link) or ''}{shape.paper[1]}" if shape.paper[0] else "",
        ))
    # the parser takes a bracket in a plain-text title cell for a broken link: link such a title
    linked_title = shape.linked_title or bool(re.search(r"[\[\]]|://", title))
    # a Year column takes the year; else the venue cell holds both ("TGRS 2024")
    published = " ".join(str(p) for p in (venue, None if "year" in shape.roles else year) if p)
    by_role = {
        "title": (markdown_link(title, link, references=True) if linked_title
                  else markdown_text(title, references=True)),
        "venue": markdown_text(published, references=True),
        "year": str(year or ""),
    }
    cells: list[str] = []
    linked = False
    for role in shape.roles:
        # one link: in a linked venue cell, else in the first Paper/PDF/Link column
        if not linked and role == "venue" and shape.linked_venue:
            by_label = shape.labels.by_venue or not published
            cells.append(markdown_link(
                shape.labels.label(link, venue, year) if by_label else published, link,
                references=True))
            linked = True
        elif not linked and role in _LINK_COLUMNS:
            cells.append(markdown_link(shape.labels.label(link, venue, year), link,
                                       references=True))
            linked = True
        else:
            cells.append(by_role.get(role or "") or shape.none)
    pad = " " if shape.padded else ""
    return (("|" + pad if shape.leading else "") + f"{pad}|{pad}".join(cells)
            + (pad + "|" if shape.trailing else ""))
