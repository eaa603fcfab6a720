"""The SQLite cache of every fetched record.

:class:`Store` (SQLite, in the user's cache directory) keeps every record a source returned,
with where it came from (``source``, ``kind``, ``key``, the ``request`` that produced it and
``fetched_at``), so a re-run inside the freshness window asks nothing and a run killed half-way
loses nothing already fetched. Every record read back is checked against
:mod:`rsvlm_graph.schema`, as the snapshot's lines are. The committed snapshot, and moving an
enrichment between it and the store, belong to :mod:`rsvlm_graph.snapshot`.

Models travel as JSON through :func:`to_record` / :func:`from_record`, generic over the frozen
dataclasses of :mod:`rsvlm_graph.models`.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import sqlite3
import types
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar, cast

from .errors import StoreError
from .models import (
    ArxivRecord,
    Citation,
    EdgePage,
    Paper,
    Resolution,
)
from .schema import RecordRefused, checked_record

__all__ = [
    "EMBEDDING_DECIMALS",
    "RECOMMENDATIONS_KEY",
    "SCHEMA_VERSION",
    "Direction",
    "EdgeRecord",
    "RecommendationRecord",
    "RecordKind",
    "Records",
    "Store",
    "StoredRecord",
    "from_record",
    "parse_utc",
    "rounded",
    "to_record",
]

log = logging.getLogger(__name__)

#: bumped whenever the table layout or a record's JSON shape changes
SCHEMA_VERSION = 1

RecordKind = Literal["paper", "resolution", "citations", "references", "arxiv", "recommendations",
                     "paging"]
Direction = Literal["citations", "references"]

#: the single recommendations record: the list as a whole is its subject
RECOMMENDATIONS_KEY = "list"

#: SPECTER v2 values carry ~17 significant digits; 6 decimals keep cosine similarities exact to
#: ~1e-6 while cutting each 768-float embedding line (and every re-fetch diff) roughly in half.
#: Rounded as a paper enters the store, so the store, the snapshot and every export built from
#: either hold the same values.
EMBEDDING_DECIMALS = 6

_SCHEMA = """
CREATE TABLE records (
    source     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    request    TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
"""

T = TypeVar("T")


# --------------------------------------------------------------------------- model <-> JSON


def to_record(obj: Any) -> Any:
    """Return a JSON-ready value for a model instance (recursively: dataclasses, tuples, scalars).

    Dataclasses become dicts keyed by field name, tuples become lists; nothing else changes.

    Examples
    --------
    >>> from rsvlm_graph.models import Author
    >>> to_record(Author("Ada Lovelace", "42"))
    {'name': 'Ada Lovelace', 's2_author_id': '42'}
    """
    # called for every field of every record a snapshot seeds: scalars return at once
    cls: Any = type(obj)  # Any: mypy takes type[Any] for unhashable
    if cls in _SCALARS:
        return obj
    if (names := _field_names(cls)) is not None:
        return {name: to_record(getattr(obj, name)) for name in names}
    if isinstance(obj, (tuple, list)):
        return [item if type(item) in _SCALARS else to_record(item) for item in obj]
    return obj


_SCALARS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of a dataclass, ``None`` for any other class (looked up once per class)."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


def from_record(kind: type[T], data: Any) -> T:
    """Rebuild a model of class ``kind`` from :func:`to_record` output, guided by its type hints.

    Raises
    ------
    TypeError, ValueError
        When ``data`` does not fit the class (missing or unknown field, wrong shape); callers
        turn this into a :class:`~rsvlm_graph.errors.StoreError` that names the file.

    Examples
    --------
    >>> from rsvlm_graph.models import Citation
    >>> from_record(Citation, {"citing": "a", "cited": "b", "is_influential": True, "intents": ["x"]})
    Citation(citing='a', cited='b', is_influential=True, intents=('x',))
    """
    record: T = _converter(cast(Any, kind))(data)  # mypy takes type[T] for unhashable
    return record


@functools.cache
def _converter(tp: Any) -> Callable[[Any], Any]:
    """Build, once per type, the function that turns JSON of that type back into values."""
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        fields = {f.name: _converter(hints[f.name]) for f in dataclasses.fields(tp)}

        def build(value: Any) -> Any:
            if not isinstance(value, dict):
                raise TypeError(f"{tp.__name__} needs an object, got {type(value).__name__}")
            if unknown := set(value) - set(fields):
                raise TypeError(f"{tp.__name__} has no field(s) {sorted(unknown)}")
            return tp(**{name: fields[name](item) for name, item in value.items()})

        return build
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        (inner,) = (_converter(a) for a in args if a is not type(None))
        return lambda value: None if value is None else inner(value)
    if origin is tuple:
        variadic = len(args) == 2 and args[1] is Ellipsis
        items = [_converter(args[0])] if variadic else [_converter(a) for a in args]

        def build_tuple(value: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise TypeError(f"expected a list, got {type(value).__name__}")
            if variadic:
                return tuple(map(items[0], value))
            if len(items) != len(value):
                raise ValueError(f"expected {len(items)} items, got {len(value)}")
            return tuple(convert(item) for convert, item in zip(items, value))

        return build_tuple
    if tp is float:
        # JSON writes 2.0 as 2.0, but a hand-edited or foreign file may say 2
        return lambda value: float(value) if type(value) is int else value
    return lambda value: value




def rounded(paper: Paper) -> Paper:
    """``paper`` with its embedding rounded to :data:`EMBEDDING_DECIMALS`, as it is stored."""
    if paper.embedding is None:
        return paper
    return dataclasses.replace(
        paper, embedding=tuple(round(x, EMBEDDING_DECIMALS) for x in paper.embedding))


def _papers(papers: Iterable[Paper]) -> Any:
    return to_record(tuple(map(rounded, papers)))


def parse_utc(text: str) -> datetime:
    """A stored ``fetched_at`` as an aware datetime (a date without zone is UTC)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- the SQLite store


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """One row of the store: a fetched record and its provenance."""

    source: str
    kind: str
    key: str
    request: str
    fetched_at: str
    data: Any


@dataclass(frozen=True, slots=True)
class EdgeRecord:
    """The citations or references of one paper, as fetched, with the other papers' metadata.

    A record of an interrupted paging (:meth:`Store.get_paging`) has ``next_offset``: the page
    to go on from; its ``fetched_at`` is when that paging began.
    """

    citations: tuple[Citation, ...]
    papers: tuple[Paper, ...]
    truncated: bool
    fetched_at: str  # when the pages were last fetched: the last full check
    count: int | None = None  # the paper's citationCount / referenceCount they were fetched at
    next_offset: int | None = None


@dataclass(frozen=True, slots=True)
class RecommendationRecord:
    """One recommendations answer and the positive/negative S2 ids it was asked for."""

    positive: tuple[str, ...]
    negative: tuple[str, ...] | None  # None: imported from a snapshot, which does not say
    papers: tuple[Paper, ...]
    fetched_at: str


class Records(Protocol):
    """What reading an enrichment asks of the store.

    :class:`Store` is one; :class:`~rsvlm_graph.snapshot.SnapshotView` (the store with the
    snapshot over it, written nowhere) is the one offline commands read.
    """

    def has(self, kind: RecordKind, key: str) -> bool: ...

    def is_fresh(self, kind: RecordKind, key: str, max_age_days: float, now: datetime) -> bool: ...

    def recommendations_fresh(self, max_age_days: float, now: datetime) -> bool: ...

    def get_paper(self, s2_paper_id: str) -> Paper | None: ...

    def get_resolution(self, entry_key: str) -> Resolution | None: ...

    def get_edges(self, direction: Direction, s2_paper_id: str) -> EdgeRecord | None: ...

    def get_paging(self, direction: Direction, s2_paper_id: str) -> EdgeRecord | None: ...

    def has_paging(self, direction: Direction, s2_paper_id: str) -> bool: ...

    def get_arxiv(self, arxiv_id: str) -> ArxivRecord | None: ...

    def get_recommendations(self) -> RecommendationRecord | None: ...


class Store:
    """Every record fetched from Semantic Scholar and arXiv, in one SQLite file.

    Writes go through one transaction per batch of records (WAL journal), so a run killed
    half-way keeps everything it stored before. Use as a context manager or call :meth:`close`.

    Parameters
    ----------
    path : Path
        The database file; its directory is created. ``Settings.database_path`` is the default.

    Raises
    ------
    StoreError
        When the file is not a readable database of this schema; deleting it only costs a refetch.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._depth = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._error(f"cannot open: {exc}") from exc
        try:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._error(f"unreadable database: {exc}") from exc

    def _error(self, problem: str) -> StoreError:
        return StoreError(
            f"{self.path}: {problem}; it is only a cache: delete it to refetch everything"
        )

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        tables = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version != 0 or tables:
            self._conn.close()
            raise self._error(f"schema version {version}, this rsvlm-graph reads {SCHEMA_VERSION}")
        with self._transaction():
            self._conn.execute(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- transactions

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        outermost = self._depth == 0
        if outermost:
            self._conn.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if outermost:
                self._conn.execute("ROLLBACK")
            raise
        self._depth -= 1
        if outermost:
            self._conn.execute("COMMIT")

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group the puts inside the ``with`` block into one transaction (all or nothing)."""
        try:
            with self._transaction():
                yield
        except sqlite3.Error as exc:
            raise self._error(f"cannot write: {exc}") from exc

    # ---- generic rows

    def put(self, records: Iterable[StoredRecord]) -> None:
        """Insert or replace ``records`` in one transaction."""
        rows = [
            (r.source, r.kind, r.key, r.request, r.fetched_at, json.dumps(r.data, sort_keys=True))
            for r in records
        ]
        with self.batch():
            self._conn.executemany(
                "INSERT OR REPLACE INTO records (source, kind, key, request, fetched_at, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def get(self, kind: RecordKind, key: str) -> StoredRecord | None:
        """Return the stored record of ``kind`` under ``key``, or ``None``."""
        try:
            row = self._conn.execute(
                "SELECT source, kind, key, request, fetched_at, data FROM records"
                " WHERE kind = ? AND key = ?",
                (kind, key),
            ).fetchone()
        except sqlite3.Error as exc:
            raise self._error(f"unreadable database: {exc}") from exc
        if row is None:
            return None
        try:
            data = json.loads(row[5])
        except json.JSONDecodeError as exc:
            raise self._error(f"record {kind} {key!r} is not JSON ({exc})") from exc
        source, kind_, key_, request, fetched_at = row[:5]
        return StoredRecord(source, kind_, key_, request, fetched_at, data=data)

    def has(self, kind: RecordKind, key: str) -> bool:
        """Whether a record of ``kind`` is stored under ``key``, however old."""
        row = self._conn.execute(
            "SELECT 1 FROM records WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return row is not None

    def is_fresh(self, kind: RecordKind, key: str, max_age_days: float, now: datetime) -> bool:
        """Whether a record of ``kind`` under ``key`` was fetched less than ``max_age_days`` ago.

        A missing record is not fresh; a record dated after ``now`` (clock skew) is.
        """
        row = self._conn.execute(
            "SELECT fetched_at FROM records WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        if row is None:
            return False
        return now - parse_utc(row[0]) < timedelta(days=max_age_days)

    def _typed(self, kind: RecordKind, key: str, cls: type[T], *, dated: bool = False) -> T | None:
        """The record of ``kind`` under ``key`` as ``cls``, checked as the snapshot reader checks.

        A bad field is dropped with a warning; a record that is no record any more (its id is
        bad) is ``None``, as if missing, so it is fetched or imported again. Either means the
        store disagrees with what the snapshot reader accepts (a record stored by an older
        version): the warning says how to reset it. ``dated``: the row's ``fetched_at`` is a
        field of ``cls``.
        """
        try:
            row = self._conn.execute(
                "SELECT fetched_at, data FROM records WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
        except sqlite3.Error as exc:
            raise self._error(f"unreadable database: {exc}") from exc
        if row is None:
            return None
        fetched_at, text = row
        if dated:  # the stored object, with its row's date as one more field
            inner = text.strip()[1:-1].strip()
            text = "{" + f'"fetched_at": {json.dumps(fetched_at)}' + (f", {inner}" if inner else "") + "}"
        where = (f"{kind} {key} in the store {self.path} (to reset it, delete the file: it is "
                 "rebuilt from kg/snapshot.jsonl and the APIs)")
        try:
            record: T = checked_record(cls, text, where)
        except RecordRefused as exc:
            log.warning("%s: record ignored", exc)
            return None
        return record

    # ---- typed records

    def put_papers(
        self, papers: Sequence[Paper], *, request: str, fetched_at: str, keys: Sequence[str] = ()
    ) -> None:
        """Store full paper records, under ``keys`` (the ids asked for) or their own S2 ids."""
        keys = keys or [p.s2_paper_id for p in papers]
        self.put(
            StoredRecord("semanticscholar", "paper", key, request, fetched_at,
                         to_record(rounded(paper)))
            for key, paper in zip(keys, papers, strict=True)
        )

    def get_paper(self, s2_paper_id: str) -> Paper | None:
        return self._typed("paper", s2_paper_id, Paper)

    def put_resolution(self, resolution: Resolution, *, request: str, fetched_at: str) -> None:
        """Store how a list entry was resolved (keyed by the entry's node id)."""
        self.put([StoredRecord("semanticscholar", "resolution", resolution.entry_key, request,
                               fetched_at, to_record(resolution))])

    def get_resolution(self, entry_key: str) -> Resolution | None:
        return self._typed("resolution", entry_key, Resolution)

    def put_edges(
        self,
        direction: Direction,
        s2_paper_id: str,
        citations: Sequence[Citation],
        papers: Sequence[Paper],
        truncated: bool,
        *,
        request: str,
        fetched_at: str,
        count: int | None = None,
    ) -> None:
        """Store the ``citations`` or ``references`` of one paper, with the other papers' data
        and the paper's count they were fetched at (what a refresh compares to skip pages).

        The complete list replaces any interrupted paging of it (:meth:`put_paging`).
        """
        data = {
            "citations": to_record(tuple(citations)),
            "papers": _papers(papers),
            "truncated": truncated,
            "count": count,
        }
        with self.batch():
            self.put([StoredRecord("semanticscholar", direction, s2_paper_id, request,
                                   fetched_at, data)])
            self._conn.execute("DELETE FROM records WHERE kind = 'paging' AND key = ?",
                               (_paging_key(direction, s2_paper_id),))

    def get_edges(self, direction: Direction, s2_paper_id: str) -> EdgeRecord | None:
        return self._typed(direction, s2_paper_id, EdgeRecord, dated=True)

    def put_paging(
        self,
        direction: Direction,
        s2_paper_id: str,
        page: EdgePage,
        *,
        request: str,
        fetched_at: str,
        count: int | None = None,
    ) -> None:
        """Keep the pages an interrupted paging read (``page.next_offset`` is where it stopped),
        apart from the last complete list, which stays as it is until the paging is finished.

        ``fetched_at`` is when the paging began and ``count`` the paper's count then: the
        complete list keeps both, so a list that moved meanwhile is fetched whole again.
        """
        if page.next_offset is None:
            raise ValueError("put_paging keeps an interrupted paging: next_offset is needed")
        data = {
            "citations": to_record(page.citations),
            "papers": _papers(page.papers),
            "truncated": page.truncated,
            "count": count,
            "next_offset": page.next_offset,
        }
        self.put([StoredRecord("semanticscholar", "paging", _paging_key(direction, s2_paper_id),
                               request, fetched_at, data)])

    def get_paging(self, direction: Direction, s2_paper_id: str) -> EdgeRecord | None:
        """The interrupted paging of one paper's list, or ``None`` when none is pending."""
        return self._typed("paging", _paging_key(direction, s2_paper_id), EdgeRecord, dated=True)

    def has_paging(self, direction: Direction, s2_paper_id: str) -> bool:
        return self.has("paging", _paging_key(direction, s2_paper_id))

    def put_arxiv(self, records: Sequence[ArxivRecord], *, request: str, fetched_at: str) -> None:
        self.put(
            StoredRecord("arxiv", "arxiv", r.arxiv_id, request, fetched_at, to_record(r))
            for r in records
        )

    def get_arxiv(self, arxiv_id: str) -> ArxivRecord | None:
        return self._typed("arxiv", arxiv_id, ArxivRecord)

    def put_recommendations(
        self,
        positive: Sequence[str],
        negative: Sequence[str] | None,
        papers: Sequence[Paper],
        *,
        request: str,
        fetched_at: str,
    ) -> None:
        data = {
            "positive": list(positive),
            "negative": None if negative is None else list(negative),
            "papers": _papers(papers),
        }
        self.put([StoredRecord("semanticscholar", "recommendations", RECOMMENDATIONS_KEY,
                               request, fetched_at, data)])

    def get_recommendations(self) -> RecommendationRecord | None:
        return self._typed("recommendations", RECOMMENDATIONS_KEY, RecommendationRecord,
                           dated=True)

    def recommendations_fresh(self, max_age_days: float, now: datetime) -> bool:
        return self.is_fresh("recommendations", RECOMMENDATIONS_KEY, max_age_days, now)

    def stamps(self) -> dict[tuple[str, str], str]:
        """``fetched_at`` of every record by ``(kind, key)``, in one query (no record is read)."""
        try:
            rows = self._conn.execute("SELECT kind, key, fetched_at FROM records").fetchall()
        except sqlite3.Error as exc:
            raise self._error(f"unreadable database: {exc}") from exc
        return {(kind, key): fetched_at for kind, key, fetched_at in rows}


def _paging_key(direction: Direction, s2_paper_id: str) -> str:
    return f"{direction}:{s2_paper_id}"
