"""Where the HTML page draws each node: a clustered layout and a timeline, computed at build time.

The page runs no physics (2,500 nodes with physics froze Chromium for ~100 s), so every position
comes from here. Both layouts are deterministic and cost O(n log n) for n nodes:

- :func:`clustered`: a map of the field, one cluster per task around its task node; a paper
  in several tasks between them, a dataset beside the paper introducing it, a discovery
  candidate beside the list paper it shares most citations with. Each level (unit, cluster,
  map) is a dense disc or spring layout whose node-and-label boxes are pushed apart until none
  overlap.
- :func:`timeline`: x is the publication year, y the task band (like Local Citation Network and
  Litmaps); each (band, year) cell is a small grid, the few larger boxes pushed clear.

A *box* is what a node covers on the canvas: its shape and its label drawn below it
(:func:`box`). The page fits what it shows into the window, so the tighter the boxes are
packed, the larger every label on the first view.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

__all__ = ["Box", "Clustered", "Timeline", "box", "label_width", "clustered", "timeline", "node_years", "GAP"]

#: half-width, half-height and downward offset (from the node's centre) of a node's box
Box = tuple[float, float, float]
Point = tuple[float, float]

# How vis-network draws a label (sans-serif below the shape, DejaVu Sans in Debian's Chromium):
# a line is 1.22 em high, the label starts 5 px below the shape, and every box keeps a margin.
_LINE_EM = 1.22
_LABEL_GAP = 5.0
_BOX_MARGIN = 7.0
# Advance widths of DejaVu Sans in em, by character class (a label is a few dozen characters;
# one average width underestimates capitals, which is what overlapping labels are made of).
_NARROW = frozenset("ijlI.,:;'!|")
_SLIM = frozenset("ftr()-[]/ ")
_WIDE = frozenset("mwMW…")
_WIDTH_EM = {"narrow": 0.30, "slim": 0.40, "wide": 0.98, "upper": 0.74, "digit": 0.64,
             "lower": 0.63, "other": 0.75}
#: canvas pixels between packed groups, and between the bands and columns of the timeline
GAP = 40.0
#: width / height of the packed picture: about the graph's part of a landscape window
_ASPECT = 1.5
#: the same for the timeline, whose strips of band names and years take some of the window
_TIMELINE_ASPECT = 1.2
#: rounds of overlap removal; the share of each push applied per round (below 1 so that a box
#: pushed by several neighbours at once does not overshoot); the most a pair's distance may
#: grow in one round (two nearly coincident centres would otherwise fly apart)
_SEPARATION_ROUNDS = 100
_SEPARATION_STEP = 0.8
_SEPARATION_GROWTH_MAX = 3.0
#: pixels a push clears beyond touching: without it, pushes that each clear a share of what is
#: left never end
_SEPARATION_SLACK = 1.0
#: how strongly the citations between two groups pull them together, at most, against the pull
#: of a group of several tasks to each of its tasks (1)
_CITATION_PULL = 0.3
#: the spring layout's seed: the same view always gives the same picture
_SPRING_SEED = 7
#: of a grid cell, the share of the pieces gathered in a disc it holds: the median, as the few
#: larger pieces (a paper with its datasets and candidates) are pushed clear
_GATHER_SHARE = 0.5
#: how much a group's distance from where it aims counts against the picture's growth when it
#: is placed: a task aims loosely at its spring position, a shared group firmly between its tasks
_AIM_TASK, _AIM_SHARED = 0.3, 3.0


@dataclass(frozen=True, slots=True)
class Clustered:
    """Positions of the clustered layout and each node's cluster: the task whose disc it is
    drawn in (``None`` for a paper of several tasks, drawn between them, or of none)."""

    positions: dict[str, Point]
    clusters: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Positions of the timeline layout, each node's cell and the axes the page draws.

    The page moves whole bands and columns: it stacks only those with nodes the filters show,
    so ``cells`` gives each node's band and column (a task's column is -1: in the timeline a
    task is its band, whose name the page writes at the left).
    """

    positions: dict[str, Point]
    cells: dict[str, tuple[int, int]]  # node → (index in bands, index in columns)
    columns: tuple[tuple[str, float, float], ...]  # (year or "undated", left x, right x)
    bands: tuple[tuple[str, float, float], ...]  # (task, top y, bottom y)


