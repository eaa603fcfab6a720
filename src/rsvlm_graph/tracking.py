"""Citation history: one file per refresh in ``kg/history/``, what changed between two, and trends.

Every ``enrich`` run records, per list paper, its citation counts and the set of papers citing it
(:func:`record_refresh`). Files store the citing papers as the ids added and removed since the
previous refresh, so a weekly file stays a few kilobytes; :func:`load_history` replays them into
full :class:`Refresh` values. Everything after loading is pure: :func:`changes_between` (what the
refresh pull request reports), :func:`citation_velocity` and :func:`rising_papers` (trends for the
ranking and the report). :func:`plot_citations_over_time` draws counts over time per task.

``docs/history.md`` describes the file format and why it looks like this.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import ExportError, RsvlmGraphError, StoreError
from .identifiers import paper_page
from .models import Enrichment

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "HISTORY_FORMAT",
    "RELATIVE_GAIN_FLOOR",
    "VELOCITY_DAYS",
    "PaperRecord",
    "Refresh",
    "Gain",
    "NewCiter",
    "Disappeared",
    "Reresolved",
    "Changes",
    "Rising",
    "snapshot_from_enrichment",
    "encode_refresh",
    "record_refresh",
    "load_history",
    "citer_titles",
    "select_refreshes",
    "changes_between",
    "format_changes",
    "citation_velocity",
    "rising_papers",
    "plot_citations_over_time",
]

log = logging.getLogger(__name__)

#: version of the line layout in ``kg/history/*.jsonl``; bumped when a line's shape changes
HISTORY_FORMAT = 1
#: relative gains divide by at least this many citations: 0 → 3 is +30 %, not infinite
RELATIVE_GAIN_FLOOR = 10
#: velocities are citations per this many days
VELOCITY_DAYS = 30

_FILE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.jsonl$")
# node ids of list papers start with this (docs/ARCHITECTURE.md); other entries are datasets
_PAPER_PREFIX = "paper:"


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """One list paper at one refresh.

    ``citation_count is None`` means Semantic Scholar gave no count (the paper is unresolved or
    the API no longer returns it). ``citers`` is the last known set of S2 ids citing the paper:
    when this refresh did not fetch it (``citers_fetched`` false) it is the previous refresh's set
    carried forward, and ``None`` when it was never known.
    """

    entry: str
    title: str
    s2_id: str | None
    citation_count: int | None
    influential_citation_count: int | None
    citers: frozenset[str] | None
    citers_fetched: bool


@dataclass(frozen=True, slots=True)
class Refresh:
    """Everything one refresh recorded, as full values (files store citers as differences).

    ``papers`` are sorted by entry; ``other_entries`` are the list's non-paper entries (datasets)
    as ``(entry, title)``; ``candidates`` the discovery candidates as ``(s2_id, title)``;
    ``citer_titles`` the titles of papers that started citing a list paper at this refresh.
    """

    date: dt.date
    papers: tuple[PaperRecord, ...] = ()
    other_entries: tuple[tuple[str, str], ...] = ()
    candidates: tuple[tuple[str, str], ...] = ()
    citer_titles: tuple[tuple[str, str], ...] = ()

    @property
    def entries(self) -> dict[str, str]:
        """Every list entry present at this refresh, entry id → title."""
        titles = {p.entry: p.title for p in self.papers}
        titles.update(self.other_entries)
        return titles


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


@dataclass(frozen=True, slots=True)
class Rising:
    """A list paper's citation trend over the recorded history; see :func:`rising_papers`."""

    entry: str
    title: str
    s2_id: str | None
    citation_count: int  # at the latest point
    velocity: float  # citations per VELOCITY_DAYS, least squares over the points
    growth: float  # velocity over the first count, floored at RELATIVE_GAIN_FLOOR
    points: int
    first_date: dt.date
    last_date: dt.date


# --------------------------------------------------------------------------------------------
# Recording


