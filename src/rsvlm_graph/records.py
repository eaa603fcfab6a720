"""What is on file about the lists: the store with the committed snapshot over it, and one
list's share of it, as an ``Enrichment`` for the graph or as the snapshot's records.

:class:`OnFile` answers every question a run asks (is this record on file, how old, what does
it hold) from the snapshot's rows as read, or from the store where its row is newer (every row
a fetching run writes): a command reads the snapshot once and the store only where it knows
more. A fetching run writes through it into the store; an offline one writes nothing.

:func:`select` takes one list's records (its resolutions, its papers, both lists of each and the
papers at their other end, arXiv records, recommendations, failures); :func:`enrichment` is that
selection as the :class:`~rsvlm_graph.models.Enrichment` graph building reads, and the snapshot
writes the same selection.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .codec import (
    DIRECTIONS,
    KIND_OF,
    RECOMMENDATIONS_KEY,
    Direction,
    Edge,
    Kind,
    Row,
    failure_key_of,
    failure_of,
    owner,
    paging_key,
)
from .errors import IdentifierError
from .identifiers import normalize_arxiv_id
from .models import (
    PHASES,
    ArxivRecord,
    Citation,
    Enrichment,
    Failure,
    ListDocument,
    Paging,
    Paper,
    Resolution,
)
from .store import Store

__all__ = [
    "OnFile",
    "Rows",
    "SKEW",
    "Selection",
    "accepted_ids",
    "arxiv_ids_of",
    "enrichment",
    "listed_arxiv_ids",
    "parse_utc",
    "select",
    "versionless",
]

log = logging.getLogger(__name__)


#: how far after the clock a fetch date may be (another machine's clock) and still count
SKEW = timedelta(days=1)


def parse_utc(text: str) -> datetime:
    """A ``fetched_at`` as an aware datetime (``models.iso_utc`` writes them)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True, slots=True)
class Rows:
    """Records as read (from a snapshot): rows by ``(kind, key)``, edges by the list holding
    them ``(direction, s2 id)``."""

    rows: Mapping[tuple[str, str], Row] = field(default_factory=dict)
    edges: Mapping[tuple[Direction, str], Sequence[Edge]] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[Row], edges: Iterable[Edge]) -> Rows:
        by_list: dict[tuple[Direction, str], list[Edge]] = {}
        for edge in edges:
            for direction in edge.lists:
                by_list.setdefault((direction, owner(edge.citation, direction)), []).append(edge)
        return cls({(r.kind, r.key): r for r in rows}, by_list)


