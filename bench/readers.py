"""Benchmark the readers and the chunker on the real corpus; prints figures (not a test).

Usage: .venv/bin/python bench/readers.py [CORPUS_DIR]
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from indexer.chunking import split_passages
from indexer.reading import read_paths
from indexer.records import Statement


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    """Read each part of the corpus, then chunk every statement, printing times and counts."""
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2] / "shared/corpus"
    parts = ["seed", "minutes", "kokkai/meetings", "kokkai/speeches.jsonl.gz"]
    statements: list[Statement] = []
    for part in parts:
        start = time.perf_counter()
        results = list(read_paths([corpus / part]))
        elapsed = time.perf_counter() - start
        count = sum(r.statement_count for r in results)
        meetings = sum(len(r.meetings) for r in results)
        failed = sum(r.error is not None for r in results)
        chars = sum(len(s.text) for r in results for m in r.meetings for s in m.statements)
        print(
            f"{part:28s} files={len(results):3d} meetings={meetings:5d} statements={count:6d} "
            f"chars={chars:>10,d} failed={failed} time={elapsed:6.2f}s rss={_max_rss_mb():.0f}MB"
        )
        statements.extend(s for r in results for m in r.meetings for s in m.statements)
    start = time.perf_counter()
    passages = [p for s in statements for p in split_passages(s.statement_id, s.text)]
    elapsed = time.perf_counter() - start
    longest = max(len(p.text) for p in passages)
    print(
        f"chunking: statements={len(statements)} passages={len(passages)} "
        f"(max_chars=400, overlap 1 sentence) longest={longest} time={elapsed:.2f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
