"""Fixtures for the HTTP API tests: one small real index per session, a client per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from search_api.app import create_app
from search_api.settings import Settings
from tests.small_index import build_index


@pytest.fixture(scope="session")
def small_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """A read-only index of six real meetings built with the fake embedder."""
    return build_index(tmp_path_factory.mktemp("api-index") / "index", corpus_dir)


@pytest.fixture()
def client(small_index: Path) -> Iterator[TestClient]:
    """A client of an app serving ``small_index`` (lifespan run: model and index opened)."""
    app = create_app(Settings(index_dir=small_index, model_name="fake"))
    with TestClient(app) as test_client:
        yield test_client
