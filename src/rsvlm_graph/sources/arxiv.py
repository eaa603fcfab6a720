"""arXiv metadata (abstract, categories, versions, journal ref, DOI) as ``ArxivRecord`` values.

The requests go through :class:`rsvlm_graph.sources.http.ApiClient` rather than ``arxiv.Client``:
that client sets no request timeout at all, retries any non-200 answer with only its fixed delay,
and one malformed id (HTTP 400) fails the whole ``id_list`` batch. The Atom answer is still read
by the ``arxiv`` package's own feed parser (``arxiv._feed.parse``, the function ``arxiv.Client``
itself uses; 4.0 replaced feedparser with it), so entries become ``arxiv.Result`` objects exactly
as the package builds them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from arxiv import Result
from arxiv import _feed as arxiv_feed

from ..config import Settings
from ..errors import (
    BadRequest,
    IdentifierError,
    RateLimited,
    SourceDown,
    SourceError,
)
from ..identifiers import arxiv_version, normalize_arxiv_id
from ..listfile.parse import repair_mojibake
from ..models import ArxivRecord, Failure, iso_utc
from ..schema import checked_record
from .http import ApiClient, ApiSource, user_agent, utc_now

__all__ = ["ArxivSource", "DEFAULT_BATCH_SIZE", "record_from_result", "client_for"]

logger = logging.getLogger(__name__)

#: ids per ``id_list`` request (arXiv pages at 100 by default; larger pages get slow)
DEFAULT_BATCH_SIZE = 100


def record_from_result(result: Result, fetched_at: str) -> ArxivRecord:
    """An ``ArxivRecord`` from an ``arxiv.Result``; the id loses its version, kept apart, and
    author names get the list titles' mojibake repair.

    >>> from datetime import datetime, timezone
    >>> when = datetime(2023, 5, 9, 17, 0, tzinfo=timezone.utc)
    >>> r = Result("http://arxiv.org/abs/2305.05726v2", updated=when, published=when,
    ...            title="VLMs in RS", summary=" An\\n abstract. ", primary_category="cs.CV",
    ...            categories=["cs.CV"])
    >>> rec = record_from_result(r, "2026-11-27T10:00:00Z")
    >>> rec.arxiv_id, rec.version, rec.abstract, rec.published
    ('2305.05726', 2, 'An abstract.', '2023-05-09T17:00:00Z')
    """
    record = ArxivRecord(
        arxiv_id=normalize_arxiv_id(result.entry_id),
        title=" ".join(result.title.split()),
        fetched_at=fetched_at,
        abstract=" ".join(result.summary.split()) or None,
        categories=tuple(result.categories),
        primary_category=result.primary_category or None,
        published=iso_utc(result.published),
        updated=iso_utc(result.updated),
        version=arxiv_version(result.entry_id),
        pdf_url=result.pdf_url,
        journal_ref=result.journal_ref or None,
        doi=result.doi or None,
        # arXiv serves names as submitted, some decoded with the wrong encoding ("FranÃ§ois")
        authors=tuple(repair_mojibake(a.name) for a in result.authors),
    )
    # a field of the wrong type or form is dropped, with a warning naming the paper
    return checked_record(ArxivRecord, record, f"arXiv {record.arxiv_id}")


def client_for(
    settings: Settings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ApiClient:
    """The ``ApiClient`` for the arXiv API: one request per ``settings.arxiv_interval`` s."""
    return ApiClient(
        settings.arxiv_api_url,
        name="arXiv",
        min_interval=settings.arxiv_interval,
        timeout=settings.timeout,
        retries=settings.retries,
        headers={"User-Agent": user_agent(settings.contact_email)},
        sleep=sleep,
        clock=clock,
        rate_limit_hint="arXiv asks for one request every 3 seconds; retry later",
        patience=settings.rate_limit_patience,
    )


class ArxivSource(ApiSource):
    """Batched ``id_list`` queries to the arXiv API.

    Parameters
    ----------
    settings : Settings
        ``arxiv_api_url``, ``arxiv_interval``, timeout and retries.
    client : ApiClient, optional
        Built by :func:`client_for` when not given.
    batch_size : int
        Ids per request.
    now : callable
        Returns the current ``datetime``; stamps ``fetched_at``.
    """

    def __init__(
        self,
        settings: Settings,
        client: ApiClient | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, not {batch_size}")
        super().__init__(client if client is not None else client_for(settings), now)
        self.settings = settings
        self.batch_size = batch_size

    def fetch(self, arxiv_ids: Sequence[str]) -> tuple[list[ArxivRecord], list[Failure]]:
        """Fetch arXiv records for ``arxiv_ids`` (any form ``normalize_arxiv_id`` reads).

        Returns
        -------
        records : list of ArxivRecord
            One per distinct id found, in the order the ids were given.
        failures : list of Failure
            Ids that are malformed (never sent), that arXiv rejected, that arXiv does not know
            ("not found on arXiv"): all ``answered``, the list's id is at fault; or whose
            batch kept failing (5xx, an answer that is not a well-formed Atom feed), which a
            later run may fetch: a feed without an id is "not found", any other answer is not.

        Raises
        ------
        SourceDown
            If arXiv cannot be reached at all, or its calls keep failing (an outage).
        RateLimited
            If arXiv keeps answering HTTP 429.
        """
        failures: list[Failure] = []
        wanted: dict[str, str] = {}  # normalized id -> id as given, first occurrence
        for raw in arxiv_ids:
            try:
                wanted.setdefault(normalize_arxiv_id(raw), raw)
            except IdentifierError as exc:
                failures.append(Failure(raw, "arxiv", f"not a valid arXiv id: {exc}", True))
        ids = list(wanted)
        found: dict[str, ArxivRecord] = {}
        for start in range(0, len(ids), self.batch_size):
            found.update(self._fetch_batch(ids[start:start + self.batch_size], failures))
        records = [found[i] for i in ids if i in found]
        failed = {f.subject for f in failures}
        failures.extend(
            Failure(i, "arxiv", "not found on arXiv", True) for i in ids
            if i not in found and i not in failed
        )
        return records, failures

    def _fetch_batch(self, ids: list[str], failures: list[Failure]) -> dict[str, ArxivRecord]:
        try:
            feed_bytes = self.client.get_atom(
                self.settings.arxiv_api_url,
                {"id_list": ",".join(ids), "start": 0, "max_results": len(ids)},
                endpoint="arxiv",
            )
        except BadRequest as exc:
            # arXiv rejects a whole id_list for one id it cannot read: find that id by halving
            if len(ids) == 1:
                failures.append(Failure(ids[0], "arxiv", f"arXiv rejected the id: {exc}", True))
                return {}
            return self._halves(ids, failures)
        except (SourceDown, RateLimited):
            raise
        except SourceError as exc:
            logger.warning("arXiv: batch of %d ids failed: %s", len(ids), exc)
            failures.extend(Failure(i, "arxiv", str(exc)) for i in ids)
            return {}
        try:
            feed = arxiv_feed.parse(feed_bytes)  # a well-formed Atom feed: the edge checked it
        except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
            # the package builds every entry at once, and one it cannot read (a date "0") fails
            # the whole feed: find that entry's id by halving, as for an id arXiv rejects
            if len(ids) > 1:
                return self._halves(ids, failures)
            failures.append(Failure(ids[0], "arxiv", "arXiv answered an entry that cannot be read "
                                    f"({type(exc).__name__}: {' '.join(str(exc).split())})"))
            return {}
        if feed.malformed:
            failures.extend(
                Failure(i, "arxiv", f"arXiv answered an unreadable feed ({feed.error})")
                for i in ids
            )
            return {}
        stamp = self.stamp()
        records: dict[str, ArxivRecord] = {}
        asked = set(ids)
        for result in feed.results:
            try:
                record = record_from_result(result, stamp)
            except IdentifierError:
                logger.warning("arXiv: skipping entry with unreadable id %s", result.entry_id)
                continue
            if record.arxiv_id in asked:
                records[record.arxiv_id] = record
        return records

    def _halves(self, ids: list[str], failures: list[Failure]) -> dict[str, ArxivRecord]:
        half = len(ids) // 2
        return {**self._fetch_batch(ids[:half], failures), **self._fetch_batch(ids[half:], failures)}
