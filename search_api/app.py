"""The FastAPI application: ``create_app`` builds it, the lifespan opens model and index once.

Nothing is created at import: ``policy-search serve`` and the tests call ``create_app``.  Errors
are mapped to ``{"error": code, "detail": message}`` in one place (``install_error_handlers``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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
from search_api.live import LiveSearcher, Stamp
from search_api.routers import health, meetings, search, statements, themes
from search_api.routers.dependencies import SearchService
from search_api.schemas import ErrorOut, describe_validation
from search_api.settings import Settings

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
}


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
        yield
        live.close()

    app = FastAPI(
        title="policy-search",
        summary="Semantic search over policy meeting minutes.",
        version="0.1.0",
        lifespan=lifespan,
        responses={
            404: {"model": ErrorOut, "description": "Unknown statement or meeting."},
            422: {"model": ErrorOut, "description": "A parameter is out of bounds."},
            503: {"model": ErrorOut, "description": "No usable index."},
        },
    )
    app.state.settings = settings
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["*"],
        )
    install_error_handlers(app)
    for router in (
        search.router,
        statements.router,
        meetings.router,
        themes.router,
        health.router,
    ):
        app.include_router(router)
    return app


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


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to ``{"error": code, "detail": message}`` with its HTTP status."""

    @app.exception_handler(PolicySearchError)
    async def _policy_search_error(request: Request, exc: PolicySearchError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s %s -> %d: %s", request.method, request.url.path, status, exc)
        return error_response(status, exc.code, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "validation_error", describe_validation(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        return error_response(exc.status_code, code, str(exc.detail))


def status_for(exc: PolicySearchError) -> int:
    """The HTTP status of an error: the nearest class in ``STATUS_BY_ERROR``, else 500."""
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_response(status: int, code: str, detail: str) -> JSONResponse:
    """The one JSON shape of every error."""
    return JSONResponse(status_code=status, content={"error": code, "detail": detail})
