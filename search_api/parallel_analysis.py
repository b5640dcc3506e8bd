"""Analysing many passages on every core: the search cache's Sudachi pass at pool size.

Building the BM25 postings of the 54k-speech pool analyses 170,000 passages (about 160 s on one
core), after embedding has released both cores. Above ``PARALLEL_MIN_TEXTS`` texts the work is
spread over worker processes, each with its own ``Analyzer`` built from the same settings (a
Sudachi tokenizer is neither shared across processes nor thread-safe); the terms come back in
input order, so the postings are identical to a single-process build.  `count_all` also counts
each text's terms in its worker, so the parent only merges (what BM25 needs is the counts).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

from search_api.lexical import Analyzer, TermCounts, count_terms
from search_api.search_pool import usable_cores
from search_api.worker_processes import exit_when_parent_dies

PARALLEL_MIN_TEXTS = 20_000
"""Below this many texts starting worker processes (about 1 s each, dictionary load) is not
worth it."""
_CHUNK = 512

_worker_analyzer: Analyzer | None = None


def analyze_all(
    analyzer: Analyzer, texts: Sequence[str], workers: int | None = None
) -> Iterator[list[str]]:
    """``analyzer.analyze`` of every text, in order; on several processes for many texts."""
    workers = workers if workers is not None else usable_cores()
    if workers < 2 or len(texts) < PARALLEL_MIN_TEXTS:
        yield from (analyzer.analyze(text) for text in texts)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(analyzer.settings,)
    ) as pool:
        yield from pool.map(_analyze, texts, chunksize=_CHUNK)


def count_all(
    analyzer: Analyzer, texts: Sequence[str], workers: int | None = None
) -> Iterator[TermCounts]:
    """`count_terms` of every text's analysis, in order; on several processes for many texts."""
    workers = workers if workers is not None else usable_cores()
    if workers < 2 or len(texts) < PARALLEL_MIN_TEXTS:
        yield from (count_terms(analyzer.analyze(text)) for text in texts)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(analyzer.settings,)
    ) as pool:
        yield from pool.map(_count, texts, chunksize=_CHUNK)


def _start_worker(settings: tuple[bool, str]) -> None:
    global _worker_analyzer
    exit_when_parent_dies()
    subwords, mode = settings
    _worker_analyzer = Analyzer(subwords=subwords, mode=mode)


def _analyze(text: str) -> list[str]:
    assert _worker_analyzer is not None, "worker started without an analyzer"
    return _worker_analyzer.analyze(text)


def _count(text: str) -> TermCounts:
    return count_terms(_analyze(text))
