"""English questions in Japanese words: dictionary-based query translation for BM25.

Most remarks are Japanese, so an English question's own words match almost nothing in BM25.
Cross-language retrieval without a translation model has a classic answer: translate the
question word by word with a bilingual dictionary and treat all translations of one English
word as one concept (Pirkola's structured query, SIGIR 1998), so that a word with eight
dictionary senses counts once, at the document frequency of all its translations together,
instead of eight times.  `search_api.lexical.LexicalIndex.score_groups` scores such groups.

This module finds the groups: phrases of up to three words first ("nuclear reactor", "at
risk"), then single words, skipping English function words; a word missing from the
dictionary is tried in simple base forms (plural, past, -ing).  The searcher uses it for
English questions, the related ranking for English sources (`search_api.related.terms.
select_groups` picks their most distinctive words).  No I/O: the dictionary is a mapping
(`models.bilingual_dictionary`) and the analyzer a function passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

MAX_PHRASE_WORDS = 3
MIN_WORD_LENGTH = 3
MAX_TRANSLATIONS = 5
"""Translations kept per word, best first.  A search costs time per translation (each adds
its postings); on the dev set five scored as all of them (docs/evaluation.md)."""
STOP_WORDS = frozenset(
    """a an the of to in on for and or but is are was were be been being do does did how what
    why which who whom whose when where that this these those it its as at by from with into
    so if not no than then there their they them his her he she we you your our us i me my
    can could should would will shall may might must has have had having about over under
    between more most much many some any each other such only own same too very just also
    still both either neither up down out off again further once here all few nor""".split()  # noqa: SIM905
)
"""English function words: never translated on their own (a phrase may hold them)."""
_WORD = re.compile(r"[a-z][a-z\-]*")


@dataclass(frozen=True, slots=True)
class TranslatedWord:
    """One English word or phrase of a question and its Japanese translations, best first."""

    source: str
    translations: tuple[str, ...]


def base_forms(word: str) -> list[str]:
    """``word`` and the base forms it may be inflected from (no dictionary needed)."""
    forms = [word]
    if word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if word.endswith("es"):
        forms.append(word[:-2])
    if word.endswith("s"):
        forms.append(word[:-1])
    if word.endswith("ed"):
        forms += [word[:-2], word[:-1]]
    if word.endswith("ing"):
        forms += [word[:-3], word[:-3] + "e"]
    return forms


def translate_question(
    question: str, dictionary: Mapping[str, tuple[str, ...]]
) -> list[TranslatedWord]:
    """The question's translatable words and phrases, in question order.

    Each keeps its first `MAX_TRANSLATIONS` translations.  At each position the longest
    phrase in the dictionary wins (its last word may be
    inflected: "export limits" finds "export limit"); otherwise the word itself, unless it is
    a function word or shorter than three letters.
    """
    words = _WORD.findall(question.lower())
    found: list[TranslatedWord] = []
    at = 0
    while at < len(words):
        phrase = _phrase_at(words, at, dictionary)
        if phrase is not None:
            key, length = phrase
            found.append(TranslatedWord(key, dictionary[key][:MAX_TRANSLATIONS]))
            at += length
            continue
        word = words[at]
        at += 1
        if word in STOP_WORDS or len(word) < MIN_WORD_LENGTH:
            continue
        for form in base_forms(word):
            if form in dictionary:
                found.append(TranslatedWord(form, dictionary[form][:MAX_TRANSLATIONS]))
                break
    return found


def _phrase_at(
    words: list[str], at: int, dictionary: Mapping[str, tuple[str, ...]]
) -> tuple[str, int] | None:
    for length in range(MAX_PHRASE_WORDS, 1, -1):
        if at + length > len(words):
            continue
        head = words[at : at + length - 1]
        for last in base_forms(words[at + length - 1]):
            key = " ".join([*head, last])
            if key in dictionary:
                return key, length
    return None


@dataclass(frozen=True, slots=True)
class TermGroup:
    """The index terms of one translated word: searched as one concept."""

    source: str
    words: tuple[tuple[str, str], ...]
    """(index term, word as written) pairs of all its translations."""
    translations: tuple[str, ...] = ()
    """The dictionary's translations themselves (what a reader is shown)."""

    @property
    def terms(self) -> tuple[str, ...]:
        """The index terms alone."""
        return tuple(term for term, _word in self.words)


class QuestionTranslator:
    """English questions to groups of Japanese index terms; safe to share across threads."""

    MAX_CACHED = 20_000
    """Translated words whose analysis is kept (a few MB at most)."""

    def __init__(
        self,
        dictionary: Mapping[str, tuple[str, ...]],
        analyze: Callable[[str], list[tuple[str, str]]],
    ) -> None:
        """``analyze`` is the BM25 analyzer (text -> (term, word) pairs), so translations
        become the index's own terms."""
        self._dictionary = dictionary
        self._analyze = analyze
        self._cache: dict[str, TermGroup] = {}

    @property
    def entries(self) -> int:
        """English words and phrases the dictionary translates."""
        return len(self._dictionary)

    def term_groups(self, question: str) -> list[TermGroup]:
        """One group per translated word or phrase of the question (none for no match)."""
        groups = []
        for word in translate_question(question, self._dictionary):
            group = self._cache.get(word.source)
            if group is None:
                # one analysis for all translations: a line break keeps them apart
                pairs = self._analyze("\n".join(word.translations))
                group = TermGroup(word.source, tuple(dict.fromkeys(pairs)), word.translations)
                if len(self._cache) >= self.MAX_CACHED:
                    self._cache.clear()
                self._cache[word.source] = group
            if group.words:
                groups.append(group)
        return groups
