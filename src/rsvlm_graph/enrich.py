"""Enrichment: resolve the list's papers on Semantic Scholar, then fetch what the graph needs.

Phases, in order, each reporting ``progress(phase, done, total)``:

1. ``resolve`` — pinned ids and the list's arXiv ids / DOIs in one batch call, the rest by title
   match (:mod:`rsvlm_graph.resolve`).
2. ``metadata`` — the counts and full records of stale papers, in one batch call (a paper whose
   counts this run already has, from its title match, is left to phase 3).
3. ``citations`` and ``references`` of every resolved list paper, with the other papers' metadata,
   nested in paper batches where the counts moved or the full check is due
   (:mod:`rsvlm_graph.citation_lists`); the full records still missing come in the same batches.
   ``edge_details``: the reference lists of list papers citing list papers paged too.
4. ``arxiv`` — arXiv records of the list papers that have an arXiv id.
5. ``recommendations`` — one call, the list as positives, the curation's rejections as negatives.

Everything fetched is kept on file (:class:`~rsvlm_graph.records.OnFile`, into the store) as soon
as it arrives, and only what is missing, older than ``settings.freshness_days`` or failed last
time is asked for: a re-run inside the window sends no request, and a re-run after a crash
picks up where the crash left off. :class:`~rsvlm_graph.fetch_run.Run` holds the run's state.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections import Counter
from collections.abc import Callable, Container, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from .citation_lists import count_of, fetch_edge_details, fetch_lists, page_plan, unflagged_citers
from .codec import DIRECTIONS, KIND_OF, PHASE_OF, RECOMMENDATIONS_KEY, Kind, Row
from .config import Settings
from .fetch_run import (
    OFFLINE_REASON,
    SERVICE_DOWN_REASON,
    UNREACHABLE_REASON,
    ProgressCallback,
    Run,
    SourceName,
)
from .identifiers import paper_node_id
from .models import (
    PHASES,
    ArxivRecord,
    Enrichment,
    Failure,
    ListDocument,
    ListEntry,
    Recommendations,
)
from .records import (
    OnFile,
    accepted_ids,
    arxiv_ids_of,
    enrichment,
    listed_arxiv_ids,
    select,
)
from .resolve import (
    BULK_TITLES,
    DOUBTFUL_THRESHOLD,
    ID_MISMATCH_THRESHOLD,
    TITLE_MATCH_THRESHOLD,
    accepted,
    resolve,
    stands,
    target_of,
)

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

#: recommended papers asked for: the most one request may ask (still one request)
RECOMMENDATIONS_WANTED = 500


def enrich(
    document: ListDocument,
    curation: Curation,
    *,
    s2: SemanticScholarSource | None,
    arxiv: ArxivSource | None,
    records: OnFile,
    settings: Settings,
    now: Callable[[], datetime],
    progress: ProgressCallback | None = None,
    offline: bool = False,
    full: bool = False,
    answered: Callable[[], None] | None = None,
    edge_details: bool = False,
) -> Enrichment:
    """Resolve and enrich the list's papers, fetching only what is missing, stale or failed.

    Parameters
    ----------
    document : ListDocument
        The parsed and curated list; its papers are enriched (datasets are not), and their
        ``pin`` (from curation) overrides resolution.
    curation : Curation
        Its rejections with an S2 id are the negative examples of the recommendations call.
    s2, arxiv : sources or None
        ``None`` (or ``offline=True``) means no request at all to that API.
    records : OnFile
        What is on file, read for fresh records and written as soon as anything arrives (an
        offline run writes nothing).
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
    edge_details : bool
        Page the reference lists of the list papers that cite other list papers, so the
        citations inside the list say whether they are influential, and their intents
        (``enrich --edge-details``); nested citations do not.

    Returns
    -------
    Enrichment
        Everything on file about the list after the run (a stale copy where its refresh
        failed), with the failures on file and this run's; tuples sorted, so equal records
        give equal values.

    Notes
    -----
    A ``SourceDown`` from one source ends every later call to that source in this run; each
    item it would have fetched gets a failure "network unavailable: …" (the host cannot be
    reached) or "service unavailable: …" (it answered 5xx or timed out call after call). Any other
    ``SourceError`` is recorded against the one paper (or batch) it hit, and the run goes on.
    A ``PaperNotFound`` (HTTP 404) and a paper the batch keeps answering null for are the
    source's answer: their failures are ``answered``, and do not make the run incomplete.
    """
    run = Run(records, settings, now=now, s2=s2, arxiv=arxiv, offline=offline, full=full,
              progress=progress, answered=answered)
    entries = _unique_papers(document)
    resolutions = resolve(run, entries)
    ids = accepted_ids(resolutions)
    # stale records, for their counts; a title match came with counts: its full record comes
    # nested with its lists, and the one left without is asked after them
    _one_call(run, "paper", ids, "semanticscholar", _fetch_metadata, skip=run.told)
    fetch_lists(run, ids)
    if edge_details:
        fetch_edge_details(run, ids)
    _one_call(run, "paper", ids, "semanticscholar", _fetch_metadata)
    arxiv_ids = arxiv_ids_of(records, ids, listed_arxiv_ids(document))
    # arXiv records age too: a new version may have appeared
    _one_call(run, "arxiv", arxiv_ids, "arxiv", _fetch_arxiv)
    _recommendations(run, ids, _negatives(curation))
    selection = select(records, [key for key, _ in entries], arxiv_ids)
    on_file = tuple(r for r in selection.rows if r.kind != "failure" or not run.covered(r.record))
    return enrichment(dataclasses.replace(selection, rows=on_file),
                      [f for f in run.failures if not run.covered(f)])


def not_on_file(records: OnFile, failures: Sequence[Failure]) -> tuple[Failure, ...]:
    """The ``failures`` whose record is not on file at all, resolution included.

    A refresh that failed keeps the stale copy, which the exports use: that failure makes the
    run incomplete, yet the record is on file. What is left is what the exports lack, and why.
    """
    return tuple(f for f in failures
                 if f.phase in PHASES and not records.has(KIND_OF[f.phase], f.subject))



def planned_requests(
    document: ListDocument,
    curation: Curation,
    *,
    records: OnFile,
    settings: Settings,
    now: Callable[[], datetime],
    full: bool = False,
    edge_details: bool = False,
) -> Counter[str]:
    """The Semantic Scholar requests an online ``enrich`` is about to send, per endpoint
    (``batch``, ``bulk``, ``citations``, ``references``, ``recommendations``), from what is on
    file; it sends nothing and writes nothing, so a run can say how long it will take.

    It follows the phases: one batch per 500 ids to resolve and a bulk search per
    :data:`~rsvlm_graph.resolve.BULK_TITLES` papers without an id (the title matches of the
    titles it leaves are not foreseen); one batch per 500 stale papers for their counts; the nested batches the lists
    :func:`~rsvlm_graph.refresh_plan.plan_pages` would fetch are packed into (at their counts
    on file; a paper not resolved yet as one without lists), and the pages of those too big for
    a batch; one recommendations call unless the stored ones are fresh. Failures, splits, cut
    answers and counts that move in this run are not foreseen: it is an estimate.
    """
    # imported here: only a fetching run plans, and an offline build need not load the S2 client
    from .sources.s2_lists import PAGE_LIMIT, PAGEABLE, pack
    from .sources.semantic_scholar import BATCH_LIMIT

    run = Run(records, settings, now=now, full=full, planning=True)
    standing: set[str] = set()  # accepted papers whose resolution stands
    new: list[str] = []  # entries resolved by this run: their lists are all to fetch
    by_batch = by_title = 0
    for key, entry in _unique_papers(document):
        stored = records.resolution(key)
        if stored is not None and stands(run, key, stored, entry.pin):
            if accepted(stored) and stored.s2_paper_id is not None:
                standing.add(stored.s2_paper_id)
            continue
        new.append(key)
        if target_of(key, entry, entry.pin).batch_id is not None:
            by_batch += 1
        else:
            by_title += 1
    ids = sorted(standing)
    stale = len(run.to_fetch("paper", ids))
    wanted = {s for d in DIRECTIONS for s in page_plan(run, d, ids).fetch}
    counts = {s: (count_of(run, "citations", s) or 0, count_of(run, "references", s) or 0)
              for s in wanted} | {key: (0, 0) for key in new}
    batches = pack(counts, metadata=True)
    plan: Counter[str] = Counter(
        batch=math.ceil(by_batch / BATCH_LIMIT) + math.ceil(stale / BATCH_LIMIT) + len(batches),
        bulk=math.ceil(by_title / BULK_TITLES),
    )
    packed = {s for batch in batches for s in batch}
    for s2_id in sorted(set(counts) - packed):
        for direction, n in zip(DIRECTIONS, counts[s2_id]):
            plan[direction] += math.ceil(min(n, PAGEABLE) / PAGE_LIMIT)
    if edge_details:  # a reference page each for the list papers citing list papers; a paper
        # not resolved yet may be one of them
        plan["references"] += len(unflagged_citers(run, ids)) + len(new)
    if new or (ids and not _recommendations_fresh(run, ids, _negatives(curation))):
        plan["recommendations"] = 1
    return +plan


def _unique_papers(document: ListDocument) -> list[tuple[str, ListEntry]]:
    """The list's papers keyed by node id, first occurrence kept (a paper listed twice)."""
    seen: dict[str, ListEntry] = {}
    for entry in document.papers:
        seen.setdefault(paper_node_id(entry.ids, entry.title), entry)
    return list(seen.items())


