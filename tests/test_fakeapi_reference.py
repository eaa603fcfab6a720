"""The fake API's answers have the shapes of real recorded responses in ``../shared/reference``.

Skipped when the recordings are absent. Values differ (the fake serves SYNTHETIC data); keys,
nesting and value types must not. Every check runs twice: against the lenient default fake and
against the strict one (``real=True``, names and venues in every script).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import SHARED
from fakeapi import FakeApi, make_corpus
from lxml import etree

REFERENCE = SHARED / "reference"
S2 = REFERENCE / "semanticscholar"
ARXIV = REFERENCE / "arxiv"
ATOM = "{http://www.w3.org/2005/Atom}"

pytestmark = [
    pytest.mark.reference,
    pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"no recordings at {REFERENCE}"),
]


@pytest.fixture(params=["lenient", "real"])
def fake_api(request: pytest.FixtureRequest) -> Iterator[FakeApi]:
    """The fake as tests get it by default, then as strict as the real API."""
    real = request.param == "real"
    with FakeApi(make_corpus(seed=0, scripts=real), real=real) as api:
        yield api


def interactions(name: str) -> list[tuple[str, str, int, object]]:
    """(method, uri, status, decoded body) of each request in a vcrpy cassette."""
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the vcrpy cassettes")
    cassette = yaml.safe_load((S2 / name).read_text())
    out = []
    for item in cassette["interactions"]:
        response = item["response"]
        body = response["body"]["string"] if "body" in response else response["content"]
        status = response["status"]["code"] if "status" in response else \
            response["status_code"]
        out.append((item["request"]["method"], item["request"]["uri"], status,
                    json.loads(body)))
    return out


def fields_of(uri: str) -> str:
    return parse_qs(urlsplit(uri).query)["fields"][0]


def shape(value: object) -> object:
    """The structure of a JSON value: dict keys with shapes, lists by their first item."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


#: objects whose members S2 sends only when it has them, with every member the 1,000 recorded
#: citers of Paper.json show
OPTIONAL_MEMBERS = {
    "journal": frozenset({"name", "volume", "pages"}),
    "publicationVenue": frozenset({"id", "name", "type", "alternate_names", "issn", "url",
                                   "alternate_urls", "alternate_issns"}),
}


def assert_same_shape(real: object, fake: object, where: str = "$") -> None:
    """Same keys everywhere; same types wherever both sides are non-null and non-empty."""
    if real is None or fake is None or real == [] or fake == []:
        return
    if isinstance(real, dict) and where.rsplit(".", 1)[-1] == "externalIds":
        # an open map: which ids a paper has varies; values are strings or ints (CorpusId)
        assert isinstance(fake, dict), where
        assert {shape(v) for v in fake.values()} <= {"str", "number"}, where
    elif isinstance(real, dict) and where.rsplit(".", 1)[-1] in OPTIONAL_MEMBERS:
        # members present only when S2 knows them: the fake's must be among the recorded ones
        allowed = OPTIONAL_MEMBERS[where.rsplit(".", 1)[-1]]
        assert isinstance(fake, dict) and set(fake) <= allowed, f"{where}: keys {sorted(fake)}"
        for key in set(real) & set(fake):
            assert_same_shape(real[key], fake[key], f"{where}.{key}")
    elif isinstance(real, dict):
        assert isinstance(fake, dict), where
        assert set(fake) == set(real), f"{where}: keys {sorted(fake)} != {sorted(real)}"
        for key in real:
            assert_same_shape(real[key], fake[key], f"{where}.{key}")
    elif isinstance(real, list):
        assert isinstance(fake, list), where
        assert_same_shape(real[0], fake[0], f"{where}[0]")
    else:
        assert shape(real) == shape(fake), f"{where}: {shape(fake)} != {shape(real)}"


def fake_get(fake_api, path: str, **params) -> httpx.Response:
    return httpx.get(fake_api.s2_url + path, params=params)


def test_single_paper(fake_api):
    ((_, uri, _, real),) = interactions("test_get_paper.yaml")
    pid = fake_api.corpus.core_ids[0]
    fake = fake_get(fake_api, f"/graph/v1/paper/{pid}", fields=fields_of(uri)).json()
    assert_same_shape(real, fake)


