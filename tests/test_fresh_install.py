"""The package and its tests need nothing that their declared dependencies do not bring (issue 22),
and the package is ready for PyPI: it works installed, outside any checkout (issue 28).

A dev machine once had ``click`` left over, so a test importing it passed everywhere but on a fresh
machine. Here the sdist and the wheel are made as a release makes them (``python -m build``) and
checked as PyPI checks them (``twine check --strict``); the wheel is installed with only its declared
dependencies (pinned by ``constraints.txt``) into an empty virtual environment, every module of the
package is imported there, and every command runs in a new git repository outside the checkout,
the list its README.md (``build``, ``query --example`` of each example, and the rest); then the
``test`` extra is added and every third-party module that ``tests/`` and ``bench/`` import is
imported too. An import that no declaration brings fails with its name.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import tarfile
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"

pytestmark = pytest.mark.slow


def third_party_imports(folders: list[Path], local: set[str]) -> set[str]:
    """Top-level module names imported by the ``.py`` files under ``folders``, but the standard library's and ``local``."""
    names: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name not in local}


def local_modules(folders: list[Path]) -> set[str]:
    """The names the test and bench folders import from themselves (helper modules and packages)."""
    names = {"rsvlm_graph", "__future__"}
    for folder in folders:
        names.update(path.stem for path in folder.rglob("*.py"))
        names.update(path.name for path in folder.rglob("*") if path.is_dir())
    return names


def test_the_helpers_find_a_third_party_import(tmp_path):
    (tmp_path / "helper.py").write_text("import os\nimport click.testing\nfrom helper2 import x\nfrom . import y\n")
    (tmp_path / "helper2.py").write_text("from yaml import safe_load\n")
    folders = [tmp_path]
    assert third_party_imports(folders, local_modules(folders)) == {"click", "yaml"}


IMPORT_ALL = """
import importlib, json, pkgutil, sys
import rsvlm_graph
names = sorted(m.name for m in pkgutil.walk_packages(rsvlm_graph.__path__, "rsvlm_graph."))
failed = {}
for name in ["rsvlm_graph", *names] + sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as error:  # an ImportError names the module that no dependency brought
        failed[name] = f"{type(error).__name__}: {error}"
print(json.dumps({"imported": len(names) + 1 + len(sys.argv) - 1, "failed": failed}))
"""


def top_level_ignored(folder: str, names: list[str]) -> set[str]:
    """What a copy of the checkout to build from leaves out: only at its top (``src/rsvlm_graph/exports`` stays)."""
    if Path(folder) != ROOT:
        return {"__pycache__"} & set(names)
    return {".git", "exports", "kg", "tests", "bench", "build", "dist", "__pycache__"} & set(names) | {
        name for name in names if name.endswith(".egg-info")}


def _run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False, **kwargs)  # type: ignore[call-overload]


