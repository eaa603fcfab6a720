"""list_history: when entries entered the list, from a real temporary git repository.

All list rows here are SYNTHETIC (made-up titles and links), written only to tmp_path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from rsvlm_graph.errors import RsvlmGraphError
from rsvlm_graph.listfile.history import (
    EntryAdded,
    ListVersion,
    entry_history,
    format_history,
    growth_by_month,
    history_from_versions,
)
from rsvlm_graph.listfile.parse import parse_list
from rsvlm_graph.models import ListDocument, ListEntry

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

HEADER = "# Synthetic list\n## VQA\n| Paper | Published in | Code |\n|---|:-:|:-:|\n"
ROW_A = "[Alpha: question answering on tiles](https://arxiv.org/abs/2101.00001)|arxiv 2021|-\n"
ROW_B = "[Beta retrieval with captionin](https://ieeexplore.ieee.org/abstract/document/9000001)|TGRS 2022|-\n"
ROW_B_FIXED = "[Beta retrieval with captioning](https://ieeexplore.ieee.org/document/9000001)|TGRS 2022|-\n"
ROW_C = "[Gamma grounding](https://www.mdpi.com/2072-4292/15/3/579)|Remote Sensing 2023|-\n"
DATASETS = "## VQA Dataset\n| Dataset | Home | Download |\n|---|:-:|:-:|\n"
# a dataset row linking the same paper as ROW_A: it must not be dated by ROW_A's commit
ROW_D = "[AlphaSet](https://arxiv.org/abs/2101.00001)|-|-\n"


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo),
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env,
        capture_output=True, text=True, check=True,
    )
    return done.stdout.strip()


def _commit(repo: Path, text: str, date: str) -> str:
    (repo / "kg").mkdir(exist_ok=True)
    (repo / "kg" / "list.md").write_text(text, encoding="utf-8")
    _git(repo, "add", "kg/list.md")
    _git(repo, "commit", "-q", "-m", f"list as of {date}", date=date)
    return _git(repo, "rev-parse", "HEAD")


def _document(text: str) -> ListDocument:
    """A stand-in for listparse: one entry per row line, titles and links read naively."""
    entries = []
    kind = "paper"
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("## "):
            kind = "dataset" if line.endswith("Dataset") else "paper"
        if line.startswith("["):
            title, _, rest = line[1:].partition("](")
            entries.append(ListEntry(kind, title, rest.split(")")[0], "VQA", "VQA", number, line))
    return ListDocument("kg/list.md", "Synthetic list", tuple(entries))


@pytest.fixture()
def repo(tmp_path: Path) -> tuple[Path, list[str]]:
    _git(tmp_path, "init", "-q")
    commits = [
        _commit(tmp_path, HEADER + ROW_A + ROW_B, "2023-11-02T10:00:00+00:00"),
        _commit(tmp_path, HEADER + ROW_A + ROW_B + ROW_C, "2024-01-15T10:00:00+00:00"),
        # fixes B's title typo and link form, adds the dataset section
        _commit(tmp_path, HEADER + ROW_A + ROW_B_FIXED + ROW_C + DATASETS + ROW_D,
                "2024-03-20T10:00:00+00:00"),
    ]
    return tmp_path, commits


def test_each_entry_is_dated_by_the_commit_that_added_it(repo):
    root, (first, second, third) = repo
    text = (root / "kg" / "list.md").read_text(encoding="utf-8")
    history = entry_history(root / "kg" / "list.md", _document(text))
    by_title = {h.title: h for h in history}
    assert by_title["Alpha: question answering on tiles"].commit == first
    # the later typo fix re-added the row; the entry still dates from its first commit
    assert by_title["Beta retrieval with captioning"].commit == first
    assert by_title["Gamma grounding"].commit == second
    assert by_title["Gamma grounding"].date.startswith("2024-01-15")
    # same link as Alpha's row, different title: a dataset of its own, added later
    assert by_title["AlphaSet"].commit == third
    assert [h.line for h in history] == [e.line for e in _document(text).entries]


def test_uncommitted_rows_have_no_commit(repo):
    root, _ = repo
    path = root / "kg" / "list.md"
    text = path.read_text(encoding="utf-8") + "[Delta new](https://arxiv.org/abs/2402.00002)|arxiv 2024|-\n"
    path.write_text(text, encoding="utf-8")
    history = entry_history(path, _document(text))
    [delta] = [h for h in history if h.title == "Delta new"]
    assert (delta.commit, delta.date) == (None, None)
    assert all(h.commit is not None for h in history if h is not delta)


def test_follows_a_renamed_list(repo):
    root, (first, _, _) = repo
    _git(root, "mv", "kg/list.md", "kg/awesome.md")
    _git(root, "commit", "-q", "-m", "rename", date="2024-04-01T10:00:00+00:00")
    text = (root / "kg" / "awesome.md").read_text(encoding="utf-8")
    history = entry_history(root / "kg" / "awesome.md", _document(text))
    assert history[0].commit == first


def test_outside_a_git_repository_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "list.md"
    path.write_text(HEADER + ROW_A, encoding="utf-8")
    with pytest.raises(RsvlmGraphError, match="git"):
        entry_history(path, _document(HEADER + ROW_A))


def test_a_file_never_committed_is_a_clear_error(repo):
    root, _ = repo
    path = root / "kg" / "draft.md"
    path.write_text(HEADER + ROW_A, encoding="utf-8")
    with pytest.raises(RsvlmGraphError, match="no commits"):
        entry_history(path, _document(HEADER + ROW_A))


def test_history_prefers_the_oldest_version():
    entry = ListEntry("paper", "Alpha", "https://arxiv.org/abs/2101.00001", "S", "S", 5, "")
    header = "## S\n|Paper|Venue|\n|-|-|\n"
    versions = [
        ListVersion("old", "2023-02-01T00:00:00+00:00",
                    header + "[Alpha](https://arxiv.org/pdf/2101.00001v2)|x 2021|\n"),
        ListVersion("new", "2024-02-01T00:00:00+00:00",
                    header + "[Alpha](https://arxiv.org/abs/2101.00001)|x 2024|\n", added=(4,)),
    ]
    [added] = history_from_versions(versions, ListDocument("l.md", "L", (entry,)))
    assert (added.commit, added.date[:10]) == ("old", "2023-02-01")


def test_bullet_rows_with_bold_or_quoted_titles_are_found():
    # SYNTHETIC versions of a bullet-style list: the title is bold or quoted, the link a [[paper]]
    text = ("# L\n## VLM\n"
            "* **GeoChat: Grounded Large VLM**, CVPR 2024. [[Paper](https://arxiv.org/abs/2311.15826)]\n"
            '- "LHRS-Bot: Empowering RS." ECCV 2024. [[paper](https://arxiv.org/abs/2402.02544)]\n')
    document = parse_list(text, "l.md")
    lines = text.splitlines(keepends=True)
    versions = [ListVersion("c2", "2024-01-01T00:00:00+00:00", "".join(lines[:3]), added=(3,)),
                ListVersion("c1", "2024-02-01T00:00:00+00:00", text, added=(4,))]
    history = history_from_versions(versions, document)
    assert [(h.title[:8], h.commit) for h in history] == [("GeoChat:", "c2"), ("LHRS-Bot", "c1")]


def test_growth_by_month_is_cumulative_and_continuous():
    history = [
        EntryAdded(1, "paper", "A", "c1", "2023-11-30T23:00:00+00:00"),
        EntryAdded(2, "paper", "B", "c3", "2024-02-01T00:00:00+00:00"),
        EntryAdded(3, "dataset", "C", "c2", "2023-11-02T00:00:00+00:00"),
        EntryAdded(4, "paper", "D", None, None),
    ]
    assert growth_by_month(history) == [
        ("2023-11", 2), ("2023-12", 2), ("2024-01", 2), ("2024-02", 3),
    ]
    assert growth_by_month([]) == []


def test_format_history_text_and_json():
    history = [
        EntryAdded(9, "paper", "Late", "bbbbbbbbbbbbbbbb", "2024-02-01T00:00:00+00:00"),
        EntryAdded(5, "dataset", "Early", "aaaaaaaaaaaaaaaa", "2023-01-01T00:00:00+00:00"),
        EntryAdded(7, "paper", "Draft", None, None),
    ]
    lines = format_history(history).splitlines()
    assert [line.split()[-1] for line in lines] == ["Early", "Late", "Draft"]
    assert lines[0].split()[:4] == ["2023-01-01", "aaaaaaaaaa", "5", "dataset"]
    assert json.loads(format_history(history, "json"))[2] == {
        "line": 7, "kind": "paper", "title": "Draft", "commit": None, "date": None,
    }


# SYNTHETIC history of a list that began as one paragraph per paper, then became a table, then
# gained a heading entry and a bullet whose link is a label (the title on the next line).
PARAGRAPHS_1 = ("# Synthetic list\n\n"
                "[Alpha paper on tiles](https://arxiv.org/abs/2101.00001), TGRS 2021.\n\n"
                "[Beta retrieval](https://ieeexplore.ieee.org/document/9000001), GRSL 2022. "
                "[[code]](https://github.com/example/beta)\n")
PARAGRAPHS_2 = PARAGRAPHS_1 + ("\n[Gamma grounding](https://www.mdpi.com/2072-4292/15/3/579), "
                               "Remote Sensing 2023.\n")
TABLE_3 = ("# Synthetic list\n## VQA\n| Paper | Published in | Code |\n|---|---|---|\n"
           "[Alpha paper on tiles](https://arxiv.org/abs/2101.00001)|TGRS 2021|-\n"
           "[Beta retrieval](https://ieeexplore.ieee.org/document/9000001)|GRSL 2022|"
           "[code](https://github.com/example/beta)\n"
           "[Gamma grounding](https://www.mdpi.com/2072-4292/15/3/579)|Remote Sensing 2023|-\n"
           "[Delta detection](https://dl.acm.org/doi/10.1145/3500000.3500004)|ACM MM 2023|-\n")
MIXED_4 = TABLE_3 + ("\n### Epsilon: an entry written as a heading\n\n"
                     "[📄 Paper](https://arxiv.org/abs/2305.00005) | [💻 Code](https://github.com/example/eps)\n"
                     "\n## Bullets\n"
                     "- 2024-TGRS. [**Zeta(Paper)**](https://ieeexplore.ieee.org/document/9000006)\n"
                     "  Zeta: the full title on the next line\n")


@pytest.fixture()
def paragraph_repo(tmp_path: Path) -> tuple[Path, list[str]]:
    _git(tmp_path, "init", "-q")
    dates = ["2023-01-10", "2023-03-05", "2023-06-01", "2023-08-01"]
    commits = [_commit(tmp_path, text, f"{day}T10:00:00+00:00")
               for text, day in zip((PARAGRAPHS_1, PARAGRAPHS_2, TABLE_3, MIXED_4), dates)]
    return tmp_path, commits


def test_entries_are_dated_through_every_format_the_list_had(paragraph_repo):
    root, (c1, c2, c3, c4) = paragraph_repo
    path = root / "kg" / "list.md"
    history = entry_history(path, parse_list(path.read_text(encoding="utf-8"), str(path)))
    assert [(h.title.split()[0], h.commit) for h in history] == [
        ("Alpha", c1), ("Beta", c1), ("Gamma", c2), ("Delta", c3), ("Epsilon:", c4), ("Zeta:", c4),
    ]


def test_history_of_a_list_kept_elsewhere_follows_its_renames(paragraph_repo):
    from typer.testing import CliRunner

    from rsvlm_graph.cli import app

    root, (c1, _, _, c4) = paragraph_repo
    _git(root, "mv", "kg/list.md", "README.md")
    (root / "README.md").write_text(MIXED_4 + "- [Eta](https://arxiv.org/abs/2402.00007)\n",
                                    encoding="utf-8")
    _git(root, "commit", "-q", "-am", "move the list to the README",
         date="2023-09-01T10:00:00+00:00")
    result = CliRunner().invoke(app, ["history", "--repo", str(root), "--path", "README.md",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    dated = {h["title"].split()[0]: h for h in json.loads(result.stdout)}
    assert dated["Alpha"]["commit"] == c1 and dated["Alpha"]["date"].startswith("2023-01-10")
    assert dated["Zeta:"]["commit"] == c4
    assert dated["Eta"]["date"].startswith("2023-09-01")


def test_rows_added_inside_a_table_or_after_a_blank_line_are_read_with_its_header():
    # only the new lines of a version are parsed, with the table header found above them
    header = "# L\n## VQA Data\n| Dataset | Home |\n|-|-|\n"  # datasets by the header only
    old = header + "[AlphaSet](https://arxiv.org/abs/2101.00001)|-\n[GammaSet](https://arxiv.org/abs/2101.00003)|-\n"
    new = (header + "[AlphaSet](https://arxiv.org/abs/2101.00001)|-\n"
           "[BetaSet](https://arxiv.org/abs/2101.00002)|-\n"
           "[GammaSet](https://arxiv.org/abs/2101.00003)|-\n\n"
           "[DeltaSet](https://arxiv.org/abs/2101.00004)|-\n")
    document = parse_list(new, "l.md")
    assert [e.kind for e in document.entries] == ["dataset"] * 4
    versions = [ListVersion("c1", "2023-01-01T00:00:00+00:00", old),
                ListVersion("c2", "2023-02-01T00:00:00+00:00", new, added=(6, 8, 9))]
    assert [(h.title, h.commit) for h in history_from_versions(versions, document)] == [
        ("AlphaSet", "c1"), ("BetaSet", "c2"), ("GammaSet", "c1"), ("DeltaSet", "c2")]
