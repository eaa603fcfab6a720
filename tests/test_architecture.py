"""docs/ARCHITECTURE.md is the map of the code: every module has its row and no row names a module
that is gone, no module outgrows one job (700 lines), and the data flow it draws names modules
and functions that exist."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "rsvlm_graph"
DOC = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
#: the quality bar: a module longer than this does more than one job
MOST_LINES = 700
#: modules whose split by job is another piece of work under way (issue 23 item 6); each is
#: dropped from here when its split lands, and none may grow meanwhile
SPLIT_UNDER_WAY = {"listfile/parse.py": 972, "listfile/lint.py": 774}


def modules() -> set[str]:
    return {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.suffix in {".py", ".ttl", ".css", ".js"} and path.name != "__init__.py"
        and "__pycache__" not in path.parts
    }


def test_every_module_has_a_row_in_the_architecture_doc():
    named = set(re.findall(r"`([\w/]+\.(?:py|ttl|css|js))`", DOC))
    assert modules() - named == set(), "modules missing from docs/ARCHITECTURE.md"
    assert {m for m in named if "/" in m or m.endswith(".py")} - modules() - {"__main__.py"} == set(), (
        "docs/ARCHITECTURE.md names modules that do not exist"
    )


def test_no_module_is_over_700_lines():
    lengths = {m: len((PACKAGE / m).read_text(encoding="utf-8").splitlines())
               for m in modules() if m.endswith(".py")}
    over = {m: n for m, n in lengths.items()
            if n > MOST_LINES and n > SPLIT_UNDER_WAY.get(m, 0)}
    assert over == {}, f"modules over {MOST_LINES} lines: split them by job"


#: what the drawing names that is not this package: the input folder, a library's class
ELSEWHERE = ("kg/", "networkx.")
#: files, not modules (their rows are checked above)
FILES = (".md", ".jsonl", ".toml", ".ttl")
FILE_NAMES = (*FILES, ".py", ".rejected", ".css", ".js", ".html", ".csv", ".svg", ".graphml")


def test_the_data_flow_names_modules_and_functions_that_exist():
    flow = DOC[DOC.index("## Data flow"):DOC.index("## Modules")]
    drawing = flow[flow.index("```") + 3:flow.rindex("```")]
    names = set(re.findall(r"\b[a-z_]+(?:/[a-z_]+)?(?:\.[A-Za-z_]+)*", drawing))
    names = {n for n in names if ("." in n or "/" in n) and not n.startswith(ELSEWHERE)
             and not n.endswith(FILES)}
    assert {"records.OnFile", "records.select", "snapshot.write_snapshot", "graph.build_graph",
            "sources/transport", "listfile.curation.curate"} <= names  # the drawing is read
    missing = []
    for name in sorted(names):
        path, *attributes = name.split(".")
        while attributes and (PACKAGE / path / f"{attributes[0]}.py").exists():
            path = f"{path}/{attributes.pop(0)}"  # listfile.parse: a module, not a name
        module = f"rsvlm_graph.{path.replace('/', '.')}"
        try:
            found: object = importlib.import_module(module)
        except ModuleNotFoundError:
            missing.append(name)
            continue
        for attribute in attributes:
            found = getattr(found, attribute, None)
        if found is None:
            missing.append(name)
    assert missing == [], "the data flow of docs/ARCHITECTURE.md names what does not exist"


def resolves(name: str) -> bool:
    """Whether ``name`` (``listfile.parse.header_roles``, ``exports``) is a module of the
    package, or a name one defines."""
    path, *attributes = name.split(".")
    while attributes and ((PACKAGE / path / f"{attributes[0]}.py").exists()
                          or (PACKAGE / path / attributes[0]).is_dir()):
        path = f"{path}/{attributes.pop(0)}"
    try:
        found: object = importlib.import_module(f"rsvlm_graph.{path.replace('/', '.')}")
    except ModuleNotFoundError:
        return False
    for attribute in attributes:
        found = getattr(found, attribute, None)
    return found is not None


def test_docstrings_name_modules_and_functions_that_exist():
    # a split or a rename leaves docstrings naming `tracking.load_history` or
    # `exports.rdf.list_level` behind: a name that starts with a module of the package must be
    tops = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()} - {"__init__"}
    stale = []
    for module in sorted(m for m in modules() if m.endswith(".py")):
        text = (PACKAGE / module).read_text(encoding="utf-8")
        for name in set(re.findall(r"``([a-z_]+(?:\.[A-Za-z_]+)+)``", text)):
            if name.endswith(FILE_NAMES) or name.split(".")[0] not in tops:
                continue  # a file (``snapshot.jsonl``), or not a module of the package
            if not resolves(name):
                stale.append(f"{module}: {name}")
    assert stale == []
