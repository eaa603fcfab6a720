"""The one HTTP edge: every HTTP client the project opens comes from :func:`open_client`.

The APIs (:mod:`~rsvlm_graph.sources.http`), link checks (:mod:`~rsvlm_graph.sources.links`),
peer lists (:mod:`~rsvlm_graph.sources.peer_lists`) and SPARQL servers
(:mod:`~rsvlm_graph.sparql_server`) all get their ``httpx.Client`` here, with one policy
(:class:`HttpPolicy`):

- **a deadline for the whole request**: connecting, every redirect, the headers and the whole body
  share ``deadline`` seconds; it is not a timeout per read, so a server answering one byte a
  second is cut off when it runs out (the connection is shut, :class:`DeadlineExceeded`);
- **redirects** are followed here, never by httpx: at most ``max_redirects`` (a loop ends in
  ``httpx.TooManyRedirects``), only to http(s) URLs, and to another origin (scheme, host, port)
  only without credentials: ``Authorization``, ``Proxy-Authorization``, ``Cookie``,
  ``x-api-key`` and the client's auth are dropped for that hop and every later one;
- **bounded bodies**: more than ``max_bytes`` (by ``Content-Length`` before reading, else as it
  arrives, after decompression) is :class:`AnswerTooLarge`; only gzip and deflate are asked for
  and read, so a compressed body cannot grow past the bound unseen;
- **answers read strictly**: :func:`json_answer` refuses JSON nested deeper than
  ``max_json_depth`` and :func:`atom_answer` a body that is not a well-formed Atom feed, both as
  :class:`MalformedAnswer` (a failure of that request, never "not found");
- **one retry schedule**, :class:`RetryPolicy`: waits doubling from ``backoff``, stretched by
  jitter, the server's ``Retry-After`` honoured, none longer than ``max_wait``.

What each caller retries is its own affair (an API retries a 5xx, a link check does not, a
SPARQL swap is never sent twice); how long it waits is this module's.

Exceptions (all ``httpx.RequestError``, so a caller's ``except httpx.HTTPError`` sees them)::

    httpx.RequestError
    ├── httpx.TimeoutException
    │   └── DeadlineExceeded      the request outlasted its deadline
    ├── httpx.TooManyRedirects    more than max_redirects (a loop)
    └── RefusedAnswer             the policy refused what the server sent
        ├── RedirectRefused       a redirect to a URL that is not http(s), or no URL at all
        └── AnswerTooLarge        a body over max_bytes, or in an encoding not asked for
    ValueError
    └── MalformedAnswer           a body that is not the JSON or Atom asked for
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ..config import DEFAULT_RETRIES, DEFAULT_TIMEOUT
from ..schema import MAX_JSON_DEPTH, json_loads

__all__ = [
    "HttpPolicy",
    "RetryPolicy",
    "open_client",
    "json_answer",
    "atom_answer",
    "retry_after_seconds",
    "DeadlineExceeded",
    "RefusedAnswer",
    "RedirectRefused",
    "AnswerTooLarge",
    "MalformedAnswer",
    "CREDENTIAL_HEADERS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_REDIRECTS",
    "DEFAULT_MAX_JSON_DEPTH",
    "DEFAULT_BACKOFF",
    "MAX_WAIT",
]

#: a body larger than this is refused: Semantic Scholar's own answers stop at 10 MB
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: redirects one request may follow (arXiv's http -> https is one)
DEFAULT_MAX_REDIRECTS = 10
#: JSON nested deeper is refused: Semantic Scholar's answers are about 5 levels deep
DEFAULT_MAX_JSON_DEPTH = MAX_JSON_DEPTH
#: first backoff wait in seconds; doubles on every further failure
DEFAULT_BACKOFF = 1.0
#: no backoff or Retry-After wait is longer than this many seconds
MAX_WAIT = 120.0
#: headers that carry credentials: never sent to an origin they were not given for
CREDENTIAL_HEADERS = ("authorization", "proxy-authorization", "cookie", "x-api-key")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ATOM_FEED = "{http://www.w3.org/2005/Atom}feed"
_READ_CHUNK = 1 << 16


class DeadlineExceeded(httpx.TimeoutException):
    """The request (redirects and body included) outlasted its deadline."""


class RefusedAnswer(httpx.RequestError):
    """The policy refused what the server sent."""


class RedirectRefused(RefusedAnswer):
    """A redirect to a URL that is not http(s), or with no readable URL."""


class AnswerTooLarge(RefusedAnswer):
    """A body over the policy's ``max_bytes``, or compressed in an encoding not asked for."""


