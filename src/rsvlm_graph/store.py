"""The SQLite cache of every fetched record: the rows of :mod:`rsvlm_graph.codec`, and edges.

:class:`Store` (SQLite, in the user's cache directory) keeps every record a source returned as
a :class:`~rsvlm_graph.codec.Row` (its kind, key, fetch date and fields, with the ``request``
that produced it) and every citation as an :class:`~rsvlm_graph.codec.Edge` with the lists
holding it, so a re-run inside the freshness window asks nothing and a run killed half-way
loses nothing already fetched. The ``data`` of a row is the codec's text of its fields, the
same text the snapshot writes: seeding from the snapshot is a copy. A record put replaces the
failure of the same record (:func:`~rsvlm_graph.codec.failure_of`), and a complete list its interrupted paging.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .codec import (
    DIRECTIONS,
    Direction,
    Edge,
    Kind,
    Row,
    checked_row,
    failure_of,
    fields_text,
    owner,
    paging_key,
    row_fields,
)
from .errors import StoreError
from .models import Citation
from .schema import RecordRefused

__all__ = ["SCHEMA_VERSION", "Store"]

log = logging.getLogger(__name__)

#: bumped whenever the table layout or a record's JSON shape changes
SCHEMA_VERSION = 2

_SCHEMA = (
    """CREATE TABLE records (
        kind       TEXT NOT NULL,
        key        TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        request    TEXT NOT NULL,
        data       TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID""",
    # lists: 1 in the cited paper's citation list, 2 in the citing paper's reference list;
    # is_influential -1 and intents 'null': not known (a citation served nested in a batch)
    """CREATE TABLE edges (
        citing         TEXT NOT NULL,
        cited          TEXT NOT NULL,
        lists          INTEGER NOT NULL,
        is_influential INTEGER NOT NULL,
        intents        TEXT NOT NULL,
        PRIMARY KEY (citing, cited)
    ) WITHOUT ROWID""",
    "CREATE INDEX edges_by_cited ON edges (cited)",
)

_BIT: dict[Direction, int] = {"citations": 1, "references": 2}
#: the column naming the paper whose list of that direction holds the edge
_OWNER: dict[Direction, str] = {"citations": "cited", "references": "citing"}
#: an edge told again keeps what either list said (``Citation.merged``): what one knows where
#: the other does not, influential if one says so, its intents from the list that gives any
_UPSERT = """INSERT INTO edges (citing, cited, lists, is_influential, intents) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (citing, cited) DO UPDATE SET
        lists = lists | excluded.lists,
        is_influential = CASE WHEN excluded.is_influential = -1 THEN is_influential
                              WHEN is_influential = -1 THEN excluded.is_influential
                              ELSE max(is_influential, excluded.is_influential) END,
        intents = CASE WHEN excluded.intents = 'null' THEN intents
                       WHEN excluded.intents = '[]' AND intents <> 'null' THEN intents
                       ELSE excluded.intents END"""



class Store:
    """Every record fetched from Semantic Scholar and arXiv, in one SQLite file.

    Writes go through one transaction per call, or per :meth:`batch` (WAL journal), so a run
    killed half-way keeps everything it stored before. Use as a context manager or call
    :meth:`close`.

    Parameters
    ----------
    path : Path
        The database file; its directory is created. ``Settings.database_path`` is the default.
        A file of an earlier layout is moved aside (``….v1``), with a warning: it is a cache,
        rebuilt from ``kg/snapshot.jsonl`` and the APIs.

    Raises
    ------
    StoreError
        When the file is not a readable database; deleting it only costs a refetch.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._depth = 0
        self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise self._error(f"cannot open: {exc}") from exc
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.Error as exc:
            conn.close()
            raise self._error(f"unreadable database: {exc}") from exc
        if version == SCHEMA_VERSION:
            return conn
        conn.close()
        if version > SCHEMA_VERSION:
            raise self._error(f"schema version {version}, this rsvlm-graph reads {SCHEMA_VERSION}")
        if version or tables:
            aside = self.path.with_name(f"{self.path.name}.v{version}")
            log.warning("%s: a store of an earlier layout (version %d), moved to %s; the records "
                        "are taken from kg/snapshot.jsonl and the APIs again", self.path, version,
                        aside)
            for suffix in ("", "-wal", "-shm"):
                old = self.path.with_name(self.path.name + suffix)
                if old.exists():
                    old.replace(aside.with_name(aside.name + suffix))
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("BEGIN IMMEDIATE")
        for statement in _SCHEMA:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
        return conn

    def _error(self, problem: str) -> StoreError:
        return StoreError(
            f"{self.path}: {problem}; it is only a cache: delete it to refetch everything"
        )

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- transactions

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group the writes inside the ``with`` block into one transaction (all or nothing)."""
        outermost = self._depth == 0
        try:
            if outermost:
                self._conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                if outermost:
                    self._conn.execute("ROLLBACK")
                raise
            finally:
                self._depth -= 1
            if outermost:
                self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(f"cannot write: {exc}") from exc

    # ---- rows

    def put(self, rows: Iterable[Row], *, request: str, settle: bool = True) -> None:
        """Insert or replace ``rows``; each settles the failure of the same record, unless
        ``settle`` is false (a copy, failures and all)."""
        values, settled = [], []
        for row in rows:
            values.append((row.kind, row.key, row.fetched_at, request,
                           fields_text(row_fields(row))))
            if settle and (failure := failure_of(row)) is not None:
                settled.append(("failure", failure))
        with self.batch():
            self._conn.executemany(
                "INSERT OR REPLACE INTO records (kind, key, fetched_at, request, data)"
                " VALUES (?, ?, ?, ?, ?)", values)
            self._conn.executemany("DELETE FROM records WHERE kind = ? AND key = ?", settled)

    def delete(self, kind: Kind, keys: Iterable[str]) -> None:
        with self.batch():
            self._conn.executemany("DELETE FROM records WHERE kind = ? AND key = ?",
                                   [(kind, key) for key in keys])

    def row(self, kind: Kind, key: str) -> Row | None:
        """The row of ``kind`` under ``key``, checked as the snapshot's lines are.

        A bad field is dropped with a warning; a record that is no record any more (its id is
        bad) is ``None``, as if missing, so it is fetched or imported again. Either means the
        store disagrees with what the snapshot reader accepts: the warning says how to reset it.
        """
        try:
            found = self._conn.execute(
                "SELECT data FROM records WHERE kind = ? AND key = ?", (kind, key)).fetchone()
        except sqlite3.Error as exc:
            raise self._error(f"unreadable database: {exc}") from exc
        if found is None:
            return None
        where = (f"{kind} {key} in the store {self.path} (to reset it, delete the file: it is "
                 "rebuilt from kg/snapshot.jsonl and the APIs)")
        try:
            return checked_row(kind, key, found[0], where)
        except RecordRefused as exc:
            log.warning("%s: record ignored", exc)
            return None

    def stamps(self) -> dict[tuple[str, str], str]:
        """``fetched_at`` of every row by ``(kind, key)``, in one query (no record is read)."""
        try:
            rows = self._conn.execute("SELECT kind, key, fetched_at FROM records").fetchall()
        except sqlite3.Error as exc:
            raise self._error(f"unreadable database: {exc}") from exc
        return {(kind, key): fetched_at for kind, key, fetched_at in rows}

    # ---- lists and their edges

    def put_list(self, direction: Direction, s2_paper_id: str, header: Row,
                 citations: Sequence[Citation], papers: Sequence[Row], *, request: str) -> None:
        """Put one paper's complete list: its ``header`` (an ``EdgeList`` row), its citations
        (replacing the ones the list held before) and the ``linked`` rows of the papers at
        their other end. The list's interrupted paging, if any, is done with."""
        with self.batch():
            self._replace_edges(direction, [s2_paper_id],
                                (Edge(c, (direction,)) for c in citations))
            self.put([header, *papers], request=request)
            self.delete("paging", [paging_key(direction, s2_paper_id)])

    def _replace_edges(self, direction: Direction, owners: Sequence[str],
                       edges: Iterable[Edge]) -> None:
        bit, owner = _BIT[direction], _OWNER[direction]
        marks = [(o,) for o in owners]
        self._conn.executemany(
            f"UPDATE edges SET lists = lists & ~{bit} WHERE {owner} = ? AND lists & {bit}", marks)
        self._conn.execute("DELETE FROM edges WHERE lists = 0")
        self._conn.executemany(_UPSERT, (_columns(edge) for edge in edges))

    def list_edges(self, direction: Direction, s2_paper_id: str) -> list[Edge]:
        """The edges of one paper's list, with every list holding each."""
        try:
            found = self._conn.execute(
                f"SELECT citing, cited, lists, is_influential, intents FROM edges"
                f" WHERE {_OWNER[direction]} = ? AND lists & {_BIT[direction]}",
                (s2_paper_id,)).fetchall()
        except sqlite3.Error as exc:
            raise self._error(f"unreadable database: {exc}") from exc
        return [_edge(*columns) for columns in found]

    def seed(self, rows: Sequence[Row], edges: Sequence[Edge], *, request: str) -> None:
        """Copy ``rows`` (newer than the store's) and the edges of the lists among them, as
        :meth:`put_list` would put each list: one transaction."""
        seeded = {d: [r.key for r in rows if r.kind == d] for d in DIRECTIONS}
        wanted = {d: set(keys) for d, keys in seeded.items()}
        with self.batch():
            for direction in DIRECTIONS:
                self._replace_edges(direction, seeded[direction], ())
            self._conn.executemany(_UPSERT, (
                _columns(Edge(e.citation, lists)) for e in edges
                if (lists := tuple(d for d in e.lists
                                   if owner(e.citation, d) in wanted[d]))))
            self.delete("paging", [paging_key(d, k) for d in DIRECTIONS for k in seeded[d]])
            self.put(rows, request=request, settle=False)


def _columns(edge: Edge) -> tuple[str, str, int, int, str]:
    c = edge.citation
    influential = -1 if c.is_influential is None else int(c.is_influential)
    intents = json.dumps(None if c.intents is None else list(c.intents), ensure_ascii=False)
    return c.citing, c.cited, sum(_BIT[d] for d in edge.lists), influential, intents


def _edge(citing: str, cited: str, lists: int, influential: int, intents: str) -> Edge:
    held = tuple(d for d in DIRECTIONS if lists & _BIT[d])
    said = json.loads(intents)
    return Edge(Citation(citing, cited, None if influential == -1 else bool(influential),
                         None if said is None else tuple(said)), held)
