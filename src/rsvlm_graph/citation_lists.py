"""Phase 3 of enrichment: the citation and reference lists of the list papers.

Which lists a run fetches is :func:`~rsvlm_graph.refresh_plan.plan_pages`' decision, from what is
on file (each list's count and the date of its last full check). They come nested in paper
batches (:mod:`rsvlm_graph.sources.s2_lists`): the papers packed so that one answer holds their
lists within the API's budget, a paper's full record asked in the same batch where the run has
none fresh. Nothing the API may have cut is taken as complete: a list shorter than its count in
an answer that reached the budget, an empty one of a paper counted with some, and references
served as null are paged (from where the nested list ends); so is every list of a paper too big
for a batch, and one whose paging broke off (from where it stopped). A list is kept whole,
replacing the one on file; a paging that breaks off keeps the pages it read apart from it.

Nested citations carry no ``isInfluential`` nor ``intents``: unknown, not false. With
``edge_details`` the reference lists of the list papers that cite other list papers are paged,
so the citations inside the list carry both.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from .codec import DIRECTIONS, Direction, Row, list_count, paging_key
from .errors import PagingInterrupted
from .fetch_run import Run
from .models import EdgeList, EdgePage, Failure, Paging
from .records import parse_utc
from .refresh_plan import PagePlan, PagesOnFile, plan_pages

__all__ = ["count_of", "fetch_edge_details", "fetch_lists", "page_plan", "unflagged_citers"]

log = logging.getLogger(__name__)


def count_of(run: Run, direction: Direction, s2_id: str) -> int | None:
    """The paper's ``citationCount`` (``referenceCount``): as this run was told, else on file."""
    paper = run.told.get(s2_id) or run.records.paper(s2_id)
    return None if paper is None else list_count(paper, direction)


def page_plan(run: Run, direction: Direction, accepted: Sequence[str]) -> PagePlan:
    """Offline: the lists never fetched (they become failures); online: where the counts moved,
    the full check is due, or the last try failed (:func:`plan_pages`)."""
    if "semanticscholar" not in run.asks:
        return PagePlan(fetch=tuple(run.to_fetch(direction, accepted)))
    on_file, now = {}, run.now()
    for s2_id in accepted:  # a list dated ahead of the clock is fetched as one never fetched
        if ((row := run.records.edge_list(direction, s2_id)) is not None
                and not run.records.dated_ahead(direction, s2_id, now)):
            on_file[s2_id] = PagesOnFile(row.record.count, parse_utc(row.fetched_at))
    plan = plan_pages(
        accepted, {s2_id: count_of(run, direction, s2_id) for s2_id in accepted}, on_file,
        now=now, full_every=run.full_every, stale_after=timedelta(days=run.window),
        full=run.full,
        interrupted={s2_id for s2_id in accepted if run.records.paging(direction, s2_id)},
        failed={s2_id for s2_id in accepted if run.failed_before(direction, s2_id)},
    )
    log.info("%s: %d to fetch (%s), %d without any, %d unchanged", direction,
             len(plan.fetch), ", ".join(f"{n} {r}" for r, n in
                                        sorted(Counter(plan.reasons.values()).items())),
             len(plan.empty), len(plan.keep))
    return plan


class _Progress:
    """Both directions' bars, advanced as lists are kept."""

    def __init__(self, run: Run, plans: dict[Direction, PagePlan], total: int) -> None:
        self.run, self.total = run, total
        self.done = {d: total - len(plans[d].fetch) for d in DIRECTIONS}
        for direction in DIRECTIONS:
            run.report(direction, self.done[direction], total)

    def advance(self, direction: Direction) -> None:
        self.done[direction] += 1
        self.run.report(direction, self.done[direction], self.total)


def fetch_lists(run: Run, accepted: Sequence[str]) -> None:
    """Fetch the lists the plan names, nested in batches where they fit; a list of count 0 is
    kept empty without a request."""
    from .sources.s2_lists import pack

    plans = {d: page_plan(run, d, accepted) for d in DIRECTIONS}
    progress = _Progress(run, plans, len(accepted))
    for direction in DIRECTIONS:
        if plans[direction].empty:
            stamp = run.stamp()
            with run.records.batch():
                for s2_id in plans[direction].empty:
                    run.records.put_list(direction, s2_id,
                                         Row(direction, s2_id, stamp, EdgeList(0)), (), (),
                                         request=f"none: {direction} count 0")
    # a paper Semantic Scholar answered null for in this run has no lists to ask for
    gone = {f.subject for f in run.failures if f.phase == "metadata" and f.answered}
    wanted: dict[str, list[Direction]] = {}
    for direction in DIRECTIONS:
        for s2_id in plans[direction].fetch:
            if s2_id not in gone:
                wanted.setdefault(s2_id, []).append(direction)
    pages = [(d, s) for s, ds in wanted.items() for d in ds if run.records.paging(d, s)]
    nested = {s: (count_of(run, "citations", s) or 0, count_of(run, "references", s) or 0)
              for s in wanted if not any(run.records.paging(d, s) for d in wanted[s])}
    if "semanticscholar" not in run.asks:  # offline: what is missing fails as not fetched
        for s2_id, directions in wanted.items():
            for direction in directions:
                run.guard(direction, "semanticscholar", [s2_id], lambda: None)
        return
    full = set(run.to_fetch("paper", list(nested)))
    batches = pack(nested, metadata=bool(full))
    packed = {s for batch in batches for s in batch}
    pages += [(d, s) for s in nested if s not in packed for d in wanted[s]]
    for batch in batches:
        asked = [(d, s) for s in batch for d in wanted[s]]
        later: list[tuple[Direction, str, EdgePage | None]] = []
        run.guard_each(asked, "semanticscholar", functools.partial(
            _nested, run, batch, wanted, bool(full & set(batch)), later))
        kept = {(d, s) for d, s in asked} - {(d, s) for d, s, _ in later}
        for direction, _ in sorted(kept):
            progress.advance(direction)
        pages += [(d, s) for d, s, resume in later if resume is None]
        for direction, s2_id, resume in later:
            if resume is not None:
                run.guard(direction, "semanticscholar", [s2_id],
                          functools.partial(_fetch_list, run, direction, s2_id, resume))
                progress.advance(direction)
    for direction, s2_id in sorted(pages):  # the citations first, as the phases go
        run.guard(direction, "semanticscholar", [s2_id],
                  functools.partial(_fetch_list, run, direction, s2_id))
        progress.advance(direction)


