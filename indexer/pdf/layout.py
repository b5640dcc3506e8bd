"""Undo what printing minutes into a PDF did to their text (pure functions, no PDF library).

Input: the lines of each page with their geometry, as `indexer.pdf.extract` reads them.
Output: the text the format readers already parse (one paragraph per line, a leading space
where a paragraph was indented), with the page each line came from.  What is undone:

- running headers and footers: lines at the top or bottom of the pages that repeat (digits
  ignored, so ``- 3 -`` and ``Page 3 of 9`` are one shape) and page numbers standing alone;
- hard line wraps: a line that filled the column continues on the next line unless the next
  one starts a paragraph (indented, after a gap, a bullet or ``○`` speaker mark, another font
  size); Japanese lines join without a space, English words with one, and a word hyphenated
  at the line end is rejoined (the hyphen is kept only when the document writes that word
  with a hyphen elsewhere);
- a paragraph broken by a page break (header, footer and page number in between) continues
  when the page's last line is full, as inside a page (in English unless that line ends a
  sentence and the next page starts with a capital);
- furigana (ruby: small kana above the text) are dropped by `is_furigana`;
- spaces used for layout: letter-spaced headings (``議 事 要 旨``) and runs of spaces.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from dataclasses import dataclass

_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u30a0-\u30ff]")
_KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]")
_PAGE_NUMBER = re.compile(
    r"^[\s\u3000]*(?:[-－—‐–]\s*)?(?:page\s*|p\.\s*|ページ\s*)?[0-9０-９]{1,4}"
    r"(?:\s*(?:/|of|／)\s*[0-9０-９]{1,4})?(?:\s*[-－—‐–])?[\s\u3000]*$",
    re.IGNORECASE,
)
_MARKER = re.compile(
    r"^(?:[○●◆◇■□▶►▷・※•◎〇]|[-－–—]\s|[（(][0-9０-９一二三四五六七八九十]{1,3}[）)]|"
    r"[①-⑳]|[0-9０-９]{1,2}[.．]\s|論点|<|＜|【)"
)
_LETTER_SPACED = re.compile(r"(?<![^\s\u3000])(?:[^\W\d_a-zA-Z][ \u3000]+){2,}[^\W\d_a-zA-Z](?!\S)")
_FIRST_WORD = re.compile(r"[^\s\u3000\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+")
_SENTENCE_END = re.compile(r"[.?!][\"')\]’”]*$")
_SPACES = re.compile(r"[ \u3000\t]{2,}")
_HYPHEN_MARK = "\x00"
_EDGE_LINES = 2
FURIGANA_RATIO = 0.7
"""Kana printed at less than this share of the page's body font size are furigana."""


@dataclass(frozen=True, slots=True)
class TextLine:
    """One printed line of a page: its text and where it stands (PDF points, y upwards)."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    """Font size of the line's characters (median)."""


@dataclass(frozen=True, slots=True)
class PageLine:
    """A line of the reconstructed text and the (1-based) page it starts on."""

    page: int
    text: str


def is_furigana(char: str, size: float, body_size: float) -> bool:
    """True for a kana printed much smaller than the body text: a reading above a word."""
    return size < FURIGANA_RATIO * body_size and _KANA.match(char) is not None


def is_wide(char: str) -> bool:
    """True for a CJK character or full-width form (joined to neighbours without a space)."""
    return _WIDE.match(char) is not None


def _shape(text: str) -> str:
    return re.sub(r"[0-9０-９]+", "#", "".join(text.split()))


