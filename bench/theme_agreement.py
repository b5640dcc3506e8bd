"""Theme agreement as a ranking feature for related remarks and search (prints figures).

    python bench/theme_agreement.py INDEX_DIR [--related CASES] [--questions QUESTIONS]

INDEX_DIR: the eval index (seed/ + kokkai/meetings/ + minutes/, CAP themes tagged); it is only
read.  For each source (a related-dev case's statement, or a dev question) the default ranking's
first ``DEPTH`` results are re-scored as ``score / best score + w * agreement`` and the first 10
are scored with the eval metrics.  Agreement between the source's and a candidate's CAP themes:

- ``cos``: cosine of their theme-confidence vectors (the 3 stored candidates per statement);
- ``primary``: 1 when both have the same primary (rank-1) theme;
- ``assigned`` (related only): 1 when they share an assigned theme.

A question is tagged zero-shot with the index's stored CAP model from its document-side e5 and
USE vectors plus the keyword priors (all 21 confidences).  Every weight of the grid is one
general parameter; next to the full-set figure the script prints a leave-one-out estimate (the
weight chosen on the other cases) and both split halves (odd/even cases).  Results are figures
for docs/evaluation.md, not a test.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import statistics
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from indexer.themes.storage import theme_sets
from indexer.themes.tagging import confidences, keyword_evidence, theme_logits
from search_api.evaluation import QuestionScores, judge, read_questions, score_question
from search_api.python_api import open_searcher
from search_api.related.cases import locate_sources, read_related_cases, score_case
from search_api.results import SearchRequest
from search_api.searcher import Searcher

ROOT = Path(__file__).resolve().parents[1]
DEPTH = 50
ASSIGNED = 10.0
"""Added to an assigned theme's confidence in `stored_themes` (confidences are <= 1)."""
WEIGHTS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3)
Themes = Mapping[str, float]
Candidate = tuple[str, float, str]
"""(statement id, score, text)."""


def stored_themes(index_dir: Path) -> dict[str, dict[str, float]]:
    """Per statement, the confidences of its stored CAP candidates (assigned ones + ASSIGNED)."""
    db = sqlite3.connect(f"file:{index_dir / 'index.sqlite'}?mode=ro", uri=True)
    out: dict[str, dict[str, float]] = {}
    for sid, theme, score, assigned in db.execute(
        "SELECT statement_id, theme_id, score, assigned FROM statement_themes WHERE set_id = 'cap'"
    ):
        out.setdefault(sid, {})[theme] = score + (ASSIGNED if assigned else 0.0)
    db.close()
    return out


def agreement(kind: str, a: Themes, b: Themes) -> float:
    """How much two theme-confidence vectors agree (0 when either is untagged)."""
    if not a or not b:
        return 0.0
    if kind == "assigned":
        return float(
            bool(
                {k for k, v in a.items() if v >= ASSIGNED}
                & {k for k, v in b.items() if v >= ASSIGNED}
            )
        )
    a = {k: v % ASSIGNED for k, v in a.items()}
    b = {k: v % ASSIGNED for k, v in b.items()}
    if kind == "primary":
        return float(max(a, key=lambda k: a[k]) == max(b, key=lambda k: b[k]))
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm


def rerank(candidates: Sequence[Candidate], source: Themes, themes: Mapping[str, Themes],
           kind: str, weight: float) -> list[str]:  # fmt: skip
    """The first 10 texts after adding ``weight * agreement`` to the normalised scores."""
    if not candidates:
        return []
    top = max(score for _sid, score, _text in candidates) or 1.0
    ordered = sorted(
        candidates,
        key=lambda c: -(c[1] / top + weight * agreement(kind, source, themes.get(c[0], {}))),
    )
    return [text for _sid, _score, text in ordered[:10]]


def question_themes(searcher: Searcher, text: str) -> dict[str, float]:
    """All CAP confidences of a question, tagged like a statement (zero-shot)."""
    _set, model, _method = next(t for t in theme_sets(searcher.store) if t[0].set_id == "cap")
    vectors = {}
    for weights in model.channels:
        v = np.asarray(searcher.embedder(weights.channel).embed_documents([text]), np.float32)
        vectors[weights.channel] = v / np.linalg.norm(v, axis=1, keepdims=True)
    evidence = keyword_evidence([text], model.keywords, model.keyword_weights or None)
    probabilities = confidences(theme_logits(model, vectors, evidence), model.temperature)[0]
    return dict(zip(model.theme_ids, probabilities.tolist(), strict=True))


