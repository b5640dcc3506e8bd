"""FAISS over passage vectors: explicit ids (the SQLite passage ids), inner product.

The default is exact search (``IndexIDMap2`` over ``IndexFlatIP``).  ``hnsw`` is an approximate
option for large corpora (an HNSW graph with inner product, wrapped by ``IndexIDMap2``), whose
vectors are stored in fp16 (``IndexHNSWSQ``): on the pool's e5 vectors that halves the vectors'
memory (file 310 -> 177 MB) at the same recall (0.965 at k=1000) and answers faster (4.2 -> 3.6 ms
at k=1000), since the graph walk is bound by memory reads (docs/benchmarks.md).  Files written
earlier with fp32 storage (``IndexHNSWFlat``) are still read and searched.
Filters restrict the search itself through ``faiss.SearchParameters(sel=...)``, so a filtered
search returns the best ``k`` among the allowed ids, not a post-filtered top-k.  The index is a
derived structure: SQLite holds every vector and this file can always be rebuilt from it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from indexer.manifest import sync_directory
from models.errors import ConfigError, IndexCorruptError, IndexWriteError

IdArray = npt.NDArray[np.int64]
FloatMatrix = npt.NDArray[np.float32]

INDEX_KINDS = ("flat", "hnsw")
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 128
EXACT_FILTER_LIMIT = 50_000
"""With HNSW, a filter allowing at most this many ids is searched exactly (small sets lose
recall in a filtered graph walk, and exact search over them is cheap)."""
EXACT_SEARCH_MAX_FLOATS = 16_000_000
"""Above this many stored floats per channel (about 42,000 passages of 384 dimensions), exact
search costs more than the ~5 ms per channel that a 30 ms hybrid search can spend on it:
measured 20 ms for 170,000 x 384 on one core (bench/bench_vectors.py, docs/benchmarks.md);
the scan is bound by memory bandwidth, so its time grows with vectors x dimensions."""
BITMAP_IDS_PER_VECTOR = 64
"""A filter becomes a bitmap over ids (one bit per id up to the largest allowed) while ids are
at most this sparse; else a hash set.  Passage ids are SQLite row ids, hence dense: the pool's
170k ids make a 21 KB bitmap, built in about a millisecond, where a hash set took 15 ms."""


class FaissVectorIndex:
    """Passage vectors under their passage ids; ``search`` returns ``(D, I)``, ``-1`` = none."""

    def __init__(self, index: faiss.Index, kind: str = "flat") -> None:
        self._index: Any = index  # an IndexIDMap2 (faiss's stubs lack its attributes)
        self.kind = kind
        self._last_selector: tuple[IdArray, Any, Any] | None = None
        """(allowed ids, bitmap kept alive, selector) of the last read-only filter searched."""

    @classmethod
    def create(cls, dimension: int, kind: str = "flat") -> FaissVectorIndex:
        """An empty index of the given dimension and kind (``flat`` or ``hnsw``)."""
        if kind == "flat":
            inner: faiss.Index = faiss.IndexFlatIP(dimension)
        elif kind == "hnsw":
            inner = faiss.IndexHNSWSQ(
                dimension,
                faiss.ScalarQuantizer.QT_fp16,  # type: ignore[arg-type]
                HNSW_M,
                faiss.METRIC_INNER_PRODUCT,
            )
            inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            inner.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            raise ConfigError(f"unknown vector index kind {kind!r}; choose one of {INDEX_KINDS}")
        return cls(faiss.IndexIDMap2(inner), kind)

    @classmethod
    def load(cls, path: Path, kind: str = "flat") -> FaissVectorIndex:
        """Read an index file written by ``save``.

        Its kind is read from the file (``kind`` is only the fallback for a structure this
        module does not know), so a channel whose recorded kind changed is seen to differ and
        rebuilt (``consistency.reconcile``) instead of served under the wrong name.
        """
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexCorruptError(f"cannot read FAISS index {path}: {exc}") from exc
        return cls(index, stored_kind(index) or kind)

    def save(self, path: Path) -> None:
        """Write atomically: a temporary file in the same directory, fsync, ``os.replace``."""
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            faiss.write_index(self._index, str(tmp))
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except (RuntimeError, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise IndexWriteError(f"cannot write FAISS index {path}: {exc}") from exc
        sync_directory(path.parent)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> IdArray:
        """Every passage id in the index (insertion order)."""
        return faiss.vector_to_array(self._index.id_map).astype(np.int64, copy=False)

    def add(self, ids: IdArray, vectors: FloatMatrix) -> None:
        """Add vectors under their passage ids (ids must not be present already)."""
        if len(ids) == 0:
            return
        xb = np.ascontiguousarray(vectors, dtype=np.float32)
        self._index.add_with_ids(xb, np.ascontiguousarray(ids, dtype=np.int64))

    def remove(self, ids: IdArray) -> int:
        """Remove passage ids; returns how many were removed."""
        if len(ids) == 0:
            return 0
        if self.kind == "hnsw":
            raise ConfigError("an HNSW index cannot remove vectors; rebuild it instead")
        selector = faiss.IDSelectorBatch(np.ascontiguousarray(ids, dtype=np.int64))
        return int(self._index.remove_ids(selector))

    def reconstruct(self, ids: IdArray) -> FloatMatrix:
        """The stored vectors of the given passage ids (all must be present)."""
        if len(ids) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids64 = np.ascontiguousarray(ids, dtype=np.int64)
        return np.asarray(self._index.reconstruct_batch(ids64), dtype=np.float32)

    def search(
        self, xq: FloatMatrix, k: int, allowed_ids: IdArray | None = None
    ) -> tuple[FloatMatrix, IdArray]:
        """The ``k`` nearest passages of each query row by inner product.

        ``allowed_ids`` restricts the search to those passage ids (``None``: all).  Returns
        ``D`` (scores, higher is better) and ``I`` (passage ids, ``-1`` where there is no result),
        both of shape ``(nq, k)``; where ``I`` is ``-1``, ``D`` holds the lowest float32.
        """
        if k < 1:
            raise ConfigError(f"k must be at least 1, got {k}")
        xq = np.ascontiguousarray(np.atleast_2d(xq), dtype=np.float32)
        nq = xq.shape[0]
        no_score = np.finfo(np.float32).min
        empty = (np.full((nq, k), no_score, np.float32), np.full((nq, k), -1, np.int64))
        if self.ntotal == 0:
            return empty
        if allowed_ids is None:
            distances, labels = self._index.search(xq, k)
            return distances, labels
        allowed = np.ascontiguousarray(allowed_ids, dtype=np.int64)
        if len(allowed) == 0:
            return empty
        if self.kind == "hnsw" and len(allowed) <= EXACT_FILTER_LIMIT:
            return self._exact_search(xq, k, allowed)
        held = self._selector(allowed)  # holds the bitmap the selector points into
        selector = held[2]
        if self.kind == "hnsw":
            params: Any = faiss.SearchParametersHNSW(  # type: ignore[attr-defined]
                sel=selector, efSearch=max(HNSW_EF_SEARCH, k)
            )
        else:
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        distances, labels = self._index.search(xq, k, params=params)
        del held  # only now may the bitmap go
        return distances, labels

    def _selector(self, allowed: IdArray) -> tuple[IdArray, Any, Any]:
        """(allowed, bitmap, selector): a FAISS selector admitting exactly ``allowed``.

        The selector points into the bitmap without owning it, so the caller keeps the whole
        tuple until its search is done.  Reused while the same read-only array is passed again
        (the searcher's default scope, on every search).
        """
        last = self._last_selector
        if last is not None and last[0] is allowed:
            return last
        low, high = int(allowed.min()), int(allowed.max())
        keep: Any = None
        if low >= 0 and high < BITMAP_IDS_PER_VECTOR * max(self.ntotal, len(allowed)) + 4096:
            mask = np.zeros(high + 1, dtype=np.bool_)
            mask[allowed] = True
            keep = np.packbits(mask, bitorder="little")
            selector: Any = faiss.IDSelectorBitmap(len(keep), faiss.swig_ptr(keep))
        else:
            selector = faiss.IDSelectorBatch(allowed)
        held = (allowed, keep, selector)
        if not allowed.flags.writeable:  # a mutable array could change under the cache
            self._last_selector = held
        return held

    def _exact_search(
        self, xq: FloatMatrix, k: int, allowed: IdArray
    ) -> tuple[FloatMatrix, IdArray]:
        present = allowed[np.isin(allowed, self.ids())]
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))
        if len(present):
            flat.add_with_ids(self.reconstruct(present), present)
        distances, labels = flat.search(xq, k)
        return distances, labels


def stored_kind(index: Any) -> str | None:
    """``flat`` or ``hnsw`` for an index this module wrote (an ``IndexIDMap2`` around
    ``IndexFlatIP``, ``IndexHNSWSQ`` or the earlier ``IndexHNSWFlat``), ``None`` for anything
    else."""
    inner = faiss.downcast_index(index.index) if hasattr(index, "index") else index
    if isinstance(inner, faiss.IndexHNSW):
        return "hnsw"
    if isinstance(inner, faiss.IndexFlat):
        return "flat"
    return None


def recommended_kind(ntotal: int, dimension: int) -> str:
    """``flat`` while exact search over ``ntotal`` vectors fits the latency budget, else ``hnsw``.

    See `EXACT_SEARCH_MAX_FLOATS`.  HNSW answers in about a millisecond at a recall@10 near
    0.98 but cannot remove vectors (updates then need ``--rebuild``), so it is recommended, not
    imposed: ``policy-search index`` prints the advice when a flat channel outgrows the budget.
    """
    return "flat" if ntotal * dimension <= EXACT_SEARCH_MAX_FLOATS else "hnsw"


def openmp_threads() -> int:
    """The most threads FAISS's OpenMP parallel regions started from this thread may use."""
    return int(faiss.omp_get_max_threads())


def set_openmp_threads(threads: int) -> None:
    """Set that number for regions started from the calling thread only (OpenMP keeps it per
    thread; other threads keep theirs)."""
    faiss.omp_set_num_threads(threads)
