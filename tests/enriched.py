"""An enriched graph for the page's tests, benchmarks and screenshots: a list enriched from the
fake API's SYNTHETIC corpus (``corpus_for_list``), as ``rsvlm-graph build`` would see it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from conftest import FAKE_API_KEY
from fakeapi.corpus import corpus_for_list
from fakeapi.server import FakeApi

from rsvlm_graph.config import Settings
from rsvlm_graph.discovery import Candidate
from rsvlm_graph.pipeline import VIEW_CANDIDATES, Inputs, Loaded, load_inputs, refresh
from rsvlm_graph.ranking import RankedPaper, rank_papers

#: the fixed "now" of the enrichment and of the rankings
NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Enriched:
    loaded: Loaded
    ranking: list[RankedPaper]
    candidates: list[Candidate]


def enriched(list_path: Path, work: Path) -> Enriched:
    """Enrich a copy of ``list_path`` (and its curation file, when there is one) in ``work``."""
    kg = work / "kg"
    kg.mkdir(parents=True, exist_ok=True)
    shutil.copy(list_path, kg / "awesome-list.md")
    if (list_path.parent / "curation.toml").exists():
        shutil.copy(list_path.parent / "curation.toml", kg / "curation.toml")
    inputs = Inputs(kg / "awesome-list.md")
    document, curation = load_inputs(inputs)
    with FakeApi(corpus_for_list(document)) as api:
        settings = Settings(
            s2_api_key=FAKE_API_KEY, s2_api_url=api.s2_url, arxiv_api_url=api.arxiv_url,
            cache_dir=work / "cache", timeout=10.0, retries=3, s2_rate=1000.0,
            arxiv_interval=0.0, clock=lambda: NOW,
        )
        fetched = refresh(inputs, document, curation, settings).fetched
    loaded = Loaded.build(document, curation, fetched.enrichment)
    return Enriched(
        loaded=loaded,
        ranking=rank_papers(loaded.graph, year_now=NOW.year),
        candidates=loaded.candidates(year_now=NOW.year)[:VIEW_CANDIDATES],
    )
