"""A hostile HTTP server on 127.0.0.1 for the tests: every answer is SYNTHETIC.

Each path is a behaviour a real server (or an attacker in the middle) may show: redirects to
other origins and in loops, answers that drip one byte at a time, bodies too large or compressed
into bombs, JSON nested 100,000 deep, HTML where a feed is expected. Every request is recorded
with its headers, so a test can tell which credentials reached which origin.

    with HostileServer() as evil:
        evil.answer("/p", 302, headers={"Location": other.url("/sink")})
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

__all__ = ["HostileServer", "Seen", "deep_json", "gzip_bomb"]

#: a handler writes the whole answer itself (status line, headers, body) on the raw socket
Behaviour = Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it; header names lower-cased."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


def deep_json(depth: int) -> bytes:
    """``[[[…]]]`` nested ``depth`` deep: what overflows a recursive JSON parser."""
    return b"[" * depth + b"]" * depth


def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzipped: about a thousandth of that on the wire."""
    return gzip.compress(b"\0" * size, compresslevel=9)


@dataclass
class HostileServer:
    """Answers each path as told by :meth:`answer`, :meth:`drip` or :meth:`behave`; 404 else."""

    seen: list[Seen] = field(default_factory=list)
    _routes: dict[str, Behaviour] = field(default_factory=dict)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                path = urlsplit(self.path).path
                server.seen.append(Seen(self.command, self.path,
                                        {k.lower(): v for k, v in self.headers.items()}, body))
                behaviour = server._routes.get(path, server._routes.get("*"))
                try:
                    if behaviour is None:
                        _write(self, 404, b"SYNTHETIC: no such path", {})
                    else:
                        behaviour(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should

            do_GET = do_POST = do_HEAD = do_PUT = _serve  # noqa: N815

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.origin + path

    def answer(self, path: str, status: int = 200, body: bytes = b"",
               headers: dict[str, str] | None = None) -> None:
        """Answer ``path`` (``"*"``: any other) with ``status``, ``headers`` and ``body``."""
        self._routes[path] = lambda handler: _write(handler, status, body, headers or {})

    def drip(self, path: str, every: float, body: bytes = b"x" * 10_000,
             headers_too: bool = False) -> None:
        """Answer ``path`` one byte each ``every`` seconds: the body, or from the status line on."""
        def behaviour(handler: BaseHTTPRequestHandler) -> None:
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n").encode()
            if not headers_too:
                handler.wfile.write(head)
                handler.wfile.flush()
            for byte in (head if headers_too else b"") + body:
                if self._stopping.wait(every):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        self._routes[path] = behaviour

    def behave(self, path: str, behaviour: Behaviour) -> None:
        """Answer ``path`` (``"*"``: every path without a behaviour of its own) with ``behaviour``."""
        self._routes[path] = behaviour

    def to(self, path: str) -> list[Seen]:
        """The requests that came for ``path``."""
        return [s for s in self.seen if urlsplit(s.path).path == path]

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        time.sleep(0)  # let dripping handlers see the stop


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up on a hostile answer is what the tests want: no trace printed."""


def _write(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
    handler.send_response(status)
    if "Content-Length" not in headers:
        handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
