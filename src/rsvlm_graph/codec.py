"""The one encoding of every record on file: rows of the store and lines of the snapshot alike.

A record on file is a :class:`Row` (its kind, key, fetch date and the frozen record of
:mod:`rsvlm_graph.models` it holds) or an :class:`Edge` (one citation, dated by the lists that
hold it). Each row is written as one JSON object of its fields, ``fetched_at`` among them, keys
sorted at every depth: that text is the store's ``data`` column and, after ``{"type": kind,
"key": key,``, the snapshot's line, so seeding a store from the snapshot copies the text and
writing the snapshot from the store gives back the same bytes. Everything read back is checked
by :mod:`rsvlm_graph.schema` (one bad field costs that field, a bad id the record).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from .models import (
    ArxivRecord,
    Citation,
    EdgeList,
    Failure,
    Paging,
    Paper,
    Phase,
    Recommendations,
    Resolution,
)
from .schema import Stamp, as_record, checked_model, record_schema

__all__ = [
    "DIRECTIONS",
    "EMBEDDING_DECIMALS",
    "KINDS",
    "KIND_OF",
    "PHASE_OF",
    "RECOMMENDATIONS_KEY",
    "Direction",
    "Edge",
    "Kind",
    "Row",
    "edge_fields",
    "edge_schema",
    "failure_key",
    "failure_key_of",
    "failure_of",
    "fields_text",
    "list_count",
    "owner",
    "paging_key",
    "row_fields",
    "row_from_model",
    "row_schema",
    "rounded",
]

Kind = Literal["resolution", "paper", "linked", "citations", "references", "paging", "arxiv",
               "recommendations", "failure"]
Direction = Literal["citations", "references"]
DIRECTIONS: tuple[Direction, ...] = ("citations", "references")

#: the record class each kind of row holds. ``paper``: a list paper's full record, under the id
#: it was asked by; ``linked``: a paper at the other end of a citation, or recommended, with the
#: basic metadata those calls return; ``citations``/``references``: one paper's list (its edges
#: are :class:`Edge` values); ``paging``: the pages an interrupted paging read
KINDS: dict[Kind, type] = {
    "resolution": Resolution,
    "paper": Paper,
    "linked": Paper,
    "citations": EdgeList,
    "references": EdgeList,
    "paging": Paging,
    "arxiv": ArxivRecord,
    "recommendations": Recommendations,
    "failure": Failure,
}

#: the single recommendations record: the list as a whole is its subject
RECOMMENDATIONS_KEY = "list"

#: the enrichment phase that fetches each kind of record: the phase of its failures
PHASE_OF: dict[Kind, Phase] = {
    "resolution": "resolve", "paper": "metadata", "citations": "citations",
    "references": "references", "arxiv": "arxiv", "recommendations": "recommendations",
}
#: the kind of record each phase fetches
KIND_OF: dict[str, Kind] = {phase: kind for kind, phase in PHASE_OF.items()}

#: SPECTER v2 values carry ~17 significant digits; 6 decimals keep cosine similarities exact to
#: ~1e-6 while cutting each 768-float embedding line (and every re-fetch diff) roughly in half.
#: Rounded as a paper enters the store, so the store, the snapshot and every export built from
#: either hold the same values.
EMBEDDING_DECIMALS = 6


@dataclass(frozen=True, slots=True)
class Row:
    """One record on file: ``record`` is an instance of ``KINDS[kind]``; ``fetched_at`` (ISO
    8601 UTC) is when its source answered (a list's: its last full check; a failure's: when it
    failed). A paper's or arXiv record's own ``fetched_at`` is the row's."""

    kind: Kind
    key: str
    fetched_at: str
    record: Any


@dataclass(frozen=True, slots=True)
class Edge:
    """One citation on file and the lists holding it: ``"citations"`` when it is in the cited
    paper's citation list, ``"references"`` when in the citing paper's reference list."""

    citation: Citation
    lists: tuple[Direction, ...]  # sorted, each once

    @property
    def key(self) -> str:
        return f"{self.citation.citing}>{self.citation.cited}"


def paging_key(direction: Direction, s2_paper_id: str) -> str:
    return f"{direction}:{s2_paper_id}"


def failure_key_of(subject: str, phase: str) -> str:
    """The key of the failure row of ``subject`` in ``phase``: ``subject|phase``."""
    return f"{subject}|{phase}"


