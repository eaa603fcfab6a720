"""Phase 1 of enrichment: each list paper matched to a Semantic Scholar paper.

Pinned ids and the list's arXiv ids / DOIs go in one batch call (a record titled far from the
list's row is doubted and given a title match), the rest are matched by title, scored by
:func:`~rsvlm_graph.identifiers.title_similarity` against :data:`TITLE_MATCH_THRESHOLD`. A
resolution never ages (unless its pin changes), but an entry Semantic Scholar did not know is
asked again once its answer is older than the freshness window.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .codec import Row
from .errors import PaperNotFound
from .fetch_run import Run
from .identifiers import title_similarity
from .models import Failure, ListEntry, Pin, Resolution

__all__ = [
    "DOUBTFUL_THRESHOLD",
    "ID_MISMATCH_THRESHOLD",
    "TITLE_MATCH_THRESHOLD",
    "Target",
    "accepted",
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
    for target in by_title:
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
    if match is not None and accepted(resolution) and match[0].embedding is not None:
        # the match came with every field: the metadata phase need not ask again
        rows.append(run.paper_row("paper", match[0].s2_paper_id, match[0]))
    run.records.put(rows, request=f"GET /graph/v1/paper/search/match?query={title}")
