"""Splitting a statement into passages for embedding.

The embedding model reads at most 512 tokens, and Diet speeches reach 31,000 characters, so
long statements are cut into passages of about ``max_chars`` characters at sentence
boundaries (Japanese ``。！？``, English ``.?!`` before a space and a capital, line breaks).
Consecutive passages share ``overlap_sentences`` sentences so a thought cut at a boundary is
still whole in one of them.  A sentence longer than ``max_chars`` is cut hard.  Each passage
carries its character offsets into the statement text (``text[char_start:char_end]``).
"""

from __future__ import annotations

import re

from indexer.records import Passage
from models.errors import ConfigError

_ABBREVIATIONS = r"(?<![A-Z])(?<!Mr)(?<!Ms)(?<!Dr)(?<!Mrs)(?<!St)(?<!No)"
_SENTENCE_BREAK = re.compile(
    # Japanese full stops and question/exclamation marks, with closing brackets and quotes
    r"[。！？!?][」』）)\"'’”]*"
    # a full stop ending an English sentence: then a space and a capital, or the end
    rf"|{_ABBREVIATIONS}\.[\"'’”)]*(?=\s+[\"'“‘(]?[A-Z0-9]|\s*$)"
    r"|\n+"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, leading/trailing whitespace excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        _add_span(text, start, match.end(), spans)
        start = match.end()
    _add_span(text, start, len(text), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


_SOFT_BREAK = re.compile(r"[\s、，,;；:：]")
"""Where an over-long sentence may be cut: after a space or a comma-like mark."""


def _hard_split(spans: list[tuple[int, int]], text: str, max_chars: int) -> list[tuple[int, int]]:
    """Cut sentences longer than ``max_chars`` into near-equal pieces, at soft breaks if any.

    Equal pieces avoid a tiny tail passage; cutting after a space or comma keeps English words
    whole (a cut at exactly ``max_chars`` left passages such as "o be less affected by ...").
    """
    result: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > max_chars:
            pieces = -(-(end - start) // max_chars)
            target = start + -(-(end - start) // pieces)
            cut = _soft_cut(text, start, target)
            _add_span(text, start, cut, result)
            start = cut
            while start < end and text[start].isspace():
                start += 1
        if start < end:
            result.append((start, end))
    return result


def _soft_cut(text: str, start: int, target: int) -> int:
    """The end of the last soft break in the second half of ``text[start:target]``, else target."""
    window_start = start + (target - start) // 2
    best = target
    for match in _SOFT_BREAK.finditer(text, window_start, target):
        best = match.end()
    return best


def split_passages(
    statement_id: str, text: str, max_chars: int = 400, overlap_sentences: int = 1
) -> list[Passage]:
    """Split a statement's text into passages of at most ``max_chars`` characters.

    Short text gives one passage covering it all; blank text gives none.  Ordinals count from 0.
    """
    if max_chars < 1:
        raise ConfigError(f"max_chars must be at least 1, got {max_chars}")
    if overlap_sentences < 0:
        raise ConfigError(f"overlap_sentences must be 0 or more, got {overlap_sentences}")
    spans = _hard_split(sentence_spans(text), text, max_chars)
    if not spans:
        return []
    passages: list[Passage] = []
    first = 0
    while first < len(spans):
        last = first
        while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= max_chars:
            last += 1
        start, end = spans[first][0], spans[last][1]
        passages.append(Passage(statement_id, len(passages), text[start:end], start, end))
        if last + 1 >= len(spans):
            break
        first = max(first + 1, last + 1 - overlap_sentences)
    return passages
