"""Settings, read once from the environment by the CLI and passed down.

No other module reads ``os.environ``: tests build ``Settings(...)`` directly.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from .errors import ConfigError

__all__ = [
    "Settings",
    "DEFAULT_S2_API_URL",
    "DEFAULT_ARXIV_API_URL",
    "DEFAULT_TIMEOUT",
    "DEFAULT_RETRIES",
    "DEFAULT_S2_RATE",
    "DEFAULT_S2_POOL_REQUESTS",
    "DEFAULT_S2_POOL_SECONDS",
    "DEFAULT_RATE_LIMIT_PATIENCE",
    "DEFAULT_ARXIV_INTERVAL",
    "DEFAULT_FRESHNESS_DAYS",
    "DEFAULT_FULL_REFRESH_WEEKS",
    "DEFAULT_KG_DIR",
    "DEFAULT_OUT_DIR",
    "DEFAULT_QUERY_TIMEOUT",
    "utc_now",
]

#: where the curated input and the exports live, relative to the repository (the CLI's defaults)
DEFAULT_KG_DIR = Path("kg")
DEFAULT_OUT_DIR = Path("exports")

DEFAULT_S2_API_URL = "https://api.semanticscholar.org"
DEFAULT_ARXIV_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 5
#: requests per second granted to an API key by Semantic Scholar
DEFAULT_S2_RATE = 1.0
#: without a key, Semantic Scholar serves everyone from one pool of this many requests per window
DEFAULT_S2_POOL_REQUESTS = 100
#: ... of this many seconds (a sliding window: see ``sources/pacing.py``)
DEFAULT_S2_POOL_SECONDS = 300.0
#: seconds one request may wait on HTTP 429 answers (Retry-After, backoff, the pool) before it is
#: given up and recorded as a failure: six windows of the shared pool
DEFAULT_RATE_LIMIT_PATIENCE = 1800.0
#: arXiv asks for one request every three seconds
DEFAULT_ARXIV_INTERVAL = 3.0
#: citation counts and citation lists age; immutable metadata (title, authors, ids) does not
DEFAULT_FRESHNESS_DAYS = 7
#: citation and reference pages are fetched again after this many weeks even when their counts
#: did not move (Semantic Scholar merges duplicates and drops citers without changing counts)
DEFAULT_FULL_REFRESH_WEEKS = 4
#: seconds a SPARQL query may run before it is stopped (``query --timeout``)
DEFAULT_QUERY_TIMEOUT = 30.0
_DAY = 86_400.0


def utc_now() -> datetime:
    """The wall clock, aware, in UTC: the one clock every part of a run reads through Settings."""
    return datetime.now(timezone.utc)


def _pinned_clock(name: str, raw: str) -> Callable[[], datetime]:
    """A clock that always says ``raw`` (ISO 8601 date or date-time; naive means UTC)."""
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not an ISO 8601 date or date-time; fix or unset it") from None
    when = when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)
    return lambda: when


_SWITCH = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}

#: an e-mail address as it may stand in a User-Agent's comment: no space, no control character,
#: no parenthesis, one @
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
#: a token as HTTP headers carry it (RFC 9110 visible characters, no space)
_TOKEN = re.compile(r"[\x21-\x7e]+")


def _api_url(name: str, raw: str) -> str:
    """An absolute http(s) URL with a host and nothing httpx would refuse later: checked here,
    once, so that no request is tried with it and no failure line of the snapshot names it."""
    import httpx

    def refused(why: str) -> ConfigError:
        # the URL is not repeated when it may hold a password
        shown = f"{name}={raw!r}" if "@" not in raw else name
        return ConfigError(f"{shown} is not {why}; fix or unset it")

    if any(not ch.isprintable() or ch.isspace() for ch in raw):
        raise refused("a URL (it holds a space or a control character)")
    try:
        url = httpx.URL(raw)
        host = url.host  # an IDNA host is decoded only now
    except (httpx.InvalidURL, ValueError) as exc:
        raise refused(f"a URL ({exc})") from None
    if url.scheme not in ("http", "https") or not host:
        raise refused("an absolute http(s) URL such as https://api.semanticscholar.org")
    if url.userinfo:
        raise refused("a URL without a user or password (the API key goes in S2_API_KEY)")
    if url.query or url.fragment:
        raise refused("a URL without a query or fragment")
    return raw


def _header_safe(name: str, raw: str, pattern: re.Pattern[str], what: str) -> str:
    """A value sent in an HTTP header, whole: a line break or a non-ASCII character would fail
    every request (after all its retries) instead of once, here."""
    if not pattern.fullmatch(raw):
        secret = name in ("S2_API_KEY", "RSVLM_SPARQL_TOKEN", "RSVLM_SPARQL_PASSWORD")
        shown = name if secret else f"{name}={raw!r}"
        raise ConfigError(f"{shown} is not {what}; fix or unset it")
    return raw


def _path(name: str, raw: str) -> Path:
    if "\0" in raw:
        raise ConfigError(f"{name} holds a NUL character; fix or unset it")
    return Path(raw).expanduser()


def _sparql_credentials(user: str | None, password: str | None, token: str | None) -> dict[str, str]:
    """One way to sign in to a SPARQL server, complete: a user with a password, or a token."""
    if user is not None:
        _header_safe("RSVLM_SPARQL_USER", user, re.compile(r"[^\x00-\x1f\x7f:]+"),
                     "a user name without ':' or control characters")
    if password is not None:
        _header_safe("RSVLM_SPARQL_PASSWORD", password, re.compile(r"[^\x00-\x1f\x7f]+"),
                     "a password without control characters")
    if token is not None:
        _header_safe("RSVLM_SPARQL_TOKEN", token, _TOKEN, "a token of visible ASCII characters")
    if user is not None and password is None:
        raise ConfigError("RSVLM_SPARQL_USER is set but RSVLM_SPARQL_PASSWORD is not; set both, or neither")
    if password is not None and user is None:
        raise ConfigError("RSVLM_SPARQL_PASSWORD is set but RSVLM_SPARQL_USER is not; set both, or neither")
    if token is not None and user is not None:
        raise ConfigError("both RSVLM_SPARQL_TOKEN and RSVLM_SPARQL_USER are set; keep the one the server expects")
    if token is not None:
        return {"sparql_token": token}
    if user is not None and password is not None:
        return {"sparql_user": user, "sparql_password": password}
    return {}


def _default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("rsvlm-graph"))


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that varies between a user's machine, CI and the tests."""

    s2_api_key: str | None = None
    s2_api_url: str = DEFAULT_S2_API_URL
    arxiv_api_url: str = DEFAULT_ARXIV_API_URL
    cache_dir: Path = field(default_factory=_default_cache_dir)
    #: the folder of curation.toml, snapshot.jsonl and history/; None: the list's own folder
    data_dir: Path | None = None
    contact_email: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    s2_rate: float = DEFAULT_S2_RATE
    #: the keyless shared pool the client paces itself to (unused with ``s2_api_key``)
    s2_pool_requests: int = DEFAULT_S2_POOL_REQUESTS
    s2_pool_seconds: float = DEFAULT_S2_POOL_SECONDS
    rate_limit_patience: float = DEFAULT_RATE_LIMIT_PATIENCE
    arxiv_interval: float = DEFAULT_ARXIV_INTERVAL
    freshness_days: float = DEFAULT_FRESHNESS_DAYS
    full_refresh_weeks: float = DEFAULT_FULL_REFRESH_WEEKS
    #: every build checks every triple with SHACL, as ``build --validate`` does (tests and CI)
    validate_all: bool = False
    #: what "now" is for this run: fetch times, freshness, history dates, the current year
    clock: Callable[[], datetime] = utc_now
    #: credentials for a SPARQL server (``publish``, ``query --endpoint``): a user and password, or
    #: a bearer token; only ever from the environment, and never shown in a repr or a log
    sparql_user: str | None = field(default=None, repr=False)
    sparql_password: str | None = field(default=None, repr=False)
    sparql_token: str | None = field(default=None, repr=False)

    def now(self) -> datetime:
        """This run's "now", aware and in UTC."""
        return self.clock()

    def today(self) -> date:
        """This run's date (UTC): the date of its citation history file."""
        return self.now().date()

    @property
    def database_path(self) -> Path:
        """The SQLite store of every fetched record: ``store.sqlite3`` for Semantic Scholar and
        arXiv themselves, and one of its own for any other pair of API URLs (a mirror, a test
        server), so what those answered never stands in for the real services' records in a run
        configured for them, an offline build included."""
        if (self.s2_api_url, self.arxiv_api_url) == (DEFAULT_S2_API_URL, DEFAULT_ARXIV_API_URL):
            return self.cache_dir / "store.sqlite3"
        apis = hashlib.sha256(f"{self.s2_api_url}\n{self.arxiv_api_url}".encode()).hexdigest()
        return self.cache_dir / f"store-{apis[:12]}.sqlite3"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``S2_API_KEY``, ``RSVLM_S2_API_URL``, ``RSVLM_ARXIV_API_URL``, ``RSVLM_CACHE_DIR``,
        ``RSVLM_DATA_DIR``, ``RSVLM_CONTACT_EMAIL``, ``RSVLM_TIMEOUT``, ``RSVLM_RETRIES``, ``RSVLM_S2_RATE``,
        ``RSVLM_S2_POOL_REQUESTS``, ``RSVLM_S2_POOL_SECONDS``, ``RSVLM_RATE_LIMIT_PATIENCE``,
        ``RSVLM_ARXIV_INTERVAL``, ``RSVLM_FRESHNESS_DAYS``, ``RSVLM_FULL_REFRESH_WEEKS``,
        ``RSVLM_NOW`` (pins the clock to an ISO 8601 date or date-time, for reproducible runs),
        ``RSVLM_VALIDATE`` (1/true/yes or 0/false/no) and the SPARQL server's credentials
        ``RSVLM_SPARQL_USER`` with ``RSVLM_SPARQL_PASSWORD``, or ``RSVLM_SPARQL_TOKEN``; unset or
        empty ones keep their defaults.

        Raises
        ------
        ConfigError
            If a numeric variable is not a number, or outside its range: the timeout, the S2
            rate and the pool's requests must be above 0, the others at least 0 (retries and the
            pool's requests whole numbers); or if the
            SPARQL credentials are half given (a user without a password) or given twice (a
            password and a token).

        Examples
        --------
        >>> Settings.from_env({"RSVLM_RETRIES": "2", "RSVLM_S2_RATE": " 10 "}).retries
        2
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        kwargs: dict[str, object] = {}
        if key := get("S2_API_KEY"):
            kwargs["s2_api_key"] = _header_safe("S2_API_KEY", key, _TOKEN,
                                                "an API key of visible ASCII characters")
        if url := get("RSVLM_S2_API_URL"):
            kwargs["s2_api_url"] = _api_url("RSVLM_S2_API_URL", url).rstrip("/")
        if url := get("RSVLM_ARXIV_API_URL"):
            kwargs["arxiv_api_url"] = _api_url("RSVLM_ARXIV_API_URL", url)
        if cache := get("RSVLM_CACHE_DIR"):
            kwargs["cache_dir"] = _path("RSVLM_CACHE_DIR", cache)
        if data := get("RSVLM_DATA_DIR"):
            kwargs["data_dir"] = _path("RSVLM_DATA_DIR", data)
        if email := get("RSVLM_CONTACT_EMAIL"):
            kwargs["contact_email"] = _header_safe("RSVLM_CONTACT_EMAIL", email, _EMAIL,
                                                   "an e-mail address such as me@example.org")
        if pinned := get("RSVLM_NOW"):
            kwargs["clock"] = _pinned_clock("RSVLM_NOW", pinned)
        kwargs.update(_sparql_credentials(get("RSVLM_SPARQL_USER"), get("RSVLM_SPARQL_PASSWORD"),
                                          get("RSVLM_SPARQL_TOKEN")))
        # 0 requests per second or a 0 s timeout cannot work; the others may be 0 (no waiting,
        # no retry, always refetch). NaN and infinity are refused: they pass every comparison.
        # Each has a ceiling too: a value past it is a typo, and would overflow a wait
        # (RSVLM_S2_RATE=1e-300 is one request every 1e300 s) or a date
        numbers: tuple[tuple[str, str, Callable[[str], float], bool, float], ...] = (
            ("RSVLM_TIMEOUT", "timeout", float, False, _DAY),
            ("RSVLM_RETRIES", "retries", int, True, 100),
            ("RSVLM_S2_RATE", "s2_rate", float, False, 1000),
            ("RSVLM_S2_POOL_REQUESTS", "s2_pool_requests", int, False, 1_000_000),
            ("RSVLM_S2_POOL_SECONDS", "s2_pool_seconds", float, True, _DAY),
            ("RSVLM_RATE_LIMIT_PATIENCE", "rate_limit_patience", float, True, 7 * _DAY),
            ("RSVLM_ARXIV_INTERVAL", "arxiv_interval", float, True, 3600),
            ("RSVLM_FRESHNESS_DAYS", "freshness_days", float, True, 36_500),
            ("RSVLM_FULL_REFRESH_WEEKS", "full_refresh_weeks", float, True, 5_200),
        )
        if (raw := get("RSVLM_VALIDATE")) is not None:
            if raw.lower() not in _SWITCH:
                raise ConfigError(f"RSVLM_VALIDATE={raw!r} is not one of {', '.join(_SWITCH)}; fix or unset it")
            kwargs["validate_all"] = _SWITCH[raw.lower()]
        for name, attr, kind, zero_ok, ceiling in numbers:
            if (raw := get(name)) is None:
                continue
            wanted = (f"a {'whole ' if kind is int else ''}number "
                      f"{'at least 0' if zero_ok else 'above 0'}")
            try:
                value = kind(raw)
            except ValueError:
                raise ConfigError(f"{name}={raw!r} is not {wanted}; fix or unset it") from None
            if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
                raise ConfigError(f"{name}={raw!r} is not {wanted}; fix or unset it")
            if value > ceiling:
                raise ConfigError(f"{name}={raw!r} is not {wanted} and at most {ceiling:g}; "
                                  "fix or unset it")
            if attr == "s2_rate" and value < 1 / _DAY:
                raise ConfigError(f"{name}={raw!r} is less than one request a day; fix or unset it")
            kwargs[attr] = value
        return cls(**kwargs)  # type: ignore[arg-type]
