"""Discovery candidates as a patch to the curated list, for a maintainer to review.

The tool never rewrites the list: :func:`build_patch` returns a unified diff (``git apply`` /
``patch -p1``) that adds each candidate's row (``markdown_row``, written the way the section writes
its entries) after the last entry of its suggested section, table row or bullet, and
:func:`review_note` says why each was suggested. What the maintainer turns down goes to the
curation file through :func:`reject`, so discovery does not suggest it again; a value that names
no paper known (a typo) is refused rather than recorded, unless forced.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from ..discovery import Candidate
from ..errors import ExportError, UsageError
from ..exports.bibliography import FILE_NAMES, BibliographyFormat, bibliography_of
from ..files import write_atomic
from ..graph import paper_nodes
from ..identifiers import (
    is_s2_paper_id,
    normalize_arxiv_id,
    normalize_doi,
    slugify,
    title_similarity,
)
from ..markdown import markdown_link, markdown_text
from ..models import ListDocument, ListEntry
from .curation import REJECT_TITLE_SIMILARITY, Curation, Rejection, append_rejections
from .lines import line_ending, split_lines
from .lint import lint_list
from .parse import is_bullet_line, parse_list

__all__ = [
    "Placement",
    "KnownPaper",
    "known_papers",
    "SuggestionPlan",
    "plan_suggestions",
    "build_patch",
    "lint_checked",
    "review_note",
    "rejections_from_args",
    "reject",
    "write_suggestions",
    "references_path",
]

log = logging.getLogger(__name__)

_ARXIV_ID = re.compile(r"(?:arxiv:)?(?:\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[a-z]{2})?/\d{7})(?:v\d+)?")
_DOI = re.compile(r"(?:doi:|https?://(?:dx\.)?doi\.org/)?\s*10\.\d{4,9}/\S+")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a candidate's row goes: after line ``after_line`` (1-based) of the list."""

    after_line: int
    section: str
    candidate: Candidate


@dataclass(frozen=True, slots=True)
class SuggestionPlan:
    """Candidates with a section to go into, and those without (``reason`` each)."""

    placed: tuple[Placement, ...]
    unplaced: tuple[tuple[Candidate, str], ...]


def _is_row(line: str) -> bool:
    text = line.strip()
    # "- [Title](…) | [code](…)" holds pipes too, but is a bullet
    return bool(text) and "|" in text and not text.startswith("#") and not is_bullet_line(line)


def _table_end(lines: Sequence[str], line: int) -> int:
    """Return the last line (1-based) of the table that contains ``line``."""
    while line < len(lines) and _is_row(lines[line]):
        line += 1
    return line


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _item_end(lines: Sequence[str], entry: ListEntry) -> int:
    """Return the last line (1-based) of the bullet item ``entry`` starts: its paragraph and
    whatever is indented under it (sub-bullets, continuation paragraphs)."""
    end = number = entry.line + entry.raw.count("\n")
    marker_indent = _indent(lines[entry.line - 1])
    while number < len(lines):
        text = lines[number]
        number += 1
        if text.strip():
            if _indent(text) <= marker_indent:
                break  # the next item, or whatever follows the list
            end = number
    return end


def _heading_table(lines: Sequence[str], task: str) -> tuple[int, str] | None:
    """Find the paper section named ``task`` and its table's separator line, when it has one."""
    for number, text in enumerate(lines, start=1):
        heading = _HEADING.match(text)
        if heading is None or slugify(heading.group(2)) != slugify(task):
            continue
        following = [n for n in range(number, len(lines)) if lines[n].strip()][:2]
        if len(following) == 2 and _is_row(lines[following[0]]) and _SEPARATOR.match(
            lines[following[1]]
        ):
            return following[1] + 1, heading.group(2)
        return None
    return None


