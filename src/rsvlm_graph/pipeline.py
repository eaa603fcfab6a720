"""The main job, step by step: list → enrichment → graph → analyses → files in ``exports/``.

The CLI calls these functions; they hold no presentation (no printing, no progress drawing), so
tests run the whole job in-process and check what it returns and writes.
"""

from __future__ import annotations

import functools
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from .citations.refreshes import Refresh
from .config import DEFAULT_KG_DIR, DEFAULT_OUT_DIR, Settings
from .discovery import Candidate, KindFilter, discover_candidates, peer_listings
from .enrich import ProgressCallback, enrich, not_on_file, planned_requests
from .errors import ExportError, HistoryError, ListParseError, RsvlmGraphError, StoreError
from .files import folder_lock, locked, staged_folder, store_lock
from .graph import build_graph, count_kinds, not_enriched
from .identifiers import paper_node_id
from .listfile.curation import Curation, load_curation
from .listfile.parse import read_list
from .listfile.peers import PeerList, is_url, read_peer_lists
from .listfile.rows import with_rows
from .listfile.venues import venue_spelling
from .models import Enrichment, Failure, ListDocument, Phase, iso_utc
from .ranking import rank_papers
from .records import OnFile, listed_arxiv_ids, select
from .snapshot import (
    CheckedSnapshot,
    SnapshotChange,
    check_snapshot,
    compare,
    keep_unread,
    write_snapshot,
)
from .steps import step
from .store import Store

if TYPE_CHECKING:
    from .sources.arxiv import ArxivSource
    from .sources.http import WaitCallback
    from .sources.semantic_scholar import SemanticScholarSource

__all__ = [
    "Inputs",
    "Watch",
    "build",
    "BuildResult",
    "refresh",
    "RefreshResult",
    "load_inputs",
    "Fetched",
    "fetch_enrichment",
    "on_file",
    "load_enrichment",
    "exclusive",
    "save_snapshot",
    "Loaded",
    "Discovered",
    "load_graph",
    "load_peers",
    "record_history",
    "write_exports",
    "Exported",
    "DEFAULT_KG_DIR",
    "DEFAULT_OUT_DIR",
]

log = logging.getLogger(__name__)

#: discovery candidates shown in the default HTML view and the report
VIEW_CANDIDATES = 30
#: foundations shown in the report's "foundations the list builds on" table
REPORT_FOUNDATIONS = 10


@dataclass(frozen=True, slots=True)
class Inputs:
    """Where the curated input lives; everything else sits in ``data_dir`` (``RSVLM_DATA_DIR``),
    by default beside the list (this project's ``kg/``)."""

    list_path: Path
    data_dir: Path | None = None

    @property
    def kg_dir(self) -> Path:
        return self.list_path.parent if self.data_dir is None else self.data_dir

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
    """What enrichment knows after a run, the requests the run sent per endpoint, and which of
    the run's failures left no record on file at all (``enrich.not_on_file``): what the exports
    lack, as against a stale copy kept."""

    enrichment: Enrichment
    requests: dict[str, int]
    started_at: str  # ISO 8601 UTC, the format of every record's fetched_at
    snapshot: CheckedSnapshot = CheckedSnapshot()  # kg/snapshot.jsonl as read
    not_on_file: tuple[Failure, ...] = ()
    offline: bool = False  # nothing was asked for

    @property
    def summarised(self) -> Enrichment:
        """The enrichment with, as failures, only what is not on file: what a build's summary
        lists (``graph.not_enriched``)."""
        return replace(self.enrichment, failures=self.not_on_file)

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

    @property
    def brought_anything(self) -> bool:
        """Whether either source answered with a record during this run (not just requests)."""
        return self.reached_semantic_scholar or any(
            a.fetched_at and a.fetched_at >= self.started_at for a in self.enrichment.arxiv
        )


ProgressScope = Callable[
    [], AbstractContextManager[tuple["ProgressCallback | None", "WaitCallback | None"]]]


@contextmanager
def _unwatched() -> Iterator[tuple[ProgressCallback | None, WaitCallback | None]]:
    yield None, None


@dataclass(frozen=True, slots=True)
class Watch:
    """How a caller follows a command's requests (the CLI: bars and messages; tests: nothing).

    ``following()`` is entered around the requests and gives the progress callback and the one
    told of each wait of the Semantic Scholar client (the shared pool, 429s); ``planned`` is
    given the Semantic Scholar requests planned (:func:`~rsvlm_graph.enrich.planned_requests`)
    once the API has answered a first one, so a run that cannot reach it promises nothing.
    """

    following: ProgressScope = _unwatched
    planned: Callable[[Counter[str]], None] | None = None


