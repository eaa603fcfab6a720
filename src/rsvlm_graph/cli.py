"""The ``rsvlm-graph`` command line: thin typed commands over the library.

Each command's docstring is its help. A command parses its options, calls one function of the
pipeline and prints what it returns (:mod:`rsvlm_graph.terminal` draws the progress and the
summaries). Errors of this package are caught once, in ``main``'s callback wrapper, and printed
as one line with exit code 1; an ``enrich`` that wrote what it got but missed something exits
:data:`EXIT_PARTIAL`.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.markup import escape
from typer.core import TyperGroup

from . import terminal
from .config import DEFAULT_KG_DIR, DEFAULT_OUT_DIR, DEFAULT_QUERY_TIMEOUT, Settings
from .errors import RsvlmGraphError, UsageError
from .terminal import err, out

if TYPE_CHECKING:

    from .listfile.curation import Curation
    from .models import ListDocument
    from .pipeline import Inputs, Watch

# Each command imports the pipeline and the libraries it needs when it runs, so `--help` and
# argument errors answer at once instead of after a second of importing networkx, rdflib, httpx.

__all__ = ["EXIT_PARTIAL", "app"]

#: the exit status of ``enrich`` when a source was unreachable or a record could not be fetched,
#: after everything fetched was written, and of ``lint --online`` when the network left links
#: unchecked and nothing else is an error (docs/reference.md, exit codes); 1 is an error in the input, 2 a
#: command line click cannot read, 130 Ctrl-C (``__main__``)
EXIT_PARTIAL = 3


class _Commands(TyperGroup):
    """The command group: this package's errors, from any command, become one line and exit 1."""

    def invoke(self, ctx: Any) -> Any:  # click's Context, vendored by typer
        try:
            return super().invoke(ctx)
        except RsvlmGraphError as exc:  # anything else is a bug and shows its trace
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(code=1) from None


app = typer.Typer(
    cls=_Commands,
    add_completion=True,  # --install-completion, --show-completion: bash, zsh, fish, PowerShell
    no_args_is_help=True,
    rich_markup_mode=None,  # plain click help: docstring paragraphs re-wrap to the terminal
    help="Knowledge graph, citation tracker and lint for curated Markdown paper lists (made for Awesome Remote Sensing VLMs).",
)

# Paths are checked where they are read, so a bad one is one line naming it and exit 1, as the
# README promises, rather than click's usage block and exit 2.
def _path(option: str) -> Callable[[str | Path], Path]:
    """The parser of a path option: the path as given; an empty one is refused, naming the option
    (``--out ''`` silently meant the current folder)."""

    def parse(value: str | Path) -> Path:
        if not str(value).strip():
            raise UsageError(f"{option} is empty; give a file or folder (\".\" for the current folder)")
        return Path(value)

    return parse


ListOption = Annotated[
    Path,
    typer.Option("--list", parser=_path("--list"), help="The curated Markdown list; curation.toml and snapshot.jsonl sit beside it."),
]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Make no network request; use the snapshot and the store.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars, only the summary.")]
Format = Literal["table", "json", "csv", "md"]
FormatOption = Annotated[Format, typer.Option("--format", help="table, json, csv or md (a Markdown table).")]
PaperFormat = Literal["table", "json", "csv", "md", "bibtex", "ris", "csl-json"]
PaperFormatOption = Annotated[PaperFormat, typer.Option("--format", help="table, json, csv, md (a Markdown table), or for reference managers bibtex, ris or csl-json.")]
TopOption = Annotated[int | None, typer.Option("--top", min=1, help="Show only the first N.")]


def _base_iri(value: str | None) -> str | None:
    from .base_iri import check_base_iri
    from .errors import IdentifierError

    try:
        return None if value is None else check_base_iri(value)
    except IdentifierError as exc:
        raise typer.BadParameter(str(exc)) from None


BaseIriOption = Annotated[str | None, typer.Option(
    "--base-iri", metavar="IRI", callback=_base_iri,
    help="The IRI every node of the RDF is minted under, ending in '/' (default: base_iri in "
         "curation.toml, else https://w3id.org/rsvlm-graph/); one per list, so two lists can share a SPARQL server.",
)]
DEFAULT_LIST = DEFAULT_KG_DIR / "awesome-list.md"

