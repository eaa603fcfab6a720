"""ArxivSource against the fake arXiv API (SYNTHETIC records, real sockets)."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest
from conftest import FAKE_NOW

from rsvlm_graph.arxiv_source import ArxivSource, client_for
from rsvlm_graph.errors import NetworkUnavailable


def test_fetch_reads_every_field(fake_api, arxiv_source):
    wire = fake_api.corpus.arxiv["2301.10000"]  # has a DOI, hence a journal_ref too
    records, failures = arxiv_source.fetch(["2301.10000"])
    assert failures == []
    (record,) = records
    assert record.arxiv_id == "2301.10000"
    assert record.version == wire["version"]
    assert record.title == wire["title"] and record.abstract == wire["summary"]
    assert record.authors == tuple(wire["authors"])
    assert record.categories == tuple(wire["categories"])
    assert record.primary_category == wire["primary_category"]
    assert record.published == wire["published"] and record.updated == wire["updated"]
    assert record.doi == wire["doi"] and record.journal_ref == wire["journal_ref"]
    assert record.pdf_url == f"https://arxiv.org/pdf/2301.10000v{wire['version']}"
    assert record.fetched_at == FAKE_NOW


def test_fetch_batches_and_keeps_input_order(fake_api, fake_settings, recorded_sleep):
    source = ArxivSource(fake_settings, client_for(fake_settings, sleep=recorded_sleep),
                         batch_size=2)
    ids = ["2301.10004", "arXiv:2301.10001v1", "https://arxiv.org/abs/2301.10002", "2301.10003"]
    records, failures = source.fetch(ids)
    assert failures == []
    assert [r.arxiv_id for r in records] == ["2301.10004", "2301.10001", "2301.10002",
                                             "2301.10003"]
    requests = fake_api.requests_to("arxiv")
    assert [r.param("id_list") for r in requests] == ["2301.10004,2301.10001",
                                                      "2301.10002,2301.10003"]
    assert [r.param("max_results") for r in requests] == ["2", "2"]
    assert [r.param("start") for r in requests] == ["0", "0"]
    source.close()


def test_invalid_ids_fail_without_a_request_and_unknown_ids_are_not_found(fake_api,
                                                                          arxiv_source):
    records, failures = arxiv_source.fetch(["not an id", "2301.10001", "2999.99999"])
    assert [r.arxiv_id for r in records] == ["2301.10001"]
    reasons = {f.subject: f.reason for f in failures}
    assert reasons["2999.99999"] == "not found on arXiv"
    assert reasons["not an id"].startswith("not a valid arXiv id")
    assert all(f.phase == "arxiv" for f in failures)
    (request,) = fake_api.requests_to("arxiv")
    assert "not an id" not in request.param("id_list")


def test_an_id_arxiv_rejects_does_not_sink_the_batch(fake_api, arxiv_source, monkeypatch):
    # arXiv rejects ids our own check lets through; the fake is taught to reject one
    import fakeapi.server as server

    monkeypatch.setattr(server, "_ARXIV_ID", server.re.compile(r"^2301\.1000[0-3]$"))
    ids = ["2301.10000", "2301.10001", "2301.10004", "2301.10002"]
    records, failures = arxiv_source.fetch(ids)
    assert [r.arxiv_id for r in records] == ["2301.10000", "2301.10001", "2301.10002"]
    (failure,) = failures
    assert failure.subject == "2301.10004"
    assert "incorrect id format" in failure.reason
    assert arxiv_source.request_counts["arxiv"] == 5  # 4 ids, halves, then the bad half split


def test_retries_5xx_and_honours_retry_after(fake_api, arxiv_source, recorded_sleep):
    fake_api.faults.fail("arxiv", 503)
    fake_api.faults.rate_limit("arxiv", retry_after="5")
    records, failures = arxiv_source.fetch(["2301.10001"])
    assert [r.arxiv_id for r in records] == ["2301.10001"] and failures == []
    assert arxiv_source.request_counts["arxiv"] == 3
    assert recorded_sleep.waits[-1] == 5.0


def test_a_batch_that_keeps_failing_becomes_failures(fake_api, arxiv_source):
    fake_api.faults.fail("arxiv", 500, times=4)
    records, failures = arxiv_source.fetch(["2301.10001", "2301.10003"])
    assert records == []
    assert [f.subject for f in failures] == ["2301.10001", "2301.10003"]
    assert all("HTTP 500" in f.reason for f in failures)


def test_default_interval_is_three_seconds_between_requests(fake_api, fake_settings):
    class Clock:
        now = 0.0
        waits: list[float] = []

        def sleep(self, seconds: float) -> None:
            self.waits.append(seconds)
            self.now += seconds

    clock = Clock()
    polite = replace(fake_settings, arxiv_interval=3.0)
    source = ArxivSource(polite, client_for(polite, sleep=clock.sleep, clock=lambda: clock.now),
                         batch_size=1)
    records, _ = source.fetch(["2301.10000", "2301.10001", "2301.10002"])
    assert len(records) == 3
    assert clock.waits == [3.0, 3.0]
    source.close()


def test_offline_raises_network_unavailable_once(fake_settings, recorded_sleep):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    offline = replace(fake_settings, arxiv_api_url=f"http://127.0.0.1:{port}/api/query")
    source = ArxivSource(offline, client_for(offline, sleep=recorded_sleep), batch_size=1)
    with pytest.raises(NetworkUnavailable):
        source.fetch(["2301.10000", "2301.10001"])
    with pytest.raises(NetworkUnavailable):
        source.fetch(["2301.10002"])
    assert source.request_counts["arxiv"] == 1
    source.close()
