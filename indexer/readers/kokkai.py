"""Diet minutes from the Kokkai API: the JSON response shape and JSON Lines of speech records.

One statement per speech.  The statement id is the API's ``speechID`` and the meeting id its
``issueID``, so the same speech read from a meeting file and from the pool is one statement.
The speaker is only in the opening label (``○山田（賢）委員　…``); it is parsed into name and
role and removed from the text.  ``\\r\\n`` line breaks are turned into ``\\n``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from indexer.identifiers import url_safe_id
from indexer.json_text import load_json
from indexer.readers.procedural import is_procedural
from indexer.records import Meeting, ParsedMeeting, Statement
from models.errors import ParseError

REQUIRED_FIELDS = ("speechID", "issueID", "speech")
# A label is non-space characters, where a parenthesised part may hold spaces (山田 太郎君).
_LABEL = re.compile(r"^○((?:[^\s\u3000（]|（[^）\n]{0,40}）){1,60}?)[\u3000 \r\n]+")
_CONTINUED = re.compile(r"（続）$")
_ROLE_WITH_NAME = re.compile(r"^(?P<role>.+?)（(?P<name>[^（）]+?)君）$")
_NAME_WITH_ROLE = re.compile(r"^(?P<name>[^（）]+（[^（）]+）)(?P<role>[^（）]+)$")
ROLE_SUFFIXES = tuple(
    sorted(
        (
            "内閣総理大臣",
            "内閣官房副長官",
            "国務大臣",
            "大臣政務官",
            "長官政務官",
            "政務官",
            "政務次官",
            "副大臣",
            "大臣",
            "政府特別補佐人",
            "政府参考人",
            "政府委員",
            "参考人",
            "公述人",
            "説明員",
            "証人",
            "委員長代理",
            "委員長",
            "分科員",
            "委員",
            "主査代理",
            "主査",
            "副議長",
            "議長",
            "会長代理",
            "会長",
            "理事",
            "衆議院議員",
            "参議院議員",
            "議員",
            "長官",
            "事務総長",
            "法制局長",
            "会計検査院長",
            "総裁",
        ),
        key=len,
        reverse=True,
    )
)


@dataclass(frozen=True, slots=True)
class SpeakerLabel:
    """The parsed opening label of a Diet speech."""

    name: str | None
    role: str | None
    text: str
    """The speech with the label removed."""


def parse_label(label: str) -> tuple[str | None, str | None]:
    """Split a speaker label (without ``○``) into name and role.

    ``山田（賢）委員`` -> (山田（賢）, 委員); ``国務大臣（小林鷹之君）`` -> (小林鷹之, 国務大臣);
    ``小林国務大臣`` -> (小林, 国務大臣); ``泉健太君`` -> (泉健太, None).
    """
    label = _CONTINUED.sub("", label.strip())
    if not label:
        return None, None
    match = _ROLE_WITH_NAME.match(label)
    if match:
        return match["name"], match["role"]
    match = _NAME_WITH_ROLE.match(label)
    if match:
        return match["name"], match["role"]
    if label.endswith("君") and len(label) > 1:
        return label[:-1], None
    for suffix in ROLE_SUFFIXES:
        if label.endswith(suffix) and len(label) > len(suffix):
            return label[: -len(suffix)], suffix
    return label, None


def split_speaker(speech: str) -> SpeakerLabel:
    """Separate the ``○Label　`` opening from a speech; normalise line breaks to ``\\n``."""
    text = speech.replace("\r\n", "\n").replace("\r", "\n")
    match = _LABEL.match(text)
    if not match:
        return SpeakerLabel(None, None, text.strip())
    name, role = parse_label(match.group(1))
    return SpeakerLabel(name, role, text[match.end() :].rstrip())


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date_or_none(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _str_or_none(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def meeting_from_record(record: Mapping[str, Any], source: str) -> Meeting:
    """Build the Meeting (issue) that a speech record belongs to."""
    session = _int_or_none(record.get("session"))
    house = _str_or_none(record.get("nameOfHouse"))
    committee = _str_or_none(record.get("nameOfMeeting"))
    issue = _str_or_none(record.get("issue"))
    title_parts = [f"第{session}回国会" if session is not None else None, house, committee, issue]
    return Meeting(
        meeting_id=url_safe_id(str(record["issueID"])),
        title=" ".join(p for p in title_parts if p),
        date=_date_or_none(record.get("date")),
        body=" ".join(p for p in (house, committee) if p),
        language="ja",
        url=_str_or_none(record.get("meetingURL")),
        source_file=source,
        house=house,
        committee=committee,
        session=session,
        issue=issue,
    )


def statement_from_record(
    record: Mapping[str, Any], source: str, line: int | None = None
) -> Statement:
    """Build the Statement for one speech record (label parsed, procedural flag set)."""
    speaker = split_speaker(str(record["speech"]))
    position = _int_or_none(record.get("speechOrder"))
    position = position if position is not None else 0
    return Statement(
        statement_id=url_safe_id(str(record["speechID"])),
        meeting_id=url_safe_id(str(record["issueID"])),
        position=position,
        text=speaker.text,
        language="ja",
        speaker_name=speaker.name,
        speaker_role=speaker.role,
        speaker_group=_str_or_none(record.get("speakerGroup")),
        procedural=is_procedural(speaker.text, speaker.role, position),
        source_file=source,
        source_line=line,
        url=_str_or_none(record.get("speechURL")),
    )


def _check_record(record: Any, source: str, where: str, line: int | None) -> Mapping[str, Any]:
    if not isinstance(record, dict):
        raise ParseError(source, f"{where}: expected a speech record (JSON object)", line)
    missing = [key for key in REQUIRED_FIELDS if record.get(key) in (None, "")]
    if missing:
        raise ParseError(source, f"{where}: speech record lacks {', '.join(missing)}", line)
    return record


class _MeetingGrouper:
    """Groups statements by issueID, keeping the first-seen order of meetings."""

    def __init__(self, source: str) -> None:
        self._source = source
        self._meetings: dict[str, Meeting] = {}
        self._statements: dict[str, list[Statement]] = {}

    def add(self, record: Mapping[str, Any], line: int | None) -> None:
        meeting_id = url_safe_id(str(record["issueID"]))
        if meeting_id not in self._meetings:
            self._meetings[meeting_id] = meeting_from_record(record, self._source)
            self._statements[meeting_id] = []
        self._statements[meeting_id].append(statement_from_record(record, self._source, line))

    def result(self) -> list[ParsedMeeting]:
        parsed = []
        for meeting_id, meeting in self._meetings.items():
            statements = sorted(self._statements[meeting_id], key=lambda s: s.position)
            parsed.append(ParsedMeeting(meeting, tuple(statements)))
        return parsed


def parse_kokkai_json(text: str, source: str) -> list[ParsedMeeting]:
    """Parse a Kokkai API response (``{"speechRecord": [...]}``) into meetings."""
    data = load_json(text, source)
    if not isinstance(data, dict) or not isinstance(data.get("speechRecord"), list):
        raise ParseError(source, "JSON of the wrong shape: expected an object with 'speechRecord'")
    grouper = _MeetingGrouper(source)
    for index, record in enumerate(data["speechRecord"], start=1):
        grouper.add(_check_record(record, source, f"speechRecord[{index}]", None), None)
    if not data["speechRecord"]:
        raise ParseError(source, "no speech records ('speechRecord' is empty)")
    return grouper.result()


def parse_kokkai_lines(lines: Iterable[str], source: str) -> list[ParsedMeeting]:
    """Parse JSON Lines of Kokkai speech records (one object per line) into meetings.

    Records of one meeting need not be adjacent; statements are ordered by ``speechOrder``.
    Errors name the line number.
    """
    grouper = _MeetingGrouper(source)
    count = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = load_json(line, source, f"JSON on line {number}", number)
        grouper.add(_check_record(record, source, f"record on line {number}", number), number)
        count += 1
    if count == 0:
        raise ParseError(source, "no speech records")
    return grouper.result()
