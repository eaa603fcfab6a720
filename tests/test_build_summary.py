"""What ``build`` and ``enrich`` say is missing, through the real CLI against the fake API
(SYNTHETIC corpus): per phase, in distinct list papers, with reasons that say which side failed
and name no machine's address; an offline run claims no request and no finished phase."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import test_cli
from test_cli import ROOT, run

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online, paged = test_cli.env, test_cli.kg, test_cli.online, test_cli.paged

CLOSED = "http://127.0.0.1:9"  # nothing listens on port 9 of loopback


def build_offline(kg_dir: Path, out: Path, *options: str):
    return run("build", "--offline", *options, "--list", kg_dir / "awesome-list.md", "--out", out)


def gaps(output: str) -> dict[str, str]:
    """The summary's ``N × phase: reason`` lines, phase → "N × reason"."""
    return {m["phase"]: f"{m['n']} × {m['reason']}"
            for m in re.finditer(r"^ +(?P<n>\d+) × (?P<phase>\w+): (?P<reason>.*)$", output, re.M)}


def test_an_offline_build_names_every_phase_a_partial_enrich_left_out(kg, online, env, tmp_path, paged,
                                                                       monkeypatch):
    monkeypatch.setenv("RSVLM_RETRIES", "0")  # one 500 spends a paper's tries, without waits
    online.faults.fail("citations", 500, times=3)
    assert run("enrich", "--quiet", "--list", kg / "awesome-list.md").exit_code == 3
    result = build_offline(kg, tmp_path / "exports", "--quiet")
    assert result.exit_code == 0, result.output
    # the three lists that failed are not on file: the exports lack them, and the build says so,
    # with what the run that asked was told (kg/snapshot.jsonl keeps it)
    assert "not enriched: 3 of 81 list papers" in result.output, result.output
    assert list(gaps(result.output)) == ["citations"], result.output
    assert re.fullmatch(r"3 × Semantic Scholar GET /graph/v1/paper/…/citations: HTTP 500 .*",
                        gaps(result.output)["citations"]), result.output


def test_an_offline_build_says_offline_where_no_run_recorded_why(
        kg, online, env, tmp_path, monkeypatch, paged):
    monkeypatch.setenv("RSVLM_RETRIES", "0")
    online.faults.fail("citations", 500, times=3)
    assert run("enrich", "--quiet", "--list", kg / "awesome-list.md").exit_code == 3
    snapshot = (kg / "snapshot.jsonl").read_text(encoding="utf-8")
    (kg / "snapshot.jsonl").unlink()  # the store alone: it kept what the run was told
    result = build_offline(kg, tmp_path / "exports", "--quiet")
    assert "not enriched: 3 of 81 list papers" in result.output, result.output
    assert "HTTP 500" in gaps(result.output)["citations"]
    # a snapshot without the run's word (failure lines), on a machine that was not there
    told = [line for line in snapshot.splitlines() if '"type": "failure"' not in line]
    (kg / "snapshot.jsonl").write_text("\n".join(told) + "\n", encoding="utf-8")
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "another-machine"))
    result = build_offline(kg, tmp_path / "exports", "--quiet")
    assert "not enriched: 3 of 81 list papers" in result.output, result.output
    assert gaps(result.output) == {"citations": "3 × offline: not fetched"}


def test_an_offline_build_lists_recommendations_it_does_not_hold(kg, online, env, tmp_path):
    online.faults.fail("recommendations", 404, times=1)  # S2's answer: none for this list
    assert run("enrich", "--quiet", "--list", kg / "awesome-list.md").exit_code == 0
    result = build_offline(kg, tmp_path / "exports", "--quiet")
    assert "not enriched: 0 of 81 list papers" in result.output, result.output
    assert re.search(r"^ +recommendations \(of the list\): .*HTTP 404", result.output,
                     re.M), result.output


