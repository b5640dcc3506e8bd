"""Saved term counts: read back instead of analysing again, and never trusted over a fresh
analysis when a row is damaged."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from indexer.store_schema import content_hash
from search_api.lexical import Analyzer, count_terms
from search_api.term_counts import TermCountStore, counted_in_order


class RefusingAnalyzer(Analyzer):
    """Fails on any text: proves a pass read every count from the store."""

    def analyze(self, text: str) -> list[str]:
        raise AssertionError(f"analysed again: {text[:30]!r}")


@pytest.fixture(scope="module")
def texts(corpus_dir: Path) -> list[str]:
    path = corpus_dir / "kokkai" / "meetings" / "2022-04-15_diet-208_shugiin-keizaisangyo.json"
    speeches = [r["speech"][:500] for r in json.loads(path.read_text("utf-8"))["speechRecord"]]
    return [*speeches[:20], speeches[0], "Inflation remained elevated."]  # one text twice


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def open_store(path: Path, analyzer: Analyzer) -> TermCountStore:
    store = TermCountStore.open(path, analyzer.version)
    assert store is not None
    return store


def test_counts_are_saved_once_and_read_back_without_analysing(
    tmp_path: Path, texts: list[str], analyzer: Analyzer
) -> None:
    expected = [count_terms(analyzer.analyze(text)) for text in texts]
    store = open_store(tmp_path / "terms.sqlite", analyzer)

    assert list(counted_in_order(analyzer, texts, store)) == expected
    assert store.known_hashes() == {content_hash(text) for text in texts}

    refusing = RefusingAnalyzer()
    again = open_store(tmp_path / "terms.sqlite", refusing)
    assert again.analyzer_version == analyzer.version
    assert list(counted_in_order(refusing, texts, again)) == expected


def test_a_damaged_row_is_analysed_again(
    tmp_path: Path, texts: list[str], analyzer: Analyzer
) -> None:
    path = tmp_path / "terms.sqlite"
    store = open_store(path, analyzer)
    list(counted_in_order(analyzer, texts, store))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE term_counts SET counts = '{broken' WHERE content_hash = ?",
                   (content_hash(texts[3]),))  # fmt: skip

    assert store.get(content_hash(texts[3])) is None
    counted = list(counted_in_order(analyzer, texts, store))
    assert counted[3] == count_terms(analyzer.analyze(texts[3]))


def test_another_analyzer_version_does_not_see_the_counts_and_prunes_them(
    tmp_path: Path, texts: list[str], analyzer: Analyzer
) -> None:
    path = tmp_path / "terms.sqlite"
    list(counted_in_order(analyzer, texts, open_store(path, analyzer)))
    other = Analyzer(subwords=False)

    store = open_store(path, other)
    assert store.known_hashes() == set()
    assert list(counted_in_order(other, texts[:3], store)) == [
        count_terms(other.analyze(text)) for text in texts[:3]
    ]
    assert open_store(path, analyzer).known_hashes() == set()  # the old version's rows went


def test_texts_no_longer_indexed_are_pruned_once_they_are_many(
    tmp_path: Path, texts: list[str], analyzer: Analyzer
) -> None:
    store = open_store(tmp_path / "terms.sqlite", analyzer)
    list(counted_in_order(analyzer, texts, store))
    kept = texts[:-1]  # one stale text of 21: kept, not worth a delete
    list(counted_in_order(analyzer, kept, store))
    assert content_hash(texts[-1]) in store.known_hashes()

    few = texts[:5]  # 16 stale texts for 5 current ones: removed
    list(counted_in_order(analyzer, few, store))
    assert store.known_hashes() == {content_hash(text) for text in few}


def test_without_a_writable_place_everything_is_analysed(
    tmp_path: Path, texts: list[str], analyzer: Analyzer
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    assert TermCountStore.open(blocker / "terms.sqlite", analyzer.version) is None
    assert list(counted_in_order(analyzer, texts[:4], None)) == [
        count_terms(analyzer.analyze(text)) for text in texts[:4]
    ]
