"""Request and response models of the HTTP API.

Bounds live here as pydantic ``Field`` constraints so that a bad parameter is refused with 422
before any search runs.  Responses are built from the dicts of ``search_api.presentation`` so the
API and the CLI's ``--json`` output agree field for field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from indexer.records import StatementFilter
from search_api.results import SearchMode, SearchRequest

MAX_QUERY_CHARS = 2000
MAX_LIMIT = 100
MAX_OFFSET = 10_000

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Results per page (1-100).")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Results to skip (0-10000).")]
OptionalText = Annotated[str | None, Field(min_length=1, max_length=200)]


class FilterParams(BaseModel):
    """Restrictions applied inside the search (not a post-filter of a top-k list)."""

    model_config = ConfigDict(extra="forbid")

    meeting_id: OptionalText = Field(default=None, description="Only this meeting.")
    body: OptionalText = Field(
        default=None, description="Meeting body contains this (house, committee, council)."
    )
    date_from: dt.date | None = Field(default=None, description="On or after (ISO date).")
    date_to: dt.date | None = Field(default=None, description="On or before (ISO date).")
    speaker: OptionalText = Field(default=None, description="Speaker name contains this.")
    topic: OptionalText = Field(default=None, description="Topic contains this.")
    language: str | None = Field(
        default=None, pattern=r"^[a-z]{2}$", description="Statement language, e.g. ja or en."
    )
    include_procedural: bool = Field(
        default=False, description="Also return procedural remarks (chair calling speakers)."
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from must not be after date_to")
        return self

    def to_filter(self) -> StatementFilter:
        """The searcher's filter for these parameters."""
        return StatementFilter(
            meeting_id=self.meeting_id,
            body=self.body,
            date_from=self.date_from,
            date_to=self.date_to,
            speaker=self.speaker,
            topic=self.topic,
            language=self.language,
            include_procedural=self.include_procedural,
        )


class SearchParams(FilterParams):
    """A question with paging, ranking mode and filters (query string of GET, body of POST)."""

    q: str = Field(
        min_length=1, max_length=MAX_QUERY_CHARS, description="The question (1-2000 characters)."
    )
    limit: Limit = 10
    offset: Offset = 0
    mode: SearchMode = Field(default=SearchMode.HYBRID, description="hybrid, semantic or lexical.")

    @field_validator("q")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question must not be blank")
        return value

    def to_request(self) -> SearchRequest:
        """The searcher's request for these parameters."""
        return SearchRequest(
            query=self.q,
            limit=self.limit,
            offset=self.offset,
            mode=self.mode,
            filters=self.to_filter(),
        )


class RelatedParams(FilterParams):
    """Paging and filters for the statements related to one statement."""

    limit: Limit = 10
    offset: Offset = 0
    exclude_same_meeting: bool = Field(
        default=True, description="Leave out the statement's own meeting."
    )
    passage: int | None = Field(
        default=None,
        ge=0,
        le=MAX_OFFSET,
        description="Only this passage of the statement (0-based).",
    )
    char_start: int | None = Field(
        default=None, ge=0, description="Only the statement's text from this character on."
    )
    char_end: int | None = Field(
        default=None, ge=1, description="Only the statement's text up to this character."
    )

    @model_validator(mode="after")
    def _one_selection(self) -> Self:
        ranged = self.char_start is not None or self.char_end is not None
        if self.passage is not None and ranged:
            raise ValueError("give either passage or a character range, not both")
        start, end = self.char_start, self.char_end
        if start is not None and end is not None and start >= end:
            raise ValueError("char_start must be before char_end")
        return self


class SpeakerOut(BaseModel):
    """Who spoke."""

    name: str | None
    role: str | None
    group: str | None


class MeetingRef(BaseModel):
    """The meeting a statement belongs to."""

    id: str
    title: str
    date: dt.date | None
    body: str
    url: str | None


class SourceOut(BaseModel):
    """Where the statement comes from."""

    file: str
    line: int | None
    url: str | None


class HighlightOut(BaseModel):
    """The passage that matched and the question's terms found in it."""

    passage: str
    terms: list[str]


class StatementOut(BaseModel):
    """One statement with its speaker, meeting and source."""

    statement_id: str
    text: str
    position: int
    language: str
    procedural: bool
    speaker: SpeakerOut
    topic: str | None
    meeting: MeetingRef
    source: SourceOut


class HitOut(StatementOut):
    """One ranked statement."""

    score: float
    rank: int
    highlight: HighlightOut


class SearchResponse(BaseModel):
    """One page of ranked statements; ``total`` counts every statement that matched."""

    query: str
    total: int
    limit: int
    offset: int
    results: list[HitOut]


class MeetingOut(MeetingRef):
    """A meeting as listed by ``/meetings``."""

    language: str
    house: str | None
    committee: str | None
    session: int | None
    issue: str | None
    topics: list[str]
    source_file: str
    statement_count: int | None = None


class MeetingDetail(MeetingOut):
    """A meeting with its statements in order."""

    statements: list[StatementOut]


class MeetingList(BaseModel):
    """Every meeting in the index, newest first."""

    total: int
    meetings: list[MeetingOut]


class ModelOut(BaseModel):
    """The embedding model the index was built with."""

    id: str
    fingerprint: str


class ChannelOut(BaseModel):
    """One embedding channel of the index: its name and the model that fills it."""

    name: str
    model_id: str
    fingerprint: str
    dimension: int


class CountsOut(BaseModel):
    """How much the index holds."""

    meetings: int
    statements: int
    passages: int


class IndexOut(BaseModel):
    """When the index was built and last changed."""

    built_at: dt.datetime | None
    updated_at: dt.datetime | None
    age_seconds: float | None


class HealthOut(BaseModel):
    """What ``/health`` reports."""

    status: str
    model: ModelOut
    channels: list[ChannelOut]
    counts: CountsOut
    index: IndexOut


class ErrorOut(BaseModel):
    """Every error response: a stable code and a human-readable message."""

    error: str
    detail: str


def describe_validation(errors: Any) -> str:
    """Pydantic's error list as one readable line: ``query.q: String should have ...``."""
    parts = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        parts.append(f"{location}: {error.get('msg', 'invalid')}" if location else error["msg"])
    return "; ".join(parts) or "invalid request"
