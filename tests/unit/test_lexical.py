"""Lexical analysis and BM25: real sentences from the corpus, the same analysis both sides."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from search_api.lexical import (
    Analyzer,
    BM25Parameters,
    LexicalIndex,
    build_lexical_index,
    english_terms,
    found_words,
    question_language,
)
from search_api.search_cache import (
    cache_key,
    cached_directory,
    load_lexical_index,
    save_lexical_index,
    write_cache_directory,
)

# A real remark, quoted from ../shared/corpus/kokkai/speeches.jsonl.gz
# (speech 114304056X01519980914_009)
NIKKEI = (
    "ある証券会社が試算をいたしました。その前提が、為替レートが一ドルが百五十円だった場合、"
    "そして日経平均株価が一万五千円、そしてさらに、各行が住友銀行と同じ不良債権の七五・八％を"
    "債権償却特別勘定に積み、"
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def diet_speeches(corpus_dir: Path) -> list[str]:
    path = corpus_dir / "kokkai" / "meetings" / "2022-04-15_diet-208_shugiin-keizaisangyo.json"
    return [r["speech"] for r in json.loads(path.read_text(encoding="utf-8"))["speechRecord"]]


def test_japanese_content_words_use_normalised_forms_and_drop_particles(analyzer) -> None:
    terms = analyzer.analyze("経済安全保障推進法案について伺います。")
    assert {"経済", "安全", "保障", "推進法", "案", "伺う"} <= set(terms)
    assert {"推進", "法"} <= set(terms)  # mode-A parts of the compound 推進法
    assert not {"に", "つく", "て", "ます", "。"} & set(terms)


def test_short_compound_query_matches_the_real_remark(analyzer, diet_speeches) -> None:
    documents = [*diet_speeches, NIKKEI]
    index = build_lexical_index(np.arange(len(documents)), [analyzer.analyze(d) for d in documents])
    scores, ids = index.search(analyzer.analyze("日経平均株価"), k=3)
    assert ids[0] == len(documents) - 1
    assert scores[0] > 0


def test_solar_sharing_query_finds_its_speeches(analyzer, diet_speeches) -> None:
    index = build_lexical_index(
        np.arange(len(diet_speeches)), [analyzer.analyze(d) for d in diet_speeches]
    )
    _scores, ids = index.search(analyzer.analyze("ソーラーシェアリング 農地 発電"), k=3)
    assert all("ソーラーシェアリング" in diet_speeches[i] for i in ids[:2])


def test_english_words_are_lowercased_and_not_read_as_katakana(analyzer) -> None:
    terms = analyzer.analyze("Japan's ride-hailing scheme is limited to Taxi firms")
    assert terms == ["japan", "ride", "hailing", "scheme", "limited", "taxi", "firm"]
    assert "gdp" in analyzer.analyze("ＧＤＰ比で二％の防衛費")  # full-width Latin in Diet text


def test_english_terms_drop_stopwords_and_plurals() -> None:
    assert english_terms("the policies of the committee members") == [
        "policy",
        "committee",
        "member",
    ]


def test_question_language() -> None:
    assert question_language("のれん 定期償却") == "ja"
    assert question_language("Why did Japan fail to anticipate the chip race?") == "en"
    assert question_language("FOMCの議事要旨") == "ja"


def test_very_long_text_is_analysed_in_pieces(analyzer, diet_speeches) -> None:
    longest = "".join(diet_speeches) * 3  # far beyond Sudachi's input limit
    assert len(analyzer.analyze(longest)) > 1000


def test_search_respects_allowed_ids_and_breaks_ties_by_id(analyzer) -> None:
    docs = [["半導体", "供給"], ["半導体", "供給"], ["半導体"], ["農地"]]
    index = build_lexical_index(np.array([40, 10, 30, 20]), docs)
    scores, ids = index.search(["半導体", "供給"], k=10)
    assert ids.tolist() == [10, 40, 30]
    assert scores[0] == scores[1] > scores[2] > 0
    _scores, ids = index.search(["半導体", "供給"], k=10, allowed_ids=np.array([30, 20]))
    assert ids.tolist() == [30]
    assert index.search(["存在しない"], k=5)[1].size == 0


def test_bm25_prefers_the_shorter_passage_for_the_same_match() -> None:
    docs = [["半導体", *["その他"] * 30], ["半導体", "工場"]]
    _scores, ids = build_lexical_index(np.array([1, 2]), docs, BM25Parameters()).search(
        ["半導体"], k=2
    )
    assert ids.tolist() == [2, 1]


def test_postings_hold_each_terms_rows_in_order_with_hand_computed_bm25_weights() -> None:
    docs = [["半導体", "供給", "半導体"], ["農地"], ["供給", "農地", "農地", "農地"]]
    index = build_lexical_index(np.array([7, 8, 9]), docs, BM25Parameters(k1=1.2, b=0.75))

    assert index.vocabulary == {"半導体": 0, "供給": 1, "農地": 2}
    assert index.indptr.tolist() == [0, 1, 3, 5]
    assert index.rows.tolist() == [0, 0, 2, 1, 2]

    def weight(tf: int, length: int, documents_with_term: int) -> float:
        idf = math.log(1 + (3 - documents_with_term + 0.5) / (documents_with_term + 0.5))
        norm = 1.2 * (1 - 0.75 + 0.75 * length / (8 / 3))
        return idf * tf * 2.2 / (tf + norm)

    expected = [weight(2, 3, 1), weight(1, 3, 2), weight(1, 4, 2), weight(1, 1, 2), weight(3, 4, 2)]
    assert index.weights.tolist() == pytest.approx(expected, rel=1e-6)


def test_matched_words_are_the_query_terms_as_written_in_the_passage(analyzer) -> None:
    terms = analyzer.analyze("日経平均株価 為替")
    assert analyzer.matched_words(NIKKEI, terms) == ("為替", "日経", "平均", "株価")
    words = analyzer.matched_words("Tariffs raised inflation risks.", analyzer.analyze("tariff"))
    assert words == ("Tariffs",)


def test_found_words_are_located_without_analysing_the_passage(analyzer) -> None:
    words = analyzer.analyze_with_surfaces("日経平均株価 為替")
    assert found_words(NIKKEI, words) == ("為替", "日経", "平均", "株価")
    english = analyzer.analyze_with_surfaces("Tariffs and inflation")
    assert found_words("Higher TARIFFS could raise inflation.", english) == ("TARIFFS", "inflation")
    assert found_words("関係のない文", words) == ()


def test_cache_round_trips_and_is_keyed_by_index_version(tmp_path, analyzer) -> None:
    docs = [analyzer.analyze(NIKKEI), analyzer.analyze("ソーラーシェアリングの普及。")]
    index = build_lexical_index(np.array([7, 9]), docs)
    key = cache_key(("build-a", 1), BM25Parameters())
    assert cached_directory(tmp_path, key) is None
    write_cache_directory(tmp_path, key, lambda path: save_lexical_index(index, path))
    path = cached_directory(tmp_path, key)
    assert path is not None
    loaded = load_lexical_index(path)
    assert loaded is not None
    query = analyzer.analyze("日経平均株価")
    assert np.array_equal(loaded.search(query, 2)[1], index.search(query, 2)[1])
    assert np.allclose(loaded.score_rows(query), index.score_rows(query))

    newer = cache_key(("build-a", 2), BM25Parameters())
    assert newer != key
    assert cached_directory(tmp_path, newer) is None
    write_cache_directory(tmp_path, newer, lambda path: save_lexical_index(index, path))
    assert cached_directory(tmp_path, key) is None  # the stale version was removed
    assert cached_directory(tmp_path, newer) is not None


def test_a_failed_cache_write_leaves_nothing_behind(tmp_path) -> None:
    def fail(path):
        (path / "half.npy").write_bytes(b"x")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_cache_directory(tmp_path, "k", fail)
    assert cached_directory(tmp_path, "k") is None
    assert not any((tmp_path / "search-cache").iterdir())


# ---- structured queries: groups of synonymous terms (English questions' translations) ------
GROUP_DOCUMENTS = [
    ["夫", "帰宅", "夕方"],
    ["配偶者", "夫", "所得"],
    ["配偶者", "控除", "所得", "税"],
    ["婿", "祝い"],
    ["天気", "晴れ"],
    ["天気", "雨", "傘"],
]


def bm25_parts(documents: list[list[str]], term: str, row: int) -> tuple[float, float]:
    """(idf, tf part) of BM25 with the default k1 = 1.2, b = 0.75, from the formula."""
    k1, b = 1.2, 0.75
    df = sum(term in d for d in documents)
    idf = math.log(1 + (len(documents) - df + 0.5) / (df + 0.5))
    tf = documents[row].count(term)
    average = sum(map(len, documents)) / len(documents)
    norm = k1 * (1 - b + b * len(documents[row]) / average)
    return idf, tf * (k1 + 1) / (tf + norm)


def group_idf(documents: list[list[str]], group: list[str]) -> float:
    df = sum(any(t in d for t in group) for d in documents)
    return math.log(1 + (len(documents) - df + 0.5) / (df + 0.5))


@pytest.fixture(scope="module")
def group_index() -> LexicalIndex:
    return build_lexical_index(list(range(100, 106)), GROUP_DOCUMENTS)


def test_a_group_of_one_term_scores_as_that_term(group_index: LexicalIndex) -> None:
    assert np.allclose(group_index.score_groups([["夫"]]), group_index.score_rows(["夫"]))


def test_a_row_with_two_terms_of_a_group_scores_its_best_term_once(
    group_index: LexicalIndex,
) -> None:
    scores = group_index.score_groups([["夫", "配偶者"]])
    idf = group_idf(GROUP_DOCUMENTS, ["夫", "配偶者"])
    best = max(bm25_parts(GROUP_DOCUMENTS, t, 1)[1] for t in ("夫", "配偶者"))
    assert scores[1] == pytest.approx(best * idf, rel=1e-5)
    assert scores[1] < group_index.score_rows(["夫", "配偶者"])[1]
    assert scores[4] == scores[5] == 0.0


def test_a_rare_translation_weighs_as_its_whole_group(group_index: LexicalIndex) -> None:
    """婿 alone is rare (high idf); in a group with 夫 and 配偶者 it counts at the group's."""
    group = ["夫", "配偶者", "婿"]
    scores = group_index.score_groups([group])
    _idf, part = bm25_parts(GROUP_DOCUMENTS, "婿", 3)
    assert scores[3] == pytest.approx(part * group_idf(GROUP_DOCUMENTS, group), rel=1e-5)
    assert scores[3] < group_index.score_rows(["婿"])[3]


def test_groups_add_up_and_unknown_terms_are_ignored(group_index: LexicalIndex) -> None:
    both = group_index.score_groups([["夫", "配偶者"], ["所得", "未知語"]])
    first = group_index.score_groups([["夫", "配偶者"]])
    second = group_index.score_rows(["所得"])
    assert np.allclose(both, first + second)
    assert not group_index.score_groups([["未知語"]]).any()
