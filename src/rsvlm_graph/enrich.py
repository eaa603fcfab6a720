"""Enrichment: resolve the list's papers on Semantic Scholar, then fetch what the graph needs.

Phases, in order, each reporting ``progress(phase, done, total)``:

1. ``resolve`` — pinned ids and the list's arXiv ids / DOIs in one batch call, the rest by title
   match; a resolution never ages (unless its pin changes), but an entry Semantic Scholar did
   not know is asked again once its answer is older than the freshness window.
2. ``metadata`` — full records for papers whose title match came without them, and for stale
   papers, in one batch call.
3. ``citations`` and ``references`` of every resolved list paper, with the other papers' metadata.
4. ``arxiv`` — arXiv records of the list papers that have an arXiv id.
5. ``recommendations`` — one call, the list as positives, the curation's rejections as negatives.

Everything fetched goes to the :class:`~rsvlm_graph.store.Store` as soon as it arrives, and only
what is missing or older than ``settings.freshness_days`` is asked for: a re-run inside the window
sends no request, and a re-run after a crash picks up where the crash left off.
"""

from __future__ import annotations

import functools
import logging
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from .config import Settings
from .errors import (
    IdentifierError,
    PagingInterrupted,
    PaperNotFound,
    ServiceUnavailable,
    SourceDown,
    SourceError,
)
from .identifiers import normalize_arxiv_id, paper_node_id, title_similarity
from .models import (
    PHASES,
    EdgePage,
    Enrichment,
    Failure,
    ListDocument,
    ListEntry,
    Paper,
    Phase,
    Pin,
    Resolution,
    iso_utc,
)
from .refresh_plan import PagePlan, PagesOnFile, plan_pages
from .snapshot import collect
from .store import RECOMMENDATIONS_KEY, Direction, RecordKind, Records, Store

if TYPE_CHECKING:
    from .listfile.curation import Curation
    from .sources.arxiv import ArxivSource
    from .sources.semantic_scholar import SemanticScholarSource

__all__ = [
    "ProgressCallback",
    "PHASES",
    "TITLE_MATCH_THRESHOLD",
    "DOUBTFUL_THRESHOLD",
    "ID_MISMATCH_THRESHOLD",
    "RECOMMENDATIONS_WANTED",
    "OFFLINE_REASON",
    "UNREACHABLE_REASON",
    "SERVICE_DOWN_REASON",
    "enrich",
    "not_on_file",
    "planned_requests",
]

log = logging.getLogger(__name__)

#: a title match is accepted from this similarity on: list titles carry typos ("image captionin")
#: that cost a few points, while a different paper of the same field scores far lower
TITLE_MATCH_THRESHOLD = 90.0
#: between this and the threshold a match is recorded as doubtful, for a human to pin or reject
DOUBTFUL_THRESHOLD = 80.0
#: a batch result (by arXiv id / DOI) titled this differently means a wrong id in the list
ID_MISMATCH_THRESHOLD = 60.0
#: recommended papers asked for (the API allows up to 500)
RECOMMENDATIONS_WANTED = 100
OFFLINE_REASON = "offline: not fetched"
#: the start of every failure's reason when its source could not be reached at all
UNREACHABLE_REASON = "network unavailable"
#: the start of every failure's reason when its source answered, but call after call with 5xx
#: or timeouts: an outage of the service, not of this machine's network
SERVICE_DOWN_REASON = "service unavailable"
_PINNED = "pinned by curation: "

SourceName = Literal["semanticscholar", "arxiv"]


class ProgressCallback(Protocol):
    """Told how far each phase is; the CLI draws a bar per phase from it."""

    def __call__(self, phase: str, done: int, total: int) -> None: ...


@dataclass(frozen=True, slots=True)
class _ToResolve:
    key: str
    entry: ListEntry
    pin: Pin | None
    batch_id: str | None  # "ARXIV:…", "DOI:…" or an S2 id; None: title match only
    method: Literal["batch-arxiv", "batch-doi", "pinned"] | None
    fallback: Resolution | None = None  # what to keep when the title match finds nothing better


