"""What ``lint`` reports: a :class:`Finding` per problem and line, the rules (codes) it may carry,
which of them a run keeps (``--select``/``--ignore``), and the findings rendered for people, scripts
and GitHub Actions.

The rules and their severities (errors make ``rsvlm-graph lint`` exit 1; links left unchecked
because the network is unavailable, and no error, exit 3):

=========================  ========  ===========================================================
code                       severity  meaning
=========================  ========  ===========================================================
``parse-error``            error     the parser skipped or only partly read a row
``paper-mention``          warning   a paper linked in passing by a table that lists no papers
``duplicate-paper``        error     a paper listed again: the same link or identifier, or a
                                     near-identical title where one row has no identifier
``similar-title``          warning   near-identical titles of rows whose identifiers differ
                                     (two papers, most likely: names both rows' ids)
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
``lint-comment``           warning   a ``<!--lint …-->`` comment naming a rule that does not exist
=========================  ========  ===========================================================
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from difflib import get_close_matches
from typing import Any, Literal

from ..errors import UsageError
from ..output import format_records

__all__ = [
    "Finding",
    "Severity",
    "RULES",
    "check_rules",
    "select_findings",
    "has_errors",
    "format_findings",
    "FindingsFormat",
    "FINDING_FIELDS",
]

Severity = Literal["error", "warning"]

#: every rule a finding can carry, in the order of the module docstring's table
RULES = (
    "parse-error", "paper-mention", "duplicate-paper", "similar-title", "malformed-url",
    "dead-link", "link-status", "missing-venue", "missing-year", "missing-link", "venue-format",
    "venue-variants", "cell-count", "mojibake", "title-mismatch", "unlinked-dataset-paper",
    "lint-comment",
)


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


def check_rules(names: Iterable[str], option: str) -> tuple[str, ...]:
    """Return the rule names of an option (``--select a,b --select c``: commas or repeats), or
    raise ``UsageError`` naming one that is no rule, with the closest rule.

    >>> check_rules(["missing-venue,missing-year"], "--ignore")
    ('missing-venue', 'missing-year')
    >>> check_rules(["missing-venu"], "--ignore")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rsvlm_graph.errors.UsageError: --ignore: no rule 'missing-venu' (did you mean 'missing-venue'?); the rules: ...
    """
    rules = tuple(name.strip() for value in names for name in value.split(",") if name.strip())
    for name in rules:
        if name not in RULES:
            close = get_close_matches(name, RULES, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"{option}: no rule {name!r}{hint}; the rules: {', '.join(RULES)}")
    return rules


def select_findings(findings: Iterable[Finding], *, select: Collection[str] = (),
                    ignore: Collection[str] = ()) -> list[Finding]:
    """The findings of the rules in ``select`` (all when empty) and not in ``ignore``."""
    return [f for f in findings if (not select or f.code in select) and f.code not in ignore]


def has_errors(findings: Iterable[Finding]) -> bool:
    """Return whether any finding is an error: the CLI exits 1 then."""
    return any(f.severity == "error" for f in findings)


FindingsFormat = Literal["text", "json", "csv", "github"]

#: the fields of a finding, in the order of its text form: the columns of ``--format csv``
FINDING_FIELDS = ("path", "line", "severity", "code", "message")


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


def _workflow_command(finding: Finding) -> str:
    """One GitHub Actions annotation, escaped as the runner unescapes it (``%``, CR and LF in the
    message; ``:`` and ``,`` too in the properties)."""

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    return (f"::{finding.severity} file={prop(finding.path)},line={finding.line},"
            f"title={prop(finding.code)}::{data(finding.message)}")