def test_full_paper_object(fake_api):
    real = json.loads((S2 / "Paper.json").read_text())
    asked = [k for k in real if k != "paperId"]
    pid = fake_api.corpus.core_ids[0]
    fake = fake_get(fake_api, f"/graph/v1/paper/{pid}", fields=",".join(asked)).json()
    assert set(fake) == set(real)
    for key in ("externalIds", "tldr", "embedding", "fieldsOfStudy", "s2FieldsOfStudy",
                "title", "year", "citationCount", "publicationDate"):
        assert_same_shape(real[key], fake[key], key)
    assert set(fake["authors"][0]) == {"authorId", "name"}  # default author fields
    assert fake["embedding"]["model"] == real["embedding"]["model"] == "specter_v1"


def test_specter_v2_embedding(fake_api):
    pid = fake_api.corpus.core_ids[0]
    fake = fake_get(fake_api, f"/graph/v1/paper/{pid}", fields="embedding.specter_v2").json()
    real = json.loads((S2 / "Paper.json").read_text())["embedding"]
    assert set(fake["embedding"]) == set(real)
    assert fake["embedding"]["model"] == "specter_v2"
    assert len(fake["embedding"]["vector"]) == 768


def test_not_found_error_text(fake_api):
    _, uri, status, real = interactions("test_not_found.yaml")[0]
    sent = urlsplit(uri).path.rsplit("/", 1)[1]
    answer = fake_get(fake_api, f"/graph/v1/paper/{sent}", fields="title")
    assert answer.status_code == status == 404
    assert answer.json() == real


@pytest.mark.parametrize("cassette", ["test_get_papers.yaml",
                                      "test_get_papers_not_found_warning.yaml"])
def test_batch_with_null(fake_api, cassette):
    ((method, uri, _, real),) = interactions(cassette)
    corpus = fake_api.corpus
    ids = ["CorpusId:1"] + corpus.core_ids[: len(real) - 1]  # an unknown id first
    answer = httpx.post(fake_api.s2_url + "/graph/v1/paper/batch",
                        params={"fields": fields_of(uri)}, json={"ids": ids}).json()
    assert method == "POST" and len(answer) == len(ids)
    assert answer[0] is None
    for real_item, fake_item in zip(real, answer, strict=True):
        assert_same_shape(real_item, fake_item)


def test_title_match(fake_api):
    ((_, uri, _, real),) = interactions("test_search_paper_match_title.yaml")
    title = fake_api.corpus.papers[fake_api.corpus.core_ids[1]]["title"]
    fake = fake_get(fake_api, "/graph/v1/paper/search/match", query=title,
                    fields=fields_of(uri)).json()
    assert_same_shape(real, fake)


@pytest.mark.parametrize(("cassette", "kind"), [("test_get_paper_citations.yaml", "citations"),
                                                ("test_get_paper_references.yaml",
                                                 "references")])
def test_edge_pages(fake_api, cassette, kind):
    _, uri, _, real = interactions(cassette)[0]
    query = parse_qs(urlsplit(uri).query)
    corpus = fake_api.corpus
    edges_of = corpus.citations_of if kind == "citations" else corpus.references_of
    pid = max(corpus.core_ids, key=lambda p: len(edges_of(p)))
    assert len(edges_of(pid)) > 3  # so that the first page of 3 has a "next"
    fake = fake_get(fake_api, f"/graph/v1/paper/{pid}/{kind}", fields=query["fields"][0],
                    offset=0, limit=3).json()
    assert_same_shape(real, fake)
    assert list(fake)[:2] == ["offset", "next"] and fake["next"] == 3


@pytest.mark.parametrize(("recording", "key"), [("Citation.json", "citingPaper"),
                                               ("Reference.json", "citedPaper")])
