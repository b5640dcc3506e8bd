"""Analysing passages on several processes gives exactly the terms of one process, in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search_api import parallel_analysis
from search_api.lexical import Analyzer, count_terms


def test_worker_processes_return_the_same_terms_in_input_order(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = corpus_dir / "kokkai" / "meetings" / "2022-04-15_diet-208_shugiin-keizaisangyo.json"
    texts = [r["speech"][:600] for r in json.loads(path.read_text("utf-8"))["speechRecord"]]
    texts += ["The Committee decided to keep the target range.", "", "半導体"]
    analyzer = Analyzer(subwords=False, mode="B")
    monkeypatch.setattr(parallel_analysis, "PARALLEL_MIN_TEXTS", 10)
    monkeypatch.setattr(parallel_analysis, "_CHUNK", 7)

    parallel = list(parallel_analysis.analyze_all(analyzer, texts, workers=2))

    assert parallel == [analyzer.analyze(text) for text in texts]
    assert len(parallel) == len(texts) > 10 and any(parallel)


def test_worker_processes_count_the_terms_of_each_text_in_input_order(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = corpus_dir / "kokkai" / "meetings" / "2022-04-15_diet-208_shugiin-keizaisangyo.json"
    texts = [r["speech"][:600] for r in json.loads(path.read_text("utf-8"))["speechRecord"]]
    analyzer = Analyzer()
    monkeypatch.setattr(parallel_analysis, "PARALLEL_MIN_TEXTS", 10)
    monkeypatch.setattr(parallel_analysis, "_CHUNK", 7)

    counted = list(parallel_analysis.count_all(analyzer, texts, workers=2))

    assert counted == [count_terms(analyzer.analyze(text)) for text in texts]
    assert all(length == sum(counts.values()) for length, counts in counted)
