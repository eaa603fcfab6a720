"""Tests of rsvlm_graph.listfile.curation: reading, matching and appending to the curation file."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest

from rsvlm_graph.errors import ListParseError
from rsvlm_graph.listfile.curation import (
    Curation,
    Pin,
    Rejection,
    append_rejections,
    load_curation,
)
from rsvlm_graph.listfile.parse import read_list
from rsvlm_graph.models import ListEntry

ROOT = Path(__file__).parents[1]
# SYNTHETIC ids: any 40 hex digits; no real Semantic Scholar paper is meant.
S2_A = "649def34f8be52c8b66281af98ae884c09aef38b"
S2_B = "0123456789abcdef0123456789abcdef01234567"

FULL = f'''# SYNTHETIC curation file for tests
list_name = "Test list"
ignore = ["https://arxiv.org/abs/2310.16069", "Toronto"]

[task_aliases]
"Text-based Image Retrieval" = "Image-text Retrieval"

[dataset_aliases]
"RS5M" = "RS-5M"

[venue_aliases]
"JSTARG" = "J-STARS"

[[pin]]
title = "RemoteGLM"
s2_paper_id = "{S2_A.upper()}"

[[pin]]
url = "https://ieeexplore.ieee.org/abstract/document/9153154"
doi = "https://doi.org/10.1109/TGRS.2020.3010106"

[[reject]]
s2_paper_id = "{S2_B}"
reason = "different paper"

[[reject]]
arxiv_id = "arXiv:2305.05726v2"
title = "Truncation Cross Entropy Loss for Remote Sensing Image Captioning"
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "curation.toml"
    path.write_text(text, encoding="utf-8")
    return path


def entry(title: str, url: str | None) -> ListEntry:
    return ListEntry(kind="paper", title=title, url=url, section="S", task="S", line=1, raw="")


def test_load_full_file(tmp_path: Path) -> None:
    curation = load_curation(write(tmp_path, FULL))
    assert curation.list_name == "Test list"
    assert curation.ignore == ("https://arxiv.org/abs/2310.16069", "Toronto")
    assert curation.pins == (
        Pin(title="RemoteGLM", s2_paper_id=S2_A),
        Pin(url="https://ieeexplore.ieee.org/abstract/document/9153154", doi="10.1109/tgrs.2020.3010106"),
    )
    assert curation.rejections == (
        Rejection(s2_paper_id=S2_B, reason="different paper"),
        Rejection(arxiv_id="2305.05726",
                  title="Truncation Cross Entropy Loss for Remote Sensing Image Captioning"),
    )


def test_bundled_curation_file() -> None:
    curation = load_curation(ROOT / "kg" / "curation.toml")
    assert curation.canonical_venue("JSTARG") == curation.canonical_venue("JSTARS") == "J-STARS"
    assert curation.canonical_task("Text-based Image Retrieval") == "Image-text Retrieval"
    assert curation.canonical_dataset("RS5M") == "RS-5M"
    assert curation.pins == () and curation.rejections == () and curation.ignore == ()
    document = read_list(ROOT / "tests" / "data" / "awesome-list.md", curation)
    assert {e.task for e in document.datasets} <= {e.task for e in document.papers}


def test_missing_file_is_empty_curation(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="rsvlm_graph.listfile.curation"):
        assert load_curation(tmp_path / "absent.toml") == Curation()
    assert "absent.toml" in caplog.text


def test_invalid_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[venue_aliases]\n"JSTARG" = "J-STARS"\n"broken" = \n')
    with pytest.raises(ListParseError) as info:
        load_curation(path)
    assert (info.value.path, info.value.line) == (path, 3)
    assert str(info.value).startswith(f"{path}:3: invalid TOML")


@pytest.mark.parametrize(("text", "message", "line"), [
    ('venue_alias = {}\n', "unknown key(s) venue_alias", None),
    ('\n\n[[pin]]\ntitle = "X"\n', "gives none of", 3),
    ('[[pin]]\ns2_paper_id = "' + S2_A + '"\n', "needs the url or the title", 1),
    ('[[pin]]\ntitle = "X"\ns2_paper_id = "1234"\n', "not 40 hex digits", 1),
    ('[[pin]]\ntitle = "X"\ndoi = "not a doi"\n', "is not a DOI", 1),
    ('[[pin]]\ntitle = "X"\narxiv_id = "2305.05726"\nsource = "me"\n', "unknown key(s) source", 1),
    ('[[reject]]\nreason = "no id"\n', "gives none of s2_paper_id, doi, arxiv_id, title", 1),
    ('[[reject]]\ntitle = "T"\nreason = 3\n', "reason must be a string", 1),
    ('ignore = "one"\n', "ignore must be a list", None),
    ('ignore = [""]\n', "non-empty string", None),
    ('[task_aliases]\n"A" = 1\n', "non-empty string", None),
    ('pin = 3\n', "[[pin]] tables", None),
])
def test_invalid_content_is_reported(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ListParseError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")) as info:
        load_curation(path)
    assert (info.value.path, info.value.line) == (path, line)
    assert "docs/curation.md" in str(info.value)


def test_pin_for_matches_url_variants_and_titles(tmp_path: Path) -> None:
    curation = load_curation(write(tmp_path, FULL))
    assert curation.pin_for(entry("remoteglm", None)) == curation.pins[0]
    assert curation.pin_for(entry("Anything", "http://ieeexplore.ieee.org/document/9153154/")) == \
        curation.pins[1]
    assert curation.pin_for(entry("RemoteGLM-2", "https://ieeexplore.ieee.org/document/9153155")) is None


def test_is_ignored(tmp_path: Path) -> None:
    curation = load_curation(write(tmp_path, FULL))
    assert curation.is_ignored("whatever", "https://www.arxiv.org/pdf/2310.16069v1.pdf")
    assert curation.is_ignored("TORONTO", None)
    assert not curation.is_ignored("Toronto 2", "https://arxiv.org/abs/2310.16068")


def test_is_rejected(tmp_path: Path) -> None:
    curation = load_curation(write(tmp_path, FULL))
    assert curation.is_rejected(s2_paper_id=S2_B.upper())
    assert curation.is_rejected(arxiv_id="https://arxiv.org/abs/2305.05726v1")
    assert curation.is_rejected(title="Truncation cross entropy loss for remote sensing image captionin")
    assert not curation.is_rejected(s2_paper_id=S2_A, doi="10.1/x", arxiv_id="2305.05727",
                                    title="Truncation loss for remote sensing change detection")
    assert not curation.is_rejected(arxiv_id="not an id", doi="not a doi")
    assert not Curation().is_rejected(s2_paper_id=S2_B)


def test_aliases_ignore_case_and_spacing() -> None:
    curation = Curation(venue_aliases={"JSTARG": "J-STARS"},
                        dataset_aliases={"UC Merced Land-Use(UCM)": "UC Merced"})
    assert curation.canonical_venue(" jstarg. ") == "J-STARS"
    assert curation.canonical_venue("arxiv") == "arXiv"
    assert curation.canonical_venue("TGRS") == "TGRS"
    assert curation.canonical_dataset("uc merced  land-use(ucm)") == "UC Merced"
    assert curation.canonical_dataset("AID") == "AID"


def test_venue_aliases_are_found_by_the_venue_key_lint_groups_by() -> None:
    # one comparison of venues: punctuation, a publisher and a year do not matter, Chinese
    # characters do
    curation = Curation(venue_aliases={"JSTARS": "J-STARS", "测绘学报": "Acta Geodaetica"})
    assert curation.canonical_venue("IEEE J-STARS") == curation.canonical_venue("JSTARS 2021") \
        == "J-STARS"
    assert curation.canonical_venue("测绘学报") == "Acta Geodaetica"
    assert curation.canonical_venue("遥感学报") == "遥感学报"
    assert curation.canonical_venue("IEEE MGRS") == "IEEE MGRS"


def test_append_rejections_keeps_comments_and_skips_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path, FULL + "# a closing comment")  # no final newline
    new = [
        Rejection(s2_paper_id=S2_A, title='A "quoted" title\\with backslash', reason="off topic"),
        Rejection(s2_paper_id=S2_B.upper(), reason="already there"),
        Rejection(doi="10.1234/x", title="Ünïcödé title\ttab"),
        Rejection(doi="https://doi.org/10.1234/X"),  # same DOI as the one before
    ]
    append_rejections(path, new)
    text = path.read_text(encoding="utf-8")
    assert text.startswith(FULL + "# a closing comment\n")
    assert text.count("[[reject]]") == 4
    curation = load_curation(path)
    assert curation.rejections[2:] == (
        Rejection(s2_paper_id=S2_A, title='A "quoted" title\\with backslash', reason="off topic"),
        Rejection(doi="10.1234/x", title="Ünïcödé title\ttab"),
    )
    append_rejections(path, new)
    assert path.read_text(encoding="utf-8") == text


def test_append_rejections_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    append_rejections(path, [Rejection(arxiv_id="2305.05726", reason="survey")])
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {
        "reject": [{"arxiv_id": "2305.05726", "reason": "survey"}]}


def test_append_rejections_refuses_an_empty_rejection(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    with pytest.raises(ListParseError, match="gives none of"):
        append_rejections(path, [Rejection(reason="nothing to match")])
    assert path.read_text(encoding="utf-8") == FULL


def test_append_rejections_to_an_unwritable_place_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "no-such-folder" / "curation.toml"
    with pytest.raises(ListParseError, match="cannot write the curation file") as info:
        append_rejections(path, [Rejection(arxiv_id="2305.05726", reason="survey")])
    assert info.value.path == path


def test_curate_applies_every_decision_once_to_the_parsed_entries():
    from rsvlm_graph.listfile.curation import curate
    from rsvlm_graph.listfile.parse import parse_list

    text = (  # SYNTHETIC list
        "# Demo\n## VQA\n|Paper|Published in|Code|\n|---|---|---|\n"
        "|[Alpha](https://arxiv.org/abs/2401.00001)|JSTARG 2024|-|\n"
        "|[Beta](https://example.org/beta)|tgrs 2023|-|\n"
        "|[Gamma](https://example.org/gamma)|CVPR 2022|-|\n"
        "## VQA Dataset\n|Name|Paper|\n|---|---|\n|RS5M|[paper](https://arxiv.org/abs/2306.11300)|\n"
    )
    curation = Curation(
        list_name="Curated", task_aliases={"VQA": "Visual Question Answering"},
        dataset_aliases={"RS5M": "RS-5M"}, venue_aliases={"JSTARG": "J-STARS"},
        pins=(Pin(title="Beta", s2_paper_id="a" * 40),), ignore=("https://example.org/gamma",),
    )
    raw = parse_list(text, "demo.md")
    curated = curate(raw, curation)
    assert curated == parse_list(text, "demo.md", curation)  # parsing with a curation is exactly this
    assert curated.title == "Curated" and raw.title == "Demo"
    assert [e.title for e in curated.papers] == ["Alpha", "Beta"]
    alpha, beta = curated.papers
    assert (alpha.venue, alpha.venue_name, alpha.task) == ("JSTARG", "J-STARS", "Visual Question Answering")
    assert beta.pin == curation.pins[0] and beta.ids.s2_paper_id == "a" * 40
    assert alpha.pin is None and alpha.ids.s2_paper_id is None
    (dataset,) = curated.datasets
    assert (dataset.title, dataset.dataset_name, dataset.dataset_aliases) == ("RS5M", "RS-5M", ("RS5M",))


def test_a_curation_file_nested_too_deep_is_one_line(tmp_path):
    # found while fuzzing issue 29's boundaries: tomllib recursed into a RecursionError
    path = tmp_path / "curation.toml"
    path.write_text("ignore = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(ListParseError, match="nested deeper than it can be read"):
        load_curation(path)


def test_two_pins_of_one_row_to_different_papers_are_an_error(tmp_path: Path) -> None:
    # an outside review: the first of two contradictory pins won in silence
    two = (f'[[pin]]\ntitle = "RemoteGLM"\ns2_paper_id = "{S2_A}"\n\n'
           f'[[pin]]\ntitle = "remoteglm"\ns2_paper_id = "{S2_B}"\n')
    with pytest.raises(ListParseError, match=r"pins the row of title 'remoteglm' to another paper "
                                             r"than the \[\[pin\]\] of line 1; keep one"):
        load_curation(write(tmp_path, two))
    same = (f'[[pin]]\ntitle = "RemoteGLM"\ns2_paper_id = "{S2_A}"\n\n'
            f'[[pin]]\nurl = "https://example.org/remoteglm"\ntitle = "RemoteGLM"\ns2_paper_id = "{S2_A}"\n')
    assert len(load_curation(write(tmp_path, same)).pins) == 2  # the same paper twice: no conflict
