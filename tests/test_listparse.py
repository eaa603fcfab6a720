"""Tests of rsvlm_graph.listfile.parse on the bundled list and on hand-made lists in tests/data/lists/."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from list_rules import bad_title, linked_papers, paper_key, read_share

from rsvlm_graph.errors import ListParseError, PaperMention
from rsvlm_graph.identifiers import slugify
from rsvlm_graph.listfile.curation import Curation, Pin
from rsvlm_graph.listfile.parse import header_roles, parse_list, read_list
from rsvlm_graph.models import ListDocument, ListEntry, PaperIds

ROOT = Path(__file__).parents[1]
LIST = ROOT / "tests" / "data" / "awesome-list.md"  # frozen copy: the live list changes
DATA = Path(__file__).parent / "data" / "lists"
S2_ID = "649def34f8be52c8b66281af98ae884c09aef38b"  # SYNTHETIC: any 40 hex digits


@pytest.fixture(scope="module")
def document() -> ListDocument:
    return read_list(LIST)


def by_title(document: ListDocument, start: str, kind: str | None = None) -> ListEntry:
    found = [e for e in document.entries if e.title.startswith(start) and kind in (None, e.kind)]
    assert len(found) == 1, [e.title for e in found]
    return found[0]


# --- the bundled list -------------------------------------------------------------------------

def test_bundled_list_counts(document: ListDocument) -> None:
    assert document.problems == ()
    assert len(document.papers) == 81
    assert len(document.datasets) == 25
    assert len({d.title for d in document.datasets}) == 24
    assert [d.section for d in document.datasets if d.title == "NWPU-RESISC45"] == [
        "Image Captioning Dataset", "Scene Classification Dataset"]
    assert document.title == "Awesome remote sensing vision language models"
    assert document.path == str(LIST)


def test_every_table_row_of_the_text_is_an_entry(document: ListDocument) -> None:
    # Counted without Markdown: lines holding a "|" that are neither a header nor a delimiter.
    lines = LIST.read_text(encoding="utf-8").splitlines()
    delimiters = {n for n, line in enumerate(lines) if re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", line)
                  and "-" in line}
    rows = [n + 1 for n, line in enumerate(lines)
            if "|" in line and n not in delimiters and n + 1 not in delimiters]
    assert len(rows) == 106
    assert sorted(e.line for e in document.entries) == rows


def test_entries_keep_their_source_line(document: ListDocument) -> None:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    for entry in document.entries:
        assert entry.raw == lines[entry.line - 1]
        if entry.url:
            assert entry.url in entry.raw


def test_remoteglm_has_no_link_but_is_an_entry(document: ListDocument) -> None:
    entry = by_title(document, "RemoteGLM")
    assert (entry.kind, entry.url, entry.venue, entry.year) == ("paper", None, None, 2023)
    assert entry.ids == PaperIds()
    assert entry.code_urls == ("https://github.com/lzw-lzw/RemoteGLM",)
    assert entry.line == 42
    assert entry.section == entry.task == "Remote Sensing Vision Language Model"


def test_mojibake_is_repaired(document: ListDocument) -> None:
    assert by_title(document, "Word–Sentence Framework").title == \
        "Word–Sentence Framework for Remote Sensing Image Captioning"
    assert by_title(document, "RSVQA×BEN", "dataset").url == \
        "https://ieeexplore.ieee.org/abstract/document/9553307"
    assert not any("â" in e.title or "Ã" in e.title for e in document.entries)


@pytest.mark.parametrize(("start", "venue", "year"), [
    ("Can a Machine Generate Humanlike", "TGRS", 2017),
    ("Vision-Language Models in Remote Sensing", "arXiv", 2023),
    ("Charting New Territories", "arXiv", 2023),
    ("Few-shot segmentation of remote sensing images", "GRSL", 2022),
    ("Remote sensing image captioning via variational", "Knowledge-Based Systems", 2020),
    ("Brain-inspired Remote Sensing Foundation", "JSTARG", 2023),
    ("RSVG: Exploring data", "TGRS", 2023),
])
def test_venue_and_year_are_split(document: ListDocument, start: str, venue: str, year: int) -> None:
    entry = by_title(document, start)
    assert (entry.venue, entry.year) == (venue, year)


def test_papers_read_links_and_ids(document: ListDocument) -> None:
    rsgpt = by_title(document, "RSGPT")
    assert rsgpt.url == "https://arxiv.org/abs/2307.15266"
    assert rsgpt.ids == PaperIds(arxiv_id="2307.15266")
    assert rsgpt.code_urls == ("https://github.com/Lavender105/RSGPT",)
    assert by_title(document, "RS5M").code_urls == ("https://github.com/om-ai-lab/RS5M",)
    assert by_title(document, "Vision-Language Models in Remote").code_urls == ()
    assert by_title(document, "Description Generation").ids == PaperIds(doi="10.3390/rs11060612")
    assert by_title(document, "Brain-inspired").ids == PaperIds(ieee_id="10254282")
    assert by_title(document, "Open-ended remote").ids == PaperIds(doi="10.1080/01431161.2022.2145583")
    assert by_title(document, "Prompt-RSVQA").ids == PaperIds()
    # the sentence's closing period is the list's punctuation, no part of the title
    assert by_title(document, "Textrs").title.endswith("remote sensing images")
    with_ids = [e for e in document.papers if not e.ids.is_empty()]
    assert len(with_ids) == 79  # all but RemoteGLM and the CVF page


def test_sections_and_tasks(document: ListDocument) -> None:
    tasks = {e.task for e in document.entries}
    assert "Image Captioning" in tasks and "Image Captioning Dataset" not in tasks
    assert all(e.task == e.section for e in document.papers)
    for entry in document.datasets:
        assert entry.section.endswith("Dataset")
        assert entry.task == entry.section.removesuffix(" Dataset")
    assert not [e for e in document.entries if e.section in ("Others",
                                                            "Text-based Image Generation Dataset")]


def test_task_aliases_apply() -> None:
    curation = Curation(task_aliases={"Text-based Image Retrieval": "Image-text Retrieval"})
    document = read_list(LIST, curation)
    rsitmd = by_title(document, "RSITMD")
    assert (rsitmd.section, rsitmd.task) == ("Text-based Image Retrieval Dataset", "Image-text Retrieval")


def test_datasets_read_every_link(document: ListDocument) -> None:
    rsicd = by_title(document, "RSICD", "dataset")
    assert rsicd.url == "https://ieeexplore.ieee.org/abstract/document/8240966"
    assert rsicd.ids == PaperIds(ieee_id="8240966")
    assert rsicd.home_urls == ("https://github.com/201528014227051/RSICD_optimal",)
    assert rsicd.download_urls == ("https://pan.baidu.com/s/1bp71tE3#list/path=%2F",
                                   "https://drive.google.com/open?id=0B1jt7lJDEXy3aE90cG9YSl9ScUk")
    gid = by_title(document, "GID", "dataset")
    assert len(gid.download_urls) == 2
    assert gid.download_urls[0] == "https://pan.baidu.com/s/1_DQluiDgJ4Z7dXSnciVx1A#list/path=%2F"
    assert by_title(document, "RSVQA×BEN").home_urls == ("https://github.com/syvlo/RSVQAxBEN",
                                                        "https://rsvqa.sylvainlobry.com/")
    assert by_title(document, "SkyScript", "dataset").download_urls == ()
    assert by_title(document, "DIOR-Captions").home_urls == ()
    assert by_title(document, "LEVIR-CC").download_urls == (
        "https://drive.google.com/drive/folders/1cEv-BXISfWjw1RTzL39uBojH7atjLdCG",)


@pytest.mark.parametrize("name", ["Vaihingen", "Potsdam", "Toronto"])
def test_datasets_without_paper_link_are_kept(document: ListDocument, name: str) -> None:
    entry = by_title(document, name, "dataset")
    assert entry.url is None and entry.ids == PaperIds()
    assert entry.task == "Semantic Segmentation"
    assert entry.home_urls == ("https://www.isprs.org/education/benchmarks/UrbanSemLab/Default.aspx",)


def test_ignore_drops_rows_with_a_debug_log(caplog: pytest.LogCaptureFixture) -> None:
    curation = Curation(ignore=("https://arxiv.org/abs/2310.16069/",
                                "remoteglm", "Toronto"))
    with caplog.at_level(logging.DEBUG, logger="rsvlm_graph.listfile.curation"):
        document = read_list(LIST, curation)
    assert len(document.papers) == 79 and len(document.datasets) == 24
    assert not [e for e in document.entries if e.title in ("RemoteGLM", "Toronto")]
    assert sum("ignore" in r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG) == 3


def test_pinned_s2_id_joins_the_ids() -> None:
    curation = Curation(pins=(Pin(title="RemoteGLM", s2_paper_id=S2_ID),
                              Pin(url="https://arxiv.org/abs/2307.15266", s2_paper_id=S2_ID)))
    document = read_list(LIST, curation)
    assert by_title(document, "RemoteGLM").ids == PaperIds(s2_paper_id=S2_ID)
    assert by_title(document, "RSGPT").ids == PaperIds(arxiv_id="2307.15266", s2_paper_id=S2_ID)


def test_list_name_overrides_the_title() -> None:
    document = parse_list(LIST.read_text(encoding="utf-8"), curation=Curation(list_name="My List"))
    assert document.title == "My List"
    assert parse_list("no heading here").title == "<string>"


def test_parsing_is_deterministic(document: ListDocument) -> None:
    assert read_list(LIST) == document


def test_live_list_parses_without_errors() -> None:
    # the one test of the live list: the maintainers edit it, so only "it still parses cleanly"
    document = read_list(ROOT / "kg" / "awesome-list.md")
    assert document.entries and document.problems == ()


# --- other layouts ----------------------------------------------------------------------------

def test_bullet_list() -> None:
    document = read_list(DATA / "bullets.md")
    assert document.problems == ()
    assert [(e.kind, e.title[:12], e.line) for e in document.entries] == [
        ("paper", "RSGPT: A Rem", 14),
        ("paper", "Exploring mo", 15),
        ("paper", "GeoChat: Gro", 16),
        ("paper", "RSVQA: Visua", 22),
        ("dataset", "RSICD", 26),
    ]
    rsgpt, exploring, geochat, rsvqa, rsicd = document.entries
    assert rsgpt.code_urls == ("https://github.com/Lavender105/RSGPT",)
    assert (rsgpt.venue, rsgpt.year) == (None, None)
    assert (exploring.venue, exploring.year, exploring.ids) == ("TGRS", 2017, PaperIds(ieee_id="8240966"))
    assert geochat.title == "GeoChat: Grounded Large Vision-Language Model for Remote Sensing"
    assert geochat.url == "https://arxiv.org/abs/2311.15826"
    assert geochat.code_urls == ("https://github.com/mbzuai-oryx/geochat",)
    assert (rsvqa.venue, rsvqa.year, rsvqa.task) == ("TGRS", 2020, "Visual Question Answering")
    assert rsicd.task == "Image Captioning"
    assert rsicd.home_urls == ("https://github.com/201528014227051/RSICD_optimal",)
    assert rsicd.download_urls == ("https://pan.baidu.com/s/1bp71tE3",
                                   "https://drive.google.com/open?id=0B1jt7lJDEXy3aE90cG9YSl9ScUk")


def test_other_column_layouts() -> None:
    document = read_list(DATA / "columns.md")
    titles = {e.title[:12]: e for e in document.entries}
    assert sorted(titles) == ["AID", "APPLeNet: Vi", "Few-shot obj", "RSVG: Explor",
                              "Visual Groun", "Zero-shot sc"]
    applenet = titles["APPLeNet: Vi"]
    assert (applenet.venue, applenet.year, applenet.task) == ("CVPR", 2023, "Scene Classification")
    assert applenet.code_urls == ("https://github.com/mainaksingha01/APPLeNet",)
    assert titles["Zero-shot sc"].code_urls == ()
    # "Published in" says 2022, the Year column 2023: the Year column wins
    assert (titles["RSVG: Explor"].venue, titles["RSVG: Explor"].year) == ("TGRS", 2023)
    assert titles["Visual Groun"].ids == PaperIds(doi="10.1145/3503161.3548316")
    aid = titles["AID"]
    assert aid.kind == "dataset"  # by its "Name" header: no Dataset heading above it
    assert aid.home_urls == ("https://captain-whu.github.io/AID/",)
    assert len(aid.download_urls) == 2


# SYNTHETIC layouts of other awesome lists of the field; titles and links from kg/awesome-list.md.
PAPER_COLUMN_TABLE = """# Other list
## Image Captioning
| Title | Venue | Year | Paper | Code |
|-------|-------|------|-------|------|
| RSGPT: A Remote Sensing Vision Language Model and Benchmark | arXiv | 2023 | [PDF](https://arxiv.org/pdf/2307.15266.pdf) | [Code](https://github.com/Lavender105/RSGPT) |
| RemoteGLM | - | 2023 | - | [GitHub](https://github.com/lzw-lzw/RemoteGLM) |
"""
YEAR_FIRST_TABLE = """# Other list
## VQA
|Year|Title|Venue|Link|Code|
|---|---|---|---|---|
|2020|RSVQA: Visual question answering for remote sensing data|TGRS|[link](https://ieeexplore.ieee.org/document/9088993)|[code](https://github.com/syvlo/RSVQA)|
|2022|Open-ended remote sensing visual question answering with transformers|IJRS|[link](https://www.tandfonline.com/doi/full/10.1080/01431161.2022.2145583)|-|
"""
CITATION_BULLETS = """# Other list
## Vision-Language Models
* **RSGPT: A Remote Sensing Vision Language Model and Benchmark**, arXiv 2023. [[Paper](https://arxiv.org/abs/2307.15266)] [[Code](https://github.com/Lavender105/RSGPT)]
- **[SkyScript: A Large and Semantically Diverse Vision-Language Dataset for Remote Sensing](https://arxiv.org/abs/2312.12856)** (AAAI 2024) [[code]](https://github.com/wangzhecheng/SkyScript)
- "GeoChat: Grounded Large Vision-Language Model for Remote Sensing." CVPR 2024. [[paper](https://arxiv.org/abs/2311.15826)] [[code](https://github.com/mbzuai-oryx/geochat)]
- Description Generation for Remote Sensing Images Using Attribute Attention Mechanism, Remote Sensing 2019. [[pdf](https://www.mdpi.com/2072-4292/11/6/612)]
- RemoteCLIP [[arXiv](https://arxiv.org/abs/2306.11029)]
- Prose that cites [a blog post](https://example.org/blog) is no entry.
- **A bold title alone**
  - Paper: [arXiv](https://arxiv.org/abs/2401.16822)
  - Code: [GitHub](https://github.com/a/b)
"""


def test_paper_link_in_its_own_column() -> None:
    rsgpt, remoteglm = parse_list(PAPER_COLUMN_TABLE, "other.md").papers
    assert rsgpt.title == "RSGPT: A Remote Sensing Vision Language Model and Benchmark"
    assert rsgpt.url == "https://arxiv.org/pdf/2307.15266.pdf"
    assert rsgpt.ids == PaperIds(arxiv_id="2307.15266")
    assert (rsgpt.venue, rsgpt.year) == ("arXiv", 2023)
    assert rsgpt.code_urls == ("https://github.com/Lavender105/RSGPT",)
    assert (remoteglm.url, remoteglm.venue, remoteglm.year) == (None, None, 2023)


def test_year_first_table_with_a_link_column() -> None:
    rsvqa, openended = parse_list(YEAR_FIRST_TABLE, "other.md").papers
    assert (rsvqa.title, rsvqa.venue, rsvqa.year) == (
        "RSVQA: Visual question answering for remote sensing data", "TGRS", 2020)
    assert rsvqa.ids == PaperIds(ieee_id="9088993")
    assert rsvqa.code_urls == ("https://github.com/syvlo/RSVQA",)
    assert openended.ids == PaperIds(doi="10.1080/01431161.2022.2145583")
    assert openended.code_urls == ()


def test_citation_style_bullets() -> None:
    document = parse_list(CITATION_BULLETS, "other.md")
    assert [(e.title[:12], e.venue, e.year, e.line) for e in document.entries] == [
        ("RSGPT: A Rem", "arXiv", 2023, 3),
        ("SkyScript: A", "AAAI", 2024, 4),
        ("GeoChat: Gro", "CVPR", 2024, 5),
        ("Description ", "Remote Sensing", 2019, 6),
        ("RemoteCLIP", None, None, 7),
    ]
    rsgpt, skyscript, geochat, description, remoteclip = document.entries
    assert rsgpt.ids == PaperIds(arxiv_id="2307.15266")
    assert skyscript.url == "https://arxiv.org/abs/2312.12856"
    assert skyscript.code_urls == ("https://github.com/wangzhecheng/SkyScript",)
    assert geochat.title == "GeoChat: Grounded Large Vision-Language Model for Remote Sensing"
    assert geochat.ids == PaperIds(arxiv_id="2311.15826")
    assert geochat.code_urls == ("https://github.com/mbzuai-oryx/geochat",)
    assert description.title == ("Description Generation for Remote Sensing Images Using "
                                 "Attribute Attention Mechanism")
    assert description.ids == PaperIds(doi="10.3390/rs11060612")
    assert (remoteclip.title, remoteclip.ids) == ("RemoteCLIP", PaperIds(arxiv_id="2306.11029"))


@pytest.mark.parametrize("header, roles", [
    ("| Paper                |  Published in | Code/Project|", ("title", "venue", "code")),
    ("| Title | Venue | Year | Paper | Code |", ("title", "venue", "year", "paper", "code")),
    ("|Year|Title|Venue|Link|Code|", ("year", "title", "venue", "link", "code")),
    ("| **Name** | Dataset | Home / GitHub | Download links |", ("title", None, "home", "download")),
    ("Method | PDF | `a \\| b`", ("title", "paper", None)),
    ("| Rank | Score |", (None, None)),
])
def test_header_roles(header: str, roles: tuple[str | None, ...]) -> None:
    assert header_roles(header) == roles


@pytest.mark.parametrize("header", ["| Dataset | Name | Paper |", "| Papers | Method | Venue |",
                                    "| Year | Paper | Title |"])
def test_header_roles_name_the_column_the_parser_reads_the_title_from(header: str) -> None:
    # SYNTHETIC table: each cell holds its column number, so the title says which column it is
    roles = header_roles(header)
    cells = [f"cell{i}" for i in range(len(roles))]
    table = f"## T\n{header}\n{'|---' * len(roles)}|\n| {' | '.join(cells)} |\n"
    (entry,) = parse_list(table).entries
    assert entry.title == cells[roles.index("title")]


def test_rows_cut_off_by_a_blank_line_are_recovered() -> None:
    document = read_list(DATA / "columns.md")
    entry = by_title(document, "Few-shot object detection")
    assert (entry.line, entry.venue, entry.year, entry.section) == (18, "TGRS", 2023, "Visual Grounding")
    assert entry.raw.startswith("| [Few-shot object detection")


def test_malformed_rows_become_problems_with_file_and_line() -> None:
    # the "| Rank | Score |" table at line 21 links nothing: content, not a problem
    document = read_list(DATA / "columns.md")
    assert [(Path(p.path).name, p.line) for p in document.problems] == [("columns.md", 15)]
    assert "broken link" in document.problems[0].reason
    assert str(document.problems[0]).startswith(f"{DATA / 'columns.md'}:15: ")


# SYNTHETIC tables without a title column: a table of tools, one of whose rows cites its paper,
# and a table of papers whose header lacks the title word
TOOLS = ("# L\n## Tools\n| Year | Abbreviation | Description |\n|---|---|---|\n"
         "|2024|[toolbox](https://github.com/example/toolbox)|A change detection toolbox.|\n"
         "|2022|[kit](https://github.com/example/kit)|A kit. Paper: [arXiv2024](https://arxiv.org/abs/2407.00001).|\n"
         "|2020|[repo](https://github.com/example/repo)|Classic methods.|\n")
PAPERS_UNTITLED = ("# L\n## Methods\n| Year | Abbreviation | Publication |\n|---|---|---|\n"
                   "|2024|NetA|[TGRS2024](https://doi.org/10.5555/synthetic.1)|\n"
                   "|2023|NetB|[arXiv2023](https://arxiv.org/abs/2301.00001)|\n"
                   "|2023|NetC|-|\n")


def test_a_table_without_title_column_that_links_no_paper_is_no_problem() -> None:
    text = TOOLS.replace("Paper: [arXiv2024](https://arxiv.org/abs/2407.00001).", "")
    document = parse_list(text + "\n## Papers\n- [A paper](https://arxiv.org/abs/2101.00001)\n",
                          "l.md")
    assert document.problems == ()
    assert [e.title for e in document.entries] == ["A paper"]


def test_a_paper_cited_by_a_table_that_lists_no_papers_is_a_mention_of_its_line() -> None:
    document = parse_list(TOOLS, "l.md")
    (mention,) = document.problems
    assert type(mention) is PaperMention and mention.line == 6
    assert str(mention).startswith("l.md:6: links a paper (https://arxiv.org/abs/2407.00001)")
    assert "table without a title column" in mention.reason
    # the same paper as an entry of the list (under another form of its link): nothing is lost
    listed = TOOLS + "## Papers\n- [Kit](https://arxiv.org/pdf/2407.00001v2)\n"
    assert parse_list(listed, "l.md").problems == ()


def test_a_table_of_papers_without_title_column_is_a_problem_at_its_header() -> None:
    document = parse_list(PAPERS_UNTITLED, "l.md")
    (problem,) = document.problems
    assert type(problem) is ListParseError  # not a mention: its papers are lost
    assert str(problem).startswith("l.md:3: table has no title column")
    assert "its 3 row(s) are skipped, 2 of them linking a paper" in problem.reason
    assert document.entries == ()


# SYNTHETIC: a "| Name |" table of other lists' repositories (one citing a review no entry
# links), a "| Name |" table of data portals, and a dataset table whose row links its GitHub
RESOURCES = (
    "# L\n## Papers\n- [A review](https://arxiv.org/abs/2101.00001)\n"
    "# More Resources\n| Name | Description |\n| --- | --- |\n"
    "|[someone/Awesome-Change-Detection](https://github.com/someone/Awesome-Change-Detection)|"
    "Methods of the review in [RS2020](https://www.mdpi.com/2072-4292/12/10/1688).|\n"
    "|[other/Change-Detection-Review](https://gitlab.com/other/Change-Detection-Review)|"
    "Codes of [the review](https://arxiv.org/abs/2101.00001).|\n"
    "# Data Portals\n| Name | Description |\n| --- | --- |\n"
    "|[Open Data Program](https://www.example.org/open-data)|Imagery after disasters.|\n"
    "|[Portal Code](https://github.com/example/portal)|Its tools.|\n"
    "## Optical Datasets\n| Dataset | Description |\n| --- | --- |\n"
    "|[RSCC](https://github.com/example/RSCC)|Change captions.|\n"
)


def test_a_name_table_of_code_repositories_lists_no_datasets() -> None:
    document = parse_list(RESOURCES, "l.md")
    assert [(e.kind, e.title) for e in document.entries] == [
        ("paper", "A review"), ("dataset", "Open Data Program"), ("dataset", "Portal Code"),
        ("dataset", "RSCC")]
    # the repositories' rows are content: the paper one cites and no entry links is a mention
    (mention,) = document.problems
    assert type(mention) is PaperMention and mention.line == 7
    assert "every Name links a code repository" in mention.reason


def test_unclosed_link_in_the_bundled_layout() -> None:
    text = LIST.read_text(encoding="utf-8").replace(
        "[Truncation cross entropy loss for remote sensing image captionin](https://ieeexplore.ieee.org/abstract/document/9153154)|",
        "[Truncation cross entropy loss for remote sensing image captionin(https://ieeexplore.ieee.org/abstract/document/9153154)|")
    document = parse_list(text, "awesome-list.md")
    assert len(document.papers) == 80 and len(document.datasets) == 25
    assert [(p.line, str(p.path)) for p in document.problems] == [(67, "awesome-list.md")]


@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"),
    ("   \n\n", "empty"),
    ("# A list\n\nJust prose, [a link](https://example.org).\n", "no paper or dataset entry"),
])
def test_read_list_refuses_lists_without_entries(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "list.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ListParseError, match=message) as info:
        read_list(path)
    assert info.value.path == path


def test_read_list_refuses_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ListParseError, match="cannot read") as info:
        read_list(tmp_path / "missing.md")
    assert info.value.path == tmp_path / "missing.md"
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")  # an image saved as .md
    with pytest.raises(ListParseError, match=r"binary.md:1: the list is not UTF-8 text: byte "
                                             r"offset 0 .*0x89"):
        read_list(binary)


# --- never crash ------------------------------------------------------------------------------

FRAGMENTS = [
    "# Title", "## Dataset", "# Datasets", "## Image Captioning Dataset", "### Others", "",
    "| Paper | Published in | Code/Project |", "| Dataset | Home/Github | Download link |",
    "| Year | Venue | Title | Code |", "| Rank | Score |", "|---|---|---|", "|:-:|:-:|", "|---|",
    "[A title](https://arxiv.org/abs/2305.05726)|arxiv 2023|-",
    "[Title(https://ieeexplore.ieee.org/abstract/document/1)|TGRS 2020|-",
    "|RemoteGLM|2023|[code](https://github.com/lzw-lzw/RemoteGLM)|", "| | | |", "|—|2023|",
    "[RSICD](https://x.org)|[Github](https://github.com/a/b)|[[BaiduYun]](https://pan.baidu.com/s/1)",
    "- [A title](https://arxiv.org/abs/2305.05726) | [code](https://github.com/a/b)",
    "* [Title](https://www.mdpi.com/2072-4292/11/6/612) - Venue 2023", "- [Papers](#papers)",
    "- **Bold** [[paper]](https://doi.org/10.1/x) [[code]](https://github.com/a)", "  - nested",
    "1. [x](http://[::1)", "[![b](https://img/x.svg)](https://a.b)", "> | quoted | table |",
    "```", "    indented | code", "<div>", "**", "[", "](", "|", "\\|", "[[x]]()", "* ",
    "| Title | Paper | Link | Year |", "- **[T](https://a.b)** (V 2024) [[code]](https://c.d)",
    '- "Quoted." V 2024. [[paper](https://a.b)]', "- T, V 2020. [[pdf](https://a.b)]", '- "',
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=30), max_size=25))
def test_parse_list_never_crashes_on_markdownish_text(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    check_document(text, parse_list(text, "fuzz.md"))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_list_never_crashes_on_any_text(text: str) -> None:
    check_document(text, parse_list(text, "fuzz.md"))


def check_document(text: str, document: ListDocument) -> None:
    line_count = len(re.split(r"\r\n?|\n", text))
    for problem in document.problems:
        assert isinstance(problem, ListParseError)
        assert problem.line is None or 1 <= problem.line <= line_count
    for entry in document.entries:
        assert slugify(entry.title)
        assert 1 <= entry.line <= line_count
        assert entry.kind in ("paper", "dataset")


def test_paragraph_entries() -> None:
    # the bundled list's first versions: "[Title](…), Venue Year." one paragraph per paper,
    # and a paragraph holding two such lines gives two entries
    document = read_list(DATA / "paragraphs.md")
    assert document.problems == ()
    assert [(e.title[:12], e.venue, e.year, e.line, e.task) for e in document.entries] == [
        ("Deep Semanti", "CITS", 2016, 9, "Image Captioning"),
        ("Can a Machin", "TGRS", 2017, 11, "Image Captioning"),
        ("Exploring mo", "TGRS", 2017, 13, "Image Captioning"),
        ("RSVQA: Visua", "TGRS", 2020, 17, "Visual Question Answering"),
        ("Open-ended r", "IJRS", 2022, 18, "Visual Question Answering"),
    ]
    exploring, rsvqa = document.entries[2], document.entries[3]
    assert exploring.ids == PaperIds(ieee_id="8240966")
    assert exploring.code_urls == ("https://github.com/201528014227051/RSICD_optimal",)
    assert rsvqa.code_urls == ("https://github.com/syvlo/RSVQA",)
    assert document.entries[4].ids == PaperIds(doi="10.1080/01431161.2022.2145583")


def test_labels_prefixes_heading_entries_scripts_and_html() -> None:
    document = read_list(DATA / "labels.md")
    found = [(e.line, e.title[:24], e.venue, e.year, e.url) for e in document.entries]
    assert found == [
        (8, "EarthGPT: A Universal Mu", "TGRS", 2024, "https://ieeexplore.ieee.org/document/10547418"),
        (10, "GeoChat: Grounded Large ", "CVPR", 2024, "https://arxiv.org/abs/2311.15826"),
        (11, "SkyScript: A Large and S", None, None, "https://arxiv.org/abs/2312.12856"),
        (14, "RemoteCLIP: A Vision Lan", None, None, "https://arxiv.org/abs/2306.11029"),
        (18, "Обзор моделей дистанцион", "ICLR", 2024, "https://arxiv.org/abs/2306.11300"),
        (33, "リモートセンシング画像の変化検出", None, None, "https://doi.org/10.1109/TGRS.2022.3200996"),
        (34, "원격 탐사 비전 언어 모델", None, None, "https://arxiv.org/pdf/2401.00001"),
        (40, "Exploring models and dat", "TGRS", 2017, "https://ieeexplore.ieee.org/abstract/document/8240966"),
        (45, "Can a Machine Generate H", "TGRS", 2017, "https://ieeexplore.ieee.org/abstract/document/7891049"),
    ]
    earthgpt, geochat, _, remoteclip, heading = document.entries[:5]
    assert earthgpt.code_urls == ("https://github.com/wivizhang/EarthGPT",)
    assert geochat.code_urls == ("https://github.com/mbzuai-oryx/geochat",)
    assert remoteclip.code_urls == ("https://github.com/ChenDelong1999/RemoteCLIP",)
    # a heading entry belongs to the section above it, not to a section named after itself
    assert {e.section for e in document.entries[:5]} == {"多模态 Models 🛰️"}
    assert heading.code_urls == ("https://github.com/om-ai-lab/RS5M",)
    assert document.entries[5].attributes == (("affiliation", "東京大学"), ("note", "日本語"))
    assert document.entries[6].attributes == (("affiliation", "KAIST"),)
    # every line linking a paper is an entry, or a problem says why not
    assert [(p.line, p.reason.split(":")[0]) for p in document.problems] == [
        (12, "links labelled as a paper's with no title"),
        (48, "links a paper (https"),
    ]
    assert "not read as an entry: it is in a paragraph" in document.problems[1].reason


def test_bold_title_and_a_paper_column_of_labels() -> None:
    # SYNTHETIC table: the title column holds bold text, the Paper column "[Paper](…)" labels
    text = ("# L\n## VQA\n| Paper | Title | Venue | Affiliation |\n|---|---|---|---|\n"
            "| [Paper](https://arxiv.org/abs/2311.15826) | **GeoChat: Grounded Large VLM** | "
            "CVPR 2024 | MBZUAI |\n")
    (entry,) = parse_list(text, "l.md").entries
    assert (entry.title, entry.url, entry.venue, entry.year) == (
        "GeoChat: Grounded Large VLM", "https://arxiv.org/abs/2311.15826", "CVPR", 2024)
    assert entry.attributes == (("affiliation", "MBZUAI"),)


def test_a_linked_venue_is_the_paper_link_and_a_linked_name_the_home_page() -> None:
    # SYNTHETIC rows in the layout of a change-detection list: the name links the code or the
    # data, the "Publication" cell links the paper
    text = ("# L\n## Methods\n| Year | Abbreviation | Title | Publication |\n|---|---|---|---|\n"
            "| 2024 | [BiFA](https://github.com/zmoka-zht/BiFA) | BiFA: Change Detection With "
            "Bitemporal Feature Alignment | [TGRS2024](https://ieeexplore.ieee.org/document/10471555) |\n"
            "## Datasets\n| Year | Dataset | Publication |\n|---|---|---|\n"
            "| 2020 | [LEVIR-CD](https://justchenhao.github.io/LEVIR/) | [RS2020](https://www.mdpi.com/2072-4292/12/10/1662) |\n")
    paper, dataset = parse_list(text, "l.md").entries
    assert (paper.url, paper.venue, paper.year) == (
        "https://ieeexplore.ieee.org/document/10471555", "TGRS", 2024)
    assert paper.code_urls == ("https://github.com/zmoka-zht/BiFA",)
    assert paper.attributes == (("abbreviation", "BiFA"),)
    assert (dataset.kind, dataset.url, dataset.home_urls) == (
        "dataset", "https://www.mdpi.com/2072-4292/12/10/1662", ("https://justchenhao.github.io/LEVIR/",))


@pytest.mark.parametrize("name", ["crlf.md", "cr.md"])
def test_crlf_and_cr_only_lists_parse_like_lf(name: str) -> None:
    path = DATA / name
    lf = path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    document, expected = read_list(path), parse_list(lf, str(path))
    assert [(e.line, e.title, e.url, e.venue, e.year, e.raw) for e in document.entries] == [
        (e.line, e.title, e.url, e.venue, e.year, e.raw) for e in expected.entries]
    assert [e.line for e in document.entries] == [8, 9, 12]
    assert all("\r" not in e.raw for e in document.entries)


# SYNTHETIC rows: titles, venues and headings in other scripts, as lists of the field write them
SCRIPTS_LIST = """# 遥感视觉语言模型

## 图像描述
| Title | Published in | Code |
|---|---|---|
| [基于注意力机制的遥感图像描述生成](https://example.org/zh) | 武汉大学学报 (信息科学版) 2023 | - |
| [Описание снимков дистанционного зондирования](https://example.org/ru) | Журнал 2022 | - |
| [🛰️🌍](https://example.org/emoji) | arXiv 2023 | - |
"""


def test_a_title_in_any_script_is_a_title() -> None:
    document = parse_list(SCRIPTS_LIST, "scripts.md")
    titles = [p.title for p in document.papers]
    assert titles == ["基于注意力机制的遥感图像描述生成", "Описание снимков дистанционного зондирования"]
    assert document.papers[0].venue == "武汉大学学报 (信息科学版)"
    assert document.papers[0].task == "图像描述"
    # emoji are no title: that one row is skipped with its line, the rest is read
    assert [(p.line, "no title" in p.reason) for p in document.problems] == [(8, True)]


# ---- encodings (review item 10): UTF-8 is the format, a byte-order mark is honoured, any other
# encoding is an error naming the line and byte, never "check the path"

SYNTHETIC_LIST = "# SYNTHETIC list\n\n## Captioning\n\n| Title | Venue |\n|---|---|\n" \
                 "| [Rémote Sensing Captions](https://arxiv.org/abs/2301.00001) | TGRS 2023 |\n"


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_a_list_saved_with_a_byte_order_mark_reads_as_its_utf8_copy(tmp_path, codec):
    utf8, other = tmp_path / "utf8.md", tmp_path / "other.md"
    utf8.write_bytes(SYNTHETIC_LIST.encode("utf-8"))
    encoded = SYNTHETIC_LIST.encode(codec)
    if codec == "utf-16-be":
        encoded = b"\xfe\xff" + encoded
    other.write_bytes(encoded)
    assert read_list(other).entries[0].title == read_list(utf8).entries[0].title == \
        "Rémote Sensing Captions"
    assert [e.line for e in read_list(other).entries] == [e.line for e in read_list(utf8).entries]


def test_a_latin1_list_names_line_and_byte_and_says_to_resave_it_as_utf8(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(SYNTHETIC_LIST.encode("cp1252"))
    offset = SYNTHETIC_LIST.encode("cp1252").index(b"\xe9")
    with pytest.raises(ListParseError) as raised:
        read_list(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:7: the list is not UTF-8 text: byte offset {offset} "
                              "(column 5, 0xe9)")
    assert "re-save the file as UTF-8" in message and "check the path" not in message


def test_utf16_without_byte_order_mark_is_named_as_such(tmp_path):
    path = tmp_path / "utf16.md"
    path.write_bytes(SYNTHETIC_LIST.encode("utf-16-le"))
    with pytest.raises(ListParseError, match=r"utf16.md:1: .* byte offset 1 .* NUL byte: UTF-16 "
                                             "saved without a byte-order mark"):
        read_list(path)


def test_the_cli_reports_a_latin1_list_in_one_line_and_exits_1(tmp_path):
    from typer.testing import CliRunner

    from rsvlm_graph.cli import app

    path = tmp_path / "awesome-list.md"
    path.write_bytes(SYNTHETIC_LIST.encode("cp1252"))
    result = CliRunner().invoke(app, ["lint", "--list", str(path)])
    assert result.exit_code == 1
    assert f"{path}:7: the list is not UTF-8 text: byte offset" in result.output
    assert "check the path" not in result.output


# --- shapes of other real lists (SYNTHETIC fixtures in tests/data/lists/) --------------------

SHAPES = ("models.md", "numbered.md", "news.md", "paperinfo.md", "chinese.md", "labels.md",
          "bullets.md", "columns.md", "paragraphs.md", "htmltable.md", "linkcolumns.md",
          "tools.md")


@pytest.mark.parametrize("name", SHAPES)
def test_every_shape_reads_every_paper_it_links_under_a_title(name: str) -> None:
    # judged by list_rules, written without the parser: a title that is a label, a number, a
    # date or keeps its venue/year tail is a failure, and so is a linked paper no entry reads
    path = DATA / name
    document = read_list(path)
    assert [(e.line, e.title) for e in document.entries if bad_title(e.title, e.kind)] == []
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    said = linked_papers("\n".join(lines[p.line - 1] for p in document.problems))
    read = {paper_key(e.url) for e in document.entries if e.url}
    # what is not read is a problem on its line (a broken link, a paper cited in prose)
    assert linked_papers(text) - read <= said
    assert read_share(text, (e.url for e in document.entries))[1] > 0


def test_a_table_keyed_by_model_names_its_entries_by_model_and_links_the_paper() -> None:
    document = read_list(DATA / "models.md")
    assert document.problems == ()
    assert [(e.title, e.url, e.year, e.title_from_list) for e in document.papers] == [
        ("SatMAE", "https://arxiv.org/abs/2207.08051", 2022, False),
        ("RS-LLaVA", "https://www.mdpi.com/2072-4292/16/9/1477", 2024, False),
        ("RingMoGPT", "https://ieeexplore.ieee.org/abstract/document/10777289", 2024, False),
        # two papers in one cell are two entries, neither link lost
        ("LHRS-Bot / Nova", "https://arxiv.org/abs/2402.02544", 2024, False),
        ("LHRS-Bot / Nova", "https://hf.co/papers/2411.09301", 2024, False),
        # the Method column ("GRPO @ 2B") describes the model; the Model column names it
        ("TinyRS-R1", "https://arxiv.org/abs/2505.12099", 2025, False),
        ("GEO-Bench-2", "https://hf.co/papers/2511.15658", 2025, False),
    ]
    # Clay v1.5 links a site and the watch list's models link nothing: no papers
    assert {e.ids.arxiv_id for e in document.papers} >= {"2511.15658", "2411.09301"}


def test_numbered_entries_split_their_venue_and_year_tail() -> None:
    document = read_list(DATA / "numbered.md")
    assert document.problems == ()
    assert [(e.title, e.venue, e.year) for e in document.papers] == [
        ("Vision-Language Models in Remote Sensing: Current Progress and Future Trends", None,
         None),
        ("An empirical study of remote sensing pretraining", "TGRS", 2022),
        ("SAMRS: Scaling-up Remote Sensing Segmentation Dataset with Segment Anything Model",
         "NeurIPS", 2023),
        ("Cat-sam: Conditional tuning for few-shot adaptation of segmentation anything model",
         "ECCV", 2024),
        ("Segment any change", "NeurIPS", 2024),
        ("Accurate medium-range global weather forecasting with 3d neural networks", "Nature",
         2023),
    ]
    survey, _, _, catsam, *_ = document.papers
    # the survey's own paper, above every heading: its bold title is on the line above its link
    assert (survey.line, survey.section, survey.task) == (7, "", "")
    assert catsam.code_urls == ("https://github.com/weihao1115/cat-sam.",)


def test_dated_news_citation_counts_and_repositories() -> None:
    document = read_list(DATA / "news.md")
    assert document.problems == ()
    assert [(e.line, e.title, e.venue, e.year) for e in document.papers] == [
        # SkyScript's news is an announcement of the entry below; RS5M's links only GitHub
        (11, "GeoChat - Grounded Large Vision-Language Model for Remote Sensing", None, None),
        (17, "SkyScript: A Large and Semantically Diverse Vision-Language Dataset for Remote "
             "Sensing", "AAAI", 2024),
        (21, "Remote Sensing Cross-Modal Text-Image Retrieval Based on Global and Local "
             "Information", "TGRS", 2022),
        (22, "A Deep Semantic Alignment Network for the Cross-Modal Image-Text Retrieval in "
             "Remote Sensing", "JSTARS", 2021),
        (23, "Fusion-Based Correlation Learning Model for Cross-Modal Remote Sensing Image "
             "Retrieval", "GRSL", 2021),
    ]
    assert document.papers[3].code_urls == ("https://github.com/a/b",)
    # a count linked to its citations is not the paper's link
    assert document.papers[4].ids == PaperIds(ieee_id="9628066")


def test_paper_info_cells_and_commented_rows() -> None:
    document = read_list(DATA / "paperinfo.md")
    # neither commented-out row is read or warned about, &#41; and all
    assert document.problems == ()
    assert [(e.title, e.venue, e.year, e.ids, e.code_urls) for e in document.papers] == [
        ("Exploring models and data for remote sensing image caption generation", "TGRS", 2017,
         PaperIds(ieee_id="8240966"), ("https://github.com/201528014227051/RSICD_optimal",)),
        ("Word–Sentence Framework for Remote Sensing Image Captioning", "TGRS", 2020,
         PaperIds(ieee_id="9308980"), ("https://github.com/hw2hwei/WordSent",)),
        ("RSGPT: A Remote Sensing Vision Language Model and Benchmark", "arXiv", 2023,
         PaperIds(arxiv_id="2307.15266"), ()),
    ]
    assert [e.attributes for e in document.papers][0] == (
        ("description", "a benchmark of captioning models"),)


def test_a_chinese_list_of_label_links_with_the_title_a_paragraph_below() -> None:
    document = read_list(DATA / "chinese.md")
    assert document.problems == ()
    assert document.title == "Awesome Remote Sensing Large Model"
    assert [(e.line, e.title[:40], e.venue, e.year, e.url) for e in document.papers] == [
        (12, "EarthGPT: A Universal Multi-modal Large ", "TGRS", 2024,
         "https://ieeexplore.ieee.org/document/10547418"),
        (18, "Deciphering Cross-Modal Alignment in Lar", "arXiv", 2024,
         "https://arxiv.org/abs/2410.07167"),
        (23, "Remote Sensing Vision-Language Foundatio", None, 2023,
         "https://arxiv.org/abs/2312.06960"),
        (28, "MTP: Advancing Remote Sensing Foundation", "IEEE JSTARS Special issue", 2024,
         "https://arxiv.org/abs/2403.13430"),
        (35, "遥感大模型：进展与前瞻", "遥感学报", 2023, "https://doi.org/10.11834/jrs.20233077"),
    ]
    earthgpt, mir, *_ = document.papers
    # the description after </br> is not part of the title; "github(no code)" is still code
    assert earthgpt.title.endswith("in Remote Sensing Domain")
    assert earthgpt.code_urls == ("https://github.com/wivizhang/EarthGPT",)
    assert mir.code_urls == ("https://github.com/shikiw/Modality-Integration-Rate",
                             "https://example.org/mir/")
    # a heading without visible text (an image) starts no section: the entry keeps the one above
    assert {e.section for e in document.papers} == {
        "Visual-Language Remote Sensing Foundation Models 视觉-语言遥感基础模型"}


def test_titles_keep_full_width_punctuation_and_quotes_as_written() -> None:
    text = ("# L\n## 综述\n- [遥感大模型：进展与前瞻](https://doi.org/10.11834/jrs.20233077), 遥感学报 2023\n"
            "- [“Quoted” ﬁne words](https://arxiv.org/abs/2401.00003), arXiv 2024\n"
            "- [Wordâ€“Sentence Framework](https://ieeexplore.ieee.org/document/9308980), TGRS 2020\n")
    titles = [e.title for e in parse_list(text).papers]
    # mojibake is repaired, nothing else: width, curly quotes and ligatures are the list's
    assert titles == ["遥感大模型：进展与前瞻", "“Quoted” ﬁne words", "Word–Sentence Framework"]
