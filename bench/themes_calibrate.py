"""Calibrate the shipped CAP tagger on the labelled dev speeches and write its settings.

    python bench/themes_calibrate.py INDEX_DIR ../shared/eval/themes-dev.jsonl [--write]

INDEX_DIR: an index of ../shared/eval/themes-sample.jsonl.gz (default channels).  The index is
copied (the copy is migrated and tagged; the original is only read).  The tagger is exactly the
runtime one (``indexer.themes``): zero-shot description prototypes per channel, z-scored, plus
idf-weighted keywords.  Nothing is fitted but two numbers, both reported with split-half
figures next to the full-set ones:

* the temperature (softmax of logits / T), minimising the log-loss of the primary topic;
* the none/mixed threshold: the round confidence (0.05 steps) below which about a tenth of the
  labelled speeches fall, the share ParlaCAP reports as "Mix".

``--write`` stores both in indexer/themes/cap_model.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np

from indexer.index_dir import channel_info
from indexer.store import StatementStore
from indexer.themes.service import build_model, statement_means
from indexer.themes.tagging import confidences, keyword_evidence, theme_logits
from indexer.themes.taxonomy import builtin_cap
from models.loading import load_embedder

ROOT = Path(__file__).resolve().parents[1]
SECONDARY = 0.25


def nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    p = confidences(logits, t)
    return float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 600))
    return float(grid[np.argmin([nll(logits, y, t) for t in grid])])


def ece(p: np.ndarray, y: np.ndarray, bins: int = 5) -> float:
    conf, right = p.max(axis=1), p.argmax(axis=1) == y
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        m = (conf >= lo) & (conf < hi if hi < 1 else conf <= hi)
        if m.any():
            total += abs(right[m].mean() - conf[m].mean()) * m.mean()
    return total


def threshold_of(conf: np.ndarray) -> float:
    return float(np.floor(np.quantile(conf, 0.10) / 0.05) * 0.05)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", type=Path)
    parser.add_argument("labels", type=Path)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    labels = [json.loads(line) for line in args.labels.open(encoding="utf-8")]
    cap = builtin_cap()
    codes = [t.theme_id for t in cap.themes]
    embedders = {"e5": load_embedder(None), "use": load_embedder("use")}
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(args.index, Path(tmp) / "index")
        store = StatementStore.open(Path(tmp) / "index" / "index.sqlite")
        try:
            channels = {name: channel_info(e) for name, e in embedders.items()}
            model = build_model(cap, channels, embedders, store)
            ids = [x["speechID"] for x in labels]
            vectors = {}
            for name in channels:
                means = statement_means(store, name, ids)
                vectors[name] = np.stack([means[i] for i in ids])
            statements = store.get_statements(ids)
            texts = [statements[i].text for i in ids]
        finally:
            store.close()
    y = np.array([codes.index(str(x["topic"])) for x in labels])
    secondary = [{codes.index(str(s)) for s in x["secondary"]} for x in labels]
    evidence = keyword_evidence(texts, model.keywords, model.keyword_weights)
    parts = {
        "prototypes only": theme_logits(model, vectors, evidence * 0),
        "keywords only": evidence + 1e-6 * theme_logits(model, vectors, evidence * 0),
        "prototypes + keywords (shipped)": theme_logits(model, vectors, evidence),
    }
    for name, logits in parts.items():
        pred = logits.argmax(axis=1)
        f1s = []
        for k in sorted(set(y)):
            tp = np.sum((pred == k) & (y == k))
            prec = tp / max(np.sum(pred == k), 1)
            rec = tp / np.sum(y == k)
            f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
        either = np.mean([p == t or p in s for p, t, s in zip(pred, y, secondary, strict=True)])
        print(
            f"{name:34s} accuracy {np.mean(pred == y):.3f}  macro-F1 {np.mean(f1s):.3f}  "
            f"primary-or-secondary {either:.3f}"
        )
    logits = parts["prototypes + keywords (shipped)"]
    t = fit_temperature(logits, y)
    p = confidences(logits, t)
    threshold = threshold_of(p.max(axis=1))
    print(f"full set: temperature {t:.3f}, log-loss {nll(logits, y, t):.3f}, ECE {ece(p, y):.3f}")
    rng = np.random.default_rng(0)
    for half in range(2):
        order = rng.permutation(len(y))
        a, b = order[: len(y) // 2], order[len(y) // 2 :]
        ta = fit_temperature(logits[a], y[a])
        pb = confidences(logits[b], ta)
        tb = threshold_of(confidences(logits[a], ta).max(axis=1))
        kept = pb.max(axis=1) >= tb
        print(
            f"split-half {half + 1}: T fitted on one half {ta:.3f}; on the other half ECE "
            f"{ece(pb, y[b]):.3f}, threshold {tb:.2f} leaves {1 - kept.mean():.3f} none/mixed"
        )
    conf = p.max(axis=1)
    right = p.argmax(axis=1) == y
    for shown in sorted({0.2, 0.3, 0.4, 0.5, 0.6, threshold}):
        kept = conf >= shown
        rest = right[kept].mean() if kept.any() else 0.0
        below = right[~kept].mean() if (~kept).any() else 0.0
        print(
            f"  threshold {shown:.2f}: none/mixed {1 - kept.mean():.3f}, accuracy on the rest "
            f"{rest:.3f}, accuracy of the none/mixed {below:.3f}"
        )
    second = np.sort(p, axis=1)[:, -2]
    second_id = np.argsort(p, axis=1)[:, -2]
    assigned = (second >= SECONDARY) & (conf >= threshold)
    hits = [second_id[i] in secondary[i] or second_id[i] == y[i] for i in np.flatnonzero(assigned)]
    print(
        f"secondary themes assigned (>= {SECONDARY}): {assigned.mean():.3f} of speeches, "
        f"{np.mean(hits) if hits else 0:.3f} of them a labelled primary or secondary topic"
    )
    print(f"chosen: temperature {t:.3f}, none/mixed threshold {threshold:.2f}")
    if args.write:
        settings = {
            "version": f"prototypes-t{t:.3f}-m{threshold:.2f}",
            "calibrated_on": "111 labelled speeches of themes-dev.jsonl "
            "(bench/themes_calibrate.py)",
            "methods": {
                "prototypes": {
                    "temperature": round(t, 4),
                    "threshold": round(threshold, 2),
                    "secondary_threshold": SECONDARY,
                    "keyword_weight": 1.0,
                }
            },
        }
        path = ROOT / "indexer" / "themes" / "cap_model.json"
        path.write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
        print("wrote", path)


if __name__ == "__main__":
    main()