class MalformedAnswer(ValueError):
    """A body that is not the JSON or Atom the request asked for."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait before trying a failed request again, the same for every client.

    ``retries`` further tries after the first; the ``n``-th wait is ``backoff × 2^(n-1)``
    stretched by up to 50 % of ``jitter()`` (so many clients do not retry in lock step), or the
    server's ``Retry-After`` when it gives one; never more than ``max_wait``. ``sleep`` is
    injectable so tests run the waits instantly and record them.

    >>> RetryPolicy(jitter=lambda: 0.0).wait(3), RetryPolicy().wait(1, "7"), RetryPolicy().wait(1, "3600")
    (4.0, 7.0, 120.0)
    """

    retries: int = DEFAULT_RETRIES
    backoff: float = DEFAULT_BACKOFF
    max_wait: float = MAX_WAIT
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = field(default=lambda: 0.0)

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ValueError(f"retries must be >= 0, not {self.retries}")

    @property
    def tries(self) -> int:
        """Tries in all: the first and ``retries`` more."""
        return self.retries + 1

    def wait(self, failed: int, retry_after: str | None = None) -> float:
        """Seconds to wait after the ``failed``-th failed try (1-based)."""
        asked = retry_after_seconds(retry_after)
        if asked is not None:
            return min(asked, self.max_wait)
        return self.backoff_wait(failed)

    def backoff_wait(self, failed: int) -> float:
        """The backoff alone, whatever the server asked: ``backoff × 2^(failed-1)``, jittered."""
        return min(self.backoff * 2.0 ** max(0, failed - 1) * (1 + self.jitter() / 2), self.max_wait)


@dataclass(frozen=True, slots=True)
class HttpPolicy:
    """What every request of one client may do; see the module docstring.

    >>> HttpPolicy(deadline=5).deadline, HttpPolicy().max_redirects
    (5, 10)
    """

    deadline: float = DEFAULT_TIMEOUT
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    max_bytes: int = DEFAULT_MAX_BYTES
    max_json_depth: int = DEFAULT_MAX_JSON_DEPTH
    retry: RetryPolicy = field(default_factory=RetryPolicy)


