"""Citation and reference lists nested in paper batches, against the fake API with the real
limits (issue 24): nothing the API may have cut is taken as complete, every citer and reference
of the fake's truth is kept, and nested flags stay unknown. Every record here is SYNTHETIC."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

import httpx
import pytest
from fakeapi.corpus import Edge as CorpusEdge
from fakeapi.corpus import corpus_for_list

from rsvlm_graph.enrich import RECOMMENDATIONS_WANTED, enrich
from rsvlm_graph.listfile.curation import Curation
from rsvlm_graph.listfile.parse import parse_list
from rsvlm_graph.records import OnFile
from rsvlm_graph.sources import s2_lists
from rsvlm_graph.sources.s2_lists import BATCH_IDS, NESTED_BUDGET, PACKED_SHARE, nested_batch, pack
from rsvlm_graph.sources.semantic_scholar import COUNT_FIELDS
from rsvlm_graph.store import Store

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)
#: a SYNTHETIC list of eight papers with arXiv ids (titles from the fake's own words)
LIST = "# SYNTHETIC list\n\n## Captioning\n| Title | Published in | Code |\n|---|---|---|\n" + "".join(
    f"| [SYNTHETIC paper {i}](https://arxiv.org/abs/2301.{20000 + i}) | arXiv 2023 | - |\n"
    for i in range(8))


def test_pack_keeps_each_batch_under_the_budget_share_and_500_ids():
    counts = {f"{i:040x}": (400, 100) for i in range(60)} | {"big": (9_500, 10)}
    batches = pack(counts, metadata=False)
    assert all(sum(sum(counts[s]) for s in b) <= NESTED_BUDGET * PACKED_SHARE for b in batches)
    assert "big" not in {s for b in batches for s in b}  # above the share alone: paged
    assert sorted(s for b in batches for s in b) == sorted(set(counts) - {"big"})
    many = pack({f"{i:040x}": (0, 0) for i in range(1_200)}, metadata=True)
    assert [len(b) for b in many] == [BATCH_IDS, BATCH_IDS, 200]


@pytest.fixture
def listed(fake_api):
    document = parse_list(LIST)
    fake_api.corpus = corpus_for_list(document)
    return document, fake_api.corpus


def run(document, s2_source, arxiv_source, settings, tmp_path, **options):
    with Store(tmp_path / "s.db") as store:
        return enrich(document, Curation(), s2=s2_source, arxiv=arxiv_source,
                      records=OnFile(store), settings=settings, now=lambda: NOW, **options)


def truth(corpus) -> set[tuple[str, str]]:
    listed = set(corpus.core_ids)
    return {(e.citing, e.cited) for e in corpus.edges
            if e.citing and e.cited and (e.citing in listed or e.cited in listed)}


def test_lists_past_one_answer_are_packed_into_batches_and_every_citer_is_kept(
        listed, fake_api, s2_source, arxiv_source, fake_settings, tmp_path):
    document, corpus = listed
    for pid in corpus.core_ids[:4]:  # 4 × 4,000 citers: two answers' worth, and more
        corpus.add_citers(pid, 4_000)
    result = run(document, s2_source, arxiv_source, fake_settings, tmp_path)
    assert {(c.citing, c.cited) for c in result.citations} == truth(corpus)
    nested = [r for r in fake_api.requests_to("batch") if "citations." in r.param("fields")]
    total = sum(len(corpus.citations_of(p)) + len(corpus.references_of(p)) for p in corpus.core_ids)
    assert len(nested) == 2 == -(-total // NESTED_BUDGET)  # the nested minimum
    assert not fake_api.requests_to("citations")  # nothing cut: nothing paged


def test_an_answer_that_reached_the_budget_is_taken_as_cut_and_its_short_lists_paged(
        listed, fake_api, s2_source, arxiv_source, fake_settings, tmp_path, monkeypatch):
    document, corpus = listed
    for pid in corpus.core_ids[:3]:
        corpus.add_citers(pid, 4_000)
    # packed past the budget (and the size estimate), so the API cuts the answer
    monkeypatch.setattr(s2_lists, "PACKED_SHARE", 1.5)
    monkeypatch.setattr(s2_lists, "ITEM_BYTES", 100)
    result = run(document, s2_source, arxiv_source, fake_settings, tmp_path)
    assert {(c.citing, c.cited) for c in result.citations} == truth(corpus)
    paged = [r for r in fake_api.requests_to("citations")]
    assert paged and all(int(r.param("offset")) >= 0 for r in paged)
    # a list the answer filled in part goes on where it ended, not from the start
    assert any(int(r.param("offset")) > 0 for r in paged)
    assert result.failures == ()


def test_an_empty_list_of_a_paper_counted_with_some_and_null_references_are_paged(
        listed, fake_api, s2_source, arxiv_source, fake_settings, tmp_path):
    document, corpus = listed
    elided = next(p for p in corpus.core_ids if corpus.references_of(p))
    corpus.elided_references.add(elided)
    fake_api.realism.nested_budget = 0  # every list served empty
    result = run(document, s2_source, arxiv_source, fake_settings, tmp_path)
    counted = [p for p in corpus.core_ids if corpus.papers[p]["citationCount"]]
    assert len(fake_api.requests_to("citations")) == len(counted)
    assert elided in {r.path.split("/")[-2] for r in fake_api.requests_to("references")}
    # the elided references: what the pages serve (nothing), never a guess
    assert not [c for c in result.citations if c.citing == elided]
    assert {(c.citing, c.cited) for c in result.citations} == truth(corpus) - {
        (e.citing, e.cited) for e in corpus.references_of(elided)}


def test_a_nested_batch_too_large_is_asked_in_halves(
        listed, fake_api, s2_source, arxiv_source, fake_settings, tmp_path):
    document, corpus = listed
    whole = httpx.post(f"{fake_api.s2_url}/graph/v1/paper/batch", json={"ids": corpus.core_ids},
                       params={"fields": s2_lists.nested_fields(COUNT_FIELDS)})
    fake_api.realism.max_response_bytes = len(whole.content) * 2 // 3  # a whole answer passes it
    result = run(document, s2_source, arxiv_source, fake_settings, tmp_path)
    sizes = [len(json.loads(r.body)["ids"]) for r in fake_api.requests_to("batch")
             if "citations." in r.param("fields")]
    assert sizes[0] == len(corpus.core_ids) and len(sizes) > 2
    assert {(c.citing, c.cited) for c in result.citations} == truth(corpus)


def test_nested_citations_say_nothing_of_influence_and_edge_details_pages_the_list_s_own(
        listed, fake_api, s2_source, arxiv_source, fake_settings, tmp_path):
    document, corpus = listed
    inside = set(corpus.core_ids)
    within = {(e.citing, e.cited) for e in corpus.edges if e.citing in inside and e.cited in inside}
    assert within
    plain = run(document, s2_source, arxiv_source, fake_settings, tmp_path)
    assert {c.is_influential for c in plain.citations} == {None}
    before = Counter(fake_api.counts)
    detailed = run(document, s2_source, arxiv_source, fake_settings, tmp_path, edge_details=True)
    sent = Counter(fake_api.counts) - before
    assert sent == Counter(references=len({c for c, _ in within}))
    flags = {(c.citing, c.cited): c.is_influential for c in detailed.citations}
    told = {(e.citing, e.cited): e.is_influential for e in corpus.edges}
    assert all(flags[pair] is told[pair] for pair in within)  # known, and as S2 says


def test_recommendations_ask_for_500_in_one_request(listed, fake_api, s2_source, arxiv_source,
                                                    fake_settings, tmp_path):
    document, _ = listed
    run(document, s2_source, arxiv_source, fake_settings, tmp_path)
    (asked,) = fake_api.requests_to("recommendations")
    assert asked.param("limit") == str(RECOMMENDATIONS_WANTED) == "500"


def test_the_share_leaves_room_for_counts_that_move(monkeypatch):
    # a batch packed to the budget itself would be cut by one new citer since the count
    monkeypatch.setattr(s2_lists, "PACKED_SHARE", 1.0)
    assert pack({"a": (9_999, 0)}, metadata=False) == [["a"]]
    monkeypatch.undo()
    assert pack({"a": (9_999, 0)}, metadata=False) == []


def test_a_paper_citing_itself_is_no_citation_paged_or_nested(fake_api, s2_source):
    corpus = fake_api.corpus
    pid = corpus.core_ids[3]
    corpus.edges.append(CorpusEdge(pid, pid))  # SYNTHETIC: S2 has it cite itself
    corpus.recount()
    paged = {(c.citing, c.cited) for kind in ("citations", "references")
             for c in getattr(s2_source, kind)(pid).citations}
    assert paged and (pid, pid) not in paged
    (answer,), _ = nested_batch(s2_source.client, lambda: "2024-06-01T12:00:00Z", [pid],
                                ["title", "citationCount", "referenceCount"])
    assert answer is not None
    nested = {(c.citing, c.cited) for c in (*answer.citations, *answer.references)}
    assert nested and (pid, pid) not in nested
