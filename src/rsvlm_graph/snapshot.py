"""The committed snapshot ``kg/snapshot.jsonl``: every record on file about the lists in ``kg/``.

The snapshot is a dump of the store's records of the lists (:func:`~rsvlm_graph.records.select`),
one line per record or citation, each written by :mod:`rsvlm_graph.codec` exactly as the store
keeps it, fetch dates and all: seeding a store from it is a copy, and writing it again from
that store gives the same bytes. Lines are sorted, so ``git diff`` shows what changed.

Reading (:func:`check_snapshot`) checks every line against its schema; one bad line never stops
a run: it is skipped (or read without its bad fields) with a ``path:line`` warning, what it held
is marked to be fetched again, and the rewrite keeps it in ``snapshot.jsonl.rejected``. A file
of the first format (no header line) is read by :mod:`rsvlm_graph.snapshot_v1`.
``docs/snapshot.md`` describes the format and the rules.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from .codec import (
    DIRECTIONS,
    KINDS,
    RECOMMENDATIONS_KEY,
    Direction,
    Edge,
    Row,
    edge_fields,
    edge_from_model,
    edge_schema,
    failure_key,
    fields_text,
    list_count,
    row_fields,
    row_from_model,
    row_schema,
)
from .errors import StoreError
from .files import write_atomic
from .models import PHASES, Enrichment, Failure, Phase, iso_utc
from .records import Rows, Selection, accepted_ids, enrichment, parse_utc
from .schema import RecordRefused, checked_model, json_loads

__all__ = [
    "FORMAT_VERSION",
    "CheckedSnapshot",
    "SnapshotChange",
    "UnreadLine",
    "check_snapshot",
    "compare",
    "keep_unread",
    "read_snapshot",
    "rejected_path",
    "snapshot_lines",
    "write_snapshot",
]

log = logging.getLogger(__name__)

#: the format this version writes: the first line says it
FORMAT_VERSION = 2
_HEADER = json.dumps({"type": "snapshot", "key": "format", "version": FORMAT_VERSION})
#: the date of records a snapshot does not date (a first-format list, a refetch mark without
#: any dated record beside it)
EPOCH = "1970-01-01T00:00:00Z"


# --------------------------------------------------------------------------- writing


def _line(kind: str, key: str, fields: Mapping[str, Any]) -> str:
    # "type" and "key" lead each line so it reads at a glance; every other key is sorted
    text = fields_text(fields)
    head = f'{{"type": {json.dumps(kind)}, "key": {json.dumps(key, ensure_ascii=False)}'
    return head + (", " + text[1:] if text != "{}" else "}")


def snapshot_lines(selection: Selection) -> list[str]:
    """The lines of the snapshot holding ``selection``: the header, then every record and
    citation, sorted by type, key and line."""
    lines: list[tuple[str, str, str]] = [
        (r.kind, r.key, _line(r.kind, r.key, row_fields(r))) for r in selection.rows]
    lines += [("citation", e.key, _line("citation", e.key, edge_fields(e)))
              for e in selection.edges]
    return [_HEADER, *(line for _, _, line in sorted(lines))]


def write_snapshot(path: Path, selection: Selection) -> None:
    """Write ``selection`` as the committed snapshot, atomically; the same records always give
    the same bytes.

    Raises
    ------
    StoreError
        When the file cannot be written.
    """
    path = Path(path)
    text = "".join(line + "\n" for line in snapshot_lines(selection))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    except OSError as exc:
        raise StoreError(f"{path}: cannot write the snapshot: {exc}") from exc


# --------------------------------------------------------------------------- reading


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
    (in ``rows`` too) that have what those held fetched again; ``format`` is the version read."""

    rows: Rows = Rows()
    unread: tuple[UnreadLine, ...] = ()
    refetch: tuple[Row, ...] = ()
    format: int = FORMAT_VERSION


#: the head every line is written with: still readable in a line whose end is broken
_HEAD = re.compile(r'^\{"type": "([a-z]+)", "key": "((?:[^"\\]|\\.)*)"')


