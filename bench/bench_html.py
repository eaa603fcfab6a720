"""Benchmark of the HTML page: build time, file size and open-to-interactive time in Chromium.

Runs on a SYNTHETIC graph built in memory (never written to kg/ or exports/): 100 list papers,
25 datasets, 12 tasks and 3,000 outside papers. Two views are measured:

- default: the list's papers, datasets and tasks plus 30 discovery candidates;
- stress: the same plus 2,363 candidates, 2,500 nodes in all.

"Interactive" is measured inside the page from navigation start (``performance.now()``): when
``network`` holds its nodes, and when vis-network finishes its first drawing (``afterDrawing``).
Target: under 3 s for both views. Readability of the first (fit) view is reported too: its zoom
(label pixels on screen = 14 × zoom) and how many pairs of node-and-label boxes, as vis-network
draws them, overlap. Needs /usr/bin/chromium and playwright.

    python bench/bench_html.py [--out bench/out] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # shared launch settings
from chromium import LAUNCH_ARGS, chromium_path  # noqa: E402

from rsvlm_graph.exports.html import build_page, select_view, write_page

TARGET_SECONDS = 3.0
# `var network;` in pyvis's script keeps an accessor already on window, so this setter sees the
# network the moment drawGraph() creates it, before vis-network's first (asynchronous) drawing.
# pairs of overlapping node-and-label boxes (vis-network's own) and the zoom of the first view
READABILITY = """() => {
  const boxes = network.body.data.nodes.getIds().map(id => network.getBoundingBox(id));
  boxes.sort((a, b) => a.left - b.left);
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j].left < boxes[i].right; j++) {
      if (boxes[i].top < boxes[j].bottom && boxes[j].top < boxes[i].bottom) { overlaps++; }
    }
  }
  return [network.getScale(), overlaps];
}"""
TIMING_HOOK = """
(() => {
  let value;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return value; },
    set(network) {
      value = network;
      window.__dataReady = performance.now();
      network.once("afterDrawing", () => { window.__firstDraw = performance.now(); });
    },
  });
})();
"""


def synthetic_graph(
    papers: int = 100, datasets: int = 25, tasks: int = 12, outside: int = 3000, seed: int = 7
) -> tuple[nx.MultiDiGraph, list[str]]:
    """A SYNTHETIC graph after the contract, and its outside papers ranked by citations."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    task_names = [f"Synthetic Task {i}" for i in range(tasks)]
    for i, name in enumerate(task_names):
        G.add_node(f"task:synthetic-task-{i}", kind="task", label=name, name=name, section=name)
    paper_ids = [f"paper:arxiv:2400.{i:05d}" for i in range(papers)]
    for i, node in enumerate(paper_ids):
        own = tuple(sorted(rng.sample(task_names, rng.randint(1, 3))))
        title = f"SynthVLM-{i}: A Synthetic Vision Language Model for Remote Sensing"
        G.add_node(node, kind="paper", label=title, title=title, year=2020 + i % 5, venue="arXiv",
                   arxiv_id=f"2400.{i:05d}", url=f"https://arxiv.org/abs/2400.{i:05d}",
                   tasks=own, in_list=True, citation_count=rng.randint(0, 500),
                   code_urls=(f"https://github.com/synthetic/vlm-{i}",), abstract="SYNTHETIC " * 50)
        for name in own:
            G.add_edge(node, f"task:synthetic-task-{task_names.index(name)}", key="has_task")
    for i in range(datasets):
        node = f"dataset:synthetic-set-{i}"
        task = rng.choice(task_names)
        G.add_node(node, kind="dataset", label=f"SynthSet-{i}", name=f"SynthSet-{i}", tasks=(task,),
                   url=None, home_urls=(f"https://example.org/set-{i}",), download_urls=())
        G.add_edge(node, f"task:synthetic-task-{task_names.index(task)}", key="has_task")
        G.add_edge(rng.choice(paper_ids), node, key="introduces")
        for user in rng.sample(paper_ids, 3):
            G.add_edge(user, node, key="uses")
    outside_ids = [f"paper:s2:{i:040x}" for i in range(outside)]
    counts = {}
    for i, node in enumerate(outside_ids):
        counts[node] = int(rng.paretovariate(1.2) * 10)
        title = f"Outside Synthetic Paper {i}"
        G.add_node(node, kind="outside_paper", label=title, title=title, year=2015 + i % 9,
                   venue=None, in_list=False, tasks=(), citation_count=counts[node])
    for node in paper_ids:
        for cited in rng.sample(paper_ids, 3) + rng.sample(outside_ids, 20):
            if cited != node:
                G.add_edge(node, cited, key="cites", is_influential=False)
    ranked = sorted(outside_ids, key=lambda n: (-counts[n], n))
    return G, ranked


