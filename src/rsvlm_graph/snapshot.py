"""The committed snapshot ``kg/snapshot.jsonl``: the one owner of Enrichment ⇄ JSONL ⇄ store.

An :class:`~rsvlm_graph.models.Enrichment` travels three ways, all here:

- to and from the JSON Lines file (:func:`write_snapshot`, :func:`read_snapshot`), sorted so
  that ``git diff`` shows what changed, every line checked against :mod:`rsvlm_graph.schema`;
- into the SQLite :class:`~rsvlm_graph.store.Store` (:func:`seed_store`), so a fresh clone
  does not refetch what is committed; offline commands read it over the store instead
  (:class:`SnapshotView`), writing nothing;
- out of the store for one list (:func:`collect`), after enrichment.

And a refresh only ever adds: :func:`carried_over` keeps the records of papers another list
holds, :func:`compare` counts what a new snapshot would lose against the previous one, so the
CLI shows every loss with its reason. ``docs/snapshot.md`` describes the format and the rules.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import Field, TypeAdapter, ValidationError

from .errors import StoreError
from .files import write_atomic
from .models import (
    ArxivRecord,
    Citation,
    Enrichment,
    Failure,
    Paper,
    Resolution,
    iso_utc,
)
from .schema import PaperRef, RecordRefused, as_record, checked_record, record_schema
from .store import (
    EMBEDDING_DECIMALS,
    RECOMMENDATIONS_KEY,
    Direction,
    EdgeRecord,
    RecommendationRecord,
    RecordKind,
    Records,
    Store,
    StoredRecord,
    parse_utc,
    rounded,
    to_record,
)

__all__ = [
    "EMBEDDING_DECIMALS",
    "CheckedSnapshot",
    "SnapshotChange",
    "SnapshotView",
    "UnreadLine",
    "carried_over",
    "check_snapshot",
    "collect",
    "compare",
    "keep_unread",
    "read_snapshot",
    "rejected_path",
    "seed_store",
    "sorted_enrichment",
    "write_snapshot",
]

log = logging.getLogger(__name__)

#: the date given to imported records the snapshot does not date at all
_EPOCH = "1970-01-01T00:00:00Z"

#: each line ``type`` and the record it holds
_LINE_TYPES: dict[str, type] = {
    "arxiv": ArxivRecord,
    "citation": Citation,
    "failure": Failure,
    "paper": Paper,
    "recommendation": PaperRef,
    "resolution": Resolution,
    "truncated": PaperRef,
}


@functools.cache
def _line_schema(kind: str) -> Any:
    return record_schema(_LINE_TYPES[kind], type=(Literal[kind], ...), key=(str, ...))


@functools.cache
def _any_line() -> TypeAdapter[Any]:
    # one pass of pydantic-core per line in the common case: the "type" picks the schema
    union = functools.reduce(lambda a, b: a | b, (_line_schema(k) for k in _LINE_TYPES))
    tagged: Any = Annotated[union, Field(discriminator="type")]  # a type built at run time
    return TypeAdapter(tagged)


# --------------------------------------------------------------------------- JSONL


def sorted_enrichment(enrichment: Enrichment) -> Enrichment:
    """Return ``enrichment`` with every tuple in its canonical order (recommendations keep theirs).

    Both :func:`~rsvlm_graph.enrich.enrich` and :func:`read_snapshot` return this order, so
    equal contents compare equal.
    """
    return Enrichment(
        resolutions=tuple(sorted(enrichment.resolutions, key=lambda r: r.entry_key)),
        papers=tuple(sorted(enrichment.papers, key=lambda p: p.s2_paper_id)),
        citations=tuple(sorted(enrichment.citations, key=lambda c: (c.citing, c.cited))),
        arxiv=tuple(sorted(enrichment.arxiv, key=lambda a: a.arxiv_id)),
        recommendations=tuple(enrichment.recommendations),
        failures=tuple(sorted(set(enrichment.failures),
                              key=lambda f: (f.subject, f.phase, f.reason))),
        truncated=tuple(sorted(set(enrichment.truncated))),
    )


def _snapshot_lines(enrichment: Enrichment) -> list[str]:
    rows: list[tuple[str, str, dict[str, Any]]] = []
    rows += [("resolution", r.entry_key, to_record(r)) for r in enrichment.resolutions]
    rows += [("paper", p.s2_paper_id, to_record(rounded(p))) for p in enrichment.papers]
    rows += [("citation", f"{c.citing}>{c.cited}", to_record(c)) for c in enrichment.citations]
    rows += [("arxiv", a.arxiv_id, to_record(a)) for a in enrichment.arxiv]
    # the zero-padded rank as key keeps "best first" under the (type, key) sort
    rows += [("recommendation", f"{rank:04d}", {"s2_paper_id": s2_id})
             for rank, s2_id in enumerate(enrichment.recommendations)]
    rows += [("failure", f"{f.subject}|{f.phase}", to_record(f)) for f in enrichment.failures]
    rows += [("truncated", s2_id, {"s2_paper_id": s2_id}) for s2_id in enrichment.truncated]
    # "type" and "key" lead each line so it reads at a glance; every other key is sorted
    lines = {
        (kind, key, json.dumps({"type": kind, "key": key, **_sorted_keys(fields)},
                               ensure_ascii=False))
        for kind, key, fields in rows
    }
    # type, key, then the whole line: a total order even where keys repeat (two failures)
    return [line for _, _, line in sorted(lines)]


def _sorted_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_keys(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_keys(item) for item in value]
    return value


def write_snapshot(path: Path, enrichment: Enrichment) -> None:
    """Write ``enrichment`` as the committed, diff-friendly JSON Lines snapshot.

    One record per line, ``{"type": …, "key": …, …}`` with the other keys sorted, lines sorted by
    (type, key); embeddings rounded to :data:`EMBEDDING_DECIMALS`. The same enrichment always
    gives the same bytes. The file is replaced atomically.

    Raises
    ------
    StoreError
        When the file cannot be written.
    """
    path = Path(path)
    text = "".join(line + "\n" for line in _snapshot_lines(enrichment))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the snapshot: {exc}") from exc


@dataclass(frozen=True, slots=True)
class UnreadLine:
    """A snapshot line not read as it is written: skipped (``record`` false), or read without
    the fields that were wrong. ``kind`` and ``key`` are what the line says it holds, when it
    still says so (a line cut short keeps its leading ``type`` and ``key``)."""

    number: int
    text: str
    problem: str
    kind: str | None
    key: str | None
    record: bool


class CheckedSnapshot(NamedTuple):
    """The snapshot as read, the lines of it that were not read as written, and the failures
    that say what those held is to be fetched again (in ``enrichment.failures`` too)."""

    enrichment: Enrichment = Enrichment()
    unread: tuple[UnreadLine, ...] = ()
    refetch: tuple[Failure, ...] = ()


#: what a line not read as written makes the next enrich fetch again (:func:`_refetch`)
_Refetched = Literal["metadata", "citations", "references", "arxiv", "recommendations"]

#: the head every line is written with: still readable in a line whose end is broken
_HEAD = re.compile(r'^\{"type": "([a-z]+)", "key": "((?:[^"\\]|\\.)*)"')


def rejected_path(path: Path) -> Path:
    """Where a rewrite of the snapshot at ``path`` keeps the lines it could not read as written."""
    return path.with_name(path.name + ".rejected")


def read_snapshot(path: Path) -> Enrichment:
    """The enrichment of :func:`check_snapshot`: what a snapshot holds, for readers that do
    not rewrite it."""
    return check_snapshot(path).enrichment


def check_snapshot(path: Path) -> CheckedSnapshot:
    """Read a snapshot written by :func:`write_snapshot`; a missing file is an empty enrichment.

    Every line is checked against its record's schema. One bad line never stops a run: a field
    of the wrong type or out of range is dropped and the rest of the record used; a line that
    is no record at all (not JSON, not UTF-8, an unknown ``type``, a bad or missing id or
    title) is skipped. Either is a warning naming ``path:line``. What such a line held is
    marked to be fetched again (:func:`_refetch`): a ``failure`` of the lists, paper,
    arXiv record or recommendations it belongs to, exactly as a failed refresh leaves them, so
    the next ``enrich`` fetches them before it rewrites the file; it keeps the lines in
    :func:`rejected_path` (:func:`keep_unread`).

    Raises
    ------
    StoreError
        When the file cannot be read at all.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return CheckedSnapshot()
    except OSError as exc:
        raise StoreError(f"{path}: cannot read the snapshot: {exc}") from exc
    parts: dict[str, list[Any]] = {kind: [] for kind in _LINE_TYPES}
    unread: list[UnreadLine] = []
    reader = _any_line()
    ids: dict[str, str] = {}  # one string per paper id: 1M citation lines name 100k papers
    with handle:  # line by line: at 1M citations the text alone is hundreds of MiB
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    model = reader.validate_json(line)
                    kind = model.type
                    record = as_record(model)
                except ValidationError:
                    kind, record, bad = _checked_line(path, number, line.rstrip(b"\r\n"))
                    unread.append(bad)
                    if record is None:
                        continue
                if kind == "citation":
                    record = Citation(ids.setdefault(record.citing, record.citing),
                                      ids.setdefault(record.cited, record.cited),
                                      record.is_influential, record.intents)
                parts[kind].append(record)
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the snapshot: {exc}") from exc
    enrichment = Enrichment(
        resolutions=tuple(parts["resolution"]),
        papers=tuple(parts["paper"]),
        citations=tuple(parts["citation"]),
        arxiv=tuple(parts["arxiv"]),
        recommendations=tuple(r.s2_paper_id for r in parts["recommendation"]),
        failures=tuple(parts["failure"]),
        truncated=tuple(r.s2_paper_id for r in parts["truncated"]),
    )
    again = _refetch(path, unread, enrichment) if unread else ()
    enrichment = dataclasses.replace(enrichment, failures=enrichment.failures + again)
    return CheckedSnapshot(sorted_enrichment(enrichment), tuple(unread), again)


