"""The fake API speaks the real service's limits by default (tests opt out): one test per rule,
each citing where the rule comes from. Every record here is SYNTHETIC."""

from __future__ import annotations

import httpx
import pytest
from fakeapi import FakeApi, Realism, make_corpus
from fakeapi.arxiv_api import WITHDRAWN_COMMENT
from fakeapi.server import NESTED_BUDGET, RESPONSE_MAX_BYTES, SINGLE_NESTED_CAP, TOO_LARGE


def nested_batch(api: FakeApi, ids: list[str], fields: str = "citations.paperId,"
                 "references.paperId,citationCount") -> httpx.Response:
    return httpx.post(f"{api.s2_url}/graph/v1/paper/batch", params={"fields": fields},
                      json={"ids": ids})


@pytest.fixture
def crowded(fake_api):
    """Five papers of 3,000 citers each: 15,000 nested citations asked in one batch."""
    corpus = fake_api.corpus
    for pid in corpus.core_ids[:5]:
        corpus.add_citers(pid, 3_000)
    return corpus.core_ids[:5]


def test_one_batch_answer_holds_9999_nested_citations_in_all_not_in_input_order(
        fake_api, crowded):
    # the OpenAPI spec of /paper/batch: "Can only return up to 9999 citations at a time";
    # allenai/s2-folks#199: 55 papers, two answered 8,667 + 1,332 = 9,999, the rest [], and
    # the two were not the first of the input; no null, no error, no sign of the cut
    answers = nested_batch(fake_api, crowded).json()
    served = [len(a["citations"]) + len(a["references"]) for a in answers]
    assert sum(served) == NESTED_BUDGET == 9_999
    assert 0 in served and any(0 < n < 3_000 for n in served)  # one filled in part
    whole = [i for i, n in enumerate(served) if n >= 3_000]
    assert whole != list(range(len(whole)))  # not filled in the order asked
    assert all("error" not in a for a in answers)


def test_a_single_paper_holds_at_most_1000_of_each_nested_list(fake_api, crowded):
    # ../shared/reference/semanticscholar/Paper.json: citationCount 10,059, exactly 1,000
    # nested citations
    paper = httpx.get(f"{fake_api.s2_url}/graph/v1/paper/{crowded[0]}",
                      params={"fields": "citations.paperId,citationCount"}).json()
    assert paper["citationCount"] > SINGLE_NESTED_CAP == 1_000
    assert len(paper["citations"]) == 1_000


def test_nested_references_are_null_where_the_publisher_elides_them(fake_api):
    # ../shared/reference/semanticscholar/PaperWithNullValues.json: "references": null
    corpus = fake_api.corpus
    elided = next(pid for pid in corpus.core_ids if corpus.references_of(pid))
    corpus.elided_references.add(elided)
    (answer,) = nested_batch(fake_api, [elided]).json()
    assert answer["references"] is None and answer["citations"] is not None
    page = httpx.get(f"{fake_api.s2_url}/graph/v1/paper/{elided}/references",
                     params={"fields": "title"}).json()
    assert page["data"] == []


def test_an_answer_past_10_mb_is_the_real_400(fake_api, crowded):
    # the OpenAPI spec: "Can only return up to 10 MB of data at a time"; its Error400
    # "Response would exceed maximum size...."
    assert fake_api.realism.max_response_bytes == RESPONSE_MAX_BYTES
    fake_api.realism.max_response_bytes = 50_000  # the same rule, at a size a test can reach
    answer = nested_batch(fake_api, crowded[:1], "citations.title,citations.authors")
    assert answer.status_code == 400 and answer.json()["error"] == TOO_LARGE


def test_a_test_opts_out_of_the_limits():
    with FakeApi(make_corpus(seed=0), realism=Realism.lenient()) as api:
        for pid in api.corpus.core_ids[:2]:
            api.corpus.add_citers(pid, 6_000)
        answers = nested_batch(api, api.corpus.core_ids[:2]).json()
        assert sum(len(a["citations"]) for a in answers) > 12_000


