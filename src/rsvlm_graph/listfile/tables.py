"""Table rows of a list → entries: columns by their header words, a title chosen per row.

Columns are read by their header words, not their position: the title-like columns (Title,
Paper info, Paper, Name, Dataset, Model, Method, Benchmark), a Paper/PDF/Link column of links, a
venue, a year, code and home pages, and further columns with a recognisable role (tags, notes,
sizes…) kept as the entry's attributes. Each row's title is chosen among its title-like cells
(``titles.choose_title``): in ``| Model | … | Paper |`` with ``[arXiv](…)`` in the Paper column,
the link is the paper's and the model name names the entry, marked as not a title from the list.
A cell holding title, venue and links joined by ``<br/>`` (``| Paper info | Description |``) is
read part by part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..identifiers import ids_from_url, is_code_url, is_paper_url
from ..models import EntryKind
from .decode import repair_mojibake
from .inline import MARKDOWN, Inline, Link, has_text, read_inline, split_at_breaks, web_links
from .lines import table_cells
from .titles import Title, choose_title, link_role, not_a_title, split_venue_year, venue_year

__all__ = ["Columns", "RowEntry", "columns", "header_roles", "header_key", "names_code",
           "read_row", "distinct_papers", "DATASET_TITLE_HEADERS", "NAME_WORDS"]

# Header words (case-folded, spaces around "/" removed) → the column's role.
_HEADER_ROLES = {
    **dict.fromkeys(("title", "paper", "papers", "name", "dataset", "datasets", "dataset name",
                     "method",
                     "methods", "paper title", "paper info", "paper information", "paper name",
                     "model", "models", "benchmark", "benchmarks"), "title"),
    **dict.fromkeys(("publication", "venue", "published in", "conference", "journal",
                     "conference/journal", "journal/conference"), "venue"),
    # "| Date | Paper |" (2026-04-10), "| Time | Model Name |" (2023.11): the year is in it
    **dict.fromkeys(("year", "date", "time", "published", "publication date", "release date",
                     "release"), "year"),
    **dict.fromkeys(("pdf", "paper link", "paper links", "arxiv", "doi", "paper/pdf"), "paper"),
    **dict.fromkeys(("code", "project", "github", "code/project", "code link", "code links",
                     "repo", "repository", "code/weights", "code/models", "code/model",
                     "code/data", "code/dataset"), "code"),
    **dict.fromkeys(("home", "home/github", "home/project", "homepage"), "home"),
    # "| Title | Link |": the paper's link in a paper table, the home page in a dataset table
    **dict.fromkeys(("link", "links", "url"), "link"),
    **dict.fromkeys(("download", "download link", "download links", "data"), "download"),
}
#: title headers of a table of papers (not of datasets, models or methods)
_PAPER_TITLE_HEADERS = frozenset({"title", "paper", "papers", "paper title", "paper name"})
# Further columns kept as an entry's attributes, by header words; their links are the entry's
# other links (code of a paper, home of a dataset)
_ATTRIBUTE_HEADERS = frozenset({
    "tags", "tag", "keywords", "keyword", "topic", "topics", "affiliation", "affiliations",
    "institution", "organization", "organisation", "note", "notes", "remark", "remarks",
    "comment", "comments", "description", "highlights", "author", "authors", "abbreviation",
    "short name", "acronym", "task", "tasks", "target", "size", "dataset size",
    "#images", "images", "image pairs", "image size", "resolution", "classes", "class",
    "#classes", "samples", "modality", "modalities", "source", "sensor", "location", "region",
    "foundation models", "experiment datasets", "datasets used",
})
# The title-like columns in the order a row's title is looked for: titles, then a Paper column
# (its cell a title or a label such as "[PDF](…)"), then names. The first present is the
# table's title column (``header_roles``).
_TITLE_HEADER_RANK = ("title", "paper title", "paper info", "paper information", "paper name",
                      "name", "dataset", "datasets", "dataset name", "paper", "papers", "model", "models",
                      "method", "methods", "benchmark", "benchmarks")
# columns that name an entry (a model, a method) rather than title it
_NAME_HEADERS = frozenset({"model", "models", "method", "methods", "benchmark", "benchmarks"})
DATASET_TITLE_HEADERS = frozenset({"dataset", "datasets", "dataset name", "name"})
# a name is short: "SatMAE", "LHRS-Bot / Nova"; a longer cell in a name column is a title
NAME_WORDS = 4
# what is left of a link Markdown could not read: "[Title(https://…)", "[Title]( …", a bare URL;
# a bracketed tag closed in the title ("… for EO [Space-Agencies]") is no link
_UNCLOSED_LINK = re.compile(r"\[[^\]]*$|\]\(|https?://")


@dataclass(frozen=True, slots=True)
class Columns:
    title: int
    venue: int | None
    year: int | None
    paper: tuple[int, ...]  # columns of paper links, when the title column holds plain text
    link: tuple[int, ...]  # "Link"/"URL": the paper link of a paper row, a dataset's home page
    code: tuple[int, ...]
    home: tuple[int, ...]
    download: tuple[int, ...]
    attributes: tuple[tuple[int, str], ...] = ()  # (column, attribute name)
    titles: tuple[int, ...] = ()  # every title-like column, in the order a title is looked for
    names: frozenset[int] = frozenset()  # of them, those that name rather than title


@dataclass(frozen=True, slots=True)
class RowEntry:
    """What one table row says of one entry."""

    title: Title
    url: str | None
    venue: str | None
    year: int | None
    code_urls: tuple[str, ...] = ()
    home_urls: tuple[str, ...] = ()
    download_urls: tuple[str, ...] = ()
    attributes: tuple[tuple[str, str], ...] = ()


def header_key(text: str) -> str:
    """A header cell's words, case-folded, "/" and "&" joining two words alike ("Code &
    Weights" is "code/weights")."""
    return re.sub(r"\s*[/&]\s*", "/", " ".join(text.split()).casefold())


