"""Measure CAP tagging options on the labelled dev speeches (prints figures; not a test).

    python bench/themes_measure.py INDEX_DIR ../shared/eval/themes-dev.jsonl

INDEX_DIR: an index of ../shared/eval/themes-sample.jsonl.gz built with the default channels
(e5 + use).  Reads the stored passage vectors, embeds the CAP descriptions once with the real
models, and compares zero-shot prototypes, nearest examples, logistic regression, keyword
priors and combinations.  Every figure of a fitted model is shuffled 10-fold cross-validation
over the 111 labelled speeches (description points and unlabelled speeches never count as
test items).  The tagger that ships is calibrated by bench/themes_calibrate.py.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

from indexer.themes.tagging import confidences, keyword_counts
from indexer.themes.taxonomy import builtin_cap

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = ("e5", "use")
KEYWORD_WEIGHT = 1.0  # a round prior weight, fixed before measuring (not tuned)
SECONDARY_THRESHOLD = 0.25  # a round value, fixed before measuring
C = 10.0  # logistic regression: weak regularisation of unit-norm vectors, sklearn's scale


def statement_vectors(db: sqlite3.Connection, channel: str) -> dict[str, np.ndarray]:
    """Normalised mean passage vector per statement."""
    fingerprint = db.execute("SELECT fingerprint FROM channels WHERE name=?", (channel,))
    fp = fingerprint.fetchone()[0]
    rows = db.execute(
        "SELECT p.statement_id, v.vector FROM passages p JOIN vectors v ON v.content_hash = "
        "p.content_hash AND v.fingerprint = ? ORDER BY p.statement_id, p.ordinal",
        (fp,),
    ).fetchall()
    groups: dict[str, list[np.ndarray]] = defaultdict(list)
    for sid, blob in rows:
        groups[sid].append(np.frombuffer(blob, dtype=np.float32))
    out = {}
    for sid, vs in groups.items():
        m = np.mean(vs, axis=0)
        out[sid] = m / np.linalg.norm(m)
    return out


def zscore(s: np.ndarray) -> np.ndarray:
    return (s - s.mean(axis=1, keepdims=True)) / s.std(axis=1, keepdims=True)


class Data:
    """Everything measured: labelled and unlabelled vectors, keyword counts, prototypes."""

    def __init__(self, index: Path, labels_path: Path) -> None:
        db = sqlite3.connect(f"file:{index / 'index.sqlite'}?mode=ro", uri=True)
        labels = [json.loads(line) for line in labels_path.open(encoding="utf-8")]
        self.cap = builtin_cap()
        self.codes = [t.theme_id for t in self.cap.themes]
        vecs = {c: statement_vectors(db, c) for c in CHANNELS}
        texts = dict(db.execute("SELECT statement_id, text FROM statements"))
        self.fingerprints = dict(db.execute("SELECT name, fingerprint FROM channels"))
        self.ids = [x["speechID"] for x in labels]
        labelled = set(self.ids)
        self.unlabelled = sorted(s for s in vecs["e5"] if s not in labelled)
        self.y = np.array([self.codes.index(str(x["topic"])) for x in labels])
        self.secondary = [{self.codes.index(str(s)) for s in x["secondary"]} for x in labels]
        self.X = np.hstack([np.stack([vecs[c][i] for i in self.ids]) for c in CHANNELS])
        self.XU = np.hstack([np.stack([vecs[c][i] for i in self.unlabelled]) for c in CHANNELS])
        kw = [t.keywords for t in self.cap.themes]
        self.K = np.log1p(keyword_counts([texts[i] for i in self.ids], kw)).astype(np.float64)
        self.KU = np.log1p(keyword_counts([texts[i] for i in self.unlabelled], kw)).astype(
            np.float64
        )
        self.dims = [len(next(iter(vecs[c].values()))) for c in CHANNELS]
        self.protos = self._prototypes()

    def _prototypes(self) -> dict[str, np.ndarray]:
        from models.loading import load_embedder

        cache = Path("/tmp/policy-search-cap-prototypes.npz")
        digest = self.cap.digest
        if cache.is_file():
            with np.load(cache) as saved:
                if str(saved["digest"]) == digest:
                    return {k: saved[k] for k in saved.files if k != "digest"}
        out = {}
        for channel, name in zip(CHANNELS, (None, "use"), strict=True):
            model = load_embedder(name)
            for side in ("query", "doc"):
                rows = []
                for theme in self.cap.themes:
                    texts = theme.prototype_texts()
                    if side == "query":
                        m = np.stack([model.embed_query(t) for t in texts])
                    else:
                        m = model.embed_documents(texts)
                    v = m.mean(axis=0)
                    rows.append(v / np.linalg.norm(v))
                out[f"{channel}-{side}"] = np.stack(rows)
        np.savez(cache, digest=np.array(digest), **out)
        return out

    def proto_matrix(self, side: str) -> np.ndarray:
        return np.hstack([self.protos[f"{c}-{side}"] for c in CHANNELS])

    def split(self, x: np.ndarray) -> list[np.ndarray]:
        return [x[:, : self.dims[0]], x[:, self.dims[0] :]]


def report(d: Data, name: str, logits: np.ndarray) -> tuple[float, float]:
    pred = logits.argmax(axis=1)
    acc = accuracy_score(d.y, pred)
    f1 = f1_score(d.y, pred, average="macro", labels=sorted(set(d.y)), zero_division=0)
    either = np.mean([p == t or p in s for p, t, s in zip(pred, d.y, d.secondary, strict=True)])
    print(f"{name:58s} acc {acc:.3f}  macro-F1 {f1:.3f}  prim-or-sec {either:.3f}")
    return acc, f1


def zero_shot(d: Data, x: np.ndarray, side: str) -> np.ndarray:
    """Sum over channels of z-scored cosine similarities to the description prototypes."""
    parts = d.split(x)
    protos = [d.protos[f"{c}-{side}"] for c in CHANNELS]
    return sum(zscore(p @ q.T) for p, q in zip(parts, protos, strict=True))


def fit_lr(x: np.ndarray, y: np.ndarray, n: int) -> LogisticRegression:
    model = LogisticRegression(C=C, max_iter=1000)
    model.fit(x, y)
    assert list(model.classes_) == list(range(n)), "every topic must be in the training data"
    return model


FOLDS = 10


def loo(d: Data, make: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Held-out logits by shuffled 10-fold cross-validation (seed 0; stratifying is impossible
    with topics of 3 items).

    ``make(train_index)`` returns logits for all labelled items; each item's row comes from
    the fold that left it out.  (Leave-one-out took 111 fits per variant, too slow on a shared
    2-core machine; 10 folds train on ~100 of 111 items, nearly the same.)
    """
    import warnings

    from sklearn.model_selection import KFold

    out = np.zeros((len(d.y), len(d.codes)))
    folds = KFold(n_splits=FOLDS, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for train, test in folds.split(d.X, d.y):
            out[test] = make(train)[test]
    return out


def lr_with_descriptions(d: Data, pseudo: bool) -> Callable[[np.ndarray], np.ndarray]:
    """LR on labelled train items + description points (+ confident pseudo-labels)."""
    P = d.proto_matrix("doc")
    n = len(d.codes)

    def make(train: np.ndarray) -> np.ndarray:
        x = np.vstack([d.X[train], P])
        y = np.concatenate([d.y[train], np.arange(n)])
        model = fit_lr(x, y, n)
        if pseudo:
            lu = model.decision_function(d.XU) + KEYWORD_WEIGHT * d.KU
            pu = confidences(lu, 1.0)
            keep = pu.max(axis=1) >= 0.5
            x = np.vstack([x, d.XU[keep]])
            y = np.concatenate([y, pu[keep].argmax(axis=1)])
            model = fit_lr(x, y, n)
        return model.decision_function(d.X)

    return make


def nll(logits: np.ndarray, y: np.ndarray, t: float) -> float:
    p = confidences(logits, t)
    return float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))


