"""Kokkai reader: API response files and the JSON Lines pool, speaker labels, procedural flag."""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest

from indexer.readers.kokkai import (
    parse_kokkai_json,
    parse_kokkai_lines,
    parse_label,
    split_speaker,
)
from indexer.records import ParsedMeeting, Statement
from models.errors import ParseError


def _read_meeting_files(corpus_dir: Path) -> dict[str, list[ParsedMeeting]]:
    return {
        p.name: parse_kokkai_json(p.read_text(encoding="utf-8"), str(p))
        for p in sorted((corpus_dir / "kokkai" / "meetings").glob("*.json"))
    }


@pytest.fixture(scope="module")
def meeting_files(corpus_dir: Path) -> dict[str, list[ParsedMeeting]]:
    return _read_meeting_files(corpus_dir)


def _statements(meetings: list[ParsedMeeting]) -> list[Statement]:
    return [s for m in meetings for s in m.statements]


def _by_position(meetings: list[ParsedMeeting], position: int) -> Statement:
    [statement] = [s for s in _statements(meetings) if s.position == position]
    return statement


def test_18_meeting_files_give_372_statements(meeting_files: dict) -> None:
    assert len(meeting_files) == 18
    assert all(len(meetings) == 1 for meetings in meeting_files.values())
    assert sum(len(_statements(m)) for m in meeting_files.values()) == 372


def test_meeting_ids_titles_and_urls_come_from_the_records(meeting_files: dict) -> None:
    [parsed] = meeting_files["2022-03-23_diet-208_shugiin-naikaku.json"]
    meeting = parsed.meeting
    assert meeting.title == "第208回国会 衆議院 内閣委員会 第11号"
    assert meeting.body == "衆議院 内閣委員会"
    assert (meeting.house, meeting.committee, meeting.session, meeting.issue) == (
        "衆議院",
        "内閣委員会",
        208,
        "第11号",
    )
    assert meeting.date == dt.date(2022, 3, 23)
    assert meeting.url is not None and meeting.url.startswith("https://kokkai.ndl.go.jp/")
    first = parsed.statements[0]
    assert first.meeting_id == meeting.meeting_id
    assert first.url is not None and first.url.startswith("https://kokkai.ndl.go.jp/")
    assert first.statement_id.startswith(meeting.meeting_id)
    assert [s.position for s in parsed.statements] == sorted(s.position for s in parsed.statements)


def test_speaker_labels_on_real_speeches(meeting_files: dict) -> None:
    naikaku = meeting_files["2022-03-23_diet-208_shugiin-naikaku.json"]
    first = _by_position(naikaku, 5)
    assert (first.speaker_name, first.speaker_role, first.speaker_group) == (
        "山田（賢）",
        "委員",
        "自由民主党",
    )
    assert first.text.startswith("自由民主党の山田賢司でございます。\n")
    assert "○" not in first.text[:5] and "\r" not in first.text
    minister = _by_position(meeting_files["2022-04-19_diet-208_sangiin-naikaku.json"], 82)
    assert (minister.speaker_name, minister.speaker_role) == ("小林鷹之", "国務大臣")
    short = _by_position(meeting_files["2022-03-25_diet-208_shugiin-naikaku.json"], 91)
    assert (short.speaker_name, short.speaker_role) == ("小林", "国務大臣")
    chosakai = meeting_files["2026-03-04_diet-221_sangiin-kokusai-mondai-chosakai.json"]
    assert (_by_position(chosakai, 7).speaker_name, _by_position(chosakai, 7).speaker_role) == (
        "鈴木宗男",
        "会長",
    )
    assert (_by_position(chosakai, 8).speaker_name, _by_position(chosakai, 8).speaker_role) == (
        "神保謙",
        "参考人",
    )
    plenary = _by_position(meeting_files["2022-01-19_diet-208_shugiin-honkaigi.json"], 3)
    assert (plenary.speaker_name, plenary.speaker_role) == ("泉健太", None)


@pytest.mark.parametrize(
    ("label", "name", "role"),
    [
        ("山田（賢）委員", "山田（賢）", "委員"),
        ("国務大臣（小林鷹之君）", "小林鷹之", "国務大臣"),
        ("会長（鈴木宗男君）", "鈴木宗男", "会長"),
        ("参考人（神保謙君）", "神保謙", "参考人"),
        ("小林国務大臣", "小林", "国務大臣"),
        ("議長（細田博之君）", "細田博之", "議長"),
        ("政府参考人（木原晋一君）", "木原晋一", "政府参考人"),
        ("内閣総理大臣（菅直人君）（続）", "菅直人", "内閣総理大臣"),
        ("菅直人君（続）", "菅直人", None),
        ("泉健太君", "泉健太", None),
        ("萩生田国務大臣", "萩生田", "国務大臣"),
        ("岩屋長官政務官", "岩屋", "長官政務官"),
        ("麻生委員長", "麻生", "委員長"),
        ("浜田（靖）主査代理", "浜田（靖）", "主査代理"),
        ("鈴木参考人", "鈴木", "参考人"),
        ("委員長", "委員長", None),
    ],
)
def test_parse_label_shapes(label: str, name: str, role: str | None) -> None:
    assert parse_label(label) == (name, role)


def test_split_speaker_with_a_space_inside_the_parentheses() -> None:
    speaker = split_speaker("○政府参考人（山田 太郎君）\u3000お答えします。\r\n以上です。")
    assert (speaker.name, speaker.role) == ("山田 太郎", "政府参考人")
    assert speaker.text == "お答えします。\n以上です。"


