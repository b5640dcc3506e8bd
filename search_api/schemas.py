"""Request and response models of the HTTP API.

Bounds live here as pydantic ``Field`` constraints so that a bad parameter is refused with 422
before any search runs.  Responses are built from the dicts of ``search_api.presentation`` so the
API and the CLI's ``--json`` output agree field for field.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from indexer.records import StatementFilter
from search_api.facets import check_facets
from search_api.results import SearchMode, SearchRequest

MAX_QUERY_CHARS = 2000
MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_ERRORS_SHOWN = 10
"""Validation problems listed in one 422 response (the rest are counted)."""
MAX_ERROR_CHARS = 2000

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Results per page (1-100).")]
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description="Results to skip (0-10000).")]
OptionalText = Annotated[str | None, Field(min_length=1, max_length=200)]
TextMode = Literal["head", "full"]
TEXT_MODE_DESCRIPTION = (
    "head (default): each statement's text is cut to its first 200 characters (text_length "
    "and text_truncated say so); full: whole texts. GET /statements/{id} is always full."
)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` (a date object from Python callers too): no timestamps, no times."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise PydanticCustomError(
                "date_value", "no such date: {value}", {"value": value}
            ) from exc
    raise PydanticCustomError("iso_date", "Input should be an ISO date YYYY-MM-DD, e.g. 2022-01-01")


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def is_blank(text: str) -> bool:
    """True when ``text`` has nothing visible: only spaces, controls, format or joiner marks."""
    return all(unicodedata.category(char) in _INVISIBLE for char in text)


class StrictParams(BaseModel):
    """Parameters whose integers and booleans accept only their own types.

    In a JSON body (this class) an integer must be a JSON number without fraction and a boolean
    ``true``/``false``; in a query string (subclasses with ``from_query_string``) an integer is
    plain decimal digits and a boolean is ``true`` or ``false``.  Python callers pass ints and
    bools.  Pydantic's lax mode would take ``true`` as 1 and ``10.0`` as 10.
    """

    model_config = ConfigDict(extra="forbid")
    from_query_string: ClassVar[bool] = False

    @field_validator("*", mode="before")
    @classmethod
    def _strict_scalars(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        annotation = None if field is None else field.annotation
        if annotation is int:
            return _strict_int(value, cls.from_query_string)
        if annotation is bool:
            return _strict_bool(value, cls.from_query_string)
        return value


def _strict_int(value: Any, from_query: bool) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if from_query and isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    form = "plain decimal digits, e.g. 10" if from_query else "a JSON integer, e.g. 10"
    raise PydanticCustomError("int_type", f"Input should be an integer written as {form}")


def _strict_bool(value: Any, from_query: bool) -> Any:
    if isinstance(value, bool):
        return value
    if from_query and value in ("true", "false"):
        return value == "true"
    form = "true or false" if from_query else "a JSON boolean, true or false"
    raise PydanticCustomError("bool_type", f"Input should be {form}")


class FilterParams(StrictParams):
    """Restrictions applied inside the search (not a post-filter of a top-k list).

    ``date_from`` must not be after ``date_to`` (422 otherwise).
    """

    meeting_id: OptionalText = Field(default=None, description="Only this meeting.")
    body: OptionalText = Field(
        default=None, description="Meeting body contains this (house, committee, council)."
    )
    date_from: IsoDate | None = Field(
        default=None,
        description="On or after this meeting date, an ISO date YYYY-MM-DD; not after date_to.",
    )
    date_to: IsoDate | None = Field(
        default=None,
        description="On or before this meeting date, an ISO date YYYY-MM-DD; not before date_from.",
    )
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
    text: TextMode = Field(default="head", description=TEXT_MODE_DESCRIPTION)
    facets: str | None = Field(
        default=None,
        max_length=200,
        description="Count the matching statements per theme, body, year, speaker or "
        "speaker_group, e.g. `theme,body,year`.",
    )

    @field_validator("q")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if is_blank(value):
            raise PydanticCustomError(
                "blank", "the question must not be blank (it has no visible character)"
            )
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
    text: TextMode = Field(default="head", description=TEXT_MODE_DESCRIPTION)
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


class SearchQuery(SearchParams):
    """``SearchParams`` read from a query string (``GET /search``)."""

    from_query_string: ClassVar[bool] = True


class RelatedQuery(RelatedParams):
    """``RelatedParams`` read from a query string."""

    from_query_string: ClassVar[bool] = True


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
    page: int | None = Field(None, description="PDF page the remark starts on (1-based).")
    url: str | None


class HighlightOut(BaseModel):
    """The passage that matched and the question's terms found in it."""

    passage: str
    terms: list[str]
    char_start: int = Field(description="Where the passage starts in the statement's text.")
    char_end: int = Field(description="Where it ends (exclusive).")


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
    """One statement with its speaker, meeting and source.

    In lists ``text`` is the head of the text unless ``text=full`` was asked for;
    ``text_length`` is the whole text's length in characters.
    """

    statement_id: str
    text: str
    text_length: int
    text_truncated: bool
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
    relevance: float = Field(
        ge=0, le=1, description="The score as a figure from 0 to 1 (1: top of every channel)."
    )
    rank: int
    highlight: HighlightOut


class FacetValueOut(BaseModel):
    """One facet value and how many matching statements have it."""

    value: str
    count: int
    label: str | None = None


class QuestionTranslationOut(BaseModel):
    """A word of an English question and the Japanese translations BM25 searched for it."""

    source: str = Field(description="The English word or phrase, as in the dictionary.")
    terms: list[str] = Field(description="Its JMdict translations, best first.")


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
    translations: list[QuestionTranslationOut] = Field(
        default_factory=list,
        description="For an English question: its words that BM25 also searched in Japanese.",
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


class TranslationOut(BaseModel):
    """The dictionary English questions are also searched in Japanese with."""

    dictionary: str
    entries: int = Field(description="English words and phrases (0: none loaded).")


class HealthOut(BaseModel):
    """What ``/health`` reports."""

    status: str
    model: ModelOut
    channels: list[ChannelOut]
    counts: CountsOut
    translation: TranslationOut
    index: IndexOut


class ErrorOut(BaseModel):
    """Every error response: a stable code and a human-readable message."""

    error: str
    detail: str


def split_list(values: list[str]) -> tuple[str, ...]:
    """Repeated and comma-separated values as one tuple (``["8,16", "7"]`` -> 8, 16, 7)."""
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def describe_validation(errors: Any) -> str:
    """Pydantic's error list as one readable line: ``query.q: String should have ...``.

    Every location part is kept (``body.body`` is the ``body`` filter of a JSON body).  At most
    ``MAX_ERRORS_SHOWN`` problems are listed and the line is capped at ``MAX_ERROR_CHARS``, so
    a request with thousands of bad keys gets a short answer.
    """
    errors = list(errors)
    parts = []
    for error in errors[:MAX_ERRORS_SHOWN]:
        location = ".".join(str(part)[:100] for part in error.get("loc", ()))
        message = str(error.get("msg", "invalid"))[:300]
        parts.append(f"{location}: {message}" if location else message)
    text = "; ".join(parts) or "invalid request"
    if len(errors) > MAX_ERRORS_SHOWN:
        text += f"; and {len(errors) - MAX_ERRORS_SHOWN} more problems"
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"


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
