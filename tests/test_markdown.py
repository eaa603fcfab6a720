"""Outside text in every Markdown output is text: no raw HTML, no markup, links encoded.

Hostile titles and venues (SYNTHETIC) go through the fake API into the report, discover's
Markdown, the suggested rows and the review note, and through the changes table."""

from __future__ import annotations

import dataclasses
import re

import pytest
import test_cli
from markdown_it import MarkdownIt
from test_cli import run

from rsvlm_graph.markdown import markdown_link, markdown_text, markdown_url, table_cell
from rsvlm_graph.snapshot import read_snapshot

HOSTILE_TITLE = "<img src=x onerror=alert(1)> **Bold** _it_ [x](javascript:alert(1)) | cell `code` &amp;"
HOSTILE_VENUE = "<script>alert(2)</script> | Venue"

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online = test_cli.env, test_cli.kg, test_cli.online


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def assert_inert(markdown: str) -> None:
    """No HTML, emphasis, code or non-http link comes out of ``markdown`` that outside text put in."""
    html = rendered(markdown)
    assert "<img src=x" not in html and "<script>" not in html, html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert "<strong>Bold</strong>" not in html and "<code>code</code>" not in html


def test_markdown_text_renders_as_exactly_the_text():
    for text in (HOSTILE_TITLE, HOSTILE_VENUE, "a ] b [c] d\\e", "x_y*z~w"):
        html = rendered(markdown_text(text))
        assert html == f"<p>{_html_text(text)}</p>\n", html


def _html_text(text: str) -> str:
    return (" ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
            .replace(">", "&gt;").replace('"', "&quot;"))


def test_links_are_percent_encoded_and_only_http():
    assert markdown_url("https://x.org/a b)") == "https://x.org/a%20b%29"
    assert markdown_url("data:text/html,<b>") is None
    link = markdown_link(HOSTILE_TITLE, "https://x.org/p?q=(1)")
    html = rendered(link)
    assert 'href="https://x.org/p?q=%281%29"' in html
    assert_inert(link)
    assert markdown_link("t", "javascript:alert(1)") == "t"


def test_a_table_cell_keeps_its_row_in_one_cell():
    row = f"| {table_cell(HOSTILE_TITLE)} | {table_cell(markdown_link(HOSTILE_TITLE, 'https://x.org'))} |"
    table = "| a | b |\n|---|---|\n" + row + "\n"
    html = rendered(table)
    assert html.count("<td>") == 2, html
    assert_inert(table)


def test_changes_md_escapes_outside_titles():
    from rsvlm_graph.citations.changes import Changes, format_changes

    fields = {f.name: () for f in dataclasses.fields(Changes)}
    import datetime as dt

    fields.update(old_date=dt.date(2026, 1, 1), new_date=dt.date(2026, 2, 1))
    changes = Changes(**fields)
    changes = dataclasses.replace(changes, entries_added=(("paper:title:x", HOSTILE_TITLE),))
    text = format_changes(changes, "md")
    assert_inert(text)


@pytest.fixture
def hostile(kg, online, monkeypatch):
    """kg/ enriched from a corpus whose outside papers carry hostile titles and venues."""
    assert run("enrich", "--quiet", "--list", kg / "awesome-list.md").exit_code == 0
    listed = {r.s2_paper_id for r in read_snapshot(kg / "snapshot.jsonl").resolutions}
    changed = 0
    for pid, record in online.corpus.papers.items():
        if pid not in listed:
            record["title"] = f"{HOSTILE_TITLE} {pid[:6]}"
            record["venue"] = HOSTILE_VENUE
            changed += 1
    assert changed
    monkeypatch.setenv("RSVLM_FRESHNESS_DAYS", "0")
    result = run("enrich", "--quiet", "--full", "--list", kg / "awesome-list.md")
    assert result.exit_code == 0, result.output
    assert any(p.title.startswith("<img") for p in read_snapshot(kg / "snapshot.jsonl").papers)
    return kg


