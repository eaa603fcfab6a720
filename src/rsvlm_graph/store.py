"""The SQLite cache of every fetched record, and the committed ``kg/snapshot.jsonl``.

Two stores with two jobs:

- :class:`Store` (SQLite, in the user's cache directory) keeps every record a source returned,
  with where it came from (``source``, ``kind``, ``key``, the ``request`` that produced it and
  ``fetched_at``), so a re-run inside the freshness window asks nothing and a run killed half-way
  loses nothing already fetched.
- The snapshot (JSON Lines, committed in ``kg/``) is one :class:`~rsvlm_graph.models.Enrichment`
  written so that ``git diff`` shows what changed between two enrichments; ``docs/snapshot.md``
  describes its format.

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
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, TypeVar

from .errors import StoreError
from .models import (
    ArxivRecord,
    Citation,
    Enrichment,
    Failure,
    Paper,
    Resolution,
    iso_utc,
)

__all__ = [
    "SCHEMA_VERSION",
    "EMBEDDING_DECIMALS",
    "RecordKind",
    "Direction",
    "StoredRecord",
    "EdgeRecord",
    "RecommendationRecord",
    "Store",
    "to_record",
    "from_record",
    "sorted_enrichment",
    "write_snapshot",
    "read_snapshot",
]

log = logging.getLogger(__name__)

#: bumped whenever the table layout or a record's JSON shape changes
SCHEMA_VERSION = 1
#: SPECTER v2 values carry ~17 significant digits; 6 decimals keep cosine similarities exact to
#: ~1e-6 while cutting each 768-float embedding line (and every re-fetch diff) roughly in half
EMBEDDING_DECIMALS = 6

RecordKind = Literal["paper", "resolution", "citations", "references", "arxiv", "recommendations"]
Direction = Literal["citations", "references"]

#: the date given to imported records the snapshot does not date at all
_EPOCH = "1970-01-01T00:00:00Z"
#: the single recommendations record: the list as a whole is its subject
_RECOMMENDATIONS_KEY = "list"

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
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_record(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (tuple, list)):
        return [to_record(item) for item in obj]
    return obj


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
    return _converter(kind)(data)


@functools.cache
def _converter(tp: Any) -> Callable[[Any], Any]:
    """Build, once per type, the function that turns JSON of that type back into values."""
    if dataclasses.is_dataclass(tp):
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




def _parse_utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


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
    """The citations or references of one paper, as fetched, with the other papers' metadata."""

    citations: tuple[Citation, ...]
    papers: tuple[Paper, ...]
    truncated: bool
    fetched_at: str  # when the pages were last fetched: the last full check
    count: int | None = None  # the paper's citationCount / referenceCount they were fetched at