def _checked_line(path: Path, number: int, raw: bytes) -> tuple[str, Any | None, UnreadLine]:
    """A line that did not validate as it is: its record with the bad fields dropped, or
    ``None`` when it holds no record at all; warned about either way."""
    text = raw.decode("utf-8", errors="backslashreplace")
    head = _HEAD.match(text)
    kind, key = (head.group(1), json.loads(f'"{head.group(2)}"')) if head else (None, None)
    kind = kind if kind in _LINE_TYPES else None
    where = f"{path}:{number}"
    dropped: list[str] = []
    try:
        try:
            value = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise RecordRefused(f"not UTF-8 (byte {exc.start} of the line)") from exc
        except json.JSONDecodeError as exc:
            raise RecordRefused(f"not JSON ({exc})") from exc
        if not isinstance(value, dict):
            raise RecordRefused(f"a JSON {type(value).__name__}, not a record")
        line_type, key = value.get("type"), value.get("key")
        if line_type not in _LINE_TYPES:
            kind = None
            raise RecordRefused(f"unknown record type {line_type!r}")
        kind = str(line_type)
        record: Any = checked_record(_LINE_TYPES[kind], text, f"{where}: {kind} {key}",
                                schema=_line_schema(kind), dropped=dropped)
    except RecordRefused as exc:
        problem = str(exc).removeprefix(f"{where}: ")
        if kind is None:
            consequence = ("its type cannot be read, so the next `rsvlm-graph enrich` fetches "
                           "every citation list and the recommendations again")
        else:
            consequence = f"the next `rsvlm-graph enrich` fetches the {kind} {key} again"
        log.warning("%s: %s; line skipped, every other line is used: %s and, rewriting the "
                    "snapshot, keeps the line in %s", where, problem, consequence,
                    rejected_path(path))
        return str(kind), None, UnreadLine(number, text, problem, kind,
                                           key if isinstance(key, str) else None, False)
    return str(kind), record, UnreadLine(number, text, "; ".join(dropped), kind,
                                         key if isinstance(key, str) else None, True)


