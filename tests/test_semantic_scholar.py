"""SemanticScholarSource against the fake API (SYNTHETIC corpus, real sockets), faults included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FAKE_API_KEY, FAKE_NOW, SHARED
from fakeapi import synthetic_paper_id

from rsvlm_graph.errors import NetworkUnavailable, RateLimited, ServiceUnavailable
from rsvlm_graph.sources.semantic_scholar import (
    BATCH_LIMIT,
    PAPER_FIELDS,
    SemanticScholarSource,
    client_for,
    paper_from_json,
)


def core(fake_api, i):
    return fake_api.corpus.papers[fake_api.corpus.core_ids[i]]


# -- paper_from_json ---------------------------------------------------------------------------


def test_paper_from_json_reads_every_field():
    data = {
        "paperId": "a" * 40, "title": "T", "year": 2023, "publicationDate": "2023-05-09",
        "venue": "arXiv.org", "abstract": "A.", "tldr": {"model": "tldr@v2.0.0", "text": "S."},
        "externalIds": {"DOI": "10.5555/x", "CorpusId": 12, "ArXiv": "2305.05726"},
        "citationCount": 5, "influentialCitationCount": 1, "referenceCount": 9,
        "fieldsOfStudy": ["Computer Science"], "openAccessPdf": {"url": "https://x/p.pdf"},
        "embedding": {"model": "specter_v2", "vector": [0.5, -1]},
        "authors": [{"authorId": "17", "name": "Ada"}, {"authorId": None, "name": "Bo"}],
    }
    paper = paper_from_json(data, FAKE_NOW)
    assert paper.s2_paper_id == "a" * 40
    assert paper.fetched_at == FAKE_NOW and paper.source == "semanticscholar"
    assert paper.external_ids == (("ArXiv", "2305.05726"), ("CorpusId", "12"),
                                  ("DOI", "10.5555/x"))
    assert [(a.name, a.s2_author_id) for a in paper.authors] == [("Ada", "17"), ("Bo", None)]
    assert paper.tldr == "S." and paper.open_access_pdf == "https://x/p.pdf"
    assert paper.embedding == (0.5, -1.0)
    assert paper.publication_date == "2023-05-09" and paper.fields_of_study == ("Computer Science",)


@pytest.mark.parametrize("date", ["2023", "2023-05"])
def test_paper_from_json_keeps_a_partial_publication_date(date):
    paper = paper_from_json({"paperId": "d" * 40, "title": "T", "publicationDate": date}, FAKE_NOW)
    assert paper.publication_date == date


@pytest.mark.parametrize("empty", [None, "missing"])
def test_paper_from_json_survives_nulls_and_missing_fields(empty):
    keys = ("authors", "externalIds", "tldr", "openAccessPdf", "embedding", "fieldsOfStudy",
            "venue", "abstract", "year", "publicationDate", "citationCount")
    data = {"paperId": "b" * 40, "title": "Only a title"}
    if empty is None:
        data.update(dict.fromkeys(keys))
    paper = paper_from_json(data, FAKE_NOW)
    assert paper.authors == () and paper.external_ids == () and paper.fields_of_study == ()
    assert paper.tldr is None and paper.open_access_pdf is None and paper.embedding is None
    assert paper.venue is None and paper.year is None and paper.citation_count is None


# -- batch --------------------------------------------------------------------------------------


def test_fetch_papers_aligned_with_null_entry_and_changed_paper_id(fake_api, s2_source):
    corpus = fake_api.corpus
    retired = next(iter(corpus.aliases))  # a merged duplicate: answers with another paperId
    ids = ["ARXIV:2301.10001", "DOI:10.5555/synthetic.2", "ARXIV:2999.99999", retired,
           f"CorpusId:{core(fake_api, 3)['corpusId']}", "ARXIV:2301.10004"]
    fake_api.faults.null_in_batch.add("ARXIV:2301.10004")  # known, but S2 answers null
    fake_api.faults.changed_ids["ARXIV:2301.10001"] = corpus.core_ids[7]
    papers = s2_source.fetch_papers(ids)
    assert len(papers) == len(ids)
    assert papers[0].s2_paper_id == corpus.core_ids[7]
    assert papers[1].s2_paper_id == corpus.core_ids[2]
    assert papers[2] is None and papers[5] is None
    assert papers[3].s2_paper_id == corpus.aliases[retired] != retired
    assert papers[4].s2_paper_id == corpus.core_ids[3]
    assert all(p.fetched_at == FAKE_NOW for p in papers if p)
    batch = fake_api.requests_to("batch")
    assert len(batch) == 1
    assert json.loads(batch[0].body) == {"ids": ids}
    assert batch[0].param("fields").split(",") == list(PAPER_FIELDS)


def test_fetch_papers_reads_embedding_and_ids_from_the_wire(fake_api, s2_source):
    (paper,) = s2_source.fetch_papers(["ARXIV:2301.10000"])
    assert paper.external_id("ArXiv") == "2301.10000"
    assert paper.external_id("CorpusId") == str(core(fake_api, 0)["corpusId"])
    assert paper.embedding is not None and len(paper.embedding) == 768
    assert paper.embedding == tuple(fake_api.corpus.embedding(paper.s2_paper_id))


def test_fetch_papers_chunks_at_batch_limit(fake_api, s2_source):
    ids = [f"CorpusId:{n}" for n in range(BATCH_LIMIT + 3)]
    papers = s2_source.fetch_papers(ids)
    assert len(papers) == len(ids)
    sizes = [len(json.loads(r.body)["ids"]) for r in fake_api.requests_to("batch")]
    assert sizes == [BATCH_LIMIT, 3]


def test_failing_batch_is_split_down_to_the_failing_half(fake_api, s2_source, recorded_sleep):
    ids = ["ARXIV:2301.10000", "ARXIV:2301.10001", "ARXIV:2301.10002", "ARXIV:2301.10003"]
    fake_api.faults.fail("batch", 500, times=4)  # the whole first batch exhausts its tries
    papers = s2_source.fetch_papers(ids)
    assert [p.s2_paper_id for p in papers] == fake_api.corpus.core_ids[:4]
    sizes = [len(json.loads(r.body)["ids"]) for r in fake_api.requests_to("batch")]
    assert sizes == [4, 4, 4, 4, 2, 2]
    assert len(recorded_sleep.waits) >= 3  # backoff between the tries, not slept for real


def test_single_id_that_keeps_failing_becomes_none(fake_api, s2_source):
    fake_api.faults.fail("batch", 503, times=4 + 4 + 4)
    papers = s2_source.fetch_papers(["ARXIV:2301.10000", "ARXIV:2301.10001"])
    # 4 tries for the pair, 4 for the first single id (gives up), then 4 more for the second
    assert papers == [None, None]
    assert s2_source.request_counts["batch"] == 12


def test_an_outage_stops_the_splitting_after_a_few_failed_calls(fake_api, s2_source):
    from rsvlm_graph.sources.http import MAX_FAILED_CALLS

    ids = [f"CorpusId:{n}" for n in range(64)]
    fake_api.faults.fail("batch", 503, times=10_000)  # down for good
    # splitting down to single ids would take 127 calls of 4 tries each
    with pytest.raises(ServiceUnavailable, match="in a row"):
        s2_source.fetch_papers(ids)
    assert s2_source.request_counts["batch"] == MAX_FAILED_CALLS * 4


def test_missing_fields_are_none_not_guessed(fake_api, s2_source):
    fake_api.faults.missing_fields.update({"abstract", "tldr", "embedding", "authors", "year"})
    (paper,) = s2_source.fetch_papers(["ARXIV:2301.10000"])
    assert paper.title == core(fake_api, 0)["title"]
    assert (paper.abstract, paper.tldr, paper.embedding, paper.year) == (None, None, None, None)
    assert paper.authors == ()


def test_batch_retries_malformed_json_and_429_with_retry_after(fake_api, s2_source,
                                                               recorded_sleep):
    fake_api.faults.malformed("batch")
    fake_api.faults.rate_limit("batch", times=1, retry_after="4")
    (paper,) = s2_source.fetch_papers(["ARXIV:2301.10000"])
    assert paper is not None
    assert s2_source.request_counts["batch"] == 3
    assert 4.0 in recorded_sleep.waits


def test_rate_limited_batch_raises_instead_of_splitting(fake_api, fake_settings, recorded_sleep):
    from dataclasses import replace

    hurried = replace(fake_settings, rate_limit_patience=5.0)
    source = SemanticScholarSource(hurried, client_for(hurried, sleep=recorded_sleep))
    fake_api.faults.rate_limit("batch", times=10)
    with pytest.raises(RateLimited, match="slow down"):
        source.fetch_papers(["ARXIV:2301.10000", "ARXIV:2301.10001"])
    # one batch: about 1 + 2 s of waiting, then the 4 s wait would outlast the patience; no split
    assert source.request_counts["batch"] == 3
    source.close()


def test_without_key_the_429_message_says_set_s2_api_key(fake_api, fake_settings,
                                                          recorded_sleep):
    from dataclasses import replace

    keyless = replace(fake_settings, s2_api_key=None, retries=0, rate_limit_patience=0.0)
    source = SemanticScholarSource(keyless, client_for(keyless, sleep=recorded_sleep))
    fake_api.faults.rate_limit("batch")
    with pytest.raises(RateLimited, match="set S2_API_KEY"):
        source.fetch_papers(["ARXIV:2301.10000"])
    assert "x-api-key" not in fake_api.requests[-1].headers
    source.close()


def test_slow_answer_times_out_and_is_retried(fake_api, fake_settings, recorded_sleep):
    from dataclasses import replace

    hurried = replace(fake_settings, timeout=0.5)
    source = SemanticScholarSource(hurried, client_for(hurried, sleep=recorded_sleep))
    fake_api.faults.slow("batch", 30.0)
    (paper,) = source.fetch_papers(["ARXIV:2301.10002"])
    assert paper.s2_paper_id == fake_api.corpus.core_ids[2]
    assert source.request_counts["batch"] >= 2
    source.close()


# -- title match ----------------------------------------------------------------------------------


def test_match_title_encodes_the_query_and_returns_score(fake_api, s2_source):
    target = core(fake_api, 5)
    title = target["title"] + " & more #1 = a+b?"
    fake_api.corpus.papers[target["paperId"]]["title"] = title
    found = s2_source.match_title(title)
    assert found is not None
    paper, score = found
    assert paper.s2_paper_id == target["paperId"] and score > 0
    (request,) = fake_api.requests_to("match")
    assert request.param("query") == title  # arrived whole: & # = + were encoded


def test_match_title_asks_only_for_fields_search_endpoints_serve(fake_api, s2_source):
    from semanticscholar.Paper import Paper as S2Paper

    assert s2_source.match_title(core(fake_api, 3)["title"]) is not None
    (request,) = fake_api.requests_to("match")
    asked = request.param("fields").split(",")
    assert "title" in asked and "externalIds" in asked
    # S2 answers 400 to tldr or embedding on a search endpoint: they come by batch afterwards
    assert {f.split(".")[0] for f in asked} <= set(S2Paper.SEARCH_FIELDS)


def test_match_title_not_found_is_none(fake_api, s2_source):
    assert s2_source.match_title("Zebra migration acoustics in the Serengeti") is None
    assert fake_api.counts["match"] == 1
    assert s2_source.match_title("   ") is None
    assert fake_api.counts["match"] == 1


# -- citations and references --------------------------------------------------------------------


def test_citations_keep_influence_and_intents(fake_api, s2_source):
    corpus = fake_api.corpus
    target = corpus.core_ids[0]
    page = s2_source.citations(target)
    expected = {(e.citing, e.cited, e.is_influential, e.intents)
                for e in corpus.citations_of(target) if e.citing}
    assert {(c.citing, c.cited, c.is_influential, c.intents) for c in page.citations} == expected
    assert {p.s2_paper_id for p in page.papers} == {c.citing for c in page.citations}
    assert page.truncated is False
    assert fake_api.requests_to("citations")[0].headers["x-api-key"] == FAKE_API_KEY


def test_references_skip_unresolved_papers(fake_api, s2_source):
    corpus = fake_api.corpus
    source_id = corpus.core_ids[0]  # core[::5] papers carry a reference with paperId null
    assert any(e.cited is None for e in corpus.references_of(source_id))
    page = s2_source.references(source_id)
    resolved = [e for e in corpus.references_of(source_id) if e.cited]
    assert [(c.citing, c.cited) for c in page.citations] == [(source_id, e.cited)
                                                             for e in resolved]


def test_paging_follows_next_with_key_on_every_page_and_survives_a_503(fake_api, s2_source):
    corpus = fake_api.corpus
    target = corpus.core_ids[1]
    corpus.add_citers(target, 2500)
    fake_api.faults.fail("citations", 503)  # the package's pager would loop forever here
    page = s2_source.citations(target)
    assert len(page.citations) == len(corpus.citations_of(target))
    assert page.truncated is False
    requests = fake_api.requests_to("citations")
    assert [r.param("offset") for r in requests] == ["0", "0", "1000", "2000"]
    assert all(r.headers.get("x-api-key") == FAKE_API_KEY for r in requests)


def test_paging_past_the_cap_goes_on_by_date_ranges_and_never_asks_past_it(fake_api, s2_source):
    corpus = fake_api.corpus
    target = corpus.core_ids[2]
    corpus.add_citers(target, 10_100)
    every = {e.citing for e in corpus.citations_of(target) if e.citing}
    page = s2_source.citations(target)  # its year unknown: from the oldest citer read
    assert page.truncated is False
    assert {c.citing for c in page.citations} == every
    asked = fake_api.requests_to("citations")
    assert all(int(r.param("offset")) + int(r.param("limit")) < 10_000 for r in asked)
    assert len(asked) < 40  # at most twice each page of 1,000 (unfiltered, then by year), and a page per year


def test_a_broken_next_cursor_cannot_loop(fake_api, s2_source, monkeypatch):
    calls = []

    def stuck(path, params=None, *, endpoint):
        calls.append(params["offset"])
        return {"offset": 0, "next": 0, "data": []}

    monkeypatch.setattr(s2_source.client, "get_json", stuck)
    assert s2_source.citations("c" * 40).citations == ()
    assert calls == [0]


def test_unknown_paper_citations_raise_not_found(fake_api, s2_source):
    from rsvlm_graph.errors import PaperNotFound

    with pytest.raises(PaperNotFound, match="not found"):
        s2_source.citations(synthetic_paper_id(99, "nobody"))


# -- recommendations ------------------------------------------------------------------------------


def test_recommendations_post_positive_and_negative_ids(fake_api, s2_source):
    corpus = fake_api.corpus
    positive, negative = corpus.core_ids[:2], corpus.core_ids[2:3]
    papers = s2_source.recommendations(positive, negative, limit=5)
    assert [p.s2_paper_id for p in papers] == corpus.recommend(positive, negative, 5)
    (request,) = fake_api.requests_to("recommendations")
    assert request.path == "/recommendations/v1/papers/"
    assert json.loads(request.body) == {"positivePaperIds": positive,
                                        "negativePaperIds": negative}
    assert request.param("limit") == "5"


def test_recommendations_without_positives_send_nothing(fake_api, s2_source):
    assert s2_source.recommendations([]) == []
    assert fake_api.counts["recommendations"] == 0
    with pytest.raises(ValueError, match="limit"):
        s2_source.recommendations(["x"], limit=501)


# -- offline -------------------------------------------------------------------------------------


def test_offline_fails_fast_and_does_not_try_again(fake_settings, recorded_sleep):
    import socket
    from dataclasses import replace

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    offline = replace(fake_settings, s2_api_url=f"http://127.0.0.1:{port}")
    source = SemanticScholarSource(offline, client_for(offline, sleep=recorded_sleep))
    with pytest.raises(NetworkUnavailable):
        source.fetch_papers(["ARXIV:2301.10000", "ARXIV:2301.10001"])  # no split either
    with pytest.raises(NetworkUnavailable):
        source.match_title("anything")
    assert sum(source.client.unsent_counts.values()) == 1 and not source.request_counts
    assert recorded_sleep.waits == []
    source.close()


# -- real recorded answers (../shared/reference), read through the client --------------------------

REFERENCE = SHARED / "reference" / "semanticscholar"
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"no recordings at {REFERENCE}")


def recorded(name: str) -> list[tuple[str, str, int, str]]:
    """(method, uri, status, body) of each request of a vcrpy cassette."""
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the vcrpy cassettes")
    out = []
    for item in yaml.safe_load((REFERENCE / name).read_text())["interactions"]:
        response = item["response"]
        body = response["body"]["string"] if "body" in response else response["content"]
        status = response["status"]["code"] if "status" in response else \
            response["status_code"]
        out.append((item["request"]["method"], item["request"]["uri"], status, body))
    return out


def replaying(name: str, key=lambda request: None) -> SemanticScholarSource:
    """A source whose HTTP answers are the cassette's, picked by ``key(request)`` (else in turn)."""
    import httpx

    from rsvlm_graph.config import Settings
    from rsvlm_graph.sources.http import ApiClient

    answers = recorded(name)

    def handler(request: httpx.Request) -> httpx.Response:
        wanted = key(request)
        for method, uri, status, body in answers:
            if wanted is None or wanted == key(httpx.Request(method, uri)):
                if wanted is None:
                    answers.remove((method, uri, status, body))
                return httpx.Response(status, text=body)
        return httpx.Response(500, text="no recorded answer")

    client = ApiClient("https://api.semanticscholar.org", name="Semantic Scholar",
                       min_interval=0.0, timeout=5.0, retries=0,
                       transport=httpx.MockTransport(handler))
    return SemanticScholarSource(Settings(), client)


