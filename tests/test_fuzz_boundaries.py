"""Hypothesis fuzzing of the two boundaries where outside input enters (issue 29): the answers of
Semantic Scholar and arXiv, and list files. Each example ends in a result or in one line (a
``RsvlmGraphError`` without a line break), never in another exception.

Answers are REAL recorded ones (``../shared/reference``) mutated at random places, and random
bytes, served with random statuses, encodings and headers through the real client stack (the one
HTTP edge over ``httpx.MockTransport``). List files are Markdown-ish lines and random text, saved
in random encodings (with and without byte-order marks) or as random bytes, then read, parsed,
linted, graphed, annotated and exported as a build does. Everything generated is SYNTHETIC.
"""

from __future__ import annotations

import codecs
import copy
import gzip
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import SHARED
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rsvlm_graph.config import Settings
from rsvlm_graph.errors import RsvlmGraphError
from rsvlm_graph.exports.annotated_list import annotate_list
from rsvlm_graph.exports.rdf import to_rdf
from rsvlm_graph.exports.tables import write_csv, write_graphml
from rsvlm_graph.graph import build_graph
from rsvlm_graph.listfile.lint import lint_list
from rsvlm_graph.listfile.parse import read_list
from rsvlm_graph.sources.arxiv import ArxivSource
from rsvlm_graph.sources.http import ApiClient
from rsvlm_graph.sources.semantic_scholar import SemanticScholarSource

REFERENCE = SHARED / "reference"
S2_ID = "649def34f8be52c8b66281af98ae884c09aef38b"
#: examples per boundary: each runs in milliseconds, so a few hundred take seconds
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def one_line_or_result(call: Callable[[], Any]) -> Any:
    """The assertion of every example: a result, or one line the CLI would print."""
    try:
        return call()
    except RsvlmGraphError as exc:
        assert "\n" not in str(exc) and "\r" not in str(exc), str(exc)
        return exc


# -- answers -------------------------------------------------------------------------------------


def _real_paper() -> dict[str, Any]:
    path = REFERENCE / "semanticscholar" / "Paper.json"
    if path.is_file():
        paper = json.loads(path.read_text(encoding="utf-8"))
        for big in ("citations", "references", "embedding"):
            paper.pop(big, None)
        return paper
    return {"paperId": S2_ID, "title": "SYNTHETIC", "year": 2020, "authors": [], "externalIds": {}}


def _real_edge(name: str) -> dict[str, Any]:
    path = REFERENCE / "semanticscholar" / f"{name}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"isInfluential": False, "contexts": [], "intents": [], "citingPaper": _real_paper()}


