"""An index directory on disk: open it for searching, or for an update.

Layout of ``DIR``::

    index.sqlite (+ -wal, -shm)   the source of truth (statements, passages, vectors)
    faiss/<channel>.index         one FAISS index per embedding channel, derived from SQLite
    manifest.json                 schema version, channels, counts, generation; written last
    .lock                         held by the one process updating the index

A reader (``open_index``) takes a SQLite snapshot first, then loads each FAISS file and
reconciles it with that snapshot, so what it searches always matches what it reads, even while
an update is running.  To see a completed update, compare ``OpenIndex.version_key`` with
``read_version_key(DIR)`` (cheap) and open the index again when they differ.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from indexer.consistency import reconcile
from indexer.index_lock import IndexLock
from indexer.manifest import (
    ChannelInfo,
    Manifest,
    read_manifest,
    read_version_key,
    utc_now,
    write_manifest,
)
from indexer.store import DATABASE_NAME, StatementStore
from indexer.store_schema import SCHEMA_VERSION
from indexer.store_writes import StoreWriter
from indexer.vectors import FaissVectorIndex
from models.embedder import Embedder
from models.errors import IndexMismatchError, IndexNotFoundError, IndexWriteError

FAISS_DIR = "faiss"


def faiss_path(directory: Path, channel: str) -> Path:
    """Where the FAISS index of one channel lives."""
    return directory / FAISS_DIR / f"{channel}.index"


def channel_info(embedder: Embedder, kind: str = "flat") -> ChannelInfo:
    """The channel record for an embedder."""
    return ChannelInfo(embedder.model_id, embedder.fingerprint, embedder.dimension, kind)


def check_embedders(
    directory: Path, channels: Mapping[str, ChannelInfo], embedders: Mapping[str, Embedder]
) -> None:
    """Refuse embedders whose model differs from the one that built a channel."""
    for name, embedder in embedders.items():
        built = channels.get(name)
        if built is None:
            raise IndexMismatchError(
                f"the index at {directory} has no embedding channel {name!r} (it has "
                f"{sorted(channels)}); add it with `policy-search index PATH... --index "
                f"{directory}` configured with that model"
            )
        if built.fingerprint != embedder.fingerprint or built.dimension != embedder.dimension:
            raise IndexMismatchError(
                f"the index at {directory} was built with model {built.model_id} (fingerprint "
                f"{built.fingerprint}, dimension {built.dimension}) for channel {name!r}, but "
                f"the model given is {embedder.model_id} (fingerprint {embedder.fingerprint}, "
                f"dimension {embedder.dimension}); rebuild it with `policy-search index "
                f"--rebuild PATH... --index {directory}` or use a new --index directory"
            )


class OpenIndex:
    """An index opened for searching: a SQLite snapshot and the FAISS indexes matching it."""

    def __init__(
        self,
        directory: Path,
        manifest: Manifest,
        store: StatementStore,
        vectors: Mapping[str, FaissVectorIndex],
    ) -> None:
        self.directory = directory
        self.manifest = manifest
        self.store = store
        self._vectors = dict(vectors)

    @property
    def version_key(self) -> tuple[str, int]:
        """(build id, generation) of the manifest this index was opened at."""
        return self.manifest.version_key

    @property
    def channels(self) -> tuple[str, ...]:
        """Names of the embedding channels that can be searched."""
        return tuple(sorted(self._vectors))

    def vectors(self, channel: str) -> FaissVectorIndex:
        """The FAISS index of one channel; raises IndexMismatchError for an unknown channel."""
        if channel not in self._vectors:
            raise IndexMismatchError(
                f"the index at {self.directory} has no embedding channel {channel!r} "
                f"(it has {list(self.channels)})"
            )
        return self._vectors[channel]

    def is_stale(self) -> bool:
        """True when a newer completed update (or rebuild) is on disk: open it again."""
        return read_version_key(self.directory) != self.version_key

    def close(self) -> None:
        """Release the snapshot and the database connection."""
        self.store.close()

    def __enter__(self) -> OpenIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _require_index(directory: Path, writable: bool = False) -> Manifest:
    """The manifest of a complete index this code can read (``writable``: or upgrade)."""
    manifest = read_manifest(directory)
    if manifest is None or not (directory / DATABASE_NAME).is_file():
        hint = (
            "an index build was started there but never completed; run "
            f"`policy-search index PATH... --index {directory}` again to finish it"
            if (directory / DATABASE_NAME).is_file()
            else f"build one with `policy-search index PATH... --index {directory}`"
        )
        raise IndexNotFoundError(f"no index at {directory}: {hint}")
    check_schema(directory, manifest, writable)
    return manifest


def check_schema(directory: Path, manifest: Manifest, writable: bool = False) -> None:
    """Refuse an index of another schema version; a writer may upgrade an older one."""
    version = manifest.schema_version
    if version > SCHEMA_VERSION:
        raise IndexMismatchError(
            f"the index at {directory} has schema version {version}, newer than this "
            f"policy-search reads ({SCHEMA_VERSION}); upgrade policy-search or rebuild it with "
            f"`policy-search index --rebuild PATH... --index {directory}`"
        )
    if version < SCHEMA_VERSION and not writable:
        raise IndexMismatchError(
            f"the index at {directory} has schema version {version}, this policy-search reads "
            f"version {SCHEMA_VERSION}; upgrade it in place with `policy-search upgrade --index "
            f"{directory}` (stored vectors are kept; statement ids change to the stable form, "
            "see docs/index-format.md), or rebuild it with `policy-search index --rebuild "
            f"PATH... --index {directory}`"
        )


def open_index(directory: Path, embedders: Mapping[str, Embedder] | None = None) -> OpenIndex:
    """Open an index for searching (read-only).

    ``embedders`` (channel name -> embedder) are checked against the models that built the
    index; a different fingerprint or dimension raises IndexMismatchError saying how to
    rebuild.  Raises IndexNotFoundError when there is no complete index at ``directory``.
    """
    # The manifest is read before the snapshot starts, so the snapshot is at least as new as
    # the generation recorded: a server never misses an update (at worst it reopens twice).
    manifest = _require_index(directory)
    check_embedders(directory, manifest.channels, embedders or {})
    store = StatementStore.open(directory / DATABASE_NAME, readonly=True)
    try:
        store.begin_snapshot()
        channels = store.channels()
        check_embedders(directory, channels, embedders or {})
        loaded: dict[str, FaissVectorIndex] = {}
        for name, info in channels.items():
            path = faiss_path(directory, name)
            if path.is_file():
                index = FaissVectorIndex.load(path, info.kind)
            else:
                index = FaissVectorIndex.create(info.dimension, info.kind)
            loaded[name], _, _ = reconcile(store, name, index)
    except BaseException:
        store.close()
        raise
    return OpenIndex(directory, manifest, store, loaded)


class UpdatableIndex:
    """An index opened by the one process updating it (holds ``DIR/.lock``)."""

    def __init__(
        self, directory: Path, store: StatementStore, lock: IndexLock, owns_lock: bool = True
    ) -> None:
        self.directory = directory
        self.store = store
        self.writer = StoreWriter(store)
        self._lock = lock
        self._owns_lock = owns_lock
        self._faiss_changed = False

    def refresh_vectors(self) -> dict[str, tuple[int, int]]:
        """Bring every channel's FAISS file in line with SQLite; (added, removed) per channel."""
        changes: dict[str, tuple[int, int]] = {}
        (self.directory / FAISS_DIR).mkdir(exist_ok=True)
        for name, info in self.store.channels().items():
            path = faiss_path(self.directory, name)
            if path.is_file():
                current = FaissVectorIndex.load(path, info.kind)
            else:
                current = FaissVectorIndex.create(info.dimension, info.kind)
            refreshed, added, removed = reconcile(self.store, name, current)
            if added or removed or not path.is_file() or refreshed is not current:
                refreshed.save(path)
                self._faiss_changed = True
            changes[name] = (added, removed)
        return changes

    def write_manifest(self, force: bool = False) -> Manifest:
        """Record counts and channels and bump the generation; the last step of an update.

        A run that changed nothing keeps the manifest as it is, so running servers do not
        reload for nothing: same schema, counts and channels, no FAISS file rewritten, and the
        database's ``content_version`` (raised by every write that changes records) equal to
        the manifest's, which also catches a change committed by a run killed before its
        manifest.  ``force`` writes it anyway (FAISS files rebuilt by the caller).
        """
        previous = read_manifest(self.directory)
        vectors = self.store.count_vectors()
        channels = self.store.channels()
        counts = {
            "meetings": self.store.count_meetings(),
            "statements": self.store.count_statements(),
            "passages": self.store.count_passages(),
            "vectors": sum(vectors.values()),
        }
        content_version = self.store.content_version()
        changed = force or self.writer.changed or self._faiss_changed
        if (
            previous is not None
            and not changed
            and previous.content_version == content_version
            and previous.schema_version == SCHEMA_VERSION
            and dict(previous.counts) == counts
            and dict(previous.channels) == channels
        ):
            return previous
        now = utc_now()
        manifest = Manifest(
            schema_version=SCHEMA_VERSION,
            channels=channels,
            counts=counts,
            created_at=now if previous is None else previous.created_at,
            updated_at=now,
            generation=1 if previous is None else previous.generation + 1,
            build_id=uuid.uuid4().hex if previous is None else previous.build_id,
            content_version=content_version,
        )
        write_manifest(self.directory, manifest)
        return manifest

    def close(self) -> None:
        """Close the database and release the update lock."""
        try:
            self.store.close()
        finally:
            if self._owns_lock:
                self._lock.release()


