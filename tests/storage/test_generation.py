"""The manifest generation moves exactly when the index changed (servers reload on it).

Regression for issue 13.13: every run bumped the generation, so servers reloaded for nothing.
Real minutes, a real index, the fake embedder.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import indexer.index_dir
from indexer.manifest import read_manifest
from indexer.pipeline import UpdateOptions, default_embedders, update_index
from models.errors import IndexWriteError

QUIET = UpdateOptions(progress=False)
COUNCIL = "minutes/2025-10-03_kisei-kaikaku-suishin-kaigi.txt"


def generation(index_dir: Path) -> int:
    manifest = read_manifest(index_dir)
    assert manifest is not None
    return manifest.generation


@pytest.fixture
def copied(tmp_path: Path, corpus_dir: Path) -> Path:
    folder = tmp_path / "minutes"
    folder.mkdir()
    shutil.copy(corpus_dir / COUNCIL, folder)
    shutil.copy(next((corpus_dir / "seed").iterdir()), folder)
    return folder


def test_runs_that_change_nothing_keep_the_generation(tmp_path: Path, copied: Path) -> None:
    index_dir = tmp_path / "index"
    embedders = default_embedders("fake")
    update_index(index_dir, [copied], embedders, QUIET)
    assert generation(index_dir) == 1
    stamp = (index_dir / "manifest.json").stat().st_mtime_ns

    update_index(index_dir, [copied], embedders, QUIET)  # nothing new
    for path in copied.iterdir():  # touched, same bytes
        os.utime(path, ns=(1, 1))
    update_index(index_dir, [copied], embedders, QUIET)
    assert generation(index_dir) == 1
    assert (index_dir / "manifest.json").stat().st_mtime_ns == stamp, "not even rewritten"

    council = next(copied.glob("*kisei*"))
    council.write_text(council.read_text(encoding="utf-8") + "\n○議長　閉会します。\n")
    update_index(index_dir, [copied], embedders, QUIET)
    assert generation(index_dir) == 2


def test_a_change_committed_by_a_run_that_failed_before_its_manifest_is_published_next_run(
    tmp_path: Path, copied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    embedders = default_embedders("fake")
    update_index(index_dir, [copied], embedders, QUIET)
    sidecar = [{"file": next(copied.glob("*kisei*")).name, "title": "改題した会議"}]
    (copied / "meetings.json").write_text(json.dumps(sidecar), encoding="utf-8")  # new title only

    def disk_full(*_: object) -> None:
        raise IndexWriteError("cannot write manifest.json: No space left on device")

    monkeypatch.setattr(indexer.index_dir, "write_manifest", disk_full)
    with pytest.raises(IndexWriteError):
        update_index(index_dir, [copied], embedders, QUIET)
    monkeypatch.undo()
    assert generation(index_dir) == 1

    rerun = update_index(index_dir, [copied], embedders, QUIET)
    assert rerun.skipped == 2, "nothing to re-read: the change was committed"
    assert generation(index_dir) == 2, "the committed change is published"
