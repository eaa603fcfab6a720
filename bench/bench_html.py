"""Benchmark of the HTML page: build time, file size and open-to-interactive time in Chromium.

Runs on SYNTHETIC graphs built in memory (never written to kg/ or exports/). Views measured:

- default: 100 list papers, 25 datasets, 12 tasks and 30 discovery candidates (of 3,000);
- stress: the same plus 2,363 candidates, 2,500 nodes in all, uncapped;
- list-10k: a 10,000-row list (10,000 papers, 250 datasets, 40 tasks) in the default view,
  capped to the most important ``VIEW_MAX_NODES`` nodes.

"Interactive" is measured inside the page from navigation start (``performance.now()``): when
``network`` holds its nodes, and when vis-network finishes its first drawing (``afterDrawing``).
Targets (issues 14 and 17): first drawing under 1 s and page at most 1.5 MB for the default
views (default, list-10k). The opening view is reported too (issue 27): its zoom, the shown
nodes outside the canvas (target 0: the page fits what it shows), the smallest cluster name the
page writes (target at least 12 px) and how many pairs of node-and-label boxes, as vis-network
draws them, overlap. The layout's growth is printed on the uncapped 10,000-row view against the
2,500-node one (about n log n: 4.6x for 4x). Figures on a shared machine are indicative.
Needs /usr/bin/chromium and playwright.

    python bench/bench_html.py [--out bench/out] [--runs 3]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # shared launch settings
from chromium import LAUNCH_ARGS, chromium_path  # noqa: E402

from rsvlm_graph.exports import html_layout
from rsvlm_graph.exports.html import build_page, write_page
from rsvlm_graph.exports.html_view import VIEW_MAX_NODES, select_view

TARGET_SECONDS = 1.0
TARGET_BYTES = 1.5e6
#: views whose targets apply (the stress view is uncapped on purpose)
DEFAULT_VIEWS = ("default", "list-10k")
# `var network;` in pyvis's script keeps an accessor already on window, so this setter sees the
# network the moment drawGraph() creates it, before vis-network's first (asynchronous) drawing.
# the opening view: its zoom, pairs of overlapping node-and-label boxes (vis-network's own),
# shown nodes whose shape lies outside the canvas, and the smallest cluster name the page wrote
READABILITY = """() => {
  const shown = network.body.data.nodes.get({filter: n => !n.hidden});
  const boxes = shown.map(n => network.getBoundingBox(n.id));
  boxes.sort((a, b) => a.left - b.left);
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j].left < boxes[i].right; j++) {
      if (boxes[i].top < boxes[j].bottom && boxes[j].top < boxes[i].bottom) { overlaps++; }
    }
  }
  const canvas = document.querySelector('#mynetwork canvas').getBoundingClientRect();
  const outside = shown.filter(n => {
    const a = network.canvasToDOM({x: n.x - n.size, y: n.y - n.size});
    const b = network.canvasToDOM({x: n.x + n.size, y: n.y + n.size});
    return a.x < 0 || a.y < 0 || b.x > canvas.width || b.y > canvas.height;
  }).length;
  const names = RSVLM.drawn().names.map(n => n.px);
  return [network.getScale(), overlaps, outside, names.length ? Math.min(...names) : 0];
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
    # ids hold 5 digits up to 99,999 papers
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
) -> tuple[list[tuple[float, float, float]], tuple[float, int, int, float]]:
    """(data ready, first drawing, wall clock) in seconds for each fresh load of ``path``, and
    the opening view's zoom, overlapping box pairs, nodes outside the canvas and smallest
    cluster name in pixels."""
    results = []
    readability = (0.0, 0, 0, 0.0)
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
            scale, overlaps, outside, smallest = page.evaluate(READABILITY)
            readability = (scale, overlaps, outside, smallest)
        context.close()
    return results, readability


def html_layout_default() -> int:

    return VIEW_MAX_NODES


