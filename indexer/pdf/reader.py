"""Read a PDF of minutes: its printed lines -> the text the format readers parse -> meetings.

The PDF is only a container: the same readers as for text files (議事要旨 summary,
``○Name（role）`` transcript, English minutes) parse the text rebuilt by `indexer.pdf.layout`,
chosen by the same content detection.  Each statement then gets the page it starts on.

A PDF with no text at all is refused ("no text layer; OCR is not supported"), as is one whose
text is mostly glyphs without a Unicode map; a few such glyphs, or a few pages without text,
are left out with a warning.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.pdf.extract import PdfText, read_pdf_text
from indexer.pdf.layout import drop_running_lines, join_lines
from indexer.records import ParsedMeeting
from models.errors import ParseError

UNMAPPED_LIMIT = 0.05
"""Above this share of glyphs without a Unicode map the file is refused, not indexed."""
_CID_CODE = re.compile(r"\(cid:\d+\)")
Parse = Callable[[str], tuple[str, list[ParsedMeeting]]]


@dataclass(frozen=True, slots=True)
class PdfReadResult:
    """What reading one PDF gave: the detected text format, its meetings, warnings."""

    fmt: str
    meetings: list[ParsedMeeting]
    warnings: tuple[str, ...]
    pages: int


def strip_cid_codes(text: str) -> tuple[str, int]:
    """Remove pdfminer's ``(cid:NNN)`` placeholders (glyphs it could not map); returns count."""
    cleaned, count = _CID_CODE.subn("", text)
    return cleaned, count


def _page_list(pages: Sequence[int]) -> str:
    shown = ", ".join(str(p) for p in pages[:10])
    return shown + (f" and {len(pages) - 10} more" if len(pages) > 10 else "")


def check_text_layer(pdf: PdfText, source: str) -> list[str]:
    """Refuse a PDF without readable text; the warnings for parts left out."""
    unmapped = sum(pdf.unmapped.values())
    total = pdf.characters + unmapped
    if total == 0:
        raise ParseError(
            source,
            f"no text layer; OCR is not supported ({len(pdf.pages)} pages with no text: "
            "a scanned document?)",
        )
    pages = sorted(pdf.unmapped)
    if unmapped > UNMAPPED_LIMIT * total:
        raise ParseError(
            source,
            f"{unmapped} of {total} characters (pages {_page_list(pages)}) use fonts without a "
            "Unicode map ((cid:NNN) glyphs); the text cannot be read, nothing was indexed "
            "(OCR is not supported)",
        )
    warnings = []
    if unmapped:
        warnings.append(
            f"{unmapped} characters on pages {_page_list(pages)} use fonts without a Unicode "
            "map ((cid:NNN) glyphs) and were left out"
        )
    empty = [n for n, lines in enumerate(pdf.pages, start=1) if not lines]
    if empty:
        warnings.append(
            f"pages {_page_list(empty)} have no text layer (scanned?) and were left out; OCR "
            "is not supported"
        )
    return warnings


def with_pages(meetings: list[ParsedMeeting], line_pages: Sequence[int]) -> list[ParsedMeeting]:
    """Give each statement the page of its line in the rebuilt text (the line is dropped)."""
    result = []
    for parsed in meetings:
        statements = tuple(
            dataclasses.replace(
                s,
                page=line_pages[s.source_line - 1]
                if s.source_line is not None and 0 < s.source_line <= len(line_pages)
                else None,
                source_line=None,
            )
            for s in parsed.statements
        )
        result.append(ParsedMeeting(parsed.meeting, statements))
    return result


def read_pdf(path: Path, parse: Parse) -> PdfReadResult:
    """Read the PDF at ``path`` and parse its text with ``parse`` (format detection included).

    Raises ParseError naming the file for an encrypted, corrupt or text-less PDF, and when
    the rebuilt text is no known format.
    """
    pdf = read_pdf_text(path)
    warnings = check_text_layer(pdf, str(path))
    lines = join_lines(drop_running_lines(pdf.pages))
    text, cid_codes = strip_cid_codes("\n".join(line.text for line in lines))
    if cid_codes:
        warnings.append(f"{cid_codes} (cid:NNN) placeholders were left out")
    fmt, meetings = parse(text)
    pages = [line.page for line in lines]
    return PdfReadResult(f"pdf/{fmt}", with_pages(meetings, pages), tuple(warnings), len(pdf.pages))
