"""The pages over the app in process: the same data as the JSON API, errors as readable pages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from search_api.app import create_app
from search_api.settings import Settings

QUESTION = "サプライチェーンの強靱化"


@pytest.fixture()
def client(web_index: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(index_dir=web_index, model_name="fake"))) as test_client:
        yield test_client


def test_the_root_opens_the_search_page_with_the_index_size(client: TestClient) -> None:
    page = client.get("/")

    assert page.status_code == 200
    assert page.url.path == "/ui"
    health = client.get("/health").json()
    assert (
        f"{health['counts']['meetings']} 会議・{health['counts']['statements']} 発言" in page.text
    )
    assert 'href="/ui/static/style.css"' in page.text
    assert client.get("/ui/static/app.js").status_code == 200


def test_the_search_page_lists_exactly_the_apis_results(client: TestClient) -> None:
    html = client.get("/ui", params={"q": QUESTION, "limit": 20, "offset": 20}).text
    api = client.get("/search", params={"q": QUESTION, "limit": 20, "offset": 20}).json()

    for hit in api["results"]:
        assert f'data-statement-id="{hit["statement_id"]}"' in html
    assert html.count('<li class="hit"') == len(api["results"])
    assert '<ol class="hits" start="21">' in html
    assert f"{api['total']} 件中 21–40 件" in html


def test_the_script_gets_only_the_main_part(client: TestClient) -> None:
    part = client.get("/ui", params={"q": QUESTION}, headers={"X-Partial": "main"})

    assert part.status_code == 200
    assert "<html" not in part.text and 'id="search-form"' in part.text
    assert 'id="page-title"' in part.text
    assert "default-src 'self'" in part.headers["content-security-policy"]


def test_a_bad_parameter_is_the_apis_422_with_its_message(client: TestClient) -> None:
    params = {"q": QUESTION, "limit": "500"}
    page = client.get("/ui", params=params)
    api = client.get("/search", params=params).json()

    assert page.status_code == 422
    assert api["error"] in page.text and "less than or equal to 100" in page.text
    assert f'value="{QUESTION}"' in page.text  # the form stays filled in


def test_an_unknown_statement_is_a_404_page_not_json(client: TestClient) -> None:
    page = client.get("/ui/statements/no-such-remark", headers={"Accept-Language": "en"})
    api = client.get("/statements/no-such-remark").json()

    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert api["error"] in page.text and str(escape(api["detail"])) in page.text
    assert client.get("/ui/nowhere").status_code == 404


def test_json_export_has_the_citation_fields_of_every_result(client: TestClient) -> None:
    response = client.get("/ui/export.json", params={"q": QUESTION, "limit": 5})
    api = client.get("/search", params={"q": QUESTION, "limit": 5}).json()

    assert "attachment" in response.headers["content-disposition"]
    document = json.loads(response.text)
    assert document["total"] == api["total"]
    assert [r["statement_id"] for r in document["results"]] == [
        h["statement_id"] for h in api["results"]
    ]
    first = document["results"][0]
    assert {"speaker", "meeting", "date", "record_url", "citation", "page_url"} <= set(first)
    assert first["page_url"].endswith(quote(first["statement_id"], safe=""))
    assert client.get("/ui/export.xml", params={"q": QUESTION}).status_code == 404
    assert client.get("/ui/export.csv").status_code == 422  # no question


def test_the_json_api_is_unchanged_for_clients(client: TestClient) -> None:
    missing = client.get("/statements/nothing")

    assert missing.headers["content-type"] == "application/json"
    assert missing.json()["error"] == "statement_not_found"
    assert "/ui" not in client.get("/openapi.json").json()["paths"]


def test_the_meetings_page_lists_what_get_meetings_lists_newest_first(client: TestClient) -> None:
    html = client.get("/ui/meetings").text
    api = client.get("/meetings").json()["meetings"]

    newest_first = sorted(api, key=lambda m: (m["date"] or "", m["id"]), reverse=True)
    positions = [html.index(f'href="/ui/meetings/{quote(m["id"], safe="")}"') for m in newest_first]
    assert positions == sorted(positions)
    assert all(f'<td class="num">{m["statement_count"]}</td>' in html for m in api)


def test_related_remarks_of_an_english_remark_show_the_translations_they_share(
    client: TestClient,
) -> None:
    english = client.get(
        "/search", params={"q": "supply chains", "language": "en", "limit": 10}
    ).json()["results"]
    for source in english:
        related = client.get(
            f"/statements/{quote(source['statement_id'], safe='')}/related", params={"limit": 10}
        ).json()["results"]
        translated = [hit for hit in related if hit["reason"]["translations"]]
        if translated:
            break
    else:
        pytest.fail("no English remark of the test index has a related remark by translation")
    html = client.get(f"/ui/statements/{quote(source['statement_id'], safe='')}").text
    shown = [hit for hit in translated if f'data-statement-id="{hit["statement_id"]}"' in html]
    assert shown  # the page lists the first related remarks, as the API does
    for hit in shown:
        for pair in hit["reason"]["translations"]:
            assert f"{escape(pair['source'])} → <mark>{escape(pair['term'])}</mark>" in html


def test_an_english_question_shows_the_words_also_searched_in_japanese(
    client: TestClient,
) -> None:
    html = client.get("/ui", params={"q": "semiconductors"}).text
    assert '<p class="translations">日本語でも検索した語: ' in html
    assert '<span class="translation">semiconductor → 半導体</span>' in html
    assert 'class="translations"' not in client.get("/ui", params={"q": "半導体"}).text
