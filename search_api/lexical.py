"""Lexical matching: word analysis for Japanese and English, and BM25 over passages.

The same `Analyzer` turns passages and questions into terms, so a question matches exactly the
words a passage was indexed under.  Japanese runs go through Sudachi (split mode C, content
words by their normalised form) and each compound is also indexed under its mode-A parts, so a
short query such as ``日経平均株価`` still matches; Latin-script runs become lowercase English
words minus a small stopword list.

`LexicalIndex` is a plain BM25 index (numpy arrays, no I/O); `search_api.lexical_cache` saves
and loads it.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from models.errors import ConfigError

ANALYZER_VERSION = "sudachi-c+a-en-v1"
"""Changes whenever `Analyzer` would produce different terms; part of the on-disk cache key."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006\u30fc]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:'[A-Za-z]+)?|[0-9]+[A-Za-z][A-Za-z0-9]*")
_ASCII = re.compile(r"^[\x00-\x7f]+$")
_SENTENCE_END = re.compile(r"(?<=[。．！？\n])")
_MAX_SUDACHI_CHARS = 4000
"""Sudachi refuses inputs over ~49 KB; passages are far shorter, long questions are cut up."""

_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
_EXCLUDED_POS_DETAIL = frozenset({"数詞", "代名詞", "非自立可能"})
_JA_STOPWORDS = frozenset(
    {
        "する", "ある", "いる", "なる", "できる", "れる", "られる", "おる", "いう", "言う",
        "思う", "いただく", "くださる", "こと", "もの", "ため", "よう", "とき", "ところ",
        "方", "等", "的", "上", "中", "点", "件", "御", "様", "さん", "君",
        "つく", "関する", "対する", "よる", "於く", "おく",
    }
)  # fmt: skip
_EN_STOPWORDS = frozenset(
    """a an and are as at be been being but by can could did do does for from had has have
    how i if in into is it its of on or our should so than that the their them then there
    these they this those to was we were what when where which while who why will with would
    you your not no about also more most such over under between after before during s""".split()  # noqa: SIM905
)


def question_language(text: str) -> str:
    """``ja`` when the text contains any kana or kanji, else ``en``.

    Questions are short, so any Japanese script is decisive; fusion and the language prior use
    this to decide whether lexical matching can help at all.
    """
    return "ja" if _CJK.search(text) else "en"


def _english_stem(word: str) -> str:
    """A deliberately light stemmer: plurals and possessives only (keeps terms readable)."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def english_pairs(text: str) -> list[tuple[str, str]]:
    """(term, word) for the English words of ``text`` (already NFKC-normalised)."""
    pairs = []
    for match in _LATIN_WORD.finditer(text):
        word = match.group()
        lower = word.lower()
        if lower not in _EN_STOPWORDS and len(lower) > 1:
            pairs.append((_english_stem(lower), word))
    return pairs


def english_terms(text: str) -> list[str]:
    """Lowercase, lightly stemmed English words of ``text``, minus stopwords."""
    return [term for term, _word in english_pairs(text)]


@functools.lru_cache(maxsize=64)
def folded_text(text: str) -> tuple[str, str]:
    """``text`` in NFKC and the same in lower case.

    Cached: a page of related remarks looks for words in its source text (up to 31,000
    characters for a Diet speech) twice per result, and normalising it is most of the cost.
    """
    normalised = unicodedata.normalize("NFKC", text)
    return normalised, normalised.lower()


def found_words(text: str, words: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The question's words that occur in ``text``, as written there, in text order.

    ``words`` are the question's (term, word) pairs from `Analyzer.analyze_with_surfaces`; a
    word is found when it, or its normalised term, occurs in the text (case-insensitively).
    Substring search instead of analysing the passage keeps a highlight under a millisecond.
    """
    normalised, folded = folded_text(text)
    found: dict[int, str] = {}
    for term, word in words:
        for candidate in dict.fromkeys((word.lower(), term.lower())):
            position = folded.find(candidate) if len(candidate) > 1 else -1
            if position >= 0:
                found.setdefault(position, normalised[position : position + len(candidate)])
                break
    return tuple(dict.fromkeys(found[p] for p in sorted(found)))


