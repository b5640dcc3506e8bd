"""Finding a theme model's keywords in statements: one Aho-Corasick pass over each text.

The themes' keyword lists hold hundreds of words. One regular expression alternating over all of
them made Python's ``re`` try every keyword at every character, and on the 54,066-speech pool
that scan took about 90 s of a whole-pool build (profiled). An Aho-Corasick automaton
(``pyahocorasick``) finds every occurrence of every keyword in one pass over the text; the
choice among overlapping occurrences is then made exactly as the regular expression made it:
leftmost first, at one position the longest keyword, no overlap with the previous choice, and
keywords in Latin letters or digits only as whole words (``tax`` not in ``taxi``).

Texts and keywords are expected normalised already (``tagging.normalise_text``).
"""

from __future__ import annotations

from collections.abc import Iterable

WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


class KeywordFinder:
    """The occurrences of a fixed set of keywords in texts."""

    def __init__(self, keywords: Iterable[str]) -> None:
        import ahocorasick

        self._automaton = ahocorasick.Automaton()
        for keyword in {k for k in keywords if k.strip()}:
            self._automaton.add_word(keyword, (keyword, keyword.isascii()))
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def occurrences(self, text: str) -> list[tuple[int, str]]:
        """Every ``(start, keyword)`` found, whole-word rule applied, overlaps included."""
        if self._empty:
            return []
        found = []
        for end, (keyword, whole_word) in self._automaton.iter(text):
            start = end - len(keyword) + 1
            if whole_word and (
                (start > 0 and text[start - 1] in WORD_CHARACTERS)
                or (end + 1 < len(text) and text[end + 1] in WORD_CHARACTERS)
            ):
                continue
            found.append((start, keyword))
        return found

    def matches(self, text: str) -> list[str]:
        """The keywords matched left to right without overlap, the longest at each start."""
        chosen: list[str] = []
        covered = 0
        for start, keyword in sorted(self.occurrences(text), key=lambda o: (o[0], -len(o[1]))):
            if start >= covered:
                chosen.append(keyword)
                covered = start + len(keyword)
        return chosen

    def present(self, text: str) -> set[str]:
        """The keywords that occur anywhere in ``text`` (each on its own, overlaps allowed)."""
        return {keyword for _start, keyword in self.occurrences(text)}
