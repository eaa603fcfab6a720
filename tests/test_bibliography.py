"""Reference-manager exports (``exports/bibliography.py``): read back with the libraries reference
managers' ecosystems use — bibtexparser, rispy — and the CSL-JSON rendered with citeproc-py.

The enriched build is the test list enriched from the fake API's SYNTHETIC corpus.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import networkx as nx
import pytest
import rispy
from bibtexparser import middlewares
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from enriched import NOW, enriched
from fakeapi.corpus import corpus_for_list
from hypothesis import given
from hypothesis import strategies as st

from rsvlm_graph.exports.bibliography import (
    FILE_NAMES,
    Reference,
    _latex,
    bibliography,
    bibtex_entry,
    list_references,
    references,
    ris_entry,
)
from rsvlm_graph.graph import build_graph
from rsvlm_graph.listfile.parse import read_list
from rsvlm_graph.pipeline import Loaded, write_exports

DATA = Path(__file__).parent / "data"
LIST = DATA / "awesome-list.md"


@dataclass(frozen=True)
class Built:
    loaded: Loaded
    out: Path

    def text(self, fmt: str) -> str:
        return (self.out / FILE_NAMES[fmt]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("bibliography")
    loaded = enriched(LIST, work).loaded
    write_exports(loaded, work / "out", year_now=NOW.year, validate_all=False)
    return Built(loaded, work / "out")


def list_paper_count(G: nx.MultiDiGraph) -> int:
    return sum(1 for _, a in G.nodes(data=True) if a["kind"] == "paper" and a["in_list"])


def served_ids() -> tuple[set[str], set[str]]:
    """The DOIs and arXiv ids the fake serves for the list's papers."""
    corpus = corpus_for_list(read_list(LIST))
    dois = {v.lower() for pid in corpus.core_ids if (v := (corpus.papers[pid].get("externalIds") or {}).get("DOI"))}
    arxiv = {v for pid in corpus.core_ids if (v := (corpus.papers[pid].get("externalIds") or {}).get("ArXiv"))}
    return dois, arxiv


def parsed_bibtex(text: str) -> bibtexparser.Library:
    return bibtexparser.parse_string(text, append_middleware=[middlewares.LatexDecodingMiddleware()])


def test_bibtex_holds_one_entry_per_list_paper_read_back_by_bibtexparser(built: Built) -> None:
    library = parsed_bibtex(built.text("bibtex"))
    assert library.failed_blocks == []
    assert len(library.entries) == list_paper_count(built.loaded.graph) > 50
    keys = [e.key for e in library.entries]
    assert len(set(keys)) == len(keys) and all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    with_authors = [e for e in library.entries if "author" in e.fields_dict]
    assert len(with_authors) > len(library.entries) / 2  # enriched: what was fetched


def test_ris_holds_one_record_per_list_paper_read_back_by_rispy(built: Built) -> None:
    records = rispy.loads(built.text("ris"))
    assert len(records) == list_paper_count(built.loaded.graph)
    assert len({r["id"] for r in records}) == len(records)
    assert all(r["type_of_reference"] in {"JOUR", "CPAPER", "UNPB", "GEN"} for r in records)
    assert sum(1 for r in records if r.get("authors")) > len(records) / 2


def test_csl_json_renders_with_citeproc(built: Built) -> None:
    items = json.loads(built.text("csl-json"))
    assert len(items) == list_paper_count(built.loaded.graph)
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    rendered = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        rendered.register(Citation([CitationItem(item["id"])]))
    entries = [str(entry) for entry in rendered.bibliography()]
    assert len(entries) == len(items)
    titles = {item["title"] for item in items}
    assert sum(1 for entry in entries if any(title in entry for title in titles)) == len(items)


def test_every_doi_and_arxiv_id_the_fake_serves_is_in_each_file(built: Built) -> None:
    dois, arxiv = served_ids()
    assert dois and arxiv
    bib = {e.key: e.fields_dict for e in parsed_bibtex(built.text("bibtex")).entries}
    bib_dois = {f["doi"].value for f in bib.values() if "doi" in f}
    bib_arxiv = {f["eprint"].value for f in bib.values() if "eprint" in f}
    assert dois <= bib_dois and arxiv <= bib_arxiv
    ris = rispy.loads(built.text("ris"))
    assert dois <= {r["doi"] for r in ris if "doi" in r}
    assert {f"arXiv:{a}" for a in arxiv} <= {r["accession_number"] for r in ris if "accession_number" in r}
    csl = json.loads(built.text("csl-json"))
    assert dois <= {i["DOI"] for i in csl if "DOI" in i}
    assert {f"arXiv:{a}" for a in arxiv} <= {i.get("number") or i.get("note") for i in csl}


def test_offline_records_hold_what_the_list_says(tmp_path: Path) -> None:
    document = read_list(LIST)
    G = build_graph(document)
    refs = list_references(G)
    assert len(refs) == list_paper_count(G) > 50
    by_title = {e.title: e for e in document.papers}
    for ref in refs:
        entry = by_title[ref.title]
        assert ref.authors == () and ref.year == entry.year and ref.venue == entry.venue_name
        assert ref.doi == entry.ids.doi and ref.arxiv_id == entry.ids.arxiv_id
        assert entry.task in ref.keywords


def test_the_files_are_the_per_paper_entries_joined(built: Built) -> None:
    """The page embeds ``bibtex_entry``/``ris_entry`` per paper: the same text as the files."""
    refs = list_references(built.loaded.graph)
    assert built.text("bibtex") == "\n".join(bibtex_entry(r) for r in refs)
    assert built.text("ris") == "\n".join(ris_entry(r) for r in refs)
    assert built.text("bibtex") == bibliography(refs, "bibtex")


