"""Hostile input against whole commands (issue 29): each case ends in one line or a result, never
a traceback, and loses nothing already fetched. Lists, answers and files here are SYNTHETIC."""

from __future__ import annotations

import codecs
import os
import shutil
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import test_cli
from hostile import HostileServer, deep_json, gzip_bomb
from test_cli import run

from rsvlm_graph.cli import EXIT_PARTIAL
from rsvlm_graph.files import LOCK_NAME
from rsvlm_graph.listfile.peers import cached_path
from rsvlm_graph.snapshot import read_snapshot

# the CLI tests' fixtures: a copy of kg/, a temp store, the fake API around the list
env, kg, online = test_cli.env, test_cli.kg, test_cli.online


def one_line(result) -> str:
    """The error a command printed: exactly one line on stderr, no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.output
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_history_file_dated_9999_12_31_breaks_no_later_build(kg, env, online, monkeypatch, tmp_path):
    monkeypatch.setenv("RSVLM_FRESHNESS_DAYS", "0")
    for now in ("2026-11-20", "9999-12-31"):
        monkeypatch.setenv("RSVLM_NOW", now)
        result = run("enrich", "--quiet", "--list", kg / "awesome-list.md")
        assert result.exit_code == 0, result.output
    assert (kg / "history" / "9999-12-31.jsonl").is_file()
    monkeypatch.setenv("RSVLM_NOW", "2026-11-27")
    for _ in range(2):
        result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", tmp_path / "out")
        assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "report-citations-over-time.svg").is_file()
    # a new runner, seeded from the snapshot, runs too
    shutil.rmtree(env)
    assert run("enrich", "--quiet", "--list", kg / "awesome-list.md").exit_code == 0


# -- query --endpoint and publish --------------------------------------------------------------

HEADER_A = b'{"head": {"vars": ["a"]}, "results": {"bindings": ['
RESULTS = {
    "undeclared variable (JSON)": ("application/sparql-results+json",
                                   HEADER_A + b'{"b": {"type": "literal", "value": "x"}}]}}'),
    "undeclared variable (XML)": ("application/sparql-results+xml", (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
        b'<variable name="a"/></head><results><result><binding name="b"><literal>x</literal>'
        b"</binding></result></results></sparql>")),
    "unknown XML entity": ("application/sparql-results+xml", (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
        b'<variable name="a"/></head><results><result><binding name="a"><literal>&foo;</literal>'
        b"</binding></result></results></sparql>")),
    "JSON 100,000 deep": ("application/sparql-results+json", deep_json(100_000)),
    "no results format": ("text/html", b"<html>SYNTHETIC login page</html>"),
}


@pytest.mark.parametrize("case", sorted(RESULTS))
def test_query_endpoint_answers_that_cannot_be_read_are_one_line(case, env):
    media_type, body = RESULTS[case]
    with HostileServer() as server:
        server.answer("/query", 200, body, {"Content-Type": media_type})
        result = run("query", "SELECT ?a { ?a ?b ?c }", "--endpoint", server.url("/query"))
    assert result.exit_code == 1
    assert one_line(result).startswith(f"error: {server.url('/query')}: ")


def test_a_sparql_syntax_error_is_one_line_naming_the_querys_own_line(kg, env, tmp_path):
    out = tmp_path / "out"
    assert run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", out).exit_code == 0
    result = run("query", "SELECT ?x\nWHERE { ?x ?y ", "--data", out / "graph.ttl")
    assert result.exit_code == 1 and "error at 2:" in one_line(result)
    with HostileServer() as server:  # a server's message names lines of the query it was sent
        server.answer("/query", 400, b"SYNTHETIC parse error\nat line 2\n  expected ...\n")
        result = run("query", "SELECT ?x\nWHERE { ?x ?y ", "--endpoint", server.url("/query"))
    assert result.exit_code == 1 and "at line 2" in one_line(result)
    (sent,) = server.to("/query")
    query = parse_qs(sent.body.decode())["query"][0]
    assert query.splitlines()[1] == "WHERE { ?x ?y "  # the prefixes added, line 2 is still line 2


@pytest.mark.parametrize("command", [
    ["publish", "--endpoint", "http://bob:SYNTHETIC-pw@127.0.0.1:9/store"],
    ["publish", "--endpoint", "http://127.0.0.1:9/store", "--update-endpoint",
     "http://bob:SYNTHETIC-pw@127.0.0.1:9/update"],
    ["query", "ASK {}", "--endpoint", "http://bob:SYNTHETIC-pw@127.0.0.1:9/query"],
])
def test_a_password_in_an_endpoint_url_is_refused_and_never_repeated(command, kg, env, tmp_path):
    out = tmp_path / "out"
    assert run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", out).exit_code == 0
    result = run(*command, "--data", out / "graph.ttl")
    assert result.exit_code == 1
    line = one_line(result)
    assert "SYNTHETIC-pw" not in result.output and "holds a user or password" in line


# -- the APIs: enrich against hostile Semantic Scholar and arXiv hosts -----------------------


def enrich(kg):
    return run("enrich", "--quiet", "--list", kg / "awesome-list.md")


@pytest.fixture
def hostile_s2(online, monkeypatch):
    """Semantic Scholar at a hostile server: each test tells it how to answer."""
    with HostileServer() as server:
        monkeypatch.setenv("RSVLM_S2_API_URL", server.origin)
        monkeypatch.setenv("RSVLM_RETRIES", "1")
        yield server


def test_the_api_key_never_follows_a_redirect_to_another_host(kg, hostile_s2, online):
    # issue 29: a sink on another port logged the key 158 times
    with HostileServer() as sink:
        sink.answer("*", 200, b'{"data": [], "total": 0}', {"Content-Type": "application/json"})

        def elsewhere(handler):
            handler.send_response(302)
            handler.send_header("Location", sink.origin + handler.path)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        hostile_s2.behave("*", elsewhere)
        enrich(kg)
        assert sink.seen, "the redirects were followed"
        assert not [s for s in sink.seen if "x-api-key" in s.headers]
    assert all(s.headers.get("x-api-key") for s in hostile_s2.seen)  # its own host had it


@pytest.mark.parametrize("behaviour", ["loop", "deep", "html", "big", "file"])
def test_hostile_semantic_scholar_answers_fail_their_requests_in_one_line(kg, hostile_s2, behaviour,
                                                                          monkeypatch):
    if behaviour == "loop":
        hostile_s2.answer("*", 302, headers={"Location": "/graph/v1/paper/batch"})
    elif behaviour == "deep":  # RecursionError, once
        hostile_s2.answer("*", 200, deep_json(100_000), {"Content-Type": "application/json"})
    elif behaviour == "html":
        hostile_s2.answer("*", 200, b"<html>SYNTHETIC captive portal</html>", {"Content-Type": "text/html"})
    elif behaviour == "big":
        hostile_s2.answer("*", 200, gzip_bomb(100_000_000), {"Content-Encoding": "gzip"})
    else:
        hostile_s2.answer("*", 301, headers={"Location": "file:///etc/passwd"})
    result = enrich(kg)
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "Traceback" not in result.output and "incomplete:" in result.stderr
    assert (kg / "snapshot.jsonl").is_file()


def test_a_server_dripping_one_byte_a_second_does_not_hang_enrich(kg, hostile_s2, monkeypatch):
    # issue 29: RSVLM_TIMEOUT bounded each read, so a byte a second kept enrich waiting forever
    monkeypatch.setenv("RSVLM_TIMEOUT", "1")
    monkeypatch.setenv("RSVLM_RETRIES", "0")
    hostile_s2.drip("*", every=0.2)
    started = time.monotonic()
    result = enrich(kg)
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "no complete answer within 1 s" in result.stderr
    # the outage rule stops asking after five calls in a row: a few deadlines, not one per paper
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("body", [b"<!doctype html><title>SYNTHETIC maintenance</title>",
                                  b'{"SYNTHETIC": "json"}',
                                  b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry>"])
def test_an_arxiv_200_that_is_no_atom_feed_is_a_failure_not_not_found(kg, online, monkeypatch, body):
    with HostileServer() as arxiv:
        arxiv.answer("*", 200, body, {"Content-Type": "application/atom+xml"})
        monkeypatch.setenv("RSVLM_ARXIV_API_URL", arxiv.url("/api/query"))
        monkeypatch.setenv("RSVLM_RETRIES", "0")
        result = enrich(kg)
    assert result.exit_code == EXIT_PARTIAL, result.output  # the weekly workflow opens no PR
    assert "not an Atom feed" in result.stderr or "not a well-formed Atom feed" in result.stderr
    failures = [f for f in read_snapshot(kg / "snapshot.jsonl").failures if f.phase == "arxiv"]
    assert failures and not any(f.answered or f.reason == "not found on arXiv" for f in failures)


@pytest.mark.parametrize("url", ["ftp://api.example.org", "api.semanticscholar.org", "http://[::1"])
def test_an_api_url_that_is_not_http_stops_at_start_up_and_is_written_nowhere(kg, online, monkeypatch, url):
    monkeypatch.setenv("RSVLM_S2_API_URL", url)
    result = enrich(kg)
    assert result.exit_code == 1 and "RSVLM_S2_API_URL" in one_line(result)
    assert not (kg / "snapshot.jsonl").exists()


def test_a_contact_email_with_a_line_break_stops_at_start_up(kg, online, monkeypatch):
    monkeypatch.setenv("RSVLM_CONTACT_EMAIL", "me@example.org\nX-SYNTHETIC: 1")
    started = time.monotonic()
    result = enrich(kg)
    assert result.exit_code == 1 and "RSVLM_CONTACT_EMAIL" in one_line(result)
    assert time.monotonic() - started < 10 and not online.requests


# -- files: locks, output folders, list encodings, peer lists -------------------------------


@pytest.mark.parametrize("where", ["out", "kg"])
def test_a_symbolic_link_at_a_lock_overwrites_nothing(kg, env, tmp_path, where):
    victim = tmp_path / "victim"
    victim.write_text("SYNTHETIC precious\n")
    out = tmp_path / "out"
    folder = out if where == "out" else kg
    folder.mkdir(exist_ok=True)
    (folder / LOCK_NAME).symlink_to(victim)
    result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", out)
    assert result.exit_code == 1 and "symbolic link" in one_line(result)
    assert victim.read_text() == "SYNTHETIC precious\n"


def test_no_lock_file_is_left_in_an_output_folder(kg, online, tmp_path):
    assert enrich(kg).exit_code == 0
    outs = [tmp_path / "a", tmp_path / "b"]
    for out in outs:
        assert run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", out).exit_code == 0
    assert not list(kg.glob(".rsvlm-graph*")) and not list(outs[0].glob(".rsvlm-graph*"))
    assert sorted(p.name for p in outs[0].iterdir()) == sorted(p.name for p in outs[1].iterdir())


@pytest.mark.parametrize("command", ["build", "suggest"])
def test_an_empty_out_is_refused(kg, env, command):
    result = run(command, "--list", kg / "awesome-list.md", "--out", "")
    assert result.exit_code == 1 and "--out is empty" in one_line(result)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_a_list_with_a_byte_order_mark_builds_as_its_utf8_twin(kg, env, tmp_path, encoding):
    plain = tmp_path / "plain"
    assert run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", plain).exit_code == 0
    text = (kg / "awesome-list.md").read_text(encoding="utf-8")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    (kg / "awesome-list.md").write_bytes(data)
    marked = tmp_path / "marked"
    result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", marked)
    assert result.exit_code == 0, result.output
    for name in ("awesome-list-with-citations.md", "nodes.csv", "graph.ttl"):
        assert (marked / name).read_bytes() == (plain / name).read_bytes(), name


PEER = b"# SYNTHETIC peer\n## VQA\n| Paper | Venue |\n|---|---|\n|[SYNTHETIC Peer Paper](https://arxiv.org/abs/2401.99999)|arXiv 2024|\n"


def test_discover_takes_a_peer_list_by_url_and_fetches_a_damaged_cached_copy_again(kg, env):
    # issue 29: --peer was typed as a path (http:// became http:/); a cached copy that is not
    # UTF-8 was a UnicodeDecodeError
    with HostileServer() as web:
        web.answer("/peer.md", 200, PEER, {"Content-Type": "text/markdown"})
        url = web.url("/peer.md")
        result = run("discover", "--list", kg / "awesome-list.md", "--peer", url)
        assert result.exit_code == 0, result.output
        assert len(web.to("/peer.md")) == 1
        cached = cached_path(url, env)
        assert cached.read_bytes() == PEER
        cached.write_bytes(b"\xff\xfe\x00SYNTHETIC damaged \x80\x81")
        result = run("discover", "--list", kg / "awesome-list.md", "--peer", url)
        assert result.exit_code == 0, result.output
        assert len(web.to("/peer.md")) == 2 and cached.read_bytes() == PEER


@pytest.mark.parametrize("where", ["snapshot.jsonl", "history/2026-01-01.jsonl"])
def test_json_nested_100000_deep_in_a_kg_file_is_one_line_not_a_recursion_error(
        kg, env, tmp_path, where, caplog):
    path = kg / where
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(deep_json(100_000) + b"\n")
    result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", tmp_path / "out")
    assert "Traceback" not in result.output and "RecursionError" not in result.output
    # a bad snapshot line is skipped, a bad history file leaves the trends out: the build goes on
    assert result.exit_code == 0, result.output
    if where != "snapshot.jsonl":
        assert any("nested deeper than 64 levels" in r.getMessage() for r in caplog.records)
        result = run("changes", "--list", kg / "awesome-list.md")  # replays it: stops in one line
        assert result.exit_code == 1 and "nested deeper than 64 levels" in one_line(result)


@pytest.mark.parametrize("url", ["http://[::1", "https://", "http://127.0.0.1:notaport/x.md"])
def test_a_peer_url_that_cannot_be_parsed_is_left_out_in_one_line_without_retries(kg, env, url, caplog):
    # found after round three: httpx's InvalidURL is no RequestError, so it left the HTTP edge
    # as a traceback; a URL without a host was retried six times as a broken connection
    result = run("discover", "--list", kg / "awesome-list.md", "--peer", url)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    warned = [r.getMessage() for r in caplog.records if "peer list" in r.getMessage()]
    assert len(warned) == 1, warned
    assert warned[0].startswith(f"peer list GET {url}: not a URL that can be asked")
    assert "tries" not in warned[0]


@pytest.mark.parametrize("where", ["--peer", "curation.toml"])
def test_a_peer_url_of_another_scheme_is_refused_not_taken_for_a_path(kg, env, where):
    # file:///etc/passwd was read as the relative path kg/file:/etc/passwd, as http:// once was
    extra: list[str] = []
    if where == "--peer":
        extra = ["--peer", "file:///etc/passwd"]
    else:
        curation = kg / "curation.toml"
        curation.write_text('peers = ["file:///etc/passwd"]\n' + curation.read_text(encoding="utf-8"),
                            encoding="utf-8")
    result = run("discover", "--list", kg / "awesome-list.md", *extra)
    assert result.exit_code == 1, result.output
    assert "a file:// URL cannot be read; give a path or an http(s) URL" in one_line(result)


@pytest.mark.parametrize("command", ["build", "lint", "history"])
def test_a_list_that_is_no_regular_file_is_refused_before_it_is_opened(kg, env, tmp_path, command):
    # an outside review: --list on a FIFO hung build, lint and history; /dev/zero ran out of memory
    fifo = tmp_path / "list.md"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        extra = ["--offline", "--out", str(tmp_path / "out")] if command == "build" else []
        result = run(command, "--list", path, *extra)
        assert result.exit_code == 1, result.output
        assert one_line(result).endswith("the list is not a regular file; give the path of a Markdown file")


def test_a_list_over_the_size_limit_is_refused_in_one_line(kg, env, monkeypatch):
    from rsvlm_graph.listfile import decode

    monkeypatch.setattr(decode, "MAX_LIST_BYTES", 1024)  # the bundled list is larger
    result = run("lint", "--list", kg / "awesome-list.md")
    assert result.exit_code == 1
    assert "no Markdown list is that long" in one_line(result)


def test_a_build_never_replaces_the_list_it_reads(kg, env, tmp_path):
    # an outside review: `build --list report.md --out .` replaced the list with the report
    folder = tmp_path / "here"
    folder.mkdir()
    listed = folder / "report.md"
    shutil.copy(kg / "awesome-list.md", listed)
    before = listed.read_bytes()
    result = run("build", "--offline", "--list", listed, "--out", folder)
    assert result.exit_code == 1, result.output
    assert "report.md in " in one_line(result) and "would replace an input of this run" in one_line(result)
    assert listed.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["report.md"]


@pytest.mark.parametrize("name", ["2026-02-30.jsonl", "2026-10-01.jsonl"])
def test_a_bad_history_file_is_a_warning_and_the_build_goes_on(kg, env, tmp_path, name, caplog):
    # an outside review: a misnamed (a day that is none) or empty history file stopped every build
    (kg / "history").mkdir()
    (kg / "history" / name).write_text("", encoding="utf-8")
    result = run("build", "--offline", "--quiet", "--list", kg / "awesome-list.md", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(name in w and "leaves out the citation trends" in w for w in warned), warned
    assert (tmp_path / "out" / "report.md").is_file()
