"""Measure two ways of using unlabelled statements / fitted weights with the shipped CAP tagger.

    python bench/themes_selftrain.py INDEX_DIR ../shared/eval/themes-dev.jsonl

INDEX_DIR: an index of ../shared/eval/themes-sample.jsonl.gz (default channels e5 + use), read
through a temporary copy.  The tagger is the runtime one (``indexer.themes.service.build_model``).

1. Transductive self-training (no label used): tag all 328 speeches; per theme, the statements
   it is assigned to (confidence >= the shipped none/mixed threshold, or a stricter 0.30) are
   averaged and the prototype becomes ``normalise(description prototype + normalise(mean of
   members))`` per channel; re-tag and repeat.  Labels are only used to score, so full-set
   figures are honest for the one setting chosen before measuring (threshold = shipped, one
   round); the others are shown to see the trend, not to pick from.
2. Keyword weight fitted by 10-fold cross-validation (shuffled, seed 0): within each fold the
   weight w in ``prototype logits + w * keyword evidence`` maximising training accuracy on a
   grid; the held-out fold is scored with it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold

from indexer.index_dir import channel_info
from indexer.store import StatementStore
from indexer.themes import shipped
from indexer.themes.service import build_model, statement_means
from indexer.themes.tagging import (
    ChannelWeights,
    TaggingModel,
    confidences,
    keyword_evidence,
    theme_logits,
)
from indexer.themes.taxonomy import builtin_cap
from models.loading import load_embedder


def score(name: str, logits: np.ndarray, y: np.ndarray, secondary: list[set[int]]) -> None:
    pred = logits.argmax(axis=1)
    f1 = f1_score(y, pred, average="macro", labels=sorted(set(y)), zero_division=0)
    either = np.mean([p == t or p in s for p, t, s in zip(pred, y, secondary, strict=True)])
    print(f"{name:62s} acc {np.mean(pred == y):.3f}  macro-F1 {f1:.3f}  prim-or-sec {either:.3f}")


def refit(
    model: TaggingModel,
    base: TaggingModel,
    vectors: dict[str, np.ndarray],
    probabilities: np.ndarray,
    threshold: float,
) -> TaggingModel:
    """Prototypes = description prototype + mean of the statements confidently assigned."""
    best = probabilities.argmax(axis=1)
    keep = probabilities.max(axis=1) >= threshold
    channels = []
    for weights in base.channels:
        x = vectors[weights.channel]
        rows = weights.weights / np.linalg.norm(weights.weights, axis=1, keepdims=True)
        new = rows.copy()
        for k in range(len(rows)):
            members = x[keep & (best == k)]
            if len(members):
                m = members.mean(axis=0)
                v = rows[k] + m / np.linalg.norm(m)
                new[k] = v / np.linalg.norm(v)
        new = (new * shipped.PROTOTYPE_SCALE).astype(np.float32)
        channels.append(ChannelWeights(weights.channel, weights.fingerprint, new, weights.bias))
    return replace(model, channels=tuple(channels))


def load(index: Path, embedders: dict) -> tuple:  # type: ignore[type-arg]
    """The shipped model of ``index`` and every statement's vectors, evidence and meeting."""
    cap = builtin_cap()
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(index, Path(tmp) / "index")
        store = StatementStore.open(Path(tmp) / "index" / "index.sqlite")
        try:
            channels = {name: channel_info(e) for name, e in embedders.items()}
            model = build_model(cap, channels, embedders, store)
            every = [r[0] for r in store.connection.execute("SELECT statement_id FROM statements")]
            means = {name: statement_means(store, name, every) for name in channels}
            ids = sorted(means["e5"])
            statements = store.get_statements(ids)
            meetings = store.get_meetings(sorted({s.meeting_id for s in statements.values()}))
        finally:
            store.close()
    vectors = {c: np.stack([means[c][i] for i in ids]) for c in channels}
    texts = [statements[i].text for i in ids]
    evidence = keyword_evidence(texts, model.keywords, model.keyword_weights)
    meta = [(meetings[statements[i].meeting_id].body, statements[i]) for i in ids]
    return model, ids, vectors, evidence, meta


