"""Themes in the browser: the theme filter and facet counts, and a theme page's timeline chart."""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

pytestmark = pytest.mark.browser

THEME = "econsec:patents"


def test_a_theme_page_draws_the_apis_timeline_and_lists_its_remarks(
    page: Any, server: str, api: httpx.Client
) -> None:
    timeline = api.get(f"/themes/{THEME}/timeline", params={"by": "house"}).json()
    assert timeline["points"], "the test theme has dated remarks"

    page.goto(f"{server}/ui/themes/{quote(THEME, safe='')}?by=house")
    page.locator("svg.timeline rect.bar").first.wait_for()
    bars = page.eval_on_selector_all(
        "svg.timeline rect.bar",
        "rs => rs.map(r => [r.dataset.period, r.dataset.group, Number(r.dataset.count)])",
    )
    drawn = Counter({(period, group): count for period, group, count in bars})
    expected = Counter({(p["period"], p["group"] or ""): p["count"] for p in timeline["points"]})
    assert drawn == expected
    assert page.locator(".chart-table tbody tr").count() == len(timeline["points"])
    legend = page.locator("ul.legend li").all_inner_texts()
    assert set(legend) == {p["group"] for p in timeline["points"]}

    detail = api.get(f"/themes/{THEME}").json()
    assert page.locator("h1").inner_text() == (detail["name_ja"] or detail["name"])
    shown = page.eval_on_selector_all(
        ".representative li.hit", "items => items.map(i => i.dataset.statementId)"
    )
    assert shown == [s["statement_id"] for s in detail["representative"]]

    page.get_by_role("link", name="月別").click()  # the chart's options are links: URL state
    page.locator("svg.timeline rect.bar").first.wait_for()
    assert "interval=month" in page.url
    months = api.get(f"/themes/{THEME}/timeline", params={"by": "house", "interval": "month"})
    periods = set(
        page.eval_on_selector_all("svg.timeline rect.bar", "rs => rs.map(r => r.dataset.period)")
    )
    assert periods == {p["period"] for p in months.json()["points"]}


def test_a_themes_remarks_export_as_csv_with_citations(
    page: Any, server: str, api: httpx.Client
) -> None:
    page.goto(f"{server}/ui/themes/{quote(THEME, safe='')}")
    with page.expect_download() as download_info:
        page.locator("#export-theme-csv").click()
    rows = list(
        csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text("utf-8-sig")))
    )
    expected = api.get(f"/themes/{THEME}/statements", params={"limit": 100, "text": "full"})
    items = expected.json()["results"]
    assert [r["statement_id"] for r in rows] == [s["statement_id"] for s in items]
    assert all(r["confidence"] for r in rows)
    assert [r["text"] for r in rows] == [s["text"] for s in items]


def test_the_theme_filter_and_the_facet_counts_come_from_the_api(
    page: Any, server: str, api: httpx.Client
) -> None:
    question = "特許出願の非公開"
    page.goto(f"{server}/ui")
    page.locator("#q").fill(question)
    page.get_by_label("テーマ").select_option(THEME)
    page.get_by_role("button", name="検索").click()
    page.locator("li.hit").first.wait_for()

    expected = api.get(
        "/search", params={"q": question, "theme": THEME, "facets": "theme,body,year"}
    ).json()
    ids = page.eval_on_selector_all("li.hit", "items => items.map(i => i.dataset.statementId)")
    assert ids == [hit["statement_id"] for hit in expected["results"]]
    assert all(THEME in {t["id"] for t in hit["themes"]} for hit in expected["results"])
    for name in ("body", "year"):
        shown = page.eval_on_selector_all(
            f'.facet[data-facet="{name}"] li',
            "items => items.map(i => [i.querySelector('a').dataset.value,"
            " Number(i.querySelector('.count').textContent)])",
        )
        assert shown == [[f["value"], f["count"]] for f in expected["facets"][name][:8]]

    year = expected["facets"]["year"][0]["value"]
    page.locator(f'.facet[data-facet="year"] a[data-value="{year}"]').click()
    page.wait_for_url(f"**date_from={year}-01-01**")
    dates = page.locator("li.hit .meta .date").all_inner_texts()
    assert dates and all(date.startswith(year) for date in dates)
