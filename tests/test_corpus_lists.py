"""The six real lists of the field in ../shared/lists (read there, never copied into the
repository): each builds offline, with the entries a reader counts in it; at least 95% of the
distinct papers it links are read as entries, and no entry is titled by a link label, a number, a
date or a title with a venue/year tail, as ``list_rules`` (independent of the parser) judges.
The bundled list (frozen copy) is held to every paper."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import SHARED
from list_rules import bad_title, linked_papers, read_share
from typer.testing import CliRunner

from rsvlm_graph.cli import app
from rsvlm_graph.listfile.parse import read_list

SHARED_LISTS = SHARED / "lists"
BUNDLED_LIST = Path(__file__).resolve().parent / "data" / "awesome-list.md"

pytestmark = pytest.mark.skipif(not SHARED_LISTS.is_dir(), reason="needs ../shared/lists")

# (file, papers, datasets), counted by hand:
# - bili-sakura: nine "| Title | Year | Venue | … |" tables, one row per paper; the 32 rows under
#   "## Datasets" are datasets, the 8 + 12 + 15 + 14 + 6 + 5 + 7 + 5 rows of the other eight
#   tables papers.
# - renshengji: eleven "### N. [VENUE 'YEAR] Title" headings, each followed (after the authors
#   and a <details> abstract) by one "[📄 Paper](…) | [💻 Code](…)" line: eleven papers.
# - wenhwu: rows per table, header and delimiter not counted: "## Optical Datasets" 54 and
#   "## Multi-Modal and SAR Datasets" 13, plus "Satellite Data Resources" 4 (a "| Name |" table
#   of data portals) make 71 datasets; "More Resources" (3 rows) is a "| Name |" table too, but
#   every name links a GitHub repository (other awesome lists, a review's code): no datasets;
#   "Review Papers" 36, "Traditional Methods" 10, "Foundation Models" 19, "Diffusion Models and
#   GANs" 9, "Transformers" 34 and "CNNs" 39 make 147 papers. "# Tools" (6 rows) and
#   "# Competitions" (15 rows) have no title column and list tools and contests, not papers.
# - rupesh4604: tables keyed by Model (or Benchmark) whose paper link is labelled [arXiv],
#   [MDPI], [T-GRS] or [HF]: Vision Foundation Models 21 rows less Clay v1.5 (its link is a
#   site, no paper), the seven RS-VLM tables 3 + 15 + 3 + 8 + 3 + 6 + 5 and Benchmarks 8 make
#   71 papers; "Datasets for VLM training" 14 datasets; the 8 generalist models of the watch
#   list link nothing and are no papers.
# - xiaoaoran: the survey's own paper above every heading (bold title, then [[Paper](…)]),
#   numbered entries "N. Title. Venue2023. | [paper](…)": 18 + 11 + 8 + 1 + 1 (the second
#   generative entry links nothing) + 1 (weather forecasting) make 41 papers; "VFM Datasets"
#   10 and "VLM Datasets" 25 rows make 35 datasets.
# - jaychempan: 5 + 22 + 3 "[Venue] | **Title** | [[📝 Paper]](…)" bullets, and of the four
#   dated News bullets only GeoChat's: SkyScript's paper is listed below, RS5M's and
#   RemoteCLIP's link only GitHub; 31 papers. The 8 rows of "| Dataset Name |" are datasets.
LISTS = [
    ("bili-sakura-awesome-remote-sensing-visual-generative-models.md", 72, 32),
    ("renshengji-awesome-remote-sensing-image-generation.md", 11, 0),
    ("wenhwu-awesome-remote-sensing-change-detection.md", 147, 71),
    ("rupesh4604-awesome-geospatial-vision-language-foundation-models.md", 71, 14),
    ("xiaoaoran-awesome-rsfms.md", 41, 35),
    ("jaychempan-awesome-rsitr.md", 31, 8),
]
# hosts of the rule of thumb, written here independently of the parser's table
_PAPER_LINK = re.compile(
    r"https?://(?:www\.)?(?:arxiv\.org|doi\.org|dx\.doi\.org|ieeexplore\.ieee\.org|mdpi\.com|"
    r"dl\.acm\.org|sciencedirect\.com|openaccess\.thecvf\.com|link\.springer\.com|"
    r"tandfonline\.com)/[^\s)\]|>]+")


@pytest.mark.parametrize(("name", "papers", "datasets"), LISTS)
def test_real_lists_build_offline_with_their_entries(tmp_path: Path, monkeypatch, name: str,
                                                     papers: int, datasets: int) -> None:
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "kg" / "README.md"
    path.parent.mkdir()
    shutil.copy(SHARED_LISTS / name, path)
    document = read_list(path)
    assert (len(document.papers), len(document.datasets)) == (papers, datasets)
    linked, read = read_share(path.read_text(encoding="utf-8"), (e.url for e in document.entries))
    assert read >= 0.95 * linked
    assert [(e.line, e.title) for e in document.entries if bad_title(e.title, e.kind)] == []
    result = CliRunner().invoke(app, ["build", "--offline", "--quiet", "--list", str(path),
                                      "--out", str(tmp_path / "exports")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "exports" / "graph.ttl").stat().st_size > 0


def test_every_paper_of_the_bundled_list_is_an_entry() -> None:
    document = read_list(BUNDLED_LIST)
    linked, read = read_share(BUNDLED_LIST.read_text(encoding="utf-8"),
                              (e.url for e in document.entries))
    assert linked == read == len(linked_papers(BUNDLED_LIST.read_text(encoding="utf-8"))) == 88
    assert not [e.title for e in document.entries if bad_title(e.title, e.kind)]


def _section_lines(lines: list[str], heading: str) -> range:
    """The line numbers from a level-1 heading to the next one."""
    start = lines.index(heading) + 1
    end = next((n for n, line in enumerate(lines[start:], start=start + 1)
                if line.startswith("# ")), len(lines) + 1)
    return range(start, end)


def _lint(tmp_path: Path, monkeypatch, name: str) -> tuple[Path, list[dict], int]:
    """Lint a copy of a real list: (its path, the findings as JSON, the exit code)."""
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "kg" / "README.md"
    path.parent.mkdir()
    shutil.copy(SHARED_LISTS / name, path)
    result = CliRunner().invoke(app, ["lint", "--list", str(path), "--format", "json"])
    return path, json.loads(result.stdout), result.exit_code


def test_wenhwu_tools_and_competitions_tables_are_no_lint_errors(tmp_path: Path,
                                                                 monkeypatch) -> None:
    # neither table has a title column; they list tools and contests, and the papers a few rows
    # cite and no entry links are warnings on their own lines, so nothing is lost unsaid
    path, findings, exit_code = _lint(tmp_path, monkeypatch,
                                      "wenhwu-awesome-remote-sensing-change-detection.md")
    lines = re.split(r"\r\n?|\n", path.read_text(encoding="utf-8"))
    tables = {n for heading in ("# Tools", "# Competitions")
              for n in _section_lines(lines, heading)}
    assert not [f for f in findings if f["line"] in tables and f["severity"] == "error"]
    document = read_list(path)
    listed = {e.url for e in document.entries}
    citing = {n for n in tables if _PAPER_LINK.search(lines[n - 1])}
    mentions = {f["line"] for f in findings if f["code"] == "paper-mention"}
    assert mentions == {n for n in citing if not listed.issuperset(_PAPER_LINK.findall(lines[n - 1]))}
    assert (len(citing), len(mentions)) == (6, 3)
    # no parse error; the list's arXiv and ScienceDirect rows of one title carry other ids, so
    # lint cannot tell them one paper: a similar-title warning naming both ids, not an error
    assert not [f for f in findings if f["severity"] == "error"]
    (similar,) = [f for f in findings if f["code"] == "similar-title"]
    assert "2509.23310" in similar["message"] and "s0924271625002072" in similar["message"]
    assert exit_code == 0


def _has_han(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def test_wenhwu_chinese_journals_and_more_resources_are_no_false_findings(tmp_path: Path,
                                                                         monkeypatch) -> None:
    # 测绘学报, 遥感学报, 遥感技术与应用, 武汉大学学报 (信息科学版), 计算机研究与发展 and 地理信息世界
    # are six journals; "More Resources" links other lists' repositories, which are no datasets
    # (nor introduced by the review whose code one of them holds)
    path, findings, _ = _lint(tmp_path, monkeypatch,
                              "wenhwu-awesome-remote-sensing-change-detection.md")
    document = read_list(path)
    assert {e.venue for e in document.papers if e.venue and _has_han(e.venue)} == {
        "测绘学报", "遥感学报", "遥感技术与应用", "武汉大学学报 (信息科学版)", "计算机研究与发展",
        "地理信息世界"}
    assert not [f for f in findings if f["code"] == "venue-variants" and _has_han(f["message"])]
    lines = re.split(r"\r\n?|\n", path.read_text(encoding="utf-8"))
    resources = _section_lines(lines, "# More Resources")
    assert not [e for e in document.entries if e.line in resources]
    assert not [f for f in findings if f["line"] in resources]
    # a dataset table still reads a dataset whose name links GitHub, and data portals stay
    (rscc,) = [e for e in document.entries if e.title == "RSCC"]
    assert rscc.kind == "dataset" and "https://github.com/Bili-Sakura/RSCC" in rscc.home_urls
    portals = _section_lines(lines, "# Satellite Data Resources for Disaster Response")
    assert len([e for e in document.datasets if e.line in portals]) == 4
    # a Chinese dataset name is not the prefix of every Chinese title
    assert not [f for f in findings if f["code"] == "unlinked-dataset-paper"
                and "吉林一号资源库" in f["message"]]


def test_bili_sakura_tgrs_and_mgrs_are_two_venues(tmp_path: Path, monkeypatch) -> None:
    # IEEE TGRS (Transactions) and IEEE MGRS (Magazine) differ in one letter that is a word
    path, findings, exit_code = _lint(
        tmp_path, monkeypatch, "bili-sakura-awesome-remote-sensing-visual-generative-models.md")
    venues = {e.venue for e in read_list(path).papers}
    assert {"IEEE TGRS", "IEEE MGRS"} <= venues
    assert not [f for f in findings if f["code"] == "venue-variants"]
    # what fails the run is the list's real duplicates
    assert {f["code"] for f in findings if f["severity"] == "error"} == {"duplicate-paper"}
    assert exit_code == 1
