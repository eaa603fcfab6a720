"""The errors the real Semantic Scholar API gives, and venues and names as the APIs give them
(issue 10 items 6 and 7): against the fake API (SYNTHETIC corpus, real sockets) with its realism
switches, and the pieces (schema, store, plan) on SYNTHETIC records."""

from __future__ import annotations

import json
import logging
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from conftest import SHARED
from fakeapi import corpus_for_list, make_corpus
from fakeapi.corpus import real_venue_fields
from test_store import A

from rsvlm_graph.enrich import enrich
from rsvlm_graph.errors import BadRequest, PagingInterrupted, SourceError
from rsvlm_graph.graph import build_graph
from rsvlm_graph.identifiers import outside_paper_node_id
from rsvlm_graph.listfile.curation import Curation
from rsvlm_graph.listfile.parse import parse_list
from rsvlm_graph.records import OnFile
from rsvlm_graph.refresh_plan import PagesOnFile, plan_pages
from rsvlm_graph.schema import checked_s2_paper
from rsvlm_graph.sources import semantic_scholar as s2_module
from rsvlm_graph.sources.semantic_scholar import BATCH_LIMIT, PAGEABLE, PAPER_FIELDS
from rsvlm_graph.store import Store
from rsvlm_graph.venue_names import normalize_venue

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
REFERENCE = SHARED / "reference" / "semanticscholar"

#: a SYNTHETIC list of one paper (the fake gives it the row's arXiv id)
ONE_PAPER = """# SYNTHETIC list
## Remote Sensing Vision Language Model
| Paper | Published in | Code/Project |
|---|---|---|
|[SYNTHETIC vision language model for remote sensing](https://arxiv.org/abs/2301.10000)|arXiv 2023|-|
"""


def offsets(requests) -> list[str]:
    return [r.param("offset") for r in requests]


@pytest.fixture
def paged(monkeypatch):
    """Lists paged as before nested batches: every list too big to pack into one."""
    from rsvlm_graph.sources import s2_lists

    monkeypatch.setattr(s2_lists, "PACKED_SHARE", 0.0)


@pytest.fixture
def one_paper(fake_api):
    """The one-paper list, the fake serving a corpus around it; its S2 id."""
    document = parse_list(ONE_PAPER)
    fake_api.corpus = corpus_for_list(document)
    (pid,) = fake_api.corpus.core_ids
    return document, pid


def run_enrich(document, s2_source, store, settings):
    return enrich(document, Curation(), s2=s2_source, arxiv=None, records=OnFile(store),
                  settings=settings, now=lambda: NOW)


# -- a batch 400 is split only when the answer would be too large ----------------------------


def test_a_bad_field_400_fails_the_whole_batch_at_once_with_the_servers_message(
        fake_api, s2_source, monkeypatch, caplog):
    monkeypatch.setattr(s2_module, "PAPER_FIELDS", (*PAPER_FIELDS, "garbage"))
    ids = [f"CorpusId:{n}" for n in range(BATCH_LIMIT)]
    with caplog.at_level(logging.WARNING), \
            pytest.raises(BadRequest, match=r"Unrecognized or unsupported fields: \[garbage\]"):
        s2_source.fetch_papers(ids)
    assert fake_api.counts["batch"] == 1  # splitting it down to single ids took 999
    assert f"{BATCH_LIMIT} ids not fetched" in caplog.text
    assert "Unrecognized or unsupported fields: [garbage]" in caplog.text


def test_a_bad_field_400_is_a_failure_of_each_paper_sent_not_a_title_match(
        fake_api, one_paper, s2_source, fake_settings, monkeypatch, tmp_path):
    document, _ = one_paper
    monkeypatch.setattr(s2_module, "PAPER_FIELDS", (*PAPER_FIELDS, "garbage"))
    with Store(tmp_path / "s.db") as store:
        result = run_enrich(document, s2_source, store, fake_settings)
    (failure,) = [f for f in result.failures if f.phase != "arxiv"]  # arXiv is off here
    assert (failure.subject, failure.phase) == ("paper:arxiv:2301.10000", "resolve")
    assert "HTTP 400: Unrecognized or unsupported fields: [garbage]" in failure.reason
    assert fake_api.counts == {"batch": 1}


