"""Where the HTML page draws each node: a clustered layout and a timeline, computed at build time.

The page runs no physics (2,500 nodes with physics froze Chromium for ~100 s), so every position
comes from here. Both layouts are deterministic and cost O(n log n) for n nodes:

- :func:`clustered`: each group of papers, datasets and tasks held together by has-task,
  introduces and uses edges (citations would join everything into one hairball) is drawn as a
  dense disc around its most important node, its neighbours nearest; the node-and-label boxes
  are pushed apart until none overlap, and the groups are packed in rows to a landscape window.
- :func:`timeline`: x is the publication year, y the task band (like Local Citation Network and
  Litmaps); each (band, year) cell is a small grid, the few larger boxes pushed clear.

A *box* is what a node covers on the canvas: its shape and its label drawn below it
(:func:`box`). vis-network first fits the whole picture into the window, so the tighter the
boxes are packed, the larger every label on the first view.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

__all__ = ["Box", "Timeline", "box", "label_width", "clustered", "timeline", "STRUCTURE_RELATIONS"]

#: half-width, half-height and downward offset (from the node's centre) of a node's box
Box = tuple[float, float, float]
Point = tuple[float, float]

#: the relations that hold a cluster together; citations cross clusters
STRUCTURE_RELATIONS = frozenset({"has_task", "introduces", "uses", "has_code"})

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
_GAP = 40.0
#: width / height of the packed picture: about the graph's part of a landscape window
_ASPECT = 1.5
#: rounds of overlap removal; the share of each push applied per round (below 1 so that a box
#: pushed by several neighbours at once does not overshoot); the most a pair's distance may
#: grow in one round (two nearly coincident centres would otherwise fly apart)
_SEPARATION_ROUNDS = 100
_SEPARATION_STEP = 0.8
_SEPARATION_GROWTH_MAX = 3.0
#: row widths tried when packing groups
_PACKING_TRIALS = 40


@dataclass(frozen=True, slots=True)
class Timeline:
    """Positions of the timeline layout and the axes the page draws behind it."""

    positions: dict[str, Point]
    columns: tuple[tuple[str, float], ...]  # (year or "undated", centre x)
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
) -> dict[str, Point]:
    """Positions in canvas pixels: each group drawn as a disc around its hub, labels pushed
    apart, groups packed in rows, largest first.

    A discovery candidate has no structural edge: it joins the group of the task suggested for
    it (in ``tasks``: node → task labels), else of the most important list paper it is linked to by citation, else
    it stands alone. Coordinates are rounded so that float noise cannot leak into the page.
    """
    structure, groups = _groups(view, importance, tasks)
    laid_out = [_disc(structure, g, boxes, importance) for g in groups]
    return _pack(laid_out, boxes)


def timeline(
    view: nx.MultiDiGraph,
    boxes: Mapping[str, Box],
    importance: Mapping[str, float],
    bands: Mapping[str, str | None],
) -> Timeline:
    """Positions with x = publication year and y = task band (``bands``: node → task label).

    A dataset takes the year of the paper introducing it (else the first paper using it); a task
    sits at the left of its band; nodes without a year go to an "undated" column at the right,
    nodes without a task to a last band. Within a cell, the most important node comes first.
    """
    years = _years(view)
    cell_w, cell_h = _cell(boxes.values())
    band_names = sorted({b for b in bands.values() if b is not None}, key=str.casefold)
    no_task = "No task"
    while no_task in band_names:
        no_task += " "
    order = {name: i for i, name in enumerate([*band_names, no_task])}
    dated = sorted({y for y in years.values() if y is not None})
    # column 0: the tasks themselves, then one per year, then "undated"
    columns = ["", *(str(y) for y in dated), "undated"]
    column_of = {str(y): i + 1 for i, y in enumerate(dated)}

    cells: dict[tuple[int, int], list[str]] = {}
    for node in view.nodes:
        band = order[bands.get(node) or no_task]
        if view.nodes[node].get("kind") == "task":
            column = 0
        else:
            year = years.get(node)
            column = column_of[str(year)] if year is not None else len(columns) - 1
        cells.setdefault((band, column), []).append(node)
    for members in cells.values():
        members.sort(key=lambda n: (-importance.get(n, 0.0), n))

    rows = _band_rows(cells, len(columns), cell_w, cell_h)
    sub_columns = _sub_columns(cells, rows, len(columns))

    used_bands = sorted({b for b, _ in cells})
    used_columns = sorted({c for _, c in cells})
    tops, y = {}, 0.0
    for band in used_bands:
        tops[band] = y
        y += rows[band] * cell_h + _GAP
    lefts, x = {}, 0.0
    for column in used_columns:
        lefts[column] = x
        x += sub_columns[column] * cell_w + _GAP

    positions: dict[str, Point] = {}
    for (band, column), members in sorted(cells.items()):
        height = rows[band] * cell_h
        used_rows = min(rows[band], len(members))
        top = tops[band] + (height - used_rows * cell_h) / 2  # a short cell sits mid-band
        for i, node in enumerate(members):
            sub, row = divmod(i, rows[band])
            cx = lefts[column] + (sub + 0.5) * cell_w
            cy = top + (row + 0.5) * cell_h - boxes[node][2]
            positions[node] = (round(cx, 1), round(cy, 1))
    names = [*band_names, no_task]
    order_nodes = sorted(positions)
    # cells fit nine boxes in ten; the larger labels (of the most important nodes) are pushed
    # just clear of their neighbours
    moved = separate([positions[n] for n in order_nodes], [boxes[n] for n in order_nodes])
    return Timeline(
        positions={n: (round(x, 1), round(y, 1)) for n, (x, y) in zip(order_nodes, moved)},
        columns=tuple((columns[c], round(lefts[c] + sub_columns[c] * cell_w / 2, 1))
                      for c in used_columns if c > 0),
        bands=tuple((names[b], round(tops[b], 1), round(tops[b] + rows[b] * cell_h, 1))
                    for b in used_bands),
    )


def _cell(boxes: Iterable[Box]) -> tuple[float, float]:
    """Width and height of a grid cell that holds nine boxes in ten of ``boxes``."""
    found = list(boxes)
    if not found:
        return 1.0, 1.0
    widths = sorted(2 * b[0] for b in found)
    heights = sorted(2 * b[1] for b in found)
    return widths[9 * len(found) // 10], heights[9 * len(found) // 10]


def _band_rows(cells: Mapping[tuple[int, int], Sequence[str]], n_columns: int,
               cell_w: float, cell_h: float) -> dict[int, int]:
    """Rows of each band: the grid whose picture needs the least zoom-out to fit a window of
    shape :data:`_ASPECT`, among cells at most 1, 2, … 12 boxes wide."""
    biggest: dict[int, int] = {}
    for (band, _), members in cells.items():
        biggest[band] = max(biggest.get(band, 0), len(members))

    def extent(rows: Mapping[int, int]) -> tuple[float, float]:
        width = sum(sub * cell_w + _GAP for sub in _sub_columns(cells, rows, n_columns).values()
                    if sub)
        return width, sum(r * cell_h + _GAP for r in rows.values())

    trials = [{b: math.ceil(k / wide) for b, k in biggest.items()} for wide in range(1, 13)]
    return min(trials, key=lambda rows: _zoom_out(extent(rows)))


def _sub_columns(cells: Mapping[tuple[int, int], Sequence[str]], rows: Mapping[int, int],
                 n_columns: int) -> dict[int, int]:
    """Boxes side by side in each column: enough for its fullest cell (0 for an empty column)."""
    subs = dict.fromkeys(range(n_columns), 0)
    for (band, column), members in cells.items():
        subs[column] = max(subs[column], math.ceil(len(members) / rows[band]))
    return subs


def _years(view: nx.MultiDiGraph) -> dict[str, int | None]:
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


def _groups(view: nx.MultiDiGraph, importance: Mapping[str, float],
            tasks: Mapping[str, Sequence[str]]) -> tuple[nx.Graph, list[list[str]]]:
    """The structural graph (candidates anchored) and its clusters, largest first, each a
    sorted list of nodes."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(view.nodes))
    simple.add_edges_from(sorted(
        (u, v) for u, v, rel in view.edges(keys=True) if rel in STRUCTURE_RELATIONS and u != v
    ))
    labels = {str(view.nodes[n].get("label")): n for n in sorted(view.nodes)
              if view.nodes[n].get("kind") == "task"}
    anchors = []
    for node in sorted(view.nodes):
        if simple.degree(node) or view.nodes[node].get("kind") != "outside_paper":
            continue
        suggested = [labels[t] for t in tasks.get(node, ()) if t in labels]
        linked = sorted(
            (n for n in nx.all_neighbors(view, node) if view.nodes[n].get("kind") == "paper"),
            key=lambda n: (-importance.get(n, 0.0), n),
        )
        anchor = suggested[0] if suggested else linked[0] if linked else None
        if anchor is not None:
            anchors.append((node, anchor))
    simple.add_edges_from(anchors)
    return simple, sorted((sorted(c) for c in nx.connected_components(simple)),
                          key=lambda c: (-len(c), c[0]))