def _entry_titles(entry_keys: Mapping[str, str] | nx.MultiDiGraph) -> dict[str, str]:
    """Entry id → title, from a mapping or from the list papers and datasets of a graph."""
    if isinstance(entry_keys, Mapping):
        return dict(entry_keys)
    titles: dict[str, str] = {}
    for node, data in entry_keys.nodes(data=True):
        if data.get("kind") == "paper" and data.get("in_list"):
            titles[node] = data.get("title") or data.get("label") or node
        elif data.get("kind") == "dataset":
            titles[node] = data.get("name") or data.get("label") or node
    return titles


def snapshot_from_enrichment(
    enrichment: Enrichment,
    entry_keys: Mapping[str, str] | nx.MultiDiGraph,
    candidates: Sequence[tuple[str, str]],
    date: dt.date,
    previous: Refresh | None = None,
) -> Refresh:
    """Return what a refresh records: counts and citing papers of every list paper, and more.

    Parameters
    ----------
    enrichment : Enrichment
        What ``enrich`` returned; its resolutions map entries to S2 ids, its citations give the
        citing papers (the ``citing`` of rows whose ``cited`` is a list paper).
    entry_keys : mapping or graph
        The list entries present, entry id → title, or the graph (its list papers and datasets).
        Ids starting with ``paper:`` are list papers; the others (datasets) are only listed.
    candidates : sequence of (s2_id, title)
        The discovery candidates of this refresh.
    date : datetime.date
        The refresh date.
    previous : Refresh, optional
        The refresh before ``date``: citing sets this refresh could not fetch carry forward from
        it, and titles are kept only for citing papers new since it.

    Returns
    -------
    Refresh

    Notes
    -----
    A paper's citing set counts as *not fetched* when the paper is unresolved or has no count,
    when a ``citations`` failure names it, or when its count is positive but no citation row
    names it (the citations phase did not run for it). A truncated citing list (API cap) is
    merged with the previous set, so the cap never reads as lost citations.
    """
    titles = _entry_titles(entry_keys)
    resolved = {r.entry_key: r.s2_paper_id for r in enrichment.resolutions if r.s2_paper_id}
    papers = {p.s2_paper_id: p for p in enrichment.papers}
    citers_of: dict[str, set[str]] = {}
    for citation in enrichment.citations:
        citers_of.setdefault(citation.cited, set()).add(citation.citing)
    failed = {f.subject for f in enrichment.failures if f.phase == "citations"}
    truncated = set(enrichment.truncated)
    before = {p.entry: p for p in previous.papers} if previous is not None else {}

    records: list[PaperRecord] = []
    new_citers: set[str] = set()
    for entry in sorted(k for k in titles if k.startswith(_PAPER_PREFIX)):
        s2_id = resolved.get(entry)
        paper = papers.get(s2_id) if s2_id else None
        count = paper.citation_count if paper is not None else None
        old = before.get(entry)
        carried = old.citers if old is not None else None
        fetched = (
            s2_id is not None
            and count is not None
            and not failed & {s2_id, entry}
            and (count == 0 or s2_id in citers_of)
        )
        if fetched:
            citers = frozenset(citers_of.get(s2_id, ()))
            if s2_id in truncated and carried is not None:
                citers |= carried
            if carried is not None:
                new_citers |= citers - carried
        else:
            citers = carried
        records.append(
            PaperRecord(
                entry=entry,
                title=titles[entry],
                s2_id=s2_id,
                citation_count=count,
                influential_citation_count=paper.influential_citation_count if paper else None,
                citers=citers,
                citers_fetched=bool(fetched),
            )
        )
    return Refresh(
        date=date,
        papers=tuple(records),
        other_entries=tuple(
            sorted((k, t) for k, t in titles.items() if not k.startswith(_PAPER_PREFIX))
        ),
        candidates=tuple(sorted({s2: title or "" for s2, title in candidates}.items())),
        citer_titles=tuple(
            sorted((c, papers[c].title) for c in new_citers if c in papers and papers[c].title)
        ),
    )


