"""annotate: the bundled list with citation figures; only paper rows change.

Citation counts put on graph nodes here are SYNTHETIC; nothing is written to exports/.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest

from rsvlm_graph.exports.annotated_list import (
    NO_FIGURE,
    annotate_list,
    citation_figure,
    write_annotated_list,
)
from rsvlm_graph.graph import build_graph
from rsvlm_graph.listfile.parse import parse_list, read_list

LIST = Path(__file__).resolve().parent / "data" / "awesome-list.md"  # frozen copy of the list


def _cells(row: str) -> int:
    text = row.strip().removeprefix("|")
    text = text.removesuffix("|") if len(text) > 0 else text
    return len(re.split(r"(?<!\\)\|", text))


@pytest.fixture(scope="module")
def annotated() -> tuple[str, str, dict[int, str]]:
    text = LIST.read_text(encoding="utf-8")
    document = read_list(LIST)
    G = build_graph(document)
    by_line = {attrs["line"]: node for node, attrs in G.nodes(data=True) if attrs.get("line")}
    # SYNTHETIC counts for three rows; the others stay without data
    G.nodes[by_line[34]].update(citation_count=120, influential_citation_count=12)
    G.nodes[by_line[42]].update(citation_count=1, influential_citation_count=0)
    G.nodes[by_line[152]].update(citation_count=7, influential_citation_count=None)
    return text, annotate_list(text, document, G), {e.line: e.kind for e in document.entries}


def test_only_paper_rows_change(annotated):
    text, new, kinds = annotated
    old_lines, new_lines = text.split("\n"), new.split("\n")
    assert len(old_lines) == len(new_lines)
    changed = {n for n, (a, b) in enumerate(zip(old_lines, new_lines), start=1) if a != b}
    assert changed == {line for line, kind in kinds.items() if kind == "paper"}
    for line in changed:
        before, after = old_lines[line - 1], new_lines[line - 1]
        # the figure is inserted, nothing of the curated row is lost or moved around it
        assert _cells(before) == _cells(after)
        assert re.sub(r" ?· [^|]*?(?=\s*(\||$))", "", after, count=1) == before


def test_figures_go_after_the_venue(annotated):
    _, new, _ = annotated
    lines = new.split("\n")
    assert lines[33].endswith("|arxiv 2023 · 120 citations (12 influential)|-|")
    assert lines[41] == "|RemoteGLM|2023 · 1 citation (0 influential)|[code](https://github.com/lzw-lzw/RemoteGLM)|"
    assert lines[151].endswith("|GRSL 2022. · 7 citations")
    assert lines[35].endswith(f"|JSTARG 2023 · {NO_FIGURE}|-")
    assert lines[127].endswith(f"|TGRS 2023 · {NO_FIGURE} |[code](https://github.com/ZhanYang-nwpu/RSVG-pytorch)")


def test_annotating_is_deterministic(annotated):
    text, new, _ = annotated
    document = read_list(LIST)
    assert annotate_list(text, document, build_graph(document)) == annotate_list(
        text, document, build_graph(document)
    )
    assert new.endswith("\n") == text.endswith("\n")


def test_crlf_rows_and_empty_venue_cells():
    # SYNTHETIC list with Windows line endings and a paper row whose venue cell is empty
    text = "# L\r\n## VQA\r\n|Paper|Published in|Code|\r\n|---|---|---|\r\n[A](https://a.org/1)||-\r\n"
    document = parse_list(text, "l.md", None)
    G = nx.MultiDiGraph()
    G.add_node("paper:x", kind="paper", in_list=True, line=5, lines=(5,), citation_count=3,
               influential_citation_count=1)
    assert annotate_list(text, document, G).split("\r\n")[4] == "[A](https://a.org/1)|3 citations (1 influential)|-"


def test_citation_figure_wording():
    assert citation_figure({"citation_count": 0, "influential_citation_count": 0}) == "0 citations (0 influential)"
    assert citation_figure({"citation_count": None}) == NO_FIGURE


def test_write_annotated_list(tmp_path):
    document = read_list(LIST)
    path = write_annotated_list(document, build_graph(document), tmp_path / "exports")
    assert path.name == "awesome-list-with-citations.md"
    written = path.read_bytes().decode("utf-8").split("\n")
    assert written[66].endswith(f"|TGRS 2020 · {NO_FIGURE}|-")
    assert len(written) == len(LIST.read_bytes().decode("utf-8").split("\n"))


def test_figure_goes_into_the_venue_column_of_other_layouts():
    # SYNTHETIC list: the venue is the third column, and a bullet entry has no venue cell at all
    text = ("# L\n## VQA\n|Year|Title|Venue|Link|\n|---|---|---|---|\n"
            "|2020|RSVQA|TGRS|[link](https://ieeexplore.ieee.org/document/9088993)|\n"
            "- [RemoteCLIP](https://arxiv.org/abs/2306.11029) | [code](https://github.com/a/b)\n")
    document = parse_list(text, "l.md", None)
    G = build_graph(document)
    for node in G:
        if G.nodes[node].get("kind") == "paper":
            G.nodes[node].update(citation_count=5, influential_citation_count=1)
    lines = annotate_list(text, document, G).split("\n")
    assert lines[4] == ("|2020|RSVQA|TGRS · 5 citations (1 influential)|"
                        "[link](https://ieeexplore.ieee.org/document/9088993)|")
    assert lines[5] == ("- [RemoteCLIP](https://arxiv.org/abs/2306.11029) | "
                        "[code](https://github.com/a/b) · 5 citations (1 influential)")


@pytest.mark.parametrize("name, ending", [("crlf.md", "\r\n"), ("cr.md", "\r")])
def test_figures_in_lists_with_crlf_or_cr_only_line_endings(tmp_path, name, ending):
    path = Path(__file__).resolve().parent / "data" / "lists" / name
    document = read_list(path)
    assert [e.line for e in document.papers] == [8, 9, 12]
    written = write_annotated_list(document, build_graph(document), tmp_path).read_bytes()
    lines = written.decode("utf-8").split(ending)
    # the same lines, in the same endings, each paper row with its figure after the venue
    assert len(lines) == len(path.read_bytes().decode("utf-8").split(ending))
    assert "\n" not in written.decode("utf-8").replace("\r\n", "") or ending == "\r\n"
    assert lines[7].endswith(f"|CITS 2016 · {NO_FIGURE}|-")
    assert f"|TGRS 2017 · {NO_FIGURE}|[code]" in lines[8]
    assert lines[11].endswith(f"[[code]](https://github.com/syvlo/RSVQA) · {NO_FIGURE}")
