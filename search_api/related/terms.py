"""More-like-this for BM25: the source's most distinctive terms, and the passages they match.

As in Elasticsearch's ``more_like_this``, a long speech is not sent as a query word for word:
its terms are scored by tf-idf against the index (term frequency in the source times the
term's inverse document frequency over the indexed passages) and only the best
``max_terms`` are kept, each weighted by its tf-idf so the most distinctive words count most.
Terms in fewer than ``min_doc_freq`` passages (typos, names seen once) or in more than
``max_doc_share`` of them (words every remark uses) are left out.  Pure numpy over the
``LexicalIndex`` postings; no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from search_api.lexical import LexicalIndex
from search_api.question_translation import TermGroup


@dataclass(frozen=True, slots=True)
class TermSelection:
    """How the distinctive terms of a source are chosen (Elasticsearch's names where they fit)."""

    max_terms: int = 25
    min_doc_freq: int = 2
    max_doc_share: float = 0.2


@dataclass(frozen=True, slots=True)
class WeightedTerm:
    """One selected term: its index form, the word as written in the source, and its weight."""

    term: str
    surface: str
    weight: float


def document_frequency(index: LexicalIndex, term: str) -> int:
    """Number of indexed passages containing ``term`` (0 when unknown)."""
    column = index.vocabulary.get(term)
    if column is None:
        return 0
    return int(index.indptr[column + 1] - index.indptr[column])


def select_terms(
    pairs: Sequence[tuple[str, str]], index: LexicalIndex, selection: TermSelection
) -> list[WeightedTerm]:
    """The source's best terms by tf-idf, best first; ``pairs`` are its (term, surface) pairs.

    Ties are broken by the term itself, so the selection is deterministic.
    """
    counts = Counter(term for term, _surface in pairs)
    surfaces: dict[str, str] = {}
    for term, surface in pairs:
        surfaces.setdefault(term, surface)
    best = _most_distinctive(counts, lambda term: document_frequency(index, term), index, selection)
    return [WeightedTerm(term, surfaces[term], weight) for weight, term in best]


def _most_distinctive(
    counts: Counter[str],
    frequency_of: Callable[[str], int],
    index: LexicalIndex,
    selection: TermSelection,
) -> list[tuple[float, str]]:
    """``(tf * idf, key)`` of the best keys, best first (ties by key), within the selection's
    document-frequency limits; ``frequency_of`` gives a key's document frequency."""
    scored: list[tuple[float, str]] = []
    for key, tf in counts.items():
        df = frequency_of(key)
        if df < selection.min_doc_freq or df > selection.max_doc_share * index.size:
            continue
        scored.append((tf * index.idf(df), key))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return scored[: selection.max_terms]


def score_passages(index: LexicalIndex, terms: Sequence[WeightedTerm]) -> npt.NDArray[np.float32]:
    """BM25 score of every indexed passage for the weighted terms (0 where none matches).

    Each term's BM25 contribution is multiplied by its weight divided by the best weight, so
    the most distinctive term counts fully (Elasticsearch's ``boost_terms``).
    """
    scores = np.zeros(index.size, dtype=np.float64)
    if not terms:
        return scores.astype(np.float32)
    top = max(t.weight for t in terms) or 1.0
    for weighted in terms:
        column = index.vocabulary[weighted.term]
        start, end = index.indptr[column], index.indptr[column + 1]
        # a term's postings name each passage once, so plain fancy-index addition is exact
        scores[index.rows[start:end]] += index.weights[start:end] * (weighted.weight / top)
    return scores.astype(np.float32)


def select_groups(
    groups: Sequence[TermGroup], index: LexicalIndex, selection: TermSelection
) -> list[TermGroup]:
    """The most distinctive translated words of a source (English text about Japanese
    remarks), chosen as `select_terms` chooses terms, best first.

    A word's frequency is how often it occurs in the source; its document frequency is that
    of its commonest term (a group's passages are at least those).  Words whose commonest
    term is in fewer than ``min_doc_freq`` or more than ``max_doc_share`` of the passages are
    left out.
    """
    counts = Counter(group.source for group in groups)
    by_source = {group.source: group for group in groups}

    def commonest(source: str) -> int:
        return max((document_frequency(index, t) for t in by_source[source].terms), default=0)

    best = _most_distinctive(counts, commonest, index, selection)
    return [by_source[source] for _weight, source in best]
