"""``/related``: remarks on the same issue as any text (POST a paragraph, get reasons)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from search_api.presentation import http_view
from search_api.related.api import RelatedResponse, RelatedTextParams, related_page_to_dict
from search_api.routers.dependencies import SearcherDep

router = APIRouter(prefix="/related", tags=["related"])


@router.post("", response_model=RelatedResponse, summary="Remarks related to a text")
def related_to_text(params: RelatedTextParams, searcher: SearcherDep) -> Any:
    """Statements on the same issue as the text ``q``, each with its reason; filters as search."""
    page = searcher.related_text(
        params.q, limit=params.limit, offset=params.offset, filters=params.to_filter()
    )
    return related_page_to_dict(page, http_view(params.text == "full"))
