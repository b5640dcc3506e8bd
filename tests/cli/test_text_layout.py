"""Text layout of the query commands: Japanese counts two columns, nothing is lost in wrapping."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from search_api.cli.text_layout import display_width, format_table, pad, snippet, truncate, wrap

TEXT = st.text(alphabet=st.sampled_from("あいう漢字カナabc xyz、。 ー"), max_size=300)


def test_full_width_characters_take_two_columns() -> None:
    assert display_width("経済abc") == 7
    assert display_width("ＡＢ") == 4


@given(TEXT, st.integers(min_value=10, max_value=120))
def test_wrapped_lines_fit_and_keep_every_character(text: str, width: int) -> None:
    lines = wrap(text, width)

    assert all(display_width(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())


@given(TEXT, st.integers(min_value=2, max_value=80))
def test_truncate_and_pad_never_exceed_the_width(text: str, width: int) -> None:
    assert display_width(truncate(text, width)) <= width
    assert display_width(pad(text, width)) == width


def test_a_snippet_is_one_line_of_about_200_characters() -> None:
    text = "経済安全保障\n\n" * 100

    out = snippet(text)
    assert "\n" not in out
    assert len(out) == 200
    assert out.endswith("…")
    assert snippet("短い 文") == "短い 文"


def test_a_table_keeps_ids_whole_and_moves_titles_under_narrow_rows() -> None:
    rows = [("2023-10-12", 41, "a-very-long-meeting-identifier-that-must-stay-whole", "題名")]

    wide = format_table(("DATE", "N", "ID", "TITLE"), rows, width=120, right=(1,))
    narrow = format_table(("DATE", "N", "ID", "TITLE"), rows, width=60, right=(1,))

    assert wide.splitlines()[1].endswith("題名")
    assert len(narrow.splitlines()) == 4
    assert narrow.splitlines()[3].strip() == "題名"
    assert rows[0][2] in narrow


def test_closing_punctuation_never_starts_a_line() -> None:
    lines = wrap("あ" * 9 + "。次", 18)

    assert lines == ["あ" * 8, "あ。次"]
