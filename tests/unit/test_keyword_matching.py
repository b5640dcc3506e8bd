"""Keyword matching for themes: one Aho-Corasick pass, with the regular expression's choices."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.themes.keyword_matching import KeywordFinder
from indexer.themes.tagging import keyword_idf, normalise_text
from indexer.themes.taxonomy import builtin_cap


def _regex_matches(keywords: list[str], text: str) -> list[str]:
    """The reference: one alternation, longest keyword first, Latin keywords as whole words."""
    parts = [
        rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])" if k.isascii() else re.escape(k)
        for k in sorted(set(keywords), key=len, reverse=True)
    ]
    return re.findall("|".join(parts), text)


def test_the_longest_keyword_wins_at_a_position_and_matches_never_overlap() -> None:
    finder = KeywordFinder(["経済", "経済安全保障", "安全保障", "保障"])
    assert finder.matches("経済安全保障と安全保障") == ["経済安全保障", "安全保障"]
    assert finder.present("経済安全保障") == {"経済", "経済安全保障", "安全保障", "保障"}


def test_latin_keywords_match_whole_words_only() -> None:
    finder = KeywordFinder(["tax", "gdp", "税"])
    assert finder.matches("taxi tax, gdp2 gdp 税制") == ["tax", "gdp", "税"]
    assert KeywordFinder([]).matches("anything") == []


def test_the_real_theme_keywords_match_as_the_regular_expression_did(corpus_dir: Path) -> None:
    keywords = sorted(
        {normalise_text(k) for theme in builtin_cap().themes for k in theme.keywords if k.strip()}
    )
    assert len(keywords) > 100
    finder = KeywordFinder(keywords)
    texts = []
    for path in sorted((corpus_dir / "kokkai" / "meetings").glob("*.json"))[:8]:
        records = json.loads(path.read_text(encoding="utf-8"))["speechRecord"]
        texts += [normalise_text(record["speech"]) for record in records]
    texts += [
        normalise_text(p.read_text(encoding="utf-8"))
        for p in (corpus_dir / "minutes").glob("*en.txt")
    ]
    matched = 0
    for text in texts:
        expected = _regex_matches(keywords, text)
        assert finder.matches(text) == expected
        matched += len(expected)
    assert matched > 1000


@pytest.mark.parametrize("text", ["税制と税", "the tax rate", "nothing here"])
def test_keyword_idf_counts_each_text_once_per_keyword(text: str) -> None:
    weights = keyword_idf([text, "税", "tax"], [["税", "tax"], ["  ", "rate"]])
    present = {"税": "税" in text, "tax": "tax" in text.split(), "rate": "rate" in text}
    import math

    def idf(df: int) -> float:
        return round(math.log(3 / df), 4) if df else round(math.log(3), 4)

    assert weights == (
        (idf(1 + present["税"]), idf(1 + present["tax"])),
        (idf(0), idf(int(present["rate"]))),
    )
