"""Link checks (``lint --online``): HEAD then GET through the one HTTP edge, a dead link told
from a network that is down.

The local link server, its hosts and the network failures are SYNTHETIC test data.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from conftest import closed_port_url

from rsvlm_graph.config import Settings
from rsvlm_graph.listfile.lint import lint_list, list_urls, skipped_checks
from rsvlm_graph.listfile.parse import parse_list
from rsvlm_graph.sources.links import LinkFailure, check_links, client_for

HEAD = "# L\n## Image Captioning\n| Paper | Published in | Code/Project |\n|---|:-:|:-:|\n"


class _Handler(BaseHTTPRequestHandler):
    """SYNTHETIC link targets: /ok, /gone (404), /nohead (405 to HEAD, 200 to GET), /busy (503)."""

    def _answer(self, with_body: bool) -> None:
        status = {"/ok": 200, "/gone": 404, "/busy": 503}.get(self.path, 200)
        if self.path == "/nohead":
            status = 200 if with_body else 405
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        if with_body:
            self.wfile.write(b"ok")

    def do_HEAD(self) -> None:  # noqa: N802 -- http.server's naming
        self._answer(with_body=False)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(with_body=True)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def link_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_check_links_head_then_get(link_server):
    refused = f"{closed_port_url()}/x"
    urls = [f"{link_server}/ok", f"{link_server}/gone", f"{link_server}/nohead", f"{link_server}/busy",
            refused, f"{link_server}/ok"]
    with client_for(Settings(timeout=10.0)) as client:
        checked = check_links(urls, client, workers=2)
    assert list(checked.status) == urls[:5] and not checked.unchecked
    assert [checked.status[u] for u in urls[:4]] == [200, 404, 200, 503]
    failure = checked.status[refused]
    assert isinstance(failure, LinkFailure) and failure.kind == "unreachable"
    assert "Connect" in str(failure)


def test_dead_links_are_errors_and_other_http_errors_warnings(link_server):
    refused = f"{closed_port_url()}/x"
    text = HEAD + (
        f"[A](https://arxiv.org/abs/2101.00001)|TGRS 2020|[code]({link_server}/gone)\n"
        f"[B](https://arxiv.org/abs/2101.00002)|TGRS 2020|[code]({link_server}/busy)\n"
        f"[C](https://arxiv.org/abs/2101.00003)|TGRS 2020|[code]({link_server}/ok)\n"
        f"[D](https://arxiv.org/abs/2101.00004)|TGRS 2020|[code]({refused})\n"
        "[E](https://arxiv.org/abs/2101.00005)|TGRS 2020|[code](http://no-such-host.invalid/x)\n"
    )
    document = parse_list(text, "l.md", None)
    urls = [u for u in list_urls(document) if u.startswith(link_server) or u == refused
            or ".invalid" in u]
    with client_for(Settings(timeout=10.0)) as client:
        links = check_links(urls, client)
    findings = lint_list(document, links=links)
    assert [(f.line, f.code, f.severity) for f in findings if "link" in f.code] == [
        (5, "dead-link", "error"),  # 404
        (6, "link-status", "warning"),  # 503: did not answer now
        (8, "link-status", "warning"),  # refused: the host exists, its server is down now
        (9, "dead-link", "error"),  # a name that does not exist while other hosts answer
    ]
    by_line = {f.line: f.message for f in findings if "link" in f.code}
    assert "did not answer now (HTTP 503)" in by_line[6] and "did not answer now" in by_line[8]
    assert "no-such-host.invalid does not exist" in by_line[9]
    assert not any("dead-link" in s for s in skipped_checks(links=links))


# SYNTHETIC network failures, raised as httpx raises them (httpcore's error over the socket's)
def _unresolved(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -2] Name or service not known", request=request) from (
        socket.gaierror(socket.EAI_NONAME, "Name or service not known"))


def _no_resolver(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution",
                             request=request) from socket.gaierror(socket.EAI_AGAIN, "Temporary")


def _links_on(hosts: int, per_host: int) -> list[str]:
    return [f"https://host{h}.example.org/page{i}" for h in range(hosts) for i in range(per_host)]


@pytest.mark.parametrize("failure", [_unresolved, _no_resolver])
def test_network_down_asks_three_hosts_and_condemns_no_link(failure):
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.host)
        return failure(request)

    urls = _links_on(hosts=4, per_host=5) + ["https://host1.example.org/extra"]
    with client_for(Settings(), httpx.MockTransport(handler)) as client:
        links = check_links(urls, client)
    # the three hosts holding most links, one link each, HEAD only: then nothing more is asked
    assert sorted(asked) == ["host0.example.org", "host1.example.org", "host2.example.org"]
    assert links.status == {} and links.unchecked == tuple(urls)
    assert "host1.example.org" in (links.unavailable or "")
    text = HEAD + "".join(f"[P{i}]({u})|TGRS 2020|-\n" for i, u in enumerate(urls))
    findings = lint_list(parse_list(text, "l.md"), links=links)
    assert not [f for f in findings if "link" in f.code]
    (note,) = [s for s in skipped_checks(links=links) if "dead-link" in s]
    assert "network is unavailable" in note and "none of the 21 link(s) was checked" in note


def test_a_host_that_does_not_exist_is_dead_only_while_others_answer():
    # SYNTHETIC: one host answers; another's name does not exist, asked twice (a DNS blip would
    # pass the second time); a third times out
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.host}")
        if request.url.host == "gone.example.org":
            return _unresolved(request)
        if request.url.host == "slow.example.org":
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200)

    urls = ["https://up.example.org/a", "https://gone.example.org/b", "https://slow.example.org/c"]
    with client_for(Settings(), httpx.MockTransport(handler)) as client:
        links = check_links(urls, client, workers=1)
    assert not links.unchecked
    gone, slow = links.status[urls[1]], links.status[urls[2]]
    assert isinstance(gone, LinkFailure) and gone.kind == "unresolved"
    assert isinstance(slow, LinkFailure) and slow.kind == "timeout"
    assert asked.count("HEAD gone.example.org") == 2 and asked.count("HEAD up.example.org") == 2


def test_a_network_lost_during_the_run_leaves_the_links_without_connection_unchecked():
    # SYNTHETIC: up.example.org answers once, then the resolver stops answering for everyone
    answered: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "up.example.org" and not answered:
            answered.append(str(request.url))
            return httpx.Response(200)
        return _unresolved(request)

    urls = ["https://up.example.org/a", "https://gone.example.org/b"]
    with client_for(Settings(), httpx.MockTransport(handler)) as client:
        links = check_links(urls, client, workers=1)
    assert links.status == {urls[0]: 200} and links.unchecked == (urls[1],)
    (note,) = [s for s in skipped_checks(links=links) if "dead-link" in s]
    assert "1 of the 2 link(s) were not checked" in note


def test_the_curation_files_allowlist_and_allowed_statuses(link_server, tmp_path):
    """[links] in kg/curation.toml, as awesome_bot's --white-list and --allow: an allowlisted link
    is never asked, an allowed status makes no finding; other links are checked as ever."""
    from typer.testing import CliRunner

    from rsvlm_graph.cli import app

    asked: list[str] = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Forbidding", (_Handler,), {
        "do_HEAD": lambda self: (asked.append(self.path), self.send_response(403), self.end_headers()),
        "do_GET": lambda self: (asked.append(self.path), self.send_response(403), self.end_headers()),
    }))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    walled = f"http://127.0.0.1:{server.server_address[1]}"
    kg = tmp_path / "kg"
    kg.mkdir()
    (kg / "list.md").write_text(HEAD + (
        f"[A]({walled}/paper)|TGRS 2020|[code]({link_server}/ok)\n"
        f"[B]({link_server}/gone)|TGRS 2020|[code]({link_server}/ok)\n"
        f"[C]({link_server}/gone#allowlisted)|TGRS 2020|-\n"), encoding="utf-8")

    def lint(curation: str) -> tuple[int, list[str]]:
        (kg / "curation.toml").write_text(curation, encoding="utf-8")
        result = CliRunner().invoke(app, ["lint", "--online", "--list", str(kg / "list.md"),
                                          "--select", "dead-link,link-status", "--format", "csv"],
                                    env={"RSVLM_CACHE_DIR": str(tmp_path / "cache")})
        return result.exit_code, sorted(line.split(",")[1] + ":" + line.split(",")[3]
                                        for line in result.stdout.splitlines()[1:])

    try:
        assert lint("") == (1, ["5:link-status", "6:dead-link", "7:dead-link"])
        assert asked
        asked.clear()
        assert lint('[links]\nallowlist = ["#allowlisted"]\nallowed_statuses = [403]\n') == (
            1, ["6:dead-link"])
        assert asked  # the walled link was asked, its 403 allowed; #allowlisted was not asked
        assert lint('[links]\nallowlist = ["#allowlisted", "/gone"]\n') == (0, ["5:link-status"])
        (kg / "curation.toml").write_text("[links]\nallowed_statuses = [999]\n", encoding="utf-8")
        result = CliRunner().invoke(app, ["lint", "--list", str(kg / "list.md")])
        assert result.exit_code == 1 and "allowed_statuses" in result.output
    finally:
        server.shutdown()
        server.server_close()
