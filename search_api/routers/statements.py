"""``/statements``: one statement, and the statements of other meetings on the same issue."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from search_api.presentation import http_view, statement_to_dict
from search_api.related.api import RelatedResponse, related_page_to_dict
from search_api.related.sources import SourceSelection
from search_api.routers.dependencies import SearcherDep, SearchPoolDep, json_body
from search_api.schemas import RelatedQuery, StatementOut

router = APIRouter(prefix="/statements", tags=["statements"])

StatementId = Annotated[str, Path(min_length=1, max_length=200, description="A statement id.")]


@router.get("/{statement_id}", response_model=StatementOut, summary="One statement")
def get_statement(statement_id: StatementId, searcher: SearcherDep) -> Any:
    """The statement with its whole text, speaker, meeting and source; 404 when unknown."""
    statement, meeting = searcher.get_statement(statement_id)
    return statement_to_dict(statement, meeting, http_view(full_text=True))


@router.get("/{statement_id}/related", response_model=RelatedResponse, summary="Related statements")
async def related_statements(
    statement_id: StatementId,
    params: Annotated[RelatedQuery, Query()],
    searcher: SearcherDep,
    pool: SearchPoolDep,
) -> Any:
    """Statements on the same issue, by default from other meetings, each with its reason.

    ``passage`` or ``char_start``/``char_end`` narrow the source to part of a long speech.
    """

    def work() -> Any:
        page = searcher.related(
            statement_id,
            limit=params.limit,
            offset=params.offset,
            filters=params.to_filter(),
            exclude_same_meeting=params.exclude_same_meeting,
            selection=SourceSelection(params.passage, params.char_start, params.char_end),
        )
        return json_body(
            RelatedResponse, related_page_to_dict(page, http_view(params.text == "full"))
        )

    return await pool.run(work)
