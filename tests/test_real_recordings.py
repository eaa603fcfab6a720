"""Real Semantic Scholar records through every command, end to end.

The fake server serves the recordings in ``../shared/reference/semanticscholar`` (see
``fakeapi/recorded.py``): Turing's "Computing Machinery and Intelligence" with 1,000 real citers
(venues in Chinese and Arabic script among them, accented author names), its references, a real
batch answer and a references page with unresolved (``paperId`` null) entries. The list is
``tests/data/recorded-list.md``. Skipped only when the recordings are absent.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from chromium import LAUNCH_ARGS, browser_required, chromium_path
from conftest import FAKE_API_KEY, SHARED
from fakeapi import FakeApi
from fakeapi.recorded import recorded_corpus
from typer.testing import CliRunner, Result

from rsvlm_graph import cli
from rsvlm_graph.venue_names import normalize_venue

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = SHARED / "reference"
LIST = ROOT / "tests" / "data" / "recorded-list.md"
TURING = "paper:doi:10.1093/mind/lix.236.433"
MICROFINANCE = "paper:doi:10.2139/ssrn.2250500"
CHINESE_VENUE = "全球传媒学刊"
ARABIC_VENUE = "المجلة العلمیة للإقتصاد و التجارة"
SCHEMA = "https://schema.org/"

pytestmark = [
    pytest.mark.reference,
    pytest.mark.skipif(not (REFERENCE / "semanticscholar").is_dir(),
                       reason=f"no recordings at {REFERENCE}"),
]


def _recorded(name: str) -> Any:
    return json.loads((REFERENCE / "semanticscholar" / name).read_text(encoding="utf-8"))


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
           "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env,
                   capture_output=True, text=True, check=True)


@dataclass
class Run:
    """Every command's result on one project folder served the recordings."""

    kg: Path
    out: Path
    results: dict[str, Result] = field(default_factory=dict)

    def invoke(self, name: str, *args: object) -> Result:
        result = CliRunner().invoke(cli.app, [str(a) for a in args])
        self.results[name] = result
        return result


