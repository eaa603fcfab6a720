"""When each entry entered the curated list, read from the git history of the list file.

``git log --follow -p`` runs once, at the edge (:func:`git_log`); matching its added lines to the
current entries is pure (:func:`history_from_log`), so it is tested on a log text alone.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from ..errors import HistoryError
from ..identifiers import canonical_url, normalize_title, title_similarity
from ..models import ListDocument, ListEntry
from ..output import format_records
from .parse import is_bullet_line, parse_list, read_list

__all__ = [
    "EntryAdded",
    "entry_history",
    "git_log",
    "history_from_log",
    "growth_by_month",
    "format_history",
    "HISTORY_FIELDS",
    "TITLE_EDIT_SIMILARITY",
]

log = logging.getLogger(__name__)

#: an added row with the entry's link counts as the entry when its title is at least this similar
#: (0..100): typo fixes ("captionin" → "captioning") re-add a row without the entry being new
TITLE_EDIT_SIMILARITY = 80.0

# each commit starts with this byte: patch lines start with "+", "-", " ", "@" or "\", never with it
_COMMIT_MARK = "\x1e"
_LOG_FORMAT = f"--format={_COMMIT_MARK}%H %cI"
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]+)")


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


def git_log(list_path: Path) -> str:
    """Return ``git log --follow -p`` of the list file, newest commit first.

    Raises
    ------
    HistoryError
        If git is not installed, the file is not inside a git work tree, or it has no commits.
    """
    list_path = Path(list_path).resolve()
    command = [
        "git", "-C", str(list_path.parent), "log", "--follow", "-p", "-U0", "--no-color",
        "--no-ext-diff", _LOG_FORMAT, "--", list_path.name,
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False
        )
    except FileNotFoundError as exc:
        raise HistoryError(
            "list history needs git, which is not installed: install git or skip `history`"
        ) from exc
    if done.returncode != 0:
        raise HistoryError(
            f"{list_path}: no git history ({done.stderr.strip() or 'git log failed'}); "
            "history works on a list kept in a git repository"
        )
    if not done.stdout.strip():
        raise HistoryError(
            f"{list_path}: the file has no commits yet; commit it, then run `history` again"
        )
    return done.stdout


def entry_history(list_path: Path, document: ListDocument | None = None) -> list[EntryAdded]:
    """Return, for each current entry of the list file, the commit that added it.

    Parameters
    ----------
    list_path : Path
        The list file, inside a git work tree.
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
    history_from_log : the matching, on a log text
    """
    log_text = git_log(list_path)
    if document is None:
        document = read_list(list_path)
    return history_from_log(log_text, document)


def _commits(log_text: str) -> list[tuple[str, str, list[str]]]:
    """Split the log into (commit, date, added lines), oldest commit first."""
    commits = []
    for chunk in log_text.split(_COMMIT_MARK)[1:]:
        header, _, patch = chunk.partition("\n")
        sha, _, date = header.strip().partition(" ")
        added = [
            line[1:] for line in patch.splitlines()
            if line.startswith("+") and not line.startswith("+++")
        ]
        commits.append((sha, date, added))
    commits.reverse()  # git lists newest first; `--reverse` does not combine with `--follow`
    return commits


def _first_cell(line: str) -> tuple[str, str | None]:
    """Return the title and link of an added row: a bullet as the parser reads it (its title may
    be bold or quoted, its link a ``[[paper]](…)``), else the row's first cell as written."""
    if is_bullet_line(line) and (entries := parse_list(line).entries):
        return entries[0].title, entries[0].url
    text = line.strip().lstrip("|").lstrip("*-+ ").strip()
    cell = text.split("|", 1)[0]
    match = _LINK.search(cell)
    if match:
        return match.group(1), match.group(2)
    return cell, None


def _matches(entry: ListEntry, title: str, link: str | None) -> bool:
    if normalize_title(title) == normalize_title(entry.title):
        return True
    # the same link alone is not enough: dataset rows link the paper that introduced them
    return (
        entry.url is not None
        and link is not None
        and canonical_url(link) == canonical_url(entry.url)
        and title_similarity(title, entry.title) >= TITLE_EDIT_SIMILARITY
    )


def history_from_log(log_text: str, document: ListDocument) -> list[EntryAdded]:
    """Match the rows each commit added to the current entries; the oldest match wins.

    An added row is the entry when its first cell's title equals the entry's title (normalised,
    mojibake repaired), or when it links the entry's URL with a similar title (an edit such as a
    typo fix). A row listed twice (one dataset under two sections) gets the earliest of the two.
    Merge commits show no patch in ``git log -p``, so a row is dated by the commit that wrote it.

    Examples
    --------
    >>> from rsvlm_graph.models import ListEntry
    >>> entry = ListEntry("paper", "GeoChat", "https://arxiv.org/abs/2311.15826", "S", "S", 3, "")
    >>> log = "\\x1eabc 2024-01-05T10:00:00+00:00\\n+[GeoChat](https://arxiv.org/abs/2311.15826)\\n"
    >>> history_from_log(log, ListDocument("l.md", "L", (entry,)))[0].commit
    'abc'
    """
    found: dict[int, tuple[str, str]] = {}
    pending = list(document.entries)
    for sha, date, added in _commits(log_text):
        rows = [_first_cell(line) for line in added]
        still = []
        for entry in pending:
            if any(_matches(entry, title, link) for title, link in rows):
                found[entry.line] = (sha, date)
            else:
                still.append(entry)
        pending = still
    for entry in pending:
        log.info("%s:%d: %r is not in any commit yet", document.path, entry.line, entry.title)
    history = []
    for entry in document.entries:
        commit, date = found.get(entry.line, (None, None))
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
