"""Benchmark: requests and wall time of a cold and a warm enrichment of the bundled list, and a
cold build without an API key in Semantic Scholar's shared pool.

Runs against the fake Semantic Scholar + arXiv server of ``tests/fakeapi`` (a SYNTHETIC corpus
built from the list: one paper per row plus outside papers), in a temporary cache directory, and
prints the requests per endpoint next to the least the API needs for the same data.

The shared-pool case runs ``rsvlm-graph build`` without ``S2_API_KEY`` against the fake in
shared-pool mode (``SharedPoolLimit``: 100 requests per sliding window, 429 without Retry-After
beyond it), and prints its wall time against the pool's floor ⌊(requests − 1) / 100⌋ × window
and what it lost against a keyed build (citation edges, papers). The window is 300 s as the real
pool's; ``--pool-seconds 30`` scales it down (client and fake alike) so it runs in minutes.

Targets: cold ≤ 1.1 × the minimum; warm = 0 requests; shared pool: nothing lost, wall ≤ 1.3 ×
the floor (median of ``--repeats`` runs).

    python bench/bench_enrich.py                      # everything, the pool at 300 s
    python bench/bench_enrich.py --pool-only --pool-seconds 30 --repeats 3
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives with the tests

from fakeapi import FakeApi, SharedPoolLimit  # noqa: E402
from fakeapi.corpus import Corpus, corpus_for_list  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from rsvlm_graph.cli import app  # noqa: E402
from rsvlm_graph.config import Settings
from rsvlm_graph.enrich import enrich
from rsvlm_graph.listfile.curation import Curation, load_curation
from rsvlm_graph.listfile.parse import read_list
from rsvlm_graph.models import ListDocument
from rsvlm_graph.records import OnFile
from rsvlm_graph.snapshot import read_snapshot
from rsvlm_graph.sources.arxiv import DEFAULT_BATCH_SIZE, ArxivSource
from rsvlm_graph.sources.semantic_scholar import (
    BATCH_LIMIT,
    PAGE_LIMIT,
    SemanticScholarSource,
)
from rsvlm_graph.store import Store

LIST_PATH = ROOT / "kg" / "awesome-list.md"
TARGET_RATIO = 1.1
#: a keyless cold build may take this much longer than the shared pool's floor
POOL_TARGET_RATIO = 1.3
ENDPOINTS = ("batch", "match", "citations", "references", "arxiv", "recommendations")


def minimum_requests(document: ListDocument, corpus: Corpus) -> Counter[str]:
    """The least the API needs for the list's data: 1 batch per 500 ids, 1 title match per paper
    without an id and 1 batch per 500 matched papers for what a match cannot return (TLDR and
    SPECTER embedding), pages of 1000 for citations and references of each paper that has any,
    arXiv batches of 100, 1 recommendations call."""
    with_id = [e for e in document.papers if e.ids.arxiv_id or e.ids.doi]
    matched = len(document.papers) - len(with_id)
    arxiv_ids = {e.ids.arxiv_id for e in document.papers if e.ids.arxiv_id}
    return Counter(
        batch=math.ceil(len(with_id) / BATCH_LIMIT) + math.ceil(matched / BATCH_LIMIT),
        match=matched,
        citations=sum(math.ceil(len(corpus.citations_of(p)) / PAGE_LIMIT) for p in corpus.core_ids),
        references=sum(math.ceil(len(corpus.references_of(p)) / PAGE_LIMIT)
                       for p in corpus.core_ids),
        arxiv=math.ceil(len(arxiv_ids) / DEFAULT_BATCH_SIZE),
        recommendations=1,
    )


def run(document: ListDocument, curation: Curation, settings: Settings, *,
        full: bool = False) -> float:
    """One enrichment into the settings' cache at the settings' clock; returns its wall time in
    seconds (``full``: every citation and reference page, as ``enrich --full``)."""
    start = time.perf_counter()
    with Store(settings.database_path) as store:
        s2 = SemanticScholarSource(settings, now=settings.now)
        arxiv = ArxivSource(settings, now=settings.now)
        try:
            enrich(document, curation, s2=s2, arxiv=arxiv, records=OnFile(store), settings=settings,
                   now=settings.now, full=full)
        finally:
            s2.close()
            arxiv.close()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool-seconds", type=float, default=300.0,
                        help="the shared pool's window (300 s as the real one; scale it down)")
    parser.add_argument("--pool-requests", type=int, default=100,
                        help="requests per window (100 as the real pool)")
    parser.add_argument("--repeats", type=int, default=1, help="keyless cold builds; median")
    parser.add_argument("--pool-only", action="store_true",
                        help="only the shared-pool case")
    args = parser.parse_args()
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    curation_path = LIST_PATH.with_name("curation.toml")
    curation = load_curation(curation_path) if curation_path.exists() else Curation()
    document = read_list(LIST_PATH, curation)
    print(f"list: {LIST_PATH.relative_to(ROOT)} ({len(document.papers)} papers); "
          "fake server on 127.0.0.1 with a SYNTHETIC corpus")
    met = True
    if not args.pool_only:
        met = requests_cold_and_warm(document, curation)
        met = refresh_a_week_later(document, curation) and met
    met = shared_pool_build(document, args.pool_requests, args.pool_seconds, args.repeats) and met
    return 0 if met else 1


def requests_cold_and_warm(document: ListDocument, curation: Curation) -> bool:
    """A cold then a warm enrichment with a key and no waits: requests against the minimum."""
    corpus = corpus_for_list(document)
    minimum = minimum_requests(document, corpus)
    print("rate limits: s2_rate=0 and arxiv_interval=0 (no waits: the fake server is local; "
          "the real APIs ask for 1 request/s and one per 3 s)")
    with tempfile.TemporaryDirectory() as cache, FakeApi(corpus) as api:
        settings = Settings(s2_api_key="bench-SYNTHETIC", s2_api_url=api.s2_url,
                            arxiv_api_url=api.arxiv_url, cache_dir=Path(cache),
                            s2_rate=0.0, arxiv_interval=0.0)
        cold_time = run(document, curation, settings)
        cold = Counter(api.counts)
        warm_time = run(document, curation, settings)
        warm = Counter(api.counts) - cold
    print(f"\n{'endpoint':<16}{'cold':>7}{'warm':>7}{'minimum':>9}")
    for endpoint in ENDPOINTS:
        print(f"{endpoint:<16}{cold[endpoint]:>7}{warm[endpoint]:>7}{minimum[endpoint]:>9}")
    cold_n, warm_n, min_n = sum(cold.values()), sum(warm.values()), sum(minimum.values())
    ratio = cold_n / min_n
    print(f"{'total':<16}{cold_n:>7}{warm_n:>7}{min_n:>9}")
    print(f"\nwall time: cold {cold_time:.2f} s, warm {warm_time:.2f} s")
    print(f"cold / minimum = {ratio:.3f} (target ≤ {TARGET_RATIO}): "
          f"{'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    print(f"warm requests = {warm_n} (target 0): {'met' if warm_n == 0 else 'MISSED'}")
    return ratio <= TARGET_RATIO and warm_n == 0


#: list papers that gain citers between the two refreshes, and how many each
GAINED_PAPERS, GAINED_CITERS = 35, 3


def refresh_a_week_later(document: ListDocument, curation: Curation) -> bool:
    """A cold enrichment, then a refresh eight days later on a corpus where ``GAINED_PAPERS``
    list papers gained ``GAINED_CITERS`` citers each; prints its requests against the least it
    needs (the counts batch, the changed papers' citation pages, recommendations, arXiv), then
    the full re-fetch (``enrich --full``) for comparison. Returns whether the target is met."""
    corpus = corpus_for_list(document)
    cold_at = datetime(2026, 11, 23, 5, 17, tzinfo=timezone.utc)
    with tempfile.TemporaryDirectory() as cache, FakeApi(corpus) as api:
        def settings(at: datetime) -> Settings:
            return Settings(s2_api_key="bench-SYNTHETIC", s2_api_url=api.s2_url,
                            arxiv_api_url=api.arxiv_url, cache_dir=Path(cache),
                            s2_rate=0.0, arxiv_interval=0.0, clock=lambda: at)

        run(document, curation, settings(cold_at))
        gained = corpus.core_ids[:GAINED_PAPERS]
        for pid in gained:  # SYNTHETIC citers appear; S2's counts move with them
            corpus.add_citers(pid, GAINED_CITERS)
        before = Counter(api.counts)
        week_time = run(document, curation, settings(cold_at + timedelta(days=8)))
        week = Counter(api.counts) - before
        before = Counter(api.counts)
        run(document, curation, settings(cold_at + timedelta(days=8, hours=1)), full=True)
        full = Counter(api.counts) - before
    arxiv_ids = {e.ids.arxiv_id for e in document.papers if e.ids.arxiv_id}
    minimum = Counter(
        batch=math.ceil(len(document.papers) / BATCH_LIMIT),
        citations=sum(math.ceil(len(corpus.citations_of(p)) / PAGE_LIMIT) for p in gained),
        arxiv=math.ceil(len(arxiv_ids) / DEFAULT_BATCH_SIZE),
        recommendations=1,
    )
    print(f"\nrefresh 8 days later: {GAINED_PAPERS} list papers gained {GAINED_CITERS} citers each")
    print(f"{'endpoint':<16}{'refresh':>9}{'minimum':>9}{'--full':>8}")
    for endpoint in ENDPOINTS:
        print(f"{endpoint:<16}{week[endpoint]:>9}{minimum[endpoint]:>9}{full[endpoint]:>8}")
    sent, least = sum(week.values()), sum(minimum.values())
    print(f"{'total':<16}{sent:>9}{least:>9}{sum(full.values()):>8}")
    ratio = sent / least
    print(f"refresh wall time {week_time:.2f} s; refresh / minimum = {ratio:.3f} "
          f"(target ≤ {TARGET_RATIO}): {'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    return ratio <= TARGET_RATIO


def cli_build(kg: Path, env: dict[str, str]) -> tuple[float, set[tuple[str, str]], set[str]]:
    """``rsvlm-graph build`` of ``kg`` in this process with ``env``: its wall time, and the
    citation edges and papers of the snapshot it wrote."""
    start = time.perf_counter()
    result = CliRunner().invoke(app, ["build", "--list", str(kg / "awesome-list.md"),
                                      "--out", str(kg.parent / "exports")], env=env)
    wall = time.perf_counter() - start
    if result.exit_code != 0:
        raise SystemExit(f"build exited {result.exit_code}:\n{result.output}")
    snapshot = read_snapshot(kg / "snapshot.jsonl")
    return (wall, {(c.citing, c.cited) for c in snapshot.citations},
            {p.s2_paper_id for p in snapshot.papers})


def shared_pool_build(document: ListDocument, pool_requests: int, pool_seconds: float,
                      repeats: int) -> bool:
    """Cold builds without a key in the shared pool against a keyed one: wall against the
    pool's floor, what was lost. Returns whether the targets are met."""
    corpus = corpus_for_list(document)
    scale = pool_seconds / 300.0
    print(f"\nshared pool: cold build without S2_API_KEY, {pool_requests} requests per "
          f"{pool_seconds:g} s (window scale {scale:g} of the real 300 s), 429 without "
          f"Retry-After beyond it; {repeats} run(s), median")
    walls, ratios, lost_edges, lost_papers, refused = [], [], [], [], []
    with tempfile.TemporaryDirectory() as work, FakeApi(corpus) as api:
        def fresh_kg(name: str) -> Path:
            kg = Path(work) / name / "kg"
            kg.mkdir(parents=True)
            for file in ("awesome-list.md", "curation.toml"):
                if (LIST_PATH.parent / file).exists():
                    shutil.copy(LIST_PATH.parent / file, kg / file)
            return kg

        base = {"RSVLM_S2_API_URL": api.s2_url, "RSVLM_ARXIV_API_URL": api.arxiv_url,
                "RSVLM_ARXIV_INTERVAL": "0", "RSVLM_VALIDATE": "0"}
        keyed_kg = fresh_kg("keyed")
        _, keyed_edges, keyed_papers = cli_build(keyed_kg, {
            **base, "S2_API_KEY": "bench-SYNTHETIC", "RSVLM_S2_RATE": "1000",
            "RSVLM_CACHE_DIR": str(keyed_kg.parent / "cache")})
        for i in range(repeats):
            kg = fresh_kg(f"keyless-{i}")
            api.realism.pool = pool = SharedPoolLimit(pool_requests, pool_seconds)
            wall, edges, papers = cli_build(kg, {
                **base, "S2_API_KEY": "", "RSVLM_CACHE_DIR": str(kg.parent / "cache"),
                "RSVLM_S2_POOL_REQUESTS": str(pool_requests),
                "RSVLM_S2_POOL_SECONDS": str(pool_seconds)})
            floor = math.floor((pool.accepted - 1) / pool_requests) * pool_seconds
            walls.append(wall)
            ratios.append(wall / floor if floor else math.inf)
            lost_edges.append(len(keyed_edges - edges))
            lost_papers.append(len(keyed_papers - papers))
            refused.append(pool.rejected)
            print(f"  run {i + 1}: {pool.accepted} S2 requests served, {pool.rejected} answered "
                  f"429; wall {wall:.1f} s, floor {floor:g} s, wall / floor {ratios[-1]:.3f}; "
                  f"lost {lost_edges[-1]} of {len(keyed_edges)} citation edges, "
                  f"{lost_papers[-1]} of {len(keyed_papers)} papers")
    ratio = statistics.median(ratios)
    lost = max(lost_edges) + max(lost_papers)
    print(f"median wall {statistics.median(walls):.1f} s, wall / floor {ratio:.3f} "
          f"(target ≤ {POOL_TARGET_RATIO}): {'met' if ratio <= POOL_TARGET_RATIO else 'MISSED'}; "
          f"lost edges {max(lost_edges)}, papers {max(lost_papers)} (target 0): "
          f"{'met' if lost == 0 else 'MISSED'}; 429s {statistics.median(refused):g} (median)")
    return ratio <= POOL_TARGET_RATIO and lost == 0


if __name__ == "__main__":
    sys.exit(main())
