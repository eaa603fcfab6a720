"""ArxivSource against the fake arXiv API (SYNTHETIC records, real sockets)."""

from __future__ import annotations

import json
import socket
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import FAKE_NOW, SHARED

from rsvlm_graph.config import Settings
from rsvlm_graph.errors import NetworkUnavailable
from rsvlm_graph.identifiers import normalize_arxiv_id
from rsvlm_graph.models import Failure
from rsvlm_graph.sources.arxiv import ArxivSource, client_for
from rsvlm_graph.sources.http import ApiClient


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
    import fakeapi.arxiv_api as server

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
    assert source.client.unsent_counts["arxiv"] == 1 and not source.request_counts
    source.close()


# -- real recorded answers (../shared/reference/arxiv), read through the source ---------------------

REFERENCE = SHARED / "reference" / "arxiv"


@pytest.fixture
def replayed():
    """An ArxivSource answered from the recorded feeds, by the id_list they were recorded for."""
    if not REFERENCE.is_dir():
        pytest.skip(f"no recordings at {REFERENCE}")
    feeds = {}
    for path in REFERENCE.glob("id_*.json"):
        recording = json.loads(path.read_text())
        ids = parse_qs(urlsplit(recording["url"]).query)["id_list"][0].split(",")
        feeds[",".join(i if i == "abc" else normalize_arxiv_id(i) for i in ids)] = recording

    def handler(request: httpx.Request) -> httpx.Response:
        id_list = request.url.params["id_list"]
        # an id arXiv rejects, answered with the real HTTP 400 feed (recorded for "abc")
        recording = feeds["abc"] if "2301.99999" in id_list.split(",") else feeds[id_list]
        return httpx.Response(recording["status_code"], text=recording["body"])

    client = ApiClient("https://export.arxiv.org/api/query", name="arXiv", min_interval=0.0,
                       timeout=5.0, retries=0, transport=httpx.MockTransport(handler))
    return ArxivSource(Settings(), client, batch_size=2)


def test_real_feeds_old_style_and_versioned_ids(replayed):
    (old,), failures = replayed.fetch(["astro-ph/0601001"])
    (quant,), more_failures = replayed.fetch(["arXiv:quant-ph/0201082v1"])
    assert failures == more_failures == []
    assert (old.arxiv_id, old.version, old.primary_category) == ("astro-ph/0601001", 1, "astro-ph")
    assert old.journal_ref == "ActaAstron.56:1-50,2006" and old.doi is None
    assert old.pdf_url == "https://arxiv.org/pdf/astro-ph/0601001v1"
    assert quant.arxiv_id == "quant-ph/0201082" and quant.categories == ("quant-ph", "cs.PL")


def test_real_feeds_unknown_id_is_absent_and_reported(replayed):
    records, failures = replayed.fetch(["0808.05394", "1707.08567"])
    assert [r.arxiv_id for r in records] == ["1707.08567"]
    # arXiv's answer: the run is complete for it (``answered``), the list's id is at fault
    assert failures == [Failure("0808.05394", "arxiv", "not found on arXiv", answered=True)]


def test_real_400_feed_fails_only_the_rejected_id(replayed):
    records, failures = replayed.fetch(["1707.08567", "2301.99999"])
    assert [r.arxiv_id for r in records] == ["1707.08567"]
    (failure,) = failures
    assert failure.subject == "2301.99999" and "incorrect id format" in failure.reason
    assert failure.answered  # arXiv's word on the list's id: asking again cannot change it


def test_an_empty_answer_to_ids_arxiv_knows_is_asked_once_more_after_3_s(
        fake_api, arxiv_source, recorded_sleep):
    known = sorted(fake_api.corpus.arxiv)[:2]
    fake_api.faults.empty("arxiv")
    records, failures = arxiv_source.fetch(known)
    assert [r.arxiv_id for r in records] == known and failures == []
    assert fake_api.counts["arxiv"] == 2 and recorded_sleep.waits == [3.0]
    fake_api.faults.empty("arxiv", times=2)  # empty twice: not found, after one more try only
    records, failures = arxiv_source.fetch(known)
    assert records == [] and {f.reason for f in failures} == {"not found on arXiv"}
    assert fake_api.counts["arxiv"] == 4


def test_a_withdrawn_version_is_flagged(fake_api, arxiv_source):
    arxiv_id = sorted(fake_api.corpus.arxiv)[0]
    fake_api.corpus.arxiv[arxiv_id]["withdrawn"] = True
    ((record,), _) = arxiv_source.fetch([arxiv_id])
    assert record.withdrawn is True
    ((others,), _) = arxiv_source.fetch([sorted(fake_api.corpus.arxiv)[1]])
    assert others.withdrawn is False


def test_an_entry_the_feed_parser_cannot_read_fails_only_its_own_id(replayed):
    # issue 29 (found by the fuzz test): a real feed whose one entry has a date that is no date
    # made the arxiv package raise for the whole feed; SYNTHETIC damage to a REAL recording
    recordings = {json.loads(p.read_text())["url"]: json.loads(p.read_text()) for p in REFERENCE.glob("id_*.json")}
    good = next(r for r in recordings.values() if "id_list=1707.08567&" in r["url"])
    bad = next(r for r in recordings.values() if "id_list=1605.08386&" in r["url"])
    damaged = bad["body"].replace("<published>2016-05-26T17:59:46Z</published>", "<published>0</published>")
    assert damaged != bad["body"]

    def handler(request: httpx.Request) -> httpx.Response:
        ids = request.url.params["id_list"].split(",")
        entries = [good["body"].split("<entry>")[1].split("</entry>")[0]] if "1707.08567" in ids else []
        if "1605.08386" in ids:
            entries.append(damaged.split("<entry>")[1].split("</entry>")[0])
        head = good["body"].split("<entry>")[0]
        return httpx.Response(200, text=head + "".join(f"<entry>{e}</entry>" for e in entries) + "</feed>")

    client = ApiClient("https://export.arxiv.org/api/query", name="arXiv", min_interval=0.0,
                       timeout=5.0, retries=0, transport=httpx.MockTransport(handler))
    records, failures = ArxivSource(Settings(), client).fetch(["1707.08567", "1605.08386"])
    assert [r.arxiv_id for r in records] == ["1707.08567"]
    (failure,) = failures
    assert failure.subject == "1605.08386" and not failure.answered
    assert "cannot be read" in failure.reason and "\n" not in failure.reason
