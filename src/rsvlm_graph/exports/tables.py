"""The knowledge graph as GraphML (Gephi, Cytoscape, yEd) and as node and edge CSV tables.

Both formats hold only plain values: tuples are joined with "; ", ``None`` and empty tuples are
left out (GraphML) or empty (CSV), embeddings are dropped. Rows are sorted by node id and by
(source, target, relation), so rerunning gives byte-identical files.

GraphML opens as a picture in Gephi: given the build's pictures
(:func:`.html_drawing.node_pictures`), every node carries the keys Gephi's GraphML importer reads by
name — ``label``, ``size``, ``r``/``g``/``b`` (0–255) and, for the nodes of the page's view, ``x``
and ``y`` — so Gephi shows the page's colours, sizes and clustered layout (y mirrored, as Gephi's
axis points up). The same colour is also a ``color`` key in ``#rrggbb``, the form Cytoscape's
passthrough mappings and yEd read; Cytoscape imports all of them as node table columns and
applies them through a style (Fill Color ← ``color``, Size ← ``size``), not by itself.

GraphML is written as a stream rather than through ``networkx.write_graphml``: the graph can hold
a million citations, and building an ElementTree of them first costs seconds and gigabytes.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from ..errors import ExportError
from ..files import atomic_text
from ..output import csv_text
from . import collector_paused

__all__ = ["write_graphml", "write_csv", "TableRows", "NODE_COLUMNS", "EDGE_COLUMNS"]

# Attributes that are never exported: 768 floats per paper make tables unreadable and Gephi slow.
_DROPPED = frozenset({"embedding"})

NODE_COLUMNS = (
    # the graph contract's attributes, id first; attributes outside the contract follow, sorted
    "id", "kind", "label", "title", "title_from_list", "alias", "name", "s2_title", "year",
    "venue", "url", "arxiv_id", "doi", "ieee_id", "pii", "s2_id", "s2_author_id", "in_list",
    "tasks", "section", "line", "lines",
    "code_urls", "home_urls", "download_urls", "authors", "publication_date", "citation_count",
    "influential_citation_count", "reference_count", "fields_of_study", "arxiv_categories",
    "arxiv_primary_category", "open_access_pdf", "abstract", "tldr", "resolution_method",
    "resolution_score", "source", "fetched_at", "path",
)
EDGE_COLUMNS = ("source", "target", "relation", "position", "is_influential")

_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
# XML 1.0 cannot carry these characters at all, not even as references
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


Plain = bool | int | float | str


def _plain(where: str, attr: str, value: Any) -> Plain | None:
    """The value as one of bool, int, float, str, or None when there is nothing to export."""
    kind = value.__class__
    if kind is str or kind is int or kind is bool or value is None:
        return value  # type: ignore[no-any-return]  # the class checks above narrow it
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is tuple or kind is list:
        return "; ".join(str(item) for item in value) or None
    raise ExportError(
        f"{where}: attribute {attr!r} holds a {kind.__name__}, which tables cannot carry; "
        "the graph contract allows str, int, float, bool and tuples"
    )


def _attributes(where: str, data: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, Plain]:
    """The exported attributes of one node or edge, in the graph's order."""
    skipped = _DROPPED.union(skip)
    attrs: dict[str, Plain] = {}
    for attr, value in data.items():
        kind = value.__class__
        if kind is str or kind is int or kind is bool:  # most values: nothing to convert
            attrs[attr] = value
        elif value is not None and attr not in skipped:  # an embedding is not even looked at
            plain = _plain(where, attr, value)
            if plain is not None:
                attrs[attr] = plain
    for attr in skipped.intersection(attrs):
        del attrs[attr]
    return attrs


def _node_rows(G: nx.MultiDiGraph) -> list[tuple[str, dict[str, Plain]]]:
    """Each node's exported attributes, nodes sorted by id: checked and converted once."""
    data = G._node  # networkx's own dict: its node view costs as much again
    return [(node, _attributes(f"node {node!r}", data[node])) for node in sorted(data)]


