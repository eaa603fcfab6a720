"""Discovery candidates as a patch to the curated list, for a maintainer to review.

The tool never rewrites the list: :func:`build_patch` returns a unified diff (``git apply`` /
``patch -p1``) that adds each candidate's row (``markdown_row``, written the way the section writes
its entries) after the last entry of its suggested section, table row or bullet, and
:func:`review_note` says why each was suggested. What the maintainer turns down goes to the
curation file through :func:`reject`, so discovery does not suggest it again.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..discovery import Candidate
from ..errors import ExportError
from ..identifiers import is_s2_paper_id, normalize_arxiv_id, normalize_doi, normalize_title, slugify
from ..models import ListDocument, ListEntry
from .curation import Rejection, append_rejections
from .lines import line_ending, split_lines
from .parse import is_bullet_line

__all__ = [
    "Placement",
    "SuggestionPlan",
    "plan_suggestions",
    "build_patch",
    "review_note",
    "rejections_from_args",
    "reject",
    "write_suggestions",
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
    rows_after: dict[int, list[str]] = {}
    for placement in plan.placed:
        row = " ".join(placement.candidate.markdown_row.split("\n")).rstrip()
        rows_after.setdefault(placement.after_line, []).append(row)
    new: list[str] = []
    for number, line in enumerate(old, start=1):
        rows = rows_after.get(number, [])
        ending = line_ending(line) or (line_ending(old[0]) if old else "") or "\n"
        if rows and not line_ending(line):
            line += ending  # the section ended the file: the new rows follow its last line
        new.append(line)
        new.extend(f"{row}{ending}" for row in rows)
    return _diff_lines(old, new, list_path)


def _cell(text: str) -> str:
    return " ".join(text.split())


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
            f"## {rank}. [{_cell(candidate.title)}]({candidate.url}){year}",
            "",
            f"- Section: {candidate.suggested_task or '–'}",
            f"- Venue: {candidate.venue or '–'}",
            f"- Score: {candidate.score:.2f}",
            f"- Semantic Scholar id: `{candidate.s2_id or '–'}`",
            f"- Why: {_cell(candidate.why) or '–'}",
            "",
        ]
    if unplaced:
        out += ["## Not in the patch", ""]
        out += [f"- {_cell(c.title)}: {why}; add it by hand if it belongs" for c, why in unplaced]
        out.append("")
    return "\n".join(out)


def _as_arxiv(value: str) -> str | None:
    return normalize_arxiv_id(value) if _ARXIV_ID.fullmatch(value.lower()) else None


def _as_doi(value: str) -> str | None:
    return normalize_doi(value) if _DOI.fullmatch(value.lower()) else None


def rejections_from_args(
    values: Sequence[str],
    reason: str,
    candidates: Sequence[Candidate] = (),
) -> list[Rejection]:
    """Turn ``--reject`` values into rejections: S2 id, arXiv id, DOI, or else a title.

    A value naming one of ``candidates`` (by S2 id or normalised title) takes that candidate's
    S2 id and title too, so the rejection holds whatever discovery will match it by later.

    Examples
    --------
    >>> [(r.s2_paper_id, r.arxiv_id, r.title) for r in rejections_from_args(
    ...     ["2401.00001v2", "A Survey of Things"], "off topic")]
    [(None, '2401.00001', None), (None, None, 'A Survey of Things')]
    """
    rejections = []
    for raw in values:
        value = raw.strip()
        s2_id = value.lower() if is_s2_paper_id(value.lower()) else None
        arxiv_id = None if s2_id else _as_arxiv(value)
        doi = None if s2_id or arxiv_id else _as_doi(value)
        title = None if s2_id or arxiv_id or doi else value
        match = next(
            (
                c for c in candidates
                if (s2_id and c.s2_id == s2_id)
                or (title and normalize_title(c.title) == normalize_title(title))
            ),
            None,
        )
        if match is not None:
            s2_id, title = match.s2_id, match.title
        rejections.append(
            Rejection(s2_paper_id=s2_id, doi=doi, arxiv_id=arxiv_id, title=title, reason=reason)
        )
    return rejections


def reject(
    curation_path: Path,
    values: Sequence[str],
    reason: str,
    candidates: Sequence[Candidate] = (),
) -> list[Rejection]:
    """Append rejections for ``values`` to the curation file and return them.

    See Also
    --------
    rejections_from_args : how each value is read
    """
    rejections = rejections_from_args(values, reason, candidates)
    append_rejections(curation_path, rejections)
    log.info("%s: %d rejection(s) added", curation_path, len(rejections))
    return rejections


def write_suggestions(
    list_path: Path,
    document: ListDocument,
    candidates: Sequence[Candidate],
    out: Path,
    *,
    list_rel: str | None = None,
) -> tuple[Path, Path]:
    """Write the patch to ``out`` and the review note beside it (``out`` with suffix ``.md``).

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
    plan = plan_suggestions(text, document, candidates)
    out = Path(out)
    note = out.with_suffix(".md")
    if note == out:
        raise ExportError(f"{out}: the review note would overwrite the patch; "
                          "name the patch e.g. suggestions.patch")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(build_patch(text, list_rel, document, candidates).encode("utf-8"))
        note.write_bytes(review_note(candidates, unplaced=plan.unplaced).encode("utf-8"))
    except OSError as exc:
        raise ExportError(f"cannot write the suggestions ({exc}); pass a writable --out") from exc
    return out, note
