"""Watch folders of minutes and keep the index up to date as files appear, change or go.

Built on watchfiles (Rust ``notify``: inotify on Linux), which batches the events of a burst
(a file being copied, an editor's save) into one set after ``debounce`` milliseconds.  Each
batch that touches a minutes file or a ``meetings.json`` runs the ordinary incremental update
over the watched folders: unchanged files are skipped by size and mtime, so only what changed
is read and embedded, and a running server picks up the new index generation as after any
``policy-search index``.  A file caught half-written fails to read, is reported, and is read
again on its next change event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from indexer.metadata import SIDECAR_NAME
from indexer.pipeline import IndexSummary, UpdateOptions, update_index
from indexer.reading import INPUT_SUFFIXES
from models.embedder import Embedder
from models.errors import PolicySearchError

DEBOUNCE_MS = 800
WAKE_MS = 500
"""How often the watcher wakes without events (to start, and to notice a stop request)."""


def is_minutes_change(path: str) -> bool:
    """True for a path whose change can change the index: a minutes file, a sidecar, a folder.

    A folder counts (it may exist no more, so a name without a suffix is taken for one): files
    copied into a new folder before the watcher has added it are then found by the update.
    """
    name = Path(path).name
    if name.startswith("."):
        return False
    suffix = Path(name).suffix.lower()
    return name == SIDECAR_NAME or suffix in INPUT_SUFFIXES or not suffix or Path(path).is_dir()


def watch_folders(
    directory: Path,
    paths: Sequence[Path],
    embedders: Mapping[str, Embedder],
    options: UpdateOptions,
    on_update: Callable[[IndexSummary | None, PolicySearchError | None], None],
    stop: threading.Event | None = None,
) -> None:
    """Index ``paths`` now, then again after every batch of relevant changes until ``stop``.

    ``on_update`` gets each update's summary, or the error that stopped it (the watch goes on:
    another writer holding the index, a full disk).
    """
    import watchfiles

    def update() -> None:
        try:
            summary = update_index(directory, list(paths), embedders, options)
        except PolicySearchError as exc:
            on_update(None, exc)
            return
        on_update(summary, None)

    # The first (empty) batch comes once the watcher is listening: the first update runs then,
    # so a file dropped while it runs is reported as a change, not missed.
    started = False
    for changes in watchfiles.watch(
        *paths,
        watch_filter=lambda _change, path: is_minutes_change(path),
        debounce=DEBOUNCE_MS,
        stop_event=stop,
        raise_interrupt=False,
        rust_timeout=WAKE_MS,
        yield_on_timeout=True,
    ):
        if changes or not started:
            started = True
            update()
