"""Tests of the SQLite store and the committed snapshot. Every record here is SYNTHETIC."""

from __future__ import annotations

import dataclasses
import json
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from rsvlm_graph import models
from rsvlm_graph.errors import StoreError
from rsvlm_graph.models import (
    ArxivRecord,
    Author,
    Citation,
    Enrichment,
    Failure,
    Paper,
    Resolution,
)
from rsvlm_graph.snapshot import (
    EMBEDDING_DECIMALS,
    check_snapshot,
    read_snapshot,
    seed_store,
    sorted_enrichment,
    write_snapshot,
)
from rsvlm_graph.store import Store, from_record, rounded, to_record

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
STAMP = "2024-06-01T12:00:00Z"
A, B, C = "a" * 40, "b" * 40, "c" * 40


def synthetic_paper(s2_id: str, title: str = "SYNTHETIC paper", **changes) -> Paper:
    base = Paper(
        s2_paper_id=s2_id,
        title=title,
        fetched_at=STAMP,
        year=2023,
        publication_date="2023-05-01",
        venue="SYNTHETIC Journal",
        abstract="SYNTHETIC abstract.",
        tldr="SYNTHETIC tldr.",
        external_ids=(("ArXiv", "2301.00001"), ("DOI", "10.5555/synthetic.1")),
        authors=(Author("Ada Synthia", "1"), Author("Bo Fakeman")),
        citation_count=3,
        influential_citation_count=1,
        reference_count=2,
        fields_of_study=("Computer Science",),
        open_access_pdf="https://example.org/synthetic.pdf",
        embedding=(0.123456789, -1.5, 2.0000004),
    )
    return dataclasses.replace(base, **changes)


def synthetic_enrichment() -> Enrichment:
    return Enrichment(
        resolutions=(
            Resolution("paper:title:zeta", None, None, 42.0, note="best match 'other'"),
            Resolution("paper:arxiv:2301.00001", A, "batch-arxiv", 100.0),
            Resolution("paper:doi:10.5555/x", B, "title-match", 85.5, doubtful=True),
        ),
        papers=(synthetic_paper(C, "SYNTHETIC outside"), synthetic_paper(A)),
        citations=(Citation(C, A, True, ("methodology",)), Citation(A, C)),
        arxiv=(ArxivRecord("2301.00001", "SYNTHETIC paper", STAMP, categories=("cs.CV",),
                           version=2, authors=("Ada Synthia",)),),
        recommendations=(C, B),
        failures=(Failure(B, "citations", "HTTP 500"), Failure("paper:x", "resolve", "boom")),
        truncated=(A,),
    )


# ---------------------------------------------------------------------------- model <-> JSON


def _every_model_instance():
    enrichment = synthetic_enrichment()
    entry = models.ListEntry(
        kind="paper", title="SYNTHETIC", url="https://arxiv.org/abs/2301.00001", section="S",
        task="T", line=3, raw="|x|", venue="V", year=2023,
        ids=models.PaperIds(arxiv_id="2301.00001"), code_urls=("https://github.com/x/y",),
    )
    return [
        entry,
        models.ListDocument("list.md", "SYNTHETIC list", (entry,)),
        models.PaperIds(doi="10.5555/x", pii="S1"),
        Author("Ada", None),
        enrichment.papers[0],
        Paper("d" * 40, "minimal"),
        enrichment.citations[0],
        enrichment.arxiv[0],
        enrichment.resolutions[2],
        enrichment.failures[0],
        enrichment,
    ]


@pytest.mark.parametrize("obj", _every_model_instance(), ids=lambda o: type(o).__name__)
def test_to_record_round_trips_every_model_through_json(obj):
    data = json.loads(json.dumps(to_record(obj)))
    assert from_record(type(obj), data) == obj


def test_from_record_rejects_unknown_fields_and_wrong_shapes():
    with pytest.raises(TypeError, match="no field"):
        from_record(Citation, {"citing": A, "cited": B, "weight": 3})
    with pytest.raises(TypeError):
        from_record(Paper, {"s2_paper_id": A, "title": "t", "authors": "Ada"})


def test_from_record_reads_integer_embedding_values_as_floats():
    paper = from_record(Paper, {"s2_paper_id": A, "title": "t", "embedding": [1, 0.5]})
    assert paper.embedding == (1.0, 0.5)
    assert all(type(x) is float for x in paper.embedding)


