"""``/related``: remarks on the same issue as any text (POST a paragraph, get reasons)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from search_api.presentation import http_view
from search_api.related.api import RelatedResponse, RelatedTextParams, related_page_to_dict
from search_api.routers.dependencies import SearcherDep, SearchPoolDep, json_body

router = APIRouter(prefix="/related", tags=["related"])


@router.post("", response_model=RelatedResponse, summary="Remarks related to a text")
async def related_to_text(
    params: RelatedTextParams, searcher: SearcherDep, pool: SearchPoolDep
) -> Any:
    """Statements on the same issue as the text ``q``, each with its reason; filters as search.

    Runs on the bounded search pool, like ``/search`` (503 when busy, 504 past the time limit).
    """

    def work() -> Any:
        page = searcher.related_text(
            params.q, limit=params.limit, offset=params.offset, filters=params.to_filter()
        )
        view = http_view(params.text == "full")
        return json_body(RelatedResponse, related_page_to_dict(page, view))

    return await pool.run(work)
