"""The layout rules of indexer.pdf.layout on hand-made lines (no PDF needed)."""

from __future__ import annotations

from indexer.pdf.layout import (
    TextLine,
    drop_running_lines,
    is_furigana,
    join_lines,
    tidy_spaces,
)

RIGHT = 500.0


def line(text: str, y: float, x0: float = 60.0, x1: float | None = None, size: float = 10.0):
    """A line of a page; by default it fills the column (ends at RIGHT)."""
    return TextLine(text, x0, RIGHT if x1 is None else x1, y, size)


def texts(pages: list[list[TextLine]]) -> list[str]:
    return [p.text for p in join_lines(pages)]


def test_japanese_lines_join_without_a_space_english_words_with_one() -> None:
    ja = [
        line("経済安全保障上の「赤字国」である。すなわち、エネルギー自給率の低さ", 700),
        line("、物流の海運への依存。", 684, x1=200),
    ]
    en = [
        line("the Committee ratified the Desk's domestic", 700),
        line("transactions over the period.", 684, x1=250),
    ]
    assert texts([ja]) == [
        "経済安全保障上の「赤字国」である。すなわち、エネルギー自給率の低さ、物流の海運への依存。"
    ]
    assert texts([en]) == [
        "the Committee ratified the Desk's domestic transactions over the period."
    ]


def test_a_hyphen_at_a_line_end_is_removed_unless_the_document_hyphenates_that_word() -> None:
    page = [
        line("prices in the near term, al-", 700),
        line("though supply was longer-", 684),
        line("run, and longer-run goals were affected.", 668, x1=300),
    ]
    assert texts([page]) == [
        "prices in the near term, although supply was longer-run, "
        "and longer-run goals were affected."
    ]


def test_a_short_line_an_indent_a_gap_or_a_bullet_starts_a_new_paragraph() -> None:
    page = [
        line("○落合 孝文（委員）", 760, x1=160),
        line("座長の落合でございます。", 744, x1=180),
        line("私は、去る10月16日に開催されました規制改革推進会議におきまして", 728, x0=70),
        line("座長を拝命いたしました。", 712, x1=190),
        line("論点①当面想定される脅威", 680, x1=200),
        line("- ▶ 日本は、言うなれば経済安全保障上の「赤字国」である。すなわち", 664),
        line("エネルギー自給率の低さ。", 648, x0=80, x1=220),
        line("- ▶ 権威主義国のブロックが拡大しつつあることが脅威である。", 632),
    ]
    assert texts([page]) == [
        "○落合 孝文（委員）",
        "座長の落合でございます。",
        " 私は、去る10月16日に開催されました規制改革推進会議におきまして座長を拝命いたしました。",
        "論点①当面想定される脅威",
        "- ▶ 日本は、言うなれば経済安全保障上の「赤字国」である。すなわちエネルギー自給率の低さ。",
        "- ▶ 権威主義国のブロックが拡大しつつあることが脅威である。",
    ]


def test_a_paragraph_continues_across_a_page_break_past_header_footer_and_page_number() -> None:
    def page(number: int, body: list[TextLine]) -> list[TextLine]:
        return [
            line("有識者会議（議事要旨）", 800, x0=400, size=8),
            *body,
            line(f"- {number} -", 36, x0=280, x1=310, size=9),
        ]

    pages = [
        page(1, [line("- ▶ 目標から逆算して政策を打っていく「演繹的」なアプローチは、経", 700)]),
        page(
            2,
            [
                line("済安全保障政策の文脈ではまだ不十分。", 760, x1=300),
                line("- ▶ 人材の重要性。", 744, x1=200),
            ],
        ),
        page(3, [line("- ▶ 日本の技術に対する期待はある。", 760, x1=300)]),
    ]
    lines = join_lines(drop_running_lines(pages))
    assert [(p.page, p.text) for p in lines] == [
        (
            1,
            "- ▶ 目標から逆算して政策を打っていく「演繹的」なアプローチは、"
            "経済安全保障政策の文脈ではまだ不十分。",
        ),
        (2, "- ▶ 人材の重要性。"),
        (3, "- ▶ 日本の技術に対する期待はある。"),
    ]


def test_english_page_break_after_a_sentence_and_before_a_capital_starts_a_paragraph() -> None:
    pages = [
        [line("conditions eased over the period as expected by participants.", 100)],
        [line("Staff projections were little changed from the forecast.", 760, x1=300)],
        [line("the economy grew.", 760, x1=200)],
    ]
    assert texts(pages) == [
        "conditions eased over the period as expected by participants.",
        "Staff projections were little changed from the forecast. the economy grew.",
    ]


def test_running_lines_are_only_removed_at_the_edges_and_page_numbers_of_any_style() -> None:
    pages = [
        [
            line("Minutes of the FOMC", 800),
            line("Minutes of the FOMC", 780),
            line("Body text", 700),
            line("Page 1 of 3", 40),
        ],
        [line("Minutes of the FOMC", 800), line("Body text two", 700), line("- 2 -", 40)],
        [line("Minutes of the FOMC", 800), line("Body three", 700), line("３", 40)],
    ]
    kept = [[x.text for x in page] for page in drop_running_lines(pages)]
    assert kept == [["Minutes of the FOMC", "Body text"], ["Body text two"], ["Body three"]]


def test_furigana_are_small_kana_and_letter_spacing_is_undone() -> None:
    assert is_furigana("ず", 5.25, 10.5) and is_furigana("ジ", 5.0, 10.5)
    assert not is_furigana("頭", 5.25, 10.5) and not is_furigana("ず", 10.5, 10.5)
    assert tidy_spaces("議 事 要 旨") == "議事要旨"
    assert tidy_spaces("議　事　要　旨") == "議事要旨"
    assert tidy_spaces("落合 孝文（委員）") == "落合 孝文（委員）"
    assert tidy_spaces("日時：　　2023年10月12日") == "日時： 2023年10月12日"
