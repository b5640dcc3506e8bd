"""Results as citable rows: CSV for spreadsheets, JSON for scripts.

Each row carries what a citation needs (speaker, meeting, date, body, the link to the original
record) plus the remark, its matched passage and its page on this server.  Rows are built from
the API's own hit dicts, so an export holds exactly what ``GET /search`` returned.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from search_api.presentation import JsonDict
from search_api.web.views import record_url, role, statement_path, who

COLUMNS = (
    "rank",
    "relevance",
    "statement_id",
    "date",
    "meeting",
    "body",
    "speaker",
    "speaker_role",
    "topic",
    "passage",
    "text",
    "record_url",
    "page_url",
    "citation",
)
"""The CSV header, in order; the JSON rows have the same keys."""


def citation(item: JsonDict, reader_language: str = "ja") -> str:
    """One line to quote: ``speaker（role）「meeting」date. URL``."""
    meeting = item.get("meeting") or {}
    speaker = who(item, reader_language)
    speaker_role = role(item)
    if speaker_role:
        speaker = f"{speaker}（{speaker_role}）"
    parts = [speaker, f"「{meeting.get('title') or meeting.get('body') or ''}」"]
    if meeting.get("date"):
        parts.append(str(meeting["date"]))
    url = record_url(item)
    line = " ".join(parts) + "."
    return f"{line} {url}" if url else line


def citation_row(hit: JsonDict, base_url: str, reader_language: str = "ja") -> dict[str, Any]:
    """One exported row from one hit of the API's JSON (``base_url``: this server's root)."""
    meeting = hit.get("meeting") or {}
    return {
        "rank": hit.get("rank"),
        "relevance": hit.get("relevance"),
        "statement_id": hit["statement_id"],
        "date": meeting.get("date"),
        "meeting": meeting.get("title"),
        "body": meeting.get("body"),
        "speaker": who(hit, reader_language),
        "speaker_role": role(hit),
        "topic": hit.get("topic"),
        "passage": (hit.get("highlight") or {}).get("passage"),
        "text": hit.get("text"),
        "record_url": record_url(hit),
        "page_url": base_url.rstrip("/") + statement_path(hit["statement_id"]),
        "citation": citation(hit, reader_language),
    }


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> str:
    """Rows as CSV text with a header (quoted as needed, newlines kept inside cells)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: "" if row.get(key) is None else row[key] for key in columns})
    return buffer.getvalue()