class _Edges:
    """The edges sorted by (source, target, relation), each as (source, target, index into
    :attr:`distinct`), read from networkx's own adjacency dicts (its edge view costs as much as
    a writer).

    A million citations carry a handful of distinct data (``is_influential`` true or false), so
    each is checked, converted and later formatted once, not once per edge: :attr:`distinct`
    holds each distinct data's exported attributes, ``relation`` first. Data holding an
    unhashable value (a list) gets an entry of its own on each edge.
    """

    def __init__(self, G: nx.MultiDiGraph, order: Sequence[str]) -> None:
        """`order`: the node ids, sorted."""
        place = {node: i for i, node in enumerate(order)}
        by_place = place.__getitem__  # sorting targets by place sorts ints, not strings
        succ = G._succ
        index: dict[Any, int] = {}
        self.distinct: list[dict[str, Plain]] = []
        self.rows: list[tuple[str, str, int]] = []
        append = self.rows.append
        for u in order:
            targets = succ[u]
            for v in sorted(targets, key=by_place) if len(targets) > 1 else targets:
                keys = targets[v]
                # keys are unique per node pair, so sorting (key, data) never compares the data
                for relation, data in sorted(keys.items()) if len(keys) > 1 else keys.items():
                    signature = (relation, *data.items()) if data else relation
                    try:
                        at = index.get(signature)
                    except TypeError:  # an unhashable value
                        at, signature = None, None
                    if at is None:
                        at = len(self.distinct)
                        self.distinct.append({"relation": relation, **_attributes(
                            f"edge {u!r} → {v!r}", data, skip=("relation",))})
                        if signature is not None:
                            index[signature] = at
                    append((u, v, at))


class TableRows:
    """The graph's nodes and edges as GraphML and CSV export them, checked and converted once
    for both writers (a build writes both from the same graph).

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task:a", kind="task", label="A", embedding=(0.5,))
    >>> G.add_node("task:b", kind="task", label="B")
    >>> G.add_edge("task:a", "task:b", key="has_task")
    'has_task'
    >>> rows = TableRows(G)
    >>> rows.nodes[0], rows.edges.rows, rows.edges.distinct
    (('task:a', {'kind': 'task', 'label': 'A'}), [('task:a', 'task:b', 0)], [{'relation': 'has_task'}])
    """

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.nodes = _node_rows(G)
        self.edges = _Edges(G, [node for node, _ in self.nodes])


def _key_types(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """One GraphML type per attribute: int and float widen to double, any other mix to string."""
    seen: dict[str, set[type]] = {}
    for row in rows:
        for attr, value in row.items():
            classes = seen.get(attr)
            if classes is None:
                classes = seen[attr] = set()
            classes.add(value.__class__)
    types = {}
    for attr, classes in sorted(seen.items()):
        kinds = {_GRAPHML_TYPES[value_class] for value_class in classes}
        if len(kinds) == 1:
            types[attr] = kinds.pop()
        else:
            types[attr] = "double" if kinds == {"long", "double"} else "string"
    return types


# what XML text must escape or drop: if a text holds none of it (most do), it is written as is
_XML_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: Plain, double: bool) -> str:
    """The text of a ``<data>`` element. Only an int under a key of type double is written
    differently from its own type; under a string key (mixed types) every value reads as its
    own type would write it."""
    kind = value.__class__
    if kind is str:
        text: str = value  # type: ignore[assignment]  # the class check narrows it
        if _XML_SPECIAL.search(text) is None:
            return text
        if "&" in text or "<" in text or ">" in text or "\r" in text:
            text = escape(text, {"\r": "&#13;"})
        return _XML_INVALID.sub("", text)
    if kind is bool:
        return "true" if value else "false"
    return repr(float(value)) if double or kind is float else str(value)


