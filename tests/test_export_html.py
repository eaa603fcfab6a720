"""Tests of the HTML page without a browser: view selection, safety, self-containment, determinism.

Every graph here is SYNTHETIC, built by hand after the contract in ``docs/ARCHITECTURE.md``.
``tests/test_html_browser.py`` imports :func:`contract_graph` and the constants below.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from rsvlm_graph.errors import ExportError
from rsvlm_graph.exports.html import DETAIL_ATTRIBUTES, SCRIPTS, build_page, write_page
from rsvlm_graph.exports.html_drawing import NODE_ATTRIBUTES, PAGE_NODE_KEYS
from rsvlm_graph.exports.html_view import select_view

IMG_INJECTION = "<img src=x onerror=alert(1)>"
SCRIPT_INJECTION = "</script><script>alert(1)</script>"
TASK_INJECTION = "Evil </script><!-- task"
#: values of attributes outside the allow-list: none may reach the page
SECRETS = ("SYNTHETIC-ABSTRACT-7f3a", "Synthetic Author Qx", "SYNTHETIC-TLDR-91b2", "0.123456789")

RSGPT = "paper:arxiv:2307.15266"
IMG_PAPER = "paper:doi:10.1109/tgrs.2023.0000001"
SCRIPT_PAPER = "paper:title:script-injection"
HREF_PAPER = "paper:ieee:7546397"
CAPTIONING = "task:image-captioning"
VQA = "task:visual-question-answering"
EVIL_TASK = "task:evil-task"
RSICD = "dataset:rsicd"
RSVQA = "dataset:rsvqa-lr"
OUTSIDE = tuple(f"paper:s2:{c * 40}" for c in "abcde")
LIST_NODES = (RSGPT, IMG_PAPER, SCRIPT_PAPER, HREF_PAPER, CAPTIONING, VQA, EVIL_TASK, RSICD, RSVQA)


def _paper(title: str, tasks: tuple[str, ...], **extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "kind": "paper",
        "label": title,
        "title": title,
        "s2_title": None,
        "year": None,
        "venue": None,
        "url": None,
        "arxiv_id": None,
        "doi": None,
        "ieee_id": None,
        "pii": None,
        "s2_id": None,
        "in_list": True,
        "tasks": tasks,
        "line": 60,
        "code_urls": (),
        "abstract": SECRETS[0],
        "tldr": SECRETS[2],
        "citation_count": None,
        "authors": (SECRETS[1],),
        "embedding": (float(SECRETS[3]), 0.5),
        "source": "s2",
        "fetched_at": "2024-01-01T00:00:00Z",
    }
    base.update(extra)
    return base


def contract_graph(reverse: bool = False) -> nx.MultiDiGraph:
    """A SYNTHETIC graph with every node kind, every relation and the injection strings.

    ``reverse`` inserts nodes and edges in the opposite order (same graph, other history).
    """
    nodes: list[tuple[str, dict[str, object]]] = [
        ("list:awesome-remote-sensing-vision-language-models",
         {"kind": "list", "label": "Awesome", "title": "Awesome", "path": "kg/awesome-list.md"}),
        (RSGPT, _paper(
            "RSGPT: A Remote Sensing Vision Language Model and Benchmark",
            ("Image Captioning", "Visual Question Answering"),
            year=2023, venue="arXiv", arxiv_id="2307.15266", citation_count=150,
            url="https://arxiv.org/abs/2307.15266",
            code_urls=("https://github.com/Lavender105/RSGPT",))),
        (IMG_PAPER, _paper(IMG_INJECTION, ("Image Captioning",), year=2021, venue="TGRS",
                           doi="10.1109/tgrs.2023.0000001", citation_count=3)),
        (SCRIPT_PAPER, _paper(SCRIPT_INJECTION, ("Visual Question Answering",))),
        (HREF_PAPER, _paper("A study of <a href=x>links</a>", ("Evil </script><!-- task",),
                            url="https://ieeexplore.ieee.org/document/7546397?href=1")),
        (CAPTIONING, {"kind": "task", "label": "Image Captioning", "name": "Image Captioning",
                      "section": "Image Captioning"}),
        (VQA, {"kind": "task", "label": "Visual Question Answering",
               "name": "Visual Question Answering", "section": "Visual Question Answering"}),
        (EVIL_TASK, {"kind": "task", "label": TASK_INJECTION, "name": TASK_INJECTION,
                     "section": "Others"}),
        (RSICD, {"kind": "dataset", "label": "RSICD", "name": "RSICD",
                 "url": "https://arxiv.org/abs/1712.07835",
                 "home_urls": ("https://github.com/x/rsicd",),
                 "download_urls": ("https://example.org/rsicd.zip",),
                 "tasks": ("Image Captioning",), "lines": (165,)}),
        (RSVQA, {"kind": "dataset", "label": "RSVQA-LR", "name": "RSVQA-LR", "url": None,
                 "home_urls": (), "download_urls": (), "tasks": ("Visual Question Answering",),
                 "lines": (186,)}),
        ("venue:tgrs", {"kind": "venue", "label": "TGRS", "name": "TGRS"}),
        ("code:github.com/lavender105/rsgpt",
         {"kind": "code", "label": "lavender105/rsgpt",
          "url": "https://github.com/Lavender105/RSGPT"}),
        ("author:1741101", {"kind": "author", "label": SECRETS[1], "name": SECRETS[1],
                            "s2_author_id": "1741101"}),
    ]
    for i, node in enumerate(OUTSIDE):
        nodes.append((node, {**_paper(f"Outside paper {i}", ()), "kind": "outside_paper",
                             "in_list": False, "citation_count": 1000 * (i + 1)}))
    edges: list[tuple[str, str, str, dict[str, object]]] = [
        ("list:awesome-remote-sensing-vision-language-models", RSGPT, "has_part", {}),
        ("list:awesome-remote-sensing-vision-language-models", RSICD, "has_part", {}),
        (RSGPT, CAPTIONING, "has_task", {}),
        (RSGPT, VQA, "has_task", {}),
        (IMG_PAPER, CAPTIONING, "has_task", {}),
        (SCRIPT_PAPER, VQA, "has_task", {}),
        (HREF_PAPER, EVIL_TASK, "has_task", {}),
        (RSICD, CAPTIONING, "has_task", {}),
        (RSVQA, VQA, "has_task", {}),
        (IMG_PAPER, RSICD, "introduces", {}),
        (RSGPT, RSICD, "uses", {}),
        (RSGPT, RSVQA, "uses", {}),
        (IMG_PAPER, "venue:tgrs", "published_in", {}),
        (RSGPT, "code:github.com/lavender105/rsgpt", "has_code", {}),
        (RSGPT, "author:1741101", "authored_by", {"position": 0}),
        (RSGPT, IMG_PAPER, "cites", {"is_influential": True}),
        (SCRIPT_PAPER, RSGPT, "cites", {"is_influential": False}),
    ]
    for i, node in enumerate(OUTSIDE):
        edges.append((RSGPT if i % 2 else SCRIPT_PAPER, node, "cites", {"is_influential": False}))
    edges.append((OUTSIDE[0], OUTSIDE[1], "cites", {"is_influential": False}))
    if reverse:
        nodes.reverse()
        edges.reverse()
    G = nx.MultiDiGraph()
    G.add_nodes_from(nodes)
    for u, v, rel, attrs in edges:
        G.add_edge(u, v, key=rel, **attrs)
    return G


def crowded_graph() -> nx.MultiDiGraph:
    """A SYNTHETIC view shaped like the list's Image Captioning cluster: one task with 22 papers
    and 8 datasets (long titles, three papers shared with a second task, datasets introduced by
    papers), and six small task stars."""
    G = nx.MultiDiGraph()
    for slug, label in (("image-captioning", "Image Captioning"),
                        ("scene-classification", "Scene Classification"),
                        *((f"synthetic-small-task-{t}", f"Synthetic Small Task {t}")
                          for t in range(6))):
        G.add_node(f"task:{slug}", kind="task", label=label, name=label, section=label)

    def paper(node: str, title: str, *tasks: str) -> None:
        G.add_node(node, kind="paper", label=title, title=title, tasks=tasks, in_list=True)
        for task in tasks:
            G.add_edge(node, "task:" + task.lower().replace(" ", "-"), key="has_task")

    for i in range(22):
        title = (f"CapNet-{i}: SYNTHETIC captioning of remote sensing images" if i % 2 else
                 f"SYNTHETIC exploration {i} of multi-level attention for remote sensing captions")
        shared = ("Scene Classification",) if i < 3 else ()
        paper(f"paper:arxiv:2400.{i:05d}", title, "Image Captioning", *shared)
    for i in range(5):
        paper(f"paper:arxiv:2401.{i:05d}",
              f"SYNTHETIC zero-shot scene classification study number {i}", "Scene Classification")
    for t in range(6):
        for i in range(3):
            paper(f"paper:arxiv:2402.{10 * t + i:05d}",
                  f"SYNTHETIC small-task paper {t}-{i} on remote sensing",
                  f"Synthetic Small Task {t}")
    for i in range(8):
        node = f"dataset:synthetic-captions-{i}"
        G.add_node(node, kind="dataset", label=f"SynthCaptions-{i}", name=f"SynthCaptions-{i}",
                   tasks=("Image Captioning",))
        G.add_edge(node, "task:image-captioning", key="has_task")
        G.add_edge(f"paper:arxiv:2400.{2 * i:05d}", node, key="introduces")
    return G


def page_nodes(page: str) -> list[dict[str, object]]:
    """The node objects pyvis embedded in the page."""
    match = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);\n", page)
    assert match, "node data not found in the page"
    return json.loads(match.group(1))


def explorer_data(page: str) -> dict[str, object]:
    """The explorer's own data (details, tasks, timeline axes) embedded in the page."""
    match = re.search(r"var RSVLM_DATA = (\{.*\});</script>", page)
    assert match, "explorer data not found in the page"
    return json.loads(match.group(1))


