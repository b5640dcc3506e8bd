"""The searcher's derived data on disk, inside the index directory, keyed by index version.

Analysing 54k Diet speeches with Sudachi takes minutes, so the BM25 postings (and the passage
catalog) are saved once per index version as a directory of ``.npy`` arrays plus JSON, and
loaded on the next start.  A cache whose key differs (another build or generation of the index,
another analyzer or BM25 constants) is ignored and replaced.  Writes go to a temporary
directory that is renamed into place, so a reader never sees half a cache.  Beside the keyed
directories, ``terms.sqlite`` keeps each passage text's term counts across versions
(`search_api.term_counts`), so a new version analyses only new texts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from indexer.manifest import Manifest, read_manifest
from indexer.store import DATABASE_NAME, StatementStore
from search_api.catalog import PassageCatalog, build_catalog, load_catalog, save_catalog
from search_api.lexical import (
    ANALYZER_VERSION,
    Analyzer,
    BM25Parameters,
    LexicalIndex,
    build_lexical_index_from_counts,
)
from search_api.term_counts import TERMS_FILENAME, TermCountStore, counted_in_order

CACHE_DIRNAME = "search-cache"
_COMPLETE = "complete.json"


class IndexLike(Protocol):
    """The parts of an opened index the cache reads."""

    directory: object
    manifest: Manifest
    store: StatementStore


_ARRAYS = ("doc_ids", "indptr", "rows", "weights")


def cache_key(
    index_version: object, parameters: BM25Parameters, analyzer: str = ANALYZER_VERSION
) -> str:
    """A short stable key for one index version, analyzer version and BM25 constants."""
    raw = f"{index_version!r}|{analyzer}|{parameters.k1}|{parameters.b}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def cached_directory(root: Path, key: str) -> Path | None:
    """The complete cache directory for ``key`` under ``root``, or None."""
    path = root / CACHE_DIRNAME / key
    try:
        meta = json.loads((path / _COMPLETE).read_text())
    except (OSError, ValueError):
        return None
    return path if meta.get("key") == key else None


def write_cache_directory(root: Path, key: str, fill: Callable[[Path], None]) -> Path:
    """Create ``root/search-cache/<key>`` atomically with ``fill``; other keys are removed."""
    cache_root = root / CACHE_DIRNAME
    cache_root.mkdir(parents=True, exist_ok=True)
    target = cache_root / key
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache_root))
    try:
        fill(staging)
        (staging / _COMPLETE).write_text(json.dumps({"key": key}))
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    for stale in cache_root.iterdir():
        if stale.is_dir() and stale.name != key and not stale.name.startswith("."):
            shutil.rmtree(stale, ignore_errors=True)
    return target


def term_counts_path(index_dir: Path) -> Path:
    """Where the index's per-text term counts are kept (kept across cache versions)."""
    return index_dir / CACHE_DIRNAME / TERMS_FILENAME


def save_lexical_index(index: LexicalIndex, directory: Path) -> None:
    """Write ``index`` into an existing ``directory``."""
    for name in _ARRAYS:
        np.save(directory / f"bm25_{name}.npy", getattr(index, name))
    terms = sorted(index.vocabulary, key=index.vocabulary.__getitem__)
    (directory / "bm25_vocabulary.json").write_text(json.dumps(terms, ensure_ascii=False))
    meta = {"analyzer": ANALYZER_VERSION, "documents": index.size}
    (directory / "bm25_meta.json").write_text(json.dumps(meta))


def load_lexical_index(directory: Path) -> LexicalIndex | None:
    """The index saved in ``directory``, or None when absent, stale or unreadable."""
    try:
        meta = json.loads((directory / "bm25_meta.json").read_text())
        if meta.get("analyzer") != ANALYZER_VERSION:
            return None
        arrays = {name: np.load(directory / f"bm25_{name}.npy") for name in _ARRAYS}
        terms = json.loads((directory / "bm25_vocabulary.json").read_text())
    except (OSError, ValueError):
        return None
    vocabulary = {term: column for column, term in enumerate(terms)}
    return LexicalIndex(vocabulary=vocabulary, **arrays)


def load_derived_data(
    index: IndexLike, analyzer: Analyzer, parameters: BM25Parameters
) -> tuple[LexicalIndex, PassageCatalog]:
    """The BM25 index and passage catalog of ``index``: from the cache, else built and cached.

    Building analyses every passage not analysed before (about a minute for the 54k-speech
    pool on 2 cores; the term counts of texts seen before are read from `term_counts_path`);
    the cache is written inside the index directory, and a read-only index directory just
    means no cache.
    """
    root = Path(str(index.directory))
    key = cache_key(index.manifest.version_key, parameters, analyzer.version)
    path = cached_directory(root, key)
    if path is not None:
        lexical, catalog = load_lexical_index(path), load_catalog(path)
        if lexical is not None and catalog is not None:
            return lexical, catalog
    passages = list(index.store.iter_passages())
    catalog = build_catalog(index.store.iter_statements(), passages)
    ordered = [p.text for _pid, p in sorted(passages, key=lambda item: item[0])]
    terms = TermCountStore.open(term_counts_path(root), analyzer.version)
    try:
        counted = counted_in_order(analyzer, ordered, terms)
        lexical = build_lexical_index_from_counts(catalog.passage_ids, counted, parameters)
    finally:
        if terms is not None:
            terms.close()

    def fill(directory: Path) -> None:
        save_lexical_index(lexical, directory)
        save_catalog(catalog, directory)

    with contextlib.suppress(OSError):
        write_cache_directory(root, key, fill)
    return lexical, catalog


@dataclass
class _StoreOnly:
    """An index opened without its FAISS files: all the derived data needs."""

    directory: object
    manifest: Manifest
    store: StatementStore


def prepare_derived_data(
    index_dir: Path, analyzer: Analyzer | None = None, parameters: BM25Parameters | None = None
) -> bool:
    """Build the cache for the index as it is now, so that the next server start only loads it.

    ``policy-search index`` calls this after an update: analysing the 54k-speech pool takes
    minutes, which belongs to indexing, not to the server's start.  Returns False (and writes
    nothing) when there is no index, or when another update completed meanwhile.
    """
    manifest = read_manifest(index_dir)
    if manifest is None or not (index_dir / DATABASE_NAME).is_file():
        return False
    analyzer = analyzer or Analyzer()
    parameters = parameters or BM25Parameters()
    if cached_directory(index_dir, cache_key(manifest.version_key, parameters, analyzer.version)):
        return True
    store = StatementStore.open(index_dir / DATABASE_NAME, readonly=True)
    try:
        load_derived_data(_StoreOnly(index_dir, manifest, store), analyzer, parameters)
    finally:
        store.close()
    after = read_manifest(index_dir)
    return after is not None and after.version_key == manifest.version_key
