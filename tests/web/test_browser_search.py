"""The search page in a real headless Chromium against a real server: what an analyst does.

Every expectation is checked against the JSON API of the same server, so the page is held to
what the API says rather than to numbers written into the test.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from search_api.wording import speaker_label

pytestmark = pytest.mark.browser

JA_QUESTION = "サプライチェーンの強靱化"
EN_QUESTION = "inflation expectations and the labor market"


def search(page: Any, server: str, question: str) -> None:
    """Type the question into the box and press Enter, as a person would."""
    page.goto(f"{server}/ui")
    page.get_by_label(re.compile("質問|Question")).fill(question)
    page.keyboard.press("Enter")
    page.wait_for_selector("ol.hits li.hit")


def shown_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "#results ol.hits > li.hit", "items => items.map(i => i.dataset.statementId)"
    )


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_a_japanese_question_shows_the_apis_results_with_the_words_marked(
    page: Any, server: str, api: httpx.Client
) -> None:
    search(page, server, JA_QUESTION)

    expected = api.get("/search", params={"q": JA_QUESTION}).json()
    assert shown_ids(page) == [hit["statement_id"] for hit in expected["results"]]
    assert query_of(page.url)["q"] == [JA_QUESTION]
    first = page.locator("li.hit").first
    marked = first.locator(".passage mark").all_inner_texts()
    assert marked, "the matched words are highlighted"
    terms = expected["results"][0]["highlight"]["terms"]
    assert {word.lower() for word in marked} <= {term.lower() for term in terms}
    relevance = float(first.locator("meter").get_attribute("value"))
    assert relevance == pytest.approx(expected["results"][0]["relevance"], abs=1e-4)
    assert 0 <= relevance <= 1
    assert "委員" in page.locator("li.hit .speaker").all_inner_texts()  # not "(unknown speaker)"


def test_an_english_question_in_the_english_interface(
    page: Any, server: str, api: httpx.Client
) -> None:
    page.goto(f"{server}/ui?lang=en")
    page.get_by_label("Question").fill(EN_QUESTION)
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("ol.hits li.hit")

    expected = api.get("/search", params={"q": EN_QUESTION}).json()
    assert shown_ids(page) == [hit["statement_id"] for hit in expected["results"]]
    assert page.locator("li.hit .passage mark").count() > 0
    assert page.locator("#results-heading").inner_text().startswith("Results")
    assert query_of(page.url)["lang"] == ["en"]


def test_date_and_body_filters_leave_only_matching_remarks(
    page: Any, server: str, api: httpx.Client
) -> None:
    page.goto(f"{server}/ui")
    page.get_by_label("質問").fill("経済安全保障")
    page.get_by_label("開始日").fill("2022-03-25")
    page.get_by_label("終了日").fill("2022-04-30")
    page.get_by_label("会議体").fill("内閣委員会")
    page.get_by_label("表示件数").select_option("50")
    page.get_by_role("button", name="検索").click()
    page.wait_for_selector("ol.hits li.hit")

    dates = page.locator("li.hit .meta .date").all_inner_texts()
    bodies = page.locator("li.hit .meta .body").all_inner_texts()
    assert dates and all("2022-03-25" <= date <= "2022-04-30" for date in dates)
    assert all("内閣委員会" in body for body in bodies)
    params = {"q": "経済安全保障", "body": "内閣委員会", "limit": 50}
    expected = api.get(
        "/search", params={**params, "date_from": "2022-03-25", "date_to": "2022-04-30"}
    ).json()
    assert shown_ids(page) == [hit["statement_id"] for hit in expected["results"]]
    unfiltered = api.get("/search", params={"q": "経済安全保障", "limit": 50}).json()
    assert expected["total"] < unfiltered["total"]
    state = query_of(page.url)
    assert state["date_from"] == ["2022-03-25"] and state["body"] == ["内閣委員会"]


def test_pages_forward_and_back_with_the_browsers_buttons(
    page: Any, server: str, api: httpx.Client
) -> None:
    search(page, server, JA_QUESTION)
    first_page = shown_ids(page)

    page.get_by_role("link", name=re.compile("次へ")).click()
    page.wait_for_url(re.compile(r"offset=10"))
    page.locator('ol.hits[start="11"]').wait_for()
    second = api.get("/search", params={"q": JA_QUESTION, "offset": 10}).json()
    assert shown_ids(page) == [hit["statement_id"] for hit in second["results"]]

    page.go_back()
    page.locator('ol.hits[start="1"]').wait_for()
    assert shown_ids(page) == first_page
    assert "offset" not in query_of(page.url)

    page.go_forward()
    page.locator('ol.hits[start="11"]').wait_for()
    assert shown_ids(page) == [hit["statement_id"] for hit in second["results"]]

    page.reload()  # the URL alone holds the whole state
    assert shown_ids(page) == [hit["statement_id"] for hit in second["results"]]


def test_export_csv_holds_the_rows_the_api_returned(
    page: Any, server: str, api: httpx.Client
) -> None:
    search(page, server, JA_QUESTION)

    with page.expect_download() as download_info:
        page.locator("#export-csv").click()
    path = download_info.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))

    expected = api.get("/search", params={"q": JA_QUESTION, "text": "full"}).json()["results"]
    assert [row["statement_id"] for row in rows] == [hit["statement_id"] for hit in expected]
    for row, hit in zip(rows, expected, strict=True):
        assert int(row["rank"]) == hit["rank"]
        assert row["date"] == hit["meeting"]["date"]
        assert row["meeting"] == hit["meeting"]["title"]
        assert row["text"] == hit["text"]
        assert row["record_url"] == (hit["source"]["url"] or hit["meeting"]["url"] or "")
        assert hit["meeting"]["title"] in row["citation"]
        assert row["speaker"] == speaker_label(hit["speaker"]["name"], hit["language"], "ja")


def test_a_bad_filter_shows_the_apis_error_beside_the_filled_form(
    page: Any, server: str, api: httpx.Client
) -> None:
    page.goto(f"{server}/ui")
    page.get_by_label("質問").fill(JA_QUESTION)
    page.get_by_label("開始日").fill("2023-01-01")
    page.get_by_label("終了日").fill("2022-01-01")
    page.get_by_role("button", name="検索").click()
    page.wait_for_selector(".error")

    api_error = api.get(
        "/search", params={"q": JA_QUESTION, "date_from": "2023-01-01", "date_to": "2022-01-01"}
    )
    assert api_error.status_code == 422
    assert page.locator(".error-code").inner_text() == api_error.json()["error"]
    assert "date_from must not be after date_to" in page.locator(".error-detail").inner_text()
    assert page.get_by_label("質問").input_value() == JA_QUESTION


def test_no_results_says_so(page: Any, server: str) -> None:
    page.goto(f"{server}/ui?q=zzzqqqxxyy&mode=lexical")
    assert page.locator("p.empty").is_visible()
    assert page.locator("li.hit").count() == 0