def page_options(page: str) -> dict[str, object]:
    match = re.search(r"var options = (\{.*\});\n", page)
    assert match, "options not found in the page"
    return json.loads(match.group(1))


class _Tags(HTMLParser):
    """Every start tag with its attributes; script bodies are raw text to the parser, exactly
    as to a browser, so a break-out of a script shows up as extra tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


@pytest.fixture(scope="module")
def view() -> nx.MultiDiGraph:
    return select_view(contract_graph(), candidates=[OUTSIDE[3], OUTSIDE[1], OUTSIDE[4]],
                       max_candidates=2)


@pytest.fixture(scope="module")
def page(view: nx.MultiDiGraph) -> str:
    return build_page(view, "RS VLM graph <b>bold</b>")


# --- select_view -------------------------------------------------------------------------------


def test_view_keeps_list_nodes_and_top_candidates_only(view: nx.MultiDiGraph) -> None:
    assert set(view.nodes) == set(LIST_NODES) | {OUTSIDE[3], OUTSIDE[1]}


def test_view_edges_are_view_relations_among_kept_nodes(view: nx.MultiDiGraph) -> None:
    G = contract_graph()
    expected = {
        (u, v, rel)
        for u, v, rel in G.edges(keys=True)
        if u in view and v in view and rel in {"cites", "has_task", "introduces", "uses"}
    }
    assert set(view.edges(keys=True)) == expected
    assert (RSGPT, OUTSIDE[1], "cites") in expected and (RSGPT, OUTSIDE[3], "cites") in expected
    assert view.nodes[RSGPT]["abstract"] == SECRETS[0]  # attributes are copied, filtered later


def test_view_candidates_deduplicated_in_given_order() -> None:
    view = select_view(contract_graph(), [OUTSIDE[2], OUTSIDE[2], OUTSIDE[0]], max_candidates=2)
    assert {n for n in view if n.startswith("paper:s2:")} == {OUTSIDE[2], OUTSIDE[0]}
    assert (OUTSIDE[0], OUTSIDE[1], "cites") not in set(view.edges(keys=True))


def test_view_without_candidates_has_no_outside_papers() -> None:
    view = select_view(contract_graph(), OUTSIDE, max_candidates=0)
    assert set(view.nodes) == set(LIST_NODES)


def test_view_can_include_code() -> None:
    view = select_view(contract_graph(), include_code=True)
    assert "code:github.com/lavender105/rsgpt" in view
    assert (RSGPT, "code:github.com/lavender105/rsgpt", "has_code") in set(view.edges(keys=True))


def test_view_rejects_unknown_candidate() -> None:
    with pytest.raises(ExportError, match="paper:s2:missing"):
        select_view(contract_graph(), ["paper:s2:missing"])


def test_view_rejects_negative_max() -> None:
    with pytest.raises(ValueError):
        select_view(contract_graph(), max_candidates=-1)


# --- build_page: self-contained ----------------------------------------------------------------


def test_page_loads_nothing_from_another_host(page: str) -> None:
    remote = [
        (tag, name, value)
        for tag, attrs in tags(page)
        for name, value in attrs.items()
        if name in {"src", "href"} and value and re.match(r"\s*(https?:)?//", value, re.I)
    ]
    assert remote == []
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page
    # the links are still in the data, as text
    assert "https://github.com/Lavender105/RSGPT" in page
    assert "https://doi.org/10.1109/tgrs.2023.0000001" in page


def test_page_inlines_vis_network(page: str) -> None:
    scripts = [attrs for tag, attrs in tags(page) if tag == "script"]
    assert scripts and all("src" not in attrs for attrs in scripts)
    assert "vis-network" in page and "new vis.Network(" in page


# --- build_page: injection -----------------------------------------------------------------------


def test_injection_strings_appear_only_escaped(page: str) -> None:
    for raw in (IMG_INJECTION, SCRIPT_INJECTION, TASK_INJECTION, "<a href=x>", "<b>bold</b>"):
        assert raw not in page
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    assert "Evil \\u003c/script\\u003e\\u003c!-- task" in page  # the task filter's own JSON
    assert "&lt;b&gt;bold&lt;/b&gt;" in page  # the heading


def test_no_markup_from_the_data_becomes_a_tag(page: str) -> None:
    found = tags(page)
    assert not [t for t, _ in found if t in {"img", "a", "b"}]
    # pyvis's inline libraries, its drawGraph(), the explorer's data and the page's own
    # scripts: nothing else
    assert [t for t, _ in found].count("script") == 3 + len(SCRIPTS)


def test_tooltips_never_use_pyvis_html_popup(page: str) -> None:
    # a title and a link contain "href": pyvis would switch every tooltip to innerHTML
    assert "popup.innerHTML" not in page
    assert all("title" not in node for node in page_nodes(page))
    assert "textContent = n.tip" in page


# --- build_page: data -----------------------------------------------------------------------


def test_nodes_carry_only_allowed_keys(page: str, view: nx.MultiDiGraph) -> None:
    nodes = page_nodes(page)
    assert [n["id"] for n in nodes] == sorted(view.nodes)
    for node in nodes:
        assert set(node) <= PAGE_NODE_KEYS
    # the canvas nodes carry none of them; the details panel shows abstract, TLDR and authors
    # (issue 14) from the explorer's data alone; the embedding and provenance reach nothing
    node_data = json.dumps(nodes)
    for secret in SECRETS:
        assert secret not in node_data
    explorer = explorer_data(page)
    for shown in SECRETS[:3]:
        assert page.count(shown) == json.dumps(explorer).count(shown) > 0
    assert SECRETS[3] not in page
    assert "fetched_at" not in page and "2024-01-01T00:00:00Z" not in page
    assert {"abstract", "authors", "embedding"}.isdisjoint(NODE_ATTRIBUTES)
    assert {"embedding", "fetched_at", "source"}.isdisjoint(NODE_ATTRIBUTES | DETAIL_ATTRIBUTES)


def test_tooltip_is_plain_text_with_facts_and_links(page: str) -> None:
    tips = {n["id"]: n["tip"] for n in page_nodes(page)}
    assert tips[RSGPT].splitlines() == [
        "RSGPT: A Remote Sensing Vision Language Model and Benchmark",
        "2023 · arXiv",
        "Citations: 150",
        "Tasks: Image Captioning, Visual Question Answering",
        "Links:",
        "https://arxiv.org/abs/2307.15266",
        "https://github.com/Lavender105/RSGPT",
    ]
    assert "Citations: unknown" in tips[SCRIPT_PAPER]
    assert "Discovery candidate" in tips[OUTSIDE[1]]
    assert "https://example.org/rsicd.zip" in tips[RSICD].splitlines()
    assert "2 papers, 1 datasets" in tips[CAPTIONING]


def test_nodes_styled_by_kind_and_sized_by_influence(page: str) -> None:
    nodes = {n["id"]: n for n in page_nodes(page)}
    assert nodes[RSGPT]["color"] == nodes[IMG_PAPER]["color"] != nodes[OUTSIDE[1]]["color"]
    assert len({nodes[i]["color"] for i in (RSGPT, OUTSIDE[1], RSICD, CAPTIONING)}) == 4
    assert nodes[RSGPT]["size"] > nodes[IMG_PAPER]["size"]  # 150 citations against 3
    assert nodes[OUTSIDE[3]]["size"] > nodes[RSGPT]["size"]  # 4,000 citations
    # without citation counts the degree decides: VQA has 4 links, RSVQA-LR 2
    assert nodes[VQA]["size"] > nodes[RSVQA]["size"]
    assert nodes[RSGPT]["label"] == "RSGPT"
    assert nodes[CAPTIONING]["tasks"] == ["Image Captioning"]
    assert nodes[RSGPT]["tasks"] == ["Image Captioning", "Visual Question Answering"]


def test_positions_present_and_physics_off(page: str) -> None:
    nodes = page_nodes(page)
    for node in nodes:
        assert isinstance(node["x"], (int, float)) and isinstance(node["y"], (int, float))
    assert len({(n["x"], n["y"]) for n in nodes}) == len(nodes)
    assert page_options(page)["physics"] == {"enabled": False}


def test_edges_carry_relation_and_stable_ids(page: str, view: nx.MultiDiGraph) -> None:
    match = re.search(r"edges = new vis\.DataSet\((\[.*?\])\);\n", page)
    assert match
    edges = json.loads(match.group(1))
    expected = [f"{u}|{rel}|{v}" for u, v, rel in sorted(view.edges(keys=True))]
    assert [e["id"] for e in edges] == expected
    titles = {e["title"] for e in edges}
    assert titles == {"cites", "has task", "introduces dataset", "uses dataset"}


def test_same_graph_gives_identical_bytes() -> None:
    first = build_page(select_view(contract_graph(), [OUTSIDE[1]]), "t")
    second = build_page(select_view(contract_graph(reverse=True), [OUTSIDE[1]]), "t")
    assert first == second


def test_identical_bytes_whatever_the_hash_seed() -> None:
    # set and dict-view iteration order of strings changes with PYTHONHASHSEED between runs
    code = (
        "import hashlib, test_export_html as t;"
        "from rsvlm_graph.exports.html import build_page;"
        "from rsvlm_graph.exports.html_view import select_view;"
        "page = build_page(select_view(t.contract_graph(), [t.OUTSIDE[1]]), 't');"
        "print(hashlib.sha256(page.encode()).hexdigest())"
    )
    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent),
                                                          env.get("PYTHONPATH")]))
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
        digests.add(run.stdout.strip())
    local = build_page(select_view(contract_graph(), [OUTSIDE[1]]), "t")
    assert digests == {hashlib.sha256(local.encode()).hexdigest()}


def test_empty_view_gives_a_page() -> None:
    page = build_page(nx.MultiDiGraph(), "empty")
    assert page_nodes(page) == []
    assert "<title>empty</title>" in page


# --- write_page -----------------------------------------------------------------------------


def test_write_page_returns_bytes_written(tmp_path) -> None:
    path = tmp_path / "sub" / "graph.html"
    text = "<p>ünïcode · graph</p>"
    size = write_page(text, path)
    assert size == path.stat().st_size == len(text.encode("utf-8")) > len(text)
    assert path.read_text(encoding="utf-8") == text


def test_write_page_error_names_the_path(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="cannot write"):
        write_page("x", blocker / "graph.html")


def test_unconnected_candidates_do_not_move_the_connected_core() -> None:
    G = contract_graph()
    lonely = "paper:s2:" + "f" * 40
    G.add_node(lonely, **{**G.nodes[OUTSIDE[0]], "title": "Lonely candidate"})
    def positions(view: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
        return {n["id"]: (n["x"], n["y"]) for n in page_nodes(build_page(view, "t"))}

    before = positions(select_view(G))
    after = positions(select_view(G, [lonely]))
    assert set(after) - set(before) == {lonely}
    assert {n: after[n] for n in before} == before



# --- layout: readable at the first (fit) view ----------------------------------------------------


def label_boxes(nodes: list[dict[str, object]]) -> dict[str, tuple[float, float, float, float]]:
    """(left, top, right, bottom) of each node's shape and label as vis-network draws them:
    the label centred below the shape; 6 px per character and 14 px per line, a little less
    than Chromium draws, so that only real overlaps count."""
    boxes = {}
    for node in nodes:
        x, y, size = float(node["x"]), float(node["y"]), float(node["size"])
        lines = str(node["label"]).split("\n")
        half = max(3.0 * max(len(line) for line in lines), size)
        boxes[str(node["id"])] = (x - half, y - size, x + half, y + size + 4 + 14 * len(lines))
    return boxes


def overlapping(boxes: dict[str, tuple[float, float, float, float]]) -> list[tuple[str, str]]:
    ids = sorted(boxes)
    return [
        (p, q)
        for i, p in enumerate(ids)
        for q in ids[i + 1:]
        if boxes[p][0] < boxes[q][2] and boxes[q][0] < boxes[p][2]
        and boxes[p][1] < boxes[q][3] and boxes[q][1] < boxes[p][3]
    ]


@pytest.fixture(scope="module")
def crowded_nodes() -> list[dict[str, object]]:
    return page_nodes(build_page(select_view(crowded_graph()), "crowded"))


def test_no_two_labels_overlap_in_a_crowded_view(crowded_nodes: list[dict[str, object]]) -> None:
    # the former layout (bounding-box scaling, labels ignored) had 35 overlapping pairs here
    assert overlapping(label_boxes(crowded_nodes)) == []


def test_labels_are_two_short_lines(crowded_nodes: list[dict[str, object]]) -> None:
    labels = {str(n["id"]): str(n["label"]) for n in crowded_nodes}
    for label in labels.values():
        lines = label.split("\n")
        assert 1 <= len(lines) <= 2 and all(0 < len(line) <= 22 for line in lines), label
    assert labels["paper:arxiv:2400.00001"] == "CapNet-1"
    assert labels["paper:arxiv:2400.00000"] == "SYNTHETIC exploration\n0 of multi-level…"
    assert labels["task:image-captioning"] == "Image Captioning"


def test_crowded_view_identical_bytes_whatever_the_insertion_order() -> None:
    G = crowded_graph()
    reverse = nx.MultiDiGraph()
    reverse.add_nodes_from(reversed(list(G.nodes(data=True))))
    reverse.add_edges_from(reversed(list(G.edges(keys=True, data=True))))
    assert build_page(select_view(G), "t") == build_page(select_view(reverse), "t")


# --- the cap on the view ---------------------------------------------------------------------


def test_cap_keeps_tasks_candidates_then_the_most_cited_and_says_what_it_left_out() -> None:
    G = contract_graph()
    view = select_view(G, [OUTSIDE[1]], max_nodes=6)
    # three tasks and the candidate; the room left (two) goes by shares (papers 4 of 6, so
    # one) and then by influence: the two most cited papers (150 and 3) before any dataset
    assert set(view.nodes) == {CAPTIONING, VQA, EVIL_TASK, OUTSIDE[1], RSGPT, IMG_PAPER}
    assert view.graph["left_out"] == {"dataset": 2, "paper": 2}
    page = build_page(view, "t")
    assert "left out: 2 datasets, 2 list papers" in page and "--html-max-nodes 1000" in page
    assert select_view(G, [OUTSIDE[1]]).graph["left_out"] == {}
    assert "--html-max-nodes" not in build_page(select_view(G), "t")


def test_cap_shares_the_room_between_kinds() -> None:
    view = select_view(contract_graph(), max_nodes=9)  # three tasks, then 4 papers, 2 datasets
    assert set(view.nodes) == set(LIST_NODES)
    # room 5: shares of 3 papers and 1 dataset, then the most linked of the rest: the dataset
    # RSVQA-LR (2 links in the view) before the paper with one
    view = select_view(contract_graph(), max_nodes=8)
    assert set(LIST_NODES) - set(view) == {HREF_PAPER}
    assert view.graph["left_out"] == {"paper": 1}


def test_cap_rejects_negative() -> None:
    with pytest.raises(ValueError):
        select_view(contract_graph(), max_nodes=-1)


def test_page_assets_are_package_files() -> None:
    from importlib import resources

    package = resources.files("rsvlm_graph.exports")
    page = build_page(select_view(contract_graph()), "t")
    for name in ("page.css", *SCRIPTS):
        text = package.joinpath(name).read_text(encoding="utf-8")
        assert text.strip().splitlines()[2] in page
