"""The FastAPI application: ``create_app`` builds it, the lifespan opens model and index once.

Nothing is created at import: ``policy-search serve`` and the tests call ``create_app``.  Errors
are mapped to ``{"error": code, "detail": message}`` in one place (``install_error_handlers``).
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from indexer.manifest import MANIFEST_NAME
from models.errors import (
    ConfigError,
    EmbeddingError,
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    MeetingNotFoundError,
    PolicySearchError,
    StatementNotFoundError,
    ThemeNotFoundError,
)
from search_api.docs_pages import install_docs
from search_api.http_guards import AllowedHostsGuard, BodyLimitGuard, HeadAsGet
from search_api.live import LiveSearcher, Stamp
from search_api.routers import health, meetings, related, search, statements, themes
from search_api.routers.dependencies import SearchService
from search_api.schemas import ErrorOut, describe_validation
from search_api.search_pool import SearchPool, SearchTimeoutError, ServerBusyError
from search_api.settings import Settings
from search_api.web.routes import install_web, render_error

log = logging.getLogger(__name__)

SearcherFactory = Callable[[Settings], SearchService]
"""Opens the index named by the settings; called at startup and again after each index update."""

STATUS_BY_ERROR: dict[type[PolicySearchError], int] = {
    StatementNotFoundError: 404,
    MeetingNotFoundError: 404,
    ThemeNotFoundError: 404,
    ConfigError: 400,
    IndexNotFoundError: 503,
    IndexMismatchError: 503,
    IndexCorruptError: 503,
    EmbeddingError: 503,
    ServerBusyError: 503,
    SearchTimeoutError: 504,
}
RETRY_AFTER_SECONDS = 1
"""What a 503 "server busy" answer tells the client to wait before retrying."""


def create_app(
    settings: Settings | None = None,
    searcher_factory: SearcherFactory | None = None,
    reload_interval: float = 1.0,
) -> FastAPI:
    """Build the API for the index in ``settings`` (from the environment when omitted).

    ``searcher_factory`` defaults to opening the index with the model named in the settings,
    loading the model once per application; tests may pass their own.
    """
    settings = settings or Settings.from_env()
    if searcher_factory is None:
        from search_api.python_api import IndexOpener

        searcher_factory = IndexOpener(preload=True)
    factory = searcher_factory

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        live: LiveSearcher[SearchService] = LiveSearcher(
            open_searcher=lambda: factory(settings),
            read_stamp=lambda: manifest_stamp(settings.index_dir),
            interval=reload_interval,
            close=close_searcher,
        )
        live.start()
        app.state.live = live
        app.state.search_pool = SearchPool(
            settings.search_workers, settings.search_queue, settings.search_timeout
        )
        yield
        app.state.search_pool.close()
        live.close()

    app = FastAPI(
        title="policy-search",
        summary="Semantic search over policy meeting minutes.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(single_valued_query)],
        responses={
            400: {"model": ErrorOut, "description": "Malformed request or Host not allowed."},
            404: {"model": ErrorOut, "description": "Unknown statement or meeting."},
            413: {"model": ErrorOut, "description": "Request body too large."},
            422: {"model": ErrorOut, "description": "A parameter is invalid or out of bounds."},
            503: {"model": ErrorOut, "description": "No usable index, or the server is busy."},
            504: {"model": ErrorOut, "description": "The search exceeded its time limit."},
        },
    )
    app.state.settings = settings
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["*"],
        )
    # Added innermost first: a request meets the host check, then the body limit.
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimitGuard, max_bytes=settings.max_body_bytes)
    if settings.allowed_hosts is not None:
        app.add_middleware(AllowedHostsGuard, allowed=settings.allowed_hosts)
    install_error_handlers(app, settings)
    install_docs(app)
    for router in (
        search.router,
        statements.router,
        related.router,
        meetings.router,
        themes.router,
        health.router,
    ):
        app.include_router(router)
    install_web(app)
    return app


def single_valued_query(request: Request) -> None:
    """Refuse a repeated query parameter (422) instead of silently keeping the last value.

    Parameters documented as arrays in the OpenAPI schema may repeat (``?x=a&x=b``).
    """
    counts = Counter(name for name, _ in request.query_params.multi_items())
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        repeatable = _array_parameters(request)
        repeated = [name for name in repeated if name not in repeatable]
    if repeated:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": f"given {counts[name]} times; give it once",
                    "type": "repeated_parameter",
                }
                for name in repeated
            ]
        )


def _array_parameters(request: Request) -> set[str]:
    """Query parameters of the matched operation whose schema is (or may be) an array."""
    route = request.scope.get("route")
    path = getattr(route, "path_format", None)
    operation = request.app.openapi().get("paths", {}).get(path, {})
    parameters = operation.get(request.method.lower(), {}).get("parameters", [])
    names = set()
    for parameter in parameters:
        schema = parameter.get("schema", {})
        options = [schema, *schema.get("anyOf", [])]
        if parameter.get("in") == "query" and any(o.get("type") == "array" for o in options):
            names.add(parameter["name"])
    return names


def public_detail(message: str, settings: Settings) -> str:
    """An error message without the server's paths: the index directory shown by its name,
    the home directory as ``~``."""
    index_dir = Path(settings.index_dir)
    absolute = str(index_dir.resolve())
    message = message.replace(absolute, index_dir.resolve().name)
    if index_dir.is_absolute():
        message = message.replace(str(index_dir), index_dir.name)
    home = str(Path.home())
    return message.replace(home, "~") if len(home) > 1 else message


def manifest_stamp(index_dir: Path) -> Stamp:
    """Identity of the index's manifest on disk (inode, mtime, size); ``None`` when absent.

    Every completed update replaces the manifest with ``os.replace``, so this changes exactly
    when a new index is complete.  One ``stat`` call: cheap enough to do once a second.
    """
    try:
        info = os.stat(Path(index_dir) / MANIFEST_NAME)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def close_searcher(searcher: SearchService) -> None:
    """Release what a searcher holds open (its SQLite snapshot), when it can be closed."""
    close = getattr(searcher, "close", None)
    if callable(close):
        close()


HTTP_ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
}


def install_error_handlers(app: FastAPI, settings: Settings | None = None) -> None:
    """Map every error to ``{"error": code, "detail": message}`` with its HTTP status.

    Messages go out without server paths (``public_detail``); the log keeps them whole.
    """
    shown = settings or Settings()

    @app.exception_handler(PolicySearchError)
    async def _policy_search_error(request: Request, exc: PolicySearchError) -> Response:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s %s -> %d: %s", request.method, request.url.path, status, exc)
        response = error_for(request, status, exc.code, public_detail(str(exc), shown))
        if isinstance(exc, ServerBusyError):
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return error_response(400, "invalid_json", _json_problem(errors))
        return error_for(request, 422, "validation_error", describe_validation(errors))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = HTTP_ERROR_CODES.get(exc.status_code, f"http_{exc.status_code}")
        headers = dict(exc.headers or {})
        detail = str(exc.detail)
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(app, request.scope))
            detail = f"{request.method} is not allowed here; allowed: {headers['Allow']}"
        if exc.status_code == 400 and detail == "There was an error parsing the body":
            code, detail = "invalid_json", "the body is not valid JSON text (UTF-8, not too deep)"
        return error_for(request, exc.status_code, code, detail, headers)


def error_for(
    request: Request, status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> Response:
    """The error as JSON, or as the web page's error page for a page under ``/ui``."""
    if request.url.path == "/ui" or request.url.path.startswith("/ui/"):
        return render_error(request, status, code, detail, headers)
    return error_response(status, code, detail, headers)


def allowed_methods(app: FastAPI, scope: Any) -> list[str]:
    """Every method some route of ``app`` fully accepts at the request's path (HEAD with GET)."""
    allowed = [
        method
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**scope, "method": method})[0] == Match.FULL
            for route in app.router.routes
        )
    ]
    if "GET" in allowed:
        allowed.insert(1, "HEAD")
    return allowed


def _json_problem(errors: Sequence[Any]) -> str:
    for error in errors:
        if isinstance(error, dict) and error.get("type") == "json_invalid":
            where = error.get("loc", ("body", 0))
            position = where[-1] if len(where) > 1 else "?"
            reason = error.get("ctx", {}).get("error", "invalid JSON")
            return f"the body is not valid JSON: {reason} at character {position}"
    return "the body is not valid JSON"


def status_for(exc: PolicySearchError) -> int:
    """The HTTP status of an error: the nearest class in ``STATUS_BY_ERROR``, else 500."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_response(
    status: int, code: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one JSON shape of every error."""
    return JSONResponse(
        status_code=status, content={"error": code, "detail": detail}, headers=headers
    )
