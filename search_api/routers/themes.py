"""``/themes``: theme sets, one theme's page, its timeline and its statements."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Path, Query
from pydantic import Field

from search_api import theme_views
from search_api.presentation import http_view
from search_api.routers.dependencies import SearcherDep
from search_api.schemas import (
    TEXT_MODE_DESCRIPTION,
    FilterParams,
    Limit,
    Offset,
    TextMode,
    ThemeDetailOut,
    ThemeListOut,
    ThemeStatementsOut,
    ThemeTimelineOut,
)

router = APIRouter(prefix="/themes", tags=["themes"])

ThemeId = Annotated[
    str,
    Path(min_length=1, max_length=200, description="`set:theme` (`cap:8`) or a bare theme id."),
]


class ThemeFilterQuery(FilterParams):
    """The search filters, read from a query string."""

    from_query_string: ClassVar[bool] = True


class TimelineParams(ThemeFilterQuery):
    """Period length, optional grouping and the usual filters."""

    interval: Literal["year", "month"] = "year"
    by: Literal["body", "house", "speaker_group"] | None = Field(
        default=None, description="Split each period by meeting body, house or speaker group."
    )


class ThemeStatementsParams(ThemeFilterQuery):
    """Paging, order and the usual filters."""

    limit: Limit = 10
    offset: Offset = 0
    order: Literal["confidence", "date", "date_asc"] = Field(
        default="confidence", description="Best-tagged first, newest first or oldest first."
    )
    text: TextMode = Field(default="head", description=TEXT_MODE_DESCRIPTION)


@router.get("", response_model=ThemeListOut, summary="Theme sets and their themes")
def list_themes(params: Annotated[ThemeFilterQuery, Query()], searcher: SearcherDep) -> Any:
    """Every theme set with its themes and how many statements each is assigned to."""
    return theme_views.themes_overview(searcher.store, params.to_filter())


@router.get("/{theme_id}", response_model=ThemeDetailOut, summary="One theme")
def get_theme(
    theme_id: ThemeId, params: Annotated[ThemeFilterQuery, Query()], searcher: SearcherDep
) -> Any:
    """Description, counts by body, year and speaker group, top speakers, best examples."""
    return theme_views.theme_detail(
        searcher.store, theme_id, params.to_filter(), http_view(full_text=False)
    )


@router.get("/{theme_id}/timeline", response_model=ThemeTimelineOut, summary="Theme timeline")
def get_timeline(
    theme_id: ThemeId, params: Annotated[TimelineParams, Query()], searcher: SearcherDep
) -> Any:
    """Statements on the theme per year or month, with their share of all statements."""
    return theme_views.theme_timeline(
        searcher.store, theme_id, params.interval, params.by, params.to_filter()
    )


@router.get(
    "/{theme_id}/statements", response_model=ThemeStatementsOut, summary="A theme's statements"
)
def get_theme_statements(
    theme_id: ThemeId, params: Annotated[ThemeStatementsParams, Query()], searcher: SearcherDep
) -> Any:
    """The theme's statements, paged, by confidence or date, within the filters."""
    return theme_views.theme_statements_page(
        searcher.store,
        theme_id,
        params.to_filter(),
        params.order,
        params.limit,
        params.offset,
        http_view(params.text == "full"),
    )
