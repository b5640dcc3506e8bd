"""The SQLite store of an index: the source of truth for meetings, statements, passages, vectors.

One ``StatementStore`` wraps one connection (WAL mode, foreign keys on).  Reads are what the
searcher consumes; writes (in ``indexer.store_writes``) are what the pipeline does.  A reader can
hold a *snapshot* (an open read transaction) so a concurrent update is never seen half-way.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from indexer.manifest import ChannelInfo
from indexer.records import Meeting, Passage, Statement, StatementFilter, ThemeTag
from indexer.store_schema import (
    MEETING_COLUMNS,
    PASSAGE_COLUMNS,
    PASSAGE_FROM,
    PASSAGE_TEXT,
    SCHEMA_VERSION,
    STATEMENT_COLUMNS,
    meeting_from_row,
    migrate,
    passage_from_row,
    schema_version,
    statement_from_row,
)
from indexer.themes.sql import theme_filter_sql
from models.errors import (
    IndexCorruptError,
    IndexMismatchError,
    MeetingNotFoundError,
    StatementNotFoundError,
)

DATABASE_NAME = "index.sqlite"
IN_CHUNK = 900
"""Ids per ``IN (...)`` query, well below SQLite's variable limit."""

IdArray = npt.NDArray[np.int64]


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on."""
    try:
        if readonly:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro",
                uri=True,
                isolation_level=None,
                check_same_thread=False,
            )
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            # 8 KiB pages hold five 384-d float32 vectors (4 KiB pages held two); no-op later.
            conn.execute("PRAGMA page_size=8192")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
    except sqlite3.Error as exc:
        raise IndexCorruptError(f"cannot open the index database {path}: {exc}") from exc
    return conn


class StatementStore:
    """Meetings, statements, passages and their vectors in one SQLite database."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self._themes_known: bool | None = None

    @classmethod
    def open(cls, path: Path, *, readonly: bool = False) -> StatementStore:
        """Open (and, when writable, create or migrate) the database at ``path``."""
        conn = connect(path, readonly=readonly)
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            conn.close()
            raise IndexMismatchError(
                f"{path} has schema version {version}, newer than this policy-search "
                f"({SCHEMA_VERSION}); upgrade policy-search or rebuild with "
                "`policy-search index --rebuild PATH...`"
            )
        if version < SCHEMA_VERSION:
            if readonly:
                conn.close()
                raise IndexMismatchError(
                    f"{path} has schema version {version}, this policy-search needs "
                    f"{SCHEMA_VERSION}; run `policy-search upgrade --index DIR` once to upgrade it"
                )
            migrate(conn)
        return cls(conn)

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for the write helpers of this package)."""
        return self._conn

    @property
    def lock(self) -> threading.RLock:
        """Held around every use of the connection (a server may call from many threads)."""
        return self._lock

    def close(self) -> None:
        """End any snapshot and close the connection."""
        with self._lock:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._conn.close()

    def begin_snapshot(self) -> None:
        """Start a read transaction: later reads see the database as it is now."""
        with self._lock:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._conn.execute("BEGIN")
            self._conn.execute("SELECT count(*) FROM channels").fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                raise IndexCorruptError(f"index database query failed: {exc}") from exc

    def _chunked(self, sql: str, ids: Sequence[Any]) -> Iterator[Any]:
        """Run ``sql`` (with one ``{marks}`` placeholder list) over ``ids`` in chunks."""
        for start in range(0, len(ids), IN_CHUNK):
            chunk = list(ids[start : start + IN_CHUNK])
            yield from self._all(sql.format(marks=",".join("?" * len(chunk))), chunk)

    # ---- meetings and statements -------------------------------------------------------
    def get_statement(self, statement_id: str) -> Statement:
        """One statement by id; raises StatementNotFoundError."""
        rows = self._all(
            f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE statement_id = ?", (statement_id,)
        )
        if not rows:
            raise StatementNotFoundError(f"no statement with id {statement_id!r}")
        return self._with_themes([statement_from_row(rows[0])])[0]

    def get_statements(self, ids: Sequence[str]) -> dict[str, Statement]:
        """The statements with these ids that exist, by id."""
        sql = f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE statement_id IN ({{marks}})"
        found = [statement_from_row(row) for row in self._chunked(sql, list(ids))]
        return {s.statement_id: s for s in self._with_themes(found)}

    def theme_tags(self, ids: Sequence[str]) -> dict[str, list[ThemeTag]]:
        """The assigned theme tags of these statements, by set order then rank."""
        if not self._has_themes():
            return {}
        sql = (
            "SELECT t.statement_id, t.set_id, t.theme_id, th.name, t.score, t.rank, th.name_ja "
            "FROM statement_themes t JOIN themes th ON th.set_id = t.set_id AND th.theme_id = "
            "t.theme_id JOIN theme_sets ts ON ts.set_id = t.set_id WHERE t.assigned = 1 AND "
            "t.statement_id IN ({marks}) ORDER BY ts.position, t.rank"
        )
        out: dict[str, list[ThemeTag]] = {}
        for row in self._chunked(sql, list(dict.fromkeys(ids))):
            out.setdefault(row[0], []).append(ThemeTag(*row[1:]))
        return out

    def _has_themes(self) -> bool:
        if self._themes_known is None:
            rows = self._all("SELECT 1 FROM sqlite_master WHERE name = 'statement_themes'")
            self._themes_known = bool(rows)
        return self._themes_known

    def _with_themes(self, statements: list[Statement]) -> list[Statement]:
        tags = self.theme_tags([s.statement_id for s in statements])
        if not tags:
            return statements
        return [replace(s, themes=tuple(tags.get(s.statement_id, ()))) for s in statements]

    def get_meeting(self, meeting_id: str) -> Meeting:
        """One meeting by id; raises MeetingNotFoundError."""
        rows = self._all(
            f"SELECT {MEETING_COLUMNS} FROM meetings WHERE meeting_id = ?", (meeting_id,)
        )
        if not rows:
            raise MeetingNotFoundError(f"no meeting with id {meeting_id!r}")
        return meeting_from_row(rows[0])

    def get_meetings(self, ids: Sequence[str]) -> dict[str, Meeting]:
        """The meetings with these ids that exist, by id."""
        sql = f"SELECT {MEETING_COLUMNS} FROM meetings WHERE meeting_id IN ({{marks}})"
        return {row[0]: meeting_from_row(row) for row in self._chunked(sql, list(ids))}

    def list_meetings(self) -> list[tuple[Meeting, int]]:
        """Every meeting with its number of statements, by date (undated last), then id."""
        columns = ", ".join(f"m.{c.strip()}" for c in MEETING_COLUMNS.split(","))
        rows = self._all(
            f"SELECT {columns}, count(s.statement_id) FROM meetings m "
            "LEFT JOIN statements s ON s.meeting_id = m.meeting_id "
            "GROUP BY m.meeting_id ORDER BY m.date IS NULL, m.date, m.meeting_id"
        )
        return [(meeting_from_row(row), int(row[-1])) for row in rows]

    def statements_of_meeting(self, meeting_id: str) -> list[Statement]:
        """The statements of one meeting in position order (empty for an unknown meeting)."""
        rows = self._all(
            f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE meeting_id = ? "
            "ORDER BY position, statement_id",
            (meeting_id,),
        )
        return self._with_themes([statement_from_row(row) for row in rows])

    def iter_statements(self) -> Iterator[Statement]:
        """Every statement, by meeting and position."""
        rows = self._all(
            f"SELECT {STATEMENT_COLUMNS} FROM statements ORDER BY meeting_id, position"
        )
        return (statement_from_row(row) for row in rows)

    def count_meetings(self) -> int:
        """How many meetings the index holds."""
        return int(self._all("SELECT count(*) FROM meetings")[0][0])

    def count_statements(self) -> int:
        """How many statements the index holds."""
        return int(self._all("SELECT count(*) FROM statements")[0][0])

    def count_passages(self) -> int:
        """How many passages the index holds."""
        return int(self._all("SELECT count(*) FROM passages")[0][0])

    def count_statements_by(self, column: str) -> Counter[str]:
        """Statements per meeting ``body`` or per statement ``language`` (for ``stats``)."""
        sql = {
            "body": "SELECT m.body, count(*) FROM statements s "
            "JOIN meetings m ON m.meeting_id = s.meeting_id GROUP BY m.body",
            "language": "SELECT language, count(*) FROM statements GROUP BY language",
            "procedural": "SELECT CASE procedural WHEN 1 THEN 'procedural' ELSE 'substantive' "
            "END, count(*) FROM statements GROUP BY procedural",
        }.get(column)
        if sql is None:
            raise ValueError(f"cannot count statements by {column!r}")
        return Counter({str(key): int(count) for key, count in self._all(sql)})

    # ---- passages and filters -------------------------------------------------------------
    def passage_ids_matching(self, where: StatementFilter) -> IdArray:
        """Sorted passage ids of the statements that pass ``where`` (filters run in SQL)."""
        clauses, params = _filter_sql(where)
        sql = "SELECT p.passage_id FROM passages p"
        if clauses:
            sql += (
                " JOIN statements s ON s.statement_id = p.statement_id"
                " JOIN meetings m ON m.meeting_id = s.meeting_id WHERE " + " AND ".join(clauses)
            )
        rows = self._all(sql + " ORDER BY p.passage_id", params)
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def statement_ids_matching(self, where: StatementFilter) -> list[str]:
        """Ids of the statements that pass ``where``, by meeting and position."""
        clauses, params = _filter_sql(where)
        sql = (
            "SELECT s.statement_id FROM statements s JOIN meetings m ON m.meeting_id = s.meeting_id"
        )
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        return [row[0] for row in self._all(sql + " ORDER BY s.meeting_id, s.position", params)]

    def get_passages(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        """The passages with these ids that exist, by id."""
        sql = f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} WHERE p.passage_id IN ({{marks}})"
        ids = [int(i) for i in passage_ids]
        return dict(passage_from_row(row) for row in self._chunked(sql, ids))

    def iter_passages(self) -> Iterator[tuple[int, Passage]]:
        """Every passage with its id, by id."""
        rows = self._all(f"SELECT {PASSAGE_COLUMNS} FROM {PASSAGE_FROM} ORDER BY p.passage_id")
        return (passage_from_row(row) for row in rows)

    def passage_ids_of_statement(self, statement_id: str) -> list[int]:
        """The passage ids of one statement in text order."""
        rows = self._all(
            "SELECT passage_id FROM passages WHERE statement_id = ? ORDER BY ordinal",
            (statement_id,),
        )
        return [int(row[0]) for row in rows]

    def all_passage_ids(self) -> IdArray:
        """Every passage id, sorted."""
        rows = self._all("SELECT passage_id FROM passages ORDER BY passage_id")
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    # ---- channels and vectors ---------------------------------------------------------------
    def channels(self) -> dict[str, ChannelInfo]:
        """The embedding channels recorded in the database, by name."""
        rows = self._all("SELECT name, model_id, fingerprint, dimension, kind FROM channels")
        return {row[0]: ChannelInfo(row[1], row[2], int(row[3]), row[4]) for row in rows}

    def channel(self, name: str) -> ChannelInfo:
        """One channel; raises IndexMismatchError naming the channels that exist."""
        channels = self.channels()
        if name not in channels:
            raise IndexMismatchError(
                f"the index has no embedding channel {name!r} (it has {sorted(channels)}); "
                "add it with `policy-search index PATH...` using that model"
            )
        return channels[name]

    def stored_vectors(self, channel: str, passage_ids: Sequence[int]) -> npt.NDArray[np.float32]:
        """The stored vectors of these passages for one channel, one row per id, in order."""
        info = self.channel(channel)
        ids = [int(i) for i in passage_ids]
        sql = (
            "SELECT p.passage_id, v.vector FROM passages p JOIN vectors v "
            "ON v.content_hash = p.content_hash AND v.fingerprint = ? "
            "WHERE p.passage_id IN ({marks})"
        )
        found: dict[int, bytes] = {}
        for start in range(0, len(ids), IN_CHUNK):
            chunk = ids[start : start + IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(self._all(sql.format(marks=marks), [info.fingerprint, *chunk]))
        missing = [i for i in ids if i not in found]
        if missing:
            raise IndexCorruptError(
                f"no stored {channel!r} vector for {len(missing)} passage(s), e.g. {missing[:5]}"
            )
        out = np.empty((len(ids), info.dimension), dtype=np.float32)
        for row, passage_id in enumerate(ids):
            out[row] = np.frombuffer(found[passage_id], dtype=np.float32)
        return out

    def passage_ids_with_vectors(self, channel: str) -> IdArray:
        """Sorted ids of the passages that have a stored vector in ``channel``."""
        info = self.channel(channel)
        rows = self._all(
            "SELECT p.passage_id FROM passages p WHERE EXISTS (SELECT 1 FROM vectors v "
            "WHERE v.content_hash = p.content_hash AND v.fingerprint = ?) ORDER BY p.passage_id",
            (info.fingerprint,),
        )
        return np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))

    def iter_stored_vectors(
        self, channel: str, batch: int = 4096
    ) -> Iterator[tuple[IdArray, npt.NDArray[np.float32]]]:
        """Every passage that has a vector in ``channel``, as (ids, matrix) batches by id."""
        info = self.channel(channel)
        last = -1
        while True:
            rows = self._all(
                "SELECT p.passage_id, v.vector FROM passages p JOIN vectors v "
                "ON v.content_hash = p.content_hash AND v.fingerprint = ? "
                "WHERE p.passage_id > ? ORDER BY p.passage_id LIMIT ?",
                (info.fingerprint, last, batch),
            )
            if not rows:
                return
            ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
            matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32)
            yield ids, matrix.reshape(len(rows), info.dimension)
            last = int(ids[-1])

    def missing_vector_hashes(self, fingerprint: str, hashes: Iterable[str]) -> set[str]:
        """Which of these passage content hashes have no vector under ``fingerprint``."""
        wanted = sorted(set(hashes))
        sql = "SELECT content_hash FROM vectors WHERE fingerprint = ? AND content_hash IN ({marks})"
        have: set[str] = set()
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            marks = ",".join("?" * len(chunk))
            have.update(row[0] for row in self._all(sql.format(marks=marks), [fingerprint, *chunk]))
        return set(wanted) - have

    def passages_missing_vectors(self, fingerprint: str) -> dict[str, str]:
        """Passage texts (by content hash) with no vector under ``fingerprint``."""
        rows = self._all(
            f"SELECT p.content_hash, min({PASSAGE_TEXT}) FROM {PASSAGE_FROM} WHERE NOT EXISTS "
            "(SELECT 1 FROM vectors v WHERE v.content_hash = p.content_hash "
            "AND v.fingerprint = ?) GROUP BY p.content_hash",
            (fingerprint,),
        )
        return {row[0]: row[1] for row in rows}

    def content_version(self) -> int:
        """Raised by every write that changes records or channels (0 for a new database)."""
        rows = self._all("SELECT value FROM index_state WHERE key = 'content_version'")
        return int(rows[0][0]) if rows else 0

    def count_vectors(self) -> dict[str, int]:
        """Stored vectors per fingerprint (including ones no passage uses any more)."""
        return dict(self._all("SELECT fingerprint, count(*) FROM vectors GROUP BY fingerprint"))


def _filter_sql(where: StatementFilter) -> tuple[list[str], list[Any]]:
    """SQL conditions over ``s`` (statements) and ``m`` (meetings) for a filter."""
    clauses: list[str] = []
    params: list[Any] = []
    if where.meeting_id is not None:
        clauses.append("s.meeting_id = ?")
        params.append(where.meeting_id)
    for column, value in (
        ("m.body", where.body),
        ("s.speaker_name", where.speaker),
        ("s.topic", where.topic),
    ):
        if value is not None:
            clauses.append(f"instr(lower(coalesce({column}, '')), lower(?)) > 0")
            params.append(value)
    if where.date_from is not None:
        clauses.append("m.date >= ?")
        params.append(where.date_from.isoformat())
    if where.date_to is not None:
        clauses.append("m.date <= ?")
        params.append(where.date_to.isoformat())
    if where.language is not None:
        clauses.append("s.language = ?")
        params.append(where.language)
    if not where.include_procedural:
        clauses.append("s.procedural = 0")
    if where.themes:
        clause, theme_params = theme_filter_sql(where.themes)
        clauses.append(clause)
        params.extend(theme_params)
    return clauses, params


def statement_filter_sql(where: StatementFilter) -> tuple[list[str], list[Any]]:
    """The filter's SQL conditions over ``s`` (statements) and ``m`` (meetings), for queries
    elsewhere (theme pages, facets) that must restrict exactly like the search does."""
    return _filter_sql(where)
