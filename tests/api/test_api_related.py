"""Related remarks over HTTP: POST /related for any text, and the reasons on every hit."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

SEED_MEETING = "2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi"
SEED_STATEMENT = f"{SEED_MEETING}_5a5240d9c3"
"""The seed's "赤字国" remark."""
PARAGRAPH = (
    "経済安全保障の観点から、半導体や重要鉱物のサプライチェーンを強靱化し、特定国への過度な依存を"
    "減らすべきだ。エネルギー自給率の低さも課題である。"
)


def related_url(statement_id: str) -> str:
    return f"/statements/{quote(statement_id, safe='')}/related"


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return response.json()


def folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def some_statements(client: TestClient) -> list[dict[str, Any]]:
    """Sources of every kind: the seed summary, Diet speeches, a council remark, FOMC."""
    hits = ok(client.get("/search", params={"q": "経済安全保障 サプライチェーン", "limit": 4}))
    english = ok(client.get("/search", params={"q": "inflation outlook", "limit": 2}))
    return hits["results"] + english["results"]


def test_related_never_returns_the_source_or_by_default_its_meeting(client: TestClient) -> None:
    for source in some_statements(client):
        page = ok(client.get(related_url(source["statement_id"]), params={"limit": 20}))
        ids = {hit["statement_id"] for hit in page["results"]}
        meetings = {hit["meeting"]["id"] for hit in page["results"]}
        assert page["results"]
        assert source["statement_id"] not in ids
        assert source["meeting"]["id"] not in meetings

        kept = ok(
            client.get(
                related_url(source["statement_id"]),
                params={"limit": 100, "exclude_same_meeting": False},
            )
        )
        assert source["statement_id"] not in {hit["statement_id"] for hit in kept["results"]}


def test_every_hit_says_why_with_a_passage_pair_and_shared_terms(client: TestClient) -> None:
    source = ok(client.get(f"/statements/{quote(SEED_STATEMENT, safe='')}"))
    page = ok(client.get(related_url(SEED_STATEMENT), params={"limit": 10, "text": "full"}))

    with_terms = 0
    for hit in page["results"]:
        reason = hit["reason"]
        assert reason["result"]["text"] in hit["text"]
        assert reason["result"]["text"] == hit["highlight"]["passage"]
        start, end = reason["source"]["char_start"], reason["source"]["char_end"]
        assert source["text"][start:end] == reason["source"]["text"]
        assert -1.0 <= reason["similarity"] <= 1.5
        for term in reason["terms"]:  # words that occur in both texts
            assert folded(term) in folded(hit["text"])
            assert folded(term) in folded(source["text"])
        with_terms += bool(reason["terms"])
        assert reason["themes"] == []  # no theme lookup attached
    assert with_terms >= 5


def test_a_passage_or_character_range_narrows_the_source(client: TestClient) -> None:
    long_remark = max(
        ok(client.get("/search", params={"q": "経済安全保障推進法案 罰則", "limit": 20}))[
            "results"
        ],
        key=lambda hit: hit["text_length"],
    )
    statement_id = long_remark["statement_id"]
    by_passage = ok(client.get(related_url(statement_id), params={"passage": 1, "limit": 5}))
    ranges = {
        (h["reason"]["source"]["char_start"], h["reason"]["source"]["char_end"])
        for h in by_passage["results"]
    }
    assert len(ranges) == 1  # every pair's source side is passage 1

    start, end = 0, 120
    by_range = ok(
        client.get(related_url(statement_id), params={"char_start": start, "char_end": end})
    )
    for hit in by_range["results"]:
        side = hit["reason"]["source"]
        assert side["char_start"] < end and side["char_end"] > start

    missing = client.get(related_url(statement_id), params={"passage": 9999})
    assert missing.status_code == 400
    assert "passage 9999 does not exist" in missing.json()["detail"]
    both = client.get(related_url(statement_id), params={"passage": 0, "char_start": 3})
    assert both.status_code == 422


def test_post_related_finds_remarks_for_any_text_with_filters(client: TestClient) -> None:
    page = ok(client.post("/related", json={"q": PARAGRAPH, "limit": 5, "text": "full"}))
    assert len(page["results"]) == 5
    assert [hit["rank"] for hit in page["results"]] == [1, 2, 3, 4, 5]
    for hit in page["results"]:
        assert hit["reason"]["source"]["text"] in PARAGRAPH
        for term in hit["reason"]["terms"]:
            assert folded(term) in folded(hit["text"]) and folded(term) in folded(PARAGRAPH)

    only_seed = ok(client.post("/related", json={"q": PARAGRAPH, "meeting_id": SEED_MEETING}))
    assert {hit["meeting"]["id"] for hit in only_seed["results"]} == {SEED_MEETING}

    second = ok(client.post("/related", json={"q": PARAGRAPH, "limit": 3, "offset": 2}))
    assert [h["statement_id"] for h in second["results"]] == [
        h["statement_id"] for h in page["results"][2:5]
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"q": ""},
        {"q": "   \n\u3000\u200b"},
        {"q": "あ" * 20_000},
        {},
        {"q": PARAGRAPH, "limit": 0},
        {"q": PARAGRAPH, "bogus": 1},
        {"q": PARAGRAPH, "text": "all"},
    ],
    ids=["empty", "blank", "20000-chars", "missing", "limit-0", "unknown-field", "text-mode"],
)
def test_post_related_validates_its_input(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/related", json=body)
    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


def test_post_related_accepts_the_longest_allowed_text(client: TestClient) -> None:
    text = (PARAGRAPH * 200)[:19_999]
    page = ok(client.post("/related", json={"q": text, "limit": 3}))
    assert len(page["results"]) == 3


def test_a_full_page_of_reasons_pairs_each_result_with_a_passage_of_the_source(
    client: TestClient,
) -> None:
    # Deep pages reach results that only a feedback channel found; their reason must still
    # show a passage of the source statement, not fail or show another text.
    for source in some_statements(client):
        full = ok(client.get(f"/statements/{quote(source['statement_id'], safe='')}"))
        page = ok(client.get(related_url(source["statement_id"]), params={"limit": 100}))
        assert page["results"]
        for hit in page["results"]:
            assert folded(hit["reason"]["source"]["text"]) in folded(full["text"])