def _roles(keys: Sequence[str]) -> list[str | None]:
    """The role of each header cell: one "title" column at most, by ``_TITLE_HEADER_RANK``."""
    roles = [_HEADER_ROLES.get(key) for key in keys]
    titles = [i for i, role in enumerate(roles) if role == "title"]
    if not titles:
        return roles
    title = min(titles, key=lambda i: (_TITLE_HEADER_RANK.index(keys[i]), i))
    for i in titles:
        if i != title:
            # "| Title | … | Paper |": a Paper column beside the title holds the paper's links
            roles[i] = "paper" if keys[i] in ("paper", "papers") else None
    if keys[title] in _PAPER_TITLE_HEADERS and "venue" not in roles and "source" in keys:
        # "| Date | Paper | Authors | Source |": a paper's source is where it was published (a
        # dataset's, its sensor or provider, stays an attribute)
        roles[keys.index("source")] = "venue"
    return roles


def header_roles(header: str) -> tuple[str | None, ...]:
    """Return the role this parser gives each column of a table whose header row is `header`.

    The roles are ``"title"`` (one column at most), ``"venue"``, ``"year"``, ``"paper"`` (the
    paper's link beside a plain-text title), ``"link"``, ``"code"``, ``"home"``, ``"download"``,
    or ``None`` for a column the parser does not read (or keeps only as an attribute, or reads
    a row's name from when the title column holds none). A table without a ``"title"`` column
    is skipped by the parser.

    >>> header_roles("| Paper | Published in | Code/Project |")
    ('title', 'venue', 'code')
    >>> header_roles("|Title|Venue|Year|**Paper**|Notes|")
    ('title', 'venue', 'year', 'paper', None)
    """
    # GFM splits a row at every unescaped pipe, code spans included, then reads each cell inline
    cells = [MARKDOWN.parseInline(repair_mojibake(cell.replace("\\|", "|")))[0]
             for cell in table_cells(header)]
    return tuple(_roles([header_key(read_inline(cell).text) for cell in cells]))


def columns(header: Sequence[Inline]) -> Columns | None:
    """The columns of a table by its header cells, or ``None`` without a title-like column."""
    keys = [header_key(cell.text) for cell in header]
    roles = _roles(keys)
    if "title" not in roles:
        return None

    def first(role: str) -> int | None:
        return roles.index(role) if role in roles else None

    def every(role: str) -> tuple[int, ...]:
        return tuple(i for i, r in enumerate(roles) if r == role)

    title_like = sorted((i for i, key in enumerate(keys) if _HEADER_ROLES.get(key) == "title"),
                        key=lambda i: (_TITLE_HEADER_RANK.index(keys[i]), i))
    attributes = tuple((i, re.sub(r"\W+", "_", keys[i]).strip("_")) for i, role in
                       enumerate(roles) if role is None and keys[i] in _ATTRIBUTE_HEADERS)
    return Columns(roles.index("title"), first("venue"), first("year"), every("paper"),
                   every("link"), every("code"), every("home"), every("download"), attributes,
                   tuple(title_like), frozenset(i for i in title_like if keys[i] in _NAME_HEADERS))