@contextmanager
def on_file(inputs: Inputs, settings: Settings, *, writable: bool
            ) -> Iterator[tuple[OnFile, CheckedSnapshot]]:
    """What is on file for the command: ``kg/snapshot.jsonl`` read once, over the store (locked
    meanwhile). A command that fetches (``writable``) first copies into the store what the
    snapshot holds newer (a fresh clone's store gets it all); one that does not writes nothing.
    """
    with step("read snapshot"):
        checked = check_snapshot(inputs.snapshot_path)
    with _store_locked(settings), Store(settings.database_path) as store:
        records = OnFile(store, checked.rows, writable=writable)
        if writable:
            with step("seed store"):
                records.seed()
        yield records, checked


def fetch_enrichment(
    document: ListDocument,
    curation: Curation,
    records: OnFile,
    checked: CheckedSnapshot,
    settings: Settings,
    *,
    offline: bool,
    full: bool = False,
    edge_details: bool = False,
    watch: Watch = Watch(),
) -> Fetched:
    """Return what is known about the list: what is on file and, unless ``offline``, what the
    APIs add for entries that are missing, stale or failed last time (``full``: every citation
    and reference page too), followed as ``watch`` says."""
    started_at = iso_utc(settings.now())
    with ExitStack() as stack, step("enrich"):
        sources: list[SemanticScholarSource | ArxivSource] = []
        s2 = arxiv = None
        answered: Callable[[], None] | None = None
        progress, on_wait = stack.enter_context(watch.following())
        if not offline:
            # the API clients load only when they are used: an offline build needs none of them
            from .sources.arxiv import ArxivSource
            from .sources.semantic_scholar import SemanticScholarSource, client_for

            if (planned := watch.planned) is not None:
                plan = planned_requests(document, curation, records=records, settings=settings,
                                        now=settings.now, full=full, edge_details=edge_details)
                answered = functools.partial(planned, plan)
            s2 = SemanticScholarSource(settings, client_for(settings, on_wait=on_wait),
                                       now=settings.now)
            stack.callback(s2.close)
            arxiv = ArxivSource(settings, now=settings.now)
            stack.callback(arxiv.close)
            sources = [s2, arxiv]
        enrichment = enrich(
            document, curation, s2=s2, arxiv=arxiv, records=records, settings=settings,
            now=settings.now, progress=progress, offline=offline, full=full, answered=answered,
            edge_details=edge_details,
        )
        requests: Counter[str] = Counter()
        for source in sources:
            requests.update(source.request_counts)
        missing = not_on_file(records, enrichment.failures)
        return Fetched(enrichment, dict(sorted(requests.items())), started_at, checked, missing,
                       offline)


@contextmanager
def _store_locked(settings: Settings) -> Iterator[None]:
    try:
        lock = locked(store_lock(settings.database_path), f"the store {settings.database_path}")
        lock.__enter__()
    except OSError as exc:
        raise StoreError(f"{settings.database_path}: cannot lock the store ({exc}); "
                         "set RSVLM_CACHE_DIR to a writable folder") from exc
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


@contextmanager
def exclusive(inputs: Inputs, settings: Settings, out_dir: Path | None = None) -> Iterator[None]:
    """Hold the store, ``kg/`` and (for a build) ``out_dir`` for one command that writes them.

    A second ``build`` or ``enrich`` waits (with a message) instead of interleaving its files;
    always taken in this order, so two commands never wait for each other in a circle.
    """
    with ExitStack() as stack:
        stack.enter_context(_store_locked(settings))
        try:
            stack.enter_context(locked(folder_lock(inputs.kg_dir), str(inputs.kg_dir)))
        except OSError as exc:
            raise StoreError(f"{inputs.kg_dir}: cannot lock the folder of the list ({exc})") from exc
        if out_dir is not None:
            try:
                stack.enter_context(locked(folder_lock(out_dir), str(out_dir)))
            except OSError as exc:
                raise ExportError(f"{out_dir}: cannot create the output folder ({exc}); "
                                  "pass a writable --out") from exc
        yield