RANK_COLUMNS = (
    "rank", "title", "year", "tasks", "citation_count", "influential_citation_count",
    "in_list_citations", "pagerank", "citations_per_year", "velocity_30d", "s2_id",
)
DISCOVER_COLUMNS = (
    "kind", "rank", "title", "year", "venue", "score", "cites_list", "cited_by_list", "peer_count",
    "similarity", "recommended_rank", "suggested_task", "why", "s2_id", "markdown_row",
)
#: what csv and md rows add to the table's columns: where to find the paper, and who wrote it
PAPER_COLUMNS = ("doi", "arxiv_id", "url", "authors")
BIBLIOGRAPHY_FORMATS = ("bibtex", "ris", "csl-json")
KindOption = Annotated[
    Literal["new", "foundation", "all"],
    typer.Option("--kind", help="new: recent work building on the list; foundation: older papers "
                                "the list builds on; all: both, new work first."),
]


_run_settings: ContextVar[Settings] = ContextVar("settings")


def _settings() -> Settings:
    """The settings ``main`` read from the environment once for this run."""
    return _run_settings.get()


def _print_version(wanted: bool) -> None:
    if wanted:
        from . import __version__

        out.print(f"rsvlm-graph {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_print_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Knowledge graph, citation tracker and lint for curated Markdown paper lists (made for Awesome Remote Sensing VLMs)."""
    _run_settings.set(Settings.from_env())
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )


@app.command()
def build(
    list_path: ListOption = DEFAULT_LIST,
    out_dir: Annotated[Path, typer.Option("--out", parser=_path("--out"), help="Where the exports go.")] = DEFAULT_OUT_DIR,
    offline: OfflineOption = False,
    quiet: QuietOption = False,
    validate: Annotated[bool, typer.Option("--validate", help="Check every triple against the SHACL shapes, not only the list's own papers, datasets and tasks and what they link to (also with RSVLM_VALIDATE=1).")] = False,
    html_max_nodes: Annotated[int | None, typer.Option(
        "--html-max-nodes", min=0,
        help="Cap on the nodes of graph.html's view (default 300): the most important are kept.",
    )] = None,
    base_iri: BaseIriOption = None,
) -> None:
    """Build the graph from the list into exports/: Turtle, JSON-LD, GraphML, CSV, HTML and the report.

    Uses the committed snapshot and the local store; without --offline it also fetches what is
    missing or stale (fast failure when the APIs cannot be reached). Prints counts per kind and
    what could not be enriched, and why. A build that fetched writes kg/snapshot.jsonl and the
    citation history of what it fetched, like enrich.

    Exit codes: 0 the exports are built, also when a source was unreachable or a record could not
    be fetched: they are built from what is on file, and what is missing is listed last, on
    stderr (run enrich first where a script must know the fetch was whole: it exits 3 then);
    1 an error in the input (a file, a setting); 2 a command line that cannot be read.
    """
    from .pipeline import build as build_all

    settings = _settings()
    inputs, document, curation = _read_inputs(list_path)
    result = build_all(inputs, document, curation, settings, out_dir, offline=offline,
                       validate_all=validate or settings.validate_all,
                       html_max_nodes=html_max_nodes, base_iri=base_iri,
                       watch=_watch(quiet or offline))
    terminal.print_requests(result.fetched, offline)
    terminal.print_build_summary(result, list_path)
    if result.saved is not None:
        terminal.print_snapshot_change(*result.saved, inputs)
        out.print(f"wrote {inputs.snapshot_path}")
    for path in result.recorded:
        out.print(f"recorded citation history: {path}")
    terminal.report_incomplete(result.fetched, offline, "build",
                               "the exports are built from what is on file")


