"""When each entry entered the curated list, read from every version of the list in git.

:func:`list_versions` is the edge: one ``git log --follow -p -U0`` (which commits touched the
file, under which name, and which lines each added) and one ``git cat-file --batch`` (each
version's text, one at a time). Dating is pure (:func:`history_from_versions`): each version's
new lines are read by the parser itself, in whatever format the list had then (paragraphs,
tables, bullets, heading entries), with the context a row needs (the headings above it, its
table's header) and nothing more, so the cost grows with what the commits added, not with
commits × rows. An entry is dated by the first version that lists it, matched by identifier
(arXiv id, DOI, IEEE number, PII, link) or by normalised title; each title is normalised once.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import compress
from operator import methodcaller
from pathlib import Path
from typing import IO, Literal

from ..errors import HistoryError
from ..identifiers import canonical_url, normalize_title
from ..models import ListDocument, ListEntry
from ..output import format_records
from .lines import split_lines
from .parse import is_bullet_line, parse_entries, read_list

__all__ = [
    "EntryAdded",
    "ListVersion",
    "entry_history",
    "list_versions",
    "history_from_versions",
    "growth_by_month",
    "format_history",
    "HISTORY_FIELDS",
]

log = logging.getLogger(__name__)

# each commit starts with this byte: patch lines start with "+", "-", " ", "@" or "\", never with it
_COMMIT_MARK = "\x1e"
_LOG_FORMAT = f"--format={_COMMIT_MARK}%H %cI"
_HUNK = re.compile(r"@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")
_HEADING = re.compile(r" {0,3}(#{1,6})(?:\s|$)")
_HEADING_STARTS = ("#", " #", "  #", "   #")
_DELIMITER = re.compile(r"\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*")
#: lines a bullet or paragraph entry may span above or below a new line (its title on the next
#: indented line, its links on the line after): bounds the context read around each change
_ITEM_REACH = 20


@dataclass(frozen=True, slots=True)
class EntryAdded:
    """A current list entry and the commit that first added it.

    ``date`` is the committer date (ISO 8601 with offset), i.e. when the row landed in the branch
    history; ``commit`` and ``date`` are ``None`` for rows not committed yet.
    """

    line: int
    kind: str
    title: str
    commit: str | None
    date: str | None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ListVersion:
    """One committed version of the list: its text and which of its lines (1-based) are new.

    ``added`` is ``None`` when every line counts as new (a version read on its own).
    """

    commit: str
    date: str
    text: str
    added: tuple[int, ...] | None = None


def _git(repo_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-C", str(repo_dir), "-c", "core.quotePath=false", *args],
            capture_output=True, text=True, encoding="utf-8", errors="replace", check=False,
        )
    except FileNotFoundError as exc:
        raise HistoryError(
            "list history needs git, which is not installed: install git or skip `history`"
        ) from exc


def _log_commits(log_text: str) -> list[tuple[str, str, str, tuple[int, ...]]]:
    """(commit, date, path in the repository, added lines) per commit with new lines, oldest
    first; merges, deletions and pure renames add no line and are left out."""
    commits = []
    for chunk in log_text.split(_COMMIT_MARK)[1:]:
        header, _, patch = chunk.partition("\n")
        sha, _, date = header.strip().partition(" ")
        path: str | None = None
        added: list[int] = []
        for line in patch.splitlines():
            if line.startswith("+++ "):
                path = line[6:] if line.startswith("+++ b/") else None
            elif line.startswith("@@") and (hunk := _HUNK.match(line)):
                first, count = int(hunk["start"]), int(hunk["count"] or 1)
                added.extend(range(first, first + count))
        if path and added:
            commits.append((sha, date, path, tuple(added)))
    commits.reverse()  # git lists newest first; `--reverse` does not combine with `--follow`
    return commits


def list_versions(list_path: Path) -> Iterator[ListVersion]:
    """Yield every committed version of the list file that added lines, oldest first, following
    renames; each text is read from git only when the caller gets to it.

    Raises
    ------
    HistoryError
        If git is not installed, the file is not inside a git work tree, or it has no commits.
    """
    list_path = Path(list_path).resolve()
    done = _git(list_path.parent, "log", "--follow", "-p", "-U0", "--no-color", "--no-ext-diff",
                _LOG_FORMAT, "--", list_path.name)
    if done.returncode != 0:
        raise HistoryError(
            f"{list_path}: no git history ({done.stderr.strip() or 'git log failed'}); "
            "history works on a list kept in a git repository"
        )
    commits = _log_commits(done.stdout)
    if not commits:
        raise HistoryError(
            f"{list_path}: the file has no commits yet; commit it, then run `history` again"
        )
    with subprocess.Popen(["git", "-C", str(list_path.parent), "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as batch:
        assert batch.stdin is not None and batch.stdout is not None
        try:
            for sha, date, path, added in commits:
                text = _cat_file(batch.stdin, batch.stdout, f"{sha}:{path}")
                if text is not None:
                    yield ListVersion(sha, date, text, added)
        finally:
            batch.stdin.close()


def _cat_file(requests: IO[bytes], answers: IO[bytes], name: str) -> str | None:
    requests.write(name.encode("utf-8") + b"\n")
    requests.flush()
    header = answers.readline().split()
    if len(header) != 3:  # "<name> missing"
        log.info("git has no %s", name)
        return None
    body = answers.read(int(header[2]) + 1)[:-1]  # the object, then a newline
    return body.decode("utf-8", errors="replace")


def entry_history(list_path: Path, document: ListDocument | None = None) -> list[EntryAdded]:
    """Return, for each current entry of the list file, the commit that added it.

    Parameters
    ----------
    list_path : Path
        The list file, inside a git work tree (any repository: a clone of an upstream list too).
    document : ListDocument, optional
        The parsed list; read from ``list_path`` when omitted.

    Returns
    -------
    history : list of EntryAdded
        One per entry, in list order.

    Raises
    ------
    HistoryError
        Outside a git repository, or when the file has never been committed.

    See Also
    --------
    history_from_versions : the dating, on versions given as values
    """
    versions = list_versions(list_path)
    if document is None:
        document = read_list(list_path)
    return history_from_versions(versions, document)


def _is_table_line(text: str) -> bool:
    return "|" in text and not is_bullet_line(text) and _HEADING.match(text) is None


def _starts_item(text: str) -> bool:
    return (not text.strip() or is_bullet_line(text) or _HEADING.match(text) is not None
            or _is_table_line(text))


def _window(lines: Sequence[str], first: int, end: int) -> tuple[int, int]:
    """Widen the new lines ``first:end`` (0-based) to the items they belong to: a bullet's first
    line above a continuation line, its indented title line below."""
    start = first
    while start > 0 and first - start < _ITEM_REACH and not _starts_item(lines[start]) and \
            lines[start - 1].strip() and _HEADING.match(lines[start - 1]) is None:
        start -= 1
    while end < len(lines) and end - first < _ITEM_REACH and not _starts_item(lines[end]):
        end += 1
    return start, end


def _table_header(lines: Sequence[str], start: int) -> list[str]:
    """The header and delimiter lines of the table row ``lines[start]`` sits in, when they are
    not already at ``start`` (rows cut off by a blank line find their table too)."""
    if not _is_table_line(lines[start]) or _DELIMITER.fullmatch(lines[start]) or (
            start + 1 < len(lines) and _DELIMITER.fullmatch(lines[start + 1])):
        return []
    top = start - 1
    # rows and blank lines up to the delimiter row; "|" and strip are cheap, so a long table costs
    # little to climb
    while top > 0 and ("|" in lines[top] or not lines[top].strip()):
        if not lines[top].strip(" \t|:-") and "-" in lines[top] and _is_table_line(lines[top - 1]):
            return [lines[top - 1], lines[top]]
        top -= 1
    return []


def _new_entries(version: ListVersion) -> list[ListEntry]:
    """The entries a version's new lines hold, read with the headings above them and their
    table's header."""
    if version.added is None:
        return list(parse_entries(version.text, version.commit).entries)
    lines = split_lines(version.text)
    maybe = compress(range(len(lines)), map(methodcaller("startswith", _HEADING_STARTS), lines))
    headings = [(number, len(match[1])) for number in maybe
                if (match := _HEADING.match(lines[number]))]
    heading_lines = [number for number, _ in headings]
    windows: list[tuple[int, int]] = []
    for line in sorted(set(version.added)):
        if not 1 <= line <= len(lines) or not lines[line - 1].strip():
            continue  # a blank line adds no entry, and a window starts at a line with text
        start, end = _window(lines, line - 1, line)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    entries: list[ListEntry] = []
    for start, end in windows:
        context, level = [], 7
        for position in range(bisect.bisect_left(heading_lines, start) - 1, -1, -1):
            number, heading_level = headings[position]
            if heading_level < level:
                context.append(lines[number])
                level = heading_level
            if level == 1:
                break
        text = "\n".join([*reversed(context), "", *_table_header(lines, start),
                          *lines[start:end]])
        entries.extend(parse_entries(text, version.commit).entries)
    return entries


