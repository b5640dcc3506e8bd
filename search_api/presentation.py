"""Records and results as plain JSON-ready dicts, shared by the HTTP API and the CLI.

One place decides the shape of a statement, a hit, a meeting and a page, so ``policy-search
search --json`` prints exactly what ``GET /search`` returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from indexer.records import Meeting, Statement, ThemeTag
from search_api.facets import FacetValue
from search_api.results import IndexHealth, SearchHit, SearchPage

JsonDict = dict[str, Any]


def meeting_ref(meeting: Meeting) -> JsonDict:
    """The short form of a meeting embedded in every statement."""
    return {
        "id": meeting.meeting_id,
        "title": meeting.title,
        "date": meeting.date.isoformat() if meeting.date else None,
        "body": meeting.body,
        "url": meeting.url,
    }


def meeting_to_dict(meeting: Meeting, statement_count: int | None = None) -> JsonDict:
    """A meeting as listed by ``/meetings``."""
    return {
        **meeting_ref(meeting),
        "language": meeting.language,
        "house": meeting.house,
        "committee": meeting.committee,
        "session": meeting.session,
        "issue": meeting.issue,
        "topics": list(meeting.topics),
        "source_file": meeting.source_file,
        "statement_count": statement_count,
    }


def statement_to_dict(statement: Statement, meeting: Meeting) -> JsonDict:
    """A statement with its speaker, meeting and source."""
    return {
        "statement_id": statement.statement_id,
        "text": statement.text,
        "position": statement.position,
        "language": statement.language,
        "procedural": statement.procedural,
        "speaker": {
            "name": statement.speaker_name,
            "role": statement.speaker_role,
            "group": statement.speaker_group,
        },
        "topic": statement.topic,
        "meeting": meeting_ref(meeting),
        "source": {
            "file": statement.source_file,
            "line": statement.source_line,
            "url": statement.url,
        },
        "themes": [theme_tag_to_dict(tag) for tag in statement.themes],
    }


def theme_tag_to_dict(tag: ThemeTag) -> JsonDict:
    """One assigned theme of a statement: ``cap:8`` Energy with its confidence."""
    return {
        "id": tag.key,
        "set": tag.set_id,
        "theme": tag.theme_id,
        "name": tag.name,
        "name_ja": tag.name_ja,
        "score": round(float(tag.score), 4),
        "rank": tag.rank,
    }


def facets_to_dict(facets: Mapping[str, Sequence[FacetValue]]) -> JsonDict:
    """Facet counts as ``{"body": [{"value": ..., "count": ...}, ...], ...}``."""
    return {
        name: [
            {"value": v.value, "count": v.count, **({"label": v.label} if v.label else {})}
            for v in values
        ]
        for name, values in facets.items()
    }


def hit_to_dict(hit: SearchHit) -> JsonDict:
    """One ranked statement: the statement's fields plus score, rank and highlight."""
    return {
        **statement_to_dict(hit.statement, hit.meeting),
        "score": round(float(hit.score), 6),
        "rank": hit.rank,
        "highlight": {"passage": hit.highlight.passage, "terms": list(hit.highlight.terms)},
    }


def page_to_dict(page: SearchPage) -> JsonDict:
    """One page of results as ``GET /search`` returns it."""
    return {
        "query": page.query,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "results": [hit_to_dict(hit) for hit in page.hits],
        "facets": None if page.facets is None else facets_to_dict(page.facets),
    }


def meeting_detail_to_dict(meeting: Meeting, statements: Iterable[Statement]) -> JsonDict:
    """A meeting with its statements in order."""
    items = [statement_to_dict(statement, meeting) for statement in statements]
    return {**meeting_to_dict(meeting, len(items)), "statements": items}


def health_to_dict(health: IndexHealth, now: dt.datetime | None = None) -> JsonDict:
    """What ``/health`` reports; the index's age counts from its last update."""
    now = now or dt.datetime.now(dt.UTC)
    changed = health.updated_at or health.built_at
    age = None
    if changed is not None:
        if changed.tzinfo is None:
            changed = changed.replace(tzinfo=dt.UTC)
        age = round(max(0.0, (now - changed).total_seconds()), 3)
    return {
        "status": "ok",
        "model": {"id": health.model_id, "fingerprint": health.model_fingerprint},
        "channels": [
            {
                "name": c.name,
                "model_id": c.model_id,
                "fingerprint": c.fingerprint,
                "dimension": c.dimension,
            }
            for c in health.channels
        ],
        "counts": {
            "meetings": health.meetings,
            "statements": health.statements,
            "passages": health.passages,
        },
        "index": {
            "built_at": health.built_at.isoformat() if health.built_at else None,
            "updated_at": health.updated_at.isoformat() if health.updated_at else None,
            "age_seconds": age,
        },
    }
