"""The knobs of the related ranking (kept apart so `search_api.ranking` can hold them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from search_api.related.terms import TermSelection

LEXICAL = "bm25"
QUERY_SUFFIX = ":query"
CONTEXT_SUFFIX = ":context"
FEEDBACK_SUFFIX = ":feedback"


def default_related_weights() -> dict[str, float]:
    """Channel weights of the related ranking (see docs/evaluation.md for how they were chosen).

    As in search, e5 leads and USE adds; more-like-this BM25 counts twice as much as in search
    (0.6 against 0.3), because a remark's distinctive words are far more telling than a short
    question's.  The query side (``e5:query``) did not help and has no weight.
    """
    return {"e5": 1.0, "use": 0.4, "bm25": 0.6}


def default_term_selection() -> TermSelection:
    """50 terms, each in at most 5 % of the passages (measured: docs/evaluation.md)."""
    return TermSelection(max_terms=50, min_doc_freq=2, max_doc_share=0.05)


@dataclass(frozen=True, slots=True)
class RelatedConfig:
    """Everything that decides the order of related results."""

    weights: Mapping[str, float] = field(default_factory=default_related_weights)
    """Weight per channel name (``e5``, ``use``, ``bm25``, ``e5:query``, ``e5:context``...)."""
    aggregate: str = "blend"
    """How a statement's per-source-passage scores combine: ``max``, ``mean`` or ``blend``."""
    fusion: str = "convex"
    """``convex`` (min-max normalised scores, weighted) or ``rrf`` (reciprocal ranks)."""
    terms: TermSelection = field(default_factory=default_term_selection)
    context_weight: float = 0.0
    """Weight of the neighbouring remarks' channels (0: meeting structure not used)."""
    feedback: int = 3
    """Pseudo-relevance feedback: the best passages of this many first results are searched
    again (0: off)."""
    feedback_weight: float = 0.5
    """Weight of the feedback channels, relative to their base channel's weight."""
    per_meeting: int | None = None
    """At most this many results of one meeting before the others (None: no cap)."""
    long_speech_penalty: float = 0.0
    """Subtracted times ln(passages) from dense scores; 0 here, unlike search: a related remark
    is often one passage of a long speech, so length is no sign of a lucky match."""
    hub_neighbours: int = 10
    """Hubness correction (CSLS, `search_api.related.hubness`): a pair's cosine less the mean
    similarity of each side to its this many nearest passages, halved (0: off)."""
    max_source_passages: int = 16
    depth: int = 1000
    """Passages taken from each channel per source passage (fixed, so paging is stable)."""
