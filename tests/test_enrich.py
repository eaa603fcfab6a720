"""Tests of the enrichment phases against in-memory SYNTHETIC sources (no HTTP).

``FakeS2`` and ``FakeArxiv`` are duck-typed to ``SemanticScholarSource`` and ``ArxivSource``;
every paper, id and title in them is SYNTHETIC.
"""

from __future__ import annotations

import dataclasses
import hashlib
import socket
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import FAKE_NOW, SteppedClock
from fakeapi.corpus import corpus_for_list

from rsvlm_graph.codec import Row
from rsvlm_graph.config import Settings
from rsvlm_graph.enrich import (
    DOUBTFUL_THRESHOLD,
    OFFLINE_REASON,
    PHASES,
    TITLE_MATCH_THRESHOLD,
    enrich,
    planned_requests,
)
from rsvlm_graph.errors import (
    BadRequest,
    NetworkUnavailable,
    PaperNotFound,
    RateLimited,
    SourceError,
)
from rsvlm_graph.identifiers import paper_node_id, title_similarity
from rsvlm_graph.listfile.curation import Curation, Pin, Rejection, curate, load_curation
from rsvlm_graph.listfile.parse import read_list
from rsvlm_graph.models import (
    ArxivRecord,
    Citation,
    EdgePage,
    Failure,
    ListDocument,
    ListEntry,
    Paper,
    PaperIds,
    iso_utc,
)
from rsvlm_graph.records import OnFile, listed_arxiv_ids, select
from rsvlm_graph.snapshot import check_snapshot, read_snapshot, write_snapshot
from rsvlm_graph.sources.http import MAX_FAILED_CALLS
from rsvlm_graph.sources.semantic_scholar import (
    Nested,
    PaperBatch,
    SemanticScholarSource,
    client_for,
)
from rsvlm_graph.store import Store

T0 = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def sid(name: str) -> str:
    return hashlib.sha1(f"SYNTHETIC:{name}".encode()).hexdigest()


@dataclass
class FakeS2:
    """SYNTHETIC Semantic Scholar: papers by id, ``ARXIV:`` / ``DOI:`` aliases, citation edges."""

    papers: dict[str, Paper]  # by test name; looked up by S2 id, arXiv id or DOI
    edges: list[Citation]
    now: Callable[[], datetime]
    request_counts: Counter = field(default_factory=Counter)
    fault: Callable[[str, object], None] = lambda method, arg: None
    null_once: set[str] = field(default_factory=set)  # ids answered null on their first ask

    def _count(self, method: str, arg: object) -> None:
        self.request_counts[method] += 1
        self.fault(method, arg)

    def _lookup(self, paper_id: str) -> Paper | None:
        prefix, _, rest = paper_id.partition(":")
        for paper in self.papers.values():
            if paper.s2_paper_id == paper_id or (
                prefix == "ARXIV" and paper.external_id("ArXiv") == rest
            ) or (prefix == "DOI" and paper.external_id("DOI") == rest):
                return self._stamped(paper)
        return None

    def _stamped(self, paper: Paper, **changes) -> Paper:
        stamp = self.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return dataclasses.replace(paper, fetched_at=stamp, **changes)

    unfetched: set[str] = field(default_factory=set)  # ids whose request keeps failing

    def fetch_paper_batch(self, ids: Sequence[str]) -> PaperBatch:
        self._count("batch", tuple(ids))
        out: list[Paper | None] = []
        failed: dict[str, str] = {}
        for i in ids:
            if i in self.unfetched:
                failed[i] = "SYNTHETIC: HTTP 503 after 4 tries"
                out.append(None)
            elif i in self.null_once:
                self.null_once.discard(i)
                out.append(None)
            else:
                out.append(self._lookup(i))
        return PaperBatch(out, failed)

    def fetch_papers(self, ids: Sequence[str]) -> list[Paper | None]:
        return self.fetch_paper_batch(ids).papers

    def search_titles(self, titles: Sequence[str]) -> list[Paper] | None:
        """Bulk search: the papers whose title holds one of ``titles`` as a phrase."""
        self._count("bulk", tuple(titles))
        phrases = [" ".join(t.lower().split()) for t in titles]
        return [self._stamped(p, embedding=None) for p in self.papers.values()
                if any(ph in " ".join(p.title.lower().split()) for ph in phrases)]

    def match_title(self, title: str) -> tuple[Paper, float] | None:
        self._count("match", title)
        best = max(self.papers.values(), key=lambda p: title_similarity(title, p.title))
        if title_similarity(title, best.title) < 50:
            return None
        # a match answer carries no embedding: the metadata phase must fetch it
        return self._stamped(best, embedding=None), 1.0

    def _page(self, direction: str, s2_id: str) -> EdgePage:
        self._count(direction, s2_id)
        own = "cited" if direction == "citations" else "citing"
        edges = tuple(e for e in self.edges if getattr(e, own) == s2_id)
        others = {e.citing if own == "cited" else e.cited for e in edges}
        found = (self._lookup(o) for o in sorted(others))
        return EdgePage(edges, tuple(p for p in found if p is not None))

    def citations(self, s2_id: str, *, count=None, resume=None, since_year=None) -> EdgePage:
        return self._page("citations", s2_id)

    def references(self, s2_id: str, *, count=None, resume=None, since_year=None) -> EdgePage:
        return self._page("references", s2_id)

    #: False: a nested batch serves no list (both null), so every list is paged as before
    nested_lists: bool = True

    def nested(self, ids: Sequence[str], *, full: bool):
        """A batch with both lists nested: the citations without their flags (S2's way)."""
        self._count("nested", tuple(ids))
        answers: list[Nested | None] = []
        failed: dict[str, str] = {}
        for s2_id in ids:
            if s2_id in self.unfetched:  # the same batch endpoint as fetch_paper_batch
                failed[s2_id] = "SYNTHETIC: HTTP 503 after 4 tries"
                answers.append(None)
                continue
            paper = self._lookup(s2_id)
            if paper is None:
                answers.append(None)
                continue
            lists = []
            for own in ("cited", "citing"):
                lists.append(tuple(Citation(e.citing, e.cited, None, None)
                                   for e in self.edges if getattr(e, own) == s2_id))
            others = {c.citing for c in lists[0]} | {c.cited for c in lists[1]}
            found = (self._lookup(o) for o in sorted(others))
            if not self.nested_lists:
                answers.append(Nested(paper, None, None, (), (0, 0), False))
                continue
            answers.append(Nested(paper, lists[0], lists[1], tuple(p for p in found if p),
                                  (len(lists[0]), len(lists[1])), False))
        return answers, failed

    def recommendations(self, positive, negative=(), limit=100) -> list[Paper]:
        self._count("recommendations", (tuple(positive), tuple(negative)))
        linked = {e.citing for e in self.edges} | {e.cited for e in self.edges}
        ranked = sorted(linked - set(positive) - set(negative))
        return [p for p in map(self._lookup, ranked[:limit]) if p is not None]


