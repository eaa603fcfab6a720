"""Semantic Scholar (Graph and Recommendations APIs) as ``Paper`` and ``Citation`` records.

Requests go through :class:`rsvlm_graph.sources.http.ApiClient`, not through the ``semanticscholar``
package's client, because of its documented traps (see ``API-NOTES.md``): ``get_papers`` drops
the ``null`` entries of a batch (so results can no longer be aligned with the ids sent),
``search_paper`` puts the title into the URL unencoded (``&``, ``#``, ``=``, ``+`` cut it short),
its citation paging forgets the ``x-api-key`` header and loops forever on a 502/503, and it turns
502/503 into an empty result. The package is still used where it is right: its ``Paper`` class
reads the JSON of a paper.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from semanticscholar.Paper import Paper as S2Paper

from ..config import Settings
from ..errors import (
    PaperNotFound,
    SourceError,
)
from ..identifiers import is_s2_paper_id
from ..models import Author, EdgePage, Paper
from ..schema import checked_s2_paper
from .http import ApiClient, ApiSource, WaitCallback, user_agent, utc_now
from .pacing import Interval, Pacer, SharedPool
from .s2_lists import (
    CITATION_CAP,
    EDGE_FIELDS,
    EDGE_PAPER_FIELDS,
    PAGE_LIMIT,
    PAGEABLE,
    TOO_LARGE,
    Nested,
    answer_array,
    nested_batch,
    page_list,
    post_batch,
)

__all__ = [
    "PAPER_FIELDS",
    "MATCH_FIELDS",
    "COUNT_FIELDS",
    "EDGE_PAPER_FIELDS",
    "EDGE_FIELDS",
    "BATCH_LIMIT",
    "PAGE_LIMIT",
    "CITATION_CAP",
    "PAGEABLE",
    "TOO_LARGE",
    "RECOMMENDATION_LIMIT",
    "Nested",
    "PaperBatch",
    "SemanticScholarSource",
    "paper_from_json",
    "client_for",
]

logger = logging.getLogger(__name__)

#: what a list paper is fetched with (never the defaults: they pull citations and references)
PAPER_FIELDS = (
    "title",
    "authors",
    "year",
    "publicationDate",
    "venue",
    "publicationVenue",
    "journal",
    "abstract",
    "tldr",
    "externalIds",
    "citationCount",
    "influentialCitationCount",
    "referenceCount",
    "fieldsOfStudy",
    "openAccessPdf",
    "embedding.specter_v2",
)
#: basic metadata of the papers at the other end of a citation
#: what the search endpoints (title match included) serve of PAPER_FIELDS: not ``tldr`` nor
#: ``embedding`` (the package's ``Paper.SEARCH_FIELDS``; S2 answers 400 to either), so a title
#: match is followed by one batch call for the rest
MATCH_FIELDS = tuple(f for f in PAPER_FIELDS if f.split(".")[0] in S2Paper.SEARCH_FIELDS)
#: what a nested batch asks of a paper whose record is fresh: its counts, to check the lists by
COUNT_FIELDS = ("citationCount", "referenceCount")
#: ids per POST /paper/batch
BATCH_LIMIT = 500
#: most recommendations one request may ask for
RECOMMENDATION_LIMIT = 500


@dataclass(frozen=True, slots=True)
class PaperBatch:
    """A batch's answers, aligned by position with the ids sent (``None``: no paper), and the ids
    whose request kept failing (5xx, timeouts) even alone, with the error: those ``None`` are not
    an answer."""

    papers: list[Paper | None]
    unfetched: dict[str, str]


def paper_from_json(data: Mapping[str, Any], fetched_at: str) -> Paper:
    """Read one Graph API paper object into a ``Paper``; every field may be null or missing.

    Parameters
    ----------
    data : mapping
        A paper as the Graph API returns it (a batch entry, a match, a nested citing paper).
    fetched_at : str
        ISO 8601 UTC time of the request, kept as provenance.

    Returns
    -------
    Paper
        ``external_ids`` are sorted ``(key, value)`` string pairs (S2 sends ``CorpusId`` as an
        int). An empty ``venue`` falls back to ``publicationVenue.name``, then to
        ``journal.name`` (S2 leaves ``venue`` empty for many papers it knows the journal of);
        none of them: ``None``.

    Raises
    ------
    SourceError
        If ``data`` has no ``paperId``.

    Examples
    --------
    >>> p = paper_from_json({"paperId": "a" * 40, "title": "T", "externalIds": {"CorpusId": 7,
    ...     "ArXiv": "2305.05726"}, "authors": None, "tldr": None}, "2026-11-27T10:00:00Z")
    >>> p.external_ids, p.authors, p.tldr
    ((('ArXiv', '2305.05726'), ('CorpusId', '7')), (), None)
    >>> paper_from_json({"paperId": "a" * 40, "venue": "", "publicationVenue": None,
    ...                  "journal": {"name": "Remote Sensing", "volume": "15"}}, "").venue
    'Remote Sensing'
    """
    data = checked_s2_paper(data)  # a field of the wrong type or range is dropped, with a warning
    if not data.get("paperId"):
        raise SourceError(
            f"Semantic Scholar returned a paper without paperId ({str(dict(data))[:120]}); "
            "report this answer if it persists"
        )
    # publicationDate is read as sent, below: the package's datetime.strptime raises on a
    # partial date ("2023", "2023-05")
    s2 = S2Paper({k: v for k, v in data.items() if k != "publicationDate"})
    external = s2.externalIds or {}
    pdf = s2.openAccessPdf or {}
    embedding = s2.embedding or {}
    vector = embedding.get("vector")
    return Paper(
        s2_paper_id=s2.paperId,
        title=s2.title or "",
        fetched_at=fetched_at,
        year=s2.year,
        publication_date=data.get("publicationDate") or None,
        venue=s2.venue or _name(data.get("publicationVenue")) or _name(data.get("journal")) or None,
        abstract=s2.abstract,
        tldr=s2.tldr.text if s2.tldr is not None and s2.tldr.text else None,
        external_ids=tuple(sorted((str(k), str(v)) for k, v in external.items() if v is not None)),
        authors=tuple(
            Author(name=a.name or "", s2_author_id=str(a.authorId) if a.authorId else None)
            for a in s2.authors or ()
        ),
        citation_count=s2.citationCount,
        influential_citation_count=s2.influentialCitationCount,
        reference_count=s2.referenceCount,
        fields_of_study=tuple(s2.fieldsOfStudy or ()),
        open_access_pdf=pdf.get("url") or None,
        embedding=tuple(float(x) for x in vector) if vector else None,
    )


def _name(venue: Any) -> str | None:
    """The ``name`` of a ``publicationVenue`` or ``journal`` object (checked: a dict or null)."""
    return venue.get("name") if venue else None


def client_for(
    settings: Settings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_wait: WaitCallback | None = None,
) -> ApiClient:
    """The ``ApiClient`` for Semantic Scholar as ``settings`` describe it (key, pace, URL).

    With a key, one request per ``1 / s2_rate`` s; without one, the keyless shared pool
    (``s2_pool_requests`` per ``s2_pool_seconds``, see :class:`~.pacing.SharedPool`).
    """
    headers = {"User-Agent": user_agent(settings.contact_email)}
    pacer: Pacer
    if settings.s2_api_key:
        headers["x-api-key"] = settings.s2_api_key
        hint = "slow down (RSVLM_S2_RATE) or retry later"
        pacer = Interval(1.0 / settings.s2_rate if settings.s2_rate > 0 else 0.0, clock=clock)
    else:
        hint = ("set S2_API_KEY (a free key from https://www.semanticscholar.org/product/api): "
                "requests without one share a pool that is often exhausted")
        pacer = SharedPool(settings.s2_pool_requests, settings.s2_pool_seconds, clock=clock)
    return ApiClient(
        settings.s2_api_url.rstrip("/"),
        name="Semantic Scholar",
        min_interval=0.0,
        timeout=settings.timeout,
        retries=settings.retries,
        headers=headers,
        sleep=sleep,
        clock=clock,
        rate_limit_hint=hint,
        pacer=pacer,
        patience=settings.rate_limit_patience,
        on_wait=on_wait,
    )


class SemanticScholarSource(ApiSource):
    """Papers, title matches, citations, references and recommendations from Semantic Scholar.

    Parameters
    ----------
    settings : Settings
        API URL, key, rate, timeout and retries.
    client : ApiClient, optional
        Built from ``settings`` by :func:`client_for` when not given.
    now : callable
        Returns the current ``datetime``; stamps ``fetched_at`` of every record.
    """

    def __init__(
        self,
        settings: Settings,
        client: ApiClient | None = None,
        *,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(client if client is not None else client_for(settings), now)
        self.settings = settings

    # -- papers -----------------------------------------------------------------------------

    def fetch_papers(self, ids: Sequence[str]) -> list[Paper | None]:
        """Fetch papers by S2 id forms, the result aligned by position with ``ids``.

        Parameters
        ----------
        ids : sequence of str
            ``ARXIV:2305.05726``, ``DOI:10.3390/rs11060612``, 40-hex ids, ``CorpusId:N``.

        Returns
        -------
        list of Paper or None
            ``result[i]`` answers ``ids[i]`` (its ``s2_paper_id`` may differ from the id sent);
            ``None`` where Semantic Scholar has no paper or the id kept failing.

        Raises
        ------
        SourceDown
            If the API cannot be reached at all (``NetworkUnavailable``), or its calls keep
            failing (``ServiceUnavailable``, an outage: see ``http.MAX_FAILED_CALLS``), which
            also ends the splitting.
        RateLimited
            If HTTP 429 outlasts the client's patience (splitting the batch would only make it
            worse).
        BadRequest
            At once, on an HTTP 400 other than ``TOO_LARGE`` (e.g. "Unrecognized or unsupported
            fields: [...]"), with the API's message: the request itself is wrong, so every
            batch and every half of one would be refused alike.

        Notes
        -----
        At most ``BATCH_LIMIT`` ids go in one request. A batch whose answer would be too large
        (``TOO_LARGE``), or that keeps failing (5xx, timeouts), is split in halves, down to
        single ids, so one id the API chokes on costs only its own answer.
        """
        return self.fetch_paper_batch(ids).papers

    def fetch_paper_batch(self, ids: Sequence[str]) -> PaperBatch:
        """As :meth:`fetch_papers`, and which ids got no answer because their request kept
        failing: a ``None`` there is not S2 saying it has no such paper, and must be asked again.
        """
        batch = PaperBatch([], {})
        for start in range(0, len(ids), BATCH_LIMIT):
            batch.papers.extend(self._fetch_batch(list(ids[start:start + BATCH_LIMIT]),
                                                  batch.unfetched))
        return batch

    def _fetch_batch(self, ids: list[str], unfetched: dict[str, str]) -> list[Paper | None]:
        def read(answer: list[Any], _: list[str]) -> list[Paper | None]:
            stamp = self.stamp()
            # align by position: the returned paperId can differ from the id sent
            return [paper_from_json(item, stamp) if isinstance(item, dict)
                    and is_s2_paper_id(item.get("paperId")) else None for item in answer]

        return post_batch(self.client, ids, ",".join(PAPER_FIELDS), unfetched, read)

    def match_title(self, title: str) -> tuple[Paper, float] | None:
        """The paper Semantic Scholar matches to ``title``, with its ``matchScore``.

        The title goes in as a properly encoded query parameter. ``matchScore`` is S2's own
        relevance score (unbounded, e.g. 109.5), not a similarity: compare titles to judge.
        Returns ``None`` when S2 finds no match.
        """
        if not title.strip():
            return None
        try:
            answer = self.client.get_json(
                "/graph/v1/paper/search/match",
                {"query": title, "fields": ",".join(MATCH_FIELDS)},
                endpoint="match",
            )
        except PaperNotFound:  # "Title match not found"
            return None
        data = answer_array(answer, "data", "Semantic Scholar title match")
        if not data or not isinstance(data[0], dict) or not is_s2_paper_id(data[0].get("paperId")):
            return None
        best = data[0]
        score = best.get("matchScore")
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            score = 0.0  # S2's relevance, only ever logged: a broken one is none
        return paper_from_json(best, self.stamp()), float(score)

    # -- citations and references -----------------------------------------------------------

    def citations(
        self, s2_id: str, *, count: int | None = None, resume: EdgePage | None = None,
        since_year: int | None = None,
    ) -> EdgePage:
        """Every paper citing ``s2_id`` (a 40-hex id), past the ~10k offset cap by date ranges
        (:func:`~.s2_lists.page_list`).

        Parameters
        ----------
        count : int, optional
            Its ``citationCount``, for the log.
        resume : EdgePage, optional
            The pages an interrupted run read (``PagingInterrupted.partial``), or the nested
            list a batch served: kept, and the paging goes on at its ``next_offset``.
        since_year : int, optional
            The paper's year: where the date ranges start.

        Raises ``PagingInterrupted`` or ``SourceError`` as :func:`~.s2_lists.page_list` says.
        """
        return page_list(self.client, self.stamp, s2_id, "citations", count, resume,
                         since_year=since_year, this_year=self._now().year)

    def references(
        self, s2_id: str, *, count: int | None = None, resume: EdgePage | None = None,
        since_year: int | None = None,
    ) -> EdgePage:
        """Every paper ``s2_id`` (a 40-hex id) cites, as far as S2 resolved them; ``count``
        and ``resume`` as for :meth:`citations` (``since_year`` is taken for the same call
        shape, unused: a reference list never nears the offset cap)."""
        return page_list(self.client, self.stamp, s2_id, "references", count, resume)

    def nested(self, ids: Sequence[str], *, full: bool) -> tuple[list[Nested | None], dict[str, str]]:
        """``ids`` with their citation and reference lists nested, in one batch (halved when the
        API finds it too large; :func:`~.s2_lists.nested_batch`): ``full`` asks for each
        paper's full record too, else only its counts."""
        return nested_batch(self.client, self.stamp, ids, PAPER_FIELDS if full else COUNT_FIELDS)

    # -- titles in bulk ---------------------------------------------------------------------

    def search_titles(self, titles: Sequence[str]) -> list[Paper] | None:
        """The papers whose title or abstract holds one of ``titles`` as a phrase: one bulk
        search (``"a title" | "another"``, the documented syntax); the caller matches them to the
        titles itself. Double quotes in a title are dropped from its phrase.

        ``None`` when the answer is not whole (a continuation ``token``: more than the 1,000 of
        one page matched, phrases common in abstracts do): the paper a title means may be on a
        later page, unseen, while a look-alike on this one passes the threshold, so such an
        answer settles no title (the title match decides them).
        """
        phrases = " | ".join('"' + " ".join(t.replace('"', " ").split()) + '"' for t in titles
                             if t.strip())
        if not phrases:
            return []
        answer = self.client.get_json(
            "/graph/v1/paper/search/bulk",
            {"query": phrases, "fields": ",".join(MATCH_FIELDS)}, endpoint="bulk")
        items = answer_array(answer, "data", "Semantic Scholar bulk search")
        if isinstance(answer, dict) and answer.get("token"):
            return None
        stamp = self.stamp()
        return [paper_from_json(item, stamp) for item in items
                if isinstance(item, dict) and is_s2_paper_id(item.get("paperId"))]

    # -- recommendations --------------------------------------------------------------------

    def recommendations(
        self, positive: Sequence[str], negative: Sequence[str] = (), limit: int = 100
    ) -> list[Paper]:
        """Papers Semantic Scholar recommends from ``positive`` examples (and away from
        ``negative`` ones), best first; ``[]`` without positives.

        Raises
        ------
        ValueError
            If ``limit`` is not within 1..RECOMMENDATION_LIMIT.
        """
        if not 1 <= limit <= RECOMMENDATION_LIMIT:
            raise ValueError(f"limit must be within 1..{RECOMMENDATION_LIMIT}, not {limit}")
        if not positive:
            return []
        answer = self.client.post_json(
            "/recommendations/v1/papers/",
            {"fields": ",".join(EDGE_PAPER_FIELDS), "limit": limit},
            {"positivePaperIds": list(positive), "negativePaperIds": list(negative)},
            endpoint="recommendations",
        )
        items = answer_array(answer, "recommendedPapers", "Semantic Scholar recommendations")
        stamp = self.stamp()
        return [paper_from_json(item, stamp) for item in items
                if isinstance(item, dict) and is_s2_paper_id(item.get("paperId"))]
