"""A Semantic Scholar batch answers by position: an answer that is not the paper asked for at its
position is never taken as that paper's record (SYNTHETIC ids, the fake API's corpus)."""

from __future__ import annotations

import test_cli
from test_cli import run

from rsvlm_graph.snapshot import read_snapshot
from rsvlm_graph.sources.s2_lists import aligned

env, kg, online = test_cli.env, test_cli.kg, test_cli.online

A, B, C, D = ("a" * 40, "b" * 40, "c" * 40, "d" * 40)  # SYNTHETIC S2 paper ids


def item(pid: str, **external: object) -> dict[str, object]:
    return {"paperId": pid, "title": f"SYNTHETIC {pid[:4]}", "externalIds": external}


def test_a_rotated_answer_of_s2_ids_is_no_ones_record(caplog):
    unfetched: dict[str, str] = {}
    with caplog.at_level("WARNING"):
        out = aligned([A, B, C], [item(B), item(C), item(A)], unfetched)
    assert out == [None, None, None]
    assert sorted(unfetched) == [A, B, C]
    assert "the answer at its position is " + B + "'s" in unfetched[A]
    assert sum(A in r.getMessage() for r in caplog.records) == 2  # its line, and C's naming it


def test_a_merged_id_answered_under_its_current_id_is_kept_for_the_id_sent(caplog):
    unfetched: dict[str, str] = {}
    with caplog.at_level("INFO"):
        out = aligned([A, B], [item(D), item(B)], unfetched)
    assert out == [item(D), item(B)] and unfetched == {}
    assert f"answered {A} as {D}" in caplog.text


def test_one_paper_answering_two_s2_ids_answers_neither():
    unfetched: dict[str, str] = {}
    out = aligned([A, B, C], [item(D), item(D), item(C)], unfetched)
    assert out == [None, None, item(C)] and sorted(unfetched) == [A, B]


def test_arxiv_and_doi_ids_are_checked_against_the_answers_external_ids():
    unfetched: dict[str, str] = {}
    ids = ["ARXIV:2301.00001", "DOI:10.5555/Synthetic.2", "ARXIV:2301.00003"]
    first, second = item(A, ArXiv="2301.00001"), item(B, DOI="10.5555/SYNTHETIC.2")
    # in place (a DOI's case, an arXiv version aside): every answer is taken
    assert aligned(ids, [first, second, item(C, ArXiv="2301.00003")], {}) == [
        first, second, item(C, ArXiv="2301.00003")]
    # shifted: the answers that name another id of the batch are nobody's
    out = aligned(ids, [second, item(C, ArXiv="2301.00003"), None], unfetched)
    assert out == [None, None, None] and sorted(unfetched) == sorted(ids[:2])
    # two entries of the same paper (its arXiv id and its DOI) both get it
    both = item(A, ArXiv="2301.00001", DOI="10.5555/synthetic.2")
    assert aligned(ids[:2], [both, both], {}) == [both, both]


def test_a_proxy_rotating_every_batch_gives_no_paper_another_ones_data(kg, online, env):
    online.faults.rotate_batch = True
    result = run("enrich", "--list", kg / "awesome-list.md")
    assert result.exit_code == 3, result.output  # nothing was answered for what was asked
    corpus = online.corpus
    snapshot = read_snapshot(kg / "snapshot.jsonl")
    for paper in snapshot.papers:
        assert paper.title == corpus.papers[paper.s2_paper_id]["title"], paper.s2_paper_id
    resolved = [r for r in snapshot.resolutions if r.s2_paper_id]
    assert all(r.method != "batch-arxiv" and r.method != "batch-doi" for r in resolved)

    online.faults.rotate_batch = False  # the proxy mended: the next run gets every paper
    healed = run("enrich", "--list", kg / "awesome-list.md")
    assert healed.exit_code == 0, healed.output
    assert len(read_snapshot(kg / "snapshot.jsonl").citations) > 100