def enrich(
    document: ListDocument,
    curation: Curation,
    *,
    s2: SemanticScholarSource | None,
    arxiv: ArxivSource | None,
    store: Records,
    settings: Settings,
    now: Callable[[], datetime],
    progress: ProgressCallback | None = None,
    offline: bool = False,
    full: bool = False,
    answered: Callable[[], None] | None = None,
) -> Enrichment:
    """Resolve and enrich the list's papers, fetching only what the store lacks or holds stale.

    Parameters
    ----------
    document : ListDocument
        The parsed and curated list; its papers are enriched (datasets are not), and their
        ``pin`` (from curation) overrides resolution.
    curation : Curation
        Its rejections with an S2 id are the negative examples of the recommendations call.
    s2, arxiv : sources or None
        ``None`` (or ``offline=True``) means no request at all to that API.
    store : Records
        Read for fresh records, written as soon as anything arrives: a
        :class:`~rsvlm_graph.store.Store` unless ``offline`` (which writes nothing, and may read
        a :class:`~rsvlm_graph.snapshot.SnapshotView`).
    settings : Settings
        ``freshness_days`` is the age after which counts, citation lists, arXiv records and
        recommendations are fetched again.
    now : callable
        Returns the current aware datetime; the tests pass a fixed clock.
    progress : ProgressCallback, optional
        Called with ``(phase, done, total)`` as each phase advances.
    offline : bool
        Make no request; what is missing is reported as a failure "offline: not fetched".
    full : bool
        Fetch the citation and reference pages of every paper, whatever its counts say
        (``enrich --full``); otherwise :func:`~rsvlm_graph.refresh_plan.plan_pages` picks the
        papers whose counts changed, and those not fully checked for
        ``settings.full_refresh_weeks``.
    answered : callable, optional
        Called once, when Semantic Scholar first answers (anything but an unreachable host):
        the CLI says then how many requests the run plans, not before it knows they can go.

    Returns
    -------
    Enrichment
        Everything the store knows about the list after the run (a stale copy is returned when
        its refresh failed), with this run's failures; tuples sorted, so equal stores give equal
        values.

    Notes
    -----
    A ``SourceDown`` from one source ends every later call to that source in this run; each
    item it would have fetched gets a failure "network unavailable: …" (the host cannot be
    reached) or "service unavailable: …" (it answered 5xx or timed out call after call). Any other
    ``SourceError`` is recorded against the one paper (or batch) it hit, and the run goes on.
    A ``PaperNotFound`` (HTTP 404) and a paper the batch keeps answering null for are the
    source's answer: their failures are ``answered``, and do not make the run incomplete.
    """
    run = _Run(
        store=store,
        settings=settings,
        now=now,
        progress=progress,
        s2=None if offline else s2,
        arxiv=None if offline else arxiv,
        answered=answered,
    )
    run.full = full
    entries = _unique_papers(document)
    resolutions = run.resolve(entries)
    accepted = sorted({s2_id for r in resolutions if _accepted(r) and (s2_id := r.s2_paper_id)})
    run.metadata(accepted)
    for direction in ("citations", "references"):
        run.edges(direction, accepted)
    arxiv_ids = _arxiv_ids(entries, accepted, store)
    run.arxiv_records(arxiv_ids)
    negatives = sorted({r.s2_paper_id for r in curation.rejections if r.s2_paper_id})
    run.recommendations(accepted, negatives)
    return collect(store, resolutions, accepted, arxiv_ids, run.failures)


def not_on_file(store: Records, failures: Sequence[Failure], recorded: Sequence[Failure] = ()
                ) -> tuple[Failure, ...]:
    """The ``failures`` whose record ``store`` does not hold at all, resolution included; each
    as ``recorded`` has it when it names the same subject and phase (an offline run's "not
    fetched" is then what the run that asked was told: "not found on arXiv", say).

    A refresh that failed keeps the stale copy, which the exports use: that failure makes the
    run incomplete, yet the record is on file. What is left is what the exports lack, and why.
    """
    kinds: dict[Phase, RecordKind] = {"resolve": "resolution", "metadata": "paper",
                                      "citations": "citations", "references": "references",
                                      "arxiv": "arxiv", "recommendations": "recommendations"}
    told = {(f.subject, f.phase): f for f in recorded}
    return tuple(told.get((f.subject, f.phase), f) for f in failures
                 if not store.has(kinds[f.phase], f.subject))


