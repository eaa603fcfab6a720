"""The fake Semantic Scholar Graph and Recommendations APIs: every S2 route, serving SYNTHETIC
records filtered by ``fields`` as the real API filters them.

Its limits are the real ones, each with its source (``wire.py``), and on unless a test turns
them off (``Realism``): a batch answer's nested lists share one budget of 9,999 citations, and
the papers past it get ``[]``, filled in an order that is not the input order; a single paper's
nested list holds at most 1,000; nested references are ``null`` for a paper whose publisher
elides them (``Corpus.elided_references``, as the recorded ``PaperWithNullValues.json``); an
answer past 10 MB is HTTP 400. ``/paper/search/bulk`` reads the documented query syntax
(``"a phrase" | word``, ``+``, ``-``, parentheses) and ``/citations`` the
``publicationDateOrYear`` filter (``2019-03-05:2020-06-06``, ``2019:``, ``:2020``).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from .corpus import Edge, real_venue_fields
from .wire import (
    CITATION_CAP,
    EDGE_FIELDS,
    PAPER_FIELD_NAMES,
    TOO_LARGE,
    Answer,
    BadParam,
    check_fields,
    error,
    fields_of,
    int_param,
    json_body,
)

if TYPE_CHECKING:
    from .server import FakeApi

__all__ = ["batch", "bulk_search", "edges", "match", "paper", "recommendations", "select"]

#: what the Recommendations API serves (its ``BasePaper``): no tldr, embedding or nested lists
_RECOMMENDATION_FIELD_NAMES = PAPER_FIELD_NAMES - {"tldr", "embedding", "citations",
                                                   "references"}
#: fields the real search endpoints (title match included) refuse with HTTP 400
_NOT_SEARCHABLE = frozenset({"tldr", "embedding"})
#: bulk search: "Nested paper data, such as citations, references, etc, is not available"
_NOT_IN_BULK = _NOT_SEARCHABLE | {"citations", "references"}
_BATCH_MAX = 500
_PAGE_MAX = 1000
_RECOMMEND_MAX = 500
_BULK_PAGE = 1000


# -- papers as the Graph API writes them -------------------------------------------------------


def select(api: FakeApi, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """``record`` reduced to ``fields`` as the Graph API does (``paperId`` always); the
    fields were checked by ``check_fields``. Nested lists are whole here: the routes cap them."""
    if api.realism.venues:
        record = {**record, **real_venue_fields(record)}
    out: dict[str, Any] = {"paperId": record.get("paperId")}
    nested: dict[str, list[str]] = {}
    for name in fields:
        top, _, sub = name.partition(".")
        if top in EDGE_FIELDS or top in api.faults.missing_fields:
            continue  # a property of the citation (edge_json), or a field left out on purpose
        if top == "embedding":
            # the default model of a bare "embedding" is specter_v1; only v2 is synthesised
            model = sub or "specter_v1"
            vector = api.corpus.embedding(record["paperId"]) if record.get("paperId") else None
            out["embedding"] = {"model": model, "vector": vector} if vector else None
        elif top == "authors":
            wanted = (sub,) if sub else ("name",)
            authors = record.get("authors")
            previous = out.get("authors")
            out["authors"] = None if authors is None else [
                {"authorId": a.get("authorId"), **(previous[i] if previous else {}),
                 **{k: a.get(k) for k in wanted}}
                for i, a in enumerate(authors)
            ]
        elif top in ("citations", "references"):
            nested.setdefault(top, []).append(sub or "title")
        else:
            out[top] = record.get(top)
    pid = record.get("paperId")
    for kind, subfields in nested.items():
        out[kind] = _nested(api, pid, kind, subfields) if pid else None
    return out


def _nested(api: FakeApi, pid: str, kind: str, subfields: list[str]) -> list[dict] | None:
    """A paper's whole nested list, in the order its ``/citations`` or ``/references`` pages
    serve it; ``None`` for references its publisher elides."""
    if kind == "references" and pid in api.corpus.elided_references \
            and api.realism.null_nested_references:
        return None
    corpus = api.corpus
    found = corpus.citations_of(pid) if kind == "citations" else corpus.references_of(pid)
    other = [e.citing if kind == "citations" else e.cited for e in found]
    return [select(api, corpus.papers[o], subfields) if o else {"paperId": None}
            for o in other]


def paper_json(api: FakeApi, pid: str, fields: list[str]) -> dict[str, Any]:
    return select(api, api.corpus.papers[pid], fields)


def edge_json(api: FakeApi, edge: Edge, side: str, fields: list[str]) -> dict[str, Any]:
    """One ``citations``/``references`` item; ``side`` is ``citing`` or ``cited``."""
    pid = edge.citing if side == "citing" else edge.cited
    if pid is None:
        nested = select(api, {"paperId": None, "title": edge.unresolved_title}, fields)
    else:
        nested = paper_json(api, pid, fields)
    item: dict[str, Any] = {}
    for name in EDGE_FIELDS:
        if name in fields:
            item[name] = {
                "contexts": list(edge.contexts),
                "intents": list(edge.intents),
                "isInfluential": edge.is_influential,
                "contextsWithIntent": [{"context": c, "intents": list(edge.intents)}
                                       for c in edge.contexts],
            }[name]
    item["citingPaper" if side == "citing" else "citedPaper"] = nested
    return item


def _sized(api: FakeApi, payload: Any) -> Answer:
    """A 200 answer, or the real 400 if it is larger than ``realism.max_response_bytes``."""
    answer = json_body(200, payload)
    limit = api.realism.max_response_bytes
    if limit is not None and len(answer[2]) > limit:
        return error(400, TOO_LARGE)
    return answer


def _budgeted(api: FakeApi, answers: list[dict[str, Any] | None]) -> None:
    """Cut the nested lists of one batch answer to the budget they share (``NESTED_BUDGET``),
    as the real API does: papers are filled in an order of its own, not the input order, the
    last one filled in part, every later one ``[]``; nothing says a list was cut."""
    budget = api.realism.nested_budget
    if budget is None:
        return
    order = sorted((i for i, a in enumerate(answers) if a is not None),
                   key=lambda i: hashlib.sha1(str(answers[i]["paperId"]).encode()).hexdigest())
    left = budget
    for i in order:
        answer = answers[i]
        assert answer is not None
        for kind in ("citations", "references"):
            items = answer.get(kind)
            if isinstance(items, list):
                answer[kind] = items[:left]
                left -= len(answer[kind])


# -- routes --------------------------------------------------------------------------------


def paper(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    sent = path[len("/graph/v1/paper/"):]
    pid = api.corpus.resolve(sent)
    if pid is None:  # before the fields: the recorded 404 was asked with fields "t,i,t,l,e"
        return error(404, f"Paper with id {sent} not found")
    fields = fields_of(query)
    check_fields(fields, PAPER_FIELD_NAMES)
    answer = paper_json(api, pid, fields)
    cap = api.realism.single_nested_cap
    for kind in ("citations", "references"):
        if cap is not None and isinstance(answer.get(kind), list):
            answer[kind] = answer[kind][:cap]
    return _sized(api, answer)


def batch(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    try:
        ids = json.loads(body or b"{}").get("ids")
    except ValueError:
        return error(400, "Body is not valid JSON")
    if not isinstance(ids, list) or not ids:
        return error(400, "Missing required 'ids' list in body")
    if len(ids) > _BATCH_MAX:
        return error(400, f"Too many ids: at most {_BATCH_MAX} are allowed")
    fields = fields_of(query)
    check_fields(fields, PAPER_FIELD_NAMES)
    answers: list[dict[str, Any] | None] = []
    for sent in ids:
        pid = api.faults.changed_ids.get(sent) or api.corpus.resolve(str(sent))
        if sent in api.faults.null_in_batch or pid is None:
            answers.append(None)
        else:
            answers.append(paper_json(api, pid, fields))
    if api.faults.rotate_batch:
        answers = answers[1:] + answers[:1]
    _budgeted(api, answers)
    return _sized(api, answers)


def match(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    check_fields(fields_of(query), PAPER_FIELD_NAMES - _NOT_SEARCHABLE)
    title = query.get("query", [""])[0]
    best = api.corpus.best_match if api.realism.best_title_match else api.corpus.match_title
    found = best(title) if title.strip() else None
    if found is None:
        return error(404, "Title match not found")
    pid, similarity = found
    # S2's matchScore is an unbounded relevance score (e.g. 109.55), not a 0..100 similarity
    return json_body(200, {"data": [{**paper_json(api, pid, fields_of(query)),
                                     "matchScore": round(similarity * 1.1, 5)}]})


def bulk_search(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    """``/paper/search/bulk``: the papers whose title or abstract the query matches, in paperId
    order, 1,000 a page with a continuation ``token``; no relevance order, no nested lists."""
    fields = fields_of(query) if "fields" in query else ["paperId", "title"]
    check_fields(fields, PAPER_FIELD_NAMES - _NOT_IN_BULK)
    try:
        matches = _query_matcher(query.get("query", [""])[0])
    except ValueError as exc:
        return error(400, f"Invalid query: {exc}")
    found = [pid for pid in sorted(api.corpus.papers)
             if matches(" ".join(str(api.corpus.papers[pid].get(k) or "")
                                 for k in ("title", "abstract")))]
    start = int(query.get("token", ["0"])[0] or 0)
    page = found[start:start + _BULK_PAGE]
    answer: dict[str, Any] = {"total": len(found),
                              "data": [paper_json(api, pid, fields) for pid in page]}
    if start + _BULK_PAGE < len(found):
        answer["token"] = str(start + _BULK_PAGE)
    return _sized(api, answer)


def edges(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    sent, _, kind = path[len("/graph/v1/paper/"):].rpartition("/")
    pid = api.corpus.resolve(sent)
    if pid is None:
        return error(404, f"Paper with id {sent} not found")
    fields = fields_of(query)
    check_fields(fields, PAPER_FIELD_NAMES, edge=True)
    try:
        offset = int_param(query, "offset", 0)
        limit = int_param(query, "limit", 100)
        within = _date_range(query.get("publicationDateOrYear", [""])[0])
    except (BadParam, ValueError) as exc:
        return error(400, f"Invalid value for {exc}")
    if not 1 <= limit <= _PAGE_MAX:
        return error(400, f"limit must be between 1 and {_PAGE_MAX}")
    if offset < 0 or offset + limit >= CITATION_CAP:
        return error(400, f"offset + limit must be < {CITATION_CAP}")
    found = api.corpus.citations_of(pid) if kind == "citations" else \
        api.corpus.references_of(pid)
    side = "citing" if kind == "citations" else "cited"
    if within is not None:
        found = [e for e in found if within(api.corpus.papers.get(
            (e.citing if side == "citing" else e.cited) or "", {}))]
    if kind == "references" and pid in api.corpus.elided_references \
            and api.realism.null_nested_references:
        found = []
    page = [edge_json(api, e, side, fields) for e in found[offset:offset + limit]]
    answer: dict[str, Any] = {"offset": offset}
    following = offset + limit
    # the real API offers no next page that could not be asked for (offset + limit < cap)
    at_cap = api.realism.no_next_at_cap and following >= CITATION_CAP - 1
    if following < len(found) and not at_cap:
        answer["next"] = following
    answer["data"] = page
    return _sized(api, answer)


def recommendations(api: FakeApi, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return error(400, "Body is not valid JSON")
    try:
        limit = int_param(query, "limit", 100)
    except BadParam as exc:
        return error(400, f"Invalid value for {exc}")
    positive = payload.get("positivePaperIds") or []
    if not positive:
        return error(400, "positivePaperIds must not be empty")
    if not 1 <= limit <= _RECOMMEND_MAX:
        return error(400, f"limit must be between 1 and {_RECOMMEND_MAX}")
    fields = fields_of(query)
    check_fields(fields, _RECOMMENDATION_FIELD_NAMES)
    resolve = api.corpus.resolve
    pos = [p for p in (resolve(str(i)) for i in positive) if p]
    neg = [p for p in (resolve(str(i)) for i in payload.get("negativePaperIds") or []) if p]
    if not pos and api.realism.recommendations_404:
        return error(404, "Input papers not found")
    return json_body(200, {"recommendedPapers": [
        paper_json(api, pid, fields) for pid in api.corpus.recommend(pos, neg, limit)]})


# -- query syntax and date filters ---------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(\()|(\))|(\|)|(\+)|(-)|"([^"]*)"|([^\s()|+"]+))')


def _query_matcher(text: str) -> Any:
    """A predicate over a paper's text for the bulk search syntax the API documents: ``"a
    phrase"`` or a word matches where the text holds it (case folded, spaces folded), ``|`` is
    or, ``+`` and juxtaposition are and, ``-`` is not, parentheses group; and binds tighter."""
    tokens = []
    for found in _TOKEN.finditer(text):
        if found.end() == found.start():
            break
        kinds = ("(", ")", "|", "+", "-")
        op = next((k for k, g in zip(kinds, found.groups()[:5]) if g), None)
        tokens.append(op or ("term", " ".join((found.group(6) or found.group(7)).lower().split())))
    if not tokens:
        raise ValueError("empty query")
    at = [0]

    def peek() -> Any:
        return tokens[at[0]] if at[0] < len(tokens) else None

    def either() -> Any:
        parts = [both()]
        while peek() == "|":
            at[0] += 1
            parts.append(both())
        return lambda t: any(p(t) for p in parts)

    def both() -> Any:
        parts = [single()]
        while peek() not in (None, "|", ")"):
            if peek() == "+":
                at[0] += 1
            parts.append(single())
        return lambda t: all(p(t) for p in parts)

    def single() -> Any:
        token = peek()
        at[0] += 1
        if token == "-":
            inner = single()
            return lambda t: not inner(t)
        if token == "(":
            inner = either()
            if peek() != ")":
                raise ValueError("unbalanced parentheses")
            at[0] += 1
            return inner
        if not isinstance(token, tuple):
            raise ValueError(f"unexpected {token!r}")
        term = token[1]
        return lambda t: term in " ".join(t.lower().split())

    matcher = either()
    if peek() is not None:
        raise ValueError(f"unexpected {peek()!r}")
    return matcher


def _date_range(text: str) -> Any:
    """The ``publicationDateOrYear`` filter ``start:end`` (each a year, a month or a day, either
    side open) as a predicate over a paper record; ``None`` without a filter."""
    if not text:
        return None
    if ":" not in text:
        text = f"{text}:{text}"
    start, end = (part.strip() for part in text.split(":", 1))
    low = _day(start, first=True) if start else (0, 0, 0)
    high = _day(end, first=False) if end else (9999, 12, 31)

    def within(record: dict[str, Any]) -> bool:
        date = record.get("publicationDate")
        if date:
            day = _day(date, first=True)
        elif record.get("year"):
            day = (int(record["year"]), 1, 1)
            return low[0] <= day[0] <= high[0]  # a year alone: matched by its year
        else:
            return False
        return low <= day <= high

    return within


def _day(text: str, *, first: bool) -> tuple[int, int, int]:
    parts = [int(p) for p in text.split("-")]
    if not 1 <= len(parts) <= 3:
        raise ValueError(f"publicationDateOrYear {text!r}")
    month = parts[1] if len(parts) > 1 else (1 if first else 12)
    day = parts[2] if len(parts) > 2 else (1 if first else 31)
    return parts[0], month, day
