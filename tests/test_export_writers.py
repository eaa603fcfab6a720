"""The hand-written writers give what their references give: Turtle byte for byte what pyoxigraph
writes for the same triples, CSV fields as the csv module quotes them, tables from shared rows
as each writer makes them alone.

All terms and values are SYNTHETIC, drawn at random (fixed seeds) from the characters each
syntax treats specially.
"""

from __future__ import annotations

import csv
import io
import random
import re
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from test_export_rdf import sample_graph, tricky_statements

from rsvlm_graph.errors import ExportError
from rsvlm_graph.exports.rdf import DEFAULT_BASE, Statements, prefixes
from rsvlm_graph.exports.tables import TableRows, _csv_field, write_csv, write_graphml
from rsvlm_graph.exports.turtle import write_turtle

XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# what local names, literals and bare numbers make Turtle writers escape or choose
ALPHABET = [*"aZ09_-.~!$&'()*+,;=/?#@%:\\\"<> \t\n\r\x00\x7f\x08\x0c", "é", "·", "\u0300", "\u203f",
            "\u00d7", "\u037e", "😀", "遥"]
NUMBERS = ["1e3", ".5", "1.", "1.5e-3", "true", "false", "+01", "-.5e1", "NaN", "INF", "1.0", "-7", "1.e2"]
DATATYPES = [None, "integer", "double", "decimal", "boolean", "gYear", "string"]


def random_statements(seed: int, subjects: int = 1500) -> Statements:
    """SYNTHETIC statements: IRIs under the data prefixes with random local parts, literals of
    random text, numbers and datatypes, language tags, blank nodes, repeated predicates."""
    rng = random.Random(seed)

    def text(length: int) -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(length)))

    statements: Statements = []
    for i in range(subjects):
        iri = f"{DEFAULT_BASE}{rng.choice(['task', 'venue', 'code'])}/" + quote(text(10), safe="/:;()!$&'*+,=@~#?%")
        try:
            ox.NamedNode(iri)
        except ValueError:  # a "%" not followed by two hex digits: not an IRI
            continue
        lexical = rng.choice([text(12), str(rng.randrange(-50, 50)), rng.choice(NUMBERS)])
        language = rng.choice([None] * 8 + ["en", "EN-gb", "x-Ab"])
        datatype = rng.choice(DATATYPES)
        po: list = [(f"{DEFAULT_BASE}vocab#p", (lexical, None if language or not datatype else XSD + datatype, language)),
                    (TYPE, iri), (TYPE, f"{DEFAULT_BASE}vocab#C")]
        if rng.random() < 0.3:
            po.append((f"{DEFAULT_BASE}vocab#p", iri))
        statements.append((iri if rng.random() < 0.7 else f"_:b{i}", po))
    return statements


def oxigraph_turtle(statements: Statements) -> bytes:
    def term(value):
        if isinstance(value, tuple):
            text, datatype, language = value
            return ox.Literal(text, datatype=ox.NamedNode(datatype) if datatype else None, language=language)
        return ox.BlankNode(value[2:]) if value.startswith("_:") else ox.NamedNode(value)

    triples = [ox.Triple(term(s), ox.NamedNode(p), term(o)) for s, po in statements for p, o in po]
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes()).decode()
    # the one departure: a prefixed name ending in an escaped "." (rdflib cannot read it) is the
    # full IRI; pyoxigraph's own writing of each such IRI is replaced by it, as a whole term
    for iri in {term for s, po in statements for p, o in po for term in (s, p, o)
                if isinstance(term, str) and term.endswith(".")}:
        name = ox.serialize([ox.Triple(ox.NamedNode(iri), ox.NamedNode(iri), ox.NamedNode(iri))],
                            format=ox.RdfFormat.TURTLE, prefixes=prefixes()).decode().splitlines()[-1].split(" ")[0]
        text = re.sub(f"(?<!\\S){re.escape(name)}(?!\\S)", lambda _, iri=iri: f"<{iri}>", text)
    return text.encode()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_turtle_is_byte_for_byte_what_pyoxigraph_writes(tmp_path, seed):
    statements = random_statements(seed)
    write_turtle(statements, tmp_path / "g.ttl")
    assert (tmp_path / "g.ttl").read_bytes() == oxigraph_turtle(statements)


def test_turtle_of_tricky_terms_and_subjects_split_or_empty_is_pyoxigraphs(tmp_path):
    statements = tricky_statements()
    # a subject's statements in two entries, and a subject without any, as hand-made input may be
    first, *rest = statements
    statements = [(first[0], first[1][:2]), (first[0], first[1][2:]), ("urn:x:empty", []), *rest]
    write_turtle(statements, tmp_path / "g.ttl")
    assert (tmp_path / "g.ttl").read_bytes() == oxigraph_turtle(statements)


@pytest.mark.parametrize(("obj", "message"), [
    ("https://example.org/a b", "Invalid IRI code point ' '"),
    ("no-scheme", "No scheme"),
    (("x", None, "en_us"), "The given language subtag is invalid"),
])
def test_turtle_refuses_terms_that_are_not_rdf(tmp_path, obj, message):
    with pytest.raises(ExportError, match=f"RDF term not valid: {message}"):
        write_turtle([("https://example.org/s", [("https://example.org/p", obj)])], tmp_path / "g.ttl")
    assert not (tmp_path / "g.ttl").exists()


def test_csv_fields_are_quoted_as_the_csv_module_quotes_them():
    rng = random.Random(0)
    for _ in range(3000):
        text = "".join(rng.choice('ab ,"\r\n\t;') for _ in range(rng.randrange(6)))
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([text, "x"])
        assert f"{_csv_field(text)},x\n" == buffer.getvalue()


def test_tables_from_rows_shared_by_both_writers_are_those_each_makes_alone(tmp_path):
    G = sample_graph()
    pictures = {node: {"label": "drawn", "size": 2.5, "x": 1.0, "y": -2.0} for node in sorted(G)[::2]}
    alone, shared = tmp_path / "alone", tmp_path / "shared"
    for folder, rows in ((alone, None), (shared, TableRows(G))):
        folder.mkdir()
        write_graphml(G, folder / "g.graphml", pictures=pictures, rows=rows)
        write_csv(G, folder / "nodes.csv", folder / "edges.csv", rows=rows)
    for name in ("g.graphml", "nodes.csv", "edges.csv"):
        assert (shared / name).read_bytes() == (alone / name).read_bytes()
    assert b"drawn" in (shared / "g.graphml").read_bytes() and b"drawn" not in (shared / "nodes.csv").read_bytes()
