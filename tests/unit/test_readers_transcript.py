"""Transcript reader: Cabinet Office council minutes with ``○Name（role）`` remarks."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.metadata import load_sidecar
from indexer.readers.transcript import (
    looks_like_transcript,
    parse_speaker,
    parse_transcript,
    unwrap_lines,
)
from indexer.records import ParsedMeeting
from models.errors import ParseError

EXPECTED = {
    "2025-10-03_kisei-kaikaku-suishin-kaigi.txt": 14,
    "2025-11-06_kisei-kaikaku-startup-innovation-wg.txt": 55,
    "2025-12-24_kisei-kaikaku-suishin-kaigi.txt": 13,
    "2026-01-09_kisei-kaikaku-human-wg.txt": 11,
}


@pytest.fixture(scope="module")
def council(corpus_dir: Path) -> dict[str, ParsedMeeting]:
    minutes = corpus_dir / "minutes"
    sidecar = load_sidecar(minutes)
    result = {}
    for name in EXPECTED:
        path = minutes / name
        [parsed] = parse_transcript(
            path.read_text(encoding="utf-8"), str(path), path.stem, sidecar[name]
        )
        result[name] = parsed
    return result


def test_four_council_files_give_93_statements(council: dict[str, ParsedMeeting]) -> None:
    assert {name: len(p.statements) for name, p in council.items()} == EXPECTED
    assert sum(EXPECTED.values()) == 93


def test_sidecar_metadata_is_used(council: dict[str, ParsedMeeting]) -> None:
    meeting = council["2025-10-03_kisei-kaikaku-suishin-kaigi.txt"].meeting
    assert meeting.title == "規制改革推進会議（本会議） 2025-10-03"
    assert meeting.date is not None and meeting.date.isoformat() == "2025-10-03"
    assert meeting.url is not None and meeting.url.startswith("https://")
    assert meeting.meeting_id == "2025-10-03_kisei-kaikaku-suishin-kaigi"
    assert meeting.language == "ja"


def test_speakers_are_parsed(council: dict[str, ParsedMeeting]) -> None:
    statements = council["2025-10-03_kisei-kaikaku-suishin-kaigi.txt"].statements
    speakers = [(s.speaker_name, s.speaker_role) for s in statements]
    assert speakers[0] == ("平", "大臣・政府")
    assert speakers[1] == ("事務局", None)
    assert ("芦澤 美智子", "委員") in speakers
    assert ("石破 茂", "内閣総理大臣・政府") in speakers
    assert statements[0].statement_id == "2025-10-03_kisei-kaikaku-suishin-kaigi_749b3d93d8"
    assert statements[0].source_line == 1


def test_hard_wraps_are_undone_and_page_numbers_dropped(council: dict[str, ParsedMeeting]) -> None:
    first = council["2025-10-03_kisei-kaikaku-suishin-kaigi.txt"].statements[0].text
    assert "御出席いただきまして誠にありがとうございます。" in first  # wrapped after いただきまし
    assert "規制改革実施計画を踏まえ" in first  # wrapped after 実施計
    paragraphs = first.split("\n")
    assert paragraphs[1].startswith("本日は５月に委員の皆様から")
    assert paragraphs[-1].startswith("石破内閣では、地方創生")  # after the page number 2
    assert not any(p.strip().isdigit() for p in paragraphs)
    assert all(p == p.strip() for p in paragraphs)


def test_no_statement_keeps_a_page_number_line(council: dict[str, ParsedMeeting]) -> None:
    for parsed in council.values():
        for statement in parsed.statements:
            assert statement.text.strip()
            assert not any(line.strip().isdigit() for line in statement.text.split("\n"))


def test_unwrap_lines_rules() -> None:
    lines = ["これは折り返され", "た文です。 ", "", "12 ", " ", " 新しい段落", "\u3000全角の段落"]
    assert unwrap_lines(lines) == "これは折り返された文です。\n新しい段落\n全角の段落"


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("芦澤 美智子（委員）", ("芦澤 美智子", "委員")),
        ("事務局", ("事務局", None)),
        (
            "山本氏（関係者・一般社団法人日本フランチャイズチェーン協会）",
            ("山本氏", "関係者・一般社団法人日本フランチャイズチェーン協会"),
        ),
        ("高市早苗（内閣総理大臣）", ("高市早苗", "内閣総理大臣")),
        ("嶋田(理事)", ("嶋田", "理事")),
    ],
)
def test_parse_speaker(label: str, expected: tuple[str, str | None]) -> None:
    assert parse_speaker(label) == expected


def test_text_without_speaker_lines_is_a_parse_error() -> None:
    assert not looks_like_transcript("ただの文章です。\n二行目。")
    with pytest.raises(ParseError, match="no remarks"):
        parse_transcript("ただの文章です。\n二行目。", "t.txt", "t")


def test_text_before_the_first_speaker_is_not_a_statement() -> None:
    [parsed] = parse_transcript(
        "議事録\n\n○議長\n開会します。\n○委員A（委員）\n意見です。", "t.txt", "t"
    )
    assert [s.text for s in parsed.statements] == ["開会します。", "意見です。"]
    assert parsed.statements[1].source_line == 5


def test_a_long_round_bullet_sentence_is_not_a_speaker_line() -> None:
    assert not looks_like_transcript("○委員から、供給網の多様化が重要との意見があった。\n")
    assert looks_like_transcript("○芦澤 美智子（委員）\n発言。\n")
