"""A refresh fetches citation and reference pages only where the counts moved (SYNTHETIC data)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from test_enrich import World, sid

from rsvlm_graph.models import Citation
from rsvlm_graph.refresh_plan import PagesOnFile, plan_pages

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
WEEK, MONTH = timedelta(days=7), timedelta(weeks=4)


def plan(counts, on_file, **kwargs):
    options = dict(now=NOW, full_every=MONTH, stale_after=WEEK)
    return plan_pages(list(counts), counts, on_file, **{**options, **kwargs})


def test_only_changed_counts_and_never_fetched_papers_are_fetched():
    on_file = {"same": PagesOnFile(4, NOW - WEEK), "moved": PagesOnFile(4, NOW - WEEK)}
    p = plan({"same": 4, "moved": 5, "new": 2}, on_file)
    assert (p.fetch, p.keep, p.empty) == (("moved", "new"), ("same",), ())
    assert dict(p.reasons) == {"moved": "count changed", "new": "never fetched"}


def test_zero_counts_need_no_request_and_replace_gone_citers():
    on_file = {"was": PagesOnFile(3, NOW - WEEK), "still": PagesOnFile(0, NOW - WEEK)}
    p = plan({"was": 0, "still": 0, "never": 0}, on_file, full=True)
    assert (p.fetch, p.empty, p.keep) == ((), ("was", "never"), ("still",))


def test_a_full_check_is_due_after_the_interval_and_with_full():
    old = {"a": PagesOnFile(4, NOW - MONTH), "b": PagesOnFile(4, NOW - MONTH + timedelta(hours=1))}
    p = plan({"a": 4, "b": 4}, old)
    assert p.fetch == ("a",) and p.reasons["a"] == "full check due" and p.keep == ("b",)
    assert plan({"a": 4, "b": 4}, old, full=True).fetch == ("a", "b")
    assert plan({"a": 4, "b": 4}, old, full_every=timedelta(0)).fetch == ("a", "b")


@pytest.mark.parametrize("count, stored", [(None, 4), (4, None)])
def test_an_unknown_count_falls_back_to_the_freshness_window(count, stored):
    assert plan({"a": count}, {"a": PagesOnFile(stored, NOW - timedelta(days=3))}).keep == ("a",)
    aged = plan({"a": count}, {"a": PagesOnFile(stored, NOW - WEEK)})
    assert aged.fetch == ("a",) and aged.reasons["a"] == "count unknown"


# --- through enrich ----------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    # SYNTHETIC counts that agree with the fake's edges: arx is cited twice, doi once, typo
    # never; typo cites one paper, doi one, arx none
    counts = {"arx": (2, 0), "doi": (1, 1), "typo": (0, 1)}
    for name, (cited, citing) in counts.items():
        w.papers[name] = dataclasses.replace(w.papers[name], citation_count=cited,
                                             reference_count=citing)
    yield w
    w.store.close()


def test_a_week_later_only_the_paper_that_gained_a_citer_is_paged(world):
    first = world.run()
    # every list in one nested batch (typo has no citation, arx cites nothing: none asked)
    assert world.s2.request_counts["nested"] == 1 and not world.s2.request_counts["citations"]
    cited_by = {c.citing for c in first.citations if c.cited == sid("doi")}
    before = Counter(world.s2.request_counts)

    world.edges.append(Citation(sid("out2"), sid("doi")))  # SYNTHETIC: a new citer of doi
    world.papers["doi"] = dataclasses.replace(world.papers["doi"], citation_count=2)
    world.clock[0] += timedelta(days=8)
    second = world.run()
    sent = world.s2.request_counts - before
    # the counts in one batch, doi's lists nested in another
    assert sent == Counter(batch=1, nested=1, bulk=1, match=1, recommendations=1)
    assert {c.citing for c in second.citations if c.cited == sid("doi")} == cited_by | {sid("out2")}
    # arx kept its citers although its pages were not fetched again
    assert {c.citing for c in second.citations if c.cited == sid("arx")} == {sid("doi"), sid("out1")}


def test_the_full_refresh_comes_after_its_interval_or_with_the_flag(world):
    world.run()
    before = Counter(world.s2.request_counts)
    asked = []
    world.s2.fault = lambda method, ids: asked.append(ids) if method == "nested" else None
    world.run(full=True)  # inside the freshness window: only the lists, every one of them
    assert world.s2.request_counts - before == Counter(nested=1)
    assert sorted(asked[-1]) == sorted([sid("arx"), sid("doi"), sid("typo")])
    before = Counter(world.s2.request_counts)
    world.clock[0] += timedelta(weeks=world.settings.full_refresh_weeks)
    world.run()
    sent = world.s2.request_counts - before
    assert sent["nested"] == 1 and sorted(asked[-1]) == sorted([sid("arx"), sid("doi"),
                                                                sid("typo")])


def test_a_run_killed_after_the_counts_still_fetches_the_changed_pages(world):
    world.run()
    world.papers["arx"] = dataclasses.replace(world.papers["arx"], citation_count=3)
    world.edges.append(Citation(sid("out2"), sid("arx")))
    world.clock[0] += timedelta(days=8)

    def killed(method, arg):
        if method == "nested":
            raise KeyboardInterrupt  # the run dies after the batch stored the new counts
    world.s2.fault = killed
    with pytest.raises(KeyboardInterrupt):
        world.run()
    world.s2.fault = lambda method, arg: None
    before = Counter(world.s2.request_counts)
    resumed = world.run()
    sent = world.s2.request_counts - before
    assert (sent["nested"], sent["batch"]) == (1, 0)  # the counts were kept before the kill
    assert sid("out2") in {c.citing for c in resumed.citations if c.cited == sid("arx")}
