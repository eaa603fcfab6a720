"""Graph construction from the bundled list, and from a SYNTHETIC enrichment built here."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from rsvlm_graph.graph import build_graph, count_kinds, list_papers, not_enriched
from rsvlm_graph.identifiers import paper_node_id
from rsvlm_graph.listfile.curation import Curation, Pin, load_curation
from rsvlm_graph.listfile.parse import parse_list, read_list
from rsvlm_graph.models import (
    ArxivRecord,
    Author,
    Citation,
    Enrichment,
    Failure,
    Paper,
    Resolution,
)

ROOT = Path(__file__).resolve().parents[1]
LIST = ROOT / "tests" / "data" / "awesome-list.md"  # frozen copy: the live list changes


@pytest.fixture(scope="module")
def bundled():
    curation = load_curation(ROOT / "kg" / "curation.toml")
    document = read_list(LIST, curation)
    return document, curation, build_graph(document)


def edges(G: nx.MultiDiGraph, relation: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, k in G.edges(keys=True) if k == relation}


def test_bundled_list_counts_per_kind(bundled):
    _, _, G = bundled
    counts = count_kinds(G)
    assert counts["list"] == 1
    assert counts["paper"] == 81
    assert counts["dataset"] == 24  # NWPU-RESISC45 listed twice is one dataset
    assert counts["author"] == counts["outside_paper"] == 0  # nothing enriched


def test_membership_is_explicit(bundled):
    _, _, G = bundled
    list_id = G.graph["list"]
    parts = {v for u, v in edges(G, "has_part") if u == list_id}
    assert parts == {n for n, k in G.nodes(data="kind") if k in {"paper", "dataset"}}


def test_dataset_listed_twice_has_both_tasks_and_all_downloads(bundled):
    _, _, G = bundled
    nwpu = G.nodes["dataset:nwpu-resisc45"]
    assert nwpu["tasks"] == ("Image Captioning", "Scene Classification")
    assert len(nwpu["lines"]) == 2
    assert "https://1drv.ms/u/s!AmgKYzARBl5ca3HNaHIlzp_IXjs" in nwpu["download_urls"]
    assert {v for u, v in edges(G, "has_task") if u == "dataset:nwpu-resisc45"} == {
        "task:image-captioning",
        "task:scene-classification",
    }


def test_rsicd_is_introduced_by_its_paper(bundled):
    _, _, G = bundled
    (paper,) = [u for u, v in edges(G, "introduces") if v == "dataset:rsicd"]
    assert G.nodes[paper]["title"] == "Exploring models and data for remote sensing image caption generation"


def test_dataset_sections_share_the_paper_tasks(bundled):
    _, _, G = bundled
    # "Text-based Image Retrieval Dataset" is aliased to the papers' "Image-text Retrieval"
    assert ("dataset:rsitmd", "task:image-text-retrieval") in edges(G, "has_task")


def test_paper_links_to_task_venue_and_code(bundled):
    _, _, G = bundled
    node = "paper:arxiv:2307.15266"  # RSGPT
    assert G.nodes[node]["year"] == 2023
    assert (node, "task:remote-sensing-vision-language-model") in edges(G, "has_task")
    assert (node, "venue:arxiv") in edges(G, "published_in")
    assert (node, "code:github.com/lavender105/rsgpt") in edges(G, "has_code")


def test_paper_without_link_is_kept(bundled):
    _, _, G = bundled
    remoteglm = [n for n in list_papers(G) if G.nodes[n]["title"] == "RemoteGLM"]
    assert remoteglm == ["paper:title:remoteglm"]


def test_node_ids_are_stable_across_runs(bundled):
    document, curation, G = bundled
    again = build_graph(document)
    assert list(again.nodes) == list(G.nodes)
    assert list(again.edges(keys=True, data=True)) == list(G.edges(keys=True, data=True))


def test_without_enrichment_every_list_paper_is_reported(bundled):
    document, _, G = bundled
    rows = not_enriched(G, Enrichment())
    assert len(rows) == len(document.papers)
    assert {reason for _, _, reason in rows} == {"never fetched (no snapshot record)"}


# --- a SYNTHETIC enrichment of a three-paper list ------------------------------------------------

SMALL_LIST = """# Tiny list
## Image Captioning
| Paper | Published in | Code/Project |
|---|---|---|
[Alpha captions](https://arxiv.org/abs/2301.00001)|arxiv 2023|-
[Beta captions](https://ieeexplore.ieee.org/document/1234567)|TGRS 2021|-
[Gamma captions](https://arxiv.org/abs/2302.00002)|arxiv 2023|-

# Dataset
## Image Captioning Dataset
| Dataset | Home/Github | Download link |
|---|---|---|
[RSICD](https://ieeexplore.ieee.org/document/1234567)|-|-
[Sydney-Captions](https://ieeexplore.ieee.org/document/7654321)|-|-
"""

S2 = {name: hexdigit * 40 for name, hexdigit in zip(("alpha", "beta", "gamma", "outside", "unknown"), "abcde")}


def synthetic_enrichment() -> Enrichment:
    """SYNTHETIC records: three list papers, one outside paper citing two of them."""

    def paper(name: str, **kw) -> Paper:
        return Paper(s2_paper_id=S2[name], title=f"{name.title()} captions", fetched_at="2026-11-01T00:00:00Z", **kw)

    return Enrichment(
        resolutions=(
            Resolution("paper:arxiv:2301.00001", S2["alpha"], "batch-arxiv"),
            Resolution("paper:ieee:1234567", S2["beta"], "title-match", score=97.0),
            Resolution("paper:arxiv:2302.00002", None, None, score=70.0, doubtful=True),
        ),
        papers=(
            paper("alpha", year=2023, citation_count=10, external_ids=(("ArXiv", "2301.00001"),),
                  authors=(Author("Ann Author", "11"), Author("Bo Writer", None))),
            paper("beta", year=2021, citation_count=40, external_ids=(("DOI", "10.1109/TGRS.2021.1"),)),
            paper("outside", year=2024, venue="CVPR", citation_count=3,
                  abstract="Benchmarks on RSICD and Sydney-Captions; not on RSICDX or RSICD-like data."),
        ),
        citations=(
            Citation(S2["outside"], S2["alpha"], is_influential=True),
            Citation(S2["outside"], S2["beta"]),
            Citation(S2["alpha"], S2["beta"]),
            Citation(S2["alpha"], S2["beta"], is_influential=True),  # seen from both directions
            Citation(S2["unknown"], S2["alpha"]),  # no record of the citing paper: skipped
        ),
        arxiv=(ArxivRecord("2301.00001", "Alpha captions", abstract="From arXiv, trained on RSICD.",
                           categories=("cs.CV",)),),
        recommendations=(S2["outside"],),
        failures=(Failure("paper:arxiv:2302.00002", "resolve", "no confident title match"),),
    )


@pytest.fixture()
def enriched() -> nx.MultiDiGraph:
    return build_graph(parse_list(SMALL_LIST, "tiny.md"), synthetic_enrichment())


def test_enrichment_adds_outside_papers_authors_and_citations(enriched):
    G = enriched
    assert count_kinds(G)["outside_paper"] == 1
    outside = "paper:s2:" + S2["outside"]
    assert G.nodes[outside]["in_list"] is False
    assert edges(G, "cites") == {
        (outside, "paper:arxiv:2301.00001"),
        (outside, "paper:ieee:1234567"),
        ("paper:arxiv:2301.00001", "paper:ieee:1234567"),
    }
    assert G.edges["paper:arxiv:2301.00001", "paper:ieee:1234567", "cites"]["is_influential"] is True
    authors = sorted((d["position"], v) for u, v, k, d in G.edges(keys=True, data=True) if k == "authored_by")
    assert authors == [(0, "author:11"), (1, "author:name:bo-writer")]


def test_enrichment_keeps_list_ids_and_records_provenance(enriched):
    beta = enriched.nodes["paper:ieee:1234567"]
    assert beta["doi"] == "10.1109/tgrs.2021.1"  # a DOI found later is an attribute, not a new id
    assert beta["citation_count"] == 40
    assert beta["resolution_method"] == "title-match" and beta["resolution_score"] == 97.0
    assert beta["source"] == "semanticscholar" and beta["fetched_at"] == "2026-11-01T00:00:00Z"


def test_arxiv_fills_abstract_and_categories(enriched):
    alpha = enriched.nodes["paper:arxiv:2301.00001"]
    assert alpha["abstract"] == "From arXiv, trained on RSICD."
    assert alpha["arxiv_categories"] == ("cs.CV",)


def test_doubtful_resolution_is_not_enriched_and_reported(enriched):
    gamma = enriched.nodes["paper:arxiv:2302.00002"]
    assert gamma["fetched_at"] is None
    rows = not_enriched(enriched, synthetic_enrichment())
    assert rows == [("paper:arxiv:2302.00002", "resolve", "no confident title match")]


def test_datasets_named_in_abstracts_are_used_with_evidence(enriched):
    uses = {(u, v): d["evidence"] for u, v, k, d in enriched.edges(keys=True, data=True) if k == "uses"}
    outside = "paper:s2:" + S2["outside"]
    assert uses == {
        (outside, "dataset:rsicd"): "abstract names RSICD",
        (outside, "dataset:sydney-captions"): "abstract names Sydney-Captions",
        ("paper:arxiv:2301.00001", "dataset:rsicd"): "abstract names RSICD",  # arXiv's abstract
    }
    # Beta introduces RSICD (same link): it is not also said to use it
    assert ("paper:ieee:1234567", "dataset:rsicd") in edges(enriched, "introduces")


def test_dataset_names_include_parenthesised_short_forms():
    from rsvlm_graph.graph import dataset_names

    assert dataset_names("UC Merced Land-Use(UCM)", ["UCMerced"]) == (
        "UC Merced Land-Use(UCM)", "UC Merced Land-Use", "UCMerced", "UCM",
    )
    assert dataset_names("AB") == ()


def test_dataset_mentions_find_what_a_search_per_spelling_finds():
    import re

    from rsvlm_graph.graph import DatasetMentions, dataset_names

    names = {f"dataset:{i}": dataset_names(name) for i, name in enumerate((
        "UC Merced Land-Use(UCM)", "UCM-Captions", "RSICD", "RSICD captions", "(SYN) Bench",
        "Éole-SAR", "NWPU-RESISC45", "a.b.c",
    ))}
    texts = (
        "We use UCM and UCM-Captions, not UCMX nor pre-RSICD.", "RSICD captions and RSICD.",
        "the (SYN) Bench set", "Éole-SAR, Éole-SARx", "NWPU-RESISC45-v2 only", "on a.b.c data",
        "UC Merced Land-Use(UCM) and UC Merced Land-Use", "",
    )
    mentioned = DatasetMentions(names)
    for text in texts:
        expected = {}
        for node, spellings in names.items():
            for spelling in spellings:
                if re.search(rf"(?<![\w-]){re.escape(spelling)}(?![\w-])", text):
                    expected[node] = spelling
                    break
        assert mentioned(text) == expected, text
    assert mentioned(texts[0]) == {"dataset:0": "UCM", "dataset:1": "UCM-Captions"}


def test_recommended_outside_paper_has_its_rank(enriched):
    assert enriched.nodes["paper:s2:" + S2["outside"]]["recommended_rank"] == 1


def test_unresolved_and_doubtful_papers_say_why():
    # SYNTHETIC resolutions without a failure record: no match at all, and a doubtful match
    document = parse_list(SMALL_LIST, "small.md")
    enrichment = Enrichment(resolutions=(
        Resolution("paper:arxiv:2301.00001", None, None, note="no title match on Semantic Scholar"),
        Resolution("paper:ieee:1234567", S2["beta"], "title-match", score=83.4, doubtful=True,
                   note="best match 'Beta captioning'"),
        Resolution("paper:arxiv:2302.00002", None, None, score=61.0, note="best match 'Other'"),
    ))
    rows = not_enriched(build_graph(document, enrichment), enrichment)
    assert [reason for _, _, reason in rows] == [
        "no match on Semantic Scholar",
        "doubtful match (title similarity 83): pin or reject it in the curation file",
        "no match on Semantic Scholar (title similarity 61)",
    ]


def test_list_paper_nodes_are_the_keys_enrichment_files_resolutions_under():
    # SYNTHETIC pin: a list without its curation must not get other node ids from build_graph
    # than enrich gives its resolutions (paper_node_id of the parsed ids)
    text = SMALL_LIST.replace("[Gamma captions](https://arxiv.org/abs/2302.00002)", "Gamma captions")
    curation = Curation(pins=(Pin(title="Gamma captions", s2_paper_id=S2["gamma"]),))
    for parsed_with in (None, curation):
        document = parse_list(text, "small.md", parsed_with)
        G = build_graph(document)
        assert list_papers(G) == [paper_node_id(e.ids, e.title) for e in document.papers]


# --- a list that names papers instead of titling them (SYNTHETIC) ------------------------------

MODEL_LIST = """# Models
## Foundation Models
| Model | Year | Paper |
|---|---|---|
| SatMAE | 2022 | [arXiv](https://arxiv.org/abs/2207.08051) |
| GFM | 2023 | [arXiv](https://arxiv.org/abs/2302.04476) |
| [A Title The List Gives Itself](https://arxiv.org/abs/2301.00001) | 2023 | - |

The survey above every heading is in no section: [Survey of the field](https://arxiv.org/abs/2305.05726), arXiv 2023.
"""


def test_a_paper_the_list_only_names_is_titled_from_its_record_keeping_the_name():
    document = parse_list(MODEL_LIST, "models.md")
    satmae, gfm, titled = document.papers
    assert (satmae.title_from_list, gfm.title_from_list, titled.title_from_list) == (False, False, True)
    record = "SatMAE: Pre-training Transformers for Temporal and Multi-Spectral Satellite Imagery"
    enrichment = Enrichment(
        resolutions=(Resolution("paper:arxiv:2207.08051", S2["alpha"], "batch-arxiv"),
                     Resolution("paper:arxiv:2301.00001", S2["beta"], "batch-arxiv")),
        papers=(Paper(S2["alpha"], record), Paper(S2["beta"], "Titled by the list (S2 spelling)")),
        # GFM is not on Semantic Scholar here, but arXiv knows it
        arxiv=(ArxivRecord("2302.04476", "Towards Geospatial Foundation Models via Continual Pretraining"),),
    )
    G = build_graph(document, enrichment)
    sat, gfm_node, kept = (G.nodes[n] for n in ("paper:arxiv:2207.08051", "paper:arxiv:2302.04476",
                                                 "paper:arxiv:2301.00001"))
    assert (sat["title"], sat["label"], sat["alias"]) == (record, record, "SatMAE")
    assert (gfm_node["title"], gfm_node["alias"]) == (
        "Towards Geospatial Foundation Models via Continual Pretraining", "GFM")
    # a title the list gives stays, whatever the record spells
    assert (kept["title"], kept["alias"], kept["s2_title"]) == (
        "A Title The List Gives Itself", None, "Titled by the list (S2 spelling)")
    # offline, the name is all there is
    assert build_graph(document).nodes["paper:arxiv:2207.08051"]["title"] == "SatMAE"


def test_an_entry_above_every_heading_has_no_task_and_no_empty_task_node():
    G = build_graph(parse_list("[Survey of the field](https://arxiv.org/abs/2305.05726), arXiv 2023.\n"
                               "# Title\n## Captioning\n- [A paper](https://arxiv.org/abs/2301.00001)\n"))
    assert G.nodes["paper:arxiv:2305.05726"]["tasks"] == ()
    assert {attrs["label"] for _, attrs in G.nodes(data=True) if attrs["kind"] == "task"} == {"Captioning"}
