"""Tests of the SQLite store, the one encoding of its rows (codec) and what is on file over it
(records). Every record here is SYNTHETIC."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic_records import STAMP, rows_of

from rsvlm_graph.codec import (
    EMBEDDING_DECIMALS,
    RECOMMENDATIONS_KEY,
    Edge,
    Row,
    fields_text,
    paging_key,
    rounded,
    row_fields,
)
from rsvlm_graph.errors import StoreError
from rsvlm_graph.models import (
    ArxivRecord,
    Author,
    Citation,
    EdgeList,
    Enrichment,
    Failure,
    Paging,
    Paper,
    Recommendations,
    Resolution,
)
from rsvlm_graph.records import OnFile, Rows, select
from rsvlm_graph.snapshot import check_snapshot, snapshot_lines, write_snapshot
from rsvlm_graph.store import Store

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
LATER = "2024-07-01T00:00:00Z"
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
        embedding=(0.123457, -1.5, 2.0),
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


def put(store: Store, enrichment: Enrichment) -> None:
    """``enrichment`` into ``store`` as a run that fetched it all would keep it."""
    rows, edges = rows_of(enrichment)
    store.seed(rows, edges, request="SYNTHETIC")


# ---------------------------------------------------------------------------- the store


def test_the_store_keeps_every_kind_of_row_across_reopen(tmp_path):
    db = tmp_path / "cache" / "store.sqlite3"
    paging = Row("paging", paging_key("citations", A), STAMP,
                 Paging(1000, (Citation(B, A),), 1500, False))
    with Store(db) as store:
        put(store, synthetic_enrichment())
        store.put([paging], request="GET citations (interrupted)")
    with Store(db) as store:
        assert store.row("paper", A).record == synthetic_paper(A)
        assert store.row("linked", C).record.title == "SYNTHETIC outside"
        assert store.row("citations", A) == Row("citations", A, STAMP, EdgeList(3, True))
        assert [e.citation for e in store.list_edges("citations", A)] == [
            Citation(C, A, True, ("methodology",))]
        assert store.row("resolution", "paper:doi:10.5555/x").record.doubtful
        assert store.row("recommendations", RECOMMENDATIONS_KEY).record == Recommendations(
            (A,), (), (C, B))
        assert store.row("failure", f"{B}|citations").record == Failure(B, "citations", "HTTP 500")
        assert store.row("paging", paging_key("citations", A)) == paging
        assert store.row("paper", B) is None


def test_a_record_put_settles_its_failure_and_a_list_its_paging(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.put([Row("failure", f"{A}|citations", STAMP, Failure(A, "citations", "HTTP 503")),
                   Row("failure", f"{A}|metadata", STAMP, Failure(A, "metadata", "HTTP 503")),
                   Row("paging", paging_key("citations", A), STAMP, Paging(1000))],
                  request="SYNTHETIC")
        store.put_list("citations", A, Row("citations", A, LATER, EdgeList(1)), [Citation(B, A)],
                       [Row("linked", B, LATER, synthetic_paper(B, fetched_at=LATER))],
                       request="SYNTHETIC")
        assert store.row("failure", f"{A}|citations") is None
        assert store.row("paging", paging_key("citations", A)) is None
        assert store.row("failure", f"{A}|metadata") is not None  # another record's failure
        store.put([Row("paper", A, LATER, synthetic_paper(A, fetched_at=LATER))], request="r")
        assert store.row("failure", f"{A}|metadata") is None


def test_a_list_put_again_drops_the_citers_it_lost_but_not_another_lists_edges(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.put_list("citations", A, Row("citations", A, STAMP, EdgeList(2)),
                       [Citation(B, A), Citation(C, A, True)], [], request="r")
        # B is a list paper too: its reference list holds B > A as well
        store.put_list("references", B, Row("references", B, STAMP, EdgeList(1)),
                       [Citation(B, A, False, ("background",))], [], request="r")
        store.put_list("citations", A, Row("citations", A, LATER, EdgeList(0)), [], [],
                       request="r")
        assert store.list_edges("citations", A) == []
        (held,) = store.list_edges("references", B)
        assert held == Edge(Citation(B, A, False, ("background",)), ("references",))


def test_an_edge_told_by_both_of_its_lists_keeps_what_either_says(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.put_list("citations", A, Row("citations", A, STAMP, EdgeList(1)),
                       [Citation(B, A, True, ("methodology",))], [], request="r")
        store.put_list("references", B, Row("references", B, STAMP, EdgeList(1)),
                       [Citation(B, A)], [], request="r")
        (edge,) = store.list_edges("citations", A)
        assert edge == Edge(Citation(B, A, True, ("methodology",)), ("citations", "references"))


def test_a_failed_batch_writes_nothing(tmp_path):
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(RuntimeError), store.batch():
            store.put([Row("paper", A, STAMP, synthetic_paper(A))], request="r")
            raise RuntimeError("killed half-way through a batch")
        assert store.row("paper", A) is None
        store.put([Row("paper", B, STAMP, synthetic_paper(B))], request="r")
        assert store.row("paper", B) is not None


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


def test_a_store_of_the_first_layout_is_moved_aside_and_a_new_one_made(tmp_path, caplog):
    db = tmp_path / "store.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE records (kind TEXT, key TEXT, data TEXT)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with caplog.at_level("WARNING"), Store(db) as store:
        store.put([Row("paper", A, STAMP, synthetic_paper(A))], request="r")
        assert store.row("paper", A) is not None
    assert (tmp_path / "store.sqlite3.v1").exists()
    assert "moved to" in caplog.text and "kg/snapshot.jsonl" in caplog.text


def test_a_bad_row_in_the_store_is_checked_and_the_reset_named(tmp_path, caplog):
    with Store(tmp_path / "s.db") as store:
        good = row_fields(Row("paper", A, STAMP, synthetic_paper(A)))
        bad_id = row_fields(Row("paper", B, STAMP, synthetic_paper(B)))
        good["venue"], bad_id["s2_paper_id"] = 7, 12
        store._conn.executemany(  # as a store written by an older version could hold them
            "INSERT INTO records VALUES ('paper', ?, ?, 'r', ?)",
            [(A, STAMP, json.dumps(good)), (B, STAMP, json.dumps(bad_id))])
        with caplog.at_level("WARNING"):
            paper, missing = store.row("paper", A), store.row("paper", B)
    assert paper.record.venue is None and paper.record.title == "SYNTHETIC paper"
    assert missing is None
    assert f"paper {A} in the store" in caplog.text and "delete the file" in caplog.text
    assert "field 'venue' dropped" in caplog.text


# ---------------------------------------------------------------------------- one encoding


def test_a_row_is_stored_as_the_text_its_snapshot_line_holds(tmp_path):
    row = Row("paper", A, STAMP, synthetic_paper(A, title="SYNTHETIC ünïcode\u2028title"))
    with Store(tmp_path / "s.db") as store:
        store.put([row], request="r")
        (data,) = store._conn.execute("SELECT data FROM records").fetchone()
    line = snapshot_lines(select(OnFile(Store(tmp_path / "s.db")), ()))  # header only
    assert line == ['{"type": "snapshot", "key": "format", "version": 2}']
    written = f'{{"type": "paper", "key": "{A}", ' + data[1:]
    assert data == fields_text(row_fields(row))
    assert json.loads(written)["title"] == "SYNTHETIC ünïcode\u2028title"


def test_embeddings_are_rounded_as_a_paper_is_kept():
    paper = synthetic_paper(A, embedding=(0.123456789, -1.5, 2.0000004))
    assert rounded(paper).embedding == (round(0.123456789, EMBEDDING_DECIMALS), -1.5, 2.0)
    assert rounded(dataclasses.replace(paper, embedding=None)).embedding is None


# ---------------------------------------------------------------------------- on file


def test_the_newer_of_the_snapshot_and_the_store_is_read_and_what_is_written_wins(tmp_path):
    rows, edges = rows_of(synthetic_enrichment())
    snapshot = Rows.of(rows, edges)
    with Store(tmp_path / "s.db") as store:
        store.put([Row("paper", A, LATER, synthetic_paper(A, "SYNTHETIC newer", fetched_at=LATER)),
                   Row("linked", C, "2024-01-01T00:00:00Z", synthetic_paper(C, "SYNTHETIC older"))],
                  request="r")
        records = OnFile(store, snapshot)
        assert records.paper(A).title == "SYNTHETIC newer"
        assert records.row("linked", C).record.title == "SYNTHETIC outside"
        assert records.is_fresh("paper", A, 7, NOW + timedelta(days=29, hours=23))
        assert not records.is_fresh("linked", C, 7, NOW + timedelta(days=7))
        records.put([Row("linked", C, "2000-01-01T00:00:00Z", synthetic_paper(C, "SYNTHETIC now"))],
                    request="r")
        assert records.row("linked", C).record.title == "SYNTHETIC now"  # this run wrote it
        assert records.seed() > 0
        assert OnFile(store, snapshot).seed() == 0  # a store that has it all writes nothing


def test_an_offline_view_writes_nothing(tmp_path):
    with Store(tmp_path / "s.db") as store:
        records = OnFile(store, writable=False)
        with pytest.raises(RuntimeError, match="offline"):
            records.put([Row("paper", A, STAMP, synthetic_paper(A))], request="r")


# ---------------------------------------------------------------------------- round trip

_ids = st.sampled_from([f"{n:040x}" for n in range(1, 9)])
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_stamps = st.sampled_from(["2024-06-01T12:00:00Z", "2024-06-08T09:30:00Z", "2026-11-27T10:00:00Z"])


@st.composite
def _papers(draw, s2_id: str) -> Paper:
    return Paper(
        s2_id, draw(_text), fetched_at=draw(_stamps),
        year=draw(st.none() | st.integers(1900, 2100)), venue=draw(st.none() | _text),
        authors=tuple(Author(draw(_text), draw(st.none() | st.sampled_from(["1", "42"])))
                      for _ in range(draw(st.integers(0, 2)))),
        citation_count=draw(st.none() | st.integers(0, 10**6)),
        reference_count=draw(st.none() | st.integers(0, 500)),
        embedding=draw(st.none() | st.tuples(*[st.floats(-10, 10, allow_nan=False)] * 3)),
    )


@st.composite
def _store_contents(draw) -> tuple[list[str], list]:
    """Entries, and the writes of runs that fetched SYNTHETIC records for them, in order."""
    entries = [f"paper:title:e{n}" for n in range(draw(st.integers(1, 4)))]
    entries += ["paper:arxiv:2301.00001"] if draw(st.booleans()) else []
    writes: list = []
    for key in entries:
        s2_id = draw(st.none() | _ids)
        resolution = Resolution(key, s2_id, "title-match" if s2_id else None,
                                draw(st.none() | st.floats(0, 100).map(lambda x: round(x, 1))),
                                doubtful=draw(st.booleans()), note=draw(st.none() | _text))
        writes.append(("put", [Row("resolution", key, draw(_stamps), resolution)]))
        if s2_id is None:
            continue
        writes.append(("put", [Row("paper", s2_id, (p := draw(_papers(s2_id))).fetched_at,
                                   rounded(p))]))
        for direction in ("citations", "references"):
            if draw(st.booleans()):
                others = draw(st.lists(_ids, max_size=4, unique=True))
                citations = [Citation(o, s2_id, draw(st.booleans()), tuple(draw(st.lists(
                    st.sampled_from(["background", "methodology"]), max_size=2, unique=True))))
                    if direction == "citations" else Citation(s2_id, o) for o in others
                    if o != s2_id]
                linked = [Row("linked", o, (q := draw(_papers(o))).fetched_at, rounded(q))
                          for o in others if draw(st.booleans())]
                header = Row(direction, s2_id, draw(_stamps),
                             EdgeList(draw(st.none() | st.integers(0, 50)), draw(st.booleans())))
                writes.append(("list", direction, s2_id, header, citations, linked))
            if draw(st.booleans()):
                writes.append(("put", [Row("failure", f"{s2_id}|{direction}", draw(_stamps),
                                           Failure(s2_id, direction, draw(_text)))]))
            if draw(st.booleans()):
                writes.append(("put", [Row("paging", paging_key(direction, s2_id), draw(_stamps),
                                           Paging(1000, (Citation(s2_id, s2_id),), 7))]))
    if draw(st.booleans()):
        ranked = tuple(draw(st.lists(_ids, max_size=3, unique=True)))
        writes.append(("put", [Row("recommendations", RECOMMENDATIONS_KEY, draw(_stamps),
                                   Recommendations(ranked[:1], None, ranked))]))
    if "paper:arxiv:2301.00001" in entries:
        writes.append(("put", [Row("arxiv", "2301.00001", draw(_stamps), ArxivRecord(
            "2301.00001", draw(_text), draw(_stamps), version=draw(st.integers(1, 9))))]))
    return entries, writes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_store_contents())
def test_snapshot_store_snapshot_is_byte_identical(tmp_path_factory, contents):
    entries, writes = contents
    folder = tmp_path_factory.mktemp("round")
    with Store(folder / "a.db") as first:
        for write in writes:
            if write[0] == "put":
                first.put(write[1], request="SYNTHETIC")
            else:
                first.put_list(*write[1:], request="SYNTHETIC")
        write_snapshot(folder / "one.jsonl", select(OnFile(first), entries))
    one = (folder / "one.jsonl").read_bytes()
    read = check_snapshot(folder / "one.jsonl")
    assert read.unread == ()
    with Store(folder / "b.db") as second:  # a new runner: its store seeded from the snapshot
        OnFile(second, read.rows).seed()
        write_snapshot(folder / "two.jsonl", select(OnFile(second), entries))
        # and the snapshot read over that store, as every command reads it
        write_snapshot(folder / "three.jsonl", select(OnFile(second, read.rows), entries))
    assert (folder / "two.jsonl").read_bytes() == one
    assert (folder / "three.jsonl").read_bytes() == one


def test_what_one_list_knows_of_an_edge_stays_when_the_other_does_not_know_it(tmp_path):
    # a citation nested in a batch carries no flags: unknown, which never undoes a known value
    with Store(tmp_path / "s.db") as store:
        store.put_list("citations", A, Row("citations", A, STAMP, EdgeList(1)),
                       [Citation(B, A, None, None)], [], request="r")
        (unknown,) = store.list_edges("citations", A)
        assert (unknown.citation.is_influential, unknown.citation.intents) == (None, None)
        store.put_list("references", B, Row("references", B, STAMP, EdgeList(1)),
                       [Citation(B, A, False, ())], [], request="r")
        store.put_list("citations", A, Row("citations", A, LATER, EdgeList(1)),
                       [Citation(B, A, None, None)], [], request="r")
        (edge,) = store.list_edges("citations", A)
        assert (edge.citation.is_influential, edge.citation.intents) == (False, ())
