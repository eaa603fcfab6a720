"""Check the curated list for the mistakes a maintainer wants CI to catch, row by row.

:func:`lint_list` is pure: it reads a parsed list, and optionally the graph (for Semantic Scholar's
canonical titles) and link statuses fetched beforehand by
:func:`~rsvlm_graph.sources.links.check_links` (the network, at the edge). Each problem is a
:class:`~.findings.Finding` naming the file and line; the rules and their severities are listed
in ``listfile/findings.py``. The list's own
``<!--lint disable/enable/ignore RULE-->`` comments silence findings where they say
(``listfile/lint_comments.py``); how the list spells venues is ``listfile/venues.py``'s.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterable
from difflib import SequenceMatcher
from urllib.parse import urlsplit

import ftfy
import networkx as nx

from ..errors import PaperMention
from ..identifiers import canonical_url, ids_from_url, normalize_title, title_similarity
from ..models import ListDocument, ListEntry
from ..sources.links import LinkCheck, LinkFailure, LinkStatus
from .curation import Curation
from .findings import Finding, Severity
from .lines import table_cells
from .lint_comments import lint_comments, silence
from .venues import is_table_row, venue_cell, venue_variants

__all__ = [
    "lint_list",
    "skipped_checks",
    "list_urls",
    "DUPLICATE_TITLE_SIMILARITY",
]

log = logging.getLogger(__name__)

#: two paper titles at least this similar (0..100) are taken for the same paper
DUPLICATE_TITLE_SIMILARITY = 95.0
#: below this similarity a title mismatch probably means the link resolved to another paper
SAME_PAPER_SIMILARITY = 70.0
#: statuses that mean the page is gone; other errors (403 bot walls, 5xx) are only warnings
GONE_STATUSES = frozenset({404, 410})

#: a link's target in a row's text; "\](" is escaped text, not a link (rows suggest writes escape
#: the brackets of outside titles)
_LINK_TARGET = re.compile(r"(?<!\\)\]\(([^)]*)\)")
_VENUE_CELL = re.compile(r"^(?:\S.*\s)?(?:19|20)\d\d$")
_HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def _row_urls(entry: ListEntry) -> list[str]:
    """Every link target of a row: the parsed ones, and any the parser could not read."""
    urls = [entry.url, *entry.code_urls, *entry.home_urls, *entry.download_urls]
    urls += [target.strip() for target in _LINK_TARGET.findall(entry.raw)]
    return list(dict.fromkeys(u for u in urls if u is not None))


def _is_wellformed(url: str) -> bool:
    if not url or any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a malformed port
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and ("." in host or host == "localhost")


def list_urls(document: ListDocument, curation: Curation | None = None) -> list[str]:
    """Return every well-formed link of the list once, sorted: what ``--online`` checks; links
    the curation file's ``[links] allowlist`` names are left out."""
    urls = {u for e in document.entries for u in _row_urls(e) if _is_wellformed(u)}
    return sorted(u for u in urls if curation is None or not curation.is_link_allowed(u))


def _finding(
    document: ListDocument, line: int, severity: Severity, code: str, message: str
) -> Finding:
    return Finding(document.path, line, severity, code, message)


def _parse_problems(document: ListDocument) -> Iterable[Finding]:
    for problem in document.problems:
        line = getattr(problem, "line", None) or 0
        reason = getattr(problem, "reason", None) or str(problem)
        if isinstance(problem, PaperMention):
            # a tools or contests table citing a paper: said, yet nothing of the list is lost
            yield _finding(document, line, "warning", "paper-mention", reason)
        else:
            yield _finding(document, line, "error", "parse-error", reason)


def _paper_keys(entry: ListEntry) -> list[tuple[str, str]]:
    """What tells a row's paper: its link, its identifiers, and those its curation pin gives (a
    row pinned to the paper another row links is that paper listed twice)."""
    link = [("link", canonical_url(entry.url))] if entry.url else []
    pin = entry.pin
    pinned = [] if pin is None else [(field, value) for field, value in (
        ("s2_paper_id", pin.s2_paper_id), ("doi", pin.doi), ("arxiv_id", pin.arxiv_id)) if value]
    return [*link, *entry.ids.pairs(), *pinned]


