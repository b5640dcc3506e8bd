"""Evaluation metrics on a small labelled fixture whose right numbers are worked out by hand."""

from __future__ import annotations

import json
import math

import pytest

from models.errors import ConfigError
from search_api.evaluation import (
    evaluate,
    judge,
    ndcg_at,
    read_questions,
    recall_at,
    reciprocal_rank,
    summarise,
)

QUESTIONS = [
    {
        "qid": "q1",
        "lang": "ja",
        "query": "エネルギー 自給率",
        "relevant": [
            {"file": "a.json", "marker": "エネルギー自給率というのは一〇％程度", "grade": 2},
            {"file": "a.json", "marker": "資源小国日本、どうやって生き延びて", "grade": 2},
            {"file": "b.txt", "marker": "「海運」を論点とすべき。", "grade": 1},
        ],
    },
    {
        "qid": "q2",
        "lang": "en",
        "query": "tariffs and inflation",
        "relevant": [{"file": "c.txt", "marker": "tariffs could raise inflation", "grade": 2}],
    },
]

RESULTS = {
    # gains 0, 2, 1, 0, 0: the marker matches across a line break and an ideographic space,
    # and the second statement holding the same marker earns nothing.
    "エネルギー 自給率": [
        "関係のない発言です。",
        "我が国の　エネルギー自給率というのは\r\n一〇％程度にとどまっております。",
        "- 「海運」を論点とすべき。日本が必要とするエネルギー",
        "別の発言。",
        "再掲：エネルギー自給率というのは一〇％程度",
    ],
    "tariffs and inflation": ["Participants noted that tariffs could  raise inflation."],
}


@pytest.fixture
def questions_file(tmp_path):
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in QUESTIONS) + "\n")
    return path


def test_judging_ignores_whitespace_and_counts_each_entry_once(questions_file) -> None:
    q1 = read_questions(questions_file)[0]
    assert judge(RESULTS[q1.query], q1.relevant) == [0, 2, 1, 0, 0]


def test_metrics_by_hand(questions_file) -> None:
    scores = evaluate(read_questions(questions_file), lambda query: RESULTS[query])
    q1, q2 = scores
    dcg = 2 / math.log2(3) + 1 / math.log2(4)  # 1.76186
    ideal = 2 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)  # 3.76186
    assert q1.ndcg == pytest.approx(dcg / ideal) == pytest.approx(0.46835, abs=1e-5)
    assert q1.recall == 0.5  # one of the two grade-2 remarks
    assert q1.reciprocal_rank == 0.5  # first grade-2 hit at rank 2
    assert (q2.ndcg, q2.recall, q2.reciprocal_rank) == (1.0, 1.0, 1.0)

    overall, en, ja = summarise(scores)
    assert (overall.group, en.group, ja.group) == ("all", "en", "ja")
    assert overall.questions == 2
    assert overall.ndcg == pytest.approx((0.468350 + 1.0) / 2, abs=1e-5)
    assert overall.recall == pytest.approx(0.75)
    assert overall.mrr == pytest.approx(0.75)
    assert ja.ndcg == pytest.approx(0.46835, abs=1e-5)
    assert en.mrr == 1.0


def test_only_the_first_ten_results_count() -> None:
    gains = [0] * 10 + [2]
    assert ndcg_at(gains, [2]) == 0.0
    assert recall_at(gains, 1) == 0.0
    assert reciprocal_rank(gains) == 0.0
    assert reciprocal_rank([0, 0, 1, 2]) == 0.25  # grade 1 does not count for MRR


def test_no_results_scores_zero(questions_file) -> None:
    scores = evaluate(read_questions(questions_file), lambda query: [])
    assert all(s.ndcg == s.recall == s.reciprocal_rank == 0.0 for s in scores)


def test_a_malformed_line_names_file_and_line(tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(QUESTIONS[0], ensure_ascii=False) + '\n{"qid": "x"}\n')
    with pytest.raises(ConfigError, match=r"bad\.jsonl:2"):
        read_questions(path)


def test_the_dev_set_reads(dev_questions_path) -> None:
    questions = read_questions(dev_questions_path)
    assert len(questions) == 30
    assert {q.language for q in questions} == {"ja", "en"}
    assert all(any(j.grade == 2 for j in q.relevant) for q in questions)


def test_condensed_lists_leave_out_unjudged_sources_before_the_cut() -> None:
    from search_api.evaluation import condensed

    ranked = [
        ("speeches.jsonl.gz", "pool 1"),
        ("panel.txt", "judged 1"),
        ("speeches.jsonl.gz", "pool 2"),
        ("meeting.json", "judged 2"),
        ("panel.txt", "judged 3"),
    ]
    assert condensed(ranked, ("speeches*.gz",), depth=2) == ["judged 1", "judged 2"]
    assert condensed(ranked, (), depth=2) == ["pool 1", "judged 1"]
    assert condensed(ranked, ("*.txt", "*.json"), depth=10) == ["pool 1", "pool 2"]
