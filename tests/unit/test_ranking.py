"""From passage scores to statements: best passage, long-speech penalty, cross-lingual offset."""

from __future__ import annotations

import math

import numpy as np
import pytest

from indexer.records import Passage, Statement
from search_api.catalog import build_catalog
from search_api.ranking import ChannelTuning, allowed_rows_mask, rank_statements, top_rows


def _catalog():
    statements = [
        Statement("s-ja-long", "m1", 1, "長い発言", "ja"),
        Statement("s-ja-short", "m1", 2, "短い発言", "ja"),
        Statement("s-en", "m2", 1, "An English paragraph", "en"),
        Statement("s-proc", "m2", 2, "The meeting adjourned", "en", procedural=True),
    ]
    owners = ["s-ja-long"] * 4 + ["s-ja-short", "s-en", "s-proc"]
    passages = [(10 + i, Passage(sid, i, "x", 0, 1)) for i, sid in enumerate(owners)]
    return build_catalog(statements, passages)


def test_a_statement_scores_by_its_best_passage_and_ties_go_to_the_smaller_id() -> None:
    catalog = _catalog()
    rows = np.arange(7)
    scores = np.array([0.5, 0.8, 0.6, 0.1, 0.8, 0.3, 0.2])
    ranking = rank_statements(catalog, rows, scores, ChannelTuning(), "ja")
    names = [catalog.statement_ids[i] for i in ranking.statements]
    assert names == ["s-ja-long", "s-ja-short", "s-en", "s-proc"]  # tie 0.8: id order
    assert ranking.best_rows.tolist() == [1, 4, 5, 6]
    assert catalog.passage_counts.tolist() == [1, 4, 1, 1]  # by sorted id: s-en, s-ja-long...


def test_the_long_speech_penalty_grows_with_the_log_of_the_passage_count() -> None:
    catalog = _catalog()
    rows = np.array([1, 4])
    ranking = rank_statements(
        catalog, rows, np.array([0.8, 0.8]), ChannelTuning(long_speech_penalty=0.01), "ja"
    )
    names = [catalog.statement_ids[i] for i in ranking.statements]
    assert names == ["s-ja-short", "s-ja-long"]
    assert ranking.scores.tolist() == pytest.approx([0.8, 0.8 - 0.01 * math.log(4)])


def test_the_cross_lingual_offset_lifts_passages_in_the_other_language() -> None:
    catalog = _catalog()
    rows = np.array([4, 5])
    scores = np.array([0.82, 0.80])
    plain = rank_statements(catalog, rows, scores, ChannelTuning(), "en")
    lifted = rank_statements(catalog, rows, scores, ChannelTuning(cross_language_offset=0.03), "en")
    assert catalog.statement_ids[plain.statements[0]] == "s-ja-short"
    assert lifted.scores.tolist() == pytest.approx([0.85, 0.80])  # the Japanese one lifted
    same_language = rank_statements(
        catalog, rows, scores, ChannelTuning(cross_language_offset=0.03), "ja"
    )
    assert catalog.statement_ids[same_language.statements[0]] == "s-en"  # 0.80 + 0.03 > 0.82


def test_relative_tuning_scales_with_the_best_score() -> None:
    catalog = _catalog()
    rows = np.array([1, 4])
    tuning = ChannelTuning(long_speech_penalty=0.1, relative=True)
    ranking = rank_statements(catalog, rows, np.array([20.0, 20.0]), tuning, "ja")
    assert ranking.scores.tolist() == pytest.approx([20.0, 20.0 - 0.1 * 20.0 * math.log(4)])


def test_masks_and_top_rows() -> None:
    catalog = _catalog()
    assert catalog.substantive_passage_ids().tolist() == [10, 11, 12, 13, 14, 15]
    mask = allowed_rows_mask(catalog, np.array([11, 15, 99]))
    assert np.flatnonzero(mask).tolist() == [1, 5]
    scores = np.array([0.0, 3.0, 1.0, 3.0, 2.0, 5.0, 4.0])
    assert top_rows(scores, np.ones(7, dtype=bool), 3).tolist() == [5, 6, 1]
    assert top_rows(scores, mask, 10).tolist() == [5, 1]
    empty = rank_statements(catalog, np.zeros(0, np.int64), np.zeros(0), ChannelTuning(), "ja")
    assert empty.statements.size == 0 and empty.as_pairs() == []
