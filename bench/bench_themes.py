"""Time theme tagging (prints figures; not a test).

    python bench/bench_themes.py INDEX_DIR [--pool ../shared/corpus/kokkai/speeches.jsonl.gz]

1. Re-tags every statement of a *copy* of INDEX_DIR with its stored CAP model (reading the
   stored passage vectors from SQLite, scoring, writing the tags): the real cost per statement.
2. With ``--pool``: the pure scoring (keyword counts + linear scores + calibration) of the
   first 10,000 real speeches of the pool, with random unit vectors standing in for the
   stored ones (no model is run, so the whole pool's texts are cheap to use).
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from indexer.store import StatementStore
from indexer.themes.service import refresh_themes, retag
from indexer.themes.storage import theme_sets
from indexer.themes.tagging import tag_statements


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", type=Path)
    parser.add_argument("--pool", type=Path)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}, shared with other jobs")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "index"
        shutil.copytree(args.index, copy)
        store = StatementStore.open(copy / "index.sqlite")
        try:
            refresh_themes(store, {})
            count = store.count_statements()
            started = time.perf_counter()
            report = retag(store, ["cap"])
            seconds = time.perf_counter() - started
            model = next(m for s, m, _d in theme_sets(store) if s.set_id == "cap")
        finally:
            store.close()
    print(
        f"re-tag {count} statements ({model.method}, {'+'.join(w.channel for w in model.channels)}"
        f"): {seconds:.2f} s = {10_000 * seconds / max(report.total, 1):.1f} s per 10,000"
    )
    if args.pool:
        texts, procedural = [], []
        with gzip.open(args.pool, "rt", encoding="utf-8") as handle:
            for line in handle:
                texts.append(json.loads(line)["speech"])
                procedural.append(False)
                if len(texts) == 10_000:
                    break
        rng = np.random.default_rng(0)
        vectors = {}
        for weights in model.channels:
            x = rng.standard_normal((len(texts), weights.weights.shape[1])).astype(np.float32)
            vectors[weights.channel] = x / np.linalg.norm(x, axis=1, keepdims=True)
        started = time.perf_counter()
        tag_statements(model, vectors, texts, procedural)
        seconds = time.perf_counter() - started
        print(f"score {len(texts)} pool speeches (pure functions): {seconds:.2f} s")


if __name__ == "__main__":
    main()
