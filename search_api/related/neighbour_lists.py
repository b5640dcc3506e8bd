"""Each passage's nearest passages of other statements, and how to bring them up to date.

The hubness correction (`search_api.related.hubness`) needs, for every indexed passage, the mean
similarity to its ``k`` nearest passages of *other* statements. Computing that from scratch is a
self-join of the whole channel (about 70 s with HNSW and 300 s with exact search for the
54k-speech pool), which `watch` would repeat after every file dropped in. So the lists
themselves are kept (ids and scores, best first), and an update of the index changes only what
it touched:

* a passage whose list held a removed passage is searched again;
* a new passage is searched;
* every other passage keeps its list, merged with the new passages that beat its ``k``-th
  neighbour (exact scores: the new vectors against the kept ones, in blocks).

With exact search the result equals a full recomputation (up to `OWN_STATEMENT_ALLOWANCE`: a
full search skips at most that many passages of the passage's own statement). When more than
`MAX_UPDATED_SHARE` of the passages changed, or the index was rebuilt, the lists are computed
from scratch. Pure logic over a `FaissVectorIndex` and the catalog; the file format is
`lists_bytes` / `load_lists`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from indexer.vectors import FaissVectorIndex
from search_api.catalog import PassageCatalog

IntArray = npt.NDArray[np.int64]
ScoreArray = npt.NDArray[np.float32]
OWN_STATEMENT_ALLOWANCE = 24
"""Extra neighbours fetched per passage so that those of its own statement can be skipped."""
MAX_UPDATED_SHARE = 0.25
"""Above this share of passages added or removed, recomputing everything costs about as much."""
MERGE_BLOCK_SCORES = 1 << 24
"""Scores computed at once when merging new passages in (64 MB of float32)."""
MERGE_BLOCK_ROWS = 16384
"""Kept passages whose vectors are read at once when merging (a few tens of MB)."""
NO_SCORE = np.float32(-np.inf)


@dataclass(frozen=True)
class NeighbourLists:
    """For each passage (sorted ids), its nearest passages of other statements, best first;
    ``-1`` ids and ``-inf`` scores pad lists shorter than ``width``. ``build`` is the index build
    the passage ids belong to (ids are only comparable within one build)."""

    build: str
    passage_ids: IntArray
    neighbour_ids: IntArray
    scores: ScoreArray

    @property
    def width(self) -> int:
        return int(self.neighbour_ids.shape[1])

    def mean_scores(self) -> npt.NDArray[np.float64]:
        """Each passage's mean score over its neighbours (0 when it has none)."""
        return mean_of_first(self.scores, self.neighbour_ids >= 0, self.width)


def mean_of_first(
    scores: npt.NDArray[np.floating], usable: npt.NDArray[np.bool_], count: int
) -> npt.NDArray[np.float64]:
    """Per row, the mean of the first ``count`` usable scores (rows are best first; 0 when a
    row has none)."""
    taken = usable & (np.cumsum(usable, axis=1) <= count)
    totals = np.where(taken, scores, 0.0).sum(axis=1, dtype=np.float64)
    counts = taken.sum(axis=1)
    return np.where(counts > 0, totals / np.maximum(counts, 1), 0.0)


def nearest_lists(
    vectors: FaissVectorIndex,
    catalog: PassageCatalog,
    ids: IntArray,
    neighbours: int,
    build: str,
    batch: int = 4096,
) -> NeighbourLists:
    """The lists of the given passage ids (all stored in ``vectors``), by searching each one's
    stored vector in ``vectors``."""
    ids = np.sort(np.asarray(ids, dtype=np.int64))
    neighbour_ids = np.full((ids.size, neighbours), -1, dtype=np.int64)
    scores = np.full((ids.size, neighbours), NO_SCORE, dtype=np.float32)
    k = min(neighbours + OWN_STATEMENT_ALLOWANCE + 1, max(vectors.ntotal, 1))
    owners = catalog.passage_statement
    for start in range(0, ids.size, batch):
        chunk = ids[start : start + batch]
        distances, labels = vectors.search(vectors.reconstruct(chunk), k)
        rows = catalog.rows_of_labels(labels)
        own = owners[catalog.rows_of(chunk)][:, None]
        other = (rows >= 0) & (owners[np.maximum(rows, 0)] != own)
        slots = np.cumsum(other, axis=1) - 1  # FAISS lists each row best first
        row, column = np.nonzero(other & (slots < neighbours))
        neighbour_ids[start + row, slots[row, column]] = labels[row, column]
        scores[start + row, slots[row, column]] = distances[row, column]
    return NeighbourLists(build, ids, neighbour_ids, scores)


