"""The curated Markdown list → ``ListDocument``, offline.

markdown-it-py (CommonMark plus the GFM table rule) does the Markdown; this module only reads
its tokens: headings give each entry its section and task, tables are read by their header
words (not by column position), and bullet items that start with a linked or bold title are
read as entries too. A row that cannot be understood becomes a problem on the document, with its
file and line, and parsing goes on.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import ftfy
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import ListParseError
from ..identifiers import ids_from_url, normalize_venue, slugify
from ..models import EntryKind, ListDocument, ListEntry, PaperIds
from .curation import Curation, curate

__all__ = ["parse_list", "read_list", "split_venue_year", "is_bullet_line", "header_roles"]

logger = logging.getLogger(__name__)

_MARKDOWN = MarkdownIt("commonmark").enable("table")

# Header words (case-folded, spaces around "/" removed) → the column's role.
_HEADER_ROLES = {
    **dict.fromkeys(("title", "paper", "papers", "name", "dataset", "datasets", "method",
                     "methods"), "title"),
    **dict.fromkeys(("publication", "venue", "published in", "conference", "journal"), "venue"),
    "year": "year",
    **dict.fromkeys(("pdf", "paper link", "arxiv", "doi"), "paper"),
    **dict.fromkeys(("code", "project", "github", "code/project"), "code"),
    **dict.fromkeys(("home", "home/github", "home/project", "homepage"), "home"),
    # "| Title | Link |": the paper's link in a paper table, the home page in a dataset table
    **dict.fromkeys(("link", "links", "url"), "link"),
    **dict.fromkeys(("download", "download link", "download links", "data"), "download"),
}
# Which of several title-like headers names the entry: in "| Title | ... | Paper |" the Paper
# column holds the paper's link ("[PDF](…)"), not its title.
_TITLE_HEADER_RANK = ("title", "name", "method", "methods", "dataset", "datasets", "paper",
                      "papers")
_DATASET_TITLE_HEADERS = frozenset({"dataset", "datasets", "name"})
_DATASET_HEADINGS = frozenset({"dataset", "datasets"})
# Words of a bullet's secondary links ("[[code]](…)"), so they are not taken for its title.
_LINK_ROLES = {
    **dict.fromkeys(("paper", "pdf", "arxiv", "abs", "doi"), "paper"),
    **dict.fromkeys(("code", "github", "project", "project page", "repo", "repository"), "code"),
    **dict.fromkeys(("home", "homepage", "website", "page"), "home"),
    **dict.fromkeys(("data", "download", "dataset"), "download"),
}
_VENUE_YEAR = re.compile(r"(?P<venue>.*?)[\s,(]*\b(?P<year>(?:19|20)\d{2})\)?\.?")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_DATASET_SUFFIX = re.compile(r"\s*\bdatasets?\s*$", re.IGNORECASE)
_UNCLOSED_LINK = re.compile(r"\[|\]\(|https?://")
_BULLET_SEPARATORS = " \t|-–—,:;()[]"
_QUOTED_TITLE = re.compile(r"[\"“](?P<title>[^\"“”]+)[\"”]\s*(?P<rest>.*)")
_TITLE_VENUE_YEAR = re.compile(
    r"(?P<title>.+?)(?:[,.]\s+|\s+\()(?P<rest>[^,.()]*\b(?:19|20)\d{2}\)?\.?)")
_LINE_BREAK = re.compile(r"\r\n?|\n")
_BULLET_LINE = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s")


@dataclass(frozen=True, slots=True)
class _Link:
    text: str
    href: str
    is_badge: bool  # the link wraps an image (a shield badge)


@dataclass(frozen=True, slots=True)
class _Inline:
    """What this module needs of one inline run (a table cell or a bullet's first paragraph)."""

    text: str  # all visible text, links included, mojibake repaired, whitespace folded
    links: tuple[_Link, ...]
    leading: str  # "link" (also a bold link), "strong" or "text": what the run starts with
    strong: str  # text of a leading bold run
    outside: str  # text that is neither in a link nor in the leading bold run
    before_link: str  # the outside text before the first link


@dataclass(frozen=True, slots=True)
class _Columns:
    title: int
    venue: int | None
    year: int | None
    paper: tuple[int, ...]  # columns of paper links, when the title column holds plain text
    link: tuple[int, ...]  # "Link"/"URL": the paper link of a paper row, a dataset's home page
    code: tuple[int, ...]
    home: tuple[int, ...]
    download: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Table:
    """A table already met, kept to read rows that a blank line cut off from it."""

    header_source: str  # header and delimiter lines, as written
    heading_count: int  # headings seen when the table was read


def _fold_text(text: str) -> str:
    return " ".join(ftfy.fix_text(text).split())


def _read_inline(token: Token) -> _Inline:
    text: list[str] = []
    outside: list[str] = []
    strong: list[str] = []
    before_link: list[str] = []
    links: list[_Link] = []
    link: tuple[str, list[str], bool] | None = None  # href, text, holds an image
    leading = ""
    in_leading_strong = False
    children = token.children or []
    for index, child in enumerate(children):
        if not leading and not (child.type == "text" and not child.content.strip()):
            leading = {"link_open": "link", "strong_open": "strong"}.get(child.type, "text")
            if child.type in ("strong_open", "em_open") and index + 1 < len(children) and \
                    children[index + 1].type == "link_open":
                leading = "link"  # "**[Title](…)**": a linked title in bold
            in_leading_strong = leading == "strong"
        if child.type == "link_open":
            link = (str(child.attrs.get("href", "")), [], False)
        elif child.type == "link_close" and link is not None:
            links.append(_Link(_fold_text("".join(link[1])), link[0], link[2]))
            link = None
        elif child.type == "strong_close" and child.level == 0:
            in_leading_strong = False
        elif child.type in ("text", "code_inline", "image", "softbreak", "hardbreak"):
            piece = " " if child.type.endswith("break") else child.content
            text.append(piece)
            if link is not None:
                link[1].append(piece)
                link = (link[0], link[1], link[2] or child.type == "image")
            elif in_leading_strong:
                strong.append(piece)
            else:
                outside.append(piece)
                if not links:
                    before_link.append(piece)
    return _Inline(_fold_text("".join(text)), tuple(links), leading or "text",
                   _fold_text("".join(strong)), _fold_text("".join(outside)),
                   _fold_text("".join(before_link)))


def split_venue_year(text: str) -> tuple[str | None, int | None]:
    """Split a cell such as ``TGRS 2017``, ``GRSL 2022.`` or ``2023`` into venue and year.

    The venue is tidied by ``normalize_venue``; either part is ``None`` when absent.

    >>> split_venue_year("arxiv 2023"), split_venue_year("GRSL 2022."), split_venue_year("-")
    (('arXiv', 2023), ('GRSL', 2022), (None, None))
    """
    text = text.strip()
    if text in ("", "-"):
        return None, None
    match = _VENUE_YEAR.fullmatch(text)
    if match is not None:
        return normalize_venue(match["venue"]) or None, int(match["year"])
    if found := _YEAR.search(text):  # "ICCV 2023 Workshop": the year is not last
        return normalize_venue(text[:found.start()] + text[found.end():]) or None, int(found[0])
    return normalize_venue(text) or None, None


def _text_title(text: str) -> tuple[str, str]:
    """Split a bullet's unlinked lead text into title and venue text: ``"Title." ECCV 2024``,
    ``Title, TGRS 2020``, ``Title (AAAI 2024)`` or just ``Title``."""
    text = text.strip(_BULLET_SEPARATORS)
    if quoted := _QUOTED_TITLE.fullmatch(text):
        # citation style puts the title's closing period or comma inside the quotes
        return quoted["title"].rstrip(".,").strip(), quoted["rest"]
    if split := _TITLE_VENUE_YEAR.fullmatch(text):
        return split["title"], split["rest"]
    return text, ""


def is_bullet_line(text: str) -> bool:
    """Return whether `text` starts a list item (``-``, ``*``, ``+``, ``1.`` or ``1)``), which
    this parser reads as a bullet entry rather than a table row, even when it holds ``|``.

    >>> is_bullet_line("- [Title](https://a.b) | [code](https://c.d)")
    True
    >>> is_bullet_line("[Title](https://a.b)|TGRS 2020|-")
    False
    """
    return _BULLET_LINE.match(text) is not None


def _link_role(link: _Link) -> str | None:
    return _LINK_ROLES.get(link.text.strip("[] ").casefold())


def _web_links(links: Iterable[_Link]) -> tuple[str, ...]:
    # Anchors (the table of contents) and badges are navigation, not data.
    hrefs = (link.href for link in links
             if not link.is_badge and link.href.startswith(("http://", "https://")))
    return tuple(dict.fromkeys(hrefs))


def _header_key(text: str) -> str:
    return re.sub(r"\s*/\s*", "/", " ".join(text.split()).casefold())


def _roles(header: Sequence[_Inline]) -> list[str | None]:
    """The role of each header cell: one "title" column at most, by ``_TITLE_HEADER_RANK``."""
    keys = [_header_key(cell.text) for cell in header]
    roles = [_HEADER_ROLES.get(key) for key in keys]
    titles = [i for i, role in enumerate(roles) if role == "title"]
    if not titles:
        return roles
    title = min(titles, key=lambda i: (_TITLE_HEADER_RANK.index(keys[i]), i))
    for i in titles:
        if i != title:
            # "| Title | … | Paper |": a second title-like column holds links or nothing we read
            roles[i] = "paper" if keys[i] in ("paper", "papers") else None
    return roles


def header_roles(header: str) -> tuple[str | None, ...]:
    """Return the role this parser gives each column of a table whose header row is `header`.

    The roles are ``"title"`` (one column at most), ``"venue"``, ``"year"``, ``"paper"`` (the
    paper's link beside a plain-text title), ``"link"``, ``"code"``, ``"home"``, ``"download"``,
    or ``None`` for a column the parser does not read. A table without a ``"title"`` column is
    skipped by the parser.

    >>> header_roles("| Paper | Published in | Code/Project |")
    ('title', 'venue', 'code')
    >>> header_roles("|Title|Venue|Year|**Paper**|Notes|")
    ('title', 'venue', 'year', 'paper', None)
    """
    text = header.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    # GFM splits a row at every unescaped pipe, code spans included, then reads each cell inline
    cells = [_MARKDOWN.parseInline(cell.replace("\\|", "|"))[0]
             for cell in re.split(r"(?<!\\)\|", text)]
    return tuple(_roles([_read_inline(cell) for cell in cells]))


def _columns(header: Sequence[_Inline]) -> _Columns | None:
    roles = _roles(header)
    if "title" not in roles:
        return None
    title = roles.index("title")

    def first(role: str) -> int | None:
        return roles.index(role) if role in roles else None

    def every(role: str) -> tuple[int, ...]:
        return tuple(i for i, r in enumerate(roles) if r == role)

    return _Columns(title, first("venue"), first("year"), every("paper"), every("link"),
                    every("code"), every("home"), every("download"))


class _Parser:
    """Walks the token stream once, keeping the heading path, and collects entries and problems."""

    def __init__(self, text: str, path: str):
        self.path = path
        self.lines = _LINE_BREAK.split(text)
        self.headings: list[tuple[int, str]] = []  # (level, text) from the top
        self.heading_count = 0
        self.title: str | None = None
        self.entries: list[ListEntry] = []
        self.problems: list[ListParseError] = []
        self.last_table: _Table | None = None

    def problem(self, message: str, line: int) -> None:
        self.problems.append(ListParseError(message, self.path, line))

    def source(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start:end])

    @property
    def section(self) -> str:
        return self.headings[-1][1] if self.headings else ""

    def in_dataset_part(self) -> bool:
        return any(text.casefold() in _DATASET_HEADINGS for _, text in self.headings)

    def task(self, kind: EntryKind) -> str:
        task = self.section
        if kind == "dataset":
            # "Image Captioning Dataset" is the dataset side of the task "Image Captioning".
            task = _DATASET_SUFFIX.sub("", task) or task
        return task

    def walk(self, tokens: Sequence[Token]) -> None:
        for index, token in enumerate(tokens):
            if token.type == "heading_open":
                self.heading(int(token.tag[1]), _read_inline(tokens[index + 1]).text)
            elif token.type == "table_open":
                self.table(tokens, index, line_offset=0)
            elif token.type == "paragraph_open":
                self.paragraph(tokens, index)

    def paragraph(self, tokens: Sequence[Token], index: int) -> None:
        opener, inline = tokens[index], tokens[index + 1]
        start, end = opener.map or (0, 1)
        if index > 0 and tokens[index - 1].type == "list_item_open":
            self.bullet(inline, start, end)  # a list item's first paragraph
        elif opener.level == 0:
            self.stray_rows(inline, start, end)

    def heading(self, level: int, text: str) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, text))
        self.heading_count += 1
        if level == 1 and self.title is None:
            self.title = text

    def table(self, tokens: Sequence[Token], start: int, line_offset: int) -> None:
        rows: list[tuple[int, int, list[_Inline]]] = []
        for index in range(start, len(tokens)):
            token = tokens[index]
            if token.type == "table_close":
                break
            if token.type == "tr_open":
                span = token.map or [0, 1]
                rows.append((span[0] + line_offset, span[1] + line_offset, []))
            elif token.type == "inline" and rows:
                rows[-1][2].append(_read_inline(token))
        if not rows:
            return
        header_line = rows[0][0]
        columns = _columns(rows[0][2])
        if columns is None:
            self.last_table = None
            self.problem(
                "table has no title column (want a header such as Title, Paper, Name, Dataset or "
                f"Method); its {len(rows) - 1} row(s) are skipped", header_line + 1)
            return
        if line_offset == 0:
            self.last_table = _Table(self.source(header_line, header_line + 2), self.heading_count)
        kind: EntryKind = ("dataset" if _header_key(rows[0][2][columns.title].text)
                           in _DATASET_TITLE_HEADERS or self.in_dataset_part() else "paper")
        for first, last, cells in rows[1:]:
            self.row(kind, columns, cells, first, last)

    def stray_rows(self, inline: Token, start: int, end: int) -> None:
        """Read table rows that a blank line cut off from their table (Markdown makes them a
        paragraph) by parsing them again under that table's header."""
        table = self.last_table
        if table is None or table.heading_count != self.heading_count:
            return
        body = self.lines[start:end]
        if not any(c.type == "link_open" for c in inline.children or []) or not all(
                "|" in line for line in body):
            return
        logger.warning("%s:%d: table rows after a blank line; read with the table above",
                       self.path, start + 1)
        # The header takes two lines, so row k of the new text is line start + k - 2 here.
        tokens = _MARKDOWN.parse(table.header_source + "\n" + "\n".join(body))
        if tokens and tokens[0].type == "table_open":
            self.table(tokens, 0, line_offset=start - 2)

    def row(self, kind: EntryKind, columns: _Columns, cells: Sequence[_Inline], first: int,
            last: int) -> None:
        line = first + 1
        title_cell = cells[columns.title]
        links = [link for link in title_cell.links if not link.is_badge]
        title, url = (links[0].text, links[0].href) if links else (title_cell.text, None)
        if not links and _UNCLOSED_LINK.search(title_cell.text):
            self.problem(f"title cell {title_cell.text!r} has a broken link "
                         "(want [Title](https://…)); row skipped", line)
            return
        if not slugify(title):
            self.problem("row has no title (a letter or digit in its title cell); row skipped",
                         line)
            return

        def links_of(indices: Iterable[int]) -> tuple[str, ...]:
            return _web_links(link for i in indices for link in cells[i].links)

        venue, year = (split_venue_year(cells[columns.venue].text) if columns.venue is not None
                       else (None, None))
        if columns.year is not None and (found := _YEAR.search(cells[columns.year].text)):
            year = int(found[0])  # a Year column wins over a year inside the venue cell
        # "| Title | … | Paper |": the title is plain text and the link sits in its own column
        link_columns = columns.paper + (columns.link if kind == "paper" else ())
        if url is None and (paper_links := links_of(link_columns)):
            url = paper_links[0]
        if kind == "paper":
            others = links_of(columns.code + columns.home + columns.link)
            urls = {"code_urls": tuple(u for u in others if u != url)}
        else:
            urls = {"home_urls": links_of(columns.home + columns.link + columns.code),
                    "download_urls": links_of(columns.download)}
        self.add(ListEntry(kind=kind, title=title, url=url, section=self.section,
                           task=self.task(kind), line=line, raw=self.source(first, last),
                           venue=venue, year=year, **urls))

    def bullet(self, inline: Token, start: int, end: int) -> None:
        run = _read_inline(inline)
        links = [link for link in run.links if not link.is_badge
                 and link.href.startswith(("http://", "https://"))]
        venue_text = run.outside
        if run.leading == "strong" and any(_link_role(link) for link in links):
            title, url = run.strong, None  # "**Title** [[paper]](…) [[code]](…)"
        elif run.leading == "link" and links and links[0] is run.links[0] and \
                _link_role(links[0]) is None:
            title, url = links[0].text, links[0].href  # "[Title](…) …"
            links = links[1:]
        elif run.leading == "text" and any(_link_role(link) == "paper" for link in links):
            # '"Title." ECCV 2024. [[paper](…)]' or 'Title [[paper](…)]'
            (title, venue_text), url = _text_title(run.before_link), None
        else:
            return  # prose, a table of contents, a badge line: not an entry
        if not slugify(title) or title.casefold() in _LINK_ROLES:
            return  # "  - Paper: [arXiv](…)" under a bold title: a link's label, not a title
        kind: EntryKind = "dataset" if self.in_dataset_part() else "paper"
        roles: dict[str, list[str]] = {"paper": [], "code": [], "home": [], "download": []}
        for link in links:
            roles[_link_role(link) or "download"].append(link.href)
        if url is None and roles["paper"]:
            url = roles["paper"].pop(0)
        venue, year = None, None
        match = _VENUE_YEAR.fullmatch(venue_text.strip(_BULLET_SEPARATORS))
        if match is not None:
            venue, year = normalize_venue(match["venue"]) or None, int(match["year"])
        if kind == "paper":
            urls = {"code_urls": tuple(dict.fromkeys(roles["code"] + roles["home"]))}
        else:
            urls = {"home_urls": tuple(dict.fromkeys(roles["home"] + roles["code"])),
                    "download_urls": tuple(dict.fromkeys(roles["download"]))}
        self.add(ListEntry(kind=kind, title=title, url=url, section=self.section,
                           task=self.task(kind), line=start + 1, raw=self.source(start, end),
                           venue=venue, year=year, **urls))

    def add(self, entry: ListEntry) -> None:
        ids = ids_from_url(entry.url) if entry.url else PaperIds()
        self.entries.append(replace(entry, ids=ids))