def open_client(
    policy: HttpPolicy,
    *,
    base_url: str = "",
    headers: Mapping[str, str] | None = None,
    auth: httpx.Auth | None = None,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` that sends every request under ``policy``.

    Parameters
    ----------
    policy : HttpPolicy
        Deadline, redirects, body and JSON bounds (and the retry schedule its callers read).
    base_url : str
        Prefix of relative request URLs (the APIs); ``""`` for absolute URLs only.
    headers : mapping, optional
        Sent with every request to ``base_url``'s origin and, but for :data:`CREDENTIAL_HEADERS`,
        to any origin a redirect leads to.
    auth : httpx.Auth, optional
        Sign-in of the first origin (a SPARQL server's); never sent after a redirect elsewhere.
    transport : httpx.BaseTransport, optional
        Replaces the network (``httpx.MockTransport`` in tests); the deadline then bounds only
        what the transport lets it see (the body as it arrives).

    Examples
    --------
    >>> def handler(request):
    ...     if request.url.host == "a.example":
    ...         return httpx.Response(302, headers={"Location": "https://b.example/x"})
    ...     return httpx.Response(200, json={"key": request.headers.get("x-api-key")})
    >>> with open_client(HttpPolicy(), headers={"x-api-key": "k"},
    ...                  transport=httpx.MockTransport(handler)) as client:
    ...     client.get("https://a.example/").json()  # the key stayed with a.example
    {'key': None}
    """
    # no connection is kept between requests: each request's deadline watches the sockets it
    # opened itself, so none may carry over half-read from another
    limits = httpx.Limits(max_keepalive_connections=0)
    return _PolicyClient(
        policy,
        base_url=base_url,
        headers={"Accept-Encoding": "gzip, deflate", **dict(headers or {})},
        auth=auth,
        timeout=policy.deadline,
        limits=limits,
        transport=transport if transport is not None else httpx.HTTPTransport(limits=limits),
    )


def json_answer(response: httpx.Response, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> Any:
    """The decoded JSON body of ``response``, nested at most ``max_depth`` deep.

    Raises
    ------
    MalformedAnswer
        If the body is not JSON, or is nested deeper (Python's parser would overflow its stack
        on a body nested 100,000 deep).

    >>> json_answer(httpx.Response(200, content=b'{"a": [1, {"b": 2}]}'))
    {'a': [1, {'b': 2}]}
    >>> json_answer(httpx.Response(200, content=b"[[[1]]]"), max_depth=2)
    Traceback (most recent call last):
    ...
    rsvlm_graph.sources.transport.MalformedAnswer: answered malformed JSON (no content type, 7 bytes: nested deeper than 2 levels: line 1 column 1 (char 0))
    """
    try:
        return json_loads(response.content, max_depth)
    except ValueError as exc:  # UnicodeDecodeError too
        raise MalformedAnswer(f"answered malformed JSON ({_said(response)}: {exc})") from exc


def atom_answer(response: httpx.Response) -> bytes:
    """The body of ``response`` if it is a well-formed Atom feed (arXiv's answers), else
    :class:`MalformedAnswer`: an HTML page, a JSON body or a truncated feed is a failed request,
    never a feed without the entries asked for. Entities are not expanded, nothing is fetched.
    """
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    try:
        root = etree.fromstring(response.content, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise MalformedAnswer(f"answered {_said(response)}, not a well-formed Atom feed ({exc})") from exc
    if root is None or root.tag != _ATOM_FEED:
        raise MalformedAnswer(f"answered {_said(response)}, not an Atom feed")
    return response.content


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date), else ``None``.

    >>> retry_after_seconds("7"), retry_after_seconds(None), retry_after_seconds("soon")
    (7.0, None, None)
    """
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN is no wait
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


# -- the policy, applied ----------------------------------------------------------------------


def _said(response: httpx.Response) -> str:
    """What kind of body a response brought, for an error message (never the body itself)."""
    kind = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    return f"{kind}, {len(response.content):,} bytes"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


class _Deadline:
    """One request's deadline: per-operation timeouts shrink to what is left, and when it passes
    the sockets the request opened are shut, which ends any read or write under way."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's ``trace`` extension: keep each socket the request connects."""
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        sock = info["return_value"].get_extra_info("socket")
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def timeouts(self, given: Mapping[str, float | None] | None) -> dict[str, float]:
        """The request's per-operation timeouts, none beyond what is left of the deadline."""
        left = self.expires - time.monotonic()
        if left <= 0:
            raise self.error()
        given = given or {}
        return {name: min(left, given.get(name) or left) for name in ("connect", "read", "write", "pool")}

    def check(self) -> None:
        if self.expired or time.monotonic() >= self.expires:
            raise self.error()

    def error(self, request: httpx.Request | None = None) -> DeadlineExceeded:
        return DeadlineExceeded(f"no complete answer within {self.seconds:g} s", request=request)

    def stop(self) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # closed already, or detached by the TLS socket wrapping it
        pass


class _PolicyClient(httpx.Client):
    """``httpx.Client`` whose ``send`` (under every ``get``, ``post``, ``stream``) follows the
    policy: redirects, deadline, body bound. httpx's own redirect following is never used."""

    def __init__(self, policy: HttpPolicy, **kwargs: Any) -> None:
        super().__init__(follow_redirects=False, **kwargs)
        self.policy = policy

    def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: Any = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        """Send ``request`` under the policy (``follow_redirects`` is the policy's, not the
        caller's: a redirect is always followed as the module docstring says)."""
        deadline = _Deadline(self.policy.deadline)
        response: httpx.Response | None = None
        try:
            response = self._follow(request, auth, deadline)
            response.stream = _Bounded(response, deadline, self.policy.max_bytes)
            if not stream:
                response.read()
        except BaseException:
            deadline.stop()
            if response is not None:
                response.close()
            raise
        return response

    def _follow(
        self,
        request: httpx.Request,
        auth: Any,
        deadline: _Deadline,
    ) -> httpx.Response:
        first = request
        origin = _origin(request.url)
        signed = True  # credentials still go with the request
        for _ in range(self.policy.max_redirects + 1):
            request.extensions = {**request.extensions, "trace": deadline.trace,
                                  "timeout": deadline.timeouts(request.extensions.get("timeout"))}
            try:
                response = super().send(request, stream=True, auth=auth if signed else None,
                                        follow_redirects=False)
            except httpx.TransportError as exc:
                if deadline.expired:
                    raise deadline.error(request) from exc
                if "location header" in str(exc):  # httpx read the Location of a redirect
                    raise RedirectRefused(f"{request.url.host}: redirected to an unreadable URL "
                                          f"({exc})", request=request) from exc
                raise
            if response.status_code not in _REDIRECTS or "location" not in response.headers:
                return response
            response.close()
            request = _redirected(request, response)
            if _origin(request.url) != origin and signed:
                signed = False
                for name in CREDENTIAL_HEADERS:
                    request.headers.pop(name, None)
        raise httpx.TooManyRedirects(
            f"{first.url.host}: more than {self.policy.max_redirects} redirects (a loop?)", request=first)


def _redirected(request: httpx.Request, response: httpx.Response) -> httpx.Request:
    """The request a redirect asks for: method per RFC 9110 (and what browsers do with 301/302
    to a POST), the body kept only for 307/308."""
    location = response.headers["location"]
    try:
        url = request.url.join(location)
    except (httpx.InvalidURL, ValueError) as exc:
        raise RedirectRefused(f"{request.url.host}: redirected to an unreadable URL ({exc})",
                              request=request) from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise RedirectRefused(f"{request.url.host}: redirected to a URL that is not http(s) "
                              f"({url.scheme or 'no scheme'}:)", request=request)
    method = request.method
    status = response.status_code
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method = "GET"
    headers = httpx.Headers(request.headers)
    headers["Host"] = url.netloc.decode("ascii")
    stream: httpx.SyncByteStream | httpx.AsyncByteStream | None = request.stream
    if method != request.method:
        for name in ("content-length", "content-type", "transfer-encoding"):
            headers.pop(name, None)
        stream = None
    return httpx.Request(method, url, headers=headers, stream=stream,
                         extensions=request.extensions)


class _Bounded(httpx.SyncByteStream):
    """A response body read under the deadline and the size bound, decompressed here (gzip,
    deflate) so that the bound counts what is kept, not what travelled."""

    def __init__(self, response: httpx.Response, deadline: _Deadline, limit: int) -> None:
        self._stream = response.stream
        self._request = response.request
        self._deadline = deadline
        self._limit = limit
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        self._decoder = _decoder(encoding, self._request)
        response.headers.pop("content-encoding", None)  # decoded here, not again by httpx
        declared = response.headers.get("content-length", "")
        if self._decoder is None and declared.isdigit() and int(declared) > limit:
            raise self._too_large()

    def __iter__(self) -> Iterator[bytes]:
        size = 0
        assert isinstance(self._stream, httpx.SyncByteStream)
        try:
            for raw in self._stream:
                for piece in self._decoded(raw):
                    size += len(piece)
                    if size > self._limit:
                        raise self._too_large()
                    yield piece
                self._deadline.check()
            if self._decoder is not None:
                yield from self._decoded(b"", final=True)
        except httpx.TransportError as exc:
            if self._deadline.expired:
                raise self._deadline.error(self._request) from exc
            raise
        except DeadlineExceeded as exc:
            exc.request = self._request
            raise

    def _decoded(self, raw: bytes, final: bool = False) -> Iterator[bytes]:
        if self._decoder is None:
            if raw:
                yield raw
            return
        try:
            # never more than the bound in one step: a small gzip can hold gigabytes
            data = raw
            while True:
                piece = self._decoder.decompress(data, self._limit + 1)
                if piece:
                    yield piece
                data = self._decoder.unconsumed_tail
                if not data:
                    break
            if final:
                yield self._decoder.flush()
        except zlib.error as exc:
            raise httpx.DecodingError(f"a compressed body that cannot be read ({exc})",
                                      request=self._request) from exc

    def _too_large(self) -> AnswerTooLarge:
        return AnswerTooLarge(f"{self._request.url.host}: answered more than {self._limit:,} bytes",
                              request=self._request)

    def close(self) -> None:
        self._deadline.stop()
        assert isinstance(self._stream, httpx.SyncByteStream)
        self._stream.close()


def _decoder(encoding: str, request: httpx.Request) -> Any:
    """A zlib decompressor for the body's ``Content-Encoding``, ``None`` for none."""
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise AnswerTooLarge(f"{request.url.host}: answered in {encoding!r}, an encoding not asked for",
                         request=request)