@dataclass
class FakeArxiv:
    records: dict[str, ArxivRecord]
    request_counts: Counter = field(default_factory=Counter)
    fault: Callable[[str, object], None] = lambda method, arg: None

    def fetch(self, arxiv_ids):
        self.request_counts["arxiv"] += 1
        self.fault("arxiv", tuple(arxiv_ids))
        found = [self.records[a] for a in arxiv_ids if a in self.records]
        failures = [Failure(a, "arxiv", "SYNTHETIC: unknown to arXiv")
                    for a in arxiv_ids if a not in self.records]
        return found, failures


def paper(name: str, title: str, arxiv: str | None = None, doi: str | None = None) -> Paper:
    ext = tuple(sorted(kv for kv in (("ArXiv", arxiv), ("DOI", doi)) if kv[1]))
    return Paper(sid(name), title, external_ids=ext, embedding=(0.1, 0.2), citation_count=1)


def entry(line: int, title: str, **ids) -> ListEntry:
    return ListEntry(kind="paper", title=title, url=None, section="SYNTHETIC", task="SYNTHETIC",
                     line=line, raw="", ids=PaperIds(**ids))


class World:
    """A SYNTHETIC list of five papers and the sources that know them; ``run()`` enriches."""

    def __init__(self, tmp_path, **settings):
        self.clock = [T0]
        self.store = Store(tmp_path / "store.sqlite3")
        self.settings = Settings(cache_dir=tmp_path, **settings)
        self.papers = {
            "arx": paper("arx", "SYNTHETIC Contrastive Pretraining for Aerial Scenes",
                         arxiv="2301.00001"),
            "doi": paper("doi", "SYNTHETIC Captioning Satellite Images with Transformers",
                         doi="10.5555/synthetic.2"),
            "typo": paper("typo", "SYNTHETIC Truncation Loss for Remote Sensing Image Captioning",
                          arxiv="2301.00003"),
            "out1": paper("out1", "SYNTHETIC Outside Paper One", arxiv="2301.00009"),
            "out2": paper("out2", "SYNTHETIC Outside Paper Two"),
            "rej": paper("rej", "SYNTHETIC Rejected Outside Paper"),
        }
        p = {k: v.s2_paper_id for k, v in self.papers.items()}
        self.edges = [Citation(p["doi"], p["arx"], True), Citation(p["out1"], p["arx"]),
                      Citation(p["typo"], p["out2"]), Citation(p["rej"], p["doi"])]
        self.entries = [
            entry(1, "SYNTHETIC Contrastive Pretraining for Aerial Scenes", arxiv_id="2301.00001"),
            entry(2, "SYNTHETIC Captioning Satellite Images with Transformers",
                  doi="10.5555/synthetic.2"),
            # no id: title match only, with the list's typo
            entry(3, "SYNTHETIC Truncation loss for remote sensing image captionin"),
            entry(4, "SYNTHETIC A Paper Semantic Scholar Has Never Seen At All Really"),
            entry(1, "SYNTHETIC Contrastive Pretraining for Aerial Scenes", arxiv_id="2301.00001"),
        ]
        self.curation = Curation(rejections=(Rejection(s2_paper_id=p["rej"]), Rejection(doi="x")))
        self.s2 = FakeS2(self.papers, self.edges, lambda: self.clock[0])
        self.arxiv = FakeArxiv({a: ArxivRecord(a, f"SYNTHETIC {a}", "2024-06-01T12:00:00Z")
                                for a in ("2301.00001", "2301.00003")})
        self.progress: list[tuple[str, int, int]] = []

    @property
    def document(self) -> ListDocument:
        """The entries curated as parsing curates them (a pinned S2 id joins the ids)."""
        return curate(ListDocument("SYNTHETIC.md", "SYNTHETIC list", tuple(self.entries)), self.curation)

    def key(self, index: int) -> str:
        e = self.document.entries[index]
        return paper_node_id(e.ids, e.title)

    def run(self, **kwargs):
        options = dict(s2=self.s2, arxiv=self.arxiv, records=OnFile(self.store),
                       settings=self.settings,
                       now=lambda: self.clock[0],
                       progress=lambda *a: self.progress.append(a))
        options.update(kwargs)
        return enrich(self.document, self.curation, **options)

    def write_snapshot(self, path: Path) -> None:
        """The snapshot ``enrich`` would write of this list from the store."""
        keys = [self.key(i) for i in range(len(self.entries))]
        write_snapshot(path, select(OnFile(self.store), keys, listed_arxiv_ids(self.document)))

    def requests(self) -> int:
        return sum(self.s2.request_counts.values()) + sum(self.arxiv.request_counts.values())


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.store.close()


