"""The exported graph's word-embedding table lives outside the graph, memory-mapped.

A server holds only the table rows its questions touch; a runtime reading a private copy of the
whole 384 MB table per compiled model is what this layout avoids.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.errors import EmbeddingError
from models.onnx_export import embed_tokens, load_word_embeddings


def test_the_table_is_memory_mapped_read_only(tmp_path: Path) -> None:
    path = tmp_path / "word_embeddings.npy"
    np.save(path, np.arange(12, dtype=np.float32).reshape(4, 3))

    table = load_word_embeddings(path)

    assert isinstance(table, np.memmap)
    assert not table.flags.writeable
    vectors = embed_tokens(table, np.array([[3, 0]], dtype=np.int64))
    assert vectors.shape == (1, 2, 3) and vectors.dtype == np.float32
    assert vectors.flags.c_contiguous and not isinstance(vectors, np.memmap)
    assert vectors[0, 0].tolist() == [9.0, 10.0, 11.0]


def test_a_broken_or_wrong_table_is_an_error_naming_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.npy"
    broken.write_bytes(b"not a numpy file")
    with pytest.raises(EmbeddingError, match=r"broken\.npy"):
        load_word_embeddings(broken)

    wrong = tmp_path / "wrong.npy"
    np.save(wrong, np.zeros((2, 2), dtype=np.float64))
    with pytest.raises(EmbeddingError, match=r"wrong\.npy is not a float32 table"):
        load_word_embeddings(wrong)
