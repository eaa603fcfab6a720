"""Records as text for the terminal and for scripts: an aligned table, JSON, CSV or Markdown."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from .errors import UsageError

__all__ = ["format_records", "aligned_table"]

_TABLE_CELL_WIDTH = 60


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


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (Mapping, list, tuple)):
        return _text_cell(value)
    return value


def format_records(
    records: Sequence[Mapping[str, Any]],
    fmt: Literal["table", "json", "csv", "md"],
    columns: Sequence[str] | None = None,
) -> str:
    """Return records as a plain aligned text table, JSON, CSV or a Markdown table.

    ``columns`` picks and orders the fields (default: every field of the first record, in its
    order). JSON keeps values as they are (sorted keys, indent 2); the text formats join lists
    with ``; `` and show floats with four significant digits, ``table`` cuts cells at 60
    characters.

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
            "| " + " | ".join(re.sub(r"(?<!\\)\|", r"\\|", _text_cell(row[c])) for c in columns) + " |"
            for row in rows
        ]
        return "\n".join(lines) + "\n"
    if fmt != "table":
        raise UsageError(f"unknown format {fmt!r}: use table, json, csv or md")

    def cut(text: str) -> str:
        return text if len(text) <= _TABLE_CELL_WIDTH else text[: _TABLE_CELL_WIDTH - 1] + "…"

    cells = [[cut(_text_cell(row[c])) for c in columns] for row in rows]
    numeric = [all(isinstance(row[c], (int, float)) or row[c] is None for row in rows) for c in columns]
    return aligned_table(columns, cells, numeric)


def aligned_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] = ()
) -> str:
    """Return a plain text table: the header, a rule of dashes, the rows, columns two spaces apart.

    Each column is as wide as its widest cell; columns flagged in ``right`` are right-aligned
    (numbers), the others left-aligned; no line ends in spaces.

    >>> print(aligned_table(["name", "n"], [["a", "10"], ["bcd", "2"]], [False, True]))
    name   n
    ----  --
    a     10
    bcd    2
    """
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    flags = [*right, *[False] * (len(header) - len(right))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, flags)
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, rows)])
