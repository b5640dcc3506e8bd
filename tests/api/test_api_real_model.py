"""End to end with the real multilingual-e5-small: a question finds the remark that answers it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from indexer.index_dir import open_index
from indexer.pipeline import PRIMARY_CHANNEL, UpdateOptions, update_index
from models.embedder import Embedder
from search_api.app import create_app
from search_api.searcher import SearchableIndex, Searcher
from search_api.settings import Settings

SEED = "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt"


@pytest.mark.model
def test_japanese_and_english_questions_find_the_deficit_country_remark(
    real_embedder: object, tmp_path: Path, corpus_dir: Path
) -> None:
    embedders = {PRIMARY_CHANNEL: cast(Embedder, real_embedder)}
    index_dir = tmp_path / "index"
    update_index(index_dir, [corpus_dir / SEED], embedders, UpdateOptions(progress=False))

    def factory(settings: Settings) -> Any:
        index = open_index(settings.index_dir, embedders)
        return Searcher(cast(SearchableIndex, index), embedders)

    app = create_app(Settings(index_dir=index_dir), searcher_factory=factory)
    with TestClient(app) as client:
        health = client.get("/health").json()
        assert health["model"]["id"] == cast(Embedder, real_embedder).model_id

        for question in (
            "エネルギーも輸送も市場も外国頼みという日本の弱さ",
            "Japan depends on other countries for energy, shipping and markets",
        ):
            page = client.get("/search", params={"q": question, "mode": "semantic", "limit": 3})
            assert page.status_code == 200
            texts = [hit["text"] for hit in page.json()["results"]]
            assert any("「赤字国」" in text for text in texts), (question, texts)
