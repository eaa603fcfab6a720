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
from typing import Any, NoReturn
from urllib.parse import quote

from semanticscholar.Paper import Paper as S2Paper

from ..config import Settings
from ..errors import (
    BadRequest,
    PagingInterrupted,
    PaperNotFound,
    RateLimited,
    SourceDown,
    SourceError,
)
from ..identifiers import is_s2_paper_id
from ..models import Author, Citation, EdgePage, Paper
from ..schema import checked_s2_paper
from .http import ApiClient, ApiSource, WaitCallback, user_agent, utc_now
from .pacing import Interval, Pacer, SharedPool

__all__ = [
    "PAPER_FIELDS",
    "MATCH_FIELDS",
    "EDGE_PAPER_FIELDS",
    "EDGE_FIELDS",
    "BATCH_LIMIT",
    "PAGE_LIMIT",
    "CITATION_CAP",
    "PAGEABLE",
    "TOO_LARGE",
    "RECOMMENDATION_LIMIT",
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
EDGE_PAPER_FIELDS = ("paperId", "title", "year", "venue", "publicationVenue", "journal", "externalIds",
                     "authors", "citationCount")
#: properties of the citation itself, asked for alongside EDGE_PAPER_FIELDS
EDGE_FIELDS = ("isInfluential", "intents")
#: ids per POST /paper/batch
BATCH_LIMIT = 500
#: items per citations/references page
PAGE_LIMIT = 1000
#: the Graph API serves no citation at or past offset + limit = 10000 (the ~10k cap)
CITATION_CAP = 10_000
#: most citations (or references) of one paper the API pages through: offsets 0 to 9998
PAGEABLE = CITATION_CAP - 1
#: the one batch HTTP 400 that splitting the batch cures (the official ``Error400``: the answer
#: would pass 10 MB); any other 400 (a bad field, a bad parameter) fails every half alike
TOO_LARGE = "Response would exceed maximum size"
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


def _array(answer: Any, key: str, where: str) -> list[Any]:
    """The JSON array under ``key`` of an answer object (``[]`` when null or absent).

    Any other shape fails the request: an answer read as empty would say a paper has no
    citations, or that nothing matched, when the API said nothing of the kind.
    """
    if not isinstance(answer, dict):
        raise SourceError(f"{where}: answered {type(answer).__name__}, not an object; retry later")
    value = answer.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise SourceError(f"{where}: '{key}' is {type(value).__name__}, not an array; retry later")
    return value


def _strings(value: Any) -> tuple[str, ...]:
    """The strings of a JSON array (citation intents); anything else is none."""
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _paper_path(paper_id: str) -> str:
    # DOIs keep their "/" (the API reads the rest of the path as the id); "#", "?", spaces do not
    return "/graph/v1/paper/" + quote(paper_id, safe=":/")


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
        try:
            answer = self.client.post_json(
                "/graph/v1/paper/batch", {"fields": ",".join(PAPER_FIELDS)}, {"ids": ids},
                endpoint="batch",
            )
            if not isinstance(answer, list) or len(answer) != len(ids):
                raise SourceError(
                    f"Semantic Scholar batch answered {type(answer).__name__} of "
                    f"{len(answer) if isinstance(answer, list) else '?'} items for {len(ids)} ids"
                )
            stamp = self.stamp()
            # align by position: the returned paperId can differ from the id sent
            return [
                paper_from_json(item, stamp) if isinstance(item, dict) and is_s2_paper_id(item.get("paperId"))
                else None
                for item in answer
            ]
        except (SourceDown, RateLimited):
            raise
        except BadRequest as exc:
            if TOO_LARGE not in str(exc):
                logger.warning("%s; %d ids not fetched (not split: every half would be refused "
                               "alike)", exc, len(ids))
                raise
            return self._split(ids, exc, unfetched)
        except SourceError as exc:
            return self._split(ids, exc, unfetched)

    def _split(self, ids: list[str], exc: SourceError, unfetched: dict[str, str]
               ) -> list[Paper | None]:
        """Ask for each half of a failed batch apart; a single id that failed is ``None``,
        noted in ``unfetched`` with the error."""
        if len(ids) == 1:
            logger.warning("Semantic Scholar: giving up on %s: %s", ids[0], exc)
            unfetched[ids[0]] = str(exc)
            return [None]
        half = len(ids) // 2
        logger.info("Semantic Scholar batch of %d failed (%s); splitting it", len(ids), exc)
        return (self._fetch_batch(ids[:half], unfetched)
                + self._fetch_batch(ids[half:], unfetched))

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
        data = _array(answer, "data", "Semantic Scholar title match")
        if not data or not isinstance(data[0], dict) or not is_s2_paper_id(data[0].get("paperId")):
            return None
        best = data[0]
        score = best.get("matchScore")
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
            score = 0.0  # S2's relevance, only ever logged: a broken one is none
        return paper_from_json(best, self.stamp()), float(score)

    # -- citations and references -----------------------------------------------------------

    def citations(
        self, s2_id: str, *, count: int | None = None, resume: EdgePage | None = None
    ) -> EdgePage:
        """Every paper citing ``s2_id`` (a 40-hex id), up to the API's ~10k cap.

        Parameters
        ----------
        count : int, optional
            Its ``citationCount``: a count beyond ``PAGEABLE`` marks the list truncated, whether
            or not the API says so with a ``next`` at the cap.
        resume : EdgePage, optional
            The pages an interrupted run read (``PagingInterrupted.partial``): kept, and the
            paging goes on at its ``next_offset`` instead of offset 0.

        Raises
        ------
        PagingInterrupted
            When a page keeps failing after this call read at least one: it carries every
            citation read so far (``resume``'s too) and the offset to go on from.
        SourceError
            When the first page this call asks for fails (nothing new was read).
        """
        return self._edges(s2_id, "citations", "citingPaper", count, resume)

    def references(
        self, s2_id: str, *, count: int | None = None, resume: EdgePage | None = None
    ) -> EdgePage:
        """Every paper ``s2_id`` (a 40-hex id) cites, as far as S2 resolved them; ``count``
        (its ``referenceCount``) and ``resume`` as for :meth:`citations`."""
        return self._edges(s2_id, "references", "citedPaper", count, resume)

    def _edges(
        self, s2_id: str, kind: str, nested_key: str, count: int | None, resume: EdgePage | None
    ) -> EdgePage:
        fields = ",".join(EDGE_PAPER_FIELDS + EDGE_FIELDS)
        citations: dict[tuple[str, str], Citation] = {}
        papers: dict[str, Paper] = {}
        offset = 0
        if resume is not None:
            citations = {(c.citing, c.cited): c for c in resume.citations}
            papers = {p.s2_paper_id: p for p in resume.papers}
            offset = resume.next_offset or 0
        unresolved = 0
        truncated = count is not None and count > PAGEABLE
        read = False  # a page was read by this call: what it read must not be lost
        page_size = PAGE_LIMIT
        while True:
            limit = min(page_size, PAGEABLE - offset)
            try:
                page = self.client.get_json(
                    f"{_paper_path(s2_id)}/{kind}",
                    {"fields": fields, "offset": offset, "limit": limit},
                    endpoint=kind,
                )
                if not isinstance(page, dict):
                    raise SourceError(
                        f"Semantic Scholar {kind} of {s2_id}: answered {type(page).__name__}, "
                        "not a page object; retry later"
                    )
                items = _array(page, "data", f"Semantic Scholar {kind} of {s2_id}")
            except BadRequest as exc:
                if TOO_LARGE not in str(exc) or limit == 1:
                    self._interrupted(exc, read, citations, papers, truncated, offset)
                # a page of papers with long author lists can pass the API's 10 MB: ask for
                # halves from the same offset, and keep the smaller pages for the rest
                page_size = max(1, limit // 2)
                logger.info("Semantic Scholar %s of %s: page of %d at offset %d too large; "
                            "asking for %d", kind, s2_id, limit, offset, page_size)
                continue
            except SourceError as exc:
                self._interrupted(exc, read, citations, papers, truncated, offset)
            read = True
            stamp = self.stamp()
            for item in items:
                other = item.get(nested_key) if isinstance(item, dict) else None
                if not isinstance(other, dict) or not is_s2_paper_id(other.get("paperId")):
                    unresolved += 1  # S2 knows the citation but not the paper behind it
                    continue
                paper = paper_from_json(other, stamp)
                papers.setdefault(paper.s2_paper_id, paper)
                citing, cited = (paper.s2_paper_id, s2_id) if kind == "citations" else \
                    (s2_id, paper.s2_paper_id)
                citations.setdefault((citing, cited), Citation(
                    citing=citing,
                    cited=cited,
                    is_influential=item.get("isInfluential") is True,
                    intents=_strings(item.get("intents")),
                ))
            following = page.get("next")
            if not isinstance(following, int):
                break
            if following <= offset:  # a broken cursor must not make the loop spin
                logger.warning("Semantic Scholar %s of %s: next=%s after offset=%s; stopping",
                               kind, s2_id, following, offset)
                break
            if following >= PAGEABLE:
                truncated = True
                break
            offset = following
        if unresolved:
            logger.info("Semantic Scholar %s of %s: skipped %d entries without paperId",
                        kind, s2_id, unresolved)
        if truncated:
            counted = f"; {count:,} by its count" if count is not None else ""
            logger.warning("Semantic Scholar %s of %s: longer than the API pages through "
                           "(%d%s); marked truncated", kind, s2_id, PAGEABLE, counted)
        return EdgePage(tuple(citations.values()), tuple(papers.values()), truncated)

    @staticmethod
    def _interrupted(
        exc: SourceError, read: bool, citations: Mapping[tuple[str, str], Citation],
        papers: Mapping[str, Paper], truncated: bool, offset: int,
    ) -> NoReturn:
        """Raise the failure of a page: as it is before any page was read, else as
        ``PagingInterrupted`` carrying what was read and the offset to resume from."""
        if not read:
            raise exc
        partial = EdgePage(tuple(citations.values()), tuple(papers.values()), truncated,
                           next_offset=offset)
        raise PagingInterrupted(partial, exc) from exc

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
        items = _array(answer, "recommendedPapers", "Semantic Scholar recommendations")
        stamp = self.stamp()
        return [paper_from_json(item, stamp) for item in items
                if isinstance(item, dict) and is_s2_paper_id(item.get("paperId"))]
