"""A list's own IRIs: ``build --base-iri`` (or ``base_iri`` in curation.toml) mints every IRI the list
has (the list, papers, datasets, tasks, venues, code, authors, records) under that base, and
``publish --base-iri`` replaces that base's graph, so two lists share a SPARQL server.

The enrichment is the fake API's SYNTHETIC corpus; the lists are the bundled test list and the
real lists of ../shared/lists.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import FAKE_API_KEY, SHARED
from fakeapi import FakeApi, make_corpus
from fakeapi.corpus import corpus_for_list
from test_sparql_server import server, server_triples  # noqa: F401  # server: a fixture used here
from typer.testing import CliRunner

from rsvlm_graph.cli import app
from rsvlm_graph.exports.rdf import DEFAULT_BASE
from rsvlm_graph.listfile.curation import load_curation
from rsvlm_graph.listfile.parse import read_list

DATA = Path(__file__).resolve().parent / "data"
SHARED_LISTS = SHARED / "lists"
BASE = "https://lists.example.org/other-list/"
VOCABULARY = DEFAULT_BASE + "vocab#"  # the rsvlm: terms: one vocabulary for every list


def run(*args: str | Path, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)


def iris(triples: set[ox.Triple]) -> set[str]:
    return {term.value for t in triples for term in (t.subject, t.predicate, t.object) if isinstance(term, ox.NamedNode)}


def triples(path: Path, rdf_format: ox.RdfFormat = ox.RdfFormat.TURTLE) -> set[ox.Triple]:
    return {quad.triple for quad in ox.parse(path=str(path), format=rdf_format)}


def rebased(triples: set[ox.Triple], base: str) -> set[ox.Triple]:
    """`triples` with every IRI minted under the default base moved under `base`."""
    def term(node):
        if isinstance(node, ox.NamedNode) and node.value.startswith(DEFAULT_BASE) and not node.value.startswith(VOCABULARY):
            return ox.NamedNode(base + node.value[len(DEFAULT_BASE):])
        return node

    return {ox.Triple(term(t.subject), t.predicate, term(t.object)) for t in triples}


@pytest.fixture(scope="module")
def enriched_kg(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The bundled test list enriched from the fake API: papers, outside papers, authors, venues,
    records; the environment that reaches the same cache offline."""
    tmp = tmp_path_factory.mktemp("enriched")
    kg = tmp / "kg"
    kg.mkdir()
    shutil.copy(DATA / "awesome-list.md", kg / "awesome-list.md")
    with FakeApi(make_corpus(seed=0)) as api:
        api.corpus = corpus_for_list(read_list(kg / "awesome-list.md", load_curation(kg / "curation.toml")))
        env = {"S2_API_KEY": FAKE_API_KEY, "RSVLM_S2_API_URL": api.s2_url, "RSVLM_ARXIV_API_URL": api.arxiv_url,
               "RSVLM_S2_RATE": "1000", "RSVLM_ARXIV_INTERVAL": "0", "RSVLM_CACHE_DIR": str(tmp / "cache")}
        result = run("enrich", "--list", kg / "awesome-list.md", "--quiet", env=env)
    assert result.exit_code == 0, result.output
    return kg / "awesome-list.md", env


def test_a_base_iri_build_has_no_list_iri_outside_its_base(enriched_kg, tmp_path):
    list_path, env = enriched_kg
    assert run("build", "--offline", "--list", list_path, "--out", tmp_path / "default", env=env).exit_code == 0
    result = run("build", "--offline", "--list", list_path, "--out", tmp_path / "other", "--base-iri", BASE, env=env)
    assert result.exit_code == 0, result.output
    default, other = triples(tmp_path / "default" / "graph.ttl"), triples(tmp_path / "other" / "graph.ttl")
    minted = {iri for iri in iris(other) if iri.startswith(BASE)}
    kinds = {iri[len(BASE):].split("/")[0].split("#")[0] for iri in minted}
    assert {"list", "paper", "dataset", "task", "venue", "code", "author", "scheme"} <= kinds
    # not one IRI under the default base but the vocabulary's terms; every subject under BASE
    assert {iri for iri in iris(other) if iri.startswith(DEFAULT_BASE) and not iri.startswith(VOCABULARY)} == set()
    assert all(t.subject.value.startswith(BASE) for t in other)
    # the same graph, rebased: nothing else changed, nothing lost
    assert len(other) == len(default) > 5000
    assert other == rebased(default, BASE)
    assert triples(tmp_path / "other" / "graph.jsonld", ox.RdfFormat.JSON_LD) == other
    # the prefixes of the files follow the base: task:… reads as the list's own task
    turtle = (tmp_path / "other" / "graph.ttl").read_text(encoding="utf-8")
    assert f"@prefix task: <{BASE}task/> ." in turtle and f"<{DEFAULT_BASE}task/>" not in turtle


