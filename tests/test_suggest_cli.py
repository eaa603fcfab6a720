"""suggest through the CLI against the fake API (SYNTHETIC corpora) on copies of real list shapes:
the rows' link labels follow the list's convention, their venues the list's spelling (so `lint`
finds no new venue variant), and a --reject naming no known paper is refused.

The lists are copies (the bundled list, and bili-sakura's from ../shared/lists) in tmp_path; the
papers suggested are the fake's SYNTHETIC outside papers, never written to kg/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import rispy
from conftest import FAKE_API_KEY, SHARED
from fakeapi import FakeApi
from fakeapi.corpus import corpus_for_list
from typer.testing import CliRunner

from rsvlm_graph.cli import app
from rsvlm_graph.identifiers import link_kind
from rsvlm_graph.listfile.curation import load_curation
from rsvlm_graph.listfile.parse import read_list

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "tests" / "data" / "awesome-list.md"
BILI = SHARED / "lists" / "bili-sakura-awesome-remote-sensing-visual-generative-models.md"
#: the venue the fake names TGRS by, and the way each list writes it (a curation alias says so)
S2_TGRS = "IEEE Transactions on Geoscience and Remote Sensing"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, FakeApi]]:
    """A kg/ folder in tmp_path to fill, and the strict fake API (``real=True``) the CLI talks to;
    the test sets ``api.corpus`` once its list is in place."""
    for name in ("S2_API_KEY", "RSVLM_S2_API_URL", "RSVLM_ARXIV_API_URL"):
        monkeypatch.delenv(name, raising=False)
    with FakeApi(corpus_for_list(read_list(BUNDLED)), real=True) as api:
        monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("S2_API_KEY", FAKE_API_KEY)
        monkeypatch.setenv("RSVLM_S2_API_URL", api.s2_url)
        monkeypatch.setenv("RSVLM_ARXIV_API_URL", api.arxiv_url)
        monkeypatch.setenv("RSVLM_S2_RATE", "1000")
        monkeypatch.setenv("RSVLM_ARXIV_INTERVAL", "0")
        monkeypatch.chdir(tmp_path)
        (tmp_path / "kg").mkdir()
        yield tmp_path / "kg", api


def _enriched(kg: Path, api: FakeApi, list_text: str, curation: str) -> Path:
    """Write the list and its curation file to ``kg``, serve a corpus around it, enrich."""
    path = kg / "README.md"
    path.write_text(list_text, encoding="utf-8")
    (kg / "curation.toml").write_text(curation, encoding="utf-8")
    api.corpus = corpus_for_list(read_list(path, load_curation(kg / "curation.toml")))
    result = run("enrich", "-q", "--list", path)
    assert result.exit_code == 0, result.output
    return path


def _suggested(path: Path, top: int) -> tuple[list[str], dict[str, str]]:
    """Run suggest; return the patch's added rows and each candidate's S2 venue from the note."""
    result = run("suggest", "--list", path, "--kind", "all", "--top", top,
                 "--out", path.parent / "out" / "suggestions.patch")
    assert result.exit_code == 0, result.output
    patch = (path.parent / "out" / "suggestions.patch").read_text(encoding="utf-8")
    note = (path.parent / "out" / "suggestions.md").read_text(encoding="utf-8")
    venues = dict(re.findall(r"^## \d+\. \[(.+?)\]\(.*?\n\n- Section: .*\n- Venue: (.*)$", note,
                             re.MULTILINE))
    rows = [line[1:] for line in patch.splitlines() if line.startswith("+") and "SYNTHETIC" in line]
    return rows, venues


def _variants(path: Path) -> set[frozenset[str]]:
    """The pairs of spellings `lint` calls one venue written two ways (either may be the house
    style: new rows can tip the count)."""
    result = run("lint", "--list", path, "--format", "text")
    return {frozenset(pair) for pair in re.findall(
        r"\[venue-variants\] venue spelled '(.+?)' here and '(.+?)'", result.output)}


def _patched(path: Path) -> None:
    """Apply the patch as a maintainer does, from the folder it was written in (tmp_path)."""
    root = path.parent.parent
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "apply", str(path.parent / "out" / "suggestions.patch")], cwd=root,
                   check=True)


@pytest.mark.skipif(not BILI.is_file(), reason="needs ../shared/lists")
def test_bili_rows_label_links_by_site_and_write_the_lists_venues(served):
    # bili-sakura labels a link by its site ([arXiv](arxiv…), [DOI](doi.org…)) and only a
    # proceedings page by its venue ([CVPR](openaccess…)); it writes "arXiv" and "IEEE TGRS"
    kg, api = served
    path = _enriched(kg, api, BILI.read_text(encoding="utf-8"),
                     f'[venue_aliases]\n"{S2_TGRS}" = "IEEE TGRS"\n')
    before = _variants(path)
    rows, venues = _suggested(path, top=12)
    assert len(rows) >= 3
    kinds = set()
    for row in rows:
        title, year, venue, link, code = (cell.strip() for cell in row.strip("| ").split(" | "))
        label, url = re.fullmatch(r"\[(.+)\]\((.+)\)", link).groups()  # type: ignore[union-attr]
        kinds.add(link_kind(url))
        assert label == {"arxiv_id": "arXiv", "doi": "DOI", "s2_id": "Semantic Scholar"}[
            link_kind(url) or ""], row
        s2_venue = venues[title]
        assert venue == {S2_TGRS: "IEEE TGRS", "–": ""}.get(s2_venue, s2_venue) or "N/A", row
        assert "arXiv.org" not in row and code == "N/A"
    assert {"arxiv_id", "doi", "s2_id"} <= kinds  # every label rule was exercised
    assert any(S2_TGRS in v for v in venues.values()) and any(v == "arXiv" for v in venues.values())
    _patched(path)
    assert _variants(path) <= before  # no venue spelled a new way


def test_bundled_rows_write_arxiv_and_tgrs_as_the_list_does(served):
    # the bundled list: "[Title](link)|arxiv 2023|-", and "TGRS 2022" for the journal
    kg, api = served
    curation = (ROOT / "kg" / "curation.toml").read_text(encoding="utf-8").replace(
        "[venue_aliases]\n", f'[venue_aliases]\n"{S2_TGRS}" = "TGRS"\n')
    path = _enriched(kg, api, BUNDLED.read_text(encoding="utf-8"), curation)
    before = _variants(path)
    rows, venues = _suggested(path, top=12)
    assert rows
    for row in rows:
        match = re.fullmatch(r"\[(.+?)\]\((.+?)\)\|(.*?)\|-\|?", row)
        assert match, row
        title, url, published = match.groups()
        s2_venue = venues[title]
        if s2_venue == "–":  # a preprint S2 names no venue for is the list's "arxiv"
            s2_venue = "arXiv" if link_kind(url) == "arxiv_id" else ""
        expected = {S2_TGRS: "TGRS", "arXiv": "arxiv"}.get(s2_venue, s2_venue)
        assert re.sub(r"\s*\d{4}$", "", published) == expected, row
    assert {"arxiv", "TGRS"} <= {re.sub(r" \d{4}$", "", r.split(")|")[1].split("|")[0]) for r in rows}
    _patched(path)
    assert _variants(path) <= before


def test_reject_refuses_a_value_naming_no_known_paper(served):
    kg, api = served
    path = _enriched(kg, api, BUNDLED.read_text(encoding="utf-8"),
                     (ROOT / "kg" / "curation.toml").read_text(encoding="utf-8"))
    curation = (kg / "curation.toml").read_text(encoding="utf-8")
    _, venues = _suggested(path, top=3)
    title = next(iter(venues))

    typo = run("suggest", "--list", path, "--reject", "no such paper", "--reason", "x")
    assert typo.exit_code == 1
    assert "'no such paper' names no discovery candidate nor paper of the graph" in typo.output
    assert "closest titles: '" in typo.output and "--force" in typo.output
    assert (kg / "curation.toml").read_text(encoding="utf-8") == curation  # nothing recorded

    # one letter off the candidate's title still names it, and records its S2 id with it
    near = title[:-1] + ("x" if title[-1] != "x" else "y")
    named = run("suggest", "--list", path, "--reject", near, "--reason", "off topic")
    assert named.exit_code == 0, named.output
    assert "1 rejection(s) recorded" in named.output
    recorded = load_curation(kg / "curation.toml").rejections
    assert [(r.title, r.reason) for r in recorded] == [(title, "off topic")]
    assert recorded[0].s2_paper_id

    forced = run("suggest", "--list", path, "--reject", "no such paper", "--reason", "x", "--force")
    assert forced.exit_code == 0, forced.output
    assert load_curation(kg / "curation.toml").rejections[-1].title == "no such paper"


@pytest.mark.parametrize("top", [10, 30])
def test_a_list_with_the_suggestions_applied_lints_clean(served, top):
    """suggest lints its own patched list: rows that would be lint errors are left out (and said
    in the note), so the maintainer's CI stays green after `git apply`."""
    kg, api = served
    path = _enriched(kg, api, BUNDLED.read_text(encoding="utf-8"),
                     (ROOT / "kg" / "curation.toml").read_text(encoding="utf-8"))
    before = run("lint", "--list", path, "--format", "csv")
    rows, _ = _suggested(path, top=top)
    assert rows
    # --format: the papers of the patch's rows, for a reference manager, beside the patch
    result = run("suggest", "--list", path, "--kind", "all", "--top", top, "--format", "ris",
                 "--out", path.parent / "ris" / "suggestions.patch")
    assert result.exit_code == 0 and "suggestions.ris" in result.output
    records = rispy.loads((path.parent / "ris" / "suggestions.ris").read_text(encoding="utf-8"))
    assert sorted(r["title"] for r in records) == sorted(re.match(r"\[(.+?)\]", r)[1] for r in rows)  # type: ignore[index]
    _patched(path)
    after = run("lint", "--list", path, "--format", "csv")
    assert after.exit_code == 0, after.stdout
    def said(output: str) -> set[tuple[str, str]]:  # (code, message): rows move down
        return {tuple(line.split(",", 4)[3:]) for line in output.splitlines()[1:]}  # type: ignore[misc]

    new = said(after.stdout) - said(before.stdout)
    # a row lacks a venue only when its record names none (venue, publicationVenue nor journal)
    venue_of = {record.get("title"): record.get("venue") or (record.get("publicationVenue") or {}).get("name")
                or (record.get("journal") or {}).get("name") for record in api.corpus.papers.values()}
    without = [re.match(r"'(.*)' has no venue", message)[1]  # type: ignore[index]
               for code, message in new if code == "missing-venue"]
    assert not [title for title in without if venue_of[title]]
