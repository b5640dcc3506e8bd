"""``/search``: a question in, ranked statements out (GET with a query string, POST with JSON)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from search_api.presentation import http_view, page_to_dict
from search_api.routers.dependencies import SearcherDep
from search_api.schemas import SearchParams, SearchQuery, SearchResponse

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=SearchResponse, summary="Search statements")
def search_get(params: Annotated[SearchQuery, Query()], searcher: SearcherDep) -> Any:
    """The statements most relevant to ``q``, one page at a time, filters applied inside.

    Each hit carries the passage that matched and the head of the statement's text
    (``text=full`` for whole texts).
    """
    page = searcher.search(params.to_request())
    return page_to_dict(page, http_view(params.text == "full"))


@router.post("", response_model=SearchResponse, summary="Search statements (JSON body)")
def search_post(params: SearchParams, searcher: SearcherDep) -> Any:
    """The same search as ``GET /search`` with the parameters as a JSON object."""
    page = searcher.search(params.to_request())
    return page_to_dict(page, http_view(params.text == "full"))
