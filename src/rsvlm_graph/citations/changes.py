"""What changed between two refreshes: gains, new citing papers, candidates and entries in and out.

A discovery candidate that left the shortlist says why (:data:`DEPARTURES`): it was **added to the
list** (a list paper of the newer refresh has its S2 id or title), **rejected** in the curation
file, **outranked** (discovery still finds it, below the shortlist), or is **no longer returned**
(Semantic Scholar no longer gives it as citing a list paper or recommended).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import UsageError
from ..identifiers import normalize_title, paper_page
from ..markdown import markdown_link, table_cell
from ..output import aligned_table, format_records
from .refreshes import Refresh

log = logging.getLogger(__name__)

Departure = Literal["added to the list", "rejected", "outranked", "no longer returned"]
#: why a candidate left the shortlist, in the order they are tested
DEPARTURES: tuple[Departure, ...] = ("added to the list", "rejected", "outranked",
                                     "no longer returned")

#: relative gains divide by at least this many citations: 0 → 3 is +30 %, not infinite
RELATIVE_GAIN_FLOOR = 10


@dataclass(frozen=True, slots=True)
class Gain:
    """A list paper's citation counts at two refreshes (same S2 paper, both counts known)."""

    entry: str
    title: str
    s2_id: str
    old_count: int
    new_count: int
    old_influential: int | None
    new_influential: int | None

    @property
    def absolute(self) -> int:
        return self.new_count - self.old_count

    @property
    def relative(self) -> float:
        """Gain over the old count, floored at :data:`RELATIVE_GAIN_FLOOR`.

        >>> Gain("paper:x", "X", "a" * 40, 0, 3, None, None).relative
        0.3
        >>> Gain("paper:x", "X", "a" * 40, 40, 50, None, None).relative
        0.25
        """
        return self.absolute / max(self.old_count, RELATIVE_GAIN_FLOOR)


@dataclass(frozen=True, slots=True)
class NewCiter:
    """A paper that cites list papers at the newer refresh and did not at the older one."""

    s2_id: str
    title: str | None
    cites: tuple[tuple[str, str], ...]  # (entry, title) of the list papers it cites, sorted


@dataclass(frozen=True, slots=True)
class Disappeared:
    """A list paper with a count at the older refresh and none at the newer one."""

    entry: str
    title: str
    s2_id: str | None  # the id it had
    citation_count: int  # its last count


