"""`policy-search index DIR` notices files gone from DIR; `--sync` removes their meetings."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli_runner import run

COUNCIL = "2025-11-06_kisei-kaikaku-startup-innovation-wg.txt"
FOMC = "2021-07-28_fomc-minutes_en.txt"


def meeting_ids(index_dir: Path, capsys: pytest.CaptureFixture[str]) -> set[str]:
    code, out, _ = run(["meetings", "--index", str(index_dir), "--json"], capsys)
    assert code == 0
    return {row["id"] for row in json.loads(out)["meetings"]}


def test_gone_files_are_listed_as_stale_and_removed_with_sync(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "minutes"
    shutil.copytree(corpus_dir / "minutes", folder)
    index_dir = tmp_path / "index"
    common = ["--index", str(index_dir), "--model", "fake", "--no-progress"]
    assert run(["index", str(folder), *common], capsys)[0] == 0
    before = meeting_ids(index_dir, capsys)
    council_id, fomc_id = COUNCIL.removesuffix(".txt"), FOMC.removesuffix(".txt")
    assert {council_id, fomc_id} <= before
    (folder / COUNCIL).unlink()
    (folder / FOMC).rename(folder / f"{FOMC}.bak")  # no longer minutes to read

    code, out, _ = run(["index", str(folder), *common], capsys)
    assert code == 0
    assert f"stale      {(folder / COUNCIL).resolve()} (gone; still indexed: {council_id})" in out
    assert "2 stale files kept; run with --sync to remove them" in out
    assert meeting_ids(index_dir, capsys) == before  # nothing removed without --sync

    code, out, _ = run(["index", str(folder), "--sync", "--json", *common], capsys)
    assert code == 0
    removed = {r["path"]: r for r in json.loads(out)["removed_files"]}
    assert removed[str((folder / COUNCIL).resolve())]["meetings_removed"] == [council_id]
    assert removed[str((folder / COUNCIL).resolve())]["statements_removed"] == 55
    assert meeting_ids(index_dir, capsys) == before - {council_id, fomc_id}

    code, out, _ = run(["index", str(folder), "--sync", *common], capsys)
    assert code == 0 and "removed    " not in out and "stale" not in out  # nothing left


def test_files_indexed_from_another_folder_are_never_stale(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    common = ["--index", str(index_dir), "--model", "fake", "--no-progress"]
    assert run(["index", str(corpus_dir / "seed"), *common], capsys)[0] == 0
    other = tmp_path / "other"
    shutil.copytree(corpus_dir / "minutes", other)
    code, out, _ = run(["index", str(other), "--sync", *common], capsys)
    assert code == 0 and "removed    " not in out and "stale" not in out
    assert "2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi" in meeting_ids(
        index_dir, capsys
    )
