"""What the searcher keeps in memory about every passage: whose it is, and how to filter it.

Ranking works on passage ids (what FAISS and BM25 return) but results are statements, so every
query maps passages to statements, counts a statement's passages (the long-speech correction)
and knows each statement's language (the cross-lingual correction) and meeting.  Reading that
from SQLite per query would be slow on 54k speeches, so `PassageCatalog` holds it as numpy
arrays, built once per index generation and cached on disk beside the lexical index.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from indexer.records import Passage, Statement

IntArray = npt.NDArray[np.int64]
LANGUAGES = ("ja", "en", "other")
_ARRAYS = ("passage_ids", "passage_statement", "statement_meeting", "statement_language")


@dataclass(frozen=True, slots=True)
class PassageCatalog:
    """Passages (sorted by id) with the statement each belongs to; statements by index.

    ``statement_ids`` are sorted, so comparing statement indexes is comparing ids (the
    deterministic tie-break of every ranking).
    """

    passage_ids: IntArray
    passage_statement: IntArray
    statement_ids: tuple[str, ...]
    statement_meeting: IntArray
    meeting_ids: tuple[str, ...]
    statement_language: IntArray
    """Index into LANGUAGES."""
    procedural: npt.NDArray[np.bool_]
    passage_counts: IntArray = field(init=False)
    """Number of passages of each statement (derived once; read on every dense ranking)."""

    def __post_init__(self) -> None:
        counts = np.bincount(self.passage_statement, minlength=len(self.statement_ids))
        object.__setattr__(self, "passage_counts", counts.astype(np.int64))

    def rows_of(self, passage_ids: IntArray) -> IntArray:
        """Row (position in ``passage_ids``) of each given passage id; all must exist."""
        return np.searchsorted(self.passage_ids, passage_ids).astype(np.int64)

    def rows_of_labels(self, labels: IntArray) -> IntArray:
        """`rows_of` for FAISS's ``I`` (any shape): ``-1`` (no result) stays ``-1``."""
        found = labels >= 0
        safe = np.where(found, labels, self.passage_ids[0] if self.passage_ids.size else 0)
        return np.where(found, self.rows_of(safe), -1)

    def statement_index(self, statement_id: str) -> int | None:
        """Index of a statement id, or None when it has no passages here."""
        position = bisect.bisect_left(self.statement_ids, statement_id)
        if position < len(self.statement_ids) and self.statement_ids[position] == statement_id:
            return position
        return None

    def substantive_passage_ids(self) -> IntArray:
        """Passage ids of the statements that are not procedural (the default search scope)."""
        return self.passage_ids[~self.procedural[self.passage_statement]]


def build_catalog(
    statements: Iterable[Statement], passages: Iterable[tuple[int, Passage]]
) -> PassageCatalog:
    """Build the catalog from the store's statements and (id, passage) pairs."""
    by_id: dict[str, tuple[str, str, bool]] = {
        s.statement_id: (s.meeting_id, s.language, s.procedural) for s in statements
    }
    pairs = sorted((int(pid), p.statement_id) for pid, p in passages)
    statement_ids = tuple(sorted({sid for _, sid in pairs}))
    position = {sid: i for i, sid in enumerate(statement_ids)}
    meeting_ids = tuple(sorted({by_id[sid][0] for sid in statement_ids}))
    meeting_position = {mid: i for i, mid in enumerate(meeting_ids)}
    languages = [by_id[sid][1] for sid in statement_ids]
    return PassageCatalog(
        passage_ids=np.array([pid for pid, _ in pairs], dtype=np.int64),
        passage_statement=np.array([position[sid] for _, sid in pairs], dtype=np.int64),
        statement_ids=statement_ids,
        statement_meeting=np.array(
            [meeting_position[by_id[sid][0]] for sid in statement_ids], dtype=np.int64
        ),
        meeting_ids=meeting_ids,
        statement_language=np.array(
            [LANGUAGES.index(lang) if lang in LANGUAGES else 2 for lang in languages],
            dtype=np.int64,
        ),
        procedural=np.array([by_id[sid][2] for sid in statement_ids], dtype=np.bool_),
    )


def save_catalog(catalog: PassageCatalog, directory: Path) -> None:
    """Write the catalog's arrays and id lists into ``directory`` (which must exist)."""
    for name in _ARRAYS:
        np.save(directory / f"catalog_{name}.npy", getattr(catalog, name))
    np.save(directory / "catalog_procedural.npy", catalog.procedural)
    ids = {"statements": catalog.statement_ids, "meetings": catalog.meeting_ids}
    (directory / "catalog_ids.json").write_text(json.dumps(ids, ensure_ascii=False))


def load_catalog(directory: Path) -> PassageCatalog | None:
    """The catalog saved in ``directory``, or None when absent or unreadable."""
    try:
        arrays = {name: np.load(directory / f"catalog_{name}.npy") for name in _ARRAYS}
        procedural = np.load(directory / "catalog_procedural.npy")
        ids = json.loads((directory / "catalog_ids.json").read_text())
    except (OSError, ValueError):
        return None
    return PassageCatalog(
        statement_ids=tuple(ids["statements"]),
        meeting_ids=tuple(ids["meetings"]),
        procedural=procedural,
        **arrays,
    )
