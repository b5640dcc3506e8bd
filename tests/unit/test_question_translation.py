"""English questions become groups of Japanese index terms (dictionary query translation)."""

from __future__ import annotations

import pytest

from search_api.lexical import Analyzer
from search_api.question_translation import (
    MAX_TRANSLATIONS,
    QuestionTranslator,
    TranslatedWord,
    base_forms,
    translate_question,
)

DICTIONARY = {
    "nuclear reactor": ("原子炉",),
    "nuclear": ("核", "原子力"),
    "reactor": ("反応器",),
    "maker": ("メーカー", "製造業者"),
    "export limit": ("輸出規制",),
    "export": ("輸出",),
    "semiconductor": ("半導体",),
    "purchase": ("購入", "買収"),
    "at risk": ("危ない",),
    "husband": ("夫", "配偶者", "亭主", "旦那", "主人", "夫君", "婿"),
}


def sources(question: str) -> list[str]:
    return [word.source for word in translate_question(question, DICTIONARY)]


def test_the_longest_phrase_in_the_dictionary_wins() -> None:
    assert translate_question("The nuclear reactor maker", DICTIONARY) == [
        TranslatedWord("nuclear reactor", ("原子炉",)),
        TranslatedWord("maker", ("メーカー", "製造業者")),
    ]
    assert sources("a nuclear maker") == ["nuclear", "maker"]


def test_a_phrase_may_end_in_an_inflected_word() -> None:
    assert sources("Should export limits go?") == ["export limit"]


def test_inflected_words_are_found_by_their_base_form() -> None:
    assert sources("semiconductors purchased") == ["semiconductor", "purchase"]
    assert "semiconductor" in base_forms("semiconductors")
    assert "purchase" in base_forms("purchasing")


def test_function_words_and_short_words_are_not_translated() -> None:
    assert sources("is it at the of an ox") == []
    # a phrase of function words still counts as a whole phrase ("at risk")
    assert sources("Is its reputation at risk?") == ["at risk"]


def test_words_keep_their_first_translations_only() -> None:
    (husband,) = translate_question("husband", DICTIONARY)
    assert husband.translations == DICTIONARY["husband"][:MAX_TRANSLATIONS]
    assert len(DICTIONARY["husband"]) > MAX_TRANSLATIONS


def test_words_missing_from_the_dictionary_are_left_out() -> None:
    assert sources("ride-hailing semiconductor") == ["semiconductor"]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_translations_become_the_index_terms_of_the_analyzer(analyzer: Analyzer) -> None:
    translator = QuestionTranslator(DICTIONARY, analyzer.analyze_with_surfaces)
    groups = translator.term_groups("nuclear reactor makers and semiconductors")
    assert [g.source for g in groups] == ["nuclear reactor", "maker", "semiconductor"]
    reactor, maker, chips = groups
    assert "原子炉" in reactor.terms
    assert set(maker.terms) >= set(analyzer.analyze("メーカー")) | set(analyzer.analyze("製造業者"))
    assert chips.words[0] == ("半導体", "半導体")


def test_each_word_is_analysed_once_however_often_it_is_asked(analyzer: Analyzer) -> None:
    calls: list[str] = []

    def counting(text: str) -> list[tuple[str, str]]:
        calls.append(text)
        return analyzer.analyze_with_surfaces(text)

    translator = QuestionTranslator(DICTIONARY, counting)
    first = translator.term_groups("semiconductor exports")
    again = translator.term_groups("Semiconductors and export")
    assert [g.source for g in first] == [g.source for g in again] == ["semiconductor", "export"]
    assert len(calls) == 2


def test_an_english_question_without_dictionary_words_has_no_groups(analyzer: Analyzer) -> None:
    translator = QuestionTranslator(DICTIONARY, analyzer.analyze_with_surfaces)
    assert translator.term_groups("What did the FOMC say?") == []
