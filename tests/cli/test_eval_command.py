"""``policy-search eval`` on a small labelled fixture whose right numbers are known by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.pipeline import PRIMARY_CHANNEL, UpdateOptions, update_index
from models.loading import load_embedder
from search_api.cli.eval_command import eval_command

SEED = "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt"

QUESTIONS = [
    # Only one seed remark has both words: rank 1 is the grade-2 remark -> 1 / 1 / 1.
    {
        "qid": "n1",
        "lang": "ja",
        "query": "ニューロ・セキュリティ",
        "relevant": [
            {
                "file": SEED,
                "marker": "「認知戦」の時代に入った。「ニューロ・セキュリティ」",
                "grade": 2,
            }
        ],
    },
    # Rank 1 is the grade-1 remark; the grade-2 remark is in a Diet file that is not indexed:
    # nDCG = (1/log2 2) / (2/log2 2 + 1/log2 3) = 0.38010, recall 0, reciprocal rank 0.
    {
        "qid": "n2",
        "lang": "en",
        "query": "特許 訴訟",
        "relevant": [
            {
                "file": "2022-04-19_diet-208_sangiin-naikaku.json",
                "marker": "その原材料が他国に過度に依存することがないように",
                "grade": 2,
            },
            {"file": SEED, "marker": "特許を確保していても侵害に対する訴訟が少なく", "grade": 1},
        ],
    },
]


@pytest.fixture(scope="module")
def fixture_paths(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("eval")
    index_dir = root / "index"
    embedders = {PRIMARY_CHANNEL: load_embedder("fake")}
    update_index(index_dir, [corpus_dir / SEED], embedders, UpdateOptions(progress=False))
    questions = root / "questions.jsonl"
    questions.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS))
    return index_dir, questions


def _run(fixture_paths: tuple[Path, Path], *args: str) -> str:
    index_dir, questions = fixture_paths
    result = CliRunner().invoke(
        eval_command, [str(questions), "--index", str(index_dir), "--model", "fake", *args]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_eval_json_gives_the_hand_computed_figures(fixture_paths) -> None:
    report = json.loads(_run(fixture_paths, "--mode", "lexical", "--json", "--per-question"))
    result = report["modes"]["lexical"]
    overall, en, ja = result["summary"]
    assert (overall["group"], en["group"], ja["group"]) == ("all", "en", "ja")
    assert ja["ndcg@10"] == ja["recall@10"] == ja["mrr"] == 1.0
    assert en["ndcg@10"] == pytest.approx(0.3801, abs=1e-4)
    assert en["recall@10"] == en["mrr"] == 0.0
    assert overall["ndcg@10"] == pytest.approx((1 + 0.38010) / 2, abs=1e-4)
    assert overall["recall@10"] == overall["mrr"] == 0.5
    assert result["questions"][1]["gains"][0] == 1


def test_eval_table_lists_every_mode_and_group(fixture_paths) -> None:
    output = _run(fixture_paths, "--mode", "all")
    rows = [line.split() for line in output.splitlines()[1:]]
    assert [(r[0], r[1]) for r in rows] == [
        (mode, group) for mode in ("semantic", "lexical", "hybrid") for group in ("all", "en", "ja")
    ]
    lexical_all = rows[3]
    assert lexical_all[3:] == ["0.690", "0.500", "0.500"]


def test_eval_refuses_a_malformed_questions_file(fixture_paths, tmp_path) -> None:
    index_dir, _ = fixture_paths
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"qid": "x"}\n')
    result = CliRunner().invoke(eval_command, [str(bad), "--index", str(index_dir)])
    assert result.exit_code != 0
    assert "bad.jsonl:1" in str(result.exception)


def distractor_speeches(count: int) -> str:
    """Kokkai JSON lines of ``count`` short speeches that BM25 ranks above the seed remarks
    for 「特許 訴訟」 (both words, twice, in a few characters)."""
    lines = []
    for n in range(count):
        record = {
            "speechID": f"999999999X00120240101_{n:03d}",
            "issueID": "999999999X00120240101",
            "session": 999,
            "nameOfHouse": "衆議院",
            "nameOfMeeting": "特許委員会",
            "issue": "第1号",
            "date": "2024-01-01",
            "speechOrder": n + 1,
            "speech": f"○委員{n}君　特許訴訟、特許訴訟の件その{n}。",
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return "".join(lines)


def test_condensed_lists_are_cut_from_the_whole_ranking(corpus_dir, tmp_path) -> None:
    # 250 unlabelled speeches rank above the labelled remark; left out, it is first (1 / 1 / 1).
    pool = tmp_path / "speeches-distractors.jsonl"
    pool.write_text(distractor_speeches(250), encoding="utf-8")
    index_dir = tmp_path / "index"
    embedders = {PRIMARY_CHANNEL: load_embedder("fake")}
    update_index(index_dir, [corpus_dir / SEED, pool], embedders, UpdateOptions(progress=False))
    question = {
        "qid": "p1",
        "lang": "ja",
        "query": "特許 訴訟",
        "relevant": [
            {"file": SEED, "marker": "特許を確保していても侵害に対する訴訟が少なく", "grade": 2}
        ],
    }
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps(question, ensure_ascii=False) + "\n", encoding="utf-8")
    paths = (index_dir, questions)

    raw = json.loads(_run(paths, "--mode", "lexical", "--json"))["modes"]["lexical"]
    condensed = json.loads(
        _run(paths, "--mode", "lexical", "--json", "--unjudged-source", "speeches-*.jsonl")
    )["modes"]["lexical"]

    assert raw["summary"][0]["ndcg@10"] == 0.0
    assert condensed["summary"][0]["ndcg@10"] == condensed["summary"][0]["mrr"] == 1.0
