"""From passage scores to a statement ranking, and the knobs that shape it.

A statement scores by its best passage, with two general corrections measured on the dev set:

* *long speeches*: a speech with many passages has many chances to match by luck, so its best
  score is lowered by ``long_speech_penalty * log(passages)``;
* *cross-lingual matches*: encoders score same-language pairs higher than equally relevant
  cross-language pairs (an English question is pulled to English FOMC paragraphs), so a passage
  in another language than the question gets ``cross_language_offset`` added.

Both are in cosine units for dense channels; for BM25 (``relative``) they are fractions of the
question's best score, since BM25 scores grow with the number of query terms.

Pure numpy; no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from search_api.catalog import LANGUAGES, PassageCatalog
from search_api.fusion import FusionWeights
from search_api.lexical import BM25Parameters
from search_api.related.config import RelatedConfig

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ChannelTuning:
    """Corrections applied to one channel's passage scores before they become a ranking."""

    long_speech_penalty: float = 0.0
    cross_language_offset: float = 0.0
    relative: bool = False
    """Scale both corrections by the best passage score (for BM25)."""


def default_fusion() -> FusionWeights:
    """Convex fusion: e5 leads, USE and BM25 add, with the same weights in both languages.

    Chosen on the dev set (docs/evaluation.md): the optimum is a plateau (nDCG@10 0.63-0.64
    for USE weights 0.3-0.5 and BM25 weights 0.2-0.4), and these are round values inside it.
    English questions are mostly about Japanese remarks: their BM25 channel searches their
    words' dictionary translations too (`search_api.question_translation`), at the Japanese
    questions' weight (without translations, BM25 had no weight for them).
    """
    return FusionWeights(
        {
            "ja": {"e5": 1.0, "use": 0.4, "bm25": 0.3},
            "en": {"e5": 1.0, "use": 0.4, "bm25": 0.3},
        },
        method="convex",
    )


def default_tuning() -> dict[str, ChannelTuning]:
    """e5: a light long-speech penalty and the cross-lingual offset (see module docstring)."""
    return {"e5": ChannelTuning(long_speech_penalty=0.003, cross_language_offset=0.025)}


@dataclass(frozen=True, slots=True)
class RankingConfig:
    """Everything that decides the order of results; defaults chosen on the dev set."""

    fusion: FusionWeights = field(default_factory=default_fusion)
    tuning: Mapping[str, ChannelTuning] = field(default_factory=default_tuning)
    passage_depth: int = 1000
    """Passages taken from each channel per question (fixed, so paging is stable)."""
    bm25: BM25Parameters = field(default_factory=BM25Parameters)
    related: RelatedConfig = field(default_factory=RelatedConfig)
    """How related remarks are ranked (``search_api.related``)."""

    def tuning_of(self, channel: str) -> ChannelTuning:
        """The corrections of one channel (none when not configured)."""
        return self.tuning.get(channel, ChannelTuning())


@dataclass(frozen=True, slots=True)
class StatementRanking:
    """Statements (catalog indexes) best first, their scores and best passage rows."""

    statements: IntArray
    scores: FloatArray
    best_rows: IntArray

    def as_pairs(self) -> list[tuple[int, float]]:
        """``(statement index, score)`` pairs for fusion."""
        return list(zip(self.statements.tolist(), self.scores.tolist(), strict=True))

    @classmethod
    def empty(cls) -> StatementRanking:
        """No results."""
        none = np.zeros(0, dtype=np.int64)
        return cls(none, np.zeros(0, dtype=np.float64), none)


def rank_statements(
    catalog: PassageCatalog,
    rows: IntArray,
    scores: npt.NDArray[np.floating],
    tuning: ChannelTuning,
    question_language: str,
) -> StatementRanking:
    """Aggregate passage scores (by catalog row) into a statement ranking.

    Ties are broken by statement index, i.e. by statement id.
    """
    if rows.size == 0:
        return StatementRanking.empty()
    values = scores.astype(np.float64)
    spread = float(values.max()) if tuning.relative else 1.0
    statements = catalog.passage_statement[rows]
    if tuning.cross_language_offset:
        code = LANGUAGES.index(question_language) if question_language in LANGUAGES else 2
        other = catalog.statement_language[statements] != code
        values = values + tuning.cross_language_offset * spread * other
    order = np.lexsort((rows, -values))
    first = np.unique(statements[order], return_index=True)[1]
    best = order[first]
    unique_statements = statements[best]
    statement_scores = values[best]
    if tuning.long_speech_penalty:
        counts = catalog.passage_counts[unique_statements]
        statement_scores = statement_scores - tuning.long_speech_penalty * spread * np.log(counts)
    final = np.lexsort((unique_statements, -statement_scores))
    return StatementRanking(unique_statements[final], statement_scores[final], rows[best][final])


def allowed_rows_mask(
    catalog: PassageCatalog, allowed_ids: IntArray | None
) -> npt.NDArray[np.bool_]:
    """Boolean mask over catalog rows of the allowed passage ids (all True for None)."""
    if allowed_ids is None:
        return np.ones(catalog.passage_ids.shape[0], dtype=np.bool_)
    mask = np.zeros(catalog.passage_ids.shape[0], dtype=np.bool_)
    rows = catalog.rows_of(allowed_ids)
    valid = rows < catalog.passage_ids.shape[0]
    rows = rows[valid]
    mask[rows[catalog.passage_ids[rows] == allowed_ids[valid]]] = True
    return mask


def top_rows(scores: npt.NDArray[np.floating], mask: npt.NDArray[np.bool_], k: int) -> IntArray:
    """Rows of the ``k`` best positive scores among the masked rows, best first."""
    candidates = np.flatnonzero((scores > 0) & mask)
    if candidates.size > k:
        keep = np.argpartition(-scores[candidates], k - 1)[:k]
        candidates = candidates[keep]
    return candidates[np.lexsort((candidates, -scores[candidates]))].astype(np.int64)
