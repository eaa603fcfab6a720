"""Markdown inline runs of a list (a table cell, a bullet's paragraph) as pieces the parser reads.

markdown-it-py gives a flat token stream per inline run; the parser needs less and more: which
text is a link's, which is bold, where a line breaks (``<br/>`` and ``</br>`` too, as lists join
a title, its venue and its links in one cell that way), and which links are badges.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["MARKDOWN", "Piece", "Link", "Inline", "pieces", "inline", "read_inline", "fold_text",
           "has_text", "web_links", "until_link", "split_at_breaks"]

MARKDOWN = MarkdownIt("commonmark").enable("table")
# "<br>", "<br/>", "<br />" and the "</br>" some lists write: a line break inside one run
_BREAK_TAG = re.compile(r"<\s*/?\s*br\s*/?\s*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Piece:
    """One run of an inline: text, a line break, or a link with its text."""

    kind: str  # "text", "break" or "link"
    text: str
    href: str = ""
    is_badge: bool = False  # a link wrapping an image (a shield badge)
    strong: int = 0  # which bold run it sits in (numbered from 1), 0 outside bold


@dataclass(frozen=True, slots=True)
class Link:
    text: str
    href: str
    is_badge: bool


@dataclass(frozen=True, slots=True)
class Inline:
    """What the parser needs of one inline run (a table cell or a bullet's first paragraph)."""

    text: str  # all visible text, links included, mojibake repaired, whitespace folded
    links: tuple[Link, ...]
    leading: str  # "link" (also a bold link), "strong" or "text": what the run starts with
    strong: str  # text of a leading bold run
    outside: str  # text that is neither in a link nor in the leading bold run
    before_link: str  # the outside text before the first link
    pieces: tuple[Piece, ...] = ()


def fold_text(text: str) -> str:
    return " ".join(text.split())


def has_text(text: str) -> bool:
    """A letter or digit in any script (遥感, Обзор), as a title needs."""
    return any(ch.isalnum() for ch in text)


def pieces(children: Sequence[Token]) -> list[Piece]:
    """The pieces of an inline token's children, in order."""
    out: list[Piece] = []
    link: tuple[str, list[str], bool, int] | None = None  # href, text, holds an image, bold run
    depth = run = 0
    for child in children:
        kind = child.type
        if kind == "link_open":
            link = (str(child.attrs.get("href", "")), [], False, run if depth else 0)
        elif kind == "link_close" and link is not None:
            out.append(Piece("link", fold_text("".join(link[1])), link[0], link[2], link[3]))
            link = None
        elif kind == "strong_open":
            depth += 1
            run += depth == 1
        elif kind == "strong_close":
            depth = max(0, depth - 1)
        elif kind in ("softbreak", "hardbreak") or (
                kind == "html_inline" and _BREAK_TAG.fullmatch(child.content.strip())):
            if link is not None:
                link[1].append(" ")
            else:
                out.append(Piece("break", " "))
        elif kind in ("text", "code_inline", "image"):
            if link is not None:
                link[1].append(child.content)
                link = (link[0], link[1], link[2] or kind == "image", link[3])
            else:
                out.append(Piece("text", child.content, strong=run if depth else 0))
    return out


def inline(run: Sequence[Piece]) -> Inline:
    """What a run of pieces starts with, its links, its bold lead and the text around them."""
    lead = next((p for p in run if p.kind == "link" or p.text.strip()), None)
    leading = ("text" if lead is None or (lead.kind != "link" and not lead.strong)
               else "link" if lead.kind == "link" else "strong")
    lead_run = lead.strong if lead is not None and leading == "strong" else -1
    links = tuple(Link(p.text, p.href, p.is_badge) for p in run if p.kind == "link")
    outside = [p for p in run if p.kind != "link" and p.strong != lead_run]
    first_link = next((i for i, p in enumerate(run) if p.kind == "link"), len(run))
    return Inline(
        fold_text("".join(p.text for p in run)), links, leading,
        fold_text("".join(p.text for p in run if p.kind == "text" and p.strong == lead_run)),
        fold_text("".join(p.text for p in outside)),
        fold_text("".join(p.text for p in run[:first_link] if p in outside)),
        tuple(run))


def read_inline(token: Token) -> Inline:
    return inline(pieces(token.children or []))


def until_link(run: Iterable[Piece]) -> list[Piece]:
    """The pieces before the first link."""
    out = []
    for piece in run:
        if piece.kind == "link":
            break
        out.append(piece)
    return out


def split_at_breaks(run: Sequence[Piece]) -> list[list[Piece]]:
    """The run cut at its line breaks: a paragraph's lines, or the parts of a ``<br/>`` cell."""
    parts: list[list[Piece]] = [[]]
    for piece in run:
        if piece.kind == "break":
            parts.append([])
        else:
            parts[-1].append(piece)
    return parts


def web_links(links: Iterable[Link]) -> tuple[str, ...]:
    """The http(s) links, once each: anchors (the table of contents) and badges are navigation,
    not data."""
    hrefs = (link.href for link in links
             if not link.is_badge and link.href.startswith(("http://", "https://")))
    return tuple(dict.fromkeys(hrefs))
