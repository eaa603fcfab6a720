"""publish and query --endpoint against a real Oxigraph server on 127.0.0.1 (the ``oxigraph``
package's binary), holding the enriched test graph: the bundled list enriched from the fake API's
SYNTHETIC corpus. Credentials are checked on a small recording server.

Without the binary these tests skip locally; CI (``.ci/run``) installs it and sets
``RSVLM_REQUIRE_SERVER=1``, so there a missing server fails instead.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from conftest import FAKE_API_KEY
from fakeapi import FakeApi, make_corpus
from fakeapi.corpus import corpus_for_list
from typer.testing import CliRunner

from rsvlm_graph.cli import app
from rsvlm_graph.config import Settings
from rsvlm_graph.errors import ConfigError, EndpointError, QueryError
from rsvlm_graph.listfile.curation import load_curation
from rsvlm_graph.listfile.parse import read_list
from rsvlm_graph.query import example_names, example_query, format_result, run_query
from rsvlm_graph.sparql_server import (
    DEFAULT_GRAPH_IRI,
    client_for,
    count_triples,
    publish_graph,
    query_endpoint,
)

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.server


def oxigraph_binary() -> str | None:
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``oxigraph serve`` on a free loopback port with a temporary store; yields its base URL."""
    binary = oxigraph_binary()
    if binary is None:
        reason = "the oxigraph server binary is not installed (pip install oxigraph, or '.[test]')"
        if os.environ.get("RSVLM_REQUIRE_SERVER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-store")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2)
            break
        except httpx.TransportError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph serve did not start: {process.stderr.read().decode() if process.stderr else ''}")
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def enriched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``graph.ttl`` of the bundled list built against the fake API (SYNTHETIC corpus)."""
    tmp = tmp_path_factory.mktemp("enriched")
    kg = tmp / "kg"
    kg.mkdir()
    for name in ("awesome-list.md", "curation.toml"):
        shutil.copy(ROOT / "kg" / name, kg / name)
    with FakeApi(make_corpus(seed=0)) as api:
        api.corpus = corpus_for_list(read_list(kg / "awesome-list.md", load_curation(kg / "curation.toml")))
        env = {
            "S2_API_KEY": FAKE_API_KEY, "RSVLM_S2_API_URL": api.s2_url, "RSVLM_ARXIV_API_URL": api.arxiv_url,
            "RSVLM_S2_RATE": "1000", "RSVLM_ARXIV_INTERVAL": "0", "RSVLM_CACHE_DIR": str(tmp / "cache"),
        }
        result = CliRunner().invoke(
            app, ["build", "--list", str(kg / "awesome-list.md"), "--out", str(tmp / "out"), "--quiet"],
            env=env, catch_exceptions=False,
        )
    assert result.exit_code == 0, result.output
    assert "not enriched: none" in result.output
    return tmp / "out" / "graph.ttl"


def run(*args: str | Path, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], env=env, catch_exceptions=False)


def triples_of(data: bytes | Path, rdf_format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> set[ox.Triple]:
    """The triples of a document as an Oxigraph store keeps them: a store writes numbers in their
    canonical form (``"100.0"^^xsd:double`` comes back as ``"100"``), the same value."""
    store = ox.Store()
    if isinstance(data, Path):
        store.load(path=str(data), format=rdf_format)
    else:
        store.load(data, rdf_format)
    return {quad.triple for quad in store}


def server_triples(server: str, graph: str) -> set[ox.Triple]:
    response = httpx.get(f"{server}/store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    response.raise_for_status()
    return triples_of(response.content)


@pytest.fixture(scope="module")
def published(server: str, enriched: Path) -> str:
    """The enriched graph published to the server once, through the command line."""
    result = run("publish", "--endpoint", f"{server}/store", "--data", enriched)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_server_holds_exactly_the_triples_of_graph_ttl(server, enriched, published):
    expected = triples_of(enriched, ox.RdfFormat.TURTLE)
    assert len(expected) > 5000
    assert server_triples(server, DEFAULT_GRAPH_IRI) == expected
    assert f"the server holds {len(expected):,} triples in that graph ({len(expected):,} sent)" in published
    assert f"<{DEFAULT_GRAPH_IRI}>" in published


def test_republishing_replaces_the_graph_and_leaves_others_alone(server, enriched, published, tmp_path):
    other = "https://example.org/another-graph"
    with client_for(Settings(), 30) as client:
        publish_graph(client, f"{server}/store", enriched, graph_iri=other)
        smaller = tmp_path / "smaller.nt"
        kept = sorted(triples_of(enriched, ox.RdfFormat.TURTLE), key=str)[:100]
        smaller.write_bytes(ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES) or b"")
        assert publish_graph(client, f"{server}/store", smaller, graph_iri=other).held == 100
        assert server_triples(server, other) == set(kept)
        again = publish_graph(client, f"{server}/store", enriched, graph_iri=other)
        assert again.held == again.sent == len(triples_of(enriched, ox.RdfFormat.TURTLE))  # not doubled
    assert server_triples(server, DEFAULT_GRAPH_IRI) == triples_of(enriched, ox.RdfFormat.TURTLE)


def test_publishing_in_parts_gives_the_same_graph(server, enriched):
    graph = "https://example.org/in-parts"
    with client_for(Settings(), 30) as client:
        done = publish_graph(client, f"{server}/store", enriched, graph_iri=graph, chunk=1000)
        assert done.requests == -(-done.sent // 1000)
        assert server_triples(server, graph) == triples_of(enriched, ox.RdfFormat.TURTLE)
        # parts again: the first PUT replaces what the parts before added
        assert publish_graph(client, f"{server}/store", enriched, graph_iri=graph, chunk=4000).held == done.sent


@pytest.mark.parametrize("name", example_names())
def test_each_example_query_gives_rows_and_the_same_from_server_and_file(server, enriched, published, name):
    text = example_query(name)
    from_file = run_query(enriched, text)
    with client_for(Settings(), 30) as client:
        from_server = query_endpoint(client, f"{server}/query", text)
    assert from_file.rows, f"{name} answers nothing on the enriched graph"
    assert from_server.columns == from_file.columns
    assert from_server.rows == from_file.rows
    assert json.loads(format_result(from_server, "json")) == json.loads(format_result(from_file, "json"))


def test_query_endpoint_from_the_command_line_gives_typed_json(server, enriched, published):
    query = "SELECT ?paper ?year WHERE { ?paper fabio:hasPublicationYear ?year } ORDER BY ?paper LIMIT 3"
    remote = run("query", query, "--endpoint", f"{server}/query", "--format", "json")
    local = run("query", query, "--data", enriched, "--format", "json")
    assert remote.exit_code == 0, remote.output
    document = json.loads(remote.output)
    assert document == json.loads(local.output)
    first = document["results"]["bindings"][0]
    assert first["paper"]["type"] == "uri"
    assert first["year"]["datatype"] == "http://www.w3.org/2001/XMLSchema#gYear"
    assert run("query", "--example", "most-cited-outside-papers", "--endpoint", f"{server}/query",
               "--format", "csv").output == run("query", "--example", "most-cited-outside-papers",
                                               "--data", enriched, "--format", "csv").output


def test_endpoint_queries_refuse_service_and_report_server_errors(server, published, tmp_path):
    with client_for(Settings(), 30) as client:
        with pytest.raises(QueryError, match="refused: a query stays on this machine"):
            query_endpoint(client, f"{server}/query", "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        with pytest.raises(EndpointError, match="HTTP 400"):
            query_endpoint(client, f"{server}/query", "SELEKT ?x")
        with pytest.raises(EndpointError, match="cannot be reached"):
            query_endpoint(client, "http://127.0.0.1:9/query", "ASK {}")
        with pytest.raises(EndpointError, match=r"HTTP 40\d.*Graph Store"):
            publish_graph(client, f"{server}/nowhere", one_triple(tmp_path))


def test_an_unknown_graph_counts_zero(server):
    with client_for(Settings(), 30) as client:
        assert count_triples(client, f"{server}/store", "https://example.org/never-published") == 0


# -- credentials, on a recording server ------------------------------------------------------------

class Recorder(http.server.BaseHTTPRequestHandler):
    """Answers like a Graph Store endpoint behind Digest auth (Virtuoso's -auth endpoints) when
    ``digest`` is set, else accepts anything; records each request's Authorization and body."""

    seen: list[tuple[str, str | None, bytes]] = []
    digest = False

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        authorization = self.headers.get("Authorization")
        self.seen.append((self.command, authorization, body))
        if self.digest and not (authorization or "").startswith("Digest "):
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Digest realm="SPARQL", nonce="abc123", qop="auth"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = b"<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n"
        self.send_response(200 if self.command == "GET" else 204)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(payload) if self.command == "GET" else 0))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[str, type[Recorder]]]:
    handler = type("Handler", (Recorder,), {"seen": [], "digest": False})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/store", handler
    httpd.shutdown()
    httpd.server_close()


