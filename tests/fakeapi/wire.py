"""What every route of the fake shares: answers as bytes, parameters read as the real APIs read
them, and the real limits with their sources (SYNTHETIC data only ever goes through here)."""

from __future__ import annotations

import json
from typing import Any

__all__ = [
    "Answer",
    "BadParam",
    "CITATION_CAP",
    "NESTED_BUDGET",
    "PAPER_FIELD_NAMES",
    "RESPONSE_MAX_BYTES",
    "S2_ENDPOINTS",
    "SINGLE_NESTED_CAP",
    "TOO_LARGE",
    "TOO_MANY_REQUESTS",
    "UnknownField",
    "check_fields",
    "error",
    "fields_of",
    "int_param",
    "json_body",
]

#: every top-level paper field the real Graph API accepts
PAPER_FIELD_NAMES = frozenset({
    "paperId", "corpusId", "externalIds", "url", "title", "abstract", "venue",
    "publicationVenue", "year", "referenceCount", "citationCount", "influentialCitationCount",
    "isOpenAccess", "openAccessPdf", "fieldsOfStudy", "s2FieldsOfStudy", "publicationTypes",
    "publicationDate", "journal", "citationStyles", "authors", "citations", "references",
    "embedding", "tldr",
})
AUTHOR_FIELDS = frozenset({"authorId", "name", "url", "affiliations", "homepage", "paperCount",
                           "citationCount", "hIndex", "externalIds"})
EDGE_FIELDS = ("contexts", "intents", "isInfluential", "contextsWithIntent")
#: the API serves no citation past offset + limit = 9999 (the package lowers limit to stay below)
CITATION_CAP = 10_000
#: the nested citations one batch answer holds, all its papers together: the OpenAPI spec's
#: ``/paper/batch`` ("Can only return up to 9999 citations at a time"), and allenai/s2-folks
#: issue #199: 55 papers asked, two answered 8,667 and 1,332 citations (= 9,999), the others []
#: with no sign of a cut, and the two were not the first in input order. Whether references
#: share it is not known: the fake takes the worse case, they do
NESTED_BUDGET = 9_999
#: the nested citations (or references) of one paper a single ``GET /paper/{id}`` holds: the
#: recorded ``semanticscholar/Paper.json`` has citationCount 10,059 and exactly 1,000 of them
SINGLE_NESTED_CAP = 1_000
#: the real API's answer size limit ("Can only return up to 10 MB of data at a time")
RESPONSE_MAX_BYTES = 10 * 1024 * 1024
#: the real 429 body of the shared pool (as users of the keyless API report it verbatim)
TOO_MANY_REQUESTS = {
    "message": "Too Many Requests. Please wait and try again or apply for a key for higher rate "
               "limits. https://www.semanticscholar.org/product/api#api-key-form",
    "code": "429",
}
#: the 400 of an answer past ``max_response_bytes``; the OpenAPI Error400 gives the text
#: "Response would exceed maximum size...." followed by suggestions to split or page
TOO_LARGE = ("Response would exceed maximum size. Please break the request into smaller batches "
             "or make use of the limit and offset features.")
#: endpoints served by the S2 host (those the shared pool counts)
S2_ENDPOINTS = frozenset({"paper", "batch", "match", "bulk", "citations", "references",
                          "recommendations"})

#: (HTTP status, Content-Type, body) of one answer
Answer = tuple[int, str, bytes]


class UnknownField(Exception):
    """A ``fields`` name the endpoint does not serve (the route answers 400 naming them all)."""


class BadParam(Exception):
    """A parameter that is no number where one is wanted."""


def json_body(status: int, payload: Any) -> Answer:
    return status, "application/json", (json.dumps(payload) + "\n").encode()


def error(status: int, message: str) -> Answer:
    return json_body(status, {"error": message})


def fields_of(query: dict[str, list[str]]) -> list[str]:
    raw = query.get("fields", ["title"])[0]
    return [f.strip() for f in raw.split(",") if f.strip()]


def int_param(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return int(query.get(name, [default])[0])
    except ValueError:
        raise BadParam(name) from None


def check_fields(fields: list[str], allowed: frozenset[str], edge: bool = False) -> None:
    """Raise ``UnknownField`` naming every field of ``fields`` the endpoint does not serve."""
    bad = []
    for name in fields:
        top, _, sub = name.partition(".")
        if edge and top in EDGE_FIELDS and not sub:
            continue
        known = top in allowed and (
            not sub or (top == "authors" and sub in AUTHOR_FIELDS)
            or top in ("embedding", "citations", "references"))
        if not known:
            bad.append(name)
    if bad:
        raise UnknownField(", ".join(bad))