def _refetch(path: Path, unread: Sequence[UnreadLine], enrichment: Enrichment) -> tuple[Failure, ...]:
    """Failures that make the next ``enrich`` fetch again what the ``unread`` lines held.

    They say what a failed refresh says (:func:`_offers`): a list paper's citation or
    reference list is imported undated and without a count, so it is paged whole; its paper,
    an arXiv record or the recommendations stale. A line whose type cannot be read could have
    held anything: every list and the recommendations. A resolution, a list paper or an arXiv
    record that is missing altogether is fetched anyway.
    """
    accepted = {r.s2_paper_id for r in enrichment.resolutions if r.s2_paper_id and not r.doubtful}
    marks: dict[tuple[str, _Refetched], UnreadLine] = {}

    def lists(s2_ids: Collection[str], direction: Direction, line: UnreadLine) -> None:
        for s2_id in s2_ids:
            if s2_id in accepted:
                marks.setdefault((s2_id, direction), line)

    counts = {p.s2_paper_id: (p.citation_count, p.reference_count) for p in enrichment.papers}
    for line in unread:
        key = line.key or ""
        if line.kind is None:  # any list but those of a paper counted without any
            lists({s for s in accepted if counts.get(s, (None,))[0] != 0}, "citations", line)
            lists({s for s in accepted if counts.get(s, (None, None))[1] != 0}, "references", line)
            marks.setdefault(("list", "recommendations"), line)
        elif line.kind == "paper" and key in accepted:
            marks.setdefault((key, "metadata"), line)
        elif line.kind == "paper":
            lists({c.cited for c in enrichment.citations if c.citing == key}, "citations", line)
            lists({c.citing for c in enrichment.citations if c.cited == key}, "references", line)
            if key in enrichment.recommendations:
                marks.setdefault(("list", "recommendations"), line)
        elif line.kind == "citation":
            citing, _, cited = key.partition(">")
            lists({cited}, "citations", line)
            lists({citing}, "references", line)
        elif line.kind == "truncated":
            lists({key}, "citations", line)
        elif line.kind == "recommendation":
            marks.setdefault(("list", "recommendations"), line)
        elif line.kind == "failure":
            subject, _, phase = key.partition("|")
            if phase == "recommendations":
                marks.setdefault(("list", "recommendations"), line)
            elif phase in ("citations", "references"):
                lists({subject}, "citations" if phase == "citations" else "references", line)
        elif line.kind == "arxiv" and line.record:
            marks.setdefault((key, "arxiv"), line)
    return tuple(
        Failure(subject, phase, f"{path}:{line.number}: {line.kind or 'a'} line not read as "
                f"written (the rewrite keeps it in {rejected_path(path)}); fetched again by the "
                "next enrich")
        for (subject, phase), line in marks.items())


