"""The report for people who would rather look than read: Markdown with SVG plots, in ``exports/``.

Building is pure (``build_report`` returns text, the ``plot_*`` functions return figures);
``write_report`` writes them. Every output is deterministic so a rebuild gives byte-identical
files: sorted data, no dates, matplotlib's SVG ids salted with a fixed string.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from ..citations.refreshes import PaperRecord, Refresh
from ..citations.trends import citation_series, rising_papers
from ..discovery import Candidate
from ..errors import ExportError
from ..files import atomic_bytes, write_atomic
from ..graph import is_list_paper, paper_nodes
from ..markdown import markdown_link
from ..output import format_records
from ..ranking import NO_CITATIONS, RankedPaper, coverage_notes

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

__all__ = [
    "build_report",
    "plot_papers_per_year",
    "plot_citation_distribution",
    "plot_list_growth",
    "write_report",
    "PLOT_NAMES",
    "REPORT_NAME",
    "YEARS_PLOT_NAME",
    "CITATIONS_PLOT_NAME",
    "TOP_PER_TASK",
    "SHORTLIST",
]

log = logging.getLogger(__name__)

REPORT_NAME = "report.md"
YEARS_PLOT_NAME = "report-papers-per-year.svg"
CITATIONS_PLOT_NAME = "report-citation-distribution.svg"
TRENDS_PLOT_NAME = "report-citations-over-time.svg"
GROWTH_PLOT_NAME = "report-list-growth.svg"
#: every plot the report may draw; one with nothing to show is not written (and a stale one removed)
PLOT_NAMES = (YEARS_PLOT_NAME, CITATIONS_PLOT_NAME, TRENDS_PLOT_NAME, GROWTH_PLOT_NAME)
#: list papers shown per task, and discovery candidates shown in the shortlist
TOP_PER_TASK = 5
#: bands of the papers-per-year chart: the colours of tab20 (the last one for the other tasks)
TASK_BANDS = 20
SHORTLIST = 20
#: matplotlib draws SVG element ids from a hash; a fixed salt makes them the same on every run
_SVG_RC: dict[Any, Any] = {"svg.hashsalt": "rsvlm-graph", "svg.fonttype": "none", "font.size": 9}


def _list_title(G: nx.MultiDiGraph) -> str:
    list_node = G.graph.get("list")
    return G.nodes[list_node].get("title", list_node) if list_node in G else "the list"


def plot_papers_per_year(per_task: Mapping[str, Mapping[int, int]]) -> Figure | None:
    """Return a stacked bar chart of list papers per year, one colour per task; ``None`` without years.

    At most :data:`TASK_BANDS` tasks get a band of their own (those with most papers); the others
    share one band on top, "other tasks": a list of 1,000 sections gets a legend of 20 lines, not
    1,000 that matplotlib lays out in quadratic time (24 s) and no reader can use.
    """
    from matplotlib.figure import Figure

    years_known = sorted({year for counts in per_task.values() for year in counts})
    if not years_known:
        return None
    years = list(range(years_known[0], years_known[-1] + 1))  # gaps show as empty years
    bands = _bands(per_task)
    fig = Figure(figsize=(10, 4.5), layout="constrained")
    ax = fig.add_subplot()
    bottom = [0] * len(years)
    for i, (task, counts) in enumerate(bands.items()):
        heights = [counts.get(year, 0) for year in years]
        ax.bar(years, heights, bottom=bottom, label=task, color=_colour(i))
        bottom = [b + h for b, h in zip(bottom, heights)]
    ax.set_xticks(years, [str(y) for y in years])
    ax.set_xlabel("year")
    ax.set_ylabel("list papers (a paper counts once per task)")
    ax.set_title("List papers per year and task")
    _integer_ticks(ax.yaxis)
    # legend top to bottom as the stack reads, so the top band is the first entry
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, reverse=True)
    return fig


def _bands(per_task: Mapping[str, Mapping[int, int]]) -> dict[str, Mapping[int, int]]:
    """The tasks with a band of their own, by name, then the rest summed as "other tasks (N)".

    >>> _bands({"b": {2020: 1}, "a": {2020: 2}})
    {'a': {2020: 2}, 'b': {2020: 1}}
    """
    if len(per_task) <= TASK_BANDS:
        return {task: per_task[task] for task in sorted(per_task)}
    by_size = sorted(per_task, key=lambda task: (-sum(per_task[task].values()), task))
    kept, rest = sorted(by_size[:TASK_BANDS - 1]), by_size[TASK_BANDS - 1:]
    other: Counter[int] = Counter()
    for task in rest:
        other.update(per_task[task])
    return {**{task: per_task[task] for task in kept}, f"other tasks ({len(rest):,})": dict(other)}


def _colour(i: int) -> Any:
    from matplotlib import colormaps

    return colormaps["tab20"](i % 20)


def plot_citation_distribution(distribution: Mapping[str, int]) -> Figure | None:
    """Return a bar chart of list papers per decade of citation count; ``None`` without counts."""
    from matplotlib.figure import Figure

    bins = {label: n for label, n in distribution.items() if label != "unknown"}
    if not bins:
        return None
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    ax.bar(range(len(bins)), list(bins.values()), color=_colour(0))
    ax.set_xticks(range(len(bins)), list(bins))
    _integer_ticks(ax.yaxis)
    ax.set_xlabel("global citations (Semantic Scholar)")
    ax.set_ylabel("list papers")
    unknown = distribution.get("unknown", 0)
    ax.set_title("Citation distribution" + (f" ({unknown} papers without a count)" if unknown else ""))
    return fig


def plot_list_growth(growth: Sequence[tuple[str, int]]) -> Figure | None:
    """Return the list's size at the end of each month as a step line; ``None`` when the history
    covers under two months (one step is no curve: the report says so instead)."""
    from matplotlib.figure import Figure

    if len(growth) < 2:
        return None
    fig = Figure(figsize=(7, 3.5), layout="constrained")
    ax = fig.add_subplot()
    months = [month for month, _ in growth]
    ax.step(range(len(months)), [size for _, size in growth], where="post", color=_colour(0))
    step = max(1, len(months) // 12)  # at most about a dozen month labels
    ax.set_xticks(range(0, len(months), step), months[::step], rotation=45, ha="right")
    _integer_ticks(ax.yaxis)
    ax.set_ylabel("entries in the list")
    ax.set_title("Growth of the list (from the git log of the list file)")
    return fig


def _top_per_task(ranking: Sequence[RankedPaper], per_task: int) -> dict[str, list[RankedPaper]]:
    tops: dict[str, list[RankedPaper]] = {}
    for paper in sorted(ranking, key=lambda p: p.rank):
        for task in paper.tasks:
            bucket = tops.setdefault(task, [])
            if len(bucket) < per_task:
                bucket.append(paper)
    return dict(sorted(tops.items()))


def build_report(
    G: nx.MultiDiGraph,
    *,
    candidates: Sequence[Candidate],
    ranking: Sequence[RankedPaper],
    foundations: Sequence[Candidate] = (),
    plots: Mapping[str, str] | None = None,
    history: Sequence[Refresh] = (),
    growth: Sequence[tuple[str, int]] = (),
    top_per_task: int = TOP_PER_TASK,
    shortlist: int = SHORTLIST,
) -> str:
    """Return the report as Markdown.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        The knowledge graph.
    candidates : sequence of Candidate
        ``discover_candidates(G, ...)``, best first; the first ``shortlist`` are shown.
    ranking : sequence of RankedPaper
        ``rank_papers(G)``; the best ``top_per_task`` of each task are shown.
    foundations : sequence of Candidate, optional
        ``discover_candidates(G, kind="foundation")``: older papers the list builds on, shown
        in a short table of their own, never among the candidates to add.
    plots : mapping, optional
        Plot name (``YEARS_PLOT_NAME``, ``CITATIONS_PLOT_NAME``) → relative path, for the plots
        written beside the report; a missing plot is replaced by a note.
    history : sequence of Refresh, optional
        The recorded refreshes (``citations.refreshes.load_history``), oldest first: rising papers.
    growth : sequence of (month, size), optional
        ``listfile.history.growth_by_month``: the list's size over time.
    """
    plots = plots or {}
    notes = coverage_notes(G)
    lines = [f"# Report: {_list_title(G)}", ""]
    if notes:
        lines += ["**Missing data:**", "", *(f"- {note}" for note in notes), ""]

    per_task = papers_per_year_per_task(G)
    lines += ["## Papers per year and task", ""]
    if YEARS_PLOT_NAME in plots:
        lines += [f"![List papers per year and task]({plots[YEARS_PLOT_NAME]})", ""]
    years = sorted({y for counts in per_task.values() for y in counts})
    if years:
        records = [
            {"task": task, **{str(y): counts.get(y, 0) for y in years}, "total": sum(counts.values())}
            for task, counts in per_task.items()
        ]
        lines += [format_records(records, "md")]
    else:
        lines += ["No list paper has a year.", ""]

    distribution = citation_distribution(G)
    lines += ["## Citations", ""]
    if CITATIONS_PLOT_NAME in plots:
        lines += [f"![Citation distribution]({plots[CITATIONS_PLOT_NAME]})", ""]
    if set(distribution) == {"unknown"}:
        lines += [f"{NO_CITATIONS[0].upper()}{NO_CITATIONS[1:]}.", ""]
    else:
        lines += [format_records([{"citations": k, "list papers": v} for k, v in distribution.items()], "md")]

    lines += ["## Top papers per task", ""]
    if not ranking:
        lines += ["No list papers.", ""]
    for task, papers in _top_per_task(ranking, top_per_task).items():
        records = [
            {
                "rank (all)": p.rank, "paper": markdown_link(p.title, _node_url(G, p.node)), "year": p.year,
                "citations": p.citation_count, "influential": p.influential_citation_count,
                "cited by list": p.in_list_citations, "PageRank": p.pagerank,
                "citations/year": p.citations_per_year,
            }
            for p in papers
        ]
        lines += [f"### {task}", "", format_records(records, "md")]

    lines += ["## Rising papers", ""]
    if TRENDS_PLOT_NAME in plots:
        lines += [f"![Citations over time, most cited papers per task]({plots[TRENDS_PLOT_NAME]})", ""]
    rising = rising_papers(history) if len(history) >= 2 else []
    if rising:
        lines += [
            f"Fastest citation growth over the {len(history)} recorded refreshes "
            "(citations per 30 days, least squares over the refresh dates).",
            "",
            format_records([
                {
                    "paper": markdown_link(r.title, _node_url(G, r.entry)), "citations": r.citation_count,
                    "per 30 days": r.velocity, "since": r.first_date.isoformat(), "refreshes": r.points,
                }
                for r in rising
            ], "md"),
        ]
    else:
        lines += [
            f"{len(history)} refresh(es) recorded in kg/history/; trends need two "
            "(each `rsvlm-graph enrich` with network access records one).",
            "",
        ]

    lines += ["## Growth of the list", ""]
    if GROWTH_PLOT_NAME in plots:
        lines += [f"![Entries in the list per month]({plots[GROWTH_PLOT_NAME]})", ""]
    if len(growth) >= 2:
        first, last = growth[0], growth[-1]
        lines += [f"{first[1]} entries in {first[0]}, {last[1]} in {last[0]}.", ""]
    elif growth:
        lines += [f"The list's git history covers under two months ({growth[0][1]} entries, all "
                  f"in {growth[0][0]}): no growth to plot yet.", ""]
    else:
        lines += ["No git history of the list file: growth unknown.", ""]

    lines += ["## Discovery shortlist", ""]
    shown = list(candidates[:shortlist])
    if not shown:
        lines += ["No candidates" + (f": {'; '.join(notes)}." if notes else "."), ""]
    else:
        lines += [
            f"Recent papers outside the list that build on it ({len(shown)}), best first "
            "(score: one point per list paper cited, plus S2 recommendation, peer lists, "
            "SPECTER similarity and recency; see `rsvlm-graph discover --help`).",
            "",
            format_records([
                {
                    "#": c.rank, "paper": markdown_link(c.title, c.url), "year": c.year,
                    "score": c.score, "cites list": c.cites_list, "cited by list": c.cited_by_list,
                    "suggested task": c.suggested_task, "why": c.why,
                }
                for c in shown
            ], "md"),
            "### Rows ready to paste, by suggested section",
            "",
        ]
        by_task: dict[str, list[str]] = {}
        for c in shown:
            by_task.setdefault(c.suggested_task or "(no suggested section)", []).append(c.markdown_row)
        for task, rows in sorted(by_task.items()):
            lines += [f"**{task}**", "", "```markdown", *rows, "```", ""]
    lines += _foundation_lines(foundations)
    return "\n".join(lines).rstrip("\n") + "\n"


def _foundation_lines(foundations: Sequence[Candidate]) -> list[str]:
    """The short "foundations the list builds on" table: context, not additions."""
    lines = ["## Foundations the list builds on", ""]
    if not foundations:
        return lines + ["No older paper outside the list is cited by list papers.", ""]
    return lines + [
        f"Older papers outside the list most cited by list papers ({len(foundations)}); "
        "`rsvlm-graph discover --kind foundation` lists them all. They are not proposed as "
        "additions.",
        "",
        format_records([
            {"#": c.rank, "paper": markdown_link(c.title, c.url), "year": c.year,
             "cited by list": c.cited_by_list, "why": c.why}
            for c in foundations
        ], "md"),
    ]


def _node_url(G: nx.MultiDiGraph, node: str) -> str:
    return (G.nodes[node].get("url") or "") if node in G else ""


def _integer_ticks(axis: Axis) -> None:
    """Counts are whole numbers: no tick at 2.5 papers."""
    from matplotlib.ticker import MaxNLocator

    locator = axis.get_major_locator()
    if isinstance(locator, MaxNLocator):  # the default AutoLocator is one
        locator.set_params(integer=True)


@contextmanager
def _drawing() -> Iterator[None]:
    """matplotlib as the report draws: fixed SVG ids, text kept as text, and quiet about glyphs
    missing from its font (the browser draws the text with its own fonts: a CJK title only gets
    its label width misjudged)."""
    import matplotlib

    with matplotlib.rc_context(_SVG_RC), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font",
                                category=UserWarning)
        yield


def _save_svg(fig: Figure, path: Path) -> None:
    # no date and no creator version: the bytes change only when the data does
    with _drawing(), atomic_bytes(path) as out:
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})


def write_report(
    G: nx.MultiDiGraph,
    out_dir: Path,
    *,
    candidates: Sequence[Candidate],
    ranking: Sequence[RankedPaper],
    foundations: Sequence[Candidate] = (),
    history: Sequence[Refresh] = (),
    growth: Sequence[tuple[str, int]] = (),
    top_per_task: int = TOP_PER_TASK,
    shortlist: int = SHORTLIST,
) -> list[Path]:
    """Write ``report.md`` and its SVG plots into ``out_dir``; return the paths written.

    A plot without data is not drawn (the report says why) and an old copy of it is removed,
    so the directory never shows a plot of data that is gone.

    Raises
    ------
    ExportError
        If a file cannot be written.
    """

    with _drawing():
        figures = {
            YEARS_PLOT_NAME: plot_papers_per_year(papers_per_year_per_task(G)),
            CITATIONS_PLOT_NAME: plot_citation_distribution(citation_distribution(G)),
            GROWTH_PLOT_NAME: plot_list_growth(growth),
        }
    written: list[Path] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, fig in figures.items():
            path = out_dir / name
            if fig is None:
                path.unlink(missing_ok=True)
                continue
            _save_svg(fig, path)
            written.append(path)
        trends = out_dir / TRENDS_PLOT_NAME
        if plot_citations_over_time(history, G, trends) is None:
            trends.unlink(missing_ok=True)
        else:
            written.append(trends)
        text = build_report(
            G, candidates=candidates, ranking=ranking, foundations=foundations, history=history,
            growth=growth,
            top_per_task=top_per_task, shortlist=shortlist, plots={p.name: p.name for p in written},
        )
        report = out_dir / REPORT_NAME
        write_atomic(report, text)
    except OSError as exc:
        raise ExportError(f"cannot write the report into {out_dir}: {exc}; check the directory") from exc
    log.info("report: %s and %d plot(s)", report, len(written))
    return [report, *written]


def papers_per_year_per_task(G: nx.MultiDiGraph) -> dict[str, dict[int, int]]:
    """Return, for each task, the number of list papers per year (papers of unknown year left out).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="paper", in_list=True, year=2023, tasks=("VQA",))
    >>> G.add_node("b", kind="paper", in_list=True, year=2023, tasks=("Captioning", "VQA"))
    >>> G.add_node("c", kind="paper", in_list=True, year=None, tasks=("VQA",))
    >>> papers_per_year_per_task(G)
    {'Captioning': {2023: 1}, 'VQA': {2023: 2}}
    """
    counts: dict[str, Counter[int]] = {}
    for attrs in paper_nodes(G).values():
        if is_list_paper(attrs):
            for task in attrs.get("tasks") or ():
                bucket = counts.setdefault(task, Counter())
                if attrs.get("year"):
                    bucket[attrs["year"]] += 1
    return {task: dict(sorted(counts[task].items())) for task in sorted(counts)}


def _decade_label(count: int) -> str:
    if count == 0:
        return "0"
    low = 10 ** int(math.log10(count))
    return f"{low}-{10 * low - 1}"


def citation_distribution(G: nx.MultiDiGraph) -> dict[str, int]:
    """Return how many list papers fall in each decade of global citation count.

    Bins are ``0``, ``1-9``, ``10-99``, … up to the largest count, then ``unknown`` for papers
    without a count.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, c in [("a", 0), ("b", 5), ("c", 120), ("d", None)]:
    ...     G.add_node(n, kind="paper", in_list=True, citation_count=c)
    >>> citation_distribution(G)
    {'0': 1, '1-9': 1, '10-99': 0, '100-999': 1, 'unknown': 1}
    """
    counts = [a.get("citation_count") for a in paper_nodes(G).values() if is_list_paper(a)]
    known = [c for c in counts if c is not None]
    bins = ["0"]
    if known and max(known) > 0:
        bins += [_decade_label(10**k) for k in range(int(math.log10(max(known))) + 1)]
    histogram = Counter(_decade_label(c) for c in known)
    result = {label: histogram[label] for label in bins} if known else {}
    result["unknown"] = len(counts) - len(known)
    return result


def plot_citations_over_time(
    history: Sequence[Refresh],
    graph: nx.MultiDiGraph,
    out_path: Path,
    per_task: int = 3,
) -> Path | None:
    """Draw citation counts over time of each task's most cited papers into an SVG file.

    One panel per task (from the graph's list papers' ``tasks``; the :data:`TASK_BANDS` tasks
    whose papers are most cited, when there are more), one line per paper: the
    ``per_task`` papers with the most citations at their latest count. The SVG is byte-identical
    for the same history (no date in its metadata, fixed hash salt for its element ids).

    Returns
    -------
    Path or None
        ``out_path``, or ``None`` (the reason is logged) when fewer than two refreshes are
        recorded or no task has a paper with a count.

    Raises
    ------
    ExportError
        If the file cannot be written.
    """
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if len(history) < 2:
        log.info(
            "no citations-over-time plot: %d refresh(es) recorded, two are needed", len(history)
        )
        return None
    tasks: dict[str, list[tuple[int, str, list[tuple[dt.date, int, PaperRecord]]]]] = {}
    for node, data in sorted(graph.nodes(data=True)):
        if data.get("kind") != "paper" or not data.get("in_list"):
            continue
        points = citation_series(history, node)
        if not points:
            continue
        for task in data.get("tasks") or ():
            tasks.setdefault(task, []).append((points[-1][1], node, points))
    if not tasks:
        log.info("no citations-over-time plot: no list paper with a task has a recorded count")
        return None
    if len(tasks) > TASK_BANDS:  # a list of 1,000 sections gets 20 panels, not 1,000
        kept = sorted(tasks, key=lambda task: (-max(t[0] for t in tasks[task]), task))[:TASK_BANDS]
        log.info("citations over time: the %d of %d tasks with the most cited papers are drawn",
                 TASK_BANDS, len(tasks))
        tasks = {task: tasks[task] for task in kept}
    first, last = min(r.date for r in history), max(r.date for r in history)
    columns = min(3, len(tasks))
    rows = math.ceil(len(tasks) / columns)
    # fixed hash salt (element ids), text as text, no date or creator: bytes change with data only
    with matplotlib.rc_context({**_SVG_RC, "font.size": 8}):
        figure = Figure(figsize=(5.2 * columns, 3.4 * rows), layout="constrained")
        FigureCanvasAgg(figure)
        for index, task in enumerate(sorted(tasks)):
            axes = figure.add_subplot(rows, columns, index + 1)
            best = sorted(tasks[task], key=lambda t: (-t[0], t[1]))[:per_task]
            for _, _, points in best:
                title = points[-1][2].title
                label = title if len(title) <= 45 else title[:44] + "…"
                axes.plot(  # matplotlib's date units convert the dates; its stubs do not say so
                    [p[0] for p in points], [p[1] for p in points],  # type: ignore[arg-type]
                    marker="o", markersize=3, label=label,
                )
            axes.set_title(task)
            axes.set_ylabel("citations")
            # the refreshes' span exactly: a margin past a date near 9999-12-31 (a history file
            # dated so) is past the last date matplotlib can draw, and failed every later build
            axes.set_xlim(first, last)  # type: ignore[arg-type]
            locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
            axes.xaxis.set_major_locator(locator)
            axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
            axes.legend(fontsize=6, loc="upper left")
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            _save_svg(figure, out_path)
        except OSError as exc:
            raise ExportError(f"{out_path}: cannot write the citations plot ({exc})") from exc
    return out_path
