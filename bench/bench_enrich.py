"""Benchmark: the requests a cold enrichment sends against the nested minimum, on three corpora;
every citer and reference kept; a keyless cold run's wall time in the shared pool; a refresh a
week later; and whether bulk title search may stand in for title matches.

Runs against the fake Semantic Scholar + arXiv server of ``tests/fakeapi`` with the real limits
on (SYNTHETIC corpora: one paper per list row plus outside papers), in temporary cache
directories. The corpora:

- ``bundled``: the bundled list's own corpus;
- ``crowded``: the same list where four papers hold ~2,500 citers each, every citer also citing
  two more list papers (~30k citations into the list);
- ``synthetic-1000``: a SYNTHETIC list of 1,000 paper rows, a fifth of them without an id.

The nested minimum of a corpus, as issue 24 defines it: ``1 + title lookups + ceil(sum of list
citation counts / 9,999) + arXiv + recommendations``: one batch by id, a title lookup per row
without an arXiv id or DOI, the nested batches, ``ceil(arXiv ids / 100)`` arXiv batches and one
recommendations call. Targets: requests <= 1.15 x the nested
minimum on each corpus; every citer and reference of the fake's truth kept; the keyless cold
run of the bundled list under 60 s with the pool at 100 requests per 300 s (no window filled);
the refresh a week later (35 papers gained citers) at most 6 requests. Bulk title search is
kept only if it never accepts a match the title match would reject (printed, measured here).

    python bench/bench_enrich.py                  # everything
    python bench/bench_enrich.py --corpora bundled --no-pool

The machine may be shared: wall times are indicative, request counts exact.
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
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fake server lives with the tests
sys.path.insert(0, str(ROOT / "bench"))

from bench_build import SyntheticList  # noqa: E402
from fakeapi import FakeApi, Realism, SharedPoolLimit  # noqa: E402
from fakeapi.corpus import Corpus, corpus_for_list  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from rsvlm_graph.cli import app  # noqa: E402
from rsvlm_graph.config import Settings  # noqa: E402
from rsvlm_graph.enrich import enrich  # noqa: E402
from rsvlm_graph.identifiers import title_similarity  # noqa: E402
from rsvlm_graph.listfile.curation import Curation, load_curation  # noqa: E402
from rsvlm_graph.listfile.parse import parse_list, read_list  # noqa: E402
from rsvlm_graph.models import Enrichment, ListDocument  # noqa: E402
from rsvlm_graph.records import OnFile  # noqa: E402
from rsvlm_graph.resolve import BULK_TITLES, TITLE_MATCH_THRESHOLD, bulk_pick  # noqa: E402
from rsvlm_graph.snapshot import read_snapshot  # noqa: E402
from rsvlm_graph.sources.arxiv import DEFAULT_BATCH_SIZE, ArxivSource  # noqa: E402
from rsvlm_graph.sources.s2_lists import NESTED_BUDGET  # noqa: E402
from rsvlm_graph.sources.semantic_scholar import SemanticScholarSource  # noqa: E402
from rsvlm_graph.store import Store  # noqa: E402

LIST_PATH = ROOT / "kg" / "awesome-list.md"
TARGET_RATIO = 1.15
POOL_TARGET_SECONDS = 60.0
REFRESH_TARGET = 6
#: list papers that gain citers between the two refreshes, and how many each
GAINED_PAPERS, GAINED_CITERS = 35, 3
NOW = datetime(2026, 11, 23, 5, 17, tzinfo=timezone.utc)


def bundled() -> tuple[ListDocument, Curation, Corpus]:
    curation = load_curation(LIST_PATH.with_name("curation.toml"))
    document = read_list(LIST_PATH, curation)
    return document, curation, corpus_for_list(document)


def crowded() -> tuple[ListDocument, Curation, Corpus]:
    """The bundled list where four papers hold ~2,500 SYNTHETIC citers each, every citer also
    citing two more list papers: ~30k citations into the list."""
    from fakeapi.corpus import Edge

    document, curation, corpus = bundled()
    core = corpus.core_ids
    for n, pid in enumerate(core[:4]):
        for i, citer in enumerate(corpus.add_citers(pid, 2_500)):
            for other in (core[(n * 7 + i) % len(core)], core[(n * 11 + 3 * i) % len(core)]):
                if other != pid:
                    corpus.edges.append(Edge(citer, other))
    corpus.recount()
    return document, curation, corpus


def synthetic_1000() -> tuple[ListDocument, Curation, Corpus]:
    """A SYNTHETIC list of 1,000 paper rows; every fifth row links no paper id (title match)."""
    rows = SyntheticList(seed=7)
    while sum(len(r) for r in rows.papers.values()) < 1_000:
        rows.add_row()
    for task, papers in rows.papers.items():
        rows.papers[task] = [row.replace("https://arxiv.org/abs/", "https://example.org/paper/")
                             if i % 5 == 0 else row for i, row in enumerate(papers)]
    document = parse_list(rows.text(), "synthetic-1000.md")
    return document, Curation(), corpus_for_list(document, n_outside=400)


CORPORA: dict[str, Callable[[], tuple[ListDocument, Curation, Corpus]]] = {
    "bundled": bundled, "crowded": crowded, "synthetic-1000": synthetic_1000,
}


def nested_minimum(document: ListDocument, corpus: Corpus) -> Counter[str]:
    with_id = [e for e in document.papers if e.ids.arxiv_id or e.ids.doi]
    arxiv_ids = {e.ids.arxiv_id for e in document.papers if e.ids.arxiv_id}
    cited = sum(corpus.papers[p]["citationCount"] for p in corpus.core_ids)
    return Counter(batch=1 + math.ceil(cited / NESTED_BUDGET),
                   match=len(document.papers) - len(with_id),
                   arxiv=math.ceil(len(arxiv_ids) / DEFAULT_BATCH_SIZE), recommendations=1)


def truth(corpus: Corpus) -> set[tuple[str, str]]:
    listed = set(corpus.core_ids)
    return {(e.citing, e.cited) for e in corpus.edges
            if e.citing and e.cited and (e.citing in listed or e.cited in listed)}


def settings_for(api: FakeApi, cache: Path, at: datetime) -> Settings:
    return Settings(s2_api_key="bench-SYNTHETIC", s2_api_url=api.s2_url,
                    arxiv_api_url=api.arxiv_url, cache_dir=cache, s2_rate=0.0,
                    arxiv_interval=0.0, clock=lambda: at)


def run(document: ListDocument, curation: Curation, settings: Settings) -> tuple[Enrichment, float]:
    """One enrichment into the settings' cache at the settings' clock; its wall time."""
    start = time.perf_counter()
    with Store(settings.database_path) as store:
        s2 = SemanticScholarSource(settings, now=settings.now)
        arxiv = ArxivSource(settings, now=settings.now)
        try:
            result = enrich(document, curation, s2=s2, arxiv=arxiv, records=OnFile(store),
                            settings=settings, now=settings.now)
        finally:
            s2.close()
            arxiv.close()
    return result, time.perf_counter() - start


def cold(name: str) -> bool:
    """A cold enrichment of one corpus: requests per endpoint against the nested minimum, and
    what was kept against the fake's truth."""
    document, curation, corpus = CORPORA[name]()
    minimum = nested_minimum(document, corpus)
    with tempfile.TemporaryDirectory() as cache, FakeApi(corpus) as api:
        result, wall = run(document, curation, settings_for(api, Path(cache), NOW))
        sent = Counter(api.counts)
    kept = {(c.citing, c.cited) for c in result.citations}
    lost = truth(corpus) - kept
    ratio = sum(sent.values()) / sum(minimum.values())
    print(f"\n{name}: {len(document.papers)} list papers, "
          f"{sum(corpus.papers[p]['citationCount'] for p in corpus.core_ids):,} citations into "
          f"the list; cold run {wall:.1f} s")
    print(f"  {'endpoint':<16}{'sent':>7}{'minimum':>9}")
    for endpoint in sorted(set(sent) | set(minimum)):
        print(f"  {endpoint:<16}{sent[endpoint]:>7}{minimum[endpoint]:>9}")
    print(f"  {'total':<16}{sum(sent.values()):>7}{sum(minimum.values()):>9}")
    print(f"  requests / nested minimum = {ratio:.3f} (target <= {TARGET_RATIO}): "
          f"{'met' if ratio <= TARGET_RATIO else 'MISSED'}")
    print(f"  citations and references kept: {len(kept & truth(corpus)):,} of the fake's "
          f"{len(truth(corpus)):,}, {len(lost)} lost (target 0): {'met' if not lost else 'MISSED'}")
    return ratio <= TARGET_RATIO and not lost


