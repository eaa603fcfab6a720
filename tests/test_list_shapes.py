"""Shapes of real lists met on lists the parser had not seen (SYNTHETIC fixtures in
tests/data/lists/): HTML tables, link columns after an index's page, Date and Time columns, rows
that say "and more", tools and contests beside papers, authors before the venue. Each test fails
on the parser as it was before these shapes were read."""

from __future__ import annotations

from pathlib import Path

from list_rules import bad_title, linked_papers

from rsvlm_graph.listfile.lint import lint_list
from rsvlm_graph.listfile.parse import parse_list, read_list

DATA = Path(__file__).parent / "data" / "lists"


def test_an_html_table_is_read_as_a_table_whatever_its_indentation_and_spans() -> None:
    # indented <td> lines were a code block once the tags were dropped: every row was lost
    document = read_list(DATA / "htmltable.md")
    assert document.problems == ()
    rows = [(e.line, e.title, e.venue, e.year, e.url, e.code_urls, e.section)
            for e in document.papers if e.section == "Urban Region Representation Learning"]
    assert rows == [
        (27, "Region Representation Learning via Mobility Flow", "CIKM", 2017,
         "https://dl.acm.org/doi/pdf/10.1145/3132847.3133006", (),
         "Urban Region Representation Learning"),
        (35, "Tile2Vec: Unsupervised Representation Learning for Spatially Distributed Data",
         "AAAI", 2019, "https://arxiv.org/abs/1805.02855",
         ("https://github.com/ermongroup/tile2vec",), "Urban Region Representation Learning"),
        # after a blank line inside the table, under the same header, the spanned cell repeated
        (43, "Urban2Vec: Incorporating Street View Imagery and POIs for Multi-Modal Urban "
         "Neighborhood Embedding", "AAAI", 2020, "https://arxiv.org/pdf/2001.11101", (),
         "Urban Region Representation Learning"),
    ]
    assert [dict(e.attributes).get("abbreviation") for e in document.papers[2:5]] == [
        "HDGE", "Tile2Vec", "Urban2Vec"]
    # a table inside <div>, its paper linked by an arXiv badge
    (geoclip,) = [e for e in document.papers if e.title.startswith("GeoCLIP")]
    assert (geoclip.venue, geoclip.year, geoclip.ids.arxiv_id) == ("NeurIPS", 2023, "2309.16020")


def test_html_table_cells_span_rows_and_columns_under_their_header() -> None:
    from rsvlm_graph.listfile.html_tables import html_tables

    (table,) = html_tables("<table><tr><th>A</th><th>B</th><th>C</th></tr>\n"
                           "<tr><td rowspan=2>x</td><td colspan=2>y</td></tr>\n"
                           "<tr><td>z</td><td><a href='https://e.org/1'>t</a></td></tr></table>")
    assert [row.cells for row in table] == [
        ("A", "B", "C"), ("x", "y", ""), ("x", "z", "[t](<https://e.org/1>)")]
    # tags left open end with the text: the link keeps its target
    (table,) = html_tables("<table><tr><td><a href='https://e.org/2'>open")
    assert [row.cells for row in table] == [("[open](<https://e.org/2>)",)]


def test_a_survey_bullet_reads_its_venue_after_the_links() -> None:
    document = read_list(DATA / "htmltable.md")
    assert [(e.title, e.venue, e.year) for e in document.papers[:2]] == [
        ("Self-supervised learning for geospatial AI: A survey", "Information Fusion", 2025),
        ("Deep learning for spatio-temporal data mining: A survey", "IEEE TKDE", 2020)]


def test_link_columns_date_and_time_columns_fillers_and_null() -> None:
    document = read_list(DATA / "linkcolumns.md")
    # a "| ........ |" row says "and more": no problem; "null" is no venue
    assert document.problems == ()
    assert [(e.title[:20], e.url, e.venue, e.year) for e in document.papers] == [
        # the paper's PDF on arXiv, not OpenAlex's page of it; the year from the Date column,
        # the venue from the Source column of a paper table
        ("SARES-DEIM: Sparse M", "https://arxiv.org/pdf/2604.04127", "arXiv (Cornell University)", 2026),
        ("PMA-VQA: Progressive", "https://doi.org/10.3390/s26082351", "Sensors", 2025),
        # the year from a Time column ("2024.05")
        ("RSCaMa: Remote Sensi", "https://ieeexplore.ieee.org/document/10537177", None, 2024),
        ("Towards Temporal Cha", "https://arxiv.org/abs/2407.09548", None, 2024),
        ("Global and Dense Emb", "https://arxiv.org/abs/2412.05600", "arXiv", 2024),
        ("TESSERA: Precomputed", "https://arxiv.org/abs/2506.20380", None, None),
    ]
    # the "Relevant Projects" rows link only GitHub: projects, not papers
    assert not [e for e in document.entries if e.section == "Relevant Projects"]


