"""The curation file (``kg/curation.toml``): human decisions layered over the list.

It holds what cannot be read from the list itself: name aliases for tasks, datasets and venues,
pins (this row *is* that paper), rows to ignore, and rejections (this paper is *not* a match or
not wanted). ``docs/curation.md`` describes every key. Reading is strict: a misspelt key is an
error rather than a silently ignored decision.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ..base_iri import check_base_iri
from ..errors import IdentifierError, ListParseError
from ..files import append_atomic
from ..identifiers import (
    canonical_url,
    is_s2_paper_id,
    normalize_arxiv_id,
    normalize_doi,
    normalize_title,
    title_similarity,
)
from ..models import ListDocument, ListEntry, Pin
from ..venue_names import normalize_venue, venue_key

__all__ = [
    "Pin",
    "Rejection",
    "Curation",
    "curate",
    "load_curation",
    "append_rejections",
    "REJECT_TITLE_SIMILARITY",
    "unusable_source",
]

logger = logging.getLogger(__name__)

#: ``title_similarity`` at or above which a paper's title matches a rejected title.
REJECT_TITLE_SIMILARITY = 95.0

_TOP_LEVEL_KEYS = ("list_name", "base_iri", "ignore", "task_aliases", "dataset_aliases", "venue_aliases",
                   "pin", "reject", "peers", "links")
#: the keys of ``[links]``: what ``lint --online`` does not ask, and the statuses it takes as fine
_LINKS_KEYS = ("allowlist", "allowed_statuses")


@dataclass(frozen=True, slots=True)
class Rejection:
    """A paper (by any of its ids or its title) that must not be matched or suggested."""

    s2_paper_id: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    title: str | None = None
    reason: str = ""


def _fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _alias(aliases: Mapping[str, str], name: str, key: Callable[[str], str] = _fold) -> str:
    # Exact spelling first, then by `key` (case- and whitespace-insensitive unless told): "jstarg"
    # is "JSTARG".
    if name in aliases:
        return aliases[name]
    folded = key(name)
    for alias, canonical in aliases.items():
        if key(alias) == folded:
            return canonical
    return name


@dataclass(frozen=True, slots=True)
class Curation:
    """Every decision of the curation file; the empty ``Curation()`` changes nothing."""

    list_name: str | None = None
    base_iri: str | None = None  # the IRI the RDF export mints under; None: exports.rdf.DEFAULT_BASE
    task_aliases: Mapping[str, str] = field(default_factory=dict)
    dataset_aliases: Mapping[str, str] = field(default_factory=dict)  # alias → canonical name
    venue_aliases: Mapping[str, str] = field(default_factory=dict)
    pins: tuple[Pin, ...] = ()
    ignore: tuple[str, ...] = ()  # links or titles of list rows to skip
    rejections: tuple[Rejection, ...] = ()
    peers: tuple[str, ...] = ()  # peer lists: paths (relative to the curation file) or URLs
    #: ``lint --online`` asks no link holding one of these (awesome_bot's white list: a part of
    #: the URL, e.g. a host that refuses bots)
    link_allowlist: tuple[str, ...] = ()
    #: HTTP statuses ``lint --online`` takes as an answer (awesome_bot's ``--allow``), e.g. 403
    allowed_statuses: frozenset[int] = frozenset()

    def is_link_allowed(self, url: str) -> bool:
        """Whether ``lint --online`` leaves ``url`` unasked: it holds an allowlist item.

        >>> Curation(link_allowlist=("ieeexplore.ieee.org",)).is_link_allowed("https://ieeexplore.ieee.org/document/1")
        True
        """
        return any(item in url for item in self.link_allowlist)

    def pin_for(self, entry: ListEntry) -> Pin | None:
        """Return the pin whose `url` is the entry's link or whose `title` is its title, if any.

        Links are compared by ``canonical_url``; titles by ``normalize_title``, exactly.
        """
        url = canonical_url(entry.url) if entry.url else None
        title = normalize_title(entry.title)
        for pin in self.pins:
            if pin.url is not None and url is not None and canonical_url(pin.url) == url:
                return pin
            if pin.title is not None and normalize_title(pin.title) == title:
                return pin
        return None

    def is_ignored(self, title: str, url: str | None) -> bool:
        """Return True if the row with this title and link is listed under ``ignore``."""
        wanted_url = canonical_url(url) if url else None
        wanted_title = normalize_title(title)
        for item in self.ignore:
            if _is_link(item):
                if wanted_url is not None and canonical_url(item) == wanted_url:
                    return True
            elif normalize_title(item) == wanted_title:
                return True
        return False

    def is_rejected(self, s2_paper_id: str | None = None, doi: str | None = None,
                    arxiv_id: str | None = None, title: str | None = None) -> bool:
        """Return True if any given identifier is rejected, or the title is close to a rejected one.

        Titles match when ``title_similarity`` is at least ``REJECT_TITLE_SIMILARITY``, so a
        rejection survives the small spelling differences between sources.
        """
        return any(_rejection_matches(r, s2_paper_id, doi, arxiv_id, title)
                   for r in self.rejections)

    def canonical_task(self, name: str) -> str:
        """Return the canonical task name for `name` (``task_aliases``), else `name`."""
        return _alias(self.task_aliases, name)

    def canonical_dataset(self, name: str) -> str:
        """Return the canonical dataset name for `name` (``dataset_aliases``), else `name`."""
        return _alias(self.dataset_aliases, name)

    def canonical_venue(self, name: str) -> str:
        """Return the canonical venue for `name` (tidied by ``normalize_venue``, then
        ``venue_aliases``, looked up by ``venue_key`` as lint compares venues: "IEEE J-STARS"
        finds the alias "JSTARS", "遥感学报" never finds "测绘学报")."""
        return _alias(self.venue_aliases, normalize_venue(name), venue_key)


def curate(document: ListDocument, curation: Curation) -> ListDocument:
    """Return the document with the curation file's decisions applied: the curated entries.

    This is the one place curation touches the list; every later step (enrichment, the graph,
    discovery) reads the curated entries. Ignored rows are dropped; each entry gets its
    canonical task, its tidied and aliased ``venue_name`` and its ``pin``; datasets get their
    canonical ``dataset_name`` and the other names the curation knows them by; a pinned S2 id
    joins the ids of a row whose link carries no id (pinned DOIs and arXiv ids serve
    resolution only, so node ids stay those the list's links give); ``list_name`` renames the
    list. The text, venues and titles as written stay as they are, for lint and suggestions.
    """
    aliases_of: dict[str, list[str]] = {}
    for alias, canonical in curation.dataset_aliases.items():
        aliases_of.setdefault(canonical, []).append(alias)
    entries = []
    for entry in document.entries:
        if curation.is_ignored(entry.title, entry.url):
            logger.debug("%s:%d: %r is in the curation file's ignore list; skipped",
                      document.path, entry.line, entry.title)
            continue
        pin = curation.pin_for(entry)
        ids = entry.ids
        if pin is not None and pin.s2_paper_id and not ids.s2_paper_id:
            ids = replace(ids, s2_paper_id=pin.s2_paper_id)
        name = curation.canonical_dataset(entry.title) if entry.kind == "dataset" else None
        entries.append(replace(
            entry, ids=ids, pin=pin, task=curation.canonical_task(entry.task) if entry.task else entry.task,
            venue_name=curation.canonical_venue(entry.venue) if entry.venue else None,
            dataset_name=name, dataset_aliases=tuple(aliases_of.get(name, ())) if name else (),
        ))
    return replace(document, title=curation.list_name or document.title, entries=tuple(entries))


def _is_link(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _same_id(wanted: str | None, rejected: str | None, normalize: Callable[[str], str]) -> bool:
    if not wanted or not rejected:
        return False
    try:
        return normalize(wanted) == rejected
    except IdentifierError:
        return False


def _rejection_matches(rejection: Rejection, s2_paper_id: str | None, doi: str | None,
                       arxiv_id: str | None, title: str | None) -> bool:
    return (
        _same_id(s2_paper_id, rejection.s2_paper_id, lambda s: s.strip().lower())
        or _same_id(doi, rejection.doi, normalize_doi)
        or _same_id(arxiv_id, rejection.arxiv_id, normalize_arxiv_id)
        or (title is not None and rejection.title is not None
            and title_similarity(title, rejection.title) >= REJECT_TITLE_SIMILARITY)
    )


class _Reader:
    """Checks the parsed TOML and turns it into a ``Curation``, naming file and line on errors."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.lines = text.splitlines()

    def error(self, message: str, line: int | None = None) -> ListParseError:
        return ListParseError(f"{message}; see docs/curation.md", self.path, line)

    def table_lines(self, name: str) -> Iterator[int]:
        # tomllib reports no positions for valid TOML, so find each [[name]] header ourselves.
        header = re.compile(rf"^\s*\[\[\s*{name}\s*\]\]")
        return (number for number, line in enumerate(self.lines, 1) if header.match(line))

    def string(self, value: Any, where: str, line: int | None) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"{where} must be a non-empty string", line)
        return value.strip()

    def mapping(self, data: Mapping[str, Any], key: str) -> dict[str, str]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(f"[{key}] must be a table of \"alias\" = \"canonical name\"")
        return {self.string(alias, f"[{key}] key", None):
                self.string(name, f"[{key}].{alias}", None) for alias, name in value.items()}

    def records(self, data: Mapping[str, Any],
                key: str) -> Iterator[tuple[dict[str, Any], int | None]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"{key!r} must be written as [[{key}]] tables")
        lines = list(self.table_lines(key))
        for index, record in enumerate(value):
            yield record, lines[index] if index < len(lines) else None

    def ids(self, record: dict[str, Any], key: str, line: int | None) -> dict[str, str | None]:
        ids: dict[str, str | None] = {"s2_paper_id": None, "doi": None, "arxiv_id": None}
        try:
            if "doi" in record:
                ids["doi"] = normalize_doi(self.string(record["doi"], f"[[{key}]] doi", line))
            if "arxiv_id" in record:
                ids["arxiv_id"] = normalize_arxiv_id(
                    self.string(record["arxiv_id"], f"[[{key}]] arxiv_id", line))
        except IdentifierError as exc:
            raise self.error(f"[[{key}]]: {exc}", line) from exc
        if "s2_paper_id" in record:
            s2_id = self.string(record["s2_paper_id"], f"[[{key}]] s2_paper_id", line).lower()
            if not is_s2_paper_id(s2_id):
                raise self.error(f"[[{key}]] s2_paper_id {s2_id!r} is not 40 hex digits", line)
            ids["s2_paper_id"] = s2_id
        return ids

    def check_keys(self, record: Mapping[str, Any], allowed: Sequence[str], where: str,
                   line: int | None) -> None:
        unknown = sorted(set(record) - set(allowed))
        if unknown:
            raise self.error(f"{where} has unknown key(s) {', '.join(unknown)} "
                             f"(allowed: {', '.join(allowed)})", line)

    def base_iri(self, value: Any) -> str:
        line = next((n for n, text in enumerate(self.lines, 1) if re.match(r"\s*base_iri\s*=", text)), None)
        try:
            return check_base_iri(self.string(value, "base_iri", line))
        except IdentifierError as exc:
            raise self.error(str(exc), line) from exc

    def pins(self, data: Mapping[str, Any]) -> tuple[Pin, ...]:
        allowed = [f.name for f in fields(Pin)]
        pins = []
        seen: dict[str, tuple[Pin, int | None]] = {}  # the row a pin names, and where
        for record, line in self.records(data, "pin"):
            self.check_keys(record, allowed, "[[pin]]", line)
            ids = self.ids(record, "pin", line)
            if not any(ids.values()):
                raise self.error("[[pin]] gives none of s2_paper_id, doi, arxiv_id", line)
            url, title = (self.string(record[name], f"[[pin]] {name}", line)
                          if name in record else None for name in ("url", "title"))
            if url is None and title is None:
                raise self.error("[[pin]] needs the url or the title of the list row it pins", line)
            pin = Pin(url=url, title=title, **ids)
            for row in (f"url {url}" if url else None,
                        f"title {normalize_title(title)}" if title else None):
                if row is None:
                    continue
                earlier, at = seen.setdefault(row, (pin, line))
                if earlier is not pin and (earlier.s2_paper_id, earlier.doi, earlier.arxiv_id) != (
                        pin.s2_paper_id, pin.doi, pin.arxiv_id):
                    raise self.error(f"[[pin]] pins the row of {row.split(' ', 1)[0]} "
                                     f"{(url or title)!r} to another paper than the [[pin]] of "
                                     f"line {at}; keep one", line)
            pins.append(pin)
        return tuple(pins)

    def rejections(self, data: Mapping[str, Any]) -> tuple[Rejection, ...]:
        allowed = [f.name for f in fields(Rejection)]
        rejections = []
        for record, line in self.records(data, "reject"):
            self.check_keys(record, allowed, "[[reject]]", line)
            ids = self.ids(record, "reject", line)
            title = (self.string(record["title"], "[[reject]] title", line)
                     if "title" in record else None)
            if not any(ids.values()) and title is None:
                raise self.error("[[reject]] gives none of s2_paper_id, doi, arxiv_id, title", line)
            reason = record.get("reason", "")
            if not isinstance(reason, str):
                raise self.error("[[reject]] reason must be a string", line)
            rejections.append(Rejection(title=title, reason=reason.strip(), **ids))
        return tuple(rejections)

    def links(self, data: Mapping[str, Any]) -> tuple[tuple[str, ...], frozenset[int]]:
        """``[links]``: ``allowlist`` (parts of URLs) and ``allowed_statuses`` (HTTP codes)."""
        table = data.get("links", {})
        if not isinstance(table, dict):
            raise self.error("[links] must be a table with allowlist and allowed_statuses")
        self.check_keys(table, _LINKS_KEYS, "[links]", None)
        allowlist, statuses = table.get("allowlist", []), table.get("allowed_statuses", [])
        if not isinstance(allowlist, list):
            raise self.error("[links] allowlist must be a list of URLs or parts of URLs")
        if not isinstance(statuses, list) or not all(
                type(code) is int and 100 <= code <= 599 for code in statuses):
            raise self.error("[links] allowed_statuses must be a list of HTTP status codes (100-599)")
        return (tuple(self.string(item, "a [links] allowlist item", None) for item in allowlist),
                frozenset(statuses))

    def curation(self, data: Mapping[str, Any]) -> Curation:
        self.check_keys(data, _TOP_LEVEL_KEYS, "the curation file", None)
        list_name = data.get("list_name")
        ignore = data.get("ignore", [])
        if not isinstance(ignore, list):
            raise self.error("ignore must be a list of links or titles")
        peers = data.get("peers", [])
        if not isinstance(peers, list):
            raise self.error("peers must be a list of paths or URLs of other curated lists")
        for peer in peers:
            if isinstance(peer, str) and (problem := unusable_source(peer)) is not None:
                raise self.error(problem)
        link_allowlist, allowed_statuses = self.links(data)
        return Curation(
            list_name=self.string(list_name, "list_name", None) if list_name is not None else None,
            base_iri=self.base_iri(data["base_iri"]) if "base_iri" in data else None,
            task_aliases=self.mapping(data, "task_aliases"),
            dataset_aliases=self.mapping(data, "dataset_aliases"),
            venue_aliases=self.mapping(data, "venue_aliases"),
            pins=self.pins(data),
            ignore=tuple(self.string(item, "an ignore item", None) for item in ignore),
            rejections=self.rejections(data),
            peers=tuple(self.string(item, "a peers item", None) for item in peers),
            link_allowlist=link_allowlist,
            allowed_statuses=allowed_statuses,
        )


