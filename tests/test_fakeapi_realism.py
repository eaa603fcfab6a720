"""The fake's realism switches behave as the real API does, per the recordings and the OpenAPI spec.

Each switch of ``fakeapi.Realism`` is checked against ``../shared/reference`` (recorded answers,
``s2-openapi/``): status codes, error texts, field names. The shared pool's window is driven by
an injected clock: nothing here sleeps. The spec-dependent tests skip without the reference.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from typing import Any

import ftfy
import httpx
import pytest
from conftest import SHARED
from fakeapi import FakeApi, Realism, SharedPoolLimit, make_corpus
from fakeapi.corpus import real_venue_fields, synthetic_paper_id
from fakeapi.server import CITATION_CAP, RESPONSE_MAX_BYTES, TOO_LARGE, TOO_MANY_REQUESTS
from test_fakeapi_reference import OPTIONAL_MEMBERS, assert_same_shape, fields_of, interactions

REFERENCE = SHARED / "reference"
OPENAPI = REFERENCE / "s2-openapi"
needs_reference = pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"no reference at {REFERENCE}")


def spec(name: str) -> Any:
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the OpenAPI spec")
    return yaml.safe_load((OPENAPI / name).read_text(encoding="utf-8"))


def error400_texts() -> str:
    """The description of the Graph API's Error400: the messages the real API sends."""
    schema = spec("semantic-scholar-academic-graph-openapi.yml")["components"]["schemas"]
    return schema["Error400"]["properties"]["error"]["description"]


