"""The knowledge graph as RDF: Turtle and JSON-LD files, and a SHACL check.

The model mixes vocabularies that generic tools understand (OpenCitations, SemOpenAlex and Linked
Papers With Code do the same):

========================  ==========================================================================
graph                     RDF
========================  ==========================================================================
paper, outside paper      ``schema:ScholarlyArticle`` (+ a FaBiO type, see below), ``dcterms:title``,
                          ``dcterms:alternative`` (S2 title when it differs), ``dcterms:abstract``,
                          ``fabio:hasPublicationYear`` (``xsd:gYear``), ``prism:publicationDate``,
                          ``prism:doi``, ``fabio:hasArXivId``, ``prism:publicationName`` (venue text),
                          ``schema:url`` (the list link), ``schema:sameAs`` arXiv / Semantic
                          Scholar / doi.org / IEEE Xplore / ScienceDirect pages, ``owl:sameAs``
                          the IRIs minted from its DOI, arXiv id and S2 id when not its own,
                          ``rsvlm:`` counts, TLDR, fields of study and arXiv categories
paper's API record        ``prov:Entity`` ``<paper>#record``, ``prov:specializationOf`` the paper,
                          ``prov:generatedAtTime``, ``prov:wasDerivedFrom`` the API page
dataset                   ``schema:Dataset`` + ``dcat:Dataset``, ``dcterms:title``, ``schema:url``
                          (its paper link), ``dcat:landingPage``, ``dcat:downloadURL``
task                      ``skos:Concept`` ``skos:inScheme`` one ``skos:ConceptScheme``,
                          ``skos:prefLabel`` (task name), ``skos:altLabel`` (section heading)
venue                     ``schema:CreativeWorkSeries`` (+ ``schema:Periodical`` for journals),
                          ``schema:name``
code                      ``schema:SoftwareSourceCode``, ``schema:codeRepository``
author                    ``foaf:Person``, ``foaf:name``
list                      ``schema:Collection``, ``dcterms:title``
========================  ==========================================================================

Edges: ``has_part`` → ``schema:hasPart``; ``has_task`` → ``dcterms:subject``; ``introduces`` →
``cito:describes``; ``uses`` → ``cito:usesDataFrom``; ``published_in`` → ``schema:isPartOf``;
``authored_by`` → ``dcterms:creator``; ``cites`` → ``cito:cites`` (plus ``rsvlm:influentiallyCites``
when influential); ``has_code`` → ``<code> schema:isBasedOn <paper>`` (the software derives from the
paper, the direction schema.org gives that property).

FaBiO type, from the venue text alone: ``fabio:Preprint`` when it names arXiv,
``fabio:ConferencePaper`` when it names a conference, workshop, symposium or a known conference
acronym, ``fabio:JournalArticle`` when it names a journal (``identifiers.venue_kind``);
otherwise no FaBiO type. Provenance: a paper enriched from an API (``source`` and ``fetched_at``
set) gets a record ``<paper>#record``, a ``prov:Entity`` that is ``prov:specializationOf`` the
paper, with ``prov:generatedAtTime`` (when it was fetched) and ``prov:wasDerivedFrom`` the API page
(OpenCitations does the same). They describe the record, not the work: said of the paper itself,
``prov:generatedAtTime`` would claim the work was created when it was fetched.

IRIs are minted from node ids under one base, never from enrichment order, so they stay stable:
``paper:doi:10.1109/x`` → ``{base}paper/doi/10.1109%2Fx``. Everything outside RFC 3986's unreserved
characters is percent-encoded, so old DOIs with ``<>#"{}|\\^`` or spaces cannot break a serializer.
A list paper keeps the IRI of the id the list gives even when a better one is found;
``owl:sameAs`` links it to the IRIs its DOI, arXiv id and S2 id would mint, so the IRI it had as an
outside paper (``paper/s2/…``) still leads to it.

Building and writing are split (STYLE rule 9). :func:`to_statements` describes the graph as plain
Python strings and tuples, subjects in IRI order; :func:`to_rdf` turns them into an ``rdflib.Graph``
for SPARQL, SHACL and Python users; the writers take either. The Turtle is formatted here, byte for
byte as pyoxigraph writes the same triples (its prefix lines, its escapes and prefixed names;
every IRI and language tag checked by it): handing it the triples meant building a pyoxigraph term
for each, which cost several times its writing (rdflib's writer needs 37 s for 400k triples).
JSON-LD is formatted here with ``json``: pyoxigraph 0.5 writes expanded JSON-LD on a single line,
without the ``@context`` that makes IRIs read as ``dcterms:title`` and without a line per node to
diff.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, SDO, SH, SKOS, XSD

from ..errors import ExportError
from ..files import atomic_text
from ..identifiers import paper_page, venue_kind
from . import collector_paused
from .vocab import CITO, FABIO, PRISM, RSVLM

__all__ = [
    "DEFAULT_BASE",
    "Statements",
    "node_iri",
    "prefixes",
    "to_statements",
    "to_rdf",
    "statements_to_rdf",
    "write_turtle",
    "write_jsonld",
    "validate",
    "list_level",
    "conforming",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE = "https://w3id.org/rsvlm-graph/"

# An object is an IRI (str; "_:" starts a blank node) or a literal (lexical form, datatype IRI or
# None for xsd:string, language tag or None). Plain tuples: a million of them cost little.
Literal = tuple[str, str | None, str | None]
Object = str | Literal
Statements = list[tuple[str, list[tuple[str, Object]]]]
"""(subject IRI, [(predicate IRI, object), ...]) per subject, subjects sorted by IRI."""

_VOCABULARIES = {
    "cito": str(CITO._NS),
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "fabio": str(FABIO._NS),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "prism": str(PRISM._NS),
    "prov": str(PROV),
    "rsvlm": str(RSVLM._NS),
    "schema": str(SDO),
    "skos": str(SKOS),
    "xsd": str(XSD),
}
# Data prefixes, one per kind, make Turtle and JSON-LD readable (`task:image-captioning`); IRIs
# whose local part is not a plain name (DOIs, "/") stay in <...> form.
_DATA_PREFIXES = ("author", "code", "dataset", "list", "task", "venue")
_NODE_KINDS = {"paper", "dataset", "task", "venue", "code", "author", "list"}

# Plain-str constants: rdflib's URIRef hashes in Python and never equals a str.
TYPE = str(RDF.type)
XSD_STRING, XSD_INTEGER, XSD_DOUBLE = str(XSD.string), str(XSD.integer), str(XSD.double)
TITLE, NAME = str(DCTERMS.title), str(SDO.name)
SAME_AS, URL = str(SDO.sameAs), str(SDO.url)

SCHOLARLY_ARTICLE, ALTERNATIVE = str(SDO.ScholarlyArticle), str(DCTERMS.alternative)
PUBLICATION_YEAR, XSD_GYEAR = str(FABIO.hasPublicationYear), str(XSD.gYear)
PUBLICATION_DATE, XSD_DATE = str(PRISM.publicationDate), str(XSD.date)
GENERATED_AT, XSD_DATETIME, DERIVED_FROM = str(PROV.generatedAtTime), str(XSD.dateTime), str(PROV.wasDerivedFrom)
PROV_ENTITY, SPECIALIZATION_OF, OWL_SAME_AS = str(PROV.Entity), str(PROV.specializationOf), str(OWL.sameAs)
RESOLUTION_SCORE = str(RSVLM.resolutionScore)

_RELATIONS = {
    # relation → predicate, in the order a subject lists its links
    "has_part": str(SDO.hasPart),
    "authored_by": str(DCTERMS.creator),
    "published_in": str(SDO.isPartOf),
    "has_task": str(DCTERMS.subject),
    "introduces": str(CITO.describes),
    "uses": str(CITO.usesDataFrom),
    "cites": str(CITO.cites),
}
# A link sorts by (rank, object IRI); the rank names its predicate in _LINK_PREDICATES.
_LINK_PREDICATES = (*_RELATIONS.values(), str(RSVLM.influentiallyCites), str(SDO.isBasedOn))
_RELATION_RANK = {relation: i for i, relation in enumerate(_RELATIONS)}
_CITES, _INFLUENTIAL, _BASED_ON = _RELATION_RANK["cites"], len(_RELATIONS), len(_RELATIONS) + 1

_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$")
# Reserved characters and "%" survive in links: list links arrive percent-encoded already.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"

_SOURCE_PAGES = {
    # provenance: the API page a record's facts came from, by `source` attribute
    "semanticscholar": ("s2_id", "https://api.semanticscholar.org/graph/v1/paper/{}"),
    "arxiv": ("arxiv_id", "https://export.arxiv.org/api/query?id_list={}"),
}
# A paper's identifiers the IRIs are minted from, best first (attribute, node id scheme)
_MINTING_IDS = (("doi", "doi"), ("arxiv_id", "arxiv"), ("s2_id", "s2"))
# the paper's pages stated as schema:sameAs, in this order
_SAME_AS = ("arxiv_id", "s2_id", "doi", "ieee_id", "pii")
_PAPER_TEXT = tuple((attr, str(p)) for attr, p in (
    ("abstract", DCTERMS.abstract),
    ("tldr", RSVLM.tldr),
    ("doi", PRISM.doi),
    ("arxiv_id", FABIO.hasArXivId),
    ("venue", PRISM.publicationName),
    ("arxiv_primary_category", RSVLM.arxivPrimaryCategory),
    ("resolution_method", RSVLM.resolutionMethod),
))
_PAPER_TEXTS = (("fields_of_study", str(RSVLM.fieldOfStudy)), ("arxiv_categories", str(RSVLM.arxivCategory)))
_PAPER_COUNTS = tuple((attr, str(p)) for attr, p in (
    ("citation_count", RSVLM.citationCount),
    ("influential_citation_count", RSVLM.influentialCitationCount),
    ("reference_count", RSVLM.referenceCount),
))

PredicateObjects = list[tuple[str, Object]]


def node_iri(node: str, base: str = DEFAULT_BASE) -> str:
    """Return the IRI of a graph node, minted from its id under `base`.

    The scheme of paper and author ids becomes a path segment; every value is percent-encoded
    (``code:`` ids keep their "/"), so the mapping is one-to-one and stable.

    Parameters
    ----------
    node : str
        A node id of the graph contract, e.g. ``"paper:doi:10.1109/x"``.
    base : str
        The IRI all nodes live under; must end with "/".

    Returns
    -------
    str

    Raises
    ------
    ExportError
        If the id does not start with a known kind.

    Examples
    --------
    >>> node_iri("paper:doi:10.1109/x")
    'https://w3id.org/rsvlm-graph/paper/doi/10.1109%2Fx'
    >>> node_iri("code:github.com/lavender105/rsgpt", "https://example.org/")
    'https://example.org/code/github.com/lavender105/rsgpt'
    """
    head, _, rest = node.partition(":")
    if head not in _NODE_KINDS or not rest:
        raise ExportError(
            f"node {node!r}: id does not start with one of {sorted(_NODE_KINDS)} followed by ':'; "
            "build the graph with graph.build_graph, which follows docs/ARCHITECTURE.md"
        )
    if head == "paper" or (head == "author" and rest.startswith("name:")):
        scheme, _, value = rest.partition(":")
        return f"{base}{head}/{scheme}/{_quote(value)}"
    if head == "code":
        return f"{base}code/{_quote(rest, '/')}"
    return f"{base}{head}/{_quote(rest)}"


@cache
def _unquoted(safe: str) -> Callable[[str], re.Match[str] | None]:
    """Whether ``quote(value, safe)`` would leave `value` as it is (ASCII letters, digits,
    ``_.-~`` and `safe`): most ids and links, which then skip ``quote``'s encode and decode."""
    return re.compile(f"[A-Za-z0-9_.~{re.escape(safe)}-]*").fullmatch


