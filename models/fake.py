"""A tiny deterministic stand-in embedder for plumbing tests (no model, no torch)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from models.embedder import FloatMatrix

_TOKEN = re.compile(r"\w", re.UNICODE)


class HashingEmbedder:
    """Bag of character bigrams hashed into ``dimension`` buckets, L2-normalised.

    Texts that share characters get similar vectors, so search plumbing behaves sensibly, but
    nothing here is a quality claim.
    """

    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension

    @property
    def model_id(self) -> str:
        return f"hashing-{self._dimension}"

    @property
    def fingerprint(self) -> str:
        return f"hashing-bigram-v1-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed_documents(self, texts: Sequence[str]) -> FloatMatrix:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            chars = _TOKEN.findall(text.lower())
            for first, second in pairwise(chars):
                digest = hashlib.blake2b((first + second).encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
            else:
                out[row, 0] = 1.0
        return out

    def embed_query(self, text: str) -> FloatMatrix:
        return self.embed_documents([text])[0]
