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
from search_api.facets import check_facets
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
    theme: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list,
        max_length=50,
        description="Tagged with any of these themes: `cap:8`, `8`, a user theme id "
        "(repeat the parameter or separate with commas).",
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
            themes=split_list(self.theme),
        )


class SearchParams(FilterParams):
    """A question with paging, ranking mode and filters (query string of GET, body of POST)."""

    q: str = Field(
        min_length=1, max_length=MAX_QUERY_CHARS, description="The question (1-2000 characters)."
    )
    limit: Limit = 10
    offset: Offset = 0
    mode: SearchMode = Field(default=SearchMode.HYBRID, description="hybrid, semantic or lexical.")
    facets: str | None = Field(
        default=None,
        max_length=200,
        description="Count the matching statements per theme, body, year, speaker or "
        "speaker_group, e.g. `theme,body,year`.",
    )

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
            facets=check_facets(split_list([self.facets] if self.facets else [])),
        )


class RelatedParams(FilterParams):
    """Paging and filters for the statements related to one statement."""

    limit: Limit = 10
    offset: Offset = 0
    exclude_same_meeting: bool = Field(
        default=True, description="Leave out the statement's own meeting."
    )


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


class ThemeTagOut(BaseModel):
    """An assigned theme of a statement, with its calibrated confidence."""

    id: str = Field(description="`set:theme`, e.g. `cap:8`.")
    set: str
    theme: str
    name: str
    name_ja: str | None
    score: float = Field(description="Calibrated confidence in [0, 1].")
    rank: int = Field(description="1 = the primary theme in its set.")


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
    themes: list[ThemeTagOut] = Field(default_factory=list)


class HitOut(StatementOut):
    """One ranked statement."""

    score: float
    rank: int
    highlight: HighlightOut


class FacetValueOut(BaseModel):
    """One facet value and how many matching statements have it."""

    value: str
    count: int
    label: str | None = None


class SearchResponse(BaseModel):
    """One page of ranked statements; ``total`` counts every statement that matched."""

    query: str
    total: int
    limit: int
    offset: int
    results: list[HitOut]
    facets: dict[str, list[FacetValueOut]] | None = Field(
        default=None, description="Counts over every matching statement (when asked for)."
    )


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


def split_list(values: list[str]) -> tuple[str, ...]:
    """Repeated and comma-separated values as one tuple (``["8,16", "7"]`` -> 8, 16, 7)."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def describe_validation(errors: Any) -> str:
    """Pydantic's error list as one readable line: ``query.q: String should have ...``."""
    parts = []
    for error in errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        parts.append(f"{location}: {error.get('msg', 'invalid')}" if location else error["msg"])
    return "; ".join(parts) or "invalid request"


class ThemeOut(BaseModel):
    """A theme's ids and names, with how many statements it is assigned to."""

    id: str = Field(description="`set:theme`, e.g. `cap:8`.")
    set: str
    theme: str
    name: str
    name_ja: str | None
    count: int | None = None


class ThemeModelOut(BaseModel):
    """How a theme set tags statements."""

    method: str
    channels: list[str]
    temperature: float
    threshold: float
    secondary_threshold: float
    keyword_weight: float


class ThemeSetOut(BaseModel):
    """A theme set; ``none_mixed`` counts statements with no confident theme in it."""

    id: str
    name: str
    name_ja: str | None
    description: str
    source: str
    model: ThemeModelOut
    none_mixed: int
    themes: list[ThemeOut]


class ThemeListOut(BaseModel):
    """Every theme set of the index."""

    sets: list[ThemeSetOut]


class CountOut(BaseModel):
    """A value and its number of statements."""

    value: str
    count: int


class ScoredStatementOut(StatementOut):
    """A statement with its confidence for the theme asked about."""

    score: float


class ThemeDetailOut(ThemeOut):
    """One theme's page."""

    set_name: str
    description: str
    description_ja: str | None
    keywords: list[str]
    by_body: list[CountOut]
    by_year: list[CountOut]
    by_speaker_group: list[CountOut]
    top_speakers: list[CountOut]
    representative: list[ScoredStatementOut]


class TimelinePointOut(BaseModel):
    """One period (and group): the theme's statements and all statements."""

    period: str
    group: str | None = None
    count: int
    total: int
    share: float


class ThemeTimelineOut(ThemeOut):
    """A theme's statements over time; ``undated`` ones are in ``total`` but no period."""

    interval: str
    by: str | None
    total: int
    undated: int
    points: list[TimelinePointOut]


class ThemeStatementsOut(BaseModel):
    """One page of a theme's statements."""

    theme: ThemeOut
    order: str
    total: int
    limit: int
    offset: int
    results: list[ScoredStatementOut]
