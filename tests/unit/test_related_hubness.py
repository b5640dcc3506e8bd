"""The hubness correction of related remarks (CSLS): densities, corrections, the cached figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.records import Passage, Statement
from indexer.vectors import FaissVectorIndex
from search_api.catalog import PassageCatalog, build_catalog
from search_api.ranking import ChannelTuning
from search_api.related.hubness import (
    PassageDensity,
    csls_correction,
    neighbourhood_density,
    source_density,
)
from search_api.related.scoring import aggregate_pairs

DIMENSION = 8


def _corpus(statements: int, passages_each: int, seed: int = 7):
    """A catalog of ``statements`` x ``passages_each`` passages and their unit vectors."""
    records = [Statement(f"s{i}", f"m{i % 3}", i, "x", "ja") for i in range(statements)]
    ids, passages = [], []
    for i in range(statements):
        for j in range(passages_each):
            pid = 100 * (i + 1) + j
            ids.append(pid)
            passages.append((pid, Passage(f"s{i}", j, "x", 0, 1)))
    vectors = np.random.default_rng(seed).normal(size=(len(ids), DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return build_catalog(records, passages), np.array(ids, dtype=np.int64), vectors


def _flat(ids: np.ndarray, vectors: np.ndarray) -> FaissVectorIndex:
    index = FaissVectorIndex.create(DIMENSION)
    index.add(ids, vectors)
    return index


def _brute_force_density(
    catalog: PassageCatalog, ids: np.ndarray, vectors: np.ndarray, neighbours: int
) -> np.ndarray:
    owners = catalog.passage_statement[catalog.rows_of(ids)]
    similarity = vectors @ vectors.T
    similarity[owners[:, None] == owners[None, :]] = -np.inf  # itself and its own statement
    best = -np.sort(-similarity, axis=1)[:, :neighbours]
    expected = np.empty(catalog.passage_ids.size)
    expected[catalog.rows_of(ids)] = best.mean(axis=1)
    return expected


def test_a_passage_density_is_the_mean_similarity_to_its_nearest_passages_of_other_statements():
    catalog, ids, vectors = _corpus(statements=12, passages_each=3)
    density = neighbourhood_density(_flat(ids, vectors), catalog, neighbours=4, batch=5)
    assert density == pytest.approx(_brute_force_density(catalog, ids, vectors, 4))


def test_a_passage_without_a_stored_vector_gets_the_mean_density():
    catalog, ids, vectors = _corpus(statements=6, passages_each=2)
    density = neighbourhood_density(_flat(ids[1:], vectors[1:]), catalog, neighbours=2)
    assert density[0] == pytest.approx(density[1:].mean())


def test_a_source_density_is_the_mean_of_its_best_found_scores():
    distances = np.array([[0.9, 0.7, 0.5], [0.8, -3.4e38, -3.4e38]], dtype=np.float32)
    labels = np.array([[1, 2, 3], [4, -1, -1]], dtype=np.int64)
    assert source_density(distances, labels, 2) == pytest.approx([0.8, 0.8])


def test_csls_corrects_each_pair_by_half_of_both_densities():
    rows = np.array([[0, 2], [1, -1]], dtype=np.int64)
    density = np.array([0.2, 0.4, 0.6])
    correction = csls_correction(np.array([0.8, 0.6]), density, rows)
    assert correction == pytest.approx(np.array([[0.5, 0.7], [0.5, 0.3]]))


def test_a_hub_close_to_everything_falls_below_a_specific_match_and_the_shown_cosine_stays():
    statements = [Statement("hub", "m1", 0, "x", "ja"), Statement("specific", "m2", 0, "x", "ja")]
    catalog = build_catalog(
        statements, [(10, Passage("hub", 0, "x", 0, 1)), (20, Passage("specific", 0, "x", 0, 1))]
    )
    distances = np.array([[0.80, 0.75]], dtype=np.float32)  # one source passage
    labels = np.array([[10, 20]], dtype=np.int64)
    args = (catalog, distances, labels, np.ones(1), ChannelTuning(), "ja", "max")
    assert aggregate_pairs(*args).statements.tolist() == [0, 1]  # by cosine the hub wins
    density = np.array([0.78, 0.50])  # the hub's neighbours are all about as close as the source
    correction = csls_correction(
        source_density(distances, labels, 2), density, catalog.rows_of(labels)
    )
    ranked = aggregate_pairs(*args, correction=correction)
    assert ranked.statements.tolist() == [1, 0]
    assert ranked.pair_of(1)[2] == pytest.approx(0.75)  # the reason still shows the cosine


class _CountingVectors:
    def __init__(self, index: FaissVectorIndex) -> None:
        self.index, self.calls = index, 0

    def __call__(self, channel: str) -> FaissVectorIndex:
        self.calls += 1
        return self.index


def test_densities_are_computed_once_per_index_version_and_cached_on_disk(tmp_path: Path):
    catalog, ids, vectors = _corpus(statements=5, passages_each=2)
    counting = _CountingVectors(_flat(ids, vectors))
    first = PassageDensity(tmp_path, ("build", 1), counting, catalog, neighbours=3)
    computed = first.of("e5")
    assert first.of("e5") is computed and counting.calls == 1
    assert first.path("e5").is_file()

    reopened = PassageDensity(tmp_path, ("build", 1), counting, catalog, neighbours=3)
    assert reopened.of("e5") == pytest.approx(computed)
    assert counting.calls == 1  # read from the file

    newer = PassageDensity(tmp_path, ("build", 2), counting, catalog, neighbours=3)
    newer.of("e5")
    assert counting.calls == 2
    assert [p.name for p in tmp_path.glob("density-e5-*")] == [newer.path("e5").name]


def test_densities_are_still_served_when_the_cache_cannot_be_written(tmp_path: Path):
    catalog, ids, vectors = _corpus(statements=5, passages_each=2)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")
    density = PassageDensity(blocked, ("b", 1), _CountingVectors(_flat(ids, vectors)), catalog, 2)
    assert density.of("e5") == pytest.approx(_brute_force_density(catalog, ids, vectors, 2))


def test_faiss_labels_map_to_catalog_rows_and_no_result_stays_minus_one():
    catalog, ids, _vectors = _corpus(statements=3, passages_each=2)
    labels = np.array([[ids[4], -1], [ids[0], ids[5]]], dtype=np.int64)
    rows = catalog.rows_of_labels(labels)
    assert rows.tolist() == [[4, -1], [0, 5]]
