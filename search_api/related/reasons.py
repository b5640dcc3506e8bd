"""Why a remark is related: the values a related search returns with each result.

The reason comes from the computation that ranked the result, not from a second guess: the
passage pair is the best pair of the dense channel that ranked the result highest (by channel
priority), the terms are the source's selected distinctive terms that the result's passages are
indexed under (the BM25 more-like-this query), and themes are the assigned themes both
statements are tagged with (their stored tags, or an attached `ThemeLookup`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from indexer.records import Statement
from search_api.results import SearchHit


@dataclass(frozen=True, slots=True)
class PassageRef:
    """A piece of text and where it sits in its statement (``-1`` when it is not the source's)."""

    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class RelatedReason:
    """The matched passage pair, the shared distinctive terms and the shared themes."""

    channel: str
    """The dense channel whose best pair is shown (``e5``, ``use``, ``e5:query``...)."""
    similarity: float
    """Cosine similarity of the pair in that channel."""
    source: PassageRef
    """The source's passage of the pair."""
    result: PassageRef
    """The result's passage of the pair."""
    context: bool = False
    """True when the source side is a neighbouring remark (the question answered, the answer)."""
    terms: tuple[str, ...] = ()
    """Distinctive words of the source that occur in the result, as written in the result."""
    themes: tuple[str, ...] = ()
    """Assigned themes of both source and result, as ``cap:8 Energy`` (empty when untagged)."""
    translations: tuple[tuple[str, str], ...] = ()
    """For an English source: ``(its word, the Japanese translation in the result)`` pairs,
    the source's most distinctive words first (`search_api.question_translation`)."""


@dataclass(frozen=True, slots=True)
class RelatedHit(SearchHit):
    """A search hit with the reason it is related."""

    reason: RelatedReason | None = None


class ThemeLookup(Protocol):
    """Where shared themes come from (the themes room implements it)."""

    def themes_of(self, statement_ids: Sequence[str]) -> Mapping[str, tuple[str, ...]]:
        """The theme labels of each given statement (statements without themes may be absent)."""
        ...


def shared_themes(
    lookup: ThemeLookup | None, source_id: str | None, result_ids: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """Themes each result shares with the source, by result id (empty without a lookup)."""
    if lookup is None or source_id is None:
        return {}
    themes = lookup.themes_of([source_id, *result_ids])
    own = set(themes.get(source_id, ()))
    return {rid: tuple(t for t in themes.get(rid, ()) if t in own) for rid in result_ids}


def tagged_shared_themes(
    own: Collection[str], results: Mapping[str, Statement]
) -> dict[str, tuple[str, ...]]:
    """Per result id, its assigned themes whose qualified id (``cap:8``) is in ``own``.

    ``own`` are the source's assigned themes (`search_api.related.themes.source_theme_keys`);
    the results' are the tags the store attaches to statements (``Statement.themes``).  Each
    shared theme is labelled ``cap:8 Energy``, in the result's order.
    """
    if not own:
        return {}
    return {
        rid: tuple(f"{t.key} {t.name}" for t in statement.themes if t.key in own)
        for rid, statement in results.items()
    }
