"""Export speed and memory on a SYNTHETIC graph: Turtle, JSON-LD, GraphML and CSV.

Builds, in memory only, a graph shaped like the real one (list papers with arXiv ids / DOIs,
outside papers, citations, datasets, tasks, venues, code, authors) but with made-up values, then
times each export (median of ``--repeat`` runs) and prints each one's own peak resident memory.
The yardstick is pyoxigraph serialising the very same triples with nothing else to do; the
targets (issue 17): Turtle within 1.2× of it, GraphML and CSV within 2× of the Turtle write.
Beside it, two figures that bound what any writer in Python can reach: the floor (a Python loop
doing one dict lookup and one list append a triple) and what making pyoxigraph's terms costs.
It also checks that our Turtle is byte for byte pyoxigraph's.

    python bench/bench_export.py                         # 100k papers, 1M citations
    python bench/bench_export.py --papers 30000 --citations 300000 --repeat 5

Each step prints wall and CPU seconds; on a busy machine the CPU figures and ratios move less.
Nothing is written outside a temporary folder. Figures only: no assertion, no pass/fail.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from rsvlm_graph.exports import collector_paused
from rsvlm_graph.exports.jsonld import write_jsonld
from rsvlm_graph.exports.rdf import Statements, prefixes, to_statements
from rsvlm_graph.exports.tables import write_csv, write_graphml
from rsvlm_graph.exports.turtle import write_turtle

TASKS = ("Image Captioning", "Visual Question Answering", "Visual Grounding", "Scene Classification")
VENUES = ("TGRS", "arxiv", "CVPR", "Remote Sensing", "IGARSS")


def synthetic_graph(papers: int, citations: int, seed: int = 0) -> nx.MultiDiGraph:
    """A SYNTHETIC graph following docs/ARCHITECTURE.md; every value is made up."""
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    G.add_node("list:synthetic", kind="list", label="SYNTHETIC list", title="SYNTHETIC list", path="-")
    for name in TASKS:
        slug = name.lower().replace(" ", "-")
        G.add_node(f"task:{slug}", kind="task", label=name, name=name, section=name)
    for name in VENUES:
        G.add_node(f"venue:{name.lower().replace(' ', '-')}", kind="venue", label=name, name=name)
    ids = []
    for i in range(papers):
        in_list = i % 10 == 0
        arxiv_id = f"{2000 + i // 100000:04d}.{i % 100000:05d}"
        node = f"paper:arxiv:{arxiv_id}" if in_list else f"paper:s2:{i:040x}"
        venue = VENUES[i % len(VENUES)]
        G.add_node(
            node, kind="paper" if in_list else "outside_paper", label=f"SYNTHETIC paper {i}",
            title=f"SYNTHETIC paper {i} on remote sensing", year=2000 + i % 25, venue=venue,
            arxiv_id=arxiv_id, doi=f"10.1109/synthetic.{i}", s2_id=f"{i:040x}", in_list=in_list,
            url=f"https://arxiv.org/abs/{arxiv_id}" if in_list else None,
            tasks=(TASKS[i % len(TASKS)],), citation_count=i % 700, reference_count=i % 90,
            influential_citation_count=i % 7, fields_of_study=("Computer Science",),
            abstract=f"SYNTHETIC abstract {i}. " * 4, source="semanticscholar",
            fetched_at="2024-05-01T12:00:00Z", embedding=None,
        )
        G.add_edge(node, f"venue:{venue.lower().replace(' ', '-')}", key="published_in")
        author = f"author:{i % (papers // 3 + 1)}"
        G.add_node(author, kind="author", label=f"SYNTHETIC author {i}", name=f"Author {i}", s2_author_id=author[7:])
        G.add_edge(node, author, key="authored_by", position=0)
        if in_list:
            G.add_edge("list:synthetic", node, key="has_part")
            G.add_edge(node, f"task:{TASKS[i % len(TASKS)].lower().replace(' ', '-')}", key="has_task")
            if i % 50 == 0:
                dataset, code = f"dataset:synthetic-{i}", f"code:github.com/synthetic/repo-{i}"
                G.add_node(dataset, kind="dataset", label=f"SYNTHETIC-{i}", name=f"SYNTHETIC-{i}",
                           url=f"https://arxiv.org/abs/{arxiv_id}", home_urls=(f"https://example.org/{i}",),
                           download_urls=(), tasks=(), lines=(i,))
                G.add_node(code, kind="code", label=code[5:], url=f"https://{code[5:]}")
                G.add_edge("list:synthetic", dataset, key="has_part")
                G.add_edge(node, dataset, key="introduces")
                G.add_edge(node, code, key="has_code")
        ids.append(node)
    for _ in range(citations):
        a, b = rng.sample(ids, 2)
        G.add_edge(a, b, key="cites", is_influential=rng.random() < 0.1)
    return G


def oxigraph_triples(statements: Statements) -> list[ox.Triple]:
    """The same triples as pyoxigraph objects, each IRI's node made once: what writing them with
    pyoxigraph would cost on top of its serialisation."""
    nodes: dict[str, ox.NamedNode] = {}

    def node(iri: str) -> ox.NamedNode:
        made = nodes.get(iri)
        if made is None:
            made = nodes[iri] = ox.NamedNode(iri)
        return made

    def term(value):
        if isinstance(value, tuple):
            text, datatype, language = value
            return ox.Literal(text, datatype=node(datatype) if datatype else None, language=language)
        return node(value)

    with collector_paused():  # as our writers run: a million new objects would start it often
        return [ox.Triple(node(s), node(p), term(o)) for s, po in statements for p, o in po]


def python_floor(statements: Statements, texts: dict[str, str]) -> int:
    """The least a Python writer does per triple: one dict lookup and one list append (`texts`,
    the text of every IRI, made beforehand; nothing written). What the yardstick leaves for Python."""
    parts: list[str] = []
    append = parts.append
    for _, po in statements:
        for _, o in po:
            append(texts[o] if o.__class__ is str else o[0])
    return len(parts)


def reset_peak() -> None:
    """Restart the kernel's resident-memory high-water mark (Linux), so each step's own peak shows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def peak_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, work: Callable[[], object], repeat: int) -> tuple[tuple[float, float], object]:
    """Run `work` `repeat` times; print and return the median (wall, CPU) seconds and the peak
    resident memory of a run. CPU time counts only this process, so it moves less than wall time
    when other work shares the machine."""
    walls, cpus, peaks = [], [], []
    result = None
    for _ in range(repeat):
        result = None  # the previous run's result is freed before the next, not held beside it
        reset_peak()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
        peaks.append(peak_mib())
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"{label:<42} {wall:8.2f} s  (CPU {cpu:6.2f} s)   peak RSS {max(peaks):8.0f} MiB", flush=True)
    return (wall, cpu), result