def _ids_text(entry: ListEntry) -> str:
    """A row's identifiers as a finding names them: "arXiv 2305.05726, DOI 10.1/x"."""
    names = {"arxiv_id": "arXiv", "doi": "DOI", "ieee_id": "IEEE", "pii": "PII", "s2_paper_id": "S2"}
    return ", ".join(f"{names[field]} {value}" for field, value in entry.ids.pairs())


def _duplicates(document: ListDocument) -> Iterable[Finding]:
    """The same paper listed twice: the same link or identifier, or a near-identical title where
    a row has no identifier to tell them apart (an error). Near-identical titles of rows whose
    identifiers all differ are two papers most likely (a paper and its sequel, a workshop and a
    journal version): a ``similar-title`` warning naming both rows' ids."""
    seen: dict[tuple[str, str], ListEntry] = {}
    earlier: list[ListEntry] = []
    for entry in document.papers:
        first = next((seen[k] for k in _paper_keys(entry) if k in seen), None)
        if first is not None:
            yield _finding(
                document, entry.line, "error", "duplicate-paper",
                f"{entry.title!r} is already listed at line {first.line} ({first.section}) with "
                "the same link or identifier; keep one row",
            )
        else:
            similar = next((e for e in earlier
                            if title_similarity(e.title, entry.title) >= DUPLICATE_TITLE_SIMILARITY),
                           None)
            if similar is not None and entry.ids.pairs() and similar.ids.pairs():
                yield _finding(
                    document, entry.line, "warning", "similar-title",
                    f"{entry.title!r} ({_ids_text(entry)}) has a near-identical title to line "
                    f"{similar.line} ({_ids_text(similar)}), with other identifiers: check that "
                    "they are two papers",
                )
            elif similar is not None:
                yield _finding(
                    document, entry.line, "error", "duplicate-paper",
                    f"{entry.title!r} is already listed at line {similar.line} ({similar.section}) "
                    "with a near-identical title; keep one row",
                )
        for key in _paper_keys(entry):
            seen.setdefault(key, entry)
        earlier.append(entry)


def _missing_fields(document: ListDocument) -> Iterable[Finding]:
    for entry in document.papers:
        if not entry.venue:
            yield _finding(
                document, entry.line, "warning", "missing-venue",
                f"{entry.title!r} has no venue; write 'Published in' as '<venue> <year>'",
            )
        if entry.year is None:
            yield _finding(
                document, entry.line, "warning", "missing-year", f"{entry.title!r} has no year"
            )
        if not entry.url:
            yield _finding(
                document, entry.line, "warning", "missing-link",
                f"{entry.title!r} links to no paper; link its title to the paper's page",
            )


def _row_shape(document: ListDocument) -> Iterable[Finding]:
    by_table: dict[tuple[str, str], list[ListEntry]] = defaultdict(list)
    for entry in document.entries:
        if is_table_row(entry):
            by_table[(entry.kind, entry.section)].append(entry)
    for entries in by_table.values():
        counts = [len(table_cells(e.raw)) for e in entries]
        usual = Counter(counts).most_common(1)[0][0]
        for entry, count in zip(entries, counts):
            if count != usual:
                yield _finding(
                    document, entry.line, "warning", "cell-count",
                    f"row has {count} cells, the other rows of '{entry.section}' have {usual}",
                )
    for entry in document.papers:
        # only a cell holding venue and year has a format to keep; a Venue column beside a Year
        # column rightly holds the venue alone
        cell = venue_cell(entry)
        if cell is not None and _HAS_YEAR.search(cell) and not _VENUE_CELL.match(cell):
            yield _finding(
                document, entry.line, "warning", "venue-format",
                f"'Published in' reads {cell!r}; write '<venue> <year>'",
            )


def _mojibake(document: ListDocument) -> Iterable[Finding]:
    for entry in document.entries:
        fixed = ftfy.fix_text(entry.raw)
        if fixed == entry.raw:
            continue
        ops = SequenceMatcher(None, entry.raw, fixed, autojunk=False).get_opcodes()
        _, i1, i2, j1, j2 = next(op for op in ops if op[0] != "equal")
        yield _finding(
            document, entry.line, "warning", "mojibake",
            f"{entry.raw[i1:i2]!r} is mis-decoded text; write {fixed[j1:j2]!r}",
        )


