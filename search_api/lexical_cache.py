"""The lexical index on disk, inside the index directory, keyed by what it was built from.

Analysing 54k Diet speeches with Sudachi takes minutes, so the BM25 postings are saved once
per index generation (a directory of ``.npy`` arrays plus ``meta.json``) and loaded on the next
start.  A cache whose key differs (another generation, analyzer or BM25 constants) is ignored
and replaced.  Writes go to a temporary directory that is renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from search_api.lexical import ANALYZER_VERSION, BM25Parameters, LexicalIndex

CACHE_DIRNAME = "lexical"
_ARRAYS = ("doc_ids", "indptr", "rows", "weights")


def cache_key(generation: str, parameters: BM25Parameters) -> str:
    """A short stable key for one index generation, analyzer version and BM25 constants."""
    raw = f"{generation}|{ANALYZER_VERSION}|{parameters.k1}|{parameters.b}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def save_lexical_index(index: LexicalIndex, root: Path, key: str) -> Path:
    """Write ``index`` under ``root/lexical/<key>`` atomically; older keys are removed."""
    cache_root = root / CACHE_DIRNAME
    cache_root.mkdir(parents=True, exist_ok=True)
    target = cache_root / key
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache_root))
    try:
        for name in _ARRAYS:
            np.save(staging / f"{name}.npy", getattr(index, name))
        terms = sorted(index.vocabulary, key=index.vocabulary.__getitem__)
        (staging / "vocabulary.json").write_text(json.dumps(terms, ensure_ascii=False))
        meta = {"key": key, "analyzer": ANALYZER_VERSION, "documents": index.size}
        (staging / "meta.json").write_text(json.dumps(meta))
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    for stale in cache_root.iterdir():
        if stale.name != key and not stale.name.startswith("."):
            shutil.rmtree(stale, ignore_errors=True)
    return target


def load_lexical_index(root: Path, key: str) -> LexicalIndex | None:
    """The cached index for ``key``, or None when absent, stale or unreadable."""
    path = root / CACHE_DIRNAME / key
    try:
        meta = json.loads((path / "meta.json").read_text())
        if meta.get("key") != key or meta.get("analyzer") != ANALYZER_VERSION:
            return None
        arrays = {name: np.load(path / f"{name}.npy") for name in _ARRAYS}
        terms = json.loads((path / "vocabulary.json").read_text())
    except (OSError, ValueError):
        return None
    vocabulary = {term: column for column, term in enumerate(terms)}
    return LexicalIndex(vocabulary=vocabulary, **arrays)


def load_or_build_lexical_index(
    root: Path | None, key: str, build: Callable[[], LexicalIndex]
) -> LexicalIndex:
    """Load the cached index for ``key`` or build it and try to cache it.

    ``root`` None (or a read-only directory) just builds in memory: a search must not fail
    because the cache cannot be written.
    """
    if root is not None:
        cached = load_lexical_index(root, key)
        if cached is not None:
            return cached
    index = build()
    if root is not None:
        with contextlib.suppress(OSError):
            save_lexical_index(index, root, key)
    return index
