"""Neighbour lists for the hubness correction are brought up to date by an index update, not
recomputed: the result equals a recomputation, and only the passages the update touched are
searched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.records import Passage, Statement
from indexer.vectors import FaissVectorIndex
from search_api.catalog import PassageCatalog, build_catalog
from search_api.related import neighbour_lists
from search_api.related.hubness import PassageDensity, density_per_row
from search_api.related.neighbour_lists import (
    MAX_UPDATED_SHARE,
    lists_bytes,
    load_lists,
    nearest_lists,
    stored_ids,
    updated_lists,
)

DIMENSION = 8
NEIGHBOURS = 4


def _corpus(statements: range, passages_each: int = 3, seed: int = 11):
    """Catalog, passage ids and unit vectors; a passage's vector depends only on its id, as
    in an index where a kept passage keeps its stored vector."""
    records = [Statement(f"s{i:03d}", f"m{i % 4}", i, "x", "ja") for i in statements]
    ids, passages = [], []
    for i in statements:
        for j in range(passages_each):
            pid = 100 * (i + 1) + j
            ids.append(pid)
            passages.append((pid, Passage(f"s{i:03d}", j, "x", 0, 1)))
    id_array = np.array(ids, dtype=np.int64)
    vectors = np.stack([np.random.default_rng(seed + int(p)).normal(size=DIMENSION) for p in ids])
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return build_catalog(records, passages), id_array, vectors


def _flat(ids: np.ndarray, vectors: np.ndarray) -> FaissVectorIndex:
    index = FaissVectorIndex.create(DIMENSION)
    index.add(ids, vectors)
    return index


def _from_scratch(catalog: PassageCatalog, index: FaissVectorIndex):
    return nearest_lists(index, catalog, stored_ids(index, catalog), NEIGHBOURS, "b")


def _assert_same_lists(actual, expected) -> None:
    assert actual.passage_ids.tolist() == expected.passage_ids.tolist()
    assert actual.neighbour_ids.tolist() == expected.neighbour_ids.tolist()
    np.testing.assert_allclose(actual.scores, expected.scores, rtol=0, atol=1e-6)


def test_lists_hold_the_nearest_passages_of_other_statements_best_first() -> None:
    catalog, ids, vectors = _corpus(range(12))
    lists = _from_scratch(catalog, _flat(ids, vectors))
    owners = catalog.passage_statement[catalog.rows_of(ids)]
    similarity = vectors @ vectors.T
    similarity[owners[:, None] == owners[None, :]] = -np.inf
    expected = np.argsort(-similarity, axis=1, kind="stable")[:, :NEIGHBOURS]
    assert lists.neighbour_ids.tolist() == ids[expected].tolist()
    assert np.all(np.diff(lists.scores, axis=1) <= 1e-7)


@pytest.mark.parametrize(
    ("now", "block_rows"),
    [
        (range(4, 46), 7),  # s000-s003 removed (a meeting deleted), s040-s045 added; in blocks
        (range(4, 46), neighbour_lists.MERGE_BLOCK_ROWS),
        (range(41), neighbour_lists.MERGE_BLOCK_ROWS),  # one statement added: fewer than k new
    ],
)
def test_an_update_that_adds_and_removes_statements_equals_a_recomputation(
    now: range, block_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neighbour_lists, "MERGE_BLOCK_ROWS", block_rows)
    before_catalog, before_ids, before_vectors = _corpus(range(40))
    previous = _from_scratch(before_catalog, _flat(before_ids, before_vectors))
    catalog, ids, vectors = _corpus(now)
    index = _flat(ids, vectors)

    result = updated_lists(previous, index, catalog, NEIGHBOURS, "b")

    assert result is not None
    lists, searched = result
    _assert_same_lists(lists, _from_scratch(catalog, index))
    added = np.setdiff1d(ids, before_ids).size
    assert added <= searched < ids.size // 2  # the new passages and the lists that lost one


def test_an_update_of_another_build_or_of_many_passages_is_recomputed() -> None:
    catalog, ids, vectors = _corpus(range(20))
    index = _flat(ids, vectors)
    previous = _from_scratch(catalog, index)
    assert updated_lists(previous, index, catalog, NEIGHBOURS, "another build") is None
    assert updated_lists(previous, index, catalog, NEIGHBOURS + 1, "b") is None
    grown_catalog, grown_ids, grown_vectors = _corpus(range(30))  # a third of them new
    assert (grown_ids.size - ids.size) > MAX_UPDATED_SHARE * grown_ids.size
    grown = _flat(grown_ids, grown_vectors)
    assert updated_lists(previous, grown, grown_catalog, NEIGHBOURS, "b") is None


def test_lists_survive_their_file_and_a_damaged_file_reads_as_none(tmp_path: Path) -> None:
    catalog, ids, vectors = _corpus(range(6))
    lists = _from_scratch(catalog, _flat(ids, vectors))
    path = tmp_path / "lists.npz"
    path.write_bytes(lists_bytes(lists))
    reread = load_lists(path)
    assert reread is not None and reread.build == "b"
    _assert_same_lists(reread, lists)
    path.write_bytes(b"not an npz file")
    assert load_lists(path) is None
    assert load_lists(tmp_path / "missing.npz") is None


def test_a_new_version_of_the_index_searches_only_what_its_update_touched(tmp_path: Path) -> None:
    before_catalog, before_ids, before_vectors = _corpus(range(40))
    first = PassageDensity(
        tmp_path, ("b", 1), lambda _c: _flat(before_ids, before_vectors), before_catalog, NEIGHBOURS
    )
    first.of("e5")
    assert first.searched["e5"] == before_ids.size

    catalog, ids, vectors = _corpus(range(2, 44))
    index = _flat(ids, vectors)
    second = PassageDensity(tmp_path, ("b", 2), lambda _c: index, catalog, NEIGHBOURS)
    density = second.of("e5")

    assert 4 * 3 <= second.searched["e5"] < ids.size // 2
    assert density == pytest.approx(density_per_row(_from_scratch(catalog, index), catalog))
    assert [p.name for p in tmp_path.glob("density-e5-*")] == [second.path("e5").name]

    rebuilt = PassageDensity(tmp_path, ("c", 1), lambda _c: index, catalog, NEIGHBOURS)
    rebuilt.of("e5")
    assert rebuilt.searched["e5"] == ids.size  # another build: passage ids not comparable
