"""The index with the real multilingual-e5-small model (slow: marked ``model``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer.consistency import rebuild_vectors
from indexer.index_dir import open_index
from indexer.pipeline import UpdateOptions, update_index
from indexer.records import StatementFilter
from indexer.vectors import FaissVectorIndex
from models.embedder import Embedder

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def seed_index(
    tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, real_embedder: Embedder
) -> Path:
    """The seed summary (41 remarks) embedded with the real model."""
    index_dir = tmp_path_factory.mktemp("real") / "index"
    inputs = [corpus_dir / "seed"]
    summary = update_index(index_dir, inputs, {"e5": real_embedder}, UpdateOptions(progress=False))
    assert summary.failed == 0 and summary.embedded > 0
    return index_dir


def dev_queries(dev_questions_path: Path) -> list[dict[str, object]]:
    lines = dev_questions_path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_a_dev_question_finds_its_seed_remark(
    seed_index: Path, real_embedder: Embedder, dev_questions_path: Path
) -> None:
    question = next(q for q in dev_queries(dev_questions_path) if q["qid"] == "d01")
    marker = next(
        r["marker"]
        for r in question["relevant"]
        if r["file"].endswith("gijiyoshi.txt")  # type: ignore[attr-defined]
    )
    with open_index(seed_index, {"e5": real_embedder}) as index:
        xq = real_embedder.embed_query(str(question["query"]))[None, :]
        allowed = index.store.passage_ids_matching(StatementFilter())
        _, labels = index.vectors("e5").search(xq, 5, allowed_ids=allowed)
        passages = index.store.get_passages(labels[0].tolist())
        statements = index.store.get_statements([p.statement_id for p in passages.values()])
    assert any(marker in s.text for s in statements.values())


def test_hnsw_recall_at_10_against_exact_search(
    seed_index: Path, real_embedder: Embedder, dev_questions_path: Path
) -> None:
    # Small on purpose (the model is slow on a shared CPU): this checks the HNSW wiring (inner
    # product, ids) on real vectors; bench/bench_index.py measures recall on a pool sample.
    queries = [str(q["query"]) for q in dev_queries(dev_questions_path)][:8]
    xq = np.stack([real_embedder.embed_query(q) for q in queries])
    with open_index(seed_index) as index:
        exact = rebuild_vectors(index.store, "e5")
        ids = exact.ids()
        approximate = FaissVectorIndex.create(exact.dimension, "hnsw")
        approximate.add(ids, exact.reconstruct(ids))
    _, truth = exact.search(xq, 10)
    _, found = approximate.search(xq, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, found, strict=True)])
    assert recall >= 0.95
