"""The OpenVINO adapter: runs an exported transformer on the CPU in fp32 or bf16.

The only module that imports ``openvino``. Each compiled model has one infer request, used under
a lock (an infer request is not thread-safe); OpenVINO's own thread pool uses ``threads`` cores.
For batches of documents, ``streams`` > 1 compiles the model for throughput instead: that many
batches run at once, each on its own share of the cores (`infer_in_flight`, shared with the USE
runtime). On 2 cores that measured neutral for e5 in the indexer's calls of 256 passages and
3-13 % faster for USE (docs/benchmarks.md, ``bench/bench_streams.py``).
Token ids become token vectors through the memory-mapped word-embedding table
(``onnx_export.embed_tokens``) before they enter the graph.
For single questions, models of fixed shape ``(1, width)`` can be compiled as well: a question
padded to the next width ran faster in bf16 than through the dynamic-shape model (by a third on
the machine that chose it; on a Zen 4 5-10 % at equal length, about 20 % over questions of mixed
lengths: docs/benchmarks.md), and the attention mask keeps the padding out of the result. The
model is read once (about 0.1 GB without its word-embedding table) and each compiled shape adds
about 0.1 GB.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from models.errors import EmbeddingError
from models.onnx_export import ExportedGraph, embed_tokens, load_word_embeddings
from models.token_batches import Hidden, IntMatrix, TokenBatch, run_in_turn

_PRECISION_HINTS = {"fp32": "f32", "bf16": "bf16"}


class OpenVinoTransformer:
    """``(input ids, attention mask) -> last hidden states`` through OpenVINO's CPU plugin."""

    def __init__(
        self,
        exported: ExportedGraph,
        precision: str,
        threads: int,
        static_widths: tuple[int, ...] = (),
        streams: int = 1,
    ) -> None:
        if precision not in _PRECISION_HINTS:
            raise EmbeddingError(f"OpenVINO runs fp32 or bf16, not {precision!r}")
        try:
            import openvino
        except ImportError as exc:
            raise EmbeddingError(f"the OpenVINO backend needs the openvino package: {exc}") from exc
        self._core = openvino.Core()
        if precision == "bf16" and "BF16" not in self._core.get_property(
            "CPU", "OPTIMIZATION_CAPABILITIES"
        ):
            raise EmbeddingError("this CPU has no bf16 support in OpenVINO; use fp32")
        onnx_path = exported.graph
        self._onnx_path = onnx_path
        self._table = load_word_embeddings(exported.word_embeddings)
        self._hidden = int(self._table.shape[1])
        try:
            self._model = self._core.read_model(str(onnx_path))  # read once, cloned per shape
        except Exception as exc:  # OpenVINO raises RuntimeError subclasses of its own
            raise EmbeddingError(f"OpenVINO cannot read {onnx_path}: {exc}") from exc
        self._streams = max(1, streams) if not static_widths else 1
        self._config: dict[str, Any] = {
            "INFERENCE_PRECISION_HINT": _PRECISION_HINTS[precision],
            "INFERENCE_NUM_THREADS": threads,
            "PERFORMANCE_HINT": "LATENCY" if self._streams == 1 else "THROUGHPUT",
        }
        if self._streams > 1:
            self._config["NUM_STREAMS"] = self._streams
        self._compiled: dict[int, Any] = {}
        self._static_widths = tuple(sorted(static_widths))
        self._requests: dict[int, Any] = {}  # 0: dynamic shape; w: shape (1, w)
        self._lock = threading.Lock()
        for width in self._static_widths or (0,):
            self._request(width)  # compile now: a broken model fails at load, not mid-request

    def __call__(self, input_ids: IntMatrix, attention_mask: IntMatrix) -> npt.NDArray[np.float32]:
        count, length = input_ids.shape
        width = next((w for w in self._static_widths if count == 1 and length <= w), 0)
        if width:
            padded_ids = np.ones((1, width), dtype=np.int64)
            padded_mask = np.zeros((1, width), dtype=np.int64)
            padded_ids[:, :length] = input_ids
            padded_mask[:, :length] = attention_mask
            input_ids, attention_mask = padded_ids, padded_mask
        with self._lock:
            request = self._request(width)
            try:
                request.infer({0: embed_tokens(self._table, input_ids), 1: attention_mask})
            except Exception as exc:
                raise EmbeddingError(f"OpenVINO inference failed: {exc}") from exc
            hidden = np.array(request.get_output_tensor(0).data, dtype=np.float32)
        return hidden[:, :length]

    def run_many(self, batches: Sequence[TokenBatch]) -> list[Hidden]:
        """The hidden states of each batch, in order; with several streams, that many batches
        are in flight at once."""
        if self._streams == 1 or len(batches) < 2:
            return run_in_turn(self, batches)
        inputs = (
            {0: embed_tokens(self._table, batch.input_ids), 1: batch.attention_mask}
            for batch in batches
        )
        with self._lock:
            self._request(0)
            return infer_in_flight(self._compiled[0], self._streams, inputs)

    def _request(self, width: int) -> Any:
        """The infer request for one input shape (compiled on first use; caller holds the lock
        or is the constructor)."""
        if width not in self._requests:
            try:
                model = self._model
                if width:
                    model = model.clone()
                    model.reshape(
                        {"inputs_embeds": [1, width, self._hidden], "attention_mask": [1, width]}
                    )
                compiled = self._core.compile_model(model, "CPU", self._config)
            except Exception as exc:  # OpenVINO raises RuntimeError subclasses of its own
                raise EmbeddingError(f"OpenVINO cannot compile {self._onnx_path}: {exc}") from exc
            self._compiled[width] = compiled
            self._requests[width] = compiled.create_infer_request()
        return self._requests[width]


def infer_in_flight(compiled: Any, streams: int, inputs: Iterable[dict[int, Any]]) -> list[Hidden]:
    """Output 0 of a compiled model for each input, in order, with up to ``streams`` requests
    in flight; ``inputs`` is consumed while earlier requests run, so preparing the next batch
    overlaps inference. Callers serialise their calls per compiled model."""
    import openvino

    outputs: dict[int, Hidden] = {}

    def keep(request: Any, position: int) -> None:
        outputs[position] = np.array(request.get_output_tensor(0).data, dtype=np.float32)

    queue = openvino.AsyncInferQueue(compiled, streams)
    queue.set_callback(keep)
    count = 0
    try:
        for position, tensors in enumerate(inputs):
            queue.start_async(tensors, position)
            count = position + 1
        queue.wait_all()
    except Exception as exc:  # OpenVINO raises RuntimeError subclasses of its own
        raise EmbeddingError(f"OpenVINO inference failed: {exc}") from exc
    finally:
        del queue
    return [outputs[position] for position in range(count)]
