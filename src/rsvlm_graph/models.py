"""Typed records passed between modules: list entries as written, papers as enriched.

Every record is a frozen, slotted dataclass: parsing and graph building are pure functions over
these values, and nothing downstream can change what a source returned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal

__all__ = [
    "PaperIds",
    "Pin",
    "ListEntry",
    "ListDocument",
    "Author",
    "Paper",
    "Citation",
    "either",
    "EdgePage",
    "EdgeList",
    "Paging",
    "Recommendations",
    "ArxivRecord",
    "Resolution",
    "Phase",
    "PHASES",
    "Failure",
    "Enrichment",
    "iso_utc",
]

EntryKind = Literal["paper", "dataset"]


def iso_utc(moment: datetime) -> str:
    """Return ``moment`` as ISO 8601 UTC to the second: the format of every ``fetched_at``.

    One format everywhere lets provenance times compare as strings.

    >>> iso_utc(datetime(2026, 11, 27, 10, 0, 0, 123, tzinfo=timezone.utc))
    '2026-11-27T10:00:00Z'
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one, e.g. datetime.now(timezone.utc)")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class PaperIds:
    """Identifiers of one paper. Any may be ``None``; ``arxiv_id`` carries no version suffix."""

    arxiv_id: str | None = None
    doi: str | None = None  # lower-cased, no "https://doi.org/" prefix
    ieee_id: str | None = None  # IEEE Xplore document number, e.g. "7546397"
    pii: str | None = None  # ScienceDirect PII, e.g. "S0950705120302586"
    s2_paper_id: str | None = None  # 40-hex Semantic Scholar id

    def is_empty(self) -> bool:
        return not self.pairs()

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """``(field, value)`` for each identifier present, lower-cased, in field order.

        Two records sharing a pair are the same paper.

        >>> PaperIds(arxiv_id="2305.05726", pii="S0950705120302586").pairs()
        (('arxiv_id', '2305.05726'), ('pii', 's0950705120302586'))
        """
        return tuple(
            (name, value.lower())
            for name in ("arxiv_id", "doi", "ieee_id", "pii", "s2_paper_id")
            if (value := getattr(self, name))
        )


