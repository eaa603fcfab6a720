"""Settings.from_env: defaults, each variable, and bad values refused with the variable's name.

Every environment here is a plain dict passed in, so the real environment never leaks in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rsvlm_graph.config import (
    DEFAULT_ARXIV_API_URL,
    DEFAULT_ARXIV_INTERVAL,
    DEFAULT_FRESHNESS_DAYS,
    DEFAULT_RETRIES,
    DEFAULT_S2_API_URL,
    DEFAULT_S2_RATE,
    DEFAULT_TIMEOUT,
    Settings,
)
from rsvlm_graph.errors import ConfigError, RsvlmGraphError


def test_an_empty_environment_gives_the_defaults():
    settings = Settings.from_env({})
    assert settings == Settings()
    assert (settings.s2_api_key, settings.contact_email) == (None, None)
    assert (settings.s2_api_url, settings.arxiv_api_url) == (DEFAULT_S2_API_URL, DEFAULT_ARXIV_API_URL)
    assert (settings.timeout, settings.retries, settings.s2_rate, settings.arxiv_interval,
            settings.freshness_days) == (DEFAULT_TIMEOUT, DEFAULT_RETRIES, DEFAULT_S2_RATE,
                                         DEFAULT_ARXIV_INTERVAL, DEFAULT_FRESHNESS_DAYS)
    # the keyless shared pool as Semantic Scholar documents it, and half an hour of patience
    assert (settings.s2_pool_requests, settings.s2_pool_seconds,
            settings.rate_limit_patience) == (100, 300.0, 1800.0)
    assert settings.cache_dir.name == "rsvlm-graph"
    assert settings.database_path == settings.cache_dir / "store.sqlite3"


def test_empty_and_blank_values_keep_the_defaults():
    names = ("S2_API_KEY", "RSVLM_S2_API_URL", "RSVLM_CACHE_DIR", "RSVLM_TIMEOUT", "RSVLM_RETRIES")
    assert Settings.from_env(dict.fromkeys(names, "  ")) == Settings()


@pytest.mark.parametrize(("name", "value", "attr", "expected"), [
    ("S2_API_KEY", " key123 ", "s2_api_key", "key123"),
    ("RSVLM_S2_API_URL", "http://127.0.0.1:8080/", "s2_api_url", "http://127.0.0.1:8080"),
    ("RSVLM_ARXIV_API_URL", "http://127.0.0.1:8080/api/query", "arxiv_api_url",
     "http://127.0.0.1:8080/api/query"),
    ("RSVLM_CACHE_DIR", "/tmp/rsvlm-cache", "cache_dir", Path("/tmp/rsvlm-cache")),
    ("RSVLM_CONTACT_EMAIL", "me@example.org", "contact_email", "me@example.org"),
    ("RSVLM_TIMEOUT", "2.5", "timeout", 2.5),
    ("RSVLM_RETRIES", "0", "retries", 0),
    ("RSVLM_S2_RATE", "10", "s2_rate", 10.0),
    ("RSVLM_S2_POOL_REQUESTS", "5", "s2_pool_requests", 5),
    ("RSVLM_S2_POOL_SECONDS", "0.5", "s2_pool_seconds", 0.5),
    ("RSVLM_RATE_LIMIT_PATIENCE", "0", "rate_limit_patience", 0.0),
    ("RSVLM_ARXIV_INTERVAL", "0", "arxiv_interval", 0.0),
    ("RSVLM_FRESHNESS_DAYS", "0.5", "freshness_days", 0.5),
])
def test_each_variable_sets_its_field(name, value, attr, expected):
    settings = Settings.from_env({name: value})
    assert getattr(settings, attr) == expected
    assert type(getattr(settings, attr)) is type(expected)


def test_cache_dir_expands_the_home_directory(monkeypatch):
    monkeypatch.setenv("HOME", "/home/someone")
    assert Settings.from_env({"RSVLM_CACHE_DIR": "~/cache"}).cache_dir == Path("/home/someone/cache")


@pytest.mark.parametrize(("name", "value", "wanted"), [
    ("RSVLM_TIMEOUT", "thirty", "a number above 0"),
    ("RSVLM_TIMEOUT", "0", "a number above 0"),
    ("RSVLM_TIMEOUT", "nan", "a number above 0"),
    ("RSVLM_RETRIES", "2.5", "a whole number at least 0"),
    ("RSVLM_RETRIES", "-1", "a whole number at least 0"),
    ("RSVLM_S2_RATE", "0", "a number above 0"),
    ("RSVLM_S2_RATE", "-3", "a number above 0"),
    ("RSVLM_S2_POOL_REQUESTS", "0", "a whole number above 0"),
    ("RSVLM_S2_POOL_REQUESTS", "1.5", "a whole number above 0"),
    ("RSVLM_S2_POOL_SECONDS", "-1", "a number at least 0"),
    ("RSVLM_RATE_LIMIT_PATIENCE", "soon", "a number at least 0"),
    ("RSVLM_ARXIV_INTERVAL", "-1", "a number at least 0"),
    ("RSVLM_FRESHNESS_DAYS", "inf", "a number at least 0"),
])
def test_bad_numbers_are_a_clear_error_naming_the_variable(name, value, wanted):
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: value})
    assert isinstance(info.value, RsvlmGraphError)  # the CLI prints it as one line, exit 1
    assert str(info.value) == f"{name}={value!r} is not {wanted}; fix or unset it"


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("TRUE", True), ("yes", True), ("0", False),
                                                 ("false", False), ("no", False), ("", False)])
def test_rsvlm_validate_switches_full_validation_of_every_build(value, expected):
    assert Settings.from_env({"RSVLM_VALIDATE": value}).validate_all is expected


def test_a_bad_rsvlm_validate_is_a_clear_error():
    with pytest.raises(ConfigError, match="RSVLM_VALIDATE='always' is not one of 1, true, yes"):
        Settings.from_env({"RSVLM_VALIDATE": "always"})


def test_one_clock_pinned_by_rsvlm_now():
    pinned = Settings.from_env({"RSVLM_NOW": "2026-03-04T05:06:07+02:00"})
    assert pinned.now().isoformat() == "2026-03-04T05:06:07+02:00"
    assert Settings.from_env({"RSVLM_NOW": "2026-03-04"}).now().isoformat() == "2026-03-04T00:00:00+00:00"
    assert Settings.from_env({"RSVLM_NOW": "2026-12-31T23:30:00"}).today().isoformat() == "2026-12-31"
    live = Settings.from_env({})
    assert live.now().tzinfo is not None and live.now() <= live.now()


def test_bad_rsvlm_now_names_the_variable():
    with pytest.raises(ConfigError, match=r"RSVLM_NOW='soon' is not an ISO 8601 date or date-time"):
        Settings.from_env({"RSVLM_NOW": "soon"})


def test_the_cli_reads_the_clock_from_settings(tmp_path):
    from typer.testing import CliRunner

    from rsvlm_graph.cli import app

    result = CliRunner().invoke(app, ["changes", "--list", str(tmp_path / "awesome-list.md"), "--since", "x"],
                                env={"RSVLM_NOW": "later"})
    assert result.exit_code == 1
    assert "RSVLM_NOW='later'" in result.output  # read once, before the command runs


@pytest.mark.parametrize(("name", "value", "says"), [
    # issue 29: each once a traceback, or a failure of every request after its retries
    ("RSVLM_S2_API_URL", "http://[::1", "is not a URL"),
    ("RSVLM_S2_API_URL", "api.semanticscholar.org", "is not an absolute http(s) URL"),
    ("RSVLM_ARXIV_API_URL", "file:///etc/passwd", "is not an absolute http(s) URL"),
    ("RSVLM_ARXIV_API_URL", "http://xn--/", "is not a URL"),
    ("RSVLM_S2_API_URL", "http://api.example.org/?x=1", "without a query"),
    ("RSVLM_S2_API_URL", "http://api.example.org/a b", "a space or a control character"),
    ("RSVLM_S2_RATE", "1e-300", "less than one request a day"),
    ("RSVLM_S2_RATE", "1e300", "at most 1000"),
    ("RSVLM_TIMEOUT", "1e300", "at most 86400"),
    ("RSVLM_RETRIES", "9" * 5000, "a whole number"),
    ("RSVLM_ARXIV_INTERVAL", "1e20", "at most 3600"),
    ("RSVLM_CONTACT_EMAIL", "me@example.org\r\nX-Evil: 1", "is not an e-mail address"),
    ("RSVLM_CONTACT_EMAIL", "me@exämple.org", "is not an e-mail address"),
    ("RSVLM_CONTACT_EMAIL", "me (x)@example.org", "is not an e-mail address"),
    ("RSVLM_CACHE_DIR", "/tmp/a\0b", "NUL"),
    ("RSVLM_SPARQL_USER", "bob:admin", "without ':'"),
])
def test_every_value_is_parsed_whole_at_start_up(name, value, says):
    env = {name: value}
    if name == "RSVLM_SPARQL_USER":
        env["RSVLM_SPARQL_PASSWORD"] = "pw"
    with pytest.raises(ConfigError, match=re.escape(says)) as info:
        Settings.from_env(env)
    assert "\n" not in str(info.value) and name in str(info.value)


@pytest.mark.parametrize(("name", "value"), [
    ("S2_API_KEY", "SYNTHETIC key\nx-evil: 1"),
    ("RSVLM_SPARQL_TOKEN", "SYNTHETIC\ttoken"),
    ("RSVLM_S2_API_URL", "http://bob:SYNTHETIC-pw@[::1"),
    ("RSVLM_S2_API_URL", "http://bob:SYNTHETIC-pw@api.example.org"),
])
def test_a_refused_secret_is_not_repeated(name, value):
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: value})
    assert "SYNTHETIC" not in str(info.value) and name in str(info.value)
