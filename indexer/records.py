"""Statement records: what the readers produce and the store keeps.

A *statement* is one remark by one person in one meeting, the unit of search results.  A
*passage* is a piece of a statement's text (long remarks are split at sentence boundaries for
embedding); it tells where a statement matched.  These are plain values: no I/O here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting (a Diet committee sitting, a council session, a panel)."""

    meeting_id: str
    title: str
    date: dt.date | None
    body: str
    """Who met: house and committee (``衆議院 内閣委員会``), council or panel name."""
    language: str
    """``ja`` or ``en``: the main language of the minutes."""
    url: str | None = None
    source_file: str = ""
    house: str | None = None
    committee: str | None = None
    session: int | None = None
    issue: str | None = None
    topics: tuple[str, ...] = ()
    """Discussion points in order, including those with no remarks (the seed's 論点②)."""
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ThemeTag:
    """A policy theme a statement is tagged with (``indexer.themes``), as results show it."""

    set_id: str
    theme_id: str
    name: str
    score: float
    """Calibrated confidence in [0, 1]."""
    rank: int
    """1 = the statement's primary theme in this set."""
    name_ja: str | None = None

    @property
    def key(self) -> str:
        """The qualified id ``set:theme`` (``cap:8``), as filters accept it."""
        return f"{self.set_id}:{self.theme_id}"


@dataclass(frozen=True, slots=True)
class Statement:
    """One remark by one person in one meeting."""

    statement_id: str
    """Stable: the same input gives the same id on every rebuild (Diet: the speechID)."""
    meeting_id: str
    position: int
    """Order within the meeting (Diet: the official speechOrder)."""
    text: str
    """The remark as published, speaker label removed; original characters kept for display."""
    language: str
    speaker_name: str | None = None
    speaker_role: str | None = None
    speaker_group: str | None = None
    topic: str | None = None
    procedural: bool = False
    """Chair calling the next speaker, opening/closing formulas: left out of search by default."""
    source_file: str = ""
    source_line: int | None = None
    url: str | None = None
    page: int | None = None
    """Page of the source PDF where the remark starts (1-based), for citations; None for text."""
    themes: tuple[ThemeTag, ...] = field(default=(), compare=False)
    """Assigned themes, filled in when read from an index that has theme sets."""


@dataclass(frozen=True, slots=True)
class ParsedMeeting:
    """A meeting and its statements in order, as one reader produced them from one source."""

    meeting: Meeting
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of a statement's text that is embedded on its own."""

    statement_id: str
    ordinal: int
    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class StatementFilter:
    """Restrictions applied inside the search itself (not a post-filter of a top-k list).

    ``None`` means "no restriction".  ``body`` matches the meeting's body as a substring (so
    ``内閣委員会`` matches ``衆議院 内閣委員会``); ``speaker`` and ``topic`` likewise.
    """

    meeting_id: str | None = None
    body: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    speaker: str | None = None
    topic: str | None = None
    language: str | None = None
    include_procedural: bool = False
    themes: tuple[str, ...] = ()
    """Any of these themes (``cap:8``, or a bare theme id in any set); empty: no restriction."""

    @property
    def is_unrestricted(self) -> bool:
        """True when every statement passes (procedural ones included)."""
        return (
            not self.themes
            and self.meeting_id is None
            and self.body is None
            and self.date_from is None
            and self.date_to is None
            and self.speaker is None
            and self.topic is None
            and self.language is None
            and self.include_procedural
        )
