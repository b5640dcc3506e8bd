"""The HTML pages: search, one statement, one meeting, and exports of the current results.

Each page makes the same service calls as the JSON API's routers (``searcher.search`` with
``SearchParams.to_request()``, ``searcher.related`` with ``RelatedParams`` defaults, ...) and
renders the very dicts ``search_api.presentation`` gives the API: the HTML is a view of the JSON,
never a second path through search logic.  Errors raised by the searcher reach the app's one
error mapping (``search_api.app``), which renders ``error.html`` for these pages; only a bad
search form is answered here, so the form stays filled in beside the message.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import weakref
from collections.abc import Mapping
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from search_api import theme_views
from search_api.presentation import (
    JsonDict,
    http_view,
    meeting_detail_to_dict,
    meeting_to_dict,
    page_to_dict,
    statement_to_dict,
)
from search_api.related.api import related_page_to_dict
from search_api.related.sources import SourceSelection
from search_api.routers.dependencies import SearcherDep, SearchPoolDep, SearchService
from search_api.schemas import RelatedParams, SearchQuery, describe_validation
from search_api.web import export, views
from search_api.web.labels import LABELS, LANGUAGES, choose_language

router = APIRouter(include_in_schema=False)
PARTIAL_HEADER = "x-partial"
"""Sent by the page's script: answer with the contents of ``<main>`` only."""
RELATED_LIMIT = 5
LIST_VIEW = http_view(full_text=False)
"""Lists show what the API's lists show: heads of texts (results show their passage)."""
FULL_VIEW = http_view(full_text=True)
"""One remark, a meeting read in full and exports carry whole texts (as ``text=full``)."""
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
"""Everything the page uses comes from this server; no inline script can run."""

ItemId = Annotated[str, Path(min_length=1, max_length=200)]

_choices: weakref.WeakKeyDictionary[Any, dict[str, list[str]]] = weakref.WeakKeyDictionary()
_themes: weakref.WeakKeyDictionary[Any, list[JsonDict]] = weakref.WeakKeyDictionary()
FACETS = "theme,body,year"
"""Counted over every match of a page's search and shown beside the results."""


def install_web(app: FastAPI) -> None:
    """Add the pages, their templates and their static files (CSS, script) to ``app``."""
    package = files("search_api.web")
    templates = Jinja2Templates(directory=str(package / "templates"))
    templates.env.globals.update(
        state_query=views.state_query,
        hit_link=views.hit_link,
        statement_path=views.statement_path,
        meeting_path=views.meeting_path,
        record_url=views.record_url,
        mark_words=views.mark_words,
        who=views.who,
        role=views.role,
        theme_path=views.theme_path,
        theme_name=views.theme_name,
        timeline_query=views.timeline_query,
        facet_filter=views.facet_filter,
    )
    app.state.templates = templates
    app.mount("/ui/static", StaticFiles(directory=str(package / "static")), name="ui-static")
    app.include_router(router)
    from search_api.web.theme_pages import router as theme_router  # it imports this module

    app.include_router(theme_router)


@router.get("/")
def root() -> RedirectResponse:
    """The site's root opens the search page."""
    return RedirectResponse("/ui", status_code=307)


@router.get("/ui", response_class=HTMLResponse)
async def search_page(request: Request, searcher: SearcherDep, pool: SearchPoolDep) -> Response:
    """The search form and, when the URL holds a question, its results.

    Runs on the bounded search pool like ``GET /search`` (503 when busy, 504 past the limit).
    """
    return await pool.run(lambda: _search_page(request, searcher))


def _search_page(request: Request, searcher: SearchService) -> Response:
    fields = views.search_fields(request.query_params)
    page: JsonDict | None = None
    error: JsonDict | None = None
    status = 200
    if "q" in fields:
        try:
            params = SearchQuery.model_validate({**fields, "facets": FACETS})
        except ValidationError as exc:
            error = {"error": "validation_error", "detail": describe_validation(exc.errors())}
            status = 422
        else:
            page = page_to_dict(searcher.search(params.to_request()), LIST_VIEW)
    context = {
        "page": page,
        "error": error,
        "paging": _paging(page) if page else None,
        "choices": filter_choices(searcher),
        "themes": theme_choices(searcher),
        "health": None if "q" in fields else searcher.health(),
        "page_sizes": views.PAGE_SIZES,
    }
    return render(request, "search.html", context, status)


@router.get("/ui/export.{fmt}")
async def export_results(
    request: Request, fmt: str, searcher: SearcherDep, pool: SearchPoolDep
) -> Response:
    """The current page of results as CSV (for spreadsheets) or JSON, with citation fields."""
    return await pool.run(lambda: _export_results(request, fmt, searcher))


