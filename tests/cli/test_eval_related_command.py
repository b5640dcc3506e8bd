"""``policy-search eval-related`` through the real entry point, on the small real index."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from search_api.cli.eval_related_command import eval_related_command

SEED_FILE = "2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt"
CASES = [
    {
        "rid": "c1",
        "source": {"file": SEED_FILE, "marker": "ガスや石油を特定国に依存しているリスク"},
        "related": [
            {"file": "2022-03-23_diet-208_shugiin-naikaku.json",
             "marker": "経済安全保障推進法案", "grade": 2},
            {"file": "2022-03-30_diet-208_shugiin-naikaku.json",
             "marker": "サプライチェーン", "grade": 1},
        ],
        "note": "dependence on particular countries",
    },
    {
        "rid": "c2",
        "source": {"file": "not-indexed.json", "marker": "この発言は索引にありません"},
        "related": [{"file": SEED_FILE, "marker": "赤字国", "grade": 2}],
        "note": "a source missing from the index",
    },
]  # fmt: skip


def _ndcg(gains: list[int], grades: list[int]) -> float:
    def dcg(values: list[int]) -> float:
        return sum(g / math.log2(rank + 1) for rank, g in enumerate(values[:10], start=1))

    return dcg(gains) / dcg(sorted(grades, reverse=True))


@pytest.fixture()
def cases_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in CASES))
    return path


def test_eval_related_scores_each_case_and_reports_missing_sources(
    cli_index: Path, cases_file: Path
) -> None:
    args = [str(cases_file), "--index", str(cli_index), "--model", "fake"]
    result = CliRunner().invoke(eval_related_command, [*args, "--json", "--per-case"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)

    assert report["missing_sources"] == ["c2"]
    first, second = report["per_case"]
    assert first["source"].startswith(SEED_FILE.removesuffix(".txt") + "_")
    assert first["ndcg@10"] == pytest.approx(_ndcg(first["gains"], [2, 1]), abs=1e-4)
    assert first["recall@10"] == (1.0 if 2 in first["gains"] else 0.0)
    assert (second["ndcg@10"], second["recall@10"], second["rr"]) == (0.0, 0.0, 0.0)
    overall = report["summary"][0]
    assert overall["questions"] == 2
    assert overall["ndcg@10"] == pytest.approx(first["ndcg@10"] / 2, abs=1e-4)

    table = CliRunner().invoke(eval_related_command, [*args, "--per-case"])
    assert table.exit_code == 0, table.output
    assert table.output.splitlines()[0].split() == ["GROUP", "N", "nDCG@10", "R@10(2)", "MRR"]
    assert "c2: source not found in the index (scored 0)" in table.output
