"""A failure on file is over once a record of its subject was fetched at or after it, wherever
that record comes from; a failure to reach the source beside a fresh record is no loss
(SYNTHETIC corpus on the fake API, pinned clock)."""

from __future__ import annotations

import shutil
from pathlib import Path

import test_cli
from conftest import closed_port_url
from test_cli import run

from rsvlm_graph.codec import Row
from rsvlm_graph.models import Failure, Resolution
from rsvlm_graph.records import OnFile, Rows
from rsvlm_graph.store import Store

env, kg, online = test_cli.env, test_cli.kg, test_cli.online

DAY_0, DAY_2 = "2026-11-02T06:00:00Z", "2026-11-04T06:00:00Z"


def _failures(snapshot: Path) -> int:
    return sum('"kind":"failure"' in line.replace(" ", "")
               for line in snapshot.read_text(encoding="utf-8").splitlines())


def test_a_network_less_build_then_a_snapshot_from_elsewhere_settles_on_the_next_enrich(
        kg, online, env, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere" / "kg"
    shutil.copytree(kg, elsewhere)
    monkeypatch.setenv("RSVLM_NOW", DAY_0)
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache-elsewhere"))
    assert run("enrich", "--quiet", "--list", elsewhere / "awesome-list.md").exit_code == 0

    here = tmp_path / "here" / "kg"
    shutil.copytree(kg, here)
    monkeypatch.setenv("RSVLM_NOW", DAY_2)
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache-here"))
    closed = closed_port_url()
    monkeypatch.setenv("RSVLM_S2_API_URL", closed)
    monkeypatch.setenv("RSVLM_ARXIV_API_URL", closed)
    down = run("build", "--list", here / "awesome-list.md", "--out", tmp_path / "out")
    assert "incomplete: 104 records" in down.output  # 81 resolutions, 23 arXiv records
    shutil.copy(elsewhere / "snapshot.jsonl", here / "snapshot.jsonl")
    monkeypatch.setenv("RSVLM_S2_API_URL", online.s2_url)
    monkeypatch.setenv("RSVLM_ARXIV_API_URL", online.arxiv_url)

    for _ in range(2):
        result = run("enrich", "--list", here / "awesome-list.md")
        assert result.exit_code == 0, result.output
        assert "incomplete" not in result.output
        assert _failures(here / "snapshot.jsonl") == 0
    # a new runner seeded from that snapshot has nothing to settle either
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache-new"))
    result = run("enrich", "--list", here / "awesome-list.md")
    assert result.exit_code == 0, result.output
    assert "requests (failed ones included): none (all fresh)" in result.output


KEY = "paper:arxiv:2301.00001"  # SYNTHETIC
RESOLVED = Resolution(KEY, "a" * 40, "batch-arxiv")
FAILED = Failure(KEY, "resolve", "network unavailable: SYNTHETIC")


def _on_file(tmp_path: Path, store_rows: list[Row], snapshot_rows: list[Row]) -> OnFile:
    store = Store(tmp_path / "store.sqlite")
    store.put(store_rows, request="SYNTHETIC", settle=False)
    return OnFile(store, Rows.of(snapshot_rows, ()))


def test_a_failure_is_over_once_its_record_is_as_new_wherever_that_record_is(tmp_path):
    failed = Row("failure", f"{KEY}|resolve", DAY_0, FAILED)
    newer = Row("resolution", KEY, DAY_2, RESOLVED)
    older = Row("resolution", KEY, "2026-11-01T06:00:00Z", RESOLVED)
    same = Row("resolution", KEY, DAY_0, RESOLVED)
    # the store's failure, the snapshot's record (a copy enriched elsewhere), and the reverse
    assert _on_file(tmp_path / "a", [failed], [newer]).failure(KEY, "resolve") is None
    assert _on_file(tmp_path / "b", [newer], [failed]).failure(KEY, "resolve") is None
    assert _on_file(tmp_path / "c", [failed, same], []).failure(KEY, "resolve") is None
    # a failure newer than its record stands: that record's refresh failed
    assert _on_file(tmp_path / "d", [failed], [older]).failure(KEY, "resolve") == FAILED


def test_seeding_does_not_copy_a_failure_its_record_settles(tmp_path):
    failed = Row("failure", f"{KEY}|resolve", DAY_0, FAILED)
    records = _on_file(tmp_path, [], [failed, Row("resolution", KEY, DAY_2, RESOLVED)])
    assert records.seed() == 1
    assert ("failure", f"{KEY}|resolve") not in records.store.stamps()
