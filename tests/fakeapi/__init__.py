"""A fake Semantic Scholar + arXiv API for offline tests, serving SYNTHETIC data only.

``FakeApi`` (``server.py``) is a ``ThreadingHTTPServer`` on 127.0.0.1 speaking the real wire
formats, lenient by default and as strict as the real service with ``Realism`` switches
(``FakeApi(corpus, real=True)``, ``SharedPoolLimit`` for the keyless pool); ``make_corpus`` /
``corpus_for_list`` (``corpus.py``, ``scripts=True`` for names and venues in every script)
generate what it serves.
"""

from .corpus import Corpus, Edge, corpus_for_list, make_corpus, synthetic_paper_id
from .server import FakeApi, Faults, Realism, RecordedRequest, SharedPoolLimit

__all__ = [
    "Corpus",
    "Edge",
    "FakeApi",
    "Faults",
    "Realism",
    "RecordedRequest",
    "SharedPoolLimit",
    "corpus_for_list",
    "make_corpus",
    "synthetic_paper_id",
]
