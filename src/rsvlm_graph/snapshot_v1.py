"""Reading a snapshot of the first format (before the header line): the one place that guesses.

That format wrote an :class:`~rsvlm_graph.models.Enrichment`, a line per record, without the
dates a later run needs: not when a resolution or a citation list was fetched, nor the count a
list was fetched at, nor when a failure happened, nor what the recommendations were asked with.
:func:`read_v1` reads it (every line checked, as in the current format) and gives the rows the
current format holds, each date and count guessed as that format's writer implied:

- a resolution is dated like its paper record (fetched in the same run), one without a paper
  like the newest record of the file (the run that tried it);
- both lists of a list paper are dated like its paper record and taken at its counts; a list
  whose refresh failed (a ``failure`` line), or of a paper without a record, at no count and
  undated (1970), so the next run fetches it whole; one that failed with no citation in the
  file is left out, to be fetched rather than taken as empty;
- a failure is dated a second after the newest record (so that no record settles it); the
  recommendations like the oldest recommended paper, asked with the accepted list papers and
  unknown negatives.

The next rewrite writes the current format; nothing else reads the first one.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .codec import (
    DIRECTIONS,
    RECOMMENDATIONS_KEY,
    Direction,
    Edge,
    Row,
    failure_key,
    list_count,
    owner,
)
from .models import (
    ArxivRecord,
    Citation,
    EdgeList,
    Failure,
    Paper,
    Recommendations,
    Resolution,
)
from .records import accepted_ids
from .schema import PaperRef, as_record, record_schema
from .snapshot import EPOCH, CheckedSnapshot, LineReader, checked, just_after

__all__ = ["read_v1"]

#: each line ``type`` of the first format and the record it holds
_LINE_TYPES: dict[str, type] = {
    "arxiv": ArxivRecord,
    "citation": Citation,
    "failure": Failure,
    "paper": Paper,
    "recommendation": PaperRef,
    "resolution": Resolution,
    "truncated": PaperRef,
}


@functools.cache
def _schemas() -> dict[str, type[BaseModel]]:
    from typing import Literal

    return {kind: record_schema(cls, type=(Literal[kind], ...), key=(str, ...))
            for kind, cls in _LINE_TYPES.items()}


def read_v1(path: Path, lines: Iterator[tuple[int, bytes]]) -> CheckedSnapshot:
    """The rows a first-format snapshot holds, as the module docstring guesses them."""
    reader = LineReader(path, _schemas())
    parts: dict[str, list[Any]] = {kind: [] for kind in _LINE_TYPES}
    ranks: list[tuple[str, str]] = []  # the zero-padded rank is the line's key
    for model in reader.models(lines):
        kind: str = model.type  # type: ignore[attr-defined]
        record = as_record(model)
        if kind == "recommendation":
            ranks.append((model.key, record.s2_paper_id))  # type: ignore[attr-defined]
        parts[kind].append(record)
    ranked = tuple(s2_id for _, s2_id in sorted(ranks))
    rows, edges = _rows(parts["resolution"], parts["paper"], parts["citation"], parts["arxiv"],
                        ranked, parts["failure"], {r.s2_paper_id for r in parts["truncated"]})
    return checked(path, reader, rows, edges, format=1)


def _rows(
    resolutions: Sequence[Resolution], papers: Sequence[Paper], citations: Sequence[Citation],
    arxiv: Sequence[ArxivRecord], ranked: tuple[str, ...], failures: Sequence[Failure],
    truncated: set[str],
) -> tuple[list[Row], list[Edge]]:
    by_id = {p.s2_paper_id: p for p in papers}
    accepted = set(accepted_ids(resolutions))
    newest = max((p.fetched_at for p in papers if p.fetched_at), default=EPOCH)
    failed = {(f.subject, f.phase) for f in failures}
    rows: list[Row] = []
    for r in resolutions:
        paper = by_id.get(r.s2_paper_id or "") if r.s2_paper_id in accepted else None
        rows.append(Row("resolution", r.entry_key,
                        (paper.fetched_at if paper else None) or newest, r))
    for s2_id, paper in by_id.items():
        rows.append(Row("paper" if s2_id in accepted else "linked", s2_id,
                        paper.fetched_at or EPOCH, paper))
    holders: dict[tuple[Direction, str], list[Citation]] = {}
    for c in citations:
        for direction in DIRECTIONS:
            holders.setdefault((direction, owner(c, direction)), []).append(c)
    listed: set[tuple[Direction, str]] = set()
    for direction in DIRECTIONS:
        for s2_id in sorted(accepted):
            paper = by_id.get(s2_id)
            dated = paper is not None and paper.fetched_at is not None
            undone = (s2_id, direction) in failed or not dated
            if undone and (direction, s2_id) not in holders:
                continue  # never fetched, or nothing kept of it: fetched, not taken as empty
            count = None
            if not undone and paper is not None:
                count = list_count(paper, direction)
            stamp = EPOCH if undone or paper is None else paper.fetched_at or EPOCH
            header = EdgeList(count, direction == "citations" and s2_id in truncated)
            rows.append(Row(direction, s2_id, stamp, header))
            listed.add((direction, s2_id))
    edges = []
    for c in citations:
        lists = tuple(d for d in DIRECTIONS if (d, owner(c, d)) in listed)
        if lists:
            edges.append(Edge(c, lists))
    rows += [Row("arxiv", a.arxiv_id, a.fetched_at or EPOCH, a) for a in arxiv]
    stamps = [p.fetched_at for s2_id in ranked if (p := by_id.get(s2_id)) and p.fetched_at]
    if ranked:
        rows.append(Row("recommendations", RECOMMENDATIONS_KEY, min(stamps, default=EPOCH),
                        Recommendations(tuple(sorted(accepted)), None, ranked)))
    rows += [Row("failure", failure_key(f), just_after(newest), f) for f in failures]
    return rows, edges
