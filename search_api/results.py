"""What a search returns: plain dataclasses shared by the searcher, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from indexer.records import Meeting, Statement, StatementFilter
from search_api.facets import FacetValue


class SearchMode(StrEnum):
    """How statements are ranked."""

    HYBRID = "hybrid"
    SEMANTIC = "semantic"
    LEXICAL = "lexical"


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One question with its paging and filters."""

    query: str
    limit: int = 10
    offset: int = 0
    mode: SearchMode = SearchMode.HYBRID
    filters: StatementFilter = field(default_factory=StatementFilter)
    facets: tuple[str, ...] = ()
    """Facets to count over every matching statement (``search_api.facets.FACETS``)."""


@dataclass(frozen=True, slots=True)
class Highlight:
    """Where the statement matched: the best passage and the query terms found in it."""

    passage: str
    terms: tuple[str, ...] = ()
    char_start: int = 0
    char_end: int = 0


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One ranked statement with its meeting."""

    statement: Statement
    meeting: Meeting
    score: float
    """Higher is better."""
    rank: int
    """1-based, across pages."""
    highlight: Highlight
    relevance: float = 0.0
    """``score`` as a figure from 0 to 1 (``search_api.relevance``), for people to read."""


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results; ``total`` counts every statement that matched, not just this page."""

    query: str
    total: int
    hits: tuple[SearchHit, ...]
    limit: int
    offset: int
    facets: Mapping[str, Sequence[FacetValue]] | None = None
    """Counts per facet value over all ``total`` matching statements, when asked for."""
    translations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """An English question's words that BM25 also searched in Japanese: (word, translations)."""


@dataclass(frozen=True, slots=True)
class IndexHealth:
    """What /health reports."""

    model_id: str
    model_fingerprint: str
    meetings: int
    statements: int
    passages: int
    built_at: dt.datetime | None
    updated_at: dt.datetime | None
    channels: tuple[ChannelHealth, ...] = ()
    """Every embedding channel of the index (the primary one is ``model_id`` too)."""
    translation_entries: int = 0
    """English words and phrases of the dictionary English questions are translated with (0:
    none loaded, so English questions search their own words only)."""


@dataclass(frozen=True, slots=True)
class ChannelHealth:
    """One embedding channel of the index and the model that fills it."""

    name: str
    model_id: str
    fingerprint: str
    dimension: int