@app.command()
def enrich(
    list_path: ListOption = DEFAULT_LIST,
    offline: OfflineOption = False,
    quiet: QuietOption = False,
    full: Annotated[bool, typer.Option("--full", help="Fetch every citation and reference page, even where the counts did not change.")] = False,
    edge_details: Annotated[bool, typer.Option("--edge-details", help="Also page the reference lists of list papers that cite other list papers, so the citations inside the list say whether they are influential and their intents (citations fetched nested in paper batches leave both unknown).")] = False,
) -> None:
    """Resolve every listed paper on Semantic Scholar and arXiv, fetch metadata, citations and
    references, then write kg/snapshot.jsonl and this refresh's citation history (kg/history/).

    Records already in the store and fresh (RSVLM_FRESHNESS_DAYS) are not fetched again.
    Citation and reference pages are fetched only for papers whose counts changed, and for all
    every RSVLM_FULL_REFRESH_WEEKS weeks or with --full. What could not be fetched is listed per
    paper, and everything else proceeds.

    Pace: with S2_API_KEY, 1 request per second (RSVLM_S2_RATE). Without a key, Semantic Scholar
    serves everyone from one shared pool of 100 requests per 300 s (RSVLM_S2_POOL_REQUESTS,
    RSVLM_S2_POOL_SECONDS): the first 100 go at once, then each waits for the window, and on
    HTTP 429 the client slows down and keeps going. The run says up front about how many
    requests it will send and how long that takes at this pace; the progress bar shows each
    wait. A 429 never drops a request nor switches Semantic Scholar off: one is given up only
    after RSVLM_RATE_LIMIT_PATIENCE seconds (default 1800) of waiting, as a failure of its
    paper. Only an unreachable host (DNS, refused connection) or an outage of 5xx switches a
    source off for the run. A free key: https://www.semanticscholar.org/product/api

    Exit codes: 0 everything asked for was answered (a paper Semantic Scholar or arXiv does not
    know is an answer); 3 a source was unreachable or a record could not be fetched (HTTP 429
    beyond RSVLM_RATE_LIMIT_PATIENCE, 5xx, a 400): the snapshot and the history still hold
    everything that was fetched, and a re-run asks only for what is missing; --offline asks for
    nothing and exits 0; 1 an error in the input (a file, a setting); 2 a command line that
    cannot be read (an unknown option); 130 Ctrl-C.
    """
    from .pipeline import refresh

    inputs, document, curation = _read_inputs(list_path)
    result = refresh(inputs, document, curation, _settings(), offline=offline, full=full,
                     edge_details=edge_details, watch=_watch(quiet or offline))
    fetched = result.fetched
    terminal.print_requests(fetched, offline)
    terminal.print_enrichment_summary(fetched, len(document.papers), offline)
    terminal.print_snapshot_change(*result.saved, inputs)
    out.print(f"wrote {inputs.snapshot_path}")
    for path in result.recorded:
        out.print(f"recorded citation history: {path}")
    if not result.recorded:
        out.print("citation history: nothing recorded (nothing fetched that is not on file)")
    if terminal.report_incomplete(fetched, offline, "enrich", f"exit {EXIT_PARTIAL}"):
        raise typer.Exit(code=EXIT_PARTIAL)


def _read_inputs(list_path: Path) -> tuple[Inputs, ListDocument, Curation]:
    """The list and its curation, its problems warned about before any request."""
    from .pipeline import Inputs, load_inputs

    inputs = Inputs(list_path, _settings().data_dir)
    document, curation = load_inputs(inputs)
    terminal.warn_problems(document)
    return inputs, document, curation


def _watch(quiet: bool) -> Watch:
    """Progress bars (or lines) around the requests, unless quiet (offline runs no phase: no
    bar would say anything true), and the pace announced once Semantic Scholar answers."""
    from .pipeline import Watch

    return Watch(following=lambda: terminal.progress(quiet),
                 planned=functools.partial(terminal.announce_pace, _settings()))


def _terminal_width() -> int | None:
    """The width a table must fit on a terminal (``COLUMNS`` or the terminal's own); a pipe or a
    file has none, and gets every column whole."""
    return out.width if out.is_terminal else None


def _write(text: str) -> None:
    """Machine-readable output goes to stdout untouched by rich's markup and wrapping."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _columns(fmt: str, columns: tuple[str, ...]) -> tuple[str, ...] | None:
    """The columns a format shows: json every field, csv and md the paper's identifiers and
    authors too, the terminal's table only ``columns``."""
    return None if fmt == "json" else columns if fmt == "table" else (*columns, *PAPER_COLUMNS)


