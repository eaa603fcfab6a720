"""Shared fixtures: the fake Semantic Scholar + arXiv server (SYNTHETIC data) and settings for it.

``fake_api`` starts a fresh :class:`fakeapi.FakeApi` per test on a random loopback port, serving
``make_corpus(seed=0)``; replace ``fake_api.corpus`` (e.g. with ``corpus_for_list(document)``)
before the first request to serve something else. ``real_fake_api`` is the strict one: every
``Realism`` switch but the shared pool on, names and venues in every script. ``fake_settings`` points ``Settings`` at it
with a test API key, no rate-limit waits and short timeouts. ``recorded_sleep`` replaces
``time.sleep`` in clients so backoff waits are recorded instead of slept; ``s2_source`` and
``arxiv_source`` are sources wired to both.

No test waits on Semantic Scholar's keyless pool (100 requests per 300 s): settings read from the
environment (the CLI, in-process or as a child process) get a pool window of
``TEST_POOL_SECONDS`` unless a test sets ``RSVLM_S2_POOL_SECONDS`` itself; settings built
directly without a key must pass a tiny ``s2_pool_seconds`` or an injected clock and sleep.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from fakeapi import FakeApi, make_corpus

from rsvlm_graph.config import Settings
from rsvlm_graph.sources import arxiv as arxiv_module
from rsvlm_graph.sources import semantic_scholar as s2_module

#: what ``fake_settings`` sends as ``x-api-key``
FAKE_API_KEY = "test-key-SYNTHETIC"
#: the fixed "now" of sources built by these fixtures
FAKE_NOW = "2026-11-27T10:00:00Z"


@pytest.fixture(scope="session", autouse=True)
def _no_proxy_for_loopback() -> Iterator[None]:
    """Keep any HTTP(S)_PROXY of the machine away from requests to the fake on 127.0.0.1."""
    saved = {name: os.environ.get(name) for name in ("NO_PROXY", "no_proxy")}
    for name in saved:
        os.environ[name] = "127.0.0.1,localhost"
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def closed_port_url() -> str:
    """``http://127.0.0.1:PORT`` with a port nothing listens on: a refused connection."""
    with socket.socket() as sock:  # a port nothing listens on once the socket closes
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _shared() -> Path:
    """``RSVLM_SHARED_DIR`` when set (``.ci/run`` sets it for a clone made elsewhere), else
    ``shared`` beside the checkout or beside a folder above it (a git worktree)."""
    if given := os.environ.get("RSVLM_SHARED_DIR"):
        return Path(given)
    here = Path(__file__).resolve()
    return next((p / "shared" for p in here.parents[1:] if (p / "shared" / "lists").is_dir()),
                here.parents[2] / "shared")


#: the real recordings and lists (``../shared``); tests that need them skip without them, and every
#: test reads them from here
SHARED = _shared()


def pytest_sessionstart(session: pytest.Session) -> None:
    """CI sets ``RSVLM_REQUIRE_SHARED=1``: there a missing ``../shared`` stops the run instead of skipping
    every test of real data (a run in a clone without it once passed with 68 of them skipped)."""
    if os.environ.get("RSVLM_REQUIRE_SHARED") != "1":
        return
    missing = [str(SHARED / name) for name in ("reference", "lists") if not (SHARED / name).is_dir()]
    if missing:
        pytest.exit(f"RSVLM_REQUIRE_SHARED=1 but not found: {', '.join(missing)} (the real data tests would skip)",
                    returncode=1)


#: the keyless pool's window in every test reading settings from the environment
TEST_POOL_SECONDS = "0.2"


@pytest.fixture(autouse=True)
def _no_wait_on_the_shared_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyless CLI run in a test is paced to a 0.2 s window, not 300 s (a suite once hung there)."""
    monkeypatch.setenv("RSVLM_S2_POOL_SECONDS", TEST_POOL_SECONDS)


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test reads or writes the user's store (``~/.cache/rsvlm-graph``): a store another version of the
    code left there once failed tests that did not set ``RSVLM_CACHE_DIR``. A test may set its own."""
    monkeypatch.setenv("RSVLM_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _validate_every_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every build a test runs checks every triple with SHACL (a default build checks the list
    level only: issue 17); tests of that default unset it themselves."""
    monkeypatch.setenv("RSVLM_VALIDATE", "1")


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    """A running fake API serving the SYNTHETIC ``make_corpus(seed=0)``."""
    with FakeApi(make_corpus(seed=0)) as api:
        yield api


@pytest.fixture
def real_fake_api() -> Iterator[FakeApi]:
    """A running fake API as strict as the real one (``real=True``: every switch but the
    shared pool) serving the SYNTHETIC ``make_corpus(seed=0, scripts=True)``."""
    with FakeApi(make_corpus(seed=0, scripts=True), real=True) as api:
        yield api


@pytest.fixture
def fake_settings(fake_api: FakeApi, tmp_path: Path) -> Settings:
    """Settings aimed at ``fake_api``: a test key, no rate-limit waits, short timeouts."""
    return Settings(
        s2_api_key=FAKE_API_KEY,
        s2_api_url=fake_api.s2_url,
        arxiv_api_url=fake_api.arxiv_url,
        cache_dir=tmp_path / "cache",
        timeout=10.0,
        retries=3,
        s2_rate=1000.0,
        arxiv_interval=0.0,
    )


class RecordedSleep:
    """A stand-in for ``time.sleep`` that records the waits asked for and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class SteppedClock:
    """A monotonic clock that moves only when something sleeps on it: waits of any length
    (the shared pool's 300 s) pass at once and are recorded in ``sleeps``."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def recorded_sleep() -> RecordedSleep:
    return RecordedSleep()


def _fixed_now() -> datetime:
    return datetime.fromisoformat(FAKE_NOW.replace("Z", "+00:00"))


@pytest.fixture
def s2_source(fake_settings: Settings, recorded_sleep: RecordedSleep
              ) -> Iterator[s2_module.SemanticScholarSource]:
    """A ``SemanticScholarSource`` on the fake, sleeping through ``recorded_sleep``."""
    source = s2_module.SemanticScholarSource(
        fake_settings, s2_module.client_for(fake_settings, sleep=recorded_sleep), now=_fixed_now
    )
    yield source
    source.close()


@pytest.fixture
def arxiv_source(fake_settings: Settings, recorded_sleep: RecordedSleep
                 ) -> Iterator[arxiv_module.ArxivSource]:
    """An ``ArxivSource`` on the fake, sleeping through ``recorded_sleep``."""
    source = arxiv_module.ArxivSource(
        fake_settings, arxiv_module.client_for(fake_settings, sleep=recorded_sleep),
        now=_fixed_now,
    )
    yield source
    source.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Chromium per browser test module (skipped or failed as ``browser_setup``
    says when there is none)."""
    from browser_setup import CHROMIUM, sync_api
    from chromium import LAUNCH_ARGS

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()
