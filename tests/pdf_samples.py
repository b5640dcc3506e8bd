"""PDF minutes built from the real text in ../shared/corpus, laid out like the published PDFs.

There are no PDFs in the corpus, so tests (and ``bench/bench_pdf_extract.py``) print its text
into PDFs with reportlab's built-in Japanese CID fonts (HeiseiMin-W3 for text, HeiseiKakuGo-W5
for headings): A4, a running header with the meeting's name and a page number in the footer on
every page, text hard-wrapped at the column width, and page breaks wherever the text falls (so a
remark continues on the next page).  Each builder returns where its paragraphs broke across
pages, so a test can check that the case it means to cover is really in the file.

- ``summary_pdf``: a 議事要旨 like the METI seed: centred title, ``<日時>`` lines, 論点 headings
  in the heading font, bullets with a hanging indent, furigana (ruby) over some words, and
  ``- N -`` page numbers.
- ``transcript_pdf``: a council transcript: the text file's own line breaks (it was extracted
  from a PDF with a fixed width) with paragraph indents, ``○Name（role）`` lines, bare page
  numbers.
- ``english_pdf``: FOMC minutes: one paragraph per text line, word-wrapped with long words
  hyphenated at the line end, space between paragraphs, ``Page N`` footers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

MINCHO = "HeiseiMin-W3"
GOTHIC = "HeiseiKakuGo-W5"
SERIF = "LiberationSerif"
SERIF_FILE = Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf")
"""Times-compatible, embedded with a Unicode map (the standard Times-Roman cannot print ‑)."""
MARGIN = 64.0
RUBY = {"静脈": "じょうみゃく", "頭脳循環": "ずのうじゅんかん", "演繹的": "えんえきてき"}
"""Furigana printed above these words in the summary (they must not reach the text)."""


def _register_fonts() -> None:
    for name in (MINCHO, GOTHIC):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(name))


@dataclass
class Block:
    """A paragraph to print: lines are wrapped to the column unless ``lines`` is given."""

    text: str
    font: str = MINCHO
    size: float = 10.5
    indent: float = 0.0
    """First-line indent in points."""
    hanging: str = ""
    """A bullet printed at the margin; the text and its continuation lines align after it."""
    centred: bool = False
    space_before: float = 0.0
    lines: list[str] | None = None
    letter_spacing: float = 0.0


@dataclass
class Layout:
    """What was printed: page count and which blocks continued on the next page."""

    pages: int = 0
    broken_blocks: list[str] = field(default_factory=list)


def _wrap_japanese(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and pdfmetrics.stringWidth(current + ch, font, size) > width:
            lines.append(current)
            current = ""
        current += ch
    if current:
        lines.append(current)
    return lines


def _wrap_english(text: str, font: str, size: float, width: float) -> list[str]:
    """Word wrap; a long word that does not fit is split with a hyphen (as typesetters do)."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if pdfmetrics.stringWidth(candidate, font, size) <= width:
            current = candidate
            continue
        if len(word) >= 9 and word.isalpha() and current:
            for cut in range(len(word) - 4, 3, -1):
                head = f"{current} {word[:cut]}-"
                if pdfmetrics.stringWidth(head, font, size) <= width:
                    lines.append(head)
                    current = word[cut:]
                    break
            else:
                lines.append(current)
                current = word
            continue
        if current:
            lines.append(current)
        current = word
    if current:
        lines.append(current)
    return lines


class _Printer:
    """Places blocks on pages with a running header and a page-number footer."""

    def __init__(
        self,
        path: Path,
        header: str,
        footer: Callable[[int], str],
        encrypt: str | None = None,
    ) -> None:
        _register_fonts()
        self.canvas = Canvas(str(path), pagesize=A4, encrypt=encrypt)
        self.width, self.height = A4
        self.header = header
        self.footer = footer
        self.layout = Layout()
        self.y = 0.0
        self.ruby: dict[str, str] = {}
        self._new_page(first=True)

    def _new_page(self, first: bool = False) -> None:
        if not first:
            self._finish_page()
            self.canvas.showPage()
        self.layout.pages += 1
        self.canvas.setFont(MINCHO, 8)
        self.canvas.drawRightString(self.width - MARGIN, self.height - 40, self.header)
        self.y = self.height - MARGIN - 12

    def _finish_page(self) -> None:
        self.canvas.setFont(MINCHO, 9)
        self.canvas.drawCentredString(self.width / 2, 36, self.footer(self.layout.pages))

    def column(self) -> float:
        return self.width - 2 * MARGIN

    def print_block(self, block: Block, japanese: bool = True) -> None:
        pitch = block.size * 1.6
        self.y -= block.space_before
        left = MARGIN + pdfmetrics.stringWidth(block.hanging, block.font, block.size)
        if block.lines is not None:
            lines = block.lines
        elif japanese:
            first = self.column() - (left - MARGIN) - block.indent
            lines = _wrap_japanese(block.text, block.font, block.size, first)
            if len(lines) > 1:
                rest = "".join(lines[1:])
                lines = lines[:1] + _wrap_japanese(
                    rest, block.font, block.size, self.column() - (left - MARGIN)
                )
        else:
            lines = _wrap_english(block.text, block.font, block.size, self.column())
        started_page = 0
        for number, line in enumerate(lines):
            if self.y < MARGIN + 10:
                self._new_page()
            started_page = started_page or self.layout.pages
            x = left + (block.indent if number == 0 else 0)
            if number == 0 and block.hanging:
                self._draw(MARGIN, block.hanging, block)
            if block.centred:
                x = (self.width - pdfmetrics.stringWidth(line, block.font, block.size)) / 2
            self._draw(x, line, block)
            self.y -= pitch
        if self.layout.pages != started_page:
            self.layout.broken_blocks.append(block.text)

    def _draw(self, x: float, line: str, block: Block) -> None:
        text = self.canvas.beginText(x, self.y)
        text.setFont(block.font, block.size)
        text.setCharSpace(block.letter_spacing)
        text.textOut(line)
        self.canvas.drawText(text)
        for word, reading in self.ruby.items():
            start = line.find(word)
            if start < 0:
                continue
            offset = pdfmetrics.stringWidth(line[:start], block.font, block.size)
            span = pdfmetrics.stringWidth(word, block.font, block.size)
            size = block.size / 2
            ruby_x = x + offset + (span - pdfmetrics.stringWidth(reading, block.font, size)) / 2
            self.canvas.setFont(block.font, size)
            self.canvas.drawString(ruby_x, self.y + block.size * 0.95, reading)

    def save(self) -> Layout:
        self._finish_page()
        self.canvas.save()
        return self.layout


