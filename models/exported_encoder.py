"""multilingual-e5 through an exported graph: OpenVINO or onnxruntime instead of torch.

``ExportedEncoderEmbedder`` plays the same ``Embedder`` role as the sentence-transformers
adapter, for a model folder whose transformer has been exported to ONNX (``onnx_export``): the
documents run through one runtime (OpenVINO bf16/fp32 by default) and single questions through
another (OpenVINO on one thread, fixed-shape models for short questions), both behind
``token_batches``' tokenising, token-length bucketing and pooling. Its fingerprint is the
folder's reference fingerprint, as the vectors agree with sentence-transformers' (see
``model_fingerprint``).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from models.backend_choice import EncoderPlan, Runtime
from models.embedder import FloatMatrix
from models.errors import EmbeddingError
from models.model_fingerprint import folder_fingerprint
from models.onnx_export import ensure_onnx
from models.token_batches import SentenceTokenizer, Transformer, encode_texts

QUESTION_WIDTHS = (16, 32, 48)
"""Token widths that single questions are padded to (fixed-shape models compiled at load, about
0.1 GB each); longer questions run through the dynamic-shape model (compiled on first use).
Natural-language questions with the prompt are mostly 25-45 tokens: 48 instead of 64 saved 2 ms
(14 %) per dev question at the same memory (docs/benchmarks.md, Zen 4)."""


class ExportedEncoderEmbedder:
    """A sentence-transformers BERT folder run by exported-graph runtimes (CPU)."""

    def __init__(
        self,
        folder: Path,
        plan: EncoderPlan,
        prompts: tuple[str, str],
        model_id: str,
        cache_root: Path,
    ) -> None:
        self._folder = folder
        self._plan = plan
        self._query_prompt, self._document_prompt = prompts
        self._model_id = model_id
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self._dimension = int(config["hidden_size"])
        max_tokens = _max_sequence_length(folder, config)
        self._tokenizer = SentenceTokenizer(folder, max_tokens, int(config.get("pad_token_id", 1)))
        self._cache_root = cache_root
        self._runtimes: dict[str, Transformer] = {}
        self._lock = threading.Lock()
        self._fingerprint: str | None = None

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def runtime(self) -> str:
        """Which runtimes embed documents and questions (for /health, logs and benchmarks)."""
        return self._plan.label

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def fingerprint(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = folder_fingerprint(
                self._folder, self._query_prompt, self._document_prompt
            )
        return self._fingerprint

    def tokens(self, text: str) -> list[str]:
        """The model's tokens for ``text`` (no prompt, special tokens included), for inspection."""
        return self._tokenizer.tokens(text)

    def embed_documents(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed statements with the document prompt; shape (len(texts), dimension)."""
        prompted = [self._document_prompt + text for text in texts]
        cores = os.cpu_count() or 1
        transformer = self._runtime("documents", self._plan.documents, cores, (), streams=cores)
        return encode_texts(self._tokenizer, transformer, prompted, self._dimension)

    def embed_query(self, text: str) -> FloatMatrix:
        """Embed one question with the query prompt; shape (dimension,)."""
        prompted = [self._query_prompt + text]
        transformer = self._runtime("queries", self._plan.queries, 1, QUESTION_WIDTHS)
        return encode_texts(self._tokenizer, transformer, prompted, self._dimension)[0]

    def _runtime(
        self, side: str, runtime: Runtime, threads: int, widths: tuple[int, ...], streams: int = 1
    ) -> Transformer:
        with self._lock:
            if side not in self._runtimes:
                folder, cache = self._folder, self._cache_root
                self._runtimes[side] = open_runtime(
                    runtime, folder, cache, threads, widths, streams
                )
            return self._runtimes[side]


def open_runtime(
    runtime: Runtime,
    folder: Path,
    cache_root: Path,
    threads: int,
    static_widths: tuple[int, ...] = (),
    streams: int = 1,
) -> Transformer:
    """One runtime over the folder's exported transformer.

    ``static_widths``: fixed single-sequence shapes to compile where the runtime gains from
    them (OpenVINO), for questions. ``streams``: batches in flight at once where the runtime
    gains from overlapping them (OpenVINO), for documents.
    """
    if runtime.library == "openvino":
        from models.openvino_runtime import OpenVinoTransformer

        onnx_path = ensure_onnx(folder, cache_root)
        return OpenVinoTransformer(onnx_path, runtime.precision, threads, static_widths, streams)
    if runtime.library == "onnxruntime":
        from models.onnx_runtime import OnnxRuntimeTransformer

        return OnnxRuntimeTransformer(ensure_onnx(folder, cache_root), threads)
    raise EmbeddingError(f"no exported-graph runtime called {runtime.library!r}")


def _max_sequence_length(folder: Path, config: dict[str, object]) -> int:
    """sentence-transformers' ``max_seq_length`` for the folder (else the model's own limit)."""
    settings = folder / "sentence_bert_config.json"
    if settings.is_file():
        value = json.loads(settings.read_text(encoding="utf-8")).get("max_seq_length")
        if isinstance(value, int):
            return value
    positions = config.get("max_position_embeddings", 512)
    return int(positions) - 2 if isinstance(positions, int) else 512
