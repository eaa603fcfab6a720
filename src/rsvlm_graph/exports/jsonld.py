"""JSON-LD: the statements of :mod:`.rdf` as flattened JSON-LD, one node object a line.

Formatted here with ``json``: pyoxigraph 0.5 writes expanded JSON-LD on a single line, without the
``@context`` that makes IRIs read as ``dcterms:title`` and without a line per node to diff.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import rdflib

from ..errors import ExportError
from ..files import atomic_text
from .rdf import TYPE, Statements, writable

__all__ = ["write_jsonld"]


@contextmanager
def _open(path: Path, what: str) -> Iterator[TextIO]:
    # atomically: a reader (or a killed build) never sees half a graph
    try:
        with atomic_text(path) as out:
            yield out
    except OSError as exc:
        raise ExportError(f"{path}: cannot write {what} ({exc}); check the folder exists and is writable") from exc


def _jsonld_nodes(statements: Statements, compact: Callable[[str], str]) -> Iterator[dict[str, Any]]:
    """Node objects of flattened JSON-LD, one per subject."""
    for subject, po in statements:
        node: dict[str, Any] = {"@id": compact(subject)}
        for p, o in po:
            value: Any
            if p == TYPE and isinstance(o, str):
                key, value = "@type", compact(o)
            elif not isinstance(o, tuple):
                key, value = compact(p), {"@id": compact(o)}
            elif o[2]:
                key, value = compact(p), {"@value": o[0], "@language": o[2]}
            elif o[1]:
                key, value = compact(p), {"@value": o[0], "@type": compact(o[1])}
            else:
                key, value = compact(p), o[0]
            if key not in node:
                node[key] = value
            elif isinstance(node[key], list):
                node[key].append(value)
            else:
                node[key] = [node[key], value]
        yield node


def _jsonld_compactor(bound: Mapping[str, str]) -> Callable[[str], str]:
    ordered = sorted(bound.items(), key=lambda item: len(item[1]), reverse=True)

    @cache
    def compact(iri: str) -> str:
        # "prefix://..." would read as an absolute IRI, so such local parts stay expanded
        for prefix, namespace in ordered:
            if iri.startswith(namespace) and len(iri) > len(namespace) and not iri.startswith("//", len(namespace)):
                return f"{prefix}:{iri[len(namespace):]}"
        return iri

    return compact


def write_jsonld(g: rdflib.Graph | Statements, path: Path, bound: Mapping[str, str] | None = None) -> None:
    """Write RDF to `path` as flattened JSON-LD, one node object a line, byte-identical on reruns.

    The ``@context`` declares the prefixes, so IRIs read as ``dcterms:title``; every literal keeps
    its lexical form and datatype, so parsing the file gives back the same triples. Parameters
    and errors are those of :func:`write_turtle`.
    """
    statements, bound = writable(g, bound)
    compact = _jsonld_compactor(bound)
    dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    with _open(path, "JSON-LD") as out:
        out.write('{\n"@context": ' + dumps(bound) + ',\n"@graph": [')
        separator = "\n"  # one node a line, streamed: the whole document can exceed 200 MB
        for node in _jsonld_nodes(statements, compact):
            out.write(separator + dumps(node))
            separator = ",\n"
        out.write("\n]\n}\n")
