"""Benchmark indexing: a sample of the Kokkai pool through the real pipeline.

Prints statements/s, passages/s, time spent outside the encoder (pipeline overhead as a share
of the encoder's own time), index size on disk per statement, peak memory, the cost of an
unchanged rerun, and HNSW recall@10 against exact search on the vectors just built.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_index.py --speeches 2000
    .venv/bin/python bench/bench_index.py --speeches 2000 --model fake   # plumbing only
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from indexer.consistency import rebuild_vectors
from indexer.index_dir import open_index
from indexer.pipeline import UpdateOptions, default_embedders, update_index
from indexer.vectors import FaissVectorIndex
from models.cpu_features import read_cpu_features

REPO = Path(__file__).resolve().parents[1]
POOL = REPO.parent / "shared" / "corpus" / "kokkai" / "speeches.jsonl.gz"
DEV = REPO.parent / "shared" / "eval" / "dev.jsonl"
POOL_SIZE = 54_066


def write_sample(target: Path, count: int) -> Path:
    """Every (POOL_SIZE // count)-th speech of the pool, so all decades are represented."""
    stride = max(1, POOL_SIZE // count)
    kept: list[str] = []
    with gzip.open(POOL, "rt", encoding="utf-8") as source:
        for number, line in enumerate(source):
            if number % stride == 0:
                kept.append(line)
                if len(kept) == count:
                    break
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(kept)
    return target


def directory_size(directory: Path) -> int:
    """Bytes of every file under ``directory``."""
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def hnsw_recall(index_dir: Path, queries: np.ndarray, k: int = 10) -> float:
    """recall@k of an HNSW index against the exact flat index over the same stored vectors."""
    with open_index(index_dir) as index:
        exact = index.vectors("e5")
        approximate = FaissVectorIndex.create(exact.dimension, "hnsw")
        flat = rebuild_vectors(index.store, "e5")
        ids = flat.ids()
        approximate.add(ids, flat.reconstruct(ids))
        _, truth = exact.search(queries, k)
        _, found = approximate.search(queries, k)
    hits = sum(len(set(t) & set(f)) for t, f in zip(truth.tolist(), found.tolist(), strict=True))
    return hits / truth.size


def main() -> None:
    """Run the benchmark and print its figures (text, then one JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeches", type=int, default=2000)
    parser.add_argument("--model", default=None, help="embedder name (default: e5-small)")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--keep", type=Path, default=None, help="build the index here and keep it")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-index-"))
    sample = write_sample(work / "pool-sample.jsonl.gz", args.speeches)
    index_dir = args.keep or work / "index"
    started = time.perf_counter()
    embedders = default_embedders(args.model, ())  # e5 only, as the recorded figures
    load_seconds = time.perf_counter() - started
    embedder = embedders["e5"]
    options = UpdateOptions(batch_size=args.batch_size, progress=True)

    cpu_before = time.process_time()
    summary = update_index(index_dir, [sample], embedders, options)
    cpu_seconds = time.process_time() - cpu_before
    rerun = update_index(index_dir, [sample], embedders, options)

    queries = [json.loads(line)["query"] for line in DEV.read_text(encoding="utf-8").splitlines()]
    xq = np.stack([embedder.embed_query(q) for q in queries]).astype(np.float32)
    recall = hnsw_recall(index_dir, xq)

    elapsed = summary.elapsed_seconds
    encode = summary.encode_seconds
    outside = elapsed - encode
    size = directory_size(index_dir)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "model": embedder.model_id,
        "runtime": getattr(embedder, "runtime", "?"),
        "cpu": read_cpu_features().summary(),
        "speeches": summary.statements,
        "passages": summary.passages,
        "embedded": summary.embedded,
        "model_load_seconds": round(load_seconds, 2),
        "elapsed_seconds": round(elapsed, 2),
        "encoder_seconds": round(encode, 2),
        "outside_encoder_seconds": round(outside, 2),
        "overhead_vs_encoder_percent": round(100 * outside / encode, 1) if encode else None,
        "statements_per_second": round(summary.statements / elapsed, 2),
        "passages_per_second": round(summary.passages / elapsed, 2),
        "process_cpu_seconds": round(cpu_seconds, 2),
        "index_bytes": size,
        "index_bytes_per_statement": round(size / max(1, summary.statements)),
        "unchanged_rerun_seconds": round(rerun.elapsed_seconds, 3),
        "unchanged_rerun_embedded": rerun.embedded,
        "hnsw_recall_at_10": round(recall, 4),
        "hnsw_queries": len(queries),
        "peak_rss_mb": round(peak_mb, 1),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    for key, value in figures.items():
        print(f"{key:>30}: {value}")
    print(json.dumps(figures), file=sys.stderr)


if __name__ == "__main__":
    main()
