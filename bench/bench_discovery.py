"""Benchmark: does discovery propose what a maintainer would add, and never the classics?

On a SYNTHETIC corpus with planted *new work* (recent papers citing several list papers, some
recommended by S2, close to the list by SPECTER) and planted *foundations* (older papers most
list papers cite, like ResNet or CLIP in the real field), among noise papers with one link
each, it prints precision and recall at 10 and 20 of ``suggest``'s default (new work, the
default ``--since``) and how many foundations it proposes (target: 0).

With a snapshot (``kg/snapshot.jsonl``) and a git history of the list with more than one
commit, it also backtests: for each past version of the list, how many of the papers added
later would have been suggested before they were added. Otherwise it says why not.

    python bench/bench_discovery.py [--seed N]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import networkx as nx

from rsvlm_graph.discovery import discover_candidates
from rsvlm_graph.errors import RsvlmGraphError
from rsvlm_graph.graph import build_graph
from rsvlm_graph.listfile.curation import load_curation
from rsvlm_graph.listfile.history import entry_history
from rsvlm_graph.listfile.parse import read_list
from rsvlm_graph.store import read_snapshot

ROOT = Path(__file__).resolve().parents[1]
LIST_PATH = ROOT / "kg" / "awesome-list.md"
TASKS = ("Image Captioning", "Visual Question Answering", "Scene Classification",
         "Visual Grounding", "Image-text Retrieval")
DIM = 32
CUTS = (10, 20)  # suggest proposes 10 by default; 20 is discover's default


def _vector(rng: random.Random, centre: Sequence[float] | None = None, spread: float = 1.0
            ) -> tuple[float, ...]:
    if centre is None:
        return tuple(rng.gauss(0, 1) for _ in range(DIM))
    return tuple(c + rng.gauss(0, spread) for c in centre)


def planted_corpus(seed: int) -> tuple[nx.MultiDiGraph, list[str], set[str], set[str]]:
    """SYNTHETIC graph: 80 list papers (2016–2024), 20 planted new works (2023–2025), 10
    planted foundations (1998–2020) each cited by 15–40 list papers, 300 noise papers (one link
    each, any year). Returns the graph, S2's recommendations, the new works' and the
    foundations' nodes."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph(list="list:bench")
    G.add_node("list:bench", kind="list", label="bench", title="SYNTHETIC bench list", path="-")
    centres = {task: _vector(rng) for task in TASKS}
    list_nodes = []
    for i in range(80):
        task = TASKS[i % len(TASKS)]
        node = f"paper:arxiv:2300.{i:05d}"
        G.add_node(node, kind="paper", in_list=True, label=node, title=f"SYNTHETIC list paper {i}",
                   tasks=(task,), year=2016 + i % 9, s2_id=f"{i:040x}", arxiv_id=f"2300.{i:05d}",
                   doi=None, embedding=_vector(rng, centres[task], 0.6))
        list_nodes.append(node)
    serial = iter(range(1000, 10**6))

    def outside(title: str, year: int, embedding: tuple[float, ...]) -> str:
        s2_id = f"{next(serial):040x}"
        node = f"paper:s2:{s2_id}"
        G.add_node(node, kind="outside_paper", in_list=False, label=title, title=title, year=year,
                   s2_id=s2_id, doi=None, arxiv_id=None, tasks=(), embedding=embedding)
        return node

    new_work, foundations, recommended = set(), set(), []
    for k in range(20):
        task = TASKS[k % len(TASKS)]
        node = outside(f"SYNTHETIC planted new work {k}", rng.choice((2023, 2024, 2025)),
                       _vector(rng, centres[task], 0.7))
        for cited in rng.sample([n for n in list_nodes if G.nodes[n]["tasks"] == (task,)],
                                rng.randint(2, 6)):
            G.add_edge(node, cited, key="cites", is_influential=False)
        new_work.add(node)
        if k % 2 == 0:
            recommended.append(node)
    for k in range(10):
        node = outside(f"SYNTHETIC planted foundation {k}", rng.randint(1998, 2020), _vector(rng))
        for citing in rng.sample(list_nodes, rng.randint(15, 40)):
            G.add_edge(citing, node, key="cites", is_influential=False)
        foundations.add(node)
    for k in range(300):
        node = outside(f"SYNTHETIC noise {k}", rng.randint(2000, 2025), _vector(rng))
        other = rng.choice(list_nodes)
        edge = (node, other) if rng.random() < 0.6 else (other, node)
        G.add_edge(*edge, key="cites", is_influential=False)
        if k % 30 == 0:
            recommended.append(node)
    rng.shuffle(recommended)  # S2's order is its own, not ours
    return G, [G.nodes[n]["s2_id"] for n in recommended], new_work, foundations


