"""Which citation and reference pages a refresh fetches: only those whose count moved.

A weekly refresh used to page through every list paper's citations and references again: 165
requests where 38 would do. The batch endpoint already returns each paper's ``citationCount``
and ``referenceCount``; the pages are needed only where that count differs from the one the
stored pages were fetched at, where no pages are stored, or where the last full check is older
than the full-refresh interval (Semantic Scholar also changes citers without changing counts:
merged duplicates, retractions). A count of 0 needs no request at all.

This module decides; :mod:`rsvlm_graph.enrich` fetches. Pure functions over plain values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

__all__ = ["PagesOnFile", "PagePlan", "plan_pages"]

Reason = Literal["never fetched", "interrupted", "failed before", "count unknown", "count changed",
                 "full check due", "full"]


@dataclass(frozen=True, slots=True)
class PagesOnFile:
    """What the store holds of one paper's pages in one direction.

    ``count`` is the paper's count when the pages were fetched (``None``: not recorded, e.g.
    by an older version); ``fetched_at`` is when they were fetched, i.e. the last full check.
    """

    count: int | None
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class PagePlan:
    """The papers of one direction, split by what a refresh does for them.

    ``fetch`` need their pages (with the reason for each, for the log); ``empty`` have a count
    of 0 and get an empty record without a request; ``keep`` keep their stored pages.
    """

    fetch: tuple[str, ...] = ()
    empty: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    reasons: Mapping[str, Reason] = field(default_factory=dict)


def plan_pages(
    papers: Sequence[str],
    counts: Mapping[str, int | None],
    on_file: Mapping[str, PagesOnFile],
    *,
    now: datetime,
    full_every: timedelta,
    stale_after: timedelta,
    full: bool = False,
    interrupted: Collection[str] = (),
    failed: Collection[str] = (),
) -> PagePlan:
    """Decide, per paper, whether its pages are fetched, written empty, or kept.

    Parameters
    ----------
    papers : sequence of str
        The S2 ids of the list papers, in the order to fetch them.
    counts : mapping
        S2 id → the current ``citationCount`` (or ``referenceCount``) from the batch endpoint;
        missing or ``None`` when Semantic Scholar gave none.
    on_file : mapping
        S2 id → what the store holds of the pages; missing when it holds none.
    now : datetime
        The run's clock (aware).
    full_every : timedelta
        Pages whose last full check is at least this old are fetched whatever the count says.
    stale_after : timedelta
        The freshness window: where a count is unknown (now or when the pages were fetched),
        pages older than this are fetched, as every record ages.
    full : bool
        Fetch every page (``enrich --full``); counts of 0 still need no request.
    interrupted : collection of str
        Papers whose last paging stopped half-way (its pages kept in the store): fetched, to go
        on from there, whatever their counts say.
    failed : collection of str
        Papers whose list failed to come last time, or was lost from the snapshot (a failure
        on file): fetched whatever their counts say.

    Returns
    -------
    PagePlan

    Examples
    --------
    >>> from datetime import timezone
    >>> now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    >>> week = now - timedelta(days=7)
    >>> plan = plan_pages(
    ...     ["a", "b", "c", "d", "e"], {"a": 5, "b": 6, "c": 0, "d": 3, "e": 2},
    ...     {"a": PagesOnFile(5, week), "b": PagesOnFile(5, week), "d": PagesOnFile(3, now - timedelta(weeks=5))},
    ...     now=now, full_every=timedelta(weeks=4), stale_after=timedelta(days=7))
    >>> plan.fetch, plan.empty, plan.keep
    (('b', 'd', 'e'), ('c',), ('a',))
    >>> dict(plan.reasons)
    {'b': 'count changed', 'd': 'full check due', 'e': 'never fetched'}
    """
    fetch: list[str] = []
    empty: list[str] = []
    keep: list[str] = []
    reasons: dict[str, Reason] = {}
    for s2_id in papers:
        count = counts.get(s2_id)
        stored = on_file.get(s2_id)
        reason: Reason | None
        if count == 0:
            # nothing to page through; an empty record replaces citers that went away
            kept = stored is not None and stored.count == 0 and s2_id not in failed
            (keep if kept else empty).append(s2_id)
            continue
        if stored is None:
            reason = "never fetched"
        elif s2_id in interrupted:
            reason = "interrupted"
        elif s2_id in failed:
            reason = "failed before"
        elif full:
            reason = "full"
        elif count is None or stored.count is None:
            reason = "count unknown" if now - stored.fetched_at >= stale_after else None
        elif count != stored.count:
            reason = "count changed"
        elif now - stored.fetched_at >= full_every:
            reason = "full check due"
        else:
            reason = None
        if reason is None:
            keep.append(s2_id)
        else:
            fetch.append(s2_id)
            reasons[s2_id] = reason
    return PagePlan(tuple(fetch), tuple(empty), tuple(keep), reasons)
