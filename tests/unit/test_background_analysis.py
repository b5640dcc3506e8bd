"""Background analysis: low-priority worker processes save exactly the counts the search cache
would compute, once per text."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

from indexer.store_schema import content_hash
from search_api.background_analysis import BackgroundAnalysis
from search_api.lexical import Analyzer, count_terms
from search_api.term_counts import TermCountStore


def test_workers_save_the_counts_of_new_texts_once(tmp_path: Path, corpus_dir: Path) -> None:
    path = corpus_dir / "kokkai" / "meetings" / "2022-04-15_diet-208_shugiin-keizaisangyo.json"
    speeches = [r["speech"][:400] for r in json.loads(path.read_text("utf-8"))["speechRecord"]]
    texts = {content_hash(text): text for text in speeches[:30]}
    analyzer = Analyzer()
    store_path = tmp_path / "index" / "search-cache" / "terms.sqlite"

    analysis = BackgroundAnalysis(store_path, analyzer, workers=2)
    analysis(dict(list(texts.items())[:20]))
    analysis(texts)  # the first 20 again: only the 10 new ones are sent
    assert analysis.finish() == 30

    store = TermCountStore.open(store_path, analyzer.version)
    assert store is not None
    assert store.known_hashes() == set(texts)
    assert all(store.get(h) == count_terms(analyzer.analyze(t)) for h, t in texts.items())
    store.close()

    later = BackgroundAnalysis(store_path, analyzer, workers=2)
    later(texts)  # a later update: all saved already, no worker is started
    assert later.finish() == 0


def test_a_cancelled_analysis_stops_its_workers(tmp_path: Path) -> None:
    analysis = BackgroundAnalysis(tmp_path / "terms.sqlite", Analyzer(), workers=1)
    analysis({content_hash(str(n)): f"第{n}回の会議" for n in range(600)})
    assert multiprocessing.active_children()
    analysis.cancel()
    assert not multiprocessing.active_children()
    assert analysis.finish() == 0