@app.command()
def rank(
    list_path: ListOption = DEFAULT_LIST,
    task: Annotated[str | None, typer.Option("--task", help="Only papers of this task (section name or slug).")] = None,
    top: TopOption = None,
    fmt: PaperFormatOption = "table",
) -> None:
    """Rank the list's papers by influence: citations, influential citations, citations from other
    list papers, PageRank on the citation graph, citations per year, and recent velocity.

    --format bibtex, ris or csl-json gives the ranked papers for a reference manager instead."""
    from .citations.refreshes import load_history
    from .citations.trends import citation_velocity
    from .output import format_records
    from .pipeline import Inputs, load_graph
    from .ranking import rank_papers

    inputs = Inputs(list_path, _settings().data_dir)
    loaded = load_graph(inputs, _settings())
    terminal.warn_problems(loaded.document)
    ranking = rank_papers(loaded.graph, task=task, top=top, year_now=_settings().today().year)
    if fmt == "bibtex" or fmt == "ris" or fmt == "csl-json":
        from .exports.bibliography import bibliography_of

        _write(bibliography_of(loaded.graph, [p.node for p in ranking], fmt))
        return
    history = load_history(inputs.history_dir)
    records = [
        {**paper.to_dict(), "velocity_30d": citation_velocity(history, paper.node) if history else None}
        for paper in ranking
    ]
    _write(format_records(records, fmt, _columns(fmt, RANK_COLUMNS), width=_terminal_width()))


@app.command()
def discover(
    list_path: ListOption = DEFAULT_LIST,
    since: Annotated[int | None, typer.Option("--since", min=1900, max=2999, metavar="YEAR", help="First year of new work (default: the year before the list's newest paper); older papers are foundations.")] = None,
    min_links: Annotated[int, typer.Option("--min-links", min=0, help="Least links to list papers (cites + cited by), unless recommended or in a peer list.")] = 1,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Show only the first N of each kind.")] = 20,
    fmt: PaperFormatOption = "table",
    kind: KindOption = "new",
    peers: Annotated[list[str] | None, typer.Option("--peer", metavar="PATH_OR_URL", help="Another curated list of the field as evidence, a file or the http(s) URL of its raw Markdown (repeatable); kg/curation.toml may name more under peers.")] = None,
) -> None:
    """Find relevant papers the list does not include, each with its evidence, a suggested task and
    a row ready to paste into the list.

    New work (recent papers citing list papers, recommended by Semantic Scholar, or listed in
    peer lists) and foundations (older papers list papers cite) are ranked apart and labelled.
    """
    from .output import format_records
    from .pipeline import Inputs, load_graph
    from .ranking import coverage_notes

    loaded = load_graph(Inputs(list_path, _settings().data_dir), _settings(), peers=peers or ())
    terminal.warn_problems(loaded.document)
    candidates = loaded.candidates(
        year_now=_settings().today().year, kind=kind, since=since, min_links=min_links, top=top
    )
    if fmt == "bibtex" or fmt == "ris" or fmt == "csl-json":
        from .exports.bibliography import bibliography_of

        tasks = {c.node: (c.suggested_task,) for c in candidates if c.suggested_task}
        _write(bibliography_of(loaded.graph, [c.node for c in candidates], fmt, tasks))
    else:
        _write(format_records([c.to_dict() for c in candidates], fmt, _columns(fmt, DISCOVER_COLUMNS),
                             width=_terminal_width()))
    if not candidates:
        for note in coverage_notes(loaded.graph):
            err.print(f"note: {note}", highlight=False, markup=False)