@pytest.mark.parametrize(("query", "found"), [
    ('"SYNTHETIC Geo" | "nothing like it"', "phrase"),
    ("SYNTHETIC + -Satellite", "and-not"),
    ('("SYNTHETIC" | "x") -Remote', "group"),
])
def test_bulk_search_reads_the_documented_query_syntax(fake_api, query, found):
    # the OpenAPI spec of /paper/search/bulk: a text query "supports boolean logic"; the API's
    # documented syntax: "a phrase" in quotes, | or, + and, - not, parentheses
    corpus = fake_api.corpus
    answer = httpx.get(f"{fake_api.s2_url}/graph/v1/paper/search/bulk",
                       params={"query": query, "fields": "title,abstract"}).json()
    titles = [p["title"] for p in answer["data"]]
    text = {pid: f"{r.get('title') or ''} {r.get('abstract') or ''}".lower()
            for pid, r in corpus.papers.items()}
    if found == "phrase":
        expected = {p for p, t in text.items() if "synthetic geo" in " ".join(t.split())}
    elif found == "and-not":
        expected = {p for p, t in text.items() if "synthetic" in t and "satellite" not in t}
    else:
        expected = {p for p, t in text.items() if ("synthetic" in t or "x" in t)
                    and "remote" not in t}
    assert {p["paperId"] for p in answer["data"]} == expected and titles
    assert answer["total"] == len(expected)


def test_bulk_search_serves_no_nested_list_nor_embedding(fake_api):
    # the OpenAPI spec: "Nested paper data, such as citations, references, etc, is not
    # available via this method"
    answer = httpx.get(f"{fake_api.s2_url}/graph/v1/paper/search/bulk",
                       params={"query": "SYNTHETIC", "fields": "title,citations.title"})
    assert answer.status_code == 400 and "citations.title" in answer.json()["error"]


def test_citations_filter_by_publication_date_or_year(fake_api):
    # the Graph API's publicationDateOrYear filter: "2019-03-05:2020-06-06", "2019:", ":2020"
    corpus = fake_api.corpus
    target = corpus.core_ids[0]
    citers = corpus.add_citers(target, 10)  # years 2020 to 2024, no date
    corpus.papers[citers[0]]["publicationDate"] = "2021-06-15"
    corpus.papers[citers[0]]["year"] = 2021

    def asked(dates: str) -> set[str]:
        page = httpx.get(f"{fake_api.s2_url}/graph/v1/paper/{target}/citations",
                         params={"fields": "year", "publicationDateOrYear": dates,
                                 "limit": 1000}).json()
        return {item["citingPaper"]["paperId"] for item in page["data"]} & set(citers)

    # a paper known by its year alone is matched by its year
    undated_2021 = {c for c in citers[1:] if corpus.papers[c]["year"] == 2021}
    assert asked("2021-06-01:2021-06-30") == {citers[0]} | undated_2021
    assert asked("2024:") == {c for c in citers if corpus.papers[c]["year"] == 2024}
    assert asked(":2020") == {c for c in citers if corpus.papers[c]["year"] <= 2020}


def test_arxiv_serves_a_withdrawn_version_and_an_empty_feed_when_told(fake_api):
    corpus = fake_api.corpus
    arxiv_id = next(iter(corpus.arxiv))
    corpus.arxiv[arxiv_id]["withdrawn"] = True
    feed = httpx.get(fake_api.arxiv_url, params={"id_list": arxiv_id}).text
    assert feed.count(WITHDRAWN_COMMENT) == 2  # the comment, and the abstract it replaces
    fake_api.faults.empty("arxiv")
    assert "<entry>" not in httpx.get(fake_api.arxiv_url, params={"id_list": arxiv_id}).text
    assert "<entry>" in httpx.get(fake_api.arxiv_url, params={"id_list": arxiv_id}).text
