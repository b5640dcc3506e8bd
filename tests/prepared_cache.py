"""Whether an index's search cache is ready for its current version (shared by CLI tests)."""

from __future__ import annotations

from pathlib import Path

from indexer.manifest import read_manifest
from search_api.lexical import Analyzer, BM25Parameters
from search_api.ranking import RankingConfig
from search_api.related.hubness import density_path
from search_api.search_cache import CACHE_DIRNAME, cache_key, cached_directory


def search_cache_is_prepared(index_dir: Path) -> bool:
    """The BM25 cache and every channel's related-remarks densities of the current version are
    on disk, so neither a server's start nor its first related request computes them."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        return False
    key = cache_key(manifest.version_key, BM25Parameters(), Analyzer().version)
    neighbours = RankingConfig().related.hub_neighbours
    densities = [
        density_path(index_dir / CACHE_DIRNAME, manifest.version_key, channel, neighbours)
        for channel in manifest.channels
    ]
    return cached_directory(index_dir, key) is not None and all(p.is_file() for p in densities)
