"""``/themes``: theme sets, one theme's page, its timeline and its statements."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from fastapi import APIRouter, Path, Query

from search_api import theme_views
from search_api.presentation import http_view
from search_api.routers.dependencies import SearcherDep
from search_api.schemas import (
    FilterParams,
    ThemeDetailOut,
    ThemeListOut,
    ThemeStatementsOut,
    ThemeTimelineOut,
)
from search_api.theme_params import ThemeStatementsParams, TimelineParams

router = APIRouter(prefix="/themes", tags=["themes"])

ThemeId = Annotated[
    str,
    Path(min_length=1, max_length=200, description="`set:theme` (`cap:8`) or a bare theme id."),
]


class ThemeFilterQuery(FilterParams):
    """The search filters, read from a query string."""

    from_query_string: ClassVar[bool] = True


class TimelineQuery(ThemeFilterQuery, TimelineParams):
    """Period length, optional grouping and the usual filters, from a query string."""


class ThemeStatementsQuery(ThemeFilterQuery, ThemeStatementsParams):
    """Paging, order and the usual filters, from a query string."""


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
    theme_id: ThemeId, params: Annotated[TimelineQuery, Query()], searcher: SearcherDep
) -> Any:
    """Statements on the theme per year or month, with their share of all statements."""
    return theme_views.theme_timeline(
        searcher.store, theme_id, params.interval, params.by, params.to_filter()
    )


@router.get(
    "/{theme_id}/statements", response_model=ThemeStatementsOut, summary="A theme's statements"
)
def get_theme_statements(
    theme_id: ThemeId, params: Annotated[ThemeStatementsQuery, Query()], searcher: SearcherDep
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
