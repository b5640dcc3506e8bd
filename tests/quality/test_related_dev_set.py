"""Related remarks on the labelled related set: the issue-10 ranking, guarded against regressions.

Runs only when ``POLICY_SEARCH_EVAL_INDEX`` names an index of the evaluation corpus (see
``test_dev_set.py``).  The floors are the figures measured for issue 10 (nDCG@10 0.610, grade-2
Recall@10 0.742, docs/evaluation.md) minus a small margin, and the former mean-vector ranking
(0.416) as the bar the new one must clear by far.  The issue's targets (0.65 / 0.75) are not met
and not asserted.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.records import Statement
from search_api.evaluation import DEPTH, summarise
from search_api.python_api import open_searcher
from search_api.related.cases import evaluate_related, locate_sources, read_related_cases
from tests.conftest import SHARED_DIR

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def eval_index() -> Path:
    value = os.environ.get("POLICY_SEARCH_EVAL_INDEX")
    if not value:
        pytest.skip("set POLICY_SEARCH_EVAL_INDEX to an index of the evaluation corpus")
    return Path(value)


def test_related_ranking_clears_the_former_one_and_finds_something_for_every_case(
    eval_index: Path,
) -> None:
    searcher = open_searcher(eval_index)
    cases = read_related_cases(SHARED_DIR / "eval" / "related-dev.jsonl")
    sources = locate_sources(cases, searcher.iter_statements())
    assert len(sources) == len(cases)

    def find(source: Statement) -> list[str]:
        page = searcher.related(source.statement_id, limit=DEPTH)
        assert source.statement_id not in {hit.statement.statement_id for hit in page.hits}
        assert source.meeting_id not in {hit.statement.meeting_id for hit in page.hits}
        return [hit.statement.text for hit in page.hits]

    scores = evaluate_related(cases, sources, find)
    overall = summarise(scores)[0]
    assert overall.ndcg >= 0.58
    assert overall.recall >= 0.70
    assert all(s.ndcg > 0 for s in scores), [s.qid for s in scores if s.ndcg == 0]