def answer_size(fake_api, ids: list[str]) -> int:
    """Bytes of the fake's batch answer to ``ids`` (what ``max_response_bytes`` is compared to)."""
    papers = [fake_api.paper_json(fake_api.corpus.resolve(i), list(PAPER_FIELDS)) for i in ids]
    return len((json.dumps(papers) + "\n").encode())


def test_a_batch_whose_answer_would_be_too_large_is_split_until_each_half_fits(
        fake_api, s2_source):
    corpus = fake_api.corpus
    known = sorted(corpus.papers)
    ids = [known[n % len(known)] for n in range(BATCH_LIMIT)]  # 500 ids of real-sized papers
    quarters = [ids[k:k + BATCH_LIMIT // 4] for k in range(0, BATCH_LIMIT, BATCH_LIMIT // 4)]
    fake_api.realism.max_response_bytes = max(answer_size(fake_api, q) for q in quarters)
    papers = s2_source.fetch_papers(ids)
    assert [p.s2_paper_id for p in papers] == ids
    sizes = [len(json.loads(r.body)["ids"]) for r in fake_api.requests_to("batch")]
    assert sizes == [500, 250, 125, 125, 250, 125, 125]


def test_a_single_paper_too_large_to_answer_costs_only_its_own_record(fake_api, s2_source):
    fake_api.realism.max_response_bytes = 16  # not even one paper fits
    papers = s2_source.fetch_papers(["ARXIV:2301.10000", "ARXIV:2301.10001"])
    assert papers == [None, None]
    assert fake_api.counts["batch"] == 3  # the pair, then each id once: a 400 is not retried


# -- paging keeps what it read and goes on from there ----------------------------------------


def fail_the_second_page(fake_api, endpoint: str, tries: int) -> None:
    """Let the next page through (a delay of 0 s answers as usual), then fail ``tries`` times."""
    fake_api.faults.slow(endpoint, 0.0)
    fake_api.faults.fail(endpoint, 503, times=tries)


def test_a_page_that_keeps_failing_keeps_the_pages_read_and_resume_goes_on_at_its_offset(
        fake_api, s2_source, fake_settings):
    corpus = fake_api.corpus
    target = corpus.core_ids[1]
    corpus.add_citers(target, 2500)
    every = {(e.citing, target) for e in corpus.citations_of(target) if e.citing}
    tries = fake_settings.retries + 1
    fail_the_second_page(fake_api, "citations", tries)
    with pytest.raises(PagingInterrupted, match="stopped at offset 1000") as stop:
        s2_source.citations(target)
    partial = stop.value.partial
    assert partial.next_offset == 1000 and len(partial.citations) == 1000
    assert "HTTP 503" in str(stop.value.cause)
    page = s2_source.citations(target, resume=partial)
    assert {(c.citing, c.cited) for c in page.citations} == every
    assert page.next_offset is None and page.truncated is False
    assert offsets(fake_api.requests_to("citations")) == ["0"] + ["1000"] * tries + ["1000", "2000"]


def test_a_first_page_that_keeps_failing_is_the_plain_error(fake_api, s2_source, fake_settings):
    fake_api.faults.fail("references", 503, times=fake_settings.retries + 1)
    with pytest.raises(SourceError) as error:
        s2_source.references(fake_api.corpus.core_ids[0])
    assert not isinstance(error.value, PagingInterrupted)  # nothing read, nothing to keep


def test_an_interrupted_paging_is_kept_never_complete_and_the_next_enrich_goes_on_from_it(
        fake_api, one_paper, s2_source, fake_settings, tmp_path, paged):
    document, pid = one_paper
    corpus = fake_api.corpus
    corpus.add_citers(pid, 2500)
    every = {(e.citing, pid) for e in corpus.citations_of(pid) if e.citing}
    tries = fake_settings.retries + 1
    fail_the_second_page(fake_api, "citations", tries)
    with Store(tmp_path / "s.db") as store:
        first = run_enrich(document, s2_source, store, fake_settings)
        # the first page is kept and in the enrichment, beside a failure: not a complete list
        read = {(c.citing, c.cited) for c in first.citations if c.cited == pid}
        assert len(read) == 1000 and read < every
        (failure,) = [f for f in first.failures if f.phase == "citations"]
        assert failure.subject == pid and "HTTP 503" in failure.reason
        assert store.row("citations", pid) is None
        assert store.row("paging", f"citations:{pid}").record.next_offset == 1000
        asked_first = len(fake_api.requests_to("citations"))
        assert offsets(fake_api.requests_to("citations")) == ["0"] + ["1000"] * tries

        second = run_enrich(document, s2_source, store, fake_settings)
        assert offsets(fake_api.requests_to("citations")[asked_first:]) == ["1000", "2000"]
        assert {(c.citing, c.cited) for c in second.citations if c.cited == pid} == every
        assert not [f for f in second.failures if f.phase == "citations"]
        assert store.row("paging", f"citations:{pid}") is None
        assert len(store.list_edges("citations", pid)) == len(every)


def test_an_offline_run_names_a_pending_paging_as_a_failure(
        fake_api, one_paper, s2_source, fake_settings, tmp_path, paged):
    document, pid = one_paper
    fake_api.corpus.add_citers(pid, 1500)
    fail_the_second_page(fake_api, "citations", fake_settings.retries + 1)
    with Store(tmp_path / "s.db") as store:
        run_enrich(document, s2_source, store, fake_settings)
        offline = enrich(document, Curation(), s2=None, arxiv=None,
                         records=OnFile(store, writable=False),
                         settings=fake_settings, now=lambda: NOW, offline=True)
    (failure,) = [f for f in offline.failures if f.phase == "citations"]
    assert failure.subject == pid
    assert len([c for c in offline.citations if c.cited == pid]) == 1000


def test_a_list_whose_last_try_failed_is_fetched_whatever_the_counts_say():
    # its failure is on file (a refresh that failed, a snapshot line that could not be read)
    plan = plan_pages(["a", "b", "c"], {"a": 5, "b": 5, "c": 0},
                      {s: PagesOnFile(5 if s != "c" else 0, NOW) for s in "abc"},
                      now=NOW, full_every=timedelta(weeks=4), stale_after=timedelta(days=7),
                      failed={"b", "c"})
    assert plan.fetch == ("b",) and plan.keep == ("a",) and plan.empty == ("c",)
    assert plan.reasons == {"b": "failed before"}


def test_a_pending_paging_is_fetched_whatever_the_counts_say():
    now = NOW
    plan = plan_pages(["a", "b"], {"a": 5, "b": 5}, {s: PagesOnFile(5, now) for s in "ab"},
                      now=now, full_every=timedelta(weeks=4), stale_after=timedelta(days=7),
                      interrupted={"b"})
    assert plan.fetch == ("b",) and plan.keep == ("a",)
    assert plan.reasons == {"b": "interrupted"}


# -- truncated by the count, with or without a next -------------------------------------------


def test_a_list_longer_than_the_api_pages_is_read_whole_by_date_ranges(fake_api, s2_source):
    fake_api.realism.no_next_at_cap = True  # the real API ends a long list with no sign
    corpus = fake_api.corpus
    target = corpus.core_ids[2]
    corpus.add_citers(target, PAGEABLE + 2_000)  # citing papers of 2020 to 2024
    every = {(e.citing, target) for e in corpus.citations_of(target) if e.citing}
    page = s2_source.citations(target, count=len(every), since_year=2020)
    assert page.truncated is False
    assert {(c.citing, c.cited) for c in page.citations} == every
    ranges = [r.param("publicationDateOrYear") for r in fake_api.requests_to("citations")]
    assert {"2020", "2021", "2022", "2023", "2024"} <= set(ranges)


def test_a_list_no_date_range_can_page_whole_is_truncated(fake_api, s2_source):
    fake_api.realism.no_next_at_cap = True
    corpus = fake_api.corpus
    target = corpus.core_ids[2]
    citers = corpus.add_citers(target, 2 * PAGEABLE)
    for citer in citers:  # one day's papers: no range smaller than a day
        corpus.papers[citer].update(year=2023, publicationDate="2023-03-01")
    page = s2_source.citations(target, count=2 * PAGEABLE, since_year=2023)
    on_the_day = [c for c in page.citations if c.citing in set(citers)]
    assert page.truncated is True and len(on_the_day) == PAGEABLE
    assert "2023-03-01:2023-03-01" in {r.param("publicationDateOrYear")
                                       for r in fake_api.requests_to("citations")}


def test_enrich_keeps_what_the_api_serves_of_a_paper_counting_more_than_it_serves(
        fake_api, one_paper, s2_source, fake_settings, tmp_path):
    document, pid = one_paper
    fake_api.realism.no_next_at_cap = True
    served = {(e.citing, pid) for e in fake_api.corpus.citations_of(pid) if e.citing}
    fake_api.corpus.claim_citations(pid, 25_000)  # a few edges served, 25,000 claimed
    with Store(tmp_path / "s.db") as store:
        result = run_enrich(document, s2_source, store, fake_settings)
    # too many for a batch: paged; its pages end on their own, so that is all there is
    assert result.truncated == ()
    assert {(c.citing, c.cited) for c in result.citations if c.cited == pid} == served
    assert fake_api.counts["citations"] == 1


# -- venues as the API gives them -------------------------------------------------------------


def published_in(G, node: str) -> list[str]:
    return [G.nodes[v]["name"] for _, v, key in G.out_edges(node, keys=True)
            if key == "published_in"]


def test_an_empty_venue_falls_back_to_publication_venue_then_journal_in_the_graph(
        fake_api, one_paper, s2_source, fake_settings, tmp_path, caplog):
    document, pid = one_paper
    fake_api.realism.venues = True
    corpus = fake_api.corpus
    first, second, third = sorted(e.citing for e in corpus.citations_of(pid) if e.citing)[:3]
    corpus.papers[first].update(venue="", journal={"pages": "1 - 9"}, publicationVenue={
        "id": "SYNTHETIC", "name": "SYNTHETIC Venue Only", "type": "journal"})
    corpus.papers[second].update(venue="", publicationVenue=None,
                                 journal={"name": "SYNTHETIC Journal Only", "volume": "3"})
    corpus.papers[third].update(venue="SYNTHETIC Venue Field", journal={"name": "Other"},
                                publicationVenue={"name": "Other too"})
    with caplog.at_level(logging.WARNING), Store(tmp_path / "s.db") as store:
        enrichment = run_enrich(document, s2_source, store, fake_settings)
    assert "dropped" not in caplog.text  # every real shape passes the schema
    G = build_graph(document, enrichment)
    assert published_in(G, outside_paper_node_id(first)) == ["SYNTHETIC Venue Only"]
    assert published_in(G, outside_paper_node_id(second)) == ["SYNTHETIC Journal Only"]
    assert published_in(G, outside_paper_node_id(third)) == ["SYNTHETIC Venue Field"]
    # and the rest as the switch serves them: venue, else publicationVenue.name, else journal.name
    for paper in enrichment.papers:
        record = corpus.papers[paper.s2_paper_id]
        served = {**record, **real_venue_fields(record)}
        name = served.get("venue") or (served.get("publicationVenue") or {}).get("name") \
            or (served.get("journal") or {}).get("name")
        assert paper.venue == (name or None), paper.s2_paper_id
        node = outside_paper_node_id(paper.s2_paper_id)
        if node in G:
            assert published_in(G, node) == ([normalize_venue(name)] if name else [])
    (batch, nested, *_) = fake_api.requests_to("batch")
    assert {"journal", "publicationVenue"} <= set(batch.param("fields").split(","))
    asked = nested.param("fields").split(",")  # the citing papers' came nested
    assert {"citations.journal", "citations.publicationVenue"} <= set(asked)


def test_a_wrong_typed_journal_or_publication_venue_is_dropped_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        data = checked_s2_paper({"paperId": A, "venue": "", "journal": "SYNTHETIC",
                                 "publicationVenue": {"name": 7}})
    assert "journal" not in data and "publicationVenue" not in data
    assert f"Semantic Scholar paper {A}: field 'journal' dropped" in caplog.text
    assert f"Semantic Scholar paper {A}: field 'publicationVenue' dropped" in caplog.text
    assert s2_module.paper_from_json(data, "2026-11-27T10:00:00Z").venue is None


@pytest.mark.reference
@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is absent")
def test_every_recorded_journal_and_publication_venue_passes_the_schema(caplog):
    citers = [c for c in json.loads((REFERENCE / "Paper.json").read_text())["citations"]]
    assert sum(bool(c.get("journal")) for c in citers) > 900  # the recording has them
    with caplog.at_level(logging.WARNING):
        for citer in citers:
            checked = checked_s2_paper(citer)
            assert checked.get("journal") == citer.get("journal")
            assert checked.get("publicationVenue") == citer.get("publicationVenue")
    assert "dropped" not in caplog.text
    # the real citer with venue "" and only a journal gets the journal's name
    (only_journal,) = [c for c in citers if not c["venue"] and c.get("journal")]
    paper = s2_module.paper_from_json(only_journal, "2026-11-27T10:00:00Z")
    assert paper.venue == only_journal["journal"]["name"]


# -- arXiv author names ------------------------------------------------------------------------


def test_arxiv_author_names_get_the_mojibake_repair_of_list_titles(fake_api, arxiv_source):
    record = fake_api.corpus.arxiv["2301.10000"]
    record["authors"] = ["Fran\u00c3\u00a7ois L\u00c3\u00a9ger", "\u00e6\u009d\u008e Test",
                         "Zoë Ångström"]
    (fetched,), failures = arxiv_source.fetch(["2301.10000"])
    assert failures == []
    assert fetched.authors == ("François Léger", "李 Test", "Zoë Ångström")


def test_every_mojibaked_arxiv_author_of_the_scripts_corpus_reads_as_s2_names_it(
        fake_api, arxiv_source):
    fake_api.corpus = corpus = make_corpus(seed=0, scripts=True)
    names = {}  # arXiv id -> the names as S2 has them (the fake mojibakes one record in three)
    for record in corpus.papers.values():
        arxiv_id = (record.get("externalIds") or {}).get("ArXiv")
        if arxiv_id in corpus.arxiv and record["authors"]:
            names[arxiv_id] = tuple(unicodedata.normalize("NFC", a["name"])
                                    for a in record["authors"])
    served = {a: tuple(corpus.arxiv[a]["authors"]) for a in names}
    assert sum(served[a] != names[a] for a in names) >= 3  # mojibake is served
    records, failures = arxiv_source.fetch(sorted(names))
    assert failures == []
    assert {r.arxiv_id: r.authors for r in records} == names


def test_a_citation_page_too_large_to_answer_is_asked_for_in_halves_from_the_same_offset(
        fake_api, s2_source):
    corpus = fake_api.corpus
    target = corpus.core_ids[1]
    corpus.add_citers(target, 1200)
    every = {(e.citing, target) for e in corpus.citations_of(target) if e.citing}
    fields = ",".join(s2_module.EDGE_PAPER_FIELDS + s2_module.EDGE_FIELDS)
    quarter = s2_source.client.get_json(f"/graph/v1/paper/{target}/citations",
                                        {"fields": fields, "offset": 0, "limit": 250},
                                        endpoint="probe")
    # a page of 250 fits, one of 500 (about twice as large) does not
    fake_api.realism.max_response_bytes = int(len(json.dumps(quarter)) * 1.5)
    page = s2_source.citations(target)
    assert {(c.citing, c.cited) for c in page.citations} == every  # nothing lost
    asked = [(r.param("offset"), r.param("limit")) for r in fake_api.requests_to("citations")][1:]
    assert asked[:3] == [("0", "1000"), ("0", "500"), ("0", "250")]
    assert {limit for _, limit in asked[3:]} == {"250"}  # the smaller pages are kept
