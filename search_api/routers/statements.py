"""``/statements``: one statement, and the statements of other meetings on the same issue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from search_api.presentation import http_view, page_to_dict, statement_to_dict
from search_api.routers.dependencies import SearcherDep
from search_api.schemas import RelatedQuery, SearchResponse, StatementOut

router = APIRouter(prefix="/statements", tags=["statements"])

StatementId = Annotated[str, Path(min_length=1, max_length=200, description="A statement id.")]


@router.get("/{statement_id}", response_model=StatementOut, summary="One statement")
def get_statement(statement_id: StatementId, searcher: SearcherDep) -> Any:
    """The statement with its whole text, speaker, meeting and source; 404 when unknown."""
    statement, meeting = searcher.get_statement(statement_id)
    return statement_to_dict(statement, meeting, http_view(full_text=True))


@router.get("/{statement_id}/related", response_model=SearchResponse, summary="Related statements")
def related_statements(
    statement_id: StatementId,
    params: Annotated[RelatedQuery, Query()],
    searcher: SearcherDep,
) -> Any:
    """Statements on the same issue, by default from other meetings; same filters as search."""
    page = searcher.related(
        statement_id,
        limit=params.limit,
        offset=params.offset,
        filters=params.to_filter(),
        exclude_same_meeting=params.exclude_same_meeting,
    )
    return page_to_dict(page, http_view(params.text == "full"))
