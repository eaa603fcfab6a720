"""The explorer page in headless Chromium: details panel and links, focus, filters, both layouts,
state in the URL fragment, and still offline, error-free and injection-safe.

Graphs are SYNTHETIC: the contract graph of ``tests/test_export_html.py`` with hand-made
discovery candidates, and a list enriched from the fake API's corpus (``tests/enriched.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pytest
from browser_setup import BROWSER_MARKS, Visit
from enriched import enriched
from test_export_html import (
    CAPTIONING,
    HREF_PAPER,
    IMG_INJECTION,
    IMG_PAPER,
    OUTSIDE,
    RSGPT,
    SCRIPT_INJECTION,
    SCRIPT_PAPER,
    SECRETS,
    contract_graph,
    crowded_graph,
)

from rsvlm_graph.discovery import Candidate
from rsvlm_graph.exports.html import build_page, write_page
from rsvlm_graph.exports.html_view import select_view

pytestmark = BROWSER_MARKS
LISTS = Path(__file__).parent / "data" / "lists"

ROW = "| SYNTHETIC Outside paper 1 | arXiv 2022 | [link](https://arxiv.org/abs/2201.00001) |"


def candidate(node: str, title: str, task: str | None, rank: int) -> Candidate:
    """A SYNTHETIC discovery candidate with evidence and a row."""
    return Candidate(
        node=node, title=title, s2_id=node.removeprefix("paper:s2:"), arxiv_id=None, doi=None,
        year=2022, venue=None, url=f"https://www.semanticscholar.org/paper/{node[9:]}",
        score=1.0, cites_list_papers=(), cited_by_list_papers=("RSGPT",), similarity=0.91,
        recommended_rank=3, suggested_task=task, why="cited by 1 list paper", markdown_row=ROW,
        rank=rank, kind="foundation" if task is None else "new",
        peer_lists=("SYNTHETIC peer list",) if task else (),
    )


CANDIDATES = (candidate(OUTSIDE[1], "Outside paper 1", "Image Captioning", 1),
              candidate(OUTSIDE[3], "Outside paper 3", None, 2))


@pytest.fixture(scope="module")
def view() -> nx.MultiDiGraph:
    return select_view(contract_graph(), candidates=[OUTSIDE[1], OUTSIDE[3]])


@pytest.fixture(scope="module")
def page_file(view: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("explorer") / "graph.html"
    write_page(build_page(view, "Explorer", candidates=CANDIDATES), path)
    return path


@pytest.fixture(scope="module")
def enriched_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("enriched")
    built = enriched(LISTS / "columns.md", work)
    G = built.loaded.graph
    view = select_view(G, [c.node for c in built.candidates])
    path = work / "graph.html"
    write_page(build_page(view, "Enriched", ranking=built.ranking, candidates=built.candidates),
               path)
    return path


@pytest.fixture(scope="module")
def crowded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crowded") / "graph.html"
    write_page(build_page(select_view(crowded_graph()), "Crowded"), path)
    return path


@pytest.fixture
def visit(browser, page_file: Path) -> Iterator[Visit]:
    v = Visit(browser, page_file)
    yield v
    v.close()


def test_click_opens_details_and_the_title_link_navigates(visit: Visit) -> None:
    visit.click_node(RSGPT)
    panel = visit.page.locator("#details")
    panel.wait_for(state="visible")
    assert panel.locator("h2").inner_text() == (
        "RSGPT: A Remote Sensing Vision Language Model and Benchmark")
    text = panel.inner_text()
    assert SECRETS[1] in text and "2023" in text and "150" in text  # authors, year, citations
    assert "Image Captioning, Visual Question Answering" in text
    assert "RSICD" in text and "RSVQA-LR" in text  # its datasets, as buttons to their nodes
    assert panel.locator("details summary").all_inner_texts() == ["TLDR", "Abstract"]
    visit.clean()
    with visit.context.expect_page() as opened:
        panel.locator("a.title-link").click()
    opened.value.wait_for_timeout(300)
    assert visit.foreign == ["https://arxiv.org/abs/2307.15266"]
    assert visit.errors == [] and visit.dialogs == []


def test_cited_and_citing_papers_are_clickable(visit: Visit) -> None:
    visit.click_node(RSGPT)
    panel = visit.page.locator("#details")
    citing = panel.locator("button[data-node]", has_text="</script>")
    assert citing.count() == 1
    cited = {b.get_attribute("data-node") for b in panel.locator("button[data-node]").all()}
    assert {IMG_PAPER, OUTSIDE[1], OUTSIDE[3], SCRIPT_PAPER} <= cited
    citing.click()
    assert panel.locator("h2").inner_text() == SCRIPT_INJECTION
    assert visit.page.evaluate("() => network.getSelectedNodes()") == [SCRIPT_PAPER]
    visit.clean()


def test_candidate_shows_evidence_and_copies_its_row(visit: Visit) -> None:
    visit.click_node(OUTSIDE[1])
    panel = visit.page.locator("#details")
    text = panel.inner_text()
    assert "discovery candidate" in text.lower() and "cited by 1 list paper" in text
    assert "Suggested task" in text and "recommendation #3" in text
    assert "In peer lists: SYNTHETIC peer list" in text and "Rank (new)" in text
    assert "candidate · new" in text.lower()
    assert panel.locator("#candidate-row").input_value() == ROW
    panel.locator("#copy-row").click()
    visit.page.wait_for_function(
        "() => document.getElementById('copy-row').textContent !== 'Copy row'")
    visit.clean()


def test_focus_dims_non_neighbours_and_escape_resets(visit: Visit, view: nx.MultiDiGraph) -> None:
    visit.click_node(RSGPT)
    near = {RSGPT, *nx.all_neighbors(view, RSGPT)}
    opacity = visit.opacity()
    assert {n for n, o in opacity.items() if o == 1} == near
    assert all(o < 0.5 for n, o in opacity.items() if n not in near) and HREF_PAPER not in near
    visit.page.keyboard.press("Escape")
    assert set(visit.opacity().values()) == {1}
    assert visit.page.locator("#details").is_hidden()
    assert visit.page.evaluate("() => location.hash") == ""
    visit.clean()


def test_background_click_resets(visit: Visit) -> None:
    visit.click_node(RSGPT)
    box = visit.page.locator("#mynetwork canvas").bounding_box()
    empty = visit.page.evaluate(
        """([w, h]) => { for (let x = 5; x < w; x += 15) { for (let y = 5; y < h; y += 15) {
            if (network.getNodeAt({x, y}) === undefined && network.getEdgeAt({x, y}) === undefined)
            { return [x, y]; } } } return null; }""", [box["width"], box["height"]])
    visit.page.mouse.click(box["x"] + empty[0], box["y"] + empty[1])
    assert set(visit.opacity().values()) == {1}
    assert visit.page.locator("#details").is_hidden()
    visit.clean()


def test_task_filter_keeps_the_candidates_suggested_for_it(visit: Visit) -> None:
    visit.page.select_option("#task-filter", "Image Captioning")
    shown = visit.visible()
    assert OUTSIDE[1] in shown and OUTSIDE[3] not in shown  # suggested for it / for nothing
    assert {RSGPT, IMG_PAPER, CAPTIONING} <= shown and SCRIPT_PAPER not in shown
    assert "task=Image%20Captioning" in visit.page.evaluate("() => location.hash")
    visit.clean()


def test_kind_and_relation_toggles_and_citation_slider(visit: Visit) -> None:
    visit.page.locator("#legend input[data-kind=outside_paper]").uncheck()
    assert not {OUTSIDE[1], OUTSIDE[3]} & visit.visible()
    visit.page.locator("#legend input[data-rel=cites]").uncheck()
    hidden_cites = visit.page.evaluate(
        "() => network.body.data.edges.get().filter(e => e.rel === 'cites').every(e => e.hidden)")
    assert hidden_cites
    visit.page.locator("#min-citations").fill("2")  # steps 0, 1, 5, …: index 2 is 5 citations
    shown = visit.visible()
    assert RSGPT in shown and IMG_PAPER not in shown  # 150 and 3 citations
    assert CAPTIONING in shown  # tasks have no citation count and stay
    assert visit.page.evaluate("() => location.hash") == "#min=5&hide=outside_paper&edges=cites"
    visit.clean()


def test_search_enter_opens_the_best_match(visit: Visit) -> None:
    visit.page.fill("#title-search", "outside paper")
    assert visit.page.locator("#search-status").inner_text() == "2 matches"
    visit.page.fill("#title-search", "outside paper 3")
    visit.page.press("#title-search", "Enter")
    assert visit.page.locator("#details h2").inner_text() == "Outside paper 3"
    assert visit.page.evaluate("() => network.getSelectedNodes()") == [OUTSIDE[3]]
    visit.clean()


def test_fragment_restores_state_and_follows_the_selection(browser, page_file: Path) -> None:
    fragment = f"#paper={quote(RSGPT, safe='')}&layout=timeline&task={quote('Image Captioning')}"
    v = Visit(browser, page_file, fragment)
    try:
        assert v.page.locator("#details h2").inner_text().startswith("RSGPT")
        assert v.page.evaluate("() => network.getSelectedNodes()") == [RSGPT]
        assert v.page.locator("#task-filter").input_value() == "Image Captioning"
        assert v.page.get_attribute("#layout-timeline", "aria-pressed") == "true"
        # on the timeline: a later year is drawn further right
        dated = v.page.evaluate(
            "() => network.body.data.nodes.get({filter: n => !n.hidden && n.year !== null})"
            ".map(n => [n.year, network.getPositions([n.id])[n.id].x])")
        assert len(dated) > 2
        assert all(xa < xb for ya, xa in dated for yb, xb in dated if ya < yb)
        v.click_node(IMG_PAPER)
        assert f"paper={quote(IMG_PAPER, safe='')}" in v.page.evaluate("() => location.hash")
        v.clean()
    finally:
        v.close()


@pytest.mark.parametrize("injected", [IMG_PAPER, SCRIPT_PAPER, HREF_PAPER])
def test_hostile_titles_in_the_panel_are_text(visit: Visit, injected: str) -> None:
    visit.click_node(injected)
    panel = visit.page.locator("#details")
    assert panel.locator(":is(img, script, a[href='x'])").count() == 0
    shown = panel.locator("h2").inner_text()
    assert shown in {IMG_INJECTION, SCRIPT_INJECTION, "A study of <a href=x>links</a>"}
    visit.page.wait_for_timeout(200)  # an onerror handler would have fired by now
    visit.clean()


READABILITY = """() => {
  const shown = network.body.data.nodes.get({filter: n => !n.hidden});
  const boxes = shown.map(n => network.getBoundingBox(n.id));
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) {
        overlaps++;
      }
    }
  }
  return {overlaps, names: RSVLM.drawn().names.map(n => n.px), count: shown.length};
}"""


@pytest.mark.parametrize("which", ["enriched", "crowded"])
@pytest.mark.parametrize("layout", ["clustered", "timeline"])
def test_both_layouts_open_without_overlapping_labels_and_with_readable_names(
    browser, enriched_file: Path, crowded_file: Path, which: str, layout: str
) -> None:
    path = enriched_file if which == "enriched" else crowded_file
    v = Visit(browser, path, "#layout=timeline" if layout == "timeline" else "")
    try:
        found = v.page.evaluate(READABILITY)
        assert found["count"] > 30
        assert found["overlaps"] == 0
        # the clusters' names, or the timeline's band names: one per task, readable
        assert len(found["names"]) >= 3 and min(found["names"]) >= 10
        v.clean()
    finally:
        v.close()
