"""Citation history files: one ``kg/history/DATE.jsonl`` per refresh, written and replayed.

Every refresh records, per list paper, its citation counts and the set of papers citing it
(:func:`record_refresh`). Files store the citing papers as the ids added and removed since the
previous refresh, so a weekly file stays a few kilobytes; :func:`load_history` replays them into
full :class:`Refresh` values. ``docs/history.md`` describes the format and why it looks like this.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import HistoryError, StoreError, UsageError
from ..files import write_atomic
from ..models import Enrichment
from ..schema import json_loads

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)

#: version of the line layout in ``kg/history/*.jsonl``; bumped when a line's shape changes
HISTORY_FORMAT = 1
_FILE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.jsonl$")


# node ids of list papers start with this (docs/ARCHITECTURE.md); other entries are datasets
PAPER_PREFIX = "paper:"


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


def refresh_from_enrichment(
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
    for entry in sorted(k for k in titles if k.startswith(PAPER_PREFIX)):
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
        citers: frozenset[str] | None
        if fetched and s2_id is not None:
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
            sorted((k, t) for k, t in titles.items() if not k.startswith(PAPER_PREFIX))
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
        citers = paper.citers or frozenset()
        lines.append(
            _dumps(
                {
                    "kind": "paper",
                    "entry": paper.entry,
                    "title": paper.title,
                    "s2_id": paper.s2_id,
                    "citation_count": paper.citation_count,
                    "influential_citation_count": paper.influential_citation_count,
                    "citers_added": sorted(citers - base) if known else None,
                    "citers_removed": sorted(base - citers) if known else None,
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

    A second run on the same date only adds to that date's file what it lacks
    (:func:`_newest_gaining`; its differences are still taken from the refresh before it), so
    re-running never duplicates entries nor replaces what is recorded. Recording a date older
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
    refresh = refresh_from_enrichment(enrichment, entry_keys, candidates, date, previous)
    if history and history[-1].date == date:
        gaining = _newest_gaining(history[-1], refresh, {p.entry for p in refresh.papers},
                                  previous)
        if gaining is None:
            return history_dir / f"{date.isoformat()}.jsonl"
        refresh = gaining
    return _write_refresh(history_dir, refresh, previous)


def _write_refresh(history_dir: Path, refresh: Refresh, previous: Refresh | None) -> Path:
    path = history_dir / f"{refresh.date.isoformat()}.jsonl"
    try:
        history_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, encode_refresh(refresh, previous))
    except OSError as exc:
        raise StoreError(
            f"{path}: cannot write the refresh history ({exc}); check the directory"
        ) from exc
    log.info(
        "recorded refresh %s: %d papers, %d new citing papers",
        refresh.date.isoformat(), len(refresh.papers), len(refresh.citer_titles),
    )
    return path


def _fetch_date(fetched_at: str | None) -> dt.date | None:
    return dt.datetime.fromisoformat(fetched_at).astimezone(dt.timezone.utc).date() \
        if fetched_at else None


def _no_longer_returned(enrichment: Enrichment) -> set[str]:
    """The S2 ids Semantic Scholar answered null for in this run (merged or withdrawn papers).

    The store keeps their last record, dated when it was fetched; from then on it is no longer
    what S2 says, so a refresh after that date records them without a count.
    """
    return {f.subject for f in enrichment.failures if f.phase == "metadata" and f.answered}


def _gained(on_file: PaperRecord | None, fetched: PaperRecord) -> PaperRecord | None:
    """``on_file`` with what ``fetched`` (a record of the same day) adds to it, or ``None``.

    A line only gains: a paper with a count the file lacks, a count where it has none, citing
    papers where it did not fetch them. Nothing it holds is replaced, so a same-day re-run whose
    answer is worse (a null, a failed page) changes nothing, nor does a paper matched to another
    S2 id.
    """
    if on_file is None:
        return fetched if fetched.citation_count is not None else None
    if on_file.s2_id not in (None, fetched.s2_id):
        return None
    record = on_file
    if record.citation_count is None and fetched.citation_count is not None:
        record = replace(record, s2_id=fetched.s2_id, citation_count=fetched.citation_count,
                         influential_citation_count=fetched.influential_citation_count)
    if not record.citers_fetched and fetched.citers_fetched:
        record = replace(record, s2_id=fetched.s2_id, citers=fetched.citers, citers_fetched=True)
    return record if record != on_file else None


def _newest_gaining(on_file: Refresh, refresh: Refresh, fetched_that_day: set[str],
                    previous: Refresh | None) -> Refresh | None:
    """The file of the newest refresh with what ``refresh`` fetched that day adds, or ``None``.

    Only paper lines of ``fetched_that_day`` (entries) can gain (:func:`_gained`), with the titles
    of their new citing papers; entries, candidates and every other line stay as written, since
    a later run recomputes them from a later list and graph.
    """
    papers = {p.entry: p for p in on_file.papers}
    gained: dict[str, PaperRecord] = {}
    for paper in refresh.papers:
        if paper.entry in fetched_that_day:
            record = _gained(papers.get(paper.entry), paper)
            if record is not None:
                gained[paper.entry] = record
    if not gained:
        return None
    before = {p.entry: p.citers for p in previous.papers} if previous is not None else {}
    new_citers = {c for entry, p in gained.items() if p.citers_fetched and p.citers is not None
                  for c in p.citers - (before.get(entry) or frozenset())}
    titles = dict(on_file.citer_titles)
    titles.update((c, t) for c, t in refresh.citer_titles if c in new_citers)
    return replace(on_file, papers=tuple(sorted({**papers, **gained}.values(),
                                                key=lambda p: p.entry)),
                   citer_titles=tuple(sorted(titles.items())))


def refreshes_by_fetch_date(
    enrichment: Enrichment,
    entry_keys: Mapping[str, str] | nx.MultiDiGraph,
    candidates: Sequence[tuple[str, str]],
    history: Sequence[Refresh],
    *,
    today: dt.date | None = None,
) -> list[Refresh]:
    """Return the refreshes the fetched records call for that ``history`` lacks, oldest first.

    A list paper's counts and citers belong to the date its record was fetched (UTC), whichever
    command fetched it: a ``build``, an ``enrich``, a run killed after its last request and
    resumed. Each date after the newest recorded one that has a fetched paper gets a refresh in
    which those papers are fetched and every other paper is carried from the refresh before (or,
    when that refresh lacks it, taken as known); a paper S2 answered null for
    (:func:`_no_longer_returned`) has no count after its record's date. The newest recorded
    refresh itself is given again only when papers fetched on its date add to its file
    (:func:`_newest_gaining`: it only ever gains), so re-running on one day adds nothing and a
    paper whose stale record carries that date changes nothing. Dates before the newest
    recorded refresh are left out (logged): later files are differences from them.

    Parameters
    ----------
    enrichment, entry_keys, candidates
        As for :func:`refresh_from_enrichment`.
    history : sequence of Refresh
        What is recorded (:func:`load_history`).
    today : date, optional
        The run's date: a record dated after it (a wrong date, fetched again by the next
        ``enrich``) makes no refresh, and counts on no date (warned).
    """
    resolved = {r.entry_key: r.s2_paper_id for r in enrichment.resolutions if r.s2_paper_id}
    fetched_on = {p.s2_paper_id: _fetch_date(p.fetched_at) for p in enrichment.papers}
    list_ids = {s2 for entry, s2 in resolved.items() if entry.startswith(PAPER_PREFIX)}
    gone = _no_longer_returned(enrichment) & list_ids
    dates = sorted({d for s2 in list_ids if (d := fetched_on.get(s2)) is not None})
    if today is not None and (ahead := [d for d in dates if d > today]):
        log.warning("history: no refresh recorded for %s: records dated after today (%s) have "
                    "a wrong date", ", ".join(map(str, ahead)), today)
        dates = [d for d in dates if d <= today]
    newest = history[-1].date if history else None
    if newest is not None and (skipped := [d for d in dates if d < newest]):
        log.info("history: %d fetch date(s) before the newest refresh %s are not recorded "
                 "(%s)", len(skipped), newest, ", ".join(map(str, skipped)))
    recorded = list(history)
    refreshes = []
    for day in (d for d in dates if newest is None or d >= newest):
        earlier = [r for r in recorded if r.date < day]
        previous = earlier[-1] if earlier else None
        # papers fetched later are not known on `day`, nor those S2 stopped returning since:
        # their counts and citations must not count there
        vanished = {s2 for s2 in gone if (fetched_on.get(s2) or day) < day}
        hidden = vanished | {s2 for s2 in list_ids if (fetched_on.get(s2) or day) > day}
        view = replace(
            enrichment,
            papers=tuple(p for p in enrichment.papers if p.s2_paper_id not in hidden),
            citations=tuple(c for c in enrichment.citations if c.cited not in hidden),
        )
        refresh = refresh_from_enrichment(view, entry_keys, candidates, day, previous)
        before = {p.entry: p for p in previous.papers} if previous is not None else {}
        papers = tuple(
            replace(before[p.entry], title=p.title, citers_fetched=False)
            if p.entry in before and before[p.entry].s2_id == p.s2_id
            and fetched_on.get(p.s2_id or "") != day and p.s2_id not in vanished
            else p
            for p in refresh.papers
        )
        refresh = replace(refresh, papers=papers)
        if day == newest:
            that_day = {e for e, s2 in resolved.items() if fetched_on.get(s2) == day}
            gaining = _newest_gaining(history[-1], refresh, that_day, previous)
            if gaining is None:
                continue  # this day's fetches are on file already
            refresh = gaining
        recorded = [*earlier, refresh]
        refreshes.append(refresh)
    return refreshes


def record_fetched(
    history_dir: Path,
    enrichment: Enrichment,
    entry_keys: Mapping[str, str] | nx.MultiDiGraph,
    candidates: Sequence[tuple[str, str]],
    *,
    today: dt.date | None = None,
) -> list[Path]:
    """Write every refresh :func:`refreshes_by_fetch_date` finds missing (none dated after
    ``today``); return the paths.

    Raises
    ------
    StoreError
        If the history cannot be read or a file cannot be written.
    """
    history = load_history(history_dir)
    written = []
    for refresh in refreshes_by_fetch_date(enrichment, entry_keys, candidates, history,
                                           today=today):
        earlier = [r for r in history if r.date < refresh.date]
        written.append(_write_refresh(history_dir, refresh, earlier[-1] if earlier else None))
        history = [*earlier, refresh]
    return written


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
            record = json_loads(line)
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
            citers = (carried if added is None or removed is None
                      else ((carried or frozenset()) - removed) | added)
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
    HistoryError, UsageError
        If fewer than two refreshes are recorded, ``since`` is not a date, or no refresh older
        than the newest lies on or before it.
    """
    if not history:
        raise HistoryError(
            "no refresh recorded in kg/history yet; run `rsvlm-graph enrich` first"
        )
    newest = history[-1]
    if len(history) < 2:
        raise HistoryError(
            f"only one refresh recorded ({newest.date.isoformat()}); "
            "run `rsvlm-graph enrich` again after the next refresh"
        )
    if since is None or since == "last":
        return history[-2], newest
    try:
        cutoff = dt.date.fromisoformat(since)
    except ValueError:
        raise UsageError(
            f"--since {since!r} is neither 'last' nor a date YYYY-MM-DD"
        ) from None
    older = [r for r in history[:-1] if r.date <= cutoff]
    if not older:
        raise HistoryError(
            f"no refresh recorded on or before {since} other than the newest; the oldest is "
            f"{history[0].date.isoformat()}: pick a later --since"
        )
    return older[-1], newest
