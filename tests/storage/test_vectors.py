"""FAISS vectors: results equal a numpy brute-force search, filters act inside the search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.vectors import INDEX_KINDS, FaissVectorIndex, recommended_kind
from models.errors import ConfigError, IndexCorruptError


def unit_rows(n: int, d: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def brute_force(xb: np.ndarray, ids: np.ndarray, xq: np.ndarray, k: int) -> np.ndarray:
    scores = xq @ xb.T
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return ids[order]


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xb = unit_rows(500, 32)
    ids = np.arange(10_000, 10_500, dtype=np.int64) * 3
    return xb, ids, unit_rows(20, 32, seed=1)


def test_flat_search_equals_numpy_brute_force(data: tuple[np.ndarray, ...]) -> None:
    xb, ids, xq = data
    index = FaissVectorIndex.create(32)
    index.add(ids, xb)
    distances, labels = index.search(xq, 10)
    assert np.array_equal(labels, brute_force(xb, ids, xq, 10))
    expected = np.take_along_axis(xq @ xb.T, np.argsort(-(xq @ xb.T), axis=1)[:, :10], axis=1)
    assert np.allclose(distances, expected, atol=1e-5)


def test_filter_restricts_the_search_itself(data: tuple[np.ndarray, ...]) -> None:
    xb, ids, xq = data
    index = FaissVectorIndex.create(32)
    index.add(ids, xb)
    allowed = ids[::7]
    _, labels = index.search(xq, 10, allowed_ids=allowed)
    mask = np.isin(ids, allowed)
    assert np.array_equal(labels, brute_force(xb[mask], ids[mask], xq, 10))


def test_missing_results_are_minus_one(data: tuple[np.ndarray, ...]) -> None:
    xb, ids, xq = data
    index = FaissVectorIndex.create(32)
    index.add(ids, xb)
    _, labels = index.search(xq[:1], 5, allowed_ids=ids[:2])
    assert labels[0, 2:].tolist() == [-1, -1, -1]
    _, labels = index.search(xq[:1], 3, allowed_ids=np.array([], dtype=np.int64))
    assert labels.tolist() == [[-1, -1, -1]]
    _, labels = FaissVectorIndex.create(32).search(xq[:1], 2)
    assert labels.tolist() == [[-1, -1]]
    with pytest.raises(ConfigError):
        index.search(xq, 0)


def test_save_and_load_round_trip_without_leftovers(
    tmp_path: Path, data: tuple[np.ndarray, ...]
) -> None:
    xb, ids, xq = data
    index = FaissVectorIndex.create(32)
    index.add(ids, xb)
    path = tmp_path / "e5.index"
    index.save(path)
    loaded = FaissVectorIndex.load(path)
    assert np.array_equal(loaded.ids(), ids)
    assert np.array_equal(loaded.search(xq, 5)[1], index.search(xq, 5)[1])
    assert [p.name for p in tmp_path.iterdir()] == ["e5.index"]


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.index"
    path.write_bytes(b"not faiss")
    with pytest.raises(IndexCorruptError, match=r"bad\.index"):
        FaissVectorIndex.load(path)


def test_remove_and_reconstruct(data: tuple[np.ndarray, ...]) -> None:
    xb, ids, _ = data
    index = FaissVectorIndex.create(32)
    index.add(ids, xb)
    assert index.remove(ids[:10]) == 10
    assert index.ntotal == 490
    assert np.allclose(index.reconstruct(ids[10:12]), xb[10:12])


def test_hnsw_with_a_small_filter_is_exact(data: tuple[np.ndarray, ...]) -> None:
    xb, ids, xq = data
    index = FaissVectorIndex.create(32, "hnsw")
    index.add(ids, xb)
    allowed = ids[::50]
    _, labels = index.search(xq, 5, allowed_ids=allowed)
    mask = np.isin(ids, allowed)
    assert np.array_equal(labels, brute_force(xb[mask], ids[mask], xq, 5))


def test_hnsw_with_a_large_filter_searches_inside_the_graph(
    data: tuple[np.ndarray, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    import indexer.vectors

    monkeypatch.setattr(indexer.vectors, "EXACT_FILTER_LIMIT", 0)
    xb, ids, xq = data
    index = FaissVectorIndex.create(32, "hnsw")
    index.add(ids, xb)
    allowed = ids[::2]
    _, labels = index.search(xq, 10, allowed_ids=allowed)
    assert set(labels.ravel().tolist()) <= set(allowed.tolist())
    mask = np.isin(ids, allowed)
    truth = brute_force(xb[mask], ids[mask], xq, 10)
    recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, labels, strict=True)])
    assert recall >= 0.95


def test_dense_and_sparse_filters_both_equal_brute_force_and_a_read_only_one_is_reused() -> None:
    xb = unit_rows(400, 16, seed=3)
    dense_ids = np.arange(1, 401, dtype=np.int64)  # row ids as SQLite gives them: a bitmap
    sparse_ids = np.arange(400, dtype=np.int64) * 1_000_003  # far apart: a hash set
    xq = unit_rows(5, 16, seed=4)
    for ids in (dense_ids, sparse_ids):
        index = FaissVectorIndex.create(16)
        index.add(ids, xb)
        allowed = ids[(ids // 7) % 3 == 0].copy()
        mask = np.isin(ids, allowed)
        expected = brute_force(xb[mask], ids[mask], xq, 10)
        assert np.array_equal(index.search(xq, 10, allowed_ids=allowed)[1], expected)
        allowed.setflags(write=False)
        first = index.search(xq, 10, allowed_ids=allowed)[1]
        again = index.search(xq, 10, allowed_ids=allowed)[1]  # the cached selector
        assert np.array_equal(first, expected) and np.array_equal(again, expected)
        other = ids[:50]  # another filter after the cached one is not confused with it
        assert set(index.search(xq, 10, allowed_ids=other)[1].ravel()) <= set(other.tolist())


def test_every_kind_agrees_with_exact_search_on_clustered_vectors() -> None:
    import faiss

    rng = np.random.default_rng(5)
    centres = unit_rows(40, 48, seed=6)
    xb = centres[rng.integers(0, 40, 3000)] + 0.35 * rng.standard_normal((3000, 48))
    xb = (xb / np.linalg.norm(xb, axis=1, keepdims=True)).astype(np.float32)
    ids = np.arange(1, 3001, dtype=np.int64)
    xq = xb[rng.choice(3000, 50, replace=False)] + 0.05 * rng.standard_normal((50, 48))
    xq = (xq / np.linalg.norm(xq, axis=1, keepdims=True)).astype(np.float32)
    exact = faiss.IndexFlatIP(48)
    exact.add(xb)
    truth = ids[exact.search(xq, 10)[1]]
    for kind in INDEX_KINDS:
        index = FaissVectorIndex.create(48, kind)
        index.add(ids, xb)
        labels = index.search(xq, 10)[1]
        recall = np.mean([len(set(t) & set(f)) / 10 for t, f in zip(truth, labels, strict=True)])
        assert recall >= (1.0 if kind == "flat" else 0.95), kind


def test_exact_search_is_recommended_until_its_scan_outgrows_the_latency_budget() -> None:
    assert recommended_kind(2_585, 384) == "flat"  # the evaluation corpus
    assert recommended_kind(40_000, 384) == "flat"
    assert recommended_kind(170_000, 384) == "hnsw"  # the Diet pool: 20 ms per exact scan
    assert recommended_kind(40_000, 512) == "hnsw"  # wider vectors cost more per passage


def test_a_filter_built_per_search_stays_valid_while_faiss_reads_it() -> None:
    xb = unit_rows(3000, 16, seed=8)
    ids = np.arange(1, 3001, dtype=np.int64)
    index = FaissVectorIndex.create(16)
    index.add(ids, xb)
    xq = unit_rows(3, 16, seed=9)
    for step in (2, 3, 5, 7, 11) * 5:  # fresh, writable filters: a new bitmap every time
        allowed = ids[::step]
        _, labels = index.search(xq, 20, allowed_ids=allowed)
        mask = np.isin(ids, allowed)
        assert np.array_equal(labels, brute_force(xb[mask], ids[mask], xq, 20))


def test_hnsw_stores_vectors_in_half_precision(tmp_path: Path) -> None:
    import faiss

    xb = unit_rows(2000, 64, seed=5)
    ids = np.arange(1, 2001, dtype=np.int64)
    index = FaissVectorIndex.create(64, "hnsw")
    index.add(ids, xb)
    index.save(tmp_path / "hnsw.index")
    full = faiss.IndexIDMap2(faiss.IndexHNSWFlat(64, 32, faiss.METRIC_INNER_PRODUCT))
    full.add_with_ids(xb, ids)
    faiss.write_index(full, str(tmp_path / "full.index"))
    saved = (tmp_path / "full.index").stat().st_size - (tmp_path / "hnsw.index").stat().st_size
    assert saved == pytest.approx(xb.nbytes / 2, rel=0.05)  # 2 of every 4 bytes per float
    loaded = FaissVectorIndex.load(tmp_path / "hnsw.index")
    assert loaded.kind == "hnsw"
    assert np.allclose(loaded.reconstruct(ids[:5]), xb[:5], atol=1e-3)  # fp16: ~3 digits


def test_an_hnsw_file_with_full_precision_vectors_still_loads_as_hnsw(tmp_path: Path) -> None:
    import faiss

    xb = unit_rows(300, 16, seed=6)
    ids = np.arange(1, 301, dtype=np.int64)
    older = faiss.IndexIDMap2(faiss.IndexHNSWFlat(16, 32, faiss.METRIC_INNER_PRODUCT))
    older.add_with_ids(xb, ids)
    faiss.write_index(older, str(tmp_path / "older.index"))
    loaded = FaissVectorIndex.load(tmp_path / "older.index")
    assert loaded.kind == "hnsw"
    _, labels = loaded.search(xb[:3], 1)
    assert labels[:, 0].tolist() == [1, 2, 3]
