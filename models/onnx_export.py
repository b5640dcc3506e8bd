"""The default model's transformer as an ONNX file, for the OpenVINO and onnxruntime adapters.

Exported once from the sentence-transformers folder with ``torch.onnx`` and cached beside the
model cache (``<cache>/exports/<model folder name>/``), written to a temporary file and swapped
in with ``os.replace`` so a crash never leaves a half-written model.

The graph starts at the token vectors (``inputs_embeds``), not the token ids: the word-embedding
table (250,037 x 384 float32, 384 MB of the model's 470 MB) is saved beside it as a ``.npy`` file
that the adapters memory-map (``load_word_embeddings``) and index in numpy. A server then holds
only the table pages its questions touch, instead of a private copy of the whole table in
every runtime that reads the graph (about 0.35 GB less resident memory; docs/benchmarks.md).

sentence-transformers' own ``backend="onnx"`` needs optimum, which does not install beside
transformers 5, hence this small exporter.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.errors import EmbeddingError

OPSET = 17
EXPORT_VERSION = 2
"""Bumped whenever the exported graph changes, so stale exports are never reused."""


def export_folder(model_folder: Path, cache_root: Path) -> Path:
    """Where the ONNX files of ``model_folder`` live (created on first use)."""
    return cache_root / "exports" / f"{model_folder.name}-onnx{EXPORT_VERSION}"


@dataclass(frozen=True, slots=True)
class ExportedGraph:
    """The exported transformer (token vectors + mask -> last hidden states) and its table."""

    graph: Path
    word_embeddings: Path


def ensure_onnx(model_folder: Path, cache_root: Path) -> ExportedGraph:
    """The ONNX file of the folder's BERT encoder and its word-embedding table, exported if
    needed (the table first: a graph file on disk means both are complete)."""
    folder = export_folder(model_folder, cache_root)
    exported = ExportedGraph(folder / "model.onnx", folder / "word_embeddings.npy")
    if not exported.graph.is_file():
        bert = _load_bert(model_folder)
        _atomic_write(exported.word_embeddings, lambda path: _save_table(bert, path))
        _atomic_write(exported.graph, lambda path: _export(bert, path))
    return exported


def load_word_embeddings(path: Path) -> npt.NDArray[np.float32]:
    """The word-embedding table, memory-mapped read-only (rows are read from disk on use)."""
    try:
        table = np.load(path, mmap_mode="r")
    except (OSError, ValueError) as exc:
        raise EmbeddingError(f"cannot read the word-embedding table {path}: {exc}") from exc
    if table.ndim != 2 or table.dtype != np.float32:
        raise EmbeddingError(f"{path} is not a float32 table: {table.dtype} {table.shape}")
    return table


def embed_tokens(table: npt.NDArray[np.float32], input_ids: npt.NDArray[np.int64]) -> Any:
    """The token vectors of a batch of ids, as the graph's ``inputs_embeds`` input."""
    return np.ascontiguousarray(table[input_ids], dtype=np.float32)


def _load_bert(model_folder: Path) -> Any:
    try:
        from transformers import BertModel
    except ImportError as exc:
        raise EmbeddingError(f"exporting the model to ONNX needs {exc.name}: {exc}") from exc
    try:
        return BertModel.from_pretrained(
            str(model_folder), add_pooling_layer=False, attn_implementation="eager"
        ).eval()
    except (OSError, ValueError) as exc:
        raise EmbeddingError(f"cannot read the model in {model_folder}: {exc}") from exc


def _save_table(bert: Any, path: Path) -> None:
    table = bert.embeddings.word_embeddings.weight.detach().numpy().astype(np.float32)
    with path.open("wb") as handle:
        np.save(handle, table)


def _export(bert: Any, path: Path) -> None:
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(
            self, inputs_embeds: torch.Tensor, attention_mask: torch.Tensor
        ) -> torch.Tensor:
            return self.bert(
                inputs_embeds=inputs_embeds, attention_mask=attention_mask
            ).last_hidden_state

    axes = {0: "batch", 1: "tokens"}
    hidden = int(bert.config.hidden_size)
    with torch.no_grad():
        torch.onnx.export(
            LastHidden(),
            (torch.zeros((1, 3, hidden)), torch.tensor([[1, 1, 1]])),
            str(path),
            input_names=["inputs_embeds", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"inputs_embeds": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET,
            dynamo=False,
        )


def _atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, staging_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent
        )
        os.close(handle)
    except OSError as exc:
        raise EmbeddingError(f"cannot write the ONNX export under {target.parent}: {exc}") from exc
    staging = Path(staging_name)
    try:
        write(staging)
        os.replace(staging, target)
    except ImportError as exc:
        raise EmbeddingError(f"exporting the model to ONNX needs {exc.name}: {exc}") from exc
    except EmbeddingError:
        raise
    except Exception as exc:  # torch.onnx and onnxruntime raise many kinds of errors
        raise EmbeddingError(f"cannot export the model to {target}: {exc}") from exc
    finally:
        staging.unlink(missing_ok=True)
