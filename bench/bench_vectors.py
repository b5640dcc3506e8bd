"""Exact FAISS search against approximate indexes (fp16, HNSW, IVF) at pool size and beyond.

Usage::

    .venv/bin/python bench/bench_vectors.py --index DIR [--channel e5] [--synthetic 1000000]
        [--kinds flat,fp16,hnsw,ivf] [--queries 200]

``--index``: the passage vectors of one channel of a real index (read from its FAISS file).
``--queries`` of them, drawn at random, are held out of the index and used as questions, so
recall is measured on the vectors' real distribution: recall@10 and @100 of each approximate
index against exact search (``IndexFlatIP``) over the same vectors.  ``--synthetic N[,N...]`` adds a
set of N random unit vectors of the same dimension (speed at sizes no real index has here;
random vectors are the hardest case for recall, so their recall is a lower bound).

Search runs on one thread, one question at a time, as the server searches (``k`` = 10, and
the searcher's passage depth of 1000).  Printed per kind: build time, memory of the index,
p50/p99 latency, recall.  The CPU model and load average are printed too.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt
from bench_load import cpu_description, load_average

Matrix = npt.NDArray[np.float32]
BUILD_THREADS = 2
EF_CONSTRUCTION = 0
"""HNSW build effort (0: 200 up to 300k vectors, else 80); ``--ef-construction``."""


def build(kind: str, xb: Matrix) -> faiss.Index:
    """One index of ``kind`` over ``xb`` (inner product on unit vectors)."""
    n, d = xb.shape
    if kind == "flat":
        index: faiss.Index = faiss.IndexFlatIP(d)
    elif kind == "fp16":
        index = faiss.IndexScalarQuantizer(
            d, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
        )
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = EF_CONSTRUCTION or (200 if n <= 300_000 else 80)
    elif kind == "ivf":
        nlist = ivf_lists(n)
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
        sample = xb[np.random.default_rng(1).choice(n, min(n, 40 * nlist), replace=False)]
        index.train(sample)
    else:
        raise SystemExit(f"unknown kind {kind!r}")
    index.add(xb)
    return index


def ivf_lists(n: int) -> int:
    """About sqrt(n) inverted lists, a power of two: cheap to train on 2 cores."""
    return int(2 ** round(np.log2(max(16.0, np.sqrt(n)))))


def search_settings(kind: str, index: faiss.Index, k: int) -> str:
    """Set the search-time knob for ``k`` results; returns it for the report."""
    if kind == "hnsw":
        index.hnsw.efSearch = max(128, k)
        return f"efSearch={index.hnsw.efSearch}"
    if kind == "ivf":
        index.nprobe = 16 if k <= 100 else 32
        return f"nlist={index.nlist} nprobe={index.nprobe}"
    return ""


def index_bytes(index: faiss.Index) -> int:
    return int(faiss.serialize_index(index).size)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def recall(found: npt.NDArray[np.int64], exact: npt.NDArray[np.int64]) -> float:
    """Mean share of the exact top-k that the approximate top-k found."""
    hits = [len(set(f[f >= 0]) & set(e)) / len(e) for f, e in zip(found, exact, strict=True)]
    return float(np.mean(hits))


def measure(label: str, xb: Matrix, xq: Matrix, kinds: list[str]) -> None:
    """Build every kind over ``xb``, search ``xq`` one at a time, print latency and recall."""
    print(f"\n## {label}: {xb.shape[0]:,} vectors x {xb.shape[1]} dims, {len(xq)} queries")
    exact: dict[int, npt.NDArray[np.int64]] = {}
    for kind in kinds:
        started = time.perf_counter()
        faiss.omp_set_num_threads(BUILD_THREADS)
        index = build(kind, xb)
        faiss.omp_set_num_threads(1)
        built = time.perf_counter() - started
        size_mb = index_bytes(index) / 2**20
        for k in (10, 1000):
            knob = search_settings(kind, index, k)
            index.search(xq[:5], k)  # warm-up
            times = []
            labels = np.empty((len(xq), k), dtype=np.int64)
            for i in range(len(xq)):
                started = time.perf_counter()
                _, found = index.search(xq[i : i + 1], k)
                times.append(time.perf_counter() - started)
                labels[i] = found[0]
            if kind == "flat":
                exact[k] = labels
            ms = np.array(times) * 1000
            quality = ""
            if kind != "flat" and k in exact:
                quality = f"recall@{k} {recall(labels[:, :k], exact[k][:, :k]):.3f}"
                if k == 1000:
                    quality += f", recall@100 {recall(labels[:, :100], exact[k][:, :100]):.3f}"
            print(
                f"{kind:5s} k={k:<5d} build {built:7.1f} s  {size_mb:7.0f} MB  "
                f"p50 {np.percentile(ms, 50):7.2f} ms  p99 {np.percentile(ms, 99):7.2f} ms  "
                f"{quality}  {knob}",
                flush=True,
            )
        del index


def exact_first(kinds: str) -> list[str]:
    """The kinds named, exact search first: every other kind is compared with it."""
    names = [k.strip() for k in kinds.split(",") if k.strip() and k.strip() != "flat"]
    return ["flat", *names]


def real_vectors(index_dir: Path, channel: str) -> Matrix:
    """Every vector of one channel of an index, read from its FAISS file."""
    index = faiss.read_index(str(index_dir / "faiss" / f"{channel}.index"))
    inner = faiss.downcast_index(faiss.downcast_index(index).index)
    return np.asarray(inner.reconstruct_n(0, inner.ntotal), dtype=np.float32)


def unit_rows(n: int, d: int, seed: int) -> Matrix:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d), dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="a real index: its vectors give recall")
    parser.add_argument("--channel", default="e5")
    parser.add_argument(
        "--synthetic", default="", help="also N random vectors (comma-separated sizes)"
    )
    parser.add_argument("--kinds", default="flat,fp16,hnsw,ivf")
    parser.add_argument(
        "--synthetic-kinds", default="flat,fp16,ivf", help="HNSW takes long to build at 1M"
    )
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--dimension", type=int, help="of synthetic vectors (default: the index's)")
    parser.add_argument("--ef-construction", type=int, default=0, help="HNSW build effort")
    args = parser.parse_args()
    global EF_CONSTRUCTION
    EF_CONSTRUCTION = args.ef_construction
    kinds = exact_first(args.kinds)
    faiss.omp_set_num_threads(1)
    print(f"CPU: {cpu_description()}")
    print(
        f"load average before: {load_average()}; faiss {faiss.__version__}; "
        f"search on 1 thread, build on {BUILD_THREADS}"
    )
    if args.index:
        vectors = real_vectors(args.index, args.channel)
        rng = np.random.default_rng(0)
        held_out = rng.choice(len(vectors), args.queries, replace=False)
        keep = np.ones(len(vectors), dtype=np.bool_)
        keep[held_out] = False
        label = f"{args.index} channel {args.channel} (held-out passages as queries)"
        measure(label, vectors[keep], vectors[held_out], kinds)
        dimension = vectors.shape[1]
        del vectors
    else:
        dimension = 384
    for size in (int(n) for n in args.synthetic.split(",") if n.strip()):
        xb = unit_rows(size, args.dimension or dimension, seed=2)
        xq = unit_rows(args.queries, args.dimension or dimension, seed=3)
        measure("synthetic random unit vectors", xb, xq, exact_first(args.synthetic_kinds))
        del xb
    print(f"\nload average after: {load_average()}")


if __name__ == "__main__":
    main()
