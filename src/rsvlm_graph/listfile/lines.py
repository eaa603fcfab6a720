"""Lines and table cells of a list's text, split one way for every reader of the list.

The parser numbers lines as Markdown does (``\\r\\n``, ``\\r`` and ``\\n`` each end a line), and
whatever writes back into the list (figures in the annotated copy, rows in a suggestion patch)
must count them the same way, or a CR-only list gets its figures on the wrong rows. Table rows
are split into cells at unescaped pipes, as GFM does, here only.
"""

from __future__ import annotations

import re

__all__ = ["LINE_BREAK", "split_lines", "line_ending", "cell_spans", "table_cells"]

#: what ends a line, for Markdown and so for this package (not U+2028, form feeds…)
LINE_BREAK = re.compile(r"\r\n?|\n")
_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")
_PIPE = re.compile(r"(?<!\\)\|")


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    r"""Split ``text`` into lines as the parser numbers them (line ``n`` is item ``n - 1``).

    Without ``keepends`` a text ending in a line break has an empty last item, as
    ``re.split`` gives; with it, each item keeps its ending and ``"".join`` gives ``text`` back.

    >>> split_lines("a\r\nb\rc\n"), split_lines("a\r\nb\rc", keepends=True)
    (['a', 'b', 'c', ''], ['a\r\n', 'b\r', 'c'])
    """
    if keepends:
        return _LINE_WITH_END.findall(text)
    return LINE_BREAK.split(text)


def line_ending(line: str) -> str:
    r"""The line break that ends ``line`` (``"\r\n"``, ``"\r"``, ``"\n"``), or ``""``.

    >>> line_ending("row\r\n"), line_ending("row\r"), line_ending("row")
    ('\r\n', '\r', '')
    """
    for ending in ("\r\n", "\r", "\n"):
        if line.endswith(ending):
            return ending
    return ""


def cell_spans(row: str) -> list[tuple[int, int]]:
    r"""Where each cell of a table row sits in ``row``: ``(start, end)`` offsets, cell text not
    stripped, the outer pipes (and the whitespace outside them) left out.

    >>> row = r"| A | B \| C |-|"
    >>> [row[a:b] for a, b in cell_spans(row)]
    [' A ', ' B \\| C ', '-']
    """
    start = len(row) - len(row.lstrip())
    end = len(row.rstrip())
    if row.startswith("|", start):
        start += 1
    if end > start and row[end - 1] == "|" and row[end - 2: end] != "\\|":
        end -= 1
    bounds = [start, *(m.start() + 1 for m in _PIPE.finditer(row, start, end)), end + 1]
    return [(a, b - 1) for a, b in zip(bounds, bounds[1:])]


def table_cells(row: str) -> list[str]:
    r"""The cells of one table row as written, stripped, without the outer pipes.

    >>> table_cells("[A](u)|arxiv 2023|-"), table_cells("| Paper | Published in |")
    (['[A](u)', 'arxiv 2023', '-'], ['Paper', 'Published in'])
    """
    return [row[a:b].strip() for a, b in cell_spans(row)]