def refresh_a_week_later() -> bool:
    """A cold enrichment of the bundled list, then one eight days later on a corpus where
    ``GAINED_PAPERS`` list papers gained ``GAINED_CITERS`` citers each."""
    document, curation, corpus = bundled()
    with tempfile.TemporaryDirectory() as cache, FakeApi(corpus) as api:
        run(document, curation, settings_for(api, Path(cache), NOW))
        for pid in corpus.core_ids[:GAINED_PAPERS]:
            corpus.add_citers(pid, GAINED_CITERS)
        before = Counter(api.counts)
        result, wall = run(document, curation,
                           settings_for(api, Path(cache), NOW + timedelta(days=8)))
        week = Counter(api.counts) - before
    lost = truth(corpus) - {(c.citing, c.cited) for c in result.citations}
    sent = sum(week.values())
    print(f"\nrefresh 8 days later ({GAINED_PAPERS} list papers gained {GAINED_CITERS} citers "
          f"each): {sent} requests ({', '.join(f'{k} {n}' for k, n in sorted(week.items()))}) "
          f"in {wall:.1f} s (target <= {REFRESH_TARGET}): "
          f"{'met' if sent <= REFRESH_TARGET else 'MISSED'}; lost {len(lost)}")
    return sent <= REFRESH_TARGET and not lost