def test_the_wheel_and_the_tests_import_in_an_empty_venv_with_only_what_they_declare(tmp_path):
    source = tmp_path / "src-copy"
    shutil.copytree(ROOT, source, ignore=top_level_ignored)
    # as the release workflow builds (without isolation here: this environment's pinned setuptools)
    built = _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(source)])
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("rsvlm_graph-*.whl")
    (sdist,) = (tmp_path / "dist").glob("rsvlm_graph-*.tar.gz")
    checked = _run([sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)])
    assert checked.returncode == 0 and checked.stdout.count("PASSED") == 2, checked.stdout + checked.stderr
    with tarfile.open(sdist) as archive:
        inside = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"src/rsvlm_graph/exports/shapes.ttl", "src/rsvlm_graph/exports/page.js", "constraints.txt",
            "src/rsvlm_graph/queries/datasets-introduced-and-users.rq", "LICENSE", "README.md"} <= inside
    assert not [name for name in inside if name.startswith(("tests/", "bench/"))]  # whole or not at all

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, clear=True)
    python = str(env_dir / "bin" / "python")
    outside = {"cwd": tmp_path, "env": {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "PYTHONNOUSERSITE": "1",
                                        "HOME": str(Path.home()), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}}

    installed = _run([python, "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS), str(wheel)], **outside)
    assert installed.returncode == 0, installed.stderr
    runtime = _run([python, "-c", IMPORT_ALL], **outside)
    assert runtime.returncode == 0, runtime.stderr
    report = json.loads(runtime.stdout)
    assert report["failed"] == {}, f"modules of the package that its dependencies do not bring: {report['failed']}"
    assert report["imported"] > 40
    every_command_runs_outside_any_checkout(env_dir / "bin", tmp_path / "another-list", outside["env"])

    folders = [ROOT / "tests", ROOT / "bench"]
    wanted = sorted(third_party_imports(folders, local_modules(folders)))
    assert {"pytest", "hypothesis", "playwright"} <= set(wanted)
    with_tests = _run([python, "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS), f"{wheel}[test]"], **outside)
    assert with_tests.returncode == 0, with_tests.stderr
    tested = _run([python, "-c", IMPORT_ALL, *wanted], **outside)
    assert tested.returncode == 0, tested.stderr
    failed = json.loads(tested.stdout)["failed"]
    assert failed == {}, f"imported by tests/ or bench/ but declared by no extra: {failed}"


def every_command_runs_outside_any_checkout(bin_dir: Path, work: Path, env: dict[str, str]) -> None:
    """Every command of the installed wheel, in a new git repository whose README.md is a list
    (the frozen test copy), its data folder ``.rsvlm-graph/``; offline: no request leaves."""
    work.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "awesome-list.md", work / "README.md")
    environ = {**env, "RSVLM_CACHE_DIR": str(work.parent / "cache"), "RSVLM_DATA_DIR": ".rsvlm-graph",
               "GIT_AUTHOR_NAME": "SYNTHETIC", "GIT_AUTHOR_EMAIL": "synthetic@example.org",
               "GIT_COMMITTER_NAME": "SYNTHETIC", "GIT_COMMITTER_EMAIL": "synthetic@example.org"}
    for git in (["init", "-q"], ["add", "README.md"], ["commit", "-q", "-m", "the list"]):
        assert _run(["git", *git], cwd=work, env=environ).returncode == 0

    def command(*args: str, status: int = 0) -> subprocess.CompletedProcess[str]:
        done = _run([str(bin_dir / "rsvlm-graph"), *args], cwd=work, env=environ)
        assert done.returncode == status, f"rsvlm-graph {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        return done

    assert command("-V").stdout.startswith("rsvlm-graph ")
    assert _run([str(bin_dir / "python"), "-m", "rsvlm_graph", "--version"], cwd=work, env=environ).stdout == command("-V").stdout
    assert "_rsvlm_graph_completion" in command("--show-completion", "bash").stdout
    command("enrich", "--list", "README.md", "--offline")
    assert (work / ".rsvlm-graph" / "snapshot.jsonl").is_file()
    built = command("build", "--list", "README.md", "--offline", "--base-iri", "https://e.org/another-list/")
    assert "wrote exports/graph.html" in built.stdout
    names = command("query", "--example", "list").stdout.split()
    assert len(names) >= 3
    for name in names:  # the examples ship in the wheel, and answer over the export
        assert command("query", "--example", name, "--format", "json").stdout.startswith("{")
    assert "README.md:36: warning" in command("lint", "--list", "README.md", "--format", "text").stdout
    assert command("rank", "--list", "README.md", "--top", "3", "--format", "csv").stdout.startswith("rank,title")
    command("discover", "--list", "README.md", "--format", "json")
    assert "wrote" in command("suggest", "--list", "README.md", "--out", "exports/suggestions.patch").stdout
    head = _run(["git", "rev-parse", "HEAD"], cwd=work, env=environ).stdout.strip()
    dated = command("history", "--list", "README.md", "--format", "csv").stdout.splitlines()[1:]
    assert len(dated) > 80 and all(f",{head}," in line for line in dated)  # every entry from the one commit
    assert "error:" in command("changes", "--list", "README.md", status=1).stderr  # no refresh recorded yet
    refused = command("publish", "--endpoint", "http://127.0.0.1:9/store", "--data", "exports/graph.ttl", status=1)
    assert refused.stderr.startswith("error:") and len(refused.stderr.strip().splitlines()) == 1