@needs_reference
def test_real_paper_objects_parse_with_their_nulls_and_int_ids():
    real = json.loads((REFERENCE / "Paper.json").read_text())
    paper = paper_from_json(real, FAKE_NOW)
    assert paper.external_id("CorpusId") == "14636783"  # an int on the wire
    assert paper.open_access_pdf is None and len(paper.embedding) == 768
    assert paper.publication_date == "1950-10-01" and paper.tldr.startswith("If the meaning")
    nested = [paper_from_json(c, FAKE_NOW) for c in real["citations"]]
    assert len({p.s2_paper_id for p in nested}) == len(real["citations"])
    empty = paper_from_json(json.loads((REFERENCE / "PaperWithNullValues.json").read_text()),
                            FAKE_NOW)
    assert empty.authors == () and empty.title == "" and empty.external_ids == ()


@needs_reference
def test_real_batch_answer_with_a_null_stays_aligned():
    ((_, _, _, body),) = recorded("test_get_papers_not_found_warning.yaml")
    source = replaying("test_get_papers_not_found_warning.yaml")
    ids = ["CorpusId:211530585", "CorpusId:470667", "10.2139/ssrn.2250500",
           "0f40b1f08821e22e859c6050916cec3667778613"]
    papers = source.fetch_papers(ids)
    assert papers[0] is None
    assert [p.s2_paper_id for p in papers[1:]] == [d["paperId"] for d in json.loads(body)[1:]]
    assert papers[1].external_id("CorpusId") == "470667"


