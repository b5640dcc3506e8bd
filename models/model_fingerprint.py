"""The fingerprint of a model folder: what an index records so it is never searched with
vectors of another model.

It hashes the files that decide the vectors (weights, tokenizer, module configs) and both
prompts. The runtime is deliberately not part of it: every runtime of the "exact" family
(sentence-transformers fp32, OpenVINO fp32 and bf16, onnxruntime fp32) reproduces the reference
vectors at cosine >= 0.9999 (tests/unit/test_exported_encoder.py, docs/benchmarks.md), so an
index built with one is searched with another. A runtime that changed vectors more (int8) would
need a fingerprint of its own.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from models.errors import EmbeddingError
from models.file_digest import digest_file

FINGERPRINT_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "sentencepiece.bpe.model",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)
WEIGHT_SUFFIXES = (".safetensors", ".bin")


def prompts_digest(query_prompt: str, document_prompt: str) -> hashlib._Hash:
    """A sha256 started with both prompts (the first part of every fingerprint)."""
    digest = hashlib.sha256()
    digest.update(f"prompts\0{query_prompt}\0{document_prompt}\0".encode())
    return digest


def folder_fingerprint(folder: Path, query_prompt: str, document_prompt: str) -> str:
    """``st-sha256:<32 hex>`` over the prompts and the folder's model files."""
    digest = prompts_digest(query_prompt, document_prompt)
    for path in fingerprint_paths(folder):
        digest.update(str(path.relative_to(folder)).encode() + b"\0")
        digest.update(digest_file(path, hashlib.sha256()).digest())
    return f"st-sha256:{digest.hexdigest()[:32]}"


def fingerprint_paths(folder: Path) -> list[Path]:
    """The files of ``folder`` that the fingerprint covers (at least one weight file)."""
    paths = [folder / name for name in FINGERPRINT_FILES if (folder / name).is_file()]
    paths += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in WEIGHT_SUFFIXES)
    if not any(p.suffix in WEIGHT_SUFFIXES for p in paths):
        raise EmbeddingError(f"no weight files found in the model folder {folder}")
    return paths