def save_snapshot(
    inputs: Inputs, document: ListDocument, curation: Curation, fetched: Fetched,
    records: OnFile,
) -> tuple[SnapshotChange, tuple[str, ...]]:
    """Write ``kg/snapshot.jsonl``: everything on file for the list's entries, never losing what
    another list or a refresh needs.

    Entries of the previous snapshot that the list no longer holds stay when another list beside
    it does (``kg/draft.md`` next to ``kg/awesome-list.md`` share one snapshot); the others left
    the list and go. The previous snapshot's lines that were not read as written are kept
    beside it first (:func:`~rsvlm_graph.snapshot.keep_unread`); what they held is marked to be
    fetched again (failures on file, written too when this run fetched nothing).
    Returns what changed against the previous snapshot, and the entry keys kept that way.
    """
    previous = fetched.snapshot.rows
    listed = _entry_keys(document)
    before = {key for kind, key in previous.rows if kind == "resolution"}
    keep = (before - listed) & _entry_keys_beside(inputs, curation, before - listed)
    selection = select(records, listed | keep, listed_arxiv_ids(document))
    keep_unread(inputs.snapshot_path, fetched.snapshot.unread, fetched.started_at)
    write_snapshot(inputs.snapshot_path, selection)
    return compare(previous, selection), tuple(sorted(keep))


