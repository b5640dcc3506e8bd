"""Choosing an embedder by name, without loading any real model."""

from __future__ import annotations

from models.embedder import Embedder
from models.fake import HashingEmbedder
from models.loading import family_prompts, load_embedder


def test_fake_and_hashing_give_the_deterministic_embedder() -> None:
    for name in ("fake", "hashing", "FAKE"):
        embedder = load_embedder(name)
        assert isinstance(embedder, HashingEmbedder)
        assert isinstance(embedder, Embedder)


def test_e5_models_get_query_and_passage_prompts() -> None:
    assert family_prompts("intfloat/multilingual-e5-base") == ("query: ", "passage: ")
    assert family_prompts("/models/multilingual-e5-large/") == ("query: ", "passage: ")


def test_ruri_models_get_their_japanese_prompts() -> None:
    assert family_prompts("cl-nagoya/ruri-v3-130m") == ("検索クエリ: ", "検索文書: ")


def test_other_models_take_prompts_from_their_own_config() -> None:
    assert family_prompts("sentence-transformers/all-MiniLM-L6-v2") == (None, None)
    assert family_prompts("BAAI/bge-m3") == (None, None)
