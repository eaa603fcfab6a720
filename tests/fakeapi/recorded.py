"""A corpus of REAL Semantic Scholar records, read from the recordings in ``../shared/reference``.

Unlike :mod:`tests.fakeapi.corpus` nothing here is generated: every paper, author, venue and
citation edge is what Semantic Scholar answered when the recordings were made, so the fake
server (``FakeApi(recorded_corpus(...))``) plays real data through the project's clients:

- ``Paper.json``: "Computing Machinery and Intelligence" (Turing 1950) with its 14 references
  and 1,000 of its citers, in full (venues in Chinese and Arabic script, accented authors);
- ``PaperWithNullValues.json``: the same paper with ``authors`` ``null``, applied on request
  (``null_values=True``), as S2 sometimes answers;
- ``test_get_papers_not_found_warning.yaml``: a real batch answer (three full records and a
  ``null`` for an unknown id);
- ``test_get_paper_references.yaml``: the references of one of those papers, with titles only
  and some ``paperId`` ``null`` (references S2 could not resolve).

Edges carry what the recordings say and nothing more: no influence flags, intents or contexts;
counts are the recorded ones (``citationCount`` 10,059 for 1,000 served citers), and no
embedding is served (none of SPECTER v2 was recorded).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .corpus import Corpus, Edge

__all__ = ["recorded_corpus", "RECORDED_PAPER_DOI", "BATCH_CASSETTE", "REFERENCES_CASSETTE"]

#: the DOI of the paper of ``Paper.json``, as S2's externalIds spell it
RECORDED_PAPER_DOI = "10.1093/MIND/LIX.236.433"
BATCH_CASSETTE = "test_get_papers_not_found_warning.yaml"
REFERENCES_CASSETTE = "test_get_paper_references.yaml"


def _cassette_bodies(path: Path) -> list[tuple[str, Any]]:
    """(request URI, decoded JSON body) of each successful interaction of a vcrpy cassette."""
    import yaml  # PyYAML: only the recordings need it

    out = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
        response = item["response"]
        status = response["status"]["code"] if "status" in response else response["status_code"]
        body = response["body"]["string"] if "body" in response else response["content"]
        if status == 200:
            out.append((item["request"]["uri"], json.loads(body)))
    return out


def _top_level(record: dict[str, Any]) -> dict[str, Any]:
    """A paper record without its nested lists: the fake serves edges from ``Corpus.edges``."""
    return {k: v for k, v in record.items() if k not in ("citations", "references")}


def recorded_corpus(reference: Path, *, null_values: bool = False) -> Corpus:
    """Return a corpus of the real records under ``reference/semanticscholar``.

    Parameters
    ----------
    reference : Path
        The ``shared/reference`` folder.
    null_values : bool
        Serve the main paper with the ``null`` fields of ``PaperWithNullValues.json``.

    Returns
    -------
    Corpus
        ``core_ids`` holds the main paper, then the papers of the recorded batch answer.
    """
    s2 = reference / "semanticscholar"
    main = json.loads((s2 / "Paper.json").read_text(encoding="utf-8"))
    corpus = Corpus(seed=0)
    record = _top_level(main)
    if null_values:
        nulls = json.loads((s2 / "PaperWithNullValues.json").read_text(encoding="utf-8"))
        record.update({k: v for k, v in nulls.items() if k in record})
    corpus.core_ids.append(corpus.add_paper(record))
    for citer in main["citations"]:
        corpus.add_paper(_top_level(citer))
        corpus.edges.append(Edge(citer["paperId"], main["paperId"]))
    for cited in main["references"]:
        corpus.add_paper(_top_level(cited))
        corpus.edges.append(Edge(main["paperId"], cited["paperId"]))
    for _, answer in _cassette_bodies(s2 / BATCH_CASSETTE):
        for paper in answer:
            if paper is not None and paper["paperId"] not in corpus.papers:
                corpus.core_ids.append(corpus.add_paper(_top_level(paper)))
    _add_recorded_references(corpus, s2 / REFERENCES_CASSETTE)
    corpus.embeddings = dict.fromkeys(corpus.papers)  # no vector was recorded: serve none
    return corpus


def _add_recorded_references(corpus: Corpus, cassette: Path) -> None:
    """Add the references a cassette recorded, for the paper it asked by DOI."""
    for uri, page in _cassette_bodies(cassette):
        citing = corpus.resolve(uri.split("/paper/", 1)[1].split("/references", 1)[0])
        if citing is None:
            continue
        for item in page["data"]:
            cited = item["citedPaper"]
            if cited["paperId"] is None:
                corpus.edges.append(Edge(citing, None, unresolved_title=cited["title"]))
                continue
            corpus.papers.setdefault(cited["paperId"], dict(cited))
            corpus.edges.append(Edge(citing, cited["paperId"]))
