"""SQL for the theme filter, shared by the store's search filters and the theme queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def theme_filter_sql(themes: Sequence[str]) -> tuple[str, list[Any]]:
    """A condition over ``s``: the statement is tagged with any of ``themes`` (assigned tags).

    ``set:theme`` names one theme of one set; a bare id matches that theme id in any set.
    """
    parts: list[str] = []
    params: list[Any] = []
    for token in themes:
        set_id, _, theme_id = token.rpartition(":")
        if set_id:
            parts.append("(t.set_id = ? AND t.theme_id = ?)")
            params.extend((set_id, theme_id))
        else:
            parts.append("t.theme_id = ?")
            params.append(theme_id)
    clause = (
        "EXISTS (SELECT 1 FROM statement_themes t WHERE t.statement_id = s.statement_id "
        f"AND t.assigned = 1 AND ({' OR '.join(parts)}))"
    )
    return clause, params