def label_width(line: str, font: float) -> float:
    """Estimated width in pixels of one label line drawn at ``font`` pixels.

    >>> label_width("ill", 14) < label_width("MWM", 14)
    True
    """
    total = 0.0
    for char in line:
        if char in _NARROW:
            kind = "narrow"
        elif char in _SLIM:
            kind = "slim"
        elif char in _WIDE:
            kind = "wide"
        elif char.isascii() and char.isupper():
            kind = "upper"
        elif char.isdigit():
            kind = "digit"
        elif char.isascii() and char.islower():
            kind = "lower"
        else:
            kind = "other"
        total += _WIDTH_EM[kind]
    return total * font


def box(label: str, size: float, font: float) -> Box:
    """The box that a node's shape (radius ``size``) and its label (drawn below it at ``font``
    pixels) cover, with a margin around."""
    lines = label.split("\n")
    half_width = max(size, max(label_width(line, font) for line in lines) / 2) + _BOX_MARGIN
    height = 2 * size + _LABEL_GAP + len(lines) * font * _LINE_EM
    return half_width, height / 2 + _BOX_MARGIN, height / 2 - size


def clustered(
    view: nx.MultiDiGraph,
    boxes: Mapping[str, Box],
    importance: Mapping[str, float],
    tasks: Mapping[str, Sequence[str]],
) -> Clustered:
    """Positions in canvas pixels of a map of the field: one cluster per task, around its task.

    A *unit* is a node and what is drawn beside it: a list paper with the datasets it introduces
    and the discovery candidates it shares most citations with (the candidate's suggested task
    first), each unit as a small disc. Units with the same tasks (``tasks``: node → task labels)
    form a *group*: a paper in one task joins the disc around that task's node, papers in several
    tasks form a group of their own, drawn between those tasks (the groups are placed by a
    spring layout in which a shared group pulls its tasks together; as many shared groups as
    tasks, the most common, the other papers joining the largest of their tasks). Units with no task stand
    beside the map, so that they never move it. Boxes are pushed apart at each level until none
    overlap; coordinates are rounded so that float noise cannot leak into the page.
    """
    task_node = {str(view.nodes[n].get("label")): n for n in sorted(view.nodes)
                 if view.nodes[n].get("kind") == "task"}
    units = _units(view, importance, tasks)
    grouped: dict[tuple[str, ...], list[_Piece]] = {(label,): [_node_piece(node, boxes[node])]
                                                    for label, node in task_node.items()}
    group_of: dict[str, tuple[str, ...]] = {node: (label,) for label, node in task_node.items()}
    keys = _group_keys({head: tuple(sorted({t for t in tasks.get(head, ()) if t in task_node}))
                        for head in units}, len(task_node))
    for head, members in units.items():
        key = keys[head]
        grouped.setdefault(key, []).append(
            _gather([_node_piece(n, boxes[n]) for n in members]))
        group_of.update(dict.fromkeys(members, key))
    pieces = {key: _gather(parts) for key, parts in sorted(grouped.items())}
    centres = _place_groups(view, pieces, group_of)
    placed = _join([pieces[k] for k in centres], list(centres.values()))
    if () in pieces:  # beside the map, on the side that keeps the picture closest to a window's
        placed = _beside(placed, pieces[()])
    left, top = placed.extent[0], placed.extent[1]
    return Clustered(
        positions={n: (round(x - left, 1), round(y - top, 1))
                   for n, (x, y) in sorted(placed.positions.items())},
        clusters={n: key[0] if len(key) == 1 else None for n, key in sorted(group_of.items())},
    )


