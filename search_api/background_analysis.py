"""Analysing passages for BM25 while the encoders run, in idle CPU time.

``policy-search index`` spends most of its time in the encoders, which still leave part of the
two cores idle (between batches, while a batch is padded or stored).  The BM25 postings need a
Sudachi analysis of every passage, which would otherwise run after embedding.  This observer
receives each file's passage texts before they are embedded and analyses them in worker
processes at the lowest CPU priority (``nice`` 19), so they take mostly cycles the encoders
leave.  Workers are spawned, not forked: the indexer has encoder threads running and
gigabytes mapped, neither of which a worker needs.  Each worker saves its term counts straight
into the index's `TermCountStore`, and the search cache built after the update reads them
instead of analysing again.

Nothing here is needed for correctness: when a worker fails or the store cannot be written,
the search cache analyses what is missing itself.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from search_api.lexical import Analyzer, count_terms
from search_api.search_pool import usable_cores
from search_api.term_counts import TermCountStore
from search_api.worker_processes import exit_when_parent_dies

_CHUNK = 256
_LOWEST_PRIORITY = 19

_worker: tuple[Analyzer, Path] | None = None


class BackgroundAnalysis:
    """Saves the term counts of the texts it is given, on low-priority worker processes.

    Call it with ``{content hash: text}`` (the pipeline's passage observer), then `finish`,
    which waits for the work to end.  Texts whose counts are saved already are skipped.
    """

    def __init__(self, store_path: Path, analyzer: Analyzer, workers: int | None = None) -> None:
        self._store_path = store_path
        self._analyzer = analyzer
        self._workers = workers if workers is not None else usable_cores()
        self._pool: ProcessPoolExecutor | None = None
        self._known: set[str] | None = None
        self._pending: list[Future[int]] = []

    def __call__(self, texts: Mapping[str, str]) -> None:
        known = self._known_hashes()
        new = [(h, text) for h, text in texts.items() if h not in known]
        if not new:
            return
        known.update(h for h, _text in new)
        pool = self._start()
        for start in range(0, len(new), _CHUNK):
            self._pending.append(pool.submit(_save_counts, new[start : start + _CHUNK]))

    def finish(self) -> int:
        """Wait for every submitted text; returns how many counts the workers saved."""
        saved = 0
        for future in self._pending:
            with contextlib.suppress(Exception):  # the search cache analyses what is missing
                saved += future.result()
        self._pending = []
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        return saved

    def cancel(self) -> None:
        """Drop the work not started yet and stop the workers (the update failed)."""
        self._pending = []
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _known_hashes(self) -> set[str]:
        if self._known is None:
            store = TermCountStore.open(self._store_path, self._analyzer.version)
            self._known = set() if store is None else store.known_hashes()
            if store is not None:
                store.close()
        return self._known

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self._analyzer.settings, self._store_path),
            )
        return self._pool


def _start_worker(settings: tuple[bool, str], store_path: Path) -> None:
    global _worker
    exit_when_parent_dies()
    with contextlib.suppress(OSError):
        os.nice(_LOWEST_PRIORITY)
    subwords, mode = settings
    _worker = (Analyzer(subwords=subwords, mode=mode), store_path)


def _save_counts(items: list[tuple[str, str]]) -> int:
    assert _worker is not None, "worker started without an analyzer"
    analyzer, store_path = _worker
    counted = [(text_hash, count_terms(analyzer.analyze(text))) for text_hash, text in items]
    store = TermCountStore.open(store_path, analyzer.version)
    if store is None:
        return 0
    try:
        return store.put_many(counted)
    finally:
        store.close()
