"""Dense related scores: every source passage against every indexed passage, then per statement.

FAISS returns, for each source passage (a row of ``xq``), its ``k`` nearest passages.  Each
candidate statement gets, per source passage, the score of its best passage (the floor of that
row, i.e. the ``k``-th score, when none of its passages came back), and these are aggregated:

* ``max``: the best passage pair, so one strongly matching paragraph of a long speech suffices;
* ``mean``: the weighted mean over source passages, i.e. how much of the source it covers;
* ``blend``: the average of the two.

The best pair (source passage, result passage) is kept: it is the reason shown with a result.
Pure numpy; the caller runs FAISS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from models.errors import ConfigError
from search_api.catalog import LANGUAGES, PassageCatalog
from search_api.ranking import ChannelTuning

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
AGGREGATES = ("max", "mean", "blend")


@dataclass(frozen=True, slots=True)
class PairRanking:
    """Statements best first with their score and best pair (source passage, catalog row)."""

    statements: IntArray
    scores: FloatArray
    best_rows: IntArray
    best_sources: IntArray
    pair_scores: FloatArray
    """Score of each best pair (cosine plus the cross-language offset; BM25 for lexical)."""

    def as_pairs(self) -> list[tuple[int, float]]:
        """``(statement index, score)`` pairs for fusion."""
        return list(zip(self.statements.tolist(), self.scores.tolist(), strict=True))

    def pair_of(self, statement: int) -> tuple[int, int, float] | None:
        """``(source passage, catalog row, pair score)`` of a statement's best pair, or None."""
        where = np.flatnonzero(self.statements == statement)
        if not where.size:
            return None
        at = where[0]
        return int(self.best_sources[at]), int(self.best_rows[at]), float(self.pair_scores[at])

    @classmethod
    def from_rows(
        cls, catalog: PassageCatalog, rows: IntArray, scores: npt.NDArray[np.floating]
    ) -> PairRanking:
        """A ranking by best passage from one score per catalog row (lexical channels)."""
        if rows.size == 0:
            return cls.empty()
        statements = catalog.passage_statement[rows]
        order = np.lexsort((rows, -scores))
        first = np.unique(statements[order], return_index=True)[1]
        best = order[first]
        final = np.lexsort((statements[best], -scores[best]))
        chosen = best[final]
        values = scores[chosen].astype(np.float64)
        zeros = np.zeros(chosen.size, dtype=np.int64)
        return cls(statements[chosen], values, rows[chosen], zeros, values)

    @classmethod
    def empty(cls) -> PairRanking:
        """No results."""
        none, nothing = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return cls(none, nothing, none, none, nothing)


def aggregate_pairs(
    catalog: PassageCatalog,
    distances: npt.NDArray[np.float32],
    labels: IntArray,
    weights: FloatArray,
    tuning: ChannelTuning,
    language: str,
    aggregate: str = "max",
    *,
    correction: npt.NDArray[np.floating] | None = None,
) -> PairRanking:
    """Statement ranking from FAISS's ``(D, I)`` of several source passages (rows of D and I).

    ``weights`` (one per source passage) weight the ``mean``; ``tuning`` applies the search's
    cross-language offset and long-speech penalty, in the same cosine units.  ``correction``
    (the shape of D) is subtracted from each pair's score for ranking only, so the pair scores
    kept for the reasons stay cosines (the hubness correction, `search_api.related.hubness`).
    """
    if aggregate not in AGGREGATES:
        raise ConfigError(f"unknown aggregate {aggregate!r}; valid: {', '.join(AGGREGATES)}")
    found = labels >= 0
    if not found.any():
        return PairRanking.empty()
    sources = np.broadcast_to(np.arange(labels.shape[0])[:, None], labels.shape)[found]
    ids = labels[found]
    rows = catalog.rows_of(ids)
    known = (rows < catalog.passage_ids.size) & (
        catalog.passage_ids[np.minimum(rows, catalog.passage_ids.size - 1)] == ids
    )
    sources, rows = sources[known], rows[known]
    shown = distances[found][known].astype(np.float64)
    statements = catalog.passage_statement[rows]
    if tuning.cross_language_offset:
        code = LANGUAGES.index(language) if language in LANGUAGES else 2
        shown = shown + tuning.cross_language_offset * (
            catalog.statement_language[statements] != code
        )
    values = shown if correction is None else shown - correction[found][known]
    candidates, column = np.unique(statements, return_inverse=True)
    floors = np.full(labels.shape[0], np.inf)
    np.minimum.at(floors, sources, values)
    floors[np.isinf(floors)] = values.min()  # a source passage that found nothing
    matrix = np.repeat(floors[:, None], candidates.size, axis=1)
    matrix[sources, column] = -np.inf
    np.maximum.at(matrix, (sources, column), values)
    best_pair = np.lexsort((rows, -values))
    first = np.unique(column[best_pair], return_index=True)[1]
    pair_sources, pair_rows = sources[best_pair][first], rows[best_pair][first]
    pair_values = shown[best_pair][first]
    scores = _aggregate(matrix, weights, aggregate)
    if tuning.long_speech_penalty:
        scores = scores - tuning.long_speech_penalty * np.log(catalog.passage_counts[candidates])
    order = np.lexsort((candidates, -scores))
    return PairRanking(
        candidates[order], scores[order], pair_rows[order], pair_sources[order], pair_values[order]
    )


def _aggregate(matrix: FloatArray, weights: FloatArray, aggregate: str) -> FloatArray:
    best = matrix.max(axis=0)
    if aggregate == "max":
        return best
    total = float(weights.sum()) or 1.0
    mean = (weights[:, None] * matrix).sum(axis=0) / total
    return mean if aggregate == "mean" else (best + mean) / 2.0
