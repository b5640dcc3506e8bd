"""Theme pages as JSON-ready dicts, shared by the HTTP API (``/themes``) and the CLI.

Each function reads the index's store through ``indexer.themes.queries`` and shapes one
response; the routers and the ``themes``/``theme`` commands only call these, so both agree
field for field.
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.records import StatementFilter
from indexer.store import StatementStore
from indexer.themes import queries
from indexer.themes.storage import model_summary, theme_sets
from indexer.themes.taxonomy import Theme, ThemeSet
from search_api.presentation import FULL, JsonDict, View, statement_to_dict

REPRESENTATIVE = 5
TOP_SPEAKERS = 10
DEFAULT_SCOPE = StatementFilter()


def theme_summary(theme_set: ThemeSet, theme: Theme) -> JsonDict:
    """A theme's ids and names."""
    return {
        "id": f"{theme_set.set_id}:{theme.theme_id}",
        "set": theme_set.set_id,
        "theme": theme.theme_id,
        "name": theme.name,
        "name_ja": theme.name_ja,
    }


def themes_overview(store: StatementStore, where: StatementFilter = DEFAULT_SCOPE) -> JsonDict:
    """Every theme set with its themes and their statement counts (``GET /themes``)."""
    counts = queries.theme_counts(store, where)
    sets = []
    for theme_set, model, _digest in theme_sets(store):
        themes = [
            {
                **theme_summary(theme_set, t),
                "count": counts.get(f"{theme_set.set_id}:{t.theme_id}", 0),
            }
            for t in theme_set.themes
        ]
        sets.append(
            {
                "id": theme_set.set_id,
                "name": theme_set.name,
                "name_ja": theme_set.name_ja,
                "description": theme_set.description,
                "source": theme_set.source,
                "model": model_summary(model),
                "none_mixed": queries.untagged_count(store, theme_set.set_id, where),
                "themes": themes,
            }
        )
    return {"sets": sets}


def theme_detail(
    store: StatementStore,
    token: str,
    where: StatementFilter = DEFAULT_SCOPE,
    view: View = FULL,
) -> JsonDict:
    """One theme: description, counts by body/year/speaker group, top speakers, examples."""
    ref = queries.resolve_theme(store, token)
    theme = ref.theme

    def breakdown(by: str, limit: int = 20) -> list[JsonDict]:
        rows = queries.theme_breakdown(store, ref, by, where, limit)
        return [{"value": value, "count": count} for value, count in rows]

    _total, top = queries.theme_statements(store, ref, where, "confidence", REPRESENTATIVE, 0)
    return {
        **theme_summary(ref.theme_set, theme),
        "set_name": ref.theme_set.name,
        "description": theme.description,
        "description_ja": theme.description_ja,
        "keywords": list(theme.keywords),
        "count": queries.theme_total(store, ref, where),
        "by_body": breakdown("body"),
        "by_year": breakdown("year", 200),
        "by_speaker_group": breakdown("speaker_group"),
        "top_speakers": breakdown("speaker", TOP_SPEAKERS),
        "representative": _statements(store, top, view),
    }


def theme_timeline(
    store: StatementStore,
    token: str,
    interval: str = "year",
    by: str | None = None,
    where: StatementFilter = DEFAULT_SCOPE,
) -> JsonDict:
    """Counts and share of all statements per period (and group) for one theme."""
    ref = queries.resolve_theme(store, token)
    points = queries.timeline(store, ref, interval, by, where)
    total = queries.theme_total(store, ref, where)
    dated = sum(p.count for p in points)
    return {
        **theme_summary(ref.theme_set, ref.theme),
        "interval": interval,
        "by": by,
        "total": total,
        "undated": total - dated,
        "points": [
            {
                "period": p.period,
                **({"group": p.group} if by else {}),
                "count": p.count,
                "total": p.total,
                "share": round(p.share, 4),
            }
            for p in points
        ],
    }


def theme_statements_page(
    store: StatementStore,
    token: str,
    where: StatementFilter = DEFAULT_SCOPE,
    order: str = "confidence",
    limit: int = 10,
    offset: int = 0,
    view: View = FULL,
) -> JsonDict:
    """One page of the theme's statements, by confidence or date, within the filters."""
    ref = queries.resolve_theme(store, token)
    total, rows = queries.theme_statements(store, ref, where, order, limit, offset)
    return {
        "theme": theme_summary(ref.theme_set, ref.theme),
        "order": order,
        "total": total,
        "limit": limit,
        "offset": offset,
        "results": _statements(store, rows, view),
    }


def _statements(
    store: StatementStore, rows: Sequence[tuple[str, float]], view: View
) -> list[JsonDict]:
    statements = store.get_statements([sid for sid, _score in rows])
    meetings = store.get_meetings(sorted({s.meeting_id for s in statements.values()}))
    out = []
    for sid, score in rows:
        statement = statements[sid]
        item = statement_to_dict(statement, meetings[statement.meeting_id], view)
        out.append({**item, "score": round(score, 4)})
    return out
