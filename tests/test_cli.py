"""The command line end to end: build offline and against the fake API (SYNTHETIC corpus),
snapshot round trip, deterministic exports, and clear messages on bad input."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FAKE_API_KEY
from fakeapi.corpus import corpus_for_list
from typer.testing import CliRunner

from rsvlm_graph.cli import EXIT_PARTIAL, app
from rsvlm_graph.listfile.curation import load_curation
from rsvlm_graph.listfile.parse import parse_list, read_list

ROOT = Path(__file__).resolve().parents[1]
#: a frozen copy of the bundled list: the maintainers edit kg/awesome-list.md
BUNDLED_LIST = ROOT / "tests" / "data" / "awesome-list.md"
EXPORTS = (
    "graph.ttl", "graph.jsonld", "graph.graphml", "nodes.csv", "edges.csv", "graph.html",
    "awesome-list-with-citations.md", "report.md",
)


@pytest.fixture
def kg(tmp_path: Path) -> Path:
    """A copy of the bundled kg/ (list and curation only: no snapshot, no history)."""
    kg = tmp_path / "kg"
    kg.mkdir()
    for name in ("awesome-list.md", "curation.toml"):
        shutil.copy(BUNDLED_LIST if name == "awesome-list.md" else ROOT / "kg" / name, kg / name)
    return kg


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Point the store at a temp cache dir and keep the real environment's settings out."""
    for name in ("S2_API_KEY", "RSVLM_S2_API_URL", "RSVLM_ARXIV_API_URL"):
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path / "cache"
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def online(env: Path, fake_api, kg: Path, monkeypatch: pytest.MonkeyPatch):
    """The fake API serving a SYNTHETIC corpus built around the bundled list, no waits."""
    fake_api.corpus = corpus_for_list(read_list(kg / "awesome-list.md", load_curation(kg / "curation.toml")))
    monkeypatch.setenv("S2_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("RSVLM_S2_API_URL", fake_api.s2_url)
    monkeypatch.setenv("RSVLM_ARXIV_API_URL", fake_api.arxiv_url)
    monkeypatch.setenv("RSVLM_S2_RATE", "1000")
    monkeypatch.setenv("RSVLM_ARXIV_INTERVAL", "0")
    return fake_api


@pytest.fixture
def paged(online):
    """Every nested list served empty (a budget of 0 per batch answer): each list with a count
    is paged, as before nested batches, so the faults a test puts on the pages reach them."""
    online.realism.nested_budget = 0
    return online


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def read_exports(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in EXPORTS}


def test_offline_build_writes_every_export_and_reports_what_is_missing(kg, env, tmp_path):
    out = tmp_path / "exports"
    result = run("build", "--offline", "--list", kg / "awesome-list.md", "--out", out)
    assert result.exit_code == 0, result.output
    assert "81 paper rows, 25 dataset rows" in result.output
    assert "paper 81, dataset 24" in result.output
    assert "not enriched: 81 of 81 list papers" in result.output
    assert "html view: 116 nodes" in result.output
    for name in EXPORTS:
        assert (out / name).stat().st_size > 0, name


def test_two_builds_give_byte_identical_files(kg, env, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert run("build", "--offline", "--list", kg / "awesome-list.md", "--out", first).exit_code == 0
    assert run("build", "--offline", "--list", kg / "awesome-list.md", "--out", second).exit_code == 0
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
    for path in first.iterdir():
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_build_without_network_fails_fast_and_says_why(kg, env, tmp_path, monkeypatch):
    # nothing listens on port 9 of loopback: every source is unreachable at once
    monkeypatch.setenv("RSVLM_S2_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RSVLM_ARXIV_API_URL", "http://127.0.0.1:9/api/query")
    result = run("build", "--list", kg / "awesome-list.md", "--out", tmp_path / "exports")
    # built from what is on file, as offline: exit 0, and what is missing is said last
    assert result.exit_code == 0, result.output
    assert "incomplete: " in result.stderr and "exports are built from what is on file" in result.stderr
    assert "not enriched: 81 of 81 list papers" in result.output
    assert "network unavailable" in result.output
    for name in EXPORTS:
        assert (tmp_path / "exports" / name).stat().st_size > 0, name


def test_enrich_then_offline_build_from_the_snapshot_alone(kg, online, env, tmp_path):
    result = run("enrich", "--list", kg / "awesome-list.md", "--quiet")
    assert result.exit_code == 0, result.output
    snapshot = kg / "snapshot.jsonl"
    assert snapshot.exists()
    assert len(list((kg / "history").glob("*.jsonl"))) == 1
    built_online = tmp_path / "online"
    assert run("build", "--offline", "--list", kg / "awesome-list.md", "--out", built_online).exit_code == 0

    # a fresh clone: no store at all, only the committed snapshot
    shutil.rmtree(env)
    requests_before = len(online.requests)
    rebuilt = tmp_path / "rebuilt"
    result = run("build", "--offline", "--list", kg / "awesome-list.md", "--out", rebuilt)
    assert result.exit_code == 0, result.output
    assert len(online.requests) == requests_before
    assert read_exports(rebuilt) == read_exports(built_online)
    assert "not enriched: none" in result.output
    assert "outside_paper 0" not in result.output


def test_records_another_api_answered_never_reach_a_build_for_the_real_ones(
        kg, online, env, tmp_path, monkeypatch):
    # an outside review: a cache a test server filled (SYNTHETIC) made the offline build of a fresh
    # clone, configured for Semantic Scholar itself, export 537 authors and 268 SYNTHETIC triples
    other = tmp_path / "other-list"
    shutil.copytree(kg, other)
    assert run("enrich", "--list", other / "awesome-list.md", "--quiet").exit_code == 0
    assert (other / "snapshot.jsonl").exists()
    plain = tmp_path / "plain"
    built = run("build", "--offline", "--list", kg / "awesome-list.md", "--out", plain)
    assert "not enriched: none" in built.output  # the same store, the same APIs: it is used
    for name in ("RSVLM_S2_API_URL", "RSVLM_ARXIV_API_URL", "S2_API_KEY"):
        monkeypatch.delenv(name)
    clone = tmp_path / "clone"
    result = run("build", "--offline", "--list", kg / "awesome-list.md", "--out", clone)
    assert result.exit_code == 0, result.output
    assert "not enriched: 81 of 81 list papers" in result.output
    assert b"SYNTHETIC" not in (clone / "graph.ttl").read_bytes()
    assert not (kg / "snapshot.jsonl").exists()


def test_enrich_edge_details_gives_the_citations_inside_the_list_their_flags(kg, online, env):
    from rsvlm_graph.snapshot import read_snapshot

    listed = kg / "awesome-list.md"

    def inside() -> dict[tuple[str, str], bool | None]:
        snapshot = read_snapshot(kg / "snapshot.jsonl")
        ours = {r.s2_paper_id for r in snapshot.resolutions if r.s2_paper_id}
        return {(c.citing, c.cited): c.is_influential for c in snapshot.citations
                if c.citing in ours and c.cited in ours}

    assert run("enrich", "--list", listed, "--quiet").exit_code == 0
    assert inside() and set(inside().values()) == {None}  # nested: unknown, not false
    before = len(online.requests)
    result = run("enrich", "--list", listed, "--quiet", "--edge-details")
    assert result.exit_code == 0, result.output
    told = {(e.citing, e.cited): e.is_influential for e in online.corpus.edges}
    assert inside() == {pair: told[pair] for pair in inside()}  # as S2 says, on every one
    asked = online.requests[before:]
    assert asked and {r.endpoint for r in asked} == {"references"}


def test_online_build_writes_the_snapshot_and_history_a_fresh_clone_rebuilds_from(
        kg, online, env, tmp_path, monkeypatch):
    monkeypatch.setenv("RSVLM_NOW", "2026-11-30T08:00:00Z")
    monkeypatch.chdir(kg.parent)  # the repository: paths as the README gives them
    result = run("build", "--list", "kg/awesome-list.md", "--out", "exports", "--quiet")
    assert result.exit_code == 0, result.output
    assert (kg / "snapshot.jsonl").exists()
    assert [p.name for p in (kg / "history").glob("*.jsonl")] == ["2026-11-30.jsonl"]
    recorded = (kg / "history" / "2026-11-30.jsonl").read_bytes()

    # the README's next step: enrich the same day fetches nothing and records nothing more
    result = run("enrich", "--list", "kg/awesome-list.md", "--quiet")
    assert result.exit_code == 0, result.output
    assert "none (all fresh)" in result.output and "nothing recorded" in result.output
    assert (kg / "history" / "2026-11-30.jsonl").read_bytes() == recorded

    # a fresh clone of the repository holding kg/: no store, only what is committed
    clone = tmp_path / "clone"
    shutil.copytree(kg, clone / "kg")
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "clone-cache"))
    monkeypatch.chdir(clone)
    requests_before = len(online.requests)
    result = run("build", "--offline", "--list", "kg/awesome-list.md", "--out", "exports")
    assert result.exit_code == 0, result.output
    assert len(online.requests) == requests_before
    assert "not enriched: none" in result.output
    built, rebuilt = kg.parent / "exports", clone / "exports"
    assert sorted(p.name for p in rebuilt.iterdir()) == sorted(p.name for p in built.iterdir())
    for path in built.iterdir():
        assert path.read_bytes() == (rebuilt / path.name).read_bytes(), path.name