PAPER = _real_paper()
#: a real-shaped answer of each Semantic Scholar endpoint the sources read
S2_ANSWERS: dict[str, Any] = {
    "batch": [PAPER, None],
    "match": {"data": [{**PAPER, "matchScore": 181.3}]},
    "citations": {"offset": 0, "next": 1000, "data": [_real_edge("Citation")]},
    "references": {"offset": 0, "data": [_real_edge("Reference")]},
    "recommendations": {"recommendedPapers": [PAPER]},
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats()
    | st.text(max_size=40) | st.sampled_from(["", S2_ID, "2305.05726", "10.1/x", "ARXIV:x", "\0"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, the value itself included."""
    found = [at]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*at, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*at, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with one to four places replaced by any JSON value (a wrong type, a huge number,
    a NaN, nesting) or removed."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            document = draw(json_values)
            continue
        parent = document
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation changed the shape under this path
    return document


def _body(document: Any, style: str) -> bytes:
    if style == "json":
        return json.dumps(document, allow_nan=True).encode("utf-8")
    if style == "gzip":
        return gzip.compress(json.dumps(document).encode("utf-8"))
    return json.dumps(document)[: len(json.dumps(document)) // 2].encode("utf-8")  # cut off


@st.composite
def answers(draw: st.DrawFn, endpoint: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) as a hostile or broken Semantic Scholar could send."""
    status = draw(st.sampled_from([200] * 8 + [301, 400, 404, 429, 500, 503]))
    headers = {"Content-Type": draw(st.sampled_from(["application/json", "text/html", "", "application/json; charset=latin-1"]))}
    if status in (301, 429):
        headers["Location" if status == 301 else "Retry-After"] = draw(st.text(max_size=20).filter(
            lambda t: t.isprintable()))
    kind = draw(st.sampled_from(["mutated"] * 6 + ["bytes", "value"]))
    if kind == "bytes":
        body = draw(st.binary(max_size=200))
    else:
        document = draw(mutated(S2_ANSWERS[endpoint])) if kind == "mutated" else draw(json_values)
        style = draw(st.sampled_from(["json", "json", "gzip", "truncated"]))
        body = _body(document, style)
        if style == "gzip":
            headers["Content-Encoding"] = "gzip"
    return status, headers, body


def _client(status: int, headers: dict[str, str], body: bytes, base: str, name: str) -> ApiClient:
    raw = [(name.encode(), value.encode("utf-8")) for name, value in headers.items()]  # as on the wire

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=raw, content=body)

    return ApiClient(base, name=name, min_interval=0.0, timeout=5.0, retries=0,
                     headers={"x-api-key": "SYNTHETIC"}, transport=httpx.MockTransport(handler),
                     sleep=lambda _: None, patience=0.0, max_failed_calls=1000)


S2_CALLS: dict[str, Callable[[SemanticScholarSource], Any]] = {
    "batch": lambda s2: s2.fetch_paper_batch([S2_ID, "ARXIV:2305.05726"]),
    "match": lambda s2: s2.match_title("A SYNTHETIC title"),
    "citations": lambda s2: s2.citations(S2_ID, count=3),
    "references": lambda s2: s2.references(S2_ID),
    "recommendations": lambda s2: s2.recommendations([S2_ID], [S2_ID[::-1]]),
}


@FUZZ
@given(data=st.data(), endpoint=st.sampled_from(sorted(S2_CALLS)))
def test_any_semantic_scholar_answer_is_a_result_or_one_line(data: st.DataObject, endpoint: str) -> None:
    status, headers, body = data.draw(answers(endpoint))
    client = _client(status, headers, body, "https://api.semanticscholar.org", "Semantic Scholar")
    with SemanticScholarSource(Settings(s2_api_key="SYNTHETIC"), client) as s2:
        one_line_or_result(lambda: S2_CALLS[endpoint](s2))


def _real_feeds() -> list[str]:
    folder = REFERENCE / "arxiv"
    feeds = [json.loads(p.read_text(encoding="utf-8"))["body"] for p in sorted(folder.glob("id_*.json"))]
    return feeds or ["<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'></feed>"]


FEEDS = _real_feeds()
XML_NOISE = st.lists(st.sampled_from(list("<>&;\"'=/!?[]#x:aZ0 \n\t\u0000\ud7ffé")
                                     + ["&lt;", "]]>", "<![CDATA[", "<!ENTITY e 'x'>", "&e;", "</feed>",
                                        "<entry>", "<id>http://arxiv.org/abs/2401.00001v1</id>"]),
                     max_size=12).map("".join)


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    """A real arXiv feed with a slice replaced by XML noise, or one of its text nodes changed, or
    random bytes."""
    kind = draw(st.sampled_from(["splice", "splice", "text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    feed = draw(st.sampled_from(FEEDS))
    if kind == "text":
        starts = [i for i, ch in enumerate(feed) if ch == ">" and i + 1 < len(feed) and feed[i + 1] != "<"]
        if starts:
            at = draw(st.sampled_from(starts)) + 1
            end = feed.find("<", at)
            feed = feed[:at] + draw(st.text(max_size=40)).replace("<", "&lt;").replace("&", "&amp;") + feed[end:]
    else:
        at = draw(st.integers(0, len(feed)))
        length = draw(st.integers(0, 80))
        feed = feed[:at] + draw(XML_NOISE) + feed[at + length:]
    return feed.encode("utf-8", "surrogatepass")


@FUZZ
@given(body=feeds(), status=st.sampled_from([200] * 6 + [400, 500]),
       ids=st.lists(st.sampled_from(["2305.05726", "1605.08386v1", "hep-th/9901001", "0808.05394",
                                     "1707.08567", "not-an-id", "2401.99999"]), min_size=1, max_size=4))
def test_any_arxiv_answer_is_a_result_or_one_line(body: bytes, status: int, ids: list[str]) -> None:
    client = _client(status, {"Content-Type": "application/atom+xml"}, body,
                     "https://export.arxiv.org/api/query", "arXiv")
    with ArxivSource(Settings(), client) as arxiv:
        result = one_line_or_result(lambda: arxiv.fetch(ids))
    if isinstance(result, tuple):
        records, failures = result
        # only a well-formed feed can say an id is not on arXiv
        if any(f.reason == "not found on arXiv" for f in failures):
            assert status == 200


# -- list files ----------------------------------------------------------------------------------

FRAGMENTS = [
    "# SYNTHETIC list", "## Image Captioning", "## VQA Dataset", "# Datasets", "### Others", "",
    "| Paper | Published in | Code/Project |", "| Dataset | Home/Github | Download link |",
    "| Year | Venue | Title | Code |", "|---|:-:|:-:|", "|---|",
    "[SYNTHETIC A](https://arxiv.org/abs/2305.05726)|arxiv 2023|-",
    "[=HYPERLINK(\"http://evil/\",\"x\")](https://doi.org/10.1/x)|@octocat #1 2020|[code](https://github.com/a/b)",
    "|[SYNTHETIC B](https://ieeexplore.ieee.org/document/9088993)|TGRS 2020|-|",
    "[SYNTHETIC-DS](https://x.org)|[Github](https://github.com/a/b)|[[Baidu]](https://pan.baidu.com/s/1)",
    "- [SYNTHETIC C](https://arxiv.org/abs/2401.00001) | [code](https://github.com/a/b)",
    "* [SYNTHETIC D](javascript:alert(1)) - Venue 2023", "1. [x](http://[::1)", "<details>",
    "```", "> | quoted | table |", "[![b](https://img/x.svg)](https://a.b)", "| | | |", "\\|", "[",
    "- **[T](https://a.b)** (V 2024) [[code]](https://c.d)", "<img src=x onerror=alert(1)>",
]
ENCODINGS = ["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"]


@st.composite
def list_files(draw: st.DrawFn) -> bytes:
    """A list file as a curator, an editor or an accident saves it."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=400))
    lines = draw(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=40), max_size=30))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, "replace")
    if encoding == "utf-16-le" and draw(st.booleans()):
        data = codecs.BOM_UTF16_LE + data
    return data


@FUZZ
@given(data=list_files())
def test_any_list_file_builds_or_is_one_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "awesome-list.md"
        path.write_bytes(data)
        document = one_line_or_result(lambda: read_list(path))
        if isinstance(document, RsvlmGraphError):
            return
        graph = build_graph(document)
        one_line_or_result(lambda: lint_list(document, graph=graph))
        annotated = annotate_list(document.text, document, graph)
        assert annotated.count("\n") == document.text.count("\n")
        one_line_or_result(lambda: to_rdf(graph))
        out = Path(folder) / "exports"
        out.mkdir()
        one_line_or_result(lambda: write_graphml(graph, out / "graph.graphml"))
        one_line_or_result(lambda: write_csv(graph, out / "nodes.csv", out / "edges.csv"))


@pytest.mark.skipif(not (REFERENCE / "arxiv").is_dir(), reason="../shared/reference is absent")
def test_the_fuzzed_feeds_start_from_real_recordings() -> None:
    assert len(FEEDS) >= 5 and all("<feed" in feed for feed in FEEDS)
