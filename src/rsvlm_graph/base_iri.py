"""The base IRI a list's RDF is minted under (``--base-iri``, ``base_iri`` in the curation file):
checked where it is read, so a bad one is one line naming it rather than a failed export."""

from __future__ import annotations

import re

from .errors import IdentifierError

__all__ = ["check_base_iri"]

# an http(s) IRI of a folder: an authority, a path of plain segments (no "." or ".."), ending "/"
_IRI_CHARS = r"(?:[^\s/?#<>\"{}|\\^`%]|%[0-9A-Fa-f]{2})+"
_BASE_IRI = re.compile(rf"https?://{_IRI_CHARS}/(?:(?!\.\.?/){_IRI_CHARS}/)*")


def check_base_iri(value: str) -> str:
    """Return `value` if it can be the base every IRI of a list is minted under, else raise.

    The base is an ``http(s)`` IRI ending in "/", with neither query, fragment nor a "." or ".."
    segment (a reader resolving IRIs would remove it), so ``{base}paper/…`` nests under it.

    >>> check_base_iri("https://example.org/my-list/")
    'https://example.org/my-list/'
    >>> check_base_iri("https://example.org/my-list")
    Traceback (most recent call last):
    ...
    rsvlm_graph.errors.IdentifierError: base IRI 'https://example.org/my-list' must be an http(s) IRI ending in '/', without query, fragment or a '.' or '..' segment (e.g. https://w3id.org/my-list/)
    """
    if not _BASE_IRI.fullmatch(value):
        raise IdentifierError(f"base IRI {value!r} must be an http(s) IRI ending in '/', without query, "
                              "fragment or a '.' or '..' segment (e.g. https://w3id.org/my-list/)")
    return value
