"""A refresh only ever adds: failed refreshes, fresh clones, other lists and papers that left the
list, end to end through the CLI against the fake API (SYNTHETIC corpus); and the snapshot
module's pieces (seed, carry over, compare). Every record here is SYNTHETIC."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
import test_cli
from synthetic_records import STAMP, selection_of, write_enrichment
from test_cli import read_exports, run
from test_store import A, synthetic_enrichment, synthetic_paper

from rsvlm_graph.cli import EXIT_PARTIAL
from rsvlm_graph.models import Enrichment
from rsvlm_graph.records import Rows, Selection
from rsvlm_graph.snapshot import check_snapshot, compare, read_snapshot

UNREACHABLE = "http://127.0.0.1:1"

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online = test_cli.env, test_cli.kg, test_cli.online


def snapshot_of(kg_dir: Path) -> Enrichment:
    return read_snapshot(kg_dir / "snapshot.jsonl")


def fresh_clone(kg_dir: Path, where: Path) -> Path:
    """A copy of ``kg/`` (list, curation, snapshot, history) as a fresh clone has it: no store.

    Always at ``where/kg``, replacing an earlier clone there: the exports name the list's path.
    """
    clone = where / "kg"
    shutil.rmtree(clone, ignore_errors=True)
    shutil.copytree(kg_dir, clone, ignore=shutil.ignore_patterns(".rsvlm-graph.lock"))
    return clone


def offline_build(kg_dir: Path, tmp_path: Path, name: str, monkeypatch) -> dict[str, bytes]:
    """``build --offline`` of ``kg_dir`` with an empty store of its own, as on a new machine."""
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / f"cache-{name}"))
    out = tmp_path / f"exports-{name}"
    result = run("build", "--offline", "--quiet", "--list", kg_dir / "awesome-list.md", "--out", out)
    assert result.exit_code == 0, result.output
    return read_exports(out)


def api_down(monkeypatch) -> None:
    monkeypatch.setenv("RSVLM_FRESHNESS_DAYS", "0")  # every record is stale: all refetched
    monkeypatch.setenv("RSVLM_S2_API_URL", UNREACHABLE)
    monkeypatch.setenv("RSVLM_ARXIV_API_URL", UNREACHABLE)


@pytest.fixture
def good(kg, online, tmp_path, monkeypatch):
    """kg/ after one good enrichment, and the offline build of a fresh clone of it."""
    result = run("enrich", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    before = snapshot_of(kg)
    assert before.citations and before.papers
    exports = offline_build(fresh_clone(kg, tmp_path / "clone"), tmp_path, "before",
                            monkeypatch)
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache"))  # back to the enrich store
    return before, exports


def test_a_failed_refresh_after_a_good_one_keeps_every_citation(kg, good, tmp_path, monkeypatch):
    before, exports_before = good
    api_down(monkeypatch)
    result = run("enrich", "--quiet", "--list", kg / "awesome-list.md")
    assert "network unavailable" in result.output
    after = snapshot_of(kg)
    assert set(after.citations) == set(before.citations)
    assert set(after.papers) == set(before.papers)
    assert after.failures  # the failure is recorded beside the last good records
    assert "loss:" not in result.output

    # a fresh clone's offline build equals the one before the failed refresh
    clone = fresh_clone(kg, tmp_path / "clone")
    assert offline_build(clone, tmp_path, "after", monkeypatch) == exports_before

    # the same failed refresh on a new CI runner (empty store) still loses nothing
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache-new-runner"))
    result = run("enrich", "--quiet", "--list", clone / "awesome-list.md")
    again = snapshot_of(clone)
    assert set(again.citations) == set(before.citations)
    assert set(again.papers) == set(before.papers)
    assert "loss:" not in result.output


def test_a_refresh_meeting_only_429s_on_a_new_runner_keeps_everything(kg, good, online, tmp_path,
                                                                      monkeypatch):
    before, _ = good
    clone = fresh_clone(kg, tmp_path / "runner")
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache-runner"))
    monkeypatch.setenv("RSVLM_FRESHNESS_DAYS", "0")
    monkeypatch.setenv("RSVLM_RETRIES", "0")
    monkeypatch.setenv("RSVLM_RATE_LIMIT_PATIENCE", "0")  # a 429 not cleared at once is given up
    online.faults.rate_limit("*", times=10_000, retry_after="0")
    result = run("enrich", "--quiet", "--list", clone / "awesome-list.md")
    assert result.exit_code == EXIT_PARTIAL, result.output  # nothing refreshed: the run says so
    after = snapshot_of(clone)
    assert set(after.citations) == set(before.citations)
    assert {p.s2_paper_id for p in after.papers} == {p.s2_paper_id for p in before.papers}


def list_papers(kg_dir: Path):
    from rsvlm_graph.listfile.curation import load_curation
    from rsvlm_graph.listfile.parse import read_list

    return read_list(kg_dir / "awesome-list.md", load_curation(kg_dir / "curation.toml")).papers


def test_enriching_a_shorter_list_beside_the_real_one_keeps_the_real_ones_records(kg, good):
    before, _ = good
    lines = (kg / "awesome-list.md").read_text(encoding="utf-8").splitlines(keepends=True)
    third = list_papers(kg)[2].line
    draft = "".join(lines[:third])  # the list up to its third paper row
    (kg / "draft.md").write_text(draft, encoding="utf-8")
    result = run("enrich", "--offline", "--quiet", "--list", kg / "draft.md")
    assert result.exit_code == 0, result.output
    after = snapshot_of(kg)
    assert set(after.resolutions) == set(before.resolutions)
    assert set(after.citations) == set(before.citations)
    assert "kept: the records of" in result.output
    assert "loss:" not in result.output


def test_a_paper_that_left_the_list_is_removed_and_said_with_the_loss(kg, good):
    before, _ = good
    text = (kg / "awesome-list.md").read_text(encoding="utf-8")
    resolved = {r.entry_key: r.s2_paper_id for r in before.resolutions if r.s2_paper_id}
    cited = {c.cited for c in before.citations} | {c.citing for c in before.citations}
    lines = text.splitlines(keepends=True)
    # drop the first arXiv paper row whose paper has citations in the snapshot
    for entry in list_papers(kg):
        key = f"paper:arxiv:{entry.ids.arxiv_id}"
        if entry.ids.arxiv_id and resolved.get(key) in cited:
            del lines[entry.line - 1]
            break
    else:
        pytest.fail("no arXiv row with citations in the SYNTHETIC corpus")
    (kg / "awesome-list.md").write_text("".join(lines), encoding="utf-8")
    result = run("enrich", "--offline", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    after = snapshot_of(kg)
    assert key not in {r.entry_key for r in after.resolutions}
    removed, kept = resolved[key], set(after.citations)
    # its citations go, but for those another list paper's list holds (it cites them, or they it)
    with_it = sum(removed in (c.citing, c.cited) and c not in kept for c in before.citations)
    lost_papers = len(before.papers) - len(after.papers)
    lost_citations = len(before.citations) - len(after.citations)
    assert with_it > 0 and lost_citations == with_it
    assert f"removed 1 papers that left the list, with {with_it:,}" in result.output
    assert f"loss: {lost_papers:,} papers and {lost_citations:,} citations" in result.output


# ---------------------------------------------------------------------------- the pieces


def test_compare_counts_what_went_and_why():
    previous = selection_of(synthetic_enrichment())
    before = Rows.of(previous.rows, previous.edges)
    gone = "paper:arxiv:2301.00001"
    new = Selection(tuple(r for r in previous.rows if r.key not in (gone, A)), ())
    change = compare(before, new)
    assert change.left_the_list == (gone,)
    assert (change.lost_papers, change.lost_citations) == (1, 2)
    assert change.citations_of_removed == 2 and change.citations_dropped_by_api == 0
    same = compare(before, previous)
    assert not same.is_loss and same.left_the_list == ()


# ---------------------------------------------------------------------------- wrong types


WRONG_FIELDS = [
    ("paper", "venue", 42),
    ("paper", "year", "2023"),
    ("paper", "citation_count", "12"),
    ("paper", "citation_count", -3),
    ("paper", "authors", "Ada Synthia"),
    ("paper", "embedding", ["x", 1.0]),
    ("paper", "external_ids", {"DOI": 1}),
    ("citation", "is_influential", "yes"),
    ("citation", "intents", "methodology"),
    ("arxiv", "categories", "cs.CV"),
    ("arxiv", "version", 0),
    ("resolution", "score", 250.0),
    ("resolution", "doubtful", "no"),
]


@pytest.mark.parametrize(("kind", "field", "value"), WRONG_FIELDS,
                         ids=[f"{k}.{f}={v!r}" for k, f, v in WRONG_FIELDS])
def test_a_wrong_typed_snapshot_field_is_a_warning_naming_the_line_and_is_dropped(
        tmp_path, caplog, kind, field, value):
    path = tmp_path / "snapshot.jsonl"
    write_enrichment(path, synthetic_enrichment())
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if json.loads(line)["type"] == kind)
    record = json.loads(lines[number - 1])
    record[field] = value
    lines[number - 1] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        back = read_snapshot(path)
    assert f"snapshot.jsonl:{number}: {kind} " in caplog.text
    assert f"field '{field}' dropped" in caplog.text
    kept = {"paper": back.papers, "citation": back.citations, "arxiv": back.arxiv,
            "resolution": back.resolutions}[kind]
    every = {"paper": 2, "citation": 2, "arxiv": 1, "resolution": 3}
    assert len(kept) == every[kind]  # the record stays, without the bad field
    default = {"venue": None, "year": None, "citation_count": None, "authors": (),
               "embedding": None, "external_ids": (), "is_influential": False,
               "intents": (), "categories": (), "version": None, "score": None, "doubtful": False}
    assert default[field] in [getattr(r, field) for r in kept]


def test_a_line_whose_date_is_wrong_is_skipped_and_what_it_held_fetched_again(tmp_path, caplog):
    path = tmp_path / "snapshot.jsonl"
    write_enrichment(path, synthetic_enrichment())
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines, 1) if f'"key": "{A}"' in line
                  and '"type": "paper"' in line)
    lines[number - 1] = lines[number - 1].replace(STAMP, "yesterday")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        checked = check_snapshot(path)
    assert f"snapshot.jsonl:{number}: paper {A}: 'fetched_at' string should match" in caplog.text
    assert ("paper", A) not in checked.rows.rows
    assert [(r.key, r.record.phase) for r in checked.refetch] == [(f"{A}|metadata", "metadata")]


@pytest.mark.parametrize(("kind", "field", "value"), WRONG_FIELDS[:8],
                         ids=[f"{k}.{f}={v!r}" for k, f, v in WRONG_FIELDS[:8]])
def test_a_wrong_typed_snapshot_field_still_builds(kg, env, tmp_path, caplog, kind, field, value):
    """Each wrong-typed field of a committed snapshot: a warning and a build, no traceback."""
    from rsvlm_graph.listfile.curation import load_curation
    from rsvlm_graph.listfile.parse import read_list

    document = read_list(kg / "awesome-list.md", load_curation(kg / "curation.toml"))
    entry = next(e for e in document.papers if e.ids.arxiv_id)
    key = f"paper:arxiv:{entry.ids.arxiv_id}"
    record = {"type": "paper", "key": A, "s2_paper_id": A, "title": entry.title,
              "fetched_at": STAMP, field: value}
    resolution = {"type": "resolution", "key": key, "entry_key": key, "s2_paper_id": A,
                  "method": "batch-arxiv", "score": 100.0, "doubtful": False, "note": None}
    (kg / "snapshot.jsonl").write_text(json.dumps(resolution) + "\n" + json.dumps(record) + "\n",
                                       encoding="utf-8")
    with caplog.at_level("WARNING"):
        result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md",
                     "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "snapshot.jsonl:2: paper" in caplog.text and f"'{field}' dropped" in caplog.text
    assert "wrote" in result.output


def test_a_line_separator_inside_a_title_stays_in_its_line(tmp_path):
    # the writer leaves U+2028 as it is (ensure_ascii=False); str.splitlines would cut there
    paper = dataclasses.replace(synthetic_paper(A), title="SYNTHETIC line\u2028separated\u0085title",
                                embedding=None)  # an embedding is rounded on the way
    enrichment = Enrichment(papers=(paper,))
    path = tmp_path / "snapshot.jsonl"
    write_enrichment(path, enrichment)
    assert read_snapshot(path) == enrichment


def test_a_key_given_twice_is_warned_with_both_lines_and_the_later_read(tmp_path, caplog):
    path = tmp_path / "snapshot.jsonl"
    write_enrichment(path, synthetic_enrichment())
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if json.loads(line).get("type") == "paper")
    record = json.loads(lines[index])
    again = json.dumps({**record, "title": "SYNTHETIC retitled"})
    path.write_text("\n".join([*lines, again]) + "\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        rows = check_snapshot(path).rows.rows
    assert f"{path}:{len(lines) + 1}: a second paper line of {record['key']} (the first at line " \
           f"{index + 1})" in caplog.text
    assert rows["paper", record["key"]].record.title == "SYNTHETIC retitled"
    caplog.clear()
    write_enrichment(path, synthetic_enrichment())
    with caplog.at_level("WARNING"):
        check_snapshot(path)
    assert "a second" not in caplog.text  # a file without duplicates says nothing
