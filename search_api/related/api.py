"""The HTTP shape of related remarks: request for any text, hits with their reasons.

``POST /related`` takes a text as ``q`` (as ``POST /search`` does; 1-19,999 characters: a text
of 20,000 or more is refused with 422, like an empty one), paging, ``text`` (head/full, as on
every list) and the search's filters; both related routes answer with `RelatedResponse`, a
search page whose hits carry a ``reason``.  The same dicts are printed by
``policy-search related --json``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from search_api.presentation import FULL, JsonDict, View, hit_to_dict
from search_api.related.reasons import RelatedHit, RelatedReason
from search_api.results import SearchPage
from search_api.schemas import (
    TEXT_MODE_DESCRIPTION,
    FilterParams,
    HitOut,
    Limit,
    Offset,
    TextMode,
    is_blank,
)

MAX_TEXT_CHARS = 19_999
"""The longest text ``POST /related`` accepts (a 20,000-character text is refused)."""


class RelatedTextParams(FilterParams):
    """A text (a paragraph of a paper, a news article) with paging and filters."""

    q: str = Field(
        min_length=1,
        max_length=MAX_TEXT_CHARS,
        description="The text to find related remarks for (1-19,999 characters).",
    )
    limit: Limit = 10
    offset: Offset = 0
    text: TextMode = Field(default="head", description=TEXT_MODE_DESCRIPTION)

    @field_validator("q")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if is_blank(value):
            raise PydanticCustomError(
                "blank", "the text must not be blank (it has no visible character)"
            )
        return value


class PassageRefOut(BaseModel):
    """A passage and its character range in its statement (-1: not the source's own text)."""

    text: str
    char_start: int
    char_end: int


class TranslationOut(BaseModel):
    """A word of an English source and its Japanese translation found in the result."""

    source: str = Field(description="The English word or phrase, as in the dictionary.")
    term: str = Field(description="Its translation as written in the result.")


class ReasonOut(BaseModel):
    """Why a remark is related: the matched passage pair, shared terms and themes, and for an
    English source the translations of its words that the result holds."""

    channel: str
    similarity: float
    source: PassageRefOut
    result: PassageRefOut
    context: bool
    terms: list[str]
    themes: list[str]
    translations: list[TranslationOut] = Field(default_factory=list)


class RelatedHitOut(HitOut):
    """One related statement with its reason."""

    reason: ReasonOut | None


class RelatedResponse(BaseModel):
    """One page of related statements; ``total`` counts every statement ranked."""

    query: str
    total: int
    limit: int
    offset: int
    results: list[RelatedHitOut]


def reason_to_dict(reason: RelatedReason | None) -> JsonDict | None:
    """A reason as JSON (None when the hit has none)."""
    if reason is None:
        return None
    return {
        "channel": reason.channel,
        "similarity": round(reason.similarity, 6),
        "source": _ref(reason.source),
        "result": _ref(reason.result),
        "context": reason.context,
        "terms": list(reason.terms),
        "themes": list(reason.themes),
        "translations": [{"source": s, "term": t} for s, t in reason.translations],
    }


def related_page_to_dict(page: SearchPage, view: View = FULL) -> JsonDict:
    """A page of related hits as the API returns it: search hits plus ``reason``.

    Statement texts follow ``view`` (bounded heads in lists unless ``text=full``); the
    reason's passages are passages (at most 400 characters), so they are always whole.
    """
    results: list[dict[str, Any]] = []
    for hit in page.hits:
        reason = hit.reason if isinstance(hit, RelatedHit) else None
        results.append({**hit_to_dict(hit, view), "reason": reason_to_dict(reason)})
    return {
        "query": page.query,
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
        "results": results,
    }


def _ref(ref: Any) -> JsonDict:
    return {"text": ref.text, "char_start": ref.char_start, "char_end": ref.char_end}
