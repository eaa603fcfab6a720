"""Time the analyses on SYNTHETIC citation graphs: the size of the real one, and 100k papers.

    python bench/bench_analysis.py            # both sizes
    python bench/bench_analysis.py --small    # only the real-size graph

Prints seconds per analysis; asserts nothing (figures, not tests). The graphs follow the
contract of docs/ARCHITECTURE.md and are random (fixed seed): none of it is real data.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from typing import Any

import networkx as nx

from rsvlm_graph.discovery import discover_candidates
from rsvlm_graph.exports.report import papers_per_year_per_task
from rsvlm_graph.ranking import coverage_notes, pagerank_papers, rank_papers

TASKS = ("Image Captioning", "Visual Question Answering", "Scene Classification", "Object Detection",
         "Visual Grounding", "Image-text Retrieval", "Pretraining", "Semantic Segmentation")
WORDS = ("remote", "sensing", "vision", "language", "model", "captioning", "aerial", "satellite",
         "retrieval", "grounding", "transformer", "contrastive", "benchmark", "dataset", "scene",
         "segmentation", "detection", "multimodal", "large", "question", "answering", "change")


def synthetic_graph(n_list: int, n_outside: int, n_citations: int, n_embedded: int, dim: int,
                    seed: int = 0) -> tuple[nx.MultiDiGraph, list[str]]:
    """A SYNTHETIC graph: list papers, outside papers, random citations; returns it and S2 ids."""
    rng = random.Random(seed)

    def title() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 12))).capitalize()

    def embedding() -> tuple[float, ...]:
        return tuple(rng.gauss(0, 1) for _ in range(dim))

    G = nx.MultiDiGraph(list="list:bench")
    G.add_node("list:bench", kind="list", label="bench", title="SYNTHETIC bench list", path="-")
    list_nodes, outside_nodes, s2_ids = [], [], []
    for i in range(n_list):
        node = f"paper:arxiv:2300.{i:05d}"
        tasks = tuple(sorted(set(rng.sample(TASKS, rng.choice((1, 1, 2))))))
        G.add_node(node, kind="paper", label=node, title=f"List {i} {title()}", in_list=True,
                   tasks=tasks, year=rng.randint(2016, 2024), s2_id=f"{i:040x}",
                   arxiv_id=f"2300.{i:05d}", doi=None, venue="arxiv",
                   citation_count=rng.randint(0, 2000), influential_citation_count=rng.randint(0, 50),
                   embedding=embedding() if i < n_embedded else None)
        list_nodes.append(node)
    for i in range(n_outside):
        s2_id = f"{n_list + i:040x}"
        node = f"paper:s2:{s2_id}"
        G.add_node(node, kind="outside_paper", label=node, title=title(), in_list=False, tasks=(),
                   year=rng.choice((None, *range(1995, 2026))), s2_id=s2_id, doi=f"10.5555/{i}",
                   arxiv_id=None, venue=rng.choice((None, "TGRS", "CVPR", "Remote Sensing")),
                   citation_count=rng.randint(0, 5000), influential_citation_count=None,
                   embedding=embedding() if i < n_embedded else None)
        outside_nodes.append(node)
        s2_ids.append(s2_id)
    papers = list_nodes + outside_nodes
    edges = []
    for _ in range(n_citations):
        # every citation touches the list, as enrichment fetches them: citations and references
        listed, other = rng.choice(list_nodes), rng.choice(papers)
        edges.append((other, listed) if rng.random() < 0.7 else (listed, other))
    G.add_edges_from((u, v, "cites", {"is_influential": rng.random() < 0.1}) for u, v in edges if u != v)
    return G, s2_ids


def timed(label: str, fn: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    result = fn()
    size = f"{len(result):>7,} results" if hasattr(result, "__len__") else ""
    print(f"  {label:<44} {time.perf_counter() - start:7.2f} s  {size}")
    return result


def run(name: str, **sizes: int) -> None:
    start = time.perf_counter()
    G, s2_ids = synthetic_graph(**sizes)
    cites = sum(1 for *_, k in G.edges(keys=True) if k == "cites")
    print(f"{name}: {sizes['n_list']:,} list + {sizes['n_outside']:,} outside papers, {cites:,} "
          f"citations, {sizes['n_embedded']:,} embeddings of each kind "
          f"(built in {time.perf_counter() - start:.1f} s)")
    recommended = tuple(s2_ids[::max(1, len(s2_ids) // 100)][:100])
    pr = timed("pagerank_papers", lambda: pagerank_papers(G))
    timed("rank_papers (computes PageRank)", lambda: rank_papers(G, year_now=2025))
    timed("rank_papers (PageRank given)", lambda: rank_papers(G, year_now=2025, pagerank=pr))
    timed("rank_papers --task", lambda: rank_papers(G, task=TASKS[0], year_now=2025, pagerank=pr))
    timed("discover_candidates --top 50",
          lambda: discover_candidates(G, recommended=recommended, top=50, year_now=2025))
    timed("discover_candidates (all)",
          lambda: discover_candidates(G, recommended=recommended, year_now=2025))
    timed("papers_per_year_per_task + coverage_notes",
          lambda: (papers_per_year_per_task(G), coverage_notes(G)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="only the graph the size of the real one")
    args = parser.parse_args()
    run("real size", n_list=100, n_outside=5_000, n_citations=30_000, n_embedded=5_000, dim=768)
    if not args.small:
        run("100k papers", n_list=1_000, n_outside=99_000, n_citations=1_000_000, n_embedded=5_000,
            dim=768)


if __name__ == "__main__":
    main()
