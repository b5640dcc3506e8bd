"""Maintenance of an existing index: remove a meeting, check SQLite against FAISS, rebuild FAISS.

Each operation takes the update lock, so it never interleaves with a running update, and ends
by refreshing the FAISS files and writing the manifest (a running server then reloads).
"""

from __future__ import annotations

from pathlib import Path

from indexer.consistency import ChannelCheck, ConsistencyReport, check_channel, rebuild_vectors
from indexer.index_dir import FAISS_DIR, faiss_path, open_for_update
from indexer.manifest import read_manifest
from indexer.vectors import FaissVectorIndex
from models.errors import MeetingNotFoundError


def remove_meeting(directory: Path, meeting_id: str) -> int:
    """Delete one meeting and its statements; returns how many statements were deleted.

    Raises MeetingNotFoundError when the index has no such meeting.  Indexing the meeting's
    file again restores it only if the file changed (an unchanged file is skipped).
    """
    index = open_for_update(directory, None)
    try:
        removed = index.writer.remove_meeting(meeting_id)
        if removed < 0:
            raise MeetingNotFoundError(f"no meeting with id {meeting_id!r} in {directory}")
        index.refresh_vectors()
        index.write_manifest()
    finally:
        index.close()
    return removed


def check_index(directory: Path, rebuild_faiss: bool = False) -> ConsistencyReport:
    """Compare each channel's FAISS file with SQLite (counts and ids).

    With ``rebuild_faiss``, every FAISS file is first rebuilt from the vectors stored in SQLite
    (no re-embedding) and the manifest rewritten; the report then describes the rebuilt files.
    """
    index = open_for_update(directory, None)
    try:
        store = index.store
        if rebuild_faiss:
            (directory / FAISS_DIR).mkdir(exist_ok=True)
            for name in store.channels():
                rebuild_vectors(store, name).save(faiss_path(directory, name))
            index.write_manifest(force=True)
        checks: list[ChannelCheck] = []
        for name, info in sorted(store.channels().items()):
            path = faiss_path(directory, name)
            if path.is_file():
                vectors = FaissVectorIndex.load(path, info.kind)
            else:
                vectors = FaissVectorIndex.create(info.dimension, info.kind)
            checks.append(check_channel(store, name, vectors))
    finally:
        index.close()
    return ConsistencyReport(tuple(checks))


def upgrade_index(directory: Path) -> tuple[int, int]:
    """Bring an index to this code's schema in place; returns (version before, version now).

    Migrations keep stored vectors and FAISS files (passage ids do not change), so no model
    is needed.  An index already current is left alone (its generation does not change).
    """
    manifest = read_manifest(directory)
    before = 0 if manifest is None else manifest.schema_version
    index = open_for_update(directory, None)
    try:
        after = index.write_manifest().schema_version
    finally:
        index.close()
    return before, after