@app.command()
def query(
    query_or_file: Annotated[str | None, typer.Argument(help="A SPARQL query, or a .rq file.", metavar="[QUERY_OR_FILE]")] = None,
    example: Annotated[str | None, typer.Option("--example", metavar="NAME", help="Run a shipped example query by name (e.g. datasets-introduced-and-users); --example list names them.")] = None,
    data: Annotated[Path, typer.Option("--data", parser=_path("--data"), help="The RDF to query (.ttl, .nt or .jsonld).")] = DEFAULT_OUT_DIR / "graph.ttl",
    endpoint: Annotated[str | None, typer.Option("--endpoint", metavar="URL", help="Ask this SPARQL 1.1 Protocol endpoint instead of --data (see docs/maintainers.md for each server's).")] = None,
    graph: Annotated[str | None, typer.Option("--graph", metavar="IRI", help="With --endpoint: the named graph queried as the default graph (default: the one publish writes, https://w3id.org/rsvlm-graph/graph; '' for the server's default graph).")] = None,
    fmt: Annotated[Literal["table", "json", "csv"], typer.Option("--format", help="table, json (SPARQL 1.1 Query Results JSON) or csv.")] = "table",
    timeout: Annotated[float, typer.Option("--timeout", min=0.001, help="Seconds the query may run before it is stopped.")] = DEFAULT_QUERY_TIMEOUT,
    allow_service: Annotated[list[str] | None, typer.Option("--allow-service", metavar="IRI", help="A SERVICE endpoint the query may call (repeatable); any other SERVICE is refused.")] = None,
) -> None:
    """Run a SPARQL query over the exported graph, or a server's; common prefixes (schema, dcterms,
    cito, fabio, prism, skos, foaf, dcat, prov, owl, rsvlm) are predeclared.

    The query stays on this machine (or goes to --endpoint only): SERVICE is refused unless
    --allow-service names its endpoint, and Ctrl-C or --timeout stops it.
    """
    from .query import example_names, example_query, format_result, read_query, run_query

    if example == "list":
        _write("\n".join(example_names()))
        return
    if (example is None) == (query_or_file is None):
        raise typer.BadParameter("give a query (or a .rq file), or --example NAME; not both", param_hint="QUERY_OR_FILE")
    text = example_query(example) if example is not None else read_query(query_or_file or "")
    allowed = tuple(allow_service or ())
    if endpoint is None:
        result = run_query(data, text, timeout=timeout, allowed_services=allowed)
    else:
        from .sparql_server import DEFAULT_GRAPH_IRI, client_for, query_endpoint

        graph_iri = DEFAULT_GRAPH_IRI if graph is None else (graph or None)
        with client_for(_settings(), timeout) as client:
            result = query_endpoint(client, endpoint, text, graph_iri=graph_iri, allowed_services=allowed)
    _write(format_result(result, fmt))


@app.command()
def publish(
    endpoint: Annotated[str, typer.Option("--endpoint", metavar="URL", help="The server's SPARQL 1.1 Graph Store Protocol endpoint (see docs/maintainers.md for each server's).")],
    graph: Annotated[str | None, typer.Option("--graph", metavar="IRI", help="The named graph replaced (default: BASE_IRI + 'graph', https://w3id.org/rsvlm-graph/graph).")] = None,
    data: Annotated[Path, typer.Option("--data", parser=_path("--data"), help="The RDF sent (.ttl or .nt).")] = DEFAULT_OUT_DIR / "graph.ttl",
    chunk: Annotated[int | None, typer.Option("--chunk", min=1, metavar="TRIPLES", help="Send at most this many triples per request, for servers that limit a request's size.")] = None,
    update_endpoint: Annotated[str | None, typer.Option("--update-endpoint", metavar="URL", help="The server's SPARQL 1.1 Update endpoint, through which the graph, loaded aside, is swapped in at once (default: the one beside --endpoint for Oxigraph, Fuseki, GraphDB and Virtuoso; '' to replace the graph in place, over the Graph Store Protocol only).")] = None,
    timeout: Annotated[float, typer.Option("--timeout", min=0.001, help="Seconds to wait for each answer of the server.")] = 300.0,
    base_iri: BaseIriOption = None,
) -> None:
    """Replace one named graph on a SPARQL server with the export, then print the triple count
    the server reports for it.

    The triples go into a temporary graph (SPARQL 1.1 Graph Store HTTP Protocol), which one SPARQL
    Update then moves over the graph: readers see the old graph or the new one, never part of it,
    and a failure leaves the old graph as it was. Requests the server is briefly unable to answer
    (HTTP 429, 502, 503, 504, a dropped connection) are sent again after a wait.

    Credentials come from the environment only: RSVLM_SPARQL_USER and RSVLM_SPARQL_PASSWORD
    (Basic, or Digest when the server asks), or RSVLM_SPARQL_TOKEN (a bearer token).
    """
    from .sparql_server import DEFAULT_GRAPH_IRI, client_for, publish_graph

    with client_for(_settings(), timeout) as client:
        default_graph = DEFAULT_GRAPH_IRI if base_iri is None else f"{base_iri}graph"
        published = publish_graph(client, endpoint, data, graph_iri=graph or default_graph, chunk=chunk,
                                  update_endpoint=update_endpoint)
    out.print(
        f"published {data} to <{published.graph}> at {endpoint} in {published.requests} request(s)"
        f"{', then swapped in at once' if published.swapped else ''}: "
        f"the server holds {published.held:,} triples in that graph ({published.sent:,} sent)"
    )
    if published.note:
        err.print(f"[yellow]warning:[/yellow] {escape(published.note)}")
    if published.held != published.sent:
        err.print(f"[yellow]warning:[/yellow] the server holds {published.held:,} triples, {published.sent:,} were sent")


