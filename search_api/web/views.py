"""What the templates show, computed from the API's own JSON dicts: pure functions, no I/O.

The routes call the same searcher methods and ``search_api.presentation`` functions as the JSON
API and hand the resulting dicts to these helpers, so the page can never disagree with the API:
it only decides how to mark words, page, label and link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from search_api.presentation import JsonDict
from search_api.wording import speaker_label

STATE_KEYS = (
    "q",
    "mode",
    "body",
    "date_from",
    "date_to",
    "speaker",
    "topic",
    "language",
    "include_procedural",
    "theme",
    "limit",
    "offset",
)
"""The search's whole state, in the order it appears in a URL (bookmarkable, shareable)."""

DEFAULTS: Mapping[str, str] = {
    "mode": "hybrid",
    "limit": "10",
    "offset": "0",
    "include_procedural": "false",
}
"""Values left out of URLs because they are what the API assumes anyway."""

TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
PAGE_SIZES = (10, 20, 50, 100)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text, marked when it is one of the question's words."""

    text: str
    marked: bool = False


@dataclass(frozen=True, slots=True)
class MarkedText:
    """A statement's text split around the passage that matched."""

    before: tuple[Piece, ...]
    passage: tuple[Piece, ...]
    after: tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class PageLink:
    """One link of the pager: its 1-based number and the offset it asks for."""

    number: int
    offset: int
    current: bool


@dataclass(frozen=True, slots=True)
class Paging:
    """Where this page sits among all results."""

    first: int
    last: int
    total: int
    previous: int | None
    next: int | None
    links: tuple[PageLink, ...]


def whole_words(words: Iterable[str]) -> list[str]:
    """The words to mark, longest first, without the parts of longer ones.

    Sudachi gives a compound and its parts (半導体, 半, 導体); marking every 半 in a passage
    because 半導体 matched would be noise, so a word inside a longer matched word is dropped.
    """
    unique = sorted({w for w in words if w and w.strip()}, key=lambda w: (-len(w), w))
    kept: list[str] = []
    for word in unique:
        if not any(word.lower() in longer.lower() for longer in kept):
            kept.append(word)
    return kept


def mark_words(text: str, words: Iterable[str]) -> tuple[Piece, ...]:
    """``text`` with every occurrence of ``words`` marked (whole words, case-insensitive)."""
    unique = whole_words(words)
    if not unique or not text:
        return (Piece(text),) if text else ()
    pattern = re.compile("|".join(re.escape(w) for w in unique), re.IGNORECASE)
    pieces: list[Piece] = []
    cursor = 0
    for match in pattern.finditer(text):
        if match.start() > cursor:
            pieces.append(Piece(text[cursor : match.start()]))
        pieces.append(Piece(match.group(0), marked=True))
        cursor = match.end()
    if cursor < len(text):
        pieces.append(Piece(text[cursor:]))
    return tuple(pieces)


def mark_passage(text: str, span: tuple[int, int] | None, words: Iterable[str]) -> MarkedText:
    """The full text with the matched passage (``text[start:end]``) set apart, words marked.

    A span outside the text (a stale link after the statement changed) marks no passage.
    """
    words = tuple(words)
    if span is None or not 0 <= span[0] < span[1] <= len(text):
        return MarkedText(mark_words(text, words), (), ())
    start, end = span
    return MarkedText(
        mark_words(text[:start], words),
        mark_words(text[start:end], words),
        mark_words(text[end:], words),
    )


