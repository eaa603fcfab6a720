"""Tests of the citation history: recording, replaying, changes, trends, the plot.

SYNTHETIC: every id, title, count and citing paper below is made up for these tests; the
history lives in pytest's tmp_path, never in kg/.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import pathlib

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rsvlm_graph.citations.changes import (
    RELATIVE_GAIN_FLOOR,
    changes_between,
    format_changes,
)
from rsvlm_graph.citations.refreshes import (
    PaperRecord,
    Refresh,
    citer_titles,
    load_history,
    record_refresh,
    select_refreshes,
)
from rsvlm_graph.citations.refreshes import (
    refresh_from_enrichment as snapshot_from_enrichment,
)
from rsvlm_graph.citations.trends import citation_velocity, rising_papers
from rsvlm_graph.errors import RsvlmGraphError, StoreError
from rsvlm_graph.exports.report import plot_citations_over_time
from rsvlm_graph.models import Citation, Enrichment, Failure, Paper, Resolution


def sid(name: str) -> str:
    """A SYNTHETIC 40-hex S2 id, stable per name."""
    return hashlib.sha1(name.encode()).hexdigest()


A, B = "paper:arxiv:0000.00001", "paper:arxiv:0000.00002"
C, D = "paper:doi:10.0000/c", "paper:title:d"
SET = "dataset:synthetic-set"
TITLES = {
    A: "SYNTHETIC Paper A",
    B: "SYNTHETIC Paper B",
    C: "SYNTHETIC Paper C",
    D: "SYNTHETIC Paper D",
    SET: "SYNTHETIC Set",
}
DATES = [dt.date(2026, 1, 5), dt.date(2026, 1, 12), dt.date(2026, 2, 9), dt.date(2026, 2, 16)]


def citer_title(name: str) -> str:
    return f"SYNTHETIC citing paper {name}"


def candidate(name: str) -> tuple[str, str]:
    return sid(name), f"SYNTHETIC candidate {name}"


def make_enrichment(state, *, failures=(), truncated=()) -> Enrichment:
    """Entry → (count, citer names), or None when the API no longer returns the paper."""
    resolutions, papers, citations, citers = [], [], [], set()
    for entry, value in state.items():
        s2 = sid(entry)
        resolutions.append(Resolution(entry, s2, "batch-arxiv"))
        if value is None:
            continue
        count, names = value
        papers.append(
            Paper(s2, TITLES[entry], citation_count=count, influential_citation_count=count // 10)
        )
        citations += [Citation(sid(n), s2) for n in names]
        citations.append(Citation(s2, sid("a reference")))  # a reference: never a citer
        citers |= set(names)
    papers += [Paper(sid(n), citer_title(n)) for n in sorted(citers)]
    return Enrichment(
        resolutions=tuple(resolutions), papers=tuple(papers), citations=tuple(citations),
        failures=tuple(failures), truncated=tuple(sid(e) for e in truncated),
    )


# Known scenario: gains, new citers, a three-week gap before the third refresh, B vanishing from
# the API at the third and back at the fourth, D added and the dataset removed at the third.
REFRESHES = [
    (
        {A: (10, ["c1", "c2"]), B: (0, []), C: (200, ["c1", "c3"])},
        [A, B, C, SET],
        [candidate("x1"), candidate("x2")],
    ),
    (
        {A: (14, ["c1", "c2", "c4"]), B: (3, ["c4", "c5"]), C: (210, ["c1", "c3", "c6"])},
        [A, B, C, SET],
        [candidate("x2"), candidate("x3")],
    ),
    (
        {A: (30, ["c1", "c2", "c4", "c7"]), B: None, C: (240, ["c1", "c6"]), D: (1, ["c8"])},
        [A, B, C, D],
        [candidate("x3"), candidate("x4")],
    ),
    (
        {
            A: (32, ["c1", "c2", "c4", "c7"]), B: (5, ["c4", "c5", "c9"]),
            C: (250, ["c1", "c6", "c10"]), D: (2, ["c8", "c11"]),
        },
        [A, B, C, D],
        [candidate("x3"), candidate("x4")],
    ),
]


def record(history_dir, index: int, **kwargs):
    state, entries, candidates = REFRESHES[index]
    titles = {e: TITLES[e] for e in entries}
    enrichment = make_enrichment(state, **kwargs)
    return record_refresh(history_dir, enrichment, titles, candidates, DATES[index])


@pytest.fixture
def history_dir(tmp_path):
    for index in range(len(REFRESHES)):
        record(tmp_path / "history", index)
    return tmp_path / "history"


@pytest.fixture
def history(history_dir):
    return load_history(history_dir)


def paper(refresh, entry):
    return next(p for p in refresh.papers if p.entry == entry)


def citers(*names: str) -> frozenset[str]:
    return frozenset(sid(n) for n in names)


# ---------------------------------------------------------------- recording and replaying


def test_history_replays_full_citing_sets_from_differences(history_dir, history):
    names = sorted(p.name for p in history_dir.iterdir())
    assert names == [f"{d.isoformat()}.jsonl" for d in DATES]
    assert [r.date for r in history] == DATES
    for refresh, (state, _, _) in zip(history, REFRESHES):
        for entry, value in state.items():
            if value is not None:
                assert paper(refresh, entry).citers == citers(*value[1])
                assert paper(refresh, entry).citation_count == value[0]
    # the file holds differences: C lost c3 at the third refresh and gained nothing
    line = next(
        json.loads(text) for text in (history_dir / "2026-02-09.jsonl").read_text().splitlines()
        if json.loads(text).get("entry") == C
    )
    assert line["citers_added"] == [] and line["citers_removed"] == [sid("c3")]


def test_load_equals_snapshot_built_from_the_same_enrichment(history):
    state, entries, candidates = REFRESHES[2]
    built = snapshot_from_enrichment(
        make_enrichment(state), {e: TITLES[e] for e in entries}, candidates, DATES[2], history[1]
    )
    assert built == history[2]


def test_vanished_paper_carries_its_citers_and_has_no_count(history):
    vanished = paper(history[2], B)
    assert vanished.citation_count is None
    assert vanished.citers == citers("c4", "c5") and not vanished.citers_fetched
    assert paper(history[3], B).citers == citers("c4", "c5", "c9")


def test_same_day_rerun_only_adds_what_the_file_lacks(tmp_path):
    directory = tmp_path / "history"
    record(directory, 0)
    first = record(directory, 1)
    text = first.read_text()
    assert record(directory, 1).read_text() == text  # byte-identical re-run
    # a later answer that day, another count and a vanished paper, replaces nothing on file
    state = dict(REFRESHES[1][0], **{A: (99, ["c1"]), B: None})
    record_refresh(directory, make_enrichment(state), TITLES, [], DATES[1])
    assert first.read_text() == text
    # a paper the file has no count for gains one, its citers based on the refresh before
    record_refresh(directory, make_enrichment({A: REFRESHES[1][0][A]}), TITLES, [], DATES[2])
    third = record_refresh(directory, make_enrichment(REFRESHES[1][0]), TITLES, [], DATES[2])
    history = load_history(directory)
    assert [r.date for r in history] == DATES[:3]
    assert paper(history[2], A) == dataclasses.replace(paper(history[1], A), citers_fetched=True,
                                                       citers=citers("c1", "c2", "c4"))
    assert (paper(history[2], B).citation_count, paper(history[2], B).citers) == (
        3, citers("c4", "c5"))
    assert '"citers_added":[],' in next(x for x in third.read_text().splitlines() if B in x)


def test_recording_before_the_newest_refresh_is_refused(history_dir):
    with pytest.raises(StoreError, match="record refreshes in date order"):
        record_refresh(history_dir, Enrichment(), TITLES, [], dt.date(2026, 1, 20))


def test_citations_failure_keeps_the_previous_citing_set(tmp_path):
    directory = tmp_path / "history"
    record(directory, 0)
    failures = [Failure(sid(A), "citations", "SYNTHETIC timeout")]
    record(directory, 1, failures=failures)
    old, new = load_history(directory)
    assert paper(new, A).citers == paper(old, A).citers and not paper(new, A).citers_fetched
    assert paper(new, A).citation_count == 14  # the count itself still comes through
    assert all(A not in dict(c.cites) for c in changes_between(old, new).new_citers)


def test_positive_count_without_citation_rows_is_not_an_empty_set(tmp_path):
    directory = tmp_path / "history"
    record(directory, 0)
    record_refresh(directory, make_enrichment({A: (14, [])}), TITLES, [], DATES[1])
    assert paper(load_history(directory)[1], A).citers == citers("c1", "c2")


def test_truncated_citing_list_loses_nothing(tmp_path):
    directory = tmp_path / "history"
    record(directory, 0)
    enrichment = make_enrichment({A: (14, ["c4"])}, truncated=[A])
    record_refresh(directory, enrichment, TITLES, [], DATES[1])
    assert paper(load_history(directory)[1], A).citers == citers("c1", "c2", "c4")


def test_graph_gives_list_papers_and_datasets():
    graph = nx.MultiDiGraph()
    graph.add_node(A, kind="paper", in_list=True, title=TITLES[A], label="A")
    graph.add_node("paper:s2:" + sid("out"), kind="outside_paper", in_list=False, title="SYNTHETIC")
    graph.add_node(SET, kind="dataset", name=TITLES[SET], label="Set")
    graph.add_node("task:image-captioning", kind="task", name="Image Captioning", label="IC")
    refresh = snapshot_from_enrichment(make_enrichment({A: (10, ["c1"])}), graph, [], DATES[0])
    assert refresh.entries == {A: TITLES[A], SET: TITLES[SET]}


def test_broken_line_names_file_and_line(history_dir):
    path = history_dir / "2026-01-12.jsonl"
    lines = path.read_text().splitlines()
    lines[2] = lines[2][:-5]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(StoreError, match=r"2026-01-12\.jsonl:3: not JSON"):
        load_history(history_dir)


def test_wrong_field_type_names_file_and_line(history_dir):
    path = history_dir / "2026-01-05.jsonl"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace('"citation_count":10', '"citation_count":"ten"')
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(StoreError, match=r"2026-01-05\.jsonl:2: 'citation_count'"):
        load_history(history_dir)


def test_missing_middle_file_is_detected(history_dir):
    (history_dir / "2026-01-12.jsonl").unlink()
    expected = "2026-02-09.jsonl:1: differences are based on the refresh of 2026-01-12"
    with pytest.raises(StoreError, match=expected):
        load_history(history_dir)


def test_misnamed_file_is_refused(history_dir):
    (history_dir / "latest.jsonl").write_text("")
    with pytest.raises(StoreError, match="YYYY-MM-DD"):
        load_history(history_dir)


def test_no_directory_is_an_empty_history(tmp_path):
    assert load_history(tmp_path / "absent") == []


# ---------------------------------------------------------------- changes


def test_gains_absolute_and_relative(history):
    changes = changes_between(history[0], history[1])
    assert [(g.entry, g.absolute) for g in changes.top_gains()] == [(C, 10), (A, 4), (B, 3)]
    assert [g.entry for g in changes.top_gains(by="relative")] == [A, B, C]
    b = next(g for g in changes.gains if g.entry == B)
    assert b.relative == pytest.approx(3 / RELATIVE_GAIN_FLOOR)  # from 0: floored, finite
    assert (b.old_influential, b.new_influential) == (0, 0)


def test_new_citers_name_the_list_papers_they_cite(history):
    changes = changes_between(history[0], history[1])
    found = {c.s2_id: (c.title, [e for e, _ in c.cites]) for c in changes.new_citers}
    assert found == {
        sid("c4"): (citer_title("c4"), [A, B]),
        sid("c5"): (citer_title("c5"), [B]),
        sid("c6"): (citer_title("c6"), [C]),
    }
    assert changes.new_citers[0].s2_id == sid("c4")  # cites most list papers: first


def test_vanished_paper_is_reported_not_counted_as_a_loss(history):
    changes = changes_between(history[1], history[2])
    assert [(d.entry, d.citation_count, d.s2_id) for d in changes.disappeared] == [(B, 3, sid(B))]
    assert B not in {g.entry for g in changes.gains}
    assert [(g.entry, g.absolute) for g in changes.gains] == [(C, 30), (A, 16)]
    assert [c.s2_id for c in changes.new_citers] == [sid("c7")]  # c8 cites D, new to the list


def test_candidates_and_entries_added_and_removed(history):
    changes = changes_between(history[1], history[2])
    assert changes.candidates_added == (candidate("x4"),)
    assert changes.candidates_dropped == (candidate("x2"),)
    assert changes.entries_added == ((D, TITLES[D]),)
    assert changes.entries_removed == ((SET, TITLES[SET]),)


def test_reappeared_paper_compares_with_its_carried_citers(history):
    changes = changes_between(history[2], history[3])
    assert {c.s2_id for c in changes.new_citers} == {sid("c9"), sid("c10"), sid("c11")}
    assert not changes.disappeared


def test_reresolved_entry_is_reported_and_not_compared(tmp_path):
    directory = tmp_path / "history"
    record(directory, 0)
    moved = Enrichment(
        resolutions=(Resolution(A, sid("other"), "title-match"),),
        papers=(Paper(sid("other"), TITLES[A], citation_count=500),),
    )
    record_refresh(directory, moved, TITLES, [], DATES[1])
    changes = changes_between(*load_history(directory))
    found = [(r.entry, r.old_s2_id, r.new_s2_id) for r in changes.reresolved]
    assert found == [(A, sid(A), sid("other"))]
    assert A not in {g.entry for g in changes.gains}


def test_trends_leave_out_the_counts_of_a_previously_matched_paper(tmp_path):
    directory = tmp_path / "history"
    wrong = Enrichment(resolutions=(Resolution(A, sid("wrong"), "title-match"),),
                       papers=(Paper(sid("wrong"), TITLES[A], citation_count=900),))
    record_refresh(directory, wrong, {A: TITLES[A]}, [], DATES[0])
    for date, count in zip(DATES[1:], (5, 8, 11)):  # the pin's paper from now on
        right = Enrichment(resolutions=(Resolution(A, sid(A), "pinned"),),
                           papers=(Paper(sid(A), TITLES[A], citation_count=count),))
        record_refresh(directory, right, {A: TITLES[A]}, [], date)
    history = load_history(directory)
    points = [(d - DATES[1]).days for d in DATES[1:]]  # 0, 28, 35
    mean_x = sum(points) / 3
    slope = sum((x - mean_x) * (y - 8) for x, y in zip(points, (5, 8, 11))) / sum(
        (x - mean_x) ** 2 for x in points)
    assert citation_velocity(history, A) == pytest.approx(slope * 30)
    (rising,) = rising_papers(history)
    assert (rising.points, rising.first_date, rising.s2_id) == (3, DATES[1], sid(A))


def test_select_refreshes_last_and_since(history):
    assert select_refreshes(history) == (history[2], history[3])
    assert select_refreshes(history, "last") == (history[2], history[3])
    assert select_refreshes(history, "2026-01-20") == (history[1], history[3])  # in the gap
    assert select_refreshes(history, "2026-01-05") == (history[0], history[3])


@pytest.mark.parametrize(
    ("dates", "since", "message"),
    [
        ([], None, "no refresh recorded"),
        ([DATES[0]], None, r"only one refresh recorded \(2026-01-05\); run `rsvlm-graph enrich`"),
        (DATES, "2026-01-01", "no refresh recorded on or before 2026-01-01"),
        (DATES, "2026-02-16", None),
        (DATES, "last week", "neither 'last' nor a date"),
    ],
)
def test_select_refreshes_errors(history, dates, since, message):
    chosen = [r for r in history if r.date in dates]
    if message is None:  # the newest is on or before --since: the one before it is compared
        assert select_refreshes(chosen, since) == (history[2], history[3])
        return
    with pytest.raises(RsvlmGraphError, match=message):
        select_refreshes(chosen, since)


def test_titles_from_intermediate_refreshes(history):
    old, new = select_refreshes(history, "2026-01-12")
    without = {c.s2_id: c.title for c in changes_between(old, new).new_citers}
    assert without.keys() == {sid("c7"), sid("c9"), sid("c10")}
    assert without[sid("c7")] is None  # c7 started citing at the intermediate refresh
    titled = changes_between(old, new, citer_titles(history))
    assert {c.s2_id: c.title for c in titled.new_citers}[sid("c7")] == citer_title("c7")


def test_markdown_contains_the_expected_rows(history):
    text = format_changes(changes_between(history[0], history[1]), "md")
    url = "https://www.semanticscholar.org/paper/"
    assert text.startswith("## Citation changes 2026-01-05 → 2026-01-12 (7 days)")
    assert f"| [SYNTHETIC Paper C]({url}{sid(C)}) | 200 → 210 | +10 | +5% |" in text
    assert f"| [SYNTHETIC Paper B]({url}{sid(B)}) | 0 → 3 | +3 | +30% |" in text
    c4 = f"[{citer_title('c4')}]({url}{sid('c4')})"
    assert f"| {c4} | SYNTHETIC Paper A; SYNTHETIC Paper B |" in text
    assert f"| [SYNTHETIC candidate x3]({url}{sid('x3')}) | new |" in text
    assert f"| [SYNTHETIC candidate x1]({url}{sid('x1')}) | dropped: no longer returned |" in text
    assert "3 papers gained 17 citations; 3 new citing papers" in text
    assert "List entries" not in text  # empty sections are left out


def test_markdown_escapes_table_syntax(history):
    changes = changes_between(history[1], history[2])
    renamed = dataclasses.replace(changes, entries_added=((D, "SYNTHETIC a | b [c]"),))
    assert "| SYNTHETIC a \\| b [c] | added |" in format_changes(renamed, "md")


def test_table_and_json(history):
    changes = changes_between(history[1], history[2])
    table = format_changes(changes, "table")
    assert "No longer returned by Semantic Scholar" in table
    rows = [line.split() for line in table.splitlines()]
    assert ["SYNTHETIC", "Paper", "B", "3"] in rows
    data = json.loads(format_changes(changes, "json"))
    assert data["days"] == 28
    assert [(g["entry"], g["absolute"]) for g in data["gains"]] == [(C, 30), (A, 16)]
    assert data["disappeared"] == [
        {"entry": B, "title": TITLES[B], "s2_id": sid(B), "citation_count": 3}
    ]
    with pytest.raises(RsvlmGraphError, match="unknown changes format"):
        format_changes(changes, "html")  # type: ignore[arg-type]


# ---------------------------------------------------------------- trends


def test_velocity_uses_real_days_across_the_gap(history):
    # A: 10, 14, 30 at days 0, 7, 35 → least-squares slope 392 / 686 per day
    assert citation_velocity(history[:3], A) == pytest.approx(392 / 686 * 30)
    assert citation_velocity(history[:3], sid(A)) == citation_velocity(history[:3], A)
    # the same counts a week apart each would be a much steeper line: 140 / 98 per day
    weekly = [
        dataclasses.replace(r, date=DATES[0] + dt.timedelta(days=7 * i))
        for i, r in enumerate(history[:3])
    ]
    assert citation_velocity(weekly, A) == pytest.approx(140 / 98 * 30)


def test_velocity_skips_refreshes_without_a_count(history):
    # B: 0, 3, (vanished), 5 at days 0, 7, 42
    xs, ys = [0, 7, 42], [0, 3, 5]
    mx, my = sum(xs) / 3, sum(ys) / 3
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    assert citation_velocity(history, B) == pytest.approx(slope * 30)
    assert citation_velocity(history[:1], A) is None
    assert citation_velocity(history, "paper:unknown") is None


def test_rising_papers_by_velocity_and_growth(history):
    assert [r.entry for r in rising_papers(history)] == [C, A, D, B]
    assert [r.entry for r in rising_papers(history, by="growth")] == [A, D, B, C]
    assert [r.entry for r in rising_papers(history, min_points=3)] == [C, A, B]  # D has two
    assert B not in {r.entry for r in rising_papers(history[:3])}  # no count at the newest
    top = rising_papers(history, top=1)[0]
    assert (top.citation_count, top.points) == (250, 4)
    assert (top.first_date, top.last_date) == (DATES[0], DATES[3])
    assert top.growth == pytest.approx(top.velocity / 200)
    with pytest.raises(ValueError):
        rising_papers(history, min_points=1)


# ---------------------------------------------------------------- plot


def task_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    tasks_of = {A: ("Image Captioning",), B: ("Image Captioning",), C: ("Visual Grounding",), D: ()}
    for entry, tasks in tasks_of.items():
        graph.add_node(entry, kind="paper", in_list=True, title=TITLES[entry], tasks=tasks)
    return graph


def test_plot_is_deterministic_svg(history, tmp_path):
    first, second = (
        plot_citations_over_time(history, task_graph(), tmp_path / d / "citations.svg", per_task=1)
        for d in ("a", "b")
    )
    assert first is not None and second is not None
    svg = first.read_bytes()
    assert svg.startswith(b"<?xml") and svg == second.read_bytes()
    assert b"<dc:date>" not in svg and b"Matplotlib v" not in svg
    assert b"Image Captioning" in svg and b"Visual Grounding" in svg
    assert b"SYNTHETIC Paper A" in svg and b"SYNTHETIC Paper B" not in svg  # per_task=1: A leads


def test_plot_needs_two_refreshes(history, tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="rsvlm_graph.exports.report"):
        assert plot_citations_over_time(history[:1], task_graph(), tmp_path / "c.svg") is None
    assert "two are needed" in caplog.text
    assert not (tmp_path / "c.svg").exists()


# ---------------------------------------------------------------- history by fetch date


def dated(enrichment: Enrichment, days: dict[str, dt.date]) -> Enrichment:
    """The enrichment with each list paper's record dated: entry → the day it was fetched."""
    stamps = {sid(e): f"{d.isoformat()}T09:30:00Z" for e, d in days.items()}
    return dataclasses.replace(enrichment, papers=tuple(
        dataclasses.replace(p, fetched_at=stamps.get(p.s2_paper_id)) for p in enrichment.papers))