def resolutions(enrichment):
    return {r.entry_key: r for r in enrichment.resolutions}


def test_cold_run_resolves_by_batch_and_title_and_fetches_every_phase(world):
    result = world.run()
    res = resolutions(result)
    p = {k: v.s2_paper_id for k, v in world.papers.items()}
    assert res[world.key(0)].s2_paper_id == p["arx"] and res[world.key(0)].method == "batch-arxiv"
    assert res[world.key(1)].s2_paper_id == p["doi"] and res[world.key(1)].method == "batch-doi"
    assert res[world.key(2)].s2_paper_id == p["typo"] and res[world.key(2)].method == "title-match"
    assert res[world.key(2)].score >= TITLE_MATCH_THRESHOLD and not res[world.key(2)].doubtful
    assert res[world.key(3)].s2_paper_id is None  # the list's duplicate row is resolved once
    assert len(result.resolutions) == 4
    # one batch for resolution, a bulk search of both titles (the typo'd one is found, the
    # unknown one is left to its title match), one batch with every list nested and the
    # title-matched paper's full record; the paper counted with a citation and served none
    # nested is paged
    assert world.s2.request_counts == Counter(
        batch=1, bulk=1, match=1, nested=1, citations=1, recommendations=1)
    assert world.arxiv.request_counts["arxiv"] == 1
    by_id = {x.s2_paper_id: x for x in result.papers}
    assert by_id[p["typo"]].embedding == (0.1, 0.2)  # full record, not the match answer
    assert {p["out1"], p["out2"], p["rej"]} <= set(by_id)
    assert {(c.citing, c.cited) for c in result.citations} == {
        (e.citing, e.cited) for e in world.edges}
    # nested citations say nothing of influence nor intents: unknown, not false
    assert {(c.is_influential, c.intents) for c in result.citations} == {(None, None)}
    assert [a.arxiv_id for a in result.arxiv] == ["2301.00001", "2301.00003"]
    assert p["rej"] not in result.recommendations and p["out1"] in result.recommendations
    assert result.failures == ()


def test_recommendations_use_list_papers_as_positives_and_rejections_as_negatives(world):
    asked = []
    world.s2.fault = lambda method, arg: asked.append(arg) if method == "recommendations" else None
    world.run()
    ((positive, negative),) = asked
    p = {k: v.s2_paper_id for k, v in world.papers.items()}
    assert sorted(positive) == sorted([p["arx"], p["doi"], p["typo"]])
    assert negative == (p["rej"],)  # the rejection without an S2 id is not sent


def test_batch_results_are_aligned_by_position_even_when_the_paper_id_differs(world):
    # SYNTHETIC merged record: the arXiv id now answers with a paper under another S2 id
    merged = dataclasses.replace(world.papers["arx"], s2_paper_id=sid("merged"))
    world.papers["arx"] = merged
    world.s2.null_once = {"DOI:10.5555/synthetic.2"}  # a transient null, asked again once
    result = world.run()
    res = resolutions(result)
    assert res[world.key(0)].s2_paper_id == sid("merged")
    assert res[world.key(1)].s2_paper_id == sid("doi")
    assert res[world.key(1)].method == "batch-doi"
    # resolve and the null again; the title-matched paper's record comes nested with its lists
    assert world.s2.request_counts["batch"] == 2 and world.s2.request_counts["nested"] == 1


def test_title_match_threshold_and_doubtful_band(world):
    wanted = world.papers["typo"].title
    close = "SYNTHETIC Truncation Loss for Remote Sensing Imagery Captions Generated"
    far = "SYNTHETIC Truncation Loss for Quantum Chemistry Image Captioning Benchmarks Overall"
    assert DOUBTFUL_THRESHOLD <= title_similarity(close, wanted) < TITLE_MATCH_THRESHOLD
    assert 50 <= title_similarity(far, wanted) < DOUBTFUL_THRESHOLD
    world.entries = [entry(1, close), entry(2, far)]
    res = resolutions(world.run())
    doubtful, rejected = res[world.key(0)], res[world.key(1)]
    assert doubtful.doubtful and doubtful.s2_paper_id == sid("typo")
    assert doubtful.method == "title-match" and doubtful.score < TITLE_MATCH_THRESHOLD
    assert rejected.s2_paper_id is None and rejected.method is None
    assert rejected.score < DOUBTFUL_THRESHOLD
    # neither is accepted: nothing further is fetched for them
    assert world.s2.request_counts["citations"] == 0
    assert world.s2.request_counts["recommendations"] == 0


