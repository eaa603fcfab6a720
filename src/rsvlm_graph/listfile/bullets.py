"""A bullet's first paragraph, or one line of a paragraph, → the entries it writes.

Shapes read: ``[Title](…) …``, ``**Title** [[paper]](…)``, ``Title, Venue Year [[pdf]](…)``,
``"Title." Venue Year [[paper]](…)``, and lines whose links are all labels (``[📄 Paper](…)``,
``[**EarthGPT(Paper)**](…)``) with the title elsewhere (bold on the line, the next line, the next
paragraph, the heading above: the parser looks there). What comes before the entry is read and
dropped: ``2024-TGRS.``, ``[**TGRS 2022**]``, a citation count ``[9]`` (linked or not), a date
``**2023/12/20**:`` (an announcement: its paper is an entry only if no other entry lists it).
Two titled links to two papers are two entries.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..identifiers import is_paper_url
from .inline import Link, Piece, fold_text, has_text, inline, until_link
from .tables import distinct_papers
from .titles import (
    SEPARATORS,
    Prefix,
    Title,
    choose_title,
    is_date,
    link_role,
    not_a_title,
    prefix_length,
    short_name,
    venue_year,
)

__all__ = ["Found", "read_entries", "label_only_title", "drop_prefix", "is_paper_link"]

# where a venue and year may begin or end in the text after a title: brackets, bars,
# semicolons, a sentence's end, a dash between spaces
_VENUE_PARTS = re.compile(r"[()\[\]|;*]|(?<=\.)\s|\s[-–—]\s")


@dataclass(frozen=True, slots=True)
class Found:
    """An entry read from a bullet or a paragraph line, before it gets its place."""

    title: Title | None  # None: the links are labels and the title is elsewhere
    url: str | None
    links: tuple[Link, ...]  # the other links
    venue: str | None
    year: int | None
    short_name: str | None = None
    dated: bool = False  # the line starts with a date: an announcement


def is_paper_link(link: Link) -> bool:
    """A link to a paper: labelled as one (``[PDF]``), or to a paper host whatever its label."""
    return link_role(link.text) == "paper" or is_paper_url(link.href)


def _numeric(text: str, named: bool) -> bool:
    """A link's text before the title that is no title: a citation count, a date, a venue and
    year."""
    return not_a_title(text, named) in ("a number", "a date", "a venue and year")


def drop_prefix(pieces: Sequence[Piece], named: bool = False) -> tuple[list[Piece], Prefix]:
    """``pieces`` without what precedes the entry, and what that said (venue, year, a date);
    ``named`` as for ``titles.venue_year``."""
    rest = list(pieces)
    said = Prefix()
    while True:
        before = until_link(rest)
        found = prefix_length("".join(p.text for p in before), rest=len(before) == len(rest))
        if found.length:
            said = Prefix(said.length + found.length, said.venue or found.venue,
                          said.year or found.year, said.dated or found.dated)
            rest = _cut(rest, found.length)
            continue
        lead = next((i for i, p in enumerate(rest) if p.kind == "link" or p.text.strip()), None)
        if lead is None or rest[lead].kind != "link" or rest[lead].is_badge or not _numeric(
                rest[lead].text, named) or lead == len(rest) - 1:
            return rest, said
        rest = rest[lead + 1:]  # "[9](https://scholar…)": a count linked to its citations


def _cut(pieces: Sequence[Piece], length: int) -> list[Piece]:
    """``pieces`` without the first ``length`` characters of their text, links kept."""
    out: list[Piece] = []
    for piece in pieces:
        if length <= 0 or piece.kind == "link":
            out.append(piece)
            length = 0
            continue
        if len(piece.text) > length:
            out.append(replace(piece, text=piece.text[length:]))
        length -= len(piece.text)
    return out


def _titled(link: Link, named: bool) -> bool:
    return link_role(link.text) is None and not_a_title(link.text, named) is None


def read_entries(pieces: Sequence[Piece], paragraph: bool = False,
                 named: bool = False) -> list[Found]:
    """Read one bullet's first paragraph, or one line of a paragraph, as its entries (none for
    prose, a table of contents or a badge line).

    In a paragraph, a leading linked title counts only with a paper link or a venue and year
    after it, so prose that starts with a link is not an entry. With ``named`` (a dataset
    part), an acronym glued to a year is a name (``[HRSC2016](…)``), not a venue and year.
    """
    pieces, said = drop_prefix(pieces, named)
    run = inline(pieces)
    # a badge is navigation, unless it links the paper of an entry the line writes: "Title
    # [![arXiv](…shields.io…)](arxiv.org/…)"; a line of badges alone is a survey's banner
    links = [link for link in run.links if (not link.is_badge or is_paper_url(link.href))
             and link.href.startswith(("http://", "https://"))]
    if all(link.is_badge for link in links):
        links = []
    venue_text = run.outside
    title: Title | None
    url: str | None = None
    name = None
    more: list[Found] = []
    label_only = False
    if run.leading == "strong" and any(link_role(link.text) for link in links):
        title = choose_title([(run.strong, True)], named)  # "**Title** [[paper]](…)"
    elif run.leading == "link" and links and links[0] is run.links[0] and _titled(links[0], named):
        title, url = choose_title([(links[0].text, True)], named), links[0].href  # "[Title](…)"
        if paragraph and not is_paper_url(url) and venue_year(
                venue_text.strip(SEPARATORS), any_venue=True) is None:
            return []
        more = _more_papers(links, named)
        links = [link for link in links[1:] if link.href not in {m.url for m in more}]
    elif run.leading == "text" and has_text(run.before_link) and any(
            link_role(link.text) == "paper" for link in links):
        # '"Title." ECCV 2024. [[paper](…)]', 'Title [[paper](…)]', a dated announcement;
        # 'Title. [[paper](…)] <br> *Information Fusion (2025)*': the venue after the links
        title = choose_title([(run.before_link, True)], named)
        venue_text = _after_first_link(pieces)
    elif links and all(link_role(link.text) for link in links) and any(
            is_paper_link(link) for link in links):
        # every link a label: the title is bold on the line, on the next line, or a heading's
        title, label_only = label_only_title(pieces, named), True
        name = next((known for link in links if (known := short_name(link.text))), None)
        venue_text = run.before_link
    else:
        return []
    if title is None and not label_only:
        return []
    venue, year = said.venue, said.year
    if title is not None and venue is None and year is None:
        venue, year = title.venue, title.year
    if (written := _venue_in(venue_text)) is not None and venue is None and year is None:
        venue, year = written
    first = Found(title, url, tuple(links), venue, year, name, said.dated)
    return [first, *(replace(m, venue=m.venue or venue, year=m.year or year, dated=said.dated)
                     for m in more)]


def _after_first_link(pieces: Sequence[Piece]) -> str:
    """The text after the first link, links left out."""
    first = next((i for i, p in enumerate(pieces) if p.kind == "link"), len(pieces))
    return fold_text("".join(p.text for p in pieces[first + 1:] if p.kind == "text"))


def _venue_in(text: str) -> tuple[str | None, int] | None:
    """The venue and year written around an entry's links: the whole text (``, TGRS 2017.``),
    else its last part between separators that is one, after authors or a description
    (``. *E. Mathieu, C. Le Lan*. (NeurIPS 2019).``).

    >>> _venue_in(". Emile Mathieu, Charline Le Lan. (NeurIPS 2019). "), _venue_in("(May 2018)")
    (('NeurIPS', 2019), None)
    """
    for part in (text, *reversed(_VENUE_PARTS.split(text))):
        part = part.strip(SEPARATORS + ".")
        if has_text(part) and not is_date(part) and (
                said := venue_year(part, any_venue=True)) is not None:
            return said
    return None


def _more_papers(links: Sequence[Link], named: bool) -> list[Found]:
    """The titled links after the first that link other papers: ``[A](…) and [B](…)``."""
    titled = [link for link in links if _titled(link, named) and is_paper_url(link.href)]
    if len(titled) < 2 or titled[0] is not links[0]:
        return []
    others = set(distinct_papers(link.href for link in titled)) - {links[0].href}
    out = []
    for link in titled[1:]:
        if link.href in others and (title := choose_title([(link.text, True)], named)) is not None:
            out.append(Found(title, link.href, (), title.venue, title.year))
    return out


def label_only_title(pieces: Sequence[Piece], named: bool = False) -> Title | None:
    """The title beside links that are all labels: bold text, else the text after the first
    line break (``- [**EarthGPT(Paper)**](…)`` then the full title indented below)."""
    bold = fold_text("".join(p.text for p in pieces if p.kind == "text" and p.strong))
    breaks = [i for i, p in enumerate(pieces) if p.kind == "break"]
    after = fold_text("".join(p.text for p in pieces[breaks[0]:] if p.kind != "link")) \
        if breaks else ""
    return choose_title([(bold if has_text(bold) else None, True), (after, True)], named)
