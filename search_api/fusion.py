"""Fusion of several rankings into one: pure functions over lists of ``(id, score)``.

Each channel (dense e5, dense USE, BM25) ranks statements on its own scale; fusion combines
them.  Reciprocal rank fusion uses ranks only; convex fusion mixes min-max normalised scores.
Both take a weight per ranking, so a channel that cannot help a question (BM25 for an English
question about Japanese remarks) can be weighted down or out.  Ties are broken by ascending id,
so the output is deterministic whatever the input order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt

from models.errors import ConfigError

K = TypeVar("K", str, int)

Ranking = Sequence[tuple[K, float]]
"""One channel's results, best first: ``(id, score)`` with higher scores better."""

RRF_K = 60
"""The usual RRF damping constant (Cormack et al.): rank 1 scores 1/61."""


def _ordered(parts: Mapping[K, list[float]], limit: int | None) -> list[tuple[K, float]]:
    """Sum each id's contributions exactly (fsum: independent of the order of rankings)."""
    scores = {item: math.fsum(values) for item, values in parts.items()}
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    return ordered if limit is None else ordered[:limit]


def _weights(count: int, weights: Sequence[float] | None) -> Sequence[float]:
    if weights is None:
        return [1.0] * count
    if len(weights) != count:
        raise ValueError(f"{count} rankings but {len(weights)} weights")
    if any(w < 0 for w in weights):
        raise ValueError(f"weights must be >= 0, got {list(weights)}")
    return weights


def reciprocal_rank_fusion(
    rankings: Sequence[Ranking[K]],
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
    limit: int | None = None,
) -> list[tuple[K, float]]:
    """Score each id by the weighted sum of ``1 / (k + rank)`` over the rankings it appears in.

    Scores are bounded by ``sum(weights) / (k + 1)``.  Within one ranking an id counts once
    (at its best rank).
    """
    fused: dict[K, list[float]] = {}
    for ranking, weight in zip(rankings, _weights(len(rankings), weights), strict=True):
        if weight == 0:
            continue
        seen: set[K] = set()
        for rank, (item, _score) in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            fused.setdefault(item, []).append(weight / (k + rank))
    return _ordered(fused, limit)


def min_max_normalise(ranking: Ranking[K]) -> dict[K, float]:
    """Scores mapped to [0, 1] within one ranking (all 1.0 when they are all equal)."""
    if not ranking:
        return {}
    best: dict[K, float] = {}
    for item, score in ranking:
        if item not in best or score > best[item]:
            best[item] = score
    low, high = min(best.values()), max(best.values())
    span = high - low
    return {item: (score - low) / span if span > 0 else 1.0 for item, score in best.items()}


def convex_fusion(
    rankings: Sequence[Ranking[K]],
    weights: Sequence[float] | None = None,
    limit: int | None = None,
) -> list[tuple[K, float]]:
    """Weighted sum of min-max normalised scores; an id missing from a ranking gets 0 there.

    Scores lie in ``[0, sum(weights)]``.  Unlike RRF this keeps how far apart the scores are,
    which matters when one channel is much surer than another.
    """
    fused: dict[K, list[float]] = {}
    for ranking, weight in zip(rankings, _weights(len(rankings), weights), strict=True):
        if weight == 0:
            continue
        for item, score in min_max_normalise(ranking).items():
            fused.setdefault(item, []).append(weight * score)
    return _ordered(fused, limit)


class FusedArrays(Sequence[tuple[int, float]]):
    """A fused ranking held as two arrays (ids, scores), best first, read as ``(id, score)``
    pairs: the searcher fuses ~50k statements per question at pool size, and building that
    many Python tuples cost more than the fusion itself."""

    def __init__(self, ids: npt.NDArray[np.int64], scores: npt.NDArray[np.float64]) -> None:
        self.ids = ids
        self.scores = scores

    def __len__(self) -> int:
        return int(self.ids.size)

    @overload
    def __getitem__(self, index: int) -> tuple[int, float]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, float]]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, float] | list[tuple[int, float]]:
        if isinstance(index, slice):
            return list(zip(self.ids[index].tolist(), self.scores[index].tolist(), strict=True))
        return int(self.ids[index]), float(self.scores[index])

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return iter(zip(self.ids.tolist(), self.scores.tolist(), strict=True))


def convex_fusion_arrays(
    rankings: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]],
    weights: Sequence[float] | None = None,
) -> FusedArrays:
    """``convex_fusion`` over integer ids held in arrays: the same scores (float64 sums of at
    most one term per ranking) and the same order, ties broken by ascending id."""
    ids_parts: list[npt.NDArray[np.int64]] = []
    score_parts: list[npt.NDArray[np.float64]] = []
    for (ids, scores), weight in zip(rankings, _weights(len(rankings), weights), strict=True):
        if weight == 0 or ids.size == 0:
            continue
        order = np.lexsort((-np.asarray(scores, dtype=np.float64), ids))
        unique, first = np.unique(ids[order], return_index=True)
        best = np.asarray(scores, dtype=np.float64)[order][first]
        low, high = float(best.min()), float(best.max())
        span = high - low
        normalised = (best - low) / span if span > 0 else np.ones_like(best)
        ids_parts.append(unique.astype(np.int64))
        score_parts.append(weight * normalised)
    if not ids_parts:
        return FusedArrays(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    every_id, inverse = np.unique(np.concatenate(ids_parts), return_inverse=True)
    totals = np.bincount(inverse, weights=np.concatenate(score_parts), minlength=every_id.size)
    order = np.lexsort((every_id, -totals))
    return FusedArrays(every_id[order], totals[order].astype(np.float64))


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """How much each channel counts, by the question's language (``ja`` / ``en``).

    Channels are named like the index's vector channels (``e5``, ``use``) plus ``bm25``.
    A channel absent from the mapping for a language gets weight 0 for that language.
    """

    by_language: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    method: str = "rrf"
    """``rrf`` or ``convex``."""

    def for_language(self, language: str, channels: Sequence[str]) -> list[float]:
        """Weights for ``channels`` in order, for a question in ``language``."""
        table = self.by_language.get(language) or self.by_language.get("ja") or {}
        return [float(table.get(channel, 0.0)) for channel in channels]


def fuse(
    rankings: Mapping[str, Ranking[K]],
    weights: FusionWeights,
    language: str,
    limit: int | None = None,
) -> list[tuple[K, float]]:
    """Fuse named channel rankings with the weights for the question's ``language``."""
    channels = list(rankings)
    channel_weights = weights.for_language(language, channels)
    lists = [rankings[c] for c in channels]
    if weights.method == "convex":
        return convex_fusion(lists, channel_weights, limit)
    if weights.method == "rrf":
        return reciprocal_rank_fusion(lists, channel_weights, limit=limit)
    raise ConfigError(f"unknown fusion method {weights.method!r}; valid: 'rrf', 'convex'")
