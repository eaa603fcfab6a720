"""Exit codes a workflow can trust (issue 10, item 8): ``enrich`` (and ``build`` that fetches)
exits 3 when anything could not be fetched, after writing all it got; 0 when every request was
answered, an unknown paper included; 0 offline. Through the real CLI against the fake API
(SYNTHETIC corpus), and the refresh workflow read as YAML."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import test_cli
import yaml
from test_cli import EXPORTS, run

from rsvlm_graph.cli import EXIT_PARTIAL
from rsvlm_graph.snapshot import read_snapshot

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "refresh.yml"
ACTION = ROOT / "action.yml"  # the weekly workflow's steps are the action's
RETRY = "retry: run `rsvlm-graph enrich` again"

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online, paged = test_cli.env, test_cli.kg, test_cli.online, test_cli.paged


def enrich(kg_dir: Path):
    return run("enrich", "--quiet", "--list", kg_dir / "awesome-list.md")


def copy_of(kg_dir: Path, where: Path) -> Path:
    """A second kg/ with the same list and curation, and nothing fetched yet."""
    where.mkdir(parents=True)
    for name in ("awesome-list.md", "curation.toml"):
        shutil.copy(kg_dir / name, where / name)
    return where


def cited(citations, s2_id: str) -> set[tuple[str, str]]:
    return {(c.citing, c.cited) for c in citations if c.cited == s2_id}


def test_a_complete_run_exits_0_and_says_nothing_is_missing(kg, online, env):
    result = enrich(kg)
    assert result.exit_code == 0, result.output
    assert "incomplete" not in result.output and "retry:" not in result.output


def test_an_unreachable_api_exits_3_after_writing_the_snapshot_with_every_earlier_record(
        kg, online, env, monkeypatch):
    assert enrich(kg).exit_code == 0
    before = read_snapshot(kg / "snapshot.jsonl")
    (kg / "snapshot.jsonl").unlink()  # proof that the failed run writes it again
    monkeypatch.setenv("RSVLM_FRESHNESS_DAYS", "0")  # everything is stale: asked again
    # the server goes away (its URLs stay: the store is the one of these APIs), both sources
    # are unreachable at once
    online.stop()
    result = enrich(kg)
    assert result.exit_code == EXIT_PARTIAL, result.output
    after = read_snapshot(kg / "snapshot.jsonl")
    assert {p.s2_paper_id for p in after.papers} == {p.s2_paper_id for p in before.papers}
    assert set(after.citations) == set(before.citations)
    assert set(after.arxiv) == set(before.arxiv)
    assert re.search(r"^incomplete: \d+ records could not be fetched", result.stderr, re.M)
    assert re.search(r"^  Semantic Scholar metadata \(81\): network unavailable: Semantic "
                     r"Scholar cannot be reached", result.stderr, re.M), result.stderr
    assert re.search(r"^  arXiv records \(\d+\): network unavailable: arXiv cannot be reached",
                     result.stderr, re.M), result.stderr
    assert RETRY in result.stderr


def test_one_papers_citations_failing_with_500s_exit_3_with_everything_else_written(
        kg, online, env, tmp_path, monkeypatch, paged):
    clean_kg = copy_of(kg, tmp_path / "clean" / "kg")
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "clean" / "cache"))
    assert enrich(clean_kg).exit_code == 0
    clean = read_snapshot(clean_kg / "snapshot.jsonl")

    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "faulty-cache"))
    monkeypatch.setenv("RSVLM_RETRIES", "0")  # one 500 spends the paper's tries, without waits
    asked_before = len(online.requests_to("citations"))
    online.faults.fail("citations", 500, times=1)
    result = enrich(kg)
    assert result.exit_code == EXIT_PARTIAL, result.output
    failed = online.requests_to("citations")[asked_before].path.split("/")[-2]
    missing = re.search(r"^  Semantic Scholar citations \(1\): .*HTTP 500.*\n    (\S+)$",
                        result.stderr, re.M)
    assert missing and missing.group(1) == failed, result.stderr
    assert RETRY in result.stderr

    partial = read_snapshot(kg / "snapshot.jsonl")
    assert [(f.subject, f.phase, f.answered) for f in partial.failures] == [
        (failed, "citations", False)]
    assert cited(clean.citations, failed) and not cited(partial.citations, failed) - cited(
        clean.citations, failed)
    others = {r.s2_paper_id for r in clean.resolutions if r.s2_paper_id} - {failed}
    for s2_id in others:
        assert cited(partial.citations, s2_id) == cited(clean.citations, s2_id), s2_id
    assert {p.s2_paper_id for p in partial.papers} <= {p.s2_paper_id for p in clean.papers}
    assert {a.arxiv_id for a in partial.arxiv} == {a.arxiv_id for a in clean.arxiv}
    assert partial.recommendations == clean.recommendations
    assert len(list((kg / "history").glob("*.jsonl"))) == 1  # the history of what came

    # the retry the message gives asks for the missing list only, and completes the run
    result = enrich(kg)
    assert result.exit_code == 0, result.output
    assert cited(read_snapshot(kg / "snapshot.jsonl").citations, failed) == cited(
        clean.citations, failed)


def test_a_paper_semantic_scholar_does_not_know_is_an_answer_not_a_failure(kg, online, env, paged):
    online.faults.fail("citations", 404, times=1)
    result = enrich(kg)
    assert result.exit_code == 0, result.output
    assert re.search(r"^not found in citations \(1\): .*HTTP 404", result.output, re.M)
    assert "incomplete" not in result.output


def test_offline_asks_for_nothing_so_it_exits_0_listing_what_is_not_on_file(kg, online, env):
    result = run("enrich", "--offline", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    assert not online.requests
    assert "failed in resolve (81): offline: not fetched" in result.output
    assert "incomplete" not in result.output


def test_a_build_that_fetched_in_part_writes_every_export_says_what_is_missing_and_exits_0(
        kg, online, env, tmp_path, monkeypatch, paged):
    monkeypatch.setenv("RSVLM_RETRIES", "0")
    online.faults.fail("references", 503, times=1)
    out = tmp_path / "exports"
    result = run("build", "--quiet", "--list", kg / "awesome-list.md", "--out", out)
    assert result.exit_code == 0, result.output  # build keeps working as offline
    assert "could not be fetched (the exports are built from what is on file)" in result.stderr
    assert re.search(r"^  Semantic Scholar references \(1\): .*HTTP 503", result.stderr, re.M)
    assert "retry: run `rsvlm-graph build` again" in result.stderr
    for name in EXPORTS:
        assert (out / name).stat().st_size > 0, name
    assert (kg / "snapshot.jsonl").exists()
    offline = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md",
                  "--out", tmp_path / "offline")
    assert offline.exit_code == 0, offline.output


@pytest.mark.parametrize(("command", "partial"), [("enrich", "; 3 "), ("build", "it exits 3 then")])
def test_help_documents_the_exit_codes(command, partial):
    text = " ".join(run(command, "--help").output.split())
    assert "Exit codes: 0" in text and partial in text and "1 an error in the input" in text


# --------------------------------------------------------------------------- the workflow


def refresh_steps() -> list[dict]:
    """The steps of the weekly refresh: the workflow's job runs the repository's own action."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert [s.get("uses") for s in workflow["jobs"]["refresh"]["steps"]][-1] == "./"
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))["runs"]["steps"]