def test_full_edge_items(fake_api, recording, key):
    real = json.loads((S2 / recording).read_text())
    kind = "citations" if key == "citingPaper" else "references"
    edge_fields = [k for k in real if k != key]
    pid = fake_api.corpus.core_ids[0]
    page = fake_get(fake_api, f"/graph/v1/paper/{pid}/{kind}",
                    fields=",".join(edge_fields + ["title", "year"])).json()
    item = next(i for i in page["data"] if i[key]["paperId"])
    assert set(item) == set(real)
    for name in edge_fields:
        assert_same_shape(real[name], item[name], name)


def test_recommendations(fake_api):
    ((method, uri, _, real),) = interactions("test_get_recommended_papers_from_lists.yaml")
    corpus = fake_api.corpus
    answer = httpx.post(fake_api.s2_url + urlsplit(uri).path,
                        params=parse_qs(urlsplit(uri).query),
                        json={"positivePaperIds": corpus.core_ids[:1],
                              "negativePaperIds": corpus.core_ids[1:2]}).json()
    assert method == "POST"
    assert_same_shape(real, answer)


# -- arXiv ------------------------------------------------------------------------------------


def recorded_feed(prefix: str) -> tuple[int, bytes]:
    (path,) = ARXIV.glob(f"{prefix}_s0_m*.json")
    data = json.loads(path.read_text())
    return data["status_code"], data["body"].encode()


def tags(element) -> list[str]:
    """Child tags in order, consecutive repeats folded (author, author → author)."""
    out: list[str] = []
    for child in element:
        if not out or out[-1] != child.tag:
            out.append(child.tag)
    return out


def fake_feed(fake_api, id_list: str) -> tuple[int, bytes]:
    answer = httpx.get(fake_api.arxiv_url, params={"id_list": id_list, "start": 0,
                                                   "max_results": 100})
    return answer.status_code, answer.content


def test_arxiv_entry_layout_matches_a_real_entry_with_doi(fake_api):
    _, body = recorded_feed("q_testing")
    real_entries = etree.fromstring(body).findall(f"{ATOM}entry")
    real = next(e for e in real_entries if e.find("{http://arxiv.org/schemas/atom}doi")
                is not None and e.find("{http://arxiv.org/schemas/atom}comment") is not None)
    status, fake_body = fake_feed(fake_api, "2301.10000")
    (fake,) = etree.fromstring(fake_body).findall(f"{ATOM}entry")
    assert status == 200
    assert tags(fake) == tags(real)


def test_arxiv_feed_header_and_absent_unknown_id(fake_api):
    real_status, real_body = recorded_feed("id_0000.0000")
    status, body = fake_feed(fake_api, "0000.0000")
    real, fake = etree.fromstring(real_body), etree.fromstring(body)
    assert status == real_status == 200
    assert tags(fake) == tags(real)
    assert fake.find(f"{ATOM}entry") is None


def test_arxiv_malformed_id_is_a_400_error_feed(fake_api):
    real_status, real_body = recorded_feed("id_abc")
    status, body = fake_feed(fake_api, "abc")
    assert status == real_status == 400
    real, fake = etree.fromstring(real_body), etree.fromstring(body)
    assert tags(fake) == tags(real)
    assert tags(fake.find(f"{ATOM}entry")) == tags(real.find(f"{ATOM}entry"))
    summary = f"{ATOM}entry/{ATOM}summary"
    assert fake.findtext(summary) == real.findtext(summary) == "incorrect id format for abc"


def test_the_feed_parser_reads_fake_and_real_alike(fake_api):
    from rsvlm_graph.sources.arxiv import parse_feed

    _, real_body = recorded_feed("id_1605.08386")
    _, fake_body = fake_feed(fake_api, "2301.10001")
    (real,), _ = parse_feed(real_body, "2026-11-27T10:00:00Z")
    (fake,), _ = parse_feed(fake_body, "2026-11-27T10:00:00Z")
    for attribute in ("arxiv_id", "title", "abstract", "primary_category", "pdf_url",
                      "published", "updated", "version", "categories", "authors"):
        assert bool(getattr(real, attribute)) == bool(getattr(fake, attribute)), attribute
    assert (real.version, real.withdrawn, fake.withdrawn) == (1, False, False)