"""The OpenVINO adapter: runs an exported transformer on the CPU in fp32 or bf16.

The only module that imports ``openvino``. One compiled model and one infer request, used under
a lock (an infer request is not thread-safe); OpenVINO's own thread pool uses ``threads`` cores.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt

from models.errors import EmbeddingError
from models.token_batches import IntMatrix

_PRECISION_HINTS = {"fp32": "f32", "bf16": "bf16"}


class OpenVinoTransformer:
    """``(input ids, attention mask) -> last hidden states`` through OpenVINO's CPU plugin."""

    def __init__(self, onnx_path: Path, precision: str, threads: int) -> None:
        if precision not in _PRECISION_HINTS:
            raise EmbeddingError(f"OpenVINO runs fp32 or bf16, not {precision!r}")
        try:
            import openvino

            core = openvino.Core()
            if precision == "bf16" and "BF16" not in core.get_property(
                "CPU", "OPTIMIZATION_CAPABILITIES"
            ):
                raise EmbeddingError("this CPU has no bf16 support in OpenVINO; use fp32")
            compiled = core.compile_model(
                core.read_model(str(onnx_path)),
                "CPU",
                {
                    "INFERENCE_PRECISION_HINT": _PRECISION_HINTS[precision],
                    "INFERENCE_NUM_THREADS": threads,
                    "PERFORMANCE_HINT": "LATENCY",
                },
            )
        except ImportError as exc:
            raise EmbeddingError(f"the OpenVINO backend needs the openvino package: {exc}") from exc
        except EmbeddingError:
            raise
        except Exception as exc:  # OpenVINO raises RuntimeError subclasses of its own
            raise EmbeddingError(f"OpenVINO cannot compile {onnx_path}: {exc}") from exc
        self._request = compiled.create_infer_request()
        self._lock = threading.Lock()

    def __call__(self, input_ids: IntMatrix, attention_mask: IntMatrix) -> npt.NDArray[np.float32]:
        with self._lock:
            try:
                self._request.infer({0: input_ids, 1: attention_mask})
            except Exception as exc:
                raise EmbeddingError(f"OpenVINO inference failed: {exc}") from exc
            return np.array(self._request.get_output_tensor(0).data, dtype=np.float32)
