"""Phase 1 of enrichment: each list paper matched to a Semantic Scholar paper.

Pinned ids and the list's arXiv ids / DOIs go in one batch call (a record titled far from the
list's row is doubted and given a title match), the rest are matched by title, scored by
:func:`~rsvlm_graph.identifiers.title_similarity` against :data:`TITLE_MATCH_THRESHOLD`. A
resolution never ages (unless its pin changes), but an entry Semantic Scholar did not know is
asked again once its answer is older than the freshness window.

The titles go first to bulk search, :data:`BULK_TITLES` OR-ed quoted titles a request, and a title is resolved there only when exactly one paper found scores at least
the threshold, by the same scoring (``bench/bench_enrich.py`` measured on the fake that this
never accepts a paper the title match would not: 0 of 296 titles on three corpora, 289 of them
resolved by 13 bulk requests instead of 296 title matches). Every other title (none found, a
doubtful score, two papers alike) has its own title match, which decides as before.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .codec import Row
from .errors import BadRequest, PaperNotFound
from .fetch_run import Run
from .identifiers import title_similarity
from .models import Failure, ListEntry, Paper, Pin, Resolution

__all__ = [
    "BULK_TITLES",
    "DOUBTFUL_THRESHOLD",
    "ID_MISMATCH_THRESHOLD",
    "TITLE_MATCH_THRESHOLD",
    "Target",
    "accepted",
    "bulk_pick",
    "resolve",
    "stands",
    "target_of",
]

log = logging.getLogger(__name__)

#: a title match is accepted from this similarity on: list titles carry typos ("image captionin")
#: that cost a few points, while a different paper of the same field scores far lower
TITLE_MATCH_THRESHOLD = 90.0
#: between this and the threshold a match is recorded as doubtful, for a human to pin or reject
DOUBTFUL_THRESHOLD = 80.0
#: a batch result (by arXiv id / DOI) titled this differently means a wrong id in the list
ID_MISMATCH_THRESHOLD = 60.0
#: titles OR-ed in one bulk search (each a quoted phrase: the query stays a few kB)
BULK_TITLES = 25
_PINNED = "pinned by curation: "


@dataclass(frozen=True, slots=True)
class Target:
    """A list entry to resolve, and how."""

    key: str
    entry: ListEntry
    pin: Pin | None
    batch_id: str | None  # "ARXIV:…", "DOI:…" or an S2 id; None: title match only
    method: Literal["batch-arxiv", "batch-doi", "pinned"] | None
    fallback: Resolution | None = None  # what to keep when the title match finds nothing better


def accepted(resolution: Resolution) -> bool:
    return resolution.s2_paper_id is not None and not resolution.doubtful


def _pin_note(pin: Pin) -> str:
    # the pin is written into the resolution itself, so a changed pin is seen even after the
    # store was rebuilt from the snapshot
    parts = [f"{name}={value}" for name in ("s2_paper_id", "doi", "arxiv_id")
             if (value := getattr(pin, name))]
    return _PINNED + ", ".join(parts)


def _still_valid(resolution: Resolution, pin: Pin | None) -> bool:
    """A resolution never ages; it is redone only when its curation pin appeared, went or changed."""
    if pin is None:
        return not (resolution.note or "").startswith(_PINNED)
    return resolution.note == _pin_note(pin)


def target_of(key: str, entry: ListEntry, pin: Pin | None) -> Target:
    """How to resolve one entry: by its pin, its S2 id, arXiv id or DOI in a batch, or by title."""
    if pin is not None:
        batch_id = (pin.s2_paper_id or (pin.doi and f"DOI:{pin.doi}")
                    or (pin.arxiv_id and f"ARXIV:{pin.arxiv_id}"))
        return Target(key, entry, pin, batch_id or None, "pinned" if batch_id else None)
    ids = entry.ids
    if ids.s2_paper_id:
        return Target(key, entry, None, ids.s2_paper_id, "pinned")
    if ids.arxiv_id:
        return Target(key, entry, None, f"ARXIV:{ids.arxiv_id}", "batch-arxiv")
    if ids.doi:
        return Target(key, entry, None, f"DOI:{ids.doi}", "batch-doi")
    return Target(key, entry, None, None, None)


def stands(run: Run, key: str, stored: Resolution, pin: Pin | None) -> bool:
    """Whether a stored resolution is kept as it is rather than resolved again."""
    if not _still_valid(stored, pin):
        return False
    if "semanticscholar" in run.asks and run.records.dated_ahead("resolution", key, run.now()):
        return False  # its date is wrong: resolved again, to be dated right
    if stored.s2_paper_id is not None or pin is not None:
        return True
    # Semantic Scholar indexes new papers days after they appear: "not found" ages
    if "semanticscholar" not in run.asks:
        return True
    return run.records.is_fresh("resolution", key, run.window, run.now())


def resolve(run: Run, entries: Sequence[tuple[str, ListEntry]]) -> list[Resolution]:
    """Resolve the ``entries`` (node id, entry) whose resolution is missing or does not stand;
    return every entry's resolution on file, in order."""
    total, done = len(entries), 0
    todo: list[Target] = []
    for key, entry in entries:
        stored = run.records.resolution(key)
        if stored is not None and stands(run, key, stored, entry.pin):
            run.stands("resolve", key)
            done += 1
        else:
            todo.append(target_of(key, entry, entry.pin))
    run.report("resolve", done, total)
    in_batch = [t for t in todo if t.batch_id is not None]
    by_title = [t for t in todo if t.batch_id is None]
    if in_batch:
        fallbacks: list[Target] = []
        run.guard("resolve", "semanticscholar", [t.key for t in in_batch],
                  lambda: fallbacks.extend(_by_batch(run, in_batch)))
        done += len(in_batch) - len(fallbacks)
        run.report("resolve", done, total)
        by_title = fallbacks + by_title
    left: list[Target] = []
    for start in range(0, len(by_title), BULK_TITLES):
        group = by_title[start:start + BULK_TITLES]
        run.guard("resolve", "semanticscholar", [t.key for t in group],
                  functools.partial(_bulk_into, run, group, left))
        done += len(group) - sum(t in group for t in left)
        run.report("resolve", done, total)
    for target in left:
        run.guard("resolve", "semanticscholar", [target.key],
                  functools.partial(_by_title, run, target))
        done += 1
        run.report("resolve", done, total)
    return [r for key, _ in entries if (r := run.records.resolution(key)) is not None]


