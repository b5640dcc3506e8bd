"""The default model's transformer as an ONNX file, for the OpenVINO and onnxruntime adapters.

Exported once from the sentence-transformers folder with ``torch.onnx`` and cached beside the
model cache (``<cache>/exports/<model folder name>/``), written to a temporary file and swapped
in with ``os.replace`` so a crash never leaves a half-written model. sentence-transformers' own
``backend="onnx"`` needs optimum, which does not install beside transformers 5, hence this
small exporter.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from models.errors import EmbeddingError

OPSET = 17
EXPORT_VERSION = 1
"""Bumped whenever the exported graph changes, so stale exports are never reused."""


def export_folder(model_folder: Path, cache_root: Path) -> Path:
    """Where the ONNX files of ``model_folder`` live (created on first use)."""
    return cache_root / "exports" / f"{model_folder.name}-onnx{EXPORT_VERSION}"


def ensure_onnx(model_folder: Path, cache_root: Path) -> Path:
    """The ONNX file of the folder's BERT encoder (last hidden state), exporting it if needed."""
    target = export_folder(model_folder, cache_root) / "model.onnx"
    if not target.is_file():
        _atomic_write(target, lambda path: _export(model_folder, path))
    return target


def _export(model_folder: Path, path: Path) -> None:
    import torch
    from transformers import BertModel

    bert = BertModel.from_pretrained(
        str(model_folder), add_pooling_layer=False, attn_implementation="eager"
    ).eval()

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            LastHidden(),
            (torch.tensor([[0, 6, 2]]), torch.tensor([[1, 1, 1]])),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
            opset_version=OPSET,
            dynamo=False,
        )


def _atomic_write(target: Path, write: Callable[[Path], None]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, staging_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".onnx", dir=target.parent
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
