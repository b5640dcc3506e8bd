"""Length-bucketed batches and mean pooling for the exported-graph encoder."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from models.token_batches import bucket_by_length, mean_pool

PAD = 1


def _padding(batches: list) -> int:
    return int(sum((batch.attention_mask == 0).sum() for batch in batches))


def test_sorting_by_token_count_pads_far_less_than_arrival_order() -> None:
    rng = np.random.default_rng(7)
    lengths = rng.integers(5, 300, size=256)
    sequences = [[5] * int(n) for n in lengths]
    sorted_batches = list(bucket_by_length(sequences, PAD, 32, 100_000))
    chunks = [lengths[i : i + 32] for i in range(0, 256, 32)]
    arrival = sum(32 * max(chunk) - sum(chunk) for chunk in chunks)
    assert _padding(sorted_batches) < arrival / 5


@given(
    st.lists(st.lists(st.integers(2, 999), min_size=1, max_size=60), min_size=0, max_size=80),
    st.integers(1, 16),
    st.integers(1, 400),
)
def test_every_sequence_lands_once_with_its_own_ids_and_batches_stay_bounded(
    sequences: list[list[int]], max_sequences: int, max_tokens: int
) -> None:
    seen: list[int] = []
    for batch in bucket_by_length(sequences, PAD, max_sequences, max_tokens):
        count, width = batch.input_ids.shape
        assert count <= max_sequences
        assert count == 1 or count * width <= max_tokens
        for row, ids, mask in zip(batch.rows, batch.input_ids, batch.attention_mask, strict=True):
            length = len(sequences[row])
            assert ids[:length].tolist() == sequences[row]
            assert mask.sum() == length and (ids[length:] == PAD).all()
            seen.append(int(row))
    assert sorted(seen) == list(range(len(sequences)))


def test_mean_pool_averages_unmasked_tokens_and_normalises() -> None:
    hidden = np.array([[[1.0, 0.0], [3.0, 4.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    pooled = mean_pool(hidden, mask)
    expected = np.array([2.0, 2.0]) / np.linalg.norm([2.0, 2.0])
    np.testing.assert_allclose(pooled[0], expected, rtol=1e-6)