def _disc(structure: nx.Graph, nodes: Sequence[str], boxes: Mapping[str, Box],
          importance: Mapping[str, float]) -> dict[str, Point]:
    """A landscape disc of grid cells around the group's most important node, filled breadth
    first (neighbours of the hub nearest to it, most important first); then the few boxes
    larger than a cell pushed apart.

    ``nodes`` is one connected component of ``structure``. A cell is as large as nine boxes in
    ten, so the grid alone keeps most labels apart and the disc stays dense.
    """
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    rank = {n: (-importance.get(n, 0.0), n) for n in nodes}
    hub = min(nodes, key=lambda n: rank[n])
    order, seen, frontier = [hub], {hub}, [hub]
    while frontier:
        following = []
        for parent in frontier:
            for child in sorted(structure.neighbors(parent), key=lambda n: rank[n]):
                if child not in seen:
                    seen.add(child)
                    following.append(child)
        order += following
        frontier = following
    cell_w, cell_h = _cell(boxes[n] for n in nodes)
    k = math.isqrt(len(nodes)) + 2
    cells = sorted(
        ((i, j) for i in range(-k, k + 1) for j in range(-k, k + 1)),
        key=lambda c: (math.hypot(c[0] * cell_w, c[1] * cell_h * _ASPECT),
                       math.atan2(c[1], c[0]), c),
    )
    xy = [(i * cell_w, j * cell_h - boxes[node][2]) for node, (i, j) in zip(order, cells)]
    return dict(zip(order, separate(xy, [boxes[n] for n in order])))


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
            growth = np.min((half[a] + half[b]) / np.abs(delta), axis=1)
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