def keep_unread(path: Path, unread: Sequence[UnreadLine], when: str) -> None:
    """Add the ``unread`` lines of the snapshot at ``path`` to :func:`rejected_path`, before a
    rewrite leaves them out: one JSON object a line, ``{"kept_at", "line", "problem",
    "record_used", "text"}``, ``text`` the line exactly as it was. A line kept already is not
    added again.

    Raises
    ------
    StoreError
        When the file cannot be written.
    """
    if not unread:
        return
    target = rejected_path(path)
    try:
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        kept = {json.loads(line).get("text") for line in old.splitlines() if line.strip()}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise StoreError(f"{target}: cannot read the rejected snapshot lines ({exc}); "
                         "move the file away") from exc
    new = [json.dumps({"kept_at": when, "line": u.number, "problem": u.problem,
                       "record_used": u.record, "text": u.text}, ensure_ascii=False) + "\n"
           for u in unread if u.text not in kept]
    if not new:
        return
    try:
        write_atomic(target, old + "".join(new))
    except OSError as exc:
        raise StoreError(f"{target}: cannot write the rejected snapshot lines: {exc}") from exc
    log.warning("kept %d snapshot lines not read as written in %s", len(new), target)


# --------------------------------------------------------------------------- snapshot → store


class _Offer(NamedTuple):
    """One record the snapshot offers the store: where it goes, its date, and the record."""

    source: str
    kind: RecordKind
    key: str
    fetched_at: str  # ``iso_utc``, as the store keeps it
    record: Callable[[], Any]  # built only when wanted: a warm store takes none