def _negatives(curation: Curation) -> list[str]:
    return sorted({r.s2_paper_id for r in curation.rejections if r.s2_paper_id})


# --------------------------------------------------------------------------- phases 2, 4, 5


def _one_call(run: Run, kind: Kind, keys: Sequence[str], source: SourceName,
              fetch: Callable[[Run, list[str]], None], skip: Container[str] = ()) -> None:
    """A phase served by one (source-batched) call for every key to fetch (but ``skip``)."""
    phase = PHASE_OF[kind]
    needed = [k for k in run.to_fetch(kind, keys) if k not in skip]
    run.report(phase, len(keys) - len(needed), len(keys))
    if needed:
        run.guard(phase, source, needed, lambda: fetch(run, needed))
    run.report(phase, len(keys), len(keys))


def _fetch_metadata(run: Run, needed: list[str]) -> None:
    papers, unfetched = run.fetch_papers(needed)
    run.told.update((i, p) for i, p in zip(needed, papers, strict=True) if p is not None)
    with run.records.batch():
        run.records.put([run.paper_row("paper", i, p)
                         for i, p in zip(needed, papers, strict=True) if p is not None],
                        request=f"POST /graph/v1/paper/batch ({len(needed)} ids)")
        # a null asked twice (``fetch_papers``) is S2's answer: it has no such paper; an id
        # whose request kept failing got no answer
        run.fail([Failure(i, "metadata", unfetched[i]) if i in unfetched
                  else Failure(i, "metadata", "Semantic Scholar returned no record", True)
                  for i, p in zip(needed, papers, strict=True) if p is None])


