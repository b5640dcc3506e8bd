"""The SQLite schema of an index, as numbered migrations tracked by ``PRAGMA user_version``.

Migration ``n`` brings a database from version ``n - 1`` to ``n``; never edit a released
migration, append a new one.  Also here: converting rows to and from the record dataclasses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from typing import Any

from indexer.identifiers import statement_id, text_key, url_safe_id
from indexer.records import Meeting, Passage, Statement

MIGRATIONS: tuple[str, ...] = (
    # 1: meetings, statements, passages (integer id = FAISS id), vectors by content hash and
    #    model fingerprint, embedding channels, source files and which records each file gave.
    #    (vectors is a rowid table: 1.5 KB blobs in a WITHOUT ROWID b-tree took 3x the space;
    #    a passage's text is NULL when it is exactly its slice of the statement's text.)
    """
    CREATE TABLE meetings (
        meeting_id  TEXT PRIMARY KEY,
        title       TEXT NOT NULL,
        date        TEXT,
        body        TEXT NOT NULL,
        language    TEXT NOT NULL,
        url         TEXT,
        source_file TEXT NOT NULL,
        house       TEXT,
        committee   TEXT,
        session     INTEGER,
        issue       TEXT,
        topics      TEXT NOT NULL DEFAULT '[]',
        extra       TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX meetings_date ON meetings(date);
    CREATE TABLE statements (
        statement_id  TEXT PRIMARY KEY,
        meeting_id    TEXT NOT NULL REFERENCES meetings(meeting_id) ON DELETE CASCADE,
        position      INTEGER NOT NULL,
        text          TEXT NOT NULL,
        language      TEXT NOT NULL,
        speaker_name  TEXT,
        speaker_role  TEXT,
        speaker_group TEXT,
        topic         TEXT,
        procedural    INTEGER NOT NULL DEFAULT 0,
        source_file   TEXT NOT NULL DEFAULT '',
        source_line   INTEGER,
        url           TEXT
    );
    CREATE INDEX statements_meeting ON statements(meeting_id, position);
    CREATE TABLE passages (
        passage_id   INTEGER PRIMARY KEY AUTOINCREMENT,
        statement_id TEXT NOT NULL REFERENCES statements(statement_id) ON DELETE CASCADE,
        ordinal      INTEGER NOT NULL,
        text         TEXT,
        char_start   INTEGER NOT NULL,
        char_end     INTEGER NOT NULL,
        content_hash TEXT NOT NULL,
        UNIQUE (statement_id, ordinal)
    );
    CREATE INDEX passages_hash ON passages(content_hash);
    CREATE TABLE vectors (
        content_hash TEXT NOT NULL,
        fingerprint  TEXT NOT NULL,
        vector       BLOB NOT NULL,
        UNIQUE (content_hash, fingerprint)
    );
    CREATE TABLE channels (
        name        TEXT PRIMARY KEY,
        model_id    TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        dimension   INTEGER NOT NULL,
        kind        TEXT NOT NULL DEFAULT 'flat'
    );
    CREATE TABLE source_files (
        path         TEXT PRIMARY KEY,
        content_hash TEXT NOT NULL,
        mtime_ns     INTEGER NOT NULL,
        size         INTEGER NOT NULL,
        options_key  TEXT NOT NULL DEFAULT '',
        indexed_at   TEXT NOT NULL
    );
    CREATE TABLE file_meetings (
        path       TEXT NOT NULL,
        meeting_id TEXT NOT NULL,
        PRIMARY KEY (path, meeting_id)
    ) WITHOUT ROWID;
    CREATE INDEX file_meetings_meeting ON file_meetings(meeting_id);
    CREATE TABLE file_statements (
        path         TEXT NOT NULL,
        statement_id TEXT NOT NULL,
        PRIMARY KEY (path, statement_id)
    ) WITHOUT ROWID;
    CREATE INDEX file_statements_statement ON file_statements(statement_id);
    """,
    # 2: URL-safe, stable ids (indexer/identifiers.py).  Positional statement ids of summaries,
    #    transcripts and English minutes (``{meeting}#0004``) become ``{meeting}_{text digest}``
    #    (identical texts of a meeting: ``-2``, ``-3`` in position order); meeting ids and
    #    Kokkai speechIDs go through ``url_safe_id`` (unchanged when already safe).  Passage ids,
    #    and so FAISS files and stored vectors, are kept.  ps_* are functions ``migrate``
    #    registers on the connection.  Also ``index_state.content_version``, raised by every
    #    write that changes what the index holds and recorded in the manifest, so an update
    #    that changed nothing keeps the manifest (and its generation) as it is.
    """
    PRAGMA defer_foreign_keys = ON;
    CREATE TEMP TABLE meeting_id_map AS
        SELECT meeting_id AS old, ps_url_safe_id(meeting_id) AS new FROM meetings;
    CREATE TEMP TABLE statement_id_map AS
        SELECT s.statement_id AS old,
            CASE WHEN instr(s.statement_id, '#') > 0
                THEN ps_statement_id(
                    coalesce(m.new, ps_url_safe_id(s.meeting_id)), s.text,
                    row_number() OVER (
                        PARTITION BY s.meeting_id, ps_text_key(s.text)
                        ORDER BY s.position, s.statement_id))
                ELSE ps_url_safe_id(s.statement_id) END AS new
        FROM statements s LEFT JOIN meeting_id_map m ON m.old = s.meeting_id;
    DELETE FROM temp.meeting_id_map WHERE new = old;
    DELETE FROM temp.statement_id_map WHERE new = old;
    CREATE UNIQUE INDEX temp.meeting_id_map_old ON meeting_id_map(old);
    CREATE UNIQUE INDEX temp.statement_id_map_old ON statement_id_map(old);
    UPDATE meetings SET meeting_id = (SELECT new FROM temp.meeting_id_map WHERE old = meeting_id)
        WHERE meeting_id IN (SELECT old FROM temp.meeting_id_map);
    UPDATE file_meetings SET meeting_id =
        (SELECT new FROM temp.meeting_id_map WHERE old = meeting_id)
        WHERE meeting_id IN (SELECT old FROM temp.meeting_id_map);
    UPDATE statements SET meeting_id =
        (SELECT new FROM temp.meeting_id_map WHERE old = meeting_id)
        WHERE meeting_id IN (SELECT old FROM temp.meeting_id_map);
    UPDATE statements SET statement_id =
        (SELECT new FROM temp.statement_id_map WHERE old = statement_id)
        WHERE statement_id IN (SELECT old FROM temp.statement_id_map);
    UPDATE passages SET statement_id =
        (SELECT new FROM temp.statement_id_map WHERE old = statement_id)
        WHERE statement_id IN (SELECT old FROM temp.statement_id_map);
    UPDATE file_statements SET statement_id =
        (SELECT new FROM temp.statement_id_map WHERE old = statement_id)
        WHERE statement_id IN (SELECT old FROM temp.statement_id_map);
    DROP TABLE temp.meeting_id_map;
    DROP TABLE temp.statement_id_map;
    CREATE TABLE index_state (
        key   TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO index_state (key, value) VALUES ('content_version', 1)
    """,
    # 3: the PDF page a statement starts on (NULL for text and JSON sources).
    """
    ALTER TABLE statements ADD COLUMN page INTEGER
    """,
    # 4: policy themes (indexer/themes): theme sets with their themes and tagging model (the
    #    linear weights per channel, so re-tagging embeds nothing), and each statement's best
    #    candidate themes with calibrated scores.  ``basis`` is the statement's first passage id
    #    when it was tagged: passages get new ids when a text changes, so a changed statement
    #    is found and re-tagged by the next update.
    """
    CREATE TABLE theme_sets (
        set_id      TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        name_ja     TEXT,
        description TEXT NOT NULL DEFAULT '',
        source      TEXT NOT NULL,
        digest      TEXT NOT NULL,
        position    INTEGER NOT NULL,
        model       TEXT NOT NULL DEFAULT '{}',
        loaded_at   TEXT NOT NULL
    );
    CREATE TABLE themes (
        set_id         TEXT NOT NULL REFERENCES theme_sets(set_id) ON DELETE CASCADE,
        theme_id       TEXT NOT NULL,
        position       INTEGER NOT NULL,
        name           TEXT NOT NULL,
        name_ja        TEXT,
        description    TEXT NOT NULL,
        description_ja TEXT,
        keywords       TEXT NOT NULL DEFAULT '[]',
        examples       TEXT NOT NULL DEFAULT '[]',
        example_ids    TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (set_id, theme_id)
    ) WITHOUT ROWID;
    CREATE TABLE theme_weights (
        set_id      TEXT NOT NULL REFERENCES theme_sets(set_id) ON DELETE CASCADE,
        channel     TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        weights     BLOB NOT NULL,
        bias        BLOB NOT NULL,
        PRIMARY KEY (set_id, channel)
    ) WITHOUT ROWID;
    CREATE TABLE statement_themes (
        statement_id TEXT NOT NULL REFERENCES statements(statement_id) ON DELETE CASCADE,
        set_id       TEXT NOT NULL REFERENCES theme_sets(set_id) ON DELETE CASCADE,
        rank         INTEGER NOT NULL,
        theme_id     TEXT NOT NULL,
        score        REAL NOT NULL,
        assigned     INTEGER NOT NULL,
        basis        INTEGER NOT NULL,
        PRIMARY KEY (statement_id, set_id, rank)
    ) WITHOUT ROWID;
    CREATE INDEX statement_themes_theme ON statement_themes(set_id, theme_id, assigned);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

MEETING_COLUMNS = (
    "meeting_id, title, date, body, language, url, source_file, house, committee, session, "
    "issue, topics, extra"
)
STATEMENT_COLUMNS = (
    "statement_id, meeting_id, position, text, language, speaker_name, speaker_role, "
    "speaker_group, topic, procedural, source_file, source_line, url, page"
)
PASSAGE_TEXT = "coalesce(p.text, substr(s.text, p.char_start + 1, p.char_end - p.char_start))"
"""A passage's text in SQL over ``passages p JOIN statements s`` (see ``stored_passage_text``)."""
PASSAGE_COLUMNS = (
    f"p.passage_id, p.statement_id, p.ordinal, {PASSAGE_TEXT}, p.char_start, p.char_end"
)
PASSAGE_FROM = "passages p JOIN statements s ON s.statement_id = p.statement_id"


def schema_version(conn: sqlite3.Connection) -> int:
    """The version recorded in the database (0 for a new, empty file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _register_functions(conn: sqlite3.Connection) -> None:
    """The Python functions migrations call (ids are computed by the same code as readers)."""
    conn.create_function("ps_url_safe_id", 1, url_safe_id, deterministic=True)
    conn.create_function("ps_text_key", 1, text_key, deterministic=True)
    conn.create_function(
        "ps_statement_id", 3, lambda m, t, n: statement_id(m, t, int(n)), deterministic=True
    )


def migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations the database lacks, each in its own transaction."""
    current = schema_version(conn)
    _register_functions(conn)
    for number in range(current + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[number - 1].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def content_hash(text: str) -> str:
    """The key under which a passage text's vectors are stored (identical texts share it)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def meeting_row(meeting: Meeting) -> tuple[Any, ...]:
    """A meeting as a row in ``MEETING_COLUMNS`` order."""
    return (
        meeting.meeting_id,
        meeting.title,
        None if meeting.date is None else meeting.date.isoformat(),
        meeting.body,
        meeting.language,
        meeting.url,
        meeting.source_file,
        meeting.house,
        meeting.committee,
        meeting.session,
        meeting.issue,
        json.dumps(list(meeting.topics), ensure_ascii=False),
        json.dumps(meeting.extra, ensure_ascii=False, sort_keys=True),
    )


def meeting_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Meeting:
    """The inverse of ``meeting_row``."""
    return Meeting(
        meeting_id=row[0],
        title=row[1],
        date=None if row[2] is None else dt.date.fromisoformat(row[2]),
        body=row[3],
        language=row[4],
        url=row[5],
        source_file=row[6],
        house=row[7],
        committee=row[8],
        session=row[9],
        issue=row[10],
        topics=tuple(json.loads(row[11])),
        extra=dict(json.loads(row[12])),
    )


def statement_row(statement: Statement) -> tuple[Any, ...]:
    """A statement as a row in ``STATEMENT_COLUMNS`` order."""
    return (
        statement.statement_id,
        statement.meeting_id,
        statement.position,
        statement.text,
        statement.language,
        statement.speaker_name,
        statement.speaker_role,
        statement.speaker_group,
        statement.topic,
        int(statement.procedural),
        statement.source_file,
        statement.source_line,
        statement.url,
        statement.page,
    )


def statement_from_row(row: sqlite3.Row | tuple[Any, ...]) -> Statement:
    """The inverse of ``statement_row``."""
    return Statement(
        statement_id=row[0],
        meeting_id=row[1],
        position=row[2],
        text=row[3],
        language=row[4],
        speaker_name=row[5],
        speaker_role=row[6],
        speaker_group=row[7],
        topic=row[8],
        procedural=bool(row[9]),
        source_file=row[10],
        source_line=row[11],
        url=row[12],
        page=row[13],
    )


def stored_passage_text(statement_text: str, passage: Passage) -> str | None:
    """The ``passages.text`` to store: None when the passage is its statement's slice.

    SQLite's ``substr`` counts characters like Python slicing does for text without NUL, so
    ``PASSAGE_TEXT`` gives the slice back; other texts are stored whole.
    """
    if "\x00" in statement_text:
        return passage.text
    sliced = statement_text[passage.char_start : passage.char_end]
    return None if sliced == passage.text else passage.text


def passage_from_row(row: sqlite3.Row | tuple[Any, ...]) -> tuple[int, Passage]:
    """A ``PASSAGE_COLUMNS`` row as (passage id, passage)."""
    return int(row[0]), Passage(
        statement_id=row[1], ordinal=row[2], text=row[3], char_start=row[4], char_end=row[5]
    )
