"""``<!--lint …-->`` comments in the list: findings silenced where the list says so, in
awesome-lint's (remark-message-control's) conventions.

- ``<!--lint disable RULE …-->`` turns the rules off from the next line on, until
  ``<!--lint enable RULE …-->`` turns them on again;
- ``<!--lint ignore RULE …-->`` silences the rules on one line: the row the comment ends (an
  inline comment after a row's last cell), else the next line that holds anything but comments;
- several rules are space-separated; no rule means every rule (``<!--lint disable-->`` …
  ``<!--lint enable-->``). ``enable RULE`` inside a ``disable`` of all turns that one back on.

awesome-lint's ``ignore`` covers the next Markdown node, which for a table is the whole table;
here it covers one row, the unit a finding is about. The comments are HTML, so the rendered list
does not show them, and the parser reads the same entries with or without them. Comments in
code blocks are text, not comments. A comment naming no rule that exists is a ``lint-comment``
warning (a misspelt rule would silence nothing).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Literal

from .findings import RULES, Finding
from .inline import MARKDOWN
from .lines import split_lines

__all__ = ["LintComment", "lint_comments", "silence"]

Action = Literal["disable", "enable", "ignore"]

_COMMENT = re.compile(r"<!--\s*lint\s+(disable|enable|ignore)(?=[\s-])(.*?)-->", re.DOTALL)
_ANY_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


@dataclass(frozen=True, slots=True)
class LintComment:
    """One ``<!--lint ACTION RULES-->``: ``line`` (1-based) where it ends, ``rules`` (empty: all),
    and for ``ignore`` the line it silences."""

    line: int
    action: Action
    rules: tuple[str, ...]
    target: int | None = None


def _code_lines(text: str) -> set[int]:
    """0-based lines of fenced and indented code blocks: what looks like a comment there is text."""
    lines: set[int] = set()
    for token in MARKDOWN.parse(text):  # the blocks the parser reads
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(*token.map))
    return lines


def _target(lines: Sequence[str], end: int, around: str) -> int | None:
    """The 1-based line an ``ignore`` ending on 0-based line ``end`` covers (``around``: the text
    before the comment on its first line and after it on its last)."""
    if _ANY_COMMENT.sub("", around).strip():
        return end + 1
    for number in range(end + 1, len(lines)):
        if _ANY_COMMENT.sub("", lines[number]).strip():
            return number + 1
    return None


def lint_comments(text: str) -> list[LintComment]:
    """Return the list's lint comments in file order.

    >>> text = "<!--lint disable missing-venue-->\\n|A|\\n<!--lint ignore-->\\n\\n|B|\\n|C| <!--lint ignore cell-count-->"
    >>> [(c.line, c.action, c.rules, c.target) for c in lint_comments(text)]
    [(1, 'disable', ('missing-venue',), None), (3, 'ignore', (), 5), (6, 'ignore', ('cell-count',), 6)]
    """
    if "<!--" not in text:
        return []
    code = _code_lines(text)
    kept = split_lines(text, keepends=True)
    lines = [line.rstrip("\r\n") for line in kept]
    starts = list(accumulate((len(line) for line in kept), initial=0))
    comments = []
    for match in _COMMENT.finditer(text):
        first, end = bisect_right(starts, match.start()) - 1, bisect_right(starts, match.end() - 1) - 1
        if first in code:
            continue
        action: Action = match.group(1)  # type: ignore[assignment]  # the pattern's alternatives
        around = lines[first][: match.start() - starts[first]] + " " + lines[end][match.end() - starts[end]:]
        target = _target(lines, end, around) if action == "ignore" else None
        comments.append(LintComment(end + 1, action, tuple(match.group(2).split()), target))
    return comments


class _State:
    """Which rules are on: every rule but ``exceptions``, or (``all_on`` false) only those."""

    def __init__(self) -> None:
        self.all_on = True
        self.exceptions: set[str] = set()

    def apply(self, comment: LintComment) -> None:
        if not comment.rules:
            self.all_on, self.exceptions = comment.action == "enable", set()
        elif (comment.action == "disable") == self.all_on:
            self.exceptions.update(comment.rules)
        else:
            self.exceptions.difference_update(comment.rules)

    def is_on(self, rule: str) -> bool:
        return self.all_on != (rule in self.exceptions)


def silence(findings: Iterable[Finding], comments: Sequence[LintComment], path: str) -> list[Finding]:
    """Return the findings the comments leave, and a ``lint-comment`` warning for each rule a
    comment names that does not exist; in the order given, the warnings last."""
    switches = [c for c in comments if c.action != "ignore"]
    ignored: dict[int, list[LintComment]] = {}
    for comment in comments:
        if comment.action == "ignore" and comment.target is not None:
            ignored.setdefault(comment.target, []).append(comment)
    kept = []
    for finding in findings:
        state = _State()
        for switch in switches:
            if switch.line >= finding.line:
                break
            state.apply(switch)
        if not state.is_on(finding.code):
            continue
        if any(not c.rules or finding.code in c.rules for c in ignored.get(finding.line, ())):
            continue
        kept.append(finding)
    kept += [
        Finding(path, c.line, "warning", "lint-comment",
                f"<!--lint {c.action}--> names {rule!r}, which is no rule; the rules: {', '.join(RULES)}")
        for c in comments for rule in c.rules if rule not in RULES
    ]
    return kept
