"""The main job, step by step: list → enrichment → graph → analyses → files in ``exports/``.

The CLI calls these functions; they hold no presentation (no printing, no progress drawing), so
tests run the whole job in-process and check what it returns and writes.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import networkx as nx

from .citations.refreshes import Refresh
from .config import DEFAULT_KG_DIR, DEFAULT_OUT_DIR, Settings
from .discovery import Candidate, discover_candidates
from .enrich import ProgressCallback, enrich
from .errors import ExportError, HistoryError, ListParseError
from .graph import build_graph, count_kinds, not_enriched
from .listfile.curation import Curation, load_curation
from .listfile.parse import read_list
from .listfile.rows import with_rows
from .models import Enrichment, ListDocument, iso_utc
from .ranking import RankedPaper, rank_papers
from .sources.arxiv import ArxivSource
from .sources.semantic_scholar import SemanticScholarSource
from .steps import step
from .store import Store, read_snapshot

__all__ = [
    "Inputs",
    "BuildResult",
    "load_inputs",
    "Fetched",
    "fetch_enrichment",
    "load_enrichment",
    "Loaded",
    "load_graph",
    "record_history",
    "run_build",
    "DEFAULT_KG_DIR",
    "DEFAULT_OUT_DIR",
]

log = logging.getLogger(__name__)

#: discovery candidates shown in the default HTML view and the report
VIEW_CANDIDATES = 30


@dataclass(frozen=True, slots=True)
class Inputs:
    """Where the curated input lives; everything else in ``kg/`` sits beside the list."""

    list_path: Path

    @property
    def kg_dir(self) -> Path:
        return self.list_path.parent

    @property
    def curation_path(self) -> Path:
        return self.kg_dir / "curation.toml"

    @property
    def snapshot_path(self) -> Path:
        return self.kg_dir / "snapshot.jsonl"

    @property
    def history_dir(self) -> Path:
        return self.kg_dir / "history"


def load_inputs(inputs: Inputs) -> tuple[ListDocument, Curation]:
    """Read the curation file, then the list with it (aliases and ignores apply while parsing)."""
    with step("read list"):
        curation = load_curation(inputs.curation_path)
        return read_list(inputs.list_path, curation), curation


@dataclass(frozen=True, slots=True)
class Fetched:
    """What enrichment knows after a run, and the requests the run sent per endpoint."""

    enrichment: Enrichment
    requests: dict[str, int]
    started_at: str  # ISO 8601 UTC, the format of every record's fetched_at

    @property
    def reached_semantic_scholar(self) -> bool:
        """Whether Semantic Scholar answered with a paper during this run.

        Only then are the figures today's: a run that met 429s, an outage or nothing stale
        holds the figures of an earlier day, which must not be recorded under today's date.
        """
        return any(
            p.source == "semanticscholar" and p.fetched_at and p.fetched_at >= self.started_at
            for p in self.enrichment.papers
        )


def fetch_enrichment(
    document: ListDocument,
    curation: Curation,
    inputs: Inputs,
    settings: Settings,
    *,
    offline: bool,
    progress: ProgressCallback | None = None,
    now: Callable[[], datetime] | None = None,
) -> Fetched:
    """Return what is known about the list: the committed snapshot, the store, and, unless
    ``offline``, what the APIs add for entries that are missing or stale."""
    now = now or (lambda: datetime.now(timezone.utc))
    started_at = iso_utc(now())
    with step("read snapshot"):
        snapshot = read_snapshot(inputs.snapshot_path)
    with ExitStack() as stack, step("enrich"):
        store = stack.enter_context(Store(settings.database_path))
        store.import_enrichment(snapshot)
        sources: list[SemanticScholarSource | ArxivSource] = []
        s2 = arxiv = None
        if not offline:
            s2 = SemanticScholarSource(settings)
            stack.callback(s2.close)
            arxiv = ArxivSource(settings)
            stack.callback(arxiv.close)
            sources = [s2, arxiv]
        enrichment = enrich(
            document, curation, s2=s2, arxiv=arxiv, store=store, settings=settings,
            now=now, progress=progress, offline=offline,
        )
        requests: Counter[str] = Counter()
        for source in sources:
            requests.update(source.request_counts)
        return Fetched(enrichment, dict(sorted(requests.items())), started_at)


def load_enrichment(
    document: ListDocument, curation: Curation, inputs: Inputs, settings: Settings
) -> Enrichment:
    """Return what is known without any request: the snapshot and the store."""
    return fetch_enrichment(document, curation, inputs, settings, offline=True).enrichment


@dataclass(frozen=True, slots=True)
class Loaded:
    """The list, its curation, what is known offline, and the graph of them."""

    document: ListDocument
    curation: Curation
    enrichment: Enrichment
    graph: nx.MultiDiGraph

    @classmethod
    def build(cls, document: ListDocument, curation: Curation, enrichment: Enrichment) -> Loaded:
        with step("graph"):
            return cls(document, curation, enrichment, build_graph(document, curation, enrichment))

    def candidates(self, *, year_now: int, **options: int | None) -> list[Candidate]:
        """Discovery over this graph, with the list's recommendations, rejections and rows.

        ``options`` are ``discover_candidates``' ``since``, ``min_links`` and ``top``.
        """
        candidates = discover_candidates(
            self.graph, recommended=self.enrichment.recommendations,
            is_rejected=self.curation.is_rejected, year_now=year_now, **options,
        )
        return with_rows(candidates, self.document.entries, self.document.text)


def load_graph(inputs: Inputs, settings: Settings) -> Loaded:
    """Build the graph from the list, the snapshot and the store, without any request.

    Analyses and maintainer commands use this: they never wait on an API.
    """
    document, curation = load_inputs(inputs)
    return Loaded.build(document, curation, load_enrichment(document, curation, inputs, settings))


def record_history(loaded: Loaded, inputs: Inputs, day: date, *, year_now: int) -> Path:
    """Append this refresh's citation counts, citers and discovery shortlist to ``kg/history/``."""
    from .citations.refreshes import record_refresh

    candidates = loaded.candidates(year_now=year_now, top=VIEW_CANDIDATES)
    shortlist = [(c.s2_id, c.title) for c in candidates if c.s2_id]
    return record_refresh(inputs.history_dir, loaded.enrichment, loaded.graph, shortlist, day)


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build produced, for the CLI's summary."""

    loaded: Loaded
    ranking: tuple[RankedPaper, ...]
    candidates: tuple[Candidate, ...]
    written: tuple[tuple[Path, int], ...]  # (path, size in bytes)
    view_nodes: int

    @property
    def counts(self) -> dict[str, int]:
        return count_kinds(self.loaded.graph)

    @property
    def not_enriched(self) -> list[tuple[str, str, str]]:
        return not_enriched(self.loaded.graph, self.loaded.enrichment)