def _offers(enrichment: Enrichment, stored: Mapping[tuple[str, str], str]) -> list[_Offer]:
    """The store records a snapshot holds that ``stored`` (the store's stamps) lacks or has older.

    The snapshot keeps no request text and no date for resolutions or citation lists: a
    resolution and a list paper's citation lists are dated like its paper record (they are
    fetched in the same run), a resolution without a paper like the snapshot's newest record
    (the run that tried it). A citation list whose refresh failed is the last good one (with the
    pages an interrupted paging read) and goes in undated and without a count, so that nothing
    is lost and the next online run fetches it whole; only a list that failed with no citation
    at all in the snapshot (never fetched, or empty) is left out rather than stored empty. The
    lists of a list paper the snapshot holds no paper record of go in the same way. A paper, an
    arXiv record or the recommendations whose refresh failed go in undated: the next online run
    fetches them again (offline, they are used as they are).
    """
    papers = {p.s2_paper_id: p for p in enrichment.papers}
    accepted = tuple(sorted({r.s2_paper_id for r in enrichment.resolutions
                             if r.s2_paper_id and not r.doubtful}))
    dated = {s2_id: fetched_at for s2_id in accepted
             if s2_id in papers and (fetched_at := papers[s2_id].fetched_at)}
    directions: tuple[Direction, ...] = ("citations", "references")
    failed = {(f.subject, f.phase) for f in enrichment.failures}
    failed |= {(s2_id, d) for s2_id in accepted if s2_id not in dated for d in directions}
    newest = max((f for p in papers.values() if (f := p.fetched_at)), key=parse_utc,
                 default=_EPOCH)
    offered: list[_Offer] = [
        _Offer("semanticscholar", "resolution", r.entry_key, dated.get(r.s2_paper_id or "", newest),
               functools.partial(_same, r))
        for r in enrichment.resolutions if ("resolution", r.entry_key) not in stored
    ]
    offered += [_Offer("semanticscholar", "paper", s2_id,
                       _EPOCH if (s2_id, "metadata") in failed else fetched_at,
                       functools.partial(_same, papers[s2_id]))
                for s2_id, fetched_at in dated.items()]
    edges_at: dict[tuple[str, str], list[Citation]] = {}
    for citation in enrichment.citations:
        edges_at.setdefault(("citations", citation.cited), []).append(citation)
        edges_at.setdefault(("references", citation.citing), []).append(citation)
    truncated = set(enrichment.truncated)

    def edges(direction: Direction, s2_id: str, fetched_at: str) -> EdgeRecord:
        found = edges_at.get((direction, s2_id), [])
        others = sorted({c.citing if direction == "citations" else c.cited for c in found})
        # fetched in the run that fetched the paper: at the count it holds; a list whose
        # refresh failed (the last good one, or the pages read before a paging stopped) at no
        # count, so the next run fetches it whole rather than take it as complete
        count = None
        if (s2_id, direction) not in failed:
            paper = papers[s2_id]
            count = paper.citation_count if direction == "citations" else paper.reference_count
        return EdgeRecord(
            citations=tuple(found), papers=tuple(papers[o] for o in others if o in papers),
            truncated=direction == "citations" and s2_id in truncated, fetched_at=fetched_at,
            count=count,
        )

    for direction in directions:
        for s2_id in accepted:
            if (s2_id, direction) in failed and (direction, s2_id) not in edges_at:
                continue
            stamp = iso_utc(parse_utc(_EPOCH if (s2_id, direction) in failed else dated[s2_id]))
            offered.append(_Offer("semanticscholar", direction, s2_id, stamp,
                                  functools.partial(edges, direction, s2_id, stamp)))
    offered += [_Offer("arxiv", "arxiv", a.arxiv_id,
                       _EPOCH if (a.arxiv_id, "arxiv") in failed else fetched_at,
                       functools.partial(_same, a))
                for a in enrichment.arxiv if (fetched_at := a.fetched_at)]
    recommended = tuple(papers[s2_id] for s2_id in enrichment.recommendations if s2_id in papers)
    stamps = [fetched_at for p in recommended if (fetched_at := p.fetched_at)]
    if stamps:
        oldest = _EPOCH if ("list", "recommendations") in failed else min(stamps, key=parse_utc)
        first = iso_utc(parse_utc(oldest))
        offered.append(_Offer("semanticscholar", "recommendations", RECOMMENDATIONS_KEY, first,
                              lambda: RecommendationRecord(accepted, None, recommended, first)))
    newer = []
    for offer in offered:
        fetched_at = iso_utc(parse_utc(offer.fetched_at))
        old = stored.get((offer.kind, offer.key))
        if old is None or parse_utc(old) < parse_utc(fetched_at):
            newer.append(offer._replace(fetched_at=fetched_at))
    return newer


