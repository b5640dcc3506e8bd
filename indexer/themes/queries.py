"""Read-only questions about themes: counts, breakdowns, timelines and a theme's statements.

Every count here is over *assigned* tags and over the statements a ``StatementFilter`` allows
(by default: substantive remarks, procedural ones left out, as in the search), using the same
SQL conditions as the search filters, so a theme page and a filtered search agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from indexer.records import StatementFilter
from indexer.store import StatementStore, statement_filter_sql
from indexer.themes.storage import theme_sets
from indexer.themes.taxonomy import Theme, ThemeSet
from models.errors import ConfigError, IndexCorruptError, ThemeNotFoundError

GROUPS = {
    "body": "m.body",
    "house": "coalesce(m.house, m.body)",
    "speaker_group": "coalesce(s.speaker_group, '')",
    "speaker": "coalesce(s.speaker_name, '')",
    "year": "substr(m.date, 1, 4)",
}
"""What counts can be broken down by (SQL over ``s`` statements and ``m`` meetings)."""
PERIODS = {"year": "substr(m.date, 1, 4)", "month": "substr(m.date, 1, 7)"}
ORDERS = {
    "confidence": "t.score DESC, m.date DESC, s.statement_id",
    "date": "m.date DESC, s.position, s.statement_id",
    "date_asc": "m.date ASC, s.position, s.statement_id",
}
BASE = (
    "FROM statement_themes t JOIN statements s ON s.statement_id = t.statement_id "
    "JOIN meetings m ON m.meeting_id = s.meeting_id"
)


@dataclass(frozen=True, slots=True)
class ThemeRef:
    """A theme resolved to its set."""

    theme_set: ThemeSet
    theme: Theme

    @property
    def key(self) -> str:
        """``set:theme``."""
        return f"{self.theme_set.set_id}:{self.theme.theme_id}"


@dataclass(frozen=True, slots=True)
class TimelinePoint:
    """One period (and group) of a timeline."""

    period: str
    group: str | None
    count: int
    total: int
    """All statements of the period (and group) that the filter allows."""

    @property
    def share(self) -> float:
        """``count / total`` (0 when the period has no statements)."""
        return self.count / self.total if self.total else 0.0


def _all(store: StatementStore, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    import sqlite3

    with store.lock:
        try:
            return store.connection.execute(sql, list(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"index database query failed: {exc}") from exc


def resolve_theme(store: StatementStore, token: str) -> ThemeRef:
    """A theme by ``set:theme`` or by a bare id that exactly one set has; else ThemeNotFound."""
    sets = [s for s, _model, _digest in theme_sets(store)]
    set_id, _, theme_id = token.strip().rpartition(":")
    matches = [
        ThemeRef(s, t)
        for s in sets
        if not set_id or s.set_id == set_id
        for t in s.themes
        if t.theme_id == theme_id
    ]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise ConfigError(
            f"theme id {token!r} is in several theme sets; say which: "
            + ", ".join(m.key for m in matches)
        )
    known = [f"{s.set_id}:{t.theme_id}" for s in sets for t in s.themes]
    hint = ", ".join(known[:30]) + (" ..." if len(known) > 30 else "")
    raise ThemeNotFoundError(f"no theme {token!r}; themes: {hint or 'none loaded'}")


def resolve_themes(store: StatementStore, tokens: Sequence[str]) -> tuple[str, ...]:
    """Qualified keys of these themes (each checked), for ``StatementFilter.themes``.

    Reads only the theme ids (a search with a theme filter calls this every time).
    """
    rows = _all(
        store,
        "SELECT t.set_id, t.theme_id FROM themes t JOIN theme_sets s USING (set_id) "
        "ORDER BY s.position, t.position",
    )
    keys = []
    for token in tokens:
        set_id, _, theme_id = token.strip().rpartition(":")
        found = [f"{a}:{b}" for a, b in rows if b == theme_id and (not set_id or a == set_id)]
        if len(found) != 1:
            resolve_theme(store, token)  # raises the error that names the choices
        keys.append(found[0])
    return tuple(dict.fromkeys(keys))


def _scope(ref: ThemeRef, where: StatementFilter) -> tuple[str, list[Any]]:
    clauses, params = statement_filter_sql(where)
    clauses = ["t.set_id = ?", "t.theme_id = ?", "t.assigned = 1", *clauses]
    return " AND ".join(clauses), [ref.theme_set.set_id, ref.theme.theme_id, *params]


def theme_counts(store: StatementStore, where: StatementFilter) -> dict[str, int]:
    """Statements per assigned theme (``set:theme``) among those ``where`` allows."""
    clauses, params = statement_filter_sql(where)
    sql = f"SELECT t.set_id || ':' || t.theme_id, count(DISTINCT t.statement_id) {BASE} "
    sql += "WHERE t.assigned = 1" + "".join(f" AND {c}" for c in clauses)
    return {key: int(n) for key, n in _all(store, sql + " GROUP BY 1", params)}


def untagged_count(store: StatementStore, set_id: str, where: StatementFilter) -> int:
    """Statements ``where`` allows with no assigned theme in ``set_id`` ("none/mixed")."""
    clauses, params = statement_filter_sql(where)
    sql = (
        "SELECT count(*) FROM statements s JOIN meetings m ON m.meeting_id = s.meeting_id "
        "WHERE NOT EXISTS (SELECT 1 FROM statement_themes t WHERE t.statement_id = "
        "s.statement_id AND t.set_id = ? AND t.assigned = 1)"
    )
    sql += "".join(f" AND {c}" for c in clauses)
    return int(_all(store, sql, [set_id, *params])[0][0])


def theme_total(store: StatementStore, ref: ThemeRef, where: StatementFilter) -> int:
    """Statements tagged with the theme that ``where`` allows."""
    clause, params = _scope(ref, where)
    return int(_all(store, f"SELECT count(*) {BASE} WHERE {clause}", params)[0][0])


def theme_breakdown(
    store: StatementStore, ref: ThemeRef, by: str, where: StatementFilter, limit: int = 20
) -> list[tuple[str, int]]:
    """The theme's statement counts by ``by`` (a ``GROUPS`` key), largest first."""
    column = _group_column(by)
    clause, params = _scope(ref, where)
    order = "1" if by == "year" else "2 DESC, 1"
    rows = _all(
        store,
        f"SELECT {column}, count(*) {BASE} WHERE {clause} GROUP BY 1 ORDER BY {order} LIMIT ?",
        [*params, limit],
    )
    return [(str(key or ""), int(n)) for key, n in rows]


