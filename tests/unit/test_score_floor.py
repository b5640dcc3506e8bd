"""The background floor: a question's median score against a fixed sample of stored vectors."""

from __future__ import annotations

import numpy as np

from search_api.score_floor import BackgroundScores, sample_positions


def test_the_sample_is_evenly_spaced_repeatable_and_bounded() -> None:
    assert sample_positions(5, size=10).tolist() == [0, 1, 2, 3, 4]
    assert sample_positions(101, size=3).tolist() == [0, 50, 100]
    assert sample_positions(0).size == 0
    assert sample_positions(170_000).size == 2048


def test_the_floor_is_the_median_score_of_the_sample() -> None:
    sample = np.eye(4, dtype=np.float32)  # question . row i = component i
    reads: list[str] = []

    def read(channel: str) -> np.ndarray:
        reads.append(channel)
        return sample

    floors = BackgroundScores(read)
    question = np.array([0.1, 0.2, 0.3, 0.9], dtype=np.float32)
    assert floors.floor("e5", question) == np.float32(0.25)  # median of 0.1, 0.2, 0.3, 0.9
    floors.floor("e5", question)
    assert reads == ["e5"]  # read once per channel


def test_several_question_vectors_score_each_sampled_passage_by_the_best() -> None:
    floors = BackgroundScores(lambda _channel: np.eye(3, dtype=np.float32))
    questions = np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.0]], dtype=np.float32)
    assert floors.floor("use", questions) == 0.5  # median of max(1, 0), max(0, .5), max(0, 0)


def test_an_empty_channel_has_no_floor() -> None:
    floors = BackgroundScores(lambda _channel: np.zeros((0, 3), dtype=np.float32))
    assert floors.floor("e5", np.ones(3, dtype=np.float32)) is None