def primary_share(
    pools: Mapping[str, Sequence[Candidate]],
    sources: Mapping[str, Themes],
    gains: Mapping[str, Sequence[int]],
    themes: Mapping[str, Themes],
) -> str:
    """How often relevant and other candidates have the source's primary theme."""
    same = {True: [0, 0], False: [0, 0]}
    for key, pool in pools.items():
        for (sid, _score, _text), gain in zip(pool, gains[key], strict=True):
            hit = same[gain > 0]
            hit[0] += int(agreement("primary", sources[key], themes.get(sid, {})) > 0)
            hit[1] += 1
    return (
        f"same primary theme as the source: relevant {same[True][0]}/{same[True][1]}, "
        f"other {same[False][0]}/{same[False][1]}"
    )


def cross_validate(per_weight: Mapping[float, Sequence[QuestionScores]]) -> str:
    """Leave-one-out and split-half estimates of choosing the weight on the other cases."""
    weights = list(per_weight)
    n = len(per_weight[weights[0]])

    def mean(w: float, rows: Sequence[int], f: Callable[[QuestionScores], float]) -> float:
        return statistics.mean(f(per_weight[w][i]) for i in rows)

    def pick(rows: Sequence[int]) -> float:  # ties go to the smaller weight
        return max(weights, key=lambda w: (round(mean(w, rows, lambda s: s.ndcg), 9), -w))

    loo = [pick([j for j in range(n) if j != i]) for i in range(n)]
    loo_ndcg = statistics.mean(per_weight[w][i].ndcg for i, w in enumerate(loo))
    loo_recall = statistics.mean(per_weight[w][i].recall for i, w in enumerate(loo))
    parts = [f"LOO {loo_ndcg:.3f} / {loo_recall:.3f} (weights {sorted(set(loo))})"]
    odd, even = list(range(0, n, 2)), list(range(1, n, 2))  # cases 1, 3, ... and 2, 4, ...
    for train, test, name in ((odd, even, "odd->even"), (even, odd, "even->odd")):
        w = pick(train)
        parts.append(
            f"{name} w={w}: {mean(w, test, lambda s: s.ndcg):.3f} "
            f"(w=0: {mean(0.0, test, lambda s: s.ndcg):.3f})"
        )
    return "; ".join(parts)


def report(label: str, kind: str, per_weight: Mapping[float, Sequence[QuestionScores]]) -> None:
    """One line per weight, then the cross-validation line."""
    for w, scores in per_weight.items():
        en = [s.ndcg for s in scores if s.language == "en"]
        print(
            f"{label:8s} {kind:8s} w={w:<5} nDCG {statistics.mean(s.ndcg for s in scores):.3f}"
            f" R@10 {statistics.mean(s.recall for s in scores):.3f}"
            f" MRR {statistics.mean(s.reciprocal_rank for s in scores):.3f}"
            + (f" en {statistics.mean(en):.3f}" if en and label == "search" else "")
        )
    print(f"{label:8s} {kind:8s} {cross_validate(per_weight)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--related", type=Path, default=ROOT / "../shared/eval/related-dev.jsonl")
    parser.add_argument("--questions", type=Path, default=ROOT / "../shared/eval/dev.jsonl")
    args = parser.parse_args()
    themes = stored_themes(args.index)
    searcher = open_searcher(args.index)

    cases = read_related_cases(args.related)
    sources = locate_sources(cases, searcher.iter_statements())
    pools = {}
    for case in cases:
        page = searcher.related(sources[case.rid].statement_id, limit=DEPTH)
        pools[case.rid] = [(h.statement.statement_id, h.score, h.statement.text) for h in page.hits]
    source_themes = {c.rid: themes.get(sources[c.rid].statement_id, {}) for c in cases}
    gains = {c.rid: judge([t for _s, _v, t in pools[c.rid]], c.related) for c in cases}
    print(f"related  top {DEPTH}: {primary_share(pools, source_themes, gains, themes)}")
    for kind in ("cos", "primary", "assigned"):
        per_weight = {
            w: [
                score_case(
                    c,
                    sources[c.rid].language,
                    rerank(
                        pools[c.rid], themes.get(sources[c.rid].statement_id, {}), themes, kind, w
                    ),
                )
                for c in cases
            ]
            for w in WEIGHTS
        }
        report("related", kind, per_weight)

    questions = read_questions(args.questions)
    hits = {}
    tags = {}
    for q in questions:
        page = searcher.search(SearchRequest(q.query, limit=DEPTH))
        hits[q.qid] = [(h.statement.statement_id, h.score, h.statement.text) for h in page.hits]
        tags[q.qid] = question_themes(searcher, q.query)
    gains = {q.qid: judge([t for _s, _v, t in hits[q.qid]], q.relevant) for q in questions}
    print(f"search   top {DEPTH}: {primary_share(hits, tags, gains, themes)}")
    for kind in ("cos", "primary"):
        per_weight = {
            w: [
                score_question(q, rerank(hits[q.qid], tags[q.qid], themes, kind, w))
                for q in questions
            ]
            for w in WEIGHTS
        }
        report("search", kind, per_weight)


if __name__ == "__main__":
    main()