# ---------------------------------------------------------------------------- the store


def test_store_keeps_records_across_reopen(tmp_path):
    db = tmp_path / "cache" / "store.sqlite3"
    enrichment = synthetic_enrichment()
    with Store(db) as store:
        store.put_papers([enrichment.papers[1]], request="POST batch", fetched_at=STAMP)
        store.put_edges("citations", A, [Citation(C, A, True)], [enrichment.papers[0]], True,
                        request="GET citations", fetched_at=STAMP)
        store.put_arxiv(enrichment.arxiv, request="arXiv", fetched_at=STAMP)
        store.put_resolution(enrichment.resolutions[1], request="POST batch", fetched_at=STAMP)
        store.put_recommendations([A], [B], [enrichment.papers[0]], request="POST recs",
                                  fetched_at=STAMP)
    with Store(db) as store:
        # embeddings are rounded as they enter: the store holds what the snapshot holds
        assert store.get_paper(A) == rounded(enrichment.papers[1]) != enrichment.papers[1]
        edges = store.get_edges("citations", A)
        assert edges.citations == (Citation(C, A, True),) and edges.truncated is True
        assert edges.papers == (rounded(enrichment.papers[0]),)
        assert store.get_edges("references", A) is None
        assert store.get_arxiv("2301.00001") == enrichment.arxiv[0]
        assert store.get_resolution("paper:arxiv:2301.00001") == enrichment.resolutions[1]
        recs = store.get_recommendations()
        assert (recs.positive, recs.negative, recs.papers) == ((A,), (B,), (rounded(enrichment.papers[0]),))
        row = store.get("paper", A)
        assert (row.source, row.kind, row.request, row.fetched_at) == (
            "semanticscholar", "paper", "POST batch", STAMP)
        assert store.get("arxiv", "2301.00001").source == "arxiv"


def test_is_fresh_follows_the_window(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert not store.is_fresh("paper", A, 7, NOW)
        store.put_papers([synthetic_paper(A)], request="r", fetched_at=STAMP)
        assert store.is_fresh("paper", A, 7, NOW + timedelta(days=6, hours=23))
        assert not store.is_fresh("paper", A, 7, NOW + timedelta(days=7))
        assert store.has("paper", A) and not store.has("paper", B)
        assert not store.is_fresh("citations", A, 7, NOW)


def test_a_failed_batch_writes_nothing(tmp_path):
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError), store.batch():
            store.put_papers([synthetic_paper(A)], request="r", fetched_at=STAMP)
            raise RuntimeError("killed half-way through a batch")
        assert store.get_paper(A) is None
        store.put_papers([synthetic_paper(B)], request="r", fetched_at=STAMP)
        assert store.get_paper(B) is not None


def test_a_file_that_is_not_a_database_names_the_file_and_the_fix(tmp_path):
    db = tmp_path / "store.sqlite3"
    db.write_bytes(b"SYNTHETIC garbage, not SQLite " * 100)
    with pytest.raises(StoreError, match="delete it to refetch") as info:
        Store(db)
    assert str(db) in str(info.value)


def test_a_newer_schema_is_refused(tmp_path):
    db = tmp_path / "store.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="schema version 99"):
        Store(db)


# ---------------------------------------------------------------------------- the snapshot


def test_snapshot_round_trip_is_byte_identical(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_snapshot(first, synthetic_enrichment())
    back = read_snapshot(first)
    write_snapshot(second, back)
    assert first.read_bytes() == second.read_bytes()
    assert back == read_snapshot(second)


def test_snapshot_is_sorted_one_record_per_line_and_keeps_everything(tmp_path):
    path = tmp_path / "snapshot.jsonl"
    enrichment = synthetic_enrichment()
    write_snapshot(path, enrichment)
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["type"], r["key"]) for r in records] == sorted((r["type"], r["key"]) for r in records)
    assert all(list(r) == ["type", "key", *sorted(set(r) - {"type", "key"})] for r in records)
    assert len(lines) == 3 + 2 + 2 + 1 + 2 + 2 + 1
    back = read_snapshot(path)
    assert back.recommendations == (C, B)  # best first survives the sort
    assert back.resolutions == sorted_enrichment(enrichment).resolutions
    assert back.failures == sorted_enrichment(enrichment).failures
    assert back.truncated == (A,)


