"""Transcript minutes (Cabinet Office council minutes): ``○Name（role）`` then the remark.

The text was extracted from PDFs: lines are hard-wrapped at a fixed width, page numbers stand
on lines of their own and blank lines appear around page breaks.  Unwrapping joins wrapped
lines without a space (Japanese has none between words) and starts a new paragraph where a
line is indented (a leading ASCII or ideographic space), the PDF's paragraph mark.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.identifiers import statement_ids
from indexer.language import detect_language
from indexer.metadata import MeetingMetadata
from indexer.readers.procedural import is_procedural
from indexer.records import Meeting, ParsedMeeting, Statement
from models.errors import ParseError

# A speaker line holds only a short label; a long "○…。" line is a bullet of a summary.
_SPEAKER = re.compile(r"^○(?P<label>[^\s\u3000。][^。]{0,59}?)[\s\u3000]*$")
_NAME_ROLE = re.compile(r"^(?P<name>[^（(]+?)\s*[（(](?P<role>[^（）()]*)[）)]$")
_PAGE_NUMBER = re.compile(r"^[\s\u3000]*[-－—‐]?\s*[0-9０-９]{1,4}\s*[-－—‐]?[\s\u3000]*$")
_INDENT = (" ", "\u3000", "\t")


def looks_like_transcript(text: str) -> bool:
    """True when some line starts a remark with ``○`` followed by a speaker label."""
    return any(_SPEAKER.match(line) for line in text.split("\n")[:5000] if line.startswith("○"))


def parse_speaker(label: str) -> tuple[str | None, str | None]:
    """``芦澤 美智子（委員）`` -> (芦澤 美智子, 委員); ``事務局`` -> (事務局, None)."""
    label = label.strip(" \u3000")
    match = _NAME_ROLE.match(label)
    if match:
        return match["name"].strip() or None, match["role"].strip() or None
    return (label or None), None


def unwrap_lines(lines: list[str]) -> str:
    """Join PDF hard-wrapped lines into paragraphs, dropping page numbers and blank lines."""
    paragraphs: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r")
        if not line.strip(" \u3000\t") or _PAGE_NUMBER.match(line):
            continue
        starts_paragraph = line.startswith(_INDENT) or not paragraphs
        content = line.strip(" \u3000\t")
        if starts_paragraph:
            paragraphs.append(content)
        else:
            paragraphs[-1] += content
    return "\n".join(paragraphs)


@dataclass
class _Remark:
    line: int
    label: str
    lines: list[str] = field(default_factory=list)


def _split_remarks(text: str) -> list[_Remark]:
    remarks: list[_Remark] = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _SPEAKER.match(line.rstrip("\r"))
        if match:
            remarks.append(_Remark(number, match["label"]))
        elif remarks:
            remarks[-1].lines.append(line)
    return remarks


def parse_transcript(
    text: str, source: str, meeting_id: str, metadata: MeetingMetadata | None = None
) -> list[ParsedMeeting]:
    """Parse transcript minutes into one meeting with one statement per ``○`` remark."""
    remarks = _split_remarks(text)
    if not remarks:
        raise ParseError(source, "no remarks found (expected lines starting with '○Name（role）')")
    meta = metadata or MeetingMetadata()
    language = meta.language or detect_language(text)
    bodies = [unwrap_lines(remark.lines) for remark in remarks]
    ids = statement_ids(meeting_id, bodies)
    statements = []
    for position, (remark, body, sid) in enumerate(zip(remarks, bodies, ids, strict=True), start=1):
        name, role = parse_speaker(remark.label)
        statements.append(
            Statement(
                statement_id=sid,
                meeting_id=meeting_id,
                position=position,
                text=body,
                language=detect_language(body, default=language),
                speaker_name=name,
                speaker_role=role,
                procedural=is_procedural(body, role),
                source_file=source,
                source_line=remark.line,
            )
        )
    meeting = Meeting(
        meeting_id=meeting_id,
        title=meta.title or meeting_id,
        date=meta.date,
        body=meta.body or meta.title or meeting_id,
        language=language,
        url=meta.source_url,
        source_file=source,
    )
    return [ParsedMeeting(meeting, tuple(statements))]
