"""What the routers need: the searcher of the current index and the search pool, as dependencies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request, Response
from pydantic import BaseModel

from indexer.records import Meeting, Statement, StatementFilter
from indexer.store import StatementStore
from search_api.related.sources import SourceSelection
from search_api.results import IndexHealth, SearchPage, SearchRequest
from search_api.search_pool import SearchPool


class SearchService(Protocol):
    """The part of ``search_api.searcher.Searcher`` the API and CLI call."""

    def search(self, request: SearchRequest) -> SearchPage: ...

    def related(
        self,
        statement_id: str,
        limit: int,
        offset: int,
        filters: StatementFilter,
        exclude_same_meeting: bool = True,
        selection: SourceSelection | None = None,
    ) -> SearchPage: ...

    def related_text(
        self, text: str, limit: int, offset: int, filters: StatementFilter
    ) -> SearchPage: ...

    def get_statement(self, statement_id: str) -> tuple[Statement, Meeting]: ...

    def meetings(self) -> Sequence[tuple[Meeting, int]]: ...

    def meeting(self, meeting_id: str) -> tuple[Meeting, Sequence[Statement]]: ...

    def health(self) -> IndexHealth: ...

    @property
    def store(self) -> StatementStore: ...


def get_searcher(request: Request) -> SearchService:
    """The searcher of the index as it is now (a completed update is picked up here)."""
    searcher: SearchService = request.app.state.live.current()
    return searcher


SearcherDep = Annotated[SearchService, Depends(get_searcher)]


def get_search_pool(request: Request) -> SearchPool:
    """The pool that runs expensive requests (searches, related) with bounded concurrency."""
    pool: SearchPool = request.app.state.search_pool
    return pool


SearchPoolDep = Annotated[SearchPool, Depends(get_search_pool)]


def json_body(model: type[BaseModel], content: Any) -> Response:
    """``content`` validated by ``model`` and serialised, on the calling thread.

    Pool routes call this inside their work, so a 50 KB page is validated and encoded on a
    search worker instead of on the event loop that also answers ``/health``.
    """
    body = model.model_validate(content).model_dump_json(by_alias=True)
    return Response(content=body, media_type="application/json")
