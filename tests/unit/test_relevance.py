"""Relevance: a fused score read as a figure from 0 to 1, and the word for an unnamed speaker."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_api.fusion import FusionWeights, convex_fusion, reciprocal_rank_fusion
from search_api.ranking import default_fusion
from search_api.relevance import fused_scale, relevance, score_scale
from search_api.wording import speaker_label, unnamed_speaker


def test_convex_fusion_is_read_against_the_weights_of_the_channels_that_took_part() -> None:
    weights = default_fusion()

    assert score_scale(["e5", "use", "bm25"], weights, "ja", 1.2) == pytest.approx(1.7)
    assert score_scale(["e5", "use"], weights, "en", 1.2) == pytest.approx(1.4)
    assert relevance(1.4, score_scale(["e5", "use"], weights, "en", 1.4)) == pytest.approx(1.0)
    assert relevance(0.7, 1.4) == pytest.approx(0.5)


def test_a_statement_first_in_every_channel_has_relevance_one() -> None:
    rankings = [[("a", 0.9), ("b", 0.5), ("c", 0.1)], [("a", 12.0), ("c", 3.0), ("b", 1.0)]]
    weights = FusionWeights({"ja": {"e5": 1.0, "bm25": 0.3}}, method="convex")
    fused = convex_fusion(rankings, [1.0, 0.3])
    scale = score_scale(["e5", "bm25"], weights, "ja", fused[0][1])

    assert fused[0][0] == "a"
    assert relevance(fused[0][1], scale) == pytest.approx(1.0)
    assert 0 < relevance(fused[1][1], scale) < 1


def test_rrf_is_read_against_its_bound() -> None:
    weights = FusionWeights({"ja": {"e5": 1.0, "use": 1.0}}, method="rrf")
    fused = reciprocal_rank_fusion([[("a", 1.0)], [("a", 1.0)]], [1.0, 1.0])

    scale = score_scale(["e5", "use"], weights, "ja", fused[0][1])
    assert relevance(fused[0][1], scale) == pytest.approx(1.0)


def test_one_channel_alone_cosine_as_it_is_bm25_against_the_best() -> None:
    weights = default_fusion()

    assert score_scale(["e5"], weights, "ja", 0.83) == 1.0
    assert score_scale(["bm25"], weights, "ja", 17.5) == 17.5
    assert relevance(8.75, 17.5) == pytest.approx(0.5)
    assert score_scale(["bm25"], weights, "ja", 0.0) == 1.0


@given(st.floats(-10, 10), st.floats(0.01, 10))
def test_relevance_is_always_between_zero_and_one(score: float, scale: float) -> None:
    assert 0.0 <= relevance(score, scale) <= 1.0


def test_an_unnamed_speaker_is_called_what_the_source_calls_them() -> None:
    assert unnamed_speaker("ja") == "委員"
    assert unnamed_speaker("ja", "en") == "panel member"
    assert unnamed_speaker("en") == "participant"
    assert speaker_label(None, "ja", "ja") == "委員"
    assert speaker_label("小林", "ja", "en") == "小林"


def test_the_bound_of_any_weighted_fusion() -> None:
    assert fused_scale([1.0, 0.4, 0.0], "convex") == pytest.approx(1.4)
    assert fused_scale([1.0, 1.0], "rrf") == pytest.approx(2 / 61)
    assert fused_scale([], "convex") == 1.0
