"""Records as text for the terminal and for scripts: an aligned table, JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from .errors import UsageError
from .markdown import Markdown, table_cell

__all__ = ["format_records", "aligned_table", "csv_text"]

_TABLE_CELL_WIDTH = 60
#: how a cell a spreadsheet would run as a formula begins (OWASP, "CSV Injection")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def csv_text(text: str) -> str:
    r"""Outside text as a CSV cell that a spreadsheet shows as text, never runs: a cell that starts
    as a formula does (``=``, ``+``, ``-``, ``@``, tab, carriage return) gets a leading
    apostrophe, as OWASP advises; a number stays a number. A carriage return becomes a line
    feed: the csv module, writing lines ended by ``\n``, would not quote a cell holding a lone
    ``\r``, which a spreadsheet reads as the start of a new row. Every CSV the project writes (the
    exports, ``--format csv``, query results) passes its text cells through here.

    >>> csv_text("=1+2"), csv_text("-3.5"), csv_text("SAR-CLIP"), csv_text("a\r\nb\rc")
    ("'=1+2", '-3.5', 'SAR-CLIP', 'a\nb\nc')
    """
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        text = "'" + text
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _text_cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return " ".join(str(value).split())


def _md_cell(value: Any) -> str:
    # outside text is escaped; links and rows rendered by the list side are kept as Markdown
    return table_cell(value if isinstance(value, Markdown) else _text_cell(value))


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (Mapping, list, tuple)):
        return csv_text(_text_cell(value))
    return csv_text(value) if isinstance(value, str) else value


def format_records(
    records: Sequence[Mapping[str, Any]],
    fmt: Literal["table", "json", "csv", "md"],
    columns: Sequence[str] | None = None,
    width: int | None = None,
) -> str:
    """Return records as a plain aligned text table, JSON, CSV or a Markdown table.

    ``columns`` picks and orders the fields (default: every field of the first record, in its
    order). JSON keeps values as they are (sorted keys, indent 2); the text formats join lists
    with ``; `` and show floats with four significant digits, ``table`` cuts cells at 60
    characters, and fits the table into ``width`` columns when given (a terminal's: see
    :func:`aligned_table`).

    Examples
    --------
    >>> print(format_records([{"title": "A", "n": 2}, {"title": "Bb", "n": 10}], "table"))
    title   n
    -----  --
    A       2
    Bb     10
    """
    columns = list(columns) if columns is not None else (list(records[0]) if records else [])
    rows = [{c: r.get(c) for c in columns} for r in records]
    if fmt == "json":
        return json.dumps(rows, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({c: _csv_cell(v) for c, v in row.items()} for row in rows)
        return buffer.getvalue()
    if fmt == "md":
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        lines += [
            "| " + " | ".join(_md_cell(row[c]) for c in columns) + " |"
            for row in rows
        ]
        return "\n".join(lines) + "\n"
    if fmt != "table":
        raise UsageError(f"unknown format {fmt!r}: use table, json, csv or md")

    def cut(text: str) -> str:
        return text if len(text) <= _TABLE_CELL_WIDTH else text[: _TABLE_CELL_WIDTH - 1] + "…"

    cells = [[cut(_text_cell(row[c])) for c in columns] for row in rows]
    numeric = [all(isinstance(row[c], (int, float)) or row[c] is None for row in rows) for c in columns]
    return aligned_table(columns, cells, numeric, width)


def aligned_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] = (),
    width: int | None = None,
) -> str:
    """Return a plain text table: the header, a rule of dashes, the rows, columns two spaces apart.

    Each column is as wide as its widest cell; columns flagged in ``right`` are right-aligned
    (numbers), the others left-aligned; no line ends in spaces. With ``width`` (the terminal's,
    for a person reading it) a table wider than that is fitted to it: numbers keep their width,
    text columns share the rest and a cell too long for its column ends in "…"; a pipe or a file
    gets the plain table, whatever its width.

    >>> print(aligned_table(["name", "n"], [["a", "10"], ["bcd", "2"]], [False, True]))
    name   n
    ----  --
    a     10
    bcd    2
    """
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    flags = [*right, *[False] * (len(header) - len(right))]
    if width is not None and sum(widths) + 2 * (len(widths) - 1) > width:
        return _fitted(header, rows, flags, widths, width)

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, flags)
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])



def _fitted(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool],
            widths: Sequence[int], width: int) -> str:
    """The table within ``width`` terminal cells: numbers stay whole (their headers are cut, to
    four cells at least, when the text columns would get under 12 cells each), the text columns share what is left (the
    narrow ones whole, the rest evenly), and a cell cut to its column ends in "…". Widths are
    counted in terminal cells (rich's), so a Chinese title lines up."""
    from rich.cells import cell_len, set_cell_size

    natural = [max([cell_len(h), *(cell_len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    fitted = list(natural)
    texts = sorted((w, i) for i, w in enumerate(natural) if not right[i])
    numbers = [i for i, number in enumerate(right) if number]
    left = width - 2 * (len(header) - 1) - sum(natural[i] for i in numbers)
    if left < sum(min(w, 12) for w, _ in texts):
        for i in numbers:
            fitted[i] = max([min(cell_len(header[i]), 4), *(cell_len(r[i]) for r in rows)])
        left = width - 2 * (len(header) - 1) - sum(fitted[i] for i in numbers)
    for place, (wanted, i) in enumerate(texts):
        fitted[i] = max(1, min(wanted, left // (len(texts) - place)))
        left -= fitted[i]

    def cell(text: str, i: int) -> str:
        if cell_len(text) > fitted[i]:
            text = set_cell_size(text, fitted[i] - 1) + "…"
        pad = " " * (fitted[i] - cell_len(text))
        return pad + text if right[i] else text + pad

    def line(values: Sequence[str]) -> str:
        return "  ".join(cell(v, i) for i, v in enumerate(values)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in fitted]), *map(line, rows)])