def plan_suggestions(
    list_text: str, document: ListDocument, candidates: Sequence[Candidate]
) -> SuggestionPlan:
    """Decide where each candidate's row goes: after its suggested section's last paper entry.

    The section is the one whose paper rows have ``task == candidate.suggested_task`` (compared
    as slugs). The row follows the end of the table holding the section's last entry, or, when
    that entry is a bullet, the end of its item (sub-bullets included). A section with no rows
    yet is found by its heading, and used when a table (header and separator) follows the
    heading. Candidates without a suggested task, or whose section has no entry and no table,
    are left unplaced with the reason.
    """
    lines = split_lines(list_text, keepends=True)
    placed: list[Placement] = []
    unplaced: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        task = candidate.suggested_task
        if not task:
            unplaced.append((candidate, "discovery suggested no section"))
            continue
        rows = [e for e in document.papers if slugify(e.task) == slugify(task)]
        if rows:
            section = rows[0].section
            last = max((e for e in rows if e.section == section), key=lambda e: e.line)
            end = (_item_end(lines, last) if is_bullet_line(last.raw)
                   else _table_end(lines, last.line))
            placed.append(Placement(end, section, candidate))
        elif (found := _heading_table(lines, task)) is not None:
            placed.append(Placement(_table_end(lines, found[0]), found[1], candidate))
        else:
            unplaced.append((candidate, f"the list has no paper table under {task!r}"))
    return SuggestionPlan(tuple(placed), tuple(unplaced))


def _diff_lines(old: list[str], new: list[str], list_path: str) -> str:
    out = []
    for line in difflib.unified_diff(old, new, f"a/{list_path}", f"b/{list_path}"):
        # difflib leaves a last line without newline unterminated; patch tools expect the marker
        out.append(line if line_ending(line) else f"{line}\n\\ No newline at end of file\n")
    return "".join(out)


def build_patch(
    list_text: str,
    list_path: str,
    document: ListDocument,
    candidates: Sequence[Candidate],
) -> str:
    """Return a unified diff that adds the candidates' rows to the list.

    Parameters
    ----------
    list_text : str
        The list file's text (the one ``document`` was parsed from).
    list_path : str
        The list's path relative to the repository root, POSIX form (``kg/awesome-list.md``);
        the headers read ``a/<list_path>`` and ``b/<list_path>`` for ``git apply``.
    document : ListDocument
        The parsed list: which rows belong to which section.
    candidates : sequence of Candidate
        Best first; rows going into one section keep this order.

    Returns
    -------
    patch : str
        The diff, empty when no candidate has a section to go into (see
        :func:`plan_suggestions`).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from rsvlm_graph.models import ListEntry
    >>> text = "## VQA\\n|Paper|Published in|\\n|---|---|\\n[A](a)|X 2020|\\n"
    >>> doc = ListDocument("l.md", "L", (ListEntry("paper", "A", "a", "VQA", "VQA", 4, ""),))
    >>> c = SimpleNamespace(suggested_task="VQA", markdown_row="[B](b)|Y 2024|")
    >>> print(build_patch(text, "l.md", doc, [c]), end="")
    --- a/l.md
    +++ b/l.md
    @@ -2,3 +2,4 @@
     |Paper|Published in|
     |---|---|
     [A](a)|X 2020|
    +[B](b)|Y 2024|
    """
    plan = plan_suggestions(list_text, document, candidates)
    if not plan.placed:
        return ""
    old = split_lines(list_text, keepends=True)
    return _diff_lines(old, _with_rows(old, plan), list_path)


def _with_rows(old: Sequence[str], plan: SuggestionPlan) -> list[str]:
    """The list's lines (kept ends) with the placed candidates' rows added."""
    rows_after: dict[int, list[str]] = {}
    for placement in plan.placed:
        row = " ".join(placement.candidate.markdown_row.split("\n")).rstrip()
        rows_after.setdefault(placement.after_line, []).append(row)
    rows_after = {line: _numbered_on(rows) for line, rows in rows_after.items()}
    new: list[str] = []
    for number, line in enumerate(old, start=1):
        rows = rows_after.get(number, [])
        ending = line_ending(line) or (line_ending(old[0]) if old else "") or "\n"
        if rows and not line_ending(line):
            line += ending  # the section ended the file: the new rows follow its last line
        new.append(line)
        new.extend(f"{row}{ending}" for row in rows)
    return new


_NUMBERED = re.compile(r"^(\s*)(\d+)([.)]\s)")


