"""The pure parts of the USE OpenVINO runtime: packing texts into token batches and the
n-gram window index that keeps each sentence's windows inside the sentence."""

from __future__ import annotations

import numpy as np

from models.use_openvino import token_batches, window_index


def test_token_batches_pack_consecutive_texts_up_to_the_budget() -> None:
    assert token_batches([3, 3, 3, 3], budget=6) == [(0, 2), (2, 4)]
    assert token_batches([5, 1, 1, 9, 2], budget=7) == [(0, 3), (3, 4), (4, 5)]


def test_a_text_longer_than_the_budget_is_a_batch_of_its_own() -> None:
    assert token_batches([2, 20, 2], budget=6) == [(0, 1), (1, 2), (2, 3)]
    assert token_batches([], budget=6) == []


def test_window_slots_outside_the_sentence_point_at_the_zero_row() -> None:
    starts = np.array([0, 2], dtype=np.int64)
    lengths = np.array([2, 3], dtype=np.int64)
    windows = window_index(starts, lengths, int(lengths.sum()))
    sentinel = 5
    assert windows.shape == (5, 5)
    # token 0 of sentence one sees itself and token 1, never sentence two
    assert windows[0].tolist() == [sentinel, sentinel, 0, 1, sentinel]
    # the middle token of sentence two sees all three of its tokens
    assert windows[3].tolist() == [sentinel, 2, 3, 4, sentinel]
