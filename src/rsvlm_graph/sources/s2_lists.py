"""Citation and reference lists from Semantic Scholar: nested in paper batches, or paged.

``POST /paper/batch`` serves each paper's ``citations.*`` and ``references.*`` with the paper,
up to 500 papers a request: most of a list's lists come in a few requests instead of a page
each. What is known of that answer (sources, not guesses):

- the OpenAPI spec (``/paper/batch``): "Can only return up to 9999 citations at a time";
- the cap is per answer, not per paper (allenai/s2-folks issue #199): papers past it get
  ``[]``, filled in an order that is not the input order, with no sign of the cut;
- nested items carry paper fields only: ``isInfluential`` and ``intents`` exist on the
  ``/citations`` and ``/references`` pages alone, so a nested citation's are unknown
  (``None``), never false;
- nested references are ``null`` when the publisher elides them;
- whether references share the citations' budget is not known: the worse case is planned for.

So papers are packed (:func:`pack`) into batches whose citations and references together stay
under the budget with a margin, and an answer whose nested total reaches it is taken as cut
(:attr:`Nested.cut`): the caller pages every list of it shorter than its count. A paper with
more citations than one answer holds is paged (:func:`page_list`); past the ~10k offset cap of
the pages, by ``publicationDateOrYear`` ranges, split until each range pages whole.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NoReturn, TypeVar
from urllib.parse import quote

from ..errors import BadRequest, PagingInterrupted, RateLimited, SourceDown, SourceError
from ..identifiers import is_s2_paper_id
from ..models import Citation, EdgePage, Paper
from .http import ApiClient

__all__ = [
    "CITATION_CAP",
    "EDGE_FIELDS",
    "EDGE_PAPER_FIELDS",
    "NESTED_BUDGET",
    "PACKED_SHARE",
    "PAGEABLE",
    "PAGE_LIMIT",
    "TOO_LARGE",
    "Nested",
    "aligned",
    "answer_array",
    "nested_batch",
    "pack",
    "page_list",
    "post_batch",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")

#: basic metadata of the papers at the other end of a citation
EDGE_PAPER_FIELDS = ("paperId", "title", "year", "venue", "publicationVenue", "journal",
                     "externalIds", "authors", "citationCount")
#: properties of the citation itself, asked for alongside EDGE_PAPER_FIELDS on the pages
EDGE_FIELDS = ("isInfluential", "intents")
#: items per citations/references page
PAGE_LIMIT = 1000
#: the Graph API serves no citation at or past offset + limit = 10000 (the ~10k cap)
CITATION_CAP = 10_000
#: most citations (or references) of one paper the API pages through: offsets 0 to 9998
PAGEABLE = CITATION_CAP - 1
#: nested citations and references one batch answer holds, all its papers together
NESTED_BUDGET = 9_999
#: the share of the budget a batch is packed to: counts move between the count read and the
#: batch (new citers), and a batch that reaches the budget costs pages
PACKED_SHARE = 0.9
#: at most this many ids in one batch
BATCH_IDS = 500
#: an answer is kept under this estimate of its size (the API refuses one over 10 MB)
BATCH_BYTES = 8 * 1024 * 1024
#: the estimate: a full record with its SPECTER embedding and abstract, a nested item
PAPER_BYTES, ITEM_BYTES = 16_000, 800
#: the one HTTP 400 that splitting the batch cures (the official ``Error400``: the answer
#: would pass 10 MB); any other 400 (a bad field, a bad parameter) fails every half alike
TOO_LARGE = "Response would exceed maximum size"


def answer_array(answer: Any, key: str, where: str) -> list[Any]:
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


@dataclass(frozen=True, slots=True)
class Nested:
    """One paper's answer in a nested batch.

    ``paper``: its record as asked (its counts, at least); ``citations`` / ``references``: the
    lists as served (``None``: served as null), their
    ``is_influential`` and ``intents`` unknown; ``papers``: the papers at their other end;
    ``served``: how many items each list held (unresolved ones too), to compare with the
    counts; ``cut``: the answer it came in reached the budget, so a list shorter than its
    count may have been cut.
    """

    paper: Paper
    citations: tuple[Citation, ...] | None
    references: tuple[Citation, ...] | None
    papers: tuple[Paper, ...]
    served: tuple[int, int]
    cut: bool


def pack(counts: Mapping[str, tuple[int, int]], *, metadata: bool,
         budget: int = NESTED_BUDGET) -> list[list[str]]:
    """The papers of ``counts`` (S2 id → citation and reference count) in batches for
    :func:`nested_batch`: in each, the counts summed stay within ``PACKED_SHARE`` of
    ``budget``, at most ``BATCH_IDS`` ids, and the estimated answer under ``BATCH_BYTES``
    (``metadata``: full records too). Biggest first, each into the first batch it fits
    (first-fit decreasing); a paper above the share alone is left out: page it.

    >>> pack({"a": (5000, 10), "b": (4000, 10), "c": (3000, 0), "d": (20000, 5)}, metadata=False)
    [['a', 'c'], ['b']]
    """
    room = int(budget * PACKED_SHARE)
    batches: list[tuple[list[str], list[int]]] = []  # ids, [items, bytes]
    for s2_id in sorted(counts, key=lambda s: (-sum(counts[s]), s)):
        items = sum(counts[s2_id])
        if items > room:
            continue
        size = (PAPER_BYTES if metadata else 200) + items * ITEM_BYTES
        for ids, used in batches:
            if len(ids) < BATCH_IDS and used[0] + items <= room and used[1] + size <= BATCH_BYTES:
                ids.append(s2_id)
                used[0] += items
                used[1] += size
                break
        else:
            batches.append(([s2_id], [items, size]))
    return [ids for ids, _ in batches]


def nested_fields(paper_fields: Sequence[str]) -> str:
    """The ``fields`` of a nested batch: the paper's own, and both lists'."""
    nested = [f"{kind}.{f}" for kind in ("citations", "references") for f in EDGE_PAPER_FIELDS]
    return ",".join([*paper_fields, *nested])


def nested_batch(client: ApiClient, stamp: Callable[[], str], ids: Sequence[str],
                 paper_fields: Sequence[str]) -> tuple[list[Nested | None], dict[str, str]]:
    """Ask for ``ids`` with their nested lists (and ``paper_fields``) in one batch; the answers
    by position (``None``: no such paper), and the ids whose request kept failing even alone,
    with the error. A batch the API finds too large is asked in halves.

    Raises
    ------
    SourceDown, RateLimited, BadRequest
        As :meth:`~.semantic_scholar.SemanticScholarSource.fetch_papers`.
    """
    unfetched: dict[str, str] = {}
    read = functools.partial(_read_nested, stamp)
    return post_batch(client, list(ids), nested_fields(paper_fields), unfetched, read), unfetched


def post_batch(client: ApiClient, ids: list[str], fields: str, unfetched: dict[str, str],
               read: Callable[[list[Any], list[str]], list[T | None]]) -> list[T | None]:
    """``POST /paper/batch`` of ``ids`` asking ``fields``; ``read`` turns the answer (an item
    per id, by position) into values. A batch that fails short of an outage, or that the API
    finds too large, is asked in halves; a single id that still fails is ``None``, noted in
    ``unfetched`` with the error.

    Raises
    ------
    SourceDown, RateLimited
        An outage: splitting would only repeat it.
    BadRequest
        Any 400 but :data:`TOO_LARGE`: every half would be refused alike.
    """
    try:
        answer = client.post_json("/graph/v1/paper/batch", {"fields": fields}, {"ids": ids},
                                  endpoint="batch")
        if not isinstance(answer, list) or len(answer) != len(ids):
            raise SourceError(
                f"Semantic Scholar batch answered {type(answer).__name__} of "
                f"{len(answer) if isinstance(answer, list) else '?'} items for {len(ids)} ids")
        return read(aligned(ids, answer, unfetched), ids)
    except (SourceDown, RateLimited):
        raise
    except BadRequest as exc:
        if TOO_LARGE not in str(exc):
            logger.warning("%s; %d ids not fetched (not split: every half would be refused "
                           "alike)", exc, len(ids))
            raise
        failed: SourceError = exc
    except SourceError as exc:
        failed = exc
    if len(ids) == 1:
        logger.warning("Semantic Scholar: giving up on %s: %s", ids[0], failed)
        unfetched[ids[0]] = str(failed)
        return [None]
    half = len(ids) // 2
    logger.info("Semantic Scholar batch of %d failed (%s); splitting it", len(ids), failed)
    return (post_batch(client, ids[:half], fields, unfetched, read)
            + post_batch(client, ids[half:], fields, unfetched, read))


def aligned(ids: Sequence[str], answer: list[Any], unfetched: dict[str, str]) -> list[Any]:
    """The batch ``answer`` with every item that is not the paper asked for at its position
    made ``None``, its id noted in ``unfetched`` (one warning naming it): the batch answers by
    position, and a shifted or rotated answer must never become another paper's record.

    An item is another paper's when its ``paperId`` or external ids (arXiv, DOI, CorpusId) name
    another id of the batch and not its own. An S2 paper id answered under another ``paperId``
    (S2 merged it into its current id) is that paper, said at INFO, unless that ``paperId``
    answers another position too; the caller keeps it for the id sent. An ``ARXIV:``/``DOI:``
    id whose answer names neither is left to the caller's title check.
    """
    sent = [_form(i) for i in ids]
    told = [str(item.get("paperId")) if isinstance(item, dict) else None for item in answer]
    out = list(answer)
    for index, item in enumerate(answer):
        if not isinstance(item, dict) or not is_s2_paper_id(item.get("paperId")):
            continue
        forms = _answers_to(item)
        if sent[index] in forms:
            continue
        theirs = [ids[j] for j, form in enumerate(sent) if j != index and form in forms]
        twice = is_s2_paper_id(ids[index]) and told.count(told[index]) > 1
        if theirs or twice:
            why = (f"the answer at its position is {theirs[0]}'s" if theirs else
                   f"the answer at its position, {told[index]}, answers other ids of the batch too")
            logger.warning("Semantic Scholar batch: %s got no answer of its own (%s); not taken "
                           "as its record, asked again by the next enrich", ids[index], why)
            unfetched[ids[index]] = f"misaligned batch answer: {why}"
            out[index] = None
        elif is_s2_paper_id(ids[index]):
            logger.info("Semantic Scholar answered %s as %s (its current id, S2 merged them); "
                        "kept for %s", ids[index], told[index], ids[index])
    return out


def _form(paper_id: str) -> str:
    """An id of a batch as :func:`_answers_to` spells the ids an answer is known by."""
    prefix, colon, rest = paper_id.partition(":")
    if not colon:
        return paper_id.lower()
    rest = rest.lower()
    if prefix.upper() == "ARXIV":
        rest = rest.split("v")[0] if rest[:1].isdigit() else rest
    return f"{prefix.upper()}:{rest}"


def _answers_to(item: Mapping[str, Any]) -> set[str]:
    """The batch ids (:func:`_form`) a batch answer item is the paper of."""
    forms = {str(item["paperId"]).lower()}
    external = item.get("externalIds")
    if isinstance(external, dict):
        for key, prefix in (("ArXiv", "ARXIV"), ("DOI", "DOI"), ("CorpusId", "CORPUSID")):
            if external.get(key) is not None:
                forms.add(_form(f"{prefix}:{external[key]}"))
    return forms


def _read_nested(stamp: Callable[[], str], answer: list[Any], ids: list[str]
                 ) -> list[Nested | None]:
    now = stamp()
    served = sum(len(lst) for item in answer if isinstance(item, dict)
                 for lst in (item.get("citations"), item.get("references")) if isinstance(lst, list))
    cut = served >= NESTED_BUDGET
    if cut:
        logger.info("Semantic Scholar nested batch of %d: %d citations and references, the "
                    "budget: lists shorter than their counts are paged", len(ids), served)
    return [_one(item, sent, now, cut) if isinstance(item, dict)
            and is_s2_paper_id(item.get("paperId")) else None for sent, item in zip(ids, answer)]


def _one(item: dict[str, Any], sent: str, now: str, cut: bool) -> Nested:
    """One nested answer (:func:`aligned`: the paper asked for as ``sent``); its lists are the
    lists of ``sent``, the id they are kept under, though S2 answered under a current id."""
    from .semantic_scholar import paper_from_json

    s2_id = sent
    papers: dict[str, Paper] = {}
    lists: list[tuple[Citation, ...] | None] = []
    served = []
    for kind in ("citations", "references"):
        items = item.get(kind)
        served.append(len(items) if isinstance(items, list) else 0)
        if not isinstance(items, list):
            lists.append(None)
            continue
        found: dict[tuple[str, str], Citation] = {}
        for nested in items:
            if not isinstance(nested, dict) or not is_s2_paper_id(nested.get("paperId")):
                continue  # S2 knows the citation but not the paper behind it
            if _itself(s2_id, nested["paperId"], kind):
                continue
            other = paper_from_json(nested, now)
            papers.setdefault(other.s2_paper_id, other)
            citing, cited = _pair(s2_id, other.s2_paper_id, kind)
            found.setdefault((citing, cited), Citation(citing, cited, None, None))
        lists.append(tuple(found.values()))
    record = paper_from_json({k: v for k, v in item.items()
                              if k not in ("citations", "references")}, now)
    return Nested(record, lists[0], lists[1], tuple(papers.values()), (served[0], served[1]), cut)


def _pair(s2_id: str, other: str, kind: str) -> tuple[str, str]:
    """(citing, cited) of an item of ``s2_id``'s ``kind`` list naming ``other``."""
    return (other, s2_id) if kind == "citations" else (s2_id, other)


