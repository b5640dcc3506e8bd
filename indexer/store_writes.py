"""Writes to the index database: what the pipeline, ``remove`` and channel setup do.

Every method is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``), so a crash or a full disk
leaves the database as it was before the call.  Records from several files merge by id: the
same speech read from a meeting file and from the pool is one statement; a statement (or a
meeting) is deleted only when no indexed file gives it any more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from indexer.manifest import ChannelInfo, utc_now
from indexer.records import ParsedMeeting, Passage, Statement
from indexer.store import StatementStore
from indexer.store_schema import (
    MEETING_COLUMNS,
    STATEMENT_COLUMNS,
    content_hash,
    meeting_row,
    statement_row,
    stored_passage_text,
)
from models.errors import IndexWriteError


@dataclass(frozen=True, slots=True)
class SourceFile:
    """What the index remembers of an input file, to skip it when unchanged."""

    path: str
    content_hash: str
    mtime_ns: int
    size: int
    options_key: str = ""
    """Digest of the CLI overrides the file was read with (a change re-reads it)."""


@dataclass(frozen=True, slots=True)
class FileChange:
    """What replacing one file's records did."""

    meetings: int
    statements: int
    passages_added: int
    passages_removed: int
    statements_removed: int


class StoreWriter:
    """The write side of a ``StatementStore`` opened writable."""

    def __init__(self, store: StatementStore) -> None:
        self._store = store
        self._conn = store.connection
        self.changed = False
        """True once a write changed what the index holds (records or channels), as opposed
        to bookkeeping (a file's new mtime) or vectors not yet in FAISS."""

    @contextmanager
    def _transaction(self, what: str, content: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction; ``content``: it changes what the index holds (committed with
        a raised ``content_version``, so a later run knows the manifest must follow)."""
        with self._store.lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise IndexWriteError(f"cannot start writing ({what}): {exc}") from exc
            try:
                yield self._conn
                if content:
                    self._conn.execute(
                        "INSERT INTO index_state (key, value) VALUES ('content_version', 1) "
                        "ON CONFLICT(key) DO UPDATE SET value = value + 1"
                    )
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise IndexWriteError(
                    f"{what} failed: {exc}; this step was rolled back, and what was committed "
                    "earlier in this run (files stored, vector batches) stays in the index; "
                    "run the same command again (with free space) to finish"
                ) from exc
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        if self._conn.in_transaction:
            with suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")

    def set_channel(self, name: str, info: ChannelInfo) -> None:
        """Record (or replace) an embedding channel."""
        with self._transaction(f"recording channel {name}", content=True) as conn:
            conn.execute(
                "INSERT INTO channels (name, model_id, fingerprint, dimension, kind) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET model_id = "
                "excluded.model_id, fingerprint = excluded.fingerprint, "
                "dimension = excluded.dimension, kind = excluded.kind",
                (name, info.model_id, info.fingerprint, info.dimension, info.kind),
            )
        self.changed = True

    def source_file(self, path: str) -> SourceFile | None:
        """The recorded state of an input file, or None if it was never indexed."""
        with self._store.lock:
            row = self._conn.execute(
                "SELECT path, content_hash, mtime_ns, size, options_key FROM source_files "
                "WHERE path = ?",
                (path,),
            ).fetchone()
        return None if row is None else SourceFile(*row)

    def touch_source_file(self, source: SourceFile) -> None:
        """Record a new mtime/size for a file whose content did not change."""
        with self._transaction(f"recording {source.path}") as conn:
            _upsert_source(conn, source)

    def put_vectors(
        self, fingerprint: str, hashes: Sequence[str], vectors: npt.NDArray[np.float32]
    ) -> None:
        """Store vectors under (content hash, fingerprint); one committed batch."""
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        rows = [(h, fingerprint, matrix[i].tobytes()) for i, h in enumerate(hashes)]
        with self._transaction("storing vectors") as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO vectors (content_hash, fingerprint, vector) "
                "VALUES (?, ?, ?)",
                rows,
            )

    def replace_file(
        self,
        source: SourceFile,
        meetings: Sequence[ParsedMeeting],
        passages: Mapping[str, Sequence[Passage]],
    ) -> FileChange:
        """Make the index hold exactly what ``source`` now gives, in one transaction.

        Meetings and statements are upserted by id; a statement whose passages did not change
        keeps its passage ids.  Records this file gave before and gives no more are deleted
        unless another indexed file still gives them.
        """
        with self._transaction(f"storing {source.path}", content=True) as conn:
            change = _replace_file(conn, source, meetings, passages)
        self.changed = True
        return change

    def forget_files_except(self, keep: set[str]) -> list[FileChange]:
        """Drop the records of every indexed file not in ``keep`` (and the files' entries)."""
        with self._store.lock:
            known = [r[0] for r in self._conn.execute("SELECT path FROM source_files")]
        changes = []
        for path in sorted(set(known) - keep):
            with self._transaction(f"forgetting {path}", content=True) as conn:
                changes.append(_replace_file(conn, SourceFile(path, "", 0, 0), [], {}))
                conn.execute("DELETE FROM source_files WHERE path = ?", (path,))
            self.changed = True
        return changes

    def known_files(self) -> dict[str, list[str]]:
        """Every indexed source file -> the ids of the meetings it gives."""
        with self._store.lock:
            paths = [r[0] for r in self._conn.execute("SELECT path FROM source_files")]
            pairs = self._conn.execute("SELECT path, meeting_id FROM file_meetings").fetchall()
        known: dict[str, list[str]] = {path: [] for path in paths}
        for path, meeting_id in pairs:
            known.setdefault(path, []).append(meeting_id)
        return known

    def forget_file(self, path: str) -> tuple[FileChange, list[str]]:
        """Drop what one indexed file gave; returns the change and the meetings deleted."""
        with self._transaction(f"forgetting {path}") as conn:
            before = _column(conn, "SELECT meeting_id FROM file_meetings WHERE path = ?", path)
            change = _replace_file(conn, SourceFile(path, "", 0, 0), [], {})
            conn.execute("DELETE FROM source_files WHERE path = ?", (path,))
            gone = [
                mid
                for mid in sorted(before)
                if conn.execute("SELECT 1 FROM meetings WHERE meeting_id = ?", (mid,)).fetchone()
                is None
            ]
        return change, gone

    def remove_meeting(self, meeting_id: str) -> int:
        """Delete a meeting, its statements and passages; returns statements deleted (-1: none)."""
        with self._transaction(f"removing meeting {meeting_id}", content=True) as conn:
            found = conn.execute(
                "SELECT count(*) FROM meetings WHERE meeting_id = ?", (meeting_id,)
            ).fetchone()[0]
            if not found:
                return -1
            count = conn.execute(
                "SELECT count(*) FROM statements WHERE meeting_id = ?", (meeting_id,)
            ).fetchone()[0]
            conn.execute(
                "DELETE FROM file_statements WHERE statement_id IN "
                "(SELECT statement_id FROM statements WHERE meeting_id = ?)",
                (meeting_id,),
            )
            conn.execute("DELETE FROM file_meetings WHERE meeting_id = ?", (meeting_id,))
            conn.execute("DELETE FROM meetings WHERE meeting_id = ?", (meeting_id,))
        self.changed = True
        return int(count)


def _upsert_source(conn: sqlite3.Connection, source: SourceFile) -> None:
    conn.execute(
        "INSERT INTO source_files (path, content_hash, mtime_ns, size, options_key, indexed_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
        "content_hash = excluded.content_hash, mtime_ns = excluded.mtime_ns, "
        "size = excluded.size, options_key = excluded.options_key, "
        "indexed_at = excluded.indexed_at",
        (
            source.path,
            source.content_hash,
            source.mtime_ns,
            source.size,
            source.options_key,
            utc_now().isoformat(),
        ),
    )


def _column(conn: sqlite3.Connection, sql: str, value: str) -> set[str]:
    return {row[0] for row in conn.execute(sql, (value,))}


def _upsert_clause(columns: str, key: str) -> str:
    names = [c.strip() for c in columns.split(",")]
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != key)
    marks = ",".join("?" * len(names))
    return f"({columns}) VALUES ({marks}) ON CONFLICT({key}) DO UPDATE SET {updates}"


def _replace_file(
    conn: sqlite3.Connection,
    source: SourceFile,
    meetings: Sequence[ParsedMeeting],
    passages: Mapping[str, Sequence[Passage]],
) -> FileChange:
    path = source.path
    old_statements = _column(conn, "SELECT statement_id FROM file_statements WHERE path = ?", path)
    old_meetings = _column(conn, "SELECT meeting_id FROM file_meetings WHERE path = ?", path)
    conn.executemany(
        "INSERT INTO meetings " + _upsert_clause(MEETING_COLUMNS, "meeting_id"),
        [meeting_row(parsed.meeting) for parsed in meetings],
    )
    statements = [s for parsed in meetings for s in parsed.statements]
    conn.executemany(
        "INSERT INTO statements " + _upsert_clause(STATEMENT_COLUMNS, "statement_id"),
        [statement_row(s) for s in statements],
    )
    added = removed = 0
    for statement in statements:
        sid = statement.statement_id
        plus, minus = _replace_passages(conn, statement, passages.get(sid, ()))
        added += plus
        removed += minus
    new_statements = {s.statement_id for s in statements}
    new_meetings = {parsed.meeting.meeting_id for parsed in meetings}
    conn.execute("DELETE FROM file_statements WHERE path = ?", (path,))
    conn.executemany(
        "INSERT INTO file_statements (path, statement_id) VALUES (?, ?)",
        [(path, sid) for sid in sorted(new_statements)],
    )
    conn.execute("DELETE FROM file_meetings WHERE path = ?", (path,))
    conn.executemany(
        "INSERT INTO file_meetings (path, meeting_id) VALUES (?, ?)",
        [(path, mid) for mid in sorted(new_meetings)],
    )
    dropped = 0
    for sid in sorted(old_statements - new_statements):
        still = conn.execute(
            "SELECT 1 FROM file_statements WHERE statement_id = ? LIMIT 1", (sid,)
        ).fetchone()
        if still is None:
            removed += conn.execute(
                "SELECT count(*) FROM passages WHERE statement_id = ?", (sid,)
            ).fetchone()[0]
            conn.execute("DELETE FROM statements WHERE statement_id = ?", (sid,))
            dropped += 1
    for mid in sorted(old_meetings - new_meetings):
        still = conn.execute(
            "SELECT 1 FROM file_meetings WHERE meeting_id = ? LIMIT 1", (mid,)
        ).fetchone()
        if still is None:
            conn.execute("DELETE FROM meetings WHERE meeting_id = ?", (mid,))
    _upsert_source(conn, source)
    return FileChange(
        meetings=len(new_meetings),
        statements=len(new_statements),
        passages_added=added,
        passages_removed=removed,
        statements_removed=dropped,
    )


def _replace_passages(
    conn: sqlite3.Connection, statement: Statement, passages: Sequence[Passage]
) -> tuple[int, int]:
    """Replace a statement's passages unless they are unchanged; returns (added, removed)."""
    statement_id = statement.statement_id
    wanted = [(p.ordinal, content_hash(p.text), p.char_start, p.char_end) for p in passages]
    existing = conn.execute(
        "SELECT ordinal, content_hash, char_start, char_end FROM passages "
        "WHERE statement_id = ? ORDER BY ordinal",
        (statement_id,),
    ).fetchall()
    if [tuple(row) for row in existing] == wanted:
        return 0, 0
    conn.execute("DELETE FROM passages WHERE statement_id = ?", (statement_id,))
    conn.executemany(
        "INSERT INTO passages (statement_id, ordinal, text, char_start, char_end, content_hash) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                statement_id,
                p.ordinal,
                stored_passage_text(statement.text, p),
                p.char_start,
                p.char_end,
                w[1],
            )
            for p, w in zip(passages, wanted, strict=True)
        ],
    )
    return len(wanted), len(existing)