def planned_requests(
    document: ListDocument,
    curation: Curation,
    *,
    store: Store,
    settings: Settings,
    now: Callable[[], datetime],
    full: bool = False,
) -> Counter[str]:
    """The Semantic Scholar requests an online ``enrich`` is about to send, per endpoint
    (``batch``, ``match``, ``citations``, ``references``, ``recommendations``), from what is on
    file; it sends nothing and writes nothing, so a run can say up front how long it will take.

    It follows the phases: one batch per 500 ids to resolve and a title match per paper without
    an id; one metadata batch per 500 papers matched by title or stale; citation and reference
    pages of 1000 from the counts on file where :func:`~rsvlm_graph.refresh_plan.plan_pages`
    would fetch them (one page each for papers not resolved yet); one recommendations call
    unless the stored ones are fresh. Failures, splits and pages whose counts move in this run's
    metadata refresh are not foreseen: it is an estimate.
    """
    run = _Run(store=store, settings=settings, now=now, progress=None, s2=None, arxiv=None)
    run.down.clear()  # planned as if every source answers
    run.full = full
    negatives = sorted({r.s2_paper_id for r in curation.rejections if r.s2_paper_id})
    return run.planned(_unique_papers(document), negatives)


def _pages(count: int | None) -> int:
    """Citation or reference pages a paper with ``count`` of them takes (1 when unknown)."""
    # imported here: only a fetching run plans, and an offline build need not load the S2 client
    from .sources.semantic_scholar import PAGE_LIMIT, PAGEABLE

    if count is None:
        return 1
    return math.ceil(min(count, PAGEABLE) / PAGE_LIMIT)


def _unique_papers(document: ListDocument) -> list[tuple[str, ListEntry]]:
    """The list's papers keyed by node id, first occurrence kept (a paper listed twice)."""
    seen: dict[str, ListEntry] = {}
    for entry in document.papers:
        seen.setdefault(paper_node_id(entry.ids, entry.title), entry)
    return list(seen.items())


def _accepted(resolution: Resolution) -> bool:
    return resolution.s2_paper_id is not None and not resolution.doubtful


def _pin_note(pin: Pin) -> str:
    # the pin is written into the resolution itself, so a changed pin is seen even after the
    # store was rebuilt from the snapshot
    parts = [f"{name}={value}" for name in ("s2_paper_id", "doi", "arxiv_id")
             if (value := getattr(pin, name))]
    return _PINNED + ", ".join(parts)


def _still_valid(resolution: Resolution, pin: Pin | None) -> bool:
    """A resolution never ages; it is redone only when its curation pin appeared, went or changed."""
    if pin is None:
        return not (resolution.note or "").startswith(_PINNED)
    return resolution.note == _pin_note(pin)


def _batch_target(key: str, entry: ListEntry, pin: Pin | None) -> _ToResolve:
    if pin is not None:
        batch_id = (pin.s2_paper_id or (pin.doi and f"DOI:{pin.doi}")
                    or (pin.arxiv_id and f"ARXIV:{pin.arxiv_id}"))
        return _ToResolve(key, entry, pin, batch_id or None, "pinned" if batch_id else None)
    ids = entry.ids
    if ids.s2_paper_id:
        return _ToResolve(key, entry, None, ids.s2_paper_id, "pinned")
    if ids.arxiv_id:
        return _ToResolve(key, entry, None, f"ARXIV:{ids.arxiv_id}", "batch-arxiv")
    if ids.doi:
        return _ToResolve(key, entry, None, f"DOI:{ids.doi}", "batch-doi")
    return _ToResolve(key, entry, None, None, None)


def _arxiv_ids(
    entries: Sequence[tuple[str, ListEntry]], accepted: Sequence[str],
    store: Records,
) -> list[str]:
    ids = {e.ids.arxiv_id for _, e in entries}
    ids |= {pin.arxiv_id for _, e in entries if (pin := e.pin) is not None}
    for s2_id in accepted:
        if (paper := store.get_paper(s2_id)) is not None:
            ids.add(paper.external_id("ArXiv"))
    return sorted({_versionless(i) for i in ids if i})


def _versionless(arxiv_id: str) -> str:
    # records are stored under the versionless id arXiv answers with; a malformed id is passed
    # on as it is, for the arXiv source to report
    try:
        return normalize_arxiv_id(arxiv_id)
    except IdentifierError:
        return arxiv_id


