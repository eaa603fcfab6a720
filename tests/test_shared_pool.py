"""Without S2_API_KEY, end to end: the run says up front how long the shared pool makes it, and
a keyless enrich loses nothing a keyed one gets. The fake API's corpus is SYNTHETIC."""

from __future__ import annotations

import io
from collections import Counter

import pytest
import test_cli
import test_enrich
from conftest import SteppedClock
from fakeapi import SharedPoolLimit
from rich.console import Console
from test_cli import run, snapshot_without_dates
from test_enrich import keyless_source, run_e2e, s2_requests

from rsvlm_graph import terminal
from rsvlm_graph.config import Settings
from rsvlm_graph.sources.pacing import pool_floor_seconds

# the CLI tests' fixtures (a copy of kg/, a temp store, the fake API around the list) and the
# bundled list of the enrichment tests
env, kg, online = test_cli.env, test_cli.kg, test_cli.online
bundled = test_enrich.bundled

ANNOUNCED = "Semantic Scholar without an API key: about "
KEY_HINT = "set S2_API_KEY (free: https://www.semanticscholar.org/product/api) for 1 request/s"


def announced(settings: Settings, planned: Counter[str], monkeypatch) -> str:
    said = io.StringIO()
    monkeypatch.setattr(terminal, "err", Console(file=said, force_terminal=False, width=400))
    terminal.announce_pace(settings, planned)
    return said.getvalue()


def test_the_announcement_counts_the_pool_windows_and_what_a_key_would_take(monkeypatch):
    cold = Counter(batch=2, match=46, citations=81, references=81, recommendations=1)  # 211
    assert announced(Settings(), cold, monkeypatch) == (
        f"{ANNOUNCED}211 requests at 100 per 300 s ≈ 10 min; {KEY_HINT} (≈ 4 min)\n")
    assert announced(Settings(s2_api_key="SYNTHETIC"), cold, monkeypatch) == (
        "Semantic Scholar: about 211 requests at 1 per s ≈ 4 min\n")
    assert announced(Settings(), Counter(batch=1), monkeypatch) == (
        f"{ANNOUNCED}1 request at 100 per 300 s ≈ <1 min\n")  # a key would not be faster
    assert announced(Settings(s2_pool_seconds=0), cold, monkeypatch) == (
        f"{ANNOUNCED}211 requests, not paced (RSVLM_S2_POOL_SECONDS=0)\n")
    assert announced(Settings(), Counter(), monkeypatch) == ""  # nothing to fetch: nothing said


def test_a_keyless_enrich_says_its_pace_and_ends_with_what_a_keyed_one_gets(
        kg, online, env, tmp_path, monkeypatch):
    assert run("enrich", "--list", kg / "awesome-list.md", "--quiet").exit_code == 0
    keyed = snapshot_without_dates(kg)

    keyless_kg = tmp_path / "keyless" / "kg"
    keyless_kg.mkdir(parents=True)
    for name in ("awesome-list.md", "curation.toml"):
        (keyless_kg / name).write_bytes((kg / name).read_bytes())
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "keyless" / "cache"))
    monkeypatch.delenv("S2_API_KEY")
    # a pool of 20 per 0.1 s, on the fake too (conftest's guard keeps every test off 300 s)
    monkeypatch.setenv("RSVLM_S2_POOL_REQUESTS", "20")
    monkeypatch.setenv("RSVLM_S2_POOL_SECONDS", "0.1")
    online.realism.pool = pool = SharedPoolLimit(20, 0.1)
    before = len(online.requests)
    result = run("enrich", "--list", keyless_kg / "awesome-list.md", "--quiet")
    assert result.exit_code == 0, result.output
    assert ANNOUNCED in result.output and "at 20 per 0.1 s" in result.output
    assert KEY_HINT not in result.output  # at 20 per 0.1 s a key's 1 per s would be slower
    assert all("x-api-key" not in r.headers for r in online.requests[before:])
    assert snapshot_without_dates(keyless_kg) == keyed
    assert pool.accepted == sum(r.endpoint != "arxiv" for r in online.requests[before:]) - pool.rejected


@pytest.mark.parametrize("retry_after", [None, "60"], ids=["no Retry-After", "Retry-After"])
@pytest.mark.parametrize("others", [0, 30], ids=["alone", "others in the pool"])
def test_a_cold_keyless_enrich_in_the_shared_pool_loses_nothing(
        bundled, fake_api, fake_settings, s2_source, arxiv_source, tmp_path, retry_after, others):
    # every list served empty nested, so each is paged: ~160 requests, more than one window
    fake_api.realism.nested_budget = 0
    keyed = run_e2e(bundled, s2_source, arxiv_source, fake_settings, tmp_path / "keyed.db")
    sent_keyed = s2_requests(fake_api.counts)
    # the real pool, 100 per 300 s, on a clock the client moves when it waits: shared by both
    clock = SteppedClock()
    fake_api.realism.pool = pool = SharedPoolLimit(100, 300.0, clock=clock, retry_after=retry_after)

    def others_draw_from_the_pool(phase: str, done: int, total: int) -> None:
        if done == 0 or done % 20 == 0:  # now and then, another user takes a share
            for _ in range(others):
                pool.admit()

    start = clock()
    with keyless_source(fake_settings, clock) as s2:
        keyless = run_e2e(bundled, s2, arxiv_source, s2.settings, tmp_path / "keyless.db",
                          progress=others_draw_from_the_pool)
    assert keyless.failures == ()
    assert keyless == keyed  # every citation edge, paper and resolution of the keyed run
    refused = (s2_requests(fake_api.counts) - sent_keyed).total() - sent_keyed.total()
    floor = pool_floor_seconds(sent_keyed.total(), 100, 300.0)
    if not others:
        assert pool.rejected == refused == 0  # alone, the client never meets a 429
        assert clock() - start == floor  # and goes exactly at the pool's pace
    else:
        # it met the others' use of the pool, and learnt from it: a few 429s, each retried
        assert 0 < refused <= sent_keyed.total() // 10
