"""Growth of `rsvlm-graph build --offline` with the number of sections of the list.

A SYNTHETIC list of N sections, each a heading and a table of one row (the shape that made
``listfile/rows._table_header`` split the whole list once per section: 1,000 sections took 24 s,
3,000 78 s, 10,000 about 6.5 minutes). Each build runs in a fresh process; wall time and the
child's CPU time (user + system) are printed beside each other, medians of ``--repeat`` builds.

With ``--before SRC`` the same builds run with another checkout's ``src`` folder (e.g. main's,
``/work/main/src``) first on ``PYTHONPATH``, interleaved with this checkout's builds (before,
after, before, after, …) so both see the same machine load; the ratio before/after is printed.

    python bench/bench_sections.py                              # 1,000, 3,000, 10,000 sections
    python bench/bench_sections.py --sizes 1000 3000 --repeat 3 --before /tmp/before/src

The machine is shared: the figures are indicative. Nothing is written outside a temporary
folder; no assertion.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def synthetic_list(sections: int) -> str:
    """A SYNTHETIC list: ``sections`` headings, each over a one-row table; every title and link
    made up."""
    lines = ["# SYNTHETIC list of many sections", ""]
    for i in range(sections):
        arxiv = f"{23 + i // 90000}{1 + i % 12:02d}.{i % 90000 + 10000:05d}"
        lines += [f"## SYNTHETIC Task {i}", "", "| Paper | Published in | Code/Project |",
                  "|---|:---:|:---:|",
                  f"|[SYNTHETIC Paper {i}](https://arxiv.org/abs/{arxiv})|TGRS 2024|-|", ""]
    return "\n".join(lines)


def one_build(src: Path, list_path: Path, out: Path, cache: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one ``build --offline`` in a fresh process, ``src`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(src), "RSVLM_CACHE_DIR": str(cache)}
    env.pop("RSVLM_VALIDATE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "rsvlm_graph", "build", "--offline", "--quiet",
                           "--list", str(list_path), "--out", str(out)],
                          env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"build with {src} failed:\n{done.stdout}\n{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout's src folder, run interleaved")
    parser.add_argument("--after", type=Path, help="the src folder measured as 'after' (default: this checkout's)")
    args = parser.parse_args()
    versions = {"after": (args.after or ROOT / "src").resolve()}
    if args.before:
        versions = {"before": args.before.resolve(), **versions}
    print(f"{'sections':>9} {'version':>7} {'wall s':>8} {'cpu s':>8}   (medians of {args.repeat})")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            kg = Path(tmp) / f"kg-{size}"
            kg.mkdir()
            (kg / "awesome-list.md").write_text(synthetic_list(size), encoding="utf-8")
            runs: dict[str, list[tuple[float, float]]] = {name: [] for name in versions}
            for i in range(args.repeat):
                for name, src in versions.items():
                    runs[name].append(one_build(src, kg / "awesome-list.md", Path(tmp) / f"out-{name}",
                                                Path(tmp) / f"cache-{name}-{size}-{i}"))
            medians = {}
            for name, figures in runs.items():
                wall = statistics.median(w for w, _ in figures)
                cpu = statistics.median(c for _, c in figures)
                medians[name] = wall
                print(f"{size:>9,} {name:>7} {wall:>8.2f} {cpu:>8.2f}", flush=True)
            if "before" in medians:
                print(f"{'':>9} {'ratio':>7} {medians['before'] / medians['after']:>8.1f}x")


if __name__ == "__main__":
    main()