@dataclass(frozen=True, slots=True)
class RecommendationRecord:
    """One recommendations answer and the positive/negative S2 ids it was asked for."""

    positive: tuple[str, ...]
    negative: tuple[str, ...] | None  # None: imported from a snapshot, which does not say
    papers: tuple[Paper, ...]
    fetched_at: str


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
        return StoredRecord(*row[:5], data=data)

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
        return now - _parse_utc(row[0]) < timedelta(days=max_age_days)

    def _model(self, kind: RecordKind, key: str, cls: type[T], data: Any) -> T:
        try:
            return from_record(cls, data)
        except (TypeError, ValueError) as exc:
            raise self._error(f"record {kind} {key!r} does not fit {cls.__name__} ({exc})") from exc

    # ---- typed records

    def put_papers(
        self, papers: Sequence[Paper], *, request: str, fetched_at: str, keys: Sequence[str] = ()
    ) -> None:
        """Store full paper records, under ``keys`` (the ids asked for) or their own S2 ids."""
        keys = keys or [p.s2_paper_id for p in papers]
        self.put(
            StoredRecord("semanticscholar", "paper", key, request, fetched_at, to_record(paper))
            for key, paper in zip(keys, papers, strict=True)
        )

    def get_paper(self, s2_paper_id: str) -> Paper | None:
        record = self.get("paper", s2_paper_id)
        return None if record is None else self._model("paper", s2_paper_id, Paper, record.data)

    def put_resolution(self, resolution: Resolution, *, request: str, fetched_at: str) -> None:
        """Store how a list entry was resolved (keyed by the entry's node id)."""
        self.put([StoredRecord("semanticscholar", "resolution", resolution.entry_key, request,
                               fetched_at, to_record(resolution))])

    def get_resolution(self, entry_key: str) -> Resolution | None:
        record = self.get("resolution", entry_key)
        if record is None:
            return None
        return self._model("resolution", entry_key, Resolution, record.data)

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
        and the paper's count they were fetched at (what a refresh compares to skip pages)."""
        data = {
            "citations": to_record(tuple(citations)),
            "papers": to_record(tuple(papers)),
            "truncated": truncated,
            "count": count,
        }
        self.put([StoredRecord("semanticscholar", direction, s2_paper_id, request, fetched_at,
                               data)])

    def get_edges(self, direction: Direction, s2_paper_id: str) -> EdgeRecord | None:
        record = self.get(direction, s2_paper_id)
        if record is None:
            return None
        data = {**record.data, "fetched_at": record.fetched_at}
        return self._model(direction, s2_paper_id, EdgeRecord, data)

    def put_arxiv(self, records: Sequence[ArxivRecord], *, request: str, fetched_at: str) -> None:
        self.put(
            StoredRecord("arxiv", "arxiv", r.arxiv_id, request, fetched_at, to_record(r))
            for r in records
        )

    def get_arxiv(self, arxiv_id: str) -> ArxivRecord | None:
        record = self.get("arxiv", arxiv_id)
        return None if record is None else self._model("arxiv", arxiv_id, ArxivRecord, record.data)

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
            "papers": to_record(tuple(papers)),
        }
        self.put([StoredRecord("semanticscholar", "recommendations", _RECOMMENDATIONS_KEY,
                               request, fetched_at, data)])

    def get_recommendations(self) -> RecommendationRecord | None:
        record = self.get("recommendations", _RECOMMENDATIONS_KEY)
        if record is None:
            return None
        data = {**record.data, "fetched_at": record.fetched_at}
        return self._model("recommendations", _RECOMMENDATIONS_KEY, RecommendationRecord, data)

    def recommendations_fresh(self, max_age_days: float, now: datetime) -> bool:
        return self.is_fresh("recommendations", _RECOMMENDATIONS_KEY, max_age_days, now)

    # ---- seeding from the committed snapshot

    def import_enrichment(self, enrichment: Enrichment) -> int:
        """Seed the store from a snapshot, so a fresh clone does not refetch what is committed.

        A record goes in only where the store has none or an older one. The snapshot keeps no
        request text and no date for resolutions or citation lists: a resolution and a list
        paper's citation lists are dated like its paper record (they are fetched in the same
        run), a resolution without a paper like the snapshot's newest record (the run that
        tried it). Lists whose fetch failed in that run are left out rather than stored empty.
        Returns the number of records written.
        """
        papers = {p.s2_paper_id: p for p in enrichment.papers}
        accepted = sorted({r.s2_paper_id for r in enrichment.resolutions
                           if r.s2_paper_id and not r.doubtful})
        failed = {(f.subject, f.phase) for f in enrichment.failures}
        dated = {s2_id: papers[s2_id].fetched_at for s2_id in accepted
                 if s2_id in papers and papers[s2_id].fetched_at}
        newest = max((p.fetched_at for p in papers.values() if p.fetched_at), key=_parse_utc,
                     default=_EPOCH)
        # (source, kind, key, fetched_at, data): data is built only for the records that go in,
        # since this runs before every offline command and a warm store takes none of them
        offered: list[tuple[str, str, str, str, Callable[[], Any]]] = [
            ("semanticscholar", "resolution", r.entry_key,
             dated.get(r.s2_paper_id or "", newest), functools.partial(to_record, r))
            for r in enrichment.resolutions if self.get("resolution", r.entry_key) is None
        ]
        offered += [("semanticscholar", "paper", s2_id, fetched_at,
                     functools.partial(to_record, papers[s2_id]))
                    for s2_id, fetched_at in dated.items()]
        edges_at: dict[tuple[str, str], list[Citation]] = {}
        for citation in enrichment.citations:
            edges_at.setdefault(("citations", citation.cited), []).append(citation)
            edges_at.setdefault(("references", citation.citing), []).append(citation)
        truncated = set(enrichment.truncated)

        def edge_data(direction: str, s2_id: str) -> dict[str, Any]:
            edges = edges_at.get((direction, s2_id), [])
            others = sorted({c.citing if direction == "citations" else c.cited for c in edges})
            paper = papers[s2_id]
            return {
                "citations": to_record(edges),
                "papers": to_record([papers[o] for o in others if o in papers]),
                "truncated": direction == "citations" and s2_id in truncated,
                # fetched in the run that fetched the paper: at the count it holds
                "count": paper.citation_count if direction == "citations" else paper.reference_count,
            }

        offered += [("semanticscholar", direction, s2_id, fetched_at,
                     functools.partial(edge_data, direction, s2_id))
                    for direction in ("citations", "references")
                    for s2_id, fetched_at in dated.items() if (s2_id, direction) not in failed]
        offered += [("arxiv", "arxiv", a.arxiv_id, a.fetched_at, functools.partial(to_record, a))
                    for a in enrichment.arxiv if a.fetched_at]
        recommended = [papers[s2_id] for s2_id in enrichment.recommendations if s2_id in papers]
        stamps = [p.fetched_at for p in recommended if p.fetched_at]
        if stamps:
            offered.append(("semanticscholar", "recommendations", _RECOMMENDATIONS_KEY,
                            min(stamps, key=_parse_utc),
                            lambda: {"positive": accepted, "negative": None,
                                     "papers": to_record(recommended)}))
        newer = []
        for source, kind, key, fetched_at, data in offered:
            fetched_at = iso_utc(_parse_utc(fetched_at))
            if self._older_or_missing(kind, key, fetched_at):
                newer.append(StoredRecord(source, kind, key, "imported from the snapshot",
                                          fetched_at, data()))
        self.put(newer)
        log.info("imported %d of %d snapshot records into %s", len(newer), len(offered), self.path)
        return len(newer)

    def _older_or_missing(self, kind: str, key: str, fetched_at: str) -> bool:
        row = self._conn.execute(
            "SELECT fetched_at FROM records WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return row is None or _parse_utc(row[0]) < _parse_utc(fetched_at)


# --------------------------------------------------------------------------- the snapshot

_SNAPSHOT_TYPES: dict[str, type] = {
    "arxiv": ArxivRecord,
    "citation": Citation,
    "failure": Failure,
    "paper": Paper,
    "resolution": Resolution,
}


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


def _round_embedding(paper: Paper) -> Paper:
    if paper.embedding is None:
        return paper
    rounded = tuple(round(x, EMBEDDING_DECIMALS) for x in paper.embedding)
    return dataclasses.replace(paper, embedding=rounded)


def _snapshot_lines(enrichment: Enrichment) -> list[str]:
    rows: list[tuple[str, str, dict[str, Any]]] = []
    rows += [("resolution", r.entry_key, to_record(r)) for r in enrichment.resolutions]
    rows += [("paper", p.s2_paper_id, to_record(_round_embedding(p))) for p in enrichment.papers]
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
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8", newline="\n")
        tmp.replace(path)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the snapshot: {exc}") from exc


def read_snapshot(path: Path) -> Enrichment:
    """Read a snapshot written by :func:`write_snapshot`; a missing file is an empty enrichment.

    Raises
    ------
    StoreError
        When the file cannot be read or a line is not a snapshot record; the message names the
        file and line (fix the line, or re-run ``enrich`` to rewrite the file).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Enrichment()
    except (OSError, UnicodeDecodeError) as exc:
        raise StoreError(f"{path}: cannot read the snapshot: {exc}") from exc
    parts: dict[str, list[Any]] = {t: [] for t in (*_SNAPSHOT_TYPES, "recommendation", "truncated")}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            kind = record.pop("type")
            record.pop("key")
            if kind in _SNAPSHOT_TYPES:
                parts[kind].append(from_record(_SNAPSHOT_TYPES[kind], record))
            elif kind in ("recommendation", "truncated"):
                parts[kind].append(str(record["s2_paper_id"]))
            else:
                raise ValueError(f"unknown record type {kind!r}")
        except (json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
            raise StoreError(
                f"{path}:{number}: not a snapshot record ({exc}); fix or delete the line, "
                "or re-run `rsvlm-graph enrich` to rewrite the snapshot"
            ) from exc
    return sorted_enrichment(
        Enrichment(
            resolutions=tuple(parts["resolution"]),
            papers=tuple(parts["paper"]),
            citations=tuple(parts["citation"]),
            arxiv=tuple(parts["arxiv"]),
            recommendations=tuple(parts["recommendation"]),
            failures=tuple(parts["failure"]),
            truncated=tuple(parts["truncated"]),
        )
    )
