"""Time the list-history step (``entry_history``: when each entry entered the list) on SYNTHETIC
lists kept in a temporary git repository with a few hundred commits.

    python bench/bench_list_history.py                       # 100 and 1,000 rows, 300 commits
    python bench/bench_list_history.py --rows 10000 --runs 1

The first commit holds a tenth of the rows, in the paragraph style of the bundled list's first
versions; the second turns the list into tables (every row written again); the other commits
add the remaining rows a few at a time, to random sections, and fix a title now and then.
Prints the median of ``--runs`` runs and the time per row; asserts nothing (figures, not
tests). Titles and links are random (fixed seed): none of it is real data.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from rsvlm_graph.listfile.history import entry_history
from rsvlm_graph.listfile.parse import parse_list

SECTIONS = ("Image Captioning", "Visual Question Answering", "Scene Classification",
            "Object Detection", "Visual Grounding", "Image-text Retrieval", "Pretraining",
            "Semantic Segmentation", "Change Detection", "Others")
WORDS = ("remote", "sensing", "vision", "language", "model", "captioning", "aerial", "satellite",
         "retrieval", "grounding", "transformer", "contrastive", "benchmark", "scene", "change")


def _rows(n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(section, title, link) of n SYNTHETIC papers."""
    return [(rng.choice(SECTIONS),
             f"{' '.join(rng.choice(WORDS) for _ in range(8)).capitalize()} {i}",
             f"https://arxiv.org/abs/{2000 + i // 90000:04d}.{i % 90000 + 10000:05d}")
            for i in range(n)]


def _as_paragraphs(rows: list[tuple[str, str, str]]) -> str:
    return "# Synthetic list\n\n" + "".join(f"[{t}]({u}), TGRS 2020.\n\n" for _, t, u in rows)


def _as_tables(rows: list[tuple[str, str, str]]) -> str:
    out = ["# Synthetic list\n"]
    for section in SECTIONS:
        out.append(f"## {section}\n| Paper | Published in | Code |\n|---|---|---|\n")
        out.extend(f"[{t}]({u})|arxiv 2023|-\n" for s, t, u in rows if s == section)
        out.append("\n")
    return "".join(out)


def make_repo(root: Path, n_rows: int, n_commits: int, seed: int = 0) -> Path:
    """A git repository whose kg/awesome-list.md grew to n_rows rows over n_commits commits."""
    rng = random.Random(seed)
    rows = _rows(n_rows, rng)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root)}

    def git(*args: str, day: int = 0) -> None:
        date = f"{2020 + day // 360}-{day // 30 % 12 + 1:02d}-{day % 30 + 1:02d}T10:00:00+00:00"
        subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                       env={**env, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
                       capture_output=True)

    git("init", "-q")
    path = root / "kg" / "awesome-list.md"
    path.parent.mkdir()
    shown = max(1, n_rows // 10)
    path.write_text(_as_paragraphs(rows[:shown]), encoding="utf-8")
    git("add", "kg/awesome-list.md")
    git("commit", "-q", "-m", "first version, one paragraph per paper")
    path.write_text(_as_tables(rows[:shown]), encoding="utf-8")
    git("commit", "-q", "-am", "tables", day=3)
    first = shown
    for commit in range(2, n_commits):
        shown = first + (n_rows - first) * (commit - 1) // (n_commits - 2)
        if rng.random() < 0.1:  # a typo fix in an old row
            section, title, url = rows[rng.randrange(shown)]
            rows[rows.index((section, title, url))] = (section, title + " (fixed)", url)
        path.write_text(_as_tables(rows[:shown]), encoding="utf-8")
        git("commit", "-q", "--allow-empty", "-am", f"rows up to {shown}", day=3 + commit)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="*", default=[100, 1000])
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for n_rows in args.rows:
        with tempfile.TemporaryDirectory() as tmp:
            path = make_repo(Path(tmp), n_rows, args.commits)
            document = parse_list(path.read_text(encoding="utf-8"), str(path))
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                history = entry_history(path, document)
                times.append(time.perf_counter() - started)
            dated = sum(h.commit is not None for h in history)
            median = statistics.median(times)
            print(f"{n_rows:>6} rows, {args.commits} commits: list history {median:.2f} s "
                  f"(median of {args.runs}), {1000 * median / n_rows:.2f} ms/row, "
                  f"{dated}/{len(history)} entries dated")


if __name__ == "__main__":
    main()
