"""Related-case metrics on a small labelled fixture whose right numbers are worked out by hand."""

from __future__ import annotations

import json
import math

import pytest

from indexer.records import Statement
from models.errors import ConfigError
from search_api.evaluation import summarise
from search_api.related.cases import evaluate_related, locate_sources, read_related_cases

CASES = [
    {
        "rid": "r1",
        "source": {"file": "a.json", "marker": "罰則を科せと 言っているのではなく"},
        "related": [
            {"file": "b.json", "marker": "調査を拒否した場合の罰則は置かず", "grade": 2},
            {"file": "c.json", "marker": "この罰則を落としたのは間違い", "grade": 2},
            {"file": "c.json", "marker": "ディスインセンティブの在り方", "grade": 1},
        ],
        "note": "penalties",
    },
    {
        "rid": "r2",
        "source": {"file": "fomc_en.txt", "marker": "tariffs could raise inflation"},
        "related": [{"file": "d.txt", "marker": "higher tariffs on imports", "grade": 2}],
        "note": "tariffs",
    },
    {
        "rid": "r3",
        "source": {"file": "missing.json", "marker": "この発言は索引にない"},
        "related": [{"file": "d.txt", "marker": "higher tariffs on imports", "grade": 2}],
        "note": "a source that is not indexed",
    },
]

STATEMENTS = [
    Statement("a#1", "a", 1, "罰則を科せと言っているのではなく、実効性を担保せよ", "ja",
              source_file="/corpus/kokkai/a.json"),
    Statement("a#2", "a", 2, "別の発言", "ja", source_file="/corpus/kokkai/a.json"),
    Statement("x#1", "x", 1, "Participants said tariffs could raise inflation.", "en",
              source_file="/corpus/minutes/fomc_en.txt"),
    # same marker, wrong file: never a source
    Statement("z#1", "z", 1, "罰則を科せと言っているのではなく", "ja", source_file="other.json"),
]  # fmt: skip

RESULTS = {
    # r1: gains 0, 2, 0, 1, 2 (the marker matches across a line break; the repeat earns nothing)
    "a#1": [
        "関係のない発言。",
        "調査を拒否した場合の\n罰則は置かず、",
        "調査を拒否した場合の罰則は置かず（再掲）",
        "事業者側のディスインセンティブの在り方",
        "この罰則を落としたのは間違いである",
    ],
    # r2: grade-2 remark first
    "x#1": ["It proposed higher tariffs on imports."],
}


@pytest.fixture
def cases_file(tmp_path):
    path = tmp_path / "related.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CASES))
    return path


def test_sources_are_found_by_file_name_and_marker(cases_file) -> None:
    cases = read_related_cases(cases_file)
    sources = locate_sources(cases, STATEMENTS)
    assert {rid: s.statement_id for rid, s in sources.items()} == {"r1": "a#1", "r2": "x#1"}


def test_metrics_by_hand(cases_file) -> None:
    cases = read_related_cases(cases_file)
    sources = locate_sources(cases, STATEMENTS)
    scores = evaluate_related(cases, sources, lambda s: RESULTS[s.statement_id])
    r1, r2, r3 = scores
    assert r1.gains == (0, 2, 0, 1, 2)
    dcg = 2 / math.log2(3) + 1 / math.log2(5) + 2 / math.log2(6)  # 2.46625
    ideal = 2 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)  # 3.76186
    assert r1.ndcg == pytest.approx(dcg / ideal) == pytest.approx(0.65559, abs=1e-5)
    assert r1.recall == 1.0  # both grade-2 remarks in the first 10
    assert r1.reciprocal_rank == 0.5
    assert (r2.ndcg, r2.recall, r2.reciprocal_rank) == (1.0, 1.0, 1.0)
    assert (r3.ndcg, r3.recall, r3.reciprocal_rank) == (0.0, 0.0, 0.0)  # not indexed: 0
    overall = summarise(scores)[0]
    assert overall.questions == 3
    assert overall.ndcg == pytest.approx((0.65559 + 1.0 + 0.0) / 3, abs=1e-5)
    assert overall.recall == pytest.approx(2 / 3)
    assert overall.mrr == pytest.approx(0.5)


def test_a_malformed_line_is_refused_with_file_and_line(tmp_path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(CASES[0], ensure_ascii=False) + "\n" + '{"rid": "x"}\n')
    with pytest.raises(ConfigError, match=r"bad\.jsonl:2"):
        read_related_cases(path)
