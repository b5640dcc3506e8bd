"""English minutes (FOMC): one statement per paragraph, a paragraph being one non-empty line.

(Text hard-wrapped at a fixed width, with blank lines between paragraphs, is read block by
block instead.)

Not every line is a remark.  Headings (short lines without closing punctuation) become the
topic of the paragraphs below them; attendance lists (``Jerome H. Powell, Chair``), vote
tallies (the names after ``Voting for this action:``), page and footnote numbers and
``Return to text`` links are left out.  Paragraphs that only run the meeting (``It was agreed
that the next meeting…``, ``The meeting adjourned…``) are kept but marked procedural.
"""

from __future__ import annotations

import re

from indexer.identifiers import statement_id, text_key
from indexer.metadata import MeetingMetadata
from indexer.records import Meeting, ParsedMeeting, Statement
from models.errors import ParseError

_SENTENCE_END = re.compile(r"[.?!:;]['\"’”)\]]*$")
_NUMBER_ONLY = re.compile(r"^\s*\d{1,3}\s*$")
_FOOTNOTE = re.compile(r"^\d{1,2}\.\s+\S")
_VOTE_HEADING = re.compile(r"^Voting (for|against) this action", re.IGNORECASE)
_NAME = r"(?:[A-Z][\w.'’-]*|[A-Z]\.|II|III|Jr\.?)"
_NAME_LIST = re.compile(
    rf"^:?\s*(?:{_NAME}(?:\s+{_NAME}){{0,4}})(?:,?\s+(?:and\s+)?{_NAME}(?:\s+{_NAME}){{0,4}})*\.?$"
)
_ATTENDANCE_NOTE = re.compile(r"^(\d{1,2}\.\s+)?Attended\b|voted as an? alternate member")
_PROCEDURAL = re.compile(
    r"^(A joint meeting of|It was agreed that the next meeting|The meeting adjourned|"
    r"By notation vote|By unanimous vote, the Committee ratified)"
)
_MIN_WORDS = 5
_MIN_CONTINUED_WORDS = 8
_WRAP_WIDTH = 100
_RETURN_TO_TEXT = "Return to text"
_MAX_HEADING_WORDS = 14
_NOTES_TOPIC = "Notes"


def looks_like_english(text: str) -> bool:
    """True when most letters are ASCII (English prose)."""
    sample = text[:20_000]
    letters = [ch for ch in sample if ch.isalpha()]
    if len(letters) < 20:
        return False
    ascii_letters = sum(1 for ch in letters if ch.isascii())
    return ascii_letters / len(letters) > 0.9


def is_heading(line: str) -> bool:
    """A short title-like line without closing punctuation (``Staff Economic Outlook``)."""
    words = line.split()
    return (
        0 < len(words) <= _MAX_HEADING_WORDS
        and not _SENTENCE_END.search(line)
        and line[0].isupper()
        and not any(ch.isdigit() for ch in line)
    )


def is_paragraph(line: str) -> bool:
    """A line of prose: ends a sentence, has a few words, is not a name list."""
    return (
        len(line.split()) >= _MIN_WORDS
        and _SENTENCE_END.search(line) is not None
        and not _NAME_LIST.match(line)
        and not _ATTENDANCE_NOTE.search(line)
    )


def is_hard_wrapped(lines: list[str]) -> bool:
    """True for text wrapped at a fixed width with blank lines between paragraphs.

    FOMC minutes hold one paragraph per line; other English minutes may come wrapped at
    70-80 columns, where a paragraph is a block of lines between blank lines.
    """
    stripped = [line.strip() for line in lines]
    filled = [line for line in stripped if line]
    if not filled or len(filled) == len(stripped):
        return False
    short = sum(1 for line in filled if len(line) <= _WRAP_WIDTH)
    return short >= 0.8 * len(filled) and max(len(line) for line in filled) <= 2 * _WRAP_WIDTH


