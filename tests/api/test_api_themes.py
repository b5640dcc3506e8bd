"""/themes, /themes/{id}, its timeline and statements; theme filter and facets on /search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from indexer.store import StatementStore
from indexer.themes.service import install_theme_set
from indexer.themes.taxonomy import read_theme_file
from models.errors import ConfigError, ThemeNotFoundError
from search_api import python_api
from search_api.app import create_app
from search_api.settings import Settings
from tests.small_index import build_index
from tests.storage.test_themes_index import THEMES


@pytest.fixture(scope="module")
def themed_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """An index of six real meetings with the test theme set (keywords only)."""
    directory = build_index(tmp_path_factory.mktemp("api-themes") / "index", corpus_dir)
    path = directory.parent / "econsec.toml"
    path.write_text(THEMES, encoding="utf-8")
    store = StatementStore.open(directory / "index.sqlite")
    try:
        install_theme_set(store, read_theme_file(path), {})
    finally:
        store.close()
    return directory


@pytest.fixture(scope="module")
def themed_client(themed_index: Path) -> Iterator[TestClient]:
    """A client of ``themed_index``."""
    app = create_app(Settings(index_dir=themed_index, model_name="fake"))
    with TestClient(app) as client:
        yield client


def get_json(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_themes_lists_both_sets_with_counts(themed_client: TestClient) -> None:
    data = get_json(themed_client, "/themes")

    assert [s["id"] for s in data["sets"]] == ["cap", "econsec"]
    econsec = data["sets"][1]
    assert econsec["model"]["method"] == "keywords" and econsec["model"]["channels"] == []
    counts = {t["id"]: t["count"] for t in econsec["themes"]}
    assert counts["econsec:supply"] > 0 and counts["econsec:patents"] > 0
    assert econsec["none_mixed"] > 0


def test_a_theme_page_has_breakdowns_speakers_and_examples(themed_client: TestClient) -> None:
    data = get_json(themed_client, "/themes/econsec:patents")

    assert data["name_ja"] == "特許出願の非公開" and data["keywords"] == ["特許", "非公開"]
    assert sum(c["count"] for c in data["by_body"]) == data["count"]
    assert sum(c["count"] for c in data["by_year"]) == data["count"]
    assert data["top_speakers"] and data["representative"]
    scores = [s["score"] for s in data["representative"]]
    assert scores == sorted(scores, reverse=True)
    assert all("econsec:patents" in {t["id"] for t in s["themes"]} for s in data["representative"])


def test_the_timeline_by_house_adds_up(themed_client: TestClient) -> None:
    data = get_json(themed_client, "/themes/supply/timeline", interval="month", by="house")

    assert data["by"] == "house" and data["points"]
    assert {p["group"] for p in data["points"]} >= {"衆議院", "参議院"}
    assert sum(p["count"] for p in data["points"]) + data["undated"] == data["total"]


def test_theme_statements_are_paged_and_filtered(themed_client: TestClient) -> None:
    first = get_json(themed_client, "/themes/econsec:supply/statements", limit=3)
    second = get_json(themed_client, "/themes/econsec:supply/statements", limit=3, offset=3)
    house = get_json(
        themed_client, "/themes/econsec:supply/statements", body="参議院", order="date", limit=100
    )

    ids = [s["statement_id"] for s in first["results"] + second["results"]]
    assert len(set(ids)) == 6 and first["total"] == second["total"]
    assert 0 < house["total"] < first["total"]
    assert all("参議院" in s["meeting"]["body"] for s in house["results"])


def test_search_takes_a_theme_filter_and_returns_facets(themed_client: TestClient) -> None:
    data = get_json(
        themed_client,
        "/search",
        q="サプライチェーン",
        theme="econsec:patents,prices",
        facets="theme,body,year,speaker",
        limit=5,
    )

    assert data["results"] and set(data["facets"]) == {"theme", "body", "year", "speaker"}
    for hit in data["results"]:
        assert {t["id"] for t in hit["themes"]} & {"econsec:patents", "econsec:prices"}
    assert sum(v["count"] for v in data["facets"]["body"]) == data["total"]


def test_unknown_themes_and_facets_are_clear_errors(themed_client: TestClient) -> None:
    missing = themed_client.get("/themes/econsec:nothing")
    bad_filter = themed_client.get("/search", params={"q": "x", "theme": "nothing"})
    bad_facet = themed_client.get("/search", params={"q": "x", "facets": "colour"})
    bad_interval = themed_client.get("/themes/supply/timeline", params={"interval": "week"})

    assert missing.status_code == 404 and missing.json()["error"] == "theme_not_found"
    assert bad_filter.status_code == 404 and "econsec:supply" in bad_filter.json()["detail"]
    assert bad_facet.status_code == 400 and "theme, body, year" in bad_facet.json()["detail"]
    assert bad_interval.status_code == 422


def test_the_python_api_gives_the_theme_pages_of_the_http_api(
    themed_index: Path, themed_client: TestClient
) -> None:
    searcher = python_api.open_searcher(themed_index, model="fake")

    assert python_api.themes(searcher, body="参議院") == get_json(
        themed_client, "/themes", body="参議院"
    )
    timeline = python_api.theme_timeline(searcher, "supply", interval="month", by="house")
    via_http = get_json(themed_client, "/themes/supply/timeline", interval="month", by="house")
    # The response model adds `count: null` (a timeline's figure is `total`).
    assert timeline == {k: v for k, v in via_http.items() if k != "count"}
    assert sum(p["count"] for p in timeline["points"]) + timeline["undated"] == timeline["total"]

    detail = python_api.theme(searcher, "econsec:patents")
    via_api = get_json(themed_client, "/themes/econsec:patents")
    assert {k: v for k, v in detail.items() if k != "representative"} == {
        k: v for k, v in via_api.items() if k != "representative"
    }
    assert [s["statement_id"] for s in detail["representative"]] == [
        s["statement_id"] for s in via_api["representative"]
    ]


def test_python_theme_statements_take_the_api_parameters(
    themed_index: Path, themed_client: TestClient
) -> None:
    searcher = python_api.open_searcher(themed_index, model="fake")
    params = {"limit": 2, "offset": 1, "order": "date", "body": "参議院"}

    page = python_api.theme_statements(searcher, "econsec:supply", text="full", **params)
    via_api = get_json(themed_client, "/themes/econsec:supply/statements", **params)

    assert page["total"] == via_api["total"] and len(page["results"]) == 2
    assert [s["statement_id"] for s in page["results"]] == [
        s["statement_id"] for s in via_api["results"]
    ]
    assert all(not s["text_truncated"] for s in page["results"])
    assert any(s["text_truncated"] for s in via_api["results"])
    # The Python caller sees stored source paths; the HTTP API only file names.
    assert all("/" in s["source"]["file"] for s in page["results"])


def test_python_theme_functions_reject_what_the_api_rejects(themed_index: Path) -> None:
    searcher = python_api.open_searcher(themed_index, model="fake")

    with pytest.raises(ThemeNotFoundError, match="econsec:supply"):
        python_api.theme(searcher, "nothing")
    with pytest.raises(ConfigError, match="interval"):
        python_api.theme_timeline(searcher, "supply", interval="week")
    with pytest.raises(ConfigError, match="limit"):
        python_api.theme_statements(searcher, "supply", limit=101)
    with pytest.raises(ConfigError, match="date_from"):
        python_api.themes(searcher, date_from="2023-01-01", date_to="2022-01-01")


def test_related_reasons_name_exactly_the_themes_source_and_result_share(
    themed_client: TestClient,
) -> None:
    tagged = get_json(themed_client, "/themes/econsec:supply/statements", limit=1)
    source_id = tagged["results"][0]["statement_id"]
    url = f"/statements/{quote(source_id, safe='')}"
    own = {t["id"] for t in get_json(themed_client, url)["themes"]}
    assert "econsec:supply" in own

    data = get_json(themed_client, f"{url}/related", limit=20)

    shared_somewhere = False
    for hit in data["results"]:
        assert hit["statement_id"] != source_id
        expected = [f"{t['id']} {t['name']}" for t in hit["themes"] if t["id"] in own]
        assert hit["reason"]["themes"] == expected
        shared_somewhere = shared_somewhere or bool(expected)
    assert shared_somewhere  # the test is not vacuous: some result shares a theme


def test_a_text_sent_to_related_is_tagged_so_its_results_name_shared_themes(
    themed_client: TestClient,
) -> None:
    text = "半導体のサプライチェーンを強靱化し、供給網の寸断に備える。半導体の供給網が課題だ。"
    response = themed_client.post("/related", json={"q": text, "limit": 20})
    assert response.status_code == 200, response.text

    named = set()
    for hit in response.json()["results"]:
        own = {f"{t['id']} {t['name']}" for t in hit["themes"]}
        assert set(hit["reason"]["themes"]) <= own  # only themes the result is tagged with
        named.update(hit["reason"]["themes"])
        if "econsec:supply" in {t["id"] for t in hit["themes"]}:
            assert "econsec:supply Supply chains" in hit["reason"]["themes"]
    assert "econsec:supply Supply chains" in named  # the text itself was tagged "supply"
    assert not any(name.startswith("econsec:patents") for name in named)
