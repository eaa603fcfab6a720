"""Every error rsvlm-graph raises on purpose, in one tree.

    RsvlmGraphError
    ├── ConfigError           an environment variable holds a value that cannot be used
    ├── ListParseError        the curated list (or curation file) cannot be read; carries path and line
    │   └── PaperMention      a paper linked in passing by a table that lists no papers (collected only)
    ├── IdentifierError       a string is not a valid arXiv id / DOI / other identifier
    ├── SourceError           an API answered badly or not at all, after retries
    │   ├── BadRequest        HTTP 400: the request itself is wrong; retrying cannot help
    │   ├── PagingInterrupted a citations/references page kept failing; carries the pages read
    │   ├── RateLimited       HTTP 429 that outlasted the patience (RSVLM_RATE_LIMIT_PATIENCE)
    │   ├── PaperNotFound     the API does not know the paper
    │   └── SourceDown        the source is down for the rest of the run: stop asking it
    │       ├── NetworkUnavailable  the host cannot be reached at all (DNS, refused)
    │       └── ServiceUnavailable  the host answers, but 5xx or timeouts call after call
    ├── StoreError            the cache database or the kg/ snapshot is unreadable
    ├── ExportError           an export cannot be built, written or validated
    ├── QueryError            a SPARQL query or the data it runs on cannot be read
    ├── EndpointError         a SPARQL server cannot be reached, refuses a request or answers badly
    ├── HistoryError          the citation history or the list's git history has nothing to compare
    └── UsageError            an option names nothing that exists (a format, a task, a date)

The CLI catches ``RsvlmGraphError`` once, prints its message and exits 1; everything else is a bug.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import EdgePage

__all__ = [
    "RsvlmGraphError",
    "ConfigError",
    "ListParseError",
    "PaperMention",
    "IdentifierError",
    "SourceError",
    "BadRequest",
    "PagingInterrupted",
    "RateLimited",
    "PaperNotFound",
    "SourceDown",
    "NetworkUnavailable",
    "ServiceUnavailable",
    "StoreError",
    "ExportError",
    "QueryError",
    "EndpointError",
    "HistoryError",
    "UsageError",
]


class RsvlmGraphError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(RsvlmGraphError):
    """Raised when a setting read from the environment is not a usable value; names the variable."""


class ListParseError(RsvlmGraphError):
    """Raised when a list file cannot be read or a row cannot be understood.

    ``str(err)`` starts with ``path:line:`` so editors and CI annotate the right row.
    """

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = Path(path) if path is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{message}")


class PaperMention(ListParseError):
    """A line that links a paper in passing, in a table that lists no papers (a tool's or a
    contest's paper): said like any paper link that is no entry, but nothing the list lists is
    lost, so ``lint`` warns instead of failing. Collected in ``ListDocument.problems``, never
    raised."""


class IdentifierError(RsvlmGraphError, ValueError):
    """Raised when a string is not a well-formed identifier of the kind asked for."""


class SourceError(RsvlmGraphError):
    """Raised when an API source fails after its retries; names the source and the next step."""


class BadRequest(SourceError):
    """Raised on HTTP 400: the request itself is wrong (bad id, bad field), so retrying cannot help.

    Callers that send many ids at once split the request to find the offending one.
    """


class PagingInterrupted(SourceError):
    """Raised when a citations or references page keeps failing after earlier pages were read.

    ``partial`` holds what was read, its ``next_offset`` the page that failed, so nothing read is
    lost and a later run goes on from there; ``cause`` is the error the page ended with (a
    ``NetworkUnavailable`` still means the host is down).
    """

    def __init__(self, partial: EdgePage, cause: SourceError) -> None:
        super().__init__(f"{cause} (paging stopped at offset {partial.next_offset}; the "
                         f"{len(partial.citations)} read before it are kept)")
        self.partial = partial
        self.cause = cause


class RateLimited(SourceError):
    """Raised when HTTP 429 answers outlast one request's patience (``RSVLM_RATE_LIMIT_PATIENCE``
    seconds of waiting): a failure of that request only, never "host down"."""


class PaperNotFound(SourceError):
    """Raised when the API does not know the requested paper."""


class SourceDown(SourceError):
    """Raised when a source is down for this run: every further request would only wait."""


class NetworkUnavailable(SourceDown):
    """Raised when the API host cannot be reached at all (DNS, a refused connection)."""


class ServiceUnavailable(SourceDown):
    """Raised when the host answers, but calls in a row spent their retries on 5xx or timeouts:
    the service is failing, not this machine's network."""


class StoreError(RsvlmGraphError):
    """Raised when the cache database or the committed snapshot cannot be read or written."""


class ExportError(RsvlmGraphError):
    """Raised when an export cannot be built, written or fails SHACL validation."""


class QueryError(RsvlmGraphError):
    """Raised when a SPARQL query is not valid, or its data file cannot be read as RDF."""


class EndpointError(RsvlmGraphError):
    """Raised when a SPARQL server (``publish``, ``query --endpoint``) cannot be reached, refuses a
    request (with the status and the server's own words) or answers in a form that cannot be read."""


class HistoryError(RsvlmGraphError):
    """Raised when the citation history (``kg/history``) or the list's git log cannot answer."""


class UsageError(RsvlmGraphError):
    """Raised when an option's value names nothing that exists: a format, a task, a date."""