def open_for_update(
    directory: Path,
    embedders: Mapping[str, Embedder] | None,
    kind: str | None = None,
    lock: IndexLock | None = None,
) -> UpdatableIndex:
    """Create or open an index to update it with these channels.

    New channels are recorded (their vectors are filled in by the pipeline); a channel built
    with another model is refused; an index channel without an embedder is refused too, since
    it could not be kept up to date.  ``kind`` (``flat``/``hnsw``) changes every channel's FAISS
    index kind (rebuilt from stored vectors); ``None`` keeps it (``flat`` for a new channel).
    ``embedders=None`` opens an existing index for maintenance (remove, check) without
    embedding; it raises IndexNotFoundError when there is none.  The update lock is taken
    here (IndexWriteError when another writer holds it) unless the caller passes the ``lock``
    of ``directory`` it already holds.
    """
    if embedders is None:
        _require_index(directory, writable=True)
    owns_lock = lock is None
    held = IndexLock.acquire(directory) if lock is None else lock
    try:
        manifest = read_manifest(directory)
        if manifest is not None:
            check_schema(directory, manifest, writable=True)
        store = StatementStore.open(directory / DATABASE_NAME)
    except BaseException:
        if owns_lock:
            held.release()
        raise
    index = UpdatableIndex(directory, store, held, owns_lock)
    if embedders is None:
        return index
    try:
        existing = store.channels()
        known = {n: e for n, e in embedders.items() if n in existing}
        check_embedders(directory, existing, known)
        unserved = sorted(set(existing) - set(embedders))
        if unserved:
            raise IndexMismatchError(
                f"the index at {directory} has channels {unserved} but no model was given for "
                "them; configure those models or rebuild with `policy-search index --rebuild`"
            )
        for name, embedder in embedders.items():
            current_kind = existing[name].kind if name in existing else "flat"
            info = channel_info(embedder, kind or current_kind)
            if existing.get(name) != info:
                index.writer.set_channel(name, info)
    except BaseException:
        index.close()
        raise
    return index


def staging_directory(directory: Path) -> Path:
    """Where ``--rebuild`` builds the new index (kept across a crash so a rerun resumes)."""
    return directory.with_name(f"{directory.name}.rebuilding")


def swap_in(staging: Path, directory: Path) -> None:
    """Replace ``directory`` by the completed ``staging`` index.

    The old directory is renamed aside, the new one renamed in, then the old one deleted; a
    reader that has the old index open keeps working on it until it reopens.
    """
    old = directory.with_name(f"{directory.name}.old-{os.getpid()}")
    try:
        if directory.exists():
            os.replace(directory, old)
        os.replace(staging, directory)
    except OSError as exc:
        if old.exists() and not directory.exists():
            os.replace(old, directory)
        raise IndexWriteError(f"cannot move the rebuilt index into {directory}: {exc}") from exc
    shutil.rmtree(old, ignore_errors=True)