def drop_running_lines(pages: list[list[TextLine]]) -> list[list[TextLine]]:
    """Remove page numbers and headers/footers repeated at the top or bottom of the pages."""
    edge_shapes: Counter[str] = Counter()
    for lines in pages:
        edges = {_shape(line.text) for line in _edges(lines)}
        edge_shapes.update(edges)
    needed = max(2, (len(pages) + 1) // 2)
    running = {shape for shape, count in edge_shapes.items() if count >= needed and shape}
    result = []
    for lines in pages:
        dropped: set[int] = set()
        seen: set[str] = set()
        for line in _edges(lines):  # outermost first: a title under a same-text header stays
            shape = _shape(line.text)
            if (shape in running and shape not in seen) or _PAGE_NUMBER.match(line.text):
                dropped.add(id(line))
                seen.add(shape)
        result.append([line for line in lines if id(line) not in dropped])
    return result


def _edges(lines: list[TextLine]) -> list[TextLine]:
    """The lines nearest the top and the bottom of a page, outermost first."""
    by_height = sorted(lines, key=lambda line: -line.baseline)
    top = by_height[:_EDGE_LINES]
    bottom = by_height[_EDGE_LINES:][-_EDGE_LINES:][::-1]
    return [line for pair in zip(top, bottom, strict=False) for line in pair] + (
        top[len(bottom) :] if len(top) > len(bottom) else bottom[len(top) :]
    )


def tidy_spaces(text: str) -> str:
    """Remove letter-spacing between single CJK characters and squeeze runs of spaces."""
    text = _LETTER_SPACED.sub(lambda m: re.sub(r"[ \u3000]+", "", m.group(0)), text)
    return _SPACES.sub(" ", text).strip(" \u3000\t")


@dataclass(frozen=True, slots=True)
class _PageMetrics:
    left: float
    right: float
    pitch: float


def _metrics(lines: list[TextLine]) -> _PageMetrics:
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    gaps = [
        a.baseline - b.baseline
        for a, b in itertools.pairwise(lines)
        if 0 < a.baseline - b.baseline < 3 * max(a.size, 1.0)
    ]
    pitch = statistics.median(gaps) if gaps else 1.5 * statistics.median(x.size for x in lines)
    return _PageMetrics(left, right, pitch)


def _first_word_width(line: TextLine) -> float:
    """Width of what would have fitted on the previous line: a CJK character or a word."""
    text = line.text
    if not text:
        return 0.0
    word = _FIRST_WORD.match(text)
    count = len(word.group(0)) + 1 if word else 1
    return (line.x1 - line.x0) / max(1, len(text)) * count


def _starts_paragraph(
    prev: TextLine, cur: TextLine, metrics: _PageMetrics, same_page: bool, hanging: bool
) -> bool:
    em = max(cur.size, 1.0)
    if _MARKER.match(cur.text) or abs(cur.size - prev.size) > 0.15 * prev.size:
        return True
    if same_page and prev.baseline - cur.baseline > 1.2 * metrics.pitch:
        return True
    if cur.x0 > prev.x0 + 0.5 * em and not hanging:
        return True
    if prev.x1 + _first_word_width(cur) < metrics.right - 0.5 * em:
        return True  # the previous line ended short (the next word would have fitted)
    # Across a page break there is no gap to see: in English, a page that ends a sentence
    # followed by a capital letter is taken as a new paragraph.
    return (
        not same_page
        and not (is_wide(prev.text[-1]) or is_wide(cur.text[0]))
        and _SENTENCE_END.search(prev.text) is not None
        and cur.text[0].isupper()
    )


def _joined(left: str, right: str) -> str:
    if len(left) > 1 and left[-1] in "-\ufffe" and left[-2].isalpha() and right[:1].islower():
        return left[:-1] + _HYPHEN_MARK + right
    if is_wide(left[-1]) or is_wide(right[0]):
        return left + right
    return f"{left} {right}"


def _resolve_hyphens(lines: list[PageLine]) -> list[PageLine]:
    """Drop a line-end hyphen unless the document writes the same word with a hyphen."""
    text = "\n".join(line.text for line in lines)
    if _HYPHEN_MARK not in text:
        return lines
    words = Counter(re.findall(r"[\w-]+", text.replace(_HYPHEN_MARK, " ")))

    def fix(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        keep = words[f"{head}-{tail}"] > 0 and words[head + tail] == 0
        return f"{head}-{tail}" if keep else head + tail

    pattern = re.compile(rf"([\w-]+){_HYPHEN_MARK}(\w+)")
    return [PageLine(line.page, pattern.sub(fix, line.text)) for line in lines]


def join_lines(pages: list[list[TextLine]]) -> list[PageLine]:
    """Rejoin hard-wrapped lines into paragraphs; one output line per paragraph.

    A paragraph that starts indented keeps one leading space (the transcript reader's
    paragraph mark).  Pages are numbered from 1; each paragraph has the page it starts on.
    """
    result: list[PageLine] = []
    prev: TextLine | None = None
    prev_page = 0
    bullet_x: float | None = None
    """x of the current paragraph's first line when it starts with a bullet (hanging indent)."""
    for number, raw_lines in enumerate(pages, start=1):
        lines = [
            TextLine(tidy_spaces(x.text), x.x0, x.x1, x.baseline, x.size)
            for x in raw_lines
            if x.text.strip(" \u3000\t")
        ]
        if not lines:
            continue
        metrics = _metrics(lines)
        for cur in lines:
            offset = None if bullet_x is None else cur.x0 - bullet_x
            hanging = offset is not None and 0.5 * cur.size < offset <= 4 * cur.size
            if prev is not None and not _starts_paragraph(
                prev, cur, metrics, prev_page == number, hanging
            ):
                result[-1] = PageLine(result[-1].page, _joined(result[-1].text, cur.text))
            else:
                bullet = _MARKER.match(cur.text) is not None
                indented = cur.x0 > metrics.left + 0.5 * cur.size and not bullet
                result.append(PageLine(number, (" " if indented else "") + cur.text))
                bullet_x = cur.x0 if bullet else None
            prev, prev_page = cur, number
    return _resolve_hyphens(result)
