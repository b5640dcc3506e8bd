"""``/meetings``: what the index holds, and one meeting's statements in order."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from search_api.presentation import http_view, meeting_detail_to_dict, meeting_to_dict
from search_api.routers.dependencies import SearcherDep
from search_api.schemas import TEXT_MODE_DESCRIPTION, MeetingDetail, MeetingList, TextMode

router = APIRouter(prefix="/meetings", tags=["meetings"])


@router.get("", response_model=MeetingList, summary="Every meeting")
def list_meetings(searcher: SearcherDep) -> Any:
    """Every meeting in the index with its number of statements."""
    view = http_view(full_text=False)
    items = [meeting_to_dict(meeting, count, view) for meeting, count in searcher.meetings()]
    return {"total": len(items), "meetings": items}


@router.get("/{meeting_id}", response_model=MeetingDetail, summary="One meeting")
def get_meeting(
    meeting_id: Annotated[str, Path(min_length=1, max_length=200)],
    searcher: SearcherDep,
    text: Annotated[TextMode, Query(description=TEXT_MODE_DESCRIPTION)] = "head",
) -> Any:
    """The meeting and its statements in order (heads of texts unless ``text=full``); 404
    when the id is unknown."""
    meeting, statements = searcher.meeting(meeting_id)
    return meeting_detail_to_dict(meeting, statements, http_view(text == "full"))