def test_a_wrong_id_in_the_list_is_doubtful_and_title_match_gets_a_chance(world):
    # the row's title is the "doi" paper's but its arXiv id is the "arx" paper's
    world.entries = [entry(1, world.papers["doi"].title, arxiv_id="2301.00001"),
                     entry(2, "SYNTHETIC Something Else Entirely About Oceans",
                           arxiv_id="2301.00003")]
    res = resolutions(world.run())
    rescued, wrong = res[world.key(0)], res[world.key(1)]
    assert rescued.s2_paper_id == sid("doi") and rescued.method == "title-match"
    assert wrong.doubtful and wrong.method == "batch-arxiv" and wrong.s2_paper_id == sid("typo")
    assert "2301.00003" in wrong.note


def test_a_record_without_a_title_does_not_undo_an_exact_id_match(world):
    # SYNTHETIC: S2 answers the arXiv id with a record whose title is null
    world.papers["arx"] = dataclasses.replace(world.papers["arx"], title="")
    res = resolutions(world.run())
    kept = res[world.key(0)]
    assert kept.s2_paper_id == sid("arx") and kept.method == "batch-arxiv" and not kept.doubtful
    assert "no title" in kept.note


def test_a_name_the_list_gives_instead_of_a_title_does_not_undo_an_exact_id_match(world):
    # "| SatMAE | 2022 | [arXiv](…) |": the list names the paper, it gives no title to compare
    named = dataclasses.replace(entry(1, "SYNTHETIC CPAS", arxiv_id="2301.00001"),
                                title_from_list=False)
    titled = entry(2, "SYNTHETIC CPAS", arxiv_id="2301.00003")  # the same text as a title
    world.entries = [named, titled]
    res = resolutions(world.run())
    kept, doubted = res[world.key(0)], res[world.key(1)]
    assert kept.s2_paper_id == sid("arx") and kept.method == "batch-arxiv" and not kept.doubtful
    assert "'SYNTHETIC CPAS'" in kept.note
    assert doubted.doubtful


def test_pin_wins_and_a_changed_pin_resolves_again(world):
    pin = Pin(title=world.entries[3].title, s2_paper_id=sid("out2"))
    world.curation = dataclasses.replace(world.curation, pins=(pin,))
    res = resolutions(world.run())
    assert res[world.key(3)].s2_paper_id == sid("out2") and res[world.key(3)].method == "pinned"
    before = world.requests()
    world.run()
    assert world.requests() == before
    moved = dataclasses.replace(pin, s2_paper_id=sid("out1"))
    world.curation = dataclasses.replace(world.curation, pins=(moved,))
    res = resolutions(world.run())
    assert res[world.key(3)].s2_paper_id == sid("out1")
    world.curation = dataclasses.replace(world.curation, pins=())
    res = resolutions(world.run())
    assert res[world.key(3)].s2_paper_id is None and res[world.key(3)].method is None


def test_warm_run_inside_the_window_makes_zero_requests_and_returns_the_same(world):
    cold = world.run()
    before = world.requests()
    world.clock[0] += timedelta(days=3)
    warm = world.run()
    assert world.requests() == before
    assert warm == cold


def test_stale_records_are_refreshed_but_resolutions_never_age(world):
    world.run()
    counts = Counter(world.s2.request_counts)
    world.clock[0] += timedelta(days=world.settings.freshness_days + 1)
    world.run()
    fresh = world.s2.request_counts - counts
    # one batch for all three stale papers; of the resolutions, only the entry Semantic Scholar
    # did not know is asked again (one title match); citation counts did not move, so no
    # citation list; the fake gives no referenceCount, so references age with the window: all
    # three in one nested batch
    assert fresh == Counter(batch=1, nested=1, bulk=1, match=1, recommendations=1)
    assert world.arxiv.request_counts["arxiv"] == 2


def test_an_entry_semantic_scholar_did_not_know_resolves_once_it_does(world):
    unknown = world.entries[3].title
    assert resolutions(world.run())[world.key(3)].s2_paper_id is None
    world.papers["new"] = paper("new", unknown)  # SYNTHETIC: S2 has indexed it since
    world.clock[0] += timedelta(days=1)
    assert resolutions(world.run())[world.key(3)].s2_paper_id is None  # inside the window
    world.clock[0] += timedelta(days=world.settings.freshness_days)
    resolved = resolutions(world.run())[world.key(3)]
    assert resolved.s2_paper_id == sid("new") and resolved.method == "title-match"


def test_resume_after_a_crash_mid_phase_loses_nothing(tmp_path, world):
    clean = World(tmp_path / "clean")
    calls = {"n": 0}

    def crash_on_second_citations(method, arg):
        if method == "citations":
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt("SYNTHETIC: killed mid-phase")

    world.s2.nested_lists = clean.s2.nested_lists = False  # every list paged
    expected = clean.run()
    world.s2.fault = crash_on_second_citations
    with pytest.raises(KeyboardInterrupt):
        world.run()
    world.s2.fault = lambda method, arg: None
    resumed = world.run()
    assert resumed == expected
    # only the interrupted call is repeated: 3 citations in all plus the one that died
    assert world.s2.request_counts["citations"] == 4
    assert world.s2.request_counts["match"] == clean.s2.request_counts["match"]
    clean.store.close()


