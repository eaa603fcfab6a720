"""Peer lists as discovery evidence: read with the list parser, matched by id or title, cached.

The peer lists in ``tests/data`` and the graphs here are SYNTHETIC; ``../shared/lists`` holds
real lists of the field and is used when present.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from conftest import SHARED
from test_analysis import YEAR_NOW, add_list_paper, add_outside, cite, new_graph
from test_cli import env, kg, online, run  # noqa: F401  (the CLI tests' fixtures and helper)

from rsvlm_graph.discovery import PEER_WEIGHT, discover_candidates, peer_listings
from rsvlm_graph.errors import ListParseError
from rsvlm_graph.listfile.curation import load_curation
from rsvlm_graph.listfile.parse import parse_list
from rsvlm_graph.listfile.peers import cached_path, read_peer_lists

DATA = Path(__file__).parent / "data"
PEERS = [DATA / "peer-list-a.md", DATA / "peer-list-b.md"]
SHARED_LISTS = SHARED / "lists"


def small_graph() -> nx.MultiDiGraph:
    G = new_graph()
    add_list_paper(G, "paper:title:l", "List paper", tasks=("Image Captioning",), year=2024)
    near = add_outside(G, "near", "SYNTHETIC Near work", year=2024, arxiv_id="2401.90096")
    cite(G, near, "paper:title:l")
    other = add_outside(G, "other", "SYNTHETIC Other work citing two", year=2024)
    cite(G, other, "paper:title:l")
    cite(G, other, add_list_paper(G, "paper:title:m", "Second list paper", year=2023))
    add_outside(G, "peer-only", "SYNTHETIC Aerial Multimodal Retrieval 102", year=2024)
    return G


def documents(*paths: Path):
    return [(p.name, parse_list(p.read_text(encoding="utf-8"), p.name)) for p in paths]


def test_entries_match_by_identifier_else_title():
    listed = peer_listings(small_graph(), documents(*PEERS))
    by_title = {small_graph().nodes[n]["title"]: names for n, names in listed.items()}
    assert by_title == {
        "SYNTHETIC Near work": ("peer-list-a.md", "peer-list-b.md"),  # arXiv id, v2 too
        "SYNTHETIC Aerial Multimodal Retrieval 102": ("peer-list-a.md",),  # title, no id
    }


def test_peer_lists_add_evidence_and_score_and_make_candidates():
    G = small_graph()
    without = {c.title: c for c in discover_candidates(G, year_now=YEAR_NOW)}
    peers = peer_listings(G, documents(*PEERS))
    found = discover_candidates(G, year_now=YEAR_NOW, peers=peers)
    by_title = {c.title: c for c in found}
    near = by_title["SYNTHETIC Near work"]
    assert near.peer_lists == ("peer-list-a.md", "peer-list-b.md")
    assert "listed in 2 peer list(s): peer-list-a.md; peer-list-b.md" in near.why
    assert near.score == pytest.approx(without["SYNTHETIC Near work"].score + 2 * PEER_WEIGHT)
    assert found[0].title == "SYNTHETIC Near work"  # it outranks the paper citing two
    # no link at all, but a peer list names it: a candidate
    assert "SYNTHETIC Aerial Multimodal Retrieval 102" not in without
    assert by_title["SYNTHETIC Aerial Multimodal Retrieval 102"].to_dict()["peer_count"] == 1


def test_urls_are_fetched_once_then_read_from_the_cache(tmp_path):
    url = "https://example.org/SYNTHETIC/README.md"
    asked: list[str] = []

    def fetch(address: str) -> str:
        asked.append(address)
        return PEERS[0].read_text(encoding="utf-8")

    (name, first), = read_peer_lists([url], cache_dir=tmp_path, fetch=fetch)
    assert name == url and len(first.papers) == 3 and asked == [url]
    assert cached_path(url, tmp_path).is_file()
    (_, again), = read_peer_lists([url], cache_dir=tmp_path, fetch=fetch, offline=True)
    assert again.papers == first.papers and asked == [url]
    # offline and never fetched: left out, not an error
    assert read_peer_lists(["https://example.org/other.md"], cache_dir=tmp_path, offline=True,
                           fetch=fetch) == []


def test_a_missing_peer_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(ListParseError, match="nope.md"):
        read_peer_lists([tmp_path / "nope.md"], cache_dir=tmp_path)


@pytest.mark.skipif(not SHARED_LISTS.is_dir(), reason="../shared/lists is not present")
def test_the_real_lists_of_the_field_parse_as_peers(tmp_path):
    paths = sorted(SHARED_LISTS.glob("*.md"))
    peers = read_peer_lists(paths, cache_dir=tmp_path)
    assert [name for name, _ in peers] == [p.name for p in paths]
    # the parser reads table and bullet lists; a list of headings gives no entry (and a warning)
    assert sum(len(document.papers) for _, document in peers) >= 100
    # none of them names a SYNTHETIC paper: no evidence is made up
    assert peer_listings(small_graph(), peers) == {}


def test_discover_takes_peers_from_the_command_line_and_the_curation_file(kg, online, env):  # noqa: F811
    assert run("enrich", "--list", kg / "awesome-list.md", "--quiet").exit_code == 0

    def discover(*args: str) -> dict[str, dict]:
        result = run("discover", "--list", kg / "awesome-list.md", "--format", "json",
                     "--top", "200", *args)
        assert result.exit_code == 0, result.output
        return {c["title"]: c for c in json.loads(result.stdout)}

    plain = discover()
    with_peers = discover(*(a for p in PEERS for a in ("--peer", str(p))))
    listed = with_peers["SYNTHETIC Geospatial Instruction-Tuned Captioning 96"]
    assert listed["peer_count"] == 2 and "listed in 2 peer list(s)" in listed["why"]
    assert listed["rank"] < plain["SYNTHETIC Geospatial Instruction-Tuned Captioning 96"]["rank"]
    assert with_peers["SYNTHETIC Aerial Multimodal Retrieval 102"]["peer_count"] == 1
    assert {c["kind"] for c in with_peers.values()} == {"new"}

    # the same from kg/curation.toml, a path relative to it
    shutil.copy(PEERS[0], kg / "peer-list-a.md")
    curation = kg / "curation.toml"
    curation.write_text('peers = ["peer-list-a.md"]\n' + curation.read_text(encoding="utf-8"),
                        encoding="utf-8")
    assert load_curation(curation).peers == ("peer-list-a.md",)
    from_file = discover()
    assert from_file["SYNTHETIC Geospatial Instruction-Tuned Captioning 96"]["peer_lists"] == [
        "peer-list-a.md"]

    foundations = discover("--kind", "foundation")
    assert foundations and {c["kind"] for c in foundations.values()} == {"foundation"}
    assert not foundations.keys() & with_peers.keys()
