"""``/search``: a question in, ranked statements out (GET with a query string, POST with JSON)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from search_api.presentation import http_view, page_to_dict
from search_api.routers.dependencies import SearcherDep, SearchPoolDep, json_body
from search_api.schemas import SearchParams, SearchQuery, SearchResponse

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=SearchResponse, summary="Search statements")
async def search_get(
    params: Annotated[SearchQuery, Query()], searcher: SearcherDep, pool: SearchPoolDep
) -> Any:
    """The statements most relevant to ``q``, one page at a time, filters applied inside.

    Each hit carries the passage that matched and the head of the statement's text
    (``text=full`` for whole texts).
    """
    return await pool.run(lambda: _search(searcher, params))


@router.post("", response_model=SearchResponse, summary="Search statements (JSON body)")
async def search_post(params: SearchParams, searcher: SearcherDep, pool: SearchPoolDep) -> Any:
    """The same search as ``GET /search`` with the parameters as a JSON object."""
    return await pool.run(lambda: _search(searcher, params))


def _search(searcher: SearcherDep, params: SearchParams) -> Any:
    """Search and serialise (on a search worker)."""
    page = searcher.search(params.to_request())
    return json_body(SearchResponse, page_to_dict(page, http_view(params.text == "full")))