def test_a_paper_listed_twice_is_counted_once_on_both_sides(kg, env, tmp_path):
    text = (kg / "awesome-list.md").read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(i for i, line in enumerate(text) if "arxiv.org/abs/2307.15266" in line)
    (kg / "awesome-list.md").write_text("".join(text[:row + 1] + [text[row]] + text[row + 1:]),
                                        encoding="utf-8")
    result = build_offline(kg, tmp_path / "exports")
    assert "82 paper rows" in result.output and "paper 81," in result.output, result.output
    assert "not enriched: 81 of 81 list papers" in result.output, result.output
    assert gaps(result.output)["resolve"] == "81 × offline: not fetched"


def test_an_offline_build_claims_no_request_and_no_finished_phase(kg, env, tmp_path):
    result = build_offline(kg, tmp_path / "exports")  # not quiet: progress would show
    assert result.exit_code == 0, result.output
    assert "requests: none (--offline)" in result.output
    assert not re.search(r"^\w+: \d+/\d+", result.stderr, re.M), result.stderr


def test_a_build_that_reached_no_server_says_it_sent_nothing(kg, env, tmp_path, monkeypatch):
    monkeypatch.setenv("RSVLM_S2_API_URL", CLOSED)
    monkeypatch.setenv("RSVLM_ARXIV_API_URL", f"{CLOSED}/api/query")
    result = run("build", "--quiet", "--list", kg / "awesome-list.md", "--out", tmp_path / "exports")
    assert result.exit_code == 0, result.output
    assert "requests (failed ones included): none (no server could be reached)" in result.output
    found = gaps(result.output)
    assert found["resolve"].startswith("81 × network unavailable: Semantic Scholar cannot be reached")
    assert found["arxiv"].startswith("23 × network unavailable: arXiv cannot be reached")
    # the committed snapshot names the cause, not this machine's address
    snapshot = (kg / "snapshot.jsonl").read_text(encoding="utf-8") if (
        kg / "snapshot.jsonl").exists() else ""
    assert "127.0.0.1" not in snapshot


def test_an_outage_of_5xx_is_the_service_failing_and_the_snapshot_names_no_address(
        kg, online, env, monkeypatch):
    monkeypatch.setenv("RSVLM_RETRIES", "0")
    online.faults.fail("batch", 503, times=10_000)
    online.faults.fail("match", 503, times=10_000)
    result = run("enrich", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == 3, result.output
    assert "service unavailable: Semantic Scholar: 5 calls in a row failed" in result.stderr
    assert "network unavailable" not in result.stderr, result.stderr
    snapshot = (kg / "snapshot.jsonl").read_text(encoding="utf-8")
    assert "service unavailable: Semantic Scholar: 5 calls in a row failed" in snapshot
    assert "network unavailable" not in snapshot and "127.0.0.1" not in snapshot


def test_an_unreachable_host_is_in_the_snapshot_without_its_address(kg, env, monkeypatch):
    monkeypatch.setenv("RSVLM_S2_API_URL", CLOSED)
    monkeypatch.setenv("RSVLM_ARXIV_API_URL", f"{CLOSED}/api/query")
    assert run("enrich", "--quiet", "--list", kg / "awesome-list.md").exit_code == 3
    snapshot = (kg / "snapshot.jsonl").read_text(encoding="utf-8")
    assert "network unavailable: Semantic Scholar cannot be reached" in snapshot
    assert "127.0.0.1" not in snapshot


def test_the_readme_quotes_what_its_offline_build_prints(kg, env, tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What is in this repository now"):]
    block = re.search(r"```\n\$ (rsvlm-graph [^\n]*)\n(.*?)```", section, re.S)
    assert block, "the README quotes no command with its output"
    command, quoted = block.group(1).split()[1:], block.group(2)
    shutil.copy(ROOT / "kg" / "awesome-list.md", kg / "awesome-list.md")  # the README's list
    monkeypatch.chdir(kg.parent)
    result = run(*command, "--out", tmp_path / "exports")
    assert result.exit_code == 0, result.output
    summary = result.output[result.output.index("not enriched"):result.output.index("html view")]
    assert summary == quoted