def _keys(entry: ListEntry, title_key: str) -> list[tuple[str, ...]]:
    ids = entry.ids
    keys: list[tuple[str, ...]] = [
        ("id", entry.kind, name, value) for name, value in (
            ("doi", ids.doi), ("arxiv", ids.arxiv_id), ("ieee", ids.ieee_id), ("pii", ids.pii))
        if value]
    if entry.url:
        keys.append(("url", entry.kind, canonical_url(entry.url)))
    if title_key:
        keys.append(("title", entry.kind, title_key))
    return keys


def history_from_versions(versions: Iterable[ListVersion],
                          document: ListDocument) -> list[EntryAdded]:
    """Date each current entry by the first version that lists it.

    A version's entry is the current one when it carries one of its identifiers (arXiv id, DOI,
    IEEE number, PII, or the same link) or its title, normalised; the kind (paper or dataset)
    must agree, since a dataset row links the paper that introduced it. An identifier that
    several current entries of one kind share (two datasets of one paper) does not count: their
    titles tell them apart. A row listed twice (one dataset under two sections) gets the
    earlier date. Merge commits add no line of their own: a row is dated by the commit that
    wrote it.

    Examples
    --------
    >>> text = "## VQA\\n|Paper|Venue|\\n|-|-|\\n[GeoChat](https://arxiv.org/abs/2311.15826)|X 2024|\\n"
    >>> doc = parse_entries(text, "l.md")
    >>> history_from_versions([ListVersion("abc", "2024-01-05T10:00:00+00:00", text)], doc)[0].commit
    'abc'
    """
    titles: dict[str, str] = {}

    def title_key(title: str) -> str:
        if title not in titles:
            titles[title] = normalize_title(title)
        return titles[title]

    current = {entry.line: _keys(entry, title_key(entry.title)) for entry in document.entries}
    owners: dict[tuple[str, ...], set[str]] = {}
    for entry in document.entries:
        for key in current[entry.line]:
            if key[0] != "title":
                owners.setdefault(key, set()).add(title_key(entry.title))
    wanted = {key for keys in current.values() for key in keys
              if key[0] == "title" or len(owners[key]) == 1}
    first: dict[tuple[str, ...], int] = {}  # key → index of the first version listing it
    dates: list[tuple[str, str]] = []
    for version in versions:
        index = len(dates)
        dates.append((version.commit, version.date))
        for entry in _new_entries(version):
            for key in _keys(entry, title_key(entry.title)):
                if key in wanted:
                    first.setdefault(key, index)
    history = []
    for entry in document.entries:
        found = [first[key] for key in current[entry.line] if key in wanted and key in first]
        commit, date = dates[min(found)] if found else (None, None)
        if commit is None:
            log.info("%s:%d: %r is not in any commit yet", document.path, entry.line, entry.title)
        history.append(EntryAdded(entry.line, entry.kind, entry.title, commit, date))
    return history


