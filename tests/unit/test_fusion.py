"""Fusion of rankings: ordered, bounded, deterministic, weighted as asked."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import ConfigError
from search_api.fusion import (
    RRF_K,
    FusionWeights,
    convex_fusion,
    fuse,
    min_max_normalise,
    reciprocal_rank_fusion,
)

ids = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
rankings = st.lists(
    st.lists(st.tuples(ids, st.floats(-10, 10, allow_nan=False)), max_size=12),
    min_size=1,
    max_size=4,
)
weights_for = st.floats(0, 3, allow_nan=False)


def _is_ordered(fused: list[tuple[str, float]]) -> bool:
    return all(
        (a[1] > b[1]) or (a[1] == b[1] and a[0] < b[0]) for a, b in itertools.pairwise(fused)
    )


@given(rankings, st.data())
def test_rrf_is_ordered_bounded_and_covers_every_weighted_id(lists, data) -> None:
    weights = [data.draw(weights_for) for _ in lists]
    fused = reciprocal_rank_fusion(lists, weights)
    assert _is_ordered(fused)
    assert len({item for item, _ in fused}) == len(fused)
    assert all(0 <= score <= sum(weights) / (RRF_K + 1) + 1e-12 for _, score in fused)
    expected = {
        item for ranking, w in zip(lists, weights, strict=False) if w > 0 for item, _ in ranking
    }
    assert {item for item, _ in fused} == expected


@given(rankings, st.data())
def test_convex_is_ordered_and_bounded(lists, data) -> None:
    weights = [data.draw(weights_for) for _ in lists]
    fused = convex_fusion(lists, weights)
    assert _is_ordered(fused)
    assert all(-1e-9 <= score <= sum(weights) + 1e-9 for _, score in fused)


@given(rankings)
def test_fusion_is_deterministic_whatever_the_order_of_rankings(lists) -> None:
    assert reciprocal_rank_fusion(lists) == reciprocal_rank_fusion(list(reversed(lists)))
    assert convex_fusion(lists) == convex_fusion(list(reversed(lists)))


@given(rankings, st.integers(0, 5))
def test_limit_keeps_the_head_of_the_full_fusion(lists, limit) -> None:
    assert reciprocal_rank_fusion(lists, limit=limit) == reciprocal_rank_fusion(lists)[:limit]


def test_rrf_rewards_agreement_between_channels() -> None:
    dense = [("a", 0.9), ("b", 0.8), ("c", 0.7)]
    lexical = [("b", 12.0), ("c", 3.0)]
    fused = reciprocal_rank_fusion([dense, lexical])
    assert [item for item, _ in fused] == ["b", "c", "a"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_zero_weight_removes_a_channel() -> None:
    dense = [("a", 0.9), ("b", 0.8)]
    lexical = [("z", 40.0)]
    assert [i for i, _ in reciprocal_rank_fusion([dense, lexical], [1.0, 0.0])] == ["a", "b"]


def test_convex_keeps_score_gaps() -> None:
    dense = [("a", 0.90), ("b", 0.89), ("c", 0.10)]
    lexical = [("b", 10.0), ("a", 9.9), ("c", 0.0)]
    fused = dict(convex_fusion([dense, lexical], [0.5, 0.5]))
    assert fused["a"] == pytest.approx(0.5 + 0.5 * 0.99)
    assert fused["c"] == pytest.approx(0.0)


def test_min_max_of_equal_scores_is_one() -> None:
    assert min_max_normalise([("a", 2.0), ("b", 2.0)]) == {"a": 1.0, "b": 1.0}


def test_language_weights_pick_channels_by_question_language() -> None:
    weights = FusionWeights({"ja": {"e5": 1.0, "bm25": 1.0}, "en": {"e5": 1.0}})
    rankings = {"e5": [("a", 0.9)], "bm25": [("b", 5.0)]}
    assert [i for i, _ in fuse(rankings, weights, "en")] == ["a"]
    assert {i for i, _ in fuse(rankings, weights, "ja")} == {"a", "b"}


def test_unknown_method_and_bad_weights_are_refused() -> None:
    with pytest.raises(ConfigError, match="rrf"):
        fuse({"e5": [("a", 1.0)]}, FusionWeights({"ja": {"e5": 1}}, method="max"), "ja")
    with pytest.raises(ValueError, match="weights"):
        reciprocal_rank_fusion([[("a", 1.0)]], [1.0, 2.0])
    with pytest.raises(ValueError, match=">= 0"):
        convex_fusion([[("a", 1.0)]], [-1.0])


def test_the_array_form_of_convex_fusion_gives_the_same_ranking() -> None:
    import numpy as np

    from search_api.fusion import convex_fusion_arrays

    rng = np.random.default_rng(7)
    for _ in range(50):
        rankings = []
        for _channel in range(3):
            ids = rng.choice(400, size=int(rng.integers(0, 120)), replace=False)
            scores = np.round(rng.normal(size=ids.size), 2)  # rounded: ties happen
            rankings.append((ids.astype(np.int64), scores))
        weights = [1.0, 0.4, float(rng.choice([0.0, 0.3]))]
        expected = convex_fusion(
            [list(zip(i.tolist(), s.tolist(), strict=True)) for i, s in rankings], weights
        )
        fused = convex_fusion_arrays(rankings, weights)
        assert len(fused) == len(expected)
        assert [i for i, _ in fused] == [i for i, _ in expected]
        assert np.allclose([s for _, s in fused], [s for _, s in expected], atol=1e-12)
        assert fused[:3] == [(i, s) for i, s in fused][:3]