def _toml(path: Path, text: str) -> dict[str, Any]:
    """The curation file's TOML, or a ``ListParseError`` naming its line (tomllib recurses: an
    array nested 100,000 deep would be a RecursionError)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, exc) from exc
    except RecursionError:
        raise ListParseError("invalid TOML: nested deeper than it can be read; see docs/curation.md",
                             path) from None


def _toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> ListParseError:
    # Python 3.11's TOMLDecodeError has no lineno attribute; its message ends "(at line N, ...)".
    match = re.search(r"at line (\d+)", str(exc))
    return ListParseError(f"invalid TOML: {exc}", path, int(match[1]) if match else None)


def load_curation(path: Path) -> Curation:
    """Read the curation file at `path`.

    A missing file gives the empty ``Curation()`` (logged), so the list works without one.

    Raises
    ------
    ListParseError
        If the file is not valid TOML (with the TOML error's line), or a key or value is not
        what ``docs/curation.md`` describes.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        logger.info("no curation file at %s; using no aliases, pins or rejections", path)
        return Curation()
    except (OSError, UnicodeDecodeError) as exc:
        raise ListParseError(f"cannot read the curation file: {exc}", path) from exc
    return _Reader(path, text).curation(_toml(path, text))


def _toml_string(value: str) -> str:
    escaped = "".join(
        {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch, ch)
        if ch in '\\"\n\t\r' or ch.isprintable() else f"\\u{ord(ch):04x}"
        for ch in value
    )
    return f'"{escaped}"'


def _rejection_toml(rejection: Rejection) -> str:
    lines = ["[[reject]]"]
    for name in ("s2_paper_id", "doi", "arxiv_id", "title", "reason"):
        value = getattr(rejection, name)
        if value:
            lines.append(f"{name} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


def append_rejections(path: Path, rejections: Sequence[Rejection]) -> None:
    """Append `rejections` to the curation file as ``[[reject]]`` tables.

    The file is appended to as text, so its comments and layout stay as they are; rejections the
    file already holds (``Curation.is_rejected``) are skipped. A missing file is created.

    Raises
    ------
    ListParseError
        If the existing file is invalid, the appended text would make it invalid, or the file
        cannot be written.
    """
    path = Path(path)
    current = load_curation(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    kept: list[Rejection] = []
    for rejection in rejections:
        known = Curation(rejections=current.rejections + tuple(kept))
        if known.is_rejected(rejection.s2_paper_id, rejection.doi, rejection.arxiv_id,
                             rejection.title):
            logger.debug("already rejected, not appended: %s", rejection)
            continue
        kept.append(rejection)
    if not kept:
        return
    addition = "\n" if text and not text.endswith("\n") else ""
    addition += "".join("\n" + _rejection_toml(r) for r in kept)
    # Parse the result before writing it: a broken file would stop every later run.
    _Reader(path, text + addition).curation(_toml(path, text + addition))
    try:
        append_atomic(path, addition)
    except OSError as exc:
        raise ListParseError(f"cannot write the curation file: {exc}", path) from exc
    logger.info("appended %d rejection(s) to %s", len(kept), path)


def unusable_source(source: str) -> str | None:
    """Why a peer source can be neither read as a path nor fetched (a URL of another scheme,
    ``file://`` or ``ftp://``, would otherwise be taken for a relative path), or ``None``."""
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", source)
    if scheme and scheme[1].lower() not in ("http", "https"):
        return (f"peer list {source!r}: a {scheme[1]}:// URL cannot be read; give a path or an "
                "http(s) URL")
    return None
