"""Check the curated list for the mistakes a maintainer wants CI to catch, row by row.

:func:`lint_list` is pure: it reads a parsed list, and optionally the graph (for Semantic Scholar's
canonical titles) and link statuses fetched beforehand by
:func:`~rsvlm_graph.sources.links.check_links` (the network, at the edge). Each problem is a
:class:`Finding` naming the file and line.

Findings and their severity (errors make ``rsvlm-graph lint`` exit 1; links left unchecked
because the network is unavailable, and no error, exit 3):

=========================  ========  ===========================================================
code                       severity  meaning
=========================  ========  ===========================================================
``parse-error``            error     the parser skipped or only partly read a row
``paper-mention``          warning   a paper linked in passing by a table that lists no papers
``duplicate-paper``        error     a paper listed again (same link, identifier or ~same title)
``malformed-url``          error     a link that is not an absolute http(s) URL
``dead-link``              error     ``--online``: 404/410, or the host's name does not resolve
                                     while other hosts answer
``link-status``            warning   ``--online``: another HTTP error (403 from bot walls), or
                                     no answer now (5xx, a timeout, a refused connection)
``missing-venue``          warning   a paper row without a venue in "Published in"
``missing-year``           warning   a paper row without a year
``missing-link``           warning   a paper row whose title links nowhere
``venue-format``           warning   the "Published in" cell is not ``<venue> <year>``
``venue-variants``         warning   one venue spelled two ways across the list
``cell-count``             warning   a row with fewer or more cells than its table's other rows
``mojibake``               warning   text that was decoded with the wrong encoding ("â€“")
``title-mismatch``         warning   the title differs from Semantic Scholar's canonical title
``unlinked-dataset-paper`` warning   a dataset whose introducing paper is listed, not linked
=========================  ========  ===========================================================
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from typing import Any, Literal
from urllib.parse import urlsplit

import ftfy
import networkx as nx

from ..errors import PaperMention
from ..identifiers import (
    canonical_url,
    ids_from_url,
    normalize_title,
    normalize_venue,
    title_similarity,
    venue_key,
    venue_words,
)
from ..models import ListDocument, ListEntry
from ..output import format_records
from ..sources.links import LinkCheck, LinkFailure, LinkStatus
from .curation import Curation
from .parse import is_bullet_line, split_venue_year

__all__ = [
    "Finding",
    "lint_list",
    "skipped_checks",
    "list_urls",
    "has_errors",
    "format_findings",
    "venue_spelling",
    "FindingsFormat",
    "FINDING_FIELDS",
    "DUPLICATE_TITLE_SIMILARITY",
]

log = logging.getLogger(__name__)

Severity = Literal["error", "warning"]

#: two paper titles at least this similar (0..100) are taken for the same paper
DUPLICATE_TITLE_SIMILARITY = 95.0
#: below this similarity a title mismatch probably means the link resolved to another paper
SAME_PAPER_SIMILARITY = 70.0
#: statuses that mean the page is gone; other errors (403 bot walls, 5xx) are only warnings
GONE_STATUSES = frozenset({404, 410})

_LINK_TARGET = re.compile(r"\]\(([^)]*)\)")
_VENUE_CELL = re.compile(r"^(?:\S.*\s)?(?:19|20)\d\d$")
_HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_WRITTEN_VENUE = re.compile(r"^(.*?\S)[^\w)\]]*\s+(?:19|20)\d\d\W*$")  # "(…)" stays whole


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one line of the list; ``str()`` is the ``path:line: severity [code] message``
    form that editors and CI annotate."""

    path: str
    line: int
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity} [{self.code}] {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _cells(raw: str) -> list[str]:
    """Split a table row into its cells as Markdown does: outer pipes are optional."""
    text = raw.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", text)]


def _is_table_row(entry: ListEntry) -> bool:
    return "|" in entry.raw and not is_bullet_line(entry.raw)


def _venue_cell(entry: ListEntry) -> str | None:
    """The cell of a table row that the parser read the venue from, found by its content: tables
    put the venue in any column ("| Year | Title | Venue |"), so its position says nothing."""
    if not entry.venue or not _is_table_row(entry):
        return None
    return next((cell for cell in _cells(entry.raw) if split_venue_year(cell)[0] == entry.venue),
                None)


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


def list_urls(document: ListDocument) -> list[str]:
    """Return every well-formed link of the list once, sorted: what ``--online`` checks."""
    return sorted({u for e in document.entries for u in _row_urls(e) if _is_wellformed(u)})


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
    link = [("link", canonical_url(entry.url))] if entry.url else []
    return [*link, *entry.ids.pairs()]


def _duplicates(document: ListDocument) -> Iterable[Finding]:
    seen: dict[tuple[str, str], ListEntry] = {}
    earlier: list[ListEntry] = []
    for entry in document.papers:
        first = next((seen[k] for k in _paper_keys(entry) if k in seen), None)
        how = "the same link or identifier"
        if first is None:
            first = next(
                (
                    e for e in earlier
                    if title_similarity(e.title, entry.title) >= DUPLICATE_TITLE_SIMILARITY
                ),
                None,
            )
            how = "a near-identical title"
        if first is not None:
            yield _finding(
                document, entry.line, "error", "duplicate-paper",
                f"{entry.title!r} is already listed at line {first.line} ({first.section}) with "
                f"{how}; keep one row",
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
        if _is_table_row(entry):
            by_table[(entry.kind, entry.section)].append(entry)
    for entries in by_table.values():
        counts = [len(_cells(e.raw)) for e in entries]
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
        cell = _venue_cell(entry)
        if cell is not None and _HAS_YEAR.search(cell) and not _VENUE_CELL.match(cell):
            yield _finding(
                document, entry.line, "warning", "venue-format",
                f"'Published in' reads {cell!r}; write '<venue> <year>'",
            )


def _written_venue(entry: ListEntry) -> str | None:
    """The venue as the row spells it: the parser tidies ``entry.venue`` ("arxiv" → "arXiv")."""
    if not entry.venue:
        return None
    cell = _venue_cell(entry)
    if cell is None:
        return entry.venue
    written = _WRITTEN_VENUE.match(cell)
    return written.group(1) if written else cell


def _fold(name: str) -> str:
    """A name with case, spacing and punctuation ignored and the letters of every script kept
    ("RS-5M" is "rs5m"; "吉林一号" stays itself rather than folding to nothing)."""
    return normalize_title(name).replace(" ", "")


def _word_at(words: Sequence[str], index: int) -> str:
    """The word holding the `index`-th letter of the words run together."""
    for word in words:
        if index < len(word):
            return word
        index -= len(word)
    return ""


def _one_letter_apart(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether two venues (their ``venue_words``) differ in one swapped letter of a cased script
    inside a word of at least five letters on both sides: "JSTARG"/"J-STARS" is a typo. In a short
    acronym each letter is a word ("IEEE TGRS"/"IEEE MGRS": Transactions, Magazine; "CVPR"/
    "ICCV"), an inserted letter is another venue ("CVPR"/"CVPRW", a workshop), and a Chinese
    character is a word ("遥感学报"/"测绘学报"): none of these counts."""
    joined_a, joined_b = "".join(a), "".join(b)
    if len(joined_a) != len(joined_b):
        return False
    differ = [i for i, (x, y) in enumerate(zip(joined_a, joined_b)) if x != y]
    if len(differ) != 1:
        return False
    (i,) = differ
    cased = all(ch.upper() != ch for ch in (joined_a[i], joined_b[i]))
    return cased and min(len(_word_at(a, i)), len(_word_at(b, i))) >= 5


def _canonical_venue(spelling: str, curation: Curation | None) -> str:
    """The venue with the curation's aliases applied (tidied by ``normalize_venue``)."""
    return curation.canonical_venue(spelling) if curation is not None else normalize_venue(spelling)


def _venue_key(spelling: str, curation: Curation | None) -> str:
    """What two spellings of one venue share: the curation's aliases applied, then ``venue_key``,
    the comparison the curation's alias lookup makes too."""
    return venue_key(_canonical_venue(spelling, curation))


def _spellings(document: ListDocument) -> dict[str, list[ListEntry]]:
    """Each venue spelling as the rows write it, with its rows in list order."""
    rows: dict[str, list[ListEntry]] = defaultdict(list)
    for entry in document.papers:
        if spelling := _written_venue(entry):
            rows[spelling].append(entry)
    return rows


def _house_style(names: Iterable[str], rows: Mapping[str, Sequence[ListEntry]]) -> str:
    """The most used spelling is the house style; ties go to the one written first."""
    return max(names, key=lambda s: (len(rows[s]), -rows[s][0].line))


def venue_spelling(document: ListDocument, curation: Curation | None = None) -> Callable[[str], str]:
    """Return how the list spells a venue named elsewhere (Semantic Scholar's name of it).

    A name with the key of spellings the list uses (the curation's ``venue_aliases`` applied,
    then ``venue_key``: case, punctuation, a publisher and a year ignored, as ``venue-variants``
    compares them) is written as the list's house style of it, so a suggested row adds no
    variant; any other name is its canonical form. Only equal keys count: names one letter apart ("IEEE TGRS",
    "IEEE MGRS") may be two venues.

    >>> row = ListEntry("paper", "A", "a", "VQA", "VQA", 3, "[A](a)|arxiv 2023|-", venue="arXiv")
    >>> spell = venue_spelling(ListDocument("l.md", "L", (row,)))
    >>> spell("arXiv.org"), spell("Remote Sensing")
    ('arxiv', 'Remote Sensing')
    """
    rows = _spellings(document)
    members: dict[str, list[str]] = defaultdict(list)
    for spelling in rows:
        members[_venue_key(spelling, curation)].append(spelling)
    house = {key: _house_style(names, rows) for key, names in members.items()}

    def spell(name: str) -> str:
        return house.get(_venue_key(name, curation), _canonical_venue(name, curation))

    return spell


def _venue_variants(document: ListDocument, curation: Curation | None) -> Iterable[Finding]:
    rows = _spellings(document)
    # union spellings with the same key or one letter apart
    words = {s: venue_words(_canonical_venue(s, curation)) for s in rows}
    group = {s: _venue_key(s, curation) for s in rows}
    spellings = list(rows)
    for i, a in enumerate(spellings):
        for b in spellings[i + 1:]:
            if group[a] != group[b] and _one_letter_apart(words[a], words[b]):
                old, new = group[b], group[a]
                group = {s: new if g == old else g for s, g in group.items()}
    members: dict[str, list[str]] = defaultdict(list)
    for spelling in spellings:
        members[group[spelling]].append(spelling)
    for names in members.values():
        if len(names) < 2:
            continue
        preferred = _house_style(names, rows)
        lines = ", ".join(str(e.line) for e in rows[preferred])
        for spelling in names:
            if spelling == preferred:
                continue
            for entry in rows[spelling]:
                yield _finding(
                    document, entry.line, "warning", "venue-variants",
                    f"venue spelled {spelling!r} here and {preferred!r} on lines {lines}; "
                    "use one spelling",
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


def _link_finding(status: LinkStatus, url: str) -> tuple[Severity, str, str] | None:
    """Severity, code and message for a link's status; ``None`` when it answered well."""
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


def _urls(document: ListDocument, links: LinkCheck | None) -> Iterable[Finding]:
    status = links.status if links is not None else {}
    for entry in document.entries:
        for url in _row_urls(entry):
            if not _is_wellformed(url):
                yield _finding(
                    document, entry.line, "error", "malformed-url",
                    f"link {url!r} is not an absolute http(s) URL",
                )
            elif url in status and (found := _link_finding(status[url], url)) is not None:
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
        Venue aliases: spellings the curation file maps to one venue count as variants.
    links : LinkCheck, optional
        ``check_links`` results; without them no ``dead-link``/``link-status`` findings, nor for
        the links it left unchecked.

    Returns
    -------
    findings : list of Finding
        Sorted by line, then code; the module docstring lists codes and severities.

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
    findings = [
        *_parse_problems(document),
        *_duplicates(document),
        *_missing_fields(document),
        *_row_shape(document),
        *_venue_variants(document, curation),
        *_mojibake(document),
        *_urls(document, links),
        *_title_mismatch(document, graph),
        *_unlinked_datasets(document),
    ]
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


def has_errors(findings: Iterable[Finding]) -> bool:
    """Return whether any finding is an error: the CLI exits 1 then."""
    return any(f.severity == "error" for f in findings)


FindingsFormat = Literal["text", "json", "csv", "github"]


def format_findings(findings: Sequence[Finding], fmt: FindingsFormat = "text") -> str:
    """Render findings one per line (``text``), as a JSON array of objects (``json``), as CSV
    with the same fields (``csv``), or as GitHub Actions workflow commands (``github``:
    ``::error file=…,line=…,title=…::message``), which GitHub shows as annotations on the row.

    Examples
    --------
    >>> print(format_findings([Finding("kg/list.md", 7, "warning", "venue", "50%: odd, spelt")], "github"), end="")
    ::warning file=kg/list.md,line=7,title=venue::50%25: odd, spelt
    """
    if fmt == "json":
        return json.dumps([f.to_dict() for f in findings], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return format_records([f.to_dict() for f in findings], "csv", FINDING_FIELDS)
    if fmt == "github":
        return "".join(_workflow_command(f) + "\n" for f in findings)
    return "".join(f"{f}\n" for f in findings)


#: the fields of a finding, in the order of its text form: the columns of ``--format csv``
FINDING_FIELDS = ("path", "line", "severity", "code", "message")


def _workflow_command(finding: Finding) -> str:
    """One GitHub Actions annotation, escaped as the runner unescapes it (``%``, CR and LF in the
    message; ``:`` and ``,`` too in the properties)."""

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    return (f"::{finding.severity} file={prop(finding.path)},line={finding.line},"
            f"title={prop(finding.code)}::{data(finding.message)}")
