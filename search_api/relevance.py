"""Relevance: a result's score as a figure from 0 to 1 that people can read.

Fused scores are sums on each method's own scale (convex fusion of e5 1.0 + USE 0.4 + BM25 0.3
tops out at 1.7 for a Japanese question, 1.4 for an English one; RRF at ``sum(weights) / 61``),
so ``1.4000`` says nothing to an analyst.  Relevance divides the score by the highest score the
ranking could give for that question:

* fused rankings: the sum of the weights of the channels that took part (convex), or that sum
  over ``RRF_K + 1`` (RRF); 1.0 means first in every channel;
* one dense channel alone (``mode=semantic`` over an e5-only index): the cosine similarity;
* BM25 alone (``mode=lexical``): the fraction of the question's best score (BM25 has no upper
  bound), so the first result is always 1.0.

Pure functions; no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from search_api.fusion import RRF_K, FusionWeights


def score_scale(
    channels: Sequence[str],
    weights: FusionWeights,
    language: str,
    best_score: float,
    lexical_channel: str = "bm25",
) -> float:
    """The score that would mean "as relevant as this ranking can say" for one question.

    ``channels`` are those whose rankings were fused (in order), ``best_score`` the first
    result's score (used only for BM25 alone).  Never zero or negative.
    """
    if len(channels) == 1:
        if channels[0] == lexical_channel:
            return best_score if best_score > 0 else 1.0
        return 1.0
    return fused_scale(weights.for_language(language, channels), weights.method)


def fused_scale(weights: Sequence[float], method: str) -> float:
    """The highest fused score of rankings with these ``weights`` (``convex`` or ``rrf``)."""
    total = sum(w for w in weights if w > 0)
    if total <= 0:
        return 1.0
    return total / (RRF_K + 1) if method == "rrf" else total


def relevance(score: float, scale: float) -> float:
    """``score / scale`` held within [0, 1] (corrections can push a cosine a little past 1)."""
    if scale <= 0:
        return 0.0
    return min(1.0, max(0.0, score / scale))