_SUMMARY_BULLET = re.compile(r"^-\s*(?:▶\s*)?")
_SUMMARY_TOPIC = re.compile(r"^(論点.*|その他)$")


def summary_pdf(text_path: Path, out: Path, encrypt: str | None = None) -> Layout:
    """Print a 議事要旨 text (the METI seed) as its PDF looks: title, fields, 論点, bullets."""
    lines = [line.strip() for line in text_path.read_text(encoding="utf-8-sig").splitlines()]
    filled = [line for line in lines if line]
    title = filled[0]
    blocks: list[Block] = []
    for line in filled[1:]:
        if line.startswith("<"):
            blocks.append(Block(line, space_before=4))
        elif _SUMMARY_TOPIC.match(line):
            blocks.append(Block(line, font=GOTHIC, space_before=10))
        elif bullet := _SUMMARY_BULLET.match(line):
            blocks.append(Block(line[bullet.end() :], hanging=line[: bullet.end()].rstrip() + " "))
        else:  # the text file's own page break inside a bullet: rejoin, then re-flow
            blocks[-1].text += line
    body = title.removesuffix("議事要旨").strip()
    printer = _Printer(out, f"{body}（議事要旨）", lambda n: f"- {n} -", encrypt)
    printer.ruby = RUBY
    printer.print_block(Block(title, font=GOTHIC, size=9.5, centred=True))
    for block in blocks:
        if block.text == "<議事要旨>":  # printed letter-spaced, as headings often are
            block.letter_spacing = 8
        printer.print_block(block)
    return printer.save()


_PAGE_NUMBER_LINE = re.compile(r"^\s*[0-9０-９]{1,4}\s*$")


def transcript_pdf(text_path: Path, out: Path, header: str) -> Layout:
    """Print a transcript text with its own line breaks (indents kept), new page numbers."""
    raw = text_path.read_text(encoding="utf-8-sig").splitlines()
    lines = [line.rstrip() for line in raw if line.strip() and not _PAGE_NUMBER_LINE.match(line)]
    width = max(pdfmetrics.stringWidth(line.strip(), MINCHO, 10.5) for line in lines)
    printer = _Printer(out, header, str)
    printer.width = width + 2 * MARGIN + 11  # the column of the original PDF
    blocks: list[Block] = []
    for line in lines:
        if line.startswith("○"):
            blocks.append(Block(line, font=GOTHIC, lines=[line], space_before=6))
        elif line.startswith((" ", "\u3000")) or not blocks or blocks[-1].text.startswith("○"):
            indent = 10.5 if line.startswith((" ", "\u3000")) else 0.0
            blocks.append(Block(line.strip(), indent=indent, lines=[line.strip()]))
        else:
            assert blocks[-1].lines is not None
            blocks[-1].lines.append(line.strip())
            blocks[-1].text += line.strip()
    for block in blocks:
        printer.print_block(block)
    return printer.save()


def english_pdf(text_path: Path, out: Path, header: str) -> Layout:
    """Print English minutes (one paragraph per line) as word-wrapped paragraphs."""
    if SERIF not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(SERIF, str(SERIF_FILE)))
    paragraphs = [
        line.strip().replace("\u202f", " ")  # no glyph for a narrow no-break space
        for line in text_path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    printer = _Printer(out, header, lambda n: f"Page {n}")
    for paragraph in paragraphs:
        printer.print_block(Block(paragraph, font=SERIF, size=11, space_before=7), False)
    return printer.save()


def blank_pdf(out: Path, pages: int = 2) -> None:
    """A 'scanned' PDF: pages with an image and lines, no text layer at all."""
    from PIL import Image

    image_path = out.with_suffix(".png")
    Image.new("L", (200, 280), color=200).save(image_path)
    canvas = Canvas(str(out), pagesize=A4)
    for _ in range(pages):
        canvas.drawImage(str(image_path), 50, 100, width=500, height=700)
        canvas.line(60, 60, 500, 60)
        canvas.showPage()
    canvas.save()
    image_path.unlink()


def unmapped_font_pdf(out: Path, glyph_ids: Sequence[int]) -> None:
    """A one-page PDF whose text uses an Identity-H font with no ToUnicode map.

    Extractors cannot map its glyphs to characters (pdfminer prints ``(cid:NNN)``), as with
    old ministry PDFs made with fonts that lack a Unicode table.
    """
    hex_text = "".join(f"{gid:04X}" for gid in glyph_ids)
    content = f"BT /F1 12 Tf 72 720 Td <{hex_text}> Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Unknown /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Unknown "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /Unknown /Flags 4 /FontBBox [0 0 1000 1000] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    data = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        data += b"%010d 00000 n \n" % offset
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    out.write_bytes(bytes(data))