class Clock:
    """A clock tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def get(api: FakeApi, path: str, headers: dict[str, str] | None = None, **params: Any
        ) -> httpx.Response:
    return httpx.get(api.s2_url + path, params=params, headers=headers)


def batch(api: FakeApi, ids: list[str], fields: str = "title") -> httpx.Response:
    return httpx.post(api.s2_url + "/graph/v1/paper/batch", params={"fields": fields},
                      json={"ids": ids})


def recommend(api: FakeApi, positive: list[str], fields: str = "title") -> httpx.Response:
    return httpx.post(api.s2_url + "/recommendations/v1/papers/",
                      params={"fields": fields, "limit": 10},
                      json={"positivePaperIds": positive, "negativePaperIds": []})


def test_defaults_are_all_off_and_real_turns_on_all_but_the_pool():
    corpus = make_corpus(seed=0, n_outside=2, n_core=2)
    assert FakeApi(corpus).realism == Realism()
    real = FakeApi(corpus, real=True).realism
    assert real == Realism.real() and real.pool is None
    assert real.max_response_bytes == RESPONSE_MAX_BYTES == 10 * 1024 * 1024
    assert real.no_next_at_cap and real.best_title_match and real.recommendations_404
    assert real.venues


# -- the shared pool ---------------------------------------------------------------------------


def test_pool_window_slides_and_refusals_cost_nothing():
    clock = Clock()
    pool = SharedPoolLimit(requests=3, seconds=10.0, clock=clock)
    assert [pool.admit() for _ in range(3)] == [True] * 3
    clock.now += 4.0
    assert pool.admit() is False and pool.wait_time() == pytest.approx(6.0)
    clock.now += 5.999  # 9.999 s after the first three: still inside the window
    assert [pool.admit() for _ in range(5)] == [False] * 5
    clock.now += 0.001  # the first three leave the window together
    assert pool.wait_time() == 0.0
    assert [pool.admit() for _ in range(4)] == [True, True, True, False]
    assert (pool.accepted, pool.rejected) == (6, 7)


@needs_reference
def test_pool_defaults_are_the_documented_unauthenticated_limit():
    unauthenticated = next(limit for limit in spec("semantic-scholar-rate-limits.yml")["limits"]
                           if limit["scope"] == "unauthenticated")
    pool = SharedPoolLimit()
    assert (pool.requests, pool.seconds) == (unauthenticated["limit"],
                                             unauthenticated["timeFrame"]) == (100, 300)


def test_pool_answers_the_real_429_to_keyless_s2_requests_only():
    clock = Clock()
    pool = SharedPoolLimit(requests=2, seconds=300.0, clock=clock)
    with FakeApi(make_corpus(seed=0), realism=Realism(pool=pool)) as api:
        pid = api.corpus.core_ids[0]
        assert get(api, f"/graph/v1/paper/{pid}").status_code == 200
        assert batch(api, [pid]).status_code == 200
        refused = get(api, f"/graph/v1/paper/{pid}/citations")
        assert refused.status_code == 429
        assert refused.json() == TOO_MANY_REQUESTS
        assert "retry-after" not in refused.headers
        # keyed requests and arXiv are outside the pool
        keyed = get(api, f"/graph/v1/paper/{pid}", headers={"x-api-key": "SYNTHETIC"})
        assert keyed.status_code == 200
        assert httpx.get(api.arxiv_url, params={"id_list": "2301.10000"}).status_code == 200
        assert (pool.accepted, pool.rejected) == (2, 1)
        pool.retry_after = "30"
        assert get(api, f"/graph/v1/paper/{pid}").headers["retry-after"] == "30"
        clock.now += 300.0
        assert get(api, f"/graph/v1/paper/{pid}").status_code == 200
        assert (pool.accepted, pool.rejected) == (3, 2)
        assert (api.counts["paper"], api.counts["citations"]) == (4, 1)  # refused ones too


def test_pool_429_body_is_what_keyless_users_get():
    assert TOO_MANY_REQUESTS["code"] == "429"
    assert TOO_MANY_REQUESTS["message"].startswith("Too Many Requests. Please wait and try again")
    assert TOO_MANY_REQUESTS["message"].endswith("https://www.semanticscholar.org/product/api"
                                                 "#api-key-form")


def test_pool_counts_exactly_under_concurrent_requests():
    pool = SharedPoolLimit(requests=25, seconds=300.0, clock=lambda: 0.0)
    statuses: list[int] = []
    lock = threading.Lock()
    with FakeApi(make_corpus(seed=0, n_outside=2, n_core=2),
                 realism=Realism(pool=pool)) as api:
        pid = api.corpus.core_ids[0]

        def hammer() -> None:
            with httpx.Client() as client:
                for _ in range(10):
                    status = client.get(f"{api.s2_url}/graph/v1/paper/{pid}").status_code
                    with lock:
                        statuses.append(status)

        threads = [threading.Thread(target=hammer) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses.count(200) == pool.accepted == 25
    assert statuses.count(429) == pool.rejected == 35


# -- error 400s --------------------------------------------------------------------------------


@needs_reference
def test_bad_fields_answer_the_real_400_on_every_endpoint():
    schema = spec("semantic-scholar-academic-graph-openapi.yml")["components"]["schemas"]
    example = schema["Error400"]["properties"]["error"]["example"]
    bad = re.fullmatch(r"Unrecognized or unsupported fields: \[(.*)\]", example).group(1)
    fields = f"title,{bad.replace(' ', '')}"
    with FakeApi(make_corpus(seed=0)) as api:
        pid = api.corpus.core_ids[0]
        answers = {
            "paper": get(api, f"/graph/v1/paper/{pid}", fields=fields),
            "batch of unknown ids": batch(api, ["CorpusId:1"], fields),
            "match": get(api, "/graph/v1/paper/search/match", query="x", fields=fields),
            "citations": get(api, f"/graph/v1/paper/{pid}/citations", fields=fields),
            "references": get(api, f"/graph/v1/paper/{pid}/references", fields=fields),
            "recommendations": recommend(api, [pid], fields),
        }
        for endpoint, answer in answers.items():
            assert (answer.status_code, answer.json()) == (400, {"error": example}), endpoint
        # what one endpoint serves another refuses
        tldr = get(api, "/graph/v1/paper/search/match", query="x", fields="title,tldr")
        assert tldr.json() == {"error": "Unrecognized or unsupported fields: [tldr]"}
        vector = recommend(api, [pid], "title,embedding.specter_v2")
        assert vector.json() == {
            "error": "Unrecognized or unsupported fields: [embedding.specter_v2]"}
        edge = get(api, f"/graph/v1/paper/{pid}/citations", fields="title,contexts,intents")
        assert edge.status_code == 200


@needs_reference
def test_a_too_large_answer_is_the_real_400():
    assert "Response would exceed maximum size" in error400_texts()
    assert "10 MB" in error400_texts()
    assert TOO_LARGE.startswith("Response would exceed maximum size")
    with FakeApi(make_corpus(seed=0), realism=Realism(max_response_bytes=2000)) as api:
        core = api.corpus.core_ids
        assert batch(api, core[:2]).status_code == 200
        too_large = batch(api, core, "title,abstract,authors")
        assert (too_large.status_code, too_large.json()) == (400, {"error": TOO_LARGE})
        pid = max(core, key=lambda p: len(api.corpus.citations_of(p)))
        page = get(api, f"/graph/v1/paper/{pid}/citations", fields="title,abstract,authors",
                   limit=1000)
        assert (page.status_code, page.json()) == (400, {"error": TOO_LARGE})
        assert get(api, f"/graph/v1/paper/{pid}/citations", fields="title",
                   limit=1).status_code == 200


# -- the ~10k cap ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def popular() -> tuple[Any, str]:
    """A corpus whose first paper has 10,050 served citers and claims 25,000."""
    corpus = make_corpus(seed=0, n_outside=2, n_core=2)
    pid = corpus.core_ids[0]
    corpus.add_citers(pid, 10_050)
    corpus.claim_citations(pid, 25_000)
    return corpus, pid


def test_no_next_where_no_page_may_start(popular):
    corpus, pid = popular
    last = CITATION_CAP - 1 - 9000  # the largest page at offset 9000: offset + limit < 10000
    with FakeApi(corpus) as api:
        lenient = get(api, f"/graph/v1/paper/{pid}/citations", offset=9000, limit=last).json()
        api.realism = Realism(no_next_at_cap=True)
        first = get(api, f"/graph/v1/paper/{pid}/citations", offset=0, limit=1000).json()
        capped = get(api, f"/graph/v1/paper/{pid}/citations", offset=9000, limit=last).json()
        paper = get(api, f"/graph/v1/paper/{pid}", fields="citationCount").json()
        beyond = get(api, f"/graph/v1/paper/{pid}/citations", offset=9000, limit=1000)
    assert lenient["next"] == CITATION_CAP - 1
    assert first["next"] == 1000
    assert "next" not in capped and len(capped["data"]) == last
    assert paper["citationCount"] == 25_000  # only the count tells the list was cut
    assert beyond.status_code == 400


def test_citation_count_override_survives_new_edges():
    corpus = make_corpus(seed=0, n_outside=2, n_core=2)
    pid = corpus.core_ids[1]
    corpus.claim_citations(pid, 12_345)
    corpus.add_citers(pid, 3)
    assert corpus.papers[pid]["citationCount"] == 12_345
    assert corpus.papers[corpus.core_ids[0]]["citationCount"] == len(
        corpus.citations_of(corpus.core_ids[0]))


# -- title match -------------------------------------------------------------------------------


@needs_reference
def test_best_title_match_returns_the_full_title_for_a_partial_one():
    ((_, uri, _, real),) = interactions("test_search_paper_match_title.yaml")
    query = re.search(r"query=([^&]+)", uri).group(1).replace("+", " ")
    full = real["data"][0]["title"]
    corpus = make_corpus(seed=0)
    corpus.add_paper({"paperId": synthetic_paper_id(0, "recorded-title"), "title": full})
    with FakeApi(corpus) as api:
        lenient = get(api, "/graph/v1/paper/search/match", query=query, fields=fields_of(uri))
        api.realism = Realism(best_title_match=True)
        found = get(api, "/graph/v1/paper/search/match", query=query, fields=fields_of(uri))
    assert lenient.status_code == 404
    assert found.status_code == 200
    assert_same_shape(real, found.json())
    assert found.json()["data"][0]["title"] == full


def test_best_title_match_answers_another_paper_and_404_only_for_no_shared_word():
    with FakeApi(make_corpus(seed=0), realism=Realism(best_title_match=True)) as api:
        other = get(api, "/graph/v1/paper/search/match", query="Satellite glacier retrieval",
                    fields="title")
        nothing = get(api, "/graph/v1/paper/search/match", query="totalGarbageNonsense",
                      fields="title")
    assert other.status_code == 200 and other.json()["data"][0]["title"].startswith("SYNTHETIC")
    assert (nothing.status_code, nothing.json()) == (404, {"error": "Title match not found"})


def test_title_match_reads_every_script():
    corpus = make_corpus(seed=0, scripts=True)
    chinese = next(pid for pid, r in corpus.papers.items() if "遥感" in r["title"])
    title = corpus.papers[chinese]["title"]
    assert corpus.match_title(title) == (chinese, 100.0)
    assert corpus.best_match(title)[0] == chinese
    assert corpus.match_title("SYNTHETIC 完全不同的标题") is None


# -- recommendations ---------------------------------------------------------------------------


@needs_reference
def test_recommendations_404_when_no_positive_is_known():
    paths = spec("semantic-scholar-recommendations-openapi.yml")["paths"]
    message = paths["/papers/"]["post"]["responses"]["404"]["description"]
    with FakeApi(make_corpus(seed=0)) as api:
        lenient = recommend(api, ["CorpusId:1"])
        api.realism = Realism(recommendations_404=True)
        unknown = recommend(api, ["CorpusId:1"])
        known = recommend(api, ["CorpusId:1", api.corpus.core_ids[0]])
    assert (lenient.status_code, lenient.json()) == (200, {"recommendedPapers": []})
    assert (unknown.status_code, unknown.json()) == (404, {"error": message})
    assert message == "Input papers not found"
    assert known.status_code == 200 and known.json()["recommendedPapers"]


# -- venues ------------------------------------------------------------------------------------


def recorded_citers() -> list[dict[str, Any]]:
    return json.loads((REFERENCE / "semanticscholar" / "Paper.json").read_text())["citations"]


@needs_reference
def test_venues_have_the_recorded_shapes_and_every_fallback_case():
    journal_keys: set[str] = set()
    venue_keys: set[str] = set()
    for citer in recorded_citers():
        journal_keys |= set(citer["journal"] or ())
        venue_keys |= set(citer["publicationVenue"] or ())
    assert (journal_keys, venue_keys) == (OPTIONAL_MEMBERS["journal"],
                                          OPTIONAL_MEMBERS["publicationVenue"])
    with FakeApi(make_corpus(seed=0), realism=Realism(venues=True)) as api:
        answer = batch(api, list(api.corpus.papers), "venue,journal,publicationVenue").json()
    cases = set()
    for paper in answer:
        journal, venue = paper["journal"], paper["publicationVenue"]
        assert set(journal or ()) <= journal_keys and set(venue or ()) <= venue_keys
        if venue is not None:
            assert {"id", "name"} <= set(venue)
            assert isinstance(venue["alternate_names"], list)
        if journal is not None:
            assert all(isinstance(v, str) for v in journal.values())
        name = paper["venue"] or (venue or {}).get("name") or (journal or {}).get("name")
        cases.add((bool(paper["venue"]), bool((venue or {}).get("name")),
                   bool((journal or {}).get("name")), bool(name)))
    assert (False, True, False, True) in cases  # only publicationVenue.name
    assert (False, False, True, True) in cases  # only journal.name
    assert (True, True, True, True) in cases  # all three
    assert (False, False, False, False) in cases  # no venue at all


def test_venues_off_keeps_nulls_and_real_records_are_left_alone():
    with FakeApi(make_corpus(seed=0)) as api:
        answer = batch(api, api.corpus.core_ids, "venue,journal,publicationVenue").json()
    assert all(p["journal"] is None and p["publicationVenue"] is None for p in answer)
    recorded = {"paperId": "x", "venue": "V", "journal": {"name": "J"}, "publicationVenue": None}
    assert real_venue_fields(recorded) == {}


@needs_reference
def test_venue_answer_matches_a_recorded_citer_with_both_objects():
    real = next(c for c in recorded_citers() if c["journal"] and c["publicationVenue"]
                and set(c["journal"]) == {"name", "volume", "pages"}
                and {"type", "url", "alternate_names"} <= set(c["publicationVenue"]))
    with FakeApi(make_corpus(seed=0), realism=Realism(venues=True)) as api:
        full = next(p for p in batch(api, list(api.corpus.papers),
                                     "venue,journal,publicationVenue").json()
                    if p["journal"] and len(p["journal"]) == 3)
    assert set(full["journal"]) == set(real["journal"])
    for key in ("id", "name", "type", "url", "alternate_names"):
        assert_same_shape(real["publicationVenue"][key], full["publicationVenue"][key], key)


# -- scripts -----------------------------------------------------------------------------------


def scripts_of(text: str) -> set[str]:
    """Rough script names of the letters and symbols in ``text``."""
    out = set()
    for char in text:
        name = unicodedata.name(char, "")
        if unicodedata.category(char) == "So":
            out.add("EMOJI")
        elif unicodedata.category(char).startswith("L"):
            out.add(name.split()[0])
        elif unicodedata.combining(char):
            out.add("COMBINING")
    return out


def test_scripts_give_every_script_and_the_real_nulls_on_the_same_graph():
    plain, rich = make_corpus(seed=0), make_corpus(seed=0, scripts=True)
    assert [(e.citing, e.cited) for e in plain.edges] == [(e.citing, e.cited) for e in rich.edges]
    assert list(plain.papers) == list(rich.papers)
    names = [a["name"] for r in rich.papers.values() for a in r["authors"] or ()]
    venues = [r["venue"] for r in rich.papers.values()]
    seen = set().union(*map(scripts_of, names + venues))
    assert {"CJK", "HANGUL", "HIRAGANA", "KATAKANA", "ARABIC", "CYRILLIC", "GREEK", "LATIN",
            "EMOJI", "COMBINING"} <= seen
    assert any(len(scripts_of(n) - {"COMBINING"}) > 1 for n in names)  # mixed scripts
    assert any(any(ord(c) > 127 for c in n) and scripts_of(n) == {"LATIN"} for n in names)
    assert any(a["authorId"] is None for r in rich.papers.values() for a in r["authors"] or ())
    assert "" in venues
    assert any(r["abstract"] is None for r in rich.papers.values())
    assert any(r["year"] is None for r in rich.papers.values())
    assert all("SYNTHETIC" in r["title"] for r in rich.papers.values())
    plain_names = [a["name"] for r in plain.papers.values() for a in r["authors"] or ()]
    assert all(n.isascii() for n in plain_names)  # the default is unchanged


def test_scripts_arxiv_names_carry_repairable_mojibake():
    rich = make_corpus(seed=0, scripts=True)
    pairs = [(name, s2["name"]) for s2_record in rich.papers.values()
             if (record := rich.arxiv.get((s2_record.get("externalIds") or {}).get("ArXiv")))
             for name, s2 in zip(record["authors"], s2_record["authors"] or (), strict=False)]
    broken = [(name, real) for name, real in pairs if name != real]
    assert broken, "no arXiv name is mojibaked"
    for name, real in broken:
        assert unicodedata.normalize("NFC", ftfy.fix_text(name)) == \
            unicodedata.normalize("NFC", real)


def test_scripts_survive_the_wire():
    with FakeApi(make_corpus(seed=0, scripts=True), real=True) as api:
        ids = list(api.corpus.papers)
        answer = batch(api, ids, "title,authors,venue,year,abstract").json()
    for pid, paper in zip(ids, answer, strict=True):
        record = api.corpus.papers[pid]
        assert paper["title"] == record["title"]
        assert [a["name"] for a in paper["authors"] or ()] == \
            [a["name"] for a in record["authors"] or ()]