def _dumps(record: dict[str, Any]) -> str:
    # insertion order (kind first) instead of sort_keys: lines read well and stay deterministic
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def encode_refresh(refresh: Refresh, previous: Refresh | None = None) -> str:
    """Return the file text of ``refresh``: citing sets as differences from ``previous``.

    One JSON object per line: a ``refresh`` header, then ``paper``, ``entry``, ``candidate`` and
    ``citer`` lines, each group sorted; ``docs/history.md`` gives every field.
    """
    before = {p.entry: p for p in previous.papers} if previous is not None else {}
    lines = [
        _dumps(
            {
                "kind": "refresh",
                "format": HISTORY_FORMAT,
                "date": refresh.date.isoformat(),
                "base": previous.date.isoformat() if previous is not None else None,
            }
        )
    ]
    for paper in refresh.papers:
        old = before.get(paper.entry)
        base = old.citers if old is not None and old.citers is not None else frozenset()
        known = paper.citers_fetched and paper.citers is not None
        lines.append(
            _dumps(
                {
                    "kind": "paper",
                    "entry": paper.entry,
                    "title": paper.title,
                    "s2_id": paper.s2_id,
                    "citation_count": paper.citation_count,
                    "influential_citation_count": paper.influential_citation_count,
                    "citers_added": sorted(paper.citers - base) if known else None,
                    "citers_removed": sorted(base - paper.citers) if known else None,
                }
            )
        )
    lines += [_dumps({"kind": "entry", "entry": e, "title": t}) for e, t in refresh.other_entries]
    lines += [_dumps({"kind": "candidate", "s2_id": s, "title": t}) for s, t in refresh.candidates]
    lines += [_dumps({"kind": "citer", "s2_id": s, "title": t}) for s, t in refresh.citer_titles]
    return "\n".join(lines) + "\n"


def record_refresh(
    history_dir: Path,
    enrichment: Enrichment,
    entry_keys: Mapping[str, str] | nx.MultiDiGraph,
    candidates: Sequence[tuple[str, str]],
    date: dt.date,
) -> Path:
    """Write the refresh of ``date`` to ``history_dir/YYYY-MM-DD.jsonl`` and return its path.

    A second run on the same date replaces that date's file (its differences are still taken
    from the refresh before it), so re-running never duplicates entries. Recording a date older
    than the newest file is refused: the later files' differences are based on what precedes them.

    Raises
    ------
    StoreError
        If the history cannot be read, a newer refresh exists, or the file cannot be written.
    """
    history = load_history(history_dir)
    later = [r.date.isoformat() for r in history if r.date > date]
    if later:
        raise StoreError(
            f"{history_dir}: refreshes after {date.isoformat()} are recorded ({', '.join(later)}); "
            "record refreshes in date order (the later files are differences from earlier ones)"
        )
    earlier = [r for r in history if r.date < date]
    previous = earlier[-1] if earlier else None
    refresh = snapshot_from_enrichment(enrichment, entry_keys, candidates, date, previous)
    path = history_dir / f"{date.isoformat()}.jsonl"
    temporary = path.with_name(path.name + ".tmp")
    try:
        history_dir.mkdir(parents=True, exist_ok=True)
        temporary.write_text(encode_refresh(refresh, previous), encoding="utf-8", newline="\n")
        temporary.replace(path)
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot write the refresh history ({exc}); check the directory"
        ) from exc
    log.info(
        "recorded refresh %s: %d papers, %d new citing papers",
        date.isoformat(), len(refresh.papers), len(refresh.citer_titles),
    )
    return path


# --------------------------------------------------------------------------------------------
# Loading


def _broken(path: Path, number: int, problem: str) -> StoreError:
    return StoreError(f"{path}:{number}: {problem}; restore the file from git history")


def _check(path: Path, number: int, record: Any, key: str, kinds: tuple[type, ...]) -> Any:
    """``record[key]`` if it has one of ``kinds``, else a StoreError naming file and line."""
    if not isinstance(record, dict) or key not in record:
        raise _broken(path, number, f"missing {key!r}")
    value = record[key]
    # bool is an int in Python; a count of `true` is still a broken line
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        expected = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise _broken(path, number, f"{key!r} is {value!r}, expected {expected}")
    return value