def open_times(
    browser, path: Path, runs: int, screenshot: Path
) -> tuple[list[tuple[float, float, float]], tuple[float, int]]:
    """(data ready, first drawing, wall clock) in seconds for each fresh load of ``path``, and
    the first view's zoom and overlapping box pairs."""
    results = []
    readability = (0.0, 0)
    for run in range(runs):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.add_init_script(TIMING_HOOK)
        start = time.perf_counter()
        page.goto(path.as_uri())
        page.wait_for_function(
            "() => window.network && network.body.data.nodes.length > 0 && window.__firstDraw",
            timeout=120_000,
        )
        wall = time.perf_counter() - start
        ready, drawn = page.evaluate("() => [window.__dataReady, window.__firstDraw]")
        results.append((ready / 1000, drawn / 1000, wall))
        if run == 0:
            page.screenshot(path=str(screenshot))
            scale, overlaps = page.evaluate(READABILITY)
            readability = (scale, overlaps)
        context.close()
    return results, readability


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    G, ranked = synthetic_graph()
    listed = sum(1 for _, kind in G.nodes(data="kind") if kind in {"paper", "dataset", "task"})
    views = {"default": 30, "stress": 2500 - listed}
    pages = {}
    print(f"SYNTHETIC graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
    for name, max_candidates in views.items():
        start = time.perf_counter()
        view = select_view(G, ranked, max_candidates=max_candidates)
        selected = time.perf_counter()
        page = build_page(view, f"SYNTHETIC {name} view")
        built = time.perf_counter()
        path = args.out / f"html-{name}.html"
        size = write_page(page, path)
        pages[name] = path
        print(
            f"{name:8s} {view.number_of_nodes():5d} nodes {view.number_of_edges():6d} edges  "
            f"select {selected - start:6.3f} s  build {built - selected:6.3f} s  "
            f"file {size / 1024:8.1f} KiB"
        )

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("playwright missing: no browser timings", file=sys.stderr)
        return 1
    if chromium_path() is None:
        print("Debian's chromium missing (apt-get install chromium): no browser timings", file=sys.stderr)
        return 1
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path()), args=LAUNCH_ARGS)
        for name, path in pages.items():
            times, (zoom, overlaps) = open_times(
                browser, path, args.runs, args.out / f"html-{name}.png"
            )
            drawn = statistics.median(t[1] for t in times)
            verdict = "ok" if drawn < TARGET_SECONDS else "OVER TARGET"
            print(
                f"{name:8s} open-to-interactive (median of {args.runs}): "
                f"data ready {statistics.median(t[0] for t in times):.2f} s, "
                f"first drawing {drawn:.2f} s, wall {statistics.median(t[2] for t in times):.2f} s"
                f"  [target < {TARGET_SECONDS:.0f} s: {verdict}]"
            )
            print(
                f"{name:8s} first view: zoom {zoom:.2f} (labels {14 * zoom:.1f} px), "
                f"overlapping node-and-label boxes: {overlaps} pairs"
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
