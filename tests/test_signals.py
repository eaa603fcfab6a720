"""Ctrl-C: one line, exit 130, nothing lost, and the next run resumes. Real processes, real
SIGINT, against the fake API (SYNTHETIC corpus)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import test_cli
from test_cli import run

from rsvlm_graph.__main__ import INTERRUPTED
from rsvlm_graph.snapshot import read_snapshot

SRC = Path(__file__).resolve().parents[1] / "src"

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGINT to a child process")

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online = test_cli.env, test_cli.kg, test_cli.online


def child_env() -> dict[str, str]:
    environment = dict(os.environ)  # the fixtures' monkeypatched settings included
    environment["PYTHONPATH"] = os.pathsep.join([str(SRC), environment.get("PYTHONPATH", "")])
    return environment


def start(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rsvlm_graph", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
    )


def assert_interrupted(returncode: int, stderr: str) -> None:
    assert returncode == 130, stderr
    assert "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == INTERRUPTED
    assert stderr.count(INTERRUPTED) == 1


#: interrupts itself from inside the first import the CLI makes: Ctrl-C during start-up,
#: deterministically (a timed signal could land before or after the imports)
DURING_IMPORTS = """
import builtins, os, signal, sys
real_import = builtins.__import__
def interrupting_import(name, *args, **kwargs):
    if name == "typer":
        builtins.__import__ = real_import
        os.kill(os.getpid(), signal.SIGINT)
    return real_import(name, *args, **kwargs)
builtins.__import__ = interrupting_import
sys.argv = ["rsvlm-graph", "build", "--offline"]
from rsvlm_graph.__main__ import main
main()
"""


def test_ctrl_c_during_start_up_is_one_line_and_exit_130(env):
    done = subprocess.run([sys.executable, "-c", DURING_IMPORTS], check=False, capture_output=True,
                          text=True, env=child_env(), timeout=120)
    assert_interrupted(done.returncode, done.stderr)


def test_ctrl_c_mid_enrich_loses_nothing_and_the_next_run_resumes(kg, online, tmp_path):
    # the citation pages hang (every list served empty nested, so each is paged): resolution
    # and metadata are stored by then
    online.realism.nested_budget = 0
    online.faults.slow("citations", seconds=60, times=1)
    child = start("enrich", "--quiet", "--list", kg / "awesome-list.md")
    deadline = time.monotonic() + 60
    while not online.requests_to("citations"):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the child never reached the citations phase"
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert_interrupted(child.returncode, stderr)
    assert not list(kg.glob("*.tmp")) and not list(kg.glob(".*.tmp"))
    def resolving() -> int:  # the batches by id (the nested ones ask for the lists)
        return sum("citations." not in (r.param("fields") or "") for r in online.requests_to("batch"))

    batch_before = resolving()
    assert batch_before > 0

    result = run("enrich", "--quiet", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    assert resolving() == batch_before  # resolved papers were kept
    assert read_snapshot(kg / "snapshot.jsonl").citations
