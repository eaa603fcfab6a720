"""SHACL: the statements of :mod:`.rdf` checked against the packaged shapes (``shapes.ttl``).

A default build checks the list level (:func:`list_level`), ``--validate`` every triple; a value one
record gives that no shape allows is left out with a warning (:func:`conforming`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import rdflib
from rdflib.namespace import FOAF, RDF, SDO, SH, SKOS

from ..errors import ExportError
from . import collector_paused
from .rdf import TYPE, Object, Statements, statements_to_rdf

__all__ = ["validate", "list_level", "conforming"]

logger = logging.getLogger(__name__)


_LIST_LEVEL_TYPES = frozenset({str(SDO.Collection), str(SKOS.Concept), str(SKOS.ConceptScheme)})
_HAS_PART = str(SDO.hasPart)
_LINKED_FACTS = frozenset({TYPE, str(FOAF.name)})


def list_level(statements: Statements) -> Statements:
    """The statements about what the list itself holds, and about everything those link to,
    as far as the SHACL shapes read them.

    The list level is the list (``schema:Collection``), its parts (list papers and datasets) with
    their API records, and the tasks; of the nodes they link to (cited papers, authors, venues)
    come the facts the shapes check of a link's target: its class, and an author's name. Validating these is what a default ``build`` affords: the outside papers
    that cite the list are most of a large graph, and SHACL costs about 40 µs and 1.2 KB a
    triple. For the same reason only what a shape reads is kept (:func:`_shape_reads`): the
    properties shapes check, ``rdf:type`` to the classes they name, and of a link the shapes
    check only at its target (``cito:cites``: the cited node's class) one link per target,
    however many list papers cite it.

    Examples
    --------
    >>> import networkx as nx
    >>> from rsvlm_graph.exports.rdf import to_statements
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("list:l", kind="list", label="L", title="L")
    >>> G.add_node("paper:arxiv:1", kind="paper", label="A", title="A")
    >>> G.add_node("paper:arxiv:2", kind="outside_paper", label="B", title="B")
    >>> G.add_node("paper:arxiv:3", kind="outside_paper", label="C", title="C")
    >>> G.add_edge("list:l", "paper:arxiv:1", key="has_part")
    'has_part'
    >>> G.add_edge("paper:arxiv:1", "paper:arxiv:2", key="cites")  # cited by the list: kept
    'cites'
    >>> G.add_edge("paper:arxiv:3", "paper:arxiv:1", key="cites")  # a citer: left out
    'cites'
    >>> [subject.rsplit("/", 2)[-2:] for subject, _ in list_level(to_statements(G))]
    [['list', 'l'], ['arxiv', '1'], ['arxiv', '2']]
    """
    level = {subject for subject, po in statements if any(p == TYPE and o in _LIST_LEVEL_TYPES for p, o in po)}
    level.update(o for subject, po in statements if subject in level for p, o in po if p == _HAS_PART and isinstance(o, str))
    level.update([f"{subject}#record" for subject in level])
    linked = {o for subject, po in statements if subject in level for _, o in po if isinstance(o, str)}
    reads = _shape_reads()
    targets: set[tuple[str, Object]] = set()

    def read(p: str, o: Object) -> bool:
        if reads is None or p in reads.properties:
            return True
        if p == TYPE:
            return o in reads.classes
        if p in reads.link_targets:  # the first link to each target stands for all of them
            first = (p, o) not in targets
            targets.add((p, o))
            return first
        return False

    # of a linked node, the shapes ask its class and, of an author, a name: a cited paper's own
    # facts, authors and citations are not the list's, and would pull in most of the graph
    return [
        (subject, [(p, o) for p, o in po if (subject in level or p in _LINKED_FACTS) and read(p, o)])
        for subject, po in statements if subject in level or subject in linked
    ]


@dataclass(frozen=True, slots=True)
class _ShapeReads:
    properties: frozenset[str]  # read at the subject: property paths and targetSubjectsOf
    link_targets: frozenset[str]  # only their objects are checked (sh:targetObjectsOf)
    classes: frozenset[str]  # sh:targetClass and sh:class: the types a shape can tell apart


@cache
def _shape_reads() -> _ShapeReads | None:
    """What the packaged shapes read of a graph; ``None`` if a shape has a path that is not
    one property (then every statement is kept). The data holds no ``rdfs:subClassOf``, so a
    type that names no shape's class cannot change a result."""
    shapes = _shapes()
    properties = {*shapes.objects(None, SH.path), *shapes.objects(None, SH.targetSubjectsOf)}
    if not all(isinstance(p, rdflib.URIRef) for p in properties):
        return None
    return _ShapeReads(
        properties=frozenset(map(str, properties)),
        link_targets=frozenset(str(p) for p in shapes.objects(None, SH.targetObjectsOf)
                               if p not in properties),
        classes=frozenset(str(c) for c in (*shapes.objects(None, SH.targetClass),
                                           *shapes.objects(None, SH["class"]))),
    )


@cache
def _shapes() -> rdflib.Graph:
    text = resources.files("rsvlm_graph.exports").joinpath("shapes.ttl").read_text(encoding="utf-8")
    return rdflib.Graph().parse(data=text, format="turtle")


def validate(g: rdflib.Graph) -> None:
    """Check `g` against the packaged SHACL shapes; raise listing every violation.

    Runs pyshacl without inference: ``cito:describes`` and ``cito:usesDataFrom`` are
    sub-properties of ``cito:cites``, and RDFS inference would make every introduced or used
    dataset look like a cited paper that is not a ``schema:ScholarlyArticle``.

    Parameters
    ----------
    g : rdflib.Graph
        Usually ``to_rdf(G)``.

    Raises
    ------
    ExportError
        If a shape is violated; the message lists focus node, path and message of each.

    Examples
    --------
    >>> import networkx as nx
    >>> from rsvlm_graph.exports.rdf import to_rdf
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arxiv:2305.05726", kind="paper", label="VLMs", title="VLMs", year=2023)
    >>> validate(to_rdf(G))
    """
    violations = _violations(g)
    if not violations:
        return
    lines = sorted(f"{focus} | path {path} | {message}" for focus, path, message in violations)
    raise ExportError(
        f"SHACL validation failed with {len(lines)} violation(s) (focus node | path | message):\n  "
        + "\n  ".join(lines)
        + "\nfix the graph or its sources; the shapes are in rsvlm_graph/exports/shapes.ttl"
    )


def _violations(g: rdflib.Graph) -> list[tuple[str, str | None, str]]:
    """(focus node, property path or None, message) of each SHACL violation in `g`."""
    from pyshacl import validate as shacl_validate  # slow import, needed only here

    conforms, report, _ = shacl_validate(g, shacl_graph=_shapes(), inference="none")
    if conforms:
        return []
    found = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        path = report.value(result, SH.resultPath)
        found.append((str(report.value(result, SH.focusNode)),
                      str(path) if isinstance(path, rdflib.URIRef) else None,
                      str(report.value(result, SH.resultMessage))))
    return found


@collector_paused()  # rdflib and pyshacl make a few million small objects, none of them garbage
def conforming(statements: Statements, *, everything: bool = True,
               where: Mapping[str, str] | None = None) -> Statements:
    """Return `statements` without the values the SHACL shapes reject, each one a warning.

    One record with a value no shape allows (a DOI with a space, a versioned arXiv id from an
    API) must not stop the export of every other: the property of that node that violates a
    shape is left out, and the warning names the node and the value, after the list's
    ``path:line`` when `where` gives one for the node's IRI (a value the list wrote). Unless
    `everything`, only the :func:`list_level` statements are checked (a default ``build``); the
    rest pass as they are.

    Raises
    ------
    ExportError
        If the graph still violates a shape once those values are out (a violation of the
        graph's structure, not of one record's value).
    """
    checked: Callable[[Statements], Statements] = (lambda s: s) if everything else list_level
    violations = [(focus, path, message) for focus, path, message in _violations(
        statements_to_rdf(checked(statements))) if path is not None]
    if not violations:
        return statements
    rejected = {(focus, path) for focus, path, _ in violations}
    values: dict[tuple[str, str], list[Object]] = {}
    for subject, po in statements:
        for predicate, obj in po:
            if (subject, predicate) in rejected:
                values.setdefault((subject, predicate), []).append(obj)
    for focus, path, message in sorted(violations):
        shown = ", ".join(repr(o[0] if isinstance(o, tuple) else o) for o in values.get((focus, path), []))
        row = f"{where[focus]}: " if where and focus in where else ""
        logger.warning("%s%s: %s %s violates the shapes (%s); left out of the RDF",
                       row, focus, path, shown, message)
    kept = [(subject, [(p, o) for p, o in po if (subject, p) not in rejected])
            for subject, po in statements]
    validate(statements_to_rdf(checked(kept)))
    return kept
