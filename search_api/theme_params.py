"""The parameters of the theme pages, shared by the ``/themes`` routes and the Python API.

The HTTP routes read them from a query string (subclasses with ``from_query_string``); the
Python facade takes the same names, defaults and bounds as keyword arguments.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from search_api.schemas import TEXT_MODE_DESCRIPTION, FilterParams, Limit, Offset, TextMode


class TimelineParams(FilterParams):
    """Period length, optional grouping and the usual filters."""

    interval: Literal["year", "month"] = "year"
    by: Literal["body", "house", "speaker_group"] | None = Field(
        default=None, description="Split each period by meeting body, house or speaker group."
    )


class ThemeStatementsParams(FilterParams):
    """Paging, order and the usual filters."""

    limit: Limit = 10
    offset: Offset = 0
    order: Literal["confidence", "date", "date_asc"] = Field(
        default="confidence", description="Best-tagged first, newest first or oldest first."
    )
    text: TextMode = Field(default="head", description=TEXT_MODE_DESCRIPTION)
