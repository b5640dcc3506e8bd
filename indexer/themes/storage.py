"""Theme sets and statement tags in the index database (tables of schema migration 2).

The store only persists: theme sets with their themes and tagging model, and each statement's
candidate themes.  What the tags are is decided by ``indexer.themes.tagging``; when they are
computed by ``indexer.themes.service``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict
from typing import Any

import numpy as np

from indexer.manifest import utc_now
from indexer.store import StatementStore
from indexer.themes.tagging import ChannelWeights, Tag, TaggingModel
from indexer.themes.taxonomy import Theme, ThemeSet
from models.errors import IndexCorruptError, IndexWriteError

MODEL_FIELDS = (
    "keyword_weight",
    "temperature",
    "threshold",
    "secondary_threshold",
    "procedural_theme",
    "method",
    "standardize",
    "keyword_weights",
)


@contextmanager
def _transaction(store: StatementStore, what: str) -> Iterator[sqlite3.Connection]:
    conn = store.connection
    with store.lock:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise IndexWriteError(f"cannot start writing ({what}): {exc}") from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise IndexWriteError(
                f"{what} failed: {exc}; the index keeps its previous state"
            ) from exc
        except BaseException:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise


def _all(store: StatementStore, sql: str, params: Sequence[object] = ()) -> list[Any]:
    with store.lock:
        try:
            return store.connection.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"index database query failed: {exc}") from exc


# ---- theme sets ---------------------------------------------------------------------------
def save_theme_set(
    store: StatementStore, theme_set: ThemeSet, model: TaggingModel, digest: str | None = None
) -> None:
    """Store (or replace) a theme set and its model; its old tags are dropped in the same step.

    ``digest`` (default: the set's own) is what ``refresh_themes`` compares to decide whether
    the stored set is current.
    """
    meta = {name: getattr(model, name) for name in MODEL_FIELDS}
    set_id = theme_set.set_id
    with _transaction(store, f"saving theme set {set_id}") as conn:
        row = conn.execute("SELECT position FROM theme_sets WHERE set_id = ?", (set_id,)).fetchone()
        if row is None:
            position = conn.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM theme_sets"
            ).fetchone()[0]
        else:
            position = row[0]
        conn.execute("DELETE FROM theme_sets WHERE set_id = ?", (set_id,))
        conn.execute(
            "INSERT INTO theme_sets (set_id, name, name_ja, description, source, digest, "
            "position, model, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                set_id,
                theme_set.name,
                theme_set.name_ja,
                theme_set.description,
                theme_set.source,
                digest or theme_set.digest,
                position,
                json.dumps(meta, ensure_ascii=False),
                utc_now().isoformat(),
            ),
        )
        conn.executemany(
            "INSERT INTO themes (set_id, theme_id, position, name, name_ja, description, "
            "description_ja, keywords, examples, example_ids) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    set_id,
                    t.theme_id,
                    i,
                    t.name,
                    t.name_ja,
                    t.description,
                    t.description_ja,
                    json.dumps(list(t.keywords), ensure_ascii=False),
                    json.dumps(list(t.examples), ensure_ascii=False),
                    json.dumps(list(t.example_ids), ensure_ascii=False),
                )
                for i, t in enumerate(theme_set.themes)
            ],
        )
        conn.executemany(
            "INSERT INTO theme_weights (set_id, channel, fingerprint, weights, bias) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (
                    set_id,
                    w.channel,
                    w.fingerprint,
                    np.ascontiguousarray(w.weights, dtype=np.float32).tobytes(),
                    np.ascontiguousarray(w.bias, dtype=np.float32).tobytes(),
                )
                for w in model.channels
            ],
        )


def remove_theme_set(store: StatementStore, set_id: str) -> bool:
    """Drop a theme set and its tags; False when there was none."""
    with _transaction(store, f"removing theme set {set_id}") as conn:
        return conn.execute("DELETE FROM theme_sets WHERE set_id = ?", (set_id,)).rowcount > 0


def theme_sets(store: StatementStore) -> list[tuple[ThemeSet, TaggingModel, str]]:
    """Every stored theme set with its model and digest, in the order they were added."""
    sets = _all(
        store,
        "SELECT set_id, name, name_ja, description, source, digest, model FROM theme_sets "
        "ORDER BY position, set_id",
    )
    out = []
    for set_id, name, name_ja, description, source, digest, model_json in sets:
        rows = _all(
            store,
            "SELECT theme_id, name, name_ja, description, description_ja, keywords, examples, "
            "example_ids FROM themes WHERE set_id = ? ORDER BY position",
            (set_id,),
        )
        themes = tuple(
            Theme(
                theme_id=r[0],
                name=r[1],
                name_ja=r[2],
                description=r[3],
                description_ja=r[4],
                keywords=tuple(json.loads(r[5])),
                examples=tuple(json.loads(r[6])),
                example_ids=tuple(json.loads(r[7])),
            )
            for r in rows
        )
        meta = json.loads(model_json)
        theme_set = ThemeSet(
            set_id, name, themes, name_ja, description, meta.get("procedural_theme"), source
        )
        weights = []
        for channel, fingerprint, w, b in _all(
            store,
            "SELECT channel, fingerprint, weights, bias FROM theme_weights WHERE set_id = ? "
            "ORDER BY channel",
            (set_id,),
        ):
            matrix = np.frombuffer(w, dtype=np.float32).reshape(len(themes), -1)
            weights.append(
                ChannelWeights(channel, fingerprint, matrix, np.frombuffer(b, dtype=np.float32))
            )
        model = TaggingModel(
            theme_ids=tuple(t.theme_id for t in themes),
            channels=tuple(weights),
            keywords=tuple(t.keywords for t in themes),
            **{k: meta[k] for k in MODEL_FIELDS if k in meta and k != "keyword_weights"},
            keyword_weights=tuple(tuple(row) for row in meta.get("keyword_weights", ())),
        )
        out.append((theme_set, model, digest))
    return out


def model_summary(model: TaggingModel) -> dict[str, object]:
    """The model's settings as JSON-ready values (for ``themes --json`` and the docs)."""
    data = asdict(model)
    return {
        "method": data["method"],
        "channels": [w.channel for w in model.channels],
        "temperature": data["temperature"],
        "threshold": data["threshold"],
        "secondary_threshold": data["secondary_threshold"],
        "keyword_weight": data["keyword_weight"],
    }


# ---- tags ------------------------------------------------------------------------------------
def statements_to_tag(store: StatementStore, set_id: str) -> list[tuple[str, int]]:
    """(statement id, first passage id) of statements with no current tags in ``set_id``.

    "Current" means tagged when the statement had its present passages: a changed text gets
    new passage ids, so its old tags no longer match and it is tagged again.
    """
    rows = _all(
        store,
        "SELECT s.statement_id, coalesce(f.first, -1) FROM statements s "
        "LEFT JOIN (SELECT statement_id, min(passage_id) AS first FROM passages "
        "GROUP BY statement_id) f ON f.statement_id = s.statement_id "
        "LEFT JOIN statement_themes t ON t.statement_id = s.statement_id AND t.set_id = ? "
        "AND t.rank = 1 WHERE t.basis IS NULL OR t.basis != coalesce(f.first, -1) "
        "ORDER BY s.statement_id",
        (set_id,),
    )
    return [(row[0], int(row[1])) for row in rows]


def write_tags(
    store: StatementStore,
    set_id: str,
    tagged: Sequence[tuple[str, int, Sequence[Tag]]],
) -> None:
    """Replace the tags in ``set_id`` of these (statement id, basis, tags), in one transaction."""
    with _transaction(store, f"storing {set_id} tags") as conn:
        ids = [(sid,) for sid, _basis, _tags in tagged]
        conn.executemany(
            "DELETE FROM statement_themes WHERE statement_id = ? AND set_id = ?",
            [(sid, set_id) for (sid,) in ids],
        )
        conn.executemany(
            "INSERT INTO statement_themes (statement_id, set_id, rank, theme_id, score, "
            "assigned, basis) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (sid, set_id, t.rank, t.theme_id, t.score, int(t.assigned), basis)
                for sid, basis, tags in tagged
                for t in tags
            ],
        )


def has_theme_tables(store: StatementStore) -> bool:
    """True when the database has the theme tables (schema 2 or later)."""
    rows = _all(store, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'themes'")
    return bool(rows)
