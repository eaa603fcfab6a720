"""Text from outside (titles, venues, authors, links the APIs return) written into Markdown.

Every Markdown output (a row proposed for the list, ``report.md``, the suggest review note,
``discover --format md``, ``changes --format md``) renders outside text through these
functions, so a title reads as the text it is and never as markup: no raw HTML, no emphasis,
no link or table cell it did not come with, and links percent-encoded. The HTML page does the
same with :func:`html.escape`.

GitHub reads more into a pull request's text (the weekly refresh's body is ``changes --format md``
and the suggest review note) than CommonMark does: ``@user`` notifies someone, ``#123`` and
``GH-123`` link (and "fixes #123" closes) an issue, ``www.`` and ``https://`` in plain text
become links. Outside text gets an invisible zero-width space (U+200B) after the ``@``, ``#``,
``GH-``, ``www`` or scheme, which shows the same text and none of that. Only rows written into the
list itself (``listfile/rows.py``) keep their text free of it (``references=True``): a list file
is no conversation, and its rows are the curator's.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

__all__ = ["Markdown", "markdown_link", "markdown_text", "markdown_url", "table_cell"]

#: GitHub's references in a conversation: a mention, an issue or pull request, a bare link
_REFERENCE = re.compile(r"(@)(?=[A-Za-z0-9])|(#)(?=\d)|\b(GH-)(?=\d)|\b(www)(?=\.)"
                        r"|\b((?:https?|ftp)(?=://))", re.IGNORECASE)
_ZERO_WIDTH_SPACE = "\u200b"

#: what CommonMark (with GFM tables and strikethrough) reads as markup inside a line: emphasis,
#: code, HTML and autolinks, entities, cell borders, and a "]" that would close a link or image
#: ("](", "][", "]:"); a lone "[c]" is text, as no output holds link definitions. A backslash
#: before ASCII punctuation is always a literal character, so escaping more is harmless.
_SPECIAL = re.compile(r"([\\`*_<>|~&]|\](?=\s*[(\[:]))")
#: inside a link's text every bracket is escaped: one "]" would end the text early
_LINK_TEXT_SPECIAL = re.compile(r"([\\`*_<>|~&\[\]])")
#: characters a link destination keeps as written (RFC 3986 reserved and unreserved, and "%"
#: of what is already encoded); parentheses, angle brackets, quotes, pipes, spaces do not
_URL_SAFE = ":/?#@!$&*+,;=%~-._"


class Markdown(str):
    """Text that already is Markdown (a link, a row): written as it is, not escaped again."""

    __slots__ = ()


def markdown_text(text: str, *, references: bool = False) -> str:
    r"""Return ``text`` as Markdown that displays exactly ``text``, on one line.

    Whitespace runs (newlines included) fold to one space. Unless ``references``, GitHub's
    mentions, issue references and bare links are made inert (see the module docstring).

    >>> print(markdown_text("<img src=x onerror=alert(1)> *Geo*_[RS]_ | a&amp;b [x](javascript:y)"))
    \<img src=x onerror=alert(1)\> \*Geo\*\_[RS]\_ \| a\&amp;b [x\](javascript:y)
    >>> markdown_text("@octocat fixes #12 via www.x.org").replace("\u200b", "<ZWSP>")
    '@<ZWSP>octocat fixes #<ZWSP>12 via www<ZWSP>.x.org'
    """
    escaped = _SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return escaped if references else _inert(escaped)


def _inert(markdown: str) -> str:
    return _REFERENCE.sub(lambda m: m.group(0) + _ZERO_WIDTH_SPACE, markdown)


def _link_text(text: str, references: bool) -> str:
    escaped = _LINK_TEXT_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return escaped if references else _inert(escaped)


def markdown_url(url: str) -> str | None:
    """Return ``url`` percent-encoded for a Markdown link destination; ``None`` unless http(s).

    A ``javascript:`` or ``data:`` link from an API is no link at all.

    >>> markdown_url("https://example.org/a b(c)<d>|\\"e\\"")
    'https://example.org/a%20b%28c%29%3Cd%3E%7C%22e%22'
    >>> markdown_url("javascript:alert(1)") is None
    True
    """
    url = url.strip()
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return quote(url, safe=_URL_SAFE)


def markdown_link(text: str, url: str | None, *, references: bool = False) -> Markdown:
    r"""Return ``[text](url)``, the text escaped and the link encoded; only the text without a link.

    >>> print(markdown_link("GeoX [v2] | RS", "https://arxiv.org/abs/2401.00001"))
    [GeoX \[v2\] \| RS](https://arxiv.org/abs/2401.00001)
    >>> print(markdown_link("x", "javascript:alert(1)"))
    x
    """
    target = markdown_url(url) if url else None
    if not target:
        return Markdown(markdown_text(text, references=references))
    return Markdown(f"[{_link_text(text, references)}]({target})")


def table_cell(value: str) -> str:
    r"""One cell of a Markdown table: outside text escaped, :class:`Markdown` with its pipes escaped.

    >>> table_cell("a|b"), table_cell(Markdown("[a|b](https://x.org)"))
    ('a\\|b', '[a\\|b](https://x.org)')
    """
    if isinstance(value, Markdown):
        return re.sub(r"(?<!\\)\|", r"\\|", " ".join(value.split()))
    return markdown_text(value)