def keyless_cold_build(pool_requests: int, pool_seconds: float, repeats: int) -> bool:
    """``rsvlm-graph build`` of the bundled list without a key, in the shared pool, cold each
    time: the median wall and CPU time of ``repeats`` runs (the CPU time is the process's, the
    fake server's threads included)."""
    document, _, corpus = bundled()
    walls, cpus, accepted, rejected, lost = [], [], set(), 0, set()
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as work, FakeApi(corpus) as api:
            kg = Path(work) / "kg"
            kg.mkdir()
            for file in ("awesome-list.md", "curation.toml"):
                shutil.copy(LIST_PATH.parent / file, kg / file)
            api.realism.pool = pool = SharedPoolLimit(pool_requests, pool_seconds)
            env = {"RSVLM_S2_API_URL": api.s2_url, "RSVLM_ARXIV_API_URL": api.arxiv_url,
                   "RSVLM_ARXIV_INTERVAL": "0", "RSVLM_VALIDATE": "0", "S2_API_KEY": "",
                   "RSVLM_CACHE_DIR": str(Path(work) / "cache"),
                   "RSVLM_S2_POOL_REQUESTS": str(pool_requests),
                   "RSVLM_S2_POOL_SECONDS": str(pool_seconds)}
            start, cpu = time.perf_counter(), time.process_time()
            result = CliRunner().invoke(app, ["build", "--quiet", "--list",
                                              str(kg / "awesome-list.md"),
                                              "--out", str(Path(work) / "exports")], env=env)
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
            if result.exit_code != 0:
                raise SystemExit(f"build exited {result.exit_code}:\n{result.output}")
            kept = {(c.citing, c.cited) for c in read_snapshot(kg / "snapshot.jsonl").citations}
        accepted.add(pool.accepted)
        rejected += pool.rejected
        lost |= truth(corpus) - kept
    wall = statistics.median(walls)
    met = wall < POOL_TARGET_SECONDS and not lost and rejected == 0
    print(f"\nkeyless cold build of the bundled list, pool {pool_requests} per {pool_seconds:g} s, "
          f"{repeats} runs: {'/'.join(map(str, sorted(accepted)))} S2 requests, {rejected} "
          f"answered 429, median wall {wall:.1f} s, CPU {statistics.median(cpus):.1f} s "
          f"(target < {POOL_TARGET_SECONDS:g} s, no window filled), {len(lost)} citations lost: "
          f"{'met' if met else 'MISSED'}")
    return met


def bulk_titles(name: str) -> bool:
    """Bulk search of OR-ed quoted titles against the title match, title by title: how many
    it resolves, in how many requests, and whether it ever accepts a paper the title match
    would not (the condition to keep it). The title match as the real one: its best match,
    whatever the similarity."""
    document, _, corpus = CORPORA[name]()
    titles = [e.title for e in document.papers if not (e.ids.arxiv_id or e.ids.doi)]
    with tempfile.TemporaryDirectory() as cache, FakeApi(corpus, realism=Realism(
            best_title_match=True)) as api:
        settings = settings_for(api, Path(cache), NOW)
        with SemanticScholarSource(settings, now=settings.now) as s2:
            by_match: dict[str, str | None] = {}
            for title in titles:
                found = s2.match_title(title)
                accepted = found is not None and round(title_similarity(
                    title, found[0].title), 1) >= TITLE_MATCH_THRESHOLD
                by_match[title] = found[0].s2_paper_id if found and accepted else None
            by_bulk: dict[str, str | None] = {}
            before = api.counts["bulk"]
            for start in range(0, len(titles), BULK_TITLES):
                group = titles[start:start + BULK_TITLES]
                candidates = s2.search_titles(group) or []  # None: not whole, settles none
                for title in group:  # the resolver's own rule
                    picked = bulk_pick(title, candidates)
                    by_bulk[title] = picked[1].s2_paper_id if picked else None
            queries = api.counts["bulk"] - before
    resolved = sum(1 for t in titles if by_bulk[t])
    wrong = [t for t in titles if by_bulk[t] and by_bulk[t] != by_match[t]]
    fallback = len(titles) - resolved
    print(f"\nbulk title search, {name}: {len(titles)} titles without an id; bulk resolves "
          f"{resolved} in {queries} queries, {fallback} left to title match ({queries + fallback} "
          f"requests against {len(titles)}); accepts {len(wrong)} the title match would not"
          + (f": {wrong[:3]}" if wrong else ""))
    return not wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", default=list(CORPORA), choices=list(CORPORA))
    parser.add_argument("--pool-requests", type=int, default=100)
    parser.add_argument("--pool-seconds", type=float, default=300.0)
    parser.add_argument("--no-pool", action="store_true", help="skip the keyless build")
    parser.add_argument("--repeats", type=int, default=5, help="keyless builds, for the median")
    args = parser.parse_args()
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    print("fake server on 127.0.0.1 with SYNTHETIC corpora, the real limits on (a 9,999-citation "
          "budget per batch answer, 1,000 per single paper, 10 MB); no waits but the pool's")
    met = all([cold(name) for name in args.corpora])
    met = refresh_a_week_later() and met
    if not args.no_pool:
        met = keyless_cold_build(args.pool_requests, args.pool_seconds, args.repeats) and met
    for name in args.corpora:
        bulk_titles(name)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
