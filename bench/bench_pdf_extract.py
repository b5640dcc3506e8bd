"""Compare PDF text extraction libraries on Japanese (and English) minutes.

The PDFs are printed from the real text in ../shared/corpus by ``tests/pdf_samples.py`` (the
METI 議事要旨, a Cabinet Office council transcript, FOMC minutes), so the right text is known.
For each library's plain-text extraction (its default mode), and for what the indexer does
(``policy-search``: PDFium's characters with their geometry, then `indexer.pdf.layout`), this
prints:

- ``chars``: share of the source's non-space characters found in the output (multiset), the
  Japanese-character correctness;
- ``extra``: output characters not in the source (running headers, footers, furigana, garbage);
- ``lines``: share of the source's lines found whole in the output after removing whitespace
  (and the hyphen of a word split at a line end): a header, footer or furigana printed into
  the middle of a line, or lines read in the wrong order, break it;
- ``order``: share of those whole lines that come after the previous whole line (reading
  order of the page);
- ``pages/s``: extraction speed (best of ``--repeat`` runs, one process, one library at a time).

    PYTHONPATH=. .venv/bin/python bench/bench_pdf_extract.py --repeat 3
"""

from __future__ import annotations

import argparse
import itertools
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.pdf_samples import english_pdf, summary_pdf, transcript_pdf

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SAMPLES = {
    "summary (ja)": (
        "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt",
        lambda src, out: summary_pdf(src, out),
    ),
    "transcript (ja)": (
        "minutes/2025-11-06_kisei-kaikaku-startup-innovation-wg.txt",
        lambda src, out: transcript_pdf(src, out, "規制改革推進会議 議事録"),
    ),
    "FOMC (en)": (
        "minutes/2021-07-28_fomc-minutes_en.txt",
        lambda src, out: english_pdf(src, out, "Minutes of the FOMC"),
    ),
}
_PAGE_NUMBER = re.compile(r"^\s*[0-9]{1,4}\s*$")
_LINE_END_HYPHEN = re.compile(r"(?<=[a-z])-[ \t]*\r?\n\s*(?=[a-z])")


def with_pypdf(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def with_pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(path).split("\f")


def with_pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def with_policy_search(path: Path) -> list[str]:
    """What the indexer reads: PDFium characters -> lines -> layout undone (one page list)."""
    from indexer.pdf.extract import read_pdf_text
    from indexer.pdf.layout import drop_running_lines, join_lines

    pdf = read_pdf_text(path)
    lines = join_lines(drop_running_lines(pdf.pages))
    pages: list[list[str]] = [[] for _ in pdf.pages]
    for line in lines:
        pages[line.page - 1].append(line.text)
    return ["\n".join(page) for page in pages]


LIBRARIES: dict[str, Callable[[Path], list[str]]] = {
    "pypdf": with_pypdf,
    "pdfminer.six": with_pdfminer,
    "pypdfium2": with_pypdfium2,
    "policy-search": with_policy_search,
}


def source_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    squeezed = ("".join(line.split()) for line in lines if not _PAGE_NUMBER.match(line))
    return [line for line in squeezed if len(line) >= 6]


def line_scores(lines: list[str], output: str) -> tuple[float, float]:
    """(share of lines found whole, share of found lines in reading order)."""
    positions = [output.find(line) for line in lines]
    found = [p for p in positions if p >= 0]
    in_order = sum(1 for a, b in itertools.pairwise(found) if b > a)
    return len(found) / max(1, len(lines)), in_order / max(1, len(found) - 1)


def measure(extract: Callable[[Path], list[str]], pdf: Path, lines: list[str], repeat: int) -> str:
    best = float("inf")
    pages: list[str] = []
    for _ in range(repeat):
        started = time.perf_counter()
        pages = extract(pdf)
        best = min(best, time.perf_counter() - started)
    output = "".join("".join(_LINE_END_HYPHEN.sub("", page).split()) for page in pages)
    source = "".join(lines)
    want, got = Counter(source), Counter(output)
    chars = sum((want & got).values()) / max(1, len(source))
    extra = sum((got - want).values()) / max(1, len(output))
    whole, order = line_scores(lines, output)
    rate = len(pages) / best
    return (
        f"chars {chars:7.2%}  extra {extra:6.2%}  lines {whole:7.2%}  order {order:7.2%}  "
        f"{rate:6.1f} pages/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (relative, build) in SAMPLES.items():
            source_path = CORPUS / relative
            pdf = Path(tmp) / "sample.pdf"
            layout = build(source_path, pdf)
            lines = source_lines(source_path)
            chars = sum(len(line) for line in lines)
            print(f"{name}: {relative} -> {layout.pages} pages, {len(lines)} lines, {chars} chars")
            for library, extract in LIBRARIES.items():
                print(f"  {library:<13} {measure(extract, pdf, lines, args.repeat)}")


if __name__ == "__main__":
    main()
