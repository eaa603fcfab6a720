"""A fake Semantic Scholar + arXiv API for offline tests, serving SYNTHETIC data only.

``FakeApi`` (``server.py``) is a ``ThreadingHTTPServer`` on 127.0.0.1 speaking the real wire
formats; ``make_corpus`` / ``corpus_for_list`` (``corpus.py``) generate what it serves.
"""

from .corpus import Corpus, Edge, corpus_for_list, make_corpus, synthetic_paper_id
from .server import FakeApi, Faults, RecordedRequest

__all__ = [
    "Corpus",
    "Edge",
    "FakeApi",
    "Faults",
    "RecordedRequest",
    "corpus_for_list",
    "make_corpus",
    "synthetic_paper_id",
]