def rejected_path(path: Path) -> Path:
    """Where a rewrite of the snapshot at ``path`` keeps the lines it could not read as written."""
    return path.with_name(path.name + ".rejected")


class LineReader:
    """Reads the lines of one snapshot format: ``schemas`` gives each line type's schema."""

    def __init__(self, path: Path, schemas: Mapping[str, type[BaseModel]]) -> None:
        self.path = path
        self.schemas = schemas
        union: Any = functools.reduce(lambda a, b: a | b, schemas.values())  # type: ignore[arg-type, return-value]
        tagged: Any = Annotated[union, Field(discriminator="type")]  # a type built at run time
        self._any: TypeAdapter[Any] = TypeAdapter(tagged)
        self.unread: list[UnreadLine] = []
        self.number = 0  # the line of the model last given

    def models(self, lines: Iterator[tuple[int, bytes]]) -> Iterator[BaseModel]:
        """The schema instance of every line that holds a record (its bad fields dropped);
        each line not read as written is warned about and kept in :attr:`unread`."""
        for number, line in lines:
            if not line.strip():
                continue
            self.number = number
            try:
                yield self._any.validate_json(line)
            except ValidationError:
                model, bad = self._checked(number, line.rstrip(b"\r\n"))
                self.unread.append(bad)
                if model is not None:
                    yield model

    def _checked(self, number: int, raw: bytes) -> tuple[BaseModel | None, UnreadLine]:
        text = raw.decode("utf-8", errors="backslashreplace")
        head = _HEAD.match(text)
        kind, key = (head.group(1), json.loads(f'"{head.group(2)}"')) if head else (None, None)
        kind = kind if kind in self.schemas else None
        where = f"{self.path}:{number}"
        dropped: list[str] = []
        try:
            try:
                value = json_loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise RecordRefused(f"not UTF-8 (byte {exc.start} of the line)") from exc
            except json.JSONDecodeError as exc:
                raise RecordRefused(f"not JSON ({exc})") from exc
            if not isinstance(value, dict):
                raise RecordRefused(f"a JSON {type(value).__name__}, not a record")
            line_type, key = value.get("type"), value.get("key")
            if line_type not in self.schemas:
                kind = None
                raise RecordRefused(f"unknown record type {line_type!r}")
            kind = str(line_type)
            model = checked_model(self.schemas[kind], text, f"{where}: {kind} {key}",
                                  dropped=dropped)
        except RecordRefused as exc:
            problem = str(exc).removeprefix(f"{where}: ")
            if kind is None:
                consequence = ("its type cannot be read, so the next `rsvlm-graph enrich` "
                               "fetches every citation list and the recommendations again")
            else:
                consequence = f"the next `rsvlm-graph enrich` fetches the {kind} {key} again"
            log.warning("%s: %s; line skipped, every other line is used: %s and, rewriting the "
                        "snapshot, keeps the line in %s", where, problem, consequence,
                        rejected_path(self.path))
            return None, UnreadLine(number, text, problem, kind,
                                    key if isinstance(key, str) else None, False)
        return model, UnreadLine(number, text, "; ".join(dropped), kind,
                                 key if isinstance(key, str) else None, True)


@functools.cache
def _schemas() -> dict[str, type[BaseModel]]:
    schemas: dict[str, type[BaseModel]] = {kind: row_schema(kind, line=True) for kind in KINDS}
    schemas["citation"] = edge_schema()
    return schemas