@dataclass(frozen=True, slots=True)
class Reresolved:
    """A list entry matched to a different S2 paper at the newer refresh (counts not compared)."""

    entry: str
    title: str
    old_s2_id: str
    new_s2_id: str


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed between two refreshes; see :func:`changes_between`."""

    old_date: dt.date
    new_date: dt.date
    gains: tuple[Gain, ...]  # every count that changed, largest absolute gain first
    new_citers: tuple[NewCiter, ...]
    candidates_added: tuple[tuple[str, str], ...]  # (s2_id, title)
    candidates_dropped: tuple[tuple[str, str], ...]
    entries_added: tuple[tuple[str, str], ...]  # (entry, title)
    entries_removed: tuple[tuple[str, str], ...]
    disappeared: tuple[Disappeared, ...]
    reresolved: tuple[Reresolved, ...]
    #: why each dropped candidate left (S2 id → one of DEPARTURES)
    why_dropped: dict[str, Departure] = field(default_factory=dict)

    def top_gains(
        self, n: int = 10, by: Literal["absolute", "relative"] = "absolute"
    ) -> tuple[Gain, ...]:
        """The ``n`` largest positive gains, by absolute or relative size (ties by entry)."""
        positive = [g for g in self.gains if g.absolute > 0]
        if by == "absolute":
            positive.sort(key=lambda g: (-g.absolute, g.entry))
        else:
            positive.sort(key=lambda g: (-g.relative, -g.absolute, g.entry))
        return tuple(positive[:n])


def _departure(s2_id: str, title: str, *, listed: Collection[str],
               is_rejected: Callable[[str, str], bool] | None,
               returned: Collection[str]) -> Departure:
    """Why candidate ``s2_id`` left the shortlist (``listed``: the list's S2 ids and normalised
    titles at the newer refresh; ``returned``: what discovery still finds)."""
    if s2_id in listed or normalize_title(title) in listed:
        return "added to the list"
    if is_rejected is not None and is_rejected(s2_id, title):
        return "rejected"
    return "outranked" if s2_id in returned else "no longer returned"


def changes_between(
    old: Refresh, new: Refresh, titles: Mapping[str, str] | None = None, *,
    is_rejected: Callable[[str, str], bool] | None = None,
    candidates_now: Collection[str] | None = None,
) -> Changes:
    """Return what changed from refresh ``old`` to refresh ``new``.

    Parameters
    ----------
    old, new : Refresh
    titles : mapping, optional
        Titles of citing papers by S2 id, for those ``new`` has no title for (see
        :func:`citer_titles`).
    is_rejected : callable, optional
        ``(s2_id, title) -> bool``: the curation file rejects the paper.
    candidates_now : collection of str, optional
        S2 ids of every discovery candidate now, shortlisted or not; without it, a candidate
        still citing a list paper at ``new`` counts as outranked.

    Returns
    -------
    Changes
        Count changes of papers resolved to the same S2 paper at both refreshes; papers now
        citing list papers (citing sets known at both); candidates and entries added and
        removed; papers that lost their count (reported, not counted as a loss of citations);
        entries matched to another S2 paper (not compared).
    """
    lookup = {**dict(new.candidates), **(titles or {}), **dict(new.citer_titles)}
    old_papers = {p.entry: p for p in old.papers}
    gains: list[Gain] = []
    disappeared: list[Disappeared] = []
    reresolved: list[Reresolved] = []
    cites: dict[str, set[str]] = {}
    for b in new.papers:
        a = old_papers.get(b.entry)
        if a is None:
            continue
        if a.s2_id and b.s2_id and a.s2_id != b.s2_id:
            reresolved.append(Reresolved(b.entry, b.title, a.s2_id, b.s2_id))
            continue
        if a.citation_count is not None and b.citation_count is None:
            disappeared.append(Disappeared(b.entry, b.title, a.s2_id, a.citation_count))
        elif a.citation_count is not None and b.citation_count is not None and b.s2_id:
            if a.citation_count != b.citation_count:
                gains.append(
                    Gain(
                        b.entry, b.title, b.s2_id, a.citation_count, b.citation_count,
                        a.influential_citation_count, b.influential_citation_count,
                    )
                )
        if a.citers is not None and b.citers is not None:
            for citer in b.citers - a.citers:
                cites.setdefault(citer, set()).add(b.entry)
    entry_titles = new.entries
    new_citers = [
        NewCiter(citer, lookup.get(citer), tuple((e, entry_titles[e]) for e in sorted(entries)))
        for citer, entries in cites.items()
    ]
    new_citers.sort(key=lambda c: (-len(c.cites), (c.title or "").casefold(), c.s2_id))
    old_candidates, new_candidates = dict(old.candidates), dict(new.candidates)
    old_entries = old.entries
    dropped = old_candidates.keys() - new_candidates.keys()
    listed = {p.s2_id for p in new.papers if p.s2_id} | {normalize_title(t) for t in entry_titles.values()}
    returned = set(candidates_now) if candidates_now is not None else set().union(
        *(p.citers for p in new.papers if p.citers))
    why_dropped = {s2: _departure(s2, old_candidates[s2], listed=listed, is_rejected=is_rejected,
                                  returned=returned) for s2 in dropped}

    def by_title(pairs: dict[str, str], keys: set[str]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(((k, pairs[k]) for k in keys), key=lambda p: (p[1].casefold(), p[0])))

    return Changes(
        old_date=old.date,
        new_date=new.date,
        gains=tuple(sorted(gains, key=lambda g: (-g.absolute, g.entry))),
        new_citers=tuple(new_citers),
        candidates_added=by_title(new_candidates, new_candidates.keys() - old_candidates.keys()),
        candidates_dropped=by_title(old_candidates, dropped),
        entries_added=by_title(entry_titles, entry_titles.keys() - old_entries.keys()),
        entries_removed=by_title(old_entries, old_entries.keys() - entry_titles.keys()),
        disappeared=tuple(disappeared),
        reresolved=tuple(reresolved),
        why_dropped=why_dropped,
    )


Cell = tuple[str, str | None]  # (text, S2 id to link, if any)
Section = tuple[str, tuple[str, ...], list[tuple[Cell, ...]]]


def _sections(changes: Changes, top: int) -> list[Section]:
    """Each non-empty section as (heading, column names, rows of cells), shared by table and md."""

    def gain_rows(gains: tuple[Gain, ...]) -> list[tuple[Cell, ...]]:
        return [
            (
                (g.title, g.s2_id),
                (f"{g.old_count} → {g.new_count}", None),
                (f"{g.absolute:+d}", None),
                (f"{g.relative:+.0%}", None),
            )
            for g in gains
        ]

    gain_columns = ("Paper", "Citations", "Gain", "Relative")
    sections = [
        ("Largest citation gains", gain_columns, gain_rows(changes.top_gains(top, "absolute"))),
        ("Largest relative gains", gain_columns, gain_rows(changes.top_gains(top, "relative"))),
        (
            "New citing papers",
            ("Citing paper", "Cites (list papers)"),
            [
                ((c.title or c.s2_id, c.s2_id), ("; ".join(t for _, t in c.cites), None))
                for c in changes.new_citers[:top]
            ],
        ),
        (
            "Discovery candidates",
            ("Candidate", "Change"),
            [((t, s), ("new", None)) for s, t in changes.candidates_added]
            + [((t, s), (f"dropped: {changes.why_dropped.get(s, 'no longer returned')}", None))
               for s, t in changes.candidates_dropped],
        ),
        (
            "List entries",
            ("Entry", "Change"),
            [((t, None), ("added", None)) for _, t in changes.entries_added]
            + [((t, None), ("removed", None)) for _, t in changes.entries_removed],
        ),
        (
            "No longer returned by Semantic Scholar",
            ("Paper", "Last count"),
            [((d.title, d.s2_id), (str(d.citation_count), None)) for d in changes.disappeared],
        ),
        (
            "Matched to another Semantic Scholar paper",
            ("Entry", "Was", "Now"),
            [
                ((r.title, None), (r.old_s2_id, r.old_s2_id), (r.new_s2_id, r.new_s2_id))
                for r in changes.reresolved
            ],
        ),
    ]
    return [s for s in sections if s[2]]  # type: ignore[misc]  # rows are tuples of cells


def _summary(changes: Changes) -> str:
    gained = [g for g in changes.gains if g.absolute > 0]
    return (
        f"{len(gained)} papers gained {sum(g.absolute for g in gained)} citations; "
        f"{len(changes.new_citers)} new citing papers; "
        f"{len(changes.candidates_added)} new and {len(changes.candidates_dropped)} dropped "
        f"discovery candidates{_departures(changes)}; {len(changes.entries_added)} entries added, "
        f"{len(changes.entries_removed)} removed; "
        f"{len(changes.disappeared)} papers no longer returned by Semantic Scholar."
    )


def _departures(changes: Changes) -> str:
    """" (2 added to the list, 1 outranked)": why the dropped candidates left, by reason."""
    counts = [(why, sum(1 for s, _ in changes.candidates_dropped
                        if changes.why_dropped.get(s, "no longer returned") == why)) for why in DEPARTURES]
    said = ", ".join(f"{n} {why}" for why, n in counts if n)
    return f" ({said})" if said else ""


def _md_cell(cell: Cell) -> str:
    text, s2_id = cell
    return table_cell(markdown_link(text, None if s2_id is None else paper_page("s2_id", s2_id)))


def _text_cell(cell: Cell, width: int = 70) -> str:
    text = " ".join(cell[0].split())
    return text if len(text) <= width else text[: width - 1] + "…"


#: columns of ``changes --format csv``; a row fills those its kind of change has
CHANGES_CSV_COLUMNS = (
    "change", "entry", "title", "s2_id", "old_count", "new_count", "absolute", "relative",
    "old_influential", "new_influential", "citation_count", "cites", "old_s2_id", "new_s2_id",
    "why",
)
#: the sections of the JSON record, and the name of their kind of change in CSV
_CSV_CHANGES = {
    "gains": "gain", "new_citers": "new_citer", "candidates_added": "candidate_added",
    "candidates_dropped": "candidate_dropped", "entries_added": "entry_added",
    "entries_removed": "entry_removed", "disappeared": "disappeared", "reresolved": "reresolved",
}


def _csv_rows(changes: Changes) -> list[dict[str, Any]]:
    """The JSON record's sections as one table: a row per change, the cited titles joined."""
    record = _changes_record(changes)
    rows = []
    for section, change in _CSV_CHANGES.items():
        for item in record[section]:
            row = {"change": change, **item}
            if "cites" in row:
                row["cites"] = "; ".join(cited["title"] or cited["entry"] for cited in row["cites"])
            rows.append(row)
    return rows


