"""議事要旨 (meeting summaries) like the METI panel seed.

Layout: a title line, ``<日時>``/``<場所>`` lines, ``論点①…`` headings and ``その他``, and one
bullet per remark (``- ▶ …`` or ``- …``; ``・``, ``●`` and ``○`` bullets are read too).
Each bullet is one statement whose topic is the heading above it.  Lines that are neither
bullets nor headings continue the current bullet: this rejoins a bullet broken by a page
break (``…アプローチは、経`` / blank / ``済安全保障…``) without a break inside the word.
Headings with no bullets stay in ``Meeting.topics``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from indexer.identifiers import statement_ids
from indexer.language import detect_language
from indexer.metadata import MeetingMetadata
from indexer.records import Meeting, ParsedMeeting, Statement
from models.errors import ParseError

_TOPIC = re.compile(r"^(論点\s*[①-⑳0-9０-９一二三四五六七八九十].*|その他)$")
_BULLET = re.compile(r"^(?:-\s*(?:[▶►▷・●○]\s*)?|[▶►▷●・○]\s*)(?=\S)")
_FIELD = re.compile(r"^<(?P<key>[^<>]{1,10})>\s*(?P<value>.*)$")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_TITLE_NOISE = re.compile(r"^第\s*\d+\s*回\s*|\s*議事要旨\s*$")


def looks_like_summary(text: str) -> bool:
    """True for text with a ``<日時>`` line, or 議事要旨 with 論点 headings and bullets."""
    head = text[:5000]
    if "<日時>" in head or "＜日時＞" in head:
        return True
    return "議事要旨" in head and "論点" in text and "\n- " in text


def parse_japanese_date(text: str) -> dt.date | None:
    """Find a date written ``2023年10月12日`` in text (None when there is none or it is invalid)."""
    match = _DATE.search(text)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


@dataclass
class _Bullet:
    line: int
    topic: str | None
    parts: list[str] = field(default_factory=list)


@dataclass
class _Layout:
    title: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    topics: list[str] = field(default_factory=list)
    bullets: list[_Bullet] = field(default_factory=list)


def _scan(text: str) -> _Layout:
    layout = _Layout()
    current: _Bullet | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(" \t\r\u3000\ufeff")
        if not line:
            continue
        field_match = _FIELD.match(line.replace("＜", "<").replace("＞", ">"))
        if field_match:
            layout.fields[field_match["key"]] = field_match["value"].strip()
            current = None
        elif _TOPIC.match(line):
            layout.topics.append(line)
            current = None
        elif (bullet := _BULLET.match(line)) is not None:
            topic = layout.topics[-1] if layout.topics else None
            current = _Bullet(number, topic, [line[bullet.end() :]])
            layout.bullets.append(current)
        elif current is not None:
            current.parts.append(line)
        elif layout.title is None and not layout.bullets:
            layout.title = line
    return layout


def parse_summary(
    text: str, source: str, meeting_id: str, metadata: MeetingMetadata | None = None
) -> list[ParsedMeeting]:
    """Parse a 議事要旨 text into one meeting with one statement per bullet."""
    layout = _scan(text)
    if not layout.bullets:
        raise ParseError(source, "no remarks found (expected bullets starting with '- ')")
    meta = metadata or MeetingMetadata()
    title = meta.title or layout.title or meeting_id
    date = meta.date or parse_japanese_date(layout.fields.get("日時", ""))
    language = meta.language or detect_language(text)
    bodies = ["".join(bullet.parts) for bullet in layout.bullets]
    ids = statement_ids(meeting_id, bodies)
    statements = []
    for position, (bullet, body, sid) in enumerate(
        zip(layout.bullets, bodies, ids, strict=True), start=1
    ):
        statements.append(
            Statement(
                statement_id=sid,
                meeting_id=meeting_id,
                position=position,
                text=body,
                language=detect_language(body, default=language),
                topic=bullet.topic,
                source_file=source,
                source_line=bullet.line,
            )
        )
    extra = {"place": layout.fields["場所"]} if "場所" in layout.fields else {}
    meeting = Meeting(
        meeting_id=meeting_id,
        title=title,
        date=date,
        body=meta.body or _TITLE_NOISE.sub("", layout.title or title).strip() or title,
        language=language,
        url=meta.source_url,
        source_file=source,
        topics=tuple(layout.topics),
        extra=extra,
    )
    return [ParsedMeeting(meeting, tuple(statements))]
