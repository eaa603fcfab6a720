"""What users expect of a command line: --version, ``python -m``, CSV wherever rows are listed,
GitHub annotations from lint, progress lines in logs, NO_COLOR, a SERVICE query refused and a
costly one stopped (Ctrl-C too), example queries found by name in an installed wheel.

Lists, histories and the graph here are SYNTHETIC.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from test_export_rdf import sample_graph
from test_fresh_install import top_level_ignored
from test_tracking import history as history  # noqa: F401 (a fixture: two recorded refreshes)
from test_tracking import history_dir as history_dir  # noqa: F401 (the fixture it needs)
from typer.testing import CliRunner

from rsvlm_graph import __version__
from rsvlm_graph.citations.changes import CHANGES_CSV_COLUMNS, changes_between, format_changes
from rsvlm_graph.cli import app
from rsvlm_graph.exports.rdf import to_statements
from rsvlm_graph.exports.turtle import write_turtle
from rsvlm_graph.listfile.history import EntryAdded, format_history
from rsvlm_graph.terminal import ProgressLines

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
HEAD = "# L\n## Image Captioning\n| Paper | Published in | Code/Project |\n|---|:-:|:-:|\n"
COSTLY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def run(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def module(*args: str | Path, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess[str]:
    """``python -m rsvlm_graph`` in a child process, on this checkout's sources."""
    environ = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    return subprocess.run([sys.executable, "-m", "rsvlm_graph", *map(str, args)], env=environ,
                          capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture(scope="module")
def turtle(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "graph.ttl"
    write_turtle(to_statements(sample_graph()), path)
    return path


def test_version_from_the_command_and_python_dash_m():
    assert run("--version").output == f"rsvlm-graph {__version__}\n"
    child = module("--version")
    assert child.returncode == 0 and child.stdout == f"rsvlm-graph {__version__}\n"
    assert "Usage: rsvlm-graph" in module("--help").stdout


def test_license_matches_pyproject():
    assert "MIT License" in (ROOT / "LICENSE").read_text()
    assert "rsvlm-graph contributors" in (ROOT / "LICENSE").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]  # SPDX, PEP 639


def bad_list(tmp_path: Path) -> Path:
    path = tmp_path / "list.md"
    # line 5: no venue or year; line 6 the same paper again (an error)
    path.write_text(HEAD + "| [A Captioner](https://arxiv.org/abs/2301.00001) | | |\n"
                    "| [A Captioner](https://arxiv.org/abs/2301.00001) | TGRS 2023 | |\n")
    return path


def test_lint_writes_github_annotations_and_csv(tmp_path):
    path = bad_list(tmp_path)
    text = run("lint", "--list", path).output
    github = run("lint", "--list", path, "--format", "github")
    assert github.exit_code == 1
    commands = [line for line in github.output.splitlines() if line.startswith("::")]
    assert commands and len(commands) == len([line for line in text.splitlines() if line.startswith(str(path))])
    assert any(line.startswith(f"::error file={path},line=6,title=") for line in commands)
    assert all(line.startswith(("::error file=", "::warning file=")) for line in commands)
    rows = list(csv.DictReader(io.StringIO(run("lint", "--list", path, "--format", "csv").stdout)))
    assert {(row["line"], row["severity"]) for row in rows} >= {("6", "error")}
    assert list(rows[0]) == ["path", "line", "severity", "code", "message"]


def test_history_as_csv():
    history = [
        EntryAdded(9, "paper", "Late, with a comma", "b" * 40, "2024-02-01T00:00:00+00:00"),
        EntryAdded(7, "paper", "Draft", None, None),
    ]
    rows = list(csv.DictReader(io.StringIO(format_history(history, "csv"))))
    assert rows == [
        {"date": "2024-02-01T00:00:00+00:00", "commit": "b" * 40, "line": "9", "kind": "paper",
         "title": "Late, with a comma"},
        {"date": "", "commit": "", "line": "7", "kind": "paper", "title": "Draft"},
    ]


def test_changes_as_csv_hold_every_change_of_the_json(history):  # noqa: F811 (the fixture)
    changes = changes_between(history[0], history[1])
    record = json.loads(format_changes(changes, "json"))
    rows = list(csv.DictReader(io.StringIO(format_changes(changes, "csv"))))
    assert tuple(rows[0]) == CHANGES_CSV_COLUMNS
    assert sum(row["change"] == "gain" for row in rows) == len(record["gains"]) > 0
    assert sum(row["change"] == "new_citer" for row in rows) == len(record["new_citers"])
    gain = next(row for row in rows if row["change"] == "gain")
    first = record["gains"][0]
    assert (gain["entry"], int(gain["old_count"]), int(gain["new_count"])) == (
        first["entry"], first["old_count"], first["new_count"])


def test_progress_lines_when_not_on_a_terminal(capsys):
    now = [0.0]
    lines = ProgressLines(interval=10.0, clock=lambda: now[0])
    for done in range(0, 101):
        now[0] = done * 0.5  # 50 s for the phase: a line at start, every 10 s, at the end
        lines("citations", done, 100)
    lines("citations", 100, 100)  # said once
    lines("arxiv", 0, 1)
    printed = capsys.readouterr().err.splitlines()
    assert printed == ["citations: 0/100", "citations: 20/100", "citations: 40/100", "citations: 60/100",
                       "citations: 80/100", "citations: 100/100 done", "arxiv: 0/1"]


def test_no_color_is_honoured(tmp_path):
    missing = tmp_path / "missing.ttl"
    coloured = module("query", "ASK {}", "--data", missing, env={"FORCE_COLOR": "1"})
    plain = module("query", "ASK {}", "--data", missing, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert coloured.returncode == plain.returncode == 1
    assert "\x1b[" in coloured.stderr  # the check can fail: colour is on without NO_COLOR
    assert "\x1b[" not in plain.stderr and "error: " in plain.stderr


def test_query_refuses_service_from_the_command_line(turtle):
    result = run("query", "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "--data", turtle)
    assert result.exit_code == 1
    assert "refused: a query stays on this machine" in result.output
    assert "--allow-service http://127.0.0.1:9/sparql" in result.output


def test_a_costly_query_times_out_from_the_command_line(turtle):
    started = time.monotonic()
    result = run("query", COSTLY, "--data", turtle, "--timeout", "1")
    assert result.exit_code == 1
    assert "query stopped after 1 s (--timeout)" in result.output
    assert time.monotonic() - started < 10


def test_ctrl_c_stops_a_running_query(turtle):
    environ = {**os.environ, "PYTHONPATH": str(SRC)}
    child = subprocess.Popen([sys.executable, "-m", "rsvlm_graph", "query", COSTLY, "--data", str(turtle),
                              "--timeout", "600"], env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             start_new_session=True)
    time.sleep(3)  # started, and evaluating
    assert child.poll() is None
    os.killpg(child.pid, signal.SIGINT)  # what a terminal's Ctrl-C does: the whole process group
    try:
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode != 0
    # nothing of the evaluation is left running in the group
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(child.pid, 0)


def test_examples_by_name_from_the_command_line(turtle):
    listed = run("query", "--example", "list").output.split()
    assert listed == sorted(p.stem for p in (SRC / "rsvlm_graph" / "queries").glob("*.rq"))
    result = run("query", "--example", "datasets-introduced-and-users", "--data", turtle, "--format", "csv")
    assert result.exit_code == 0 and result.output.startswith("dataset,name,introducedBy,users,usedBy\n")
    assert "no example query named 'nope'" in run("query", "--example", "nope", "--data", turtle).output
    assert run("query", "--data", turtle).exit_code != 0  # neither a query nor an example


def test_the_wheel_ships_the_example_queries_and_the_license(tmp_path):
    # built offline, with this environment's setuptools and wheel (the test extras)
    source = tmp_path / "src-copy"
    shutil.copytree(ROOT, source, ignore=top_level_ignored)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("rsvlm_graph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {f"rsvlm_graph/queries/{p.name}" for p in (SRC / "rsvlm_graph" / "queries").glob("*.rq")} <= set(names)
    assert "rsvlm_graph/__main__.py" in names
    assert {"rsvlm_graph/exports/page.js", "rsvlm_graph/exports/shapes.ttl"} <= set(names)
    assert any(name.endswith("LICENSE") for name in names)
    assert wheel.name.startswith(f"rsvlm_graph-{__version__}-")


@pytest.mark.parametrize("year", ["-5", "20", "30000"])
def test_discover_refuses_a_year_that_is_not_one(year):
    result = run("discover", "--since", year)
    assert result.exit_code == 2
    assert "--since" in result.output


def test_dash_capital_v_is_the_version():
    assert run("-V").output == run("--version").output == f"rsvlm-graph {__version__}\n"


def test_shell_completion_completes_commands_and_options_and_installs(tmp_path):
    command = module(env={"_RSVLM_GRAPH_COMPLETE": "complete_bash", "COMP_WORDS": "rsvlm-graph bu", "COMP_CWORD": "1"})
    assert command.stdout.split() == ["build"]
    option = module(env={"_RSVLM_GRAPH_COMPLETE": "complete_bash", "COMP_WORDS": "rsvlm-graph build --base",
                         "COMP_CWORD": "2"})
    assert option.stdout.split() == ["--base-iri"]
    installed = module("--install-completion", "bash", env={"HOME": str(tmp_path), "SHELL": "/bin/bash"})
    assert installed.returncode == 0, installed.stderr
    script = tmp_path / ".bash_completions" / "rsvlm-graph.sh"
    assert "_rsvlm_graph_completion" in script.read_text() and str(script) in (tmp_path / ".bashrc").read_text()


def on_a_terminal(args: list[str], columns: int, cwd: Path) -> list[str]:
    """The lines ``python -m rsvlm_graph ARGS`` prints to a terminal (a pseudo-terminal) of
    ``columns`` columns."""
    import pty

    leader, follower = pty.openpty()
    environ = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": str(columns), "TERM": "dumb",
               "RSVLM_CACHE_DIR": str(cwd / "cache")}
    child = subprocess.Popen([sys.executable, "-m", "rsvlm_graph", *args], stdout=follower,
                             stderr=subprocess.DEVNULL, env=environ, cwd=cwd)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    child.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode().replace("\r\n", "\n").splitlines()


def test_rank_fits_the_terminal_and_keeps_every_column_whole_in_a_pipe(tmp_path):
    from rich.cells import cell_len

    shutil.copy(ROOT / "tests" / "data" / "awesome-list.md", tmp_path / "list.md")
    args = ["rank", "--list", "list.md", "--top", "15"]
    piped = module(*args, cwd=tmp_path, env={"RSVLM_CACHE_DIR": str(tmp_path / "cache")}).stdout.splitlines()
    assert max(map(cell_len, piped)) > 150  # titles and S2 ids whole: for scripts and files
    for columns in (80, 120):
        shown = on_a_terminal(args, columns, tmp_path)
        assert len(shown) == len(piped) and max(map(cell_len, shown)) <= columns
        # every column, in its order, its header whole or cut with "…"
        assert all(name == whole or (name.endswith("…") and whole.startswith(name[:-1]))
                   for name, whole in zip(shown[0].split(), piped[0].split(), strict=True))
        assert any("…" in line for line in shown[2:])
