"""Growth of `rsvlm-graph build --offline` with the size of the list, its git history included.

Writes SYNTHETIC lists of 100, 1,000 and 10,000 rows (papers in task sections, datasets in
dataset sections) into temporary git repositories of a few hundred commits each: rows arrive over
the commits, a few are renamed (typo fixes) or moved to another section, as maintainers do. Then
runs the real command, each build in a fresh process, and prints the time and peak resident
memory of every step as the pipeline itself logs them (``rsvlm_graph.steps``), the process's
wall time (start-up and imports included), and the growth ratios. The target: the 10,000-row
build within 12x the 1,000-row build.

    python bench/bench_build.py                         # 100, 1,000, 10,000 rows
    python bench/bench_build.py --sizes 100 1000 --repeat 5
    python bench/bench_build.py --papers 100000 --citations 1000000   # one whole build at scale
    python bench/bench_build.py --papers 30000 --citations 300000 --profile /tmp/build.prof
    python bench/bench_build.py --bundled     # warm enriched against offline list-only, interleaved

Figures are medians over ``--repeat`` builds of each list, wall time and CPU time (user and
system of the build's process) side by side; ratios are taken from those medians of one run of
this script. The machine may be shared: run the two builds of a ratio in turn (``--bundled``
does), and read the figures as indicative. Nothing is written outside a temporary folder; no
assertion.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

TASKS = (
    "Image Captioning", "Visual Question Answering", "Visual Grounding", "Scene Classification",
    "Image text Retrieval", "Object Detection", "Semantic Segmentation", "Pretraining",
)
VENUES = ("arxiv", "TGRS", "CVPR", "Remote Sensing", "IGARSS", "GRSL", "J-STARS", "ICCV")
WORDS = (
    "remote", "sensing", "vision", "language", "model", "satellite", "aerial", "image", "caption",
    "retrieval", "grounding", "question", "answering", "multimodal", "contrastive", "pretraining",
    "segmentation", "detection", "scene", "benchmark", "transformer", "prompt", "few-shot",
    "zero-shot", "hyperspectral", "SAR", "change", "foundation", "large", "instruction",
)
PAPER_HEADER = ("| Paper | Published in | Code/Project|", "|---|:---:|:---:|")
DATASET_HEADER = ("| Dataset | Home/Github | Download link|", "|---|:---:|:---:|")
STEP_LOGGER = "rsvlm_graph.steps"
ROOT = Path(__file__).resolve().parents[1]


class SyntheticList:
    """A SYNTHETIC list growing commit by commit; every title, link and id is made up."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.papers: dict[str, list[str]] = {task: [] for task in TASKS}
        self.datasets: dict[str, list[str]] = {task: [] for task in TASKS}
        self.count = 0

    def _title(self) -> str:
        words = self.rng.sample(WORDS, 6)
        return f"SYNTHETIC {' '.join(words).capitalize()} {self.count}"

    def add_row(self) -> None:
        self.count += 1
        task = self.rng.choice(TASKS)
        if self.count % 10 == 0:
            name = f"SYNTHETIC-DS{self.count}"
            self.datasets[task].append(
                f"[{name}](https://arxiv.org/abs/2401.{self.count:05d})|"
                f"[Github](https://github.com/synthetic/ds-{self.count})|-"
            )
            return
        arxiv = f"{23 + self.count // 90000}{1 + self.count % 12:02d}.{self.count % 90000 + 10000:05d}"
        code = f"[code](https://github.com/synthetic/repo-{self.count})" if self.count % 3 else "-"
        venue = self.rng.choice(VENUES)
        self.papers[task].append(
            f"[{self._title()}](https://arxiv.org/abs/{arxiv})|{venue} {2016 + self.count % 9}|{code}"
        )

    def fix_a_title(self) -> None:
        """A typo fix: one word of an existing title changes, its link stays."""
        rows = self.papers[self.rng.choice(TASKS)]
        if rows:
            i = self.rng.randrange(len(rows))
            rows[i] = rows[i].replace("SYNTHETIC ", "SYNTHETIC Revised ", 1)

    def move_a_row(self) -> None:
        """A row moved to another section, unchanged."""
        source, target = self.rng.sample(TASKS, 2)
        if self.papers[source]:
            self.papers[target].append(self.papers[source].pop(0))

    def text(self) -> str:
        lines = ["# SYNTHETIC awesome remote sensing vision language models", "", "# Applications"]
        for task in TASKS:
            lines += ["", f"## {task}", *PAPER_HEADER, *self.papers[task]]
        lines += ["", "# Dataset"]
        for task in TASKS:
            lines += ["", f"## {task} Dataset", *DATASET_HEADER, *self.datasets[task]]
        return "\n".join(lines) + "\n"


