"""Every RDF export reads back, triple for triple, in the three readers people use: rdflib,
pyoxigraph and rapper (Raptor; Debian's raptor2-utils). rapper has no JSON-LD parser, so the
JSON-LD is read by the other two.

rapper is skipped where it is not installed, unless ``RSVLM_REQUIRE_RAPPER=1`` (``.ci/run`` installs
it and sets that): there a missing rapper fails. Hand-made graphs here are SYNTHETIC; the real
lists of ``../shared/lists`` go through ``build --offline``.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from conftest import SHARED
from typer.testing import CliRunner

from rsvlm_graph.cli import app
from rsvlm_graph.exports.jsonld import write_jsonld
from rsvlm_graph.exports.rdf import Statements, node_iri, to_statements
from rsvlm_graph.exports.turtle import write_turtle

DATA = Path(__file__).resolve().parent / "data"
SHARED_LISTS = SHARED / "lists"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# every character a Turtle local name must escape (PN_LOCAL_ESC), and a few it need not
ESCAPED = "_~.-!$&'()*+,;=/?#@%"
Triples = set[ox.Triple]


def rapper_path() -> str | None:
    found = shutil.which("rapper")
    if found is None and os.environ.get("RSVLM_REQUIRE_RAPPER") == "1":
        pytest.fail("RSVLM_REQUIRE_RAPPER=1 but rapper is not installed (apt-get install raptor2-utils)")
    return found


def by_rdflib(path: Path, rdf_format: str) -> Triples:
    graph = rdflib.Graph().parse(path, format=rdf_format)
    return {quad.triple for quad in ox.parse(graph.serialize(format="nt", encoding="utf-8"),
                                             format=ox.RdfFormat.N_TRIPLES)}


def by_oxigraph(path: Path, rdf_format: ox.RdfFormat) -> Triples:
    return {quad.triple for quad in ox.parse(path=str(path), format=rdf_format)}


def by_rapper(path: Path) -> Triples:
    rapper = rapper_path()
    if rapper is None:
        pytest.skip("rapper is not installed (apt-get install raptor2-utils)")
    done = subprocess.run([rapper, "--quiet", "--input", "turtle", "--output", "ntriples", str(path)],
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    return {quad.triple for quad in ox.parse(done.stdout, format=ox.RdfFormat.N_TRIPLES)}


def readings(turtle: Path, jsonld: Path) -> dict[str, Triples]:
    """The triples each reader reads from each file (rapper: Turtle only)."""
    return {
        "rdflib turtle": by_rdflib(turtle, "turtle"),
        "pyoxigraph turtle": by_oxigraph(turtle, ox.RdfFormat.TURTLE),
        "rapper turtle": by_rapper(turtle),
        "rdflib json-ld": by_rdflib(jsonld, "json-ld"),
        "pyoxigraph json-ld": by_oxigraph(jsonld, ox.RdfFormat.JSON_LD),
    }


def triples_of(statements: Statements) -> Triples:
    def term(value: str | tuple[str, str | None, str | None]) -> ox.NamedNode | ox.Literal:
        if isinstance(value, tuple):
            text, datatype, language = value
            return ox.Literal(text, datatype=ox.NamedNode(datatype) if datatype else None, language=language)
        return ox.NamedNode(value)

    return {ox.Triple(ox.NamedNode(s), ox.NamedNode(p), term(o)) for s, po in statements for p, o in po}


def written(tmp_path: Path, statements: Statements) -> tuple[Path, Path]:
    turtle, jsonld = tmp_path / "graph.ttl", tmp_path / "graph.jsonld"
    write_turtle(statements, turtle)
    write_jsonld(statements, jsonld)
    return turtle, jsonld


def assert_every_reader_reads(expected: Triples, read: dict[str, Triples]) -> None:
    for reader, triples in read.items():
        assert triples == expected, (f"{reader}: {len(expected - triples)} triple(s) not read, "
                                     f"{len(triples - expected)} read otherwise, e.g. "
                                     f"{sorted(map(str, triples ^ expected))[:4]}")


def hostile_graph() -> nx.MultiDiGraph:
    """A SYNTHETIC graph whose ids and links end in dots, hold "%", "~", parentheses, dot
    segments and every character a prefixed name must escape."""
    G = nx.MultiDiGraph()
    G.add_node("list:l", kind="list", label="L", title="L")
    hostile = [
        "github.com/someone/metacaptioning.",  # the code link that broke rdflib
        "github.com/someone/x.", "github.com/someone/.", "github.com/someone/..", "github.com/a/../b",
        "github.com/a/./b", "github.com/~user/(repo)", "github.com/a/100%25", "github.com/a/b%2Fc",
        "gitee.com/a/b~", "github.com/a/b)", "github.com/a/-b-", *(f"e.org/a{c}b{c}" for c in ESCAPED),
    ]
    for i, path in enumerate(hostile):
        code = f"code:{path}"
        paper = f"paper:doi:10.1234/x{i}."
        G.add_node(code, kind="code", label=path, url=f"https://{path}")
        G.add_node(paper, kind="paper", label=f"P{i}", title=f"Paper {i}.", doi=f"10.1234/x{i}.",
                   url=f"https://doi.org/10.1234/x{i}.", in_list=True)
        G.add_edge("list:l", paper, key="has_part")
        G.add_edge(paper, code, key="has_code")
    for kind in ("task", "dataset", "venue"):
        for i, local in enumerate(["x.", "~x", "(x)", "50%", "a.b.", "x..", ".", *ESCAPED]):
            node = f"{kind}:{local}"
            G.add_node(node, kind=kind, label=local, name=f"{kind} {i}")
            G.add_edge(f"paper:doi:10.1234/x{i % len(hostile)}.", node,
                       key={"task": "has_task", "dataset": "uses", "venue": "published_in"}[kind])
    G.add_node("author:name:a.", kind="author", label="A.", name="A.")
    G.add_edge("paper:doi:10.1234/x0.", "author:name:a.", key="authored_by", position=0)
    for link in ("https://e.org/a/../b/./c/..", "https://e.org/(a)~b%20c.", "https://e.org/x/."):
        G.add_node(f"dataset:{link[-6:]}", kind="dataset", label=link, name=link, url=link, home_urls=(link,))
    return G


def test_hostile_iris_read_back_the_same_in_every_reader(tmp_path):
    statements = to_statements(hostile_graph())
    turtle, jsonld = written(tmp_path, statements)
    expected = triples_of(statements)
    assert_every_reader_reads(expected, readings(turtle, jsonld))
    text = turtle.read_text(encoding="utf-8")
    # a prefixed name that would end in an escaped "." is the full IRI; other escapes stay
    assert f"<{node_iri('code:github.com/someone/metacaptioning.')}>" in text and "\\. " not in text
    assert "code:github.com\\/\\~user\\/\\%28repo\\%29 a " in text
    # dot segments, which a reader resolving IRIs (rapper) would remove, are not in any IRI
    assert node_iri("code:github.com/a/../b").endswith("/code/github.com/a/%2E%2E/b")
    assert "<https://e.org/a/b/>" in text and "<https://e.org/x/>" in text


def test_random_local_names_read_back_the_same_in_every_reader(tmp_path):
    rng = random.Random(7)
    alphabet = [*ESCAPED, "a", "Z", "0", ":", "é", "遥", "%2F", "%41", "..", "/./", "/../"]
    statements: Statements = []
    for _ in range(600):
        local = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 7)))
        statements.append((node_iri(f"code:{local}"), [(TYPE, node_iri(f"task:{local}")),
                                                      (TYPE, node_iri(f"venue:x{local}"))]))
    statements = sorted(dict(statements).items())
    turtle, jsonld = written(tmp_path, statements)
    assert_every_reader_reads(triples_of(statements), readings(turtle, jsonld))


LISTS = [DATA / "awesome-list.md", *sorted(SHARED_LISTS.glob("*.md"))]


@pytest.mark.parametrize("path", LISTS, ids=lambda p: p.stem)
def test_the_exports_of_real_lists_read_back_in_every_reader(tmp_path, monkeypatch, path: Path):
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copy(path, tmp_path / "README.md")
    out = tmp_path / "exports"
    result = CliRunner().invoke(app, ["build", "--offline", "--quiet", "--list", str(tmp_path / "README.md"),
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    read = readings(out / "graph.ttl", out / "graph.jsonld")
    expected = read["pyoxigraph turtle"]
    assert len(expected) > 100
    assert_every_reader_reads(expected, read)