def step_index(steps: list[dict], predicate) -> int:
    (index,) = [i for i, s in enumerate(steps) if predicate(s)]
    return index


def test_the_refresh_opens_no_pull_request_after_a_failed_enrich():
    steps = refresh_steps()
    enrich_at = step_index(steps, lambda s: "rsvlm-graph enrich" in s.get("run", ""))
    pr_at = step_index(steps, lambda s: s.get("uses", "").startswith(
        "peter-evans/create-pull-request"))
    step = steps[enrich_at]
    assert step.get("id") == "enrich" and enrich_at < pr_at
    # its exit status is the step's: no `|| true`, no continue-on-error, and a pipe keeps it
    assert not step.get("continue-on-error")
    assert "||" not in step["run"]
    if "|" in step["run"]:
        assert step.get("shell") == "bash" or "set -o pipefail" in step["run"], step
    # the pull request (and everything it is made of) runs only after a successful enrich:
    # success() is implied by a condition without a status function, and the outcome check
    # still holds if someone makes the enrich step continue on error
    condition = steps[pr_at].get("if", "")
    assert "steps.enrich.outcome == 'success'" in condition and " || " not in condition
    for later in steps[enrich_at + 1:pr_at + 1]:
        condition = str(later.get("if", ""))
        if "always()" in condition or "failure()" in condition:
            assert not later.get("uses", "").startswith("peter-evans/"), later
            assert "git push" not in later.get("run", ""), later


def test_the_refresh_keeps_what_a_failed_enrich_fetched():
    steps = refresh_steps()
    assert not [s for s in steps if s.get("uses", "").split("@")[0] == "actions/cache"]
    restore_at = step_index(steps, lambda s: s.get("uses", "").startswith("actions/cache/restore@"))
    save_at = step_index(steps, lambda s: s.get("uses", "").startswith("actions/cache/save@"))
    enrich_at = step_index(steps, lambda s: s.get("id") == "enrich")
    restore, save = steps[restore_at], steps[save_at]
    assert restore_at < enrich_at < save_at
    assert save.get("if") == "always() && inputs.refresh == 'true'"
    assert save["with"]["path"] == restore["with"]["path"]
    assert save["with"]["key"] == restore["with"]["key"]
    upload_at = step_index(steps, lambda s: s.get("uses", "").startswith("actions/upload-artifact@"))
    upload = steps[upload_at]
    assert enrich_at < upload_at and "failure()" in upload.get("if", "")
    assert "${{ steps.paths.outputs.data }}/snapshot.jsonl" in upload["with"]["path"]


def test_one_cause_met_by_many_papers_is_one_line_with_their_count(kg, online, env, paged):
    online.faults.fail("citations", 400, times=10_000)  # every paper's citations refused alike
    result = run("enrich", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == EXIT_PARTIAL, result.output
    groups = re.findall(r"^  Semantic Scholar citations \((\d+)\): (.*)$", result.stderr, re.M)
    assert len(groups) == 1, groups
    (count, reason), = groups
    assert int(count) > 1 and "HTTP 400" in reason


def test_one_answer_given_for_many_papers_is_one_line_of_the_summary_with_their_count(
        kg, online, env, paged):
    online.faults.fail("citations", 404, times=10_000)  # no paper's citations are known
    result = enrich(kg)
    assert result.exit_code == 0, result.output
    groups = re.findall(r"^not found in citations \((\d+)\): (.*)$", result.output, re.M)
    assert len(groups) == 1, groups
    (count, reason), = groups
    assert int(count) > 1 and "HTTP 404" in reason