def timeline(
    view: nx.MultiDiGraph,
    boxes: Mapping[str, Box],
    importance: Mapping[str, float],
    bands: Mapping[str, str | None],
) -> Timeline:
    """Positions with x = publication year and y = task band (``bands``: node → task label).

    A dataset takes the year of the paper introducing it (else the first paper using it); nodes
    without a year go to an "undated" column at the right, nodes without a task to a last band;
    a task sits at the left of its band. Within a cell, the most important node comes first.
    """
    years = node_years(view)
    cell_w, cell_h = _cell(boxes.values())
    band_names = sorted({b for b in bands.values() if b is not None}, key=str.casefold)
    no_task = "No task"
    while no_task in band_names:
        no_task += " "
    names = [*band_names, no_task]
    order = {name: i for i, name in enumerate(names)}
    dated = sorted({y for y in years.values() if y is not None})
    columns = [*(str(y) for y in dated), "undated"]
    column_of = {str(y): i for i, y in enumerate(dated)}

    cells: dict[tuple[int, int], list[str]] = {}
    task_bands: dict[str, int] = {}
    for node in view.nodes:
        band = order[bands.get(node) or no_task]
        if view.nodes[node].get("kind") == "task":
            task_bands[node] = band
            continue
        year = years.get(node)
        column = column_of[str(year)] if year is not None else len(columns) - 1
        cells.setdefault((band, column), []).append(node)
    for members in cells.values():
        members.sort(key=lambda n: (-importance.get(n, 0.0), n))
    rows = _band_rows(cells, len(columns), cell_w, cell_h)
    for band in set(task_bands.values()) - set(rows):  # a task with nothing else in its band
        rows[band] = 1
    sub_columns = _sub_columns(cells, rows, len(columns))

    used_bands = sorted(rows)
    used_columns = sorted({c for _, c in cells})
    tops, y = {}, 0.0
    for band in used_bands:
        tops[band] = y
        y += rows[band] * cell_h + GAP
    lefts, x = {}, 0.0
    for column in used_columns:
        lefts[column] = x
        x += sub_columns[column] * cell_w + GAP

    positions: dict[str, Point] = {}
    for (band, column), members in sorted(cells.items()):
        height = rows[band] * cell_h
        used_rows = min(rows[band], len(members))
        top = tops[band] + (height - used_rows * cell_h) / 2  # a short cell sits mid-band
        # and a narrow one mid-column, under its year's name
        left = lefts[column] + (sub_columns[column] - math.ceil(len(members) / rows[band])) * cell_w / 2
        for i, node in enumerate(members):
            sub, row = divmod(i, rows[band])
            cx = left + (sub + 0.5) * cell_w
            cy = top + (row + 0.5) * cell_h - boxes[node][2]
            positions[node] = (round(cx, 1), round(cy, 1))
    order_nodes = sorted(positions)
    # cells fit nine boxes in ten; the larger labels (of the most important nodes) are pushed
    # just clear of their neighbours
    moved = separate([positions[n] for n in order_nodes], [boxes[n] for n in order_nodes])
    placed = {n: (round(x, 1), round(y, 1)) for n, (x, y) in zip(order_nodes, moved)}
    band_index = {band: i for i, band in enumerate(used_bands)}
    column_index = {column: i for i, column in enumerate(used_columns)}
    where = {n: (band_index[b], column_index[c]) for (b, c), members in cells.items() for n in members}
    for node, band in sorted(task_bands.items()):
        placed[node] = (round(-GAP - cell_w / 2, 1), round(tops[band] + rows[band] * cell_h / 2, 1))
        where[node] = (band_index[band], -1)
    return Timeline(
        positions=dict(sorted(placed.items())),
        cells=dict(sorted(where.items())),
        columns=tuple((columns[c], round(lefts[c], 1), round(lefts[c] + sub_columns[c] * cell_w, 1))
                      for c in used_columns),
        bands=tuple((names[b], round(tops[b], 1), round(tops[b] + rows[b] * cell_h, 1))
                    for b in used_bands),
    )


def _cell(boxes: Iterable[Box], share: float = 0.9) -> tuple[float, float]:
    """Width and height of a grid cell that holds a ``share`` of ``boxes``."""
    found = list(boxes)
    if not found:
        return 1.0, 1.0
    widths = sorted(2 * b[0] for b in found)
    heights = sorted(2 * b[1] for b in found)
    index = min(int(share * len(found)), len(found) - 1)
    return widths[index], heights[index]


