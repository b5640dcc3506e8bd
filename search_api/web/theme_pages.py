"""Theme pages: every theme set, and one theme with its timeline chart, speakers and remarks.

Each page makes the calls the ``/themes`` routers make (``search_api.theme_views`` over the
searcher's store, parameters validated by the same query models) and renders their dicts.  The
timeline chart is drawn in the browser from the very JSON ``GET /themes/{id}/timeline``
returns, embedded in the page as a data block (no second request, nothing from a CDN).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from search_api import theme_views
from search_api.routers.dependencies import SearcherDep
from search_api.routers.themes import ThemeFilterQuery, ThemeStatementsQuery, TimelineQuery
from search_api.schemas import describe_validation
from search_api.web import export
from search_api.web.routes import (
    FULL_VIEW,
    LIST_VIEW,
    attachment,
    reader_language,
    render,
    render_error,
)

router = APIRouter(include_in_schema=False)
ThemeId = Annotated[str, Path(min_length=1, max_length=200)]
TIMELINE_KEYS = ("interval", "by")
EXPORT_LIMIT = 100


@router.get("/ui/themes", response_class=HTMLResponse)
def themes_page(request: Request, searcher: SearcherDep) -> Response:
    """Every theme set with its themes and how many remarks each holds (as ``GET /themes``)."""
    overview = theme_views.themes_overview(searcher.store, ThemeFilterQuery().to_filter())
    return render(request, "themes.html", {"overview": overview})


@router.get("/ui/themes/{theme_id}", response_class=HTMLResponse)
def theme_page(request: Request, theme_id: ThemeId, searcher: SearcherDep) -> Response:
    """A theme: description, timeline chart, breakdowns, top speakers, representative remarks."""
    wanted = {k: request.query_params[k] for k in TIMELINE_KEYS if request.query_params.get(k)}
    try:
        params = TimelineQuery.model_validate(wanted)
    except ValidationError as exc:
        return render_error(request, 422, "validation_error", describe_validation(exc.errors()))
    where = params.to_filter()
    detail = theme_views.theme_detail(searcher.store, theme_id, where, LIST_VIEW)
    timeline = theme_views.theme_timeline(
        searcher.store, theme_id, params.interval, params.by, where
    )
    context = {
        "theme": detail,
        "timeline": timeline,
        "timeline_json": json.dumps(timeline, ensure_ascii=False),
        "interval": params.interval,
        "by": params.by,
    }
    return render(request, "theme.html", context)


@router.get("/ui/themes/{theme_id}/export.{fmt}")
def export_theme(request: Request, theme_id: ThemeId, fmt: str, searcher: SearcherDep) -> Response:
    """A theme's remarks (best-tagged first, up to 100) as CSV or JSON with citation fields."""
    if fmt not in ("csv", "json"):
        return render_error(request, 404, "not_found", f"no export format {fmt!r}: csv or json")
    fields: dict[str, Any] = {"limit": str(EXPORT_LIMIT)}
    fields.update({k: v for k, v in request.query_params.items() if k in ("order", "offset")})
    try:
        params = ThemeStatementsQuery.model_validate(fields)
    except ValidationError as exc:
        return render_error(request, 422, "validation_error", describe_validation(exc.errors()))
    page = theme_views.theme_statements_page(
        searcher.store,
        theme_id,
        params.to_filter(),
        params.order,
        params.limit,
        params.offset,
        FULL_VIEW,
    )
    lang = reader_language(request)
    base = str(request.base_url)
    rows = []
    for rank, item in enumerate(page["results"], start=params.offset + 1):
        row = export.citation_row({**item, "rank": rank}, base, lang)
        row["relevance"] = item.get("score")  # the theme's confidence for this remark
        rows.append(row)
    columns = tuple("confidence" if c == "relevance" else c for c in export.COLUMNS)
    for row in rows:
        row["confidence"] = row.pop("relevance")
    if fmt == "csv":
        body = "\ufeff" + export.to_csv(rows, columns)
        return Response(body, media_type="text/csv; charset=utf-8", headers=attachment("csv"))
    document = {
        "theme": page["theme"],
        "order": page["order"],
        "total": page["total"],
        "offset": page["offset"],
        "limit": page["limit"],
        "results": rows,
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(text, media_type="application/json", headers=attachment("json"))