def names_code(title_cells: Iterable[Inline]) -> bool:
    """Whether every row's title cell links, first, a code repository (``is_code_url``): a
    "| Name | Description |" table of other awesome lists or toolboxes, not of datasets."""
    firsts = [next((link.href for link in cell.links if not link.is_badge), None)
              for cell in title_cells]
    return bool(firsts) and all(url is not None and is_code_url(url) for url in firsts)


def _is_nothing(text: str) -> bool:
    """A cell that says nothing: no letter or digit, or a word for "nothing here"."""
    return not has_text(text) or text.casefold() in ("n/a", "na", "none", "null", "tbd")


def _titled_link(cell: Inline, named: bool) -> Link | None:
    """The first link of a cell whose text may be a title (not a badge, a label, a number…);
    ``named`` as for ``titles.venue_year``."""
    return next((link for link in cell.links if not link.is_badge and link_role(link.text) is None
                 and not_a_title(link.text, named) is None), None)


def _cell_candidates(cell: Inline, name: bool, named: bool) -> list[tuple[str, bool, Link | None]]:
    """A cell's title candidates: its titled link, then each ``<br/>`` part's own text; each
    with whether it titles the entry (a short text in a name column names it) and its link."""
    link = _titled_link(cell, named)
    parts: list[tuple[str, Link | None]] = [(link.text, link)] if link else []
    parts += [("".join(p.text for p in part if p.kind == "text"), None)
              for part in split_at_breaks(cell.pieces)]
    return [(text, not (name and len(text.split()) <= NAME_WORDS), found)
            for text, found in parts]


def _row_title(kind: EntryKind, cols: Columns,
               cells: Sequence[Inline]) -> tuple[Title, Link | None, int] | None:
    """The row's title (the first title-like cell's candidate that is a title), its link and
    its column. A dataset's cell and a Model or Method cell name the entry: "HRSC2016" there
    is a name, not a venue and year."""
    for i in cols.titles:
        if i < len(cells):
            named = kind == "dataset" or i in cols.names
            for text, from_list, link in _cell_candidates(cells[i], i in cols.names, named):
                if (title := choose_title([(text, from_list)], named)) is not None:
                    return title, link, i
    return None


def distinct_papers(urls: Iterable[str]) -> list[str]:
    """The links of `urls` that are different papers: a second arXiv id, DOI or IEEE number
    is another paper, while an arXiv link beside a DOI may be the same paper's two versions."""
    kept: list[str] = []
    seen: set[tuple[str, str]] = set()
    kinds: set[str] = set()
    for url in urls:
        pairs = ids_from_url(url).pairs()
        if not kept and not pairs:
            return [url]  # the first link carries no identifier: nothing to tell papers apart by
        if not pairs or any(pair in seen for pair in pairs):
            continue
        if not kept or {name for name, _ in pairs} <= kinds:
            kept.append(url)
        seen.update(pairs)
        kinds.update(name for name, _ in pairs)
    return kept


def _best_paper_link(urls: Sequence[str]) -> str:
    """The link of ``urls`` that best names the paper: on a paper host with an identifier in it
    (arXiv, DOI), else with an identifier (a Semantic Scholar page), else on a paper host (a
    PDF), else the first.

    >>> _best_paper_link(["https://openalex.org/W1", "https://www.semanticscholar.org/paper/"
    ...                   "2559a0b96b3f0e7ace485aa1a8228cc275694cb6", "https://doi.org/10.5194/x"])
    'https://doi.org/10.5194/x'
    """
    def rank(url: str) -> tuple[bool, bool, bool]:
        paper, ids = is_paper_url(url), bool(ids_from_url(url).pairs())
        return not (paper and ids), not ids, not paper

    return min(urls, key=rank)  # the first of the best