def test_network_unavailable_stops_that_source_at_once_and_records_failures(world):
    def unreachable(method, arg):
        raise NetworkUnavailable("SYNTHETIC: api.semanticscholar.org refused the connection")

    world.s2.fault = unreachable
    result = world.run()
    assert sum(world.s2.request_counts.values()) == 1
    assert world.arxiv.request_counts["arxiv"] == 1  # the other source goes on
    reasons = {f.reason for f in result.failures if f.phase == "resolve"}
    assert len(reasons) == 1 and next(iter(reasons)).startswith("network unavailable: ")
    assert {f.subject for f in result.failures if f.phase == "resolve"} == {
        world.key(i) for i in range(4)}
    assert result.resolutions == ()
    assert [a.arxiv_id for a in result.arxiv] == ["2301.00001"]


def test_network_unavailable_mid_phase_skips_the_rest_of_that_source(world):
    def drop_at_references(method, arg):
        if method == "references":
            raise NetworkUnavailable("SYNTHETIC: connection refused")

    world.s2.nested_lists = False  # every list paged
    world.s2.fault = drop_at_references
    result = world.run()
    assert world.s2.request_counts["references"] == 1
    assert world.s2.request_counts["recommendations"] == 0
    failed = {(f.subject, f.phase) for f in result.failures}
    assert {(s, "references") for s in (sid("arx"), sid("doi"), sid("typo"))} <= failed
    assert ("list", "recommendations") in failed
    assert len(result.citations) == 3  # the citations phase had finished


def test_a_source_error_fails_one_paper_and_the_next_run_retries_only_it(world):
    def flaky(method, arg):
        if method == "citations" and arg == sid("doi"):
            raise SourceError("SYNTHETIC: HTTP 500 after retries")

    world.s2.nested_lists = False  # every list paged
    world.s2.fault = flaky
    result = world.run()
    assert Failure(sid("doi"), "citations", "SYNTHETIC: HTTP 500 after retries") in result.failures
    assert world.s2.request_counts["references"] == 3
    world.s2.fault = lambda method, arg: None
    before = Counter(world.s2.request_counts)
    again = world.run()
    # only the list that failed: asked nested, then paged (this batch nests no list)
    assert world.s2.request_counts - before == Counter(nested=1, citations=1)
    assert again.failures == ()
    assert Citation(sid("rej"), sid("doi")) in again.citations


def test_a_404_is_the_sources_answer_and_every_other_error_leaves_the_record_unfetched(world):
    def faults(method, arg):
        if method == "citations" and arg == sid("doi"):
            raise PaperNotFound("SYNTHETIC: HTTP 404 Paper not found")
        if method == "references" and arg == sid("doi"):
            raise BadRequest("SYNTHETIC: HTTP 400 Unrecognized or unsupported fields")
        if method == "references" and arg == sid("arx"):
            raise RateLimited("SYNTHETIC: still rate limited (HTTP 429) after 6 tries")
        if method == "references" and arg == sid("typo"):
            raise SourceError("SYNTHETIC: HTTP 503 after 6 tries")
        if method == "recommendations":
            raise PaperNotFound("SYNTHETIC: HTTP 404 Input papers not found")

    world.s2.nested_lists = False  # every list paged
    world.s2.fault = faults
    result = world.run()
    assert {(f.subject, f.phase): f.answered for f in result.failures} == {
        (sid("doi"), "citations"): True,
        (sid("doi"), "references"): False,
        (sid("arx"), "references"): False,
        (sid("typo"), "references"): False,
        ("list", "recommendations"): True,
    }


def test_a_paper_the_batch_keeps_answering_null_for_is_an_answer(world):
    world.run()
    world.clock[0] += timedelta(days=30)  # stale: the metadata phase asks for every paper again
    world.s2.papers.pop("doi")  # S2 no longer knows it: null, asked twice
    result = world.run()
    assert [(f.subject, f.phase, f.answered) for f in result.failures] == [
        (sid("doi"), "metadata", True)]


def test_an_id_whose_batch_request_keeps_failing_is_unfetched_not_an_answer(world):
    world.run()
    world.clock[0] += timedelta(days=30)  # stale: the metadata phase asks for every paper again
    world.s2.unfetched.add(sid("doi"))  # in every batch: its stale copies stay unrefreshed
    result = world.run()
    assert [(f.subject, f.phase, f.answered) for f in result.failures] == [
        (sid("doi"), phase, False) for phase in ("citations", "metadata", "references")]
    assert any(p.s2_paper_id == sid("doi") for p in result.papers)  # the stale copy is kept


def test_an_entry_whose_batch_request_keeps_failing_is_not_guessed_by_title(world):
    world.s2.unfetched.add("DOI:10.5555/synthetic.2")
    result = world.run()
    assert (world.key(1), "resolve", False) in [
        (f.subject, f.phase, f.answered) for f in result.failures]
    assert world.key(1) not in resolutions(result)  # left for the next run to ask again
    assert world.s2.request_counts["match"] == 1  # no title guess for it: the unknown one only
    world.s2.unfetched.clear()
    assert resolutions(world.run())[world.key(1)].method == "batch-doi"


def test_offline_makes_no_request_and_says_what_was_not_fetched(world):
    result = world.run(offline=True)
    assert world.requests() == 0
    assert result.resolutions == ()
    assert {f.reason for f in result.failures} == {OFFLINE_REASON}
    assert {f.subject for f in result.failures} == {world.key(i) for i in range(4)} | {
        "2301.00001"}


def test_offline_after_a_run_returns_the_stored_data(world):
    online = world.run()
    world.clock[0] += timedelta(days=100)  # stale, but offline uses what it has
    before = world.requests()
    offline = world.run(s2=None, arxiv=None)
    assert world.requests() == before
    assert offline == online  # stale copies are used as they are, and are no failure


