"""`policy-search index` on a folder of PDFs, good and bad; the page reaches search results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import run
from tests.pdf.test_pdf_minutes import bad_pdfs


def test_index_reads_the_good_pdf_reports_each_bad_one_and_keeps_what_was_indexed(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir, folder = tmp_path / "index", tmp_path / "pdfs"
    folder.mkdir()
    expected = bad_pdfs(folder, corpus_dir)
    common = ["--index", str(index_dir), "--model", "fake", "--no-progress"]
    code, out, err = run(["index", str(corpus_dir / "minutes"), *common], capsys)
    assert code == 0
    code, out, err = run(["index", str(folder), *common], capsys)
    assert code == 1
    assert f"indexed    {folder / 'seed.pdf'} [pdf/summary]: 1 meetings, 41 statements" in out
    failed = {line.split(": ", 1)[0]: line for line in err.splitlines()}
    for name, words in expected.items():
        assert words in failed[f"FAILED     {folder / name}"]
    code, out, err = run(["stats", "--index", str(index_dir), "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["statements"] == 93 + 310 + 41  # nothing indexed before was lost

    query = [
        "search",
        "デジタル自給率",
        "--index",
        str(index_dir),
        "--model",
        "fake",
        "--limit",
        "1",
        "--mode",
    ]
    code, out, _ = run([*query, "lexical", "--json"], capsys)
    hit = json.loads(out)["results"][0]
    assert hit["statement_id"].startswith("seed_") and hit["source"]["page"] == 1
    code, out, _ = run([*query, "lexical"], capsys)
    assert f"id {hit['statement_id']} · p. 1" in out
    code, out, _ = run(
        [
            "search",
            "頭脳循環",
            "--index",
            str(index_dir),
            "--model",
            "fake",
            "--limit",
            "1",
            "--mode",
            "lexical",
            "--json",
        ],
        capsys,
    )
    assert json.loads(out)["results"][0]["source"]["page"] == 2
