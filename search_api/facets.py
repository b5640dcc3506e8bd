"""Facet counts of a search: how the matching statements split by theme, body, year, speaker.

Counted over every statement the search matched within its filters (``SearchPage.total`` of
them), not only the page shown, with SQL over the index so the counts are exact.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.store import IN_CHUNK, StatementStore
from models.errors import ConfigError, IndexCorruptError

FACET_SQL = {
    "theme": (
        "SELECT t.set_id || ':' || t.theme_id, count(*) FROM statement_themes t "
        "WHERE t.assigned = 1 AND t.statement_id IN ({marks}) GROUP BY 1"
    ),
    "body": (
        "SELECT m.body, count(*) FROM statements s JOIN meetings m ON m.meeting_id = "
        "s.meeting_id WHERE s.statement_id IN ({marks}) GROUP BY 1"
    ),
    "year": (
        "SELECT coalesce(substr(m.date, 1, 4), 'undated'), count(*) FROM statements s JOIN "
        "meetings m ON m.meeting_id = s.meeting_id WHERE s.statement_id IN ({marks}) GROUP BY 1"
    ),
    "speaker": (
        "SELECT coalesce(s.speaker_name, '(unknown)'), count(*) FROM statements s "
        "WHERE s.statement_id IN ({marks}) GROUP BY 1"
    ),
    "speaker_group": (
        "SELECT coalesce(s.speaker_group, '(none)'), count(*) FROM statements s "
        "WHERE s.statement_id IN ({marks}) GROUP BY 1"
    ),
}
FACETS = tuple(FACET_SQL)
DEFAULT_FACET_LIMIT = 20


@dataclass(frozen=True, slots=True)
class FacetValue:
    """One value of a facet and how many matching statements have it."""

    value: str
    count: int
    label: str | None = None
    """A display name (a theme's name) when the value is an id."""


def check_facets(names: Sequence[str]) -> tuple[str, ...]:
    """The facet names, checked; raises ConfigError naming the valid ones."""
    out = []
    for name in names:
        name = name.strip()
        if not name:
            continue
        if name not in FACET_SQL:
            raise ConfigError(f"unknown facet {name!r}; choose from {', '.join(FACETS)}")
        out.append(name)
    return tuple(dict.fromkeys(out))


def count_facets(
    store: StatementStore,
    statement_ids: Sequence[str],
    names: Sequence[str],
    limit: int = DEFAULT_FACET_LIMIT,
) -> dict[str, list[FacetValue]]:
    """Per facet, its values over ``statement_ids`` by count (largest first), at most ``limit``.

    Years are listed in time order instead, since a timeline reads better that way.
    """
    out: dict[str, list[FacetValue]] = {}
    labels = _theme_labels(store) if "theme" in names else {}
    for name in check_facets(names):
        counts: Counter[str] = Counter()
        for start in range(0, len(statement_ids), IN_CHUNK):
            chunk = list(statement_ids[start : start + IN_CHUNK])
            sql = FACET_SQL[name].format(marks=",".join("?" * len(chunk)))
            for value, count in _rows(store, sql, chunk):
                counts[str(value)] += int(count)
        if name == "year":
            items = sorted(counts.items())[-limit:]
        else:
            items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        out[name] = [FacetValue(value, count, labels.get(value)) for value, count in items]
    return out


def _theme_labels(store: StatementStore) -> dict[str, str]:
    try:
        rows = _rows(store, "SELECT set_id || ':' || theme_id, name FROM themes", [])
    except IndexCorruptError:
        return {}
    return {str(key): str(name) for key, name in rows}


def _rows(store: StatementStore, sql: str, params: list[str]) -> list[tuple[str, int]]:
    with store.lock:
        try:
            return store.connection.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"facet query failed: {exc}") from exc
