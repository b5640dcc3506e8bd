"""Tokenising, length-bucketed batching and mean pooling for BERT-style sentence encoders.

The runtimes in ``openvino_runtime`` and ``onnx_runtime`` only run the transformer; this module
does what sentence-transformers does around it for multilingual-e5 (prompt, tokenizer with
truncation, mean pooling over the attention mask, L2 normalisation), with one difference that
matters for speed: texts are sorted by *token* count, not characters, so a batch pads to its
longest member by a few tokens at most.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from models.embedder import FloatMatrix
from models.errors import EmbeddingError

IntMatrix = npt.NDArray[np.int64]
Hidden = npt.NDArray[np.float32]
Forward = Callable[[IntMatrix, IntMatrix], Hidden]
"""A transformer run: (input ids, attention mask) -> last hidden states (batch, tokens, dim)."""

MAX_BATCH_SEQUENCES = 32
MAX_BATCH_TOKENS = 16_384


@dataclass(frozen=True, slots=True)
class TokenBatch:
    """Rows of the input (positions in the caller's list) and their padded ids and mask."""

    rows: npt.NDArray[np.intp]
    input_ids: IntMatrix
    attention_mask: IntMatrix


class Transformer(Protocol):
    """A runtime's transformer: one batch at a time, or many (which a runtime may overlap)."""

    def __call__(self, input_ids: IntMatrix, attention_mask: IntMatrix) -> Hidden: ...

    def run_many(self, batches: Sequence[TokenBatch]) -> list[Hidden]:
        """The last hidden states of each batch, in order."""
        ...


def run_in_turn(forward: Forward, batches: Sequence[TokenBatch]) -> list[Hidden]:
    """``run_many`` for a runtime that gains nothing from overlapping batches."""
    return [forward(batch.input_ids, batch.attention_mask) for batch in batches]


class SentenceTokenizer:
    """The model folder's tokenizer with truncation at the model's sequence limit: SentencePiece
    where the folder carries its unigram files (``unigram_tokenizer``), else ``tokenizer.json``
    through the ``tokenizers`` library."""

    def __init__(self, folder: Path, max_tokens: int, pad_id: int = 1) -> None:
        from models.unigram_tokenizer import UnigramTokenizer, has_unigram_files

        self._pad_id = pad_id
        self._unigram: UnigramTokenizer | None = None
        if has_unigram_files(folder):
            self._unigram = UnigramTokenizer(folder, max_tokens)
            return
        from tokenizers import Tokenizer

        try:
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        except Exception as exc:  # tokenizers raises its own Exception type
            raise EmbeddingError(f"cannot read the tokenizer in {folder}: {exc}") from exc
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_tokens)

    @property
    def library(self) -> str:
        """Which library tokenises (for logs and benchmarks)."""
        return "sentencepiece" if self._unigram is not None else "tokenizers"

    def tokens(self, text: str) -> list[str]:
        """The tokens of ``text`` (special tokens included), for inspection."""
        if self._unigram is not None:
            return self._unigram.tokens(text)
        return list(self._tokenizer.encode(text).tokens)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, special tokens included."""
        if self._unigram is not None:
            return self._unigram.token_ids(texts)
        return [encoding.ids for encoding in self._tokenizer.encode_batch(list(texts))]

    def batches(
        self,
        texts: Sequence[str],
        max_sequences: int = MAX_BATCH_SEQUENCES,
        max_tokens: int = MAX_BATCH_TOKENS,
    ) -> Iterator[TokenBatch]:
        """Batches of texts of similar token length, longest first (the worst case fails early)."""
        yield from bucket_by_length(self.token_ids(texts), self._pad_id, max_sequences, max_tokens)


def bucket_by_length(
    token_ids: Sequence[Sequence[int]], pad_id: int, max_sequences: int, max_tokens: int
) -> Iterator[TokenBatch]:
    """Group sequences sorted by length into padded batches of bounded size.

    A batch holds at most ``max_sequences`` sequences and at most ``max_tokens`` padded tokens
    (but always at least one sequence).
    """
    order = sorted(range(len(token_ids)), key=lambda row: len(token_ids[row]), reverse=True)
    start = 0
    while start < len(order):
        width = max(len(token_ids[order[start]]), 1)
        count = max(1, min(max_sequences, max_tokens // width, len(order) - start))
        rows = np.array(order[start : start + count], dtype=np.intp)
        ids = np.full((count, width), pad_id, dtype=np.int64)
        mask = np.zeros((count, width), dtype=np.int64)
        for i, row in enumerate(rows):
            sequence = token_ids[row]
            ids[i, : len(sequence)] = sequence
            mask[i, : len(sequence)] = 1
        yield TokenBatch(rows, ids, mask)
        start += count


def mean_pool(hidden: npt.NDArray[np.floating], mask: IntMatrix) -> FloatMatrix:
    """Mean of the token vectors the mask keeps, L2-normalised (sentence-transformers' pooling)."""
    weights = mask[:, :, None].astype(np.float32)
    summed = (hidden.astype(np.float32) * weights).sum(axis=1)
    pooled = summed / np.maximum(weights.sum(axis=1), 1.0)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def encode_texts(
    tokenizer: SentenceTokenizer, transformer: Transformer, texts: Sequence[str], dimension: int
) -> FloatMatrix:
    """Embed ``texts`` (prompts already applied) through ``transformer``, in the caller's
    order."""
    vectors = np.zeros((len(texts), dimension), dtype=np.float32)
    batches = list(tokenizer.batches(texts))
    for batch, hidden in zip(batches, transformer.run_many(batches), strict=True):
        vectors[batch.rows] = mean_pool(hidden, batch.attention_mask)
    return vectors
