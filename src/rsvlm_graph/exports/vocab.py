"""RDF vocabularies rdflib does not ship: FaBiO, CiTO, PRISM, and this project's own terms.

Each is a ``DefinedNamespace`` with ``_fail = True``, as in ``rdflib/namespace/_DCTERMS.py``: a
misspelt term raises ``AttributeError`` instead of minting a wrong IRI. Only the terms the exports
use are declared, spelled as the ontology spells them. rdflib's own ``DCTERMS``, ``SKOS``,
``FOAF``, ``SDO`` (schema.org), ``DCAT``, ``PROV``, ``XSD`` and ``RDF`` cover the rest.
"""

from __future__ import annotations

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["FABIO", "CITO", "PRISM", "RSVLM"]


class FABIO(DefinedNamespace):
    """FaBiO, the FRBR-aligned Bibliographic Ontology (SPAR).

    Source: http://purl.org/spar/fabio (https://sparontologies.github.io/fabio/current/fabio.html)
    """

    _fail = True
    _NS = Namespace("http://purl.org/spar/fabio/")

    # Classes
    ConferencePaper: URIRef  # A paper, typically the realization of a research paper reporting original research findings, usually published within a conference proceedings volume.
    JournalArticle: URIRef  # An article, typically the realization of a research paper reporting original research findings, published in a journal issue.
    Preprint: URIRef  # A draft of an article or a paper in its pre-peer-review form, usually put online (e.g. on arXiv) before publication.

    # Data properties
    hasArXivId: URIRef  # An identifier used by arXiv, the repository of preprints of scientific papers.
    hasPublicationYear: URIRef  # The year of publication of the expression, as an xsd:gYear.


class CITO(DefinedNamespace):
    """CiTO, the Citation Typing Ontology (SPAR).

    Source: http://purl.org/spar/cito (https://sparontologies.github.io/cito/current/cito.html).
    ``describes`` and ``usesDataFrom`` are sub-properties of ``cites``: never run RDFS inference
    before checking what ``cites`` points to, or every dataset would look like a cited paper.
    """

    _fail = True
    _NS = Namespace("http://purl.org/spar/cito/")

    cites: URIRef  # The citing entity cites the cited entity, either directly and explicitly or indirectly.
    describes: URIRef  # The citing entity describes the cited entity.
    usesDataFrom: URIRef  # The citing entity describes work that uses data presented in the cited entity.


class PRISM(DefinedNamespace):
    """PRISM Basic Metadata 2.0, the publishing industry's identifiers and publication facts.

    Source: http://prismstandard.org/namespaces/basic/2.0/ (as used by FaBiO and OpenCitations).
    """

    _fail = True
    _NS = Namespace("http://prismstandard.org/namespaces/basic/2.0/")

    doi: URIRef  # The Digital Object Identifier of the article, without the "https://doi.org/" prefix.
    publicationDate: URIRef  # The date the resource was published.
    publicationName: URIRef  # Title of the journal, conference or other venue the resource was published in.


class RSVLM(DefinedNamespace):
    """Terms of rsvlm-graph for facts no established vocabulary names.

    Semantic Scholar's counts, its TLDR and fields of study, arXiv categories and how a list row
    was matched to a Semantic Scholar record. IRIs resolve under https://w3id.org/rsvlm-graph/vocab#.
    """

    _fail = True
    _NS = Namespace("https://w3id.org/rsvlm-graph/vocab#")

    arxivCategory: URIRef  # An arXiv subject category of the paper, e.g. "cs.CV".
    arxivPrimaryCategory: URIRef  # The primary arXiv subject category of the paper.
    citationCount: URIRef  # Number of citing papers Semantic Scholar knows of, when fetched (xsd:integer).
    fieldOfStudy: URIRef  # A Semantic Scholar field of study of the paper, e.g. "Computer Science".
    influentialCitationCount: URIRef  # Number of citations Semantic Scholar classifies as influential (xsd:integer).
    influentiallyCites: URIRef  # Like cito:cites, for a citation Semantic Scholar classifies as influential; always stated alongside cito:cites.
    referenceCount: URIRef  # Number of references of the paper Semantic Scholar knows of (xsd:integer).
    resolutionMethod: URIRef  # How the list row was matched to Semantic Scholar: batch-arxiv, batch-doi, title-match or pinned.
    resolutionScore: URIRef  # Similarity score of a title match, 0 to 100 (xsd:double).
    tldr: URIRef  # Semantic Scholar's one-sentence machine summary of the paper.