def test_tools_and_contests_are_no_papers_but_a_contest_paper_is_read() -> None:
    document = read_list(DATA / "tools.md")
    assert [(e.title, e.url, e.code_urls, e.venue, e.year) for e in document.papers] == [
        # the contest's site is its home; its paper follows on the next line
        ("Spacenet Challenge Round 4 - Off-nadir", "https://arxiv.org/abs/1903.12239",
         ("https://spacenetchallenge.github.io/datasets/spacenet-OffNadir-summary.html",),
         None, None),
        # the venue and year after the authors; "(May 2018)" is a date, not a venue
        ("Continuous hierarchical representations with poincare variational autoencoders",
         "https://arxiv.org/pdf/1901.06033.pdf", ("https://github.com/emilemathieu/pvae",),
         "NeurIPS", 2019),
        ("A wrapped normal distribution on hyperbolic space for gradient-based learning",
         "https://arxiv.org/pdf/1902.02992.pdf", (), "ICML", 2019),
    ]


def test_a_bracketed_tag_in_a_plain_title_is_no_broken_link() -> None:
    document = parse_list("| Date | Paper | Links |\n|---|---|---|\n"
                          "| 2025-01-01 | Earth Action in Transition [Space-Agencies] | "
                          "[DOI](https://doi.org/10.1109/mgrs.2025.0001) |\n")
    assert document.problems == ()
    assert [e.title for e in document.papers] == ["Earth Action in Transition [Space-Agencies]"]


def test_venues_with_their_year_glued_are_one_venue_for_lint() -> None:
    # "TGRS2021" and "TGRS2024" differ only in their year
    text = ("|Title|Publication|Paper|\n|---|---|---|\n"
            "|A remote sensing pretraining study|TGRS2021|[P](https://arxiv.org/abs/2204.05381)|\n"
            "|Another remote sensing model|TGRS2024|[P](https://arxiv.org/abs/2207.08051)|\n"
            "|A third remote sensing model|TGRS 2022|[P](https://arxiv.org/abs/2305.05726)|\n")
    assert not [f for f in lint_list(parse_list(text, "l.md")) if f.code == "venue-variants"]


def test_the_judge_hides_a_commented_line_and_only_that_line() -> None:
    # a "[//]: # (…)" line hid the rest of the file from list_rules, so lost papers went uncounted
    assert linked_papers("[//]: # (hidden)\n- [A](https://arxiv.org/abs/2401.00001)\n") == {
        "arxiv:2401.00001"}


def test_a_dataset_named_with_a_year_glued_on_is_a_name_not_a_venue() -> None:
    # SYNTHETIC: "HRSC2016" and "DFC2023" read as a venue and year: both rows were skipped
    text = ("## Datasets\n\n|Year|Venue|Name|Download|\n|-|-|-|-|\n"
            "|2017|ICPRAM|[HRSC2016](https://example.org/papers/hrsc)|[link](https://example.org/d)|\n"
            "|2023|GRSM|[DFC2023](https://ieeexplore.ieee.org/document/10089819)|-|\n\n"
            "- [XVIEW2018](https://arxiv.org/abs/1802.07856) - objects in overhead imagery\n")
    document = parse_list(text, "l.md")
    assert document.problems == ()
    assert [(e.title, e.venue, e.year) for e in document.datasets] == [
        ("HRSC2016", "ICPRAM", 2017), ("DFC2023", "GRSM", 2023), ("XVIEW2018", None, None)]
    # the tests' judge agrees: a dataset may be named so, a paper's title may not
    assert [bad_title(e.title, e.kind) for e in document.datasets] == [None, None, None]
    assert bad_title("HRSC2016") == "venue/year"
    # before a paper's title, an acronym glued to its year is still a venue, not the title
    papers = parse_list("- [PBVS2025](https://example.org/x) [A model for SAR](https://arxiv.org"
                        "/abs/2501.00001)\n", "l.md").papers
    assert [e.title for e in papers] == ["A model for SAR"]


