"""GET/POST /search on a real index: fields, filters inside the search, paging, bounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

SEED_MEETING = "2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi"
FOMC_MEETING = "2021-07-28_fomc-minutes_en"
QUESTION = "経済安全保障 サプライチェーン"


def search(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_search_returns_ranked_statements_with_every_field(client: TestClient) -> None:
    page = search(client, q=QUESTION, limit=5, text="full")

    assert page["query"] == QUESTION
    assert page["total"] >= 5
    assert [hit["rank"] for hit in page["results"]] == [1, 2, 3, 4, 5]
    scores = [hit["score"] for hit in page["results"]]
    assert scores == sorted(scores, reverse=True)
    hit = page["results"][0]
    assert set(hit) >= {
        "statement_id", "text", "score", "rank", "highlight", "speaker", "topic", "meeting",
        "source",
    }  # fmt: skip
    assert set(hit["highlight"]) == {"passage", "terms"}
    assert hit["highlight"]["passage"] in hit["text"]
    assert len(hit["text"]) == hit["text_length"] and hit["text_truncated"] is False
    assert set(hit["speaker"]) == {"name", "role", "group"}
    assert set(hit["meeting"]) == {"id", "title", "date", "body", "url"}
    assert dt.date.fromisoformat(hit["meeting"]["date"])
    assert set(hit["source"]) == {"file", "line", "page", "url"}
    assert hit["source"]["page"] is None  # a text file has no pages
    assert hit["source"]["file"]


def test_a_japanese_question_finds_the_remark_that_says_it(client: TestClient) -> None:
    page = search(client, q="経済安全保障上の「赤字国」", mode="lexical", limit=3)

    texts = [hit["text"] for hit in page["results"]]
    assert any("「赤字国」" in text for text in texts)
    top = page["results"][0]
    assert top["meeting"]["id"] == SEED_MEETING
    assert "赤字国" in top["highlight"]["terms"] or "赤字" in "".join(top["highlight"]["terms"])


def test_post_returns_exactly_what_get_returns(client: TestClient) -> None:
    params = {"q": QUESTION, "limit": 7, "offset": 3, "mode": "hybrid", "language": "ja"}
    via_get = client.get("/search", params=params)
    via_post = client.post("/search", json=params)

    assert via_post.status_code == 200
    assert via_post.json() == via_get.json()


@pytest.mark.parametrize("mode", ["hybrid", "semantic", "lexical"])
def test_every_mode_answers(client: TestClient, mode: str) -> None:
    page = search(client, q="inflation expectations", mode=mode, limit=3)

    assert len(page["results"]) == 3


def test_a_meeting_filter_restricts_the_search_and_still_fills_the_page(
    client: TestClient,
) -> None:
    # The English FOMC minutes rank low for a Japanese question; a post-filter of a top-k list
    # would return few or none of them.  Filtering inside the search fills the page.
    page = search(client, q=QUESTION, meeting_id=FOMC_MEETING, limit=20)

    assert len(page["results"]) == 20
    assert {hit["meeting"]["id"] for hit in page["results"]} == {FOMC_MEETING}
    assert page["total"] > 20


def test_date_body_language_and_speaker_filters_restrict_results(client: TestClient) -> None:
    dated = search(client, q=QUESTION, date_from="2022-03-24", date_to="2022-04-30", limit=50)
    assert dated["results"]
    assert all("2022-03-24" <= h["meeting"]["date"] <= "2022-04-30" for h in dated["results"])

    diet = search(client, q=QUESTION, body="内閣委員会", limit=50)
    assert diet["results"]
    assert all("内閣委員会" in hit["meeting"]["body"] for hit in diet["results"])

    english = search(client, q=QUESTION, language="en", limit=50)
    assert english["results"]
    assert {hit["meeting"]["id"] for hit in english["results"]} == {FOMC_MEETING}

    anyone = search(client, q=QUESTION, body="内閣委員会", limit=1)["results"][0]
    name = anyone["speaker"]["name"]
    spoken = search(client, q=QUESTION, speaker=name, limit=50)
    assert spoken["results"]
    assert all(name in (hit["speaker"]["name"] or "") for hit in spoken["results"])


def test_procedural_remarks_are_left_out_unless_asked_for(client: TestClient) -> None:
    default = search(client, q="vote", meeting_id=FOMC_MEETING, limit=100)
    everything = search(
        client, q="vote", meeting_id=FOMC_MEETING, limit=100, include_procedural=True
    )

    assert everything["total"] > default["total"]
    assert not any(hit["procedural"] for hit in default["results"])
    assert any(hit["procedural"] for hit in everything["results"])


def test_pages_are_stable_and_do_not_overlap(client: TestClient) -> None:
    whole = search(client, q=QUESTION, limit=30)
    pages = [search(client, q=QUESTION, limit=10, offset=offset) for offset in (0, 10, 20)]
    paged_ids = [hit["statement_id"] for page in pages for hit in page["results"]]

    assert paged_ids == [hit["statement_id"] for hit in whole["results"]]
    assert len(set(paged_ids)) == 30
    assert [hit["rank"] for page in pages for hit in page["results"]] == list(range(1, 31))
    assert search(client, q=QUESTION, limit=10, offset=10) == pages[1]


def test_an_offset_past_the_end_gives_an_empty_page(client: TestClient) -> None:
    page = search(client, q=QUESTION, limit=10, offset=10_000)

    assert page["results"] == []
    assert page["total"] > 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "あ" * 2001}, "q"),
        ({"q": "x", "limit": 0}, "limit"),
        ({"q": "x", "limit": 101}, "limit"),
        ({"q": "x", "offset": -1}, "offset"),
        ({"q": "x", "offset": 10_001}, "offset"),
        ({"q": "x", "mode": "fuzzy"}, "mode"),
        ({"q": "x", "date_from": "2023-02-30"}, "date_from"),
        ({"q": "x", "date_from": "2023-03-01", "date_to": "2023-01-01"}, "date_from"),
        ({"q": "x", "limitt": 5}, "limitt"),
        ({}, "q"),
    ],
)
def test_out_of_bounds_parameters_give_422_in_the_error_shape(
    client: TestClient, params: dict[str, Any], field: str
) -> None:
    for response in (client.get("/search", params=params), client.post("/search", json=params)):
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "validation_error"
        assert field in body["detail"]


def test_a_2000_character_question_is_accepted(client: TestClient) -> None:
    page = search(client, q=("経済安全保障" * 400)[:2000], limit=1)

    assert len(page["results"]) == 1
