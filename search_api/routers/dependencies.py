"""What the routers need: the searcher of the current index, as a FastAPI dependency."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Protocol

from fastapi import Depends, Request

from indexer.records import Meeting, Statement, StatementFilter
from indexer.store import StatementStore
from search_api.results import IndexHealth, SearchPage, SearchRequest


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