def _nested(run: Run, batch: list[str], wanted: dict[str, list[Direction]], full: bool,
            later: list[tuple[Direction, str, EdgePage | None]]) -> None:
    """One nested batch: each complete list kept; the ones the API may have cut, or served as
    null, left in ``later`` to page (with the citations served, to go on from)."""
    assert run.s2 is not None
    answers, unfetched = run.s2.nested(batch, full=full)
    request = f"POST /graph/v1/paper/batch ({len(batch)} ids, nested lists)"
    stamp = run.stamp()
    for s2_id, answer in zip(batch, answers, strict=True):
        if answer is None:
            reason = unfetched.get(s2_id)
            run.fail([Failure(s2_id, d, reason or "Semantic Scholar returned no record",
                              reason is None) for d in wanted[s2_id]])
            continue
        run.told[s2_id] = answer.paper
        if full:
            run.records.put([run.paper_row("paper", s2_id, answer.paper)], request=request)
        linked = run.linked_rows(answer.papers)
        for direction in wanted[s2_id]:
            index = DIRECTIONS.index(direction)
            served = answer.served[index]
            found = answer.citations if direction == "citations" else answer.references
            count = (answer.paper.citation_count if direction == "citations"
                     else answer.paper.reference_count) or 0
            if found is None:
                log.info("%s of %s: served as null: paged", direction, s2_id)
                later.append((direction, s2_id, None))
            elif served < count and (answer.cut or served == 0):
                later.append((direction, s2_id, EdgePage(found, (), False, next_offset=served)))
            else:
                header = Row(direction, s2_id, stamp, EdgeList(count, False))
                run.records.put_list(direction, s2_id, header, found, linked, request=request)


def _fetch_list(run: Run, direction: Direction, s2_id: str, resume: EdgePage | None = None
                ) -> None:
    """Page through one list, going on where an earlier run's paging (or a cut nested list)
    stopped; if a page keeps failing, what was read is kept for the next run (and the failure
    is recorded)."""
    assert run.s2 is not None
    fetch = run.s2.citations if direction == "citations" else run.s2.references
    request = f"GET /graph/v1/paper/{s2_id}/{direction} (paged)"
    count = count_of(run, direction, s2_id)
    held = run.records.paging(direction, s2_id)
    began, began_at = run.stamp(), count
    if held is not None and resume is None:
        paging: Paging = held.record
        log.info("%s of %s: going on at offset %s, with the %d read from %s", direction,
                 s2_id, paging.next_offset, len(paging.citations), held.fetched_at)
        resume = EdgePage(paging.citations, (), paging.truncated, paging.next_offset)
        # a list that moved since the paging began is fetched whole again by the next run
        began, began_at = held.fetched_at, paging.count
    paper = run.told.get(s2_id) or run.records.paper(s2_id)
    try:
        page = fetch(s2_id, count=count, resume=resume, since_year=paper.year if paper else None)
    except PagingInterrupted as stop:
        part = stop.partial
        kept = Paging(part.next_offset or 0, part.citations, began_at, part.truncated)
        run.records.put([Row("paging", paging_key(direction, s2_id), began, kept),
                         *run.linked_rows(part.papers)], request=request)
        log.warning("%s of %s: %s; the next enrich goes on from there", direction, s2_id, stop)
        raise stop.cause from None
    header = Row(direction, s2_id, began, EdgeList(began_at, page.truncated))
    run.records.put_list(direction, s2_id, header, page.citations, run.linked_rows(page.papers),
                         request=request)


def unflagged_citers(run: Run, accepted: Sequence[str]) -> list[str]:
    """The list papers that cite another list paper with its flags unknown (a nested citation):
    the reference lists ``enrich --edge-details`` pages, and its cost estimate counts."""
    inside = set(accepted)
    return sorted({e.citation.citing for s2_id in accepted
                   for e in run.records.edges("citations", s2_id)
                   if e.citation.citing in inside and e.citation.is_influential is None})


def fetch_edge_details(run: Run, accepted: Sequence[str]) -> None:
    """``enrich --edge-details``: the reference lists of the list papers that cite another list
    paper with flags unknown, paged, so every citation inside the list says whether it is
    influential and its intents."""
    for s2_id in unflagged_citers(run, accepted):
        run.guard("references", "semanticscholar", [s2_id],
                  functools.partial(_fetch_list, run, "references", s2_id))