def timeline(
    store: StatementStore,
    ref: ThemeRef,
    interval: str,
    by: str | None,
    where: StatementFilter,
) -> list[TimelinePoint]:
    """Per period (and group): the theme's statements and all statements ``where`` allows.

    Undated meetings are left out (their period is unknown).
    """
    if interval not in PERIODS:
        raise ConfigError(f"interval must be one of {', '.join(PERIODS)}, got {interval!r}")
    period = PERIODS[interval]
    group = _group_column(by) if by else "NULL"
    clause, params = _scope(ref, where)
    counts = {
        (p, g): int(n)
        for p, g, n in _all(
            store,
            f"SELECT {period}, {group}, count(*) {BASE} WHERE {clause} AND m.date IS NOT NULL "
            "GROUP BY 1, 2",
            params,
        )
    }
    clauses, base_params = statement_filter_sql(where)
    sql = (
        f"SELECT {period}, {group}, count(*) FROM statements s JOIN meetings m ON "
        "m.meeting_id = s.meeting_id WHERE m.date IS NOT NULL"
    )
    sql += "".join(f" AND {c}" for c in clauses) + " GROUP BY 1, 2 ORDER BY 1, 2"
    points = []
    for p, g, total in _all(store, sql, base_params):
        count = counts.get((p, g), 0)
        if count or by is None:
            points.append(TimelinePoint(str(p), None if by is None else str(g or ""), count, total))
    return points


def theme_statements(
    store: StatementStore,
    ref: ThemeRef,
    where: StatementFilter,
    order: str,
    limit: int,
    offset: int,
) -> tuple[int, list[tuple[str, float]]]:
    """(total, one page of (statement id, confidence)) of the theme's statements."""
    if order not in ORDERS:
        raise ConfigError(f"order must be one of {', '.join(ORDERS)}, got {order!r}")
    clause, params = _scope(ref, where)
    total = int(_all(store, f"SELECT count(*) {BASE} WHERE {clause}", params)[0][0])
    rows = _all(
        store,
        f"SELECT s.statement_id, t.score {BASE} WHERE {clause} ORDER BY {ORDERS[order]} "
        "LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return total, [(row[0], float(row[1])) for row in rows]


def _group_column(by: str) -> str:
    if by not in GROUPS:
        raise ConfigError(f"cannot group by {by!r}; choose one of {', '.join(GROUPS)}")
    return GROUPS[by]
