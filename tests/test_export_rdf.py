"""Tests of export_rdf: the RDF model per node kind, IRIs, Turtle/JSON-LD round trips, SHACL.

Every graph here is SYNTHETIC, built by hand following docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import logging
import re

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate as shacl_validate
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD
from rdflib.plugins.parsers.notation3 import BadSyntax

from rsvlm_graph.errors import ExportError
from rsvlm_graph.exports.jsonld import write_jsonld
from rsvlm_graph.exports.rdf import (
    DEFAULT_BASE,
    Statements,
    node_iri,
    prefixes,
    statements_to_rdf,
    to_rdf,
    to_statements,
)
from rsvlm_graph.exports.shacl import _shapes, list_level, validate
from rsvlm_graph.exports.turtle import write_turtle
from rsvlm_graph.exports.vocab import CITO, FABIO, PRISM, RSVLM

NASTY_DOI = "10.1002/(SICI)1097-4636(199706)35:4<X>#y"
SURVEY = "paper:arxiv:2305.05726"  # list paper, arXiv venue, enriched
CAPTIONER = "paper:doi:10.1109/tgrs.2023.0001"  # list paper, journal, not enriched
NASTY = f"paper:doi:{NASTY_DOI.lower()}"  # list paper with an old DOI full of reserved characters
TITLE_ONLY = "paper:title:remoteglm"  # list paper known only by its title, every attribute None
OUTSIDE = "paper:s2:" + "b" * 40  # outside paper
DATASET = "dataset:rsicd"
TASK = "task:image-captioning"


def sample_graph(reverse: bool = False) -> nx.MultiDiGraph:
    """A SYNTHETIC graph with one node of every kind and every relation; `reverse` adds in reverse order."""
    nodes = [
        ("list:awesome-rs-vlms", dict(kind="list", label="Awesome RS VLMs", title="Awesome RS VLMs", path="kg/awesome-list.md")),
        (SURVEY, dict(
            kind="paper", label="VLMs in RS", title="Vision-Language Models in Remote Sensing", year=2023,
            venue="arxiv", url="https://arxiv.org/abs/2305.05726", arxiv_id="2305.05726",
            doi="10.48550/arxiv.2305.05726", s2_id="a" * 40, in_list=True, tasks=("Surveys",), line=36,
            s2_title="Vision-language models in remote sensing: current progress", citation_count=120,
            influential_citation_count=7, reference_count=150, fields_of_study=("Computer Science",),
            abstract='A "survey"\nwith a back\\slash.', source="semanticscholar",
            fetched_at="2024-05-01T12:00:00Z", embedding=(0.1, 0.2), resolution_method="batch-arxiv",
            resolution_score=None, authors=("A. Author", "B. Author"),
        )),
        (CAPTIONER, dict(
            kind="paper", label="Captioner", title="A Remote Sensing Captioner", year=2023, venue="TGRS",
            url="https://ieeexplore.ieee.org/document/10000001", doi="10.1109/tgrs.2023.0001",
            in_list=True, tasks=("Image Captioning",), line=50, source=None, fetched_at=None,
        )),
        (NASTY, dict(kind="paper", label="Old paper", title="An old paper", year=1997, venue="Some Venue",
                     doi=NASTY_DOI.lower(), url=f"https://doi.org/{NASTY_DOI}", in_list=True)),
        (TITLE_ONLY, dict(kind="paper", label="RemoteGLM", title="RemoteGLM", year=None, venue=None, url=None,
                          arxiv_id=None, doi=None, s2_id=None, in_list=True, tasks=(), abstract=None,
                          citation_count=None, fetched_at=None, source=None, embedding=None)),
        (OUTSIDE, dict(kind="outside_paper", label="Outside", title="An Outside Paper", year=2021,
                       venue="Computer Vision and Pattern Recognition Conference", s2_id="b" * 40,
                       in_list=False, source="semanticscholar", fetched_at="2024-05-01T12:00:00Z")),
        (DATASET, dict(kind="dataset", label="RSICD", name="RSICD", url="https://arxiv.org/abs/1712.07835",
                       home_urls=("https://github.com/201528014227051/RSICD_optimal",),
                       download_urls=("https://pan.baidu.com/s/1bp71tE3",), tasks=("Image Captioning",), lines=(180,))),
        (TASK, dict(kind="task", label="Image Captioning", name="Image Captioning", section="Image Captioning")),
        ("venue:tgrs", dict(kind="venue", label="TGRS", name="TGRS")),
        ("code:github.com/lavender105/rsgpt", dict(kind="code", label="lavender105/rsgpt", url="https://github.com/Lavender105/RSGPT")),
        ("author:1741101", dict(kind="author", label="A. Author", name="A. Author", s2_author_id="1741101")),
        ("author:name:b-author", dict(kind="author", label="B. Author", name="B. Author", s2_author_id=None)),
    ]
    edges = [
        ("list:awesome-rs-vlms", SURVEY, "has_part", {}),
        ("list:awesome-rs-vlms", CAPTIONER, "has_part", {}),
        ("list:awesome-rs-vlms", NASTY, "has_part", {}),
        ("list:awesome-rs-vlms", TITLE_ONLY, "has_part", {}),
        ("list:awesome-rs-vlms", DATASET, "has_part", {}),
        (CAPTIONER, TASK, "has_task", {}),
        (DATASET, TASK, "has_task", {}),
        (CAPTIONER, DATASET, "introduces", {}),
        (SURVEY, DATASET, "uses", {}),
        (CAPTIONER, "venue:tgrs", "published_in", {}),
        (SURVEY, "code:github.com/lavender105/rsgpt", "has_code", {}),
        (SURVEY, "author:1741101", "authored_by", {"position": 0}),
        (SURVEY, "author:name:b-author", "authored_by", {"position": 1}),
        (CAPTIONER, SURVEY, "cites", {"is_influential": True}),
        (SURVEY, OUTSIDE, "cites", {"is_influential": False}),
        (CAPTIONER, OUTSIDE, "cites", {"is_influential": False}),
        (NASTY, OUTSIDE, "cites", {"is_influential": False}),
    ]
    G = nx.MultiDiGraph()
    for node, data in reversed(nodes) if reverse else nodes:
        G.add_node(node, **data)
    for u, v, key, data in reversed(edges) if reverse else edges:
        G.add_edge(u, v, key=key, **data)
    return G


def iri(node: str) -> URIRef:
    return URIRef(node_iri(node))


@pytest.fixture(scope="module")
def g() -> rdflib.Graph:
    return to_rdf(sample_graph())


def test_list_paper_from_arxiv_is_a_preprint_with_identifiers_and_provenance(g):
    paper = iri(SURVEY)
    assert set(g.objects(paper, RDF.type)) == {SDO.ScholarlyArticle, FABIO.Preprint}
    assert g.value(paper, DCTERMS.title) == Literal("Vision-Language Models in Remote Sensing")
    assert g.value(paper, DCTERMS.alternative) == Literal("Vision-language models in remote sensing: current progress")
    assert g.value(paper, FABIO.hasPublicationYear) == Literal("2023", datatype=XSD.gYear)
    assert g.value(paper, PRISM.doi) == Literal("10.48550/arxiv.2305.05726")
    assert g.value(paper, FABIO.hasArXivId) == Literal("2305.05726")
    assert g.value(paper, PRISM.publicationName) == Literal("arxiv")
    assert g.value(paper, SDO.url) == URIRef("https://arxiv.org/abs/2305.05726")
    assert set(g.objects(paper, SDO.sameAs)) == {
        URIRef("https://arxiv.org/abs/2305.05726"),
        URIRef("https://www.semanticscholar.org/paper/" + "a" * 40),
        URIRef("https://doi.org/10.48550/arxiv.2305.05726"),
    }
    assert g.value(paper, RSVLM.citationCount) == Literal(120)
    assert g.value(paper, RSVLM.referenceCount).datatype == XSD.integer
    assert g.value(paper, RSVLM.fieldOfStudy) == Literal("Computer Science")
    assert g.value(paper, DCTERMS.abstract) == Literal('A "survey"\nwith a back\\slash.')


def test_provenance_describes_the_api_record_not_the_work(g):
    # prov:generatedAtTime on the paper itself would say the work was created when it was fetched
    paper = iri(SURVEY)
    assert (paper, PROV.generatedAtTime, None) not in g and (paper, PROV.wasDerivedFrom, None) not in g
    record = g.value(None, PROV.specializationOf, paper)
    assert record == URIRef(f"{paper}#record")
    assert g.value(record, RDF.type) == PROV.Entity
    assert g.value(record, PROV.generatedAtTime) == Literal("2024-05-01T12:00:00Z", datatype=XSD.dateTime)
    assert g.value(record, PROV.wasDerivedFrom) == URIRef("https://api.semanticscholar.org/graph/v1/paper/" + "a" * 40)


def test_list_paper_is_same_as_the_iris_its_other_identifiers_mint(g):
    # the survey's own IRI comes from its arXiv id; its DOI and S2 id mint the others
    assert set(g.objects(iri(SURVEY), OWL.sameAs)) == {
        iri("paper:doi:10.48550/arxiv.2305.05726"), iri("paper:s2:" + "a" * 40)}
    assert (iri(OUTSIDE), OWL.sameAs, None) not in g  # its only id is its own


def test_outside_paper_that_joins_the_list_stays_reachable_by_its_old_iri():
    G = nx.MultiDiGraph()
    s2_id = "C" * 40  # as Semantic Scholar may spell it; outside papers' node ids are lower case
    G.add_node("paper:ieee:7546397", kind="paper", label="x", title="x", ieee_id="7546397", s2_id=s2_id)
    g = to_rdf(G)
    assert set(g.objects(iri("paper:ieee:7546397"), OWL.sameAs)) == {iri("paper:s2:" + "c" * 40)}


@pytest.mark.parametrize(("venue", "fabio_type"), [
    ("arXiv.org", FABIO.Preprint),
    ("Computer Vision and Pattern Recognition", FABIO.ConferencePaper),  # Semantic Scholar's CVPR
    ("Neural Information Processing Systems", FABIO.ConferencePaper),
    ("IGARSS 2023 - IEEE International Geoscience and Remote Sensing Symposium", FABIO.ConferencePaper),
    ("IEEE Transactions on Geoscience and Remote Sensing", FABIO.JournalArticle),
    ("Some Venue", None),
])
def test_fabio_type_from_the_venue(venue, fabio_type):
    G = nx.MultiDiGraph()
    G.add_node(OUTSIDE, kind="outside_paper", label="x", title="x", venue=venue)
    types = set(to_rdf(G).objects(iri(OUTSIDE), RDF.type)) - {SDO.ScholarlyArticle}
    assert types == ({fabio_type} if fabio_type else set())


def test_journal_paper_without_enrichment_has_venue_and_no_provenance(g):
    paper = iri(CAPTIONER)
    assert FABIO.JournalArticle in set(g.objects(paper, RDF.type))
    assert g.value(paper, SDO.isPartOf) == iri("venue:tgrs")
    assert set(g.objects(iri("venue:tgrs"), RDF.type)) == {SDO.CreativeWorkSeries, SDO.Periodical}
    assert g.value(iri("venue:tgrs"), SDO.name) == Literal("TGRS")
    assert (None, PROV.specializationOf, paper) not in g
    assert g.value(paper, SDO.sameAs) == URIRef("https://doi.org/10.1109/tgrs.2023.0001")


def test_paper_with_every_attribute_none_still_has_type_title_and_list_membership(g):
    paper = iri(TITLE_ONLY)
    assert set(g.predicate_objects(paper)) == {
        (RDF.type, SDO.ScholarlyArticle),
        (DCTERMS.title, Literal("RemoteGLM")),
    }
    assert (iri("list:awesome-rs-vlms"), SDO.hasPart, paper) in g


def test_citations_datasets_tasks_authors_code(g):
    survey, captioner, outside = iri(SURVEY), iri(CAPTIONER), iri(OUTSIDE)
    assert set(g.objects(captioner, CITO.cites)) == {survey, outside}
    assert set(g.objects(captioner, RSVLM.influentiallyCites)) == {survey}
    assert (captioner, CITO.describes, iri(DATASET)) in g
    assert (survey, CITO.usesDataFrom, iri(DATASET)) in g
    dataset = iri(DATASET)
    assert set(g.objects(dataset, RDF.type)) == {SDO.Dataset, DCAT.Dataset}
    assert g.value(dataset, DCTERMS.title) == Literal("RSICD")
    assert g.value(dataset, DCAT.landingPage) == URIRef("https://github.com/201528014227051/RSICD_optimal")
    assert g.value(dataset, DCAT.downloadURL) == URIRef("https://pan.baidu.com/s/1bp71tE3")
    task = iri(TASK)
    assert set(g.subjects(DCTERMS.subject, task)) == {captioner, dataset}
    assert g.value(task, RDF.type) == SKOS.Concept
    assert g.value(task, SKOS.prefLabel) == Literal("Image Captioning")
    scheme = g.value(task, SKOS.inScheme)
    assert g.value(scheme, RDF.type) == SKOS.ConceptScheme
    assert [g.value(a, FOAF.name) for a in sorted(g.objects(survey, DCTERMS.creator))] == [
        Literal("A. Author"), Literal("B. Author")]
    assert all(g.value(a, RDF.type) == FOAF.Person for a in g.objects(survey, DCTERMS.creator))
    code = iri("code:github.com/lavender105/rsgpt")
    assert g.value(code, RDF.type) == SDO.SoftwareSourceCode
    assert g.value(code, SDO.codeRepository) == URIRef("https://github.com/Lavender105/RSGPT")
    assert g.value(code, SDO.isBasedOn) == survey


def test_outside_paper_is_typed_but_not_part_of_the_list(g):
    outside = iri(OUTSIDE)
    assert set(g.objects(outside, RDF.type)) == {SDO.ScholarlyArticle, FABIO.ConferencePaper}
    collection = iri("list:awesome-rs-vlms")
    assert g.value(collection, RDF.type) == SDO.Collection
    assert set(g.objects(collection, SDO.hasPart)) == {
        iri(SURVEY), iri(CAPTIONER), iri(NASTY), iri(TITLE_ONLY), iri(DATASET)}


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ("paper:doi:10.1109/x", "paper/doi/10.1109%2Fx"),
        ("paper:arxiv:2305.05726", "paper/arxiv/2305.05726"),
        ("paper:ieee:7546397", "paper/ieee/7546397"),
        ("paper:pii:S0950705120302586", "paper/pii/S0950705120302586"),
        ("paper:s2:" + "c" * 40, "paper/s2/" + "c" * 40),
        ("paper:title:remoteglm", "paper/title/remoteglm"),
        ("dataset:nwpu-resisc45", "dataset/nwpu-resisc45"),
        ("task:image-captioning", "task/image-captioning"),
        ("venue:tgrs", "venue/tgrs"),
        ("code:github.com/lavender105/rsgpt", "code/github.com/lavender105/rsgpt"),
        ("author:1741101", "author/1741101"),
        ("author:name:c-d", "author/name/c-d"),
        ("list:awesome-remote-sensing-vision-language-models", "list/awesome-remote-sensing-vision-language-models"),
    ],
)
def test_node_iri_follows_the_node_id(node, expected):
    assert node_iri(node, "https://example.org/kg/") == "https://example.org/kg/" + expected


def test_node_iri_percent_encodes_a_nasty_doi_so_parsers_accept_it(tmp_path):
    minted = node_iri(f"paper:doi:{NASTY_DOI}")
    assert not set('<>#"{}|\\^ ') & set(minted.removeprefix("https://"))
    path = tmp_path / "nasty.ttl"
    write_turtle(to_statements(sample_graph()), path)
    parsed = rdflib.Graph().parse(path, format="turtle")
    assert parsed.value(iri(NASTY), PRISM.doi) == Literal(NASTY_DOI.lower())
    assert any(t.subject.value == node_iri(NASTY) for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("bad", ["venue", "tgrs:x", "paper", "edge:a"])
def test_node_iri_rejects_ids_outside_the_contract(bad):
    with pytest.raises(ExportError, match="ARCHITECTURE"):
        node_iri(bad)


def test_unknown_kind_and_bad_base_raise():
    G = nx.MultiDiGraph()
    G.add_node("paper:arxiv:1", kind="preprint", label="x")
    with pytest.raises(ExportError, match="unknown kind"):
        to_statements(G)
    with pytest.raises(ExportError, match="must end with '/'"):
        to_statements(sample_graph(), base="https://example.org/kg")


def test_edges_outside_the_contract_raise():
    G = sample_graph()
    G.add_edge(SURVEY, DATASET, key="has_code")  # code is stated by code nodes only
    with pytest.raises(ExportError, match="has_code must point to a code node"):
        to_statements(G)
    G = sample_graph()
    G.add_edge(SURVEY, DATASET, key="mentions")
    with pytest.raises(ExportError, match="unknown relation 'mentions'"):
        to_statements(G)


def test_link_that_is_not_an_iri_is_left_out_and_logged(caplog):
    G = nx.MultiDiGraph()
    G.add_node("code:x", kind="code", label="x", url="not a link")
    with caplog.at_level(logging.WARNING, logger="rsvlm_graph.exports.rdf"):
        g = to_rdf(G)
    assert (None, SDO.codeRepository, None) not in g
    assert "not a link" in caplog.text


def ntriples(triples) -> set[str]:
    return {str(t) for t in triples}


TRICKY_DOI = '10.1000/a<b>#c"d{e}f|g\\h^i`j k'
TRICKY_TITLE = 'He said "hi" and """three"""\r\nnew line\ttab, back\\slash, Ölbild – 遥感 🛰 '
EXAMPLE = "https://example.org/"


def tricky_statements_graph() -> nx.MultiDiGraph:
    """The sample graph plus a SYNTHETIC paper with a DOI full of reserved characters and a title
    with quotes, CR/LF, tab, backslash and non-ASCII text, and local parts that are not plain
    names ("-x", "x.")."""
    G = sample_graph()
    tricky = f"paper:doi:{TRICKY_DOI}"
    G.add_node(tricky, kind="paper", label="Tricky", title=TRICKY_TITLE, year=2001, venue="Tricky Venue",
               doi=TRICKY_DOI, abstract="ends with a backslash \\", fields_of_study=("Física",))
    G.add_node("author:name:jürgen", kind="author", label="Jürgen", name="Jürgen Müller-王", s2_author_id=None)
    G.add_node("task:-odd-task", kind="task", label="-odd", name='Task "odd"', section="Odd\nsection")
    G.add_node("dataset:rs-set.", kind="dataset", label="RS set.", name="RS set.", url=None)
    G.add_node("venue:_v", kind="venue", label="_v", name="_v")
    G.add_edge(tricky, "author:name:jürgen", key="authored_by", position=0)
    G.add_edge(tricky, "task:-odd-task", key="has_task")
    G.add_edge(tricky, "dataset:rs-set.", key="uses")
    G.add_edge(tricky, "venue:_v", key="published_in")
    G.add_edge(tricky, SURVEY, key="cites", is_influential=True)
    return G


def tricky_statements() -> Statements:
    """SYNTHETIC statements with every kind of term that needs care in Turtle and JSON-LD: those
    of :func:`tricky_statements_graph` and, appended by hand (no graph node yields them),
    language-tagged and typed literals, a non-ASCII IRI and a blank node.
    """
    title = str(DCTERMS.title)
    return [*to_statements(tricky_statements_graph()), (f"{EXAMPLE}s", [
        (title, ("Télédétection", None, "fr")),
        (title, ("remote sensing", None, "en-GB")),
        (title, ('quoted "lang"\n', None, "en")),
        (str(RDFS.comment), ("3.5", str(XSD.double), None)),
        (str(RDFS.comment), ("-5", str(XSD.integer), None)),
        (str(RDFS.comment), ("x y", f"{EXAMPLE}datatype#t", None)),
        (str(RDFS.seeAlso), f"{EXAMPLE}é/ö?q=1&r=%20"),
        (str(RDFS.seeAlso), "_:b0"),
        (str(SDO.sameAs), f"{EXAMPLE}s"),
    ])]


def expected_ntriples(statements: Statements) -> set[str]:
    """The triples of `statements`, as pyoxigraph writes them in N-Triples, built term by term."""
    def term(value):
        if isinstance(value, tuple):
            text, datatype, language = value
            return ox.Literal(text, datatype=ox.NamedNode(datatype) if datatype else None, language=language)
        return ox.BlankNode(value[2:]) if value.startswith("_:") else ox.NamedNode(value)

    return {str(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), term(o))) for s, po in statements for p, o in po}


@pytest.mark.parametrize(("writer", "rdf_format", "rdflib_format"), [
    (write_turtle, ox.RdfFormat.TURTLE, "turtle"),
    (write_jsonld, ox.RdfFormat.JSON_LD, "json-ld"),
])
def test_rdflib_and_pyoxigraph_read_the_same_triples_as_written(tmp_path, monkeypatch, g, writer, rdf_format, rdflib_format):
    path = tmp_path / "graph.out"
    writer(to_statements(sample_graph()), path)
    by_rdflib = rdflib.Graph().parse(path, format=rdflib_format)
    assert set(by_rdflib) == set(g)
    # the same with tricky terms, checked against the statements themselves, not a writer
    statements = tricky_statements()
    writer(statements, path)
    # rdflib rewrites "…Z" date-times as "…+00:00" unless told to keep lexical forms as read
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    by_oxigraph = ntriples(ox.parse(path=str(path), format=rdf_format))
    if writer is write_turtle:
        # rdflib cannot read a prefixed name ending in an escaped dot (RDFLib/rdflib#933), valid
        # Turtle that pyoxigraph writes for dataset:rs-set. (slugs never end in "."): the IRI is
        # written in full instead
        text = path.read_text(encoding="utf-8")
        assert f"<{node_iri('dataset:rs-set.')}>" in text and "rs-set\\." not in text
        with pytest.raises(BadSyntax):
            rdflib.Graph().parse(data=text.replace(f"<{node_iri('dataset:rs-set.')}>", "dataset:rs-set\\."),
                                 format="turtle")
    by_rdflib = rdflib.Graph().parse(path, format=rdflib_format)
    via_rdflib = ntriples(ox.parse(by_rdflib.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES))
    expected = expected_ntriples(statements)
    # blank node labels are the parser's own: compare triples without them
    assert {t for t in by_oxigraph if "_:" not in t} == {t for t in expected if "_:" not in t}
    assert {t for t in via_rdflib if "_:" not in t} == {t for t in expected if "_:" not in t}
    assert len(by_oxigraph) == len(via_rdflib) == len(expected)


def test_turtle_writes_prefixed_names_escaping_what_a_local_part_cannot_hold(tmp_path):
    # as pyoxigraph writes the file: a local part may not start with "-", and "/" or "%" need a
    # backslash (Turtle's PN_LOCAL_ESC); IRIs under no prefix stay in <...> form, and so does one
    # whose local part would end with an escaped "." (rdflib cannot read it)
    path = tmp_path / "graph.ttl"
    write_turtle(tricky_statements(), path)
    text = path.read_text(encoding="utf-8")
    assert "\nvenue:_v a schema:CreativeWorkSeries ;" in text and "\ntask:-odd-task" not in text
    assert "\ntask:\\-odd-task a skos:Concept" in text
    assert f"\n<{DEFAULT_BASE}dataset/rs-set.> a schema:Dataset" in text
    assert "dcterms:creator author:name\\/j\\%C3\\%BCrgen ;" in text
    # language tags are case-insensitive; pyoxigraph writes them in lower case
    assert f'<{EXAMPLE}s> dcterms:title "Télédétection"@fr , "remote sensing"@en-gb , "quoted \\"lang\\"\\n"@en ;' in text
    assert '"3.5"^^xsd:double , -5 , ' in text and f'"x y"^^<{EXAMPLE}datatype#t>' in text
    assert r'"He said \"hi\" and \"\"\"three\"\"\"\r\nnew line\ttab, back\\slash, Ölbild – 遥感 🛰 "' in text


@pytest.mark.parametrize("writer", [write_turtle, write_jsonld])
def test_output_is_byte_identical_whatever_the_insertion_order(tmp_path, writer):
    first, second, third = tmp_path / "1", tmp_path / "2", tmp_path / "3"
    writer(to_statements(sample_graph()), first)
    writer(to_statements(sample_graph(reverse=True)), second)
    writer(to_rdf(sample_graph(reverse=True)), third)  # through rdflib: sorted again on writing
    assert first.read_bytes() == second.read_bytes()
    assert to_rdf(sample_graph()).isomorphic(rdflib.Graph().parse(third, format="turtle" if writer is write_turtle else "json-ld"))
    again = tmp_path / "4"
    writer(to_rdf(sample_graph()), again)
    assert again.read_bytes() == third.read_bytes()


def test_statements_are_in_subject_order_with_each_record_after_its_paper():
    # the writers stream statements as given: byte-identical output needs a fixed order
    statements = to_statements(tricky_statements_graph())
    subjects = [subject for subject, _ in statements]
    assert subjects == sorted(subjects) and len(set(subjects)) == len(subjects)
    assert subjects[subjects.index(node_iri(SURVEY)) + 1] == node_iri(SURVEY) + "#record"


def test_turtle_binds_prefixes_and_writes_prefixed_names(tmp_path):
    path = tmp_path / "graph.ttl"
    write_turtle(to_statements(sample_graph()), path)
    text = path.read_text(encoding="utf-8")
    assert "@prefix cito: <http://purl.org/spar/cito/> ." in text
    assert "\ntask:image-captioning a skos:Concept ;\n\tskos:inScheme" in text
    assert list(prefixes()) == sorted(prefixes())


def test_validate_accepts_the_sample_graph(g):
    validate(g)


def test_validate_reports_a_bad_year_and_a_citation_of_a_dataset():
    g = to_rdf(sample_graph())
    g.set((iri(CAPTIONER), FABIO.hasPublicationYear, Literal("2020-01-01", datatype=XSD.gYear)))
    g.add((iri(OUTSIDE), CITO.cites, iri(DATASET)))
    with pytest.raises(ExportError) as raised:
        validate(g)
    message = str(raised.value)
    assert "2 violation(s)" in message
    assert f"{iri(CAPTIONER)} | path {FABIO.hasPublicationYear}" in message
    assert f"{iri(DATASET)} | path None | what cito:cites points to" in message


@pytest.mark.parametrize(("predicate", "obj", "shape_text"), [
    (PRISM.doi, Literal("https://doi.org/10.1109/x"), "bare DOI"),
    (DCTERMS.title, Literal("A second title"), "at most one dcterms:title"),
    (DCTERMS.abstract, Literal("A second abstract"), "at most one dcterms:abstract"),
    (DCTERMS.subject, URIRef("https://example.org/not-a-concept"), "skos:Concept"),
    (DCTERMS.creator, URIRef("https://example.org/nobody"), "foaf:Person"),
    # sub-properties of cito:cites: shape:Cited does not see them without inference
    (CITO.describes, iri(SURVEY), "cito:describes or cito:usesDataFrom points to is a schema:Dataset"),
    (CITO.usesDataFrom, iri(SURVEY), "cito:describes or cito:usesDataFrom points to is a schema:Dataset"),
    (FABIO.hasArXivId, Literal("2305.05726v2"), "without version"),
    (SDO.sameAs, Literal("https://arxiv.org/abs/2305.05726"), "an IRI"),
    # pyshacl's sh:datatype checks an xsd:date's value, not only its form
    (PRISM.publicationDate, Literal("2023-13-45", datatype=XSD.date), "a day of the calendar"),
    (PRISM.publicationDate, Literal("2023-02-30", datatype=XSD.date), "a day of the calendar"),
])
def test_validate_reports_each_planted_violation(predicate, obj, shape_text):
    g = to_rdf(sample_graph())
    g.add((iri(SURVEY), predicate, obj))  # the survey has a title, an abstract, a DOI, an arXiv id
    with pytest.raises(ExportError, match=shape_text):
        validate(g)


def test_validate_accepts_an_outside_paper_without_title_but_not_a_list_paper():
    # Semantic Scholar has cited papers without a title; one of them must not stop `build`
    G = sample_graph()
    G.nodes[OUTSIDE]["title"] = G.nodes[OUTSIDE]["label"] = ""
    validate(to_rdf(G))
    G.nodes[CAPTIONER]["title"] = ""
    with pytest.raises(ExportError, match=f"{re.escape(node_iri(CAPTIONER))} .* list has a dcterms:title"):
        validate(to_rdf(G))


@pytest.mark.parametrize(("change", "shape_text"), [
    (lambda g: g.remove((iri(TASK), SKOS.inScheme, None)), "in exactly one skos:ConceptScheme"),
    (lambda g: g.remove((iri(TASK), SKOS.prefLabel, None)), "exactly one skos:prefLabel"),
    (lambda g: g.add((iri("list:awesome-rs-vlms"), SDO.hasPart, iri(TASK))), "a paper or a dataset"),
    (lambda g: g.remove((iri("list:awesome-rs-vlms"), DCTERMS.title, None)), r"the list \(schema:Collection\) has a dcterms:title"),
    (lambda g: g.add((iri(DATASET), DCAT.downloadURL, Literal("https://pan.baidu.com/s/1"))), "not text"),
])
def test_validate_checks_tasks_the_list_and_dataset_links(change, shape_text):
    g = to_rdf(sample_graph())
    change(g)
    with pytest.raises(ExportError, match=shape_text):
        validate(g)


def test_validate_runs_without_rdfs_inference():
    # With CiTO's own axiom in the data, RDFS inference would turn "uses" into "cites" a dataset.
    g = to_rdf(sample_graph())
    g.add((CITO.usesDataFrom, RDFS.subPropertyOf, CITO.cites))
    validate(g)
    conforms, _, _ = shacl_validate(g, shacl_graph=_shapes(), inference="rdfs")
    assert not conforms


def test_list_level_keeps_the_list_its_parts_tasks_and_what_they_link_to():
    G = sample_graph()
    citer = "paper:s2:" + "c" * 40  # SYNTHETIC outside paper that only cites a list paper
    G.add_node(citer, kind="outside_paper", label="Citer", title="A citer", year=2024)
    G.add_edge(citer, SURVEY, key="cites", is_influential=False)
    subjects = {subject for subject, _ in list_level(to_statements(G))}
    assert {node_iri(n) for n in ("list:awesome-rs-vlms", SURVEY, CAPTIONER, NASTY, TITLE_ONLY, DATASET, TASK)} <= subjects
    assert node_iri(SURVEY) + "#record" in subjects and f"{DEFAULT_BASE}scheme/tasks" in subjects
    # one hop: the outside paper the list cites, authors and venues of list papers
    assert {node_iri(n) for n in (OUTSIDE, "author:1741101", "author:name:b-author", "venue:tgrs")} <= subjects
    assert node_iri(citer) not in subjects and node_iri("code:github.com/lavender105/rsgpt") not in subjects


def test_list_level_keeps_what_the_shapes_read_and_one_citation_of_each_cited_paper():
    G = sample_graph()
    G.add_edge(SURVEY, OUTSIDE, key="cites", is_influential=True)
    G.add_edge(CAPTIONER, OUTSIDE, key="cites", is_influential=False)
    G.add_edge(CAPTIONER, SURVEY, key="cites", is_influential=False)
    G.add_edge(TITLE_ONLY, SURVEY, key="cites", is_influential=False)
    cites, survey = str(CITO.cites), node_iri(SURVEY)

    def citers(statements, cited):
        return {s for s, po in statements for p, o in po if p == cites and o == node_iri(cited)}

    statements, level = to_statements(G), list_level(to_statements(G))
    assert len(citers(statements, OUTSIDE)) >= 2 and len(citers(statements, SURVEY)) == 2
    assert len(citers(level, OUTSIDE)) == len(citers(level, SURVEY)) == 1
    facts = {p for s, po in level if s == survey for p, _ in po}
    assert {str(DCTERMS.title), str(RDF.type), str(SDO.hasPart)} & facts == {
        str(DCTERMS.title), str(RDF.type)}
    assert str(RSVLM.influentiallyCites) in {p for s, po in statements if s == survey for p, _ in po}
    assert str(RSVLM.influentiallyCites) not in facts  # no shape reads it


def test_list_level_validation_sees_list_papers_and_what_they_cite_but_not_their_citers():
    G = sample_graph()
    citer = "paper:s2:" + "c" * 40
    G.add_node(citer, kind="outside_paper", label="Citer", title="A citer", year=2024)
    G.add_edge(citer, SURVEY, key="cites", is_influential=False)
    G.add_edge(citer, DATASET, key="cites", is_influential=False)  # violation outside the list level
    statements = to_statements(G)
    validate(statements_to_rdf(list_level(statements)))
    with pytest.raises(ExportError, match="what cito:cites points to"):
        validate(statements_to_rdf(statements))
    G.add_edge(CAPTIONER, DATASET, key="cites", is_influential=False)  # a list paper's violation
    with pytest.raises(ExportError, match="what cito:cites points to"):
        validate(statements_to_rdf(list_level(to_statements(G))))