@app.command()
def lint(
    list_path: ListOption = DEFAULT_LIST,
    online: Annotated[bool, typer.Option("--online", help="Also ask every link; dead links are errors.")] = False,
    fmt: Annotated[Literal["text", "json", "csv", "github"], typer.Option("--format", help="text: path:line: severity [code] message; json: an array; csv: the same fields; github: workflow commands that GitHub Actions shows as annotations.")] = "text",
    select: Annotated[list[str] | None, typer.Option("--select", metavar="RULE", help="Report only these rules (comma-separated or repeated), e.g. duplicate-paper,dead-link.")] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", metavar="RULE", help="Do not report these rules (comma-separated or repeated).")] = None,
) -> None:
    """Check the list: duplicates, missing venue/year, venue spellings, titles against Semantic
    Scholar's, malformed (and with --online dead) links, datasets not linked to their paper.

    Exits 1 when any finding is an error (for CI); warnings alone exit 0. With --online and the
    network unavailable, the links are not checked (said once): exit 3 unless there are errors.
    The list's own <!--lint disable RULE-->, <!--lint enable RULE--> and <!--lint ignore RULE-->
    comments silence findings where they stand (awesome-lint's conventions).
    """
    from .listfile.findings import check_rules, format_findings, has_errors, select_findings
    from .listfile.lint import lint_list, list_urls, skipped_checks
    from .pipeline import Inputs, load_graph
    from .sources.links import check_links, client_for

    selected, ignored = check_rules(select or (), "--select"), check_rules(ignore or (), "--ignore")
    settings = _settings()
    loaded = load_graph(Inputs(list_path, _settings().data_dir), settings)
    links = None
    if online:
        with client_for(settings) as client:
            links = check_links(list_urls(loaded.document, loaded.curation), client)
    findings = select_findings(
        lint_list(loaded.document, graph=loaded.graph, curation=loaded.curation, links=links),
        select=selected, ignore=ignored,
    )
    if findings or fmt in ("json", "csv"):  # a clean list is still a document: [] or a header
        _write(format_findings(findings, fmt))
    for note in skipped_checks(graph=loaded.graph, links=links):
        err.print(f"note: {note}", highlight=False, markup=False)
    errors = sum(f.severity == "error" for f in findings)
    unchecked = f", {len(links.unchecked)} link(s) not checked" if links and links.unchecked else ""
    err.print(f"{errors} error(s), {len(findings) - errors} warning(s){unchecked}", highlight=False)
    if has_errors(findings):
        raise typer.Exit(code=1)
    if unchecked:
        raise typer.Exit(code=EXIT_PARTIAL)