def test_split_speaker_without_label_keeps_text() -> None:
    speaker = split_speaker("令和四年三月二十三日\r\n出席委員")
    assert (speaker.name, speaker.role, speaker.text) == (
        None,
        None,
        "令和四年三月二十三日\n出席委員",
    )


def test_chair_formulas_are_procedural_but_a_chair_question_is_not(meeting_files: dict) -> None:
    life = meeting_files["2026-03-04_diet-221_sangiin-kokumin-seikatsu-keizai-chosakai.json"]
    for position in (7, 9, 13, 53, 79, 87, 100):
        assert _by_position(life, position).procedural, position
    for position in (8, 41, 46, 78):
        assert not _by_position(life, position).procedural, position
    world = meeting_files["2026-03-04_diet-221_sangiin-kokusai-mondai-chosakai.json"]
    assert not _by_position(world, 13).procedural  # 会長 asks the witnesses a question
    assert not _by_position(world, 17).procedural
    others = [s for name, m in meeting_files.items() if "2026" not in name for s in _statements(m)]
    assert not any(s.procedural for s in others)


def test_pool_streams_54066_statements_in_9116_meetings(corpus_dir: Path) -> None:
    with gzip.open(corpus_dir / "kokkai" / "speeches.jsonl.gz", "rt", encoding="utf-8") as f:
        meetings = parse_kokkai_lines(f, "speeches.jsonl.gz")
    statements = _statements(meetings)
    assert len(meetings) == 9116
    assert len(statements) == 54066
    assert len({s.statement_id for s in statements}) == 54066
    assert max(len(s.text) for s in statements) > 30_000
    roles = Counter(s.speaker_role for s in statements)
    assert roles["委員"] > 20_000 and roles["国務大臣"] > 15_000
    assert all(s.speaker_name for s in statements)
    names = {s.speaker_name for s in statements if s.speaker_name}
    assert not [n for n in names if n.endswith("君") or n.count("（") != n.count("）")]
    assert not [n for n in names if n.endswith(("委員", "大臣", "参考人"))]
    assert not [s.text[:20] for s in statements if s.text.startswith(("○", "\u3000"))]
    assert all(s.source_line is not None for s in statements)


def test_same_speech_in_a_meeting_file_and_the_pool_gets_the_same_ids(
    corpus_dir: Path, meeting_files: dict
) -> None:
    records = json.loads(
        (corpus_dir / "kokkai/meetings/2022-03-23_diet-208_shugiin-naikaku.json").read_text()
    )["speechRecord"]
    lines = [json.dumps(r, ensure_ascii=False) for r in reversed(records)]
    from_lines = _statements(parse_kokkai_lines(lines, "x.jsonl"))
    from_file = _statements(meeting_files["2022-03-23_diet-208_shugiin-naikaku.json"])
    assert [s.statement_id for s in from_lines] == [s.statement_id for s in from_file]
    assert [s.text for s in from_lines] == [s.text for s in from_file]


def test_pool_first_lines_group_by_issue(corpus_dir: Path) -> None:
    with gzip.open(corpus_dir / "kokkai" / "speeches.jsonl.gz", "rt", encoding="utf-8") as f:
        head = list(itertools.islice(f, 200))
    meetings = parse_kokkai_lines(head, "head.jsonl")
    assert sum(len(m.statements) for m in meetings) == 200
    for parsed in meetings:
        assert {s.meeting_id for s in parsed.statements} == {parsed.meeting.meeting_id}


RECORD = {
    "speechID": "121004889X00120220323005",
    "issueID": "121004889X00120220323",
    "session": 208,
    "nameOfHouse": "衆議院",
    "nameOfMeeting": "内閣委員会",
    "issue": "第11号",
    "date": "2022-03-23",
    "speechOrder": 5,
    "speech": "○山田（賢）委員\u3000質問します。",
}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"speechRecord": [', "malformed JSON"),
        ("[1, 2]", "wrong shape"),
        ('{"records": []}', "wrong shape"),
        ('{"speechRecord": []}', "no speech records"),
        ('{"speechRecord": [42]}', r"speechRecord\[1\]"),
        ('{"speechRecord": [{"speechID": "a"}]}', "lacks issueID, speech"),
    ],
)
def test_bad_api_json_is_a_parse_error(text: str, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        parse_kokkai_json(text, "bad.json")
    assert info.value.path == "bad.json"


def test_speech_zero_header_is_procedural_and_has_no_speaker() -> None:
    header = {
        **RECORD,
        "speechID": "x000",
        "speechOrder": 0,
        "speech": "令和四年三月二十三日\r\n出席委員",
    }
    meetings = parse_kokkai_lines(
        [json.dumps(r, ensure_ascii=False) for r in (RECORD, header)], "p"
    )
    [parsed] = meetings
    assert [s.position for s in parsed.statements] == [0, 5]
    zero = parsed.statements[0]
    assert zero.procedural and zero.speaker_name is None
    assert zero.text == "令和四年三月二十三日\n出席委員"
    assert not parsed.statements[1].procedural
    assert parsed.statements[1].source_line == 1


def test_bad_json_line_names_the_line() -> None:
    lines = [json.dumps(RECORD, ensure_ascii=False), "", '{"speechID": "x", "speech": ']
    with pytest.raises(ParseError, match="line 3") as info:
        parse_kokkai_lines(lines, "pool.jsonl")
    assert (info.value.path, info.value.line) == ("pool.jsonl", 3)


def test_record_of_wrong_shape_names_the_line() -> None:
    lines = [json.dumps(RECORD, ensure_ascii=False), json.dumps({"speechID": "x"})]
    with pytest.raises(ParseError, match="lacks issueID, speech") as info:
        parse_kokkai_lines(lines, "pool.jsonl")
    assert info.value.line == 2
