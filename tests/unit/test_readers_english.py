"""English (FOMC) reader: one statement per prose paragraph."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.readers.english import is_heading, is_paragraph, looks_like_english, parse_english
from indexer.records import ParsedMeeting
from models.errors import ParseError

EXPECTED = {
    "2021-07-28_fomc-minutes_en.txt": 86,
    "2021-11-03_fomc-minutes_en.txt": 78,
    "2022-03-16_fomc-minutes_en.txt": 78,
    "2025-05-07_fomc-minutes_en.txt": 68,
}


@pytest.fixture(scope="module")
def fomc(corpus_dir: Path) -> dict[str, ParsedMeeting]:
    result = {}
    for name in EXPECTED:
        path = corpus_dir / "minutes" / name
        [result[name]] = parse_english(path.read_text(encoding="utf-8"), str(path), path.stem)
    return result


def test_statement_counts(fomc: dict[str, ParsedMeeting]) -> None:
    assert {name: len(p.statements) for name, p in fomc.items()} == EXPECTED


def test_attendance_lists_vote_tallies_and_headings_are_not_statements(
    fomc: dict[str, ParsedMeeting],
) -> None:
    for parsed in fomc.values():
        texts = [s.text for s in parsed.statements]
        assert not any(t.startswith("Jerome H. Powell") for t in texts)  # attendance and tally
        assert not any(t.startswith(("Voting for", "Voting against", "None", ": ")) for t in texts)
        assert not any(t.startswith(("Staff Economic Outlook", "Return to text")) for t in texts)
        assert not any(t[-32:] == "Federal Reserve Bank of New York" for t in texts)
        assert all(s.language == "en" for s in parsed.statements)


def test_paragraphs_are_whole_lines_with_topics(fomc: dict[str, ParsedMeeting]) -> None:
    statements = fomc["2025-05-07_fomc-minutes_en.txt"].statements
    by_line = {s.source_line: s for s in statements}
    assert by_line[7].text.startswith("The staff considered the role of stable longer-term")
    assert by_line[7].topic == "Review of Monetary Policy Strategy, Tools, and Communications"
    assert by_line[44].topic == "Staff Economic Outlook"
    assert by_line[72].text.startswith("The Committee seeks to achieve maximum employment")
    assert by_line[238].topic == "Notes"
    assert "Staff Economic Outlook" in fomc["2025-05-07_fomc-minutes_en.txt"].meeting.topics


def test_dissent_is_kept_and_procedural_paragraphs_are_flagged(
    fomc: dict[str, ParsedMeeting],
) -> None:
    by_line = {s.source_line: s for s in fomc["2022-03-16_fomc-minutes_en.txt"].statements}
    assert by_line[165].text.startswith("President Bullard preferred")
    assert not by_line[165].procedural
    assert by_line[170].procedural  # The meeting adjourned at 10:30 a.m.
    assert by_line[168].procedural  # It was agreed that the next meeting ...
    assert 164 not in by_line  # Patrick Harker voted as an alternate member


def test_paragraph_broken_in_the_source_is_rejoined(fomc: dict[str, ParsedMeeting]) -> None:
    by_line = {s.source_line: s for s in fomc["2021-11-03_fomc-minutes_en.txt"].statements}
    assert 107 not in by_line
    assert "faded, or that fiscal policy might provide some support" in by_line[106].text


def test_footnote_continued_over_lines_is_one_statement(fomc: dict[str, ParsedMeeting]) -> None:
    by_line = {s.source_line: s for s in fomc["2021-07-28_fomc-minutes_en.txt"].statements}
    assert by_line[201].text.startswith("5. As announced on June 2, 2021")
    assert "The Federal Register notice," in by_line[201].text
    assert not any(
        s.text.startswith("Attended") or "Attended" in s.text[:6] for s in by_line.values()
    )


@pytest.mark.parametrize(
    ("line", "heading", "paragraph"),
    [
        ("Staff Economic Outlook", True, False),
        ("Review of Monetary Policy Strategy, Tools, and Communications", True, False),
        ("Jerome H. Powell, John C. Williams, Thomas I. Barkin, and Mary C. Daly.", False, False),
        ("Markets Officers, Federal Reserve Bank of New York", True, False),
        ("The meeting adjourned at 10:30 a.m. on March 16, 2022.", False, True),
        ("May 6–7, 2025", False, False),
    ],
)
def test_line_classes(line: str, heading: bool, paragraph: bool) -> None:
    assert is_heading(line) == heading
    assert is_paragraph(line) == paragraph


WRAPPED = """Minutes of the Example Council

Economic Outlook

Members noted that growth had slowed in the first quarter and that
inflation remained above the objective. Several members expected the
slowdown to be temporary.

Members agreed that policy should remain
data dependent.
"""


def test_hard_wrapped_text_gives_one_statement_per_block() -> None:
    [parsed] = parse_english(WRAPPED, "w.txt", "w")
    texts = [s.text for s in parsed.statements]
    assert texts == [
        "Members noted that growth had slowed in the first quarter and that inflation remained"
        " above the objective. Several members expected the slowdown to be temporary.",
        "Members agreed that policy should remain data dependent.",
    ]
    assert [s.source_line for s in parsed.statements] == [5, 9]
    assert {s.topic for s in parsed.statements} == {"Economic Outlook"}


def test_english_detection_and_empty_result() -> None:
    assert looks_like_english("Participants observed that inflation had eased.")
    assert not looks_like_english("日本は、言うなれば経済安全保障上の「赤字国」である。")
    with pytest.raises(ParseError, match="no paragraphs"):
        parse_english("Heading Only\nAnother Heading\n", "e.txt", "e")