def _by_batch(run: Run, targets: Sequence[Target]) -> list[Target]:
    """Resolve ``targets`` by one batch call; return those left for a title match."""
    ids = [t.batch_id or "" for t in targets]
    # align by position: the returned paperId can differ from the id sent
    papers, unfetched = run.fetch_papers(ids)
    run.told.update((p.s2_paper_id, p) for p in papers if p is not None)
    stamp = run.stamp()
    settled: list[Resolution] = []
    fallbacks: list[Target] = []
    failed: list[Failure] = []
    for target, paper in zip(targets, papers, strict=True):
        if target.batch_id in unfetched:
            # no answer at all: left unresolved for the next run, not guessed by title
            failed.append(Failure(target.key, "resolve", unfetched[target.batch_id or ""]))
            continue
        if paper is None and target.pin is not None:
            # a pin is the curator's word: no title guess overrides it
            log.warning("%s: pinned %s is unknown to Semantic Scholar", target.key,
                        target.batch_id)
            settled.append(Resolution(target.key, None, None, note=_pin_note(target.pin)))
            continue
        if paper is None:
            fallbacks.append(target)
            continue
        if not paper.title and target.pin is None:
            # nothing to compare: a record without a title cannot contradict the exact id
            settled.append(Resolution(target.key, paper.s2_paper_id, target.method,
                                      note=f"Semantic Scholar gives {target.batch_id} no title"))
            continue
        if not target.entry.title_from_list and target.pin is None:
            # nor can a name ("SatMAE" in a model table): the list gives no title to compare
            settled.append(Resolution(target.key, paper.s2_paper_id, target.method, note=(
                f"the list names it {target.entry.title!r}, no title to compare")))
            continue
        score = round(title_similarity(target.entry.title, paper.title), 1)
        if target.pin is not None:
            settled.append(Resolution(target.key, paper.s2_paper_id, "pinned", score,
                                      note=_pin_note(target.pin)))
        elif score < ID_MISMATCH_THRESHOLD:
            doubt = Resolution(target.key, paper.s2_paper_id, target.method, score,
                               doubtful=True, note=f"{target.batch_id} is titled {paper.title!r}")
            fallbacks.append(Target(target.key, target.entry, None, None, None, doubt))
        else:
            settled.append(Resolution(target.key, paper.s2_paper_id, target.method, score))
    request = f"POST /graph/v1/paper/batch ({len(ids)} ids)"
    with run.records.batch():
        run.records.put([run.paper_row("paper", p.s2_paper_id, p) for p in papers if p]
                        + [Row("resolution", r.entry_key, stamp, r) for r in settled],
                        request=request)
        run.fail(failed)
    return fallbacks


