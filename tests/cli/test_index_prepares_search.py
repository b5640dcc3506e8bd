"""`policy-search index` leaves the search cache ready, so the server's start only loads it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from indexer.index_dir import open_index
from indexer.manifest import read_manifest
from indexer.pipeline import PRIMARY_CHANNEL
from indexer.store_schema import content_hash
from models.fake import HashingEmbedder
from search_api.lexical import Analyzer, BM25Parameters, build_lexical_index, count_terms
from search_api.results import SearchMode, SearchRequest
from search_api.search_cache import (
    CACHE_DIRNAME,
    cache_key,
    cached_directory,
    load_derived_data,
    term_counts_path,
)
from search_api.searcher import Searcher
from search_api.term_counts import TermCountStore
from tests.cli_runner import run


def complete_caches(index_dir: Path) -> list[Path]:
    root = index_dir / CACHE_DIRNAME
    if not root.is_dir():
        return []
    return [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]


def test_indexing_builds_the_cache_of_the_new_version_and_the_searcher_only_loads_it(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    first = corpus_dir / "seed"
    code, _, err = run(
        ["index", str(first), "--index", str(index_dir), "--model", "fake", "--no-progress"],
        capsys,
    )
    assert code == 0
    assert "search cache ready" in err
    assert "related-remarks densities ready" in err
    manifest = read_manifest(index_dir)
    assert manifest is not None
    key = cache_key(manifest.version_key, BM25Parameters(), Analyzer().version)
    cache = cached_directory(index_dir, key)
    assert cache is not None and complete_caches(index_dir) == [cache]
    densities = sorted((index_dir / CACHE_DIRNAME).glob("density-*.npz"))
    assert [p.name.split("-")[1] for p in densities] == [PRIMARY_CHANNEL]
    written = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}

    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    searcher = Searcher(open_index(index_dir, embedders), embedders)
    page = searcher.search(SearchRequest("サプライチェーン", mode=SearchMode.LEXICAL))
    searcher.close()
    assert page.hits  # BM25 from the cache answers...
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == written  # ...unrewritten

    # An update makes a new version: its cache replaces the old one, again during `index`.
    second = corpus_dir / "minutes" / "2021-07-28_fomc-minutes_en.txt"
    code, _, _ = run(
        ["index", str(second), "--index", str(index_dir), "--model", "fake", "--no-progress"],
        capsys,
    )
    assert code == 0
    updated = read_manifest(index_dir)
    assert updated is not None and updated.version_key != manifest.version_key
    new_key = cache_key(updated.version_key, BM25Parameters(), Analyzer().version)
    assert complete_caches(index_dir) == [index_dir / CACHE_DIRNAME / new_key]
    replaced = sorted((index_dir / CACHE_DIRNAME).glob("density-*.npz"))
    assert len(replaced) == 1 and replaced != densities  # the new version's, the old one gone


def test_indexing_recommends_an_approximate_index_once_exact_search_outgrows_its_budget(
    tmp_path: Path,
    corpus_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import indexer.vectors

    args = ["index", str(corpus_dir / "seed"), "--index", str(tmp_path / "i"), "--model", "fake"]
    code, _, err = run([*args, "--no-progress"], capsys)
    assert code == 0 and "note:" not in err  # 41 passages: exact search is right
    monkeypatch.setattr(indexer.vectors, "EXACT_SEARCH_MAX_FLOATS", 1000)
    code, _, err = run([*args, "--no-progress"], capsys)
    assert code == 0
    assert "note: channel 'e5' holds 41 vectors" in err
    assert "--kind hnsw" in err


def test_indexing_saves_each_texts_term_counts_and_an_update_analyses_only_new_texts(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    args = ["--index", str(index_dir), "--model", "fake", "--no-progress"]
    assert run(["index", str(corpus_dir / "seed"), *args], capsys)[0] == 0
    analyzer = Analyzer()
    store = TermCountStore.open(term_counts_path(index_dir), analyzer.version)
    assert store is not None
    first = store.known_hashes()
    texts = _passage_texts(index_dir)
    assert first == {content_hash(t) for t in texts} and len(first) > 10
    for text in texts[:5]:  # the saved counts are the analysis itself
        assert store.get(content_hash(text)) == count_terms(analyzer.analyze(text))

    minutes = corpus_dir / "minutes" / "2021-07-28_fomc-minutes_en.txt"
    assert run(["index", str(minutes), *args], capsys)[0] == 0
    after = store.known_hashes()
    store.close()
    assert first < after and after == {content_hash(t) for t in _passage_texts(index_dir)}

    # The BM25 postings built from saved counts equal those of a fresh analysis.
    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    index = open_index(index_dir, embedders)
    try:
        cached, _catalog = load_derived_data(index, analyzer, BM25Parameters())
    finally:
        index.close()
    texts = _passage_texts(index_dir)  # by passage id, the order of `doc_ids`
    fresh = build_lexical_index(cached.doc_ids, [analyzer.analyze(t) for t in texts])
    assert cached.vocabulary == fresh.vocabulary
    assert np.array_equal(cached.rows, fresh.rows)
    assert np.allclose(cached.weights, fresh.weights)


def _passage_texts(index_dir: Path) -> list[str]:
    index = open_index(index_dir, {PRIMARY_CHANNEL: HashingEmbedder()})
    try:
        return [passage.text for _id, passage in index.store.iter_passages()]
    finally:
        index.close()


def test_an_update_searches_only_the_passages_it_touched_for_the_related_densities(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--index", str(tmp_path / "index"), "--model", "fake", "--no-progress"]
    code, _, err = run(["index", str(corpus_dir / "kokkai" / "meetings"), *args], capsys)
    assert code == 0
    everything = _passages_searched(err)
    manifest = read_manifest(tmp_path / "index")
    assert manifest is not None and everything == manifest.counts["passages"]

    code, _, err = run(["index", str(corpus_dir / "seed"), *args], capsys)  # a small addition
    assert code == 0
    searched = _passages_searched(err)
    assert 41 <= searched < everything // 4  # the new passages, and lists that lost one

    code, _, err = run(["index", str(corpus_dir / "seed"), *args], capsys)  # nothing changed
    assert code == 0 and _passages_searched(err) == 0


def _passages_searched(err: str) -> int:
    match = re.search(r"related-remarks densities ready \([0-9.]+s, (\d+) passages searched\)", err)
    assert match, err
    return int(match.group(1))
