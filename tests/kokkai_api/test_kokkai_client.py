"""The Kokkai API client against a local server answering from the real API responses."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.kokkai_api.client import ClientSettings, KokkaiClient
from indexer.kokkai_api.download import download_speeches
from indexer.kokkai_api.query import KokkaiQuery
from indexer.reading import read_minutes_file
from models.errors import ConfigError, RemoteApiError
from tests.kokkai_api.fake_api import FakeKokkaiApi, load_records, serve

HOUSE = KokkaiQuery(house="衆議院")  # 188 of the 372 records: two pages


@pytest.fixture
def api(corpus_dir: Path) -> Iterator[FakeKokkaiApi]:
    with serve(FakeKokkaiApi(load_records(corpus_dir / "kokkai" / "meetings"))) as running:
        yield running


def client(api: FakeKokkaiApi, **settings: float) -> KokkaiClient:
    values = {"delay": 0.0, "timeout": 5.0, "retries": 3, "backoff": 0.01, **settings}
    return KokkaiClient(ClientSettings(base_url=api.url, **values))  # type: ignore[arg-type]


def lines_of(path: Path) -> list[dict[str, object]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as stream:  # type: ignore[operator]
        return [json.loads(line) for line in stream]


def test_pages_are_followed_to_the_end_and_the_file_is_read_by_the_kokkai_reader(
    api: FakeKokkaiApi, tmp_path: Path
) -> None:
    out = tmp_path / "house.jsonl.gz"
    report = download_speeches(client(api), HOUSE, out)
    assert [(r["startRecord"], r["maximumRecords"]) for r in api.requests] == [
        ("1", "100"),
        ("101", "100"),
    ]
    assert all(r["nameOfHouse"] == "衆議院" and r["recordPacking"] == "json" for r in api.requests)
    records = lines_of(out)
    assert (report.total, report.written, len(records)) == (188, 188, 188)
    assert len({r["speechID"] for r in records}) == 188
    meetings = read_minutes_file(out)
    assert sum(len(m.statements) for m in meetings) == 188
    assert {m.meeting.house for m in meetings} == {"衆議院"}
    assert "policy-search" in api.user_agents[0]


def test_the_query_uses_the_api_parameters(api: FakeKokkaiApi, tmp_path: Path) -> None:
    import datetime as dt

    query = KokkaiQuery(
        any="経済安全保障",
        meeting="内閣委員会",
        date_from=dt.date(2022, 3, 1),
        date_until=dt.date(2022, 4, 30),
        session_from=208,
        session_to=208,
    )
    report = download_speeches(client(api), query, tmp_path / "q.jsonl")
    sent = api.requests[0]
    assert {k: sent[k] for k in ("any", "nameOfMeeting", "from", "until")} == {
        "any": "経済安全保障",
        "nameOfMeeting": "内閣委員会",
        "from": "2022-03-01",
        "until": "2022-04-30",
    }
    assert (sent["sessionFrom"], sent["sessionTo"]) == ("208", "208")
    records = lines_of(tmp_path / "q.jsonl")
    assert report.written == len(records) > 0
    assert all("経済安全保障" in str(r["speech"]) for r in records)


def test_requests_are_spaced_by_the_delay(api: FakeKokkaiApi, tmp_path: Path) -> None:
    download_speeches(client(api, delay=0.3), HOUSE, tmp_path / "out.jsonl")
    gaps = [b - a for a, b in zip(api.request_times, api.request_times[1:], strict=False)]
    assert len(gaps) == 1 and gaps[0] >= 0.25  # 0.3 s from start to start, minus jitter


def test_a_slow_answer_a_dropped_connection_and_a_500_page_are_retried(
    api: FakeKokkaiApi, tmp_path: Path
) -> None:
    api.faults = {1: "slow", 2: "drop", 4: "500"}
    api.slow_seconds = 3.0
    retries: list[str] = []
    fetcher = client(api, timeout=1.0)
    fetcher.on_retry = lambda why, attempt, wait: retries.append(why)
    report = download_speeches(fetcher, HOUSE, tmp_path / "out.jsonl")
    assert report.written == 188 and len(lines_of(tmp_path / "out.jsonl")) == 188
    assert len(api.requests) == 2 + len(retries) >= 5  # (a loaded machine may add time-outs)
    assert "no answer within 1 s" in retries[0]
    assert any("connection" in why for why in retries[1:])
    assert any("HTTP 500" in why for why in retries[2:])


def test_giving_up_after_the_retries_names_the_request(api: FakeKokkaiApi, tmp_path: Path) -> None:
    api.faults = {1: "500", 2: "500", 3: "500"}
    with pytest.raises(RemoteApiError, match=r"GET http://127\.0\.0\.1:\d+/api/speech\?.*HTTP 500"):
        download_speeches(client(api, retries=2), HOUSE, tmp_path / "out.jsonl")
    assert len(api.requests) == 3


def test_an_html_page_instead_of_json_is_retried_then_reported(
    api: FakeKokkaiApi, tmp_path: Path
) -> None:
    api.faults = {1: "html", 2: "html"}
    with pytest.raises(RemoteApiError, match=r"the answer is not JSON \(it starts '<html>"):
        download_speeches(client(api, retries=1), HOUSE, tmp_path / "out.jsonl")
    api.faults = {3: "html"}
    assert download_speeches(client(api), HOUSE, tmp_path / "out.jsonl").written == 188


def test_the_api_error_message_is_shown_at_once_and_the_records_held_are_kept(
    api: FakeKokkaiApi, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    download_speeches(client(api), HOUSE, out, max_records=100)
    api.faults = {len(api.requests) + 1: "error"}
    with pytest.raises(RemoteApiError) as caught:
        download_speeches(client(api), HOUSE, out)
    message = str(caught.value)
    assert "検索条件の指定に誤りがあります。" in message and "maximumRecords" in message
    assert "startRecord=101" in message  # the request is named
    assert len(lines_of(out)) == 100  # nothing lost


def test_an_interrupted_download_resumes_without_duplicates(
    api: FakeKokkaiApi, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    first = download_speeches(client(api), HOUSE, out, max_records=150)
    assert (first.written, len(lines_of(out))) == (150, 150)
    with out.open("a", encoding="utf-8") as stream:  # killed while writing a line
        stream.write('{"speechID": "12080')
    api.requests.clear()
    second = download_speeches(client(api), HOUSE, out)
    assert api.requests[0]["startRecord"] == "151"
    assert (second.held_before, second.written) == (150, 38)
    ids = [r["speechID"] for r in lines_of(out)]
    assert len(ids) == len(set(ids)) == 188
    third = download_speeches(client(api), HOUSE, out)
    assert third.written == 0 and len(lines_of(out)) == 188


def test_a_truncated_gzip_download_resumes(api: FakeKokkaiApi, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl.gz"
    download_speeches(client(api), HOUSE, out, max_records=100)
    data = out.read_bytes()
    with gzip.open(out, "at", encoding="utf-8") as stream:
        stream.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines_of(out)))
    out.write_bytes(out.read_bytes()[: len(data) + 200])  # the second member cut short
    report = download_speeches(client(api), HOUSE, out)
    ids = [r["speechID"] for r in lines_of(out)]
    assert report.held_before == 100 and len(ids) == len(set(ids)) == 188


def test_max_records_bounds_the_download(api: FakeKokkaiApi, tmp_path: Path) -> None:
    report = download_speeches(client(api), HOUSE, tmp_path / "out.jsonl", max_records=42)
    assert api.requests[0]["maximumRecords"] == "42"
    assert (report.written, len(api.requests)) == (42, 1)


def test_a_query_without_conditions_or_with_bad_values_is_refused_before_any_request(
    api: FakeKokkaiApi, tmp_path: Path
) -> None:
    for query, words in [
        (KokkaiQuery(), "at least one search condition"),
        (KokkaiQuery(house="衆院"), "--house must be one of"),
        (KokkaiQuery(session_from=210, session_to=208), "--session-from is after"),
    ]:
        with pytest.raises(ConfigError, match=words):
            download_speeches(client(api), query, tmp_path / "out.jsonl")
    assert api.requests == []