def test_a_run_killed_after_its_last_request_is_recorded_by_the_next(kg, online, env, monkeypatch):
    from rsvlm_graph.config import Settings
    from rsvlm_graph.pipeline import Inputs, fetch_enrichment, load_inputs, on_file

    monkeypatch.setenv("RSVLM_NOW", "2026-11-30T08:00:00Z")
    inputs = Inputs(kg / "awesome-list.md")
    document, curation = load_inputs(inputs)
    settings = Settings.from_env()
    # everything fetched into the store, then killed before writing kg/
    with on_file(inputs, settings, writable=True) as (records, checked):
        fetch_enrichment(document, curation, records, checked, settings, offline=False)
    assert not (kg / "history").exists()
    monkeypatch.setenv("RSVLM_NOW", "2026-12-01T08:00:00Z")  # resumed the next morning
    result = run("enrich", "--list", kg / "awesome-list.md", "--quiet")
    assert result.exit_code == 0, result.output
    assert "none (all fresh)" in result.output
    assert [p.name for p in (kg / "history").glob("*.jsonl")] == ["2026-11-30.jsonl"]
    assert "recorded citation history" in result.output


def test_a_paper_no_longer_returned_leaves_the_committed_history_as_it_is(
        kg, online, env, monkeypatch):
    """S2 answers null for a list paper at the next weekly refresh (merged or withdrawn): last
    week's file, committed, keeps every byte, and `changes` counts the paper as no longer returned.

    Its stale record in the store still carries last week's date, which once rebuilt that file
    from that one paper: 80 of 81 papers lost their first data point to nulls.
    """
    listed = kg / "awesome-list.md"
    monkeypatch.setenv("RSVLM_NOW", "2026-11-01T08:00:00Z")
    assert run("enrich", "--list", listed, "--quiet").exit_code == 0
    first = kg / "history" / "2026-11-01.jsonl"
    committed = first.read_bytes()
    gone = online.corpus.core_ids[0]
    (line,) = [json.loads(x) for x in committed.decode().splitlines() if f'"s2_id":"{gone}"' in x]
    assert line["citation_count"] is not None

    online.faults.null_in_batch.add(gone)
    monkeypatch.setenv("RSVLM_NOW", "2026-11-09T08:00:00Z")
    result = run("enrich", "--list", listed, "--quiet")
    assert result.exit_code == 0, result.output  # a null is S2's answer, not a failed fetch
    assert "not found in metadata (1)" in result.output
    assert re.findall(r"recorded citation history: (\S+)", result.output) == [
        str(kg / "history" / "2026-11-09.jsonl")]
    assert first.read_bytes() == committed
    week = {r["entry"]: r for r in map(json.loads, (kg / "history" / "2026-11-09.jsonl")
                                       .read_text().splitlines()) if r["kind"] == "paper"}
    assert week[line["entry"]]["s2_id"] == gone
    assert week[line["entry"]]["citation_count"] is None
    assert sum(r["citation_count"] is None for r in week.values()) == 1

    result = run("changes", "--list", listed, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [(d["entry"], d["citation_count"]) for d in json.loads(result.output)["disappeared"]] \
        == [(line["entry"], line["citation_count"])]
    assert "1 papers no longer returned" in run("changes", "--list", listed).output


def test_warm_enrich_sends_no_request(kg, online, env):
    assert run("enrich", "--list", kg / "awesome-list.md", "--quiet").exit_code == 0
    before = len(online.requests)
    result = run("enrich", "--list", kg / "awesome-list.md", "--quiet")
    assert result.exit_code == 0, result.output
    assert len(online.requests) == before
    assert "none (all fresh)" in result.output


def test_rank_and_discover_json_carry_the_contract_fields(kg, online, env):
    assert run("enrich", "--list", kg / "awesome-list.md", "--quiet").exit_code == 0
    ranked = json.loads(run("rank", "--list", kg / "awesome-list.md", "--format", "json", "--top", "5").stdout)
    assert len(ranked) == 5
    for field in ("title", "s2_id", "year", "tasks", "citation_count", "influential_citation_count",
                  "in_list_citations", "pagerank", "citations_per_year"):
        assert field in ranked[0], field
    counts = [r["citation_count"] for r in ranked]
    assert counts == sorted(counts, reverse=True)

    found = json.loads(run("discover", "--list", kg / "awesome-list.md", "--format", "json").stdout)
    assert found, "the synthetic corpus has outside papers citing the list"
    for field in ("title", "s2_id", "year", "venue", "score", "cites_list", "cited_by_list",
                  "suggested_task", "markdown_row"):
        assert field in found[0], field
    listed = {p.title for p in read_list(kg / "awesome-list.md").papers}
    assert not listed & {c["title"] for c in found}


def assert_one_line_error(result, *names: str) -> None:
    """Exit 1 with one ``error:`` line naming each of `names`: no traceback, no usage block."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Usage:" not in result.output, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    for name in names:
        assert name in errors[0], (name, errors[0])


@pytest.mark.parametrize("command", ["build", "enrich", "rank", "discover", "lint", "suggest",
                                     "history"])
def test_missing_list_file_is_one_line_naming_it(env, tmp_path, command):
    result = CliRunner().invoke(app, [command, "--offline", "--list", str(tmp_path / "nope.md")]
                                if command in ("build", "enrich") else
                                [command, "--list", str(tmp_path / "nope.md")])
    assert_one_line_error(result, "nope.md", "cannot read the list")


def test_a_directory_as_list_is_one_line(env, tmp_path):
    result = CliRunner().invoke(app, ["lint", "--list", str(tmp_path)])
    assert_one_line_error(result, str(tmp_path))


def test_invalid_curation_toml_is_one_line(kg, env):
    (kg / "curation.toml").write_text("ignore = [\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", "--list", str(kg / "awesome-list.md")])
    assert_one_line_error(result, "curation.toml", "invalid TOML")


def test_unwritable_out_is_one_line(kg, env, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["build", "--offline", "--list", str(kg / "awesome-list.md"),
                                      "--out", str(blocker / "exports")])
    assert_one_line_error(result, "a-file", "cannot create the output folder")


def test_unwritable_annotated_list_is_one_line(kg, env, tmp_path):
    out = tmp_path / "exports"
    (out / "awesome-list-with-citations.md").mkdir(parents=True)
    result = CliRunner().invoke(app, ["build", "--offline", "--list", str(kg / "awesome-list.md"),
                                      "--out", str(out)])
    assert_one_line_error(result, "awesome-list-with-citations.md")


def test_suggest_refuses_a_patch_named_like_its_note(kg, env, tmp_path):
    result = CliRunner().invoke(app, ["suggest", "--list", str(kg / "awesome-list.md"),
                                      "--out", str(tmp_path / "suggestions.md")])
    assert_one_line_error(result, "suggestions.md", "overwrite the patch")
    assert not (tmp_path / "suggestions.md").exists()


@pytest.mark.parametrize(("args", "names"), [
    (["query", "SELEC ?x WHERE", "--data", str(ROOT / "exports" / "graph.ttl")],
     ["not valid SPARQL"]),
    (["query", "ASK { ?s ?p ?o }", "--data", "missing.ttl"], ["missing.ttl"]),
    (["rank", "--task", "nope"], ["nope", "known tasks"]),
])
def test_bad_queries_and_tasks_are_one_line(kg, env, args, names, monkeypatch):
    monkeypatch.chdir(kg.parent)
    result = CliRunner().invoke(app, [*args] if args[0] == "query" else
                                [*args, "--list", str(kg / "awesome-list.md")])
    assert_one_line_error(result, *names)


def test_changes_without_history_and_history_outside_git_are_one_line(kg, env):
    result = CliRunner().invoke(app, ["changes", "--list", str(kg / "awesome-list.md")])
    assert_one_line_error(result, "no refresh recorded")
    if shutil.which("git") is not None:
        result = CliRunner().invoke(app, ["history", "--list", str(kg / "awesome-list.md")])
        assert_one_line_error(result, "awesome-list.md", "no git history")


def test_a_skipped_row_is_reported_once(kg, env):
    path = kg / "awesome-list.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "[RemoteCLIP: A Vision Language Foundation Model for Remote Sensing](",
        "[RemoteCLIP: A Vision Language Foundation Model for Remote Sensing("), encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", "--list", str(path)])
    assert result.exit_code == 1
    assert result.output.count("RemoteCLIP") == 1, result.output  # the finding, no log line too
    result = CliRunner().invoke(app, ["rank", "--list", str(path), "--format", "json"])
    assert result.exit_code == 0
    assert result.output.count("broken link") == 1, result.output


def test_list_without_entries_is_an_error_naming_the_file(env, tmp_path):
    empty = tmp_path / "kg" / "awesome-list.md"
    empty.parent.mkdir()
    empty.write_text("# Just a heading\n\nNo table here.\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["build", "--offline", "--list", str(empty), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "awesome-list.md" in result.output
    assert "Traceback" not in result.output


def test_malformed_row_is_reported_and_the_rest_builds(kg, env, tmp_path):
    path = kg / "awesome-list.md"
    text = path.read_text(encoding="utf-8")
    broken = text.replace(
        "[RSVQA: Visual question answering for remote sensing data](https://ieeexplore.ieee.org/abstract/document/9088993)",
        "[RSVQA: Visual question answering for remote sensing data(https://ieeexplore.ieee.org/abstract/document/9088993)",
    )
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    result = run("build", "--offline", "--list", path, "--out", tmp_path / "exports")
    assert result.exit_code == 0, result.output
    assert "80 paper rows" in result.output
    line = next(i for i, row in enumerate(broken.splitlines(), 1) if "RSVQA: Visual question" in row)
    assert f"awesome-list.md:{line}:" in result.output


def test_progress_bars_only_on_a_terminal_and_never_with_quiet(monkeypatch):
    import io

    from rich.console import Console

    from rsvlm_graph import terminal

    piped = io.StringIO()
    monkeypatch.setattr(terminal, "err", Console(file=piped, force_terminal=False))
    with terminal.progress(quiet=False) as (progress, waiting):
        assert progress is not None and waiting is not None  # piped or in CI: progress lines
        progress("resolve", 3, 81)
        waiting(42.0, "for the shared pool")
        waiting(0.0, "for the shared pool")
        waiting(1.0, "between requests")  # the pace of a key: not worth a line
    assert piped.getvalue() == "resolve: 3/81\nresolve: waiting 42 s for the shared pool\n"
    piped_quiet = io.StringIO()
    monkeypatch.setattr(terminal, "err", Console(file=piped_quiet, force_terminal=False))
    with terminal.progress(quiet=True) as (progress, waiting):
        assert progress is None and waiting is None
    assert piped_quiet.getvalue() == ""
    tty = io.StringIO()
    monkeypatch.setattr(terminal, "err", Console(file=tty, force_terminal=True))
    with terminal.progress(quiet=True) as (progress, waiting):
        assert progress is None and waiting is None
    assert tty.getvalue() == ""
    with terminal.progress(quiet=False) as (progress, waiting):
        assert progress is not None and waiting is not None
        progress("resolve", 3, 81)
        waiting(42.0, "for the shared pool")
    assert "resolve" in tty.getvalue() and "3/81" in tty.getvalue()
    assert "waiting 42 s for the shared pool" in tty.getvalue()


def snapshot_without_dates(kg: Path) -> list[str]:
    """The snapshot's lines with each record's fetch time blanked: two runs differ only there."""
    text = (kg / "snapshot.jsonl").read_text(encoding="utf-8")
    return re.sub(r'"fetched_at": ?"[^"]*"', '"fetched_at": "…"', text).splitlines()


def test_faults_during_enrich_lose_nothing(kg, online, env, tmp_path, monkeypatch, paged):
    assert run("enrich", "--list", kg / "awesome-list.md", "--quiet").exit_code == 0
    clean = snapshot_without_dates(kg)

    faulty_kg = tmp_path / "faulty" / "kg"
    faulty_kg.mkdir(parents=True)
    for name in ("awesome-list.md", "curation.toml"):
        shutil.copy(kg / name, faulty_kg / name)
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "faulty" / "cache"))
    online.faults.rate_limit("batch", times=2, retry_after="0")
    online.faults.malformed("match", times=1)
    online.faults.fail("citations", 502, times=1)
    online.faults.fail("references", 503, times=1)
    online.faults.fail("arxiv", 503, times=1)
    result = run("enrich", "--list", faulty_kg / "awesome-list.md", "--quiet")
    assert result.exit_code == 0, result.output
    assert "failed in" not in result.output
    assert snapshot_without_dates(faulty_kg) == clean


def test_a_paper_that_keeps_failing_is_reported_and_fetched_next_run(kg, online, env, monkeypatch,
                                                                    paged):
    monkeypatch.setenv("RSVLM_RETRIES", "0")
    online.faults.fail("citations", 500, times=1)  # the first paper's citations, no retry left
    result = run("enrich", "--list", kg / "awesome-list.md", "--quiet")
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "Semantic Scholar citations (1): " in result.output
    first = snapshot_without_dates(kg)
    assert any('"type": "failure"' in line and "citations" in line for line in first)

    result = run("enrich", "--list", kg / "awesome-list.md", "--quiet")
    assert result.exit_code == 0, result.output
    assert "citations 1" in result.output  # only the missing list is asked for again
    assert "failed in" not in result.output
    assert not any('"type": "failure"' in line for line in snapshot_without_dates(kg))


def test_no_history_is_recorded_when_semantic_scholar_only_rate_limits(kg, online, env, monkeypatch):
    monkeypatch.setenv("RSVLM_RETRIES", "0")
    monkeypatch.setenv("RSVLM_RATE_LIMIT_PATIENCE", "0")  # a 429 not cleared at once is given up
    online.faults.rate_limit("*", times=1000, retry_after="0")
    result = run("enrich", "--list", kg / "awesome-list.md", "--quiet")
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "citation history: nothing recorded" in result.output
    assert not list((kg / "history").glob("*.jsonl"))


YEAR_FIRST_LIST = """# SYNTHETIC list in another column layout
## Scene Classification
| Year | Venue | Title | Code |
|------|-------|-------|------|
| 2023 | CVPR | [APPLeNet: Visual Attention Parameterized Prompt Learning for Few-Shot Remote Sensing Image Generalization using CLIP](https://arxiv.org/abs/2304.05995) | [code](https://github.com/mainaksingha01/APPLeNet) |
| 2017 | TGRS | [Zero-shot scene classification for high spatial resolution remote sensing images](https://ieeexplore.ieee.org/abstract/document/7902107) | - |
| 2021 | TGRS | [Learning deep crossmodal embedding networks for zero-shot remote sensing image scene classification](https://ieeexplore.ieee.org/abstract/document/9321719) | - |
"""


def test_discovered_rows_fit_the_columns_of_another_layout(env, fake_api, tmp_path, monkeypatch):
    path = tmp_path / "kg" / "list.md"
    path.parent.mkdir()
    path.write_text(YEAR_FIRST_LIST, encoding="utf-8")
    fake_api.corpus = corpus_for_list(read_list(path))
    for name, value in (("S2_API_KEY", FAKE_API_KEY), ("RSVLM_S2_API_URL", fake_api.s2_url),
                        ("RSVLM_ARXIV_API_URL", fake_api.arxiv_url), ("RSVLM_S2_RATE", "1000"),
                        ("RSVLM_ARXIV_INTERVAL", "0")):
        monkeypatch.setenv(name, value)
    assert run("enrich", "--list", path, "--quiet").exit_code == 0
    found = json.loads(run("discover", "--list", path, "--format", "json", "--top", "3").stdout)
    assert found
    header = "\n".join(YEAR_FIRST_LIST.splitlines()[1:4])
    for candidate in found:
        (entry,) = parse_list(header + "\n" + candidate["markdown_row"] + "\n").papers
        assert (entry.title, entry.year) == (candidate["title"], candidate["year"])
        assert candidate["markdown_row"].startswith(f"| {candidate['year']} |")


def test_help_imports_none_of_the_heavy_libraries():
    # `rsvlm-graph --help` must answer at once (issue 17: ≤ 0.3 s): the commands import these
    # when they run. A fresh interpreter, since this test process has imported them all.
    heavy = ("networkx", "rdflib", "pyshacl", "pyoxigraph", "matplotlib", "pyvis", "scipy", "numpy",
             "httpx", "ftfy", "rapidfuzz", "markdown_it", "semanticscholar", "arxiv", "rich.progress")
    code = ("import sys; sys.argv = ['rsvlm-graph', '--help']\nfrom rsvlm_graph.cli import app\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            f"print(sorted(set(sys.modules) & set({heavy!r})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage" in done.stdout and "build" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_default_build_validates_the_list_level_and_validate_everything(kg, online, env, tmp_path, monkeypatch):
    from rsvlm_graph.exports import shacl

    checked: list[int] = []  # triples handed to SHACL, per build
    real_to_rdf = shacl.statements_to_rdf
    monkeypatch.setattr(shacl, "statements_to_rdf", lambda st: (checked.append(len(real_to_rdf(st))), real_to_rdf(st))[1])
    assert run("enrich", "--list", kg / "awesome-list.md", "--quiet").exit_code == 0
    monkeypatch.delenv("RSVLM_VALIDATE")  # conftest sets it for every other test
    result = run("build", "--offline", "--list", kg / "awesome-list.md", "--out", tmp_path / "a")
    assert result.exit_code == 0, result.output
    assert run("build", "--offline", "--validate", "--list", kg / "awesome-list.md", "--out", tmp_path / "b").exit_code == 0
    monkeypatch.setenv("RSVLM_VALIDATE", "1")
    assert run("build", "--offline", "--list", kg / "awesome-list.md", "--out", tmp_path / "c").exit_code == 0
    list_level, everything, by_setting = checked
    total = len(rdflib_graph(tmp_path / "b" / "graph.ttl"))
    assert list_level < everything == by_setting == total  # the citers of the list are left out


def rdflib_graph(path: Path):
    import rdflib

    return rdflib.Graph().parse(path, format="turtle")


def test_build_logs_each_step_with_its_time_and_peak_memory(kg, env, tmp_path, caplog):
    # bench/bench_build.py reads these records instead of timing the pipeline from outside
    with caplog.at_level(logging.DEBUG, logger="rsvlm_graph.steps"):
        assert run("build", "--offline", "--list", kg / "awesome-list.md", "--out", tmp_path / "out").exit_code == 0
    steps = [r for r in caplog.records if r.name == "rsvlm_graph.steps"]
    names = [r.step for r in steps]  # type: ignore[attr-defined]
    assert names[:3] == ["read list", "read snapshot", "enrich"]
    assert {"graph", "rdf statements", "validate", "turtle", "json-ld", "graphml", "csv", "html",
            "list history", "report", "annotated list"} <= set(names)
    assert all(r.seconds >= 0 and r.peak_mib > 0 for r in steps)  # type: ignore[attr-defined]


def test_the_cost_estimate_is_said_only_once_the_api_has_answered(kg, env, tmp_path, monkeypatch):
    # issue 28: a first build without network promised "≈ 10 min" of requests it never sent
    monkeypatch.setenv("RSVLM_S2_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("RSVLM_ARXIV_API_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("RSVLM_S2_POOL_SECONDS", "300")
    result = run("build", "--quiet", "--list", kg / "awesome-list.md", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "network unavailable" in result.output
    assert "Semantic Scholar without an API key" not in result.stderr
    assert "request" not in result.stderr.split("incomplete:")[0]


def test_the_cost_estimate_follows_the_first_answer(kg, online, env, tmp_path):
    result = run("enrich", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    # a batch by id, a bulk title search per 25 rows without one, one nested batch, the
    # recommendations (the title matches bulk search leaves are not foreseen)
    announced = result.stderr.index("Semantic Scholar: about 5 requests")
    assert result.stderr.index("resolve: ") < announced  # the progress of the first request first
