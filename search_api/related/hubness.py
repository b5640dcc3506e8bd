"""Hubness correction for related remarks: cross-domain similarity local scaling (CSLS).

In a dense index some passages are close to almost everything ("hubs": courtesies, procedural
sentences, generic policy talk), so a plain nearest-neighbour query between two remarks keeps
returning them.  CSLS (Conneau et al., *Word translation without parallel data*, 2018; the
hubness problem after Radovanović et al., 2010) scores a pair by its cosine less the mean
cosine of each side to its own ``k`` nearest neighbours:

    csls(x, y) = cos(x, y) - (r(x) + r(y)) / 2

with ``r`` the *density* of a passage's neighbourhood and ``k`` = 10, the published defaults
(nothing here was tuned on the dev set; docs/evaluation.md shows k = 5 ... 50 all helping).

* ``r(y)`` of every indexed passage: the mean similarity to its ``k`` nearest passages of
  *other* statements (the passages of one speech overlap by a sentence).  Computed once per index
  version by searching each stored vector in the channel's own FAISS index, and cached in the
  search cache (`PassageDensity`); ``policy-search index`` prepares it, so a server never pays it.
* ``r(x)`` of a source passage: the mean of its own ``k`` best scores in the search that ranked
  the candidates, i.e. within the searched scope, at no extra cost.

Applies to related remarks only: documents against documents, one space.  Questions live on the
query side of e5, whose hubs differ, and the same correction lowered search (measured).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt

from indexer.manifest import write_atomically
from indexer.vectors import FaissVectorIndex
from models.errors import IndexWriteError
from search_api.catalog import PassageCatalog
from search_api.related.neighbour_lists import (
    NeighbourLists,
    lists_bytes,
    load_lists,
    mean_of_first,
    nearest_lists,
    stored_ids,
    updated_lists,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DENSITY_VERSION = "2"
"""Bump when the definition of a passage's density changes (invalidates cached files)."""
DENSITY_PREFIX = "density-"


def neighbourhood_density(
    vectors: FaissVectorIndex, catalog: PassageCatalog, neighbours: int, batch: int = 4096
) -> FloatArray:
    """``r(y)`` per catalog row: mean similarity to the ``neighbours`` nearest passages of other
    statements (passages missing from ``vectors`` get the mean of the others)."""
    lists = nearest_lists(vectors, catalog, stored_ids(vectors, catalog), neighbours, "", batch)
    return density_per_row(lists, catalog)


def density_per_row(lists: NeighbourLists, catalog: PassageCatalog) -> FloatArray:
    """The lists' mean scores placed on catalog rows; rows without a list get the mean."""
    density = np.full(catalog.passage_ids.size, np.nan)
    density[catalog.rows_of(lists.passage_ids)] = lists.mean_scores()
    known = ~np.isnan(density)
    density[~known] = float(density[known].mean()) if known.any() else 0.0
    return density


def source_density(
    distances: npt.NDArray[np.floating], labels: IntArray, neighbours: int
) -> FloatArray:
    """``r(x)`` per query row of a FAISS result: the mean of its ``neighbours`` best scores.

    FAISS lists each row best first, with the ``-1`` labels (nothing found) last."""
    return mean_of_first(distances[:, :neighbours], labels[:, :neighbours] >= 0, neighbours)


def csls_correction(source: FloatArray, density: FloatArray, rows: IntArray) -> FloatArray:
    """What CSLS subtracts from each pair's cosine: ``(r(x) + r(y)) / 2``.

    ``source`` holds ``r(x)`` per query row, ``rows`` the catalog row of each result (FAISS's
    ``I`` shape, ``-1`` where there is none), ``density`` ``r(y)`` per catalog row.
    """
    result_density = np.where(rows >= 0, density[np.maximum(rows, 0)], 0.0)
    return (source[:, None] + result_density) / 2.0


def density_path(
    cache_root: Path, version_key: tuple[str, int], channel: str, neighbours: int
) -> Path:
    """The cache file of one channel's neighbour lists for one index version (see
    `PassageDensity`)."""
    raw = f"{version_key!r}|{channel}|{neighbours}|{DENSITY_VERSION}"
    key = hashlib.sha256(raw.encode()).hexdigest()[:16]
    return cache_root / f"{DENSITY_PREFIX}{channel}-{key}.npz"