def one_triple(tmp_path: Path) -> Path:
    path = tmp_path / "graph.ttl"
    path.write_text("<https://example.org/a> <https://example.org/p> <https://example.org/b> .\n")
    return path


def test_credentials_come_from_the_environment_only():
    settings = Settings.from_env({"RSVLM_SPARQL_USER": "ann", "RSVLM_SPARQL_PASSWORD": "s3cret"})
    assert (settings.sparql_user, settings.sparql_password, settings.sparql_token) == ("ann", "s3cret", None)
    assert "s3cret" not in repr(settings)
    assert Settings.from_env({"RSVLM_SPARQL_TOKEN": "tok"}).sparql_token == "tok"
    with pytest.raises(ConfigError, match="RSVLM_SPARQL_PASSWORD is not"):
        Settings.from_env({"RSVLM_SPARQL_USER": "ann"})
    with pytest.raises(ConfigError, match="both RSVLM_SPARQL_TOKEN and RSVLM_SPARQL_USER"):
        Settings.from_env({"RSVLM_SPARQL_USER": "ann", "RSVLM_SPARQL_PASSWORD": "x", "RSVLM_SPARQL_TOKEN": "t"})


def test_a_token_is_sent_as_bearer_and_a_password_as_basic(recorder, tmp_path):
    url, handler = recorder
    data = one_triple(tmp_path)
    result = run("publish", "--endpoint", url, "--data", data, env={"RSVLM_SPARQL_TOKEN": "tok-SYNTHETIC"})
    assert result.exit_code == 0, result.output
    assert "the server holds 1 triples" in result.output
    assert [(method, auth) for method, auth, _ in handler.seen] == [("PUT", "Bearer tok-SYNTHETIC"),
                                                                    ("GET", "Bearer tok-SYNTHETIC")]
    assert handler.seen[0][2] == data.read_bytes()  # the file itself, streamed
    handler.seen.clear()
    with client_for(Settings(sparql_user="ann", sparql_password="s3cret"), 10) as client:
        publish_graph(client, url, data)
    basic = "Basic " + base64.b64encode(b"ann:s3cret").decode()
    assert [auth for _, auth, _ in handler.seen] == [basic, basic]


def test_a_digest_challenge_is_answered_and_the_body_sent_again(recorder, tmp_path):
    url, handler = recorder
    handler.digest = True
    data = one_triple(tmp_path)
    with client_for(Settings(sparql_user="dba", sparql_password="dba"), 10) as client:
        assert publish_graph(client, url, data).held == 1
    put_tries = [(auth, body) for method, auth, body in handler.seen if method == "PUT"]
    assert len(put_tries) == 2
    assert put_tries[0][0].startswith("Basic ")
    assert put_tries[1][0].startswith('Digest username="dba"')
    assert put_tries[1][1] == data.read_bytes()


def test_a_refusal_names_the_status_and_the_fix(tmp_path):
    with client_for(Settings(), 5) as client:
        with pytest.raises(EndpointError, match="cannot be reached"):
            publish_graph(client, "http://127.0.0.1:9/store", one_triple(tmp_path))
    result = run("publish", "--endpoint", "http://127.0.0.1:9/store", "--data", tmp_path / "missing.ttl")
    assert result.exit_code == 1
    assert "missing.ttl" in result.output and "rsvlm-graph build" in result.output
