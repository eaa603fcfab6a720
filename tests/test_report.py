"""Tests of report.py on SYNTHETIC graphs (built by test_analysis's helpers; no real data)."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_analysis import (
    YEAR_NOW,
    add_list_paper,
    discover_planted,
    new_graph,
    planted_corpus,
)

from rsvlm_graph.discovery import discover_candidates
from rsvlm_graph.errors import ExportError
from rsvlm_graph.exports.report import (
    CITATIONS_PLOT_NAME,
    GROWTH_PLOT_NAME,
    REPORT_NAME,
    SHORTLIST,
    YEARS_PLOT_NAME,
    write_report,
)
from rsvlm_graph.ranking import NO_CITATIONS, rank_papers


def enriched_graph():
    """The planted corpus with SYNTHETIC citation counts on the list papers."""
    G, _ = planted_corpus()
    for i, node in enumerate(sorted(n for n, k in G.nodes(data="kind") if k == "paper")):
        G.nodes[node]["citation_count"] = i * i
        G.nodes[node]["influential_citation_count"] = i // 3
    return G


def write(G, out: Path, candidates=None, foundations=()) -> list[Path]:
    if candidates is None:
        candidates = discover_candidates(G, year_now=YEAR_NOW)
    return write_report(G, out, candidates=candidates, ranking=rank_papers(G, year_now=YEAR_NOW),
                        foundations=foundations)


def test_report_is_byte_identical_across_runs(tmp_path):
    G = enriched_graph()
    first = write(G, tmp_path / "a")
    second = write(enriched_graph(), tmp_path / "b")
    assert [p.name for p in first] == [REPORT_NAME, YEARS_PLOT_NAME, CITATIONS_PLOT_NAME]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    write(G, tmp_path / "a")  # rewriting in place changes nothing either
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_report_is_byte_identical_across_processes(tmp_path):
    # set and dict orders of strings change with PYTHONHASHSEED: nothing written may depend on them
    script = (
        "import sys; from pathlib import Path; from test_report import enriched_graph, write; "
        "write(enriched_graph(), Path(sys.argv[1]))"
    )
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / seed)], check=True, env=env,
                       cwd=Path(__file__).parent)
    names = sorted(p.name for p in (tmp_path / "1").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "2").iterdir()) and len(names) == 3
    for name in names:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_report_plots_are_svg_without_dates(tmp_path):
    paths = write(enriched_graph(), tmp_path)
    for path in paths[1:]:
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg")
        text = path.read_text()
        assert "dc:date" not in text and "Matplotlib v" not in text
    assert "2016" in paths[1].read_text()  # the years axis is drawn as text (svg.fonttype none)


def test_report_contents(tmp_path):
    G = enriched_graph()
    candidates = discover_planted(since=0)  # every year new work: more than a shortlist
    foundations = discover_planted(kind="foundation")
    report = write(G, tmp_path, candidates=candidates, foundations=foundations)[0].read_text()
    assert f"![List papers per year and task]({YEARS_PLOT_NAME})" in report
    assert f"![Citation distribution]({CITATIONS_PLOT_NAME})" in report
    for task in ("Image Captioning", "Scene Classification", "Visual Question Answering"):
        assert f"### {task}" in report
    # the best-cited captioning paper heads its task's table
    top_ic = rank_papers(G, task="Image Captioning", year_now=YEAR_NOW)[0]
    section = report.split("### Image Captioning")[1]
    assert section.index(top_ic.title) < min(section.index(p.title) for p in
                                              rank_papers(G, task="Image Captioning")[1:5])
    shortlist = report.split("## Discovery shortlist")[1]
    shortlist, built_on = shortlist.split("## Foundations the list builds on")
    assert shortlist.index("Recent one") < shortlist.index("Old citing many") < shortlist.index("Noise 19")
    assert built_on.index("Classic one") < built_on.index("Classic two")
    assert "cited by 7 list paper(s)" in built_on and "```markdown" not in built_on
    assert candidates[0].markdown_row in shortlist
    assert candidates[SHORTLIST - 1].title in shortlist
    assert candidates[SHORTLIST].title not in shortlist  # only the first SHORTLIST are shown
    assert NO_CITATIONS not in report


def test_report_on_list_only_graph_says_what_is_missing(tmp_path):
    G = new_graph()
    for i in range(3):
        add_list_paper(G, f"p{i}", f"Paper {i}", year=2020 + i)
    (tmp_path / CITATIONS_PLOT_NAME).write_text("stale")
    paths = write(G, tmp_path)
    assert [p.name for p in paths] == [REPORT_NAME, YEARS_PLOT_NAME]
    assert not (tmp_path / CITATIONS_PLOT_NAME).exists()  # no plot of data that is gone
    report = paths[0].read_text()
    assert f"- {NO_CITATIONS}" in report
    assert "No citation data: run `rsvlm-graph enrich` with network access." in report
    assert "No candidates: " in report


def test_report_on_empty_graph(tmp_path):
    paths = write(new_graph(), tmp_path)
    assert [p.name for p in paths] == [REPORT_NAME]
    report = paths[0].read_text()
    assert "the graph has no list papers" in report and "No list paper has a year." in report


def test_report_into_a_file_raises_export_error(tmp_path):
    blocker = tmp_path / "exports"
    blocker.write_text("not a directory")
    with pytest.raises(ExportError, match="cannot write the report"):
        write(new_graph(), blocker)


@pytest.mark.parametrize(("growth", "plotted", "says"), [
    ([("2026-11", 106)], False, "covers under two months (106 entries, all in 2026-11)"),
    ([("2026-10", 40), ("2026-11", 106)], True, "40 entries in 2026-10, 106 in 2026-11."),
    ([], False, "No git history of the list file"),
])
def test_growth_plot_only_for_two_months_or_more(tmp_path, growth, plotted, says):
    G = enriched_graph()
    paths = write_report(G, tmp_path, candidates=(), ranking=rank_papers(G, year_now=YEAR_NOW),
                         growth=growth)
    assert ((tmp_path / GROWTH_PLOT_NAME) in paths) is plotted
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert says in report
    assert (GROWTH_PLOT_NAME in report) is plotted


def test_a_list_of_many_sections_gets_twenty_bands_not_one_per_section():
    # issue 29: 1,000 one-row sections drew a legend of 1,000 lines (24 s in matplotlib's
    # layout); SYNTHETIC counts, the 19 largest tasks keep their band
    from rsvlm_graph.exports.report import TASK_BANDS, plot_papers_per_year

    per_task = {f"SYNTHETIC task {i:02d}": {2020: i + 1, 2021: 1} for i in range(30)}
    figure = plot_papers_per_year(per_task)
    assert figure is not None
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert len(labels) == TASK_BANDS and "other tasks (11)" in labels
    assert "SYNTHETIC task 29" in labels and "SYNTHETIC task 00" not in labels
    bars = figure.axes[0].containers
    assert sum(bar.datavalues[0] for bar in bars) == sum(c[2020] for c in per_task.values())