def test_snapshot_import_lets_a_fresh_store_skip_every_request(tmp_path, world):
    cold = world.run()
    snapshot = tmp_path / "snapshot.jsonl"
    world.write_snapshot(snapshot)
    clone = World(tmp_path / "clone")
    OnFile(clone.store, check_snapshot(snapshot).rows).seed()
    again = clone.run()
    assert clone.requests() == 0
    assert again == read_snapshot(snapshot) == cold
    clone.store.close()


def test_offline_reads_the_snapshot_over_a_fresh_store_as_if_seeded_and_writes_nothing(tmp_path, world):
    world.run()
    snapshot = tmp_path / "snapshot.jsonl"
    world.write_snapshot(snapshot)
    rows = check_snapshot(snapshot).rows
    seeded, viewed = World(tmp_path / "seeded"), World(tmp_path / "viewed")
    OnFile(seeded.store, rows).seed()
    expected = seeded.run(offline=True)
    assert viewed.run(offline=True, records=OnFile(viewed.store, rows, writable=False)) == expected
    assert expected.papers and expected.citations and expected.recommendations
    assert viewed.store.stamps() == {}
    seeded.store.close()
    viewed.store.close()


def test_offline_reads_the_store_where_it_is_newer_than_the_snapshot(tmp_path, world):
    snapshot = tmp_path / "snapshot.jsonl"
    world.run()
    world.write_snapshot(snapshot)
    arx = world.papers["arx"].s2_paper_id
    world.papers["arx"] = dataclasses.replace(world.papers["arx"], citation_count=7)
    world.clock[0] += timedelta(days=100)
    newer = world.run()  # the store is refreshed, the snapshot is not
    assert {p.s2_paper_id: p.citation_count for p in newer.papers}[arx] == 7
    viewed = world.run(offline=True, records=OnFile(world.store, check_snapshot(snapshot).rows,
                                                    writable=False))
    assert viewed == world.run(offline=True)
    assert {p.s2_paper_id: p.citation_count for p in viewed.papers}[arx] == 7


def test_progress_reports_every_phase_to_completion(world):
    world.run()
    phases = [p for p, _, _ in world.progress]
    assert sorted(set(phases), key=PHASES.index) == list(PHASES)
    for phase in PHASES:
        done, total = [(d, t) for p, d, t in world.progress if p == phase][-1]
        assert done == total
    assert all(0 <= d <= t for _, d, t in world.progress)


# ---------------------------------------------------------------------------- end to end
# The bundled list against the fake server (tests/fakeapi), which serves a SYNTHETIC corpus with
# one paper per list row: real HTTP, real sources, real retries (their waits recorded, not slept).

LIST_PATH = Path(__file__).resolve().parent / "data" / "awesome-list.md"  # frozen copy
E2E_NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def bundled(fake_api):
    curation_path = LIST_PATH.with_name("curation.toml")
    curation = load_curation(curation_path) if curation_path.exists() else Curation()
    document = read_list(LIST_PATH, curation)
    fake_api.corpus = corpus_for_list(document)
    return document, curation


def run_e2e(bundled, s2_source, arxiv_source, settings, store_path, **kwargs):
    document, curation = bundled
    with Store(store_path) as store:
        return enrich(document, curation, s2=s2_source, arxiv=arxiv_source, records=OnFile(store),
                      settings=settings, now=lambda: E2E_NOW, **kwargs)


def test_bundled_list_cold_then_warm_against_the_fake_server(
        bundled, fake_api, fake_settings, s2_source, arxiv_source, tmp_path):
    document, _ = bundled
    cold = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "s.db")
    corpus = fake_api.corpus
    assert cold.failures == ()
    # every list row is resolved to its SYNTHETIC paper, by id where the list gives one
    wanted = {paper_node_id(e.ids, e.title): pid for e, pid in zip(document.papers, corpus.core_ids)}
    assert {r.entry_key: r.s2_paper_id for r in cold.resolutions} == wanted
    assert not any(r.doubtful for r in cold.resolutions)
    assert {r.method for r in cold.resolutions} == {"batch-arxiv", "batch-doi", "title-match"}
    expected_edges = {(e.citing, e.cited) for e in corpus.edges
                      if e.citing and e.cited and (e.citing in wanted.values()
                                                   or e.cited in wanted.values())}
    assert {(c.citing, c.cited) for c in cold.citations} == expected_edges
    papers = {p.s2_paper_id: p for p in cold.papers}
    assert all(papers[pid].embedding is not None for pid in corpus.core_ids)
    assert len(cold.arxiv) == len({e.ids.arxiv_id for e in document.papers if e.ids.arxiv_id})
    assert cold.recommendations
    # one batch by id, a bulk search per 25 rows without an id and a title match for each title
    # it leaves (a title of the list the SYNTHETIC corpus altered), the lists of every paper
    # nested in one batch (with the full records the title matches lack: their citations and
    # references together are far under the 9,999 one answer holds), one arXiv batch, one
    # recommendations call (bench/bench_enrich.py measures this on three corpora)
    within = sum(len(corpus.citations_of(p)) + len(corpus.references_of(p)) for p in corpus.core_ids)
    assert within < 9_000
    with_id = [e for e in document.papers if e.ids.arxiv_id or e.ids.doi]
    n = len(document.papers)
    left = fake_api.counts["match"]
    assert 0 < left < (n - len(with_id)) / 4
    assert fake_api.counts == Counter(batch=2, bulk=-(-(n - len(with_id)) // 25), match=left,
                                      arxiv=1, recommendations=1)
    # nested citations carry no flags: unknown, never false
    assert {c.is_influential for c in cold.citations} == {None}

    before = Counter(fake_api.counts)
    warm = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "s.db")
    assert fake_api.counts == before
    assert warm == cold


