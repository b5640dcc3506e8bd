"""The role every embedding model plays: texts in, L2-normalised float32 vectors out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """An embedding model for questions and statements.

    Vectors are float32 and L2-normalised, so inner product is cosine similarity.
    ``fingerprint`` identifies model and weights exactly: an index records it and refuses to be
    searched with an embedder whose fingerprint differs.
    """

    @property
    def model_id(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed statements/passages; returns shape (len(texts), dimension)."""
        ...

    def embed_query(self, text: str) -> FloatMatrix:
        """Embed one question; returns shape (dimension,)."""
        ...
