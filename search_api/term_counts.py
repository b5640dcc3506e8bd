"""Each passage text's BM25 term counts on disk, so a text is analysed once, not per update.

Analysing every passage with Sudachi is most of the search cache's cost (about a minute for the
54k-speech pool on 2 cores), and an update changes few passages.  The counts are kept in
``search-cache/terms.sqlite`` inside the index directory, keyed by the analyzer's version and
the text's content hash (the same key the stored vectors use): rebuilding the BM25 postings
after an update analyses only the texts not seen before, and ``policy-search index`` fills the
file while the encoders run (`search_api.background_analysis`).

The file is a cache, never the source of truth: a row that cannot be read is analysed again,
and an index directory that cannot be written just means analysing everything in memory.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from indexer.store_schema import content_hash
from search_api.lexical import Analyzer, TermCounts, count_terms
from search_api.parallel_analysis import count_all

TERMS_FILENAME = "terms.sqlite"
_BUSY_TIMEOUT_MS = 30_000
_WRITE_BATCH = 2_000
_PRUNE_FRACTION = 0.2
"""Rows of texts no longer indexed are deleted once they are this share of the current ones."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS term_counts (
    analyzer     TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    length       INTEGER NOT NULL,
    counts       TEXT NOT NULL,
    PRIMARY KEY (analyzer, content_hash)
) WITHOUT ROWID
"""


class TermCountStore:
    """The saved term counts of one analyzer version (one SQLite connection, one thread)."""

    def __init__(self, connection: sqlite3.Connection, analyzer_version: str) -> None:
        self._db = connection
        self.analyzer_version = analyzer_version

    @classmethod
    def open(cls, path: Path, analyzer_version: str) -> TermCountStore | None:
        """The store at ``path`` (created if absent), or None when it cannot be written."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000)
            connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute(_SCHEMA)
            connection.commit()
        except (OSError, sqlite3.Error):
            return None
        return cls(connection, analyzer_version)

    def close(self) -> None:
        self._db.close()

    def known_hashes(self) -> set[str]:
        """The content hashes whose counts are saved for this analyzer."""
        rows = self._db.execute(
            "SELECT content_hash FROM term_counts WHERE analyzer = ?", (self.analyzer_version,)
        )
        return {row[0] for row in rows}

    def get(self, text_hash: str) -> TermCounts | None:
        """The saved counts of one text, or None when absent or unreadable."""
        row = self._db.execute(
            "SELECT length, counts FROM term_counts WHERE analyzer = ? AND content_hash = ?",
            (self.analyzer_version, text_hash),
        ).fetchone()
        if row is None:
            return None
        try:
            counts = json.loads(row[1])
        except ValueError:
            return None
        return (int(row[0]), counts) if isinstance(counts, dict) else None

    def put_many(self, items: Iterable[tuple[str, TermCounts]]) -> int:
        """Save ``(content hash, counts)`` pairs, committing every few thousand; how many."""
        saved = 0
        batch: list[tuple[str, str, int, str]] = []
        for text_hash, (length, counts) in items:
            batch.append((self.analyzer_version, text_hash, length, _encode(counts)))
            if len(batch) >= _WRITE_BATCH:
                saved += self._write(batch)
                batch = []
        return saved + self._write(batch)

    def prune(self, keep: set[str]) -> int:
        """Delete rows of other analyzer versions, and of texts not in ``keep`` once they are
        many; returns how many rows went."""
        removed = self._db.execute(
            "DELETE FROM term_counts WHERE analyzer != ?", (self.analyzer_version,)
        ).rowcount
        stale = self.known_hashes() - keep
        if len(stale) > _PRUNE_FRACTION * max(len(keep), 1):
            self._db.executemany(
                "DELETE FROM term_counts WHERE analyzer = ? AND content_hash = ?",
                ((self.analyzer_version, h) for h in stale),
            )
            removed += len(stale)
        self._db.commit()
        return removed

    def _write(self, batch: list[tuple[str, str, int, str]]) -> int:
        if batch:
            self._db.executemany("INSERT OR REPLACE INTO term_counts VALUES (?, ?, ?, ?)", batch)
            self._db.commit()
        return len(batch)


def _encode(counts: dict[str, int]) -> str:
    return json.dumps(counts, ensure_ascii=False, separators=(",", ":"))


def counted_in_order(
    analyzer: Analyzer, texts: Sequence[str], store: TermCountStore | None
) -> Iterator[TermCounts]:
    """The term counts of every text, in order: saved ones read back, the others analysed
    (on every core when many) and saved first.  Without a store everything is analysed."""
    if store is None:
        yield from count_all(analyzer, texts)
        return
    hashes = [content_hash(text) for text in texts]
    known = store.known_hashes()
    missing = {h: text for h, text in zip(hashes, texts, strict=True) if h not in known}
    if missing:
        store.put_many(zip(missing, count_all(analyzer, list(missing.values())), strict=True))
    for text_hash, text in zip(hashes, texts, strict=True):
        saved = store.get(text_hash)
        yield saved if saved is not None else count_terms(analyzer.analyze(text))
    store.prune(set(hashes))
