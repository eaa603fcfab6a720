"""One bad line of kg/snapshot.jsonl never stops a run (review item 5): it is a warning naming
``path:line``, every other record is used, and ``enrich`` fetches again what the line held before
it rewrites the file, keeping the line itself in ``kg/snapshot.jsonl.rejected``. Values out of
range are refused per field where they enter. Through the CLI against the fake API: every record
is SYNTHETIC."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_cli
from test_cli import run

from rsvlm_graph.snapshot import read_snapshot, rejected_path

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online = test_cli.env, test_cli.kg, test_cli.online


def enrich(kg_dir: Path, *options: str):
    return run("enrich", "--quiet", *options, "--list", kg_dir / "awesome-list.md")


def build_offline(kg_dir: Path, out: Path):
    return run("build", "--offline", "--quiet", "--list", kg_dir / "awesome-list.md", "--out", out)


def lines_of(kg_dir: Path) -> list[str]:
    return (kg_dir / "snapshot.jsonl").read_text(encoding="utf-8").splitlines()


def write_lines(kg_dir: Path, lines: list[str]) -> None:
    (kg_dir / "snapshot.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def first_line(lines: list[str], kind: str, where=lambda record: True) -> int:
    """The index of the first line of ``kind`` whose record ``where`` accepts."""
    return next(i for i, line in enumerate(lines)
                if (r := json.loads(line))["type"] == kind and where(r))


def list_papers(lines: list[str]) -> set[str]:
    records = [json.loads(line) for line in lines]
    return {r["s2_paper_id"] for r in records
            if r["type"] == "resolution" and r["s2_paper_id"] and not r["doubtful"]}


def kept_texts(kg_dir: Path) -> list[str]:
    """The lines ``kg/snapshot.jsonl.rejected`` keeps, as they were in the snapshot."""
    text = rejected_path(kg_dir / "snapshot.jsonl").read_text(encoding="utf-8")
    return [json.loads(line)["text"] for line in text.splitlines()]


@pytest.fixture
def enriched(kg, online, env) -> Path:
    """kg/ after one complete enrich, and a fresh store: as a fresh clone of it is."""
    assert enrich(kg).exit_code == 0
    for path in env.glob("store*.sqlite3*"):
        path.unlink()
    return kg


def test_an_unparseable_line_is_a_warning_and_the_build_goes_on(enriched, tmp_path, caplog):
    lines = lines_of(enriched)
    clean = build_offline(enriched, tmp_path / "clean")
    assert clean.exit_code == 0
    number = first_line(lines, "citation") + 1
    lines[number - 1] = "{not json"
    write_lines(enriched, lines)
    with caplog.at_level("WARNING"):
        result = build_offline(enriched, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert f"snapshot.jsonl:{number}: not JSON (" in caplog.text
    assert "line skipped, every other line is used" in caplog.text
    assert "keeps the line in" in caplog.text and "snapshot.jsonl.rejected" in caplog.text
    # one citation fewer, every paper still there
    back = read_snapshot(enriched / "snapshot.jsonl")
    assert len(back.citations) == sum(1 for line in lines if '"type": "citation"' in line)
    assert "not enriched: none" in result.output
    assert not rejected_path(enriched / "snapshot.jsonl").exists()  # a build --offline writes no kg/


def test_enrich_fetches_again_what_a_cut_line_held_and_keeps_the_line(enriched, online, caplog):
    before = read_snapshot(enriched / "snapshot.jsonl")
    lines = lines_of(enriched)
    index = first_line(lines, "citation")
    cut = lines[index][:120]  # the type and key survive: the citation is known
    lines[index] = cut
    write_lines(enriched, lines)
    online.counts.clear()
    with caplog.at_level("WARNING"):
        result = enrich(enriched)
    assert result.exit_code == 0, result.output
    key = json.loads(lines_of(enriched)[index])["key"]
    assert f"fetches the citation {key} again" in caplog.text
    after = read_snapshot(enriched / "snapshot.jsonl")
    assert set(after.citations) == set(before.citations)  # fetched again: nothing lost
    assert not after.failures or all(f.answered for f in after.failures)
    # only the list that citation belongs to was paged again
    assert online.counts["citations"] + online.counts["references"] <= 2
    kept = [json.loads(line) for line in
            rejected_path(enriched / "snapshot.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(k["line"], k["text"], k["record_used"]) for k in kept] == [(index + 1, cut, False)]
    assert kept[0]["problem"].startswith("not JSON")


def test_a_line_of_unknown_content_has_every_list_fetched_again(enriched, online, caplog):
    before = read_snapshot(enriched / "snapshot.jsonl")
    lines = lines_of(enriched)
    lines[first_line(lines, "citation")] = "{not json"
    write_lines(enriched, lines)
    with caplog.at_level("WARNING"):
        assert build_offline(enriched, enriched.parent / "out").exit_code == 0
        assert "its type cannot be read, so the next `rsvlm-graph enrich` fetches every " \
               "citation list and the recommendations again" in caplog.text
        online.counts.clear()
        asked = len(online.requests)
        result = enrich(enriched)
    assert result.exit_code == 0, result.output
    assert online.counts["recommendations"] == 1
    (nested,) = [r for r in online.requests[asked:]
                 if r.endpoint == "batch" and "citations." in r.param("fields")]
    counted = {r.s2_paper_id for r in before.resolutions if r.s2_paper_id and not r.doubtful}
    assert len(json.loads(nested.body)["ids"]) == len(counted)  # every list, nested
    assert set(read_snapshot(enriched / "snapshot.jsonl").citations) == set(before.citations)
    assert kept_texts(enriched) == ["{not json"]


def test_enrich_offline_keeps_what_a_line_held_to_fetch_for_the_next_enrich(enriched, online):
    before = read_snapshot(enriched / "snapshot.jsonl")
    lines = lines_of(enriched)
    lines[first_line(lines, "citation")] = "{not json"
    write_lines(enriched, lines)
    assert enrich(enriched, "--offline").exit_code == 0
    # rewritten without the line, but with failures saying what to fetch again
    offline = read_snapshot(enriched / "snapshot.jsonl")
    again = [f for f in offline.failures if "fetched again by the next enrich" in f.reason]
    assert {f.phase for f in again} == {"citations", "references", "recommendations"}
    assert again == [f for f in offline.failures if not f.answered]  # the rest is on file
    assert enrich(enriched).exit_code == 0
    assert set(read_snapshot(enriched / "snapshot.jsonl").citations) == set(before.citations)


@pytest.mark.parametrize("change", [
    lambda r: r.update(title=12345),
    lambda r: r.update(type="mystery"),
    lambda r: r.update(s2_paper_id="not-an-id"),
], ids=["title 12345", "unknown type", "bad id"])
def test_a_list_paper_line_that_is_no_record_is_skipped_then_fetched_again(
        enriched, tmp_path, caplog, change):
    before = read_snapshot(enriched / "snapshot.jsonl")
    lines = lines_of(enriched)
    accepted = list_papers(lines)
    index = first_line(lines, "paper", lambda r: r["key"] in accepted)
    record = json.loads(lines[index])
    change(record)
    lines[index] = json.dumps(record)
    write_lines(enriched, lines)
    with caplog.at_level("WARNING"):
        result = build_offline(enriched, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert f"snapshot.jsonl:{index + 1}: " in caplog.text and "line skipped" in caplog.text
    assert "not enriched: 1 of" in result.output  # that paper; every other one is there
    assert enrich(enriched).exit_code == 0
    after = read_snapshot(enriched / "snapshot.jsonl")
    assert {p.s2_paper_id for p in after.papers} == {p.s2_paper_id for p in before.papers}
    assert set(after.citations) == set(before.citations)
    assert kept_texts(enriched) == [lines[index]]


@pytest.mark.parametrize(("field", "value", "says"), [
    ("citation_count", 10**30, "less than 1000000000"),
    ("citation_count", -1, "greater than or equal to 0"),
    ("publication_date", "2023-13-45", "month must be in 1..12"),
    ("publication_date", "2023-02-30", "day is out of range for month"),
    ("year", 20230, "less than 2201"),
    ("fetched_at", "2024-02-30T00:00:00Z", "day is out of range for month"),
])
def test_a_value_out_of_range_in_the_snapshot_is_dropped_and_fetched_again(
        enriched, online, tmp_path, caplog, field, value, says):
    lines = lines_of(enriched)
    accepted = list_papers(lines)
    index = first_line(lines, "paper", lambda r: r["key"] in accepted and r.get(field) is not None)
    record = json.loads(lines[index])
    good = record[field]
    record[field] = value
    lines[index] = json.dumps(record)
    write_lines(enriched, lines)
    with caplog.at_level("WARNING"):
        result = build_offline(enriched, tmp_path / "out")
    assert result.exit_code == 0, result.output
    # a record cannot do without its date: that line is skipped, any other field dropped
    dated = field != "fetched_at"
    dropped = f"field '{field}' dropped" if dated else f"'{field}' value error"
    assert f"snapshot.jsonl:{index + 1}: paper {record['key']}: {dropped}" in caplog.text
    assert says in caplog.text
    if len(str(value)) >= 10:  # a shorter one (-1) may be part of any other value
        for name in ("graph.ttl", "nodes.csv", "graph.graphml"):
            assert str(value) not in (tmp_path / "out" / name).read_text(encoding="utf-8")
    online.counts.clear()
    assert enrich(enriched).exit_code == 0
    assert online.counts["batch"] == 1  # the paper's record, asked again
    papers = {p.s2_paper_id: p for p in read_snapshot(enriched / "snapshot.jsonl").papers}
    if dated:  # the new record's date is today's
        assert getattr(papers[record["key"]], field) == good
    assert json.loads(rejected_path(enriched / "snapshot.jsonl").read_text(
        encoding="utf-8"))["record_used"] is dated


@pytest.mark.parametrize(("wire", "value"), [
    ("citationCount", 10**30), ("referenceCount", 10**12), ("publicationDate", "2023-13-45"),
    ("publicationDate", "2023-02-30"), ("publicationDate", "0999-01-01"),
])
def test_a_value_out_of_range_from_the_api_is_dropped_where_it_enters(
        kg, online, caplog, wire, value):
    bad = sorted(online.corpus.papers)[:5]
    for pid in bad:
        online.corpus.papers[pid][wire] = value
    with caplog.at_level("WARNING"):
        assert enrich(kg).exit_code == 0
    assert any(f"Semantic Scholar paper {pid}: field '{wire}' dropped" in caplog.text for pid in bad)
    assert str(value) not in (kg / "snapshot.jsonl").read_text(encoding="utf-8")
