"""The documents a reader opens first: no merge left half-done in them, no link to nowhere.

A merge once committed the README with both sides of a conflict (162 stale lines between
``<<<<<<<`` and ``>>>>>>>``), and nothing failed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: text the repository holds: a conflict marker in any of them is a merge left half-done
TEXT_SUFFIXES = {".md", ".py", ".toml", ".txt", ".yml", ".yaml", ".js", ".css", ".html", ".rq",
                 ".ttl", ".cfg", ".in", ".json", ".jsonl", ".cjs"}
_MARKER = re.compile(r"^(?:<{7} |>{7} |={7}$)", re.MULTILINE)
_LINK = re.compile(r"\]\((?!https?://|mailto:|#)([^)\s]+)\)")


def _tracked_text_files() -> list[Path]:
    skip = {".git", "node_modules", ".venv", "build", "dist", ".mypy_cache", ".ruff_cache",
            ".pytest_cache", ".hypothesis", "__pycache__"}
    return [p for p in ROOT.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES
            and not skip & set(p.relative_to(ROOT).parts) and not p.name.endswith(".egg-info")]


def test_no_file_holds_a_merge_conflict_marker() -> None:
    marked = [f"{p.relative_to(ROOT)}:{p.read_text(encoding='utf-8', errors='replace')[:m.start()].count(chr(10)) + 1}"
              for p in _tracked_text_files()
              for m in [_MARKER.search(p.read_text(encoding="utf-8", errors="replace"))] if m]
    assert not marked


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_relative_link_of_a_document_resolves(doc: Path) -> None:
    text = re.sub(r"```.*?```", "", doc.read_text(encoding="utf-8"), flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)  # code spans show link syntax, they link nothing
    missing = [target for target in _LINK.findall(text)
               if not (doc.parent / target.split("#")[0]).exists()]
    assert not missing, f"{doc.relative_to(ROOT)} links to nothing: {missing}"