Saved = tuple[SnapshotChange, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What ``enrich`` did, for the CLI's summary: what was fetched, what the snapshot written
    holds against the previous one (and the entries of other lists kept), the history files
    recorded."""

    fetched: Fetched
    saved: Saved
    recorded: tuple[Path, ...]


def refresh(
    inputs: Inputs, document: ListDocument, curation: Curation, settings: Settings, *,
    offline: bool = False, full: bool = False, edge_details: bool = False,
    watch: Watch = Watch(),
) -> RefreshResult:
    """``enrich``: fetch what is missing, stale or failed (nothing when ``offline``; with
    ``edge_details`` the flags of the citations inside the list too), write
    ``kg/snapshot.jsonl`` and record the citation history of what was fetched.

    ``document`` and ``curation`` are ``load_inputs(inputs)``: the caller reads them first, to
    warn about the list's problems before any request.
    """
    with exclusive(inputs, settings), on_file(inputs, settings, writable=not offline) as (
            records, checked):
        fetched = fetch_enrichment(document, curation, records, checked, settings,
                                   offline=offline, full=full, edge_details=edge_details,
                                   watch=watch)
        saved = save_snapshot(inputs, document, curation, fetched, records)
        recorded: list[Path] = []
        if not offline:  # offline fetches nothing, so it has nothing to date
            loaded = Loaded.build(document, curation, fetched.enrichment,
                                  load_peers(inputs, curation, settings))
            recorded = record_history(loaded, inputs,
                                      loaded.discover(year_now=settings.today().year),
                                      settings.today())
    return RefreshResult(fetched, saved, tuple(recorded))


def build(
    inputs: Inputs, document: ListDocument, curation: Curation, settings: Settings,
    out_dir: Path, *, offline: bool = False, validate_all: bool = False,
    html_max_nodes: int | None = None, base_iri: str | None = None, watch: Watch = Watch(),
) -> BuildResult:
    """``build``: what ``enrich`` does unless ``offline`` (the snapshot is written only when a
    source answered with anything), then every export into ``out_dir``.

    The snapshot is read once, the graph built once and discovery run once, for the history
    and the exports alike. ``document`` and ``curation`` as for :func:`refresh`.
    """
    with exclusive(inputs, settings, out_dir):
        with on_file(inputs, settings, writable=not offline) as (records, checked):
            fetched = fetch_enrichment(document, curation, records, checked, settings,
                                       offline=offline, watch=watch)
            saved = None
            if not offline and fetched.brought_anything:
                saved = save_snapshot(inputs, document, curation, fetched, records)
        peers = load_peers(inputs, curation, settings, offline=offline)
        loaded = Loaded.build(document, curation, fetched.summarised, peers)
        year_now = settings.today().year
        with step("discover"):
            discovered = loaded.discover(year_now=year_now)
        recorded: list[Path] = []
        if not offline:  # the history replays what was fetched, failures and all
            recorded = record_history(replace(loaded, enrichment=fetched.enrichment), inputs,
                                      discovered, settings.today())
        exported = write_exports(loaded, out_dir, year_now=year_now, discovered=discovered,
                                 history=_readable_history(inputs),
                                 validate_all=validate_all, html_max_nodes=html_max_nodes,
                                 base_iri=base_iri, inputs=inputs)
    return BuildResult(loaded, fetched, saved, tuple(recorded), exported)


def _entry_keys(document: ListDocument) -> set[str]:
    return {paper_node_id(e.ids, e.title) for e in document.papers}


def _entry_keys_beside(inputs: Inputs, curation: Curation, wanted: set[str]) -> set[str]:
    """Entry keys of the other lists in ``kg/`` (only read when the snapshot has entries to lose)."""
    if not wanted:
        return set()
    keys: set[str] = set()
    for path in sorted(inputs.kg_dir.glob("*.md")):
        if path.resolve() == inputs.list_path.resolve():
            continue
        try:
            keys |= _entry_keys(read_list(path, curation))
        except RsvlmGraphError as exc:  # not a list (a README): it holds no entry
            log.info("%s: not read as a list: %s", path, exc)
    return keys


def load_enrichment(
    document: ListDocument, curation: Curation, inputs: Inputs, settings: Settings
) -> Enrichment:
    """Return what is known without any request: the snapshot and the store."""
    with on_file(inputs, settings, writable=False) as (records, checked):
        return fetch_enrichment(document, curation, records, checked, settings,
                                offline=True).enrichment


@dataclass(frozen=True, slots=True)
class Loaded:
    """The list, its curation, what is known offline, and the graph of them."""

    document: ListDocument
    curation: Curation
    enrichment: Enrichment
    graph: nx.MultiDiGraph
    peers: tuple[PeerList, ...] = ()

    @classmethod
    def build(cls, document: ListDocument, curation: Curation, enrichment: Enrichment,
              peers: Sequence[PeerList] = ()) -> Loaded:
        with step("graph"):
            return cls(document, curation, enrichment, build_graph(document, enrichment),
                       tuple(peers))

    def candidates(self, *, year_now: int, kind: KindFilter = "new", since: int | None = None,
                   min_links: int = 1, top: int | None = None) -> list[Candidate]:
        """Discovery over this graph, with the list's recommendations, rejections, peer lists
        and rows; the options are ``discover_candidates``'.
        """
        candidates = discover_candidates(
            self.graph, recommended=self.enrichment.recommendations,
            is_rejected=self.curation.is_rejected, year_now=year_now, kind=kind, since=since,
            min_links=min_links, top=top,
            peers=peer_listings(self.graph, self.peers) if self.peers else None,
        )
        return with_rows(candidates, self.document.entries, self.document.text,
                         venue_spelling(self.document, self.curation))

    def discover(self, *, year_now: int) -> Discovered:
        """Discovery once, both kinds: what a build shows, reports and records in the history."""
        every = self.candidates(year_now=year_now, kind="all")
        return Discovered(
            new=tuple(c for c in every if c.kind == "new"),
            foundations=tuple(c for c in every if c.kind == "foundation")[:REPORT_FOUNDATIONS],
        )


@dataclass(frozen=True, slots=True)
class Discovered:
    """The discovery candidates of one build: every new one, and the foundations the report
    shows (the first :data:`REPORT_FOUNDATIONS`)."""

    new: tuple[Candidate, ...]
    foundations: tuple[Candidate, ...]

    @property
    def shortlist(self) -> list[tuple[str, str]]:
        """The candidates the page shows, as ``(s2_id, title)``: what the history records."""
        return [(c.s2_id, c.title) for c in self.new[:VIEW_CANDIDATES] if c.s2_id]


def load_peers(
    inputs: Inputs, curation: Curation, settings: Settings, *,
    extra: Sequence[str | Path] = (), offline: bool = False,
) -> list[PeerList]:
    """The peer lists of the curation file (paths relative to it) and ``extra`` ones (paths or
    URLs). A URL is fetched once, then read from ``settings.cache_dir``; ``offline`` fetches
    nothing."""
    from .sources.peer_lists import fetcher

    sources: list[str | Path] = [
        peer if is_url(peer) else inputs.kg_dir / peer for peer in curation.peers
    ]
    return read_peer_lists([*sources, *extra], cache_dir=settings.cache_dir, offline=offline,
                           fetch=fetcher(settings))


def load_graph(inputs: Inputs, settings: Settings, *, peers: Sequence[str | Path] = (),
               offline: bool = False) -> Loaded:
    """Build the graph from the list, the snapshot and the store, without any API request.

    Analyses and maintainer commands use this: they never wait on an API. The peer lists are
    the curation file's and ``peers``; a peer URL not cached yet is fetched unless ``offline``.
    """
    document, curation = load_inputs(inputs)
    enrichment = load_enrichment(document, curation, inputs, settings)
    peer_lists = load_peers(inputs, curation, settings, extra=peers, offline=offline)
    return Loaded.build(document, curation, enrichment, peer_lists)


def record_history(loaded: Loaded, inputs: Inputs, discovered: Discovered, today: date
                   ) -> list[Path]:
    """Record in ``kg/history/`` the citation counts and citers fetched on each date not on file
    yet (up to ``today``), with the discovery shortlist; return the files written (none when
    nothing new).

    Any command that fetched calls it: the records carry their fetch dates, so a ``build``, an
    ``enrich`` or a resumed run each leave the history complete, and a re-run adds nothing.
    """
    from .citations.refreshes import record_fetched

    return record_fetched(inputs.history_dir, loaded.enrichment, loaded.graph, discovered.shortlist,
                          today=today)


@dataclass(frozen=True, slots=True)
class Exported:
    """What :func:`write_exports` wrote: each file with its size in bytes, and the nodes of the
    page's view."""

    written: tuple[tuple[Path, int], ...]
    view_nodes: int


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What ``build`` did, for the CLI's summary: what was fetched, the snapshot written (when
    the run brought anything), the history files recorded, and the exports."""

    loaded: Loaded
    fetched: Fetched
    saved: Saved | None
    recorded: tuple[Path, ...]
    exported: Exported

    @property
    def written(self) -> tuple[tuple[Path, int], ...]:
        return self.exported.written

    @property
    def view_nodes(self) -> int:
        return self.exported.view_nodes

    @property
    def counts(self) -> dict[str, int]:
        return count_kinds(self.loaded.graph)

    @property
    def not_enriched(self) -> list[tuple[str | None, Phase, str]]:
        return not_enriched(self.loaded.graph, self.loaded.enrichment)


def _list_growth(document: ListDocument) -> list[tuple[str, int]]:
    from .listfile.history import entry_history, growth_by_month

    try:
        return growth_by_month(entry_history(Path(document.path), document))
    except (HistoryError, ListParseError) as exc:  # no git history, or an unreadable version
        log.info("no list growth: %s", exc)
        return []


def _list_rows(G: nx.MultiDiGraph, iri: Callable[[str], str]) -> dict[str, str]:
    """``path:line`` of the list row each list paper and dataset came from, by node IRI: where a
    warning about a value the list wrote sends the reader."""
    path = G.nodes[G.graph["list"]]["path"]
    return {iri(node): f"{path}:{attrs['lines'][0]}" for node, attrs in G.nodes(data=True)
            if attrs.get("lines")}


def _readable_history(inputs: Inputs) -> list[Refresh]:
    """The recorded refreshes for the report's trends; a history file that cannot be read is a
    warning naming it, and the report goes without trends: one bad file never stops a build."""
    from .citations.refreshes import load_history

    try:
        return load_history(inputs.history_dir)
    except StoreError as exc:
        log.warning("%s; the report leaves out the citation trends until it is mended", exc)
        return []


def write_exports(
    loaded: Loaded,
    out_dir: Path,
    *,
    year_now: int,
    discovered: Discovered | None = None,
    history: Sequence[Refresh] = (),
    validate_all: bool = True,
    html_max_nodes: int | None = None,
    base_iri: str | None = None,
    inputs: Inputs | None = None,
) -> Exported:
    """Write every export of the graph into ``out_dir``; validates the RDF before writing.

    ``discovered`` are the build's candidates (:meth:`Loaded.discover`, run here when not
    given); ``history`` (the recorded refreshes) feeds the report's trends; the list's growth
    comes from the git log of the list file when it is in a git repository. With
    ``validate_all`` false only the list level is validated (``exports.shacl.list_level``): at 1M
    citations checking every triple takes minutes and gigabytes, while the list's own papers and
    what they link to take a second. ``html_max_nodes`` caps the HTML view (default
    ``exports.html_view.VIEW_MAX_NODES``). The RDF is minted under ``base_iri``, else the
    curation file's ``base_iri``, else ``exports.rdf.DEFAULT_BASE``. No export replaces a file of
    ``inputs`` (``--out`` beside a list named ``report.md``): nothing is written then. Each step
    logs its time and peak memory (``rsvlm_graph.steps``, debug level).
    """
    with step("import exporters"):  # pyvis, matplotlib, rdflib: seconds, needed only here
        from .exports.annotated_list import write_annotated_list
        from .exports.bibliography import FILE_NAMES, FORMATS, list_references, write_bibliography
        from .exports.bibliography import references as references_of
        from .exports.html import build_page, write_page
        from .exports.html_drawing import draw_view, node_pictures
        from .exports.html_view import VIEW_MAX_NODES, select_view
        from .exports.jsonld import write_jsonld
        from .exports.rdf import DEFAULT_BASE, node_iri, prefixes, to_statements
        from .exports.report import PLOT_NAMES, write_report
        from .exports.shacl import conforming
        from .exports.tables import TableRows, write_csv, write_graphml
        from .exports.turtle import write_turtle

    G, document = loaded.graph, loaded.document
    with step("rank"):
        ranking = tuple(rank_papers(G, year_now=year_now))
    if discovered is None:
        with step("discover"):
            discovered = loaded.discover(year_now=year_now)
    candidates, shown = discovered.new, discovered.new[:VIEW_CANDIDATES]
    with step("rdf statements"):  # the writers take these directly: rdflib's writers are too slow
        base = base_iri or loaded.curation.base_iri or DEFAULT_BASE
        statements = to_statements(G, base)
    with step("validate"):
        # a value one record gives that no shape allows is left out with a warning, anything
        # else fails before a file is written
        statements = conforming(statements, everything=validate_all,
                                where=_list_rows(G, lambda node: node_iri(node, base)))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot create the output folder ({exc}); "
                          "pass a writable --out") from exc
    # every file is written into a staging folder and moved in once all are whole: a build that
    # fails on its last export leaves the previous set, never a mix of two builds
    try:
        kept = () if inputs is None else (inputs.list_path, inputs.curation_path,
                                          inputs.snapshot_path)
        with staged_folder(out_dir, owned=PLOT_NAMES, kept=kept) as stage:
            paths = [stage / "graph.ttl", stage / "graph.jsonld", stage / "graph.graphml"]
            with step("turtle"):
                write_turtle(statements, paths[0], prefixes(base))
            with step("json-ld"):
                write_jsonld(statements, paths[1], prefixes(base))
            del statements  # millions of tuples at scale: not held through the steps that follow
            with step("view"):  # drawn once: the page and the GraphML show the same picture
                view = select_view(G, [c.node for c in shown], VIEW_CANDIDATES,
                                   max_nodes=VIEW_MAX_NODES if html_max_nodes is None else html_max_nodes)
                drawing = draw_view(view, shown)
                pictures = node_pictures(G, drawing)
            with step("table rows"):  # what "rdf statements" is to the RDF writers, for GraphML and CSV
                rows = TableRows(G)
            with step("graphml"):
                write_graphml(G, paths[2], pictures=pictures, rows=rows)
            nodes_csv, edges_csv = stage / "nodes.csv", stage / "edges.csv"
            with step("csv"):
                write_csv(G, nodes_csv, edges_csv, rows=rows)
            del rows, pictures
            html_path = stage / "graph.html"
            with step("html"):
                # the page's papers with the citation keys of papers.bib
                cited = references_of(G, [n for n, k in view.nodes(data="kind") if k == "outside_paper"])
                write_page(build_page(view, G.nodes[G.graph["list"]]["title"], ranking=ranking,
                                      candidates=shown, drawing=drawing, references=cited), html_path)
            with step("list history"):
                growth = _list_growth(document)
            with step("report"):
                report_paths = write_report(
                    G, stage, candidates=candidates, foundations=discovered.foundations,
                    ranking=ranking, history=history, growth=growth,
                )
            with step("annotated list"):
                annotated = write_annotated_list(document, G, stage)
            with step("bibliography"):  # papers.bib, papers.ris, papers.csl.json
                references = list_references(G)
                bibliographies = [stage / FILE_NAMES[fmt] for fmt in FORMATS]
                for fmt, path in zip(FORMATS, bibliographies):
                    write_bibliography(references, fmt, path)
            written = [out_dir / p.name for p in (*paths, nodes_csv, edges_csv, html_path, annotated,
                                                  *report_paths, *bibliographies)]
    except OSError as exc:  # the writers name their own files; this is the folder's turn
        raise ExportError(f"{out_dir}: cannot put the new exports in place ({exc}); the previous "
                          "ones are unchanged") from exc
    return Exported(tuple((p, p.stat().st_size) for p in written), view.number_of_nodes())