def updated_lists(
    previous: NeighbourLists,
    vectors: FaissVectorIndex,
    catalog: PassageCatalog,
    neighbours: int,
    build: str,
) -> tuple[NeighbourLists, int] | None:
    """``previous`` brought up to date with the passages now stored, and how many passages
    were searched again; ``None`` when they must be computed from scratch (another build, another
    ``neighbours``, or more than `MAX_UPDATED_SHARE` of the passages changed)."""
    if previous.build != build or previous.width != neighbours:
        return None
    current = stored_ids(vectors, catalog)
    kept = np.isin(previous.passage_ids, current)
    removed = previous.passage_ids[~kept]
    added = np.setdiff1d(current, previous.passage_ids)
    if removed.size + added.size > MAX_UPDATED_SHARE * max(current.size, 1):
        return None
    kept_ids = previous.passage_ids[kept]
    stale = np.isin(previous.neighbour_ids[kept], removed).any(axis=1)
    unchanged = NeighbourLists(
        build,
        kept_ids[~stale],
        previous.neighbour_ids[kept][~stale],
        previous.scores[kept][~stale],
    )
    merged = _merge_new_passages(unchanged, added, vectors, catalog)
    searched = np.concatenate([kept_ids[stale], added])
    fresh = nearest_lists(vectors, catalog, searched, neighbours, build)
    return _combined(merged, fresh), int(searched.size)


def stored_ids(vectors: FaissVectorIndex, catalog: PassageCatalog) -> IntArray:
    """The catalog's passage ids that have a vector in ``vectors`` (sorted)."""
    return catalog.passage_ids[np.isin(catalog.passage_ids, vectors.ids())]


def _merge_new_passages(
    lists: NeighbourLists, added: IntArray, vectors: FaissVectorIndex, catalog: PassageCatalog
) -> NeighbourLists:
    """Each list with the new passages that score above its last neighbour (exact scores)."""
    if added.size == 0 or lists.passage_ids.size == 0:
        return lists
    added_vectors = vectors.reconstruct(added)
    owners = catalog.passage_statement
    added_owners = owners[catalog.rows_of(added)]
    width = lists.width
    neighbour_ids = lists.neighbour_ids.copy()
    scores = lists.scores.copy()
    block = max(1, min(MERGE_BLOCK_ROWS, MERGE_BLOCK_SCORES // added.size))
    for start in range(0, lists.passage_ids.size, block):
        chunk = lists.passage_ids[start : start + block]
        similarity = vectors.reconstruct(chunk) @ added_vectors.T
        own = owners[catalog.rows_of(chunk)][:, None] == added_owners[None, :]
        similarity[own] = NO_SCORE
        if added.size > width:  # each row's best new passages, in linear time
            best_new = np.argpartition(-similarity, width - 1, axis=1)[:, :width]
        else:
            best_new = np.broadcast_to(np.arange(added.size), similarity.shape)
        candidates = np.concatenate(
            [scores[start : start + block], np.take_along_axis(similarity, best_new, axis=1)],
            axis=1,
        )
        candidate_ids = np.concatenate([neighbour_ids[start : start + block], added[best_new]], 1)
        best = np.argsort(-candidates, axis=1, kind="stable")[:, :width]
        taken_scores = np.take_along_axis(candidates, best, axis=1)
        taken_ids = np.take_along_axis(candidate_ids, best, axis=1)
        scores[start : start + block] = taken_scores
        neighbour_ids[start : start + block] = np.where(taken_scores > NO_SCORE, taken_ids, -1)
    return NeighbourLists(lists.build, lists.passage_ids, neighbour_ids, scores)


def _combined(first: NeighbourLists, second: NeighbourLists) -> NeighbourLists:
    ids = np.concatenate([first.passage_ids, second.passage_ids])
    order = np.argsort(ids, kind="stable")
    return NeighbourLists(
        first.build,
        ids[order],
        np.concatenate([first.neighbour_ids, second.neighbour_ids])[order],
        np.concatenate([first.scores, second.scores])[order],
    )


def lists_bytes(lists: NeighbourLists) -> bytes:
    """The lists as an ``.npz`` file's bytes (for an atomic write)."""
    data = io.BytesIO()
    np.savez(
        data,
        build=np.array(lists.build),
        passage_ids=lists.passage_ids,
        neighbour_ids=lists.neighbour_ids,
        scores=lists.scores,
    )
    return data.getvalue()


def load_lists(path: Path) -> NeighbourLists | None:
    """Lists saved by `lists_bytes`; ``None`` when the file is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            lists = NeighbourLists(
                str(data["build"]),
                np.asarray(data["passage_ids"], dtype=np.int64),
                np.asarray(data["neighbour_ids"], dtype=np.int64),
                np.asarray(data["scores"], dtype=np.float32),
            )
    except (OSError, ValueError, KeyError):
        return None
    shapes_agree = lists.neighbour_ids.shape == lists.scores.shape
    if lists.neighbour_ids.ndim != 2 or not shapes_agree:
        return None
    if lists.neighbour_ids.shape[0] != lists.passage_ids.size:
        return None
    return lists
