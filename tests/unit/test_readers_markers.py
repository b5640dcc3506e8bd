"""Segmentation check against the labelled dev set: every marker lies inside one statement.

dev.jsonl names, for each question, remarks by a marker (a 12-40 character excerpt) and the
file they are in.  If the readers split remarks where check_markers.py says remarks are, each
marker (whitespace removed, as check_markers.py's broad rule does) is found in exactly one
statement read from that file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.reading import read_minutes_file
from indexer.records import Statement


def _normalise(text: str) -> str:
    return re.sub(r"\s", "", text)


def _corpus_files(corpus_dir: Path) -> dict[str, Path]:
    files = {}
    for pattern in ("seed/*.txt", "kokkai/meetings/*.json", "minutes/*.txt"):
        files.update({p.name: p for p in corpus_dir.glob(pattern)})
    return files


def _markers(dev_questions_path: Path) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for line in dev_questions_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            question = json.loads(line)
            rows.extend((question["qid"], r["file"], r["marker"]) for r in question["relevant"])
    return rows


def test_every_dev_marker_falls_inside_exactly_one_statement_of_its_file(
    corpus_dir: Path, dev_questions_path: Path
) -> None:
    files = _corpus_files(corpus_dir)
    statements: dict[str, list[Statement]] = {}
    problems = []
    markers = _markers(dev_questions_path)
    for qid, name, marker in markers:
        if name not in statements:
            meetings = read_minutes_file(files[name])
            statements[name] = [s for m in meetings for s in m.statements]
        needle = _normalise(marker)
        hits = [s.statement_id for s in statements[name] if needle in _normalise(s.text)]
        if len(hits) != 1:
            problems.append(f"{qid} {name} {marker!r}: {len(hits)} statements {hits}")
    assert len(markers) > 150
    assert {name.rsplit("_", 1)[-1] for name in statements} >= {"en.txt", "gijiyoshi.txt"}
    assert problems == []


@pytest.mark.parametrize("suffix", ["_en.txt", "kaigi.txt", "-wg.txt"])
def test_markers_cover_each_text_format(dev_questions_path: Path, suffix: str) -> None:
    assert any(name.endswith(suffix) for _, name, _ in _markers(dev_questions_path))
