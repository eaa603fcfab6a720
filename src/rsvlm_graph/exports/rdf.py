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
acronym, ``fabio:JournalArticle`` when it names a journal (``venue_names.venue_kind``);
otherwise no FaBiO type. Provenance: a paper enriched from an API (``source`` and ``fetched_at``
set) gets a record ``<paper>#record``, a ``prov:Entity`` that is ``prov:specializationOf`` the
paper, with ``prov:generatedAtTime`` (when it was fetched) and ``prov:wasDerivedFrom`` the API page
(OpenCitations does the same). They describe the record, not the work: said of the paper itself,
``prov:generatedAtTime`` would claim the work was created when it was fetched.

IRIs are minted from node ids under one base, never from enrichment order, so they stay stable:
``paper:doi:10.1109/x`` → ``{base}paper/doi/10.1109%2Fx``. Everything outside RFC 3986's unreserved
characters is percent-encoded, so old DOIs with ``<>#"{}|\\^`` or spaces cannot break a serializer;
a "." or ".." path segment is written "%2E" (a reader resolving IRIs would drop it), and links
have theirs resolved, so every reader reads the IRIs written.
A list paper keeps the IRI of the id the list gives even when a better one is found;
``owl:sameAs`` links it to the IRIs its DOI, arXiv id and S2 id would mint, so the IRI it had as an
outside paper (``paper/s2/…``) still leads to it.

Building and writing are split (STYLE rule 9). :func:`to_statements` describes the graph as plain
Python strings and tuples, subjects in IRI order; :func:`to_rdf` turns them into an ``rdflib.Graph``
for SPARQL, SHACL and Python users. The writers (:mod:`.turtle`, :mod:`.jsonld`) take either, and
:mod:`.shacl` checks them against the shapes.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import quote

import networkx as nx
import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, SDO, SKOS, XSD

from ..errors import ExportError
from ..identifiers import paper_page
from ..venue_names import venue_kind
from . import collector_paused
from .vocab import CITO, FABIO, PRISM, RSVLM

__all__ = [
    "DEFAULT_BASE",
    "Literal",
    "Object",
    "Statements",
    "node_iri",
    "prefixes",
    "to_statements",
    "to_rdf",
    "statements_to_rdf",
    "writable",
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
# A "." or ".." path segment: a Turtle reader that resolves IRIs as RFC 3986 §5.2 says (rapper)
# removes it, others (rdflib, pyoxigraph) keep it. So minted IRIs write its dots as "%2E" and
# links have it resolved, and every reader reads the same IRI.
_DOT_SEGMENT = re.compile(r"(?:^|(?<=/))\.\.?(?=/|$)")
_IRI_PARTS = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*:(?://[^/?#]*)?)([^?#]*)(.*)", re.DOTALL)  # RFC 3986 app. B

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
        return f"{base}{head}/{scheme}/{_path(value)}"
    if head == "code":
        return f"{base}code/{_path(rest, '/')}"
    return f"{base}{head}/{_path(rest)}"


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


def _path(value: str, safe: str = "") -> str:
    """`value` quoted as the end of an IRI's path (its "/" kept if `safe` holds it), a "." or
    ".." segment written with "%2E": a reader resolving the IRI would remove it (``_DOT_SEGMENT``)."""
    quoted = _quote(value, safe)
    if "/." not in quoted and not quoted.startswith("."):
        return quoted
    return _DOT_SEGMENT.sub(lambda dots: dots[0].replace(".", "%2E"), quoted)


def _resolved(iri: str) -> str:
    """`iri` with its "." and ".." path segments removed (RFC 3986 §5.2.4), as a reader that
    resolves IRIs reads it; the same resource, for a link.

    >>> _resolved("https://e.org/a/b/../c/./d/..?q=/../#/./")
    'https://e.org/a/c/?q=/../#/./'
    """
    parts = _IRI_PARTS.fullmatch(iri)
    if parts is None or _DOT_SEGMENT.search(parts[2]) is None:
        return iri
    path, output = parts[2], list[str]()
    while path:  # the algorithm of §5.2.4, step by step
        if path.startswith(("../", "./")):
            path = path.partition("/")[2]
        elif path.startswith(("/./", "/../")) or path in ("/.", "/.."):
            segment, _, rest = path[1:].partition("/")
            if segment == ".." and output:
                output.pop()
            path = "/" + rest
        elif path in (".", ".."):
            path = ""
        else:
            end = path.find("/", 1)
            end = len(path) if end < 0 else end
            output.append(path[:end])
            path = path[end:]
    return parts[1] + "".join(output) + parts[3]


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
    iri = _resolved(_quote(url.strip(), _URL_SAFE))
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


#: FaBiO's type of a paper by the kind of its venue (``venue_names.venue_kind``)
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
    # S2's spelling of the title, and the list's name of a paper it gives no title (an alias)
    for other in dict.fromkeys((s2_title, data.get("alias"))):
        if other and other != title:
            po.append((ALTERNATIVE, _text(other)))
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
    po.extend([(SAME_AS, paper_page(attr, _path(str(data[attr]), "/:;()"))) for attr in _SAME_AS if data.get(attr)])
    return po


def _aliases(data: Mapping[str, Any], own: str, base: str) -> PredicateObjects:
    """``owl:sameAs`` the IRIs the paper's DOI, arXiv id and S2 id mint, when not its own."""
    # the graph keeps DOIs lower-cased and arXiv ids as arXiv writes them; S2 ids as given, while
    # outside papers' node ids lower-case them (identifiers.outside_paper_node_id)
    aliases = {f"{base}paper/{scheme}/{_path(str(data[attr]).lower() if scheme == 's2' else str(data[attr]))}"
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


def writable(g: rdflib.Graph | Statements, bound: Mapping[str, str] | None) -> tuple[Statements, dict[str, str]]:
    """What a writer writes: the statements of `g` (an rdflib graph's sorted, so the output
    depends on its content only) and the prefixes to bind, sorted (`bound`, else the graph's own
    or :func:`prefixes`)."""
    if isinstance(g, rdflib.Graph):
        return _statements_of(g), dict(sorted((bound or {p: str(ns) for p, ns in g.namespaces() if p}).items()))
    return g, dict(sorted((bound or prefixes()).items()))
