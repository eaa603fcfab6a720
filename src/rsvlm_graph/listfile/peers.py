"""Peer lists: other curated lists of the field, read with this list's parser, as evidence.

A paper three other curators list but this list lacks is a strong candidate. Peer lists are
local Markdown files or raw URLs; a URL is fetched once (by the ``fetch`` function the caller
hands in: this package does no network itself) and kept in the cache directory, so later runs
(offline ones too) read the cached copy; a cached copy damaged on disk is fetched again. Matching their entries to papers is
discovery's job (``discovery.peer_listings``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import ListParseError, SourceError
from ..files import write_atomic
from ..models import ListDocument
from .curation import unusable_source
from .parse import parse_list, read_list_text

__all__ = ["PeerList", "cached_path", "is_url", "read_peer_lists"]

log = logging.getLogger(__name__)

#: (name shown in the evidence, the parsed list)
PeerList = tuple[str, ListDocument]


def is_url(source: str) -> bool:
    """Whether a peer source is a URL (``http://`` or ``https://``) rather than a path."""
    return bool(re.match(r"https?://", source, re.IGNORECASE))


def cached_path(url: str, cache_dir: Path) -> Path:
    """Where the copy of a peer list fetched from ``url`` is kept: one file per URL.

    >>> cached_path("https://example.org/a/README.md", Path("/c")).as_posix()
    '/c/peers/README-ec3f5ee6866a1247.md'
    """
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", url.rstrip("/").rsplit("/", 1)[-1])[:60]
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    name = Path(stem or "list")
    return cache_dir / "peers" / f"{name.stem}-{digest}{name.suffix or '.md'}"


def _read_url(url: str, cache_dir: Path, fetch: Callable[[str], str] | None) -> str | None:
    path = cached_path(url, cache_dir)
    if path.is_file():
        try:
            return read_list_text(path, "the cached copy of the peer list")
        except ListParseError as exc:  # a copy damaged on disk: fetch it again
            log.warning("peer list %s: %s%s", url, exc,
                        "; fetching it again" if fetch else "; left out (--offline)")
    if fetch is None:
        log.warning("peer list %s: not fetched yet and --offline; left out", url)
        return None
    try:
        text = fetch(url)
    except SourceError as exc:
        log.warning("%s; left out", exc)
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)  # a killed run must not leave half a list that reads as whole
    except OSError as exc:  # the list is still used in this run
        log.warning("peer list %s: cannot cache it in %s (%s)", url, path, exc)
    return text


def read_peer_lists(
    sources: Sequence[str | Path],
    *,
    cache_dir: Path,
    offline: bool = False,
    fetch: Callable[[str], str] | None = None,
) -> list[PeerList]:
    """Read and parse each peer list; URLs are fetched once and then read from the cache.

    Parameters
    ----------
    sources : sequence of str or Path
        Local paths (read as given) or ``http(s)://`` URLs of raw Markdown.
    cache_dir : Path
        ``Settings.cache_dir``: fetched lists go to its ``peers/`` folder.
    offline : bool
        Fetch nothing: a URL not cached yet is left out (with a warning).
    fetch : callable, optional
        ``fetch(url) -> text`` raising ``SourceError``: the network, at the edge
        (:func:`rsvlm_graph.sources.peer_lists.fetcher`; tests pass a stand-in). Without it,
        as with ``offline``, only cached copies of URLs are read.

    Returns
    -------
    list of (name, ListDocument)
        In the order given, duplicates dropped; a path's name is its file name, a URL's the URL.
        A URL that cannot be fetched is left out with a warning (the network is not the list's
        fault); its rows' problems are the peer's, and not reported.

    Raises
    ------
    ListParseError
        If a local path cannot be read (the message names it).
    """
    fetch = None if offline else fetch
    peers: list[PeerList] = []
    for source in dict.fromkeys(str(s) for s in sources):
        if (problem := unusable_source(source)) is not None:
            raise ListParseError(problem)
        if is_url(source):
            text = _read_url(source, cache_dir, fetch)
            if text is None:
                continue
            name = source
        else:
            path = Path(source)
            text = read_list_text(path, "the peer list")
            name = path.name
        document = parse_list(text, name)
        if document.papers:
            log.info("peer list %s: %d papers", name, len(document.papers))
        else:
            log.warning("peer list %s: no paper entry read (tables or bullets with a linked "
                        "title are); it adds no evidence", name)
        peers.append((name, document))
    return peers