def test_snapshot_rounds_embeddings(tmp_path):
    path = tmp_path / "snapshot.jsonl"
    write_snapshot(path, synthetic_enrichment())
    papers = {p.s2_paper_id: p for p in read_snapshot(path).papers}
    assert papers[A].embedding == (round(0.123456789, EMBEDDING_DECIMALS), -1.5, 2.0)
    assert papers[A].title == "SYNTHETIC paper"


def test_missing_snapshot_is_empty(tmp_path):
    assert read_snapshot(tmp_path / "nope.jsonl") == Enrichment()


@pytest.mark.parametrize("bad", ["{not json", '{"type": "paper", "key": "x"}',
                                 '{"type": "mystery", "key": "x"}', "[1, 2]", "\xe9t\xe9"])
def test_a_broken_snapshot_line_is_skipped_naming_file_and_line(tmp_path, bad, caplog):
    path = tmp_path / "snapshot.jsonl"
    write_snapshot(path, synthetic_enrichment())
    whole = read_snapshot(path)
    lines = path.read_bytes().splitlines()
    assert json.loads(lines[2])["type"] == "citation"  # the second of two
    lines[2] = bad.encode("latin-1")  # the last one: not UTF-8
    path.write_bytes(b"\n".join(lines) + b"\n")
    with caplog.at_level("WARNING"):
        checked = check_snapshot(path)
    assert re.search(r"snapshot.jsonl:3: .*; line skipped, every other line is used", caplog.text)
    assert [(u.number, u.record) for u in checked.unread] == [(3, False)]
    kept = checked.enrichment
    assert kept.citations == whole.citations[:1]  # only the broken line's record is missing
    assert (kept.papers, kept.resolutions, kept.arxiv) == (whole.papers, whole.resolutions, whole.arxiv)
    # what it held is to be fetched again: failures of the lists it could belong to (none for
    # a paper "x" nothing cites)
    assert set(checked.refetch) <= set(kept.failures)
    assert bool(checked.refetch) == (bad != '{"type": "paper", "key": "x"}')


def test_import_enrichment_seeds_an_empty_store_and_never_overwrites_newer(tmp_path):
    enrichment = synthetic_enrichment()
    with Store(tmp_path / "s.db") as store:
        newer = synthetic_paper(A, "SYNTHETIC newer title", fetched_at="2024-07-01T00:00:00Z")
        store.put_papers([newer], request="r", fetched_at="2024-07-01T00:00:00Z")
        written = seed_store(store, enrichment)
        assert written > 0
        assert store.get_paper(A).title == "SYNTHETIC newer title"
        # resolutions are imported as they are, doubtful and unresolved ones included
        assert store.get_resolution("paper:title:zeta") == enrichment.resolutions[0]
        assert store.get_resolution("paper:doi:10.5555/x").doubtful
        # the list paper's edges are regrouped per direction, with the other end's metadata
        assert store.get_edges("citations", A).citations == (Citation(C, A, True, ("methodology",)),)
        assert store.get_edges("citations", A).truncated
        assert store.get_edges("references", A).papers[0].s2_paper_id == C
        assert store.get_arxiv("2301.00001") == enrichment.arxiv[0]
        assert store.get_recommendations().negative is None
        assert seed_store(store, enrichment) == 0


def test_import_into_a_store_that_has_it_all_builds_no_record(tmp_path, monkeypatch):
    # every offline command imports the snapshot first: on a warm store that must cost lookups
    # only, not the JSON of every citation list (seconds on a real list)
    from rsvlm_graph import snapshot as store_module

    enrichment = synthetic_enrichment()
    with Store(tmp_path / "s.db") as store:
        seed_store(store, enrichment)
        built = []
        monkeypatch.setattr(store_module, "to_record", lambda obj: built.append(obj) or {})
        assert seed_store(store, enrichment) == 0
    assert built == []


def test_import_dates_an_unresolved_entry_like_the_run_that_tried_it(tmp_path):
    enrichment = synthetic_enrichment()  # "paper:title:zeta" is unresolved
    with Store(tmp_path / "s.db") as store:
        seed_store(store, enrichment)
        assert store.get("resolution", "paper:title:zeta").fetched_at == STAMP