def _months(first: str, last: str) -> Iterable[str]:
    year, month = int(first[:4]), int(first[5:7])
    while f"{year:04d}-{month:02d}" <= last:
        yield f"{year:04d}-{month:02d}"
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def growth_by_month(history: Sequence[EntryAdded]) -> list[tuple[str, int]]:
    """Return the list's size at the end of each month, from its first commit to its last.

    Only current entries count (a row added and later removed is not in ``history``); months
    without additions repeat the previous size, so the series plots as a continuous curve.
    Uncommitted entries are left out.

    Examples
    --------
    >>> h = [EntryAdded(1, "paper", "A", "c1", "2023-11-02T09:00:00+01:00"),
    ...      EntryAdded(2, "paper", "B", "c2", "2024-01-20T09:00:00+01:00"),
    ...      EntryAdded(3, "paper", "C", "c2", "2024-01-20T09:00:00+01:00")]
    >>> growth_by_month(h)
    [('2023-11', 1), ('2023-12', 1), ('2024-01', 3)]
    """
    added: dict[str, int] = {}
    for item in history:
        if item.date:
            added[item.date[:7]] = added.get(item.date[:7], 0) + 1
    if not added:
        return []
    total = 0
    series = []
    for month in _months(min(added), max(added)):
        total += added.get(month, 0)
        series.append((month, total))
    return series


#: the columns of ``history --format csv``, in the order of the text form
HISTORY_FIELDS = ("date", "commit", "line", "kind", "title")


def format_history(history: Sequence[EntryAdded], fmt: Literal["text", "json", "csv"] = "text") -> str:
    """Render the history oldest entry first: ``date  commit  line  kind  title`` per line
    (``text``, uncommitted rows last with ``-``; ``csv`` the same rows with full dates and
    commits, empty when uncommitted), or a JSON array in list order (``json``)."""
    if fmt == "json":
        return json.dumps([h.to_dict() for h in history], indent=2, ensure_ascii=False) + "\n"
    ordered = sorted(history, key=lambda h: (h.date is None, h.date or "", h.line))
    if fmt == "csv":
        return format_records([h.to_dict() for h in ordered], "csv", HISTORY_FIELDS)
    return "".join(
        f"{(h.date or '-')[:10]:<10}  {(h.commit or '-')[:10]:<10}  {h.line:>4}  {h.kind:<7}  "
        f"{h.title}\n"
        for h in ordered
    )
