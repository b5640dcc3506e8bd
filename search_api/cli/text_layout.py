"""Plain-text layout for the query commands: width-aware for Japanese, readable when narrow.

Full-width characters take two terminal columns, so padding and wrapping count display columns
rather than characters.  No colours, no box drawing: output stays readable when piped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from search_api.presentation import JsonDict
from search_api.wording import speaker_label

_SPACE = re.compile(r"\s+")
SNIPPET_CHARS = 200
MIN_LAST_COLUMN = 24
NO_LINE_START = frozenset("、。，．,.)）」』】〕！？!?ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide and full-width characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def truncate(text: str, width: int) -> str:
    """``text`` cut to at most ``width`` columns, with ``…`` when something was cut."""
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def pad(text: str, width: int, align_right: bool = False) -> str:
    """``text`` truncated and padded to exactly ``width`` columns."""
    text = truncate(text, width)
    fill = " " * (width - display_width(text))
    return fill + text if align_right else text + fill


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` columns; breaks at spaces for English, anywhere for Japanese."""
    width = max(width, 10)
    lines: list[str] = []
    current, used = "", 0
    for word in re.findall(r"\S+\s*|\s+", text):
        w = display_width(word.rstrip())
        if used + w <= width:
            current += word
            used += display_width(word)
            continue
        if current.strip():
            lines.append(current.rstrip())
        current, used = "", 0
        for ch in word:
            cw = display_width(ch)
            if used + cw > width:
                carried = ""
                if ch in NO_LINE_START and len(current) > 1:
                    current, carried = current[:-1], current[-1]  # 、。」 never start a line
                lines.append(current.rstrip())
                current, used = carried, display_width(carried)
            current += ch
            used += cw
    if current.strip():
        lines.append(current.rstrip())
    return lines


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The passage on one line, whitespace collapsed, cut to about ``limit`` characters."""
    flat = _SPACE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def speaker_line(item: JsonDict) -> str:
    """``name（role, group）· topic``, leaving out what is unknown."""
    speaker = item["speaker"]
    who = speaker_label(speaker.get("name"), item.get("language") or "ja")
    extra = ", ".join(part for part in (speaker.get("role"), speaker.get("group")) if part)
    if extra:
        who = f"{who} ({extra})"
    return f"{who} · {item['topic']}" if item.get("topic") else who


def format_page(page: JsonDict, width: int, heading: str) -> str:
    """A page of hits as blocks: rank, relevance (0-1), date and meeting; speaker; snippet; id."""
    shown = len(page["results"])
    if not shown:
        return f"{heading}: no results (total {page['total']})."
    first = page["offset"] + 1
    lines = [f"{heading}: {first}-{first + shown - 1} of {page['total']}"]
    if page.get("translations"):
        words = "; ".join(f"{t['source']} → {', '.join(t['terms'])}" for t in page["translations"])
        lines.append(truncate(f"also searched in Japanese: {words}", width))
    lines.append("")
    indent = "     "
    body_width = max(width - len(indent), 20)
    for hit in page["results"]:
        meeting = hit["meeting"]
        head = f"{hit['rank']:>3}. {hit['relevance']:.2f}  {meeting['date'] or '----------'}  "
        title = meeting["title"] or meeting["body"]
        lines.append(head + truncate(title, max(width - display_width(head), 10)))
        lines.append(indent + truncate(speaker_line(hit), body_width))
        for text_line in wrap(snippet(hit["highlight"]["passage"] or hit["text"]), body_width):
            lines.append(indent + text_line)
        page_number = hit.get("source", {}).get("page")
        where = f" · p. {page_number}" if page_number is not None else ""
        tail = f"id {hit['statement_id']}{where}" + themes_note(hit.get("themes") or [])
        lines.append(indent + truncate(tail, body_width))
        lines.append("")
    if page.get("facets"):
        lines.extend(facet_lines(page["facets"], width))
    return "\n".join(lines).rstrip("\n")


def format_related_page(page: JsonDict, width: int, heading: str) -> str:
    """A page of related hits: each block as in `format_page`, then why it is related.

    The snippet is the result's side of the matched passage pair; ``why`` shows the source's
    side with the channel and similarity; ``shared terms`` lists distinctive words both use.
    """
    blocks = format_page(page, width, heading).split("\n\n")
    if not page["results"]:
        return blocks[0]
    indent = "     "
    body_width = max(width - len(indent) - 4, 20)
    out = [blocks[0]]
    for block, hit in zip(blocks[1:], page["results"], strict=True):
        lines = [block]
        reason = hit.get("reason")
        if reason:
            side = "neighbouring remark" if reason["context"] else "source"
            score = f"{reason['channel']} {reason['similarity']:.3f}"
            pair = f"why: matches this {side} passage ({score}):"
            lines.append(indent + pair)
            for text_line in wrap(snippet(reason["source"]["text"], 120), body_width):
                lines.append(f"{indent}  > {text_line}")
            for label in ("terms", "themes"):
                if reason[label]:
                    shared = f"shared {label}: " + ", ".join(reason[label])
                    lines.append(indent + truncate(shared, body_width))
            if reason.get("translations"):
                words = ", ".join(f"{t['source']} → {t['term']}" for t in reason["translations"])
                lines.append(indent + truncate(f"translated: {words}", body_width))
        out.append("\n".join(lines))
    return "\n\n".join(out)


def themes_note(themes: Sequence[JsonDict]) -> str:
    """`` · themes cap:8 Energy 0.91`` for a statement's assigned themes (empty when none)."""
    if not themes:
        return ""
    return " · themes " + ", ".join(f"{t['id']} {t['name']} {t['score']:.2f}" for t in themes)


def facet_lines(facets: JsonDict, width: int) -> list[str]:
    """Facet counts, one line per facet: ``body: 衆議院 内閣委員会 12, ...``."""
    lines = ["facets (over every matching statement):"]
    for name, values in facets.items():
        items = ", ".join(
            f"{v['value']}{' ' + v['label'] if v.get('label') else ''} {v['count']}" for v in values
        )
        wrapped = wrap(f"{name}: {items or '-'}", width - 4)
        lines.extend("  " + line if i == 0 else "    " + line for i, line in enumerate(wrapped))
    return lines


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], width: int, right: Sequence[int] = ()
) -> str:
    """A plain table; the last column takes the width left, or its own line when too narrow.

    Ids must stay whole (to be copied), so the fixed columns are never cut; in a narrow
    terminal the last column (a title) moves under its row instead of shrinking to nothing.
    """
    cells = [[str(value) if value is not None else "" for value in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row[:-1]):
            widths[i] = max(widths[i], display_width(value))
    fixed = sum(widths[:-1]) + 2 * (len(headers) - 1)
    stacked = width - fixed < MIN_LAST_COLUMN
    widths[-1] = width - 4 if stacked else width - fixed

    def line(values: Sequence[str]) -> str:
        count = len(values) - 1 if stacked else len(values)
        parts = [pad(values[i], widths[i], align_right=i in right) for i in range(count)]
        text = "  ".join(parts).rstrip()
        if stacked and values[-1]:
            text += "\n    " + truncate(values[-1], widths[-1])
        return text

    return "\n".join([line(headers), *(line(row) for row in cells)])