def _changes_record(changes: Changes) -> dict[str, Any]:
    return {
        "from": changes.old_date.isoformat(),
        "to": changes.new_date.isoformat(),
        "days": (changes.new_date - changes.old_date).days,
        "gains": [
            {
                "entry": g.entry, "title": g.title, "s2_id": g.s2_id,
                "old_count": g.old_count, "new_count": g.new_count,
                "absolute": g.absolute, "relative": round(g.relative, 4),
                "old_influential": g.old_influential, "new_influential": g.new_influential,
            }
            for g in changes.gains
        ],
        "new_citers": [
            {
                "s2_id": c.s2_id,
                "title": c.title,
                "cites": [{"entry": e, "title": t} for e, t in c.cites],
            }
            for c in changes.new_citers
        ],
        "candidates_added": [{"s2_id": s, "title": t} for s, t in changes.candidates_added],
        "candidates_dropped": [
            {"s2_id": s, "title": t, "why": changes.why_dropped.get(s, "no longer returned")}
            for s, t in changes.candidates_dropped
        ],
        "entries_added": [{"entry": e, "title": t} for e, t in changes.entries_added],
        "entries_removed": [{"entry": e, "title": t} for e, t in changes.entries_removed],
        "disappeared": [
            {
                "entry": d.entry, "title": d.title, "s2_id": d.s2_id,
                "citation_count": d.citation_count,
            }
            for d in changes.disappeared
        ],
        "reresolved": [
            {"entry": r.entry, "title": r.title, "old_s2_id": r.old_s2_id, "new_s2_id": r.new_s2_id}
            for r in changes.reresolved
        ],
    }


