"""A snapshot of the first format (users have them): read, its dates guessed in one place, and
written again in the current format. Every record here is SYNTHETIC."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import test_cli
from fakeapi.corpus import corpus_for_list
from test_cli import read_exports, run
from test_store import A, B, C, synthetic_paper

from rsvlm_graph.codec import RECOMMENDATIONS_KEY
from rsvlm_graph.listfile.parse import read_list
from rsvlm_graph.models import Citation, EdgeList, Failure, Recommendations, Resolution
from rsvlm_graph.snapshot import EPOCH, check_snapshot, read_snapshot

FIXTURE = Path(__file__).parent / "data" / "snapshot-v1"
PAPER_DAY, LATER = "2024-06-01T12:00:00Z", "2024-06-03T08:00:00Z"

env = test_cli.env


def v1_line(kind: str, key: str, record: object) -> str:
    """A line as the first format wrote it: the record's fields after "type" and "key"."""
    fields = json.loads(json.dumps(record, default=lambda o: {
        k: getattr(o, k) for k in o.__dataclass_fields__}))
    return json.dumps({"type": kind, "key": key, **dict(sorted(fields.items()))})


@pytest.fixture
def v1(tmp_path):
    """A first-format snapshot: list paper A (cited by C, citing B's unknown paper), its
    citation list failed last time; list paper B never got a record; recommendations."""
    lines = [
        v1_line("resolution", "paper:arxiv:2301.00001",
                Resolution("paper:arxiv:2301.00001", A, "batch-arxiv", 100.0)),
        v1_line("resolution", "paper:title:b", Resolution("paper:title:b", B, "title-match", 95.0)),
        v1_line("resolution", "paper:title:gone", Resolution("paper:title:gone", None, None)),
        v1_line("paper", A, synthetic_paper(A, fetched_at=PAPER_DAY, citation_count=5)),
        v1_line("paper", C, synthetic_paper(C, "SYNTHETIC outside", fetched_at=LATER)),
        v1_line("citation", f"{C}>{A}", Citation(C, A, True)),
        v1_line("citation", f"{A}>{C}", Citation(A, C)),
        v1_line("failure", f"{A}|citations", Failure(A, "citations", "HTTP 503")),
        v1_line("failure", f"{B}|references", Failure(B, "references", "HTTP 503")),
        v1_line("recommendation", "0001", {"s2_paper_id": A}),
        v1_line("recommendation", "0000", {"s2_paper_id": C}),
        v1_line("truncated", A, {"s2_paper_id": A}),
    ]
    path = tmp_path / "snapshot.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_first_format_snapshot_is_read_with_the_dates_its_writer_implied(v1):
    checked = check_snapshot(v1)
    rows = checked.rows.rows
    assert checked.format == 1 and checked.unread == ()
    # a resolution is dated like its paper record, one without a paper like the newest record
    assert rows["resolution", "paper:arxiv:2301.00001"].fetched_at == PAPER_DAY
    assert rows["resolution", "paper:title:gone"].fetched_at == LATER
    # the list paper's record, the others as linked papers
    assert rows["paper", A].fetched_at == PAPER_DAY and ("linked", C) in rows
    # its reference list was fetched with it, at its count; the citation list that failed
    # goes in undated and without a count, so it is fetched whole, beside its failure
    assert rows["references", A].record == EdgeList(2) and rows["references", A].fetched_at == PAPER_DAY
    assert rows["citations", A].record == EdgeList(None, True)
    assert rows["citations", A].fetched_at == EPOCH
    # a second after the newest record, so that no record of the file settles it
    assert rows["failure", f"{A}|citations"].fetched_at == "2024-06-03T08:00:01Z"
    # a paper without a record: its lists are fetched, not taken as empty
    assert ("citations", B) not in rows and ("references", B) not in rows
    assert [e.citation for e in checked.rows.edges["citations", A]] == [Citation(C, A, True)]
    assert rows["recommendations", RECOMMENDATIONS_KEY].record == Recommendations(
        (A, B), None, (C, A))
    assert rows["recommendations", RECOMMENDATIONS_KEY].fetched_at == PAPER_DAY


def test_a_first_format_line_not_read_is_fetched_again_as_in_the_current_format(v1, caplog):
    lines = v1.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if f'"key": "{C}>{A}"' in line)
    lines[number - 1] = lines[number - 1][:lines[number - 1].index("cited")]  # cut short
    v1.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        checked = check_snapshot(v1)
    assert f"snapshot.jsonl:{number}: not JSON" in caplog.text
    assert {r.key for r in checked.refetch} == {f"{A}|citations"}


def test_the_first_format_is_rewritten_in_the_current_one_and_a_new_runner_asks_nothing(
        env, fake_api, tmp_path, monkeypatch):
    kg = tmp_path / "kg"
    shutil.copytree(FIXTURE, kg)
    fake_api.corpus = corpus_for_list(read_list(kg / "awesome-list.md"))
    for name, value in {"S2_API_KEY": "SYNTHETIC", "RSVLM_S2_API_URL": fake_api.s2_url,
                        "RSVLM_ARXIV_API_URL": fake_api.arxiv_url, "RSVLM_S2_RATE": "1000",
                        "RSVLM_ARXIV_INTERVAL": "0", "RSVLM_NOW": "2026-11-28T08:00:00Z"}.items():
        monkeypatch.setenv(name, value)
    before = read_snapshot(kg / "snapshot.jsonl")
    result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md",
                 "--out", tmp_path / "from-v1")
    assert result.exit_code == 0, result.output
    result = run("enrich", "--offline", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    text = (kg / "snapshot.jsonl").read_text(encoding="utf-8")
    assert text.startswith('{"type": "snapshot", "key": "format", "version": 2}\n')
    after = read_snapshot(kg / "snapshot.jsonl")
    assert (set(after.papers), set(after.citations), after.recommendations) == (
        set(before.papers), set(before.citations), before.recommendations)
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "another-runner"))
    result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md",
                 "--out", tmp_path / "from-v2")
    assert result.exit_code == 0, result.output
    assert read_exports(tmp_path / "from-v2") == read_exports(tmp_path / "from-v1")
    # the first format's records are fresh the next day: a new runner asks for nothing
    shutil.copy(FIXTURE / "snapshot.jsonl", kg / "snapshot.jsonl")
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "new-runner"))
    result = run("enrich", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    assert fake_api.counts == {}
