"""Where a channel's scores start to mean something: the floor of its min-max normalisation.

Convex fusion rescales each channel's scores to [0, 1] before weighting them. Taking the lowest
score among a channel's candidates as 0 (``candidates``) makes the scale depend on the index's
size: on 2,600 passages the 1,000 candidates reach down to ordinary passages, on 170,000 they
are all close matches, the span shrinks and the channels' relative weights shift with it.
``background`` anchors 0 at what a question scores against a *typical* passage instead, which
does not change with size: the median of its scores against a fixed sample of the channel's
stored vectors (dense channels), and 0 for BM25, where a passage without the question's words
scores 0.

Pure numpy over vectors the caller provides; the sample is read once per channel.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatMatrix = npt.NDArray[np.float32]
FLOOR_METHODS = ("candidates", "background")
SAMPLE_SIZE = 2048
"""Passages per channel in the background sample: the median of 2,048 scores is stable to
about a hundredth of its spread."""


def sample_positions(count: int, size: int = SAMPLE_SIZE) -> npt.NDArray[np.int64]:
    """Evenly spaced positions ``0 .. count-1`` (at most ``size``): a fixed, repeatable sample."""
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.linspace(0, count - 1, num=min(size, count)).astype(np.int64))


class BackgroundScores:
    """A question's typical score per dense channel, against a fixed sample of its vectors."""

    def __init__(self, read_sample: Callable[[str], FloatMatrix]) -> None:
        """``read_sample(channel)``: the channel's sample vectors (read on first use)."""
        self._read_sample = read_sample
        self._samples: dict[str, FloatMatrix] = {}
        self._lock = threading.Lock()

    def floor(self, channel: str, query_vectors: FloatMatrix) -> float | None:
        """The median score of the sample for the question (its best query vector per sampled
        passage when there are several); ``None`` for an empty channel."""
        sample = self._sample(channel)
        if sample.shape[0] == 0:
            return None
        scores = np.atleast_2d(query_vectors).astype(np.float32) @ sample.T
        return float(np.median(scores.max(axis=0)))

    def _sample(self, channel: str) -> FloatMatrix:
        with self._lock:
            if channel not in self._samples:
                self._samples[channel] = np.ascontiguousarray(
                    self._read_sample(channel), dtype=np.float32
                )
            return self._samples[channel]