def test_base_iri_in_the_curation_file_and_the_option_above_it(enriched_kg, tmp_path):
    list_path, env = enriched_kg
    kg = tmp_path / "kg"
    kg.mkdir()
    shutil.copy(list_path, kg / "awesome-list.md")
    (kg / "curation.toml").write_text(f'list_name = "Other list"\nbase_iri = "{BASE}"\n', encoding="utf-8")
    assert run("build", "--offline", "--list", kg / "awesome-list.md", "--out", tmp_path / "a", env=env).exit_code == 0
    subjects = {t.subject.value for t in triples(tmp_path / "a" / "graph.ttl")}
    assert f"{BASE}list/other-list" in subjects and all(s.startswith(BASE) for s in subjects)
    elsewhere = "https://example.org/elsewhere/"
    result = run("build", "--offline", "--list", kg / "awesome-list.md", "--out", tmp_path / "b",
                 "--base-iri", elsewhere, env=env)
    assert result.exit_code == 0, result.output
    assert all(t.subject.value.startswith(elsewhere) for t in triples(tmp_path / "b" / "graph.ttl"))


def test_a_base_iri_that_cannot_be_one_is_refused_naming_where(tmp_path):
    shutil.copy(DATA / "awesome-list.md", tmp_path / "awesome-list.md")
    result = run("build", "--offline", "--list", tmp_path / "awesome-list.md", "--base-iri", "https://e.org/no-slash")
    assert result.exit_code == 2 and "--base-iri" in result.output and "ending in '/'" in result.output
    (tmp_path / "curation.toml").write_text('# a comment\nbase_iri = "https://e.org/a/../b/"\n', encoding="utf-8")
    result = run("build", "--offline", "--list", tmp_path / "awesome-list.md", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert f"{tmp_path / 'curation.toml'}:2:" in result.output and "'..' segment" in result.output
    assert not (tmp_path / "out" / "graph.ttl").exists()


@pytest.mark.skipif(not SHARED_LISTS.is_dir(), reason="needs ../shared/lists")
def test_two_lists_share_one_sparql_server_without_colliding(server, tmp_path):  # noqa: F811
    graphs = {}
    for name, base in (("xiaoaoran-awesome-rsfms.md", "https://e.org/rsfms/"),
                       ("jaychempan-awesome-rsitr.md", "https://e.org/rsitr/")):
        folder = tmp_path / base.split("/")[-2]
        folder.mkdir()
        shutil.copy(SHARED_LISTS / name, folder / "README.md")
        built = run("build", "--offline", "--list", folder / "README.md", "--out", folder / "out", "--base-iri", base,
                    env={"RSVLM_CACHE_DIR": str(tmp_path / "cache")})
        assert built.exit_code == 0, built.output
        published = run("publish", "--endpoint", f"{server}/store", "--data", folder / "out" / "graph.ttl",
                        "--base-iri", base)
        assert published.exit_code == 0, published.output
        assert f"<{base}graph>" in published.output
        graphs[base] = triples(folder / "out" / "graph.ttl")
    for base, expected in graphs.items():
        assert server_triples(server, f"{base}graph") == expected
    first, second = ({t.subject for t in found} for found in graphs.values())
    assert first and second and not first & second  # no list, paper or task of one is the other's
