"""A full disk while updating: a clear error, the previous index still opens, a rerun completes.

SQLite's ``max_page_count`` makes the database report SQLITE_FULL exactly as a full disk does;
FAISS and manifest writes are made to fail with ENOSPC.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

import indexer.manifest
import indexer.store
import indexer.vectors
from indexer.index_dir import open_index
from indexer.maintenance import check_index
from indexer.manifest import read_manifest
from indexer.pipeline import UpdateOptions, update_index
from models.errors import IndexWriteError
from models.fake import HashingEmbedder

QUIET = UpdateOptions(progress=False, batch_size=32)


def embedders() -> dict[str, HashingEmbedder]:
    return {"e5": HashingEmbedder()}


@pytest.fixture
def seeded(tmp_path: Path, corpus_dir: Path) -> Path:
    index_dir = tmp_path / "index"
    update_index(index_dir, [corpus_dir / "seed"], embedders(), QUIET)
    return index_dir


def test_database_full_is_reported_and_the_previous_index_kept(
    seeded: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = indexer.store.connect

    def small_disk(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
        conn = original(path, readonly=readonly)
        if not readonly:
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            conn.execute(f"PRAGMA max_page_count = {pages + 8}")
        return conn

    monkeypatch.setattr(indexer.store, "connect", small_disk)
    with pytest.raises(IndexWriteError, match="full") as failure:
        update_index(seeded, [corpus_dir / "minutes"], embedders(), QUIET)
    message = str(failure.value)
    assert "rolled back" in message and "committed earlier in this run" in message
    assert "keeps its previous state" not in message, "earlier commits of the run remain"
    monkeypatch.undo()

    manifest = read_manifest(seeded)
    assert manifest is not None and manifest.generation == 1
    with open_index(seeded) as index:
        assert index.store.count_statements() == 41
    assert check_index(seeded).ok
    summary = update_index(seeded, [corpus_dir / "minutes"], embedders(), QUIET)
    assert summary.failed == 0 and summary.reused > 0, "vectors committed before the error kept"


def test_faiss_write_failure_keeps_the_old_file_and_a_rerun_repairs(
    seeded: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    faiss_file = seeded / "faiss" / "e5.index"
    old_bytes = faiss_file.read_bytes()

    def no_space(*_: object) -> None:
        raise RuntimeError(f"[Errno {errno.ENOSPC}] No space left on device")

    monkeypatch.setattr(indexer.vectors.faiss, "write_index", no_space)
    with pytest.raises(IndexWriteError, match="No space left"):
        update_index(seeded, [corpus_dir / "minutes"], embedders(), QUIET)
    monkeypatch.undo()

    assert faiss_file.read_bytes() == old_bytes
    assert sorted(p.name for p in faiss_file.parent.iterdir()) == ["e5.index"]
    with open_index(seeded) as index:  # SQLite has the new statements; FAISS is reconciled
        assert index.store.count_statements() == 41 + 93 + 310
        assert index.vectors("e5").ntotal == index.store.count_passages()
    assert not check_index(seeded).ok
    rerun = update_index(seeded, [corpus_dir / "minutes"], embedders(), QUIET)
    assert rerun.embedded == 0 and rerun.skipped == len(rerun.files)
    assert check_index(seeded).ok


def test_manifest_write_failure_keeps_the_old_manifest(
    seeded: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def no_space_for_the_manifest(fd: int) -> None:
        if ".manifest.json.tmp" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(indexer.manifest.os, "fsync", no_space_for_the_manifest)
    with pytest.raises(IndexWriteError, match="previous file is kept"):
        update_index(seeded, [corpus_dir / "minutes"], embedders(), QUIET)
    monkeypatch.undo()
    manifest = read_manifest(seeded)
    assert manifest is not None and manifest.counts["statements"] == 41
    assert not list(seeded.glob(".manifest.json.tmp-*"))