def _export_results(request: Request, fmt: str, searcher: SearchService) -> Response:
    if fmt not in ("csv", "json"):
        return render_error(request, 404, "not_found", f"no export format {fmt!r}: csv or json")
    fields = views.search_fields(request.query_params)
    try:
        params = SearchQuery.model_validate(fields)
    except ValidationError as exc:
        return render_error(request, 422, "validation_error", describe_validation(exc.errors()))
    page = page_to_dict(searcher.search(params.to_request()), FULL_VIEW)
    lang = reader_language(request)
    base = str(request.base_url)
    rows = [export.citation_row(hit, base, lang) for hit in page["results"]]
    if fmt == "csv":
        # A byte-order mark, so that spreadsheet programs read the Japanese as UTF-8.
        body = "\ufeff" + export.to_csv(rows)
        return Response(body, media_type="text/csv; charset=utf-8", headers=attachment("csv"))
    document = {
        "query": page["query"],
        "parameters": params.model_dump(mode="json"),
        "total": page["total"],
        "offset": page["offset"],
        "limit": page["limit"],
        "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "results": rows,
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(text, media_type="application/json", headers=attachment("json"))


def attachment(fmt: str) -> dict[str, str]:
    """Headers that make a browser save the export as ``policy-search-DATE.FMT``."""
    name = f"policy-search-{dt.date.today().isoformat()}.{fmt}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@router.get("/ui/statements/{statement_id}", response_class=HTMLResponse)
async def statement_page(
    request: Request, statement_id: ItemId, searcher: SearcherDep, pool: SearchPoolDep
) -> Response:
    """One remark in full (matched passage marked), its neighbours and its related remarks.

    Related remarks are ranked for the marked passage when the page has one (it came from a
    search result), else for the whole remark; on the search pool like the related routes.
    """
    return await pool.run(lambda: _statement_page(request, statement_id, searcher))


def _statement_page(request: Request, statement_id: str, searcher: SearchService) -> Response:
    words = (request.query_params.get("hl") or "").split()
    span = views.parse_span(request.query_params.get("mark"))
    statement, meeting = searcher.get_statement(statement_id)
    item = statement_to_dict(statement, meeting, FULL_VIEW)
    _, in_order = searcher.meeting(statement.meeting_id)
    listed = meeting_detail_to_dict(meeting, in_order, LIST_VIEW)["statements"]
    before, after = views.neighbours(listed, statement_id)
    if span is not None and span[1] > len(statement.text):
        span = None  # a stale link: the remark changed since the search
    defaults = RelatedParams()
    selection = SourceSelection(None, *span) if span else SourceSelection()
    related = related_page_to_dict(
        searcher.related(
            statement_id,
            limit=RELATED_LIMIT,
            offset=0,
            filters=defaults.to_filter(),
            exclude_same_meeting=defaults.exclude_same_meeting,
            selection=selection,
        ),
        LIST_VIEW,
    )
    context = {
        "related_to_passage": span is not None,
        "item": item,
        "marked": views.mark_passage(item["text"], span, words),
        "before": before,
        "after": after,
        "related": related,
    }
    return render(request, "statement.html", context)


@router.get("/ui/meetings", response_class=HTMLResponse)
def meetings_page(request: Request, searcher: SearcherDep) -> Response:
    """Every meeting of the index (as ``GET /meetings`` lists them), newest first."""
    items = [meeting_to_dict(meeting, count, LIST_VIEW) for meeting, count in searcher.meetings()]
    items.sort(key=lambda m: (m["date"] or "", m["id"]), reverse=True)
    return render(request, "meetings.html", {"meetings": items})


@router.get("/ui/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(request: Request, meeting_id: ItemId, searcher: SearcherDep) -> Response:
    """A meeting's remarks in order, under their discussion points."""
    meeting, statements = searcher.meeting(meeting_id)
    detail = meeting_detail_to_dict(meeting, statements, FULL_VIEW)
    context = {"meeting": detail, "sections": views.sections(detail["statements"])}
    return render(request, "meeting.html", context)


def filter_choices(searcher: SearchService) -> dict[str, list[str]]:
    """Bodies and discussion points of the index, suggested in the filter boxes.

    Kept per searcher (a new one is opened after each index update), so a search page costs
    no extra database reads.
    """
    with contextlib.suppress(KeyError, TypeError):
        return _choices[searcher]
    meetings = [meeting_to_dict(meeting, count) for meeting, count in searcher.meetings()]
    found = {
        "bodies": sorted(views.choices(m["body"] for m in meetings)),
        "topics": views.choices(topic for m in meetings for topic in m["topics"]),
    }
    with contextlib.suppress(TypeError):  # not weak-referenceable: computed each time
        _choices[searcher] = found
    return found


def theme_choices(searcher: SearchService) -> list[JsonDict]:
    """Every theme of the index (``GET /themes``), for the theme filter; kept per searcher."""
    with contextlib.suppress(KeyError, TypeError):
        return _themes[searcher]
    overview = theme_views.themes_overview(searcher.store)
    found = [theme for theme_set in overview["sets"] for theme in theme_set["themes"]]
    with contextlib.suppress(TypeError):
        _themes[searcher] = found
    return found


def reader_language(request: Request) -> str:
    """``ja`` or ``en`` for this request (``?lang=``, then ``Accept-Language``)."""
    return choose_language(request.query_params.get("lang"), request.headers.get("accept-language"))


def with_lang(request: Request, lang: str) -> str:
    """This page's URL with the interface language set to ``lang``."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    pairs.append(("lang", lang))
    return f"{request.url.path}?{urlencode(pairs)}"


def _paging(page: JsonDict) -> views.Paging:
    return views.paging(page["total"], page["limit"], page["offset"], len(page["results"]))


def render(
    request: Request, template: str, context: Mapping[str, Any], status: int = 200
) -> Response:
    """A page (or, for the page's script, only its ``<main>``) in the reader's language."""
    lang = reader_language(request)
    explicit = request.query_params.get("lang") in LANGUAGES
    state = dict(views.search_fields(request.query_params))
    if explicit:
        state["lang"] = lang
    full = {
        "lang": lang,
        "L": LABELS[lang],
        "state": state,
        "explicit_lang": lang if explicit else None,
        "switch": {code: with_lang(request, code) for code in LANGUAGES},
        "partial": request.headers.get(PARTIAL_HEADER) == "main",
        **context,
    }
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, template, full, status_code=status)
    response.headers["Vary"] = "Accept-Language, X-Partial"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def render_error(
    request: Request, status: int, code: str, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The API's ``{error, detail}`` as a page (the app's error handlers call this for /ui)."""
    response = render(request, "error.html", {"error": {"error": code, "detail": detail}}, status)
    response.headers.update(headers or {})
    return response
