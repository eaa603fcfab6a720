"""suggest: the patch applies with git and patch, rows land at the end of the right tables.

Candidates here are SYNTHETIC stand-ins (made-up titles, ids and links), never written to kg/.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from rsvlm_graph.discovery import Candidate
from rsvlm_graph.errors import UsageError
from rsvlm_graph.listfile.curation import load_curation
from rsvlm_graph.listfile.parse import parse_list, read_list
from rsvlm_graph.listfile.rows import markdown_row
from rsvlm_graph.listfile.suggest import (
    KnownPaper,
    build_patch,
    lint_checked,
    plan_suggestions,
    reject,
    rejections_from_args,
    review_note,
)
from rsvlm_graph.records import OnFile

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "tests" / "data" / "awesome-list.md"  # frozen copy: the live list changes
WORKFLOW = ROOT / ".github" / "workflows" / "refresh.yml"


@dataclass(frozen=True)
class FakeCandidate:
    """SYNTHETIC stand-in for analysis.Candidate."""

    title: str
    s2_id: str | None
    suggested_task: str | None
    markdown_row: str
    url: str = "https://arxiv.org/abs/2401.99999"
    year: int | None = 2024
    venue: str | None = None
    score: float = 3.5
    why: str = "cites 3 list papers"


CAPTION = FakeCandidate(
    "Synthetic captioner", "a" * 40, "Image Captioning",
    "[Synthetic captioner](https://arxiv.org/abs/2401.99991)|arxiv 2024|-",
)
VQA = FakeCandidate(
    "Synthetic VQA model", "b" * 40, "Visual Question Answering",
    "[Synthetic VQA model](https://arxiv.org/abs/2401.99992)|arxiv 2024|-",
)
CAPTION_2 = FakeCandidate(
    "Second synthetic captioner", "c" * 40, "Image Captioning",
    "[Second synthetic captioner](https://arxiv.org/abs/2401.99993)|arxiv 2024|-",
)
OTHERS = FakeCandidate("Synthetic misc", "d" * 40, "Others", "[Synthetic misc](u)|arxiv 2024|-")
NO_TASK = FakeCandidate("Synthetic orphan", None, None, "[Synthetic orphan](u)|arxiv 2024|-")


def _apply(tmp_path: Path, text: str, patch: str, list_rel: str = "kg/awesome-list.md") -> str:
    """Apply `patch` to `text` in a fresh git repository with git apply; return the new text."""
    target = tmp_path / list_rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8"))
    (tmp_path / "s.patch").write_bytes(patch.encode("utf-8"))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "--check", "s.patch"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", "s.patch"], cwd=tmp_path, check=True)
    return target.read_bytes().decode("utf-8")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_patch_adds_rows_at_the_end_of_their_sections(tmp_path):
    text = LIST.read_text(encoding="utf-8")
    document = read_list(LIST)
    patch = build_patch(text, "kg/awesome-list.md", document, [CAPTION, VQA, CAPTION_2, OTHERS])
    assert patch.startswith("--- a/kg/awesome-list.md\n+++ b/kg/awesome-list.md\n")
    new = _apply(tmp_path, text, patch).split("\n")
    old = text.split("\n")
    added = [line for line in new if line not in old]
    assert added == [CAPTION.markdown_row, CAPTION_2.markdown_row, VQA.markdown_row]
    # each row follows the last row of its section's table, in candidate order
    last_caption = max(e.line for e in document.papers if e.task == "Image Captioning")
    last_vqa = max(e.line for e in document.papers if e.task == "Visual Question Answering")
    assert new[last_caption - 1] == old[last_caption - 1]
    assert new[last_caption:last_caption + 2] == [CAPTION.markdown_row, CAPTION_2.markdown_row]
    assert new[last_vqa + 2] == VQA.markdown_row
    # the patched list parses with the new rows in the right sections
    reparsed = parse_list("\n".join(new), "kg/awesome-list.md", None)
    sections = {e.title: e.task for e in reparsed.papers}
    assert sections["Synthetic VQA model"] == "Visual Question Answering"
    assert sections["Second synthetic captioner"] == "Image Captioning"
    assert len(reparsed.papers) == len(document.papers) + 3


@pytest.mark.skipif(shutil.which("patch") is None, reason="needs patch")
def test_patch_applies_with_patch_p1(tmp_path):
    text = LIST.read_text(encoding="utf-8")
    patch = build_patch(text, "kg/awesome-list.md", read_list(LIST), [VQA])
    (tmp_path / "kg").mkdir()
    (tmp_path / "kg" / "awesome-list.md").write_text(text, encoding="utf-8")
    subprocess.run(["patch", "-p1", "-s"], input=patch, text=True, cwd=tmp_path, check=True)
    assert VQA.markdown_row in (tmp_path / "kg" / "awesome-list.md").read_text(encoding="utf-8")


def test_sections_without_a_table_are_left_for_the_note():
    document = read_list(LIST)
    plan = plan_suggestions(LIST.read_text(encoding="utf-8"), document, [OTHERS, NO_TASK, VQA])
    assert [p.candidate for p in plan.placed] == [VQA]
    assert [c for c, _ in plan.unplaced] == [OTHERS, NO_TASK]
    assert "Others" in plan.unplaced[0][1]
    assert build_patch(LIST.read_text(encoding="utf-8"), "kg/awesome-list.md", document,
                       [OTHERS, NO_TASK]) == ""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_empty_table_and_a_table_ending_the_file_without_newline(tmp_path):
    # SYNTHETIC list: one section with a header-only table, one table as the file's last line
    text = (
        "# L\n## Visual Grounding\n| Paper | Published in | Code |\n|---|:-:|:-:|\n\n"
        "## Image Captioning\n| Paper | Published in | Code |\n|---|:-:|:-:|\n"
        "[Old](https://arxiv.org/abs/2001.00001)|arxiv 2020|-"
    )
    document = parse_list(text, "kg/awesome-list.md", None)
    grounding = FakeCandidate("G", None, "Visual Grounding", "[G](https://arxiv.org/abs/2401.1)|arxiv 2024|-")
    patch = build_patch(text, "kg/awesome-list.md", document, [CAPTION, grounding])
    assert "\\ No newline at end of file" in patch
    new = _apply(tmp_path, text, patch).split("\n")
    assert new[4] == grounding.markdown_row
    assert new[-2:] == [CAPTION.markdown_row, ""]


# SYNTHETIC lists in the layouts of other awesome lists of the field: each has the section the
# candidate goes into ("Image Captioning"), then another section, so a row that lands past the
# end of its section reads back under the wrong heading.
OTHER_LAYOUTS = {
    "paper-column table": """# L
