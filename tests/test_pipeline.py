"""Pipeline decisions that are not visible from one CLI run (SYNTHETIC records)."""

from __future__ import annotations

from rsvlm_graph.models import Enrichment, Failure, Paper
from rsvlm_graph.pipeline import Fetched

EARLIER = Paper("a" * 40, "Alpha", fetched_at="2026-11-20T08:00:00Z")
TODAY = Paper("b" * 40, "Beta", fetched_at="2026-11-27T10:00:05Z")
RUN_START = "2026-11-27T10:00:00Z"


def test_figures_of_an_earlier_run_are_not_todays():
    # S2 answered only 429 in this run: every paper known comes from the snapshot of last week
    rate_limited = Enrichment(
        papers=(EARLIER,), failures=(Failure("paper:x", "citations", "rate limited: set S2_API_KEY"),)
    )
    assert not Fetched(rate_limited, {"batch": 6, "citations": 6}, RUN_START).reached_semantic_scholar


def test_a_paper_fetched_in_this_run_makes_the_figures_todays():
    assert Fetched(Enrichment(papers=(EARLIER, TODAY)), {"batch": 1}, RUN_START).reached_semantic_scholar


def test_an_offline_run_reached_nothing():
    assert not Fetched(Enrichment(), {}, RUN_START).reached_semantic_scholar