def _id_list(path: Path, number: int, record: Any, key: str) -> frozenset[str] | None:
    value = _check(path, number, record, key, (list, type(None)))
    if value is not None and not all(isinstance(v, str) for v in value):
        raise _broken(path, number, f"{key!r} holds a non-string id")
    return frozenset(value) if value is not None else None


_NULLABLE_INT = (int, type(None))
_NULLABLE_STR = (str, type(None))


def _decode(path: Path, date: dt.date, text: str, previous: Refresh | None) -> Refresh:
    """Rebuild the refresh of ``date`` from its file text and the refresh before it."""
    lines = text.splitlines()
    if not lines:
        raise StoreError(f"{path}: empty file; delete it or restore it from git history")
    before = {p.entry: p for p in previous.papers} if previous is not None else {}
    papers: list[PaperRecord] = []
    groups: dict[str, list[tuple[str, str]]] = {"entry": [], "candidate": [], "citer": []}
    for number, line in enumerate(lines, start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _broken(path, number, f"not JSON ({exc.msg})") from exc
        kind = _check(path, number, record, "kind", (str,))
        if (number == 1) != (kind == "refresh"):
            raise _broken(path, number, "the first line, and only it, must be the refresh header")
        if kind == "refresh":
            if _check(path, number, record, "format", (int,)) != HISTORY_FORMAT:
                raise StoreError(
                    f"{path}:{number}: history format {record['format']}, this version reads "
                    f"{HISTORY_FORMAT}; upgrade rsvlm-graph"
                )
            if _check(path, number, record, "date", (str,)) != date.isoformat():
                raise _broken(path, number, f"header date {record['date']} is not the file's date")
            base = _check(path, number, record, "base", _NULLABLE_STR)
            expected = previous.date.isoformat() if previous is not None else None
            if base != expected:
                raise StoreError(
                    f"{path}:{number}: differences are based on the refresh of {base}, but the one "
                    f"before it on file is {expected}; restore the missing history file from git"
                )
        elif kind == "paper":
            entry = _check(path, number, record, "entry", (str,))
            added = _id_list(path, number, record, "citers_added")
            removed = _id_list(path, number, record, "citers_removed")
            old = before.get(entry)
            carried = old.citers if old is not None else None
            if (added is None) != (removed is None):
                raise _broken(
                    path, number, "citers_added and citers_removed must both be lists or null"
                )
            citers = carried if added is None else ((carried or frozenset()) - removed) | added
            papers.append(
                PaperRecord(
                    entry=entry,
                    title=_check(path, number, record, "title", (str,)),
                    s2_id=_check(path, number, record, "s2_id", _NULLABLE_STR),
                    citation_count=_check(path, number, record, "citation_count", _NULLABLE_INT),
                    influential_citation_count=_check(
                        path, number, record, "influential_citation_count", _NULLABLE_INT
                    ),
                    citers=citers,
                    citers_fetched=added is not None,
                )
            )
        elif kind in groups:
            key = "entry" if kind == "entry" else "s2_id"
            title = _check(path, number, record, "title", (str,))
            groups[kind].append((_check(path, number, record, key, (str,)), title))
        else:
            raise StoreError(f"{path}:{number}: unknown line kind {kind!r}; upgrade rsvlm-graph")
    return Refresh(
        date=date,
        papers=tuple(sorted(papers, key=lambda p: p.entry)),
        other_entries=tuple(sorted(groups["entry"])),
        candidates=tuple(sorted(groups["candidate"])),
        citer_titles=tuple(sorted(groups["citer"])),
    )


def load_history(history_dir: Path) -> list[Refresh]:
    """Return every recorded refresh in ``history_dir``, oldest first (empty if there is none).

    Files are replayed in date order, each one's citing sets applied to the one before it.

    Raises
    ------
    StoreError
        If a file is misnamed, unreadable or has a broken line (the message names file and line),
        or a file in the middle of the history is missing.
    """
    if not history_dir.is_dir():
        return []
    paths = sorted(history_dir.glob("*.jsonl"))
    refreshes: list[Refresh] = []
    for path in paths:
        match = _FILE_NAME.match(path.name)
        try:
            date = dt.date.fromisoformat(match.group(1)) if match else None
        except ValueError:
            date = None
        if date is None:
            raise StoreError(
                f"{path}: history files are named YYYY-MM-DD.jsonl; rename or remove it"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"{path}: cannot read the refresh history ({exc})") from exc
        refreshes.append(_decode(path, date, text, refreshes[-1] if refreshes else None))
    return refreshes


def citer_titles(history: Sequence[Refresh]) -> dict[str, str]:
    """Every title the history knows by S2 id (citing papers and candidates), newest winning.

    Pass it to :func:`changes_between` when the two refreshes compared are not consecutive: a
    paper that started citing in between has its title in an intermediate file.
    """
    titles: dict[str, str] = {}
    for refresh in history:
        titles.update(refresh.candidates)
        titles.update(refresh.citer_titles)
    return titles


# --------------------------------------------------------------------------------------------
# Changes between two refreshes


def select_refreshes(
    history: Sequence[Refresh], since: str | None = None
) -> tuple[Refresh, Refresh]:
    """Return the (older, newer) refreshes to compare.

    ``since`` is ``None`` or ``"last"`` for the two most recent refreshes, or a date
    ``YYYY-MM-DD`` for the latest refresh on or before it and the newest one.

    >>> h = [Refresh(dt.date(2026, 11, d)) for d in (6, 13, 27)]
    >>> [r.date.day for r in select_refreshes(h)]
    [13, 27]
    >>> [r.date.day for r in select_refreshes(h, "2026-11-20")]
    [13, 27]

    Raises
    ------
    RsvlmGraphError
        If fewer than two refreshes are recorded, ``since`` is not a date, or no refresh older
        than the newest lies on or before it.
    """
    if not history:
        raise RsvlmGraphError(
            "no refresh recorded in kg/history yet; run `rsvlm-graph enrich` first"
        )
    newest = history[-1]
    if len(history) < 2:
        raise RsvlmGraphError(
            f"only one refresh recorded ({newest.date.isoformat()}); "
            "run `rsvlm-graph enrich` again after the next refresh"
        )
    if since is None or since == "last":
        return history[-2], newest
    try:
        cutoff = dt.date.fromisoformat(since)
    except ValueError:
        raise RsvlmGraphError(
            f"--since {since!r} is neither 'last' nor a date YYYY-MM-DD"
        ) from None
    older = [r for r in history[:-1] if r.date <= cutoff]
    if not older:
        raise RsvlmGraphError(
            f"no refresh recorded on or before {since} other than the newest; the oldest is "
            f"{history[0].date.isoformat()}: pick a later --since"
        )
    return older[-1], newest


def changes_between(old: Refresh, new: Refresh, titles: Mapping[str, str] | None = None) -> Changes:
    """Return what changed from refresh ``old`` to refresh ``new``.

    Parameters
    ----------
    old, new : Refresh
    titles : mapping, optional
        Titles of citing papers by S2 id, for those ``new`` has no title for (see
        :func:`citer_titles`).

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

    def by_title(pairs: dict[str, str], keys: set[str]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(((k, pairs[k]) for k in keys), key=lambda p: (p[1].casefold(), p[0])))

    return Changes(
        old_date=old.date,
        new_date=new.date,
        gains=tuple(sorted(gains, key=lambda g: (-g.absolute, g.entry))),
        new_citers=tuple(new_citers),
        candidates_added=by_title(new_candidates, new_candidates.keys() - old_candidates.keys()),
        candidates_dropped=by_title(old_candidates, old_candidates.keys() - new_candidates.keys()),
        entries_added=by_title(entry_titles, entry_titles.keys() - old_entries.keys()),
        entries_removed=by_title(old_entries, old_entries.keys() - entry_titles.keys()),
        disappeared=tuple(disappeared),
        reresolved=tuple(reresolved),
    )


# --------------------------------------------------------------------------------------------
# Formatting


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
            + [((t, s), ("dropped", None)) for s, t in changes.candidates_dropped],
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
    return [s for s in sections if s[2]]


def _summary(changes: Changes) -> str:
    gained = [g for g in changes.gains if g.absolute > 0]
    return (
        f"{len(gained)} papers gained {sum(g.absolute for g in gained)} citations; "
        f"{len(changes.new_citers)} new citing papers; "
        f"{len(changes.candidates_added)} new and {len(changes.candidates_dropped)} dropped "
        f"discovery candidates; {len(changes.entries_added)} entries added, "
        f"{len(changes.entries_removed)} removed; "
        f"{len(changes.disappeared)} papers no longer returned by Semantic Scholar."
    )


def _md_cell(cell: Cell) -> str:
    text, s2_id = cell
    text = " ".join(text.split()).replace("|", "\\|")
    if s2_id is None:
        return text
    text = text.replace("[", "\\[").replace("]", "\\]")
    return f"[{text}]({paper_page('s2_id', s2_id)})"


def _text_cell(cell: Cell, width: int = 70) -> str:
    text = " ".join(cell[0].split())
    return text if len(text) <= width else text[: width - 1] + "…"


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
        "candidates_dropped": [{"s2_id": s, "title": t} for s, t in changes.candidates_dropped],
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
    changes: Changes, fmt: Literal["table", "json", "md"] = "table", top: int = 10
) -> str:
    """Render ``changes`` as a plain-text table, JSON or Markdown (a refresh pull request body).

    ``top`` limits the gain and new-citer sections of the table and Markdown; JSON holds all.

    Raises
    ------
    RsvlmGraphError
        If ``fmt`` is not one of the three formats.
    """
    if fmt == "json":
        return json.dumps(_changes_record(changes), ensure_ascii=False, indent=2) + "\n"
    if fmt not in ("table", "md"):
        raise RsvlmGraphError(f"unknown changes format {fmt!r}; use table, json or md")
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
        cells = [columns] + [tuple(_text_cell(c) for c in row) for row in rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
        out.append(heading)
        out += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells[:1]]
        out.append("  ".join("-" * w for w in widths))
        out += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells[1:]]
        out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Trends


def _series(history: Sequence[Refresh], key: str) -> list[tuple[dt.date, int, PaperRecord]]:
    """(date, count, record) of every refresh where ``key`` (entry or S2 id) has a count.

    Only the counts of the S2 paper the key has at its latest point: an entry matched to
    another paper since (a wrong match corrected by a pin) has its old paper's counts left out.
    """
    points = []
    for refresh in history:
        for paper in refresh.papers:
            if key in (paper.entry, paper.s2_id) and paper.citation_count is not None:
                points.append((refresh.date, paper.citation_count, paper))
                break
    latest = points[-1][2].s2_id if points else None
    return [point for point in points if point[2].s2_id == latest]


def _slope_per_day(points: Sequence[tuple[dt.date, int, PaperRecord]]) -> float:
    """Least-squares slope of count over real days (gaps weigh by their length)."""
    xs = [(d - points[0][0]).days for d, _, _ in points]
    ys = [c for _, c, _ in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread


def citation_velocity(history: Sequence[Refresh], s2_or_entry: str) -> float | None:
    """Return citations gained per 30 days over the recorded history, or ``None``.

    The slope of a least-squares line through (date, count) of every refresh where the paper
    (matched by entry id or S2 id) has a count. Dates are real days, so missed refreshes leave
    gaps rather than squeezing time; one noisy count pulls the slope less than it would pull a
    first-to-last difference. ``None`` with fewer than two points.

    See Also
    --------
    rising_papers
    """
    points = _series(history, s2_or_entry)
    if len(points) < 2:
        return None
    return _slope_per_day(points) * VELOCITY_DAYS


def rising_papers(
    history: Sequence[Refresh],
    top: int = 10,
    min_points: int = 2,
    by: Literal["velocity", "growth"] = "velocity",
) -> list[Rising]:
    """Return the list papers of the newest refresh whose citations grow fastest.

    Parameters
    ----------
    history : sequence of Refresh
        Oldest first, as :func:`load_history` returns it.
    top : int, default 10
    min_points : int, default 2
        Refreshes with a count a paper needs to be ranked (at least 2).
    by : {"velocity", "growth"}
        ``velocity`` ranks by citations per 30 days (see :func:`citation_velocity`); ``growth``
        by that velocity over the paper's first count (floored at :data:`RELATIVE_GAIN_FLOOR`),
        which lifts young papers over established ones.

    Returns
    -------
    list of Rising
        Papers with a count at the newest refresh and a positive velocity, fastest first
        (ties by entry).
    """
    if min_points < 2:
        raise ValueError(f"min_points is {min_points}; a velocity needs at least 2 points")
    if not history:
        return []
    rising = []
    for paper in history[-1].papers:
        points = _series(history, paper.entry)
        # a paper S2 no longer returns is reported by `changes`, not ranked on old counts
        if paper.citation_count is None or len(points) < min_points:
            continue
        velocity = _slope_per_day(points) * VELOCITY_DAYS
        if velocity <= 0:
            continue
        rising.append(
            Rising(
                entry=paper.entry,
                title=paper.title,
                s2_id=points[-1][2].s2_id,
                citation_count=points[-1][1],
                velocity=velocity,
                growth=velocity / max(points[0][1], RELATIVE_GAIN_FLOOR),
                points=len(points),
                first_date=points[0][0],
                last_date=points[-1][0],
            )
        )
    rising.sort(key=lambda r: (-(r.velocity if by == "velocity" else r.growth), r.entry))
    return rising[:top]


def plot_citations_over_time(
    history: Sequence[Refresh],
    graph: nx.MultiDiGraph,
    out_path: Path,
    per_task: int = 3,
) -> Path | None:
    """Draw citation counts over time of each task's most cited papers into an SVG file.

    One panel per task (from the graph's list papers' ``tasks``), one line per paper: the
    ``per_task`` papers with the most citations at their latest count. The SVG is byte-identical
    for the same history (no date in its metadata, fixed hash salt for its element ids).

    Returns
    -------
    Path or None
        ``out_path``, or ``None`` (the reason is logged) when fewer than two refreshes are
        recorded or no task has a paper with a count.

    Raises
    ------
    ExportError
        If the file cannot be written.
    """
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if len(history) < 2:
        log.info(
            "no citations-over-time plot: %d refresh(es) recorded, two are needed", len(history)
        )
        return None
    tasks: dict[str, list[tuple[int, str, list[tuple[dt.date, int, PaperRecord]]]]] = {}
    for node, data in sorted(graph.nodes(data=True)):
        if data.get("kind") != "paper" or not data.get("in_list"):
            continue
        points = _series(history, node)
        if not points:
            continue
        for task in data.get("tasks") or ():
            tasks.setdefault(task, []).append((points[-1][1], node, points))
    if not tasks:
        log.info("no citations-over-time plot: no list paper with a task has a recorded count")
        return None
    columns = min(3, len(tasks))
    rows = math.ceil(len(tasks) / columns)
    # fixed hash salt (element ids), text as text, no date or creator: bytes change with data only
    rc = {"svg.hashsalt": "rsvlm-graph", "svg.fonttype": "none", "font.size": 8}
    with matplotlib.rc_context(rc):
        figure = Figure(figsize=(5.2 * columns, 3.4 * rows), layout="constrained")
        FigureCanvasAgg(figure)
        for index, task in enumerate(sorted(tasks)):
            axes = figure.add_subplot(rows, columns, index + 1)
            best = sorted(tasks[task], key=lambda t: (-t[0], t[1]))[:per_task]
            for _, _, points in best:
                title = points[-1][2].title
                label = title if len(title) <= 45 else title[:44] + "…"
                axes.plot(
                    [p[0] for p in points], [p[1] for p in points],
                    marker="o", markersize=3, label=label,
                )
            axes.set_title(task)
            axes.set_ylabel("citations")
            locator = mdates.AutoDateLocator()
            axes.xaxis.set_major_locator(locator)
            axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            axes.legend(fontsize=6, loc="upper left")
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            figure.savefig(out_path, format="svg", metadata={"Date": None, "Creator": None})
        except OSError as exc:
            raise ExportError(f"{out_path}: cannot write the citations plot ({exc})") from exc
    return out_path
