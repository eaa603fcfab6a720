"""The package and its tests need nothing that their declared dependencies do not bring (issue 22).

A dev machine once had ``click`` left over, so a test importing it passed everywhere but on a fresh
machine. Here the wheel is built, installed with only its declared dependencies (pinned by
``constraints.txt``) into an empty virtual environment, and every module of the package is imported
there; then the ``test`` extra is added and every third-party module that ``tests/`` and ``bench/``
import is imported too. An import that no declaration brings fails with its name.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
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
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                  "-w", str(tmp_path / "dist"), str(source)])
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("rsvlm_graph-*.whl")

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

    folders = [ROOT / "tests", ROOT / "bench"]
    wanted = sorted(third_party_imports(folders, local_modules(folders)))
    assert {"pytest", "hypothesis", "playwright"} <= set(wanted)
    with_tests = _run([python, "-m", "pip", "install", "-q", "-c", str(CONSTRAINTS), f"{wheel}[test]"], **outside)
    assert with_tests.returncode == 0, with_tests.stderr
    tested = _run([python, "-c", IMPORT_ALL, *wanted], **outside)
    assert tested.returncode == 0, tested.stderr
    failed = json.loads(tested.stdout)["failed"]
    assert failed == {}, f"imported by tests/ or bench/ but declared by no extra: {failed}"
