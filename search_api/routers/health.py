"""``/health``: which model, how much is indexed, how old the index is."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from search_api.presentation import health_to_dict
from search_api.routers.dependencies import SearcherDep
from search_api.schemas import HealthOut

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", response_model=HealthOut, summary="Service and index status")
def get_health(searcher: SearcherDep) -> Any:
    """Model id and fingerprint, counts and index age; 503 when no usable index is open."""
    return health_to_dict(searcher.health())