def failure_key(failure: Failure) -> str:
    return failure_key_of(failure.subject, failure.phase)


def failure_of(row: Row) -> str | None:
    """The key of the failure row a record settles (``None``: it settles none)."""
    phase = PHASE_OF.get(row.kind)
    if phase is None:
        return None
    subject = RECOMMENDATIONS_KEY if row.kind == "recommendations" else row.key
    return failure_key_of(subject, phase)


def owner(citation: Citation, direction: Direction) -> str:
    """The paper whose list of ``direction`` holds ``citation``: the cited paper's citation
    list, the citing paper's reference list."""
    return citation.cited if direction == "citations" else citation.citing


def list_count(paper: Paper, direction: Direction) -> int | None:
    """The count the API gives of ``paper``'s list of ``direction``."""
    return paper.citation_count if direction == "citations" else paper.reference_count


def rounded(paper: Paper) -> Paper:
    """``paper`` with its embedding rounded to :data:`EMBEDDING_DECIMALS`, as it is kept."""
    if paper.embedding is None:
        return paper
    return dataclasses.replace(
        paper, embedding=tuple(round(x, EMBEDDING_DECIMALS) for x in paper.embedding))


# --------------------------------------------------------------------------- encoding


def _plain(value: Any) -> Any:
    """A record as JSON-ready values: dataclasses as dicts, tuples and sets as lists."""
    cls: Any = type(value)
    if cls in _SCALARS:
        return value
    if (names := _field_names(cls)) is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, (tuple, list)):
        return [item if type(item) in _SCALARS else _plain(item) for item in value]
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


def row_fields(row: Row) -> dict[str, Any]:
    """The fields of a row as written: its record's, and ``fetched_at``."""
    return {**_plain(row.record), "fetched_at": row.fetched_at}


def edge_fields(edge: Edge) -> dict[str, Any]:
    """The fields of an edge as a snapshot line writes them (the store keeps them as columns)."""
    citation = edge.citation
    intents = None if citation.intents is None else list(citation.intents)
    return {"is_influential": citation.is_influential, "intents": intents,
            "lists": list(edge.lists)}


def fields_text(fields: Mapping[str, Any]) -> str:
    """The one text of a record's fields: keys sorted at every depth, UTF-8 as it is."""
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


# --------------------------------------------------------------------------- decoding


@functools.cache
def row_schema(kind: Kind, *, line: bool = False) -> type[BaseModel]:
    """The schema of a row of ``kind``: its record's, with ``fetched_at`` required; a snapshot
    line's (``line``) has its ``type`` and ``key`` besides."""
    extra: dict[str, Any] = {"fetched_at": (Stamp, ...)}
    if line:
        extra |= {"type": (Literal[kind], ...), "key": (str, ...)}
    return record_schema(KINDS[kind], **extra)


@functools.cache
def edge_schema() -> type[BaseModel]:
    """The schema of a snapshot's ``citation`` line: its key names both papers."""
    from pydantic import Field

    return record_schema(_EdgeFields, type=(Literal["citation"], ...),
                         key=(str, Field(pattern=r"^[0-9a-f]{40}>[0-9a-f]{40}$")),
                         lists=(tuple[Direction, ...], Field(min_length=1, max_length=2)))


@dataclass(frozen=True, slots=True)
class _EdgeFields:
    """A citation line's own fields: the papers are its key."""

    is_influential: bool | None = False
    intents: tuple[str, ...] | None = ()


def row_from_model(kind: Kind, key: str, model: BaseModel) -> Row:
    """The row a validated schema instance (:func:`row_schema`) describes."""
    return Row(kind, key, model.fetched_at, as_record(model))  # type: ignore[attr-defined]


def edge_from_model(model: BaseModel) -> Edge:
    """The edge a validated ``citation`` line (:func:`edge_schema`) describes."""
    citing, _, cited = model.key.partition(">")  # type: ignore[attr-defined]
    fields: _EdgeFields = as_record(model)
    lists = tuple(sorted(set(model.lists)))  # type: ignore[attr-defined]
    return Edge(Citation(citing, cited, fields.is_influential, fields.intents), lists)


def checked_row(kind: Kind, key: str, text: str, where: str) -> Row:
    """The row of the ``data`` text of a store row, each bad field dropped with a warning.

    Raises
    ------
    RecordRefused
        When the record cannot do without what is wrong (its id, its date).
    """
    return row_from_model(kind, key, checked_model(row_schema(kind), text, where))