def test_bundled_list_with_faults_ends_with_the_data_of_a_clean_run(
        bundled, fake_api, fake_settings, s2_source, arxiv_source, tmp_path):
    clean = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "clean.db")
    document, _ = bundled
    first = next(e for e in document.papers if e.ids.arxiv_id)
    faults = fake_api.faults
    faults.rate_limit("batch", times=2, retry_after="1")
    faults.rate_limit("match", times=2)
    faults.fail("batch", 502, times=2)
    faults.malformed("match")
    faults.fail("arxiv", 503)
    faults.fail("recommendations", 503)
    faults.null_in_batch.add(f"ARXIV:{first.ids.arxiv_id}")
    faulty = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "faulty.db")
    assert faulty.failures == ()
    # the persistent null is rescued by title match: same paper, another method
    key = paper_node_id(first.ids, first.title)
    methods = {r.entry_key: r.method for r in faulty.resolutions}
    assert methods.pop(key) == "title-match"
    assert methods == {r.entry_key: r.method for r in clean.resolutions if r.entry_key != key}
    assert [(r.entry_key, r.s2_paper_id) for r in faulty.resolutions] == [
        (r.entry_key, r.s2_paper_id) for r in clean.resolutions]
    for part in ("papers", "citations", "arxiv", "recommendations", "truncated"):
        assert getattr(faulty, part) == getattr(clean, part), part


@pytest.mark.parametrize("keyed", [True, False], ids=["with key", "shared pool"])
def test_an_unreachable_semantic_scholar_fails_fast_and_arxiv_still_runs(
        bundled, fake_api, fake_settings, arxiv_source, tmp_path, keyed):
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = dataclasses.replace(fake_settings, s2_api_url=closed, retries=0,
                                   s2_api_key=fake_settings.s2_api_key if keyed else None)
    s2 = SemanticScholarSource(settings)
    try:
        result = run_e2e(bundled, s2, arxiv_source, settings, tmp_path / "s.db")
    finally:
        s2.close()
    document, _ = bundled
    assert sum(s2.client.unsent_counts.values()) == 1 and not s2.request_counts
    assert {f.phase for f in result.failures} == {"resolve"}
    assert len(result.failures) == len(document.papers)
    assert all(f.reason.startswith("network unavailable: ") for f in result.failures)
    assert fake_api.counts["arxiv"] == 1 and len(result.arxiv) > 0


def test_bundled_list_killed_mid_phase_resumes_without_refetching(
        bundled, fake_api, fake_settings, s2_source, arxiv_source, tmp_path):
    clean = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "clean.db")
    clean_counts = Counter(fake_api.counts)

    def killed_at_40(phase, done, total):
        if phase == "references" and done == 40:
            raise KeyboardInterrupt("SYNTHETIC: Ctrl-C half-way through the references")

    with pytest.raises(KeyboardInterrupt):
        run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "s.db",
                progress=killed_at_40)
    resumed = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "s.db")
    assert resumed == clean
    # the killed run and its resumption together asked exactly what one clean run asks
    assert fake_api.counts == clean_counts + clean_counts


def s2_requests(counts: Counter[str]) -> Counter[str]:
    return Counter({k: n for k, n in counts.items() if k != "arxiv"})