def test_every_markdown_output_renders_api_text_as_text(hostile, tmp_path):
    kg = hostile
    out = tmp_path / "exports"
    assert run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md",
               "--out", out).exit_code == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "onerror" in report  # the hostile candidates are there, as text
    assert_inert(report)

    discovered = run("discover", "--list", kg / "awesome-list.md", "--format", "md", "--top", "5")
    assert discovered.exit_code == 0 and "onerror" in discovered.stdout
    assert_inert(discovered.stdout)

    patch = tmp_path / "s.patch"
    suggested = run("suggest", "--list", kg / "awesome-list.md", "--top", "5", "--out", patch)
    assert suggested.exit_code == 0, suggested.output
    note = patch.with_suffix(".md").read_text(encoding="utf-8")
    assert "onerror" in note
    assert_inert(note)
    rows = [line[1:] for line in patch.read_text(encoding="utf-8").splitlines()
            if line.startswith("+") and not line.startswith("+++")]
    assert rows and not any(re.search(r"(?<!\\)[<>]", row) for row in rows)  # every < escaped
    assert_inert("\n".join(rows))


#: SYNTHETIC titles as an API could return them: each would ping, link or close something on GitHub
HOSTILE_TITLES = ["Thanks @octocat and @github/security", "This fixes #123, see GH-7",
                  "Visit www.evil.example now", "See https://evil.example/x and ftp://evil.example",
                  "mail bob@evil.example"]
#: what GitHub makes of a pull request body's text: mentions, references, autolinks
GITHUB_REFERENCES = re.compile(r"@[A-Za-z0-9]|#\d|GH-\d|\bwww\.|(?:https?|ftp)://", re.IGNORECASE)


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_outside_text_holds_no_github_reference_and_reads_the_same(title):
    for written in (markdown_text(title), markdown_link(title, "https://arxiv.org/abs/2401.00001"),
                    table_cell(title)):
        text = written.split("](")[0]  # the link's own destination is ours
        assert not GITHUB_REFERENCES.search(text), text
        assert text.replace("\u200b", "").replace("\\", "").lstrip("[") == title


def test_rows_for_the_list_keep_the_text_as_written():
    assert markdown_text("C@t #1 www.x.org", references=True) == "C@t #1 www.x.org"


def test_the_pull_request_body_pings_links_and_closes_nothing(kg, online, monkeypatch, tmp_path):
    # issue 29: API titles reach the weekly pull request's body (changes --format md, then the
    # suggest note, as .github/workflows/refresh.yml puts them together); SYNTHETIC titles
    monkeypatch.setenv("RSVLM_NOW", "2026-01-05")
    assert run("enrich", "--quiet", "--list", kg / "awesome-list.md").exit_code == 0
    listed = {r.s2_paper_id for r in read_snapshot(kg / "snapshot.jsonl").resolutions}
    outside = [pid for pid in online.corpus.papers if pid not in listed]
    for i, pid in enumerate(outside):
        online.corpus.papers[pid]["title"] = f"{HOSTILE_TITLES[i % len(HOSTILE_TITLES)]} {i}"
        online.corpus.papers[pid]["venue"] = "@venue-team #9 www.venue.example"
    monkeypatch.setenv("RSVLM_NOW", "2026-01-12")
    monkeypatch.setenv("RSVLM_FRESHNESS_DAYS", "0")
    assert run("enrich", "--quiet", "--full", "--list", kg / "awesome-list.md").exit_code == 0
    changes = run("changes", "--list", kg / "awesome-list.md", "--format", "md")
    patch = tmp_path / "suggestions.patch"
    assert run("suggest", "--list", kg / "awesome-list.md", "--top", "10", "--out", patch).exit_code == 0
    body = changes.stdout + "\n" + patch.with_suffix(".md").read_text(encoding="utf-8")
    assert "octocat" in body and "evil.example" in body  # the titles are there, as text
    text = re.sub(r"\]\([^)]*\)", "]", body)  # link destinations are ours (Semantic Scholar, arXiv)
    assert not GITHUB_REFERENCES.search(text), GITHUB_REFERENCES.search(text)
