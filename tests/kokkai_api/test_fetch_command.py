"""`policy-search fetch kokkai` through the real entry point, against the local fake API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_runner import run
from tests.kokkai_api.fake_api import FakeKokkaiApi, load_records, serve
from tests.prepared_cache import search_cache_is_prepared


@pytest.fixture
def api(corpus_dir: Path) -> Iterator[FakeKokkaiApi]:
    with serve(FakeKokkaiApi(load_records(corpus_dir / "kokkai" / "meetings"))) as running:
        yield running


def test_fetch_writes_jsonl_indexes_as_records_arrive_and_shows_the_total(
    api: FakeKokkaiApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, index_dir = tmp_path / "house.jsonl.gz", tmp_path / "index"
    fetch = ["fetch", "kokkai", str(out), "--house", "衆議院", "--base-url", api.url,
             "--delay", "0", "--backoff", "0"]  # fmt: skip
    code, stdout, err = run(
        [
            *fetch,
            "--index",
            str(index_dir),
            "--model",
            "fake",
            "--progress",
            "--max-records",
            "150",
        ],
        capsys,
    )
    assert code == 0, err
    assert f"{out}: 150 new records (150 held, 188 match the query); pages requested: 2" in stdout
    assert f"index {index_dir}: 150 statements (2 updates as the records arrived)" in stdout
    assert "150/150" in err  # the progress bar knows the total
    assert err.count("search cache ready") == 1  # once at the end, not after every page
    assert search_cache_is_prepared(index_dir)  # a server starts on it without computing
    code, stdout, _ = run(["stats", "--index", str(index_dir), "--json"], capsys)
    assert json.loads(stdout)["statements"] == 150

    code, stdout, _ = run([*fetch, "--json", "--index", str(index_dir), "--model", "fake"], capsys)
    report = json.loads(stdout)
    assert (report["held_before"], report["written"], report["index_statements"]) == (150, 38, 188)
    assert search_cache_is_prepared(index_dir)  # the new version's, too


def test_an_api_error_is_a_clear_message_and_exit_status_1(
    api: FakeKokkaiApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.faults = {1: "error"}
    code, _, err = run(
        ["fetch", "kokkai", str(tmp_path / "x.jsonl"), "--any", "半導体", "--base-url", api.url,
         "--delay", "0"],
        capsys,
    )  # fmt: skip
    assert code == 1
    assert err.startswith("error: GET http://127.0.0.1:")
    assert "the API refused it: 検索条件の指定に誤りがあります。" in err
    code, _, err = run(["fetch", "kokkai", str(tmp_path / "x.jsonl")], capsys)
    assert code == 1 and "at least one search condition" in err


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (["fetch", "kokkai"], "--session-from"),
        (["fetch"], "kokkai"),
        (["watch"], "--sync"),
        (["index"], "--sync"),
    ],
)
def test_new_commands_have_help(
    command: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([*command, "--help"], capsys)
    assert code == 0 and words in out and "Usage: policy-search" in out
