"""Statement and meeting pages, languages, keyboard, narrow windows and error states in Chromium."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from search_api.web.views import hit_link
from tests.api.live_server import live_server

pytestmark = pytest.mark.browser

QUESTION = "サプライチェーンの強靱化"


def test_a_statement_shows_its_full_text_with_the_matched_passage_and_related_remarks(
    page: Any, server: str, api: httpx.Client
) -> None:
    params = {"q": QUESTION, "mode": "lexical", "limit": 1, "text": "full"}
    hit = api.get("/search", params=params).json()["results"][0]
    page.goto(f"{server}/ui?q={QUESTION}&mode=lexical")
    page.locator("li.hit").first.get_by_role("link", name="発言を開く").click()
    page.wait_for_selector("article.statement")

    full = page.locator(".full-text").inner_text()
    assert full.strip() == hit["text"].strip()
    assert page.locator("mark.passage").inner_text().strip() == hit["highlight"]["passage"].strip()
    assert page.locator("mark.passage mark").count() > 0

    span = {k: hit["highlight"][k] for k in ("char_start", "char_end")}  # for the marked passage
    related = api.get(
        f"/statements/{_quoted(hit['statement_id'])}/related", params={"limit": 5, **span}
    ).json()["results"]
    related_ids = [item["statement_id"] for item in related]
    shown = page.eval_on_selector_all(
        "section.related li.hit", "items => items.map(i => i.dataset.statementId)"
    )
    assert shown == related_ids and shown
    meetings = set(page.locator("section.related .meta .meeting").all_inner_texts())
    assert hit["meeting"]["title"] not in meetings  # other meetings
    reasons = page.locator("section.related li.hit .reason")
    assert reasons.count() == len(related)  # each with the reason the API gives
    for box, item in zip(reasons.all(), related, strict=True):
        assert item["reason"]["source"]["text"][:20] in box.locator(".reason-source").inner_text()
        if item["reason"]["terms"]:
            assert box.locator(".reason-terms mark").all_inner_texts() == item["reason"]["terms"]

    page.locator("section.related li.hit").first.get_by_role("link", name="発言を開く").click()
    page.wait_for_url(re.compile("/ui/statements/"))
    assert page.locator("article.statement").get_attribute("data-statement-id") == shown[0]


def test_related_remarks_of_a_long_speech_are_found_for_its_matched_passage(
    page: Any, server: str, api: httpx.Client
) -> None:
    params = {"q": QUESTION, "limit": 30, "text": "full"}
    hits = api.get("/search", params=params).json()["results"]
    hit = next(
        h
        for h in hits
        if h["highlight"]["char_start"] > 0 or h["highlight"]["char_end"] < len(h["text"])
    )
    span = {k: hit["highlight"][k] for k in ("char_start", "char_end")}
    path = f"/statements/{_quoted(hit['statement_id'])}/related"
    expected = api.get(path, params={"limit": 5, **span}).json()["results"]

    page.goto(server + hit_link(hit))
    shown = page.eval_on_selector_all(
        "section.related li.hit", "items => items.map(i => i.dataset.statementId)"
    )
    assert shown == [item["statement_id"] for item in expected]
    assert page.locator("section.related .note").is_visible()
    sources = {item["reason"]["source"]["char_start"] for item in expected}
    assert sources <= set(range(span["char_start"], span["char_end"]))  # from the passage


def test_a_diet_answer_shows_the_question_before_it_and_what_came_after(
    page: Any, server: str, api: httpx.Client
) -> None:
    meetings = api.get("/meetings").json()["meetings"]
    diet = next(m for m in meetings if "衆議院" in m["body"])
    statements = api.get(f"/meetings/{diet['id']}", params={"text": "full"}).json()["statements"]
    substantive = [s for s in statements if not s["procedural"]]
    middle = substantive[len(substantive) // 2]
    at = substantive.index(middle)

    page.goto(f"{server}/ui/statements/{_quoted(middle['statement_id'])}")
    before = page.locator(".neighbour.before .excerpt").inner_text()
    after = page.locator(".neighbour.after .excerpt").inner_text()
    assert before.rstrip("…")[:50] == substantive[at - 1]["text"][:50]
    assert after.rstrip("…")[:50] == substantive[at + 1]["text"][:50]

    page.get_by_role("link", name="会議の全発言").click()
    page.wait_for_selector("article.meeting-page")
    remarks = page.locator("ol.remarks > li")
    assert remarks.count() == len(statements)
    assert page.locator("li.remark.focus .text").inner_text()[:40] == middle["text"][:40]


def test_a_panel_summary_meeting_has_its_discussion_points_as_headings(
    page: Any, server: str, api: httpx.Client
) -> None:
    meetings = api.get("/meetings").json()["meetings"]
    panel = next(m for m in meetings if "議事要旨" in (m["title"] or ""))
    statements = api.get(f"/meetings/{panel['id']}").json()["statements"]
    topics = list(dict.fromkeys(s["topic"] for s in statements if s["topic"]))

    page.goto(f"{server}/ui/meetings/{panel['id']}?lang=en")
    assert page.locator("h2.topic-heading").all_inner_texts() == topics
    assert "panel member" in page.locator("li.remark .speaker").all_inner_texts()


def test_the_browsers_language_chooses_the_labels_and_the_switch_changes_them(
    browser_context: Any, server: str
) -> None:
    tab = browser_context.new_page()
    try:
        english = {"accept-language": "en-GB,en;q=0.9,ja;q=0.5"}
        # The profile's locale is Japanese; this tab's requests say the reader prefers English.
        tab.route(
            "**/*", lambda route: route.continue_(headers={**route.request.headers, **english})
        )
        tab.goto(f"{server}/ui")
        assert tab.locator("html").get_attribute("lang") == "en"
        assert tab.get_by_role("button", name="Search").is_visible()
        tab.get_by_role("link", name="日本語").click()
        tab.wait_for_url(re.compile("lang=ja"))
        assert tab.get_by_role("button", name="検索").is_visible()
    finally:
        tab.close()


def test_every_control_is_labelled_and_the_keyboard_alone_searches(page: Any, server: str) -> None:
    page.goto(f"{server}/ui")
    unlabelled = page.eval_on_selector_all(
        "input:not([type=hidden]), select, textarea",
        "els => els.filter(e => !e.labels || e.labels.length === 0).map(e => e.name)",
    )
    assert unlabelled == []

    assert page.evaluate("document.activeElement.id") == "q"  # type at once
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_selector("li.hit")
    assert page.evaluate("document.activeElement.id") == "results-heading"
    for _ in range(60):  # Tab on (past exports and facet links) to the first "open" link
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('open')"):
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("article.statement")

    page.goto(f"{server}/ui?q={QUESTION}")
    page.keyboard.press("Tab")  # on a page of results the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"


def test_a_narrow_window_needs_no_sideways_scrolling(browser_context: Any, server: str) -> None:
    tab = browser_context.new_page()
    try:
        tab.set_viewport_size({"width": 360, "height": 740})
        tab.goto(f"{server}/ui?q={QUESTION}")
        tab.wait_for_selector("li.hit")
        overflow = tab.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    finally:
        tab.close()


def test_a_spinner_shows_while_a_search_runs(page: Any, server: str) -> None:
    page.goto(f"{server}/ui")
    page.route("**/ui?*", lambda route: (page.wait_for_timeout(400), route.continue_()))
    page.locator("#q").fill(QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_selector("#loading:not([hidden])")
    page.wait_for_selector("li.hit")
    assert page.locator("#loading").is_hidden()


def test_a_server_without_an_index_says_why_in_the_page(page: Any, tmp_path: Path) -> None:
    with live_server(tmp_path / "no-index", tmp_path / "server.log", ready_status=None) as base:
        api_error = httpx.get(f"{base}/search", params={"q": QUESTION})
        page.goto(f"{base}/ui?q={QUESTION}")
        assert api_error.status_code == 503
        assert page.locator(".error-code").inner_text() == api_error.json()["error"]
        assert page.locator(".error-detail").inner_text() == api_error.json()["detail"]

        page.goto(f"{base}/ui?lang=en")
        assert page.locator(".error h2").inner_text().startswith("Error")
        assert page.locator(".error-code").inner_text() == api_error.json()["error"]


def _quoted(statement_id: str) -> str:
    from urllib.parse import quote

    return quote(statement_id, safe="")


def test_a_json_error_reaching_the_script_is_shown_as_its_error_and_detail(
    page: Any, server: str, api: httpx.Client
) -> None:
    """A proxy or an overloaded server may answer a page request with the API's JSON error."""
    blank = api.get("/search", params={"q": " "})
    assert blank.status_code == 422
    page.goto(f"{server}/ui")
    page.route("**/ui?*", lambda route: route.continue_(url=f"{server}/search?q=%20"))
    page.locator("#q").fill(QUESTION)
    page.keyboard.press("Enter")

    page.locator(".error").wait_for()
    assert page.locator(".error-code").inner_text() == blank.json()["error"]
    assert page.locator(".error-detail").inner_text() == blank.json()["detail"]