def test_presentation_labels_and_long_venues_are_split_from_the_venue() -> None:
    # SYNTHETIC: "oral" stayed in the venue ("ACMMM oral"), a venue of more than 40 characters
    # or six words stayed in the title, and so did "(ICCV 2025 Oral)"
    text = ("|Title|Venue|Paper|\n|-|-|-|\n"
            "|Aligning text and images|ACMMM 2023 oral|[P](https://arxiv.org/abs/2401.00001)|\n"
            "|A spotlight on change|CVPR 2024 (Highlight)|[P](https://arxiv.org/abs/2401.00002)|\n"
            "|Grounding for SAR|ICCV Oral 2025|[P](https://arxiv.org/abs/2401.00003)|\n\n"
            "- [A remote sensing model. IEEE Transactions on Geoscience and Remote Sensing, 2023."
            "](https://arxiv.org/abs/2401.00004)\n"
            "- [Captions for EO (ICCV 2025 Oral)](https://arxiv.org/abs/2401.00005)\n"
            "- [Oral Health From Space](https://arxiv.org/abs/2401.00006), Oral Oncology 2022\n")
    document = parse_list(text, "l.md")
    assert [(e.title, e.venue, e.year) for e in document.papers] == [
        ("Aligning text and images", "ACMMM", 2023),
        ("A spotlight on change", "CVPR", 2024),
        ("Grounding for SAR", "ICCV", 2025),
        ("A remote sensing model", "IEEE Transactions on Geoscience and Remote Sensing", 2023),
        ("Captions for EO", "ICCV", 2025),
        # a venue's own name starting with such a word stays whole
        ("Oral Health From Space", "Oral Oncology", 2022)]
    # the label is no spelling of the venue: "ACMMM 2023 oral" beside "ACMMM 2024" is one
    more = text.replace("|Grounding for SAR|ICCV Oral 2025|", "|Grounding for SAR|ACMMM 2024|")
    assert not [f for f in lint_list(parse_list(more, "l.md")) if f.code == "venue-variants"]


def test_a_titles_closing_period_and_a_glued_paper_word_are_no_part_of_it() -> None:
    # SYNTHETIC: "… A survey." kept the list's period; "…Modeling论文" and "… (Paper)" kept the
    # word of a paper link
    text = ("- [Self-supervised learning for EO: A survey.](https://arxiv.org/abs/2401.00001)\n"
            "- [Mapping land cover in the U.S.](https://arxiv.org/abs/2401.00002)\n"
            "- [Explaining changes, et al.](https://arxiv.org/abs/2401.00003)\n"
            "- 2022-TGRS.[**RingMo(Paper)**](https://ieeexplore.ieee.org/document/1)\n\n"
            "    **RingMo:** A Remote Sensing Foundation Model with Masked Image Modeling论文\n\n"
            "- **GeoChat: Grounded Large Vision-Language Model (Paper)** "
            "[[paper]](https://arxiv.org/abs/2311.15826)\n"
            "- [遥感大模型论文](https://example.org/cn) [[论文]](https://arxiv.org/abs/2401.00004)\n")
    assert [e.title for e in parse_list(text, "l.md").papers] == [
        "Self-supervised learning for EO: A survey", "Mapping land cover in the U.S.",
        "Explaining changes, et al.",
        "RingMo: A Remote Sensing Foundation Model with Masked Image Modeling",
        "GeoChat: Grounded Large Vision-Language Model",
        "遥感大模型论文"]


def test_a_source_column_of_a_paper_table_is_its_venue_and_of_a_dataset_table_an_attribute():
    # SYNTHETIC rows in the shape of a held-out list: "| Date | Paper | Authors | Source | Links |"
    text = ("# L\n## Papers\n| Date | Paper | Authors | Source | Links |\n|---|---|---|---|---|\n"
            "| 2026-04-09 | SYNTHETIC multimodal disaster recognition | A. Author | Remote Sensing "
            "| [DOI](https://doi.org/10.5555/synthetic.1) |\n"
            "## Datasets\n| Dataset | Source | Year |\n|---|---|---|\n"
            "| [SYNTHETIC-DS](https://example.org/ds) | Sentinel-2 | 2024 |\n")
    document = parse_list(text, "list.md")
    (paper,) = document.papers
    assert (paper.venue, paper.year) == ("Remote Sensing", 2026)
    (dataset,) = document.datasets
    assert dataset.venue is None and ("source", "Sentinel-2") in dataset.attributes
