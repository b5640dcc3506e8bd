"""Tagging as pure functions: mean vectors, keyword counts, calibrated confidences, thresholds."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from indexer.themes.tagging import (
    ChannelWeights,
    TaggingModel,
    confidences,
    keyword_counts,
    keyword_evidence,
    keyword_idf,
    mean_vectors,
    prototype_weights,
    tag_statements,
    theme_logits,
)


def _model(**changes: object) -> TaggingModel:
    prototypes = np.eye(3, 4, dtype=np.float32)
    weights = prototype_weights("e5", "fp", prototypes, scale=10.0)
    base = dict(
        theme_ids=("0", "8", "16"),
        channels=(weights,),
        keywords=((), ("原発", "LNG"), ("自衛隊",)),
        keyword_weight=1.0,
        temperature=1.0,
        threshold=0.5,
        secondary_threshold=0.2,
        procedural_theme="0",
        standardize=False,
    )
    base.update(changes)
    return TaggingModel(**base)  # type: ignore[arg-type]


def test_mean_vectors_are_normalised_per_statement() -> None:
    vectors = np.array([[1, 0], [0, 1], [3, 4]], dtype=np.float32)
    means = mean_vectors(np.array([0, 0, 1]), vectors, 3)

    np.testing.assert_allclose(means[0], [2**-0.5, 2**-0.5], rtol=1e-6)
    np.testing.assert_allclose(means[1], [0.6, 0.8], rtol=1e-6)
    assert not means[2].any()  # a statement without passages


def test_keywords_match_japanese_as_substrings_and_latin_as_whole_words() -> None:
    counts = keyword_counts(
        ["原発の再稼働と原発事故。ＬＮＧも", "taxi drivers pay tax", "nothing"],
        [("原発", "lng"), ("tax",)],
    )
    assert counts.tolist() == [[3, 0], [0, 1], [0, 0]]


@given(arrays(np.float64, (4, 5), elements=st.floats(-50, 50)), st.floats(0.1, 10))
def test_confidences_are_probabilities_in_the_logit_order(logits: np.ndarray, t: float) -> None:
    p = confidences(logits, t)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    for row_p, row_l in zip(p, logits, strict=True):
        higher = row_l[:, None] > row_l[None, :]
        assert np.all(row_p[:, None] >= row_p[None, :] - 1e-12, where=higher)


def test_a_clear_statement_is_assigned_and_an_unclear_one_is_none_mixed() -> None:
    model = _model()
    clear = np.array([[0, 1, 0, 0]], dtype=np.float32)
    unclear = np.array([[0.5, 0.5, 0.5, 0.5]], dtype=np.float32)

    tags = tag_statements(model, {"e5": np.vstack([clear, unclear])}, ["", ""], [False, False])

    assert tags[0][0].theme_id == "8" and tags[0][0].assigned and tags[0][0].score > 0.9
    assert not any(t.assigned for t in tags[1])
    assert [t.rank for t in tags[1]] == [1, 2, 3]


def test_keywords_tip_the_balance_and_procedural_remarks_get_the_procedural_theme() -> None:
    model = _model()
    between = np.array([[0, 0.5, 0.5, 0]], dtype=np.float32)
    tags = tag_statements(
        model, {"e5": np.vstack([between, between])}, ["自衛隊の任務", "原発"], [False, True]
    )

    assert tags[0][0].theme_id == "16"
    assert tags[1] == [tags[1][0]] and tags[1][0].theme_id == "0" and tags[1][0].score == 1.0


def test_a_second_theme_is_assigned_only_above_its_own_threshold() -> None:
    model = _model(threshold=0.4, secondary_threshold=0.3)
    both = np.array([[0, 0.7, 0.7, 0]], dtype=np.float32)
    tags = tag_statements(model, {"e5": both}, [""], [False])[0]

    assert [t.assigned for t in tags[:2]] == [True, True]
    assert tags[0].score >= tags[1].score


def test_a_channel_the_model_lacks_is_ignored() -> None:
    model = _model(channels=(ChannelWeights("use", "x", np.eye(3, 2, dtype=np.float32),
                                            np.zeros(3, dtype=np.float32)),))  # fmt: skip
    tags = tag_statements(model, {"e5": np.ones((1, 4), dtype=np.float32)}, ["原発"], [False])
    assert tags[0][0].theme_id == "8"


def test_standardized_channel_scores_do_not_depend_on_the_cosine_band() -> None:
    channel = ChannelWeights("e5", "a", np.eye(3, dtype=np.float32), np.zeros(3, np.float32))
    model = _model(channels=(channel,), standardize=True, keywords=((), (), ()))
    narrow = np.array([[0.80, 0.82, 0.78]], dtype=np.float32)  # e5-like band
    wide = 0.5 + 10 * (narrow - 0.8)  # the same preferences, ten times wider

    a = theme_logits(model, {"e5": narrow}, np.zeros((1, 3)))[0]
    b = theme_logits(model, {"e5": wide}, np.zeros((1, 3)))[0]

    np.testing.assert_allclose(a, b, atol=1e-4)
    np.testing.assert_allclose([a.mean(), a.std()], [0.0, 1.0], atol=1e-4)


def test_keyword_evidence_weighs_rare_keywords_more() -> None:
    texts = ["予算 予算 原発", "予算", "予算の話", "原発"]
    idf = keyword_idf(texts, [("予算",), ("原発",)])
    evidence = keyword_evidence(texts[:1], [("予算",), ("原発",)], idf)

    assert idf[0][0] == pytest.approx(np.log(4 / 3), abs=1e-4) and idf[1][0] > idf[0][0]
    assert evidence[0, 1] > evidence[0, 0]