class PassageDensity:
    """``r(y)`` of every passage per channel for one index version: computed once, cached on disk.

    The file ``search-cache/density-<channel>-<key>.npz`` holds each passage's neighbour list
    (`search_api.related.neighbour_lists`) and is keyed by the index version, the channel,
    ``neighbours`` and `DENSITY_VERSION`. A new version of the same build starts from the
    previous version's file and searches only the passages its update touched; the file is
    written atomically, the previous one then removed, and a read-only index directory just
    means the figures live in memory only.  Thread-safe.
    """

    def __init__(
        self,
        cache_root: Path,
        version_key: tuple[str, int],
        vectors: Callable[[str], FaissVectorIndex],
        catalog: PassageCatalog,
        neighbours: int,
    ) -> None:
        """``cache_root`` is the index's search-cache directory; ``version_key`` the index's
        (build id, generation)."""
        self._directory = cache_root
        self._version_key = version_key
        self._vectors = vectors
        self._catalog = catalog
        self.neighbours = neighbours
        self._loaded: dict[str, FloatArray] = {}
        self._lock = threading.Lock()
        self.searched: dict[str, int] = {}
        """Passages searched per channel by this object (0: read from the cache file)."""

    def of(self, channel: str) -> FloatArray:
        """``r(y)`` per catalog row for ``channel`` (computed and cached on first use)."""
        with self._lock:
            if channel not in self._loaded:
                self._loaded[channel] = density_per_row(self._lists(channel), self._catalog)
            return self._loaded[channel]

    def path(self, channel: str) -> Path:
        """Where ``channel``'s figures are cached for this index version."""
        return density_path(self._directory, self._version_key, channel, self.neighbours)

    def _lists(self, channel: str) -> NeighbourLists:
        path = self.path(channel)
        cached = load_lists(path)
        build = self._version_key[0]
        if cached is not None and cached.build == build:
            self.searched[channel] = 0
            return cached
        vectors = self._vectors(channel)
        update = None
        for previous_path in self._directory.glob(f"{DENSITY_PREFIX}{channel}-*.npz"):
            previous = load_lists(previous_path) if previous_path != path else None
            if previous is not None:
                update = updated_lists(previous, vectors, self._catalog, self.neighbours, build)
            if update is not None:
                break
        if update is None:
            ids = stored_ids(vectors, self._catalog)
            update = nearest_lists(vectors, self._catalog, ids, self.neighbours, build), ids.size
        lists, self.searched[channel] = update
        with contextlib.suppress(OSError, IndexWriteError):  # read-only directory: memory only
            self._save(path, lists, channel)
        return lists

    def _save(self, path: Path, lists: NeighbourLists, channel: str) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lists_bytes(lists))
        for stale in self._directory.glob(f"{DENSITY_PREFIX}{channel}-*"):
            if stale != path:
                stale.unlink(missing_ok=True)


def prepare_density(index_dir: Path, neighbours: int) -> int | None:
    """Compute and cache every dense channel's densities for the index as it is now.

    The commands that change an index (`index`, `watch`, `fetch kokkai --index`, `remove`,
    `check --rebuild-faiss`) call this after the search cache is ready, so the first related
    request of a server does not pay for it (about a minute per channel for the 54k-speech pool
    from scratch).  A version whose files are all cached is not opened, and a new version of the
    same build searches only what its update touched. Returns
    how many passages were searched (0: all cached), or None (writing nothing) when there is no
    index or the correction is off.
    """
    from indexer.index_dir import open_index
    from indexer.manifest import read_manifest
    from indexer.store import DATABASE_NAME
    from search_api.lexical import Analyzer, BM25Parameters
    from search_api.search_cache import CACHE_DIRNAME, IndexLike, load_derived_data

    if neighbours <= 0 or not (index_dir / DATABASE_NAME).is_file():
        return None
    manifest = read_manifest(index_dir)
    cache_root = index_dir / CACHE_DIRNAME
    if manifest is not None and all(
        density_path(cache_root, manifest.version_key, channel, neighbours).is_file()
        for channel in manifest.channels
    ):
        return 0
    with open_index(index_dir) as index:
        opened = cast(IndexLike, index)  # its `directory` is a Path, the protocol's an object
        _lexical, catalog = load_derived_data(opened, Analyzer(), BM25Parameters())
        density = PassageDensity(cache_root, index.version_key, index.vectors, catalog, neighbours)
        for channel in index.channels:
            density.of(channel)
    return sum(density.searched.values())