def _same(record: Any) -> Any:
    return record


def seed_store(store: Store, enrichment: Enrichment) -> int:
    """Seed ``store`` from a snapshot, so a fresh clone does not refetch what is committed.

    A record goes in only where the store has none or an older one (dated as :func:`_offers`
    says). Returns the number of records written.
    """
    offered = _offers(enrichment, store.stamps())  # one query: what the store holds, and when
    as_json: dict[str, Any] = {}  # each paper's JSON once: a paper cited by many lies in many lists

    def paper(p: Paper) -> Any:
        if (record := as_json.get(p.s2_paper_id)) is None:
            record = as_json[p.s2_paper_id] = to_record(p)
        return record

    def data(kind: str, record: Any) -> Any:
        if isinstance(record, EdgeRecord):
            return {"citations": to_record(record.citations), "papers": list(map(paper, record.papers)),
                    "truncated": record.truncated, "count": record.count}
        if isinstance(record, RecommendationRecord):
            return {"positive": list(record.positive), "negative": record.negative,
                    "papers": list(map(paper, record.papers))}
        return paper(record) if kind == "paper" else to_record(record)

    store.put(StoredRecord(o.source, o.kind, o.key, "imported from the snapshot", o.fetched_at,
                           data(o.kind, o.record())) for o in offered)
    log.info("imported %d snapshot records into %s", len(offered), store.path)
    return len(offered)


class SnapshotView:
    """The store as :func:`seed_store` would leave it, read without writing anything.

    Offline commands read this: a record the snapshot holds newer than the store's (every
    record, in a fresh clone) comes from the snapshot as read, the others from the store. At
    1M citations that saves writing every citation list into SQLite and checking it again on
    the way back. Read-only: enrichment that fetches writes to a seeded :class:`Store`.
    """

    def __init__(self, store: Store, enrichment: Enrichment) -> None:
        self._store = store
        self._stamps = store.stamps()
        self._offers = {(o.kind, o.key): o for o in _offers(enrichment, self._stamps)}

    def _offered(self, kind: RecordKind, key: str) -> Any | None:
        offer = self._offers.get((kind, key))
        return None if offer is None else offer.record()

    def has(self, kind: RecordKind, key: str) -> bool:
        return (kind, key) in self._offers or (kind, key) in self._stamps

    def is_fresh(self, kind: RecordKind, key: str, max_age_days: float, now: datetime) -> bool:
        if (offer := self._offers.get((kind, key))) is None:
            return self._store.is_fresh(kind, key, max_age_days, now)
        return now - parse_utc(offer.fetched_at) < timedelta(days=max_age_days)

    def recommendations_fresh(self, max_age_days: float, now: datetime) -> bool:
        return self.is_fresh("recommendations", RECOMMENDATIONS_KEY, max_age_days, now)

    def get_paper(self, s2_paper_id: str) -> Paper | None:
        offered: Paper | None = self._offered("paper", s2_paper_id)
        return self._store.get_paper(s2_paper_id) if offered is None else offered

    def get_resolution(self, entry_key: str) -> Resolution | None:
        offered: Resolution | None = self._offered("resolution", entry_key)
        return self._store.get_resolution(entry_key) if offered is None else offered

    def get_edges(self, direction: Direction, s2_paper_id: str) -> EdgeRecord | None:
        offered: EdgeRecord | None = self._offered(direction, s2_paper_id)
        return self._store.get_edges(direction, s2_paper_id) if offered is None else offered

    def get_paging(self, direction: Direction, s2_paper_id: str) -> EdgeRecord | None:
        return self._store.get_paging(direction, s2_paper_id)  # only the store has pagings

    def has_paging(self, direction: Direction, s2_paper_id: str) -> bool:
        return self._store.has_paging(direction, s2_paper_id)

    def get_arxiv(self, arxiv_id: str) -> ArxivRecord | None:
        offered: ArxivRecord | None = self._offered("arxiv", arxiv_id)
        return self._store.get_arxiv(arxiv_id) if offered is None else offered

    def get_recommendations(self) -> RecommendationRecord | None:
        offered: RecommendationRecord | None = self._offered("recommendations", RECOMMENDATIONS_KEY)
        return self._store.get_recommendations() if offered is None else offered


