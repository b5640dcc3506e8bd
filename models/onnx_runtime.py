"""The onnxruntime adapter: runs an exported transformer in fp32 on the CPU.

The only module that imports ``onnxruntime``. ``InferenceSession.run`` is thread-safe, so one
session serves concurrent questions; its threads do not spin between calls (spinning threads
slowed other work on 2-core machines).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from models.errors import EmbeddingError
from models.onnx_export import ExportedGraph, embed_tokens, load_word_embeddings
from models.token_batches import Hidden, IntMatrix, TokenBatch, run_in_turn


class OnnxRuntimeTransformer:
    """``(input ids, attention mask) -> last hidden states`` through onnxruntime's CPU provider."""

    def __init__(self, exported: ExportedGraph, threads: int) -> None:
        onnx_path = exported.graph
        self._table = load_word_embeddings(exported.word_embeddings)
        try:
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._session = onnxruntime.InferenceSession(
                str(onnx_path), options, providers=["CPUExecutionProvider"]
            )
        except ImportError as exc:
            raise EmbeddingError(f"the ONNX backend needs the onnxruntime package: {exc}") from exc
        except Exception as exc:  # onnxruntime raises its own exception types
            raise EmbeddingError(f"onnxruntime cannot load {onnx_path}: {exc}") from exc

    def __call__(self, input_ids: IntMatrix, attention_mask: IntMatrix) -> npt.NDArray[np.float32]:
        try:
            outputs = self._session.run(
                None,
                {
                    "inputs_embeds": embed_tokens(self._table, input_ids),
                    "attention_mask": attention_mask,
                },
            )
        except Exception as exc:
            raise EmbeddingError(f"onnxruntime inference failed: {exc}") from exc
        return np.asarray(outputs[0], dtype=np.float32)

    def run_many(self, batches: Sequence[TokenBatch]) -> list[Hidden]:
        """The batches one after another (the session's own threads share each batch)."""
        return run_in_turn(self, batches)