def test_each_fetch_date_gets_the_papers_fetched_that_day(tmp_path):
    from rsvlm_graph.citations.refreshes import record_fetched, refreshes_by_fetch_date

    history_dir = tmp_path / "history"
    state = {A: (10, ["c1", "c2"]), C: (200, ["c1", "c3"])}
    # a run killed on Jan 5 after A, resumed on Jan 6 for C: nothing was recorded in between
    enrichment = dated(make_enrichment(state), {A: DATES[0], C: DATES[0] + dt.timedelta(days=1)})
    titles = {A: TITLES[A], C: TITLES[C]}
    written = record_fetched(history_dir, enrichment, titles, [])
    assert [p.name for p in written] == ["2026-01-05.jsonl", "2026-01-06.jsonl"]
    first, second = load_history(history_dir)
    assert (paper(first, A).citation_count, paper(first, A).citers_fetched) == (10, True)
    assert paper(first, C).citation_count is None and not paper(first, C).citers_fetched
    assert paper(first, C).citers is None  # C's citers were not known on Jan 5
    # on Jan 6, A is carried from Jan 5 and C is fetched
    assert not paper(second, A).citers_fetched and paper(second, A).citers == citers("c1", "c2")
    assert paper(second, C).citers_fetched and paper(second, C).citers == citers("c1", "c3")

    # re-running on the same data adds nothing: no new file, no rewritten one
    before = {p.name: p.read_bytes() for p in history_dir.iterdir()}
    assert record_fetched(history_dir, enrichment, titles, []) == []
    assert refreshes_by_fetch_date(enrichment, titles, [], load_history(history_dir)) == []
    assert {p.name: p.read_bytes() for p in history_dir.iterdir()} == before

    # a week later A is fetched again with a new citer: one file, for that day only
    later = dated(make_enrichment({A: (11, ["c1", "c2", "c4"]), C: (200, ["c1", "c3"])}),
                  {A: DATES[1], C: DATES[0] + dt.timedelta(days=1)})
    assert [p.name for p in record_fetched(history_dir, later, titles, [])] == ["2026-01-12.jsonl"]
    third = load_history(history_dir)[-1]
    assert paper(third, A).citation_count == 11 and paper(third, A).citers_fetched
    assert paper(third, C).citation_count == 200 and not paper(third, C).citers_fetched


