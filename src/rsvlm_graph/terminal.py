"""What the command line shows: progress bars (lines in a log) while a command fetches, the pace
announced once Semantic Scholar answers, and the summaries of ``build`` and ``enrich``.

Everything here writes to the terminal through :data:`out` (results, stdout) and :data:`err`
(progress, warnings, stderr); ``cli.py`` parses the options and calls the pipeline.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from collections import Counter

    from .config import Settings
    from .enrich import ProgressCallback
    from .models import Failure, ListDocument, Phase
    from .pipeline import BuildResult, Fetched, Inputs
    from .snapshot import SnapshotChange
    from .sources.http import WaitCallback

__all__ = [
    "announce_pace",
    "err",
    "out",
    "print_build_summary",
    "print_enrichment_summary",
    "print_requests",
    "print_snapshot_change",
    "progress",
    "report_incomplete",
    "warn_problems",
]

out = Console(soft_wrap=True, highlight=False, markup=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def warn_problems(document: ListDocument) -> None:
    """Rows of the list that were skipped or read in part: one line each, ``path:line:``."""
    for problem in document.problems:
        err.print(f"[yellow]warning:[/yellow] {escape(str(problem))}")


#: seconds between two progress lines of one phase when stderr is not a terminal
PROGRESS_LINE_INTERVAL = 10.0
#: waits shorter than this (the 1 s between keyed requests) are not shown
WAIT_SHOWN_FROM = 2.0


class ProgressLines:
    """Progress for a log (CI, a pipe): a line when a phase starts, when it ends, and every
    ``interval`` seconds in between, where a bar would show nothing; and a line per long wait."""

    def __init__(self, interval: float = PROGRESS_LINE_INTERVAL,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._finished: set[str] = set()
        self._phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        self._phase = phase
        if phase in self._finished:
            return
        now = self._clock()
        finished = done >= total
        if phase in self._last and not finished and now - self._last[phase] < self._interval:
            return
        self._last[phase] = now
        if finished:
            self._finished.add(phase)
        err.print(f"{phase}: {done}/{total}{' done' if finished else ''}", markup=False, highlight=False)

    def waiting(self, seconds: float, reason: str) -> None:
        if seconds >= WAIT_SHOWN_FROM:
            err.print(f"{self._phase}: waiting {seconds:.0f} s {reason}", markup=False, highlight=False)


@contextmanager
def progress(quiet: bool) -> Iterator[tuple[ProgressCallback | None, WaitCallback | None]]:
    """A bar per enrichment phase with counts and ETA on a terminal, progress lines elsewhere;
    nothing when quiet. With it, the callback told of the client's waits: the bar of the phase
    running says "waiting 42 s for the shared pool" while it lasts."""
    if quiet:
        yield None, None
        return
    if not err.is_terminal:
        lines = ProgressLines()
        yield lines, lines.waiting
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=False,
    ) as bars:
        tasks: dict[str, TaskID] = {}
        running: list[str] = []  # the phase reported last

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bars.add_task(phase, total=total)
            running[:] = [phase]
            bars.update(tasks[phase], completed=done, total=total, description=phase)

        def waiting(seconds: float, reason: str) -> None:
            if running and (seconds >= WAIT_SHOWN_FROM or seconds == 0):
                phase = running[0]
                shown = f"{phase} waiting {seconds:.0f} s {reason}" if seconds else phase
                bars.update(tasks[phase], description=shown)

        yield update, waiting


def announce_pace(settings: Settings, planned: Counter[str]) -> None:
    """How long the Semantic Scholar requests planned take at this pace, said before they start;
    without a key, that a key makes it faster."""
    from .sources.pacing import interval_floor_seconds, pool_floor_seconds

    n = sum(planned.values())
    if not n:
        return
    requests = f"about {n:,} request{'s' if n != 1 else ''}"
    keyed = interval_floor_seconds(n, 1.0)
    if settings.s2_api_key:
        err.print(f"Semantic Scholar: {requests} at {settings.s2_rate:g} per s "
                  f"≈ {_minutes(interval_floor_seconds(n, settings.s2_rate))}",
                  markup=False, highlight=False)
        return
    if settings.s2_pool_seconds <= 0:  # RSVLM_S2_POOL_SECONDS=0: a local mirror, no pacing
        err.print(f"Semantic Scholar without an API key: {requests}, not paced "
                  "(RSVLM_S2_POOL_SECONDS=0)", markup=False, highlight=False)
        return
    pool = pool_floor_seconds(n, settings.s2_pool_requests, settings.s2_pool_seconds)
    hint = ("; set S2_API_KEY (free: https://www.semanticscholar.org/product/api) for 1 request/s "
            f"(≈ {_minutes(keyed)})" if keyed < pool else "")
    err.print(f"Semantic Scholar without an API key: {requests} at "
              f"{settings.s2_pool_requests} per {settings.s2_pool_seconds:g} s ≈ {_minutes(pool)}"
              f"{hint}", markup=False, highlight=False)


def _minutes(seconds: float) -> str:
    """``"12 min"``, or ``"<1 min"``."""
    return f"{round(seconds / 60)} min" if seconds >= 30 else "<1 min"


def print_requests(fetched: Fetched, offline: bool) -> None:
    """The requests sent per endpoint; one that reached no server (a refused connection) was
    not sent, and a run that sent none says whether everything was fresh or nothing answered."""
    if offline:
        out.print("requests: none (--offline)")
        return
    sent = ", ".join(f"{endpoint} {n}" for endpoint, n in fetched.requests.items())
    if not sent:
        unanswered = any(not f.answered for f in fetched.enrichment.failures)
        sent = "none (no server could be reached)" if unanswered else "none (all fresh)"
    out.print(f"requests (failed ones included): {sent}")


def print_enrichment_summary(fetched: Fetched, list_papers: int, offline: bool) -> None:
    e = fetched.enrichment
    methods: dict[str, int] = {}
    for r in e.resolutions:
        label = "doubtful" if r.doubtful else (r.method or "unresolved") if r.s2_paper_id else "unresolved"
        methods[label] = methods.get(label, 0) + 1
    resolved = ", ".join(f"{k} {v}" for k, v in sorted(methods.items())) or "none"
    out.print(f"resolved: {resolved} (of {list_papers} list papers)")
    out.print(
        f"known: {len(e.papers)} papers, {len(e.citations)} citations, {len(e.arxiv)} arXiv records, "
        f"{len(e.recommendations)} recommendations, {len(e.truncated)} truncated citation lists"
    )
    # what a fetching run missed is listed last, by report_incomplete
    shown = [f for f in e.failures if offline or f.answered]
    for (kind, reason), subjects in _by_cause(
            shown, lambda f: f"{'not found in' if f.answered else 'failed in'} {f.phase}"):
        out.print(f"{kind} ({len(subjects)}): {reason}\n  {_first_few(subjects)}")


def _first_few(subjects: list[str]) -> str:
    return ", ".join(subjects[:5]) + (f", … ({len(subjects) - 5} more)" if len(subjects) > 5 else "")


_S2_ID = re.compile(r"\b[0-9a-f]{40}\b")


def _cause(reason: str, subject: str) -> str:
    """A failure's reason without the paper it names (the request path carries the id). Only an
    id is taken out (it has a digit): the subject ``list`` of recommendations is a plain word."""
    if any(c.isdigit() for c in subject):
        reason = reason.replace(subject, "…")
    return _S2_ID.sub("…", reason)


def _by_cause(failures: Iterable[Failure], where: Callable[[Failure], str]
              ) -> list[tuple[tuple[str, str], list[str]]]:
    """Failures grouped by where they happened and their cause, sorted: a lost network, or one
    error met by eighty papers, is one line with a count, not eighty."""
    causes: dict[tuple[str, str], list[str]] = {}
    for failure in failures:
        causes.setdefault((where(failure), _cause(failure.reason, failure.subject)), []).append(
            failure.subject)
    return sorted(causes.items())


def report_incomplete(fetched: Fetched, offline: bool, command: str, outcome: str) -> bool:
    """Name what a fetching run could not get, per source, phase and reason; whether anything.

    Called last, after every file is written. An answer of the source (a paper it does not
    know) is not missing (``Failure.answered``); an offline run asked for nothing, so it is
    never incomplete. ``outcome`` says what follows (``enrich`` exits 3; ``build`` keeps its
    exit 0, its exports built from what is on file, as offline).
    """
    missing = [] if offline else [f for f in fetched.enrichment.failures if not f.answered]
    if not missing:
        return False
    err.print(f"[yellow]incomplete:[/yellow] {len(missing)} record{'s' if len(missing) > 1 else ''}"
              f" could not be fetched ({outcome}); everything fetched is written")
    for (where, reason), subjects in _by_cause(missing, lambda f: "arXiv records" if f.phase == "arxiv"
                                               else f"Semantic Scholar {f.phase}"):
        err.print(f"  {where} ({len(subjects)}): {reason}\n    {_first_few(subjects)}", markup=False)
    err.print(f"retry: run `rsvlm-graph {command}` again: fresh records are not fetched again, "
              "so it asks only for what is missing", markup=False)
    return True


def print_snapshot_change(change: SnapshotChange, kept: tuple[str, ...], inputs: Inputs) -> None:
    """The snapshot against the previous one: a loss is said, with its count and its reasons."""
    out.print(
        f"snapshot: {change.papers_after:,} papers, {change.citations_after:,} citations "
        f"(previous: {change.papers_before:,} papers, {change.citations_before:,} citations)"
    )
    if kept:
        out.print(f"kept: the records of {len(kept)} entries of other lists beside {inputs.list_path} "
                  f"(the snapshot serves every list in {inputs.kg_dir})")
    if change.is_loss:
        out.print(f"loss: {change.lost_papers:,} papers and {change.lost_citations:,} citations fewer "
                  "than the previous snapshot")
    if change.left_the_list:
        shown = ", ".join(change.left_the_list[:5]) + (
            f", … ({len(change.left_the_list) - 5} more)" if len(change.left_the_list) > 5 else "")
        out.print(f"removed {len(change.left_the_list)} papers that left the list, with "
                  f"{change.citations_of_removed:,} of their citations: {shown}")
    if change.citations_dropped_by_api:
        out.print(f"removed {change.citations_dropped_by_api:,} citations Semantic Scholar no longer "
                  "returns for papers still in the list")


def print_build_summary(result: BuildResult, list_path: Path) -> None:
    entries = result.loaded.document
    out.print(
        f"{list_path}: {len(entries.papers)} paper rows, {len(entries.datasets)} dataset rows, "
        f"{len(entries.problems)} problem(s)"
    )
    out.print("nodes: " + ", ".join(f"{kind} {n}" for kind, n in result.counts.items()))
    out.print(f"edges: {result.loaded.graph.number_of_edges()}")
    _print_not_enriched(result.not_enriched, result.counts["paper"])
    out.print(f"html view: {result.view_nodes} nodes")
    for path, size in result.written:
        out.print(f"wrote {path} ({size:,} bytes)")


def _print_not_enriched(gaps: list[tuple[str | None, Phase, str]], list_papers: int) -> None:
    """What the exports lack, per phase and reason, counted in distinct list papers (a paper
    listed twice is one); the recommendations, the list's own, last."""
    from .models import PHASES

    papers = {node for node, _, _ in gaps if node is not None}
    if not gaps:
        out.print("not enriched: none")
        return
    out.print(f"not enriched: {len(papers)} of {list_papers} list papers")
    causes: dict[tuple[Phase, str], set[str]] = {}
    for node, phase, reason in gaps:
        causes.setdefault((phase, _S2_ID.sub("…", reason)), set()).add(node or "")
    order = {phase: i for i, phase in enumerate(PHASES)}
    for (phase, reason), nodes in sorted(causes.items(),
                                         key=lambda kv: (order[kv[0][0]], -len(kv[1]), kv[0][1])):
        if phase == "recommendations":
            out.print(f"        {phase} (of the list): {reason}")
        else:
            out.print(f"  {len(nodes):>3} × {phase}: {reason}")
