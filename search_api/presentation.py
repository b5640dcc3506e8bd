"""Records and results as plain JSON-ready dicts, shared by the HTTP API and the CLI.

One place decides the shape of a statement, a hit, a meeting and a page, so ``policy-search
search --json`` prints what ``GET /search`` returns.  Two choices are made per request through
a ``View``:

- **bounded text**: a list (search hits, related remarks, a meeting's statements, themes)
  carries the head of each statement's text (``TEXT_HEAD_CHARS``) with ``text_length`` and
  ``text_truncated``, so one 10 MB remark cannot make every page 10 MB; ``text=full`` asks for
  whole texts, and ``GET /statements/{id}`` always gives the whole text.  Other lists reuse
  ``bounded_text``.
- **public paths**: over HTTP, source files are shown by file name only (no server paths); the
  CLI on the same machine shows them as stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from indexer.records import Meeting, Statement, ThemeTag
from search_api.facets import FacetValue
from search_api.results import IndexHealth, SearchHit, SearchPage

JsonDict = dict[str, Any]
TEXT_HEAD_CHARS = 200
"""Characters of a statement's text that a list carries by default (the head)."""
MAX_PASSAGE_CHARS = 2000
"""Cap of a hit's matched passage (passages are at most 400 characters by construction)."""


@dataclass(frozen=True, slots=True)
class View:
    """How much of a record to show: whole texts or heads, stored paths or file names."""

    full_text: bool = False
    """False: statement texts in lists are cut to ``TEXT_HEAD_CHARS`` (see ``bounded_text``)."""
    public_paths: bool = False
    """True (HTTP): source files shown by file name only, never a server path."""


FULL = View(full_text=True)
"""Everything as stored: one statement on its own, the Python facade."""


def http_view(full_text: bool) -> View:
    """What the HTTP API shows: file names only, texts bounded unless ``text=full``."""
    return View(full_text=full_text, public_paths=True)


def bounded_text(text: str, full: bool = False, head: int = TEXT_HEAD_CHARS) -> JsonDict:
    """``text`` (whole or its first ``head`` characters), ``text_length``, ``text_truncated``.

    The reusable rule for any list of statements: merge it into the statement's dict.
    """
    cut = not full and len(text) > head
    return {
        "text": text[:head].rstrip() + "…" if cut else text,
        "text_length": len(text),
        "text_truncated": cut,
    }


def shown_path(path: str, view: View) -> str:
    """A stored source path as ``view`` shows it (file name only for public views)."""
    return PurePosixPath(path).name if view.public_paths else path


def meeting_ref(meeting: Meeting) -> JsonDict:
    """The short form of a meeting embedded in every statement."""
    return {
        "id": meeting.meeting_id,
        "title": meeting.title,
        "date": meeting.date.isoformat() if meeting.date else None,
        "body": meeting.body,
        "url": meeting.url,
    }


def meeting_to_dict(
    meeting: Meeting, statement_count: int | None = None, view: View = FULL
) -> JsonDict:
    """A meeting as listed by ``/meetings``."""
    return {
        **meeting_ref(meeting),
        "language": meeting.language,
        "house": meeting.house,
        "committee": meeting.committee,
        "session": meeting.session,
        "issue": meeting.issue,
        "topics": list(meeting.topics),
        "source_file": shown_path(meeting.source_file, view),
        "statement_count": statement_count,
    }


def statement_to_dict(statement: Statement, meeting: Meeting, view: View = FULL) -> JsonDict:
    """A statement with its speaker, meeting and source (text bounded unless ``view.full_text``)."""
    return {
        "statement_id": statement.statement_id,
        **bounded_text(statement.text, view.full_text),
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
            "file": shown_path(statement.source_file, view),
            "line": statement.source_line,
            "page": statement.page,
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


def hit_to_dict(hit: SearchHit, view: View = FULL) -> JsonDict:
    """One ranked statement: the statement's fields plus score, rank and highlight."""
    return {
        **statement_to_dict(hit.statement, hit.meeting, view),
        "score": round(float(hit.score), 6),
        "relevance": round(float(hit.relevance), 4),
        "rank": hit.rank,
        "highlight": {
            "passage": hit.highlight.passage[:MAX_PASSAGE_CHARS],
            "terms": list(hit.highlight.terms),
            "char_start": hit.highlight.char_start,
            "char_end": hit.highlight.char_end,
        },
    }


def page_to_dict(page: SearchPage, view: View = FULL) -> JsonDict:
    """One page of results as ``GET /search`` returns it (texts bounded unless full)."""
    return {
        "query": page.query,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "results": [hit_to_dict(hit, view) for hit in page.hits],
        "facets": None if page.facets is None else facets_to_dict(page.facets),
        "translations": [
            {"source": word, "terms": list(terms)} for word, terms in page.translations
        ],
    }


def meeting_detail_to_dict(
    meeting: Meeting, statements: Iterable[Statement], view: View = FULL
) -> JsonDict:
    """A meeting with its statements in order (texts bounded unless ``view.full_text``)."""
    items = [statement_to_dict(statement, meeting, view) for statement in statements]
    return {**meeting_to_dict(meeting, len(items), view), "statements": items}


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
        "translation": {"dictionary": "JMdict", "entries": health.translation_entries},
        "index": {
            "built_at": health.built_at.isoformat() if health.built_at else None,
            "updated_at": health.updated_at.isoformat() if health.updated_at else None,
            "age_seconds": age,
        },
    }