def _band_rows(cells: Mapping[tuple[int, int], Sequence[str]], n_columns: int,
               cell_w: float, cell_h: float) -> dict[int, int]:
    """Rows of each band: the grid whose picture needs the least zoom-out to fit a window of
    shape :data:`_TIMELINE_ASPECT`, among cells at most 1, 2, … 12 boxes wide."""
    biggest: dict[int, int] = {}
    for (band, _), members in cells.items():
        biggest[band] = max(biggest.get(band, 0), len(members))

    def extent(rows: Mapping[int, int]) -> tuple[float, float]:
        width = sum(sub * cell_w + GAP for sub in _sub_columns(cells, rows, n_columns).values()
                    if sub)
        return width, sum(r * cell_h + GAP for r in rows.values())

    trials = [{b: math.ceil(k / wide) for b, k in biggest.items()} for wide in range(1, 13)]
    return min(trials, key=lambda rows: _zoom_out(extent(rows), _TIMELINE_ASPECT))


def _sub_columns(cells: Mapping[tuple[int, int], Sequence[str]], rows: Mapping[int, int],
                 n_columns: int) -> dict[int, int]:
    """Boxes side by side in each column: enough for its fullest cell (0 for an empty column)."""
    subs = dict.fromkeys(range(n_columns), 0)
    for (band, column), members in cells.items():
        subs[column] = max(subs[column], math.ceil(len(members) / rows[band]))
    return subs


def node_years(view: nx.MultiDiGraph) -> dict[str, int | None]:
    """The year of each node: its own, or for a dataset its introducing (else using) paper's."""
    years: dict[str, int | None] = {}
    for node, attrs in view.nodes(data=True):
        year = attrs.get("year")
        years[node] = year if isinstance(year, int) else None
    for relation in ("introduces", "uses"):
        found: dict[str, int] = {}
        for u, v, rel in view.edges(keys=True):
            year = years.get(u)
            if rel == relation and year is not None and view.nodes[v].get("kind") == "dataset":
                found[v] = min(found.get(v, year), year)
        for dataset, year in found.items():
            if years[dataset] is None:
                years[dataset] = year
    return years


@dataclass(frozen=True, slots=True)
class _Piece:
    """Nodes laid out together: their positions from the piece's own origin and the rectangle
    (left, top, right, bottom) that their boxes cover."""

    positions: dict[str, Point]
    extent: tuple[float, float, float, float]


def _node_piece(node: str, node_box: Box) -> _Piece:
    half_width, half_height, down = node_box
    return _Piece({node: (0.0, 0.0)}, (-half_width, down - half_height, half_width, down + half_height))


def _units(view: nx.MultiDiGraph, importance: Mapping[str, float],
           tasks: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Each unit's head and members (head first, then the most important): datasets join the
    most important list paper introducing them, code repositories the paper linking them,
    discovery candidates the list paper they share most citations with, preferring papers of
    the task suggested for them. Tasks are no unit: they are the clusters' hubs."""
    def rank(node: str) -> tuple[float, str]:
        return (-importance.get(node, 0.0), node)

    kind = {n: view.nodes[n].get("kind") for n in view.nodes}
    head_of: dict[str, str] = {}
    for node in sorted(view.nodes):
        linked: Counter[str] = Counter()
        if kind[node] in {"dataset", "code"}:
            relation = "introduces" if kind[node] == "dataset" else "has_code"
            linked.update(u for u, _, rel in view.in_edges(node, keys=True)
                          if rel == relation and kind[u] == "paper")
        elif kind[node] == "outside_paper":
            linked.update(v for _, v, rel in view.out_edges(node, keys=True)
                          if rel == "cites" and kind[v] == "paper")
            linked.update(u for u, _, rel in view.in_edges(node, keys=True)
                          if rel == "cites" and kind[u] == "paper")
        if linked:
            suggested = set(tasks.get(node, ()))
            head_of[node] = min(linked, key=lambda p: (not suggested & set(tasks.get(p, ())),
                                                       -linked[p], *rank(p)))
    units: dict[str, list[str]] = {}
    for node in sorted(view.nodes, key=rank):
        if kind[node] != "task":
            units.setdefault(head_of.get(node, node), []).append(node)
    # a head comes first in its unit even when a member it carries is more important
    return {head: [head, *(m for m in members if m != head)] for head, members in sorted(units.items())}


def _group_keys(keys: Mapping[str, tuple[str, ...]], most: int) -> dict[str, tuple[str, ...]]:
    """Each unit's group: its tasks, when they are one task or one of the ``most`` most common
    sets of several; else the one of its tasks with most units of its own. A map has room
    between its tasks for a few shared groups, not for every combination (and placing groups
    costs their number squared)."""
    shared = Counter(key for key in keys.values() if len(key) > 1)
    kept = {key for key, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0]))[:most]}
    alone = Counter(key[0] for key in keys.values() if len(key) == 1)
    return {head: key if len(key) < 2 or key in kept
            else (min(key, key=lambda task: (-alone[task], task)),)
            for head, key in keys.items()}


