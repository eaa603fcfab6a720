"""The curated Markdown list → ``ListDocument``, offline.

markdown-it-py (CommonMark plus the GFM table rule) does the Markdown; this module only reads
its tokens. Maintainers write entries in many shapes, and each is read:

* table rows, by their header words (not by column position): the title column, a Paper/PDF/
  Link column holding ``[Paper](…)`` labels, a linked venue (``[TGRS2024](…)``), and further
  columns with a recognisable role (tags, notes, sizes…) kept as the entry's attributes;
* bullets that start with a linked or bold title, or a title before its ``[[paper]](…)``; and
  bullets whose links are labels (``[📄 Paper](…)``, ``[**EarthGPT(Paper)**](…)``) with the title
  on the next line, in bold on the same line, or in the heading above;
* paragraphs ``[Title](…), Venue Year.``, one entry per line;
* heading entries: ``### Title`` followed by a line of links;
* all of these inside HTML blocks (``<div>``, ``<details>``, ``<p align=center>``).

A year and venue written before the entry (``2024-TGRS.``, ``**[CVPR 2024]**``) are read too.
Headings give each entry its section and task. A row that cannot be understood becomes a
problem on the document, with its file and line, and parsing goes on; so does a line that links
a paper (arXiv, DOI, IEEE Xplore, MDPI, ACM, ScienceDirect, CVF, Springer, Taylor & Francis…)
but is not read as an entry, with the reason. A table without a title column is a problem when
at least half its rows link a paper (a table of papers missing its header word); otherwise it
lists something else (tools, contests) and is no problem, and a paper one of its rows links in
passing, unless an entry links it, is a ``PaperMention``. So is a ``| Name | … |`` table outside a
"Dataset(s)" heading whose every row's name links a code repository (GitHub, GitLab, Gitee…):
it lists other awesome lists or toolboxes, not datasets. "Name" alone makes a table's rows
datasets otherwise; a "Dataset" header or heading always does, whatever the rows link.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import ftfy
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..errors import ListParseError, PaperMention
from ..identifiers import (
    canonical_url,
    ids_from_url,
    is_code_url,
    is_paper_url,
    normalize_venue,
)
from ..models import EntryKind, ListDocument, ListEntry, PaperIds
from .curation import Curation, curate
from .lines import split_lines, table_cells

__all__ = ["parse_list", "parse_entries", "read_list", "read_list_text", "split_venue_year",
           "is_bullet_line", "header_roles", "repair_mojibake"]

logger = logging.getLogger(__name__)

_MARKDOWN = MarkdownIt("commonmark").enable("table")
# mojibake is repaired once per document, line by line (ftfy's own segments); the line breaks and
# HTML entities stay for Markdown to read, so line numbers and markup are those of the file
_REPAIR = ftfy.TextFixerConfig(unescape_html=False, fix_line_breaks=False)


def repair_mojibake(text: str) -> str:
    """``text`` with mojibake repaired as the list's titles are (ftfy; line breaks and HTML
    entities left as written), for every outside text shown beside them (arXiv's author names).

    >>> repair_mojibake("Gui-Song Xia, Fran\u00c3\u00a7ois")
    'Gui-Song Xia, François'
    """
    return ftfy.fix_text(text, _REPAIR)


# Header words (case-folded, spaces around "/" removed) → the column's role.
_HEADER_ROLES = {
    **dict.fromkeys(("title", "paper", "papers", "name", "dataset", "datasets", "method",
                     "methods", "paper title"), "title"),
    **dict.fromkeys(("publication", "venue", "published in", "conference", "journal",
                     "conference/journal", "journal/conference"), "venue"),
    "year": "year",
    **dict.fromkeys(("pdf", "paper link", "paper links", "arxiv", "doi", "paper/pdf"), "paper"),
    **dict.fromkeys(("code", "project", "github", "code/project", "code link", "code links",
                     "repo", "repository"), "code"),
    **dict.fromkeys(("home", "home/github", "home/project", "homepage"), "home"),
    # "| Title | Link |": the paper's link in a paper table, the home page in a dataset table
    **dict.fromkeys(("link", "links", "url"), "link"),
    **dict.fromkeys(("download", "download link", "download links", "data"), "download"),
}
# Further columns kept as an entry's attributes, by header words; their links are the entry's
# other links (code of a paper, home of a dataset)
_ATTRIBUTE_HEADERS = frozenset({
    "tags", "tag", "keywords", "keyword", "topic", "topics", "affiliation", "affiliations",
    "institution", "organization", "organisation", "note", "notes", "remark", "remarks",
    "comment", "comments", "description", "highlights", "author", "authors", "abbreviation",
    "short name", "model", "acronym", "task", "tasks", "target", "size", "dataset size",
    "#images", "images", "image pairs", "image size", "resolution", "classes", "class",
    "#classes", "samples", "modality", "modalities", "source", "sensor", "location", "region",
    "foundation models", "experiment datasets", "datasets used",
})
# Which of several title-like headers names the entry: in "| Title | ... | Paper |" the Paper
# column holds the paper's link ("[PDF](…)"), not its title.
_TITLE_HEADER_RANK = ("title", "paper title", "name", "method", "methods", "dataset", "datasets",
                      "paper", "papers")
_DATASET_TITLE_HEADERS = frozenset({"dataset", "datasets", "name"})
_DATASET_HEADINGS = frozenset({"dataset", "datasets"})
# Words of a bullet's secondary links ("[[code]](…)", "[📄 Paper](…)"), so they are not taken for
# its title.
_LINK_ROLES = {
    **dict.fromkeys(("paper", "pdf", "arxiv", "abs", "doi", "ieee", "ieee xplore", "openreview",
                     "paper link", "full paper", "preprint"), "paper"),
    **dict.fromkeys(("code", "github", "project", "project page", "repo", "repository",
                     "gitlab", "source code"), "code"),
    **dict.fromkeys(("home", "homepage", "website", "page", "webpage", "demo", "model",
                     "huggingface", "hugging face", "hf", "weights"), "home"),
    **dict.fromkeys(("data", "download", "dataset"), "download"),
}
# "EarthGPT(Paper)", "github (code)": a short name and the link's role
_NAMED_LABEL = re.compile(r"(?P<name>[^()\[\]]{1,40}?)\s*[(\[](?P<label>[^()\[\]]+)[)\]]")
_LABEL_NOISE = re.compile(r"[^\w\s/&-]+")
_VENUE_YEAR = re.compile(r"(?P<venue>.*?)[\s,(']*(?<!\d)(?P<year>(?:19|20)\d{2})\)?\.?")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
# "2024-TGRS.", "[CVPR 2024]", "(ICLR '2024)", "[2024]" before an entry
_PREFIX = re.compile(
    r"\s*(?:(?P<year1>(?:19|20)\d{2})\s*[-–]\s*(?P<venue1>[^\s.,:|\[\]()]+)[.:]?"
    r"|[\[(](?P<venue2>[^\[\]()]*?)[\s,]*'?(?P<year2>(?:19|20)\d{2})[\])])\s*[:.|–—-]?\s*")
_NUMBERING = re.compile(r"\s*\d{1,4}[.)]\s+")
_HEADING_SYMBOLS = re.compile(r"^[^\w\[(\"“']+")
_DATASET_SUFFIX = re.compile(r"\s*\bdatasets?\s*$", re.IGNORECASE)
_UNCLOSED_LINK = re.compile(r"\[|\]\(|https?://")
_BULLET_SEPARATORS = " \t|-–—,:;()[]"
_QUOTED_TITLE = re.compile(r"[\"“](?P<title>[^\"“”]+)[\"”]\s*(?P<rest>.*)")
_TITLE_VENUE_YEAR = re.compile(
    r"(?P<title>.+?)(?:[,.]\s+|\s+\()(?P<rest>[^,.()]*\b(?:19|20)\d{2}\)?\.?)")
_BULLET_LINE = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s")
_HREF = re.compile(r"https?://[^\s)\]>\"'|]+")
_HTML_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class _Piece:
    """One run of an inline: text, a line break, or a link with its text."""

    kind: str  # "text", "break" or "link"
    text: str
    href: str = ""
    is_badge: bool = False  # a link wrapping an image (a shield badge)
    strong: int = 0  # which bold run it sits in (numbered from 1), 0 outside bold


@dataclass(frozen=True, slots=True)
class _Link:
    text: str
    href: str
    is_badge: bool


@dataclass(frozen=True, slots=True)
class _Inline:
    """What this module needs of one inline run (a table cell or a bullet's first paragraph)."""

    text: str  # all visible text, links included, mojibake repaired, whitespace folded
    links: tuple[_Link, ...]
    leading: str  # "link" (also a bold link), "strong" or "text": what the run starts with
    strong: str  # text of a leading bold run
    outside: str  # text that is neither in a link nor in the leading bold run
    before_link: str  # the outside text before the first link
    pieces: tuple[_Piece, ...] = ()


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
    attributes: tuple[tuple[int, str], ...] = ()  # (column, attribute name)


@dataclass(frozen=True, slots=True)
class _Table:
    """A table already met, kept to read rows that a blank line cut off from it."""

    header_source: str  # header and delimiter lines, as written
    heading_count: int  # headings seen when the table was read


@dataclass(slots=True)
class _Heading:
    """The last heading: the title of an entry whose links follow it (``### Title`` + links)."""

    title: str
    line: int
    venue: str | None
    year: int | None
    entries: int  # entries the document had when the heading was met
    used: bool = False


@dataclass(frozen=True, slots=True)
class _Found:
    """An entry read from a bullet or a paragraph line, before it gets its place."""

    title: str | None  # None: the links are labels and the title is elsewhere
    url: str | None
    links: tuple[_Link, ...]  # the other links
    venue: str | None
    year: int | None
    short_name: str | None = None
    extra_lines: tuple[int, ...] = field(default=())


def _paper_links(line: str) -> list[str]:
    """The paper links (``is_paper_url``) of one source line: a line holding one must be an
    entry, or say why it is not."""
    return [href for href in _HREF.findall(line) if is_paper_url(href)]


def _fold_text(text: str) -> str:
    return " ".join(text.split())


def _pieces(children: Sequence[Token]) -> list[_Piece]:
    pieces: list[_Piece] = []
    link: tuple[str, list[str], bool, int] | None = None  # href, text, holds an image, bold run
    depth = run = 0
    for child in children:
        kind = child.type
        if kind == "link_open":
            link = (str(child.attrs.get("href", "")), [], False, run if depth else 0)
        elif kind == "link_close" and link is not None:
            pieces.append(_Piece("link", _fold_text("".join(link[1])), link[0], link[2], link[3]))
            link = None
        elif kind == "strong_open":
            depth += 1
            run += depth == 1
        elif kind == "strong_close":
            depth = max(0, depth - 1)
        elif kind in ("softbreak", "hardbreak"):
            if link is not None:
                link[1].append(" ")
            else:
                pieces.append(_Piece("break", " "))
        elif kind in ("text", "code_inline", "image"):
            if link is not None:
                link[1].append(child.content)
                link = (link[0], link[1], link[2] or kind == "image", link[3])
            else:
                pieces.append(_Piece("text", child.content, strong=run if depth else 0))
    return pieces


def _inline(pieces: Sequence[_Piece]) -> _Inline:
    lead = next((p for p in pieces if p.kind == "link" or p.text.strip()), None)
    leading = ("text" if lead is None or (lead.kind != "link" and not lead.strong)
               else "link" if lead.kind == "link" else "strong")
    lead_run = lead.strong if lead is not None and leading == "strong" else -1
    links = tuple(_Link(p.text, p.href, p.is_badge) for p in pieces if p.kind == "link")
    outside = [p for p in pieces if p.kind != "link" and p.strong != lead_run]
    first_link = next((i for i, p in enumerate(pieces) if p.kind == "link"), len(pieces))
    return _Inline(
        _fold_text("".join(p.text for p in pieces)), links, leading,
        _fold_text("".join(p.text for p in pieces if p.kind == "text" and p.strong == lead_run)),
        _fold_text("".join(p.text for p in outside)),
        _fold_text("".join(p.text for p in pieces[:first_link] if p in outside)),
        tuple(pieces))


def _read_inline(token: Token) -> _Inline:
    return _inline(_pieces(token.children or []))


def split_venue_year(text: str) -> tuple[str | None, int | None]:
    """Split a cell such as ``TGRS 2017``, ``GRSL 2022.``, ``JSTARS2022`` or ``2023`` into venue
    and year.

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


def _prefix(text: str, rest: bool = True) -> tuple[int, str | None, int | None]:
    """Length, venue and year of a ``2024-TGRS.`` or ``[CVPR 2024]`` at the start of ``text``
    (0 when there is none, or, with ``rest``, when nothing follows it in ``text``)."""
    match = _PREFIX.match(text)
    if match is None or (rest and not text[match.end():].strip()):
        return 0, None, None
    venue = match["venue1"] or match["venue2"] or ""
    return match.end(), normalize_venue(venue.strip(" ,'")) or None, int(match["year1"]
                                                                          or match["year2"])


def _drop_prefix(pieces: Sequence[_Piece]) -> tuple[list[_Piece], str | None, int | None]:
    before = _until_link(pieces)
    length, venue, year = _prefix("".join(p.text for p in before), rest=len(before) == len(pieces))
    if not length:
        return list(pieces), None, None
    rest: list[_Piece] = []
    for piece in pieces:
        if length <= 0 or piece.kind == "link":
            rest.append(piece)
            length = 0
            continue
        if len(piece.text) > length:
            rest.append(replace(piece, text=piece.text[length:]))
        length -= len(piece.text)
    return rest, venue, year


def _until_link(pieces: Iterable[_Piece]) -> list[_Piece]:
    out = []
    for piece in pieces:
        if piece.kind == "link":
            break
        out.append(piece)
    return out


def heading_title(text: str) -> tuple[str, str | None, int | None]:
    """The title a heading gives an entry: without its numbering and its ``[ICLR '2024]``."""
    text = _HEADING_SYMBOLS.sub("", text)  # "🚀 Title"
    text = text[m.end():] if (m := _NUMBERING.match(text)) else text
    length, venue, year = _prefix(text)
    return text[length:].strip(), venue, year


def is_bullet_line(text: str) -> bool:
    """Return whether `text` starts a list item (``-``, ``*``, ``+``, ``1.`` or ``1)``), which
    this parser reads as a bullet entry rather than a table row, even when it holds ``|``.

    >>> is_bullet_line("- [Title](https://a.b) | [code](https://c.d)")
    True
    >>> is_bullet_line("[Title](https://a.b)|TGRS 2020|-")
    False
    """
    return _BULLET_LINE.match(text) is not None


def _label(text: str) -> str:
    return _fold_text(_LABEL_NOISE.sub(" ", text)).casefold().strip(" -/&")


def _link_role(link: _Link) -> str | None:
    """The role a link's text gives it (``[[code]]``, ``[📄 Paper]``, ``[EarthGPT(Paper)]``), or
    ``None`` for a link whose text is a title."""
    if role := _LINK_ROLES.get(_label(link.text)):
        return role
    named = _NAMED_LABEL.fullmatch(link.text.strip())
    if named and len(named["name"].split()) <= 3:
        return _LINK_ROLES.get(_label(named["label"]))
    return None


def _short_name(link: _Link) -> str | None:
    named = _NAMED_LABEL.fullmatch(link.text.strip())
    return named["name"].strip() if named and _link_role(link) else None


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
    or ``None`` for a column the parser does not read (or keeps only as an attribute). A table
    without a ``"title"`` column is skipped by the parser.

    >>> header_roles("| Paper | Published in | Code/Project |")
    ('title', 'venue', 'code')
    >>> header_roles("|Title|Venue|Year|**Paper**|Notes|")
    ('title', 'venue', 'year', 'paper', None)
    """
    # GFM splits a row at every unescaped pipe, code spans included, then reads each cell inline
    cells = [_MARKDOWN.parseInline(repair_mojibake(cell.replace("\\|", "|")))[0]
             for cell in table_cells(header)]
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

    keys = [_header_key(cell.text) for cell in header]
    attributes = tuple((i, re.sub(r"\W+", "_", keys[i]).strip("_")) for i, role in
                       enumerate(roles) if role is None and keys[i] in _ATTRIBUTE_HEADERS)
    return _Columns(title, first("venue"), first("year"), every("paper"), every("link"),
                    every("code"), every("home"), every("download"), attributes)


def _names_code(title_cells: Iterable[_Inline]) -> bool:
    """Whether every row's title cell links, first, a code repository (``is_code_url``): a
    "| Name | Description |" table of other awesome lists or toolboxes, not of datasets."""
    firsts = [next((link.href for link in cell.links if not link.is_badge), None)
              for cell in title_cells]
    return bool(firsts) and all(url is not None and is_code_url(url) for url in firsts)


def _has_text(text: str) -> bool:
    """A letter or digit in any script (遥感, Обзор), as a title needs."""
    return any(ch.isalnum() for ch in text)


def _is_nothing(text: str) -> bool:
    """A cell that says nothing: no letter or digit, or a word for "nothing here"."""
    return not _has_text(text) or text.casefold() in ("n/a", "na", "none", "tbd")


class _Parser:
    """Walks the token stream once, keeping the heading path, and collects entries and problems."""

    def __init__(self, text: str, repaired: str, path: str):
        self.path = path
        self.lines = split_lines(text)  # as written: each entry's raw source
        self.repaired = split_lines(repaired)  # what Markdown reads
        self.headings: list[tuple[int, str, int]] = []  # (level, text, line) from the top
        self.entry_headings: set[int] = set()  # lines of headings that are entries' titles
        self.heading_count = 0
        self.title: str | None = None
        self.entries: list[ListEntry] = []
        self.problems: list[ListParseError] = []
        self.last_table: _Table | None = None
        self.last_heading: _Heading | None = None
        self.covered: set[int] = set()  # lines read as (part of) an entry, or reported
        self.why: dict[int, str] = {}  # why a line is not an entry
        self.mentions: set[int] = set()  # lines of tables that list no papers: links in passing
        self.nested = False  # walking the Markdown inside an HTML block

    def problem(self, message: str, line: int, lines: Iterable[int] = (),
                kind: type[ListParseError] = ListParseError) -> None:
        self.problems.append(kind(message, self.path, line))
        self.covered.update((line, *lines))

    def source(self, start: int, end: int) -> str:
        return "\n".join(self.lines[start:end])

    def explain(self, start: int, end: int, reason: str) -> None:
        for line in range(start + 1, end + 1):
            self.why.setdefault(line, reason)

    @property
    def section(self) -> str:
        """The nearest heading above that is not itself an entry's title."""
        return next((text for _, text, line in reversed(self.headings)
                     if line not in self.entry_headings), "")

    def in_dataset_part(self) -> bool:
        return any(text.casefold() in _DATASET_HEADINGS for _, text, _ in self.headings)

    def task(self, kind: EntryKind, section: str | None = None) -> str:
        task = self.section if section is None else section
        if kind == "dataset":
            # "Image Captioning Dataset" is the dataset side of the task "Image Captioning".
            task = _DATASET_SUFFIX.sub("", task) or task
        return task

    def walk(self, tokens: Sequence[Token]) -> None:
        for index, token in enumerate(tokens):
            start, end = token.map or (0, 0)
            if token.type == "heading_open":
                self.heading(int(token.tag[1]), _read_inline(tokens[index + 1]).text, start)
            elif token.type == "table_open":
                self.table(tokens, index, line_offset=0)
            elif token.type == "paragraph_open":
                self.paragraph(tokens, index)
            elif token.type == "html_block" and not self.nested:
                self.html_block(token)
            elif token.type in ("fence", "code_block"):
                self.explain(start, end, "it is in a code block")
            elif token.type == "html_block":
                self.explain(start, end, "it is in an HTML block")

    def html_block(self, token: Token) -> None:
        """Read the Markdown that HTML tags wrap (``<div align=center>`` around a table): the
        tags are dropped, the lines keep their numbers."""
        start, end = token.map or (0, 0)
        if token.content.lstrip().startswith("<!--"):
            self.explain(start, end, "it is in an HTML comment")
            return
        inner = [_HTML_TAG.sub("", line) if line.lstrip().startswith("<") else line
                 for line in token.content.split("\n")]
        self.nested = True
        self.walk(_MARKDOWN.parse("\n" * start + "\n".join(inner)))
        self.nested = False

    def paragraph(self, tokens: Sequence[Token], index: int) -> None:
        opener, inline = tokens[index], tokens[index + 1]
        start, end = opener.map or (0, 1)
        if index > 0 and tokens[index - 1].type == "list_item_open":
            self.bullet(inline, start, end)  # a list item's first paragraph
        elif opener.level == 0 and not self.stray_rows(inline, start, end):
            self.paragraph_lines(inline, start, end)
        else:
            self.explain(start, end, "it is in a paragraph that does not start an entry")

    def heading(self, level: int, text: str, start: int) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, text, start + 1))
        self.heading_count += 1
        if level == 1 and self.title is None:
            self.title = text
        title, venue, year = heading_title(text)
        self.last_heading = _Heading(title, start + 1, venue, year, len(self.entries))
        self.explain(start, start + 1, "it is in a heading")

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
            self.untitled_table(header_line, rows[-1][1], [first for first, _, _ in rows[1:]])
            return
        if line_offset == 0:
            self.last_table = _Table("\n".join(self.repaired[header_line:header_line + 2]),
                                     self.heading_count)
        header = _header_key(rows[0][2][columns.title].text)
        if header == "name" and not self.in_dataset_part() and _names_code(
                cells[columns.title] for _, _, cells in rows[1:]):
            self.content(header_line, rows[-1][1], "it is in a table whose every Name links a "
                         "code repository (other lists, toolboxes), which lists no papers or "
                         "datasets")
            return
        kind: EntryKind = ("dataset" if header in _DATASET_TITLE_HEADERS
                           or self.in_dataset_part() else "paper")
        for first, last, cells in rows[1:]:
            self.row(kind, columns, cells, first, last)

    def untitled_table(self, start: int, end: int, row_starts: Sequence[int]) -> None:
        """A table without a title column, lines ``start``..``end`` (0-based, end excluded).

        When at least half its rows link a paper it is a table of papers that lacks only its
        header word, and it is a problem: its papers would be lost. Otherwise it lists something
        else (tools, contests, scores): normal content, no problem; a paper that one of its rows
        links in passing, and no entry links, is said by ``check_paper_links`` as a
        ``PaperMention``.
        """
        linking = sum(bool(_paper_links(self.repaired[first])) for first in row_starts)
        if linking and 2 * linking >= len(row_starts):
            self.problem(
                "table has no title column (want a header such as Title, Paper, Name, Dataset or "
                f"Method); its {len(row_starts)} row(s) are skipped, {linking} of them linking a "
                "paper", start + 1, range(start + 1, end + 1))
            return
        self.content(start, end, "it is in a table without a title column, which lists no "
                     "papers (most of its rows link none)")

    def content(self, start: int, end: int, why: str) -> None:
        """Lines ``start``..``end`` (0-based, end excluded) are a table of something else than
        papers and datasets: the papers its rows link in passing are mentions."""
        self.mentions.update(range(start + 1, end + 1))
        self.explain(start, end, f"{why}; if the list should hold this paper, give it a row of "
                     "a paper table")

    def stray_rows(self, inline: Token, start: int, end: int) -> bool:
        """Read table rows that a blank line cut off from their table (Markdown makes them a
        paragraph) by parsing them again under that table's header."""
        table = self.last_table
        if table is None or table.heading_count != self.heading_count:
            return False
        body = self.repaired[start:end]
        if not any(c.type == "link_open" for c in inline.children or []) or not all(
                "|" in line for line in body):
            return False
        logger.warning("%s:%d: table rows after a blank line; read with the table above",
                       self.path, start + 1)
        # The header takes two lines, so row k of the new text is line start + k - 2 here.
        tokens = _MARKDOWN.parse(table.header_source + "\n" + "\n".join(body))
        if tokens and tokens[0].type == "table_open":
            self.table(tokens, 0, line_offset=start - 2)
        return True

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
        if not _has_text(title):
            self.problem("row has no title (a letter or digit in its title cell); row skipped",
                         line)
            return

        def links_of(indices: Iterable[int]) -> tuple[str, ...]:
            return _web_links(link for i in indices for link in cells[i].links)

        venue, year = (split_venue_year(cells[columns.venue].text) if columns.venue is not None
                       else (None, None))
        if columns.year is not None and (found := _YEAR.search(cells[columns.year].text)):
            year = int(found[0])  # a Year column wins over a year inside the venue cell
        # "| Title | … | Paper |": the title is plain text and the link sits in its own column;
        # "| … | [TGRS2024](…) |": a linked venue is the paper's link
        link_columns = columns.paper + (columns.link if kind == "paper" else ())
        paper_links = links_of(link_columns) + links_of(
            () if columns.venue is None else (columns.venue,))
        named = None  # a title cell linking a home page or code, beside the paper's link
        if url is None and paper_links:
            url = paper_links[0]
        elif url is not None and not is_paper_url(url) and (
                better := next((u for u in paper_links if is_paper_url(u)), None)):
            named, url = url, better
        others = links_of(columns.code + columns.home + columns.link
                          + tuple(i for i, _ in columns.attributes))
        attributes = tuple((name, cells[i].text) for i, name in columns.attributes
                           if i < len(cells) and not _is_nothing(cells[i].text))
        named_links = (named,) if named else ()
        code_urls: tuple[str, ...] = ()
        home_urls: tuple[str, ...] = ()
        download_urls: tuple[str, ...] = ()
        if kind == "paper":
            code_urls = tuple(dict.fromkeys(u for u in named_links + others if u != url))
        else:
            home_urls = tuple(dict.fromkeys(
                named_links + links_of(columns.home + columns.link + columns.code)))
            download_urls = links_of(columns.download)
        self.add(ListEntry(kind=kind, title=title, url=url, section=self.section,
                           task=self.task(kind), line=line, raw=self.source(first, last),
                           venue=venue, year=year, code_urls=code_urls, home_urls=home_urls,
                           download_urls=download_urls, attributes=attributes),
                 range(line, last + 1))

    def bullet(self, inline: Token, start: int, end: int) -> None:
        found = _read_entry(_pieces(inline.children or []), start)
        if found is None or (found.title is not None and (
                not _has_text(found.title) or found.title.casefold() in _LINK_ROLES)):
            # prose, a table of contents, a badge line, or "  - Paper: [arXiv](…)" under a
            # bold title: a link's label, not a title
            self.explain(start, end, "it is in a bullet that starts with neither a linked or "
                         "bold title nor a title before its paper link")
            return
        self.place(found, start, end)

    def paragraph_lines(self, inline: Token, start: int, end: int) -> None:
        """Entries written as paragraphs, one per line: ``[Title](…), TGRS 2017.``, or the line
        of links under a ``### Title`` heading."""
        line_pieces: list[list[_Piece]] = [[]]
        for piece in _pieces(inline.children or []):
            if piece.kind == "break":
                line_pieces.append([])
            else:
                line_pieces[-1].append(piece)
        for offset, pieces in enumerate(line_pieces):
            number = start + offset
            found = _read_entry(pieces, number, paragraph=True)
            if found is None or (found.title is not None and not _has_text(found.title)):
                self.explain(number, number + 1, "it is in a paragraph that does not start "
                             "with a linked title, nor is it the line of links under a heading")
                continue
            self.place(found, number, number + 1)

    def place(self, found: _Found, start: int, end: int) -> None:
        """Give an entry read from a bullet or paragraph its title (from the heading above when
        its links are labels), kind and section."""
        kind: EntryKind = "dataset" if self.in_dataset_part() else "paper"
        title, line, section = found.title, start + 1, self.section
        raw, lines = self.source(start, end), range(start + 1, end + 1)
        venue, year = found.venue, found.year
        heading = self.last_heading
        if title is None and heading is not None and not heading.used and heading.title and \
                heading.entries == len(self.entries):
            # "### Title" and a line of links under it: the heading names the entry
            heading.used = True
            self.entry_headings.add(heading.line)
            title, line, raw = heading.title, heading.line, self.lines[heading.line - 1]
            venue, year = venue or heading.venue, year or heading.year
            section, lines = self.section, range(heading.line, end + 1)
        if title is None:
            title = found.short_name
        if title is None:
            self.problem("links labelled as a paper's with no title: none on the line, the "
                         "next line or in a heading right above; entry skipped", start + 1,
                         range(start + 1, end + 1))
            return
        roles: dict[str, list[str]] = {"paper": [], "code": [], "home": [], "download": []}
        for link in found.links:
            roles[_link_role(link) or "download"].append(link.href)
        url = found.url
        if url is None and roles["paper"]:
            url = roles["paper"].pop(0)
        code_urls: tuple[str, ...] = ()
        home_urls: tuple[str, ...] = ()
        download_urls: tuple[str, ...] = ()
        if kind == "paper":
            code_urls = tuple(dict.fromkeys(roles["code"] + roles["home"]))
        else:
            home_urls = tuple(dict.fromkeys(roles["home"] + roles["code"]))
            download_urls = tuple(dict.fromkeys(roles["download"]))
        self.add(ListEntry(kind=kind, title=title, url=url, section=section,
                           task=self.task(kind, section), line=line, raw=raw, venue=venue,
                           year=year, code_urls=code_urls, home_urls=home_urls,
                           download_urls=download_urls), lines)

    def add(self, entry: ListEntry, lines: Iterable[int] = ()) -> None:
        self.covered.update((entry.line, *lines))
        ids = ids_from_url(entry.url) if entry.url else PaperIds()
        self.entries.append(replace(entry, ids=ids))

    def check_paper_links(self) -> None:
        """Every line that links a paper is an entry, or a problem says why not; a mention of a
        paper that an entry links (a contest's dataset paper, listed as the dataset) loses
        nothing and is not said."""
        listed = {canonical_url(entry.url) for entry in self.entries if entry.url}
        for number, line in enumerate(self.repaired, start=1):
            if number in self.covered or "://" not in line:
                continue
            hosts = _paper_links(line)
            if number in self.mentions:
                hosts = [href for href in hosts if canonical_url(href) not in listed]
            if hosts:
                why = self.why.get(number, "it is not in a table row, bullet or paragraph")
                self.problem(f"links a paper ({hosts[0]}) but is not read as an entry: {why}",
                             number, kind=PaperMention if number in self.mentions
                             else ListParseError)
        self.problems.sort(key=lambda p: p.line or 0)


def _read_entry(pieces: Sequence[_Piece], start: int, paragraph: bool = False) -> _Found | None:
    """Read one bullet's first paragraph, or one line of a paragraph, as an entry.

    In a paragraph, a leading linked title counts only with a paper link or a venue and year
    after it, so prose that starts with a link is not an entry.
    """
    pieces, venue, year = _drop_prefix(pieces)
    run = _inline(pieces)
    links = [link for link in run.links if not link.is_badge
             and link.href.startswith(("http://", "https://"))]
    venue_text = run.outside
    title: str | None
    url: str | None = None
    short_name = None
    if run.leading == "strong" and any(_link_role(link) for link in links):
        title = run.strong  # "**Title** [[paper]](…) [[code]](…)"
    elif run.leading == "link" and links and links[0] is run.links[0] and \
            _link_role(links[0]) is None:
        title, url = links[0].text, links[0].href  # "[Title](…) …"
        links = links[1:]
        if paragraph and not is_paper_url(url) and _VENUE_YEAR.fullmatch(
                venue_text.strip(_BULLET_SEPARATORS)) is None:
            return None
    elif run.leading == "text" and any(_link_role(link) == "paper" for link in links):
        # '"Title." ECCV 2024. [[paper](…)]' or 'Title [[paper](…)]'
        title, venue_text = _text_title(run.before_link)
    elif links and all(_link_role(link) for link in links) and any(
            _link_role(link) == "paper" or is_paper_url(link.href) for link in links):
        # every link a label: the title is bold on the line, on the next line, or a heading's
        title = _label_only_title(pieces)
        short_name = next((name for link in links if (name := _short_name(link))), None)
        venue_text = run.before_link
    else:
        return None
    match = _VENUE_YEAR.fullmatch(venue_text.strip(_BULLET_SEPARATORS))
    if match is not None and venue is None and year is None:
        venue, year = normalize_venue(match["venue"]) or None, int(match["year"])
    return _Found(title, url, tuple(links), venue, year, short_name)


def _label_only_title(pieces: Sequence[_Piece]) -> str | None:
    """The title beside links that are all labels: bold text, else the text after the first
    line break (``- [**EarthGPT(Paper)**](…)`` then the full title indented below)."""
    bold = _fold_text("".join(p.text for p in pieces if p.kind == "text" and p.strong))
    if _has_text(bold):
        return bold
    breaks = [i for i, p in enumerate(pieces) if p.kind == "break"]
    if breaks:
        after = _fold_text("".join(p.text for p in pieces[breaks[0]:] if p.kind != "link"))
        after = after.strip(_BULLET_SEPARATORS)
        if _has_text(after) and _label(after) not in _LINK_ROLES:
            return after
    return None


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
    return curate(parse_entries(text, path), curation or Curation())


def parse_entries(text: str, path: str = "<string>") -> ListDocument:
    """``parse_list`` without the curation: the entries as written, for reading old versions of
    the list (their history) where aliases and pins do not matter."""
    repaired = repair_mojibake(text)
    parser = _Parser(text, repaired, path)
    parser.walk(_MARKDOWN.parse(repaired))
    parser.check_paper_links()
    return ListDocument(path=path, title=parser.title or Path(path).stem,
                        entries=tuple(parser.entries), problems=tuple(parser.problems), text=text)


#: byte-order marks and their codecs, UTF-32 first: its little-endian mark starts like UTF-16's
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def read_list_text(path: Path, what: str) -> str:
    """The text of a list file: UTF-8, or UTF-16/32 with a byte-order mark, as Windows editors
    save (a UTF-8 one is dropped too).

    Any other encoding is an error naming the line, column and byte offset of the first byte
    that is not UTF-8, as pandoc reports it, rather than a guess: read as Latin-1, a title would
    be misread without a word, and matched by title against the wrong paper. ``what`` names
    the file in messages ("the list").

    Raises
    ------
    ListParseError
        If the file cannot be read, or is not UTF-8 text.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ListParseError(f"cannot read {what}: {exc}; check the path", path) from exc
    codec = next((codec for bom, codec in _BOMS if data.startswith(bom)), "utf-8")
    text: str | None = None
    try:
        text, bad = data.decode(codec), len(data)
    except UnicodeDecodeError as exc:
        bad = exc.start + (len(codecs.BOM_UTF8) if codec == "utf-8-sig" else 0)
    # whichever comes first: a NUL is valid UTF-8, yet no text in a list
    nul = data.find(b"\0", 0, bad) if codec == "utf-8" else -1
    name = codec.removesuffix("-sig").upper()
    if nul >= 0:
        raise _not_text(path, f"{what} is not UTF-8 text", data, nul, "is a NUL byte: UTF-16 "
                        "saved without a byte-order mark, or no text file; re-save it as UTF-8")
    if text is None:
        raise _not_text(path, f"{what} is not {name} text", data, bad, (
            f"is not {name}; re-save the file as UTF-8 (one saved as Latin-1: iconv -f "
            "WINDOWS-1252 -t UTF-8)"))
    return text


def _not_text(path: Path, what: str, data: bytes, offset: int, problem: str) -> ListParseError:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return ListParseError(f"{what}: byte offset {offset} (column {column}, "
                          f"0x{data[offset]:02x}) {problem}", path, line)


def read_list(path: Path, curation: Curation | None = None) -> ListDocument:
    """Read and parse the list file at `path` (see ``parse_list``).

    Rows skipped or read in part are in the document's ``problems``, not logged: the caller
    reports them once (the CLI as warnings, ``lint`` as findings).

    The file is read as :func:`read_list_text` says.

    Raises
    ------
    ListParseError
        If the file is missing, unreadable, empty, or holds no entry at all.
    """
    path = Path(path)
    text = read_list_text(path, "the list")
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