@collector_paused()
def write_graphml(
    G: nx.MultiDiGraph,
    path: Path,
    *,
    pictures: Mapping[str, Mapping[str, int | float | str]] | None = None,
    rows: TableRows | None = None,
) -> None:
    """Write the graph as GraphML with typed attribute keys, nodes and edges sorted.

    Every attribute becomes a ``<key>`` of type boolean, long, double or string, so Gephi and
    Cytoscape can filter and size by it; the edge relation is the ``relation`` attribute.
    ``pictures`` (node → drawing attributes, see the module docstring) are added to the nodes'
    attributes, winning over a graph attribute of the same name.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph following ``docs/ARCHITECTURE.md``.
    path : Path
        The file to write.
    pictures : mapping of node → mapping, optional
        Drawing attributes per node, from :func:`.html_drawing.node_pictures`.
    rows : TableRows, optional
        ``TableRows(G)``, when the CSV writer is given it too.

    Raises
    ------
    ExportError
        If an attribute holds a value tables cannot carry, or the file cannot be written.

    Examples
    --------
    >>> import tempfile, networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arxiv:2305.05726", kind="paper", label="VLMs", year=2023, tasks=("A", "B"))
    >>> G.add_node("paper:arxiv:2304.13009", kind="paper", label="ChatGPT", year=None)
    >>> G.add_edge("paper:arxiv:2305.05726", "paper:arxiv:2304.13009", key="cites", is_influential=True)
    'cites'
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_graphml(G, Path(folder) / "g.graphml")
    ...     H = nx.read_graphml(Path(folder) / "g.graphml", force_multigraph=True)
    >>> H.nodes["paper:arxiv:2305.05726"]["tasks"], H.nodes["paper:arxiv:2305.05726"]["year"]
    ('A; B', 2023)
    """
    rows = rows or TableRows(G)
    edges, nodes = rows.edges, rows.nodes
    if pictures:  # merged into copies: the rows stay the graph's own for the CSV writer
        nodes = [(node, {**attrs, **pictures[node]} if node in pictures else attrs) for node, attrs in nodes]
    node_types, edge_types = _key_types(attrs for _, attrs in nodes), _key_types(edges.distinct)
    try:
        with atomic_text(path) as out:
            out.write(
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
            )
            for scope, types in (("node", node_types), ("edge", edge_types)):
                for attr, kind in types.items():
                    out.write(f'<key id={quoteattr(f"{scope}.{attr}")} for="{scope}" '
                              f'attr.name={quoteattr(attr)} attr.type="{kind}"/>\n')
            out.write('<graph id="G" edgedefault="directed">\n')
            # each attribute's opening tag and whether it widens ints, once per attribute
            opening = {attr: (f'<data key="node.{attr}">', kind == "double") for attr, kind in node_types.items()}
            quoted = {}
            parts: list[str] = []
            for node, attrs in nodes:
                quoted[node] = ids = quoteattr(_XML_INVALID.sub("", node))
                parts.append(f"<node id={ids}>")
                for attr, value in attrs.items():
                    tag, double = opening[attr]
                    parts += (tag, _xml_text(value, double), "</data>")
                parts.append("</node>\n")
                if len(parts) >= 1 << 16:  # one large write is far cheaper than many small ones
                    out.write("".join(parts))
                    parts.clear()
            texts = ["".join(f'<data key="edge.{a}">{_xml_text(x, edge_types[a] == "double")}</data>'
                             for a, x in attrs.items()) for attrs in edges.distinct]
            for i, (u, v, at) in enumerate(edges.rows):
                parts.append(f'<edge id="e{i}" source={quoted[u]} target={quoted[v]}>{texts[at]}</edge>\n')
                if len(parts) >= 1 << 14:
                    out.write("".join(parts))
                    parts.clear()
            out.write("".join(parts))
            out.write("</graph>\n</graphml>\n")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write GraphML ({exc}); check the folder exists and is writable") from exc


def _cell(value: Plain | None) -> str:
    kind = value.__class__
    if kind is str:
        return csv_text(value)  # type: ignore[arg-type]  # the class check narrows it
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    return repr(value) if kind is float else str(value)


