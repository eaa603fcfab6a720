"""The refresh schedule as the weekly job lives it, against the fake API (SYNTHETIC corpus) with
a pinned clock: what a new runner (an empty store, the committed kg/) asks, against the warm
runner that wrote kg/ (issue 23)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import test_cli
from test_cli import run

from rsvlm_graph.snapshot import read_snapshot

env, kg, online = test_cli.env, test_cli.kg, test_cli.online

DAY_0, DAY_8, DAY_29 = "2026-11-02T06:00:00Z", "2026-11-10T06:00:00Z", "2026-12-01T06:00:00Z"


def enrich_at(kg_dir: Path, when: str, monkeypatch, cache: Path | None = None):
    monkeypatch.setenv("RSVLM_NOW", when)
    if cache is not None:
        monkeypatch.setenv("RSVLM_CACHE_DIR", str(cache))
    result = run("enrich", "--quiet", "--list", kg_dir / "awesome-list.md")
    assert result.exit_code == 0, result.output
    return result


def sent(api, during) -> Counter[str]:
    before = Counter(api.counts)
    during()
    return Counter(api.counts) - before


def test_a_new_runner_right_after_a_good_run_sends_nothing(kg, online, env, tmp_path, monkeypatch):
    enrich_at(kg, DAY_0, monkeypatch)
    assert sum(online.counts.values()) > 0
    clone = tmp_path / "runner" / "kg"
    shutil.copytree(kg, clone)
    requests = sent(online, lambda: enrich_at(clone, "2026-11-02T09:00:00Z", monkeypatch,
                                              tmp_path / "empty-cache"))
    assert requests == Counter()
    assert (clone / "snapshot.jsonl").read_bytes() == (kg / "snapshot.jsonl").read_bytes()


def test_the_four_weekly_full_check_catches_every_silent_swap_on_any_runner(
        kg, online, env, tmp_path, monkeypatch):
    corpus = online.corpus
    enrich_at(kg, DAY_0, monkeypatch)
    gained = corpus.core_ids[:35]
    for pid in gained:  # counts move: the day-8 refresh pages these lists
        corpus.add_citers(pid, 3)
    enrich_at(kg, DAY_8, monkeypatch)
    day_8 = tmp_path / "day-8" / "kg"
    shutil.copytree(kg, day_8)  # what the day-8 run committed

    # ten other papers swap one citer each for another, their counts unchanged
    cited = [pid for pid in corpus.core_ids[35:] if corpus.citations_of(pid)]
    swaps = {pid: corpus.swap_citer(pid, "swap") for pid in cited[:10]}
    assert len(swaps) == 10
    warm = sent(online, lambda: enrich_at(kg, DAY_29, monkeypatch))
    edges = {(c.citing, c.cited) for c in read_snapshot(kg / "snapshot.jsonl").citations}
    caught = [pid for pid, (gone, new) in swaps.items()
              if (new, pid) in edges and (gone, pid) not in edges]
    assert caught == list(swaps)

    # a new runner starting from the day-8 snapshot sends exactly what the warm runner sent
    new = sent(online, lambda: enrich_at(day_8, DAY_29, monkeypatch, tmp_path / "new-cache"))
    assert new == warm
    assert (day_8 / "snapshot.jsonl").read_bytes() == (kg / "snapshot.jsonl").read_bytes()
