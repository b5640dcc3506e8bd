"""The service around the routes: lifespan, CORS, docs, no index, reload after an update."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from indexer.pipeline import UpdateOptions, default_embedders, rebuild_index
from search_api.app import create_app
from search_api.python_api import IndexOpener
from search_api.settings import Settings
from tests.small_index import LATE_ADDITION, SMALL_CORPUS, build_index


def settings_for(index_dir: Path, **extra: Any) -> Settings:
    return Settings(index_dir=index_dir, model_name="fake", **extra)


def test_model_and_index_are_opened_once_at_startup_not_per_request(small_index: Path) -> None:
    opened: list[Settings] = []
    opener = IndexOpener()

    def factory(settings: Settings) -> Any:
        opened.append(settings)
        return opener(settings)

    app = create_app(settings_for(small_index), searcher_factory=factory)
    assert opened == []  # nothing happens when the app is created
    with TestClient(app) as client:
        assert len(opened) == 1
        for _ in range(3):
            assert client.get("/search", params={"q": "半導体"}).status_code == 200
        assert client.get("/health").status_code == 200
    assert len(opened) == 1


def test_cors_headers_only_for_configured_origins(small_index: Path) -> None:
    origin = "https://analyst.example"
    app = create_app(settings_for(small_index, cors_origins=(origin,)))
    with TestClient(app) as client:
        allowed = client.get("/health", headers={"Origin": origin})
        other = client.get("/health", headers={"Origin": "https://elsewhere.example"})
        preflight = client.options(
            "/search",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
    assert allowed.headers["access-control-allow-origin"] == origin
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == origin


def test_no_cors_headers_when_no_origin_is_configured(client: TestClient) -> None:
    response = client.get("/health", headers={"Origin": "https://analyst.example"})

    assert "access-control-allow-origin" not in response.headers


def test_openapi_documents_every_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    assert set(spec["paths"]) >= {
        "/search",
        "/statements/{statement_id}",
        "/statements/{statement_id}/related",
        "/meetings",
        "/meetings/{meeting_id}",
        "/health",
    }
    assert set(spec["paths"]["/search"]) == {"get", "post"}
    query_names = {p["name"] for p in spec["paths"]["/search"]["get"]["parameters"]}
    assert query_names >= {"q", "limit", "offset", "mode", "meeting_id", "date_from", "speaker"}
    assert client.get("/docs").status_code == 200


def test_without_an_index_every_endpoint_answers_503_and_says_why(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path / "missing"))
    with TestClient(app) as client:
        for url in ("/health", "/meetings", "/search?q=x"):
            response = client.get(url)
            assert response.status_code == 503
            assert response.json()["error"] == "index_not_found"
            assert "policy-search index" in response.json()["detail"]


def test_an_index_built_after_startup_is_served_without_restart(
    tmp_path: Path, corpus_dir: Path
) -> None:
    index_dir = tmp_path / "index"
    app = create_app(settings_for(index_dir), reload_interval=0.0)
    with TestClient(app) as client:
        assert client.get("/health").status_code == 503
        build_index(index_dir, corpus_dir, SMALL_CORPUS[:1])
        response = client.get("/health")
        assert response.status_code == 200
        assert response.json()["counts"]["meetings"] == 1


def test_a_completed_update_is_picked_up_while_serving(tmp_path: Path, corpus_dir: Path) -> None:
    index_dir = build_index(tmp_path / "index", corpus_dir, SMALL_CORPUS[:2])
    app = create_app(settings_for(index_dir), reload_interval=0.0)
    with TestClient(app) as client:
        before = client.get("/meetings").json()
        assert before["total"] == 2

        build_index(index_dir, corpus_dir, (LATE_ADDITION,))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            after = client.get("/meetings").json()  # the old index answers meanwhile
            if after["total"] == 3:
                break
            time.sleep(0.05)
        assert after["total"] == 3
        assert client.app.state.live.generation == 2  # type: ignore[attr-defined]
        hits = client.get("/search", params={"q": "経済産業", "meeting_id": after_id(after)})
        assert hits.status_code == 200
        assert hits.json()["results"]


def after_id(listing: dict[str, Any]) -> str:
    """The id of the meeting added late (the 2021-12-15 Diet committee sitting)."""
    return next(m["id"] for m in listing["meetings"] if m["date"] == "2021-12-15")


def test_a_deleted_index_keeps_answering_from_memory(tmp_path: Path, corpus_dir: Path) -> None:
    index_dir = build_index(tmp_path / "index", corpus_dir, SMALL_CORPUS[:1])
    app = create_app(settings_for(index_dir), reload_interval=0.0)
    with TestClient(app) as client:
        shutil.rmtree(index_dir / "faiss", ignore_errors=True)
        (index_dir / "manifest.json").unlink()
        response = client.get("/search", params={"q": "経済安全保障"})
    assert response.status_code == 200
    assert response.json()["results"]


def test_a_rebuilt_index_swapped_in_is_picked_up(tmp_path: Path, corpus_dir: Path) -> None:
    index_dir = build_index(tmp_path / "index", corpus_dir, SMALL_CORPUS[:2])
    app = create_app(settings_for(index_dir), reload_interval=0.0)
    with TestClient(app) as client:
        assert client.get("/meetings").json()["total"] == 2

        rebuild_index(
            index_dir,
            [corpus_dir / LATE_ADDITION],
            default_embedders("fake"),
            UpdateOptions(progress=False),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            listing = client.get("/meetings").json()
            if listing["total"] == 1:
                break
            time.sleep(0.05)
        assert [m["date"] for m in listing["meetings"]] == ["2021-12-15"]
        assert client.get("/search", params={"q": "半導体"}).json()["results"]