def _bulk_into(run: Run, group: Sequence[Target], left: list[Target]) -> None:
    left.extend(_by_bulk(run, group))


def bulk_pick(title: str, found: Sequence[Paper]) -> tuple[float, Paper] | None:
    """The one paper of a bulk search's ``found`` that scores at least
    :data:`TITLE_MATCH_THRESHOLD` for ``title``, with its score; ``None`` when none or several
    do (the bench measures this very rule against the title match)."""
    scored = [(round(title_similarity(title, p.title), 1), p) for p in found]
    above = [(score, p) for score, p in scored if score >= TITLE_MATCH_THRESHOLD]
    return above[0] if len(above) == 1 else None


def _by_bulk(run: Run, targets: Sequence[Target]) -> list[Target]:
    """Resolve by one bulk search what it settles beyond doubt: the one paper found scoring at
    least :data:`TITLE_MATCH_THRESHOLD` for a title; return the targets left for a title match.
    A bulk search the API refuses (a title its syntax cannot quote), or whose answer takes more
    than one page, leaves them all."""
    assert run.s2 is not None
    try:
        found = run.s2.search_titles([t.entry.title for t in targets])
    except BadRequest as exc:
        log.info("bulk title search refused (%s): %d titles matched one by one", exc,
                 len(targets))
        return list(targets)
    if found is None:
        log.info("bulk title search found more than one page: %d titles matched one by one",
                 len(targets))
        return list(targets)
    stamp = run.stamp()
    settled, left = [], []
    for target in targets:
        picked = bulk_pick(target.entry.title, found)
        if picked is None or target.fallback is not None:
            left.append(target)  # none, several alike, or a wrong id's doubt: the title match
            continue
        score, paper = picked
        run.told[paper.s2_paper_id] = paper  # its counts, for the lists
        settled.append(Row("resolution", target.key, stamp,
                           Resolution(target.key, paper.s2_paper_id, "title-match", score)))
    run.records.put(settled, request=f"GET /graph/v1/paper/search/bulk ({len(targets)} titles)")
    return left


def _by_title(run: Run, target: Target) -> None:
    assert run.s2 is not None
    title = target.entry.title
    try:
        match = run.s2.match_title(title)
    except PaperNotFound:
        match = None
    if match is None:
        resolution = target.fallback or Resolution(target.key, None, None,
                                                   note="no title match on Semantic Scholar")
    else:
        paper, _ = match
        score = round(title_similarity(title, paper.title), 1)
        if score >= TITLE_MATCH_THRESHOLD:
            resolution = Resolution(target.key, paper.s2_paper_id, "title-match", score)
        elif score >= DOUBTFUL_THRESHOLD:
            resolution = Resolution(target.key, paper.s2_paper_id, "title-match", score,
                                    doubtful=True, note=f"best match {paper.title!r}")
        else:
            resolution = target.fallback or Resolution(
                target.key, None, None, score, note=f"best match {paper.title!r}")
    rows = [Row("resolution", target.key, run.stamp(), resolution)]
    if match is not None and accepted(resolution):
        run.told[match[0].s2_paper_id] = match[0]  # its counts, for the lists
        if match[0].embedding is not None:
            # the match came with every field: the metadata phase need not ask again
            rows.append(run.paper_row("paper", match[0].s2_paper_id, match[0]))
    run.records.put(rows, request=f"GET /graph/v1/paper/search/match?query={title}")
