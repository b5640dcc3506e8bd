"""File names that are not UTF-8 or hold newlines are indexed, stored and shown safely.

Regression for issue 13.2: a name with non-UTF-8 bytes crashed `policy-search index` with a
UnicodeEncodeError while storing the source path; the files after it were never read and every
rerun crashed the same way.  A name with a newline became a meeting id with a newline.  Real
minutes under such names, the real CLI, a real index (fake embedder).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from indexer.index_dir import open_index

ENTRY_POINT = Path(sys.executable).parent / "policy-search"
LATIN1_NAME = b"r\xe9union-2023.txt"  # "réunion" in Latin-1: not UTF-8
NEWLINE_NAME = "council\nminutes.txt"
URL_SAFE = re.compile(r"[\w\-.~]+")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRY_POINT), *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_odd_file_names_are_indexed_with_the_files_after_them(
    tmp_path: Path, corpus_dir: Path
) -> None:
    folder = tmp_path / "minutes"
    folder.mkdir()
    seed = next((corpus_dir / "seed").iterdir())
    shutil.copy(seed, os.fsencode(folder) + b"/" + LATIN1_NAME)
    shutil.copy(
        corpus_dir / "minutes" / "2025-10-03_kisei-kaikaku-suishin-kaigi.txt", folder / NEWLINE_NAME
    )
    shutil.copy(corpus_dir / "minutes" / "2021-07-28_fomc-minutes_en.txt", folder / "zz-fomc.txt")
    index_dir = tmp_path / "index"

    first = run_cli("index", str(folder), "--index", str(index_dir), "--model", "fake", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert (report["indexed"], report["failed"]) == (3, 0), "every file, the last one too"
    shown = {Path(f["path"]).name for f in report["per_file"]}
    assert shown == {"r\\xe9union-2023.txt", "council\\nminutes.txt", "zz-fomc.txt"}
    assert run_cli("check", "--index", str(index_dir)).returncode == 0

    with open_index(index_dir) as index:
        meetings = {m.meeting_id: m for m, _ in index.store.list_meetings()}
        assert len(meetings) == 3
        assert all(URL_SAFE.fullmatch(mid) for mid in meetings), sorted(meetings)
        for meeting in meetings.values():
            meeting.source_file.encode("utf-8")  # storable, printable text
            assert "\n" not in meeting.source_file
        readable = {Path(m.source_file).name for m in meetings.values()}
        assert readable == shown

    second = run_cli("index", str(folder), "--index", str(index_dir), "--model", "fake")
    assert second.returncode == 0, second.stderr
    assert "3 files (0 indexed, 3 unchanged, 0 failed)" in second.stdout
    meetings_out = run_cli("meetings", "--index", str(index_dir), "--json")
    assert meetings_out.returncode == 0, meetings_out.stderr