def _itself(s2_id: str, other: object, kind: str) -> bool:
    """Whether a list of ``s2_id`` names the paper itself (S2 now and then has a paper cite
    itself): no citation, dropped here (DEBUG)."""
    if other != s2_id:
        return False
    logger.debug("Semantic Scholar %s of %s: names the paper itself; dropped", kind, s2_id)
    return True


# --------------------------------------------------------------------------- paging


def paper_path(paper_id: str) -> str:
    # DOIs keep their "/" (the API reads the rest of the path as the id); "#", "?", spaces do not
    return "/graph/v1/paper/" + quote(paper_id, safe=":/")


def page_list(client: ApiClient, stamp: Callable[[], str], s2_id: str, kind: str,
              count: int | None, resume: EdgePage | None, *, since_year: int | None = None,
              this_year: int | None = None) -> EdgePage:
    """Every citation (``kind`` ``citations``) or reference of ``s2_id``, page by page.

    Past the ~10k offset cap a citation list goes on by ``publicationDateOrYear`` ranges
    (:meth:`_Pager.by_dates`): from ``since_year`` (the paper's year) to ``this_year``, each range
    split until it pages whole; the list is truncated only where even one day holds more than
    a page run can reach.

    Raises
    ------
    PagingInterrupted
        When a page keeps failing after this call read at least one: it carries every
        citation read so far (``resume``'s too) and the offset to go on from.
    SourceError
        When the first page this call asks for fails (nothing new was read).
    """
    pager = _Pager(client, stamp, s2_id, kind, resume)
    complete = pager.page(None, pager.offset)
    truncated = not complete and kind != "citations"
    if not complete and kind == "citations":
        # without the paper's year, the oldest citing paper read so far tells where to start
        since = since_year or min((p.year for p in pager.papers.values() if p.year), default=None)
        truncated = not pager.by_dates(since, this_year or date.today().year)
    if truncated:
        counted = f"; {count:,} by its count" if count is not None else ""
        logger.warning("Semantic Scholar %s of %s: longer than the API pages through "
                       "(%d%s); marked truncated", kind, s2_id, PAGEABLE, counted)
    elif count is not None and count > PAGEABLE:
        logger.info("Semantic Scholar %s of %s: %d read by date ranges (%d by its count)",
                    kind, s2_id, len(pager.citations), count)
    if pager.unresolved:
        logger.info("Semantic Scholar %s of %s: skipped %d entries without paperId",
                    kind, s2_id, pager.unresolved)
    return EdgePage(tuple(pager.citations.values()), tuple(pager.papers.values()), truncated)


