"""lint in awesome-lint's conventions: ``<!--lint disable/enable/ignore RULE-->`` comments,
``lint --select/--ignore``, and findings that mean what they say (near-identical titles of rows
with other identifiers are a warning naming both ids).

The small lists are SYNTHETIC test data.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rsvlm_graph.cli import app
from rsvlm_graph.listfile.lint import lint_list
from rsvlm_graph.listfile.lint_comments import lint_comments
from rsvlm_graph.listfile.parse import parse_list

HEAD = "# L\n## Image Captioning\n| Paper | Published in | Code/Project |\n|---|:-:|:-:|\n"


def rows(*lines: str) -> str:
    return HEAD + "".join(f"{line}\n" for line in lines)


def found(text: str) -> set[tuple[int, str]]:
    return {(f.line, f.code) for f in lint_list(parse_list(text, "l.md"))}


NO_VENUE = "[Paper {n}](https://arxiv.org/abs/2101.0000{n})|2021|-"
NO_YEAR = "[Year-less {n}](https://arxiv.org/abs/2102.0000{n})|TGRS|-"


def test_a_disable_enable_block_silences_exactly_its_rule_there_and_nothing_else() -> None:
    plain = rows(NO_VENUE.format(n=1), NO_VENUE.format(n=2), NO_YEAR.format(n=3),
                 NO_VENUE.format(n=4))
    before = found(plain)
    assert {(5, "missing-venue"), (6, "missing-venue"), (7, "missing-year"),
            (8, "missing-venue")} <= before
    blocked = rows(NO_VENUE.format(n=1), "<!--lint disable missing-venue-->", NO_VENUE.format(n=2),
                   NO_YEAR.format(n=3), "<!--lint enable missing-venue-->", NO_VENUE.format(n=4))
    after = found(blocked)
    # the same findings, at the lines they moved to, but the one missing-venue inside the block
    moved = {(line + (line > 5) + (line > 7), code) for line, code in before}
    assert after == moved - {(7, "missing-venue")}
    assert (8, "missing-year") in after and (10, "missing-venue") in after


def test_the_comments_change_no_entry() -> None:
    plain = rows(NO_VENUE.format(n=1), NO_VENUE.format(n=2), NO_YEAR.format(n=3))
    commented = rows(NO_VENUE.format(n=1), "<!--lint disable missing-venue cell-count-->",
                     NO_VENUE.format(n=2) + " <!--lint ignore missing-year-->",
                     "<!--lint ignore-->", NO_YEAR.format(n=3), "<!--lint enable-->")

    def entries(text: str) -> list:
        return [replace(e, line=0, raw="") for e in parse_list(text, "l.md").entries]

    assert entries(commented) == entries(plain)
    assert parse_list(commented, "l.md").problems == ()


def test_ignore_covers_one_row_and_no_rule_means_every_rule() -> None:
    text = rows("<!--lint ignore-->", NO_VENUE.format(n=1), NO_VENUE.format(n=2),
                NO_VENUE.format(n=3) + " <!--lint ignore missing-year-->")
    assert {code for line, code in found(text) if line == 6} == set()  # every rule, one row
    assert (7, "missing-venue") in found(text)  # the next row is not covered
    assert (8, "missing-venue") in found(text)  # an inline ignore covers its rule only


def test_disable_all_then_enable_one() -> None:
    text = rows("<!--lint disable-->", NO_VENUE.format(n=1), NO_YEAR.format(n=2),
                "<!--lint enable missing-year-->", NO_VENUE.format(n=3), NO_YEAR.format(n=4))
    assert found(text) == {(10, "missing-year")}


def test_comments_in_code_are_text_and_unknown_rules_are_said() -> None:
    text = rows(NO_VENUE.format(n=1)) + "\n```\n<!--lint disable-->\n```\n" + \
        "<!--lint disable missing-venu-->\n"
    assert [c.line for c in lint_comments(text)] == [10]
    findings = lint_list(parse_list(text, "l.md"))
    warning = next(f for f in findings if f.code == "lint-comment")
    assert warning.line == 10 and "'missing-venu'" in warning.message
    assert (5, "missing-venue") in {(f.line, f.code) for f in findings}


def test_near_identical_titles_with_other_ids_are_a_warning_naming_both() -> None:
    text = rows(
        "[Gamma model for remote sensing image captioning](https://arxiv.org/abs/2101.00001)|arxiv 2021|-",
        "[Gamma model for remote sensing image captionin](https://arxiv.org/abs/2204.00002)|arxiv 2022|-",
        "[Gamma model for remote sensing image captioning](https://b.org/y)|TGRS 2020|-",
    )
    findings = [f for f in lint_list(parse_list(text, "l.md"))
                if f.code in ("duplicate-paper", "similar-title")]
    assert [(f.line, f.code, f.severity) for f in findings] == [
        (6, "similar-title", "warning"), (7, "duplicate-paper", "error")]
    assert "2101.00001" in findings[0].message and "2204.00002" in findings[0].message


@pytest.fixture
def listed(tmp_path: Path) -> Path:
    path = tmp_path / "kg" / "list.md"
    path.parent.mkdir()
    path.write_text(rows(NO_VENUE.format(n=1), NO_YEAR.format(n=2), "[Dup](https://a.org/x)|TGRS 2020|-",
                         "[Dup again](https://a.org/x)|TGRS 2020|-"), encoding="utf-8")
    return path


def lint_codes(path: Path, *args: str) -> tuple[int, set[str]]:
    result = CliRunner().invoke(app, ["lint", "--list", str(path), "--format", "csv", *args],
                                env={"RSVLM_CACHE_DIR": str(path.parent / "cache")})
    return result.exit_code, {line.split(",")[3] for line in result.stdout.splitlines()[1:]}


def test_select_and_ignore(listed: Path) -> None:
    assert lint_codes(listed) == (1, {"missing-venue", "missing-year", "duplicate-paper"})
    assert lint_codes(listed, "--select", "missing-venue,missing-year") == (
        0, {"missing-venue", "missing-year"})
    assert lint_codes(listed, "--ignore", "duplicate-paper", "--ignore", "missing-year") == (
        0, {"missing-venue"})
    result = CliRunner().invoke(app, ["lint", "--list", str(listed), "--select", "missing-venu"])
    assert result.exit_code == 1 and "did you mean 'missing-venue'" in result.output


def test_an_escaped_bracket_is_text_not_a_link() -> None:
    """A title holding "[x\\](javascript:…)" written escaped, as suggest writes outside titles,
    links nowhere: no malformed-url finding for it."""
    text = rows(r"[Synthetic [x\](javascript:alert(1)) title](https://arxiv.org/abs/2101.00001)|arxiv 2021|-")
    assert "malformed-url" not in {code for _, code in found(text)}
    assert (5, "malformed-url") in found(rows(
        r"[Synthetic \[x\]](https://arxiv.org/abs/2101.00001)|arxiv 2021|[code](www.example.org/x)"))


def test_a_comment_over_two_lines_ignores_the_row_after_it() -> None:
    text = rows(NO_VENUE.format(n=1), "<!--lint ignore", "  missing-venue-->", NO_VENUE.format(n=2))
    assert [(c.line, c.rules, c.target) for c in lint_comments(text)] == [(7, ("missing-venue",), 8)]
    assert {line for line, code in found(text) if code == "missing-venue"} == {5}