def _fetch_arxiv(run: Run, needed: list[str]) -> None:
    assert run.arxiv is not None
    records, failures = run.arxiv.fetch(needed)
    accounted = {r.arxiv_id for r in records} | {f.subject for f in failures}
    # arXiv answered the feed without it: as final as "not found on arXiv"
    failures += [Failure(a, "arxiv", "not returned by arXiv", True)
                 for a in needed if a not in accounted]
    records = [_unwithdrawn(run, r) for r in records]
    with run.records.batch():
        run.records.put([Row("arxiv", r.arxiv_id, r.fetched_at or run.stamp(), r)
                         for r in records], request=f"GET arXiv id_list ({len(needed)} ids)")
        run.fail(failures)


def _unwithdrawn(run: Run, record: ArxivRecord) -> ArxivRecord:
    """A withdrawn paper's record keeps the abstract of its last version before the withdrawal
    (the one on file), not the withdrawal notice that replaced it."""
    if not record.withdrawn:
        return record
    before = run.records.arxiv(record.arxiv_id)
    log.info("arXiv %s: withdrawn; its last abstract is kept", record.arxiv_id)
    return dataclasses.replace(record, abstract=before.abstract if before else None)


def _recommendations_fresh(run: Run, positive: Sequence[str], negative: Sequence[str]) -> bool:
    """Whether the recommendations on file answer these examples and need not be asked again."""
    row = run.records.recommendations()
    if row is None:
        return False
    if "semanticscholar" not in run.asks:
        return True
    asked: Recommendations = row.record
    return (run.records.is_fresh("recommendations", RECOMMENDATIONS_KEY, run.window, run.now())
            and not run.failed_before("recommendations", RECOMMENDATIONS_KEY)
            and list(asked.positive) == list(positive)
            and (asked.negative is None or list(asked.negative) == list(negative)))


def _recommendations(run: Run, positive: Sequence[str], negative: Sequence[str]) -> None:
    if not positive:  # the API answers 400 to an empty positive list: nothing to ask
        run.report("recommendations", 0, 0)
        return
    if _recommendations_fresh(run, positive, negative):
        run.report("recommendations", 1, 1)
        return
    run.report("recommendations", 0, 1)

    def work() -> None:
        assert run.s2 is not None
        papers = run.s2.recommendations(positive, negative, limit=RECOMMENDATIONS_WANTED)
        asked = Recommendations(tuple(positive), tuple(negative),
                                tuple(p.s2_paper_id for p in papers))
        run.records.put([Row("recommendations", RECOMMENDATIONS_KEY, run.stamp(), asked),
                         *run.linked_rows(papers)],
                        request=(f"POST /recommendations/v1/papers ({len(positive)} positive, "
                                 f"{len(negative)} negative, limit {RECOMMENDATIONS_WANTED})"))

    run.guard("recommendations", "semanticscholar", [RECOMMENDATIONS_KEY], work)
    run.report("recommendations", 1, 1)