class _Run:
    """One enrichment run: the sources still reachable, the failures met, the clock."""

    def __init__(
        self,
        *,
        store: Records,
        settings: Settings,
        now: Callable[[], datetime],
        progress: ProgressCallback | None,
        s2: SemanticScholarSource | None,
        arxiv: ArxivSource | None,
        answered: Callable[[], None] | None = None,
    ) -> None:
        self.store = store
        self.answered = answered
        self.window = settings.freshness_days
        self.now = now
        self.progress = progress
        self.s2 = s2
        self.arxiv = arxiv
        self.down: dict[str, str] = {}
        if s2 is None:
            self.down["semanticscholar"] = OFFLINE_REASON
        if arxiv is None:
            self.down["arxiv"] = OFFLINE_REASON
        self.failures: list[Failure] = []
        self.full_every = timedelta(weeks=settings.full_refresh_weeks)
        self.full = False  # enrich --full: every citation and reference page

    # ---- plumbing

    @property
    def _writable(self) -> Store:
        """The store, to keep what a source returned: only a run with a source writes."""
        assert isinstance(self.store, Store), "an offline run writes nothing"
        return self.store

    def _report(self, phase: Phase, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)

    def _stamp(self) -> str:
        return iso_utc(self.now())

    def _to_fetch(self, kind: RecordKind, keys: Sequence[str], source: SourceName) -> list[str]:
        """The keys whose record is missing or stale; offline, only the missing ones."""
        if self.down.get(source) == OFFLINE_REASON:
            # offline uses stale copies as they are: only what was never fetched is missing
            return [k for k in keys if not self.store.has(kind, k)]
        now = self.now()
        return [k for k in keys if not self.store.is_fresh(kind, k, self.window, now)]

    def _guard(
        self, phase: Phase, source: SourceName, subjects: Sequence[str], work: Callable[[], None]
    ) -> None:
        """Run one call's ``work``; on a source error, record a failure for each subject.

        A 404 (``PaperNotFound``: S2 does not know the paper, or recommendations' "Input papers
        not found") is the source's answer; every other error leaves the subjects unfetched.
        """
        reason = self.down.get(source)
        answered = False
        if reason is None:
            try:
                work()
                self._heard(source)
                return
            except SourceDown as exc:
                # every later call would wait for the same timeout: stop asking this host
                label = SERVICE_DOWN_REASON if isinstance(exc, ServiceUnavailable) else UNREACHABLE_REASON
                reason = self.down[source] = f"{label}: {exc}"
                log.warning("%s down, skipping its remaining requests: %s", source, exc)
            except PaperNotFound as exc:
                reason, answered = str(exc), True
                log.info("%s %s: not found: %s", phase, ", ".join(subjects[:3]), exc)
                self._heard(source)
            except SourceError as exc:
                reason = str(exc)
                log.info("%s %s failed: %s", phase, ", ".join(subjects[:3]), exc)
                self._heard(source)
        self.failures.extend(Failure(s, phase, reason, answered) for s in subjects)

    def _heard(self, source: SourceName) -> None:
        """Semantic Scholar answered (a 429 that outlasted the patience, a 500 too): say so once."""
        if source == "semanticscholar" and self.answered is not None:
            answered, self.answered = self.answered, None
            answered()

    def _fetch_papers(self, ids: Sequence[str]) -> tuple[list[Paper | None], dict[str, str]]:
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

    # ---- the plan of a run, before it starts

    def planned(
        self, entries: Sequence[tuple[str, ListEntry]], negatives: Sequence[str]
    ) -> Counter[str]:
        """Requests per endpoint the phases would send (see :func:`planned_requests`)."""
        from .sources.semantic_scholar import BATCH_LIMIT  # see _pages

        standing: set[str] = set()  # accepted papers whose resolution stands
        by_batch = by_title = 0
        for key, entry in entries:
            stored = self.store.get_resolution(key)
            if stored is not None and self._stands(key, stored, entry.pin):
                if _accepted(stored) and stored.s2_paper_id is not None:
                    standing.add(stored.s2_paper_id)
            elif _batch_target(key, entry, entry.pin).batch_id is not None:
                by_batch += 1
            else:
                by_title += 1
        accepted = sorted(standing)
        stale = len(self._to_fetch("paper", accepted, "semanticscholar"))
        plan: Counter[str] = Counter(
            batch=math.ceil(by_batch / BATCH_LIMIT) + math.ceil((by_title + stale) / BATCH_LIMIT),
            match=by_title,
        )
        for direction in ("citations", "references"):
            fetch = self._page_plan(direction, accepted).fetch
            plan[direction] = by_batch + by_title + sum(
                _pages(self._count(direction, s2_id)) for s2_id in fetch)
        new = by_batch + by_title
        if new or (accepted and not self.recommendations_fresh(accepted, negatives)):
            plan["recommendations"] = 1
        return +plan

    # ---- phase 1: resolve

    def resolve(
        self, entries: Sequence[tuple[str, ListEntry]]
    ) -> list[Resolution]:
        total, done = len(entries), 0
        todo: list[_ToResolve] = []
        for key, entry in entries:
            pin = entry.pin
            stored = self.store.get_resolution(key)
            if stored is not None and self._stands(key, stored, pin):
                done += 1
            else:
                todo.append(_batch_target(key, entry, pin))
        self._report("resolve", done, total)
        in_batch = [t for t in todo if t.batch_id is not None]
        by_title = [t for t in todo if t.batch_id is None]
        if in_batch:
            fallbacks: list[_ToResolve] = []
            self._guard("resolve", "semanticscholar", [t.key for t in in_batch],
                        lambda: fallbacks.extend(self._resolve_batch(in_batch)))
            done += len(in_batch) - len(fallbacks)
            self._report("resolve", done, total)
            by_title = fallbacks + by_title
        for target in by_title:
            self._guard("resolve", "semanticscholar", [target.key],
                        functools.partial(self._resolve_title, target))
            done += 1
            self._report("resolve", done, total)
        resolutions = [self.store.get_resolution(key) for key, _ in entries]
        return [r for r in resolutions if r is not None]

    def _stands(self, key: str, stored: Resolution, pin: Pin | None) -> bool:
        """Whether a stored resolution is kept as it is rather than resolved again."""
        if not _still_valid(stored, pin):
            return False
        if stored.s2_paper_id is not None or pin is not None:
            return True
        # Semantic Scholar indexes new papers days after they appear: "not found" ages
        if self.down.get("semanticscholar") == OFFLINE_REASON:
            return True
        return self.store.is_fresh("resolution", key, self.window, self.now())

    def _resolve_batch(self, targets: Sequence[_ToResolve]) -> list[_ToResolve]:
        """Resolve ``targets`` by one batch call; return those left for a title match."""
        ids = [t.batch_id for t in targets]
        # align by position: the returned paperId can differ from the id sent
        papers, unfetched = self._fetch_papers(ids)  # type: ignore[arg-type]
        stamp = self._stamp()
        request = f"POST /graph/v1/paper/batch ({len(ids)} ids)"
        settled: list[Resolution] = []
        fallbacks: list[_ToResolve] = []
        for target, paper in zip(targets, papers, strict=True):
            if target.batch_id in unfetched:
                # no answer at all: left unresolved for the next run, not guessed by title
                self.failures.append(Failure(target.key, "resolve", unfetched[target.batch_id]))
                continue
            if paper is None and target.pin is not None:
                # a pin is the curator's word: no title guess overrides it
                log.warning("%s: pinned %s is unknown to Semantic Scholar", target.key,
                            target.batch_id)
                settled.append(Resolution(target.key, None, None, note=_pin_note(target.pin)))
                continue
            if paper is None:
                fallbacks.append(target)
                continue
            if not paper.title and target.pin is None:
                # nothing to compare: a record without a title cannot contradict the exact id
                settled.append(Resolution(target.key, paper.s2_paper_id, target.method,
                                          note=f"Semantic Scholar gives {target.batch_id} no title"))
                continue
            if not target.entry.title_from_list and target.pin is None:
                # nor can a name ("SatMAE" in a model table): the list gives no title to compare
                settled.append(Resolution(target.key, paper.s2_paper_id, target.method, note=(
                    f"the list names it {target.entry.title!r}, no title to compare")))
                continue
            score = round(title_similarity(target.entry.title, paper.title), 1)
            if target.pin is not None:
                settled.append(Resolution(target.key, paper.s2_paper_id, "pinned", score,
                                          note=_pin_note(target.pin)))
            elif score < ID_MISMATCH_THRESHOLD:
                doubt = Resolution(target.key, paper.s2_paper_id, target.method, score,
                                   doubtful=True,
                                   note=f"{target.batch_id} is titled {paper.title!r}")
                fallbacks.append(_ToResolve(target.key, target.entry, None, None, None, doubt))
            else:
                settled.append(Resolution(target.key, paper.s2_paper_id, target.method, score))
        with self._writable.batch():
            found = [p for p in papers if p is not None]
            self._writable.put_papers(found, request=request, fetched_at=stamp)
            for resolution in settled:
                self._writable.put_resolution(resolution, request=request, fetched_at=stamp)
        return fallbacks

    def _resolve_title(self, target: _ToResolve) -> None:
        assert self.s2 is not None
        title = target.entry.title
        try:
            match = self.s2.match_title(title)
        except PaperNotFound:
            match = None
        if match is None:
            resolution = target.fallback or Resolution(target.key, None, None,
                                                       note="no title match on Semantic Scholar")
        else:
            paper, _ = match
            score = round(title_similarity(title, paper.title), 1)
            if score >= TITLE_MATCH_THRESHOLD:
                resolution = Resolution(target.key, paper.s2_paper_id, "title-match", score)
            elif score >= DOUBTFUL_THRESHOLD:
                resolution = Resolution(target.key, paper.s2_paper_id, "title-match", score,
                                        doubtful=True, note=f"best match {paper.title!r}")
            else:
                resolution = target.fallback or Resolution(
                    target.key, None, None, score, note=f"best match {paper.title!r}")
        request = f"GET /graph/v1/paper/search/match?query={title}"
        stamp = self._stamp()
        with self._writable.batch():
            if match is not None and _accepted(resolution) and match[0].embedding is not None:
                # the match came with every field: the metadata phase need not ask again
                self._writable.put_papers([match[0]], request=request, fetched_at=stamp)
            self._writable.put_resolution(resolution, request=request, fetched_at=stamp)

    # ---- phase 2: metadata

    def _one_call(
        self, phase: Phase, kind: RecordKind, keys: Sequence[str], source: SourceName,
        fetch: Callable[[list[str]], None],
    ) -> None:
        """A phase served by one (source-batched) call for every key missing or stale."""
        needed = self._to_fetch(kind, keys, source)
        total = len(keys)
        self._report(phase, total - len(needed), total)
        if needed:
            self._guard(phase, source, needed, lambda: fetch(needed))
        self._report(phase, total, total)

    def metadata(self, accepted: Sequence[str]) -> None:
        # a title match without embedding needs the full record; counts age: stale ones too
        self._one_call("metadata", "paper", accepted, "semanticscholar", self._fetch_metadata)

    def _fetch_metadata(self, needed: list[str]) -> None:
        papers, unfetched = self._fetch_papers(needed)
        found = [(i, p) for i, p in zip(needed, papers, strict=True) if p is not None]
        self._writable.put_papers([p for _, p in found], keys=[i for i, _ in found],
                                  request=f"POST /graph/v1/paper/batch ({len(needed)} ids)",
                                  fetched_at=self._stamp())
        # a null asked twice (``_fetch_papers``) is S2's answer: it has no such paper; an id
        # whose request kept failing got no answer
        self.failures.extend(
            Failure(i, "metadata", unfetched[i]) if i in unfetched
            else Failure(i, "metadata", "Semantic Scholar returned no record", True)
            for i, p in zip(needed, papers, strict=True) if p is None)

    # ---- phase 3: citations and references

    def edges(self, direction: Direction, accepted: Sequence[str]) -> None:
        plan = self._page_plan(direction, accepted)
        total = len(accepted)
        done = total - len(plan.fetch)
        self._report(direction, done, total)
        if plan.empty:
            with self._writable.batch():
                for s2_id in plan.empty:
                    self._writable.put_edges(direction, s2_id, (), (), False, count=0,
                                             request=f"none: {direction} count 0",
                                             fetched_at=self._stamp())
        for s2_id in plan.fetch:
            self._guard(direction, "semanticscholar", [s2_id],
                        functools.partial(self._fetch_edges, direction, s2_id))
            done += 1
            self._report(direction, done, total)

    def _count(self, direction: Direction, s2_id: str) -> int | None:
        paper = self.store.get_paper(s2_id)
        if paper is None:
            return None
        return paper.citation_count if direction == "citations" else paper.reference_count

    def _page_plan(self, direction: Direction, accepted: Sequence[str]) -> PagePlan:
        """Offline: the missing pages (they become failures); online: where the counts moved."""
        if self.down.get("semanticscholar") == OFFLINE_REASON:
            return PagePlan(fetch=tuple(self._to_fetch(direction, accepted, "semanticscholar")))
        on_file = {}
        for s2_id in accepted:
            if (record := self.store.get_edges(direction, s2_id)) is not None:
                on_file[s2_id] = PagesOnFile(record.count, datetime.fromisoformat(record.fetched_at))
        plan = plan_pages(
            accepted, {s2_id: self._count(direction, s2_id) for s2_id in accepted}, on_file,
            now=self.now(), full_every=self.full_every, stale_after=timedelta(days=self.window),
            full=self.full,
            interrupted={s2_id for s2_id in accepted if self.store.has_paging(direction, s2_id)},
        )
        log.info("%s: %d to fetch (%s), %d without any, %d unchanged", direction,
                 len(plan.fetch), ", ".join(f"{n} {r}" for r, n in
                                            sorted(Counter(plan.reasons.values()).items())),
                 len(plan.empty), len(plan.keep))
        return plan

    def _fetch_edges(self, direction: Direction, s2_id: str) -> None:
        """Page through one list, going on where an earlier run's paging stopped; if a page keeps
        failing, what was read is kept for the next run (and the failure is recorded)."""
        assert self.s2 is not None
        fetch = self.s2.citations if direction == "citations" else self.s2.references
        request = f"GET /graph/v1/paper/{s2_id}/{direction} (paged)"
        count = self._count(direction, s2_id)
        held = self._writable.get_paging(direction, s2_id)
        resume = None
        began, began_at = self._stamp(), count
        if held is not None:
            log.info("%s of %s: going on at offset %s, with the %d read from %s", direction,
                     s2_id, held.next_offset, len(held.citations), held.fetched_at)
            resume = EdgePage(held.citations, held.papers, held.truncated, held.next_offset)
            # a list that moved since the paging began is fetched whole again by the next run
            began, began_at = held.fetched_at, held.count
        try:
            page = fetch(s2_id, count=count, resume=resume)
        except PagingInterrupted as stop:
            self._writable.put_paging(direction, s2_id, stop.partial, request=request,
                                      fetched_at=began, count=began_at)
            log.warning("%s of %s: %s; the next enrich goes on from there", direction, s2_id,
                        stop)
            raise stop.cause from None
        self._writable.put_edges(direction, s2_id, page.citations, page.papers, page.truncated,
                                 request=request, fetched_at=began, count=began_at)

    # ---- phase 4: arXiv

    def arxiv_records(self, arxiv_ids: Sequence[str]) -> None:
        # arXiv records age too: a new version may have appeared
        self._one_call("arxiv", "arxiv", arxiv_ids, "arxiv", self._fetch_arxiv)

    def _fetch_arxiv(self, needed: list[str]) -> None:
        assert self.arxiv is not None
        records, failures = self.arxiv.fetch(needed)
        self._writable.put_arxiv(records, request=f"GET arXiv id_list ({len(needed)} ids)",
                                 fetched_at=self._stamp())
        self.failures.extend(failures)
        accounted = {r.arxiv_id for r in records} | {f.subject for f in failures}
        # arXiv answered the feed without it: as final as "not found on arXiv"
        self.failures.extend(Failure(a, "arxiv", "not returned by arXiv", True)
                             for a in needed if a not in accounted)

    # ---- phase 5: recommendations

    def recommendations_fresh(self, positive: Sequence[str], negative: Sequence[str]) -> bool:
        """Whether the stored recommendations answer these examples and need not be asked again."""
        stored = self.store.get_recommendations()
        return stored is not None and (
            self.down.get("semanticscholar") == OFFLINE_REASON
            or self.store.recommendations_fresh(self.window, self.now())
            and list(stored.positive) == list(positive)
            and (stored.negative is None or list(stored.negative) == list(negative))
        )

    def recommendations(self, positive: Sequence[str], negative: Sequence[str]) -> None:
        if not positive:  # the API answers 400 to an empty positive list: nothing to ask
            self._report("recommendations", 0, 0)
            return
        if self.recommendations_fresh(positive, negative):
            self._report("recommendations", 1, 1)
            return
        self._report("recommendations", 0, 1)

        def work() -> None:
            assert self.s2 is not None
            papers = self.s2.recommendations(positive, negative, limit=RECOMMENDATIONS_WANTED)
            self._writable.put_recommendations(
                positive, negative, papers,
                request=(f"POST /recommendations/v1/papers ({len(positive)} positive, "
                         f"{len(negative)} negative, limit {RECOMMENDATIONS_WANTED})"),
                fetched_at=self._stamp())

        self._guard("recommendations", "semanticscholar", [RECOMMENDATIONS_KEY], work)
        self._report("recommendations", 1, 1)