@needs_reference
@pytest.mark.parametrize(
    ("cassette", "direction", "nested", "paper_id"),
    [
        ("test_get_paper_citations.yaml", "citations", "citingPaper", "CorpusID:14514057"),
        ("test_get_paper_references.yaml", "references", "citedPaper", "10.2139/ssrn.2250500"),
    ],
)
def test_real_pages_are_followed_to_the_end_and_null_papers_skipped(cassette, direction, nested,
                                                                     paper_id):
    answers = recorded(cassette)
    source = replaying(cassette, key=lambda request: request.url.params.get("offset"))
    page = getattr(source, direction)(paper_id)
    items = [item for *_, body in answers for item in json.loads(body)["data"]]
    resolved = {i[nested]["paperId"] for i in items if i[nested]["paperId"]}
    assert len(resolved) < len(items)  # both recordings have entries with paperId null
    other_end = [c.citing if direction == "citations" else c.cited for c in page.citations]
    assert sorted(other_end) == sorted(resolved)
    assert {p.s2_paper_id for p in page.papers} == resolved
    assert page.truncated is False
    assert source.request_counts[direction] == len(answers)  # followed `next` to the last page


@needs_reference
def test_real_title_match_and_not_found_answers():
    source = replaying("test_search_paper_match_title.yaml")
    paper, score = source.match_title("mining association rules between")
    assert paper.title == "Mining association rules between sets of items in large databases"
    assert score == pytest.approx(109.55098)
    from rsvlm_graph.errors import PaperNotFound

    with pytest.raises(PaperNotFound, match="Paper with id 0 not found"):
        replaying("test_not_found.yaml").citations("0")