# --------------------------------------------------------------------------- store → Enrichment


def collect(
    store: Records, resolutions: Sequence[Resolution], accepted: Sequence[str],
    arxiv_ids: Sequence[str], failures: Sequence[Failure],
) -> Enrichment:
    """Everything ``store`` holds for one list, as one sorted ``Enrichment``.

    ``accepted`` are the list papers' S2 ids: their records, both citation lists and the papers
    at the other end, the recommendations and the arXiv records of ``arxiv_ids``; ``failures``
    are the run's, kept beside the records they failed to refresh. The pages an interrupted
    paging read are in too, beside the last complete list, never as a complete one: a failure
    names each such list (the run's own, or one saying where the paging stopped).
    """
    papers: dict[str, Paper] = {}
    for s2_id in accepted:
        if (paper := store.get_paper(s2_id)) is not None:
            papers[s2_id] = paper
    citations: dict[tuple[str, str], Citation] = {}
    truncated = []
    failed = {(f.subject, f.phase) for f in failures}
    pending: list[Failure] = []
    directions: tuple[Direction, ...] = ("citations", "references")
    for direction in directions:
        for s2_id in accepted:
            partial = store.get_paging(direction, s2_id)
            if partial is not None and (s2_id, direction) not in failed:
                pending.append(Failure(s2_id, direction, (
                    f"paging stopped at offset {partial.next_offset} ({len(partial.citations)} "
                    "read and kept); the next enrich goes on from there")))
            # the partial first: its papers at the other end are the newer ones
            for record in (partial, store.get_edges(direction, s2_id)):
                if record is None:
                    continue
                if record.truncated:
                    truncated.append(s2_id)
                for paper in record.papers:
                    papers.setdefault(paper.s2_paper_id, paper)
                for citation in record.citations:
                    citations[citation.citing, citation.cited] = _merge(
                        citations.get((citation.citing, citation.cited)), citation)
    recommended: tuple[str, ...] = ()
    if (stored := store.get_recommendations()) is not None:
        recommended = tuple(p.s2_paper_id for p in stored.papers)
        for paper in stored.papers:
            papers.setdefault(paper.s2_paper_id, paper)
    arxiv: list[ArxivRecord] = [r for a in arxiv_ids if (r := store.get_arxiv(a))]
    return sorted_enrichment(Enrichment(
        resolutions=tuple(resolutions),
        papers=tuple(papers.values()),
        citations=tuple(citations.values()),
        arxiv=tuple(arxiv),
        recommendations=recommended,
        failures=tuple(failures) + tuple(pending),
        truncated=tuple(truncated),
    ))


def _merge(old: Citation | None, new: Citation) -> Citation:
    """One edge seen from both ends (two list papers): influential if either end says so."""
    if old is None or old == new:
        return new
    intents = tuple(sorted(set(old.intents) | set(new.intents)))
    return Citation(new.citing, new.cited, old.is_influential or new.is_influential, intents)


