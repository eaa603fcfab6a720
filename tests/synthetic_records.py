"""SYNTHETIC records on file for the tests: an ``Enrichment`` as the rows and edges a run that
fetched it all at one time would keep, in a store or as a snapshot."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rsvlm_graph.codec import DIRECTIONS, RECOMMENDATIONS_KEY, Edge, Row, failure_key
from rsvlm_graph.models import EdgeList, Enrichment, Recommendations
from rsvlm_graph.records import Selection, accepted_ids
from rsvlm_graph.snapshot import write_snapshot

STAMP = "2024-06-01T12:00:00Z"


def rows_of(enrichment: Enrichment, stamp: str = STAMP) -> tuple[list[Row], list[Edge]]:
    """The rows and edges of ``enrichment``: each list paper's lists fetched at its counts, the
    other papers ``linked``, everything dated ``stamp`` (a paper keeps its own date)."""
    accepted = set(accepted_ids(enrichment.resolutions))
    rows = [Row("resolution", r.entry_key, stamp, r) for r in enrichment.resolutions]
    counts = {}
    for p in enrichment.papers:
        dated = dataclasses.replace(p, fetched_at=p.fetched_at or stamp)
        kind = "paper" if p.s2_paper_id in accepted else "linked"
        rows.append(Row(kind, p.s2_paper_id, dated.fetched_at, dated))
        counts[p.s2_paper_id] = (p.citation_count, p.reference_count)
    for s2_id in sorted(accepted):
        cited_by, cites = counts.get(s2_id, (None, None))
        rows.append(Row("citations", s2_id, stamp,
                        EdgeList(cited_by, s2_id in enrichment.truncated)))
        rows.append(Row("references", s2_id, stamp, EdgeList(cites)))
    edges = []
    for c in enrichment.citations:
        lists = tuple(d for d, owner in zip(DIRECTIONS, (c.cited, c.citing)) if owner in accepted)
        if lists:
            edges.append(Edge(c, lists))
    rows += [Row("arxiv", a.arxiv_id, a.fetched_at or stamp, a) for a in enrichment.arxiv]
    if enrichment.recommendations:
        rows.append(Row("recommendations", RECOMMENDATIONS_KEY, stamp,
                        Recommendations(tuple(sorted(accepted)), (),
                                        enrichment.recommendations)))
    rows += [Row("failure", failure_key(f), stamp, f) for f in enrichment.failures]
    return rows, edges


def selection_of(enrichment: Enrichment, stamp: str = STAMP) -> Selection:
    rows, edges = rows_of(enrichment, stamp)
    return Selection(tuple(sorted(rows, key=lambda r: (r.kind, r.key))),
                     tuple(sorted(edges, key=lambda e: e.key)))


def write_enrichment(path: Path, enrichment: Enrichment, stamp: str = STAMP) -> None:
    """``enrichment`` as the committed snapshot (:func:`rows_of`)."""
    write_snapshot(path, selection_of(enrichment, stamp))
