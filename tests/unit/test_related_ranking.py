"""The pure parts of related ranking: term selection, pair aggregation, per-meeting cap."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.records import Passage, Statement, ThemeTag
from search_api.catalog import build_catalog
from search_api.lexical import build_lexical_index
from search_api.question_translation import TermGroup
from search_api.ranking import ChannelTuning
from search_api.related.diversity import cap_per_meeting
from search_api.related.reasons import tagged_shared_themes
from search_api.related.scoring import aggregate_pairs
from search_api.related.terms import TermSelection, score_passages, select_groups, select_terms


def _lexical(documents: list[list[str]]):
    return build_lexical_index(list(range(1, len(documents) + 1)), documents)


def test_terms_are_chosen_by_tf_idf_within_document_frequency_bounds() -> None:
    common = ["政府"]  # in every passage: above max_doc_share
    documents = [[*common, "罰則", "調査"], [*common, "罰則"], [*common, "調査"], common] * 3
    documents.append([*common, "一回"])  # in one passage only: below min_doc_freq
    index = _lexical(documents)
    words = ["罰則", "罰則", "調査", "政府", "一回"]
    source = [(word, word) for word in words]
    chosen = select_terms(source, index, TermSelection(max_terms=5, max_doc_share=0.6))
    assert [t.term for t in chosen] == ["罰則", "調査"]  # tf 2 beats tf 1 at equal df
    assert chosen[0].weight == pytest.approx(2 * chosen[1].weight)
    only_one = select_terms(source, index, TermSelection(max_terms=1, max_doc_share=0.6))
    assert [t.term for t in only_one] == ["罰則"]


def test_weighted_terms_score_the_passages_that_contain_them() -> None:
    index = _lexical([["罰則", "調査"], ["罰則"], ["調査"], ["無関係"]])
    terms = select_terms([("罰則", "罰則"), ("罰則", "罰則"), ("調査", "調査")], index,
                         TermSelection(max_doc_share=1.0))  # fmt: skip
    scores = score_passages(index, terms)
    assert scores[3] == 0
    assert scores[0] > scores[1] > scores[2] > 0  # both terms > the heavier term > the lighter


def _catalog():
    statements = [
        Statement("s0", "m0", 0, "x", "ja"),
        Statement("s1", "m1", 0, "x", "ja"),
        Statement("s2", "m1", 1, "x", "en"),
    ]
    passages = [(10, Passage("s0", 0, "a", 0, 1)), (11, Passage("s0", 1, "b", 1, 2)),
                (20, Passage("s1", 0, "c", 0, 1)), (30, Passage("s2", 0, "d", 0, 1))]  # fmt: skip
    return build_catalog(statements, passages)


def test_pairs_aggregate_by_best_pair_or_by_coverage_of_the_source() -> None:
    catalog = _catalog()
    # two source passages; rows of (D, I) are their FAISS results, -1 = no result
    distances = np.array([[0.9, 0.5, 0.4], [0.6, 0.55, 0.0]], dtype=np.float32)
    labels = np.array([[20, 10, 30], [11, 30, -1]], dtype=np.int64)
    weights = np.ones(2)
    best = aggregate_pairs(catalog, distances, labels, weights, ChannelTuning(), "ja", "max")
    assert best.statements.tolist() == [1, 0, 2]  # s1 has the best single pair (0.9)
    assert best.pair_of(1)[:2] == (0, int(catalog.rows_of(np.array([20]))[0]))
    assert best.pair_of(0)[0] == 1  # s0's best pair is its passage 11 with source passage 1
    assert best.pair_of(0)[2] == pytest.approx(0.6)
    mean = aggregate_pairs(catalog, distances, labels, weights, ChannelTuning(), "ja", "mean")
    # s0: (0.5 + 0.6) / 2; s1: (0.9 + floor 0.55) / 2; s2: (0.4 + 0.55) / 2
    assert dict(mean.as_pairs()) == pytest.approx({0: 0.55, 1: 0.725, 2: 0.475})
    offset = aggregate_pairs(
        catalog, distances, labels, weights, ChannelTuning(cross_language_offset=0.3), "ja", "max"
    )
    # the English statement's pairs gain 0.3 (a ja source): 0.55 + 0.3 lifts it above s0
    assert offset.statements.tolist() == [1, 2, 0]
    assert dict(offset.as_pairs())[2] == pytest.approx(0.85)


def test_the_meeting_cap_moves_the_overflow_behind_and_keeps_everything() -> None:
    ranked = [(0, 0.9), (1, 0.8), (2, 0.7), (3, 0.6), (4, 0.5)]
    meeting_of = [7, 7, 7, 8, 7]
    capped = cap_per_meeting(ranked, meeting_of, 2)
    assert [s for s, _ in capped] == [0, 1, 3, 2, 4]
    assert sorted(capped) == sorted(ranked)
    assert cap_per_meeting(ranked, meeting_of, None) == ranked


def test_shared_terms_read_as_words() -> None:
    from search_api.related.finder import readable_terms

    texts = ("半導体のサプライチェーンと脱炭素", "サプライチェーンの脱炭素化")
    assert readable_terms(["サプライ", "チェーン", "脱炭素", "炭素"], texts) == (
        "サプライチェーン",
        "脱炭素",
    )
    assert readable_terms(["供給", "網"], ("供給と網", "供給網")) == ("供給", "網")


def test_shared_themes_are_the_assigned_themes_on_both_sides_by_qualified_id() -> None:
    energy, macro = ThemeTag("cap", "8", "Energy", 0.9, 1), ThemeTag("cap", "1", "Macro", 0.5, 2)
    other_set = ThemeTag("user", "8", "Energy security", 0.8, 1)  # same theme id, other set
    source = Statement("s0", "m0", 0, "x", "ja", themes=(energy, macro))
    results = {
        "a": Statement("a", "m1", 0, "x", "ja", themes=(macro, energy)),
        "b": Statement("b", "m1", 1, "x", "ja", themes=(other_set,)),
        "c": Statement("c", "m2", 0, "x", "ja"),
    }
    shared = tagged_shared_themes({t.key for t in source.themes}, results)
    assert shared == {"a": ("cap:1 Macro", "cap:8 Energy"), "b": (), "c": ()}
    assert tagged_shared_themes(set(), results) == {}  # an untagged source shares nothing


def test_translated_words_are_chosen_like_terms_most_distinctive_first() -> None:
    documents = [["夫", "所得"], ["配偶者", "所得"], ["所得", "税"], ["所得"], ["夫", "天気"]] * 4
    index = build_lexical_index(list(range(len(documents))), documents)
    groups = [
        TermGroup("income", (("所得", "所得"),)),  # in every passage: not distinctive
        TermGroup("husband", (("夫", "夫"), ("配偶者", "配偶者"))),
        TermGroup("tax", (("税", "税"),)),
        TermGroup("tax", (("税", "税"),)),
        TermGroup("weather", (("天気", "天気"),)),
    ]
    chosen = select_groups(groups, index, TermSelection(max_terms=2, max_doc_share=0.5))
    # tax occurs twice (tf 2); husband's commonest term 夫 is in 8 passages, 天気 in 4
    assert [g.source for g in chosen] == ["tax", "weather"]
    everything = select_groups(groups, index, TermSelection(max_terms=10, max_doc_share=0.5))
    assert [g.terms for g in everything] == [("税",), ("天気",), ("夫", "配偶者")]
