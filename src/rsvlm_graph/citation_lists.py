"""Phase 3 of enrichment: the citation and reference lists of the list papers.

Which lists a run fetches is :func:`~rsvlm_graph.refresh_plan.plan_pages`' decision, from what is
on file (each list's count and the date of its last full check); a list is paged whole and
kept whole, replacing the one on file, and a paging that breaks off half-way keeps the pages it
read apart from it, for the next run to go on from.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

from .codec import Direction, Row, paging_key
from .errors import PagingInterrupted
from .fetch_run import Run
from .models import EdgeList, EdgePage, Paging
from .records import parse_utc
from .refresh_plan import PagePlan, PagesOnFile, plan_pages

__all__ = ["count_of", "fetch_lists", "page_plan"]

log = logging.getLogger(__name__)


def count_of(run: Run, direction: Direction, s2_id: str) -> int | None:
    """The paper's ``citationCount`` (``referenceCount``) on file."""
    paper = run.records.paper(s2_id)
    if paper is None:
        return None
    return paper.citation_count if direction == "citations" else paper.reference_count


def page_plan(run: Run, direction: Direction, accepted: Sequence[str]) -> PagePlan:
    """Offline: the lists never fetched (they become failures); online: where the counts moved,
    the full check is due, or the last try failed (:func:`plan_pages`)."""
    if "semanticscholar" not in run.asks:
        return PagePlan(fetch=tuple(run.to_fetch(direction, accepted)))
    on_file = {}
    for s2_id in accepted:
        if (row := run.records.edge_list(direction, s2_id)) is not None:
            on_file[s2_id] = PagesOnFile(row.record.count, parse_utc(row.fetched_at))
    plan = plan_pages(
        accepted, {s2_id: count_of(run, direction, s2_id) for s2_id in accepted}, on_file,
        now=run.now(), full_every=run.full_every, stale_after=timedelta(days=run.window),
        full=run.full,
        interrupted={s2_id for s2_id in accepted if run.records.paging(direction, s2_id)},
        failed={s2_id for s2_id in accepted if run.failed_before(direction, s2_id)},
    )
    log.info("%s: %d to fetch (%s), %d without any, %d unchanged", direction,
             len(plan.fetch), ", ".join(f"{n} {r}" for r, n in
                                        sorted(Counter(plan.reasons.values()).items())),
             len(plan.empty), len(plan.keep))
    return plan


def fetch_lists(run: Run, direction: Direction, accepted: Sequence[str]) -> None:
    """Fetch the lists of ``direction`` the plan names; a list of count 0 is kept empty
    without a request."""
    plan = page_plan(run, direction, accepted)
    total = len(accepted)
    done = total - len(plan.fetch)
    run.report(direction, done, total)
    if plan.empty:
        stamp = run.stamp()
        with run.records.batch():
            for s2_id in plan.empty:
                run.records.put_list(direction, s2_id, Row(direction, s2_id, stamp, EdgeList(0)),
                                     (), (), request=f"none: {direction} count 0")
    for s2_id in plan.fetch:
        run.guard(direction, "semanticscholar", [s2_id],
                  functools.partial(_fetch_list, run, direction, s2_id))
        done += 1
        run.report(direction, done, total)


def _fetch_list(run: Run, direction: Direction, s2_id: str) -> None:
    """Page through one list, going on where an earlier run's paging stopped; if a page keeps
    failing, what was read is kept for the next run (and the failure is recorded)."""
    assert run.s2 is not None
    fetch = run.s2.citations if direction == "citations" else run.s2.references
    request = f"GET /graph/v1/paper/{s2_id}/{direction} (paged)"
    count = count_of(run, direction, s2_id)
    held = run.records.paging(direction, s2_id)
    resume = None
    began, began_at = run.stamp(), count
    if held is not None:
        paging: Paging = held.record
        log.info("%s of %s: going on at offset %s, with the %d read from %s", direction,
                 s2_id, paging.next_offset, len(paging.citations), held.fetched_at)
        resume = EdgePage(paging.citations, (), paging.truncated, paging.next_offset)
        # a list that moved since the paging began is fetched whole again by the next run
        began, began_at = held.fetched_at, paging.count
    try:
        page = fetch(s2_id, count=count, resume=resume)
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