def _list_growth(document: ListDocument) -> list[tuple[str, int]]:
    from .listfile.history import entry_history, growth_by_month

    try:
        return growth_by_month(entry_history(Path(document.path), document))
    except (HistoryError, ListParseError) as exc:  # no git history, or an unreadable version
        log.info("no list growth: %s", exc)
        return []


def run_build(
    loaded: Loaded,
    out_dir: Path,
    *,
    year_now: int,
    history: Sequence[Refresh] = (),
    validate_all: bool = True,
) -> BuildResult:
    """Build the graph and write every export into ``out_dir``; validates the RDF before writing.

    ``history`` (the recorded refreshes) feeds the report's trends; the list's growth comes from
    the git log of the list file when it is in a git repository. With ``validate_all`` false only
    the list level is validated (``exports.rdf.list_level``): at 1M citations checking every
    triple takes minutes and gigabytes, while the list's own papers and what they link to take
    a second.
    """
    with step("import exporters"):  # pyvis, matplotlib, rdflib: seconds, needed only here
        from .exports.annotated_list import write_annotated_list
        from .exports.html import build_page, select_view, write_page
        from .exports.rdf import (
            list_level,
            statements_to_rdf,
            to_statements,
            validate,
            write_jsonld,
            write_turtle,
        )
        from .exports.report import write_report
        from .exports.tables import write_csv, write_graphml

    G, document = loaded.graph, loaded.document
    with step("rank"):
        ranking = tuple(rank_papers(G, year_now=year_now))
    with step("discover"):
        candidates = tuple(loaded.candidates(year_now=year_now))
    with step("rdf statements"):
        statements = to_statements(G)  # the writers format these directly: rdflib's are too slow
    with step("validate"):  # fail loudly before anything is written
        validate(statements_to_rdf(statements if validate_all else list_level(statements)))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot create the output folder ({exc}); "
                          "pass a writable --out") from exc
    paths = [out_dir / "graph.ttl", out_dir / "graph.jsonld", out_dir / "graph.graphml"]
    with step("turtle"):
        write_turtle(statements, paths[0])
    with step("json-ld"):
        write_jsonld(statements, paths[1])
    with step("graphml"):
        write_graphml(G, paths[2])
    nodes_csv, edges_csv = out_dir / "nodes.csv", out_dir / "edges.csv"
    with step("csv"):
        write_csv(G, nodes_csv, edges_csv)
    html_path = out_dir / "graph.html"
    with step("html"):
        view = select_view(G, [c.node for c in candidates[:VIEW_CANDIDATES]], VIEW_CANDIDATES)
        write_page(build_page(view, G.nodes[G.graph["list"]]["title"]), html_path)
    with step("list history"):
        growth = _list_growth(document)
    with step("report"):
        report_paths = write_report(
            G, out_dir, candidates=candidates, ranking=ranking, history=history, growth=growth,
        )
    with step("annotated list"):
        annotated = write_annotated_list(Path(document.path), document, G, out_dir)
    written = [*paths, nodes_csv, edges_csv, html_path, annotated, *report_paths]
    return BuildResult(
        loaded=loaded, ranking=ranking, candidates=candidates, written=tuple((p, p.stat().st_size) for p in written),
        view_nodes=view.number_of_nodes(),
    )