def test_the_newest_day_is_recorded_again_only_when_it_fetched_more(tmp_path):
    from rsvlm_graph.citations.refreshes import record_fetched

    history_dir = tmp_path / "history"
    titles = {A: TITLES[A], C: TITLES[C]}
    state = {A: (10, ["c1"]), C: (200, ["c3"])}
    record_fetched(history_dir, dated(make_enrichment({A: state[A]}), {A: DATES[0]}), titles, [])
    # later that day C was fetched too: the day's file now holds both
    both = dated(make_enrichment(state), {A: DATES[0], C: DATES[0]})
    assert [p.name for p in record_fetched(history_dir, both, titles, [])] == ["2026-01-05.jsonl"]
    (only,) = load_history(history_dir)
    assert paper(only, C).citation_count == 200 and paper(only, C).citers_fetched


def test_a_paper_s2_answers_null_for_has_no_count_after_its_record(tmp_path):
    from rsvlm_graph.citations.refreshes import record_fetched

    history_dir = tmp_path / "history"
    titles = {A: TITLES[A], C: TITLES[C]}
    first = dated(make_enrichment({A: (10, ["c1"]), C: (200, ["c3"])}), {A: DATES[0], C: DATES[0]})
    (path,) = record_fetched(history_dir, first, titles, [])
    committed = path.read_bytes()
    # a week later S2 answers null for C: the store still holds C's record of the first day
    gone = Failure(sid(C), "metadata", "Semantic Scholar returned no record", True)
    later = dated(make_enrichment({A: (12, ["c1", "c2"]), C: (200, ["c3"])}, failures=[gone]),
                  {A: DATES[1], C: DATES[0]})
    assert [p.name for p in record_fetched(history_dir, later, titles, [])] == ["2026-01-12.jsonl"]
    assert path.read_bytes() == committed
    old, new = load_history(history_dir)
    assert paper(new, C).citation_count is None and paper(new, C).s2_id == sid(C)
    assert paper(new, C).citers == citers("c3") and not paper(new, C).citers_fetched
    changes = changes_between(old, new)
    assert [(d.entry, d.citation_count) for d in changes.disappeared] == [(C, 200)]


