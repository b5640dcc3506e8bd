"""Keep FAISS in step with SQLite: compare their passage ids, and rebuild FAISS from stored vectors.

SQLite is the source of truth.  A FAISS file can lag behind it (a process killed between the
SQLite commit and the FAISS save) or be ahead of a reader's snapshot (an update finished after
the reader opened).  ``reconcile`` makes an in-memory FAISS index hold exactly the passages of
the store's current view, adding and removing only the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from indexer.store import StatementStore
from indexer.vectors import FaissVectorIndex


@dataclass(frozen=True, slots=True)
class ChannelCheck:
    """How one channel's FAISS index compares with SQLite."""

    channel: str
    sqlite_passages: int
    faiss_vectors: int
    missing_in_faiss: int
    extra_in_faiss: int
    passages_without_vector: int
    dimension_ok: bool = True

    @property
    def ok(self) -> bool:
        """True when FAISS holds exactly the passages SQLite has vectors for."""
        return (
            self.missing_in_faiss == 0
            and self.extra_in_faiss == 0
            and self.passages_without_vector == 0
            and self.dimension_ok
        )


@dataclass(frozen=True, slots=True)
class ConsistencyReport:
    """The result of ``check``: one entry per channel."""

    channels: tuple[ChannelCheck, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """True when every channel agrees with SQLite."""
        return all(c.ok for c in self.channels)


def check_channel(store: StatementStore, channel: str, vectors: FaissVectorIndex) -> ChannelCheck:
    """Compare FAISS ids with the passages that have a stored vector in ``channel``."""
    expected = store.passage_ids_with_vectors(channel)
    present = vectors.ids()
    return ChannelCheck(
        channel=channel,
        sqlite_passages=store.count_passages(),
        faiss_vectors=vectors.ntotal,
        missing_in_faiss=len(np.setdiff1d(expected, present, assume_unique=True)),
        extra_in_faiss=len(np.setdiff1d(present, expected)),
        passages_without_vector=store.count_passages() - len(expected),
        dimension_ok=vectors.dimension == store.channel(channel).dimension,
    )


def rebuild_vectors(store: StatementStore, channel: str) -> FaissVectorIndex:
    """A new FAISS index holding every stored vector of ``channel`` (no re-embedding)."""
    info = store.channel(channel)
    vectors = FaissVectorIndex.create(info.dimension, info.kind)
    for ids, matrix in store.iter_stored_vectors(channel):
        vectors.add(ids, matrix)
    return vectors


def reconcile(
    store: StatementStore, channel: str, vectors: FaissVectorIndex
) -> tuple[FaissVectorIndex, int, int]:
    """Bring ``vectors`` in line with the store; returns (index, added, removed).

    Only the difference is applied to a flat index; an index of another kind or dimension, or
    an HNSW index that would need removals, is rebuilt from stored vectors.
    """
    info = store.channel(channel)
    if vectors.dimension != info.dimension or vectors.kind != info.kind:
        rebuilt = rebuild_vectors(store, channel)
        return rebuilt, rebuilt.ntotal, vectors.ntotal
    expected = store.passage_ids_with_vectors(channel)
    present = vectors.ids()
    extra = np.setdiff1d(present, expected)
    missing = np.setdiff1d(expected, present, assume_unique=True)
    if len(extra) and vectors.kind != "flat":
        rebuilt = rebuild_vectors(store, channel)
        return rebuilt, len(missing), len(extra)
    vectors.remove(extra)
    for start in range(0, len(missing), 4096):
        chunk = missing[start : start + 4096]
        vectors.add(chunk, store.stored_vectors(channel, chunk.tolist()))
    return vectors, len(missing), len(extra)