def _pack(laid_out: Sequence[Mapping[str, Point]], boxes: Mapping[str, Box]) -> dict[str, Point]:
    """Place the laid-out groups in rows, left to right, largest first.

    The row width is the one, among a few tried, whose packing needs the least zoom-out to fit
    a window of shape :data:`_ASPECT`.
    """
    extents = []
    for pos in laid_out:
        left = min(x - boxes[v][0] for v, (x, _) in pos.items())
        right = max(x + boxes[v][0] for v, (x, _) in pos.items())
        top = min(y + boxes[v][2] - boxes[v][1] for v, (_, y) in pos.items())
        bottom = max(y + boxes[v][2] + boxes[v][1] for v, (_, y) in pos.items())
        extents.append((left, top, right - left, bottom - top))
    sizes = [(w, h) for _, _, w, h in extents]
    widest = max((w for w, _ in sizes), default=0.0)
    longest = sum(w + _GAP for w, _ in sizes)
    trials = [widest + (longest - widest) * (i / _PACKING_TRIALS) ** 2
              for i in range(_PACKING_TRIALS + 1)]
    row_width = min(trials, key=lambda width: _zoom_out(_rows(sizes, width)[1]))
    corners, _ = _rows(sizes, row_width)
    positions: dict[str, Point] = {}
    for pos, (left, top, _, _), (x, y) in zip(laid_out, extents, corners):
        for node, (px, py) in pos.items():
            positions[node] = (round(x + px - left, 1), round(y + py - top, 1))
    return positions


def _rows(sizes: Sequence[tuple[float, float]], row_width: float,
          ) -> tuple[list[Point], tuple[float, float]]:
    """Top-left corners of boxes of ``sizes`` packed in rows no wider than ``row_width``, and
    the width and height of the whole.

    A row opens with one box at the left; the boxes after it fill the room to its right in
    sub-rows, as long as they stay within the row's height (only the first sub-row may make the
    row taller). Without sub-rows, one tall group next to many small ones leaves most of the
    picture empty.
    """
    corners: list[Point] = []
    right = top = 0.0
    i = 0
    while i < len(sizes):
        width, row_height = sizes[i]
        corners.append((0.0, top))
        right = max(right, width)
        left, sub_top, first_sub = width + _GAP, top, True
        i += 1
        while i < len(sizes) and left + sizes[i][0] <= row_width:
            x, sub_height = left, 0.0
            while (
                i < len(sizes)
                and x + sizes[i][0] <= row_width
                and (first_sub or sub_top + sizes[i][1] <= top + row_height)
            ):
                corners.append((x, sub_top))
                right = max(right, x + sizes[i][0])
                x += sizes[i][0] + _GAP
                sub_height = max(sub_height, sizes[i][1])
                i += 1
            if sub_height == 0.0:  # the next box is too tall for what is left of the row
                break
            if first_sub:
                row_height = max(row_height, sub_height)
            sub_top += sub_height + _GAP
            first_sub = False
        top += row_height + _GAP
    return corners, (right, max(top - _GAP, 0.0))


def _zoom_out(extent: tuple[float, float]) -> float:
    """How many canvas pixels one screen pixel shows when ``extent`` is fitted to the window."""
    width, height = extent
    return max(width / _ASPECT, height)