def check_snapshot(path: Path) -> CheckedSnapshot:
    """Read the snapshot at ``path``; a missing file holds nothing.

    Every line is checked against its record's schema. One bad line never stops a run: a field
    of the wrong type or out of range is dropped and the rest of the record used; a line that
    is no record at all (not JSON, not UTF-8, an unknown ``type``, a bad or missing id, date or
    title) is skipped. Either is a warning naming ``path:line``. What such a line held is marked
    to be fetched again (:func:`_refetch`): a ``failure`` of the paper, list, arXiv record or
    recommendations it belongs to, as a failed refresh leaves them, so the next ``enrich``
    fetches them before it rewrites the file; the rewrite keeps the lines in
    :func:`rejected_path` (:func:`keep_unread`). A file without the header line is of the first
    format: :func:`rsvlm_graph.snapshot_v1.read_v1` reads it.

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
    with handle:  # line by line: at 1M citations the text alone is hundreds of MiB
        try:
            lines = enumerate(handle, start=1)
            first = next(lines, None)
            if first is None:
                return CheckedSnapshot()
            if first[1].rstrip(b"\r\n") != _HEADER.encode():
                from .snapshot_v1 import read_v1

                return read_v1(path, itertools.chain([first], lines))
            return _read(path, lines)
        except OSError as exc:
            raise StoreError(f"{path}: cannot read the snapshot: {exc}") from exc


def read_snapshot(path: Path) -> Enrichment:
    """Everything the snapshot at ``path`` holds, as one ``Enrichment`` (for readers of the file
    alone: the analyses of a benchmark, a test of what a run wrote)."""
    rows = check_snapshot(path).rows
    edges = {e.key: e for found in rows.edges.values() for e in found}
    selection = Selection(tuple(sorted(rows.rows.values(), key=lambda r: (r.kind, r.key))),
                          tuple(edges[k] for k in sorted(edges)))
    return enrichment(selection)


def _read(path: Path, lines: Iterator[tuple[int, bytes]]) -> CheckedSnapshot:
    reader = LineReader(path, _schemas())
    rows: list[Row] = []
    edges: list[Edge] = []
    seen: dict[tuple[str, str], int] = {}
    for model in reader.models(lines):
        kind, key = model.type, model.key  # type: ignore[attr-defined]
        if (first := seen.setdefault((kind, key), reader.number)) != reader.number:
            log.warning("%s:%d: a second %s line of %s (the first at line %d): the later one is "
                        "read, the next rewrite keeps one", path, reader.number, kind, key, first)
        if kind == "citation":
            edges.append(edge_from_model(model))
        else:
            rows.append(row_from_model(kind, key, model))
    return checked(path, reader, rows, edges)


def checked(path: Path, reader: LineReader, rows: list[Row], edges: list[Edge],
            format: int = FORMAT_VERSION) -> CheckedSnapshot:
    """The snapshot of the ``rows`` and ``edges`` read, with the marks that have what the
    lines ``reader`` could not read fetched again (:func:`refetch_marks`)."""
    read = Rows.of(rows, edges)
    marks = refetch_marks(path, reader.unread, read)
    if marks:
        read = Rows.of([*rows, *marks], edges)
    return CheckedSnapshot(read, tuple(reader.unread), tuple(marks), format)


def just_after(stamp: str) -> str:
    """A second after ``stamp``: the date of a failure that must stand beside a record of that
    date (a record fetched at or after a failure settles it)."""
    return iso_utc(parse_utc(stamp) + timedelta(seconds=1))


def refetch_marks(path: Path, unread: Sequence[UnreadLine], read: Rows) -> list[Row]:
    """Failures that make the next ``enrich`` fetch again what the ``unread`` lines held.

    A list paper's citation or reference list is fetched whole, its paper, an arXiv record or
    the recommendations again; a line whose type cannot be read could have held anything:
    every list (but those of a paper counted without any) and the recommendations. A
    resolution, a list paper or an arXiv record that is missing altogether is fetched anyway.
    The failures are dated a second after the newest record read: newer than every record
    they mark (a record as new settles a failure), and the file they are written into stays
    the same for the same lines.
    """
    if not unread:
        return []
    rows = read.rows
    accepted = set(accepted_ids(r.record for (kind, _), r in rows.items() if kind == "resolution"))
    marks: dict[tuple[str, Phase], UnreadLine] = {}

    def lists(s2_ids: set[str], direction: Direction, line: UnreadLine) -> None:
        for s2_id in sorted(s2_ids & accepted):
            marks.setdefault((s2_id, direction), line)

    def holding(other: str) -> Iterator[tuple[Direction, str]]:
        for (direction, owner), edges in read.edges.items():
            if any(other in (e.citation.citing, e.citation.cited) for e in edges):
                yield direction, owner

    for line in unread:
        key = line.key or ""
        if line.kind is None:
            for direction in DIRECTIONS:
                counted = {s for s in accepted if _count(rows, s, direction) != 0}
                lists(counted, direction, line)
            marks.setdefault((RECOMMENDATIONS_KEY, "recommendations"), line)
        elif line.kind == "paper" and key in accepted:
            marks.setdefault((key, "metadata"), line)
        elif line.kind in ("paper", "linked"):
            for direction, owner in holding(key):
                lists({owner}, direction, line)
            recommended = rows.get(("recommendations", RECOMMENDATIONS_KEY))
            if recommended is not None and key in recommended.record.ranked:
                marks.setdefault((RECOMMENDATIONS_KEY, "recommendations"), line)
        elif line.kind == "citation":
            citing, _, cited = key.partition(">")
            lists({cited}, "citations", line)
            lists({citing}, "references", line)
        elif line.kind in DIRECTIONS or line.kind == "paging":
            way, _, s2_id = key.partition(":") if line.kind == "paging" else (line.kind, "", key)
            for direction in DIRECTIONS:
                if direction == way:
                    lists({s2_id}, direction, line)
        elif line.kind == "truncated":  # the first format's mark of a citation list
            lists({key}, "citations", line)
        elif line.kind in ("recommendations", "recommendation"):
            marks.setdefault((RECOMMENDATIONS_KEY, "recommendations"), line)
        elif line.kind == "arxiv":
            marks.setdefault((key, "arxiv"), line)
        elif line.kind == "failure":
            subject, _, failed = key.partition("|")
            for phase in PHASES[1:]:  # a resolution missing is resolved anyway
                if phase == failed:
                    marks.setdefault((subject, phase), line)
    stamp = just_after(max((r.fetched_at for r in rows.values()), default=EPOCH))
    failures = [Failure(subject, phase, f"{path}:{line.number}: {line.kind or 'a'} line not read "
                        f"as written (the rewrite keeps it in {rejected_path(path)}); fetched "
                        "again by the next enrich")
                for (subject, phase), line in marks.items()]
    return [Row("failure", failure_key(f), stamp, f) for f in failures]


def _count(rows: Mapping[tuple[str, str], Row], s2_id: str, direction: Direction) -> int | None:
    paper = rows.get(("paper", s2_id))
    return None if paper is None else list_count(paper.record, direction)


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
        kept = {json_loads(line).get("text") for line in old.splitlines() if line.strip()}
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


# --------------------------------------------------------------------------- what a rewrite changes


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


def compare(previous: Rows, new: Selection) -> SnapshotChange:
    """Count what ``new`` holds against the ``previous`` snapshot and name why records went.

    A list paper goes when its entry left the list; a citation goes with it, or because the
    refetched list of a paper still listed no longer has it.
    """
    kinds: Callable[[Row], bool] = lambda r: r.kind in ("paper", "linked")  # noqa: E731
    before_papers = {r.key for r in previous.rows.values() if kinds(r)}
    before_edges = {e.key: e.citation for found in previous.edges.values() for e in found}
    entries = {r.key for r in new.rows if r.kind == "resolution"}
    resolutions = [r.record for (kind, _), r in previous.rows.items() if kind == "resolution"]
    gone = tuple(sorted(r.entry_key for r in resolutions if r.entry_key not in entries))
    gone_ids = {r.s2_paper_id for r in resolutions if r.entry_key in gone and r.s2_paper_id}
    kept = {e.key for e in new.edges}
    dropped = [c for key, c in before_edges.items() if key not in kept]
    with_removed = sum(1 for c in dropped if c.citing in gone_ids or c.cited in gone_ids)
    return SnapshotChange(
        papers_before=len(before_papers), papers_after=len(new.of_kind("paper")) + len(
            new.of_kind("linked")),
        citations_before=len(before_edges), citations_after=len(new.edges),
        left_the_list=gone, citations_dropped_by_api=len(dropped) - with_removed,
        citations_of_removed=with_removed,
    )