def list_versions(rows: int, commits: int, seed: int = 0) -> Iterator[str]:
    """The list's text after each commit: rows spread over the commits, some fixed or moved."""
    synthetic = SyntheticList(seed)
    for commit in range(commits):
        while synthetic.count < rows * (commit + 1) // commits:
            synthetic.add_row()
        if commit % 7 == 3:
            synthetic.fix_a_title()
        if commit % 13 == 5:
            synthetic.move_a_row()
        yield synthetic.text()


def make_repository(folder: Path, versions: Iterator[str]) -> Path:
    """A git repository whose history of ``kg/awesome-list.md`` is `versions`, one commit each,
    a day apart; written with ``git fast-import`` (hundreds of ``git commit`` calls are slow)."""
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True)
    stream = subprocess.Popen(["git", "-C", str(folder), "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert stream.stdin is not None
    day = 1_600_000_000
    for i, text in enumerate(versions):
        data, message = text.encode(), f"SYNTHETIC commit {i}".encode()
        stream.stdin.write(b"commit refs/heads/main\n")
        stream.stdin.write(f"committer Bench <bench@example.org> {day + i * 86400} +0000\n".encode())
        stream.stdin.write(b"data %d\n%s\n" % (len(message), message))
        stream.stdin.write(b"M 100644 inline kg/awesome-list.md\ndata %d\n%s\n" % (len(data), data))
    stream.stdin.close()
    if stream.wait() != 0:
        raise RuntimeError("git fast-import failed")
    subprocess.run(["git", "-C", str(folder), "checkout", "-q", "-f", "main"], check=True)
    kg = folder / "kg"
    (kg / "curation.toml").write_text("ignore = []\n", encoding="utf-8")
    return kg / "awesome-list.md"


def one_build(list_path: str, out_dir: str, *options: str) -> None:
    """Child process: run ``build`` in-process and print its steps as one JSON line."""
    start = time.perf_counter()
    from rsvlm_graph.cli import app

    imported = time.perf_counter() - start
    steps: list[tuple[str, float, float]] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            steps.append((record.step, record.seconds, record.peak_mib))  # type: ignore[attr-defined]
            print(f"    {record.getMessage()}", file=sys.stderr, flush=True)  # progress of a long build

    logger = logging.getLogger(STEP_LOGGER)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(Collect())
    app(["build", *options, "--quiet", "--list", list_path, "--out", out_dir], standalone_mode=False)
    total = time.perf_counter() - start
    print(json.dumps({"import": imported, "total": total, "steps": steps}))


def run_build(list_path: Path, out_dir: Path, cache: Path, *options: str, verbose: bool = False,
              profile: Path | None = None, **env_vars: str) -> dict:
    """One build in a fresh process, with `options` (e.g. ``--offline``) and `env_vars`;
    `verbose` shows its steps on stderr as they end; `profile` runs it under cProfile, whose
    statistics go to that file. The default build is measured: ``RSVLM_VALIDATE`` is not passed
    on (``--validate`` asks for the full validation)."""
    env = {**os.environ, "RSVLM_CACHE_DIR": str(cache), **env_vars}
    env.pop("RSVLM_VALIDATE", None)
    profiler = ["-m", "cProfile", "-o", str(profile)] if profile else []
    start, used = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [sys.executable, *profiler, __file__, "--one", str(list_path), str(out_dir), *options],
        stdout=subprocess.PIPE, stderr=None if verbose else subprocess.PIPE, text=True, env=env, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"build of {list_path} failed:\n{done.stdout}\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process"] = time.perf_counter() - start
    figures["cpu"] = _children_cpu() - used
    return figures


def _children_cpu() -> float:
    """CPU seconds (user and system) of every finished child process so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_figures(runs: list[dict]) -> dict:
    names = [name for name, _, _ in runs[0]["steps"]]
    return {
        "process": statistics.median(r["process"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "import": statistics.median(r["import"] for r in runs),
        "steps": {
            name: (statistics.median(r["steps"][i][1] for r in runs), max(r["steps"][i][2] for r in runs))
            for i, name in enumerate(names)
        },
    }


def synthetic_snapshot(list_path: Path, papers: int, citations: int, seed: int = 0) -> None:
    """Write beside the list a SYNTHETIC ``snapshot.jsonl``: every list paper resolved with both
    its lists, outside papers up to `papers`, and `citations` citations each touching a list
    paper, as a run that fetched them keeps them. Written by the snapshot's own writer; every
    value is made up."""
    from rsvlm_graph.codec import Edge, Row
    from rsvlm_graph.graph import list_paper_key
    from rsvlm_graph.listfile.parse import read_list
    from rsvlm_graph.models import Author, Citation, EdgeList, Paper, Resolution
    from rsvlm_graph.records import Selection
    from rsvlm_graph.snapshot import write_snapshot

    rng = random.Random(seed)
    document = read_list(list_path)
    fetched = "2026-11-27T10:00:00Z"
    rows = []
    for i, entry in enumerate(document.papers):
        s2 = f"{i:040x}"
        key = list_paper_key(entry)
        rows.append(Row("resolution", key, fetched, Resolution(key, s2, "batch-arxiv")))
        rows.append(Row("paper", s2, fetched, Paper(
            s2, entry.title, fetched_at=fetched, year=entry.year, venue=entry.venue,
            abstract=f"SYNTHETIC abstract of list paper {i} on remote sensing. " * 3,
            external_ids=(("ArXiv", entry.ids.arxiv_id or ""),), citation_count=i % 900,
            influential_citation_count=i % 9, reference_count=i % 80,
            authors=(Author(f"SYNTHETIC Author {i % 5000}", str(10_000 + i % 5000)),),
            fields_of_study=("Computer Science",),
        )))
        rows += [Row(d, s2, fetched, EdgeList()) for d in ("citations", "references")]
    listed = len(document.papers)
    rows += [Row("linked", f"{i:040x}", fetched, Paper(
        f"{i:040x}", f"SYNTHETIC outside paper {i}", fetched_at=fetched, year=2000 + i % 26,
        venue=VENUES[i % len(VENUES)], citation_count=i % 300,
        authors=(Author(f"SYNTHETIC Author {i % 30000}", str(10_000 + i % 30000)),),
    )) for i in range(listed, papers)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < citations:
        a, b = rng.randrange(listed), rng.randrange(papers)
        if a != b:
            pairs.add((a, b) if rng.random() < 0.3 else (b, a))
    edges = [Edge(Citation(f"{a:040x}", f"{b:040x}", rng.random() < 0.1),
                  tuple(d for d, end in (("citations", b), ("references", a)) if end < listed))
             for a, b in sorted(pairs)]
    write_snapshot(list_path.with_name("snapshot.jsonl"),
                   Selection(tuple(sorted(rows, key=lambda r: (r.kind, r.key))),
                             tuple(sorted(edges, key=lambda e: e.key))))


def at_scale(papers: int, citations: int, repeat: int, profile: Path | None = None) -> None:
    """Whole offline builds (`repeat` of them, each in a fresh process and store) of a list of
    papers // 10 rows whose snapshot holds `papers` papers and `citations` citations; prints
    each step as it ends, then the medians and the export ratios of those medians (`profile`:
    cProfile statistics of the last build go to that file)."""
    with tempfile.TemporaryDirectory() as folder:
        kg = Path(folder) / "kg"
        kg.mkdir()
        synthetic = SyntheticList(seed=0)
        while synthetic.count < papers // 10:
            synthetic.add_row()
        list_path = kg / "awesome-list.md"
        list_path.write_text(synthetic.text(), encoding="utf-8")
        (kg / "curation.toml").write_text("ignore = []\n", encoding="utf-8")
        start = time.perf_counter()
        synthetic_snapshot(list_path, papers, citations)
        size = list_path.with_name("snapshot.jsonl").stat().st_size / 2**20
        print(f"SYNTHETIC list of {synthetic.count} rows and snapshot of {papers} papers, {citations} "
              f"citations ({size:.0f} MiB) in {time.perf_counter() - start:.1f} s; the list is not in "
              "git (no list history)", flush=True)
        runs = []
        for i in range(repeat):
            print(f"  build {i + 1} of {repeat}:", flush=True)
            runs.append(run_build(list_path, Path(folder) / f"out-{i}", Path(folder) / f"cache-{i}",
                                  "--offline", verbose=True, profile=profile if i == repeat - 1 else None))
            print(f"  build {i + 1}: process {runs[-1]['process']:.1f} s", flush=True)
        written = {p.name: p.stat().st_size / 2**20 for p in sorted((Path(folder) / "out-0").iterdir())}
        yardstick, same = oxigraph_turtle(Path(folder) / "out-0" / "graph.ttl", repeat)
    figures = median_figures(runs)
    print_figures("whole build", figures, repeat)
    print(f"  peak RSS of the builds: {max(peak for _, peak in figures['steps'].values()):.0f} MiB "
          "(target <= 2048)")
    print("  files (MiB): " + ", ".join(f"{name} {size:.1f}" for name, size in written.items()))
    seconds = {name: time for name, (time, _) in figures["steps"].items()}
    turtle = seconds["turtle"]
    print(f"  GraphML / Turtle {seconds['graphml'] / turtle:.2f}x, CSV / Turtle {seconds['csv'] / turtle:.2f}x "
          "(target <= 2)")
    print(f"  Turtle / pyoxigraph serialising the build's own triples (terms built, not timed): "
          f"{turtle / yardstick:.2f}x ({turtle:.2f} s / {yardstick:.2f} s; target <= 1.2); "
          f"byte-identical: {same}")


def oxigraph_turtle(turtle: Path, repeat: int) -> tuple[float, bool]:
    """The yardstick: median seconds of pyoxigraph writing the triples of the build's `turtle`
    (read back first, untimed) with the build's prefixes, and whether its file is the build's."""
    import pyoxigraph as ox

    from rsvlm_graph.exports.rdf import prefixes

    triples = list(ox.parse(path=str(turtle), format=ox.RdfFormat.TURTLE))
    out = turtle.with_name("yardstick.ttl")
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        ox.serialize(triples, str(out), ox.RdfFormat.TURTLE, prefixes=prefixes())
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), out.read_bytes() == turtle.read_bytes()


def print_figures(label: str, figures: dict, repeat: int) -> None:
    print(f"{label}: process {figures['process']:.2f} s wall, {figures['cpu']:.2f} s CPU "
          f"(imports {figures['import']:.2f} s), median of {repeat}", flush=True)
    for name, (seconds, peak) in figures["steps"].items():
        print(f"  {name:<16} {seconds:8.3f} s   peak RSS {peak:7.0f} MiB")


def bundled(repeat: int) -> None:
    """The bundled list: its offline build from the list alone against, after an enrichment from
    the fake API (SYNTHETIC corpus of ``tests/fakeapi``), a warm enriched build that needs no
    request; the two run in turn (``repeat`` times each, interleaved, so a busy machine slows
    both alike), each in a fresh process. Wall and CPU time, medians."""
    sys.path.insert(0, str(ROOT / "tests"))
    from fakeapi import FakeApi
    from fakeapi.corpus import corpus_for_list

    from rsvlm_graph.listfile.curation import load_curation
    from rsvlm_graph.listfile.parse import read_list

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        for kg in (base / "list-only" / "kg", base / "enriched" / "kg"):
            kg.mkdir(parents=True)
            for name in ("awesome-list.md", "curation.toml"):
                shutil.copy(ROOT / "kg" / name, kg / name)
        list_only, list_path = (base / k / "kg" / "awesome-list.md" for k in ("list-only", "enriched"))
        cache = base / "cache"
        corpus = corpus_for_list(read_list(list_path, load_curation(list_path.with_name("curation.toml"))))
        with FakeApi(corpus) as api:
            env = {"S2_API_KEY": "bench-SYNTHETIC", "RSVLM_S2_API_URL": api.s2_url,
                   "RSVLM_ARXIV_API_URL": api.arxiv_url, "RSVLM_S2_RATE": "1000",
                   "RSVLM_ARXIV_INTERVAL": "0", "NO_PROXY": "127.0.0.1,localhost"}
            run_build(list_path, base / "cold", cache, "--validate", **env)  # fetches everything
            before = sum(api.counts.values())
            offline_runs, warm_runs = [], []
            for _ in range(repeat):
                offline_runs.append(run_build(list_only, base / "offline", base / "none", "--offline"))
                warm_runs.append(run_build(list_path, base / "warm", cache, **env))
            sent = sum(api.counts.values()) - before
            full = median_figures([run_build(list_path, base / "full", cache, "--validate", **env)
                                   for _ in range(repeat)])
    offline, warm = median_figures(offline_runs), median_figures(warm_runs)
    print_figures("offline build, list only", offline, repeat)
    print_figures(f"warm enriched build ({sent} requests in all {repeat})", warm, repeat)
    print_figures("warm enriched build --validate (every triple)", full, repeat)
    validation = warm["steps"].get("validate", (0.0, 0.0))[0]
    every = full["steps"].get("validate", (0.0, 0.0))[0]
    print(f"\nvalidation of the list level {validation:.2f} s, of every triple {every:.2f} s")
    print(f"\nwarm enriched / offline list-only, interleaved: wall {warm['process'] / offline['process']:.2f}x, "
          f"CPU {warm['cpu'] / offline['cpu']:.2f}x (target <= 1.3); validation {validation:.2f} s = "
          f"{validation / warm['process']:.0%} of the warm build (target <= 10%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--repeat", type=int,
                        help="builds per list, medians printed (default 3; 5 with --bundled)")
    parser.add_argument("--papers", type=int, help="instead: one whole build at this many papers ...")
    parser.add_argument("--citations", type=int, default=1_000_000, help="... and this many citations")
    parser.add_argument("--profile", type=Path,
                        help="with --papers: run the build under cProfile, its statistics to this file")
    parser.add_argument("--bundled", action="store_true",
                        help="instead: the bundled list, offline list-only build against a warm enriched one")
    args = parser.parse_args()
    if args.bundled:
        bundled(args.repeat or 5)
        return
    args.repeat = args.repeat or 3
    if args.papers:
        at_scale(args.papers, args.citations, args.repeat, args.profile)
        return

    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.sizes:
            repo = Path(folder) / f"list-{rows}"
            start = time.perf_counter()
            list_path = make_repository(repo, list_versions(rows, args.commits))
            print(f"{rows} rows: SYNTHETIC repository of {args.commits} commits in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
            runs = [run_build(list_path, repo / f"out-{i}", repo / "cache", "--offline")
                    for i in range(args.repeat)]
            results[rows] = median_figures(runs)
            print_figures(f"{rows} rows", results[rows], args.repeat)
    sizes = sorted(results)
    for small, big in zip(sizes, sizes[1:]):
        a, b = results[small], results[big]
        print(f"\n{big} / {small} rows: whole build {b['process'] / a['process']:.1f}x "
              f"({b['process']:.2f} s / {a['process']:.2f} s)")
        for name, (seconds, _) in b["steps"].items():
            base = a["steps"].get(name, (0.0, 0.0))[0]
            if seconds > 0.05 * b["process"]:  # the steps that matter at this size
                print(f"  {name:<16} {seconds / base if base else float('inf'):6.1f}x   "
                      f"({seconds:.2f} s, {seconds / b['process']:.0%} of the build)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:  # a child process of run_build: LIST OUT OPTION...
        one_build(*sys.argv[2:])
    else:
        main()