# --------------------------------------------------------------------------- refreshes only add


def carried_over(previous: Enrichment, current: Enrichment, keep: Collection[str]) -> Enrichment:
    """``current`` plus what ``previous`` holds for the list entries ``keep`` that it lacks.

    ``keep`` are entry keys of papers the snapshot serves beyond the list just enriched (those
    of another list beside it, ``kg/draft.md`` next to ``kg/awesome-list.md``): their
    resolutions, papers, citations in both directions, arXiv records and truncation marks stay
    as they were. Records of ``current`` win where both have one.
    """
    old = [r for r in previous.resolutions if r.entry_key in keep]
    have = {r.entry_key for r in current.resolutions}
    old = [r for r in old if r.entry_key not in have]
    if not old:
        return current
    s2_ids = {r.s2_paper_id for r in old if r.s2_paper_id and not r.doubtful}
    citations = [c for c in previous.citations if c.citing in s2_ids or c.cited in s2_ids]
    linked = s2_ids | {c.citing for c in citations} | {c.cited for c in citations}
    by_id = {p.s2_paper_id: p for p in previous.papers}
    arxiv_ids = {by_id[s].external_id("ArXiv") for s in s2_ids if s in by_id}
    known_papers = {p.s2_paper_id for p in current.papers}
    known_citations = {(c.citing, c.cited) for c in current.citations}
    known_arxiv = {a.arxiv_id for a in current.arxiv}
    return sorted_enrichment(dataclasses.replace(
        current,
        resolutions=current.resolutions + tuple(old),
        papers=current.papers + tuple(p for s, p in by_id.items()
                                      if s in linked and s not in known_papers),
        citations=current.citations + tuple(c for c in citations
                                            if (c.citing, c.cited) not in known_citations),
        arxiv=current.arxiv + tuple(a for a in previous.arxiv
                                    if a.arxiv_id in arxiv_ids and a.arxiv_id not in known_arxiv),
        failures=current.failures + tuple(f for f in previous.failures
                                          if f.subject in s2_ids or f.subject in keep),
        truncated=current.truncated + tuple(s for s in previous.truncated if s in s2_ids),
    ))


@dataclass(frozen=True, slots=True)
class SnapshotChange:
    """What writing a new snapshot over the previous one adds and takes away, and why."""

    papers_before: int
    papers_after: int
    citations_before: int
    citations_after: int
    left_the_list: tuple[str, ...]  # entry keys of list papers removed with their records
    citations_dropped_by_api: int  # of list papers still listed: the API no longer returns them
    citations_of_removed: int  # of list papers that left the list

    @property
    def lost_papers(self) -> int:
        return max(0, self.papers_before - self.papers_after)

    @property
    def lost_citations(self) -> int:
        return max(0, self.citations_before - self.citations_after)

    @property
    def is_loss(self) -> bool:
        return self.lost_papers > 0 or self.lost_citations > 0


def compare(previous: Enrichment, new: Enrichment) -> SnapshotChange:
    """Count what ``new`` holds against ``previous`` and name why records went.

    A list paper goes when its entry left the list; a citation goes with it, or because the
    refetched citation list of a paper still listed no longer has it.
    """
    entries = {r.entry_key for r in new.resolutions}
    gone = tuple(sorted(r.entry_key for r in previous.resolutions if r.entry_key not in entries))
    gone_ids = {r.s2_paper_id for r in previous.resolutions
                if r.entry_key in gone and r.s2_paper_id}
    kept = {(c.citing, c.cited) for c in new.citations}
    dropped = [c for c in previous.citations if (c.citing, c.cited) not in kept]
    with_removed = sum(1 for c in dropped if c.citing in gone_ids or c.cited in gone_ids)
    return SnapshotChange(
        papers_before=len(previous.papers), papers_after=len(new.papers),
        citations_before=len(previous.citations), citations_after=len(new.citations),
        left_the_list=gone, citations_dropped_by_api=len(dropped) - with_removed,
        citations_of_removed=with_removed,
    )
