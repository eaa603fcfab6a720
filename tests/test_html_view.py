"""The page as a map of the field, in headless Chromium: what it shows fits the window (opening
view, layout switch, filter change, selection), a timeline with its years and band names, the
clusters' names, colour modes kept in the URL, Esc restoring a fresh page's drawing, and the
view taken away (the papers shown as BibTeX and RIS, the text ``papers.bib`` and ``papers.ris``
hold; the canvas as PNG); offline and error-free throughout, at 1440x900 and at 800x600.

Graphs are SYNTHETIC: the list of ``tests/data/awesome-list.md`` enriched from the fake API's
corpus (``tests/enriched.py``), and the hand-made graphs of ``tests/test_export_html.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import networkx as nx
import pytest
from browser_setup import BROWSER_MARKS, Visit
from enriched import NOW, Enriched, enriched
from test_export_html import crowded_graph

from rsvlm_graph.exports.bibliography import Reference, bibliography, references
from rsvlm_graph.exports.html import build_page, write_page
from rsvlm_graph.exports.html_view import select_view
from rsvlm_graph.pipeline import write_exports

pytestmark = BROWSER_MARKS
DATA = Path(__file__).parent / "data"
VIEWPORTS = [(1440, 900), (800, 600)]
#: a list paper of the bundled list with eleven neighbours in its view
PAPER = "paper:arxiv:2307.15266"

# Shown nodes drawn outside the canvas: a node's shape, and its label when vis-network draws it
# (6 screen pixels or more), must lie inside; ``ids`` limits the check to those nodes.
OUTSIDE = """(ids) => {
  const canvas = document.querySelector('#mynetwork canvas').getBoundingClientRect();
  const scale = network.getScale();
  const shown = network.body.data.nodes.get({filter: n => !n.hidden
                                                        && (ids === null || ids.includes(n.id))});
  return shown.filter(n => {
    const labelled = n.font.size * scale >= 6;
    const box = labelled ? network.getBoundingBox(n.id)
      : {left: n.x - n.size, right: n.x + n.size, top: n.y - n.size, bottom: n.y + n.size};
    const a = network.canvasToDOM({x: box.left, y: box.top});
    const b = network.canvasToDOM({x: box.right, y: box.bottom});
    return a.x < 0 || a.y < 0 || b.x > canvas.width || b.y > canvas.height;
  }).map(n => n.id);
}"""

# What a fresh page draws of every node and edge: the options vis-network draws with.
DRAWING = """() => {
  const nodes = {}, edges = {};
  for (const [id, n] of Object.entries(network.body.nodes)) {
    const o = n.options;
    nodes[id] = {font: o.font.color, size: o.font.size, opacity: o.opacity, color: o.color.background,
                 border: o.color.border, hidden: o.hidden, x: n.x, y: n.y};
  }
  for (const [id, e] of Object.entries(network.body.edges)) {
    edges[id] = {width: e.options.width, colour: e.options.color.color,
                 opacity: e.options.color.opacity, hidden: e.options.hidden};
  }
  return {nodes, edges};
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Enriched:
    return enriched(DATA / "awesome-list.md", tmp_path_factory.mktemp("bundled"))


@pytest.fixture(scope="module")
def cited(built: Enriched) -> dict[str, Reference]:
    """The view's papers as the build gives them to the page: keys as in papers.bib."""
    G = built.loaded.graph
    view = select_view(G, [c.node for c in built.candidates])
    return references(G, [n for n, kind in view.nodes(data="kind") if kind == "outside_paper"])


@pytest.fixture(scope="module")
def bundled(built: Enriched, cited: dict[str, Reference],
            tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, nx.MultiDiGraph]:
    view = select_view(built.loaded.graph, [c.node for c in built.candidates])
    path = tmp_path_factory.mktemp("page") / "graph.html"
    write_page(build_page(view, "Bundled", ranking=built.ranking, candidates=built.candidates,
                          references=cited), path)
    return path, view


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crowded") / "graph.html"
    write_page(build_page(select_view(crowded_graph()), "Crowded"), path)
    return path


@contextmanager
def opened(browser, path: Path, fragment: str = "",
           viewport: tuple[int, int] = (1440, 900)) -> Iterator[Visit]:
    """The page at ``path`` in a fresh browser context; on leaving, it has made no request, no
    console error and no dialog."""
    v = Visit(browser, path, fragment, viewport)
    try:
        yield v
        v.clean()
    finally:
        v.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("fragment", ["", "#layout=timeline"])
def test_opening_view_shows_every_node(browser, bundled, crowded, fragment: str,
                                       viewport: tuple[int, int]) -> None:
    # the former page: 24 of 142 nodes off the canvas at the opening view, 83 in the timeline
    for path in (bundled[0], crowded):
        with opened(browser, path, fragment, viewport) as v:
            assert len(v.visible()) > 40
            assert v.page.evaluate(OUTSIDE, None) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_opened_on_a_paper_shows_it_and_all_its_neighbours(browser, bundled,
                                                           viewport: tuple[int, int]) -> None:
    path, view = bundled
    near = [PAPER, *nx.all_neighbors(view, PAPER)]
    assert len(set(near)) > 8
    for fragment in (f"#paper={quote(PAPER, safe='')}",
                     f"#paper={quote(PAPER, safe='')}&layout=timeline"):
        with opened(browser, path, fragment, viewport) as v:
            assert v.page.evaluate("() => network.getSelectedNodes()") == [PAPER]
            # the former page: 9 of its 12 off the canvas (the task is no node in the timeline)
            assert v.page.evaluate(OUTSIDE, near) == []


def test_layout_switch_filter_and_selection_fit_what_is_shown(browser, bundled) -> None:
    with opened(browser, bundled[0]) as v:
        v.page.click("#layout-timeline")
        assert v.page.evaluate(OUTSIDE, None) == []
        v.page.select_option("#task-filter", "Image Captioning")
        assert v.page.evaluate(OUTSIDE, None) == []
        v.page.click("#layout-clustered")
        assert v.page.evaluate(OUTSIDE, None) == []
        scale = v.page.evaluate("() => network.getScale()")
        v.page.select_option("#task-filter", "")
        assert v.page.evaluate(OUTSIDE, None) == []
        assert v.page.evaluate("() => network.getScale()") < scale  # fewer nodes, larger
        v.page.fill("#title-search", "RSGPT")
        v.page.press("#title-search", "Enter")
        near = v.page.evaluate(f"() => [{PAPER!r}, ...network.getConnectedNodes({PAPER!r})]")
        assert v.page.evaluate(OUTSIDE, near) == []


def test_timeline_has_years_at_the_top_and_bands_only_for_shown_tasks(browser, bundled) -> None:
    path, view = bundled
    with opened(browser, path, "#layout=timeline") as v:
        drawn = v.page.evaluate("() => RSVLM.drawn()")
        tasks = sorted(label for node, label in view.nodes(data="label")
                       if view.nodes[node].get("kind") == "task")
        bands = [n["text"] for n in drawn["names"]]
        assert set(tasks) <= set(bands)
        assert all(n["px"] >= 10 for n in drawn["names"])
        years = sorted({y for _, y in view.nodes(data="year") if isinstance(y, int)})
        assert [int(y) for y in drawn["years"] if y != "undated"] == years
        # no task node in the timeline: a task is its band
        assert not any(view.nodes[n]["kind"] == "task" for n in v.visible())
        v.page.select_option("#task-filter", "Visual Grounding")
        shown = v.visible()
        drawn = v.page.evaluate("() => RSVLM.drawn()")
        # only the bands of tasks that shown nodes have, only the years they have
        assert len(shown) >= 3
        tasks_shown = {task for n in shown for task in view.nodes[n].get("tasks") or ()}
        assert "Visual Grounding" in {n["text"] for n in drawn["names"]} <= tasks_shown
        assert len(drawn["names"]) < len(tasks)
        shown_years = {view.nodes[n].get("year") for n in shown}
        assert {int(y) for y in drawn["years"] if y != "undated"} <= shown_years


# How far down the canvas the shown nodes reach (shape or drawn label), as a share of the room
# below the timeline's year strip (26 px)
REACH = """() => {
  const canvas = document.querySelector('#mynetwork canvas').getBoundingClientRect();
  const shown = network.body.data.nodes.getIds({filter: n => !n.hidden});
  const bottom = Math.max(...shown.map(id => network.canvasToDOM(
    {x: 0, y: network.getBoundingBox(id).bottom}).y));
  return (bottom - 26) / (canvas.height - 26);
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("fragment", ["#layout=timeline", "#layout=timeline&min=100"])
def test_timeline_uses_the_windows_height_and_names_its_bands_alike(
        browser, bundled, fragment: str, viewport: tuple[int, int]) -> None:
    with opened(browser, bundled[0], fragment, viewport) as v:
        assert len(v.visible()) > 20
        # the former page, wider than the window, left its lower part empty: it reached 0.76 of
        # it at 1440x900 and 0.57 at 800x600 (0.52 and 0.39 with min=100)
        assert v.page.evaluate(REACH) >= 0.9
        assert v.page.evaluate(OUTSIDE, None) == []
        # every band tall enough for its name at 14 px (the former page: 10 px for some)
        names = v.page.evaluate("() => RSVLM.drawn().names")
        assert len(names) >= 7
        assert {n["px"] for n in names} == {14}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_cluster_names_are_readable_at_the_opening_zoom(browser, bundled,
                                                        viewport: tuple[int, int]) -> None:
    path, view = bundled
    with opened(browser, path, "", viewport) as v:
        names = v.page.evaluate("() => RSVLM.drawn().names")
        tasks = {" ".join(label.split()) for node, label in view.nodes(data="label")
                 if view.nodes[node].get("kind") == "task"}
        written = {" ".join(n["text"].split()) for n in names}
        assert written <= tasks
        # 14 px, down to 10 px where a name is wider than its cluster; no name covers another,
        # and in a small window one that would is left out
        assert all(n["px"] >= 10 for n in names)
        boxes = [n["box"] for n in names]
        assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
                    if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]]
        if viewport[0] > 1000:
            assert written == tasks
            assert sum(n["px"] >= 14 for n in names) >= len(names) // 2
        else:
            assert len(written) >= 2 * len(tasks) // 3


@pytest.mark.parametrize("how", ["escape", "background"])
@pytest.mark.parametrize("fragment", ["", "#colour=year", "#layout=timeline"])
def test_escape_and_background_click_restore_a_fresh_drawing(browser, bundled, how: str,
                                                             fragment: str) -> None:
    with opened(browser, bundled[0], fragment) as v:
        fresh = v.page.evaluate(DRAWING)
        v.click_node(PAPER)
        dimmed = v.page.evaluate(DRAWING)
        assert dimmed["nodes"] != fresh["nodes"]  # the former page never restored this
        if how == "escape":
            v.page.keyboard.press("Escape")
        else:
            box = v.page.locator("#mynetwork canvas").bounding_box()
            empty = v.page.evaluate(
                """([w, h]) => { for (let x = w - 5; x > 0; x -= 7) { for (let y = h - 5; y > 0; y -= 7) {
                    if (network.getNodeAt({x, y}) === undefined
                        && network.getEdgeAt({x, y}) === undefined) { return [x, y]; } } }
                    return null; }""", [box["width"], box["height"]])
            v.page.mouse.click(box["x"] + empty[0], box["y"] + empty[1])
        after = v.page.evaluate(DRAWING)
        assert after["nodes"] == fresh["nodes"]
        assert after["edges"] == fresh["edges"]
        assert v.page.locator("#details").is_hidden()


def test_colour_modes_change_colours_and_survive_a_reload(browser, bundled) -> None:
    with opened(browser, bundled[0]) as v:
        colours = "() => Object.fromEntries(network.body.data.nodes.get().map(n => [n.id, n.color]))"
        by_kind = v.page.evaluate(colours)
        for mode in ("year", "citations"):
            v.page.select_option("#colour-by", mode)
            assert f"colour={mode}" in v.page.evaluate("() => location.hash")
            changed = v.page.evaluate(colours)
            assert len({c for n, c in changed.items() if n.startswith("paper:")}) > 5
            assert changed[PAPER] != by_kind[PAPER]
            assert v.page.locator("#colour-scale").is_visible()
            v.page.reload()
            v.page.wait_for_function("() => typeof network !== 'undefined'")
            assert v.page.locator("#colour-by").input_value() == mode
            assert v.page.evaluate(colours) == changed
            ticks = v.page.locator("#colour-ticks span").all_inner_texts()
            assert len(ticks) >= 2
        v.page.select_option("#colour-by", "kind")
        assert v.page.evaluate(colours) == by_kind
        assert "colour=" not in v.page.evaluate("() => location.hash")
        assert v.page.locator("#colour-scale").is_hidden()


def test_png_of_the_canvas_is_saved_without_a_request(browser, bundled, tmp_path: Path) -> None:
    with opened(browser, bundled[0]) as v:
        with v.page.expect_download() as saving:
            v.page.click("#export-png")
        download = saving.value
        assert download.suggested_filename == "graph.png"
        target = tmp_path / "graph.png"
        download.save_as(target)
        data = target.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        canvas = v.page.evaluate(
            "() => { const c = document.querySelector('#mynetwork canvas'); return [c.width, c.height]; }")
        assert [width, height] == canvas


@pytest.mark.parametrize(("button", "name", "fmt"), [("#export-bibtex", "papers.bib", "bibtex"),
                                                     ("#export-ris", "papers.ris", "ris")])
def test_shown_papers_are_saved_as_the_bibliography_writer_writes_them(
        browser, bundled, built: Enriched, cited: dict[str, Reference], tmp_path: Path,
        button: str, name: str, fmt: str) -> None:
    path, view = bundled
    suggested = {c.node: c.suggested_task for c in built.candidates if c.suggested_task}
    with opened(browser, path, "#task=Image%20Captioning") as v:
        shown = [n for n in v.visible() if view.nodes[n]["kind"] in {"paper", "outside_paper"}]
        assert any(view.nodes[n]["kind"] == "outside_paper" for n in shown)
        assert len(shown) < sum(1 for _, k in view.nodes(data="kind") if k == "paper")
        with v.page.expect_download() as saving:
            v.page.click(button)
        assert saving.value.suggested_filename == name
        saving.value.save_as(tmp_path / name)
        # a candidate's keyword is the task suggested for it, as bibliography_of writes it
        expected = sorted((replace(cited[n], keywords=(suggested[n],)) if n in suggested
                           else cited[n] for n in shown), key=lambda r: r.key)
        assert (tmp_path / name).read_text(encoding="utf-8") == bibliography(expected, fmt)
        assert v.page.locator("#export-status").inner_text() == f"{len(shown)} papers in {name}"


def test_the_builds_page_saves_its_list_papers_as_papers_bib_and_papers_ris(
        browser, built: Enriched, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    write_exports(built.loaded, out, year_now=NOW.year, validate_all=False)
    with opened(browser, out / "graph.html", "#hide=outside_paper") as v:
        for button, name in (("#export-bibtex", "papers.bib"), ("#export-ris", "papers.ris")):
            with v.page.expect_download() as saving:
                v.page.click(button)
            saving.value.save_as(tmp_path / name)
            assert (tmp_path / name).read_bytes() == (out / name).read_bytes()