# A SYNTHETIC store over a run sequence: per run, each list paper is fetched again (count beyond
# its citing rows, citing papers), kept as stored (fresh, or its fetch failed), or answered null
# (the store keeps its old record); the list, the candidates and citation failures vary too.
_FETCH = st.tuples(st.just("fetch"), st.integers(0, 2), st.frozensets(st.sampled_from(
    ["c1", "c2", "c3", "c4"])))
_RUN = st.tuples(
    st.integers(0, 2),  # days since the run before
    st.fixed_dictionaries({e: st.one_of(st.just("keep"), st.just("null"), _FETCH)
                           for e in (A, B, C, D)}),
    st.frozensets(st.sampled_from([A, B, C, D, SET]), min_size=1),  # the list's entries
    st.frozensets(st.sampled_from(["x1", "x2", "x3"])),  # candidates
    st.frozensets(st.sampled_from([A, B, C, D])),  # citation pages that failed
)


def _lines(data: bytes) -> tuple[dict[str, dict], set[str]]:
    """Paper lines by entry, and every other line."""
    papers, others = {}, set()
    for line in data.decode().splitlines():
        record = json.loads(line)
        if record["kind"] == "paper":
            papers[record["entry"]] = record
        else:
            others.add(line)
    return papers, others


@settings(max_examples=150, deadline=None)
@given(st.lists(_RUN, min_size=1, max_size=6))
def test_refreshes_never_take_anything_from_a_file_on_disk(runs):
    """Whatever the runs fetch, files before the newest keep their bytes, and the newest only
    fills in what it held as null (docs/history.md, "A file on disk only ever gains")."""
    import tempfile

    from rsvlm_graph.citations.refreshes import record_fetched

    store: dict[str, tuple[int, frozenset[str], dt.date]] = {}
    day = DATES[0]
    with tempfile.TemporaryDirectory() as tmp:
        history_dir = pathlib.Path(tmp) / "history"
        for gap, actions, listed, candidates, failed in runs:
            day += dt.timedelta(days=gap)
            gone = set()
            for entry, action in actions.items():
                if action == "null" and entry in store:
                    gone.add(entry)
                elif isinstance(action, tuple):
                    _, extra, names = action
                    store[entry] = (len(names) + extra, names, day)
            enrichment = dated(
                make_enrichment(
                    {e: (count, sorted(names)) for e, (count, names, _) in store.items()},
                    failures=[Failure(sid(e), "metadata", "SYNTHETIC null", True) for e in gone]
                    + [Failure(sid(e), "citations", "SYNTHETIC timeout") for e in failed],
                ),
                {e: fetched for e, (_, _, fetched) in store.items()},
            )
            titles = {e: TITLES[e] for e in listed}
            shortlist = [candidate(x) for x in sorted(candidates)]
            before = {p.name: p.read_bytes() for p in history_dir.glob("*.jsonl")}
            newest = max(before, default=None)

            written = record_fetched(history_dir, enrichment, titles, shortlist)

            after = {p.name: p.read_bytes() for p in history_dir.glob("*.jsonl")}
            assert all(newest is None or p.name >= newest for p in written)
            for name, data in before.items():
                if name != newest:
                    assert after[name] == data, name
            if newest is not None and after[newest] != before[newest]:
                old_papers, old_others = _lines(before[newest])
                new_papers, new_others = _lines(after[newest])
                assert {x for x in old_others if '"kind":"citer"' not in x} \
                    == {x for x in new_others if '"kind":"citer"' not in x}
                assert old_others <= new_others
                for entry, line in old_papers.items():
                    assert {k: v for k, v in line.items() if v is not None}.items() \
                        <= new_papers[entry].items(), entry
            for path in (p for p in written if p.name not in before):  # a new file
                recorded, _ = _lines(path.read_bytes())
                for entry in gone & recorded.keys():
                    if path.name > f"{store[entry][2].isoformat()}.jsonl":
                        assert recorded[entry]["citation_count"] is None, (path.name, entry)
            # and the same run again records nothing
            assert record_fetched(history_dir, enrichment, titles, shortlist) == []