class OnFile:
    """The store, with the snapshot's rows over it where they are newer (or the store lacks
    them); writable only when ``writable`` (a run that fetches).

    Parameters
    ----------
    store : Store
        Read where its row of a record is newer than the snapshot's, and for every record this
        object wrote; written by :meth:`put` and the other writers.
    snapshot : Rows
        The committed snapshot as read (:func:`~rsvlm_graph.snapshot.check_snapshot`).
    """

    def __init__(self, store: Store, snapshot: Rows = Rows(), *, writable: bool = True) -> None:
        self.store = store
        self.snapshot = snapshot
        self.writable = writable
        self._stamps = store.stamps()
        self._written: set[tuple[str, str]] = set()
        self._read: dict[tuple[str, str], Row | None] = {}
        self._ahead: set[tuple[str, str]] = set()  # dated ahead of the clock, said once

    # ---- reading

    def _from_store(self, kind: str, key: str) -> bool:
        if (kind, key) in self._written:
            return True
        theirs = self._stamps.get((kind, key))
        if theirs is None:
            return False
        mine = self.snapshot.rows.get((kind, key))
        return mine is None or theirs > mine.fetched_at  # iso_utc stamps order as strings

    def row(self, kind: Kind, key: str) -> Row | None:
        """The newer of the snapshot's and the store's row of a record, or ``None``; a failure
        settled by its record (:meth:`settled`) is ``None`` too."""
        if not self._from_store(kind, key):
            found = self.snapshot.rows.get((kind, key))
        else:
            if (kind, key) not in self._read:
                self._read[kind, key] = self.store.row(kind, key)
            found = self._read[kind, key]
        return None if found is not None and kind == "failure" and self.settled(found) else found

    def settled(self, failure: Row) -> bool:
        """Whether a record of the failure's kind and subject was fetched at or after it,
        wherever that row comes from (the store, or a snapshot enriched elsewhere): the failure
        is over. A failure newer than its record stands: that record's refresh failed."""
        subject, _, phase = failure.key.rpartition("|")
        kind = KIND_OF.get(phase)
        if kind is None:
            return False
        stamp = self.stamp(kind, subject)
        return stamp is not None and stamp >= failure.fetched_at  # iso_utc stamps order as strings

    def has(self, kind: Kind, key: str) -> bool:
        return self.row(kind, key) is not None

    def stamp(self, kind: Kind, key: str) -> str | None:
        row = self.row(kind, key)
        return None if row is None else row.fetched_at

    def is_fresh(self, kind: Kind, key: str, max_age_days: float, now: datetime) -> bool:
        """Whether the record was fetched less than ``max_age_days`` ago (one dated up to
        :data:`SKEW` after ``now``, clock skew, is; one dated later is not:
        :meth:`dated_ahead`); a missing one is not fresh."""
        stamp = self.stamp(kind, key)
        return (stamp is not None and not self.dated_ahead(kind, key, now)
                and now - parse_utc(stamp) < timedelta(days=max_age_days))

    def dated_ahead(self, kind: Kind, key: str, now: datetime) -> bool:
        """Whether the record's fetch date is more than :data:`SKEW` after ``now``: no clock
        is that far off, so the date is wrong and the record is fetched again (said once)."""
        stamp = self.stamp(kind, key)
        if stamp is None or parse_utc(stamp) - now <= SKEW:
            return False
        if (kind, key) not in self._ahead:
            self._ahead.add((kind, key))
            log.warning("%s %s: fetched_at %s is after now (%s); the date is wrong: fetched "
                        "again", kind, key, stamp, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        return True

    def edges(self, direction: Direction, s2_paper_id: str) -> Sequence[Edge]:
        """The edges of one paper's list, from the side its list record comes from."""
        if self._from_store(direction, s2_paper_id):
            return self.store.list_edges(direction, s2_paper_id)
        return self.snapshot.edges.get((direction, s2_paper_id), ())

    def resolution(self, entry_key: str) -> Resolution | None:
        row = self.row("resolution", entry_key)
        return None if row is None else row.record

    def paper(self, s2_paper_id: str) -> Paper | None:
        row = self.row("paper", s2_paper_id)
        return None if row is None else row.record

    def edge_list(self, direction: Direction, s2_paper_id: str) -> Row | None:
        return self.row(direction, s2_paper_id)

    def paging(self, direction: Direction, s2_paper_id: str) -> Row | None:
        return self.row("paging", paging_key(direction, s2_paper_id))

    def arxiv(self, arxiv_id: str) -> ArxivRecord | None:
        row = self.row("arxiv", arxiv_id)
        return None if row is None else row.record

    def recommendations(self) -> Row | None:
        return self.row("recommendations", RECOMMENDATIONS_KEY)

    def failure(self, subject: str, phase: str) -> Failure | None:
        row = self.row("failure", failure_key_of(subject, phase))
        return None if row is None else row.record

    # ---- writing (a fetching run)

    def settle(self, subject: str, phase: str) -> None:
        """Drop the failure of a record that stands as it is (a resolution is never fetched
        again): what it failed to get is on file."""
        key = failure_key_of(subject, phase)
        self._store().delete("failure", [key])
        self._wrote([("failure", key)])

    def _wrote(self, keys: Iterable[tuple[str, str]]) -> None:
        for key in keys:
            self._written.add(key)
            self._read.pop(key, None)

    def _store(self) -> Store:
        if not self.writable:
            raise RuntimeError("an offline run writes nothing")
        return self.store

    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes inside the ``with`` block in one transaction."""
        with self._store().batch():
            yield

    def put(self, rows: Sequence[Row], *, request: str) -> None:
        """Keep ``rows``; each settles the failure of the same record."""
        self._store().put(rows, request=request)
        self._wrote((r.kind, r.key) for r in rows)
        self._wrote(("failure", f) for r in rows if (f := failure_of(r)) is not None)

    def put_list(self, direction: Direction, s2_paper_id: str, header: Row,
                 citations: Sequence[Citation], papers: Sequence[Row], *, request: str) -> None:
        """Keep one paper's complete list (:meth:`Store.put_list`)."""
        self._store().put_list(direction, s2_paper_id, header, citations, papers,
                               request=request)
        self._wrote([(direction, s2_paper_id), ("failure", failure_key_of(s2_paper_id, direction)),
                     ("paging", paging_key(direction, s2_paper_id))])
        self._wrote(("linked", p.key) for p in papers)

    def seed(self) -> int:
        """Copy into the store every snapshot row it lacks or holds older, with the edges of the
        lists among them; returns how many rows. A store that has it all writes nothing."""
        newer = [row for key, row in self.snapshot.rows.items()
                 if ((theirs := self._stamps.get(key)) is None or theirs < row.fetched_at)
                 and not (row.kind == "failure" and self.settled(row))]
        if not newer:
            return 0
        lists = {(r.kind, r.key) for r in newer if r.kind in DIRECTIONS}
        edges = {e.key: e for (d, owner), found in self.snapshot.edges.items()
                 if (d, owner) in lists for e in found}
        self._store().seed(newer, list(edges.values()), request="kg/snapshot.jsonl")
        self._stamps.update(((r.kind, r.key), r.fetched_at) for r in newer)
        log.info("copied %d snapshot records into %s", len(newer), self.store.path)
        return len(newer)


# --------------------------------------------------------------------------- one list's share


def versionless(arxiv_id: str) -> str:
    """An arXiv id as records are kept under it, without version; a malformed id as it is, for
    the arXiv source to report."""
    try:
        return normalize_arxiv_id(arxiv_id)
    except IdentifierError:
        return arxiv_id


def listed_arxiv_ids(document: ListDocument) -> set[str]:
    """The arXiv ids the list's papers (and their curation pins) give."""
    found = {e.ids.arxiv_id for e in document.papers}
    found |= {pin.arxiv_id for e in document.papers if (pin := e.pin) is not None}
    return {versionless(i) for i in found if i}


def arxiv_ids_of(records: OnFile, accepted: Iterable[str], listed: Iterable[str]) -> list[str]:
    """The arXiv records a list needs: the ids it gives, and those of its papers on file."""
    found = set(listed)
    for s2_id in accepted:
        if (paper := records.paper(s2_id)) is not None and (arxiv := paper.external_id("ArXiv")):
            found.add(arxiv)
    return sorted({versionless(i) for i in found if i})


def accepted_ids(resolutions: Iterable[Resolution]) -> list[str]:
    """The S2 ids of the resolutions that are used: resolved, and not doubtful."""
    return sorted({r.s2_paper_id for r in resolutions if r.s2_paper_id and not r.doubtful})


@dataclass(frozen=True, slots=True)
class Selection:
    """The records on file of a set of list entries: ``rows`` sorted by kind and key, ``edges``
    sorted by key, each with the lists of the selection that hold it."""

    rows: tuple[Row, ...]
    edges: tuple[Edge, ...]

    def of_kind(self, kind: Kind) -> list[Row]:
        return [r for r in self.rows if r.kind == kind]


def select(records: OnFile, entry_keys: Collection[str], arxiv_ids: Collection[str] = ()
           ) -> Selection:
    """Everything on file for the list entries ``entry_keys``.

    Their resolutions; for the S2 ids accepted: the ``paper`` record, both lists (header and
    edges) and any interrupted paging; the ``linked`` record of every paper at the other end of
    those citations and of every recommended one (a paper with a ``paper`` record here has no
    need of it); the recommendations; the arXiv records of ``arxiv_ids``, of the entries whose
    key is an arXiv id and of the accepted papers' arXiv ids; the failures of all of these.
    """
    rows: list[Row] = []
    resolutions = [row for key in sorted(set(entry_keys))
                   if (row := records.row("resolution", key)) is not None]
    rows += resolutions
    accepted = accepted_ids(r.record for r in resolutions)
    papers = [row for s2_id in accepted if (row := records.row("paper", s2_id)) is not None]
    rows += papers
    edges: dict[str, Edge] = {}
    others: set[str] = set()
    for direction in DIRECTIONS:
        for s2_id in accepted:
            if (header := records.row(direction, s2_id)) is None:
                continue
            rows.append(header)
            for edge in records.edges(direction, s2_id):
                held = edges.get(edge.key)
                lists = {direction} | (set(held.lists) if held else set())
                edges[edge.key] = Edge(edge.citation, tuple(sorted(lists)))
    for s2_id in accepted:
        for direction in DIRECTIONS:
            if (paging := records.row("paging", paging_key(direction, s2_id))) is not None:
                rows.append(paging)
                others |= {_other(c, direction) for c in paging.record.citations}
    for edge in edges.values():
        c = edge.citation
        others |= {_other(c, d) for d in edge.lists}
    recommended = records.row("recommendations", RECOMMENDATIONS_KEY)
    if recommended is not None:
        rows.append(recommended)
        others |= set(recommended.record.ranked)
    full = {row.key for row in papers}
    rows += [row for s2_id in sorted(others - full)
             if (row := records.row("linked", s2_id)) is not None]
    listed = {*arxiv_ids, *(key.removeprefix("paper:arxiv:") for key in entry_keys
                            if key.startswith("paper:arxiv:"))}
    wanted_arxiv = arxiv_ids_of(records, accepted, listed)
    rows += [row for a in wanted_arxiv if (row := records.row("arxiv", a)) is not None]
    subjects = {*entry_keys, *accepted, *wanted_arxiv, RECOMMENDATIONS_KEY}
    rows += [row for subject in sorted(subjects) for phase in PHASES
             if (row := records.row("failure", failure_key_of(subject, phase))) is not None]
    rows.sort(key=lambda r: (r.kind, r.key))
    return Selection(tuple(rows), tuple(edges[k] for k in sorted(edges)))


def _other(citation: Citation, direction: Direction) -> str:
    """The paper at the other end of a citation, seen from the list of ``direction``."""
    return citation.citing if direction == "citations" else citation.cited


def enrichment(selection: Selection, failures: Sequence[Failure] = ()) -> Enrichment:
    """The selection as graph building reads it, with ``failures`` of this run besides the ones
    on file (a failure on file of the same subject and phase wins: it says what the run that
    asked was told). A paging that stopped half-way is a failure too, its citations in beside
    the last complete list, never read as a complete one."""
    papers: dict[str, Paper] = {}
    citations: dict[tuple[str, str], Citation] = {}
    on_file: dict[tuple[str, str], Failure] = {}
    truncated: set[str] = set()
    resolutions: list[Resolution] = []
    arxiv: list[ArxivRecord] = []
    recommended: tuple[str, ...] = ()
    pending: list[Failure] = []
    for row in selection.rows:
        record = row.record
        if row.kind == "resolution":
            resolutions.append(record)
        elif row.kind == "paper":
            papers[row.key] = record
        elif row.kind == "linked":
            papers.setdefault(row.key, record)
        elif row.kind == "arxiv":
            arxiv.append(record)
        elif row.kind == "recommendations":
            recommended = record.ranked
        elif row.kind == "failure":
            on_file[record.subject, record.phase] = record
        elif row.kind in DIRECTIONS:
            if record.truncated:
                truncated.add(row.key)
        elif row.kind == "paging":
            paging: Paging = record
            direction, _, s2_id = row.key.partition(":")
            if paging.truncated:
                truncated.add(s2_id)
            pending.append(Failure(s2_id, direction, (  # type: ignore[arg-type]
                f"paging stopped at offset {paging.next_offset} ({len(paging.citations)} read "
                "and kept); the next enrich goes on from there")))
            for c in paging.citations:
                citations[c.citing, c.cited] = citations.get((c.citing, c.cited), c).merged(c)
    for edge in selection.edges:
        c = edge.citation
        citations[c.citing, c.cited] = citations.get((c.citing, c.cited), c).merged(c)
    told = dict(on_file)
    for failure in (*failures, *pending):
        told.setdefault((failure.subject, failure.phase), failure)
    return Enrichment(
        resolutions=tuple(sorted(resolutions, key=lambda r: r.entry_key)),
        papers=tuple(sorted(papers.values(), key=lambda p: p.s2_paper_id)),
        citations=tuple(citations[k] for k in sorted(citations)),
        arxiv=tuple(sorted(arxiv, key=lambda a: a.arxiv_id)),
        recommendations=recommended,
        failures=tuple(sorted(told.values(), key=lambda f: (f.subject, f.phase, f.reason))),
        truncated=tuple(sorted(truncated)),
    )