def _gather(pieces: Sequence[_Piece]) -> _Piece:
    """The pieces as one landscape disc: the first in the middle, the others in rings around it
    in their order (a grid of cells as large as nine pieces in ten), then pushed apart until
    none overlap."""
    if len(pieces) == 1:
        return pieces[0]
    halves = [((right - left) / 2, (bottom - top) / 2, 0.0)
              for left, top, right, bottom in (p.extent for p in pieces)]
    cell_w, cell_h = _cell(halves, _GATHER_SHARE)
    k = math.isqrt(len(pieces)) + 2
    cells = sorted(
        ((i, j) for i in range(-k, k + 1) for j in range(-k, k + 1)),
        key=lambda c: (math.hypot(c[0] * cell_w, c[1] * cell_h * _ASPECT),
                       math.atan2(c[1], c[0]), c),
    )
    grid = [(i * cell_w, j * cell_h) for i, j in cells[:len(pieces)]]
    return _join(pieces, separate(grid, halves))


def _join(pieces: Sequence[_Piece], centres: Sequence[Point]) -> _Piece:
    """One piece of ``pieces``, each moved so that its rectangle is centred on its centre."""
    positions: dict[str, Point] = {}
    left = top = math.inf
    right = bottom = -math.inf
    for piece, (cx, cy) in zip(pieces, centres):
        pl, pt, pr, pb = piece.extent
        dx, dy = cx - (pl + pr) / 2, cy - (pt + pb) / 2
        positions.update({n: (x + dx, y + dy) for n, (x, y) in piece.positions.items()})
        left, top = min(left, pl + dx), min(top, pt + dy)
        right, bottom = max(right, pr + dx), max(bottom, pb + dy)
    return _Piece(positions, (left, top, right, bottom))


