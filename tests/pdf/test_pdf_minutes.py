"""PDFs printed from the real corpus read back as the same statements as the text files.

Each PDF is laid out like the published one (tests/pdf_samples.py): Japanese CID fonts,
running headers, page-number footers, furigana, hard wraps and remarks across page breaks.
Equality is after whitespace normalisation: runs of whitespace are one space, and no space
is kept next to a Japanese character (a PDF has no record of those).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from reportlab.lib import pdfencrypt

from indexer.reading import read_minutes_file_with_warnings, read_paths
from indexer.records import ParsedMeeting
from models.errors import ParseError
from tests.pdf_samples import (
    RUBY,
    blank_pdf,
    english_pdf,
    summary_pdf,
    transcript_pdf,
    unmapped_font_pdf,
)

SEED = "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt"
COUNCIL = "minutes/2025-11-06_kisei-kaikaku-startup-innovation-wg.txt"
FOMC = "minutes/2021-11-03_fomc-minutes_en.txt"
_SPACE_NEXT_TO_WIDE = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")


def normalised(text: str) -> str:
    return _SPACE_NEXT_TO_WIDE.sub("", " ".join(text.split()))


def read(path: Path) -> tuple[str, list[ParsedMeeting], tuple[str, ...]]:
    return read_minutes_file_with_warnings(path)


def assert_same_statements(text_file: Path, pdf: Path) -> list[ParsedMeeting]:
    fmt, from_text, _ = read(text_file)
    pdf_fmt, from_pdf, warnings = read(pdf)
    assert pdf_fmt == f"pdf/{fmt}" and warnings == ()
    want = [s for m in from_text for s in m.statements]
    got = [s for m in from_pdf for s in m.statements]
    assert len(got) == len(want)
    assert [normalised(s.text) for s in got] == [normalised(s.text) for s in want]
    assert [(s.speaker_name, s.speaker_role, s.topic) for s in got] == [
        (s.speaker_name, s.speaker_role, s.topic) for s in want
    ]
    assert from_pdf[0].meeting.title == from_text[0].meeting.title
    pages = [s.page for s in got]
    assert pages == sorted(pages) and pages[0] == 1 and all(s.source_line is None for s in got)
    return from_pdf


def test_summary_pdf_gives_the_seed_statements_with_pages(tmp_path: Path, corpus_dir: Path) -> None:
    pdf = tmp_path / "2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.pdf"
    layout = summary_pdf(corpus_dir / SEED, pdf)
    broken = next(text for text in layout.broken_blocks if "演繹的" in text)
    meetings = assert_same_statements(corpus_dir / SEED, pdf)
    statements = meetings[0].statements
    across = next(s for s in statements if s.text.startswith(broken[:20]))
    assert across.page == 1 and "経済安全保障政策の文脈" in across.text  # rejoined over page 2
    assert max(s.page or 0 for s in statements) == layout.pages == 3
    text = "".join(s.text for s in statements)
    assert not any(reading in text for reading in RUBY.values())  # furigana left out
    assert "- 2 -" not in text and "（議事要旨）" not in text  # footer and header left out


def test_council_transcript_pdf_gives_the_same_remarks(tmp_path: Path, corpus_dir: Path) -> None:
    pdf = tmp_path / "2025-11-06_kisei-kaikaku-startup-innovation-wg.pdf"
    layout = transcript_pdf(corpus_dir / COUNCIL, pdf, "規制改革推進会議 議事録")
    assert layout.broken_blocks  # some remark continues on the next page
    meetings = assert_same_statements(corpus_dir / COUNCIL, pdf)
    assert meetings[0].statements[0].speaker_name == "落合 孝文"
    assert max(s.page or 0 for s in meetings[0].statements) >= layout.pages - 1


def test_fomc_pdf_gives_the_same_paragraphs_with_hyphenated_words_rejoined(
    tmp_path: Path, corpus_dir: Path
) -> None:
    pdf = tmp_path / "2021-11-03_fomc-minutes_en.pdf"
    layout = english_pdf(corpus_dir / FOMC, pdf, "Minutes of the Federal Open Market Committee")
    assert layout.broken_blocks
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    printed = "".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    assert "\ufffe" in printed  # some word really was hyphenated at a line end
    assert_same_statements(corpus_dir / FOMC, pdf)


def test_a_pdf_named_txt_is_still_read_as_a_pdf(tmp_path: Path, corpus_dir: Path) -> None:
    pdf = tmp_path / "minutes.txt"
    summary_pdf(corpus_dir / SEED, pdf)
    fmt, meetings, _ = read(pdf)
    assert fmt == "pdf/summary" and len(meetings[0].statements) == 41


def test_a_pdf_with_only_an_owner_password_opens(tmp_path: Path, corpus_dir: Path) -> None:
    pdf = tmp_path / "restricted.pdf"
    summary_pdf(corpus_dir / SEED, pdf, pdfencrypt.StandardEncryption("", "owner", canCopy=0))
    assert len(read(pdf)[1][0].statements) == 41


def bad_pdfs(folder: Path, corpus_dir: Path) -> dict[str, str]:
    """Write one PDF of each bad kind; returns file name -> expected words of its error."""
    summary_pdf(
        corpus_dir / SEED, folder / "encrypted.pdf", pdfencrypt.StandardEncryption("pw", "owner")
    )
    blank_pdf(folder / "scanned.pdf")
    unmapped_font_pdf(folder / "unmapped.pdf", [1200, 1300, 1400, 88, 99])
    good = folder / "seed.pdf"
    summary_pdf(corpus_dir / SEED, good)
    (folder / "truncated.pdf").write_bytes(good.read_bytes()[:4000])
    (folder / "error-page.pdf").write_text("<html><body>502 Bad Gateway</body></html>")
    return {
        "encrypted.pdf": "encrypted PDF: it needs a password",
        "scanned.pdf": "no text layer; OCR is not supported",
        "unmapped.pdf": "fonts without a Unicode map",
        "truncated.pdf": "corrupt or unreadable PDF",
        "error-page.pdf": "not a PDF: no %PDF- signature",
    }


def test_bad_pdfs_get_an_error_naming_the_file_and_the_good_one_is_read(
    tmp_path: Path, corpus_dir: Path
) -> None:
    expected = bad_pdfs(tmp_path, corpus_dir)
    results = {r.path.name: r for r in read_paths([tmp_path])}
    assert results["seed.pdf"].error is None and results["seed.pdf"].statement_count == 41
    for name, words in expected.items():
        error = results[name].error
        assert isinstance(error, ParseError), name
        assert error.path == str(tmp_path / name) and words in str(error), str(error)


def test_a_few_unmapped_glyphs_or_empty_pages_are_left_out_with_a_warning(
    tmp_path: Path, corpus_dir: Path
) -> None:
    text = tmp_path / "minutes.txt"
    source = (corpus_dir / SEED).read_text(encoding="utf-8")
    text.write_text(source.replace("脅威である。", "脅威(cid:1234)である。"), encoding="utf-8")
    _, meetings, warnings = read(text)
    assert warnings == ("2 (cid:NNN) placeholders were left out",)
    assert not any("(cid:" in s.text for s in meetings[0].statements)
    mostly = tmp_path / "garbage.txt"
    mostly.write_text("(cid:12)(cid:40)(cid:7)\n" * 50 + "- ▶ あ\n", encoding="utf-8")
    with pytest.raises(ParseError, match="mostly \\(cid:NNN\\) placeholders"):
        read(mostly)
