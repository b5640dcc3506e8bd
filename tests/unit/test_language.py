"""Language detection: ja or en from the characters of a remark."""

from __future__ import annotations

import pytest

from indexer.language import detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("日本は、言うなれば経済安全保障上の「赤字国」である。", "ja"),
        ("前者は安全保障の領域で、Small yardの世界。", "ja"),
        ("ITサービスについても輸出入管理の視点が必要である。", "ja"),
        ("Participants observed that inflation had eased significantly.", "en"),
        ("The Committee seeks to achieve maximum employment (最大雇用).", "en"),
        ("カタカナ", "ja"),
    ],
)
def test_detects_japanese_and_english(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "12345 %%% ---", "２０２３"])
def test_text_without_letters_gets_the_default(text: str) -> None:
    assert detect_language(text, default="en") == "en"
    assert detect_language(text) == "ja"