def _place_groups(view: nx.MultiDiGraph, pieces: Mapping[tuple[str, ...], _Piece],
                  group_of: Mapping[str, tuple[str, ...]]) -> dict[tuple[str, ...], Point]:
    """Centres of the groups with tasks, packed tight around where a spring layout puts them.

    The spring layout ties a group of several tasks to each of them and lets the citations
    between groups pull them weakly together. The groups are then placed one by one, tasks
    largest first and shared groups after their tasks, each where it touches those placed before
    and keeps the picture closest to a window's shape, near its spring position (a shared group:
    between its tasks)."""
    keys = sorted(k for k in pieces if k)
    if not keys:
        return {}
    springs = nx.Graph()
    springs.add_nodes_from(keys)
    cites: Counter[tuple[tuple[str, ...], tuple[str, ...]]] = Counter()
    for u, v, rel in view.edges(keys=True):
        a, b = group_of.get(u, ()), group_of.get(v, ())
        if rel == "cites" and a and b and a != b:
            cites[min(a, b), max(a, b)] += 1
    most = max(cites.values(), default=1)
    for (a, b), count in sorted(cites.items()):
        springs.add_edge(a, b, weight=_CITATION_PULL * count / most)
    tasks_of = {k: [(task,) for task in k] for k in keys if len(k) > 1}
    for key, tied in tasks_of.items():
        springs.add_edges_from(((key, hub) for hub in tied), weight=1.0)
    size = {k: (pieces[k].extent[2] - pieces[k].extent[0], pieces[k].extent[3] - pieces[k].extent[1])
            for k in keys}
    spring = nx.spring_layout(springs, weight="weight", seed=_SPRING_SEED) if len(keys) > 1 else {}
    side = math.sqrt(sum(w * h for w, h in size.values()))
    stretch = math.sqrt(_ASPECT)
    target = {k: (float(spring[k][0]) * side * stretch / 2, float(spring[k][1]) * side / stretch / 2)
              if k in spring else (0.0, 0.0) for k in keys}
    placed: dict[tuple[str, ...], Point] = {}

    def put(key: tuple[str, ...], aim: Point, weight: float) -> None:
        placed[key] = _free_spot(size[key], aim, [(placed[k], size[k]) for k in placed], weight)

    def largest(found: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
        return sorted(found, key=lambda k: (-size[k][0] * size[k][1], k))

    # a shared group goes right after the first of its tasks, towards where the others aim, and
    # each later task of it beside it: the shared papers end up between their tasks
    for hub in largest(k for k in keys if len(k) == 1):
        near = [placed[s] for s, tied in tasks_of.items() if hub in tied and s in placed]
        if near:
            put(hub, (sum(x for x, _ in near) / len(near), sum(y for _, y in near) / len(near)),
                _AIM_SHARED)
        else:
            put(hub, target[hub], _AIM_TASK)
        for group in largest(s for s, tied in tasks_of.items() if hub in tied and s not in placed):
            ends = [(placed[t], size[t]) if t in placed else (target[t], (0.0, 0.0))
                    for t in tasks_of[group]]
            put(group, _between(ends), _AIM_SHARED)
    return placed


def _between(rectangles: Sequence[tuple[Point, tuple[float, float]]]) -> Point:
    """The point between rectangles (centre, size): their centres' mean, brought onto each
    rectangle's edge, averaged; for two that touch, the middle of where they meet."""
    cx = sum(c[0] for c, _ in rectangles) / len(rectangles)
    cy = sum(c[1] for c, _ in rectangles) / len(rectangles)
    onto = [(min(max(cx, x - w / 2), x + w / 2), min(max(cy, y - h / 2), y + h / 2))
            for (x, y), (w, h) in rectangles]
    return sum(x for x, _ in onto) / len(onto), sum(y for _, y in onto) / len(onto)


def _free_spot(size: tuple[float, float], aim: Point,
               placed: Sequence[tuple[Point, tuple[float, float]]], aim_weight: float) -> Point:
    """Where a rectangle of ``size`` goes: touching one of the ``placed`` rectangles (centre,
    size), at a gap from every one, where the picture's growth (its zoom-out to fit a window)
    plus ``aim_weight`` times the distance from ``aim`` is least."""
    import numpy as np

    w, h = size
    if not placed:
        return aim
    centres = np.array([c for c, _ in placed], dtype=float)
    halves = np.array([s for _, s in placed], dtype=float) / 2
    spots = [aim]
    for (cx, cy), (pw, ph) in placed:
        for side in (-1, 1):
            x = cx + side * (pw / 2 + GAP + w / 2)
            spots += [(x, cy - ph / 2 + h / 2), (x, cy), (x, cy + ph / 2 - h / 2), (x, aim[1])]
            y = cy + side * (ph / 2 + GAP + h / 2)
            spots += [(cx - pw / 2 + w / 2, y), (cx, y), (cx + pw / 2 - w / 2, y), (aim[0], y)]
    xy = np.array(spots, dtype=float)
    clear = ((np.abs(xy[:, None, 0] - centres[None, :, 0]) >= halves[None, :, 0] + w / 2 + GAP - 1e-6)
             | (np.abs(xy[:, None, 1] - centres[None, :, 1]) >= halves[None, :, 1] + h / 2 + GAP - 1e-6)
             ).all(axis=1)
    low = (centres - halves).min(axis=0)
    high = (centres + halves).max(axis=0)
    left = np.minimum(low[0], xy[:, 0] - w / 2)
    right = np.maximum(high[0], xy[:, 0] + w / 2)
    top = np.minimum(low[1], xy[:, 1] - h / 2)
    bottom = np.maximum(high[1], xy[:, 1] + h / 2)
    zoom = np.maximum((right - left) / _ASPECT, bottom - top)
    distance = np.hypot(xy[:, 0] - aim[0], xy[:, 1] - aim[1])
    cost = np.where(clear, zoom + aim_weight * distance, np.inf)
    best = int(np.argmin(cost))
    return float(xy[best, 0]), float(xy[best, 1])


def _beside(placed: _Piece, other: _Piece) -> _Piece:
    """``placed`` with ``other`` put at its right or below it, top or left aligned, whichever
    needs the least zoom-out to fit a window; ``placed`` does not move."""
    left, top, right, bottom = placed.extent
    ol, ot, orr, ob = other.extent
    w, h = orr - ol, ob - ot
    right_side = ((right + GAP + w / 2, top + h / 2), (right - left + GAP + w, max(bottom - top, h)))
    below = ((left + w / 2, bottom + GAP + h / 2), (max(right - left, w), bottom - top + GAP + h))
    centre, _ = min((right_side, below), key=lambda option: _zoom_out(option[1]))
    return _join([placed, other], [((left + right) / 2, (top + bottom) / 2), centre])


def separate(xy: Sequence[Point], boxes: Sequence[Box]) -> list[Point]:
    """Move the nodes apart until their boxes (shape and label) no longer overlap.

    Each round, every overlapping pair is pushed apart along the line between its centres,
    half each way, just far enough to clear, until no pair overlaps or
    :data:`_SEPARATION_ROUNDS` is reached. Candidate pairs share or neighbour a bucket of a grid
    as coarse as the largest box, so a round costs ``n log n`` plus the pairs near each other,
    not ``n²`` (a sweep along one axis alone compares a whole column of a dense disc).
    """
    import numpy as np

    pos = np.array(xy, dtype=float).reshape(-1, 2)
    half = np.array([(w, h) for w, h, _ in boxes], dtype=float).reshape(-1, 2)
    offset = np.array([d for _, _, d in boxes], dtype=float)
    pos[:, 1] += offset  # work on box centres; shapes sit above their labels
    n = len(pos)
    if n < 2:
        pos[:, 1] -= offset
        return [(float(x), float(y)) for x, y in pos]
    bucket = 2 * half.max(axis=0)
    for _ in range(_SEPARATION_ROUNDS):
        a, b = _near_pairs(pos, bucket)
        if len(a) == 0:
            break
        delta = pos[b] - pos[a]
        overlap = half[a] + half[b] - np.abs(delta)
        hit = (overlap[:, 0] > 0) & (overlap[:, 1] > 0)
        if not hit.any():
            break
        a, b, delta, overlap = a[hit], b[hit], delta[hit], overlap[hit]
        # push along the line between the centres, just far enough: neighbours keep their
        # bearings, so a star grows into a wider ring instead of a column
        with np.errstate(divide="ignore"):  # a zero offset on one axis: clear on the other
            growth = np.min((half[a] + half[b] + _SEPARATION_SLACK) / np.abs(delta), axis=1)
        push = delta * ((np.minimum(growth, _SEPARATION_GROWTH_MAX) - 1) / 2)[:, None]
        # (nearly) coincident centres have no line: b goes down
        stuck = np.abs(delta).max(axis=1) < 1.0
        push[stuck] = np.column_stack([np.zeros(stuck.sum()), overlap[stuck, 1] / 2])
        moves = np.zeros_like(pos)
        np.add.at(moves, b, push)
        np.add.at(moves, a, -push)
        pos += moves * _SEPARATION_STEP
    pos[:, 1] -= offset
    return [(float(x), float(y)) for x, y in pos]


def _near_pairs(pos: Any, bucket: Any) -> tuple[Any, Any]:
    """Index pairs ``(a, b)`` of the points in the same or neighbouring grid buckets: every
    pair of boxes that can overlap (no box is larger than a bucket) is among them, once."""
    import numpy as np

    cells = np.floor((pos - pos.min(axis=0)) / bucket).astype(np.int64)
    stride = int(cells[:, 1].max()) + 3
    keys = cells[:, 0] * stride + cells[:, 1] + 1
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    firsts, seconds = [], []
    for dx, dy in ((0, 0), (0, 1), (1, -1), (1, 0), (1, 1)):
        target = ordered + dx * stride + dy
        if dx == dy == 0:
            lo = np.arange(1, len(ordered) + 1)  # later points of the same bucket
        else:
            lo = np.searchsorted(ordered, target, side="left")
        hi = np.searchsorted(ordered, target, side="right")
        counts = np.maximum(hi - lo, 0)
        total = int(counts.sum())
        if total == 0:
            continue
        first = np.repeat(np.arange(len(ordered)), counts)
        steps = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        firsts.append(order[first])
        seconds.append(order[np.repeat(lo, counts) + steps])
    if not firsts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(firsts), np.concatenate(seconds)


def _zoom_out(extent: tuple[float, float], aspect: float = _ASPECT) -> float:
    """How many canvas pixels one screen pixel shows when ``extent`` is fitted to the window."""
    width, height = extent
    return max(width / aspect, height)
