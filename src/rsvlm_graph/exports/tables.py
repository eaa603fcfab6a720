"""The knowledge graph as GraphML (Gephi, Cytoscape, yEd) and as node and edge CSV tables.

Both formats hold only plain values: tuples are joined with "; ", ``None`` and empty tuples are
left out (GraphML) or empty (CSV), embeddings are dropped. Rows are sorted by node id and by
(source, target, relation), so rerunning gives byte-identical files.

GraphML opens as a picture in Gephi: given the build's pictures
(:func:`.html.node_pictures`), every node carries the keys Gephi's GraphML importer reads by
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
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

from ..errors import ExportError
from ..files import atomic_text

__all__ = ["write_graphml", "write_csv", "NODE_COLUMNS", "EDGE_COLUMNS"]

# Attributes that are never exported: 768 floats per paper make tables unreadable and Gephi slow.
_DROPPED = frozenset({"embedding"})

NODE_COLUMNS = (
    # the graph contract's attributes, id first; attributes outside the contract follow, sorted
    "id", "kind", "label", "title", "name", "s2_title", "year", "venue", "url", "arxiv_id", "doi",
    "ieee_id", "pii", "s2_id", "s2_author_id", "in_list", "tasks", "section", "line", "lines",
    "code_urls", "home_urls", "download_urls", "authors", "publication_date", "citation_count",
    "influential_citation_count", "reference_count", "fields_of_study", "arxiv_categories",
    "arxiv_primary_category", "open_access_pdf", "abstract", "tldr", "resolution_method",
    "resolution_score", "source", "fetched_at", "path",
)
EDGE_COLUMNS = ("source", "target", "relation", "position", "is_influential")

_GRAPHML_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
# XML 1.0 cannot carry these characters at all, not even as references
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _plain(where: str, attr: str, value: Any) -> bool | int | float | str | None:
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


def _attributes(where: str, data: Mapping[str, Any], skip: Iterable[str] = ()) -> dict[str, bool | int | float | str]:
    skipped = _DROPPED.union(skip)
    values = {attr: _plain(where, attr, value) for attr, value in data.items() if attr not in skipped}
    return {attr: value for attr, value in values.items() if value is not None}


def _key_types(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """One GraphML type per attribute: int and float widen to double, any other mix to string."""
    seen: dict[str, set[str]] = {}
    for row in rows:
        for attr, value in row.items():
            seen.setdefault(attr, set()).add(_GRAPHML_TYPES[type(value)])
    types = {}
    for attr, kinds in sorted(seen.items()):
        if len(kinds) == 1:
            types[attr] = kinds.pop()
        else:
            types[attr] = "double" if kinds == {"long", "double"} else "string"
    return types


def _xml_text(value: bool | int | float | str, kind: str) -> str:
    if kind == "string":
        text = _cell(value)  # an attribute of mixed types: booleans as true/false, not Python's True
        if "&" in text or "<" in text or ">" in text or "\r" in text:
            text = escape(text, {"\r": "&#13;"})
        return _XML_INVALID.sub("", text)
    if kind == "boolean":
        return "true" if value else "false"
    return repr(float(value)) if kind == "double" else str(value)


def _sorted_edges(G: nx.MultiDiGraph) -> list[tuple[str, str, str, Mapping[str, Any]]]:
    """Edges sorted by (source, target, relation), read from networkx's own adjacency dicts:
    its edge view costs as much as the rest of the CSV writer. Keys are unique per node pair,
    so sorting ``(key, data)`` pairs never compares the data."""
    succ = G._succ
    return [(u, v, key, data) for u in sorted(succ) for v in sorted(succ[u])
            for key, data in sorted(succ[u][v].items())]


class _EdgeAttributes(dict[tuple[Any, ...], dict[str, bool | int | float | str]]):
    """The exported attributes of each distinct edge data, by (relation, data items).

    A million citations carry a handful of distinct data (``is_influential`` true or false), so
    each is checked and formatted once, not once per edge. Data holding an unhashable value
    (a list) is not kept: it is checked on each use.
    """

    def of(self, u: str, v: str, relation: str, data: Mapping[str, Any]) -> tuple[tuple[Any, ...] | None, dict[str, bool | int | float | str]]:
        try:
            signature: tuple[Any, ...] | None = (relation, *data.items())
            attrs = self.get(signature)  # type: ignore[arg-type]
        except TypeError:
            signature, attrs = None, None
        if attrs is None:
            attrs = {"relation": relation, **_attributes(f"edge {u!r} → {v!r}", data, skip=("relation",))}
            if signature is not None:
                self[signature] = attrs
        return signature, attrs


def write_graphml(
    G: nx.MultiDiGraph,
    path: Path,
    *,
    pictures: Mapping[str, Mapping[str, int | float | str]] | None = None,
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
        Drawing attributes per node, from :func:`.html.node_pictures`.

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
    drawn = pictures or {}
    nodes = [(node, {**_attributes(f"node {node!r}", data), **drawn.get(node, {})})
             for node, data in sorted(G.nodes(data=True))]
    distinct = _EdgeAttributes()
    edges = [(u, v, *distinct.of(u, v, relation, data)) for u, v, relation, data in _sorted_edges(G)]
    node_types = _key_types(attrs for _, attrs in nodes)
    edge_types = _key_types([*distinct.values(), *(attrs for _, _, signature, attrs in edges if signature is None)])
    texts: dict[tuple[Any, ...] | None, str] = {}  # the <data> elements of each distinct edge data
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
            quoted = {node: quoteattr(_XML_INVALID.sub("", node)) for node, _ in nodes}
            for node, attrs in nodes:
                out.write(f"<node id={quoted[node]}>")
                out.writelines(f'<data key="node.{a}">{_xml_text(v, node_types[a])}</data>' for a, v in attrs.items())
                out.write("</node>\n")
            parts: list[str] = []
            for i, (u, v, signature, attrs) in enumerate(edges):
                text = texts.get(signature) if signature is not None else None
                if text is None:
                    text = "".join(f'<data key="edge.{a}">{_xml_text(x, edge_types[a])}</data>' for a, x in attrs.items())
                    if signature is not None:
                        texts[signature] = text
                parts.append(f'<edge id="e{i}" source={quoted[u]} target={quoted[v]}>{text}</edge>\n')
                if len(parts) >= 1 << 14:  # one large write is far cheaper than many small ones
                    out.write("".join(parts))
                    parts.clear()
            out.write("".join(parts))
            out.write("</graph>\n</graphml>\n")
    except OSError as exc:
        raise ExportError(f"{path}: cannot write GraphML ({exc}); check the folder exists and is writable") from exc


def _cell(value: bool | int | float | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _write_table(path: Path, columns: list[str], rows: Iterable[Mapping[str, Any]]) -> None:
    _write_rows(path, columns, ([_cell(row.get(column)) for column in columns] for row in rows))


def _write_rows(path: Path, columns: list[str], rows: Iterable[list[str]]) -> None:
    try:
        with atomic_text(path, newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
    except OSError as exc:
        raise ExportError(f"{path}: cannot write CSV ({exc}); check the folder exists and is writable") from exc


def write_csv(G: nx.MultiDiGraph, nodes_path: Path, edges_path: Path) -> None:
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

    Raises
    ------
    ExportError
        If an attribute holds a value tables cannot carry, or a file cannot be written.
    """
    nodes = [{**_attributes(f"node {node!r}", data), "id": node} for node, data in sorted(G.nodes(data=True))]
    distinct = _EdgeAttributes()
    edges = [(u, v, *distinct.of(u, v, relation, data)) for u, v, relation, data in _sorted_edges(G)]
    _write_table(nodes_path, _columns(NODE_COLUMNS, nodes), nodes)
    # per distinct edge data, its cells after source, target and relation, formatted once
    columns = _columns(EDGE_COLUMNS, [*distinct.values(), *(attrs for _, _, signature, attrs in edges if signature is None)])
    tails: dict[tuple[Any, ...] | None, list[str]] = {}

    def row(u: str, v: str, signature: tuple[Any, ...] | None, attrs: Mapping[str, Any]) -> list[str]:
        tail = tails.get(signature) if signature is not None else None
        if tail is None:
            tail = [_cell(attrs.get(column)) for column in columns[3:]]
            if signature is not None:
                tails[signature] = tail
        return [u, v, attrs["relation"], *tail]

    _write_rows(edges_path, columns, (row(*edge) for edge in edges))


def _columns(fixed: tuple[str, ...], rows: list[dict[str, Any]]) -> list[str]:
    extra = {attr for row in rows for attr in row}.difference(fixed)
    return [*fixed, *sorted(extra)]