def _link_finding(status: LinkStatus, url: str, allowed: Container[int] = ()
                  ) -> tuple[Severity, str, str] | None:
    """Severity, code and message for a link's status; ``None`` when it answered well, or with a
    status the curation file allows."""
    if isinstance(status, int) and status in allowed:
        return None
    if isinstance(status, LinkFailure):
        if status.kind == "unresolved":  # check_links says so only while other hosts answer
            host = urlsplit(url).hostname
            return ("error", "dead-link", f"{url}: its host {host} does not exist ({status}) "
                    "while other hosts answer; replace or remove the link")
        return "warning", "link-status", f"{url} did not answer now ({status}); check it later"
    if status in GONE_STATUSES:
        return "error", "dead-link", f"{url} is gone (HTTP {status}); replace or remove the link"
    if status >= 500:
        return ("warning", "link-status",
                f"{url} did not answer now (HTTP {status}); check it later")
    if status >= 400:
        return "warning", "link-status", f"{url} answered HTTP {status}; check it in a browser"
    return None


def _urls(document: ListDocument, links: LinkCheck | None,
          curation: Curation | None) -> Iterable[Finding]:
    status = links.status if links is not None else {}
    allowed = curation.allowed_statuses if curation is not None else frozenset()
    for entry in document.entries:
        for url in _row_urls(entry):
            if not _is_wellformed(url):
                yield _finding(
                    document, entry.line, "error", "malformed-url",
                    f"link {url!r} is not an absolute http(s) URL",
                )
            elif url in status and (found := _link_finding(status[url], url, allowed)) is not None:
                yield _finding(document, entry.line, *found)


def _canonical_titles(graph: nx.MultiDiGraph) -> dict[int, str]:
    """Map list lines to Semantic Scholar's title of the paper on that line."""
    titles = {}
    for _, attrs in graph.nodes(data=True):
        if attrs.get("kind") == "paper" and attrs.get("s2_title"):
            for line in attrs.get("lines") or (attrs.get("line"),):
                if line is not None:
                    titles[line] = attrs["s2_title"]
    return titles


def _title_mismatch(document: ListDocument, graph: nx.MultiDiGraph | None) -> Iterable[Finding]:
    titles = _canonical_titles(graph) if graph is not None else {}
    for entry in document.papers:
        if not entry.title_from_list:  # a row naming its model ("SatMAE") gives no title to check
            continue
        canonical = titles.get(entry.line)
        if canonical is None or normalize_title(canonical) == normalize_title(entry.title):
            continue
        similarity = title_similarity(entry.title, canonical)
        hint = (
            "fix the title"
            if similarity >= SAME_PAPER_SIMILARITY
            else "check the link: it may resolve to another paper"
        )
        yield _finding(
            document, entry.line, "warning", "title-mismatch",
            f"title differs from Semantic Scholar's {canonical!r} (similarity {similarity:.0f}); "
            f"{hint}",
        )


def _fold(name: str) -> str:
    """A name with case, spacing and punctuation ignored and the letters of every script kept
    ("RS-5M" is "rs5m"; "吉林一号" stays itself rather than folding to nothing)."""
    return normalize_title(name).replace(" ", "")


def _title_prefix(title: str) -> str | None:
    """The name a paper gives itself before a colon ("RS5M: A Large Scale …" → "rs5m")."""
    head, colon, _ = title.partition(":")
    return (_fold(head) or None) if colon else None


