"""lint: real findings on the bundled list (with their lines), and each check on small lists.

The small lists, the Semantic Scholar titles put on graph nodes and the local link server are
SYNTHETIC test data; the bundled list is read as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import closed_port_url
from typer.testing import CliRunner

from rsvlm_graph.cli import EXIT_PARTIAL, app
from rsvlm_graph.errors import ListParseError
from rsvlm_graph.graph import build_graph
from rsvlm_graph.listfile.curation import Curation
from rsvlm_graph.listfile.findings import Finding, format_findings, has_errors
from rsvlm_graph.listfile.lint import (
    lint_list,
    skipped_checks,
)
from rsvlm_graph.listfile.parse import parse_list, read_list
from rsvlm_graph.models import ListDocument

LIST = Path(__file__).resolve().parent / "data" / "awesome-list.md"  # frozen copy of the list
HEAD = "# L\n## Image Captioning\n| Paper | Published in | Code/Project |\n|---|:-:|:-:|\n"


def _codes(findings: list[Finding]) -> set[tuple[int, str]]:
    return {(f.line, f.code) for f in findings}


@pytest.fixture(scope="module")
def bundled() -> ListDocument:
    return read_list(LIST)


def test_bundled_list_findings_are_the_real_ones(bundled):
    findings = lint_list(bundled)
    assert {
        (36, "venue-variants"),  # JSTARG, elsewhere J-STARS
        (42, "missing-venue"),  # RemoteGLM: "2023" only
        (42, "missing-link"),
        (68, "mojibake"),  # Wordâ€“Sentence
        (122, "venue-variants"),  # arXiv, elsewhere arxiv
        (152, "venue-format"),  # "GRSL 2022."
        (152, "cell-count"),  # no Code/Project cell
        (172, "unlinked-dataset-paper"),  # RS-5M links the RS5M paper's project page
        (189, "mojibake"),  # RSVQAÃ—BEN
    } <= _codes(findings)
    # no false alarms: the list has no duplicate, malformed link or parse problem
    assert not has_errors(findings)
    assert not {f.code for f in findings} & {"duplicate-paper", "malformed-url", "parse-error"}
    by_line = {(f.line, f.code): f for f in findings}
    assert "'J-STARS'" in by_line[36, "venue-variants"].message
    assert "https://arxiv.org/abs/2306.11300" in by_line[172, "unlinked-dataset-paper"].message
    assert "'â€“'" in by_line[68, "mojibake"].message
    assert findings == sorted(findings, key=lambda f: (f.line, f.code, f.message))


def test_title_mismatch_uses_semantic_scholar_titles_from_the_graph(bundled):
    G = build_graph(bundled)
    assert any("title-mismatch" in s for s in skipped_checks(graph=G))
    by_line = {attrs["line"]: node for node, attrs in G.nodes(data=True) if attrs.get("line")}
    # SYNTHETIC enrichment: canonical titles as Semantic Scholar spells them
    G.nodes[by_line[67]]["s2_title"] = "Truncation Cross Entropy Loss for Remote Sensing Image Captioning"
    G.nodes[by_line[58]]["s2_title"] = "Deep semantic understanding of high resolution remote sensing image."
    G.nodes[by_line[61]]["s2_title"] = "A totally different paper on hyperspectral unmixing"
    findings = [f for f in lint_list(bundled, graph=G) if f.code == "title-mismatch"]
    assert [f.line for f in findings] == [61, 67]  # line 58 differs only in case and punctuation
    assert "captioning" in findings[1].message.lower() and "fix the title" in findings[1].message
    assert "another paper" in findings[0].message
    assert not any("title-mismatch" in s for s in skipped_checks(graph=G))


def test_a_row_that_only_names_its_model_has_no_title_to_mismatch():
    # SYNTHETIC: a model table names "SatMAE"; its paper's full title differs, and is no finding.
    # A titled row beside it still gets one.
    text = ("# L\n## Models\n| Model | Year | Paper |\n|---|---|---|\n"
            "| SatMAE | 2022 | [arXiv](https://arxiv.org/abs/2207.08051) |\n"
            "| [A Title The List Gives](https://arxiv.org/abs/2301.00001) | 2023 | - |\n")
    document = parse_list(text, "models.md")
    assert [e.title_from_list for e in document.papers] == [False, True]
    G = build_graph(document)
    G.nodes["paper:arxiv:2207.08051"]["s2_title"] = (
        "SatMAE: Pre-training Transformers for Temporal and Multi-Spectral Satellite Imagery")
    G.nodes["paper:arxiv:2301.00001"]["s2_title"] = "A totally different paper"
    findings = [f for f in lint_list(document, graph=G) if f.code == "title-mismatch"]
    assert [f.line for f in findings] == [6]


def test_duplicates_by_link_identifier_and_title():
    text = HEAD + (
        "[Alpha captioner](https://arxiv.org/abs/2101.00001)|arxiv 2021|-\n"
        "[Alpha captioner v2](https://arxiv.org/pdf/2101.00001v2)|arxiv 2021|-\n"
        "[Beta](https://doi.org/10.3390/rs12060939)|Remote Sensing 2020|-\n"
        "[Beta again](https://www.mdpi.com/2072-4292/12/6/939)|Remote Sensing 2020|-\n"
        "[Gamma model for remote sensing image captioning](https://a.org/x)|TGRS 2020|-\n"
        "[Gamma model for remote sensing image captionin](https://b.org/y)|TGRS 2020|-\n"
        "[Delta model for remote sensing image captioning](https://c.org/z)|TGRS 2020|-\n"
    )
    findings = lint_list(parse_list(text, "l.md", None))
    duplicates = [f for f in findings if f.code == "duplicate-paper"]
    assert [f.line for f in duplicates] == [6, 8, 10]
    assert all(f.severity == "error" for f in duplicates)
    assert "line 5" in duplicates[0].message and "line 9" in duplicates[2].message


def test_malformed_urls_are_errors():
    text = HEAD + (
        "[A](github.com/no/scheme)|TGRS 2020|-\n"
        "[B](https://arxiv.org/abs/2101.00002)|TGRS 2020|[code](htps://github.com/x/y)\n"
        "[C](https://arxiv.org/abs/2101.00003)|TGRS 2020|[code](https://github.com/x/z)\n"
        "[D](https://arxiv.org/abs/2101.00004)|TGRS 2020|[code](https://github.com:x/z)\n"
    )
    findings = lint_list(parse_list(text, "l.md", None))
    assert [(f.line, f.severity) for f in findings if f.code == "malformed-url"] == [
        (5, "error"), (6, "error"), (8, "error"),
    ]
    assert has_errors(findings)


def test_venue_variants_fold_case_aliases_and_one_letter_swaps():
    text = HEAD + "".join(
        f"[P{i}](https://arxiv.org/abs/2101.0000{i})|{venue} 2021|-\n"
        for i, venue in enumerate(["CVPR", "CVPRW", "J-STARS", "J-STARS", "JSTARG", "IEEE Access",
                                   "Remote Sensing", "RS"])
    )
    document = parse_list(text, "l.md", None)
    plain = [f for f in lint_list(document) if f.code == "venue-variants"]
    assert [f.line for f in plain] == [9]  # JSTARG; CVPR/CVPRW are different venues
    aliased = lint_list(document, curation=Curation(venue_aliases={"RS": "Remote Sensing"}))
    assert [f.line for f in aliased if f.code == "venue-variants"] == [9, 12]


def test_venue_variants_compare_chinese_names_by_character_and_acronyms_by_word():
    # SYNTHETIC rows, one venue each, from line 5 on
    venues = ["IEEE TGRS", "IEEE TGRS", "IEEE MGRS", "TGRS",  # 5-8: Magazine is no variant
              "CVPR", "CVPR2023", "CVPR Workshops", "ICPR Workshops",  # 9-12
              "测绘学报", "测绘学报", "遥感学报", "遥感技术与应用",  # 13-16: four journals
              "武汉大学学报 (信息科学版)", "武汉大学学报(信息科学版)",  # 17-18: one journal
              "北京大学学报", "南京大学学报"]  # 19-20: one character, two universities
    text = HEAD + "".join(f"[P{i}](https://arxiv.org/abs/2101.{i:05d})|{venue} 2021|-\n"
                          for i, venue in enumerate(venues))
    variants = [f for f in lint_list(parse_list(text, "l.md")) if f.code == "venue-variants"]
    assert [f.line for f in variants] == [8, 10, 18]
    assert "'TGRS' here and 'IEEE TGRS' on lines 5, 6" in variants[0].message
    assert "'武汉大学学报 (信息科学版)' on lines 17" in variants[2].message


def test_a_chinese_dataset_name_is_no_prefix_of_every_chinese_title():
    # SYNTHETIC: letters of every script count in "the paper's title starts with the dataset's
    # name and a colon"; an all-Chinese name does not fold to nothing
    text = HEAD + (
        "[遥感智能变化检测的深度学习方法:演变与发展趋势](https://doi.org/10.5555/synthetic.1)|测绘学报 2023|-\n"
        "[吉林一号变化: 一个变化检测数据集](https://doi.org/10.5555/synthetic.2)|遥感学报 2024|-\n"
        "## Resources Dataset\n| Dataset | Home | Download |\n|---|:-:|:-:|\n"
        "[吉林一号资源库](https://www.example.org/jl1)|-|-\n"
        "[吉林一号变化](https://www.example.org/jl1cd)|-|-\n"
    )
    unlinked = [f for f in lint_list(parse_list(text, "l.md")) if f.code == "unlinked-dataset-paper"]
    assert [(f.line, "line 6" in f.message) for f in unlinked] == [(11, True)]


def test_venue_checks_find_the_venue_column_by_its_header_not_its_position():
    # SYNTHETIC list in another layout: Venue is the third column and holds no year
    text = ("# L\n## VQA\n|Year|Title|Venue|Link|\n|---|---|---|---|\n"
            "|2020|RSVQA: Visual question answering for remote sensing data|TGRS|"
            "[link](https://ieeexplore.ieee.org/document/9088993)|\n"
            "|2021|Mutual Attention Inception Network for Remote Sensing VQA|tgrs.|"
            "[link](https://ieeexplore.ieee.org/document/9444570)|\n"
            "- [RemoteCLIP: A Vision Language Foundation Model](https://arxiv.org/abs/2306.11029)"
            " | [code](https://github.com/ChenDelong1999/RemoteCLIP) | arXiv 2023\n")
    findings = lint_list(parse_list(text, "l.md"))
    assert not {f.code for f in findings} & {"venue-format", "cell-count"}, findings
    variants = [f for f in findings if f.code == "venue-variants"]
    assert [(f.line, "'tgrs.'" in f.message) for f in variants] == [(6, True)]


def test_parse_problems_become_errors():
    problem = ListParseError("row has no title", "l.md", 7)
    findings = lint_list(ListDocument("l.md", "L", (), (problem,)))
    assert findings == [Finding("l.md", 7, "error", "parse-error", "row has no title")]
    assert str(findings[0]) == "l.md:7: error [parse-error] row has no title"


def test_a_tools_table_without_title_column_is_no_error():
    # SYNTHETIC: tools, no title column; one tool cites its paper, which is said as a warning
    text = ("# L\n## Tools\n| Year | Abbreviation | Description |\n|---|---|---|\n"
            "|2024|[toolbox](https://github.com/example/toolbox)|A change detection toolbox.|\n"
            "|2022|[kit](https://github.com/example/kit)|Paper: [arXiv](https://arxiv.org/abs/2407.00001).|\n"
            "|2020|[repo](https://github.com/example/repo)|Classic methods.|\n")
    findings = lint_list(parse_list(text, "l.md"))
    assert not has_errors(findings)
    assert [(f.line, f.severity, f.code) for f in findings] == [(6, "warning", "paper-mention")]
    no_paper = text.replace("Paper: [arXiv](https://arxiv.org/abs/2407.00001).", "A kit.")
    assert lint_list(parse_list(no_paper, "l.md")) == []


def test_a_table_of_papers_without_title_column_is_an_error_naming_path_and_line():
    # SYNTHETIC: arXiv and DOI links in a table whose header lacks a title word
    text = ("# L\n## Methods\n| Year | Abbreviation | Publication |\n|---|---|---|\n"
            "|2024|NetA|[TGRS2024](https://doi.org/10.5555/synthetic.1)|\n"
            "|2023|NetB|[arXiv2023](https://arxiv.org/abs/2301.00001)|\n")
    (finding,) = lint_list(parse_list(text, "lists/l.md"))
    assert has_errors([finding])
    assert str(finding).startswith("lists/l.md:3: error [parse-error] table has no title column")


def test_format_findings_text_and_json():
    findings = [Finding("l.md", 3, "warning", "missing-year", "'A' has no year")]
    assert format_findings(findings) == "l.md:3: warning [missing-year] 'A' has no year\n"
    assert json.loads(format_findings(findings, "json")) == [
        {"path": "l.md", "line": 3, "severity": "warning", "code": "missing-year",
         "message": "'A' has no year"},
    ]


def _write_list(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "kg" / "awesome-list.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEAD + rows, encoding="utf-8")
    return path


def test_lint_online_without_network_says_so_once_and_exits_3(tmp_path, monkeypatch):
    # SYNTHETIC list whose every host refuses (a closed local port): no host answers, so the
    # network counts as down; with a duplicate row, that error still exits 1
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_PROXY", "*")
    refused = closed_port_url()
    rows = "".join(f"[P{i}]({refused}/paper{i})|TGRS 2020|[code]({refused}/code{i})\n"
                   for i in range(3))
    path = _write_list(tmp_path, rows)
    result = CliRunner().invoke(app, ["lint", "--online", "--list", str(path)])
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "dead-link" not in result.stdout
    assert result.stderr.count("network is unavailable") == 1
    assert "0 error(s)" in result.stderr and "6 link(s) not checked" in result.stderr
    path.write_text(HEAD + rows + rows.splitlines(keepends=True)[0], encoding="utf-8")
    result = CliRunner().invoke(app, ["lint", "--online", "--list", str(path)])
    assert result.exit_code == 1 and "duplicate-paper" in result.stdout


def test_unlinked_dataset_paper_by_identifier_code_page_and_name():
    # SYNTHETIC list: three datasets whose papers are listed, linked by another URL form, by the
    # paper's code page, or not at all; one dataset linking its paper properly
    text = HEAD + (
        "[Alpha captions](https://www.mdpi.com/2072-4292/12/6/939)|Remote Sensing 2020|-\n"
        "[BetaSet: a benchmark](https://arxiv.org/abs/2101.00002)|arxiv 2021|[code](https://github.com/x/beta)\n"
        "[Gamma-10: ten classes](https://arxiv.org/abs/2101.00003)|arxiv 2021|-\n"
        "[Delta](https://arxiv.org/abs/2101.00004)|arxiv 2021|-\n"
        "## Image Captioning Dataset\n| Dataset | Home | Download |\n|---|:-:|:-:|\n"
        "[AlphaCap](https://doi.org/10.3390/rs12060939)|-|-\n"
        "[Beta Set](https://github.com/x/beta)|-|-\n"
        "GAMMA 10|-|-\n"
        "[DeltaData](https://arxiv.org/pdf/2101.00004v1)|-|-\n"
    )
    findings = lint_list(parse_list(text, "l.md", None))
    unlinked = [f for f in findings if f.code == "unlinked-dataset-paper"]
    assert [f.line for f in unlinked] == [12, 13, 14]
    assert "under another URL" in unlinked[0].message
    assert "code/project page" in unlinked[1].message
    assert "links no paper" in unlinked[2].message and "line 7" in unlinked[2].message


@pytest.mark.parametrize(("fmt", "document"), [("json", "[]\n"), ("csv", "path,line,severity,code,message\n"),
                                               ("text", ""), ("github", "")])
def test_a_clean_list_is_still_a_document_in_json_and_csv(tmp_path, fmt, document):
    # SYNTHETIC list without findings: `lint --format json | jq` read nothing at all, not []
    path = _write_list(tmp_path, "[A clean paper title](https://arxiv.org/abs/2301.00001)|TGRS 2020|-\n")
    result = CliRunner().invoke(app, ["lint", "--format", fmt, "--list", str(path)],
                                env={"RSVLM_CACHE_DIR": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    assert result.stdout == document
    assert "0 error(s), 0 warning(s)" in result.stderr


def test_a_row_pinned_to_the_paper_another_row_links_is_a_duplicate(tmp_path):
    # an outside review: RemoteGLM pinned to the arXiv id another row links; lint said nothing,
    # rank showed the paper twice and its in-list citations split between the rows
    curation = tmp_path / "curation.toml"
    curation.write_text('[[pin]]\ntitle = "RemoteGLM"\narxiv_id = "2101.00001"\n', encoding="utf-8")
    from rsvlm_graph.listfile.curation import load_curation

    text = HEAD + ("[Alpha captioner](https://arxiv.org/abs/2101.00001)|arxiv 2021|-\n"
                   "RemoteGLM|TGRS 2023|-\n")
    pinned = load_curation(curation)
    findings = lint_list(parse_list(text, "l.md", pinned), curation=pinned)
    assert [(f.line, f.code) for f in findings if f.code == "duplicate-paper"] == [(6, "duplicate-paper")]
    assert not [f for f in lint_list(parse_list(text, "l.md", None)) if f.code == "duplicate-paper"]