# not "^" nor capital Greek: pylatexenc writes them as LaTeX prints them (\\textasciicircum, which
# reads back as U+02C6; Latin "A" for Greek "Α"), which no round trip can tell apart
TRICKY = "GeoChat & Müller’s {RS} 50% $x$ a_b #1 ~ \\ – 遥感 «σαρ»"


def test_special_characters_survive_a_round_trip() -> None:
    ref = Reference("x2024geochat", "journal", TRICKY, ("Jörg Müller", "Wei Li", "李伟"), 2024,
                    "Remote Sensing & Co", doi="10.1000/a_b<c>", arxiv_id="2401.00001",
                    url="https://example.org/a_b?x=1&y=%20", keywords=("Task & More",))
    (entry,) = parsed_bibtex(bibtex_entry(ref)).entries
    fields = {k: f.value for k, f in entry.fields_dict.items()}
    assert fields["title"] == TRICKY and fields["journal"] == "Remote Sensing & Co"
    assert fields["author"] == "Müller, Jörg and Li, Wei and 李伟"
    # verbatim fields (biblatex reads url and doi as written): not LaTeX, so read undecoded
    (raw,) = bibtexparser.parse_string(bibtex_entry(ref)).entries
    assert raw["doi"] == ref.doi and raw["url"] == ref.url and raw["eprint"] == ref.arxiv_id
    (record,) = rispy.loads(ris_entry(ref))
    assert record["title"] == TRICKY and record["authors"] == ["Müller, Jörg", "Li, Wei", "李伟"]
    assert "{GeoChat}" in bibtex_entry(ref)  # a style's lower-casing keeps it


def test_keys_are_unique_and_the_list_papers_keep_theirs() -> None:
    G = nx.MultiDiGraph()
    for node, title in [("paper:title:b", "Remote CLIP"), ("paper:title:a", "RemoteCLIP"),
                        ("paper:title:c", "Remote clip again")]:
        G.add_node(node, kind="paper", in_list=True, title=title, year=2024, authors=("Fan Liu",))
    G.add_node("paper:s2:" + "0" * 40, kind="outside_paper", in_list=False, title="Remote things",
               year=2024, authors=("Fan Liu",))
    alone = references(G)
    assert [alone[n].key for n in sorted(alone)] == ["liu2024remoteclip", "liu2024remote",
                                                     "liu2024remotea"]
    with_outside = references(G, ["paper:s2:" + "0" * 40])
    assert {n: r.key for n, r in with_outside.items() if n in alone} == {n: r.key for n, r in alone.items()}
    assert with_outside["paper:s2:" + "0" * 40].key == "liu2024remoteb"


def test_keys_never_run_out_when_many_papers_share_one() -> None:
    """SYNTHETIC: 1,000 papers titled alike (a list of one-row sections, bench_sections.py) once
    exhausted the suffixes a..zz and stopped the build with a StopIteration."""
    G = nx.MultiDiGraph()
    for i in range(1_000):
        G.add_node(f"paper:title:p{i:04}", kind="paper", in_list=True, title="Paper", year=None)
    keys = [r.key for r in references(G).values()]
    assert len(set(keys)) == 1_000
    assert keys[:3] == ["paper", "papera", "paperb"]
    assert keys[27] == "paperaa" and keys[27 + 26 * 26] == "paperaaa"


@given(st.text(alphabet=st.sampled_from("abcé\u0301&%$#_{}~^\\ ÅΔλ–—“”\u0308ñ\u00a0😀")),
       st.integers(min_value=1, max_value=9))
def test_latex_encoding_in_chunks_equals_encoding_whole(text: str, chunk: int) -> None:
    # titles are encoded a chunk at a time (a 1.2 MB one took 22 s whole): the result must not
    # depend on where the chunks end, combining marks included
    assert _latex(text, chunk) == _latex(text, len(text) + 1)


def cli(built: Built, *args: str) -> str:
    from typer.testing import CliRunner

    from rsvlm_graph.cli import app

    kg = built.out.parent / "kg"
    result = CliRunner().invoke(app, [*args, "--list", str(kg / "awesome-list.md")],
                                env={"RSVLM_CACHE_DIR": str(built.out.parent / "cache"),
                                     "RSVLM_NOW": NOW.isoformat()})
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("command", [["rank", "--top", "15"], ["discover", "--kind", "all"]])
def test_rank_and_discover_give_reference_manager_formats_and_richer_rows(built: Built, command) -> None:
    rows = json.loads(cli(built, *command, "--format", "json"))
    assert rows and all({"doi", "arxiv_id", "url", "authors"} <= row.keys() for row in rows)
    assert any(row["authors"] for row in rows) and any(row["doi"] or row["arxiv_id"] for row in rows)
    header = cli(built, *command, "--format", "csv").splitlines()[0].split(",")
    assert {"doi", "arxiv_id", "url", "authors"} <= set(header)
    assert "| doi | arxiv_id | url | authors |" in cli(built, *command, "--format", "md")
    library = parsed_bibtex(cli(built, *command, "--format", "bibtex"))
    assert library.failed_blocks == [] and len(library.entries) == len(rows)
    if command[0] == "discover":  # outside papers: S2's titles on both sides, in ranking order
        assert [e["title"] for e in library.entries] == [r["title"] for r in rows]
    assert len(rispy.loads(cli(built, *command, "--format", "ris"))) == len(rows)
    items = json.loads(cli(built, *command, "--format", "csl-json"))
    assert [i["id"] for i in items] == [e.key for e in library.entries]  # the same keys, in order
    doi_of = {row["title"]: row["doi"] for row in rows}
    assert all(i.get("DOI") == doi_of.get(i["title"], i.get("DOI")) for i in items)
