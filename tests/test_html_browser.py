"""The HTML page in headless Chromium: offline, no errors, no injected script, working controls.

Needs Debian's ``chromium`` (/usr/bin/chromium) and the ``playwright`` package (no
``playwright install``); skipped when either is missing. The graph is the SYNTHETIC one of
``tests/test_export_html.py``. A screenshot is saved to ``test-artifacts/graph.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import pytest
from browser_setup import BROWSER_MARKS, Visit, node_on_screen
from test_export_html import (
    CAPTIONING,
    HREF_PAPER,
    IMG_INJECTION,
    IMG_PAPER,
    OUTSIDE,
    RSGPT,
    SCRIPT_INJECTION,
    SCRIPT_PAPER,
    contract_graph,
    crowded_graph,
)

from rsvlm_graph.exports.html import build_page, write_page
from rsvlm_graph.exports.html_view import select_view

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
pytestmark = BROWSER_MARKS


@dataclass
class Session:
    """One loaded page and everything it did that it should not have."""

    page: object
    view: nx.MultiDiGraph
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> dict[str, list[str]]:
        return {
            name: found
            for name, found in (
                ("requests to other hosts", self.foreign_requests),
                ("console errors", self.console_errors),
                ("page errors", self.page_errors),
                ("dialogs", self.dialogs),
            )
            if found
        }


@pytest.fixture(scope="module")
def view() -> nx.MultiDiGraph:
    return select_view(contract_graph(), candidates=[OUTSIDE[1], OUTSIDE[3]])


@pytest.fixture(scope="module")
def page_file(view: nx.MultiDiGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "graph.html"
    write_page(build_page(view, "Synthetic graph <script>alert(1)</script>"), path)
    return path


@pytest.fixture
def session(browser, page_file: Path, view: nx.MultiDiGraph) -> Iterator[Session]:
    visit = Visit(browser, page_file)
    # console errors and page errors land in one list of the visit: both must stay empty
    yield Session(page=visit.page, view=view, foreign_requests=visit.foreign,
                  console_errors=visit.errors, dialogs=visit.dialogs)
    visit.close()


def hover_node(s: Session, node: str) -> str:
    """Centre ``node``, move the mouse onto it and return the text of the tooltip shown."""
    page = s.page
    x, y = node_on_screen(page, node, 1.5)
    page.mouse.move(x - 40, y - 40)
    page.mouse.move(x, y, steps=4)
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('div.vis-tooltip')).visibility === 'visible'"
    )
    return tooltip.inner_text()


def visible_nodes(s: Session) -> set[str]:
    return set(s.page.evaluate("() => network.body.data.nodes.getIds({filter: n => !n.hidden})"))


def test_page_opens_offline_without_errors(session: Session) -> None:
    count = session.page.evaluate
    assert count("() => network.body.data.nodes.length") == session.view.number_of_nodes()
    assert count("() => network.body.data.edges.length") == session.view.number_of_edges()
    assert session.page.title() == "Synthetic graph <script>alert(1)</script>"
    assert session.page.locator("#rsvlm-header h1").inner_text() == session.page.title()
    assert session.problems() == {}


def test_tooltip_shows_facts_as_text(session: Session) -> None:
    text = hover_node(session, RSGPT)
    assert text.startswith("RSGPT: A Remote Sensing Vision Language Model and Benchmark")
    assert "Citations: 150" in text and "https://github.com/Lavender105/RSGPT" in text
    assert session.problems() == {}


@pytest.mark.parametrize(
    ("node", "shown"),
    [
        (IMG_PAPER, IMG_INJECTION),
        (SCRIPT_PAPER, SCRIPT_INJECTION),
        (HREF_PAPER, "A study of <a href=x>links</a>"),
    ],
)
def test_injected_titles_show_as_text_and_never_run(
    session: Session, node: str, shown: str
) -> None:
    assert hover_node(session, node).splitlines()[0] == shown
    markup = session.page.locator("div.vis-tooltip :is(img, a, script)")
    assert markup.count() == 0
    session.page.wait_for_timeout(200)  # an onerror handler would have fired by now
    assert session.problems() == {}


def test_task_filter_shows_only_the_task(session: Session) -> None:
    view = session.view
    all_nodes = set(view.nodes)
    label = view.nodes[CAPTIONING]["label"]
    expected = {CAPTIONING} | {n for n, tasks in view.nodes(data="tasks") if label in (tasks or ())}
    options = session.page.locator("#task-filter option").all_inner_texts()
    task_count = sum(1 for _, kind in view.nodes(data="kind") if kind == "task")
    assert label in options and len(options) == 1 + task_count
    session.page.select_option("#task-filter", label)
    assert visible_nodes(session) == expected
    assert expected < all_nodes
    session.page.select_option("#task-filter", "")
    assert visible_nodes(session) == all_nodes
    assert session.problems() == {}


def test_search_selects_nodes_by_title(session: Session) -> None:
    page = session.page
    page.fill("#title-search", "rsgpt")
    assert page.evaluate("() => network.getSelectedNodes()") == [RSGPT]
    assert page.locator("#search-status").inner_text() == "1 match"
    page.fill("#title-search", "outside paper")
    assert set(page.evaluate("() => network.getSelectedNodes()")) == {OUTSIDE[1], OUTSIDE[3]}
    # search looks only at what the task filter shows; candidates have no task
    page.select_option("#task-filter", session.view.nodes[CAPTIONING]["label"])
    assert page.evaluate("() => network.getSelectedNodes()") == []
    assert page.locator("#search-status").inner_text() == "0 matches"
    page.fill("#title-search", "")
    assert page.locator("#search-status").inner_text() == ""
    assert session.problems() == {}


def test_screenshot(session: Session) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "graph.png"
    session.page.evaluate("() => network.fit({animation: false})")
    session.page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000
    assert session.problems() == {}


def test_crowded_view_fits_with_labels_apart(browser, tmp_path: Path) -> None:
    """At the first view of a crowded SYNTHETIC graph, the boxes vis-network draws for nodes and
    their labels barely overlap, and the legend covers none of the graph."""
    path = tmp_path / "crowded.html"
    view = select_view(crowded_graph())
    write_page(build_page(view, "Crowded"), path)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.route("http*://**/*", lambda r: r.abort())
    page.goto(path.as_uri())
    page.wait_for_function(
        "() => typeof network !== 'undefined' && network.body.data.nodes.length > 0"
    )
    found = page.evaluate(
        """() => {
            const ids = network.body.data.nodes.getIds();
            const boxes = ids.map(id => network.getBoundingBox(id));
            let overlaps = 0;
            for (let i = 0; i < boxes.length; i++) {
                for (let j = i + 1; j < boxes.length; j++) {
                    const a = boxes[i], b = boxes[j];
                    if (a.left < b.right && b.left < a.right && a.top < b.bottom
                        && b.top < a.bottom) { overlaps++; }
                }
            }
            const canvas = document.querySelector('#mynetwork canvas').getBoundingClientRect();
            const legend = document.getElementById('legend').getBoundingClientRect();
            return {overlaps, canvasRight: canvas.right, legendLeft: legend.left};
        }"""
    )
    context.close()
    # the former layout: 37 overlapping pairs; a little slack for another machine's fonts
    assert found["overlaps"] <= view.number_of_nodes() // 20
    assert found["legendLeft"] >= found["canvasRight"] - 1