def parse_span(value: str | None) -> tuple[int, int] | None:
    """``"120-380"`` -> ``(120, 380)``; anything else -> ``None``."""
    match = re.fullmatch(r"(\d{1,7})-(\d{1,7})", value or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def search_fields(query: Mapping[str, str]) -> dict[str, Any]:
    """The search parameters in a page's query string, as ``SearchParams`` fields.

    Empty form fields are left out (a blank ``body=`` means no body filter), a ticked checkbox
    (``on``) is true, and keys that are not search state (``lang``) are ignored.
    """
    fields: dict[str, Any] = {}
    for key in STATE_KEYS:
        value = query.get(key)
        if value is None or not value.strip():
            continue
        if key == "include_procedural":
            fields[key] = value.strip().lower() in TRUE_WORDS
        elif key == "theme":
            fields[key] = [value.strip()]
        elif key == "q":
            fields[key] = value
        else:
            fields[key] = value.strip()
    return fields


def state_query(state: Mapping[str, Any], **changes: Any) -> str:
    """The query string of a search state (defaults left out), with ``changes`` applied."""
    merged = {**state, **changes}
    pairs: list[tuple[str, str]] = []
    for key in (*STATE_KEYS, "lang"):
        value = merged.get(key)
        if isinstance(value, list):
            value = ",".join(value)
        if value is None or value == "" or value is False:
            continue
        text = "true" if value is True else str(value)
        if DEFAULTS.get(key) == text:
            continue
        pairs.append((key, text))
    return urlencode(pairs)


def paging(total: int, limit: int, offset: int, shown: int, width: int = 2) -> Paging:
    """The pager for a page of ``shown`` results: previous, next and nearby page numbers."""
    current = offset // limit
    last_page = max(0, (total - 1) // limit)
    low, high = max(0, current - width), min(last_page, current + width)
    numbers = sorted({0, last_page, *range(low, high + 1)})
    links = tuple(PageLink(n + 1, n * limit, n == current) for n in numbers)
    return Paging(
        first=offset + 1 if shown else 0,
        last=offset + shown,
        total=total,
        previous=max(0, offset - limit) if offset > 0 else None,
        next=offset + limit if offset + limit < total else None,
        links=links,
    )


def record_url(item: JsonDict) -> str | None:
    """Where the original record is: the remark's own URL (Kokkai speechURL), else the meeting's.

    Only web addresses are linked (a source file could hold anything in its URL field).
    """
    source = item.get("source") or {}
    meeting = item.get("meeting") or {}
    for url in (source.get("url"), meeting.get("url")):
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            return url
    return None


def who(item: JsonDict, reader_language: str) -> str:
    """The speaker's name, or what the source calls an unnamed speaker (委員 / panel member)."""
    return speaker_label(
        (item.get("speaker") or {}).get("name"), item.get("language") or "ja", reader_language
    )


def role(item: JsonDict) -> str:
    """Role and group in one phrase (``国務大臣, 自由民主党``), empty when unknown."""
    speaker = item.get("speaker") or {}
    return ", ".join(part for part in (speaker.get("role"), speaker.get("group")) if part)


def statement_path(statement_id: str) -> str:
    """The page of one statement (ids are quoted whole: they may hold ``#`` or other marks)."""
    return f"/ui/statements/{quote(statement_id, safe='')}"


def meeting_path(meeting_id: str) -> str:
    """The page of one meeting."""
    return f"/ui/meetings/{quote(meeting_id, safe='')}"


def hit_link(hit: JsonDict, lang: str | None = None) -> str:
    """The statement page of a hit, carrying the matched passage and words to mark there."""
    highlight = hit.get("highlight") or {}
    pairs: list[tuple[str, str]] = []
    if highlight.get("char_end"):
        pairs.append(("mark", f"{highlight['char_start']}-{highlight['char_end']}"))
    terms = [term for term in highlight.get("terms") or () if term.strip()]
    if terms:
        pairs.append(("hl", " ".join(terms)))  # one parameter: the API refuses repeated ones
    if lang:
        pairs.append(("lang", lang))
    query = urlencode(pairs)
    return statement_path(hit["statement_id"]) + (f"?{query}" if query else "")


def neighbours(
    statements: Sequence[JsonDict], statement_id: str
) -> tuple[JsonDict | None, JsonDict | None]:
    """The remarks just before and after one statement, skipping procedural ones.

    In the Diet the chair's call (``小林国務大臣。``) sits between a question and its answer;
    the remark a reader wants is the question it answers and the answer it got.
    """
    ids = [item["statement_id"] for item in statements]
    if statement_id not in ids:
        return None, None
    at = ids.index(statement_id)
    before = next((s for s in reversed(statements[:at]) if not s.get("procedural")), None)
    after = next((s for s in statements[at + 1 :] if not s.get("procedural")), None)
    return before, after


def sections(statements: Sequence[JsonDict]) -> list[tuple[str | None, list[JsonDict]]]:
    """A meeting's statements in order, grouped under their discussion point where it changes."""
    groups: list[tuple[str | None, list[JsonDict]]] = []
    for item in statements:
        topic = item.get("topic")
        if not groups or groups[-1][0] != topic:
            groups.append((topic, []))
        groups[-1][1].append(item)
    return groups


def choices(values: Iterable[str | None]) -> list[str]:
    """Distinct non-empty values in first-seen order (suggestions for a filter box)."""
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


def theme_path(theme_id: str) -> str:
    """The page of one theme (``cap:8`` -> ``/ui/themes/cap%3A8``)."""
    return f"/ui/themes/{quote(theme_id, safe='')}"


def theme_name(theme: JsonDict, reader_language: str) -> str:
    """A theme's name in the reader's language when the theme set has one."""
    if reader_language == "ja" and theme.get("name_ja"):
        return str(theme["name_ja"])
    return str(theme.get("name") or theme.get("id") or "")


def timeline_query(interval: str, by: str | None) -> str:
    """The query string of a theme page's chart options (defaults left out)."""
    pairs = [("interval", interval)] if interval != "year" else []
    if by:
        pairs.append(("by", by))
    return urlencode(pairs)


def facet_filter(name: str, value: str) -> dict[str, str]:
    """The filter a facet value stands for: a theme, a body, or a year's date range."""
    if name == "year":
        return (
            {"date_from": f"{value}-01-01", "date_to": f"{value}-12-31"} if value.isdigit() else {}
        )
    return {name: value}