def test_a_dropped_candidate_says_why_it_left():
    """SYNTHETIC refreshes: four candidates leave the shortlist, each for another reason."""
    day = dt.date(2026, 1, 5)
    shortlist = tuple((sid(n), f"SYNTHETIC candidate {n}") for n in ("in", "no", "down", "gone"))
    old = Refresh(day, papers=(PaperRecord("paper:a", "SYNTHETIC Paper A", sid("A"), 5, 0,
                                           frozenset({sid("down")}), True),), candidates=shortlist)
    new = Refresh(day + dt.timedelta(days=7), papers=(
        PaperRecord("paper:a", "SYNTHETIC Paper A", sid("A"), 6, 0, frozenset({sid("down")}), True),
        PaperRecord("paper:in", "SYNTHETIC candidate in", sid("in"), 1, 0, frozenset(), True)))
    changes = changes_between(old, new, is_rejected=lambda s2, title: s2 == sid("no"))
    assert changes.why_dropped == {sid("in"): "added to the list", sid("no"): "rejected",
                                   sid("down"): "outranked", sid("gone"): "no longer returned"}
    record = json.loads(format_changes(changes, "json"))
    assert {c["title"]: c["why"] for c in record["candidates_dropped"]}["SYNTHETIC candidate in"] \
        == "added to the list"
    assert "(1 added to the list, 1 rejected, 1 outranked, 1 no longer returned)" in \
        format_changes(changes, "md")
    # discovery's candidates now, when known, decide what is still returned
    now = changes_between(old, new, candidates_now={sid("gone")})
    assert now.why_dropped[sid("gone")] == "outranked" and now.why_dropped[sid("down")] == \
        "no longer returned"


def test_a_record_dated_after_today_makes_no_history_file(tmp_path, caplog):
    from rsvlm_graph.citations.refreshes import record_fetched

    history_dir = tmp_path / "history"
    state = {A: (10, ["c1", "c2"]), C: (200, ["c1", "c3"])}
    enrichment = dated(make_enrichment(state), {A: DATES[0], C: dt.date(9999, 12, 31)})
    titles = {A: TITLES[A], C: TITLES[C]}
    with caplog.at_level("WARNING"):
        written = record_fetched(history_dir, enrichment, titles, [], today=DATES[0])
    assert [p.name for p in written] == ["2026-01-05.jsonl"]
    assert "9999-12-31" in caplog.text
    (only,) = load_history(history_dir)
    assert paper(only, C).citation_count is None  # its count is not known on any real date
