"""Records checked where they enter: a wrong-typed API field is a warning naming the paper and
the field, the field is dropped, the build goes on. Every record here is SYNTHETIC."""

from __future__ import annotations

import pytest
import test_cli
from test_cli import run

from rsvlm_graph.models import Paper
from rsvlm_graph.schema import RecordRefused, checked_record, checked_s2_paper
from rsvlm_graph.snapshot import read_snapshot
from rsvlm_graph.sources.semantic_scholar import paper_from_json

A = "a" * 40

WRONG_API_FIELDS = [
    ("venue", 42, "venue", None),
    ("year", "2023", "year", None),
    ("year", 20230, "year", None),
    ("citationCount", "12", "citation_count", None),
    ("citationCount", -1, "citation_count", None),
    ("authors", "Ada Synthia", "authors", ()),
    ("authors", [{"name": 5}], "authors", ()),
    ("externalIds", ["DOI"], "external_ids", ()),
    ("tldr", "a summary", "tldr", None),
    ("embedding", {"vector": [0.1, "x"]}, "embedding", None),
    ("fieldsOfStudy", "Computer Science", "fields_of_study", ()),
    ("openAccessPdf", {"url": 3}, "open_access_pdf", None),
    ("publicationDate", "May 2023", "publication_date", None),
    ("publicationDate", "2023-02-30", "publication_date", None),
    ("publicationDate", "2023-13", "publication_date", None),
    ("citationCount", 10**30, "citation_count", None),
]

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online = test_cli.env, test_cli.kg, test_cli.online


@pytest.mark.parametrize(("wire", "value", "field", "default"), WRONG_API_FIELDS,
                         ids=[f"{w}={v!r}" for w, v, _, _ in WRONG_API_FIELDS])
def test_a_wrong_typed_api_field_is_dropped_with_a_warning_naming_the_paper(caplog, wire, value,
                                                                             field, default):
    data = {"paperId": A, "title": "SYNTHETIC", "venue": "SYNTHETIC Journal", "year": 2023,
            wire: value}
    with caplog.at_level("WARNING"):
        paper = paper_from_json(data, "2026-11-27T10:00:00Z")
    assert getattr(paper, field) == default
    assert paper.title == "SYNTHETIC"
    assert f"Semantic Scholar paper {A}: field '{wire}' dropped" in caplog.text


def test_a_good_api_object_passes_unchanged_and_silent(caplog):
    data = {"paperId": A, "title": "T", "year": 2023, "externalIds": {"CorpusId": 7},
            "embedding": {"model": "specter_v2", "vector": [1, 0.5]}, "unknownNewField": [1]}
    with caplog.at_level("WARNING"):
        assert checked_s2_paper(data) == data
    assert caplog.text == ""


def test_a_record_without_a_usable_id_is_refused_naming_where():
    with pytest.raises(RecordRefused, match=r"here:1: 's2_paper_id'"):
        checked_record(Paper, '{"s2_paper_id": "not-an-id", "title": "T"}', "here:1")
    with pytest.raises(RecordRefused, match="not JSON"):
        checked_record(Paper, "{", "here:2")


def test_wrong_typed_api_fields_end_in_warnings_and_a_build(kg, online, tmp_path, caplog):
    # a few outside papers of the SYNTHETIC corpus answer with wrong types
    bad = sorted(online.corpus.papers)[:5]
    for pid in bad:
        online.corpus.papers[pid].update(venue=7, influentialCitationCount="many", year="2020")
    with caplog.at_level("WARNING"):
        result = run("enrich", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    assert any(f"Semantic Scholar paper {pid}: field 'venue' dropped" in caplog.text for pid in bad)
    papers = {p.s2_paper_id: p for p in read_snapshot(kg / "snapshot.jsonl").papers}
    for pid in set(bad) & set(papers):
        assert (papers[pid].venue, papers[pid].influential_citation_count, papers[pid].year) == (
            None, None, None)
    result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md",
                 "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