def synthetic_figures(seed: int) -> None:
    G, recommended, new_work, foundations = planted_corpus(seed)
    # suggest's default: new work only, --since the year before the list's newest paper
    proposed = [c.node for c in discover_candidates(G, recommended=recommended, top=max(CUTS))]
    print(f"SYNTHETIC corpus (seed {seed}): 80 list papers, {len(new_work)} planted new works, "
          f"{len(foundations)} planted foundations, 300 noise papers")
    print(f"\n{'cut':>4}{'precision':>11}{'recall':>8}{'foundations proposed':>22}")
    for k in CUTS:
        top = proposed[:k]
        hits = len(set(top) & new_work)
        print(f"{k:>4}{hits / k:>11.2f}{hits / len(new_work):>8.2f}"
              f"{len(set(top) & foundations):>22}")
    shown = discover_candidates(G, recommended=recommended, kind="foundation", top=10)
    print(f"\nfoundations table (report): {sum(c.node in foundations for c in shown)} of "
          f"{len(shown)} rows are the planted foundations")
    found = len(set(proposed[:10]) & foundations)
    print(f"foundations among suggest's 10 = {found} (target 0): {'met' if found == 0 else 'MISSED'}")


def backtest() -> None:
    """Past versions of the list against the committed snapshot, when both exist."""
    snapshot_path = LIST_PATH.with_name("snapshot.jsonl")
    if not snapshot_path.exists():
        print("\nbacktest: not available: kg/snapshot.jsonl does not exist (this repository "
              "holds no enrichment yet), so there is nothing to rank past versions with")
        return
    curation = load_curation(LIST_PATH.with_name("curation.toml"))
    document = read_list(LIST_PATH, curation)
    try:
        added = entry_history(LIST_PATH, document)
    except RsvlmGraphError as exc:
        print(f"\nbacktest: not available: {exc}")
        return
    dates = sorted({a.date[:10] for a in added if a.date})
    if len(dates) < 2:
        print(f"\nbacktest: not available: the list's git history has {len(dates)} date(s) of "
              "additions; a backtest needs a past version and papers added after it")
        return
    enrichment = read_snapshot(snapshot_path)
    when = {a.line: (a.date or "9999")[:10] for a in added}
    print(f"\nbacktest over {len(dates) - 1} past version(s) "
          "(papers added later, suggested at 20 before they were added):")
    for cutoff in dates[:-1]:
        keep = tuple(e for e in document.entries if when.get(e.line, "9999") <= cutoff)
        past = replace(document, entries=keep)
        kept = {n for n, a in build_graph(past).nodes(data=True) if a.get("kind") == "paper"}
        past_enrichment = replace(enrichment, resolutions=tuple(
            r for r in enrichment.resolutions if r.entry_key in kept))
        later_ids = {r.s2_paper_id for r in enrichment.resolutions
                     if r.s2_paper_id and r.entry_key not in kept}
        later_ids -= {r.s2_paper_id for r in past_enrichment.resolutions}
        G = build_graph(past, past_enrichment)
        suggested = {c.s2_id for c in discover_candidates(
            G, recommended=enrichment.recommendations, top=20)}
        hit = len(suggested & later_ids)
        print(f"  {cutoff}: {len(keep)} entries; {len(later_ids)} papers added later, "
              f"{hit} of them suggested")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    synthetic_figures(args.seed)
    backtest()
    return 0


if __name__ == "__main__":
    sys.exit(main())
