"""The state of one enrichment run and what every phase shares: which records to fetch, one
call guarded against its source's failures, and keeping what arrives.

A :class:`Run` is offline or not, full or not, from its construction: offline, it asks nothing
and writes nothing, uses stale copies as they are and reports what was never fetched as
"offline: not fetched" (so does a run for a source it was given none of). Online, a source that
cannot be reached (or answers 5xx call after call)
is *down* for the rest of the run: an outage, which every later call of that source meets as a
failure without asking. Every failure of an online run is kept on file, dated, until the record
is fetched: the next run asks for it again whatever its date says.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from .codec import KIND_OF, PHASE_OF, Kind, Row, failure_key, failure_key_of, rounded
from .config import Settings
from .errors import PaperNotFound, ServiceUnavailable, SourceDown, SourceError
from .models import Failure, Paper, Phase, iso_utc
from .records import OnFile

if TYPE_CHECKING:
    from .sources.arxiv import ArxivSource
    from .sources.semantic_scholar import SemanticScholarSource

__all__ = [
    "OFFLINE_REASON",
    "SERVICE_DOWN_REASON",
    "UNREACHABLE_REASON",
    "ProgressCallback",
    "Run",
    "SourceName",
]

log = logging.getLogger(__name__)

OFFLINE_REASON = "offline: not fetched"
#: the start of every failure's reason when its source could not be reached at all
UNREACHABLE_REASON = "network unavailable"
#: the start of every failure's reason when its source answered, but call after call with 5xx
#: or timeouts: an outage of the service, not of this machine's network
SERVICE_DOWN_REASON = "service unavailable"

SourceName = Literal["semanticscholar", "arxiv"]


class ProgressCallback(Protocol):
    """Told how far each phase is; the CLI draws a bar per phase from it."""

    def __call__(self, phase: str, done: int, total: int) -> None: ...


class Run:
    """One enrichment run: what is on file, the sources still reachable, the failures met.

    Parameters
    ----------
    records : OnFile
        Read for what is on file; written as soon as anything arrives (unless offline).
    settings : Settings
        ``freshness_days``: the age after which a record is fetched again;
        ``full_refresh_weeks``: the age after which a citation list is checked whole again.
    s2, arxiv : sources or None
        ``None``: that source is not asked (as offline, for its records alone).
    offline : bool
        Ask nothing, write nothing.
    full : bool
        Every citation and reference page, whatever the counts say (``enrich --full``).
    answered : callable, optional
        Called once, when Semantic Scholar first answers (:meth:`heard`).
    planning : bool
        A run that only plans (:func:`~rsvlm_graph.enrich.planned_requests`): as if both
        sources were asked, though it sends nothing.
    """

    def __init__(
        self, records: OnFile, settings: Settings, *, now: Callable[[], datetime],
        s2: SemanticScholarSource | None = None, arxiv: ArxivSource | None = None,
        offline: bool = False, full: bool = False, progress: ProgressCallback | None = None,
        answered: Callable[[], None] | None = None, planning: bool = False,
    ) -> None:
        self.records = records
        self.window = settings.freshness_days
        self.full_every = timedelta(weeks=settings.full_refresh_weeks)
        self.now = now
        self.s2 = None if offline else s2
        self.arxiv = None if offline else arxiv
        self.offline = offline
        #: the sources this run asks (a plan: as if both were): set at construction, whatever
        #: happens to them later
        self.asks = frozenset(name for name, source in (("semanticscholar", self.s2),
                                                        ("arxiv", self.arxiv))
                              if source is not None or planning)
        self.full = full
        self.progress = progress
        self.answered = answered
        self.down: dict[SourceName, str] = {}  # outages met in this run, with their reason
        self.failures: list[Failure] = []
        #: papers as Semantic Scholar answered them in this run (a batch, a title match, a
        #: nested batch): their counts are today's, whether or not the full record is kept
        self.told: dict[str, Paper] = {}

    # ---- plumbing

    def report(self, phase: Phase, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)

    def stamp(self) -> str:
        return iso_utc(self.now())

    def to_fetch(self, kind: Kind, keys: Sequence[str]) -> list[str]:
        """The keys whose record is to be fetched: never fetched, stale, or failed last time.

        A record stale is not fetched again while the source's answer that it has none
        (an answered failure: a 404, "not found on arXiv") is fresh. Offline (or for a source
        not asked), stale copies are used as they are: only what was never fetched is missing.
        """
        if ("arxiv" if kind == "arxiv" else "semanticscholar") not in self.asks:
            return [k for k in keys if not self.records.has(kind, k)]
        now, phase = self.now(), PHASE_OF[kind]
        wanted = []
        for key in keys:
            failure = self.records.row("failure", failure_key_of(key, phase))
            if failure is not None and not failure.record.answered:
                wanted.append(key)
            elif not (self.records.is_fresh(kind, key, self.window, now) or failure is not None
                      and self.records.is_fresh("failure", failure.key, self.window, now)):
                wanted.append(key)
        return wanted

    def failed_before(self, phase: Phase, key: str) -> bool:
        """Whether the last try of this record failed without an answer (kept on file)."""
        failure = self.records.failure(key, phase)
        return failure is not None and not failure.answered

    def covered(self, failure: Failure) -> bool:
        """Whether a failure to reach the source is no loss: the record it failed to refresh is
        on file and fresh, so the run is not incomplete for it (it is still kept on file, and
        asked again by the next run)."""
        kind = KIND_OF.get(failure.phase)
        return (not failure.answered and kind is not None
                and self.records.is_fresh(kind, failure.subject, self.window, self.now()))

    def stands(self, phase: Phase, key: str) -> None:
        """The record is on file and kept as it is, not fetched again: a failure of an earlier
        try is over (dropped, by a run that writes), so it never makes a run incomplete."""
        if self.failed_before(phase, key) and not self.offline and self.records.writable:
            self.records.settle(key, phase)

    def guard(self, phase: Phase, source: SourceName, subjects: Sequence[str],
              work: Callable[[], None]) -> None:
        """Run one call's ``work``; on a source error, record a failure for each subject.

        A 404 (``PaperNotFound``: S2 does not know the paper, or recommendations' "Input papers
        not found") is the source's answer; every other error leaves the subjects unfetched.
        A ``SourceDown`` ends every later call to that source in this run.
        """
        self.guard_each([(phase, s) for s in subjects], source, work)

    def guard_each(self, asked: Sequence[tuple[Phase, str]], source: SourceName,
                   work: Callable[[], None]) -> None:
        """:meth:`guard` for one call serving records of several phases (both lists of a
        paper, in one nested batch): ``asked`` are (phase, subject)."""
        if source not in self.asks:
            self.failures.extend(Failure(s, phase, OFFLINE_REASON) for phase, s in asked)
            return
        reason = self.down.get(source)
        answered = False
        if reason is None:
            try:
                work()
                self.heard(source)
                return
            except SourceDown as exc:
                # every later call would wait for the same timeout: stop asking this host
                label = SERVICE_DOWN_REASON if isinstance(exc, ServiceUnavailable) else UNREACHABLE_REASON
                reason = self.down[source] = f"{label}: {exc}"
                log.warning("%s down, skipping its remaining requests: %s", source, exc)
            except PaperNotFound as exc:
                reason, answered = str(exc), True
                log.info("%s: not found: %s", ", ".join(f"{p} {s}" for p, s in asked[:3]), exc)
                self.heard(source)
            except SourceError as exc:
                reason = str(exc)
                log.info("%s failed: %s", ", ".join(f"{p} {s}" for p, s in asked[:3]), exc)
                self.heard(source)
        self.fail([Failure(s, phase, reason, answered) for phase, s in asked])

    def fail(self, failures: Sequence[Failure]) -> None:
        """Keep ``failures`` of this run (on file, dated now, unless offline)."""
        self.failures.extend(failures)
        if failures and not self.offline:
            stamp = self.stamp()
            self.records.put([Row("failure", failure_key(f), stamp, f) for f in failures],
                             request="failed")

    def heard(self, source: SourceName) -> None:
        """Semantic Scholar answered (a 429 that outlasted the patience, a 500 too): say so once."""
        if source == "semanticscholar" and self.answered is not None:
            answered, self.answered = self.answered, None
            answered()

    def paper_row(self, kind: Kind, key: str, paper: Paper) -> Row:
        """A paper as kept: dated by this run's clock when it arrived (what its freshness is
        judged by), its embedding rounded."""
        stamp = self.stamp()
        return Row(kind, key, stamp, rounded(dataclasses.replace(paper, fetched_at=stamp)))

    def linked_rows(self, papers: Sequence[Paper]) -> list[Row]:
        return [self.paper_row("linked", p.s2_paper_id, p) for p in papers]

    def fetch_papers(self, ids: Sequence[str]) -> tuple[list[Paper | None], dict[str, str]]:
        """The papers by position, and the ids whose request kept failing, with the error (their
        ``None`` is no answer: they become failures that make the run partial)."""
        assert self.s2 is not None
        batch = self.s2.fetch_paper_batch(ids)
        papers, unfetched = batch.papers, dict(batch.unfetched)
        missing = [i for i, p in enumerate(papers) if p is None and ids[i] not in unfetched]
        if missing:
            # a null can be a transient hiccup of the batch endpoint: ask once more for those
            again = self.s2.fetch_paper_batch([ids[i] for i in missing])
            for i, paper in zip(missing, again.papers, strict=True):
                papers[i] = paper
            unfetched.update(again.unfetched)
        return papers, unfetched
