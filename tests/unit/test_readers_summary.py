"""議事要旨 reader, checked against the METI panel seed summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from indexer.metadata import MeetingMetadata
from indexer.readers.summary import looks_like_summary, parse_japanese_date, parse_summary
from indexer.records import ParsedMeeting
from models.errors import ParseError

SEED = "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt"
MEETING_ID = "2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi"


@pytest.fixture(scope="module")
def seed(corpus_dir: Path) -> ParsedMeeting:
    path = corpus_dir / SEED
    [meeting] = parse_summary(path.read_text(encoding="utf-8"), str(path), MEETING_ID)
    return meeting


def test_seed_has_41_statements_numbered_from_1(seed: ParsedMeeting) -> None:
    assert len(seed.statements) == 41
    assert [s.position for s in seed.statements] == list(range(1, 42))
    assert seed.statements[0].statement_id == f"{MEETING_ID}_5a5240d9c3"
    assert len({s.statement_id for s in seed.statements}) == 41


def test_seed_meeting_has_title_date_place_and_every_topic(seed: ParsedMeeting) -> None:
    meeting = seed.meeting
    assert (
        meeting.title == "第1回 経済安全保障に関する産業・技術基盤強化のための有識者会議 議事要旨"
    )
    assert meeting.body == "経済安全保障に関する産業・技術基盤強化のための有識者会議"
    assert meeting.date == dt.date(2023, 10, 12)
    assert meeting.language == "ja"
    assert meeting.extra["place"].startswith("経済産業省 本館17階")
    assert [t[:3] for t in meeting.topics] == [
        "論点①",
        "論点②",
        "論点③",
        "論点④",
        "論点⑤",
        "その他",
    ]


def test_each_statement_has_its_topic_and_topic_2_has_none(seed: ParsedMeeting) -> None:
    counts: dict[str | None, int] = {}
    for statement in seed.statements:
        counts[statement.topic] = counts.get(statement.topic, 0) + 1
    assert counts == {
        "論点①当面想定される脅威": 8,
        "論点③多様化・自律性の確保": 15,
        "論点④官民連携を通じた、地政学リスクの経済活動への影響最小化": 8,
        "論点⑤国際経済情勢の見極めと我が国の役割": 6,
        "その他": 4,
    }


def test_bullet_broken_by_a_page_break_is_one_statement_without_a_break(
    seed: ParsedMeeting,
) -> None:
    [joined] = [s for s in seed.statements if "演繹的" in s.text]
    assert "アプローチは、経済安全保障政策の文脈ではまだ不十分。" in joined.text
    assert "\n" not in joined.text
    assert joined.text.endswith("「自給」を考えていくべき。")
    assert not any(s.text.startswith("済安全保障") for s in seed.statements)


def test_bullet_markers_are_stripped_and_speaker_is_unknown(seed: ParsedMeeting) -> None:
    first = seed.statements[0]
    assert first.text.startswith("日本は、言うなれば経済安全保障上の「赤字国」である。")
    assert not any(s.text.startswith(("-", "▶", " ")) for s in seed.statements)
    assert all(s.speaker_name is None and s.speaker_role is None for s in seed.statements)
    assert seed.statements[36].text.startswith("EUの威圧対応は")  # the "- " bullet, no ▶
    assert first.source_line == 13


def test_metadata_overrides_what_the_text_says(corpus_dir: Path) -> None:
    text = (corpus_dir / SEED).read_text(encoding="utf-8")
    meta = MeetingMetadata(title="Panel 1", date=dt.date(2023, 10, 13), source_url="https://x")
    [meeting] = parse_summary(text, "seed.txt", "m1", meta)
    assert (meeting.meeting.title, meeting.meeting.date) == ("Panel 1", dt.date(2023, 10, 13))
    assert meeting.meeting.url == "https://x"
    assert meeting.statements[0].statement_id.startswith("m1_")


def test_small_summary_with_plain_bullets() -> None:
    text = "会議 議事要旨\n<日時>2024年1月5日\n論点1 予算\n- 予算は重要。\n- 次の論点。\n続き。\n"
    [meeting] = parse_summary(text, "s.txt", "s")
    assert [s.text for s in meeting.statements] == ["予算は重要。", "次の論点。続き。"]
    assert meeting.meeting.date == dt.date(2024, 1, 5)
    assert looks_like_summary(text)


def test_summary_without_bullets_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no remarks"):
        parse_summary("議事要旨\n<日時>2024年1月5日\n論点1 予算\n", "s.txt", "s")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023年10月12日(木) 14:00-16:00", dt.date(2023, 10, 12)),
        ("令和5年 2023 年 1 月 2 日", dt.date(2023, 1, 2)),
        ("2023年2月30日", None),
        ("未定", None),
    ],
)
def test_parse_japanese_date(text: str, expected: dt.date | None) -> None:
    assert parse_japanese_date(text) == expected


def test_summary_with_round_bullets_is_not_a_transcript() -> None:
    from indexer.reading import detect_format

    text = (
        "第3回 検討会 議事要旨\n<日時>2024年2月1日\n"
        "○委員から、供給網の多様化が重要との意見があった。\n○事務局から資料を説明した。\n"
    )
    assert detect_format(text, "s.txt") == "summary"
    [meeting] = parse_summary(text, "s.txt", "s")
    assert [s.text for s in meeting.statements] == [
        "委員から、供給網の多様化が重要との意見があった。",
        "事務局から資料を説明した。",
    ]
