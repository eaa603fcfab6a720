"""arXiv metadata (abstract, categories, versions, journal ref, DOI) as ``ArxivRecord`` values.

The requests go through :class:`rsvlm_graph.sources.http.ApiClient` rather than ``arxiv.Client``:
that client sets no request timeout at all, retries any non-200 answer with only its fixed delay,
and one malformed id (HTTP 400) fails the whole ``id_list`` batch. The Atom answer (checked well
formed by the transport) is read here with lxml (:func:`parse_feed`), as the arXiv API manual
describes it, into the ``arxiv`` package's public ``arxiv.Result`` (its authors, links and the
PDF link it picks among them), the type ``arxiv.Client`` itself returns; no private part of the
package is leaned on (``arxiv._feed`` was, before).

arXiv now and then answers a query of well-formed ids it knows with a feed of none of them: such
an empty batch is asked once more after :data:`EMPTY_RETRY_SECONDS`. A withdrawn paper's last
version says so in its comment (and its abstract is the withdrawal notice): the record is
flagged ``withdrawn``, and enrichment keeps the abstract it had before.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

from arxiv import Result

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

__all__ = ["ArxivSource", "DEFAULT_BATCH_SIZE", "EMPTY_RETRY_SECONDS", "client_for", "parse_feed"]

logger = logging.getLogger(__name__)

#: ids per ``id_list`` request (arXiv pages at 100 by default; larger pages get slow)
DEFAULT_BATCH_SIZE = 100


#: seconds before an empty answer to well-formed ids is asked once more (arXiv's pace)
EMPTY_RETRY_SECONDS = 3.0
_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
#: a version withdrawn says so in its comment ("This paper has been withdrawn by the author")
_WITHDRAWN = re.compile(r"\bwithdrawn\b", re.IGNORECASE)


def parse_feed(feed: bytes, fetched_at: str) -> tuple[list[ArxivRecord], dict[str, str]]:
    """The entries of an arXiv API Atom answer as ``ArxivRecord`` values, and the ids of those
    that are no record (no dates, a date that is none) with why; the id loses its version, kept
    apart, and author names get the list titles' mojibake repair. An entry without a readable
    id is left out with a warning.

    >>> feed = (b'<feed xmlns="http://www.w3.org/2005/Atom" '
    ...         b'xmlns:arxiv="http://arxiv.org/schemas/atom"><entry>'
    ...         b'<id>http://arxiv.org/abs/2305.05726v2</id><title>VLMs\\n in RS</title>'
    ...         b'<summary> An\\n abstract. </summary><updated>2023-05-10T17:00:00Z</updated>'
    ...         b'<published>2023-05-09T17:00:00Z</published>'
    ...         b'<arxiv:primary_category term="cs.CV"/><category term="cs.CV"/></entry></feed>')
    >>> (rec,), unreadable = parse_feed(feed, "2026-11-27T10:00:00Z")
    >>> rec.arxiv_id, rec.version, rec.title, rec.abstract, rec.published, rec.withdrawn
    ('2305.05726', 2, 'VLMs in RS', 'An abstract.', '2023-05-09T17:00:00Z', False)
    >>> unreadable
    {}
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    root = etree.fromstring(feed, parser=parser)
    records = []
    unreadable: dict[str, str] = {}
    for entry in root.iterfind("atom:entry", _NS):
        entry_id = _text(entry, "atom:id")
        try:
            if entry_id is None:
                raise IdentifierError("an entry without <id>")
            arxiv_id = normalize_arxiv_id(entry_id)
        except IdentifierError as exc:
            logger.warning("arXiv: skipping an entry (%s): %s", entry_id, exc)
            continue
        try:
            record = _record(entry, entry_id, arxiv_id, fetched_at)
        except ValueError as exc:
            unreadable[arxiv_id] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
            continue
        # a field of the wrong type or form is dropped, with a warning naming the paper
        records.append(checked_record(ArxivRecord, record, f"arXiv {record.arxiv_id}"))
    return records, unreadable


def _text(element: Any, path: str) -> str | None:
    found = element.find(path, _NS)
    return None if found is None or found.text is None else str(found.text)


def _moment(text: str | None) -> datetime:
    if text is None:
        raise ValueError("an entry without its dates")
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _result(entry: Any, entry_id: str) -> Result:
    """The entry as the ``arxiv.Result`` that ``arxiv.Client`` would make of it."""
    primary = entry.find("arxiv:primary_category", _NS)
    return Result(
        entry_id,
        updated=_moment(_text(entry, "atom:updated")),
        published=_moment(_text(entry, "atom:published")),
        title=_text(entry, "atom:title") or "",
        authors=[Result.Author(_text(a, "atom:name") or "") for a in entry.iterfind("atom:author", _NS)],
        summary=_text(entry, "atom:summary") or "",
        comment=_text(entry, "arxiv:comment") or "",
        journal_ref=_text(entry, "arxiv:journal_ref") or "",
        doi=_text(entry, "arxiv:doi") or "",
        primary_category=(primary.get("term") if primary is not None else None) or "",
        categories=[c.get("term") for c in entry.iterfind("atom:category", _NS)
                    if c.get("term") is not None],
        links=[Result.Link(link.get("href"), title=link.get("title"), rel=link.get("rel") or "",
                           content_type=link.get("type"))
               for link in entry.iterfind("atom:link", _NS) if link.get("href")],
    )


def _record(entry: Any, entry_id: str, arxiv_id: str, fetched_at: str) -> ArxivRecord:
    result = _result(entry, entry_id)
    summary = " ".join(result.summary.split())
    return ArxivRecord(
        arxiv_id=arxiv_id,
        title=" ".join(result.title.split()),
        fetched_at=fetched_at,
        abstract=summary or None,
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
        withdrawn=bool(_WITHDRAWN.search(result.comment)) or summary.lower().startswith(
            "this paper has been withdrawn"),
    )


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

    def _fetch_batch(self, ids: list[str], failures: list[Failure], *, again: bool = True
                     ) -> dict[str, ArxivRecord]:
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
        asked = set(ids)
        read, unreadable = parse_feed(feed_bytes, self.stamp())
        records = {r.arxiv_id: r for r in read if r.arxiv_id in asked}
        # an entry arXiv answered that cannot be read (a date "0") fails only its own id; a later
        # run may read it, so the list's id is not at fault
        failures.extend(Failure(i, "arxiv", f"arXiv answered an entry that cannot be read ({why})")
                        for i, why in unreadable.items() if i in asked)
        if not records and not unreadable and again:
            # arXiv now and then answers well-formed ids it knows with an empty feed: once more
            logger.info("arXiv: an empty answer for %d ids; asking again in %g s", len(ids),
                        EMPTY_RETRY_SECONDS)
            self.client.retry.sleep(EMPTY_RETRY_SECONDS)  # the injectable sleep of its waits
            return self._fetch_batch(ids, failures, again=False)
        return records

    def _halves(self, ids: list[str], failures: list[Failure]) -> dict[str, ArxivRecord]:
        half = len(ids) // 2
        return {**self._fetch_batch(ids[:half], failures), **self._fetch_batch(ids[half:], failures)}