def _write_rows(path: Path, columns: list[str], rows: Iterable[Sequence[str]]) -> None:
    """Write a CSV table: rows are formatted by the csv module into a string buffer and reach
    the file in large writes, not one small write per row."""
    try:
        with atomic_text(path, newline="") as out:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            for chunk in _chunks(rows, 1 << 14):
                writer.writerows(chunk)
                out.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
            out.write(buffer.getvalue())
    except OSError as exc:
        raise ExportError(f"{path}: cannot write CSV ({exc}); check the folder exists and is writable") from exc


def _write_lines(path: Path, columns: list[str], lines: Iterable[str]) -> None:
    """Write a CSV table whose rows are already lines of CSV (see :func:`_csv_field`)."""
    try:
        with atomic_text(path, newline="") as out:
            out.write(",".join(map(_csv_field, columns)) + "\n")
            for chunk in _chunks(lines, 1 << 14):
                out.write("".join(chunk))  # type: ignore[arg-type]  # chunks of lines here
    except OSError as exc:
        raise ExportError(f"{path}: cannot write CSV ({exc}); check the folder exists and is writable") from exc


_CSV_SPECIAL = re.compile('[,"\r\n]').search


def _csv_field(text: str) -> str:
    """`text` as the csv module writes it in a row: as it is, or, if it holds a comma, quote
    or line end, as the module quotes it (asked, so the rule is the module's own)."""
    if _CSV_SPECIAL(text) is None:
        return text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow((text, ""))
    return buffer.getvalue()[:-2]  # without the empty field's "," and the line end


def _chunks(rows: Iterable[Sequence[str]], size: int) -> Iterator[list[Sequence[str]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


@collector_paused()
def write_csv(G: nx.MultiDiGraph, nodes_path: Path, edges_path: Path, *, rows: TableRows | None = None) -> None:
    """Write a node table and an edge table, fixed column order, rows sorted.

    Node columns are :data:`NODE_COLUMNS` (attributes outside the contract follow, sorted by
    name); edge columns are :data:`EDGE_COLUMNS` likewise. Tuples are joined with "; ",
    booleans written ``true``/``false``, missing values left empty.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph following ``docs/ARCHITECTURE.md``.
    nodes_path, edges_path : Path
        The files to write.
    rows : TableRows, optional
        ``TableRows(G)``, when the GraphML writer is given it too.

    Raises
    ------
    ExportError
        If an attribute holds a value tables cannot carry, or a file cannot be written.
    """
    rows = rows or TableRows(G)
    nodes, edges = rows.nodes, rows.edges
    columns = _columns(NODE_COLUMNS, (attrs for _, attrs in nodes))
    place = {column: i for i, column in enumerate(columns)}
    blank = [""] * len(columns)

    def node_row(node: str, attrs: Mapping[str, Plain]) -> list[str]:
        row = blank.copy()
        for attr, value in attrs.items():
            row[place[attr]] = _cell(value)
        row[0] = node  # the id column is the node id, whatever an "id" attribute says
        return row

    _write_rows(nodes_path, columns, (node_row(node, attrs) for node, attrs in nodes))
    edge_columns = _columns(EDGE_COLUMNS, edges.distinct)
    # an edge's line joins text made once: its ends' fields, and its data's cells after them
    fields = {node: _csv_field(node) for node, _ in nodes}
    tails = [",".join(_csv_field(_cell(attrs.get(column))) for column in edge_columns[2:]) for attrs in edges.distinct]
    _write_lines(edges_path, edge_columns, (f"{fields[u]},{fields[v]},{tails[at]}\n" for u, v, at in edges.rows))


def _columns(fixed: tuple[str, ...], rows: Iterable[Mapping[str, Any]]) -> list[str]:
    extra = {attr for row in rows for attr in row}.difference(fixed)
    return [*fixed, *sorted(extra)]
