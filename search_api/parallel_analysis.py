"""Analysing many passages on every core: the search cache's Sudachi pass at pool size.

Building the BM25 postings of the 54k-speech pool analyses 170,000 passages (about 160 s on one
core), after embedding has released both cores. Above ``PARALLEL_MIN_TEXTS`` texts the work is
spread over worker processes, each with its own ``Analyzer`` built from the same settings (a
Sudachi tokenizer is neither shared across processes nor thread-safe); the terms come back in
input order, so the postings are identical to a single-process build.  `count_all` also counts
each text's terms in its worker, so the parent only merges (what BM25 needs is the counts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TypeVar

from search_api.lexical import Analyzer, TermCounts, count_terms
from search_api.search_pool import usable_cores
from search_api.worker_processes import exit_when_parent_dies

PARALLEL_MIN_TEXTS = 20_000
"""Below this many texts starting worker processes (about 1 s each, dictionary load) is not
worth it."""
_CHUNK = 512
T = TypeVar("T")

_worker_analyzer: Analyzer | None = None


def analyze_all(
    analyzer: Analyzer, texts: Sequence[str], workers: int | None = None
) -> Iterator[list[str]]:
    """``analyzer.analyze`` of every text, in order; on several processes for many texts."""
    return _each_text(analyzer, texts, workers, Analyzer.analyze)


def count_all(
    analyzer: Analyzer, texts: Sequence[str], workers: int | None = None
) -> Iterator[TermCounts]:
    """`count_terms` of every text's analysis, in order; on several processes for many texts."""
    return _each_text(analyzer, texts, workers, _counted)


def _each_text(
    analyzer: Analyzer,
    texts: Sequence[str],
    workers: int | None,
    task: Callable[[Analyzer, str], T],
) -> Iterator[T]:
    """``task(analyzer, text)`` for every text, in order; ``task`` must be picklable."""
    workers = workers if workers is not None else usable_cores()
    if workers < 2 or len(texts) < PARALLEL_MIN_TEXTS:
        yield from (task(analyzer, text) for text in texts)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(analyzer.settings,)
    ) as pool:
        yield from pool.map(partial(_in_worker, task), texts, chunksize=_CHUNK)


def _counted(analyzer: Analyzer, text: str) -> TermCounts:
    return count_terms(analyzer.analyze(text))


def _start_worker(settings: tuple[bool, str]) -> None:
    global _worker_analyzer
    exit_when_parent_dies()
    subwords, mode = settings
    _worker_analyzer = Analyzer(subwords=subwords, mode=mode)


def _in_worker(task: Callable[[Analyzer, str], T], text: str) -> T:
    assert _worker_analyzer is not None, "worker started without an analyzer"
    return task(_worker_analyzer, text)