def layout_growth(G: nx.MultiDiGraph, ranked: list[str], big: nx.MultiDiGraph) -> None:
    """Time both layouts on the uncapped 2,500-node and 10,000-row views (medians of 3)."""
    timings = {}
    for name, view in (("2.5k", select_view(G, ranked, 2500, max_nodes=None)),
                       ("10k", select_view(big, max_candidates=0, max_nodes=None))):
        boxes = {n: html_layout.box(str(view.nodes[n].get("label", n))[:22], 10.0, 14.0)
                 for n in view}
        importance = {n: float(view.degree(n)) for n in view}
        tasks = {n: tuple(view.nodes[n].get("tasks") or ()) for n in view}
        bands = {n: (t[0] if t else None) for n, t in tasks.items()}
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            html_layout.clustered(view, boxes, importance, tasks)
            middle = time.perf_counter()
            html_layout.timeline(view, boxes, importance, bands)
            runs.append((middle - start, time.perf_counter() - middle))
        timings[name] = (view.number_of_nodes(), statistics.median(r[0] for r in runs),
                         statistics.median(r[1] for r in runs))
        print(f"layout {name:5s} {timings[name][0]:6d} nodes: clustered {timings[name][1]:.2f} s, "
              f"timeline {timings[name][2]:.2f} s (median of 3)")
    (n1, c1, t1), (n2, c2, t2) = timings["2.5k"], timings["10k"]
    print(f"layout growth for {n2 / n1:.1f}x the nodes: clustered {c2 / c1:.1f}x, "
          f"timeline {t2 / t1:.1f}x (n log n: {n2 * math.log(n2) / (n1 * math.log(n1)):.1f}x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    G, ranked = synthetic_graph()
    big, big_ranked = synthetic_graph(papers=10_000, datasets=250, tasks=40)
    listed = sum(1 for _, kind in G.nodes(data="kind") if kind in {"paper", "dataset", "task"})
    views = {
        "default": (G, ranked, 30, html_layout_default()),
        "stress": (G, ranked, 2500 - listed, None),
        "list-10k": (big, big_ranked, 30, html_layout_default()),
    }
    pages = {}
    print(f"SYNTHETIC graphs: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges; "
          f"10,000-row list {big.number_of_nodes()} nodes, {big.number_of_edges()} edges")
    for name, (graph, order, max_candidates, cap) in views.items():
        start = time.perf_counter()
        view = select_view(graph, order, max_candidates=max_candidates, max_nodes=cap)
        selected = time.perf_counter()
        page = build_page(view, f"SYNTHETIC {name} view")
        built = time.perf_counter()
        path = args.out / f"html-{name}.html"
        size = write_page(page, path)
        pages[name] = path
        verdict = "" if name not in DEFAULT_VIEWS else (
            "  [target <= 1.5 MB: " + ("ok]" if size <= TARGET_BYTES else "OVER TARGET]"))
        print(
            f"{name:8s} {view.number_of_nodes():5d} nodes {view.number_of_edges():6d} edges  "
            f"select {selected - start:6.3f} s  build {built - selected:6.3f} s  "
            f"file {size / 1e6:6.3f} MB{verdict}"
        )
    layout_growth(G, ranked, big)

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
            times, (zoom, overlaps, outside, smallest) = open_times(
                browser, path, args.runs, args.out / f"html-{name}.png"
            )
            drawn = statistics.median(t[1] for t in times)
            verdict = "" if name not in DEFAULT_VIEWS else (
                f"  [target < {TARGET_SECONDS:.0f} s: "
                + ("ok]" if drawn < TARGET_SECONDS else "OVER TARGET]"))
            print(
                f"{name:8s} open-to-interactive (median of {args.runs}): "
                f"data ready {statistics.median(t[0] for t in times):.2f} s, "
                f"first drawing {drawn:.2f} s, wall {statistics.median(t[2] for t in times):.2f} s"
                f"{verdict}"
            )
            print(
                f"{name:8s} opening view: zoom {zoom:.2f}, nodes outside the canvas {outside} "
                f"(target 0), smallest cluster name {smallest:.1f} px (target >= 12), "
                f"overlapping node-and-label boxes: {overlaps} pairs"
            )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
