"""Schema migration 3 adds the statement's PDF page to an existing (version 1) database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from indexer.store import StatementStore
from indexer.store_schema import MIGRATIONS, SCHEMA_VERSION


def test_a_version_1_database_gains_the_page_column_and_keeps_its_statements(
    tmp_path: Path,
) -> None:
    path = tmp_path / "index.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute(
        "INSERT INTO meetings (meeting_id, title, body, language, source_file) "
        "VALUES ('m', 'title', 'body', 'ja', 'm.txt')"
    )
    conn.execute(
        "INSERT INTO statements (statement_id, meeting_id, position, text, language) "
        "VALUES ('m#0001', 'm', 1, '発言', 'ja')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = StatementStore.open(path)
    try:
        # Migration 2 gives the positional id its stable form; the statement itself stays.
        (statement_id,) = store.connection.execute("SELECT statement_id FROM statements").fetchone()
        assert "#" not in statement_id
        statement = store.get_statement(statement_id)
        assert (statement.text, statement.page) == ("発言", None)
        version = store.connection.execute("PRAGMA user_version").fetchone()[0]
        assert version == SCHEMA_VERSION >= 3
    finally:
        store.close()
