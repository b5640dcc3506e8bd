"""The search cache's Sudachi pass at index size: one process against all cores.

Reads every passage of an index (no model needed), analyses them with the searcher's analyzer
on one process and then on ``os.cpu_count()`` worker processes
(``search_api.parallel_analysis``), checks the terms are identical, and prints both times.

    .venv/bin/python bench/bench_search_cache.py --index POOL_INDEX [--limit 40000]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from indexer.store import DATABASE_NAME, StatementStore
from models.cpu_features import read_cpu_features
from search_api.lexical import Analyzer
from search_api.parallel_analysis import analyze_all


def main() -> None:
    """Time both ways and print them (text, one line each)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None, help="first N passages only")
    args = parser.parse_args()
    store = StatementStore.open(args.index / DATABASE_NAME, readonly=True)
    try:
        texts = [p.text for _pid, p in sorted(store.iter_passages(), key=lambda item: item[0])]
    finally:
        store.close()
    texts = texts[: args.limit] if args.limit else texts
    print(f"CPU: {read_cpu_features().summary()}; cores {os.cpu_count()}")
    print(f"load average before: {os.getloadavg()[0]:.2f}; {len(texts)} passages")
    analyzer = Analyzer()
    started = time.perf_counter()
    serial = list(analyze_all(analyzer, texts, workers=1))
    one = time.perf_counter() - started
    started = time.perf_counter()
    parallel = list(analyze_all(analyzer, texts))
    every = time.perf_counter() - started
    print(
        f"one process: {one:.1f} s; {os.cpu_count()} processes: {every:.1f} s "
        f"({one / every:.2f}x); identical terms: {serial == parallel}"
    )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