def format_changes(
    changes: Changes, fmt: Literal["table", "json", "csv", "md"] = "table", top: int = 10
) -> str:
    """Render ``changes`` as a plain-text table, JSON, CSV (one row per change, its kind in the
    ``change`` column) or Markdown (a refresh pull request body).

    ``top`` limits the gain and new-citer sections of the table and Markdown; JSON and CSV hold all.

    Raises
    ------
    UsageError
        If ``fmt`` is not one of the three formats.
    """
    if fmt == "json":
        return json.dumps(_changes_record(changes), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return format_records(_csv_rows(changes), "csv", CHANGES_CSV_COLUMNS)
    if fmt not in ("table", "md"):
        raise UsageError(f"unknown changes format {fmt!r}; use table, json, csv or md")
    days = (changes.new_date - changes.old_date).days
    span = f"{changes.old_date.isoformat()} → {changes.new_date.isoformat()} ({days} days)"
    out: list[str] = []
    if fmt == "md":
        out += [f"## Citation changes {span}", "", _summary(changes), ""]
        for heading, columns, rows in _sections(changes, top):
            out += [f"### {heading}", "", "| " + " | ".join(columns) + " |"]
            out.append("|" + "---|" * len(columns))
            out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
            out.append("")
        return "\n".join(out)
    out += [f"Citation changes {span}", _summary(changes), ""]
    for heading, columns, rows in _sections(changes, top):
        out += [heading, aligned_table(columns, [[_text_cell(c) for c in row] for row in rows]), ""]
    return "\n".join(out)
