"""`policy-search serve` as a real uvicorn process on loopback, queried over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.live_server import live_server


@pytest.fixture()
def server(small_index: Path, tmp_path: Path) -> Iterator[str]:
    """A running server on 127.0.0.1; yields its base URL, terminates it afterwards."""
    with live_server(small_index, tmp_path / "server.log") as base:
        yield base


def test_a_real_server_answers_search_and_errors_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        health = http.get("/health").json()
        assert health["counts"]["meetings"] == 6

        page = http.get("/search", params={"q": "サプライチェーンの強靱化", "limit": 3}).json()
        assert len(page["results"]) == 3
        assert page["results"][0]["rank"] == 1

        posted = http.post("/search", json={"q": "サプライチェーンの強靱化", "limit": 3})
        assert posted.json() == page

        missing = http.get("/statements/nothing-here")
        assert missing.status_code == 404
        assert missing.json()["error"] == "statement_not_found"

        too_long = http.get("/search", params={"q": "x" * 2001})
        assert too_long.status_code == 422