def _serve(monkeypatch: pytest.MonkeyPatch, api: FakeApi, cache: Path) -> None:
    for name, value in {
        "S2_API_KEY": FAKE_API_KEY, "RSVLM_S2_API_URL": api.s2_url,
        "RSVLM_ARXIV_API_URL": api.arxiv_url, "RSVLM_S2_RATE": "1000",
        "RSVLM_ARXIV_INTERVAL": "0", "RSVLM_CACHE_DIR": str(cache),
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Two refreshes a week apart (the second refetches everything), then every other command."""
    if shutil.which("git") is None:
        pytest.skip("needs git (history reads the list's git log)")
    root = tmp_path_factory.mktemp("recorded")
    kg = root / "kg"
    kg.mkdir()
    shutil.copy(LIST, kg / "awesome-list.md")
    _git(root, "init", "-q")
    _git(root, "add", "kg/awesome-list.md")
    _git(root, "commit", "-q", "-m", "the recorded papers")
    listed = kg / "awesome-list.md"
    state = Run(kg=kg, out=root / "exports")
    with pytest.MonkeyPatch.context() as mp, \
            FakeApi(recorded_corpus(REFERENCE)) as api:
        _serve(mp, api, root / "cache")
        mp.setenv("RSVLM_NOW", "2026-11-20T10:00:00Z")
        state.invoke("enrich (first refresh)", "enrich", "--list", listed, "--quiet")
        mp.setenv("RSVLM_NOW", "2026-11-27T10:00:00Z")
        mp.setenv("RSVLM_FRESHNESS_DAYS", "0")
        state.invoke("enrich", "enrich", "--list", listed, "--quiet")
        state.invoke("build", "build", "--list", listed, "--out", state.out, "--quiet")
        state.invoke("build --offline", "build", "--offline", "--list", listed,
                     "--out", root / "offline", "--quiet")
        state.invoke("rank", "rank", "--list", listed, "--format", "json")
        state.invoke("rank --task", "rank", "--list", listed, "--task", "人工智能", "--format", "json")
        state.invoke("discover", "discover", "--list", listed, "--format", "json")
        for fmt in ("bibtex", "ris", "csl-json"):
            state.invoke(f"rank --format {fmt}", "rank", "--list", listed, "--format", fmt)
            state.invoke(f"discover --format {fmt}", "discover", "--list", listed, "--kind", "all",
                         "--format", fmt)
        state.invoke("discover --kind all", "discover", "--list", listed, "--kind", "all",
                     "--format", "json")
        state.invoke("lint", "lint", "--list", listed)
        state.invoke("suggest", "suggest", "--list", listed, "--out", root / "suggest.patch",
                     "--format", "bibtex")
        state.invoke("history", "history", "--list", listed, "--format", "json")
        state.invoke("changes", "changes", "--list", listed, "--format", "json")
        state.invoke("query", "query", "--data", state.out / "graph.ttl", "--format", "json",
                     f"SELECT ?v WHERE {{ ?v schema:name \"{CHINESE_VENUE}\" }}")
        yield state


@pytest.fixture(scope="module")
def graphml(run: Run) -> nx.MultiDiGraph:
    return nx.read_graphml(run.out / "graph.graphml", force_multigraph=True)


def test_every_command_exits_0(run: Run) -> None:
    failed = {name: r.output for name, r in run.results.items() if r.exit_code != 0}
    assert not failed
    assert len(run.results) == 19


def test_offline_build_from_the_snapshot_gives_the_same_files(run: Run) -> None:
    offline = run.out.parent / "offline"
    names = sorted(p.name for p in run.out.iterdir())
    assert names == sorted(p.name for p in offline.iterdir())
    for name in names:
        assert (run.out / name).read_bytes() == (offline / name).read_bytes(), name


def test_every_real_citer_is_in_the_graph_with_its_venue_and_authors(graphml) -> None:
    recorded = _recorded("Paper.json")
    assert graphml.nodes[TURING]["s2_id"] == recorded["paperId"]
    authors_of: dict[str, list[tuple[int, str]]] = {}
    for paper, author, data in graphml.edges(data=True):
        if data["relation"] == "authored_by":
            authors_of.setdefault(paper, []).append((data["position"], graphml.nodes[author]["name"]))
    for citer in recorded["citations"]:
        node = f"paper:s2:{citer['paperId']}"
        assert node in graphml, citer["title"]
        attrs = graphml.nodes[node]
        assert attrs["kind"] == "outside_paper"
        assert attrs["title"] == citer["title"]
        # an empty venue falls back to publicationVenue.name, then journal.name (one real citer)
        venue = citer["venue"] or (citer["publicationVenue"] or {}).get("name") \
            or (citer["journal"] or {}).get("name")
        assert attrs.get("venue") == (normalize_venue(venue) if venue else None), node
        assert graphml.has_edge(node, TURING)
        # one edge per author, at its first position: one real record lists an author twice
        once = {a["authorId"] or a["name"]: a["name"] for a in citer["authors"]}
        assert [name for _, name in sorted(authors_of.get(node, []))] == list(once.values()), node
    assert len(recorded["citations"]) == 1000


def test_venues_in_chinese_and_arabic_script_are_venues(graphml, run: Run) -> None:
    venues = {attrs["name"]: node for node, attrs in graphml.nodes(data=True)
              if attrs["kind"] == "venue"}
    for name in (CHINESE_VENUE, ARABIC_VENUE):
        node = venues[name]
        assert graphml.in_degree(node) >= 1
    assert venues[CHINESE_VENUE] == f"venue:{CHINESE_VENUE}"
    assert len(set(venues.values())) == len(venues)  # no two venue names share a node
    answer = json.loads(run.results["query"].output)  # SPARQL 1.1 Query Results JSON
    assert len(answer["results"]["bindings"]) == 1


def test_the_chinese_task_ranks(run: Run) -> None:
    ranked = json.loads(run.results["rank --task"].output)
    assert [row["title"] for row in ranked] == ["Computing Machinery and Intelligence"]
    assert ranked[0]["citation_count"] == _recorded("Paper.json")["citationCount"]


def test_unresolved_references_are_no_nodes_and_resolved_ones_are(graphml) -> None:
    cited = {v for _, v, data in graphml.out_edges(MICROFINANCE, data=True)
             if data["relation"] == "cites"}
    assert cited
    assert all(v.startswith("paper:s2:") for v in cited)


def test_turtle_and_jsonld_read_back_in_rdflib_and_pyoxigraph(run: Run) -> None:
    turtle, jsonld = run.out / "graph.ttl", run.out / "graph.jsonld"
    from_turtle = rdflib.Graph().parse(turtle, format="turtle")
    from_jsonld = rdflib.Graph().parse(jsonld, format="json-ld")
    assert len(from_turtle) == len(from_jsonld) > 30_000
    store = ox.Store()
    store.load(path=str(turtle), format=ox.RdfFormat.TURTLE)
    assert len(store) == len(from_turtle)
    other = ox.Store()
    other.load(path=str(jsonld), format=ox.RdfFormat.JSON_LD)
    assert len(other) == len(from_turtle)
    names = {str(o) for o in from_turtle.objects(None, rdflib.URIRef(f"{SCHEMA}name"))}
    assert {CHINESE_VENUE, ARABIC_VENUE} <= names


def test_the_page_loads_in_chromium_and_shows_the_tasks(run: Run) -> None:
    chromium = chromium_path()
    if chromium is None:
        assert not browser_required(), "RSVLM_REQUIRE_BROWSER=1 but chromium is missing"
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    errors: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        page = browser.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else (errors.append(r.request.url), r.abort()))
        page.goto((run.out / "graph.html").as_uri())
        page.wait_for_function(
            "() => typeof network !== 'undefined' && network.body.data.nodes.length > 0")
        shown = page.evaluate("() => network.body.data.nodes.get().map(n => n.id)")
        browser.close()
    assert not errors
    assert {"task:人工智能", TURING, MICROFINANCE} <= set(shown)


def test_history_and_changes_read_the_two_refreshes(run: Run) -> None:
    history = json.loads(run.results["history"].output)
    assert len(history) == 2
    changes = json.loads(run.results["changes"].output)
    assert changes


def test_a_paper_answered_with_null_authors_builds(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """PaperWithNullValues.json: the same paper with ``authors`` null; the rest still builds."""
    assert _recorded("PaperWithNullValues.json")["authors"] is None
    shutil.copy(LIST, tmp_path / "awesome-list.md")
    listed = tmp_path / "awesome-list.md"
    with FakeApi(recorded_corpus(REFERENCE, null_values=True)) as api:
        _serve(monkeypatch, api, tmp_path / "cache")
        runner = CliRunner()
        enriched = runner.invoke(cli.app, ["enrich", "--list", str(listed), "--quiet"])
        assert enriched.exit_code == 0, enriched.output
    built = runner.invoke(cli.app, ["build", "--offline", "--list", str(listed),
                                    "--out", str(tmp_path / "out"), "--quiet"])
    assert built.exit_code == 0, built.output
    G = nx.read_graphml(tmp_path / "out" / "graph.graphml", force_multigraph=True)
    assert not [v for _, v, d in G.out_edges(TURING, data=True) if d["relation"] == "authored_by"]
    citers = [u for u, _, d in G.in_edges(TURING, data=True) if d["relation"] == "cites"]
    assert len(citers) == 1000


def test_reference_manager_exports_hold_the_real_records(run: Run) -> None:
    """papers.bib/.ris/.csl.json of the real records: one per list paper, read back by
    bibtexparser and rispy, the authors and DOIs Semantic Scholar gave, accents and all; rank and
    discover give the same formats for their papers."""
    import bibtexparser
    import rispy
    from bibtexparser import middlewares

    turing = _recorded("Paper.json")
    decode = [middlewares.LatexDecodingMiddleware()]
    library = bibtexparser.parse_string((run.out / "papers.bib").read_text(encoding="utf-8"),
                                        append_middleware=decode)
    listed = [line for line in LIST.read_text(encoding="utf-8").splitlines() if line.startswith("| [")]
    assert library.failed_blocks == [] and len(library.entries) == len(listed)
    by_doi = {e["doi"]: e for e in library.entries if "doi" in e}
    entry = by_doi[TURING.removeprefix("paper:doi:")]
    assert entry["title"] == turing["title"] and entry["author"].startswith("Turing, ")
    ris = rispy.loads((run.out / "papers.ris").read_text(encoding="utf-8"))
    csl = json.loads((run.out / "papers.csl.json").read_text(encoding="utf-8"))
    assert len(ris) == len(csl) == len(listed)
    assert {r["id"] for r in ris} == {i["id"] for i in csl} == {e.key for e in library.entries}
    candidates = json.loads(run.results["discover --kind all"].stdout)
    found = bibtexparser.parse_string(run.results["discover --format bibtex"].stdout,
                                      append_middleware=decode)
    assert found.failed_blocks == [] and len(found.entries) == len(candidates) > 0
    accented = [c for c in candidates if any(ord(ch) > 127 for ch in "".join(c["authors"]))]
    assert accented  # the real citers' accented names come back as written
    names = {e["title"]: e["author"] if "author" in e.fields_dict else "" for e in found.entries}
    assert all(c["authors"][0].split()[-1] in names[c["title"]] for c in accented)
    assert len(rispy.loads(run.results["rank --format ris"].stdout)) == \
        len(json.loads(run.results["rank"].stdout))
    assert len(json.loads(run.results["discover --format csl-json"].stdout)) == len(candidates)
    assert (run.out.parent / "suggest.bib").is_file()