def _numbered_on(rows: Sequence[str]) -> list[str]:
    """Rows added after one line, numbered on where the first is a numbered bullet: each row's
    number was made as the section's last number plus one, so two rows would share it."""
    first = _NUMBERED.match(rows[0]) if rows else None
    if first is None:
        return list(rows)
    numbered = []
    for k, row in enumerate(rows):
        if (m := _NUMBERED.match(row)) is not None and m[2] == first[2]:
            row = f"{m[1]}{int(m[2]) + k}{m[3]}{row[m.end():]}"
        numbered.append(row)
    return numbered


def _lint_errors(text: str, path: str, curation: Curation | None) -> Counter[tuple[str, str]]:
    """The lint errors of a list text, each as (code, the text of its line): rows added above a
    finding move it down, so its line number cannot tell an old error from a new one."""
    lines = split_lines(text)
    document = parse_list(text, path, curation)
    return Counter((f.code, lines[f.line - 1].strip() if 0 < f.line <= len(lines) else "")
                   for f in lint_list(document, curation=curation) if f.severity == "error")


def lint_checked(
    list_text: str, document: ListDocument, candidates: Sequence[Candidate],
    curation: Curation | None = None,
) -> tuple[list[Candidate], list[tuple[Candidate, str]]]:
    """Split the candidates into those whose rows the list takes without a new ``lint`` error,
    and those left out, with the error their row would be.

    The list with every row added is linted first (rows are rarely wrong: one lint in all); when
    it has errors the list had not, the rows are added one at a time, best first, and a row that
    brings an error (a duplicate of a row with no identifier, a malformed link) is left out.
    """
    base = _lint_errors(list_text, document.path, curation)
    old = split_lines(list_text, keepends=True)

    def new_errors(chosen: Sequence[Candidate]) -> list[tuple[str, str]]:
        plan = plan_suggestions(list_text, document, chosen)
        errors = _lint_errors("".join(_with_rows(old, plan)), document.path, curation)
        return sorted((errors - base).elements())

    if not new_errors(candidates):
        return list(candidates), []
    kept: list[Candidate] = []
    left: list[tuple[Candidate, str]] = []
    for candidate in candidates:
        errors = new_errors([*kept, candidate])
        if errors:
            left.append((candidate, "its row would be a lint error (" + ", ".join(
                sorted({code for code, _ in errors})) + ")"))
        else:
            kept.append(candidate)
    return kept, left


def review_note(
    candidates: Sequence[Candidate],
    *,
    unplaced: Sequence[tuple[Candidate, str]] = (),
) -> str:
    """Return the Markdown note that goes with the patch: one entry per candidate, best first.

    Each entry gives the title linked to the paper, the section it would go into, the score,
    the Semantic Scholar id (what ``--reject`` takes) and the evidence (``why``). Candidates in
    ``unplaced`` (from :func:`plan_suggestions`) are listed again under a heading of their own,
    with the reason they are not in the patch.
    """
    out = ["# Suggested additions to the list", ""]
    if not candidates:
        out += ["Discovery found no candidate this time.", ""]
        return "\n".join(out)
    out += [
        f"{len(candidates)} candidate{'s' if len(candidates) != 1 else ''} from discovery, best "
        "first. Keep the rows you want in the patch; turn down the others with "
        '`rsvlm-graph suggest --reject <S2 id> --reason "…"` so they are not suggested again.',
        "",
    ]
    for rank, candidate in enumerate(candidates, start=1):
        year = f" ({candidate.year})" if candidate.year else ""
        out += [
            f"## {rank}. {markdown_link(candidate.title, candidate.url)}{year}",
            "",
            f"- Section: {markdown_text(candidate.suggested_task or '–')}",
            f"- Venue: {markdown_text(candidate.venue or '–')}",
            f"- Score: {candidate.score:.2f}",
            f"- Semantic Scholar id: `{candidate.s2_id or '–'}`",
            f"- Why: {markdown_text(candidate.why) or '–'}",
            "",
        ]
    if unplaced:
        out += ["## Not in the patch", ""]
        out += [f"- {markdown_text(c.title)}: {markdown_text(why)}; add it by hand if it belongs"
                for c, why in unplaced]
        out.append("")
    return "\n".join(out)


