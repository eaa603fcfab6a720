"""docs/ARCHITECTURE.md names every module of the package, so the map never falls behind the code."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "rsvlm_graph"


def test_every_module_has_a_row_in_the_architecture_doc():
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+\.(?:py|ttl|css|js))`", doc))
    modules = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.suffix in {".py", ".ttl", ".css", ".js"} and path.name != "__init__.py"
        and "__pycache__" not in path.parts
    }
    assert modules - named == set(), "modules missing from docs/ARCHITECTURE.md"
    assert {m for m in named if "/" in m or m.endswith(".py")} - modules - {"__main__.py"} == set(), (
        "docs/ARCHITECTURE.md names modules that do not exist"
    )
