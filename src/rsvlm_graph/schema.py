"""The shape every record must have where it enters: API answers, snapshot lines, store rows.

One bad value (a venue given as a number, a count as a string, a year of 20230) must cost that
value, not a traceback three modules later, and must never be kept: each boundary validates
against a pydantic schema here and gets back the record with every bad field dropped, while a
warning names the record (``path:line``, the store, or the S2 paper id) and the field.

- :func:`checked_s2_paper` — a Graph API paper object (batch entry, match, citing paper,
  recommendation), before ``semantic_scholar.paper_from_json`` reads it.
- :func:`checked_record` — one of the frozen records of :mod:`rsvlm_graph.models` (or a store
  row of several), from JSON text (snapshot lines, store rows) or from an instance built from an
  API answer (arXiv records).

The schemas are the dataclasses' own fields and type hints (strict: no string taken for a
number), with the value ranges and identifier forms of :data:`_RULES` on top.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from .errors import RsvlmGraphError
from .models import (
    ArxivRecord,
    Citation,
    EdgeList,
    Failure,
    Paging,
    Paper,
    Recommendations,
    Resolution,
)

__all__ = [
    "MAX_COUNT",
    "MAX_JSON_DEPTH",
    "S2_PAPER_ID",
    "Stamp",
    "checked_model",
    "checked_record",
    "json_loads",
    "checked_s2_paper",
    "record_schema",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: a Semantic Scholar paper id: 40 lower-case hex digits
S2_PAPER_ID = r"^[0-9a-f]{40}$"
S2Id = Annotated[str, Field(pattern=S2_PAPER_ID)]
#: the years a paper may be dated by (a publication year, a publication date's year)
YEARS = range(1000, 2201)
#: JSON nested deeper is refused wherever it enters: records are about 5 levels deep
MAX_JSON_DEPTH = 64
#: above any real count (the most cited paper has a few hundred thousand citations): a larger
#: one is a corrupt value, and would overflow GraphML's ``long`` and every per-year ratio
MAX_COUNT = 10**9


def json_loads(text: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for JSON read from outside (API answers, snapshot and history lines, store
    rows): text nested deeper than ``max_depth`` is a ``json.JSONDecodeError`` like any other
    malformed JSON, which each reader already turns into one line, never a ``RecursionError``
    (a line ``[[[…]]]`` 100,000 deep stopped every build).

    >>> json_loads('{"a": [1]}')
    {'a': [1]}
    >>> json_loads("[[[]]]", max_depth=2)
    Traceback (most recent call last):
    ...
    json.decoder.JSONDecodeError: nested deeper than 2 levels: line 1 column 1 (char 0)
    """
    try:
        value = json.loads(text)
    except RecursionError:
        value = None
    else:
        if not _depth_exceeds(value, max_depth):
            return value
    raise json.JSONDecodeError(f"nested deeper than {max_depth} levels", "", 0)


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether decoded JSON nests deeper than ``limit`` (iteratively: no recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _real_date(text: str) -> str:
    """A year, year-month or day that exists in the calendar (not 2023-13-45, not 2023-02-30)."""
    year, month, day = ([int(p) for p in text.split("-")] + [1, 1])[:3]
    if year not in YEARS:
        raise ValueError(f"year {year} is outside {YEARS.start}-{YEARS.stop - 1}")
    date(year, month, day)  # ValueError: "month must be in 1..12", "day is out of range …"
    return text


def _real_stamp(text: str) -> str:
    # the pattern has checked the form; this, that the day and the time exist (fast: 100k papers)
    datetime.fromisoformat(text[:-1])
    return text


#: ``models.iso_utc``: every fetched_at, arXiv's published and updated
Stamp = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"),
                  AfterValidator(_real_stamp)]
#: a publication date as S2 gives it: a year, a month or a day, each one of the calendar
PublicationDate = Annotated[str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
                            AfterValidator(_real_date)]