def _unlinked_datasets(document: ListDocument) -> Iterable[Finding]:
    papers = document.papers
    paper_links = {canonical_url(p.url) for p in papers if p.url}
    for dataset in document.datasets:
        link = canonical_url(dataset.url) if dataset.url else None
        if link in paper_links:
            continue  # it links a listed paper: the graph joins them
        ids = ids_from_url(dataset.url) if dataset.url else None
        own = {canonical_url(u) for u in (dataset.url, *dataset.home_urls) if u}
        for paper in papers:
            paper_link = canonical_url(paper.url) if paper.url else None
            if paper_link is None:
                continue
            same_ids = ids is not None and not set(ids.pairs()).isdisjoint(_paper_keys(paper))
            via_code = bool(own & {canonical_url(u) for u in paper.code_urls})
            via_name = _title_prefix(paper.title) == _fold(dataset.title)
            if not (same_ids or via_code or via_name):
                continue
            how = (
                "the same paper under another URL" if same_ids
                else "the paper's code/project page" if via_code
                else "no paper" if link is None
                else "another page"
            )
            yield _finding(
                document, dataset.line, "warning", "unlinked-dataset-paper",
                f"dataset {dataset.title!r} is introduced by {paper.title!r} (line {paper.line}) "
                f"but links {how}; link {paper.url}",
            )
            break


def lint_list(
    document: ListDocument,
    *,
    graph: nx.MultiDiGraph | None = None,
    curation: Curation | None = None,
    links: LinkCheck | None = None,
) -> list[Finding]:
    """Return every problem found in a parsed list, sorted by line.

    "Unlinked dataset paper": a dataset row D and a listed paper P where P introduces D — D's link
    names P's identifier (arXiv id, DOI, IEEE number, PII), or D's link or home page is one of
    P's code/project links, or P's title begins with D's name and a colon ("RS5M: …" for
    "RS-5M", punctuation and case ignored) — yet D's link is not P's paper link (compared with
    ``canonical_url``). The graph cannot join such a dataset to its paper by link, and readers
    cannot follow it to the paper.

    Parameters
    ----------
    document : ListDocument
        The parsed list.
    graph : networkx.MultiDiGraph, optional
        The built graph; its list papers' ``s2_title`` (Semantic Scholar's canonical title, set
        by enrichment) drives the ``title-mismatch`` check, which is skipped without it.
    curation : Curation, optional
        Venue aliases: spellings the curation file maps to one venue count as variants; the
        HTTP statuses its ``[links] allowed_statuses`` names make no link finding.
    links : LinkCheck, optional
        ``check_links`` results; without them no ``dead-link``/``link-status`` findings, nor for
        the links it left unchecked.

    Returns
    -------
    findings : list of Finding
        Sorted by line, then code (``listfile/findings.py`` lists codes and severities); those
        the list's ``<!--lint …-->`` comments silence are left out.

    Examples
    --------
    >>> from rsvlm_graph.models import ListEntry
    >>> row = ListEntry("paper", "RemoteGLM", None, "VLM", "VLM", 42, "|RemoteGLM|2023|-|",
    ...                 year=2023)
    >>> [f.code for f in lint_list(ListDocument("list.md", "L", (row,)))]
    ['missing-link', 'missing-venue']

    See Also
    --------
    skipped_checks : which checks could not run, and why
    check_links : the link statuses for ``link_status``
    """
    found = [
        *_parse_problems(document),
        *_duplicates(document),
        *_missing_fields(document),
        *_row_shape(document),
        *venue_variants(document, curation),
        *_mojibake(document),
        *_urls(document, links, curation),
        *_title_mismatch(document, graph),
        *_unlinked_datasets(document),
    ]
    findings = silence(found, lint_comments(document.text), document.path)
    return sorted(findings, key=lambda f: (f.line, f.code, f.message))


def skipped_checks(
    *,
    graph: nx.MultiDiGraph | None = None,
    links: LinkCheck | None = None,
) -> list[str]:
    """Return one sentence per check ``lint_list`` could not run with these inputs, and why."""
    skipped = []
    if graph is None or not _canonical_titles(graph):
        skipped.append(
            "title-mismatch skipped: no paper has a Semantic Scholar title yet "
            "(run `rsvlm-graph enrich`, then lint again)"
        )
    if links is None:
        skipped.append("dead-link skipped: links are checked only with --online")
    elif links.unchecked:
        total = len(links.status) + len(links.unchecked)
        which = (f"none of the {total} link(s) was checked" if not links.status
                 else f"{len(links.unchecked)} of the {total} link(s) were not checked")
        skipped.append(
            f"dead-link skipped: the network is unavailable ({links.unavailable}); {which}; "
            "run `rsvlm-graph lint --online` again when online"
        )
    return skipped