def ratio(label: str, work: tuple[float, float], yardstick: tuple[float, float]) -> None:
    wall, cpu = (w / y for w, y in zip(work, yardstick))
    print(f"{label:<46} {wall:5.2f}× wall, {cpu:5.2f}× CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--citations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step; medians are printed")
    args = parser.parse_args()
    n = args.repeat

    _, G = timed("build SYNTHETIC graph", lambda: synthetic_graph(args.papers, args.citations), 1)
    print(f"graph: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges; medians of {n} runs")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        build, statements = timed("to_statements (graph → RDF terms)", lambda: to_statements(G), n)
        ttl, _ = timed("write_turtle(statements)", lambda: write_turtle(statements, out / "g.ttl"), n)
        jsonld, _ = timed("write_jsonld(statements)", lambda: write_jsonld(statements, out / "g.jsonld"), n)
        graphml, _ = timed("write_graphml", lambda: write_graphml(G, out / "g.graphml"), n)
        csv, _ = timed("write_csv", lambda: write_csv(G, out / "nodes.csv", out / "edges.csv"), n)
        iri_texts = {o: "" for _, po in statements for _, o in po if isinstance(o, str)}
        floor, _ = timed("floor: 1 lookup + 1 append a triple", lambda: python_floor(statements, iri_texts), n)
        iri_texts.clear()
        # the yardstick's own triples come last; making them is timed apart from the yardstick
        terms, triples = timed("pyoxigraph terms made from the statements", lambda: oxigraph_triples(statements), n)
        statements.clear()  # only the yardstick's triples are held while it runs
        print(f"triples: {len(triples)}")
        yard_ttl, _ = timed(
            "yardstick: pyoxigraph.serialize Turtle",
            lambda: ox.serialize(triples, str(out / "y.ttl"), ox.RdfFormat.TURTLE, prefixes=prefixes()), n,
        )
        yard_jsonld, _ = timed(
            "yardstick: pyoxigraph.serialize JSON-LD",
            lambda: ox.serialize(triples, str(out / "y.jsonld"), ox.RdfFormat.JSON_LD), n,
        )
        same = (out / "g.ttl").read_bytes() == (out / "y.ttl").read_bytes()
        sizes = {p.name: p.stat().st_size / 2**20 for p in sorted(out.iterdir())}
    print("sizes (MiB): " + ", ".join(f"{name} {size:.1f}" for name, size in sizes.items()))
    print(f"our Turtle byte-identical to pyoxigraph's: {same}")
    ratio("Turtle write / yardstick", ttl, yard_ttl)
    ratio("Turtle, to_statements + write / yardstick", tuple(b + t for b, t in zip(build, ttl)), yard_ttl)  # type: ignore[arg-type]
    ratio("floor of a Python writer / yardstick", floor, yard_ttl)
    ratio("Turtle write / (pyoxigraph terms + yardstick)", ttl, tuple(a + b for a, b in zip(terms, yard_ttl)))  # type: ignore[arg-type]
    ratio("JSON-LD write / yardstick", jsonld, yard_jsonld)
    ratio("GraphML / Turtle write", graphml, ttl)
    ratio("CSV / Turtle write", csv, ttl)


if __name__ == "__main__":
    main()
