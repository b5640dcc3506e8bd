"""An index with the old positional ids (schema 1) is upgraded in place to the stable ids.

The old form is made from a fresh index by writing back what schema 1 stored: statement ids
``{meeting}#0001`` and meeting ids taken verbatim from file names.  Upgrading must give exactly
the ids a fresh build gives, keep every passage id (so FAISS and stored vectors stay valid) and
need no re-embedding.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from indexer.index_dir import open_index
from indexer.maintenance import upgrade_index
from indexer.manifest import MANIFEST_NAME
from indexer.pipeline import UpdateOptions, default_embedders, update_index
from indexer.store import DATABASE_NAME
from indexer.store_schema import MIGRATIONS, SCHEMA_VERSION
from models.errors import IndexMismatchError

STABLE_IDS = next(n for n, sql in enumerate(MIGRATIONS, start=1) if "statement_id_map" in sql)
"""The number of the migration that introduced stable ids (the old form is the one before)."""
OLD = STABLE_IDS - 1

QUIET = UpdateOptions(progress=False)
SPACED_NAME = "2025-10-03 規制改革推進会議.txt"


def snapshot(index_dir: Path) -> tuple[set[tuple[str, str]], dict[int, str], set[str]]:
    """(statement id, meeting id) pairs, passage id -> statement id, meeting ids."""
    conn = sqlite3.connect(index_dir / DATABASE_NAME)
    try:
        statements = set(conn.execute("SELECT statement_id, meeting_id FROM statements"))
        passages = dict(conn.execute("SELECT passage_id, statement_id FROM passages"))
        meetings = {row[0] for row in conn.execute("SELECT meeting_id FROM meetings")}
    finally:
        conn.close()
    return statements, passages, meetings


def downgrade_to_positional_ids(index_dir: Path, raw_meeting_ids: dict[str, str]) -> None:
    """Rewrite ids as the schema before stable ids stored them, and mark that version."""
    conn = sqlite3.connect(index_dir / DATABASE_NAME, isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("PRAGMA defer_foreign_keys = ON")
    for new, raw in raw_meeting_ids.items():
        for table in ("meetings", "statements", "file_meetings"):
            conn.execute(f"UPDATE {table} SET meeting_id = ? WHERE meeting_id = ?", (raw, new))
    old_ids = conn.execute(
        "SELECT statement_id, meeting_id || '#' || printf('%04d', position) FROM statements "
        "WHERE meeting_id NOT GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]X*'"
    ).fetchall()
    for new, old in old_ids:
        for table in ("statements", "passages", "file_statements"):
            conn.execute(f"UPDATE {table} SET statement_id = ? WHERE statement_id = ?", (old, new))
    conn.execute("DROP TABLE index_state")  # added with the stable ids
    conn.execute("ALTER TABLE statements DROP COLUMN page")  # added after them (PDF pages)
    for table in ("statement_themes", "theme_weights", "themes", "theme_sets"):
        conn.execute(f"DROP TABLE {table}")  # policy themes, added last
    conn.execute("COMMIT")
    conn.execute(f"PRAGMA user_version = {OLD}")
    conn.close()
    manifest = json.loads((index_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["schema_version"] = OLD
    (index_dir / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")


def test_an_old_index_is_refused_with_an_upgrade_hint_then_upgraded_to_the_stable_ids(
    tmp_path: Path, corpus_dir: Path
) -> None:
    folder = tmp_path / "minutes"
    folder.mkdir()
    shutil.copy(next((corpus_dir / "seed").iterdir()), folder)
    shutil.copy(
        corpus_dir / "minutes" / "2025-10-03_kisei-kaikaku-suishin-kaigi.txt", folder / SPACED_NAME
    )
    shutil.copy(
        corpus_dir / "kokkai" / "meetings" / "2022-03-23_diet-208_shugiin-naikaku.json", folder
    )
    index_dir = tmp_path / "index"
    embedders = default_embedders("fake")
    update_index(index_dir, [folder], embedders, QUIET)
    fresh = snapshot(index_dir)
    [spaced] = [m for m in fresh[2] if m.startswith("2025-10-03-")]
    downgrade_to_positional_ids(index_dir, {spaced: SPACED_NAME.removesuffix(".txt")})
    old = snapshot(index_dir)
    assert any("#0001" in sid for sid, _ in old[0]) and SPACED_NAME[:-4] in old[2]
    assert old[1].keys() == fresh[1].keys()

    with pytest.raises(IndexMismatchError, match="policy-search upgrade --index"):
        open_index(index_dir, embedders)
    assert upgrade_index(index_dir) == (OLD, SCHEMA_VERSION)

    assert snapshot(index_dir) == fresh, "the same ids as a fresh build, passage ids kept"
    with open_index(index_dir, embedders) as index:
        assert index.manifest.schema_version == SCHEMA_VERSION
    again = update_index(index_dir, [folder], embedders, QUIET)
    assert (again.skipped, again.embedded) == (3, 0), "nothing re-read, nothing re-embedded"
    assert upgrade_index(index_dir) == (SCHEMA_VERSION, SCHEMA_VERSION)