def _as_arxiv(value: str) -> str | None:
    return normalize_arxiv_id(value) if _ARXIV_ID.fullmatch(value.lower()) else None


def _as_doi(value: str) -> str | None:
    return normalize_doi(value) if _DOI.fullmatch(value.lower()) else None


@dataclass(frozen=True, slots=True)
class KnownPaper:
    """A paper a ``--reject`` value may name: a discovery candidate or a paper of the graph."""

    title: str
    s2_id: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None


def known_papers(candidates: Sequence[Candidate], graph: nx.MultiDiGraph) -> list[KnownPaper]:
    """The candidates (what the note shows), then every paper of the graph, list or outside."""
    papers = [KnownPaper(c.title, c.s2_id, c.arxiv_id, c.doi) for c in candidates]
    papers += [KnownPaper(a.get("title") or a.get("s2_title") or "", a.get("s2_id"),
                          a.get("arxiv_id"), a.get("doi")) for a in paper_nodes(graph).values()]
    return papers


def _named(rejection: Rejection, papers: Sequence[KnownPaper]) -> KnownPaper | None:
    """The paper the rejection will match (as ``Curation.is_rejected`` matches), the one with
    the closest title when several do."""
    if rejection.title is None:
        curation = Curation(rejections=(rejection,))
        return next((p for p in papers if curation.is_rejected(p.s2_id, p.doi, p.arxiv_id)), None)
    from rapidfuzz import process, utils
    from rapidfuzz.distance import Levenshtein

    title = rejection.title
    # ``title_similarity`` normalises both titles (~100 µs each, seconds over a large graph):
    # rapidfuzz's own folding picks the nearest few first, in C, with a cutoff well below ours
    near = process.extract(title, [p.title for p in papers], processor=utils.default_process,
                           scorer=Levenshtein.normalized_similarity, score_cutoff=0.8, limit=20)
    scored = [(title_similarity(papers[i].title, title), -i) for _, _, i in near]
    best = max((s for s in scored if s[0] >= REJECT_TITLE_SIMILARITY), default=None)
    return papers[-best[1]] if best else None


def rejections_from_args(
    values: Sequence[str],
    reason: str,
    papers: Sequence[KnownPaper] = (),
) -> list[tuple[Rejection, KnownPaper | None]]:
    """Turn ``--reject`` values into rejections: S2 id, arXiv id, DOI, or else a title; each with
    the paper of ``papers`` it names, if any.

    A value naming one of ``papers`` (by an id, or a title as close as a rejection matches,
    ``REJECT_TITLE_SIMILARITY``) takes that paper's S2 id and title too, so the rejection holds
    whatever discovery will match it by later.

    Examples
    --------
    >>> [(r.s2_paper_id, r.arxiv_id, r.title) for r, _ in rejections_from_args(
    ...     ["2401.00001v2", "A Survey of Things"], "off topic")]
    [(None, '2401.00001', None), (None, None, 'A Survey of Things')]
    """
    read = []
    for raw in values:
        value = raw.strip()
        s2_id = value.lower() if is_s2_paper_id(value.lower()) else None
        arxiv_id = None if s2_id else _as_arxiv(value)
        doi = None if s2_id or arxiv_id else _as_doi(value)
        title = None if s2_id or arxiv_id or doi else value
        rejection = Rejection(s2_paper_id=s2_id, doi=doi, arxiv_id=arxiv_id, title=title,
                              reason=reason)
        match = _named(rejection, papers)
        if match is not None:
            rejection = Rejection(s2_paper_id=s2_id or match.s2_id, doi=doi, arxiv_id=arxiv_id,
                                  title=match.title or title, reason=reason)
        read.append((rejection, match))
    return read


def _closest_titles(value: str, papers: Sequence[KnownPaper], limit: int = 3) -> list[str]:
    from rapidfuzz import fuzz, process, utils

    titles = list(dict.fromkeys(p.title for p in papers if p.title))
    found = process.extract(value, titles, scorer=fuzz.WRatio, processor=utils.default_process,
                            limit=limit)
    return [title for title, _, _ in found]


