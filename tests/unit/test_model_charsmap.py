"""A code-point table encoded as a SentencePiece precompiled charsmap normalises like the table.

The ``tokenizers`` library's ``Precompiled`` normaliser is the reader, so these tests check the
Darts double-array we write against the implementation transformers actually uses.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tokenizers import normalizers

from models.charsmap import build_precompiled_charsmap

TABLE = {
    0xFF21: "A",  # Ａ
    0xFF11: "1",  # １
    0xFF08: "(",  # （
    0x3000: " ",  # ideographic space
    0xFF76: "カ",  # half-width ｶ
    0x2460: "1",  # ①
    0x3231: "(株)",  # ㈱
    0xFB01: "fi",  # ﬁ ligature
    0x00AD: "",  # soft hyphen is deleted
    0x1F600: "grin",  # a 4-byte key
}


def _apply(text: str) -> str:
    return "".join(TABLE.get(ord(char), char) for char in text)


def test_mapped_characters_are_replaced_and_others_kept() -> None:
    normalizer = normalizers.Precompiled(build_precompiled_charsmap(TABLE))
    text = "ＡＩと１２（テスト）　ｶﾀ①㈱ﬁx\u00ady\U0001f600"
    assert normalizer.normalize_str(text) == _apply(text)


def test_an_empty_table_changes_nothing() -> None:
    normalizer = normalizers.Precompiled(build_precompiled_charsmap({}))
    assert normalizer.normalize_str("ＡＩ abc") == "ＡＩ abc"


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.integers(min_value=0x21, max_value=0x2FFFF).filter(lambda c: not 0xD800 <= c < 0xE000),
        st.text(alphabet="abcxyz ", max_size=3),
        max_size=40,
    )
)
def test_any_table_round_trips_through_the_tokenizers_normalizer(table: dict[int, str]) -> None:
    normalizer = normalizers.Precompiled(build_precompiled_charsmap(table))
    for code_point, replacement in table.items():
        assert normalizer.normalize_str(chr(code_point)) == replacement
