"""The PDF path never crashes: any lines give text, any bytes after %PDF- give a ParseError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.pdf.layout import TextLine, drop_running_lines, join_lines
from indexer.reading import read_minutes_file
from models.errors import ParseError
from tests.pdf_samples import summary_pdf

LINES = st.lists(
    st.lists(
        st.builds(
            TextLine,
            text=st.text(alphabet="あア漢字 　-‐・○▶abcXYZ.,。、0123456789（）", max_size=30),
            x0=st.floats(0, 600),
            x1=st.floats(0, 600),
            baseline=st.floats(0, 850),
            size=st.floats(0.5, 30),
        ),
        max_size=12,
    ),
    max_size=5,
)


@given(pages=LINES)
def test_any_lines_give_paragraphs_with_valid_pages(pages: list[list[TextLine]]) -> None:
    lines = join_lines(drop_running_lines(pages))
    assert all(1 <= line.page <= len(pages) for line in lines)
    assert all("\n" not in line.text and line.text.strip(" ") for line in lines)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 11_000), noise=st.binary(min_size=0, max_size=64))
def test_damaged_pdfs_are_read_or_refused_with_a_parse_error(
    tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path, cut: int, noise: bytes
) -> None:
    folder = tmp_path_factory.mktemp("pdf")
    good = folder / "good.pdf"
    summary_pdf(
        corpus_dir / "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt", good
    )
    data = good.read_bytes()
    damaged = folder / "damaged.pdf"
    damaged.write_bytes(data[:cut] + noise + data[cut + len(noise) :])
    try:
        meetings = read_minutes_file(damaged)
    except ParseError as exc:
        assert exc.path == str(damaged)
    else:
        assert meetings and all(s.page is not None for s in meetings[0].statements)