def reject(
    curation_path: Path,
    values: Sequence[str],
    reason: str,
    papers: Sequence[KnownPaper] = (),
    *,
    force: bool = False,
) -> list[Rejection]:
    """Append rejections for ``values`` to the curation file and return them.

    A value that names none of ``papers`` (``known_papers``: the candidates and the graph's
    papers) is most likely a typo, which would pile up in the file and reject nothing: unless
    ``force``, nothing is recorded and the error names each such value with the closest titles.

    Raises
    ------
    UsageError
        If a value names no known paper and ``force`` is not set.

    See Also
    --------
    rejections_from_args : how each value is read
    """
    read = rejections_from_args(values, reason, papers)
    unknown = [value for value, (_, match) in zip(values, read) if match is None]
    if unknown and not force:
        lines = []
        for value in unknown:
            closest = _closest_titles(value, papers)
            hint = ("; closest titles: " + "; ".join(repr(t) for t in closest)) if closest else ""
            lines.append(f"--reject {value!r} names no discovery candidate nor paper of the "
                         f"graph (by S2 id, arXiv id, DOI or title){hint}")
        raise UsageError("\n".join(lines) + "\nnothing recorded; correct the value, or pass "
                         "--force to record it as it is")
    rejections = [rejection for rejection, _ in read]
    append_rejections(curation_path, rejections)
    log.info("%s: %d rejection(s) added", curation_path, len(rejections))
    return rejections


def references_path(out: Path, fmt: BibliographyFormat) -> Path:
    """Where ``suggest --format`` writes the suggested papers: beside the patch, named as it is.

    >>> references_path(Path("exports/suggestions.patch"), "csl-json").as_posix()
    'exports/suggestions.csl.json'
    """
    return out.with_name(out.stem + FILE_NAMES[fmt][len("papers"):])


def write_suggestions(
    list_path: Path,
    document: ListDocument,
    candidates: Sequence[Candidate],
    out: Path,
    *,
    list_rel: str | None = None,
    curation: Curation | None = None,
    references: tuple[nx.MultiDiGraph, BibliographyFormat] | None = None,
) -> tuple[Path, Path]:
    """Write the patch to ``out`` and the review note beside it (``out`` with suffix ``.md``);
    with ``references`` (the graph and a format), the suggested papers for a reference manager
    beside them too (:func:`references_path`).

    The rows are checked first (:func:`lint_checked`, with the list's ``curation``): a row that
    would make ``lint`` fail on the patched list is left out of the patch, and the note says why.

    The list is read as bytes, so the patch matches the file exactly (CRLF included).
    ``list_rel`` is the list's path in the repository for the patch headers; by default its path
    relative to the working directory (``kg/awesome-list.md`` when run from the repository root).

    Returns
    -------
    paths : (Path, Path)
        The patch and the note. The patch is empty when no candidate has a section to go into.

    Raises
    ------
    ExportError
        If ``out`` ends in ``.md`` (the note would overwrite the patch) or cannot be written.
    """
    list_path = Path(list_path)
    if list_rel is None:
        try:
            list_rel = list_path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:  # the list lives outside the working directory
            list_rel = list_path.name
    text = list_path.read_bytes().decode("utf-8")
    checked, left_out = lint_checked(text, document, candidates, curation)
    plan = plan_suggestions(text, document, checked)
    out = Path(out)
    note = out.with_suffix(".md")
    if note == out:
        raise ExportError(f"{out}: the review note would overwrite the patch; "
                          "name the patch e.g. suggestions.patch")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, build_patch(text, list_rel, document, checked))
        write_atomic(note, review_note(candidates, unplaced=[*plan.unplaced, *left_out]))
        if references is not None:
            graph, fmt = references
            tasks = {c.candidate.node: (c.candidate.suggested_task,) for c in plan.placed
                     if c.candidate.suggested_task}
            write_atomic(references_path(out, fmt),
                         bibliography_of(graph, [c.candidate.node for c in plan.placed], fmt, tasks))
    except OSError as exc:
        raise ExportError(f"cannot write the suggestions ({exc}); pass a writable --out") from exc
    return out, note