class _Pager:
    """One list paged: what was read so far, kept across the date ranges."""

    def __init__(self, client: ApiClient, stamp: Callable[[], str], s2_id: str, kind: str,
                 resume: EdgePage | None) -> None:
        self.client, self.stamp, self.s2_id, self.kind = client, stamp, s2_id, kind
        self.nested_key = "citingPaper" if kind == "citations" else "citedPaper"
        self.citations: dict[tuple[str, str], Citation] = {}
        self.papers: dict[str, Paper] = {}
        self.offset = 0
        if resume is not None:
            self.citations = {(c.citing, c.cited): c for c in resume.citations}
            self.papers = {p.s2_paper_id: p for p in resume.papers}
            self.offset = resume.next_offset or 0
        self.unresolved = 0
        self.read = False  # a page was read by this call: what it read must not be lost

    def page(self, dates: str | None, offset: int = 0) -> bool:
        """Page one run (the whole list, or one date range) from ``offset``; whether it was
        read to its end (not stopped by the offset cap)."""
        from .semantic_scholar import paper_from_json

        fields = ",".join(EDGE_PAPER_FIELDS + EDGE_FIELDS)
        page_size = PAGE_LIMIT
        while True:
            limit = min(page_size, PAGEABLE - offset)
            params: dict[str, Any] = {"fields": fields, "offset": offset, "limit": limit}
            if dates is not None:
                params["publicationDateOrYear"] = dates
            try:
                page = self.client.get_json(f"{paper_path(self.s2_id)}/{self.kind}", params,
                                            endpoint=self.kind)
                data = answer_array(page, "data", f"Semantic Scholar {self.kind} of {self.s2_id}")
            except BadRequest as exc:
                if TOO_LARGE not in str(exc) or limit == 1:
                    self._interrupted(exc, offset)
                # a page of papers with long author lists can pass the API's 10 MB: ask for
                # halves from the same offset, and keep the smaller pages for the rest
                page_size = max(1, limit // 2)
                continue
            except SourceError as exc:
                self._interrupted(exc, offset)
            self.read = True
            now = self.stamp()
            for item in data:
                other = item.get(self.nested_key) if isinstance(item, dict) else None
                if not isinstance(other, dict) or not is_s2_paper_id(other.get("paperId")):
                    self.unresolved += 1  # S2 knows the citation but not the paper behind it
                    continue
                if _itself(self.s2_id, other["paperId"], self.kind):
                    continue
                paper = paper_from_json(other, now)
                self.papers.setdefault(paper.s2_paper_id, paper)
                citing, cited = _pair(self.s2_id, paper.s2_paper_id, self.kind)
                self.citations[citing, cited] = Citation(
                    citing, cited, item.get("isInfluential") is True, _strings(item.get("intents")))
            following = page.get("next")
            if not isinstance(following, int):
                # no next: the end, unless the page ended where no further page may start
                return offset + len(data) < PAGEABLE
            if following <= offset:  # a broken cursor must not make the loop spin
                logger.warning("Semantic Scholar %s of %s: next=%s after offset=%s; stopping",
                               self.kind, self.s2_id, following, offset)
                return True
            if following >= PAGEABLE:
                return False
            offset = following

    def by_dates(self, since: int | None, until: int) -> bool:
        """Page the list again by ranges of the citing papers' dates; whether every range was
        read whole (older papers and undated ones are only in the first 9,999)."""
        start = min(since - 1, until) if since else until - 30
        whole = self.page(f":{start - 1}")
        for first, last in _years(start, until + 1):
            whole = self._range(f"{first}:{last}" if first != last else str(first),
                                _Span(date(first, 1, 1), date(last, 12, 31))) and whole
        return whole

    def _range(self, dates: str, span: _Span) -> bool:
        if self.page(dates):
            return True
        halves = span.halves()
        if halves is None:
            logger.warning("Semantic Scholar %s of %s: more than %d in %s alone", self.kind,
                           self.s2_id, PAGEABLE, dates)
            return False
        return all([self._range(half.text(), half) for half in halves])

    def _interrupted(self, exc: SourceError, offset: int) -> NoReturn:
        """Raise the failure of a page: as it is before any page was read, else as
        ``PagingInterrupted`` carrying what was read and the offset to resume from."""
        if not self.read:
            raise exc
        partial = EdgePage(tuple(self.citations.values()), tuple(self.papers.values()), False,
                           next_offset=offset)
        raise PagingInterrupted(partial, exc) from exc


def _years(first: int, last: int) -> Iterator[tuple[int, int]]:
    """Year ranges from ``first`` to ``last``: one a year (a list past 10k is a young paper's
    few busy years)."""
    for year in range(first, last + 1):
        yield year, year


@dataclass(frozen=True, slots=True)
class _Span:
    """A range of days, split in halves down to one day."""

    first: date
    last: date

    def halves(self) -> tuple[_Span, _Span] | None:
        days = (self.last - self.first).days
        if days < 1:
            return None
        middle = date.fromordinal(self.first.toordinal() + math.floor(days / 2))
        return (_Span(self.first, middle),
                _Span(date.fromordinal(middle.toordinal() + 1), self.last))

    def text(self) -> str:
        return f"{self.first.isoformat()}:{self.last.isoformat()}"