def test_planned_requests_foresee_a_cold_a_warm_and_a_week_later_run(
        bundled, fake_api, fake_settings, s2_source, arxiv_source, tmp_path):
    document, curation = bundled
    path = tmp_path / "s.db"

    def planned(now: datetime) -> Counter[str]:
        with Store(path) as store:
            return planned_requests(document, curation, records=OnFile(store), settings=fake_settings,
                                    now=lambda: now)

    cold = planned(E2E_NOW)
    n = len(document.papers)
    with_id = sum(bool(e.ids.arxiv_id or e.ids.doi) for e in document.papers)
    # unresolved papers: counted without lists, so nested in one batch
    assert cold == Counter(batch=2, bulk=-(-(n - with_id) // 25), recommendations=1)
    run_e2e(bundled, s2_source, arxiv_source, fake_settings, path)
    sent = s2_requests(fake_api.counts)
    assert sent - Counter(match=sent["match"]) == cold  # the title matches bulk leaves: unforeseen

    assert planned(E2E_NOW) == Counter()  # warm: nothing to ask, and nothing asked
    before = Counter(fake_api.counts)
    run_e2e(bundled, s2_source, arxiv_source, fake_settings, path)
    assert fake_api.counts == before

    week = E2E_NOW + timedelta(days=8)
    later = planned(week)
    before = Counter(fake_api.counts)
    with Store(path) as store:
        enrich(document, curation, s2=s2_source, arxiv=arxiv_source, records=OnFile(store),
               settings=fake_settings, now=lambda: week)
    assert later == s2_requests(fake_api.counts - before)  # counts unchanged: foreseen exactly


def keyless_source(settings: Settings, clock: SteppedClock) -> SemanticScholarSource:
    """A Semantic Scholar source without a key, paced to the pool on a clock that sleeps at once."""
    keyless = dataclasses.replace(settings, s2_api_key=None)
    return SemanticScholarSource(keyless, client_for(keyless, sleep=clock.sleep, clock=clock),
                                 now=lambda: datetime.fromisoformat(FAKE_NOW))


def test_429_bursts_without_retry_after_never_turn_semantic_scholar_off(
        bundled, fake_api, fake_settings, s2_source, arxiv_source, tmp_path):
    fake_api.realism.nested_budget = 0  # every list served empty nested: each one paged
    clean = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "clean.db")
    pages = fake_api.counts["citations"]
    burst = fake_settings.retries + 2  # more 429s than a request has retries
    hit: list[int] = []

    def burst_before_each_page(phase: str, done: int, total: int) -> None:
        # the next 2 × MAX_FAILED_CALLS citation requests each meet a burst: "host down" before
        if phase == "citations" and len(hit) < 2 * MAX_FAILED_CALLS and done < total:
            hit.append(done)
            fake_api.faults.rate_limit("citations", times=burst)

    clock = SteppedClock()
    with keyless_source(fake_settings, clock) as s2:
        keyless = run_e2e(bundled, s2, arxiv_source, s2.settings, tmp_path / "keyless.db",
                          progress=burst_before_each_page)
        asked = s2.request_counts["citations"]
    assert keyless.failures == ()
    assert keyless == clean
    assert len(hit) == 2 * MAX_FAILED_CALLS
    assert asked == pages + burst * len(hit)  # each burst waited out, nothing asked twice


def test_a_withdrawn_arxiv_paper_keeps_the_abstract_it_had_before(world):
    world.arxiv.records["2301.00001"] = dataclasses.replace(
        world.arxiv.records["2301.00001"], abstract="SYNTHETIC abstract before")
    world.run()
    world.clock[0] += timedelta(days=world.settings.freshness_days + 1)
    world.arxiv.records["2301.00001"] = dataclasses.replace(
        world.arxiv.records["2301.00001"], withdrawn=True, version=3,
        abstract="This paper has been withdrawn by the authors.")
    (record,) = [a for a in world.run().arxiv if a.arxiv_id == "2301.00001"]
    assert record.withdrawn and record.version == 3
    assert record.abstract == "SYNTHETIC abstract before"


def test_a_bulk_search_answer_of_more_than_one_page_settles_no_title(
        bundled, fake_api, fake_settings, s2_source, arxiv_source, tmp_path, monkeypatch):
    # the paper a title means may be on a page not read, while a look-alike on the first passes
    # the threshold: an answer with a continuation token leaves its titles to the title match
    from fakeapi import graph_api

    monkeypatch.setattr(graph_api, "_BULK_PAGE", 1)  # SYNTHETIC: every answer overflows
    document, _ = bundled
    cold = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "s.db")
    corpus = fake_api.corpus
    wanted = {paper_node_id(e.ids, e.title): pid for e, pid in zip(document.papers, corpus.core_ids)}
    assert {r.entry_key: r.s2_paper_id for r in cold.resolutions} == wanted
    without_id = [e for e in document.papers if not (e.ids.arxiv_id or e.ids.doi)]
    assert fake_api.counts["bulk"] == -(-len(without_id) // 25)
    # every paper resolved by title went through its own title match: none was settled in bulk
    by_title = [r for r in cold.resolutions if r.method == "title-match"]
    assert len(by_title) > 25 and fake_api.counts["match"] == len(by_title)


def test_planned_requests_foresee_the_edge_detail_pages(
        bundled, fake_api, fake_settings, s2_source, arxiv_source, tmp_path):
    # an outside review: a cold `enrich --edge-details` said "about 5 requests" and sent 87, a
    # second run said nothing and sent 80
    document, curation = bundled
    path = tmp_path / "s.db"

    def planned(**kwargs) -> Counter[str]:
        with Store(path) as store:
            return planned_requests(document, curation, records=OnFile(store), settings=fake_settings,
                                    now=lambda: E2E_NOW, **kwargs)

    cold, cold_details = planned(), planned(edge_details=True)
    assert cold_details - cold == Counter(references=len({paper_node_id(e.ids, e.title) for e in document.papers}))
    run_e2e(bundled, s2_source, arxiv_source, fake_settings, path)  # nested: flags unknown
    foreseen = planned(edge_details=True)
    before = Counter(fake_api.counts)
    run_e2e(bundled, s2_source, arxiv_source, fake_settings, path, edge_details=True)
    assert foreseen == s2_requests(fake_api.counts - before) and foreseen["references"] > 0


def test_a_failure_to_refresh_a_fresh_record_leaves_the_run_complete(world):
    world.run()
    world.clock[0] += timedelta(hours=1)  # a later run could not reach S2 for it: on file
    world.store.put([Row("failure", f"{sid('doi')}|metadata", iso_utc(world.clock[0]),
                         Failure(sid("doi"), "metadata", "network unavailable: SYNTHETIC"))],
                    request="SYNTHETIC", settle=False)
    world.clock[0] += timedelta(hours=1)
    world.s2.unfetched.add(sid("doi"))  # asked again, and it fails again
    result = world.run()
    assert world.s2.request_counts["batch"] > 1  # the retry was sent
    assert result.failures == ()  # its record is on file and fresh: nothing is missing
    assert OnFile(world.store).failure(sid("doi"), "metadata") is not None  # asked next run too