def compare_elsewhere(index: Path, embedders: dict) -> None:  # type: ignore[type-arg]
    """What per-theme centring changes on another index: best themes by body, examples."""
    from collections import Counter

    model, ids, vectors, evidence, meta = load(index, embedders)
    codes = model.theme_ids
    raw = theme_logits(model, vectors, evidence * 0)
    variants = {
        "shipped": raw + evidence,
        "centred": raw - raw.mean(axis=0, keepdims=True) + evidence,
    }
    p = confidences(raw + evidence, model.temperature)
    variants["self-trained"] = theme_logits(
        refit(model, model, vectors, p, model.threshold), vectors, evidence
    )
    best = {k: v.argmax(axis=1) for k, v in variants.items()}
    real = [not st.procedural for _body, st in meta]
    print(f"{index}: {sum(real)} substantive statements")
    for other in ("centred", "self-trained"):
        moved = sum(1 for i in range(len(ids)) if real[i] and best["shipped"][i] != best[other][i])
        print(f"  {other}: best theme changed for {moved}")
    changed = [i for i in range(len(ids)) if real[i] and best["shipped"][i] != best["centred"][i]]
    for name, b in best.items():
        by = Counter()
        for i in range(len(ids)):
            if real[i]:
                by[("FOMC" if "Open Market" in meta[i][0] else "other", codes[b[i]])] += 1
        top = sorted(by.items(), key=lambda kv: -kv[1])[:8]
        print(f"  {name}: " + ", ".join(f"{g}/{c} {n}" for (g, c), n in top))
    rng = np.random.default_rng(0)
    for other in ("centred", "self-trained"):
        changed = [i for i in range(len(ids)) if real[i] and best["shipped"][i] != best[other][i]]
        print(f"  examples, shipped -> {other}:")
        for i in rng.choice(changed, size=min(10, len(changed)), replace=False):
            body, st = meta[i]
            print(
                f"  {codes[best['shipped'][i]]:>2} -> {codes[best[other][i]]:>2}  {body[:24]:24s} "
                f"{st.text[:60]!r}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("index", type=Path)
    parser.add_argument("labels", type=Path)
    parser.add_argument("--elsewhere", type=Path, help="another index to compare centring on")
    args = parser.parse_args()
    labels = [json.loads(line) for line in args.labels.open(encoding="utf-8")]
    cap = builtin_cap()
    codes = [t.theme_id for t in cap.themes]
    embedders = {"e5": load_embedder(None), "use": load_embedder("use")}
    model, ids, vectors, evidence, _meta = load(args.index, embedders)
    row = {sid: n for n, sid in enumerate(ids)}
    lab = np.array([row[x["speechID"]] for x in labels])
    y = np.array([codes.index(str(x["topic"])) for x in labels])
    secondary = [{codes.index(str(s)) for s in x["secondary"]} for x in labels]
    print(f"statements {len(ids)}, labelled {len(lab)}")

    shipped_logits = theme_logits(model, vectors, evidence)
    score("shipped (prototypes + idf keywords)", shipped_logits[lab], y, secondary)
    print("-- 1. transductive self-training over all statements (labels not used) --")
    for threshold in (model.threshold, 0.30):
        current, logits = model, shipped_logits
        for round_ in (1, 2, 3):
            p = confidences(logits, model.temperature)
            current = refit(current, model, vectors, p, threshold)
            logits = theme_logits(current, vectors, evidence)
            members = int((p.max(axis=1) >= threshold).sum())
            score(
                f"members >= {threshold:.2f} ({members} stmts), round {round_}",
                logits[lab],
                y,
                secondary,
            )
            if round_ == 1:
                no_kw = theme_logits(current, vectors, evidence * 0)
                score("  same, prototypes only", no_kw[lab], y, secondary)
    print("-- 3. hubness correction: each theme's mean prototype score over all statements --")
    raw = theme_logits(model, vectors, evidence * 0)
    centred = raw - raw.mean(axis=0, keepdims=True)
    score("prototypes centred per theme + idf keywords", (centred + evidence)[lab], y, secondary)
    scaled = centred / raw.std(axis=0, keepdims=True)
    score("prototypes z-scored per theme + idf keywords", (scaled + evidence)[lab], y, secondary)
    if args.elsewhere:
        compare_elsewhere(args.elsewhere, embedders)
    print("-- 2. keyword weight by 10-fold CV --")
    protos = theme_logits(model, vectors, evidence * 0)[lab]
    ev = evidence[lab]
    grid = [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0]
    for w in grid:
        score(f"  full set, keyword weight {w}", protos + w * ev, y, secondary)
    held = np.zeros_like(protos)
    chosen = []
    for train, test in KFold(10, shuffle=True, random_state=0).split(protos):
        accs = [np.mean((protos[train] + w * ev[train]).argmax(axis=1) == y[train]) for w in grid]
        w = grid[int(np.argmax(accs))]
        chosen.append(w)
        held[test] = protos[test] + w * ev[test]
    score(f"keyword weight by 10-fold CV (chosen {chosen})", held, y, secondary)


if __name__ == "__main__":
    main()