@app.command()
def suggest(
    list_path: ListOption = DEFAULT_LIST,
    top: Annotated[int, typer.Option("--top", min=1, help="How many discovery candidates to propose.")] = 10,
    out_path: Annotated[Path, typer.Option("--out", parser=_path("--out"), help="The patch; the review note goes beside it as .md.")] = DEFAULT_OUT_DIR / "suggestions.patch",
    rejects: Annotated[list[str] | None, typer.Option("--reject", metavar="ID_OR_TITLE", help="S2 id, arXiv id, DOI or title never to suggest again (repeatable).")] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why the --reject papers were turned down.")] = "",
    force: Annotated[bool, typer.Option("--force", help="Record --reject values that name no known paper too (by default such a value, most likely a typo, is refused and nothing is recorded).")] = False,
    kind: KindOption = "new",
    fmt: Annotated[Literal["bibtex", "ris", "csl-json"] | None, typer.Option("--format", help="Also write the suggested papers for a reference manager beside the patch: suggestions.bib, .ris or .csl.json.")] = None,
) -> None:
    """Write a patch adding the top discovery candidates to their sections, and a review note.

    Proposes new work only (recent papers building on the list) unless --kind asks for
    foundations too. The list itself is never changed: review the patch, then `git apply` it.
    With --reject, the named papers go to kg/curation.toml instead, and no patch is written; a
    value naming no discovery candidate nor paper of the graph is refused (exit 1, with the
    closest titles) unless --force.
    """
    from .listfile.suggest import known_papers, references_path, reject, write_suggestions
    from .pipeline import Inputs, load_graph

    inputs = Inputs(list_path, _settings().data_dir)
    loaded = load_graph(inputs, _settings())
    terminal.warn_problems(loaded.document)
    year_now = _settings().today().year
    if rejects:
        if not reason:
            raise typer.BadParameter("say why with --reason", param_hint="--reason")
        # every candidate, whatever --kind and --top: a value may name any of them
        every = loaded.candidates(year_now=year_now, kind="all")
        added = reject(inputs.curation_path, rejects, reason, known_papers(every, loaded.graph),
                       force=force)
        out.print(f"{inputs.curation_path}: {len(added)} rejection(s) recorded")
        return
    candidates = loaded.candidates(year_now=year_now, kind=kind, top=top)
    patch_path, note_path = write_suggestions(
        list_path, loaded.document, candidates, out_path, curation=loaded.curation,
        references=(loaded.graph, fmt) if fmt is not None else None)
    wrote = [patch_path, note_path, *([references_path(patch_path, fmt)] if fmt is not None else [])]
    out.print(f"{len(candidates)} candidate(s); wrote {', '.join(map(str, wrote[:-1]))} and {wrote[-1]}")


@app.command()
def history(
    list_path: ListOption = DEFAULT_LIST,
    repo: Annotated[Path | None, typer.Option("--repo", parser=_path("--repo"), help="The git repository holding the list (a clone of an upstream list too); default: this project's.")] = None,
    path: Annotated[str | None, typer.Option("--path", help="The list's path inside --repo, e.g. README.md; default: kg/awesome-list.md.")] = None,
    fmt: Annotated[Literal["text", "json", "csv"], typer.Option("--format", help="text: date, commit, line, kind, title; json: an array; csv: the text's columns.")] = "text",
) -> None:
    """Tell when each entry entered the list: every committed version of the list file is read,
    in whatever format it had then, following renames; an entry dates from the first version
    that lists it."""
    from .listfile.history import entry_history, format_history
    from .pipeline import Inputs, load_inputs

    if repo is not None or path is not None:
        list_path = (repo or Path(".")) / (path or DEFAULT_LIST.as_posix())
    document, _ = load_inputs(Inputs(list_path, _settings().data_dir))
    terminal.warn_problems(document)
    entries = entry_history(list_path, document)
    _write(format_history(entries, fmt))


@app.command()
def changes(
    list_path: ListOption = DEFAULT_LIST,
    since: Annotated[str, typer.Option("--since", help="'last' (the two newest refreshes) or YYYY-MM-DD: the latest refresh on or before it against the newest.")] = "last",
    fmt: Annotated[Literal["table", "json", "csv", "md"], typer.Option("--format", help="table, json, csv (one row per change), or md (a refresh pull request body).")] = "table",
    top: Annotated[int, typer.Option("--top", min=1, help="Rows in the gains and new-citers sections.")] = 10,
) -> None:
    """Show what changed between two refreshes: citation gains, new citing papers, discovery
    candidates that appeared or dropped out (and why: added to the list, rejected, outranked, or
    no longer returned), list entries added or removed."""
    from .citations.changes import changes_between, format_changes
    from .citations.refreshes import citer_titles, load_history, select_refreshes
    from .pipeline import Inputs, load_graph

    inputs = Inputs(list_path, _settings().data_dir)
    history = load_history(inputs.history_dir)
    old, new = select_refreshes(history, since)
    is_rejected, now = None, None
    if list_path.is_file():  # why candidates left: the curation's rejections, discovery now
        loaded = load_graph(inputs, _settings(), offline=True)
        is_rejected = lambda s2_id, title: loaded.curation.is_rejected(s2_id, title=title)  # noqa: E731
        now = {c.s2_id for c in loaded.candidates(year_now=_settings().today().year, kind="all")
               if c.s2_id}
    changes = changes_between(old, new, citer_titles(history), is_rejected=is_rejected,
                              candidates_now=now)
    _write(format_changes(changes, fmt, top=top))


if __name__ == "__main__":  # pragma: no cover
    app()
