"""The page's clustered layout as a map of the field: papers around their task, shared papers
between their tasks, datasets beside the papers introducing them, candidates beside the list
paper they share most citations with. Graphs are SYNTHETIC (``tests/test_export_html.py``)."""

from __future__ import annotations

import math

import networkx as nx
import pytest
from test_export_html import crowded_graph

from rsvlm_graph.exports import html_layout
from rsvlm_graph.exports.html_drawing import draw_view
from rsvlm_graph.exports.html_view import select_view

Point = tuple[float, float]


@pytest.fixture(scope="module")
def crowded() -> tuple[nx.MultiDiGraph, dict[str, Point]]:
    view = select_view(crowded_graph())
    return view, dict(draw_view(view).clustered.positions)


def task_node(label: str) -> str:
    return "task:" + label.lower().replace(" ", "-")


def nearest(point: Point, among: dict[str, Point]) -> str:
    return min(among, key=lambda n: (math.dist(point, among[n]), n))


def test_the_papers_of_each_task_form_a_region_of_their_own(crowded) -> None:
    view, at = crowded
    members: dict[str, list[str]] = {}
    for n, tasks in view.nodes(data="tasks"):
        if view.nodes[n]["kind"] in {"paper", "dataset"} and len(tasks) == 1:
            members.setdefault(task_node(tasks[0]), []).append(n)
    assert len(members) == 8 and sum(map(len, members.values())) == 19 + 8 + 5 + 18
    regions = {task: (min(at[n][0] for n in [task, *found]), min(at[n][1] for n in [task, *found]),
                      max(at[n][0] for n in [task, *found]), max(at[n][1] for n in [task, *found]))
               for task, found in members.items()}
    # the rectangles around each task and its papers' centres: no two overlap
    for a, (al, at_, ar, ab) in regions.items():
        for b, (bl, bt, br, bb) in regions.items():
            assert a == b or ar < bl or br < al or ab < bt or bb < at_, (a, b)


def test_a_paper_of_two_tasks_lies_between_them(crowded) -> None:
    view, at = crowded
    captioning, scenes = at[task_node("Image Captioning")], at[task_node("Scene Classification")]
    shared = [n for n, tasks in view.nodes(data="tasks") if tasks and len(tasks) == 2]
    assert len(shared) == 3
    for paper in shared:  # inside the lens of the two tasks: nearer each than they are apart
        assert max(math.dist(at[paper], captioning), math.dist(at[paper], scenes)) < \
            math.dist(captioning, scenes)


def test_a_dataset_lies_beside_the_paper_introducing_it(crowded) -> None:
    view, at = crowded
    papers = {n: at[n] for n, kind in view.nodes(data="kind") if kind == "paper"}
    introduced = [(v, u) for u, v, rel in view.edges(keys=True) if rel == "introduces"]
    assert len(introduced) == 8
    assert all(nearest(at[dataset], papers) == paper for dataset, paper in introduced)


def test_a_candidate_lies_beside_the_list_paper_it_shares_most_citations_with() -> None:
    view = nx.MultiDiGraph()
    for task in ("Alpha", "Beta"):
        view.add_node(task_node(task), kind="task", label=task)
    for i, task in enumerate(("Alpha", "Alpha", "Beta", "Beta")):
        paper = f"paper:arxiv:2401.0000{i}"
        view.add_node(paper, kind="paper", label=f"SYNTHETIC paper {i}", tasks=(task,))
        view.add_edge(paper, task_node(task), key="has_task")
    both, suggested = "paper:s2:" + "a" * 40, "paper:s2:" + "b" * 40
    for candidate in (both, suggested):
        view.add_node(candidate, kind="outside_paper", label="SYNTHETIC candidate " + candidate[-1])
        view.add_edge(candidate, "paper:arxiv:2401.00000", key="cites")
    # the first cites paper 0 once and is cited by paper 3 and cites it: paper 3 has most links
    view.add_edge(both, "paper:arxiv:2401.00003", key="cites")
    view.add_edge("paper:arxiv:2401.00003", both, key="cites")
    # the second the same, but it is suggested for Alpha: paper 0 is of its task
    view.add_edge(suggested, "paper:arxiv:2401.00003", key="cites")
    view.add_edge("paper:arxiv:2401.00003", suggested, key="cites")
    boxes = {n: html_layout.box(str(view.nodes[n]["label"]), 10.0, 14.0) for n in view}
    tasks = {n: list(view.nodes[n].get("tasks") or ()) for n in view}
    tasks[suggested] = ["Alpha"]
    for n in view:
        if view.nodes[n]["kind"] == "task":
            tasks[n] = [view.nodes[n]["label"]]
    at = html_layout.clustered(view, boxes, dict.fromkeys(view, 1.0), tasks).positions
    papers = {n: at[n] for n in view if view.nodes[n]["kind"] == "paper"}
    assert nearest(at[both], papers) == "paper:arxiv:2401.00003"
    assert nearest(at[suggested], papers) == "paper:arxiv:2401.00000"


def test_clusters_are_packed_for_a_landscape_window(crowded) -> None:
    _, at = crowded
    xs, ys = [x for x, _ in at.values()], [y for _, y in at.values()]
    assert (max(xs) - min(xs)) / (max(ys) - min(ys)) > 1.0
