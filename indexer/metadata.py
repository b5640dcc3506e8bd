"""Meeting metadata that the minutes text itself lacks.

Title, date, body, language, source URL and meeting id may come from a sidecar file
(``meetings.json`` beside the minutes, a JSON list of objects keyed by ``"file"``) or from CLI
options.  CLI options override the sidecar, which overrides what a reader finds in the text.
Parsing the sidecar is pure (`parse_sidecar`); reading it from disk is `load_sidecar`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from indexer.json_text import load_json
from indexer.paths import path_text
from models.errors import ParseError

SIDECAR_NAME = "meetings.json"


@dataclass(frozen=True, slots=True)
class MeetingMetadata:
    """Optional facts about one minutes file; ``None`` means "not known here"."""

    title: str | None = None
    date: dt.date | None = None
    body: str | None = None
    language: str | None = None
    source_url: str | None = None
    meeting_id: str | None = None
    licence: str | None = None

    def overridden_by(self, other: MeetingMetadata | None) -> MeetingMetadata:
        """Return a copy where every field that ``other`` knows replaces this one's."""
        if other is None:
            return self
        changes = {f.name: getattr(other, f.name) for f in fields(other)}
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def merge_metadata(*layers: MeetingMetadata | None) -> MeetingMetadata | None:
    """Merge layers from weakest to strongest; ``None`` when no layer is given."""
    result: MeetingMetadata | None = None
    for layer in layers:
        if layer is None:
            continue
        result = layer if result is None else result.overridden_by(layer)
    return result


def parse_date(value: str, source: str) -> dt.date:
    """Parse an ISO date (``2025-10-03``) or raise ParseError naming ``source``."""
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError as exc:
        raise ParseError(source, f"invalid date {value!r} (expected YYYY-MM-DD)") from exc


def _optional_str(entry: dict[str, Any], key: str, source: str, index: int) -> str | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(source, f"entry {index}: {key!r} must be a string", index)
    return value.strip() or None


def parse_sidecar(text: str, source: str) -> dict[str, MeetingMetadata]:
    """Parse a ``meetings.json`` sidecar into metadata keyed by file name.

    The sidecar is a JSON list of objects with a ``file`` key and optional ``title``, ``date``,
    ``body``, ``language``, ``source_url``, ``meeting_id`` and ``licence``.
    """
    data = load_json(text, source, "JSON in sidecar")
    if not isinstance(data, list):
        raise ParseError(source, "sidecar must be a JSON list of objects with a 'file' key")
    result: dict[str, MeetingMetadata] = {}
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            raise ParseError(source, f"entry {index}: expected an object with a 'file' string")
        date_text = _optional_str(entry, "date", source, index)
        result[entry["file"]] = MeetingMetadata(
            title=_optional_str(entry, "title", source, index),
            date=parse_date(date_text, source) if date_text else None,
            body=_optional_str(entry, "body", source, index),
            language=_optional_str(entry, "language", source, index),
            source_url=_optional_str(entry, "source_url", source, index),
            meeting_id=_optional_str(entry, "meeting_id", source, index),
            licence=_optional_str(entry, "licence", source, index),
        )
    return result


def load_sidecar(directory: Path) -> dict[str, MeetingMetadata]:
    """Read ``directory/meetings.json`` if it exists (empty mapping otherwise)."""
    path = directory / SIDECAR_NAME
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParseError(path_text(path), f"cannot read sidecar: {exc}") from exc
    return parse_sidecar(text, path_text(path))