def calibrate(d: Data, name: str, logits: np.ndarray) -> dict[str, float]:
    """Temperature by NLL on held-out logits; accuracy above confidence thresholds."""
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 400))
    t = float(grid[np.argmin([nll(logits, d.y, g) for g in grid])])
    p = confidences(logits, t)
    conf = p.max(axis=1)
    right = p.argmax(axis=1) == d.y
    bins = np.linspace(0, 1, 6)
    ece = sum(
        abs(right[m].mean() - conf[m].mean()) * m.mean()
        for lo, hi in itertools.pairwise(bins)
        if (m := (conf >= lo) & (conf < hi)).any()
    )
    print(f"  {name}: temperature {t:.3f}, NLL {nll(logits, d.y, t):.3f}, ECE(5 bins) {ece:.3f}")
    # none/mixed: the round confidence (0.05 steps) leaving about a tenth of the items below
    # it, the share ParlaCAP reports as "Mix"; one rule, not tuned for accuracy.
    threshold = float(np.floor(np.quantile(conf, 0.10) / 0.05) * 0.05)
    print(f"    chosen none/mixed threshold {threshold:.2f}")
    for threshold_shown in (0.2, 0.3, 0.4, 0.5, 0.6, threshold):
        kept = conf >= threshold_shown
        print(
            f"    threshold {threshold_shown:.2f}: none/mixed {1 - kept.mean():.3f}, "
            f"accuracy on the rest {right[kept].mean():.3f}, "
            f"accuracy of the none/mixed {right[~kept].mean() if (~kept).any() else 0:.3f}"
        )
    return {
        "temperature": round(t, 4),
        "threshold": round(threshold, 2),
        "secondary_threshold": SECONDARY_THRESHOLD,
        "keyword_weight": KEYWORD_WEIGHT,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", type=Path)
    parser.add_argument("labels", type=Path)
    args = parser.parse_args()
    d = Data(args.index, args.labels)
    print(f"labelled {len(d.y)}, unlabelled {len(d.XU)}, topics {len(set(d.y))}")
    print(f"labelled with any keyword: {(d.K.sum(axis=1) > 0).mean():.3f}")
    print("-- zero-shot (no fitting: full-set figures are honest) --")
    for c, (lo, hi) in zip(CHANNELS, ((0, d.dims[0]), (d.dims[0], None)), strict=True):
        for side in ("query", "doc"):
            report(d, f"prototypes {c} {side}", d.X[:, lo:hi] @ d.protos[f"{c}-{side}"].T)
    zs = {side: zero_shot(d, d.X, side) for side in ("query", "doc")}
    report(d, "prototypes e5+use (z-scored sum) query", zs["query"])
    report(d, "prototypes e5+use (z-scored sum) doc", zs["doc"])
    report(d, "keywords alone", d.K + 1e-3 * zs["query"])
    report(d, f"prototypes query + {KEYWORD_WEIGHT} * log1p(keywords)", zs["query"] + d.K)
    print(f"-- fitted on the labelled items: {FOLDS}-fold cross-validation --")
    n = len(d.codes)

    def centroid(train: np.ndarray) -> np.ndarray:
        cents = np.stack([d.X[train][d.y[train] == k].mean(axis=0) for k in range(n)])
        return d.X @ (cents / np.linalg.norm(cents, axis=1, keepdims=True)).T

    report(d, "nearest centroid e5+use", loo(d, centroid))

    def knn(train: np.ndarray) -> np.ndarray:
        sims = d.X @ d.X[train].T
        out = np.full((len(d.y), n), -9.0)
        for k in range(n):
            cols = d.y[train] == k
            out[:, k] = np.sort(sims[:, cols], axis=1)[:, -1]
        return out

    report(d, "1-NN e5+use", loo(d, knn))

    def plain_lr(train: np.ndarray) -> np.ndarray:
        x = np.vstack(
            [d.X[train], d.proto_matrix("doc")[[k for k in range(n) if k not in set(d.y[train])]]]
        )
        y = np.concatenate([d.y[train], [k for k in range(n) if k not in set(d.y[train])]])
        return fit_lr(x, y, n).decision_function(d.X)

    lr = loo(d, plain_lr)
    report(d, "logistic regression e5+use", lr)
    report(d, "  + keywords", lr + KEYWORD_WEIGHT * d.K)
    aug = loo(d, lr_with_descriptions(d, pseudo=False))
    report(d, "LR + description points", aug)
    report(d, "  + keywords", aug + KEYWORD_WEIGHT * d.K)
    report(d, "  + keywords + zero-shot", aug + KEYWORD_WEIGHT * d.K + zs["query"])
    semi = loo(d, lr_with_descriptions(d, pseudo=True))
    report(d, "LR + descriptions + self-training on 217 unlabelled", semi)
    report(d, "  + keywords", semi + KEYWORD_WEIGHT * d.K)
    print("-- calibration (temperature on the leave-one-out logits) --")
    print("-- calibration (temperature on held-out logits) --")
    calibrate(d, "prototypes + keywords", zs["query"] + KEYWORD_WEIGHT * d.K)
    calibrate(d, "LR + description points + keywords", aug + KEYWORD_WEIGHT * d.K)


if __name__ == "__main__":
    main()
