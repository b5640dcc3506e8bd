"""Folders that change: indexed files that are gone from the folders being indexed.

A file is *stale* when the index holds records from it, it lies under one of the folders
given to ``index``, and that folder no longer offers it as minutes (deleted, renamed, hidden).
``index --sync`` removes what stale files gave (a meeting another file still gives stays);
without ``--sync`` they are only listed, so nothing is deleted by surprise.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.store_writes import StoreWriter


@dataclass(frozen=True, slots=True)
class StaleFile:
    """An indexed file no longer found in its folder, with the meetings it gave."""

    path: str
    meetings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RemovedFile:
    """What removing a stale file's records did."""

    path: str
    meetings_removed: tuple[str, ...]
    """Meetings deleted because no other indexed file gives them."""
    statements_removed: int


def find_stale(
    known: Mapping[str, Sequence[str]], roots: Iterable[Path], seen: set[str]
) -> list[StaleFile]:
    """Indexed files under the folders ``roots`` that this run did not find (``seen``)."""
    folders = [root.resolve() for root in roots if root.is_dir()]
    stale = []
    for path in sorted(known):
        if path in seen:
            continue
        if any(Path(path).is_relative_to(folder) for folder in folders):
            stale.append(StaleFile(path, tuple(sorted(known[path]))))
    return stale


def remove_stale(writer: StoreWriter, stale: Sequence[StaleFile]) -> list[RemovedFile]:
    """Delete the records of each stale file, one transaction per file."""
    removed = []
    for item in stale:
        change, meetings = writer.forget_file(item.path)
        removed.append(RemovedFile(item.path, tuple(meetings), change.statements_removed))
    return removed