@needs_reference
def test_real_recommendations_answer():
    ((_, _, _, body),) = recorded("test_get_recommended_papers_from_lists.yaml")
    papers = replaying("test_get_recommended_papers_from_lists.yaml").recommendations(
        ["10.1145/3544585.3544600"], ["10.1145/301250.301271"])
    assert [p.s2_paper_id for p in papers] == [
        d["paperId"] for d in json.loads(body)["recommendedPapers"]]


# -- the bundled list against corpus_for_list ----------------------------------------------------


def test_every_list_paper_resolves_in_the_corpus_built_for_the_list(fake_api, s2_source):
    from fakeapi import corpus_for_list

    from rsvlm_graph.listfile.parse import read_list

    document = read_list(Path(__file__).resolve().parent / "data" / "awesome-list.md")
    fake_api.corpus = corpus = corpus_for_list(document)
    entries = document.papers
    assert len(corpus.core_ids) == len(entries)
    by_id = [(i, f"ARXIV:{e.ids.arxiv_id}" if e.ids.arxiv_id else f"DOI:{e.ids.doi}")
             for i, e in enumerate(entries) if e.ids.arxiv_id or e.ids.doi]
    papers = s2_source.fetch_papers([sent for _, sent in by_id])
    assert [p.s2_paper_id for p in papers] == [corpus.core_ids[i] for i, _ in by_id]
    altered = [i for i, e in enumerate(entries)
               if corpus.papers[corpus.core_ids[i]]["title"] != e.title]
    assert altered  # some titles differ slightly, to exercise fuzzy matching
    for i in altered + [i for i, e in enumerate(entries) if not (e.ids.arxiv_id or e.ids.doi)]:
        found = s2_source.match_title(entries[i].title)
        assert found is not None and found[0].s2_paper_id == corpus.core_ids[i], entries[i].title


