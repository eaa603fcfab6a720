"""The curated Markdown list → ``ListDocument``, offline.

markdown-it-py (CommonMark plus the GFM table rule) does the Markdown; this module walks its
tokens, keeping the heading path, and hands each row to the reader of its shape:

* table rows (``tables``), by their header words, each row's title chosen among its cells;
* bullets and paragraph lines (``bullets``), one entry per paper they title, with the title
  found where the line leaves it: the next line, the list item's next paragraph, the heading
  right above (``### Title`` followed by a line of links), the bold line before;
* all of these inside HTML blocks (``<div>``, ``<details>``, ``<p align=center>``).

Which text is a title, a label, a date or a venue is ``titles``' call. Commented-out text (HTML
comments, ``[//]: # (…)`` lines) is not read and not warned about. Headings give each entry its
section and task; a heading without visible text gives none (its entries keep the section above).
A row that cannot be understood becomes a problem on the document, with its file and line, and
parsing goes on; so does a line that links a paper (arXiv, DOI, IEEE Xplore, MDPI, ACM,
ScienceDirect, CVF, Springer, Taylor & Francis…) but is not read as an entry, unless an entry
links that paper (a dated announcement, a badge). A table without a title column is a problem
when at least half its rows link a paper (a table of papers missing its header word); otherwise
it lists something else (tools, contests) and is no problem, and a paper one of its rows links
in passing, unless an entry links it, is a ``PaperMention``. So is a ``| Name | … |`` table
outside a "Dataset(s)" heading whose every row's name links a code repository (GitHub, GitLab,
Gitee…): it lists other awesome lists or toolboxes, not datasets. "Name" alone makes a table's
rows datasets otherwise; a "Dataset" header or heading always does, whatever the rows link.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from markdown_it.token import Token

from ..errors import ListParseError, PaperMention
from ..identifiers import canonical_url, ids_from_url, is_code_url, is_paper_url
from ..models import EntryKind, ListDocument, ListEntry, PaperIds
from .bullets import Found, is_paper_link, read_entries
from .curation import Curation, curate
from .decode import read_list_text, repair_mojibake
from .html_tables import html_tables, table_span
from .inline import MARKDOWN, Inline, pieces, read_inline, split_at_breaks
from .lines import split_lines
from .tables import (
    DATASET_TITLE_HEADERS,
    NAME_WORDS,
    Columns,
    columns,
    header_key,
    header_roles,
    names_code,
    read_row,
)
from .titles import Title, choose_title, heading_title, link_role, split_venue_year

__all__ = ["parse_list", "parse_entries", "read_list", "read_list_text", "split_venue_year",
           "is_bullet_line", "header_roles", "repair_mojibake"]

logger = logging.getLogger(__name__)

_DATASET_HEADINGS = frozenset({"dataset", "datasets"})
_DATASET_SUFFIX = re.compile(r"\s*\bdatasets?\s*$", re.IGNORECASE)
_BULLET_LINE = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s")
_HREF = re.compile(r"https?://[^\s)\]>\"'|]+")
_HTML_TAG = re.compile(r"<[^>]*>")
_TABLE_OPEN = re.compile(r"<table\b", re.IGNORECASE)
# commented-out text: HTML comments, and the "[//]: # (…)" link definitions lists use as comments
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)|^ {0,3}\[(?://|comment|#)\]: *(?:#|<>)[^\r\n]*",
                      re.DOTALL | re.MULTILINE | re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Table:
    """A table already met, kept to read rows that a blank line cut off from it."""

    header_source: str  # header and delimiter lines, as written
    heading_count: int  # headings seen when the table was read


@dataclass(slots=True)
class _Heading:
    """The last heading: the title of an entry whose links follow it (``### Title`` + links)."""

    title: Title
    line: int
    entries: int  # entries the document had when the heading was met
    used: bool = False


def _paper_links(line: str) -> list[str]:
    """The paper links (``is_paper_url``) of one source line: a line holding one must be an
    entry, or say why it is not."""
    return [href for href in _HREF.findall(line) if is_paper_url(href)]


def _is_name(text: str) -> bool:
    """A short name ("SNAP", "Orfeo Toolbox (OTB)"), not a paper's title: four words at most,
    no colon."""
    return len(text.split()) <= NAME_WORDS and ":" not in text


def _uncommented(text: str) -> str:
    """``text`` with its comments blanked, line breaks kept: what a reader of the list sees."""
    return _COMMENT.sub(lambda m: re.sub(r"[^\r\n]", " ", m[0]), text)


def is_bullet_line(text: str) -> bool:
    """Return whether `text` starts a list item (``-``, ``*``, ``+``, ``1.`` or ``1)``), which
    this parser reads as a bullet entry rather than a table row, even when it holds ``|``.

    >>> is_bullet_line("- [Title](https://a.b) | [code](https://c.d)")
    True
    >>> is_bullet_line("[Title](https://a.b)|TGRS 2020|-")
    False
    """
    return _BULLET_LINE.match(text) is not None


def _entry_keys(entry: ListEntry) -> set[tuple[str, str]]:
    link = {("link", canonical_url(entry.url))} if entry.url else set()
    return link | set(entry.ids.pairs())


class _Parser:
    """Walks the token stream once, keeping the heading path, and collects entries and problems."""

    def __init__(self, text: str, repaired: str, path: str):
        self.path = path
        self.lines = split_lines(text)  # as written: each entry's raw source
        self.repaired = split_lines(repaired)  # what Markdown reads
        self.visible = split_lines(_uncommented(repaired))  # what a reader sees: no comments
        self.hidden = {n for n, (seen, line) in enumerate(zip(self.visible, self.repaired), 1)
                       if line.strip() and not seen.strip()}
        self.headings: list[tuple[int, str, int]] = []  # (level, text, line) from the top
        self.entry_headings: set[int] = set()  # lines of headings that are entries' titles
        self.heading_count = 0
        self.title: str | None = None
        self.entries: list[ListEntry] = []
        self.announced: set[int] = set()  # entries read from dated bullets (announcements)
        self.problems: list[ListParseError] = []
        self.last_table: _Table | None = None
        self.last_heading: _Heading | None = None
        self.covered: set[int] = set()  # lines read as (part of) an entry, or reported
        self.why: dict[int, str] = {}  # why a line is not an entry
        self.mentions: set[int] = set()  # lines of tables that list no papers: links in passing
        self.nested = False  # walking the Markdown inside an HTML block
        self.skip_until = 0  # lines before this one are read (an HTML table)

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
        """The nearest heading above with visible text that is not itself an entry's title."""
        return next((text for _, text, line in reversed(self.headings)
                     if line not in self.entry_headings and text.strip()), "")

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
            if token.map and start < self.skip_until:
                continue  # inside an HTML table already read
            if token.type == "heading_open":
                self.heading(int(token.tag[1]), read_inline(tokens[index + 1]).text, start)
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
        tags and comments are dropped, the lines keep their numbers. An HTML table is read as
        a table, to its ``</table>`` even past blank lines (``html_table``)."""
        start, end = token.map or (0, 0)
        content = _uncommented(token.content)
        if not content.strip():
            self.explain(start, end, "it is in an HTML comment")
            return
        lines = content.split("\n")
        for index in range(len(lines)):
            if start + index < self.skip_until or not _TABLE_OPEN.search(lines[index]):
                continue
            close = table_span(self.visible, start + index)
            if close is not None:
                self.html_table(start + index, close)
                lines[index:close - start + 1] = [""] * len(lines[index:close - start + 1])
        inner = [_HTML_TAG.sub("", line) if line.lstrip().startswith("<") else line
                 for line in lines]
        self.nested = True
        self.walk(MARKDOWN.parse("\n" * start + "\n".join(inner)))
        self.nested = False

    def html_table(self, first: int, last: int) -> None:
        """The HTML table on lines ``first``..``last`` (0-based, both in), read as a pipe
        table's rows are; what follows it up to ``last`` is no more Markdown to read."""
        text = "\n".join(self.visible[first:last + 1])
        for table in html_tables(text):
            width = len(table[0].cells)  # every row as wide as its header, as GFM makes them
            self.table_rows([(first + row.first - 1, first + row.last,
                              [read_inline(MARKDOWN.parseInline(cell)[0]) for cell in
                               (*row.cells, *[""] * (width - len(row.cells)))])
                             for row in table], keep=False)
        self.last_table = None
        self.skip_until = last + 1
        self.explain(first, last + 1, "it is in an HTML table, in no row with a title")

    def paragraph(self, tokens: Sequence[Token], index: int) -> None:
        opener, inline = tokens[index], tokens[index + 1]
        start, end = opener.map or (0, 1)
        if index > 0 and tokens[index - 1].type == "list_item_open":
            self.bullet(inline, start, end, _next_paragraph(tokens, index))
        elif opener.level == 0 and not self.stray_rows(inline, start, end):
            self.paragraph_lines(inline, start, end)
        else:
            self.explain(start, end, "it is in a paragraph that does not start an entry")

    def heading(self, level: int, text: str, start: int) -> None:
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, text, start + 1))
        self.heading_count += 1
        if level == 1 and self.title is None and text.strip():
            self.title = text
        self.last_heading = _Heading(heading_title(text), start + 1, len(self.entries))
        self.explain(start, start + 1, "it is in a heading")

    def table(self, tokens: Sequence[Token], start: int, line_offset: int) -> None:
        rows: list[tuple[int, int, list[Inline]]] = []
        for index in range(start, len(tokens)):
            token = tokens[index]
            if token.type == "table_close":
                break
            if token.type == "tr_open":
                span = token.map or [0, 1]
                rows.append((span[0] + line_offset, span[1] + line_offset, []))
            elif token.type == "inline" and rows:
                rows[-1][2].append(read_inline(token))
        self.table_rows(rows, keep=line_offset == 0)

    def table_rows(self, rows: Sequence[tuple[int, int, list[Inline]]], keep: bool) -> None:
        """A table's rows (first and last line, 0-based with the last excluded, and cells), the
        header first; ``keep``: remember it, to read rows a blank line cuts off from it."""
        rows = [row for row in rows if row[0] + 1 not in self.hidden]  # commented-out rows
        if not rows:
            return
        header_line = rows[0][0]
        cols = columns(rows[0][2])
        if cols is None:
            self.last_table = None
            self.untitled_table(header_line, rows[-1][1], [first for first, _, _ in rows[1:]])
            return
        if keep:
            self.last_table = _Table("\n".join(self.repaired[header_line:header_line + 2]),
                                     self.heading_count)
        header = header_key(rows[0][2][cols.title].text)
        if header == "name" and not self.in_dataset_part() and names_code(
                cells[cols.title] for _, _, cells in rows[1:]):
            self.content(header_line, rows[-1][1], "it is in a table whose every Name links a "
                         "code repository (other lists, toolboxes), which lists no papers or "
                         "datasets")
            return
        kind: EntryKind = ("dataset" if header in DATASET_TITLE_HEADERS
                           or self.in_dataset_part() else "paper")
        for first, last, cells in rows[1:]:
            self.row(kind, cols, cells, first, last)

    def untitled_table(self, start: int, end: int, row_starts: Sequence[int]) -> None:
        """A table without a title column, lines ``start``..``end`` (0-based, end excluded).

        When at least half its rows link a paper it is a table of papers that lacks only its
        header word, and it is a problem: its papers would be lost. Otherwise it lists something
        else (tools, contests, scores): normal content, no problem; a paper that one of its rows
        links in passing, and no entry links, is said by ``check_paper_links`` as a
        ``PaperMention``.
        """
        linking = sum(bool(_paper_links(self.visible[first])) for first in row_starts)
        if linking and 2 * linking >= len(row_starts):
            self.problem(
                "table has no title column (want a header such as Title, Paper, Name, Dataset, "
                f"Model or Method); its {len(row_starts)} row(s) are skipped, {linking} of them "
                "linking a paper", start + 1, range(start + 1, end + 1))
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
        tokens = MARKDOWN.parse(table.header_source + "\n" + "\n".join(body))
        if tokens and tokens[0].type == "table_open":
            self.table(tokens, 0, line_offset=start - 2)
        return True

    def row(self, kind: EntryKind, cols: Columns, cells: Sequence[Inline], first: int,
            last: int) -> None:
        line = first + 1
        read = read_row(kind, cols, cells)
        if isinstance(read, str):
            if read.startswith("problem: "):
                self.problem(read.removeprefix("problem: "), line)
            else:
                self.explain(first, last, read)
            return
        for said in read:
            self.add(ListEntry(
                kind=kind, title=said.title.text, url=said.url, section=self.section,
                task=self.task(kind), line=line, raw=self.source(first, last),
                venue=said.venue, year=said.year, code_urls=said.code_urls,
                home_urls=said.home_urls, download_urls=said.download_urls,
                attributes=said.attributes, title_from_list=said.title.from_list),
                range(line, last + 1))

    def bullet(self, inline: Token, start: int, end: int,
               below: tuple[Token, int] | None) -> None:
        """A list item's first paragraph; ``below`` is its next paragraph (inline token and
        first line), where a list may write the title of an item whose links are labels."""
        read = read_entries(pieces(inline.children or []), named=self.in_dataset_part())
        if not read:
            # prose, a table of contents, a badge line, or "  - Paper: [arXiv](…)" under a
            # bold title: a link's label, not a title
            self.explain(start, end, "it is in a bullet that starts with neither a linked or "
                         "bold title nor a title before its paper link")
            return
        for found in read:
            self.place(found, start, end, below)

    def paragraph_lines(self, inline: Token, start: int, end: int) -> None:
        """Entries written as paragraphs, one per line: ``[Title](…), TGRS 2017.``, or the line
        of links under a ``### Title`` heading (or under a bold title line)."""
        before: str | None = None  # the line above in this paragraph, when it is a bold title
        for offset, line_pieces in enumerate(split_at_breaks(pieces(inline.children or []))):
            number = start + offset
            read = [] if number + 1 in self.hidden else read_entries(
                line_pieces, paragraph=True, named=self.in_dataset_part())
            if not read:
                self.explain(number, number + 1, "it is in a paragraph that does not start "
                             "with a linked title, nor is it the line of links under a heading")
                text = [p for p in line_pieces if p.text.strip()]
                before = "".join(p.text for p in text) if text and all(
                    p.kind == "text" and p.strong for p in text) else None
                continue
            for found in read:
                self.place(found, number, number + 1, above=before)
            before = None

    def place(self, found: Found, start: int, end: int,
              below: tuple[Token, int] | None = None, above: str | None = None) -> None:
        """Give an entry read from a bullet or paragraph its title (from the next paragraph,
        the heading above or the bold line above when its links are labels), kind and section."""
        kind: EntryKind = "dataset" if self.in_dataset_part() else "paper"
        title, line, section = found.title, start + 1, self.section
        raw, lines = self.source(start, end), range(start + 1, end + 1)
        venue, year = found.venue, found.year
        heading = self.last_heading
        if title is None and below is not None:
            token, first = below
            parts = split_at_breaks(pieces(token.children or []))
            title = choose_title([("".join(p.text for p in parts[0] if p.kind == "text"), True)],
                                 kind == "dataset")
            if title is not None:
                raw, lines = self.source(start, first + 1), range(start + 1, first + 2)
        if title is None and heading is not None and not heading.used and \
                heading.entries == len(self.entries) and \
                (title := choose_title([(heading.title.text, True)], kind == "dataset")) is not None:
            # "### Title" and a line of links under it: the heading names the entry
            heading.used = True
            self.entry_headings.add(heading.line)
            line, raw = heading.line, self.lines[heading.line - 1]
            venue, year = venue or heading.title.venue, year or heading.title.year
            section, lines = self.section, range(heading.line, end + 1)
        if title is None and above is not None:
            title = choose_title([(above, True)], kind == "dataset")
            if title is not None:
                raw, line, lines = self.source(start - 1, end), start, range(start, end + 1)
        if title is None and found.short_name:
            title = Title(found.short_name, from_list=False)
        if title is None:
            self.problem("links labelled as a paper's with no title: none on the line, the "
                         "next line or in a heading right above; entry skipped", start + 1,
                         range(start + 1, end + 1))
            return
        roles: dict[str, list[str]] = {"paper": [], "code": [], "home": [], "download": []}
        for link in found.links:
            role = "paper" if is_paper_link(link) else link_role(link.text) or "download"
            roles[role].append(link.href)
        url = found.url
        if kind == "paper" and url is not None and not is_paper_url(url) and roles["paper"]:
            # "[Challenge](https://site) … Paper: [Weir et al. 2019](https://arxiv.org/…)": the
            # titled link is a home page (or code), the paper's link follows it
            roles["home"].insert(0, url)
            url = None
        if url is None and roles["paper"]:
            url = roles["paper"].pop(0)
        if kind == "paper" and not roles["paper"] and not (venue or year or title.venue) and (
                url is None or is_code_url(url) or (_is_name(title.text) and not any(
                    roles.values()) and not (is_paper_url(url) or ids_from_url(url).pairs()))):
            # "- [Awesome-RS](https://github.com/…)", "* [SNAP](http://step.esa.int/…) - Sentinel
            # Application Platform": a repository, or a tool's site, no paper; a title linking a
            # project page ("[GeoChat: Grounded …](https://….github.io/GeoChat/)") stays, and so
            # does a name with its code beside ("[RemoteGLM](…) | [code](…)")
            self.explain(start, end, "it links no paper, only code, a repository or a named "
                         "tool's site")
            self.covered.update(lines)
            return
        code_urls: tuple[str, ...] = ()
        home_urls: tuple[str, ...] = ()
        download_urls: tuple[str, ...] = ()
        if kind == "paper":
            code_urls = tuple(dict.fromkeys(roles["code"] + roles["home"]))
        else:
            home_urls = tuple(dict.fromkeys(roles["home"] + roles["code"]))
            download_urls = tuple(dict.fromkeys(roles["download"]))
        if found.dated:
            self.announced.add(len(self.entries))
        self.add(ListEntry(kind=kind, title=title.text, url=url, section=section,
                           task=self.task(kind, section), line=line, raw=raw,
                           venue=venue or title.venue, year=year or title.year,
                           code_urls=code_urls, home_urls=home_urls,
                           download_urls=download_urls, title_from_list=title.from_list), lines)

    def add(self, entry: ListEntry, lines: Iterable[int] = ()) -> None:
        self.covered.update((entry.line, *lines))
        ids = ids_from_url(entry.url) if entry.url else PaperIds()
        self.entries.append(replace(entry, ids=ids))

    def drop_announced(self) -> None:
        """A dated announcement ("- **2023/12/20**: SkyScript …") of a paper another entry
        lists is that entry's news, not a second entry."""
        listed = {key for i, entry in enumerate(self.entries) if i not in self.announced
                  for key in _entry_keys(entry)}
        self.entries = [entry for i, entry in enumerate(self.entries)
                        if i not in self.announced or not _entry_keys(entry) & listed]

    def check_paper_links(self) -> None:
        """Every line that links a paper is an entry, or a problem says why not; a line whose
        papers entries link (an announcement, a badge, a contest's dataset paper listed as the
        dataset) loses nothing and is not said, nor is commented-out text."""
        listed = {canonical_url(entry.url) for entry in self.entries if entry.url}
        listed_ids = {pair for entry in self.entries for pair in entry.ids.pairs()}
        for number, line in enumerate(self.visible, start=1):
            if number in self.covered or "://" not in line:
                continue
            hosts = [href for href in _paper_links(line) if canonical_url(href) not in listed
                     and not set(ids_from_url(href).pairs()) & listed_ids]
            if hosts:
                why = self.why.get(number, "it is not in a table row, bullet or paragraph")
                self.problem(f"links a paper ({hosts[0]}) but is not read as an entry: {why}",
                             number, kind=PaperMention if number in self.mentions
                             else ListParseError)
        self.problems.sort(key=lambda p: p.line or 0)


def _next_paragraph(tokens: Sequence[Token], index: int) -> tuple[Token, int] | None:
    """The paragraph after the one at ``index`` in the same list item (its inline token and
    first line), or ``None`` when something else follows."""
    level = tokens[index].level
    for position in range(index + 3, len(tokens)):  # past the paragraph's inline and close
        token = tokens[position]
        if token.level > level or token.type == "paragraph_close":
            continue
        if token.type == "paragraph_open" and token.level == level and token.map:
            return tokens[position + 1], token.map[0]
        return None
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
    parser.walk(MARKDOWN.parse(repaired))
    parser.drop_announced()
    parser.check_paper_links()
    return ListDocument(path=path, title=parser.title or Path(path).stem,
                        entries=tuple(parser.entries), problems=tuple(parser.problems), text=text)


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
