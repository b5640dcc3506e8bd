"""English questions reach Japanese remarks through BM25, by dictionary translation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import cast

from fastapi.testclient import TestClient

from indexer.index_dir import open_index
from search_api.python_api import open_searcher
from search_api.related.reasons import RelatedHit
from search_api.results import SearchMode, SearchRequest
from search_api.searcher import SearchableIndex, Searcher

QUESTION = "semiconductors"


def lexical(searcher: Searcher, question: str) -> list[tuple[str, str, tuple[str, ...]]]:
    page = searcher.search(SearchRequest(question, limit=10, mode=SearchMode.LEXICAL))
    return [(h.statement.language, h.statement.text, h.highlight.terms) for h in page.hits]


def test_an_english_question_finds_japanese_remarks_in_their_words(small_index: Path) -> None:
    hits = lexical(open_searcher(small_index, model="fake"), QUESTION)
    japanese = [(text, terms) for language, text, terms in hits if language == "ja"]
    assert len(japanese) >= 3
    for text, terms in japanese:
        assert "半導体" in text
        assert "半導体" in terms  # the translation is highlighted where it matched


def test_without_a_dictionary_english_words_match_english_minutes_only(
    small_index: Path,
) -> None:
    searcher = Searcher(cast(SearchableIndex, open_index(small_index)), {}, dictionary=None)
    assert all(language == "en" for language, _text, _terms in lexical(searcher, QUESTION))


def test_japanese_questions_are_not_translated(small_index: Path) -> None:
    with_dictionary = lexical(open_searcher(small_index, model="fake"), "半導体の国内供給")
    without = lexical(
        Searcher(cast(SearchableIndex, open_index(small_index)), {}, dictionary=None),
        "半導体の国内供給",
    )
    assert with_dictionary == without


def test_the_api_searches_english_questions_with_the_dictionary(client: TestClient) -> None:
    found = client.get("/search", params={"q": QUESTION, "mode": "lexical", "limit": 5}).json()
    assert [hit["language"] for hit in found["results"]].count("ja") >= 3


ARTICLE = (
    "Secret patents: an invention whose publication would harm national security may be kept "
    "secret, and the inventor receives compensation for the loss."
)


def about_patents(hits: Sequence[RelatedHit]) -> list[bool]:
    return [
        hit.statement.language == "ja"
        and ("特許" in hit.statement.text or "発明" in hit.statement.text)
        for hit in hits
    ]


def test_an_english_text_finds_related_japanese_remarks_by_translation(
    small_index: Path,
) -> None:
    """More-like-this also searches the text's distinctive words translated (特許, 発明)."""
    searcher = open_searcher(small_index, model="fake")
    translated = about_patents(searcher.related_text(ARTICLE, limit=6).hits)
    searcher.related_finder.translator = None
    untranslated = about_patents(searcher.related_text(ARTICLE, limit=6).hits)
    assert translated[0]
    assert not any(untranslated)


def test_the_reason_names_each_translation_in_both_texts(client: TestClient) -> None:
    """The English word is the source's, its translation is written in the result."""
    found = client.post("/related", json={"q": ARTICLE, "limit": 10, "text": "full"}).json()
    translated = [hit for hit in found["results"] if hit["reason"]["translations"]]
    assert translated
    for hit in translated:
        for pair in hit["reason"]["translations"]:
            assert pair["source"].split()[0] in ARTICLE.lower()
            assert pair["term"] in hit["text"]
    english_sources = [h for h in found["results"] if h["language"] == "en"]
    assert all(not h["reason"]["translations"] for h in english_sources)


def test_the_response_says_which_words_were_also_searched_in_japanese(
    client: TestClient,
) -> None:
    english = client.get("/search", params={"q": "semiconductors and export controls"}).json()
    assert english["translations"][0] == {"source": "semiconductor", "terms": ["半導体"]}
    assert [t["source"] for t in english["translations"]][1:] == ["export", "control"]
    japanese = client.get("/search", params={"q": "半導体の輸出管理"}).json()
    assert japanese["translations"] == []
    semantic = client.get("/search", params={"q": "semiconductors", "mode": "semantic"}).json()
    assert semantic["translations"] == []  # BM25 did not run


def test_health_reports_the_dictionary_english_questions_are_translated_with(
    client: TestClient, small_index: Path
) -> None:
    translation = client.get("/health").json()["translation"]
    assert translation["dictionary"] == "JMdict"
    assert translation["entries"] > 30_000
    without = Searcher(cast(SearchableIndex, open_index(small_index)), {}, dictionary=None)
    assert without.health().translation_entries == 0
