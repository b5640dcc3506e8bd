"""The default e5 runtime (OpenVINO, bf16 where the CPU has it) agrees with the reference.

sentence-transformers in fp32 is the reference implementation. The fast runtime shares its
fingerprint, so its vectors must agree on real minutes closely enough that an index built by
either is searched by the other (cosine >= 0.9999, far inside the project's quality rule).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models.exported_encoder import QUESTION_WIDTHS, ExportedEncoderEmbedder
from models.loading import EncoderOptions, load_embedder
from models.token_batches import MAX_BATCH_SEQUENCES

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def reference() -> Any:
    return load_embedder(None, EncoderOptions(backend="torch"))


def _real_texts(corpus_dir: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted((corpus_dir / "kokkai" / "meetings").glob("*.json"))[:10]:
        records = json.loads(path.read_text(encoding="utf-8"))["speechRecord"]
        texts += [record["speech"][:400] for record in records[:12]]
    fomc = corpus_dir / "minutes" / "2022-03-16_fomc-minutes_en.txt"
    texts += [line for line in fomc.read_text(encoding="utf-8").splitlines() if len(line) > 300][:6]
    texts.append("短い")
    return texts


def test_the_default_on_this_cpu_is_the_exported_runtime(real_embedder: Any) -> None:
    assert isinstance(real_embedder, ExportedEncoderEmbedder)
    assert real_embedder.runtime.startswith("documents openvino-")


def test_documents_agree_with_the_reference_on_real_minutes(
    real_embedder: Any, reference: Any, corpus_dir: Path
) -> None:
    texts = _real_texts(corpus_dir)
    assert len(texts) > 2 * MAX_BATCH_SEQUENCES  # several batches, in flight at once
    cosines = np.sum(real_embedder.embed_documents(texts) * reference.embed_documents(texts), 1)
    assert cosines.min() >= 0.9999, cosines.min()


def test_questions_agree_with_the_reference(real_embedder: Any, reference: Any) -> None:
    questions = (
        "半導体の安定供給をどう確保するか",
        "What did the Committee decide on rates?",
        "地方の若い女性が地元企業を選ばず都会で働く決め手の一つとして、在宅で働けるかどうかが"
        "どの程度効いているのか、自治体はどんな支援をすべきか",
        "Why did Japan fail to anticipate the global shortage of semiconductors, and what did "
        "the government change in its economic security legislation, its subsidies for new "
        "factories and its cooperation with the United States and Taiwan afterwards?",
    )
    lengths = [len(real_embedder.tokens("query: " + q)) for q in questions]
    widths = QUESTION_WIDTHS
    assert min(lengths) <= widths[0] and any(n > widths[-1] for n in lengths), lengths
    assert any(widths[0] < n <= widths[-1] for n in lengths), lengths  # padded, and dynamic
    for question in questions:
        cosine = float(real_embedder.embed_query(question) @ reference.embed_query(question))
        assert cosine >= 0.9999, (question, cosine)


def test_the_fast_runtime_shares_the_reference_fingerprint(
    real_embedder: Any, reference: Any
) -> None:
    assert real_embedder.fingerprint == reference.fingerprint
    assert real_embedder.dimension == reference.dimension == 384


def test_batches_return_vectors_in_the_callers_order(real_embedder: Any) -> None:
    texts = ["長い文章です。" * 40, "短い", "中くらいの長さの文章です。" * 5]
    together = real_embedder.embed_documents(texts)
    alone = np.stack([real_embedder.embed_documents([text])[0] for text in texts])
    assert np.sum(together * alone, axis=1).min() >= 0.9999
    assert real_embedder.embed_documents([]).shape == (0, 384)