def parse_list(text: str, path: str = "<string>", curation: Curation | None = None) -> ListDocument:
    """Parse the Markdown of a curated list into its entries.

    Parameters
    ----------
    text : str
        The list's Markdown.
    path : str, optional
        Where the text came from; it prefixes every problem's message.
    curation : Curation, optional
        Applied once to the parsed entries (``curation.curate``): task, venue and dataset
        aliases, ignored rows, pins; an empty curation by default.

    Returns
    -------
    ListDocument
        Entries in file order; ``problems`` holds a ``ListParseError`` (with line) for each row
        skipped. The title is the curation's ``list_name``, else the first level-1 heading,
        else the file name. Arbitrary text never makes this function raise: a text without
        entries gives a document without entries.

    Examples
    --------
    >>> doc = parse_list('''# Demo
    ... ## Remote Sensing Vision Language Model
    ... | Paper | Published in | Code/Project |
    ... |---|---|---|
    ... [RSGPT: A Vision Language Model](https://arxiv.org/abs/2307.15266)|arxiv 2023|-
    ... |RemoteGLM|2023|[code](https://github.com/lzw-lzw/RemoteGLM)|
    ... ''')
    >>> for e in doc.papers:
    ...     print(e.title, e.venue, e.year, e.ids.arxiv_id, e.code_urls)
    RSGPT: A Vision Language Model arXiv 2023 2307.15266 ()
    RemoteGLM None 2023 None ('https://github.com/lzw-lzw/RemoteGLM',)
    """
    parser = _Parser(text, path)
    parser.walk(_MARKDOWN.parse(text))
    document = ListDocument(path=path, title=parser.title or Path(path).stem,
                            entries=tuple(parser.entries), problems=tuple(parser.problems), text=text)
    return curate(document, curation or Curation())


def read_list(path: Path, curation: Curation | None = None) -> ListDocument:
    """Read and parse the list file at `path` (see ``parse_list``).

    Rows skipped or read in part are in the document's ``problems``, not logged: the caller
    reports them once (the CLI as warnings, ``lint`` as findings).

    Raises
    ------
    ListParseError
        If the file is missing, unreadable, empty, or holds no entry at all.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ListParseError(f"cannot read the list: {exc}; check the path", path) from exc
    if not text.strip():
        raise ListParseError("the list is empty", path)
    document = parse_list(text, str(path), curation)
    if not document.entries:
        # nothing usable: the first skipped row or table is most likely why
        first = document.problems[0] if document.problems else None
        raise ListParseError(
            "no paper or dataset entry found (want tables with a Title/Paper/Dataset column, or "
            "bullets such as '- [Title](https://…)')"
            + (f"; {first.reason}" if isinstance(first, ListParseError) else ""),
            path, first.line if isinstance(first, ListParseError) else None)
    return document
