"""Turtle: the statements of :mod:`.rdf` written with prefixes, byte for byte as pyoxigraph writes them.

The Turtle is formatted here, as pyoxigraph writes the same triples (its prefix lines, its escapes
and prefixed names; every IRI and language tag checked by it): handing it the triples meant
building a pyoxigraph term for each, which cost several times its writing (rdflib's writer needs
37 s for 400k triples).
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD

from ..errors import ExportError
from ..files import atomic_text
from .rdf import TYPE, XSD_DOUBLE, XSD_INTEGER, XSD_STRING, Literal, Statements, writable

__all__ = ["write_turtle"]


# Turtle, as pyoxigraph writes it: a literal escapes these; an integer, decimal, double or boolean
# whose lexical form Turtle's grammar reads as a number or boolean is written bare
_TURTLE_ESCAPE = re.compile('[\x00-\x1f"\\\\\x7f]')
_TURTLE_ESCAPES = {
    **{i: f"\\u{i:04X}" for i in (*range(0x20), 0x7F)},
    0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\",
}
_EXPONENT = "[eE][+-]?[0-9]+"
_TURTLE_BARE = {
    XSD_INTEGER: re.compile("[+-]?[0-9]+").fullmatch,
    str(XSD.decimal): re.compile(r"[+-]?[0-9]*\.[0-9]+").fullmatch,
    XSD_DOUBLE: re.compile(rf"[+-]?(?:[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT})").fullmatch,
    str(XSD.boolean): re.compile("true|false").fullmatch,
}
# a local part of a prefixed name (Turtle's PN_LOCAL), as pyoxigraph writes one: name characters
# as they are, a "." inside too, the characters of _LOCAL_ESCAPED elsewhere after a backslash;
# except a final "." (a code link "…/metacaptioning."): rdflib 7 cannot read the "\." that would
# end the name (BadSyntax), so such an IRI is written in full. pyoxigraph and rapper read every
# other escape, and rdflib too (tests/test_rdf_readers.py tries each in each place)
_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
                  "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_FIRST_NAME_CHAR = re.compile(f"[{_PN_CHARS_BASE}_:0-9]").fullmatch
_NAME_CHAR = re.compile(f"[{_PN_CHARS_BASE}_:0-9\u00b7\u0300-\u036f\u203f\u2040-]").fullmatch
_PLAIN_LOCAL_NAME = re.compile("[A-Za-z0-9_][A-Za-z0-9_-]*").fullmatch  # most: nothing to escape
_LOCAL_ESCAPED = frozenset("_~.-!$&'()*+,;=/?#@%")


def _local_name(local: str) -> str | None:
    """`local` as the local part of a prefixed name, escaped, or None if it cannot be one or
    would end with an escaped "." that rdflib cannot read."""
    if _PLAIN_LOCAL_NAME(local):
        return local
    if local.endswith("."):
        return None
    escaped = []
    for i, c in enumerate(local):
        if (_NAME_CHAR if i else _FIRST_NAME_CHAR)(c) or (c == "." and 0 < i < len(local) - 1):
            escaped.append(c)
        elif c in _LOCAL_ESCAPED:
            escaped.append(f"\\{c}")
        else:
            return None
    return "".join(escaped)


class _TurtleTerms(dict[str, str]):
    """IRI → its Turtle text (a prefixed name or ``<IRI>``), each checked by pyoxigraph and
    formatted once: the same few hundred thousand IRIs recur across millions of triples."""

    def __init__(self, bound: Mapping[str, str]) -> None:
        super().__init__()
        self.prefix = {namespace: prefix for prefix, namespace in bound.items()}
        # one regular expression finds an IRI's namespace, the longest first
        self.namespace = re.compile("|".join(map(re.escape, sorted(self.prefix, key=len, reverse=True)))).match

    def __missing__(self, iri: str) -> str:
        if iri.startswith("_:"):
            text = str(ox.BlankNode(iri[2:]))
        else:
            ox.NamedNode(iri)  # checks it is an IRI: raises ValueError naming what is wrong
            found = self.namespace(iri) if self.prefix else None
            local = None if found is None else _local_name(iri[found.end():])
            text = f"<{iri}>" if local is None else f"{self.prefix[found.group()]}:{local}"  # type: ignore[union-attr]
        self[iri] = text
        return text


@cache
def _language(tag: str) -> str:
    return ox.Literal("", language=tag).language or ""  # checked and lower-cased as pyoxigraph does


def _turtle_literal(value: Literal, terms: _TurtleTerms) -> str:
    text, datatype, language = value
    quoted = f'"{text}"' if _TURTLE_ESCAPE.search(text) is None else f'"{text.translate(_TURTLE_ESCAPES)}"'
    if language:
        return f"{quoted}@{_language(language)}"
    if datatype is None or datatype == XSD_STRING:
        return quoted
    bare = _TURTLE_BARE.get(datatype)
    if bare is not None and bare(text):
        return text
    return f"{quoted}^^{terms[datatype]}"


def _turtle_header(bound: Mapping[str, str]) -> str:
    """The ``@prefix`` lines as pyoxigraph writes them (its order), for a file that reads as before."""
    probe = ox.NamedNode("urn:x")
    text = (ox.serialize([ox.Triple(probe, probe, probe)], format=ox.RdfFormat.TURTLE, prefixes=dict(bound)) or b"").decode()
    return text[:text.rindex("<urn:x> <urn:x> <urn:x> .")]


def _turtle(statements: Statements, bound: Mapping[str, str]) -> Iterator[str]:
    """The Turtle text of `statements` in chunks, byte for byte what pyoxigraph writes for the
    same triples in the same order: one subject a block, one predicate a line, the objects of
    a predicate joined with " , ". Each IRI is formatted once; each triple costs a few list
    appends, a tenth of building the pyoxigraph terms it would need."""
    terms = _TurtleTerms(bound)
    first: dict[str, str] = {}  # predicate → its text after the subject, and after another predicate
    then: dict[str, str] = {}
    escape_needed, escapes = _TURTLE_ESCAPE.search, _TURTLE_ESCAPES
    parts: list[str] = [_turtle_header(bound)]
    append = parts.append
    at: list[int] = []  # the subject's plain literals: their places in parts, their texts
    texts: list[str] = []
    subject: str | None = None
    for s, po in statements:
        if not po:
            continue
        if s != subject:
            if subject is not None:
                append(" .\n")
            append(terms[s])
            predicate = None
            subject = s
        for p, o in po:
            if p == predicate:
                append(" , ")
            else:
                lead = (then if predicate is not None else first).get(p)
                if lead is None:
                    name = "a" if p == TYPE else terms[p]
                    first[p], then[p] = f" {name} ", f" ;\n\t{name} "
                    lead = then[p] if predicate is not None else first[p]
                append(lead)
                predicate = p
            if o.__class__ is str:
                append(terms[o])
            elif o[1] is None and o[2] is None:  # most literals: plain strings, written as they
                at.append(len(parts))  # are if none of the subject's needs an escape (checked
                texts.append(o[0])  # once for all of them: one search instead of a dozen)
                append(f'"{o[0]}"')
            else:
                append(_turtle_literal(o, terms))  # type: ignore[arg-type]  # a literal here
        if texts:
            if escape_needed("".join(texts)) is not None:
                for i, text in zip(at, texts):
                    parts[i] = f'"{text.translate(escapes)}"'
            at.clear()
            texts.clear()
        if len(parts) >= 1 << 16:
            yield "".join(parts)
            parts.clear()
    if subject is not None:
        append(" .\n")
    yield "".join(parts)


def write_turtle(g: rdflib.Graph | Statements, path: Path, bound: Mapping[str, str] | None = None) -> None:
    """Write RDF to `path` as Turtle with prefixes, byte-identical for the same input.

    Triples in the order given, one predicate a line and the objects of a predicate joined
    with ",", so a change to the graph is a change to a few lines. The text is what pyoxigraph
    writes for the same triples (every IRI and language tag is checked by it), formatted here:
    building a pyoxigraph term for each of millions of triples costs several times its writing.

    Parameters
    ----------
    g : rdflib.Graph or Statements
        The output of :func:`to_statements` (written in its order), or an ``rdflib.Graph``
        (sorted first; its bound prefixes used).
    path : Path
        The file to write; its folder must exist.
    bound : mapping, optional
        Prefix → namespace to use instead of the defaults.

    Raises
    ------
    ExportError
        If the file cannot be written, or a term is not valid RDF.

    See Also
    --------
    write_jsonld
    """
    statements, bound = writable(g, bound)
    try:
        with atomic_text(path) as out:  # a reader never sees half a graph
            for chunk in _turtle(statements, bound):
                out.write(chunk)
    except ValueError as exc:  # not an IRI, or a bad language tag
        raise ExportError(f"RDF term not valid: {exc}; fix the graph or its sources") from exc
    except OSError as exc:
        raise ExportError(f"{path}: cannot write Turtle ({exc}); check the folder exists and is writable") from exc