Year = Annotated[int, Field(ge=YEARS.start, lt=YEARS.stop)]
Count = Annotated[int, Field(ge=0, lt=MAX_COUNT)]
#: versionless, new style (2305.05726) or old style (math.GT/0309136, hep-th/9901001)
ArxivId = Annotated[str, Field(pattern=r"^(\d{4}\.\d{4,5}|[a-z][a-z-]*(\.[A-Za-z-]+)?/\d{7})$")]
EntryKey = Annotated[str, Field(pattern=r"^paper:\S+$")]
Similarity = Annotated[float, Field(ge=0.0, le=100.0)]

#: what the dataclasses' type hints cannot say, per record class and field
_RULES: dict[type, dict[str, Any]] = {
    Paper: {
        "s2_paper_id": S2Id, "fetched_at": Stamp | None, "year": Year | None,
        "publication_date": PublicationDate | None, "citation_count": Count | None,
        "influential_citation_count": Count | None, "reference_count": Count | None,
    },
    Citation: {"citing": S2Id, "cited": S2Id},
    ArxivRecord: {
        "arxiv_id": ArxivId, "fetched_at": Stamp | None, "published": Stamp | None,
        "updated": Stamp | None, "version": Annotated[int, Field(ge=1)] | None,
    },
    Resolution: {"entry_key": EntryKey, "s2_paper_id": S2Id | None, "score": Similarity | None},
    Failure: {},
    EdgeList: {"count": Count | None},
    Paging: {"next_offset": Annotated[int, Field(ge=0, lt=MAX_COUNT)], "count": Count | None},
    Recommendations: {"positive": tuple[S2Id, ...], "negative": tuple[S2Id, ...] | None,
                      "ranked": tuple[S2Id, ...]},
}


@dataclasses.dataclass(frozen=True, slots=True)
class PaperRef:
    """A record that is only a paper id (a snapshot's recommendation or truncated list)."""

    s2_paper_id: str


_RULES[PaperRef] = {"s2_paper_id": S2Id}


class RecordRefused(RsvlmGraphError, ValueError):
    """Raised when what is left of a record after dropping its bad fields is no record (its id
    is bad or missing); the message names where and why."""

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


# --------------------------------------------------------------------------- schemas


@functools.cache
def record_schema(cls: type, **extra: Any) -> type[BaseModel]:
    """The strict pydantic schema of a dataclass of records, with :data:`_RULES` applied.

    Fields holding other record classes (``Citation`` in a paging) use their schemas too.
    ``extra`` adds fields (a snapshot line's ``type`` and ``key``) or replaces the record's own
    (a row's ``fetched_at``, required): ``name=(type, default)``.
    """
    hints = typing.get_type_hints(cls)
    rules = _RULES.get(cls, {})
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        annotation = rules.get(f.name, _nested(hints[f.name]))
        if f.default is not dataclasses.MISSING:
            fields[f.name] = (annotation, f.default)
        elif f.default_factory is not dataclasses.MISSING:
            fields[f.name] = (annotation, f.default_factory())
        else:
            fields[f.name] = (annotation, ...)
    fields.update(extra)  # a row's fetched_at may be required where the record's is optional
    schema: type[BaseModel] = create_model(
        f"{cls.__name__}Schema", __config__=_STRICT, **fields)
    schema.__record__ = cls  # type: ignore[attr-defined]
    # the fields holding schemas of their own, to turn back into records: (name, is a tuple)
    schema.__nested__ = tuple(  # type: ignore[attr-defined]
        (name, typing.get_origin(annotation) is tuple)
        for name, (annotation, _) in fields.items() if _holds_schema(annotation))
    schema.__names__ = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[attr-defined]
    return schema


def _holds_schema(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_schema(a) for a in typing.get_args(annotation))


def _nested(annotation: Any) -> Any:
    """``annotation`` with every record class in it replaced by its schema."""
    if isinstance(annotation, type) and annotation in _RULES:
        return record_schema(annotation)
    args = typing.get_args(annotation)
    if not args:
        return annotation
    replaced: tuple[Any, ...] = tuple(_nested(a) if a is not Ellipsis else a for a in args)
    if replaced == args:
        return annotation
    origin = typing.get_origin(annotation)
    if origin is tuple:
        return tuple[replaced]  # type: ignore[valid-type]
    return functools.reduce(lambda a, b: a | b, replaced)  # a union


