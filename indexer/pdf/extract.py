"""Read the printed lines of a PDF with pypdfium2 (PDFium, the PDF engine of Chromium).

Chosen by measurement (docs/pdf.md): on Japanese minutes pypdf, pdfminer.six and pypdfium2
read every character right and in the same order; PDFium is the one that also gives each
character's font size (to drop furigana) and says which glyphs its font cannot map to Unicode
(the ``(cid:NNN)`` of pdfminer), and it was the fastest on long English minutes.

This module is the only one that imports pypdfium2; `indexer.pdf.layout` does the rest with
plain values.  Errors are ParseError naming the file: an encrypted PDF that needs a password,
a corrupt one, one that is not a PDF at all.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from indexer.pdf.layout import TextLine, is_furigana
from models.errors import ParseError

PDF_MAGIC = b"%PDF-"
_LINE_BREAKS = frozenset("\r\n")
_SOFT_HYPHENS = frozenset("\ufffe\x02")
"""PDFium marks a hyphen that ends a line this way (and drops the line break)."""


@dataclass(frozen=True, slots=True)
class _Char:
    text: str
    left: float
    right: float
    bottom: float
    size: float


@dataclass(slots=True)
class PdfText:
    """The printed lines of each page, and what could not be read."""

    pages: list[list[TextLine]] = field(default_factory=list)
    characters: int = 0
    """Characters with a Unicode value (spaces excluded)."""
    unmapped: dict[int, int] = field(default_factory=dict)
    """Page (1-based) -> glyphs whose font has no Unicode map (left out of the text)."""
    furigana: int = 0


def looks_like_pdf(head: bytes) -> bool:
    """True when the first bytes hold the ``%PDF-`` signature (within the first KB)."""
    return PDF_MAGIC in head[:1024]


def read_pdf_text(path: Path) -> PdfText:
    """Open ``path`` with PDFium and read every page's lines (furigana and unmapped glyphs out)."""
    import pypdfium2 as pdfium

    source = str(path)
    try:
        document = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ParseError(
                source, "encrypted PDF: it needs a password to open (not supported)"
            ) from exc
        raise ParseError(source, f"corrupt or unreadable PDF ({message})") from exc
    except OSError as exc:
        raise ParseError(source, f"cannot read file: {exc.strerror or exc}") from exc
    result = PdfText()
    try:
        for number in range(len(document)):
            page = document[number]
            try:
                chars, unmapped = _page_chars(page)
            finally:
                page.close()
            if unmapped:
                result.unmapped[number + 1] = unmapped
            lines, dropped = _lines(chars)
            result.furigana += dropped
            result.characters += sum(1 for c in chars if not c.text.isspace())
            result.pages.append(lines)
    except pdfium.PdfiumError as exc:
        raise ParseError(source, f"corrupt PDF: page {number + 1} cannot be read ({exc})") from exc
    finally:
        document.close()
    return result


def _page_chars(page: object) -> tuple[list[_Char], int]:
    """Every character of a page in PDFium's reading order, and the count of unmapped glyphs."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()  # type: ignore[attr-defined]
    try:
        handle = textpage.raw
        chars: list[_Char] = []
        unmapped = 0
        for index in range(textpage.count_chars()):
            code = raw.FPDFText_GetUnicode(handle, index)
            if raw.FPDFText_HasUnicodeMapError(handle, index) == 1:
                unmapped += 1
                continue
            text = chr(code) if 0 < code < 0x110000 else ""
            if not text:
                continue
            if text in _LINE_BREAKS or text in _SOFT_HYPHENS:
                chars.append(_Char("\n" if text in _LINE_BREAKS else "-\n", 0, 0, 0, 0))
                continue
            left, bottom, right, _top = textpage.get_charbox(index)
            size = float(raw.FPDFText_GetFontSize(handle, index))
            chars.append(_Char(text, left, right, bottom, size))
    finally:
        textpage.close()
    return chars, unmapped


def _lines(chars: list[_Char]) -> tuple[list[TextLine], int]:
    """Group characters into lines at PDFium's line breaks; drop furigana (returns count)."""
    sizes = [c.size for c in chars if c.size > 0 and not c.text.isspace()]
    body = statistics.median(sizes) if sizes else 0.0
    lines: list[TextLine] = []
    current: list[_Char] = []
    dropped = 0

    def flush() -> None:
        boxed = [c for c in current if c.size > 0 and not c.text.isspace()]
        if boxed:
            text = "".join(c.text for c in current).strip()
            lines.append(
                TextLine(
                    text=text,
                    x0=min(c.left for c in boxed),
                    x1=max(c.right for c in boxed),
                    baseline=statistics.median(c.bottom for c in boxed),
                    size=statistics.median(c.size for c in boxed),
                )
            )
        current.clear()

    for char in chars:
        if char.text.endswith("\n"):
            if char.text == "-\n":
                current.append(_Char("-", 0, 0, 0, 0))
            flush()
        elif body and is_furigana(char.text, char.size, body):
            dropped += 1
        else:
            current.append(char)
    flush()
    return lines, dropped
