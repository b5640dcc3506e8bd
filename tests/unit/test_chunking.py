"""Splitting statements into passages at sentence boundaries."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.chunking import sentence_spans, split_passages
from indexer.records import Passage
from models.errors import ConfigError


def _check_invariants(text: str, passages: list[Passage], max_chars: int) -> None:
    for ordinal, passage in enumerate(passages):
        assert passage.ordinal == ordinal
        assert passage.text == text[passage.char_start : passage.char_end]
        assert 0 < len(passage.text) <= max_chars
    starts = [p.char_start for p in passages]
    assert starts == sorted(set(starts))


def _covered(text: str, passages: list[Passage]) -> str:
    covered = [False] * len(text)
    for passage in passages:
        for i in range(passage.char_start, passage.char_end):
            covered[i] = True
    return "".join(ch for ch, c in zip(text, covered, strict=True) if not c)


def test_short_statement_is_one_passage() -> None:
    [passage] = split_passages("s1", "日本は「赤字国」である。すなわち、課題がある。")
    assert (passage.statement_id, passage.ordinal, passage.char_start) == ("s1", 0, 0)
    assert passage.text == "日本は「赤字国」である。すなわち、課題がある。"


def test_blank_statement_has_no_passage() -> None:
    assert split_passages("s", "  \n\u3000") == []


def test_japanese_and_english_sentence_boundaries() -> None:
    ja = "第一文です。第二文です！第三文ですか？「引用。」\n改行後"
    assert [ja[a:b] for a, b in sentence_spans(ja)] == [
        "第一文です。",
        "第二文です！",
        "第三文ですか？",
        "「引用。」",
        "改行後",
    ]
    en = 'The U.S. economy grew 2.5 percent. Mr. Powell agreed! Did it? "Yes." Done'
    assert [en[a:b] for a, b in sentence_spans(en)] == [
        "The U.S. economy grew 2.5 percent.",
        "Mr. Powell agreed!",
        "Did it?",
        '"Yes."',
        "Done",
    ]


def test_long_statement_splits_at_sentence_ends_with_one_sentence_overlap() -> None:
    sentences = [f"これは{i:02d}番目の文で、内容が少しあります。" for i in range(40)]
    text = "".join(sentences)
    passages = split_passages("s", text, max_chars=100, overlap_sentences=1)
    _check_invariants(text, passages, 100)
    assert len(passages) > 10
    for passage in passages:
        assert passage.text.endswith("。") and passage.text.startswith("これは")
    for before, after in itertools.pairwise(passages):
        last_sentence = before.text[before.text.rfind("これは") :]
        assert after.text.startswith(last_sentence)  # the overlap
    assert _covered(text, passages) == ""


def test_no_overlap_gives_disjoint_passages() -> None:
    text = "一つ目の文です。" * 50
    passages = split_passages("s", text, max_chars=40, overlap_sentences=0)
    _check_invariants(text, passages, 40)
    for before, after in itertools.pairwise(passages):
        assert before.char_end <= after.char_start
    assert "".join(p.text for p in passages) == text


def test_sentence_longer_than_max_is_cut_into_near_equal_pieces() -> None:
    text = "あ" * 1000 + "。短い文。"
    passages = split_passages("s", text, max_chars=400)
    _check_invariants(text, passages, 400)
    # 1,001 characters in three pieces of 334, 334 and 333; the short sentence joins the last.
    assert [len(p.text) for p in passages] == [334, 334, 333 + len("短い文。")]
    assert _covered(text, passages) == ""


def test_a_long_english_sentence_is_cut_between_words(corpus_dir: Path) -> None:
    path = corpus_dir / "minutes" / "2025-05-07_fomc-minutes_en.txt"
    text = next(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if "less affected by tariffs" in line
    )
    passages = split_passages("s", text, max_chars=400)
    _check_invariants(text, passages, 400)
    assert _covered(text, passages).strip() == ""
    for passage in passages:
        assert passage.char_start == 0 or not text[passage.char_start - 1].isalnum()
        assert passage.char_end == len(text) or not text[passage.char_end].isalnum()
        assert len(passage.text) >= 100


def test_longest_real_diet_speech(corpus_dir: Path) -> None:
    records = json.loads(
        (corpus_dir / "kokkai/meetings/2022-04-15_diet-208_shugiin-keizaisangyo.json").read_text()
    )["speechRecord"]
    text = max((r["speech"] for r in records), key=len).replace("\r\n", "\n")
    passages = split_passages("s", text)
    _check_invariants(text, passages, 400)
    assert len(passages) >= len(text) // 400
    assert all(p.text[-1] in "。？！」）" or p.char_end == len(text) for p in passages)
    assert _covered(text, passages).strip() == ""


@pytest.mark.parametrize(("max_chars", "overlap"), [(0, 1), (-5, 0), (100, -1)])
def test_invalid_settings_are_config_errors(max_chars: int, overlap: int) -> None:
    with pytest.raises(ConfigError):
        split_passages("s", "text.", max_chars=max_chars, overlap_sentences=overlap)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("あいう漢字。！？.?! \nABc1「」"), max_size=600),
    max_chars=st.integers(min_value=1, max_value=120),
    overlap=st.integers(min_value=0, max_value=3),
)
def test_passages_always_cover_the_text_within_bounds(
    text: str, max_chars: int, overlap: int
) -> None:
    passages = split_passages("s", text, max_chars=max_chars, overlap_sentences=overlap)
    _check_invariants(text, passages, max_chars)
    assert _covered(text, passages).strip() == ""