def as_record(value: BaseModel) -> Any:
    """A validated schema instance as the frozen dataclass it describes (recursively).

    Only the fields holding schemas are walked: an embedding's 768 floats are taken as they are.
    """
    schema = type(value)
    fields = value.__dict__
    values = {name: fields[name] for name in schema.__names__}  # type: ignore[attr-defined]
    for name, many in schema.__nested__:  # type: ignore[attr-defined]
        item = values[name]
        if many:
            values[name] = tuple(as_record(x) for x in item)
        elif item is not None:
            values[name] = as_record(item)
    return schema.__record__(**values)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- checking


def checked_record(
    cls: type[T], data: str | T, where: str, *, schema: type[BaseModel] | None = None,
    dropped: list[str] | None = None,
) -> T:
    """Return the record ``data`` describes, each bad field dropped with a warning.

    Parameters
    ----------
    cls : type
        A record dataclass (``Paper``, ``Citation``, a store row).
    data : str or cls
        JSON text (a snapshot line, a store row) or an instance built from an API answer.
    where : str
        Names the record in warnings: ``kg/snapshot.jsonl:12: paper 0f3c…``.
    schema : optional
        The schema to use instead of ``record_schema(cls)`` (one with a snapshot line's keys).
    dropped : list, optional
        Gets what each warning said was dropped (``field 'year' dropped (…)``), for a caller
        that keeps a note of the record as it was.

    Raises
    ------
    RecordRefused
        When a field the record cannot do without (its id) is bad or missing, or ``data`` is
        not a JSON object.

    Examples
    --------
    >>> checked_record(Citation, '{"citing": "' + "a" * 40 + '", "cited": "' + "b" * 40 +
    ...                '", "is_influential": "yes"}', "line 1").is_influential
    False
    """
    schema = schema or record_schema(typing.cast(type, cls))
    if not isinstance(data, str):
        data = json.dumps(_plain(data), ensure_ascii=False)
    return typing.cast(T, as_record(checked_model(schema, data, where, dropped=dropped)))


def checked_model(schema: type[BaseModel], data: str, where: str, *,
                  dropped: list[str] | None = None) -> BaseModel:
    """The schema instance of the JSON text ``data``, each bad field dropped with a warning;
    :func:`checked_record` without turning it into a record, for a caller that also reads the
    fields ``extra`` added to the schema (a snapshot line's ``key``, a row's ``fetched_at``).

    Raises
    ------
    RecordRefused
        As :func:`checked_record`.
    """
    try:
        return schema.model_validate_json(data)
    except ValidationError as exc:
        first = exc
    try:
        value = json_loads(data)
    except json.JSONDecodeError as exc:
        raise RecordRefused(f"{where}: not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise RecordRefused(f"{where}: not a record (a JSON {type(value).__name__})")
    model: BaseModel = _repaired(schema, value, first, where,
                                 lambda v: schema.model_validate_json(json.dumps(v)),
                                 dropped=dropped, validated=True)
    return model


def checked_s2_paper(data: Mapping[str, Any]) -> dict[str, Any]:
    """A Graph API paper object with each field of the wrong type or range dropped.

    The fields ``paper_from_json`` reads are checked (others pass as they are); a warning names
    the paper and each dropped field. A bad ``paperId`` is dropped too, which the reader then
    reports as a paper without an id.

    >>> checked_s2_paper({"paperId": "a" * 40, "venue": 7, "year": "2023", "title": "T"})
    {'paperId': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'title': 'T'}
    """
    value = dict(data)
    try:
        _S2Paper.model_validate(value)
        return value
    except ValidationError as exc:
        where = f"Semantic Scholar paper {value.get('paperId')}"
        return typing.cast(dict[str, Any],
                           _repaired(_S2Paper, value, exc, where, _S2Paper.model_validate, keep=True))


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (tuple, list)):
        return [_plain(item) for item in obj]
    return obj


#: fixes tried on one record before it is given up (each fix drops one field or item)
_MAX_FIXES = 1000


