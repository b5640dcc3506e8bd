"""/statements, /statements/{id}/related, /meetings and /health on a real index."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

SEED_MEETING = "2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi"
SEED_STATEMENT = f"{SEED_MEETING}_5a5240d9c3"
"""The seed's "赤字国" remark: meeting id + digest of the remark's text (URL-safe, stable)."""


def path_id(value: str) -> str:
    return quote(value, safe="")


def get_json(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_statement_is_returned_with_its_meeting_and_source(client: TestClient) -> None:
    statement = get_json(client, f"/statements/{path_id(SEED_STATEMENT)}")

    assert statement["statement_id"] == SEED_STATEMENT
    assert "「赤字国」" in statement["text"]
    assert statement["meeting"]["id"] == SEED_MEETING
    assert statement["meeting"]["date"] == "2023-10-12"
    assert statement["topic"].startswith("論点①")
    assert statement["source"]["file"].endswith("_gijiyoshi.txt")
    assert statement["source"]["line"] > 0


def test_search_hits_agree_with_the_statement_endpoint(client: TestClient) -> None:
    hit = get_json(client, "/search", q="サプライチェーン", limit=1)["results"][0]
    statement = get_json(client, f"/statements/{path_id(hit['statement_id'])}")

    for key in ("statement_id", "text", "speaker", "topic", "meeting", "source"):
        assert statement[key] == hit[key]


def test_related_statements_come_from_other_meetings(client: TestClient) -> None:
    page = get_json(client, f"/statements/{path_id(SEED_STATEMENT)}/related", limit=10)

    assert len(page["results"]) == 10
    assert SEED_MEETING not in {hit["meeting"]["id"] for hit in page["results"]}
    assert SEED_STATEMENT not in {hit["statement_id"] for hit in page["results"]}
    assert [hit["rank"] for hit in page["results"]] == list(range(1, 11))


def test_related_can_include_the_same_meeting_and_takes_the_search_filters(
    client: TestClient,
) -> None:
    url = f"/statements/{path_id(SEED_STATEMENT)}/related"
    including = get_json(client, url, meeting_id=SEED_MEETING, exclude_same_meeting=False)
    assert {hit["meeting"]["id"] for hit in including["results"]} == {SEED_MEETING}
    assert SEED_STATEMENT not in {hit["statement_id"] for hit in including["results"]}
    excluding = get_json(client, url, meeting_id=SEED_MEETING)
    assert excluding["results"] == []

    diet_only = get_json(client, url, limit=10, body="内閣委員会")
    assert diet_only["results"]
    assert all("内閣委員会" in hit["meeting"]["body"] for hit in diet_only["results"])


def test_related_pages_do_not_overlap(client: TestClient) -> None:
    url = f"/statements/{path_id(SEED_STATEMENT)}/related"
    first = get_json(client, url, limit=5)
    second = get_json(client, url, limit=5, offset=5)
    whole = get_json(client, url, limit=10)

    ids = [h["statement_id"] for h in first["results"] + second["results"]]
    assert ids == [h["statement_id"] for h in whole["results"]]


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/statements/no-such-statement", "statement_not_found"),
        ("/statements/no-such-statement/related", "statement_not_found"),
        ("/meetings/no-such-meeting", "meeting_not_found"),
        ("/no/such/route", "not_found"),
    ],
)
def test_unknown_ids_give_404_in_the_error_shape(client: TestClient, url: str, code: str) -> None:
    response = client.get(url)

    assert response.status_code == 404
    assert response.json()["error"] == code
    assert response.json()["detail"]
    assert set(response.json()) == {"error", "detail"}


def test_related_bounds_give_422(client: TestClient) -> None:
    response = client.get(f"/statements/{path_id(SEED_STATEMENT)}/related", params={"limit": 0})

    assert response.status_code == 422
    assert response.json()["error"] == "validation_error"


def test_meetings_lists_every_meeting_with_its_statement_count(client: TestClient) -> None:
    listing = get_json(client, "/meetings")

    assert listing["total"] == 6 == len(listing["meetings"])
    by_id = {m["id"]: m for m in listing["meetings"]}
    assert by_id[SEED_MEETING]["statement_count"] == 41
    assert by_id[SEED_MEETING]["date"] == "2023-10-12"
    assert by_id["2021-07-28_fomc-minutes_en"]["language"] == "en"
    health = get_json(client, "/health")
    assert sum(m["statement_count"] for m in listing["meetings"]) == health["counts"]["statements"]


def test_a_meeting_lists_its_statements_in_order(client: TestClient) -> None:
    meeting = get_json(client, f"/meetings/{path_id(SEED_MEETING)}")

    assert meeting["id"] == SEED_MEETING
    assert len(meeting["statements"]) == meeting["statement_count"] == 41
    positions = [s["position"] for s in meeting["statements"]]
    assert positions == sorted(positions)
    assert meeting["topics"][0].startswith("論点①")
    assert all(s["meeting"]["id"] == SEED_MEETING for s in meeting["statements"])


def test_health_reports_model_counts_and_index_age(client: TestClient) -> None:
    health = get_json(client, "/health")

    assert health["status"] == "ok"
    assert health["model"] == {"id": "hashing-64", "fingerprint": "hashing-bigram-v1-64"}
    assert health["channels"] == [
        {
            "name": "e5",
            "model_id": "hashing-64",
            "fingerprint": "hashing-bigram-v1-64",
            "dimension": 64,
        }
    ]
    assert health["counts"]["meetings"] == 6
    assert health["counts"]["passages"] >= health["counts"]["statements"] > 150
    assert health["index"]["built_at"]
    assert 0 <= health["index"]["age_seconds"] < 3600
