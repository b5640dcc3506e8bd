"""The knobs of the related ranking (kept apart so `search_api.ranking` can hold them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from search_api.related.terms import TermSelection

LEXICAL = "bm25"
QUERY_SUFFIX = ":query"
CONTEXT_SUFFIX = ":context"


def default_related_weights() -> dict[str, float]:
    """Channel weights of the related ranking (see docs/evaluation.md for how they were chosen)."""
    return {"e5": 1.0, "use": 0.4, "bm25": 0.3}


@dataclass(frozen=True, slots=True)
class RelatedConfig:
    """Everything that decides the order of related results."""

    weights: Mapping[str, float] = field(default_factory=default_related_weights)
    """Weight per channel name (``e5``, ``use``, ``bm25``, ``e5:query``, ``e5:context``...)."""
    aggregate: str = "max"
    """How a statement's per-source-passage scores combine: ``max``, ``mean`` or ``blend``."""
    terms: TermSelection = field(default_factory=TermSelection)
    context_weight: float = 0.0
    """Weight of the neighbouring remarks' channels (0: meeting structure not used)."""
    per_meeting: int | None = None
    """At most this many results of one meeting before the others (None: no cap)."""
    max_source_passages: int = 16
    depth: int = 1000
    """Passages taken from each channel per source passage (fixed, so paging is stable)."""