## Image Captioning
| Title | Venue | Year | Paper | Code |
|-------|-------|------|-------|------|
| Old captioner | TGRS | 2020 | [PDF](https://example.org/old.pdf) | [Code](https://github.com/x/old) |
| Older captioner | - | 2019 | - | - |

## VQA
| Title | Venue | Year | Paper | Code |
|---|---|---|---|---|
| Old VQA | CVPR | 2021 | [PDF](https://example.org/q.pdf) | - |
""",
    "year-first table": """# L
## Image Captioning
| Year | Title | Venue | Code |
|:-:|---|---|---|
| 2020 | [Old captioner](https://example.org/old) | TGRS | [code](https://github.com/x/old) |
| 2021 | [Older captioner](https://example.org/older) | GRSL | - |
## VQA
| Year | Title | Venue | Code |
|:-:|---|---|---|
| 2020 | [Old VQA](https://example.org/q) | TGRS | - |
""",
    "bullets with pipes": """# L
## Image Captioning
- [Old captioner](https://example.org/old) | [code](https://github.com/x/old)
- [Older captioner](https://example.org/older) | [code](https://github.com/x/older)
  - a note that belongs to the bullet above
## VQA
- [Old VQA](https://example.org/q) | [code](https://github.com/x/q)
""",
    "bold bullets": """# L
## Image Captioning
* **[Old captioner](https://example.org/old)** (AAAI 2024) [[code]](https://github.com/x/old)
* **[Older captioner](https://example.org/older)** (TGRS 2022) [[code]](https://github.com/x/older)

## VQA
* **[Old VQA](https://example.org/q)** (CVPR 2021)
""",
    "citation bullets": """# L
## Image Captioning
1. **Old captioner**, arXiv 2023. [[Paper](https://arxiv.org/abs/2307.15266)] [[Code](https://github.com/x/o)]
2. "Older captioner." CVPR 2024. [[paper](https://arxiv.org/abs/2311.15826)]
## VQA
- Old VQA, TGRS 2020. [[pdf](https://example.org/q.pdf)]
""",
}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("layout", sorted(OTHER_LAYOUTS))
def test_suggested_row_reads_back_in_other_layouts(tmp_path, layout):
    text = OTHER_LAYOUTS[layout]
    document = parse_list(text, "kg/awesome-list.md")
    candidate = Candidate(  # SYNTHETIC
        node="paper:s2:x", title="New captioner", s2_id="e" * 40, arxiv_id="2401.99994", doi=None,
        year=2024, venue="ICCV", url="", score=2.0, cites_list_papers=(), cited_by_list_papers=(),
        similarity=None, recommended_rank=None, suggested_task="Image Captioning")
    rows = [e for e in document.papers if e.task == "Image Captioning"]
    candidate = replace(candidate, markdown_row=markdown_row(candidate, rows, text))
    new = _apply(tmp_path, text, build_patch(text, "kg/awesome-list.md", document, [candidate]))
    reparsed = parse_list(new, "kg/awesome-list.md")
    assert reparsed.problems == ()
    assert len(reparsed.papers) == len(document.papers) + 1
    (added,) = [e for e in reparsed.papers if e.title == "New captioner"]
    assert (added.url, added.venue, added.year, added.section) == (
        "https://arxiv.org/abs/2401.99994", "ICCV", 2024, "Image Captioning")
    # right after the section's last entry, and whatever is indented under it
    lines = new.split("\n")
    last = max(e.line for e in rows)
    assert lines[added.line - 2].startswith(("  - a note", lines[last - 1]))
    assert [e.title for e in reparsed.papers if e.title != "New captioner"] == [
        e.title for e in document.papers]


def test_bullets_holding_pipes_are_not_taken_for_table_rows():
    # SYNTHETIC: a table section whose last row is followed by a bullet with a pipe in it
    text = ("## Visual Question Answering\n|Paper|Published in|\n|---|---|\n[A](https://a.org)|X 2020\n"
            "- see also [B](https://b.org) | [code](https://c.org)\n")
    plan = plan_suggestions(text, parse_list(text), [VQA])
    assert [p.after_line for p in plan.placed] == [4]


def test_review_note_has_one_entry_per_candidate():
    note = review_note([CAPTION, VQA], unplaced=[(OTHERS, "the list has no paper table under 'Others'")])
    for candidate in (CAPTION, VQA):
        assert f"[{candidate.title}]({candidate.url})" in note
        assert candidate.s2_id in note
    assert note.count("- Why: cites 3 list papers") == 2
    assert "Score: 3.50" in note
    assert note.index(CAPTION.title) < note.index(VQA.title)
    assert "## Not in the patch" in note and "Synthetic misc" in note
    assert "no candidate" in review_note([])


def test_reject_values_become_rejections_by_kind():
    read = rejections_from_args(
        ["B" * 40, "arXiv:2401.00001v3", "https://doi.org/10.1109/TGRS.2020.1", "Synthetic captioner",
         "Some unknown title"],
        "off topic",
        papers=[KnownPaper(CAPTION.title, CAPTION.s2_id)],
    )
    assert [(r.s2_paper_id, r.arxiv_id, r.doi, r.title) for r, _ in read] == [
        ("b" * 40, None, None, None),
        (None, "2401.00001", None, None),
        (None, None, "10.1109/tgrs.2020.1", None),
        (CAPTION.s2_id, None, None, "Synthetic captioner"),  # a candidate's title brings its id
        (None, None, None, "Some unknown title"),
    ]
    assert [match is not None for _, match in read] == [False, False, False, True, False]
    assert {r.reason for r, _ in read} == {"off topic"}


KNOWN = [KnownPaper(CAPTION.title, CAPTION.s2_id), KnownPaper(VQA.title, VQA.s2_id)]


def test_reject_appends_to_the_curation_file(tmp_path):
    path = tmp_path / "curation.toml"
    path.write_text("# curated by hand\n", encoding="utf-8")
    # a title written otherwise still names the candidate, and records its id
    reject(path, [VQA.s2_id, "SYNTHETIC Captioner."], "not remote sensing", KNOWN)
    curation = load_curation(path)
    assert curation.is_rejected(s2_paper_id=VQA.s2_id)
    assert curation.is_rejected(s2_paper_id=CAPTION.s2_id)
    assert path.read_text(encoding="utf-8").startswith("# curated by hand\n")
    assert not curation.is_rejected(s2_paper_id="e" * 40)


def test_reject_refuses_values_naming_no_known_paper_unless_forced(tmp_path):
    path = tmp_path / "curation.toml"
    path.write_text("# curated by hand\n", encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        reject(path, [VQA.s2_id, "Synthetic VQA modle for nothing", "e" * 40], "typo", KNOWN)
    message = str(refused.value)
    assert "'Synthetic VQA modle for nothing' names no discovery candidate" in message
    assert f"'{'e' * 40}' names no discovery candidate" in message
    assert "closest titles: 'Synthetic VQA model'" in message and "--force" in message
    assert path.read_text(encoding="utf-8") == "# curated by hand\n"  # nothing, not even VQA
    reject(path, ["e" * 40], "known elsewhere", KNOWN, force=True)
    assert load_curation(path).is_rejected(s2_paper_id="e" * 40)


def test_refresh_workflow_runs_the_action_whose_steps_run_the_cli_commands():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert "workflow_dispatch" in triggers and triggers["schedule"][0]["cron"]
    action = workflow["jobs"]["refresh"]["steps"][-1]
    assert action["uses"] == "./" and action["with"]["s2-api-key"] == "${{ secrets.S2_API_KEY }}"
    assert action["with"]["list"] == "kg/awesome-list.md" and action["with"]["data"] == "kg"
    steps = yaml.safe_load(WORKFLOW.parents[2].joinpath("action.yml").read_text(encoding="utf-8"))["runs"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    for command in ('pip install', '"$ACTION_PATH"', "rsvlm-graph enrich", "(build --list \"$INPUT_LIST\" --offline",
                    "rsvlm-graph suggest", '--out "$INPUT_OUT/suggestions.patch"'):
        assert command in runs
    enrich = next(s for s in steps if "rsvlm-graph enrich" in s.get("run", ""))
    assert enrich["env"]["INPUT_S2_API_KEY"] == "${{ inputs.s2-api-key }}" and "S2_API_KEY=" in enrich["run"]
    pr = next(s for s in steps if s.get("uses", "").startswith("peter-evans/create-pull-request"))
    assert pr["with"]["body-path"] == "${{ runner.temp }}/rsvlm-graph-pr-body.md"
    body = next(s for s in steps if "rsvlm-graph-pr-body.md" in s.get("run", ""))
    assert "rsvlm-graph changes" in body["run"] and '"$INPUT_OUT/suggestions.md"' in body["run"]
    assert set(pr["with"]["add-paths"].splitlines()) == {"${{ steps.paths.outputs.data }}", "${{ inputs.out }}"}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_write_suggestions_keeps_crlf_and_writes_the_note(tmp_path, monkeypatch):
    # SYNTHETIC list with Windows line endings, in a repository layout under tmp_path
    text = "# L\r\n## VQA\r\n|Paper|Published in|Code|\r\n|---|---|---|\r\n[A](https://a.org/1)|X 2020|-\r\n"
    (tmp_path / "kg").mkdir()
    list_path = tmp_path / "kg" / "list.md"
    list_path.write_bytes(text.encode("utf-8"))
    document = parse_list(text.replace("\r\n", "\n"), "kg/list.md", None)
    candidate = FakeCandidate("V", "f" * 40, "VQA", "[V](https://arxiv.org/abs/2401.2)|arxiv 2024|-")
    monkeypatch.chdir(tmp_path)
    from rsvlm_graph.listfile.suggest import write_suggestions

    patch_path, note_path = write_suggestions(Path("kg/list.md"), document, [candidate, OTHERS],
                                              Path("exports/suggestions.patch"))
    assert note_path == Path("exports/suggestions.md")
    assert "+++ b/kg/list.md" in patch_path.read_text(encoding="utf-8")
    assert "Synthetic misc" in note_path.read_text(encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "apply", str(patch_path)], cwd=tmp_path, check=True)
    assert list_path.read_bytes().decode("utf-8").endswith(
        "[A](https://a.org/1)|X 2020|-\r\n[V](https://arxiv.org/abs/2401.2)|arxiv 2024|-\r\n"
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_real_candidates_from_the_fake_api_make_an_applicable_patch(
        fake_api, fake_settings, s2_source, arxiv_source, tmp_path):
    # the bundled list enriched against the SYNTHETIC fake Semantic Scholar, end to end
    from datetime import datetime, timezone

    from fakeapi.corpus import corpus_for_list

    from rsvlm_graph.discovery import discover_candidates
    from rsvlm_graph.enrich import enrich
    from rsvlm_graph.graph import build_graph
    from rsvlm_graph.listfile.rows import with_rows
    from rsvlm_graph.store import Store

    curation = load_curation(LIST.with_name("curation.toml"))
    document = read_list(LIST, curation)
    fake_api.corpus = corpus_for_list(document)
    with Store(tmp_path / "s.db") as store:
        enrichment = enrich(document, curation, s2=s2_source, arxiv=arxiv_source, records=OnFile(store),
                            settings=fake_settings, now=lambda: datetime(2026, 11, 27, tzinfo=timezone.utc))
    G = build_graph(document, enrichment)
    candidates = with_rows(discover_candidates(G, recommended=enrichment.recommendations, top=8,
                                               year_now=2026), document.entries)
    assert candidates
    text = LIST.read_text(encoding="utf-8")
    plan = plan_suggestions(text, document, candidates)
    patch = build_patch(text, "kg/awesome-list.md", document, candidates)
    new = _apply(tmp_path / "repo", text, patch)
    added = [line for line in new.split("\n") if line not in text.split("\n")]
    assert added == [p.candidate.markdown_row for p in sorted(plan.placed, key=lambda p: p.after_line)]
    reparsed = parse_list(new, "kg/awesome-list.md", curation)
    assert len(reparsed.papers) == len(document.papers) + len(plan.placed)
    note = review_note(candidates, unplaced=plan.unplaced)
    assert all(c.title in note for c in candidates)


def _candidate(title: str, venue: str | None, **ids: str) -> Candidate:
    """A SYNTHETIC candidate for the VQA section, linked as discovery links it."""
    from rsvlm_graph.identifiers import paper_link

    arxiv_id, doi, s2_id = ids.get("arxiv_id"), ids.get("doi"), ids.get("s2_id", "9" * 40)
    return Candidate(node=f"paper:s2:{s2_id}", title=title, s2_id=s2_id, arxiv_id=arxiv_id, doi=doi,
                     year=2024, venue=venue, url=paper_link(arxiv_id, doi, s2_id, ""), score=1.0,
                     cites_list_papers=(), cited_by_list_papers=(), similarity=None,
                     recommended_rank=None, suggested_task="VQA")


#: a SYNTHETIC table in each labelling convention of real lists: {link} is each row's link cell
_LABELLED = """# L
## VQA
| Title | Year | Venue | Link |
|---|---|---|---|
| Synthetic A | 2023 | CVPR | {cvpr} |
| Synthetic B | 2022 | IEEE TGRS | {tgrs} |
| Synthetic C | 2021 | arXiv | {arxiv} |
"""
_S2_TGRS = "IEEE Transactions on Geoscience and Remote Sensing"
_NEW = [_candidate("Synthetic new one", _S2_TGRS, arxiv_id="2401.90001"),
        _candidate("Synthetic new two", "arXiv", doi="10.5555/synthetic.2"),
        _candidate("Synthetic new three", None)]


def _rows_for(text: str) -> list[str]:
    from rsvlm_graph.listfile.curation import Curation
    from rsvlm_graph.listfile.rows import with_rows
    from rsvlm_graph.listfile.venues import venue_spelling

    curation = Curation(venue_aliases={_S2_TGRS: "IEEE TGRS"})
    document = parse_list(text, "l.md", curation)
    spell = venue_spelling(document, curation)
    return [c.markdown_row for c in with_rows(_NEW, document.entries, document.text, spell)]


@pytest.mark.parametrize(("links", "labels"), [
    # labelled by the link's site (bili-sakura): arXiv, DOI; S2 pages get their own name
    (("[CVPR](https://openaccess.thecvf.com/a)", "[DOI](https://doi.org/10.1109/tgrs.2022.1)",
      "[arXiv](https://arxiv.org/abs/2101.00001)"), ("arXiv", "DOI", "Semantic Scholar")),
    # one label whatever the site
    (("[Paper](https://openaccess.thecvf.com/a)", "[Paper](https://doi.org/10.1109/tgrs.2022.1)",
      "[Paper](https://arxiv.org/abs/2101.00001)"), ("Paper", "Paper", "Paper")),
    # labelled by the row's venue: the candidate's venue as the list spells it
    (("[CVPR](https://arxiv.org/abs/2301.00001)", "[IEEE TGRS](https://doi.org/10.1109/tgrs.2022.1)",
      "[arXiv](https://arxiv.org/abs/2101.00001)"), ("IEEE TGRS", "arXiv", "Semantic Scholar")),
])
def test_new_rows_label_their_link_as_the_list_labels_links(links, labels):
    text = _LABELLED.format(cvpr=links[0], tgrs=links[1], arxiv=links[2])
    rows = _rows_for(text)
    assert [re.search(r"\| \[([^\]]+)\]\(", row)[1] for row in rows] == list(labels)  # type: ignore[index]
    # the venue as the list writes it: its alias of S2's name, its "arXiv"
    assert [row.split(" | ")[2] for row in rows] == ["IEEE TGRS", "arXiv", "-"]


def test_a_linked_venue_cell_gets_the_link_labelled_venue_and_year():
    # wenhwu: "| Year | Title | Publication |" with "[TGRS2024](…)", "[ISPRS P&RS 2024](…)"
    text = ("# L\n## VQA\n|Year|Title|Publication|\n|---|---|---|\n"
            "|2024|Synthetic A|[IEEE TGRS2024](https://ieeexplore.ieee.org/document/1)|\n"
            "|2023|Synthetic B|[JAG2023](https://www.sciencedirect.com/science/article/pii/S1)|\n"
            "|2022|Synthetic C|[ISPRS P&RS 2022](https://doi.org/10.1016/j.isprsjprs.2022.1)|\n")
    rows = _rows_for(text)
    assert rows[0] == "|2024|Synthetic new one|[IEEE TGRS 2024](https://arxiv.org/abs/2401.90001)|"
    assert rows[1] == "|2024|Synthetic new two|[arXiv2024](https://doi.org/10.5555/synthetic.2)|"
    assert rows[2].startswith("|2024|Synthetic new three|[Semantic Scholar](https://www.semanticscholar")


def test_rows_that_would_be_lint_errors_are_left_out():
    """suggest lints the list with its rows added: a row repeating a row that has no identifier
    (a duplicate lint cannot tell apart) or with a malformed link is left out, the others kept."""
    text = ("# L\n## VQA\n|Paper|Published in|Code|\n|---|---|---|\n"
            "[Synthetic listed model](https://github.com/synthetic/model)|TGRS 2023|-|\n")
    document = parse_list(text, "l.md", None)
    good = FakeCandidate("Synthetic new model", "e" * 40, "VQA",
                         "[Synthetic new model](https://arxiv.org/abs/2401.99994)|arxiv 2024|-|")
    again = FakeCandidate("Synthetic listed model", "f" * 40, "VQA",
                          "[Synthetic listed model](https://arxiv.org/abs/2401.99995)|arxiv 2024|-|")
    broken = FakeCandidate("Synthetic broken link", "0" * 40, "VQA",
                           "[Synthetic broken link](www.example.org/x)|arxiv 2024|-|")
    kept, left = lint_checked(text, document, [again, good, broken])
    assert kept == [good]
    assert [(c.title, why) for c, why in left] == [
        ("Synthetic listed model", "its row would be a lint error (duplicate-paper)"),
        ("Synthetic broken link", "its row would be a lint error (malformed-url)")]
    assert lint_checked(text, document, [good]) == ([good], [])


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_rows_added_to_a_numbered_section_are_numbered_on(tmp_path):
    # an outside review: two rows added under a numbered section both got "12."
    text = ("# L\n## Image Captioning\n"
            "11. [SYNTHETIC first](https://arxiv.org/abs/2301.00011), TGRS 2023.\n"
            "12. [SYNTHETIC second](https://arxiv.org/abs/2301.00012), TGRS 2023.\n"
            "\n## Visual Question Answering\n- [SYNTHETIC vqa](https://arxiv.org/abs/2301.00013), CVPR 2023.\n")
    document = parse_list(text, "kg/awesome-list.md", None)
    section = [e for e in document.papers if e.task == "Image Captioning"]
    candidates = [Candidate(  # SYNTHETIC
        node=f"paper:s2:{n}", title=title, s2_id=n * 40, arxiv_id=f"2401.9999{i}", doi=None,
        year=2024, venue="ICCV", url="", score=2.0, cites_list_papers=(), cited_by_list_papers=(),
        similarity=None, recommended_rank=None, suggested_task="Image Captioning")
        for i, (n, title) in enumerate([("e", "New captioner"), ("f", "Newer captioner")])]
    rows = [replace(c, markdown_row=markdown_row(c, section, text)) for c in candidates]
    assert rows[0].markdown_row.startswith("13. ") and rows[1].markdown_row.startswith("13. ")
    new = _apply(tmp_path, text, build_patch(text, "kg/awesome-list.md", document, rows))
    added = [line for line in new.split("\n") if line not in text.split("\n")]
    assert [line[:4] for line in added] == ["13. ", "14. "]
    reparsed = parse_list(new, "kg/awesome-list.md", None)
    assert [e.title for e in reparsed.papers if e.task == "Image Captioning"][-2:] == [
        "New captioner", "Newer captioner"]