def read_row(kind: EntryKind, cols: Columns, cells: Sequence[Inline]) -> list[RowEntry] | str:
    """The entries one row gives (two papers in one row are two), or why it gives none: a
    message that starts with "problem: " for a row that is broken, else a plain reason."""
    title_cell = cells[cols.title]
    if not title_cell.links and _UNCLOSED_LINK.search(title_cell.text):
        return (f"problem: title cell {title_cell.text!r} has a broken link "
                "(want [Title](https://…)); row skipped")
    present = [i for i in cols.titles if i < len(cells)]
    chosen = _row_title(kind, cols, cells)
    if chosen is None and all(_is_nothing(cell.text) and not cell.links for cell in cells):
        return "it is a row with nothing in it (\"| ... |\", \"| - | - |\")"
    if chosen is None:
        return ("problem: row has no title (its title cell holds no letter or digit, or only "
                "a link label, a number, a date or a venue and year); row skipped")
    title, titled, column = chosen

    def links_of(indices: Iterable[int]) -> tuple[str, ...]:
        return web_links(link for i in indices if i < len(cells) for link in cells[i].links)

    def paper_badges(indices: Iterable[int]) -> tuple[str, ...]:
        """Badges linking a paper ("[![arXiv](…shields.io…)](arxiv.org/…)"): its links."""
        return tuple(link.href for i in indices if i < len(cells) for link in cells[i].links
                     if link.is_badge and is_paper_url(link.href))

    venue, year = (split_venue_year(cells[cols.venue].text) if cols.venue is not None
                   and cols.venue < len(cells) and not _is_nothing(cells[cols.venue].text)
                   else (None, None))
    if cols.year is not None and (found := re.search(r"\b(?:19|20)\d{2}\b",
                                                     cells[cols.year].text)):
        year = int(found[0])  # a Year column wins over a year inside the venue cell
    parts = split_at_breaks(title_cell.pieces)  # "| **Title** <br/> TGRS 2022 <br/> …"
    for part in parts if len(parts) > 1 else ():
        text = "".join(p.text for p in part if p.kind == "text").strip()
        if venue is None and year is None and text != title.text and (
                said := venue_year(text, any_venue=True)) is not None:
            venue, year = said
    venue, year = venue or title.venue, year or title.year
    url = titled.href if titled else None
    # label links of the title-like cells ("[arXiv](…)", "[[Paper]](…)"), the Paper, PDF and
    # Link columns, and a linked venue ("| … | [TGRS2024](…) |") hold the paper's link
    labelled = tuple(link.href for i in present for link in cells[i].links
                     if link is not titled and not link.is_badge
                     and (link_role(link.text) == "paper" or is_paper_url(link.href)))
    link_columns = cols.paper + (cols.link if kind == "paper" else ())
    paper_links = tuple(dict.fromkeys(labelled + links_of(link_columns) + links_of(
        () if cols.venue is None else (cols.venue,)) + paper_badges((*present, *link_columns))))
    named = None  # a title cell linking a home page or code, beside the paper's link
    if url is None and paper_links:
        # "[Page](https://openalex.org/W…) / [PDF](https://arxiv.org/pdf/…)": the paper's own
        # page before an index's page of it
        url = _best_paper_link(paper_links)
    elif url is not None and not is_paper_url(url) and (
            better := next((u for u in paper_links if is_paper_url(u)), None)):
        named, url = url, better
    if kind == "paper" and column in cols.names and not (url and is_paper_url(url)) \
            and venue is None:
        # "| Gemini 2.5 Pro | Why it matters |": a model the list talks of, not a paper
        return "it names a model or method and links no paper"
    if kind == "paper" and url is not None and is_code_url(url) and venue is None \
            and year is None and not any(is_paper_url(u) for u in paper_links):
        # "| **PANGAEA** | [link](https://github.com/…) | A benchmark … |": a project, no paper
        return "it links only code or a repository, not a paper"
    others = links_of(cols.code + cols.home + cols.link + tuple(i for i, _ in cols.attributes))
    others += tuple(link.href for i in present for link in cells[i].links
                    if link.href.startswith(("http://", "https://")) and not link.is_badge
                    and link.href not in paper_links and link is not titled)
    attributes = tuple((name, cells[i].text) for i, name in cols.attributes
                       if i < len(cells) and not _is_nothing(cells[i].text))
    named_links = (named,) if named else ()
    if kind == "dataset":
        return [RowEntry(title, url, venue, year, home_urls=tuple(dict.fromkeys(
            named_links + links_of(cols.home + cols.link + cols.code))),
            download_urls=links_of(cols.download), attributes=attributes)]
    code_urls = tuple(dict.fromkeys(u for u in named_links + others if u != url))
    first = RowEntry(title, url, venue, year, code_urls=code_urls, attributes=attributes)
    more = [u for u in distinct_papers((url, *paper_links)) if u != url] if url else []
    return [first, *(RowEntry(title, u, venue, year, attributes=attributes) for u in more)]
