"""Without S2_API_KEY, end to end: the run says up front how long the shared pool makes it, and
a keyless enrich loses nothing a keyed one gets. The fake API's corpus is SYNTHETIC."""

from __future__ import annotations

import io
from collections import Counter

import test_cli
from rich.console import Console
from test_cli import run, snapshot_without_dates

from rsvlm_graph import cli
from rsvlm_graph.config import Settings

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online = test_cli.env, test_cli.kg, test_cli.online

ANNOUNCED = "Semantic Scholar without an API key: about "
KEY_HINT = "set S2_API_KEY (free: https://www.semanticscholar.org/product/api) for 1 request/s"


def announced(settings: Settings, planned: Counter[str], monkeypatch) -> str:
    said = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=said, force_terminal=False, width=400))
    token = cli._run_settings.set(settings)
    try:
        cli._announce_pace(planned)
    finally:
        cli._run_settings.reset(token)
    return said.getvalue()


def test_the_announcement_counts_the_pool_windows_and_what_a_key_would_take(monkeypatch):
    cold = Counter(batch=2, match=46, citations=81, references=81, recommendations=1)  # 211
    assert announced(Settings(), cold, monkeypatch) == (
        f"{ANNOUNCED}211 requests at 100 per 300 s ≈ 10 min; {KEY_HINT} (≈ 4 min)\n")
    assert announced(Settings(s2_api_key="SYNTHETIC"), cold, monkeypatch) == (
        "Semantic Scholar: about 211 requests at 1 per s ≈ 4 min\n")
    assert announced(Settings(), Counter(batch=1), monkeypatch) == (
        f"{ANNOUNCED}1 request at 100 per 300 s ≈ <1 min; {KEY_HINT} (≈ <1 min)\n")
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
    # a window of 0.1 s (conftest's guard keeps every test off the real 300 s)
    monkeypatch.setenv("RSVLM_S2_POOL_SECONDS", "0.1")
    before = len(online.requests)
    result = run("enrich", "--list", keyless_kg / "awesome-list.md", "--quiet")
    assert result.exit_code == 0, result.output
    assert ANNOUNCED in result.output and "at 100 per 0.1 s" in result.output
    assert KEY_HINT in result.output
    assert all("x-api-key" not in r.headers for r in online.requests[before:])
    assert snapshot_without_dates(keyless_kg) == keyed
