"""The sentence-transformers adapter: the only module that imports sentence_transformers/torch.

``SentenceTransformerEmbedder`` wraps any sentence-transformers model folder or Hub id behind the
``Embedder`` protocol, with named prompts for questions and statements, length-sorted batches
(sentence-transformers sorts each call by length), a progress bar for large batches, and thread
settings that keep torch from fighting other thread pools on a small machine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.embedder import FloatMatrix
from models.errors import EmbeddingError
from models.hub import cached_snapshot, resolve_model_source
from models.model_fingerprint import folder_fingerprint, prompts_digest

PROGRESS_BAR_THRESHOLD = 256


class SentenceTransformerEmbedder:
    """A sentence-transformers model as an ``Embedder`` (float32, L2-normalised, CPU).

    ``query_prompt``/``document_prompt`` are prepended to questions and statements; when
    omitted they come from the model's own ``prompts`` config (``query``, then
    ``document``/``passage``), else no prompt. Batches of statements use every core; one
    question uses ``query_threads`` (default 1): a dozen tokens gain little from a second
    thread, and on a busy machine torch's spinning OpenMP threads made two-thread questions
    5-10x slower (see docs/benchmarks.md).
    """

    def __init__(
        self,
        name_or_path: str,
        query_prompt: str | None = None,
        document_prompt: str | None = None,
        model_id: str | None = None,
        batch_size: int = 32,
        query_threads: int = 1,
        device: str = "cpu",
    ) -> None:
        self._query_threads = query_threads
        self._model_id = model_id or name_or_path
        self._batch_size = batch_size
        self._source = resolve_model_source(name_or_path)
        self._device = device
        self._model = _load_model(self._source, device)
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", None) or {})
        self._query_prompt = query_prompt if query_prompt is not None else prompts.get("query", "")
        self._document_prompt = (
            document_prompt
            if document_prompt is not None
            else prompts.get("document", prompts.get("passage", ""))
        )
        self._dimension = _embedding_dimension(self._model)
        self._fingerprint: str | None = None
        self._threadpools: Any = None

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def runtime(self) -> str:
        """What runs the model: ``torch-fp32`` or ``torch-fp32@cuda`` (for /health and logs)."""
        return "torch-fp32" if self._device == "cpu" else f"torch-fp32@{self._device}"

    @property
    def query_prompt(self) -> str:
        return self._query_prompt

    @property
    def document_prompt(self) -> str:
        return self._document_prompt

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def fingerprint(self) -> str:
        """Hash of the weights, tokenizer, module configs and both prompts (computed once).

        Files are hashed when the model's folder is known (a local path or a Hub snapshot);
        otherwise the loaded parameters and tokenizer are hashed, which identifies them as
        exactly but cannot be compared with a file-based fingerprint.
        """
        if self._fingerprint is None:
            source = self._source
            folder = source if isinstance(source, Path) else cached_snapshot(source)
            if folder is not None:
                self._fingerprint = folder_fingerprint(
                    folder, self._query_prompt, self._document_prompt
                )
            else:
                digest = prompts_digest(self._query_prompt, self._document_prompt)
                _digest_loaded_model(self._model, digest)
                self._fingerprint = f"st-mem-sha256:{digest.hexdigest()[:32]}"
        return self._fingerprint

    def tokens(self, text: str) -> list[str]:
        """The model's tokens for ``text`` (no prompt, special tokens included), for inspection."""
        tokenizer = self._model.tokenizer
        ids = tokenizer(text)["input_ids"]
        return [str(token) for token in tokenizer.convert_ids_to_tokens(ids)]

    def embed_documents(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed statements with the document prompt; shape (len(texts), dimension)."""
        return self._encode(list(texts), self._document_prompt, os.cpu_count() or 1)

    def embed_query(self, text: str) -> FloatMatrix:
        """Embed one question with the query prompt; shape (dimension,)."""
        return self._encode([text], self._query_prompt, self._query_threads)[0]

    def _blas_controller(self) -> Any:
        """threadpoolctl's view of the loaded thread pools, scanned once (a scan costs ms)."""
        if self._threadpools is None:
            from threadpoolctl import ThreadpoolController

            self._threadpools = ThreadpoolController()
        return self._threadpools

    def _encode(self, texts: list[str], prompt: str, threads: int) -> FloatMatrix:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        import torch

        # Each call sets the threads it wants (no save/restore, which concurrent calls from a
        # server's worker threads could interleave into a permanent wrong value).
        torch.set_num_threads(threads)

        try:
            # numpy's BLAS idles while torch runs; keep it at one thread so the two pools do
            # not oversubscribe the cores torch is already using.
            with self._blas_controller().limit(limits=1, user_api="blas"):
                vectors = self._model.encode(
                    texts,
                    prompt=prompt,
                    batch_size=self._batch_size,
                    show_progress_bar=len(texts) > PROGRESS_BAR_THRESHOLD,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                )
        except (RuntimeError, ValueError, TypeError) as exc:
            raise EmbeddingError(f"embedding with {self._model_id} failed: {exc}") from exc
        return np.ascontiguousarray(vectors, dtype=np.float32)


def _load_model(source: Path | str, device: str) -> Any:
    """Load a SentenceTransformer on ``device``; library failures become ``EmbeddingError``."""
    try:
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        torch.set_num_threads(os.cpu_count() or 1)
        bars_were_on = transformers_logging.is_progress_bar_enabled()
        transformers_logging.disable_progress_bar()  # no "Loading weights" bar on every start
        try:
            model = SentenceTransformer(
                str(source), device=device, local_files_only=isinstance(source, Path)
            )
        finally:
            if bars_were_on:
                transformers_logging.enable_progress_bar()
    except ImportError as exc:
        raise EmbeddingError(f"sentence-transformers is not installed: {exc}") from exc
    except Exception as exc:  # the library raises OSError, ValueError, HTTP errors, ...
        raise EmbeddingError(f"cannot load the model {source}: {exc}") from exc
    model.eval()
    return model


def _embedding_dimension(model: Any) -> int:
    for getter in ("get_embedding_dimension", "get_sentence_embedding_dimension"):
        method = getattr(model, getter, None)
        if method is not None:
            value = method()
            if value:
                return int(value)
    probe = model.encode(["dimension probe"], convert_to_numpy=True)
    return int(probe.shape[1])


def _digest_loaded_model(model: Any, digest: Any) -> None:
    """Feed the module structure, every parameter and the tokenizer into ``digest``."""
    digest.update(repr(model).encode())
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode() + b"\0")
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    backend = getattr(model.tokenizer, "backend_tokenizer", None)
    vocabulary = backend.to_str() if backend is not None else repr(model.tokenizer.get_vocab())
    digest.update(vocabulary.encode())