@dataclass(frozen=True, slots=True)
class Pin:
    """A list row (matched by its link `url` or its `title`) pinned to a known paper."""

    url: str | None = None
    title: str | None = None
    s2_paper_id: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One row (table row or bullet) of the curated list, as written, with its line number.

    ``task`` is the section heading the row sits under, with a trailing "dataset" removed and the
    curation file's task aliases applied; ``section`` is the heading text exactly. ``venue`` is
    as written; the fields after ``title_from_list`` are what curation adds
    (``listfile.curation.curate``, applied once, right after parsing).
    """

    kind: EntryKind
    title: str  # mojibake repaired, whitespace folded, trailing period kept as written
    url: str | None  # the paper link (for a dataset: the link on its name)
    section: str
    task: str
    line: int  # 1-based line of the row in the list file
    raw: str  # the row's source text
    venue: str | None = None
    year: int | None = None
    ids: PaperIds = field(default_factory=PaperIds)
    code_urls: tuple[str, ...] = ()  # papers: Code/Project links
    home_urls: tuple[str, ...] = ()  # datasets: Home/Github links
    download_urls: tuple[str, ...] = ()  # datasets: every download link
    #: what further table columns say of the entry, by header: ``(("tags", "VLMs"), …)``
    attributes: tuple[tuple[str, str], ...] = ()
    #: False when the list gives no title, only a name (a model-name table whose only link is
    #: ``[arXiv]``): an online run titles the paper from its resolved record, the name an alias
    title_from_list: bool = True
    venue_name: str | None = None  # the venue, tidied and with the curation's aliases applied
    dataset_name: str | None = None  # datasets: the canonical name (curation's dataset aliases)
    dataset_aliases: tuple[str, ...] = ()  # datasets: the other names the curation knows it by
    pin: Pin | None = None  # the curation file's pin for this row


@dataclass(frozen=True, slots=True)
class ListDocument:
    """A parsed list: its entries in file order and the problems met on the way.

    ``problems`` are ``ListParseError`` instances for rows that were skipped or read only in part,
    and ``PaperMention`` ones for papers cited in passing by a table that lists no papers;
    parsing never stops at the first one.
    """

    path: str
    title: str
    entries: tuple[ListEntry, ...]
    problems: tuple[Exception, ...] = ()
    text: str = ""  # the source as read: rows to suggest copy its tables' columns

    @property
    def papers(self) -> tuple[ListEntry, ...]:
        return tuple(e for e in self.entries if e.kind == "paper")

    @property
    def datasets(self) -> tuple[ListEntry, ...]:
        return tuple(e for e in self.entries if e.kind == "dataset")


@dataclass(frozen=True, slots=True)
class Author:
    name: str
    s2_author_id: str | None = None


@dataclass(frozen=True, slots=True)
class Paper:
    """A paper as Semantic Scholar describes it (list paper or outside paper).

    ``source`` and ``fetched_at`` (ISO 8601 UTC) are the provenance of every field here.
    Fields the API did not return are ``None`` / empty, never guessed.
    """

    s2_paper_id: str
    title: str
    source: str = "semanticscholar"
    fetched_at: str | None = None
    year: int | None = None
    publication_date: str | None = None
    venue: str | None = None
    abstract: str | None = None
    tldr: str | None = None
    external_ids: tuple[tuple[str, str], ...] = ()  # sorted (key, value) pairs, S2 casing
    authors: tuple[Author, ...] = ()
    citation_count: int | None = None
    influential_citation_count: int | None = None
    reference_count: int | None = None
    fields_of_study: tuple[str, ...] = ()
    open_access_pdf: str | None = None
    embedding: tuple[float, ...] | None = None  # SPECTER v2, 768 floats

    def external_id(self, key: str) -> str | None:
        return dict(self.external_ids).get(key)


@dataclass(frozen=True, slots=True)
class Citation:
    """``citing`` cites ``cited`` (both S2 paper ids), as Semantic Scholar reports it.

    ``is_influential`` and ``intents`` are ``None`` where they are not known: a citation that
    came nested in a paper batch carries neither (only the ``/citations`` and ``/references``
    pages do); unknown is not false.
    """

    citing: str
    cited: str
    is_influential: bool | None = False
    intents: tuple[str, ...] | None = ()

    def merged(self, other: Citation) -> Citation:
        """This citation as both of its lists tell it: what either knows, influential if either
        says so, every intent."""
        if other == self:
            return self
        intents = None if self.intents is None and other.intents is None else tuple(
            sorted(set(self.intents or ()) | set(other.intents or ())))
        return Citation(self.citing, self.cited, either(self.is_influential,
                                                        other.is_influential), intents)


def either(a: bool | None, b: bool | None) -> bool | None:
    """``a or b`` where ``None`` is unknown: a known value wins over an unknown one.

    >>> either(None, False), either(None, None), either(False, True)
    (False, None, True)
    """
    if a is None:
        return b
    if b is None:
        return a
    return a or b


@dataclass(frozen=True, slots=True)
class EdgePage:
    """The citations (or references) of one paper as paged, with the papers at their other end.

    ``truncated``: the list is longer than the API pages through (its ~10k cap).
    ``next_offset``: where an interrupted paging stopped (the page that kept failing), to go on
    from in a later run; ``None`` when the pages were read to the end.
    """

    citations: tuple[Citation, ...]
    papers: tuple[Paper, ...]
    truncated: bool = False
    next_offset: int | None = None


@dataclass(frozen=True, slots=True)
class EdgeList:
    """What is on file of one paper's citation (or reference) list, beside its edges.

    ``count`` is the paper's ``citationCount`` (``referenceCount``) the list was fetched at
    (``None``: unknown), what a refresh compares to skip it; the list's ``fetched_at`` (its
    record's date) is when it was last fetched whole: its last full check. ``truncated``: longer
    than the API pages through.
    """

    count: int | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Paging:
    """The pages an interrupted paging of one list read, kept apart from the list on file
    until the paging is finished: ``next_offset`` is the page to go on from; its record's
    date is when the paging began, and ``count`` the paper's count then."""

    next_offset: int
    citations: tuple[Citation, ...] = ()
    count: int | None = None
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Recommendations:
    """One recommendations answer: the S2 ids recommended, best first, and the examples asked
    with (``negative`` ``None``: unknown, as a first-format snapshot leaves it)."""

    positive: tuple[str, ...]
    negative: tuple[str, ...] | None
    ranked: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ArxivRecord:
    arxiv_id: str  # without version
    title: str
    fetched_at: str | None = None
    abstract: str | None = None
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    published: str | None = None
    updated: str | None = None
    version: int | None = None
    pdf_url: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    authors: tuple[str, ...] = ()
    #: the latest version is a withdrawal (its abstract then is the last one before it)
    withdrawn: bool = False


ResolutionMethod = Literal["batch-arxiv", "batch-doi", "title-match", "pinned"]


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a list entry was matched to a Semantic Scholar paper."""

    entry_key: str  # the list entry's graph node id
    s2_paper_id: str | None
    method: ResolutionMethod | None
    score: float | None = None  # title similarity 0..100 (title-match), else None
    doubtful: bool = False
    note: str | None = None


#: the enrichment phases, in the order they run (``enrich``'s module docstring)
Phase = Literal["resolve", "metadata", "citations", "references", "arxiv", "recommendations"]
PHASES: tuple[Phase, ...] = ("resolve", "metadata", "citations", "references", "arxiv",
                             "recommendations")


@dataclass(frozen=True, slots=True)
class Failure:
    """Something that could not be fetched, per entry or paper, and why.

    ``answered`` tells the two kinds apart. True: the source answered that it has nothing for
    this subject (HTTP 404, a null in a batch, an id arXiv does not know or rejects), which is
    a result, and asking again in this run cannot change it. False (the default, so a new kind
    of failure counts until shown otherwise): the source was not reached or gave no answer
    (offline, unreachable, HTTP 429 or 5xx after the retries, a 400 to the request itself), so
    the run is incomplete and a re-run may get it; ``enrich`` then exits 3.
    """

    subject: str  # entry key, S2 id or arXiv id
    phase: Phase
    reason: str
    answered: bool = False


@dataclass(frozen=True, slots=True)
class Enrichment:
    """Everything enrichment knows, as plain values; graph building reads only this.

    ``citations`` holds both directions: citations *of* list papers and their references.
    ``truncated`` names list papers (S2 ids) whose citation list hit the API's ~10k cap.
    """

    resolutions: tuple[Resolution, ...] = ()
    papers: tuple[Paper, ...] = ()
    citations: tuple[Citation, ...] = ()
    arxiv: tuple[ArxivRecord, ...] = ()
    recommendations: tuple[str, ...] = ()  # S2 ids recommended from the list, best first
    failures: tuple[Failure, ...] = ()
    truncated: tuple[str, ...] = ()