def _quote(value: str, safe: str = "") -> str:
    """``urllib.parse.quote(value, safe)``, at a tenth of the cost when nothing needs encoding
    or only a "/" does (a DOI's)."""
    if _unquoted(safe)(value):
        return value
    if "/" not in safe and _unquoted(f"{safe}/")(value):
        return value.replace("/", "%2F")
    return quote(value, safe=safe)


def prefixes(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Return the prefix → namespace map the writers bind, for data under `base`, sorted.

    Examples
    --------
    >>> prefixes()["task"]
    'https://w3id.org/rsvlm-graph/task/'
    """
    return dict(sorted({**_VOCABULARIES, **{kind: f"{base}{kind}/" for kind in _DATA_PREFIXES}}.items()))


def _text(value: str) -> Literal:
    return (value, None, None)


def _link(url: str, node: str) -> str | None:
    """An IRI for a link from the list or an API answer, or None (logged) if it is not one."""
    iri = _quote(url.strip(), _URL_SAFE)
    if _is_iri(iri):
        return iri
    logger.warning("node %s: %r is not an absolute IRI; link left out of the RDF", node, url)
    return None


@cache
def _is_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


#: FaBiO's type of a paper by the kind of its venue (``identifiers.venue_kind``)
_FABIO_TYPES = {"preprint": str(FABIO.Preprint), "conference": str(FABIO.ConferencePaper),
                "journal": str(FABIO.JournalArticle)}


def _fabio_type(venue: str | None) -> str | None:
    kind = venue_kind(venue)
    return _FABIO_TYPES[kind] if kind else None


def _links(node: str, pairs: Iterable[tuple[str, str | None]]) -> PredicateObjects:
    return [(p, iri) for p, url in pairs if url for iri in [_link(url, node)] if iri]


def _paper(node: str, data: Mapping[str, Any]) -> PredicateObjects:
    po: PredicateObjects = [(TYPE, SCHOLARLY_ARTICLE)]
    fabio_type = _fabio_type(data.get("venue"))
    if fabio_type:
        po.append((TYPE, fabio_type))
    title, s2_title = data.get("title") or data.get("s2_title"), data.get("s2_title")
    if title:
        po.append((TITLE, _text(title)))
    if s2_title and s2_title != title:
        po.append((ALTERNATIVE, _text(s2_title)))
    year = data.get("year")
    if year is not None and 0 <= year <= 9999:
        po.append((PUBLICATION_YEAR, (f"{year:04d}", XSD_GYEAR, None)))
    elif year is not None:
        logger.warning("node %s: year %r is not a four-digit year; left out", node, year)
    date = data.get("publication_date")
    if date and _DATE.match(date):
        po.append((PUBLICATION_DATE, (date, XSD_DATE, None)))
    po.extend((p, _text(data[attr])) for attr, p in _PAPER_TEXT if data.get(attr))
    po.extend((p, _text(value)) for attr, p in _PAPER_TEXTS for value in data.get(attr) or ())
    po.extend((p, (str(int(data[attr])), XSD_INTEGER, None)) for attr, p in _PAPER_COUNTS if data.get(attr) is not None)
    if data.get("resolution_score") is not None:
        po.append((RESOLUTION_SCORE, (repr(float(data["resolution_score"])), XSD_DOUBLE, None)))
    url = data.get("url")
    if url:
        po.extend(_links(node, [(URL, url)]))
    # a page is an IRI by construction: a fixed https prefix and a percent-encoded value
    po.extend([(SAME_AS, paper_page(attr, _quote(str(data[attr]), "/:;()"))) for attr in _SAME_AS if data.get(attr)])
    return po


def _aliases(data: Mapping[str, Any], own: str, base: str) -> PredicateObjects:
    """``owl:sameAs`` the IRIs the paper's DOI, arXiv id and S2 id mint, when not its own."""
    # the graph keeps DOIs lower-cased and arXiv ids as arXiv writes them; S2 ids as given, while
    # outside papers' node ids lower-case them (identifiers.outside_paper_node_id)
    aliases = {f"{base}paper/{scheme}/{_quote(str(data[attr]).lower() if scheme == 's2' else str(data[attr]))}"
               for attr, scheme in _MINTING_IDS if data.get(attr)}  # node_iri of paper:{scheme}:{id}
    aliases.discard(own)
    return [(OWL_SAME_AS, alias) for alias in sorted(aliases)]


def _record(node: str, paper: str, data: Mapping[str, Any]) -> PredicateObjects:
    """The ``prov:Entity`` of the API record a paper's facts came from; empty if not enriched."""
    fetched_at, source = data.get("fetched_at"), data.get("source")
    if not fetched_at or not source:
        return []
    po: PredicateObjects = [(TYPE, PROV_ENTITY), (SPECIALIZATION_OF, paper)]
    if _DATETIME.match(fetched_at):
        po.append((GENERATED_AT, (fetched_at, XSD_DATETIME, None)))
    else:
        logger.warning("node %s: fetched_at %r is not an ISO 8601 date-time; left out", node, fetched_at)
    attr, page = _SOURCE_PAGES.get(source, ("", ""))
    if data.get(attr):
        po.append((DERIVED_FROM, page.format(_quote(str(data[attr])))))
    return po if len(po) > 2 else []


def _named(predicate: str, data: Mapping[str, Any], *attrs: str) -> PredicateObjects:
    name = next((data[attr] for attr in (*attrs, "label") if data.get(attr)), None)
    return [(predicate, _text(name))] if name else []


def _dataset(node: str, data: Mapping[str, Any]) -> PredicateObjects:
    po: PredicateObjects = [(TYPE, str(SDO.Dataset)), (TYPE, str(DCAT.Dataset)), *_named(TITLE, data, "name")]
    links = [(URL, data.get("url"))]
    links += [(str(DCAT.landingPage), url) for url in data.get("home_urls") or ()]
    links += [(str(DCAT.downloadURL), url) for url in data.get("download_urls") or ()]
    return po + _links(node, links)


def _task(node: str, data: Mapping[str, Any], scheme: str) -> PredicateObjects:
    po: PredicateObjects = [(TYPE, str(SKOS.Concept)), (str(SKOS.inScheme), scheme)]
    po += _named(str(SKOS.prefLabel), data, "name")
    section = data.get("section")
    if section and section != data.get("name"):
        po.append((str(SKOS.altLabel), _text(section)))
    return po


def _venue(node: str, data: Mapping[str, Any]) -> PredicateObjects:
    po: PredicateObjects = [(TYPE, str(SDO.CreativeWorkSeries))]
    if _fabio_type(data.get("name")) == str(FABIO.JournalArticle):
        po.append((TYPE, str(SDO.Periodical)))
    return po + _named(NAME, data, "name")


def _code(node: str, data: Mapping[str, Any]) -> PredicateObjects:
    return [(TYPE, str(SDO.SoftwareSourceCode)), *_links(node, [(str(SDO.codeRepository), data.get("url"))])]


def _author(node: str, data: Mapping[str, Any]) -> PredicateObjects:
    po: PredicateObjects = [(TYPE, str(FOAF.Person)), *_named(str(FOAF.name), data, "name")]
    if data.get("s2_author_id"):
        po.append((SAME_AS, f"https://www.semanticscholar.org/author/{_quote(str(data['s2_author_id']))}"))
    return po


def _collection(node: str, data: Mapping[str, Any]) -> PredicateObjects:
    return [(TYPE, str(SDO.Collection)), *_named(TITLE, data, "title")]


_DESCRIBE: dict[str, Callable[[str, Mapping[str, Any]], PredicateObjects]] = {
    "paper": _paper,
    "outside_paper": _paper,
    "dataset": _dataset,
    "venue": _venue,
    "code": _code,
    "author": _author,
    "list": _collection,
}


@collector_paused()
def to_statements(G: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> Statements:
    """Describe the graph in RDF terms: per subject IRI, its predicates and objects.

    The order is fixed (subjects sorted by IRI; per subject: types, literals, then links sorted
    by relation and object IRI), so writing the result gives byte-identical files on every run.
    Any node attribute may be ``None`` or absent: it then yields no statement.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph following the contract in ``docs/ARCHITECTURE.md``.
    base : str
        The IRI every node is minted under; must end with "/".

    Returns
    -------
    Statements
        A list of ``(subject IRI, [(predicate IRI, object), ...])``; an object is an IRI string or
        a literal ``(lexical form, datatype IRI or None, language or None)``.

    Raises
    ------
    ExportError
        If `base` does not end with "/", or a node or edge does not follow the contract.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("paper:arxiv:2305.05726", kind="paper", label="VLMs in RS", title="VLMs in RS")
    >>> G.add_node("paper:arxiv:2304.13009", kind="paper", label="Visual ChatGPT", title="Visual ChatGPT")
    >>> G.add_edge("paper:arxiv:2305.05726", "paper:arxiv:2304.13009", key="cites", is_influential=False)
    'cites'
    >>> [(s.rsplit("/", 1)[1], len(po)) for s, po in to_statements(G)]
    [('2304.13009', 2), ('2305.05726', 3)]

    See Also
    --------
    to_rdf : the same statements as an ``rdflib.Graph``.
    """
    if not base.endswith("/"):
        raise ExportError(f"RDF base {base!r} must end with '/' so node IRIs nest under it")
    nodes = sorted((node_iri(node, base), node) for node in G)
    # a link is sorted as one int, rank × len(nodes) + the target's place in IRI order: sorting
    # (rank, IRI) pairs compares strings and costs most of the time of a million citations
    place = {node: i for i, (_, node) in enumerate(nodes)}
    iris = [iri for iri, _ in nodes]
    scheme = f"{base}scheme/tasks"
    subjects: list[tuple[str, str | None]] = list(nodes)
    if any(kind == "task" for _, kind in G.nodes(data="kind")):
        subjects.append((scheme, None))
        subjects.sort(key=lambda subject: subject[0])
    statements: Statements = []
    for subject, node in subjects:
        if node is None:
            statements.append((subject, [(TYPE, str(SKOS.ConceptScheme)), (str(SKOS.prefLabel), _text("Tasks"))]))
            continue
        data = G._node[node]
        kind = data.get("kind")
        if kind == "task":
            po = _task(node, data, scheme)
        elif kind in _DESCRIBE:
            po = _DESCRIBE[kind](node, data)
        else:
            raise ExportError(f"node {node!r}: unknown kind {kind!r}; see docs/ARCHITECTURE.md")
        paper = kind == "paper" or kind == "outside_paper"
        if paper:
            po += _aliases(data, subject, base)
        po += _edges(G, node, kind == "code", place, iris)
        statements.append((subject, po))
        record = _record(node, subject, data) if paper else []
        if record:
            # "#" sorts before every character node IRIs continue with (all else is
            # percent-encoded), so the record directly follows its paper in IRI order
            statements.append((f"{subject}#record", record))
    return statements


def _edges(G: nx.MultiDiGraph, node: str, code: bool, place: Mapping[str, int], iris: list[str]) -> PredicateObjects:
    """The node's links sorted by (predicate rank, object IRI): `place` is each node's index in
    `iris`, the node IRIs sorted."""
    n = len(iris)
    keys: list[int] = []
    append = keys.append
    # networkx's own adjacency dicts: its read-only views cost a third of the export time
    for target, relations in G._succ[node].items():
        at = place[target]
        for relation, attrs in relations.items():
            rank = _RELATION_RANK.get(relation)
            if rank is None:
                if relation != "has_code":
                    raise ExportError(f"edge {node!r} → {target!r}: unknown relation {relation!r}; see docs/ARCHITECTURE.md")
                if G._node[target].get("kind") != "code":
                    raise ExportError(f"edge {node!r} → {target!r}: has_code must point to a code node; see docs/ARCHITECTURE.md")
                continue  # stated by the code node: <code> schema:isBasedOn <paper>
            append(rank * n + at)
            if rank == _CITES and attrs.get("is_influential"):
                append(_INFLUENTIAL * n + at)
    if code:  # only code nodes take has_code edges: scanning every node's citers costs a tenth
        keys.extend(_BASED_ON * n + place[source] for source, relations in G._pred[node].items() if "has_code" in relations)
    keys.sort()
    return [(_LINK_PREDICATES[key // n], iris[key % n]) for key in keys]


def _to_rdflib(term: Object) -> rdflib.term.Identifier:
    if isinstance(term, tuple):
        value, datatype, language = term
        return rdflib.Literal(value, datatype=datatype, lang=language)
    return rdflib.BNode(term[2:]) if term.startswith("_:") else rdflib.URIRef(term)


def to_rdf(G: nx.MultiDiGraph, base: str = DEFAULT_BASE) -> rdflib.Graph:
    """Return the knowledge graph as an ``rdflib.Graph`` with the project's prefixes bound.

    Holds exactly the statements of :func:`to_statements`; the module docstring gives the model.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A graph following ``docs/ARCHITECTURE.md``.
    base : str
        The IRI every node is minted under.

    Returns
    -------
    rdflib.Graph

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("task:image-captioning", kind="task", label="Image Captioning", name="Image Captioning")
    >>> g = to_rdf(G)
    >>> len(g), g.value(rdflib.URIRef(node_iri("task:image-captioning")), SKOS.prefLabel)
    (5, rdflib.term.Literal('Image Captioning'))
    """
    return statements_to_rdf(to_statements(G, base), base)


def statements_to_rdf(statements: Statements, base: str = DEFAULT_BASE) -> rdflib.Graph:
    """Return ``to_statements``' output as an ``rdflib.Graph``, so callers that also write the
    statements compute them once."""
    g = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in prefixes(base).items():
        g.bind(prefix, namespace)
    # one term per IRI, however many statements name it: a predicate or class is named in
    # most of them, a cited paper in two, and URIRef checks its text each time it is built
    iris: dict[str, rdflib.URIRef] = {}

    def iri(text: str) -> rdflib.URIRef:
        if (term := iris.get(text)) is None:
            term = iris[text] = rdflib.URIRef(text)
        return term

    g.addN(
        (iri(s), iri(p), _to_rdflib(o) if isinstance(o, tuple) or o.startswith("_:") else iri(o), g)
        for s, po in statements for p, o in po
    )
    return g


def _resource_text(term: rdflib.term.Node) -> str:
    return f"_:{term}" if isinstance(term, rdflib.BNode) else str(term)


def _from_rdflib(term: rdflib.term.Node) -> Object:
    if isinstance(term, rdflib.Literal):
        datatype = str(term.datatype) if term.datatype and str(term.datatype) != XSD_STRING else None
        return (str(term), datatype, term.language)
    return _resource_text(term)


def _statements_of(g: rdflib.Graph) -> Statements:
    # rdflib's store order depends on how the graph was filled: sort so output depends on content only
    rows = sorted((_resource_text(s), _resource_text(p), _from_rdflib(o)) for s, p, o in g)
    statements: Statements = []
    for s, p, o in rows:
        if not statements or statements[-1][0] != s:
            statements.append((s, []))
        statements[-1][1].append((p, o))
    return statements


def _prepare(g: rdflib.Graph | Statements, bound: Mapping[str, str] | None) -> tuple[Statements, dict[str, str]]:
    if isinstance(g, rdflib.Graph):
        return _statements_of(g), dict(sorted((bound or {p: str(ns) for p, ns in g.namespaces() if p}).items()))
    return g, dict(sorted((bound or prefixes()).items()))


@contextmanager
def _open(path: Path, what: str) -> Iterator[TextIO]:
    # atomically: a reader (or a killed build) never sees half a graph
    try:
        with atomic_text(path) as out:
            yield out
    except OSError as exc:
        raise ExportError(f"{path}: cannot write {what} ({exc}); check the folder exists and is writable") from exc


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
# as they are, a "." inside too, the characters of _LOCAL_ESCAPED elsewhere after a backslash
_PN_CHARS_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
                  "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_FIRST_NAME_CHAR = re.compile(f"[{_PN_CHARS_BASE}_:0-9]").fullmatch
_NAME_CHAR = re.compile(f"[{_PN_CHARS_BASE}_:0-9\u00b7\u0300-\u036f\u203f\u2040-]").fullmatch
_PLAIN_LOCAL_NAME = re.compile("[A-Za-z0-9_][A-Za-z0-9_-]*").fullmatch  # most: nothing to escape
_LOCAL_ESCAPED = frozenset("_~.-!$&'()*+,;=/?#@%")


def _local_name(local: str) -> str | None:
    """`local` as the local part of a prefixed name, escaped, or None if it cannot be one."""
    if _PLAIN_LOCAL_NAME(local):
        return local
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
    statements, bound = _prepare(g, bound)
    try:
        with atomic_text(path) as out:  # a reader never sees half a graph
            for chunk in _turtle(statements, bound):
                out.write(chunk)
    except ValueError as exc:  # not an IRI, or a bad language tag
        raise ExportError(f"RDF term not valid: {exc}; fix the graph or its sources") from exc
    except OSError as exc:
        raise ExportError(f"{path}: cannot write Turtle ({exc}); check the folder exists and is writable") from exc


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
    statements, bound = _prepare(g, bound)
    compact = _jsonld_compactor(bound)
    dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
    with _open(path, "JSON-LD") as out:
        out.write('{\n"@context": ' + dumps(bound) + ',\n"@graph": [')
        separator = "\n"  # one node a line, streamed: the whole document can exceed 200 MB
        for node in _jsonld_nodes(statements, compact):
            out.write(separator + dumps(node))
            separator = ",\n"
        out.write("\n]\n}\n")


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
def conforming(statements: Statements, *, everything: bool = True) -> Statements:
    """Return `statements` without the values the SHACL shapes reject, each one a warning.

    One record with a value no shape allows (a DOI with a space, a versioned arXiv id from an
    API) must not stop the export of every other: the property of that node that violates a
    shape is left out, and the warning names the node and the value. Unless `everything`, only
    the :func:`list_level` statements are checked (a default ``build``); the rest pass as they are.

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
        logger.warning("%s: %s %s violates the shapes (%s); left out of the RDF",
                       focus, path, shown, message)
    kept = [(subject, [(p, o) for p, o in po if (subject, p) not in rejected])
            for subject, po in statements]
    validate(statements_to_rdf(checked(kept)))
    return kept