def _sudachi_chunks(text: str) -> Iterable[str]:
    """Cut text at sentence ends into pieces Sudachi accepts."""
    if len(text) <= _MAX_SUDACHI_CHARS:
        yield text
        return
    piece = ""
    for sentence in _SENTENCE_END.split(text):
        if len(piece) + len(sentence) > _MAX_SUDACHI_CHARS and piece:
            yield piece
            piece = ""
        while len(sentence) > _MAX_SUDACHI_CHARS:
            yield sentence[:_MAX_SUDACHI_CHARS]
            sentence = sentence[_MAX_SUDACHI_CHARS:]
        piece += sentence
    if piece:
        yield piece


class Analyzer:
    """Turns text into index terms; one instance per process (it holds a Sudachi tokenizer).

    ``mode`` is Sudachi's split mode for words (C: longest units); ``subwords`` adds the mode-A
    parts of each compound, so partial and short queries match.  The tokenizer is created in
    the constructor, never at import.
    """

    def __init__(self, subwords: bool = True, mode: str = "C") -> None:
        from sudachipy import Dictionary, SplitMode

        modes = {"A": SplitMode.A, "B": SplitMode.B, "C": SplitMode.C}
        if mode not in modes:
            raise ConfigError(f"unknown Sudachi split mode {mode!r}; valid: 'A', 'B', 'C'")
        self._tokenizer = Dictionary(dict="core").tokenizer()
        self.settings = (subwords, mode)
        """The constructor's arguments: another process builds the same analyzer from them."""
        self._mode = modes[mode]
        self._mode_a = SplitMode.A
        self._subwords = subwords
        self.version = f"{ANALYZER_VERSION}-{mode}{'+sub' if subwords else ''}"
        """Identifies the terms this analyzer produces (part of the lexical cache key)."""
        self._split_buffer = self._tokenizer.tokenize("")
        """Reused by every mode-A split (Sudachi's ``out`` parameter): no list per morpheme."""
        self._content_pos: dict[int, bool] = {}
        """Part-of-speech id -> whether it is a content word (a few hundred ids are seen)."""

    def analyze(self, text: str) -> list[str]:
        """All index terms of ``text`` in order (repeats kept: BM25 counts them)."""
        return [term for term, _surface in self.analyze_with_surfaces(text)]

    def analyze_with_surfaces(self, text: str) -> list[tuple[str, str]]:
        """Each index term with the (NFKC-normalised) word it came from, in order."""
        text = unicodedata.normalize("NFKC", text)
        pairs = english_pairs(text)
        if _CJK.search(text):
            for chunk in _sudachi_chunks(text):
                pairs.extend(self._japanese_pairs(chunk))
        return pairs

    def matched_words(self, text: str, terms: Iterable[str]) -> tuple[str, ...]:
        """The words of ``text`` that match any of ``terms``, once each, in text order.

        This is what a highlight shows: the query's terms as they are written in the passage.
        """
        wanted = set(terms)
        found = (surface for term, surface in self.analyze_with_surfaces(text) if term in wanted)
        return tuple(dict.fromkeys(found))

    def _japanese_pairs(self, text: str) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        content_term = self._content_term
        for morpheme in self._tokenizer.tokenize(text, self._mode):
            term = content_term(morpheme)
            if term is None:
                continue
            pairs.append((term, morpheme.surface()))
            if self._subwords:
                parts = morpheme.split(self._mode_a, out=self._split_buffer)
                if len(parts) > 1:
                    for part in parts:
                        sub = content_term(part)
                        if sub and sub != term:
                            pairs.append((sub, part.surface()))
        return pairs

    def _content_term(self, morpheme: Any) -> str | None:
        """The normalised form of a Japanese content word, or None for everything else."""
        pos_id = morpheme.part_of_speech_id()
        content = self._content_pos.get(pos_id)
        if content is None:
            pos = morpheme.part_of_speech()
            content = pos[0] in _CONTENT_POS and pos[1] not in _EXCLUDED_POS_DETAIL
            self._content_pos[pos_id] = content
        if not content or _ASCII.match(morpheme.surface()):
            return None  # Latin words come from english_terms
        term = str(morpheme.normalized_form())
        if term in _JA_STOPWORDS or (len(term) == 1 and "\u3040" <= term <= "\u309f"):
            return None
        return term