def test_an_id_that_keeps_failing_alone_is_unfetched_not_an_unknown_paper(fake_api, s2_source):
    # the whole batch, then its first half (one id) spend their 4 tries each; the second half
    # goes through
    fake_api.faults.fail("batch", 500, times=8)
    batch = s2_source.fetch_paper_batch(["ARXIV:2301.10000", "ARXIV:2301.10001"])
    assert list(batch.unfetched) == ["ARXIV:2301.10000"]
    assert "HTTP 500" in batch.unfetched["ARXIV:2301.10000"]
    assert batch.papers[0] is None and batch.papers[1] is not None
    assert fake_api.counts["batch"] == 9


@pytest.mark.parametrize(("method", "answer"), [
    ("citations", {"data": True}), ("citations", {"data": {"citingPaper": {}}}),
    ("references", ["not", "a", "page"]), ("match", {"data": "x"}), ("match", []),
    ("recommendations", {"recommendedPapers": 7}),
])
def test_an_answer_of_the_wrong_shape_fails_its_request_and_never_reads_as_empty(method, answer):
    # issue 29 (found by the fuzz test): {"data": true} was a TypeError; read as "no data" it
    # would have recorded a paper without citations. SYNTHETIC answers
    import httpx

    from rsvlm_graph.config import Settings
    from rsvlm_graph.errors import SourceError
    from rsvlm_graph.sources.http import ApiClient

    client = ApiClient("https://api.example.org", name="Semantic Scholar", min_interval=0.0,
                       timeout=5.0, retries=0, max_failed_calls=100,
                       transport=httpx.MockTransport(lambda request: httpx.Response(200, json=answer)))
    s2 = SemanticScholarSource(Settings(), client)
    call = {"citations": lambda: s2.citations("a" * 40), "references": lambda: s2.references("a" * 40),
            "match": lambda: s2.match_title("SYNTHETIC title"),
            "recommendations": lambda: s2.recommendations(["a" * 40])}[method]
    with pytest.raises(SourceError, match="not (an array|an object|a page object)"):
        call()
