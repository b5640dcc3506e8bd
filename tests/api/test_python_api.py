"""The Python facade: the same search as the API, from a notebook."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from indexer.records import StatementFilter
from models.errors import ConfigError, IndexNotFoundError, StatementNotFoundError
from search_api.presentation import View, page_to_dict
from search_api.python_api import open_searcher, related, search
from search_api.results import SearchMode, SearchRequest

HTTP_VIEW = View(full_text=False, public_paths=True)
"""What the API shows by default: heads of texts, file names instead of server paths."""


def test_open_searcher_gives_the_same_page_as_the_api(
    small_index: Path, client: TestClient
) -> None:
    searcher = open_searcher(small_index, model="fake")
    request = SearchRequest(
        "サプライチェーン", limit=5, offset=2, mode=SearchMode.HYBRID,
        filters=StatementFilter(language="ja"),
    )  # fmt: skip

    page = searcher.search(request)
    via_api = client.get(
        "/search", params={"q": "サプライチェーン", "limit": 5, "offset": 2, "language": "ja"}
    ).json()

    assert [hit.rank for hit in page.hits] == [3, 4, 5, 6, 7]
    assert page_to_dict(page, HTTP_VIEW) == via_api


def test_related_and_records_are_plain_dataclasses(small_index: Path) -> None:
    searcher = open_searcher(str(small_index), model="fake")
    first = searcher.search(SearchRequest("経済安全保障", limit=1)).hits[0]

    related = searcher.related(
        first.statement.statement_id, limit=3, offset=0, filters=StatementFilter()
    )
    assert len(related.hits) == 3
    assert first.meeting.meeting_id not in {hit.meeting.meeting_id for hit in related.hits}
    statement, meeting = searcher.get_statement(first.statement.statement_id)
    assert statement == first.statement and meeting == first.meeting
    with pytest.raises(StatementNotFoundError):
        searcher.get_statement("no-such-id")


def test_a_missing_index_is_reported_before_any_model_loads(tmp_path: Path) -> None:
    # model=None would load the real e5 model; the missing index is found first.
    with pytest.raises(IndexNotFoundError, match="policy-search index"):
        open_searcher(tmp_path / "nothing-here")


def test_search_and_related_take_the_api_parameters(small_index: Path, client: TestClient) -> None:
    searcher = open_searcher(small_index, model="fake")
    params = {"limit": 4, "body": "内閣委員会", "date_from": "2022-03-24", "mode": "semantic"}

    page = search(searcher, "サプライチェーン", **params)
    via_api = client.get("/search", params={"q": "サプライチェーン", **params}).json()
    assert page_to_dict(page, HTTP_VIEW) == via_api

    first = page.hits[0].statement
    nearby = related(searcher, first.statement_id, limit=3, language="ja")
    assert len(nearby.hits) == 3
    assert first.meeting_id not in {hit.meeting.meeting_id for hit in nearby.hits}


def test_parameters_out_of_bounds_raise_config_error_naming_them(small_index: Path) -> None:
    searcher = open_searcher(small_index, model="fake")

    with pytest.raises(ConfigError, match="limit"):
        search(searcher, "半導体", limit=101)
    with pytest.raises(ConfigError, match="q"):
        search(searcher, "  ")
    with pytest.raises(ConfigError, match="bogus"):
        related(searcher, "x", bogus=1)