def _repaired(
    schema: type[BaseModel], value: Any, error: ValidationError, where: str,
    validate: Callable[[Any], Any], *, keep: bool = False, dropped: list[str] | None = None,
    validated: bool = False,
) -> Any:
    """Drop the field each validation error is in until ``value`` validates; warn per field.

    A field is a key of the record, or of a record inside it (one paper of a store row of
    citations): a bad author name drops ``authors``, not one author, and one bad number drops the
    whole embedding. A record whose required field (its id) is bad goes entirely; that is the
    end of the top-level record: :class:`RecordRefused`. ``keep``: return the repaired raw
    value (API objects) rather than the validated record, ``validated``: the schema instance;
    ``dropped`` gets each warning's text.
    """
    inner = _record_lists(schema)
    for _ in range(_MAX_FIXES):
        problem = error.errors()[0]
        path = list(problem["loc"])
        prefix = path[:2] if len(path) >= 2 and path[0] in inner and isinstance(path[1], int) else []
        field = path[len(prefix):len(prefix) + 1]
        owner, owner_schema = value, schema
        for step in prefix:
            owner = owner[step]
        if prefix:
            owner_schema = typing.get_args(schema.model_fields[str(prefix[0])].annotation)[0]
        known = owner_schema.model_fields.get(str(field[0])) if field else None
        optional = known is None or not known.is_required()  # unknown fields may go
        if optional and field and isinstance(owner, dict) and field[0] in owner:
            del owner[field[0]]
            note = f"field {_dotted(prefix + field)} dropped ({problem['msg']})"
        elif prefix:
            del value[prefix[0]][prefix[1]]
            note = f"{_dotted(prefix)} dropped ({_dotted(path[2:])}: {problem['msg'].lower()})"
        else:
            raise RecordRefused(f"{where}: {_dotted(path)} {problem['msg'].lower()}")
        log.warning("%s: %s", where, note)
        if dropped is not None:
            dropped.append(note)
        try:
            record = validate(value)
        except ValidationError as exc:
            error = exc
            continue
        return value if keep else record if validated else as_record(record)
    raise RecordRefused(f"{where}: too many bad fields")


def _record_lists(schema: type[BaseModel]) -> frozenset[str]:
    """Fields of ``schema`` that hold records of their own (the papers of a store row)."""
    names = set()
    for name, info in schema.model_fields.items():
        args = typing.get_args(info.annotation)
        if args and isinstance(args[0], type) and hasattr(args[0], "__record__"):
            names.add(name)
    return frozenset(names)


def _dotted(path: list[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return repr(text)


# --------------------------------------------------------------------------- the Graph API


class _Lenient(BaseModel):
    # types strict, other fields of the answer allowed: S2 adds fields over time
    model_config = ConfigDict(strict=True, extra="allow")


class _S2Author(_Lenient):
    authorId: str | None = None
    name: str | None = None


class _S2Text(_Lenient):
    model: str | None = None
    text: str | None = None


class _S2Pdf(_Lenient):
    url: str | None = None


class _S2Embedding(_Lenient):
    model: str | None = None
    vector: list[float] | None = None


class _S2Named(_Lenient):
    """A ``publicationVenue`` or ``journal`` object: only its ``name`` is read (the venue when
    ``venue`` is empty); the rest (``volume``, ``pages``, ``issn``, ``alternate_names``, …) is
    not, so its types cost nothing."""

    name: str | None = None


class _S2Paper(_Lenient):
    """The fields of a Graph API paper object that ``paper_from_json`` reads."""

    paperId: S2Id | None = None  # none at all: paper_from_json reports the paper without id
    title: str | None = None
    year: Year | None = None
    publicationDate: PublicationDate | None = None
    venue: str | None = None
    publicationVenue: _S2Named | None = None
    journal: _S2Named | None = None
    abstract: str | None = None
    tldr: _S2Text | None = None
    externalIds: dict[str, str | int | None] | None = None
    authors: list[_S2Author] | None = None
    citationCount: Count | None = None
    influentialCitationCount: Count | None = None
    referenceCount: Count | None = None
    fieldsOfStudy: list[str] | None = None
    openAccessPdf: _S2Pdf | None = None
    embedding: _S2Embedding | None = None
    matchScore: float | None = None