@dataclass(frozen=True, slots=True)
class BM25Parameters:
    """Okapi BM25 constants; ``b`` normalises by passage length."""

    k1: float = 1.2
    b: float = 0.75


@dataclass(frozen=True, slots=True)
class LexicalIndex:
    """BM25 over documents (passages) identified by int64 ids.

    Postings are stored per term (CSR): ``indptr[t]:indptr[t+1]`` slices ``rows`` (positions in
    ``doc_ids``) and ``weights`` (the precomputed BM25 contribution of term t to that row).
    """

    vocabulary: dict[str, int]
    doc_ids: npt.NDArray[np.int64]
    indptr: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float32]

    @property
    def size(self) -> int:
        """Number of documents."""
        return int(self.doc_ids.shape[0])

    def score_rows(self, terms: Sequence[str]) -> npt.NDArray[np.float32]:
        """BM25 score of every row for the (de-duplicated) query terms; 0 where none match."""
        columns = [self.vocabulary[t] for t in dict.fromkeys(terms) if t in self.vocabulary]
        if not columns:
            return np.zeros(self.size, dtype=np.float32)
        rows = np.concatenate([self.rows[self.indptr[c] : self.indptr[c + 1]] for c in columns])
        weights = np.concatenate(
            [self.weights[self.indptr[c] : self.indptr[c + 1]] for c in columns]
        )
        return np.bincount(rows, weights=weights, minlength=self.size).astype(np.float32)

    def score_groups(self, groups: Sequence[Sequence[str]]) -> npt.NDArray[np.float32]:
        """BM25 score of every row for groups of synonymous terms (a structured query).

        Each group counts as one term (Pirkola, SIGIR 1998): in a row, its best term's
        term-frequency part, times the idf of the group's document frequency, i.e. of the
        rows holding any of its terms.  So a group of a common word and a rare mistranslation
        weighs like the common word, and a row with two terms of a group scores once.
        """
        scores = np.zeros(self.size, dtype=np.float32)
        best = np.zeros(self.size, dtype=np.float32)  # each row's best tf part, per group
        for group in groups:
            columns = [self.vocabulary[t] for t in dict.fromkeys(group) if t in self.vocabulary]
            if len(columns) == 1:  # the group's idf is the term's: its weights as they are
                start, end = self.indptr[columns[0]], self.indptr[columns[0] + 1]
                scores[self.rows[start:end]] += self.weights[start:end]
                continue
            touched = []
            union = 0  # rows holding any term of the group: counted where first seen
            for column in columns:
                start, end = self.indptr[column], self.indptr[column + 1]
                rows = self.rows[start:end]
                parts = self.weights[start:end] / np.float32(self.idf(end - start))
                seen = best[rows]
                union += int(np.count_nonzero(seen == 0))  # every tf part is positive
                best[rows] = np.maximum(seen, parts)
                touched.append(rows)
            # on the postings only, not on every row: each row is added once (then zeroed)
            idf = np.float32(self.idf(union))
            for rows in touched:
                scores[rows] += best[rows] * idf
                best[rows] = 0.0
        return scores

    def idf(self, document_frequency: int) -> float:
        """BM25's idf of a term in that many documents, as the postings' weights were built
        with (`_postings`, which computes it for every term at once)."""
        documents = max(self.size, 1)
        return math.log(1.0 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))

    def search(
        self,
        terms: Sequence[str],
        k: int,
        allowed_ids: npt.NDArray[np.int64] | None = None,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
        """The ``k`` best documents with a positive score, FAISS-style ``(D, I)`` (1-D here).

        ``allowed_ids`` restricts the search itself (ids outside it never appear).  Ties are
        broken by ascending id so results are deterministic.
        """
        scores = self.score_rows(terms)
        candidates = np.flatnonzero(scores > 0)
        if allowed_ids is not None:
            candidates = candidates[np.isin(self.doc_ids[candidates], allowed_ids)]
        if candidates.size == 0 or k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        ids = self.doc_ids[candidates]
        order = np.lexsort((ids, -scores[candidates]))[:k]
        return scores[candidates][order], ids[order]


TermCounts = tuple[int, dict[str, int]]
"""One analysed document: its number of terms and how often each distinct term occurs."""


def count_terms(terms: Sequence[str]) -> TermCounts:
    """What BM25 keeps of an analysed document (term order is not needed)."""
    return len(terms), dict(Counter(terms))


def build_lexical_index(
    doc_ids: Sequence[int] | npt.NDArray[np.int64],
    documents: Iterable[Sequence[str]],
    parameters: BM25Parameters | None = None,
) -> LexicalIndex:
    """Build BM25 postings from analysed documents (one term list per id, same order)."""
    return build_lexical_index_from_counts(doc_ids, map(count_terms, documents), parameters)


def build_lexical_index_from_counts(
    doc_ids: Sequence[int] | npt.NDArray[np.int64],
    documents: Iterable[TermCounts],
    parameters: BM25Parameters | None = None,
) -> LexicalIndex:
    """Build BM25 postings from `count_terms` of each document (one per id, same order).

    Columns are numbered in order of first occurrence; each term's rows stay ascending (a
    stable sort of the flat (column, row) pairs), so the postings do not depend on how the
    counting was spread over processes.
    """
    params = parameters or BM25Parameters()
    ids = np.asarray(doc_ids, dtype=np.int64)
    vocabulary: dict[str, int] = {}
    column_of = vocabulary.setdefault
    columns: list[int] = []
    rows: list[int] = []
    counts: list[int] = []
    lengths = np.zeros(ids.shape[0], dtype=np.float64)
    row = -1
    for row, (length, term_counts) in enumerate(documents):
        lengths[row] = length
        columns.extend([column_of(term, len(vocabulary)) for term in term_counts])
        counts.extend(term_counts.values())
        rows.extend([row] * len(term_counts))
    if row + 1 != ids.shape[0]:
        raise ValueError(f"{ids.shape[0]} ids but {row + 1} documents")
    column_array = np.array(columns, dtype=np.int64)
    order = np.argsort(column_array, kind="stable")
    sizes = np.bincount(column_array, minlength=len(vocabulary))
    postings = (
        sizes,
        np.array(rows, dtype=np.int32)[order],
        np.array(counts, dtype=np.float64)[order],
    )
    return _postings(vocabulary, ids, lengths, postings, params)


def _postings(
    vocabulary: dict[str, int],
    ids: npt.NDArray[np.int64],
    lengths: npt.NDArray[np.float64],
    postings: tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.float64]],
    params: BM25Parameters,
) -> LexicalIndex:
    """BM25 weights from per-term sizes and the (row, term frequency) pairs sorted by term."""
    sizes, rows, tf = postings
    n_docs = max(ids.shape[0], 1)
    average = float(lengths.mean()) if lengths.size and lengths.mean() > 0 else 1.0
    indptr = np.zeros(sizes.shape[0] + 1, dtype=np.int64)
    np.cumsum(sizes, out=indptr[1:])
    idf = np.log(1.0 + (n_docs - sizes + 0.5) / (sizes + 0.5))
    norm = params.k1 * (1.0 - params.b + params.b * lengths[rows] / average)
    weights = np.repeat(idf, sizes) * tf * (params.k1 + 1.0) / (tf + norm)
    return LexicalIndex(vocabulary, ids, indptr, rows, weights.astype(np.float32))