def _paragraph_lines(text: str) -> list[tuple[int, str]]:
    """(line number, text) of each line, or of each blank-line block if the text is wrapped."""
    lines = text.split("\n")
    numbered = [(n, line.strip().lstrip("\ufeff").strip()) for n, line in enumerate(lines, 1)]
    if not is_hard_wrapped(lines):
        return numbered
    blocks: list[tuple[int, str]] = []
    current: list[tuple[int, str]] = []
    for number, line in [*numbered, (len(lines) + 1, "")]:
        if line:
            current.append((number, line))
        elif current:
            blocks.append((current[0][0], " ".join(part for _, part in current)))
            current = []
    return blocks


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Non-empty lines with page/footnote numbers dropped and broken paragraphs rejoined.

    A paragraph broken in the source (``…, or that`` / ``fiscal policy might…``) continues on a
    line starting with a lowercase letter; a footnote continues until ``Return to text``.
    """
    result: list[tuple[int, str]] = []
    open_footnote = False
    for number, line in _paragraph_lines(text):
        if not line or _NUMBER_ONLY.match(line):
            continue
        if line == _RETURN_TO_TEXT:
            open_footnote = False
            continue
        if result and _continues(result[-1][1], line, open_footnote):
            result[-1] = (result[-1][0], f"{result[-1][1]} {line}")
            continue
        open_footnote = _FOOTNOTE.match(line) is not None
        result.append((number, line))
    return result


def _continues(previous: str, line: str, open_footnote: bool) -> bool:
    if open_footnote:
        return True
    return (
        line[0].islower()
        and len(previous.split()) >= _MIN_CONTINUED_WORDS
        and not _SENTENCE_END.search(previous)
    )


def _is_statement(line: str) -> bool:
    if _FOOTNOTE.match(line):
        return len(line.split()) >= _MIN_WORDS and not _ATTENDANCE_NOTE.search(line)
    return is_paragraph(line)


def parse_english(
    text: str, source: str, meeting_id: str, metadata: MeetingMetadata | None = None
) -> list[ParsedMeeting]:
    """Parse English minutes into one meeting with one statement per prose paragraph.

    A heading becomes the topic of the paragraphs that directly follow it; footnotes get the
    topic ``Notes``.
    """
    meta = metadata or MeetingMetadata()
    statements: list[Statement] = []
    topics: list[str] = []
    topic: str | None = None
    previous: str | None = None
    after_vote_heading = False
    seen: dict[str, int] = {}
    lines = _logical_lines(text)
    for number, line in lines:
        if _VOTE_HEADING.match(line):
            after_vote_heading = True
        elif after_vote_heading and (_NAME_LIST.match(line) or line.rstrip(".") == "None"):
            pass
        elif _is_statement(line):
            after_vote_heading = False
            if _FOOTNOTE.match(line):
                topic = _NOTES_TOPIC
            elif previous is not None and is_heading(previous):
                topic = previous
                topics.append(previous)
            position = len(statements) + 1
            key = text_key(line)
            seen[key] = seen.get(key, 0) + 1
            statements.append(
                Statement(
                    statement_id=statement_id(meeting_id, line, seen[key]),
                    meeting_id=meeting_id,
                    position=position,
                    text=line,
                    language="en",
                    topic=topic,
                    procedural=_PROCEDURAL.match(line) is not None,
                    source_file=source,
                    source_line=number,
                )
            )
        else:
            after_vote_heading = False
        previous = line
    if not statements:
        raise ParseError(source, "no paragraphs of prose found")
    title = lines[0][1] if lines else None
    meeting = Meeting(
        meeting_id=meeting_id,
        title=meta.title or title or meeting_id,
        date=meta.date,
        body=meta.body or meta.title or title or meeting_id,
        language=meta.language or "en",
        url=meta.source_url,
        source_file=source,
        topics=tuple(dict.fromkeys(topics)),
    )
    return [ParsedMeeting(meeting, tuple(statements))]
