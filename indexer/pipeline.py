"""Build and update an index: minutes files -> statements -> passages -> vectors -> FAISS.

For each input file: skip it when unchanged (same size and mtime, or same content hash, and the
same options); otherwise read it, cut its statements into passages, embed only the passage
texts whose vector is not stored yet (committed every ``batch_size`` passages, so a killed run
resumes where it stopped), then replace the file's records in one transaction.  When every file
is done, the FAISS files are refreshed from SQLite and the manifest is written last.

A file that fails to read is reported and leaves its earlier records untouched.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from tqdm import tqdm

from indexer.chunking import split_passages
from indexer.folder_sync import RemovedFile, StaleFile, find_stale, remove_stale
from indexer.index_dir import UpdatableIndex, open_for_update, staging_directory, swap_in
from indexer.index_lock import IndexLock
from indexer.manifest import Manifest
from indexer.metadata import SIDECAR_NAME, MeetingMetadata
from indexer.paths import path_text
from indexer.reading import iter_input_files, read_paths
from indexer.records import ParsedMeeting, Passage
from indexer.store_schema import content_hash
from indexer.store_writes import SourceFile
from indexer.themes.service import refresh_themes
from models.embedder import Embedder
from models.errors import IndexWriteError
from models.file_digest import digest_file
from models.loading import EncoderOptions

DEFAULT_BATCH_SIZE = 256
PRIMARY_CHANNEL = "e5"
"""The main dense channel; its name stays ``e5`` whichever model fills it (the manifest says
which).  Extra channels are named after the model (``use``)."""
Chunker = Callable[[str, str], list[Passage]]
PassageObserver = Callable[[Mapping[str, str]], None]
"""Receives ``{content hash: text}`` of the passages of one file about to be embedded."""


@dataclass(frozen=True, slots=True)
class UpdateOptions:
    """How an update reads and embeds."""

    overrides: MeetingMetadata | None = None
    """Title/date/body given on the command line; they win over sidecars and the text."""
    kind: str | None = None
    """FAISS kind for every channel (``flat``/``hnsw``); ``None`` keeps the current one."""
    batch_size: int = DEFAULT_BATCH_SIZE
    progress: bool | None = None
    """Show progress bars: True, False, or None for "when stderr is a terminal"."""
    chunker: Chunker = split_passages
    exclusive: bool = False
    """Forget files indexed earlier but not given now (``rebuild_index`` sets it, so a resumed
    rebuild holds exactly the files of this run)."""
    sync: bool = False
    """Remove the records of indexed files gone from the folders given (``index --sync``);
    without it they are only reported as stale."""
    passage_observer: PassageObserver | None = None
    """Called with each file's passage texts before they are embedded (the search side
    analyses them for BM25 meanwhile); it must not block."""


@dataclass(frozen=True, slots=True)
class FileReport:
    """The outcome for one input file."""

    path: str
    status: str
    """``indexed``, ``unchanged`` or ``failed``."""
    fmt: str | None = None
    meetings: int = 0
    statements: int = 0
    passages: int = 0
    embedded: int = 0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    """Parts of the file left out (PDF glyphs without a Unicode map, pages without text)."""


@dataclass(slots=True)
class IndexSummary:
    """What an update did, for the report at the end of ``policy-search index``."""

    files: list[FileReport] = field(default_factory=list)
    embedded: int = 0
    """Passage vectors computed in this run (all channels)."""
    reused: int = 0
    """Passages (per channel) that needed no new vector: their text was stored already (an
    earlier file or run, a killed run) or repeats a text embedded in this run."""
    statements_removed: int = 0
    stale: list[StaleFile] = field(default_factory=list)
    """Indexed files gone from the folders given, kept because ``sync`` was off."""
    removed_files: list[RemovedFile] = field(default_factory=list)
    """Gone files whose records ``sync`` removed."""
    encode_seconds: float = 0.0
    elapsed_seconds: float = 0.0
    manifest: Manifest | None = None

    def count(self, status: str) -> int:
        """Files with this status."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def failed(self) -> int:
        """Files that could not be read."""
        return self.count("failed")

    @property
    def skipped(self) -> int:
        """Files left alone because they did not change."""
        return self.count("unchanged")

    @property
    def meetings(self) -> int:
        """Meetings read in this run."""
        return sum(f.meetings for f in self.files)

    @property
    def statements(self) -> int:
        """Statements read in this run."""
        return sum(f.statements for f in self.files)

    @property
    def passages(self) -> int:
        """Passages cut in this run."""
        return sum(f.passages for f in self.files)

    def to_json(self) -> dict[str, object]:
        """A JSON-ready summary (for ``--json`` and the benchmark)."""
        return {
            "files": len(self.files),
            "indexed": self.count("indexed"),
            "skipped": self.skipped,
            "failed": self.failed,
            "meetings": self.meetings,
            "statements": self.statements,
            "passages": self.passages,
            "embedded": self.embedded,
            "reused": self.reused,
            "statements_removed": self.statements_removed,
            "stale": [asdict(s) for s in self.stale],
            "removed_files": [asdict(r) for r in self.removed_files],
            "encode_seconds": round(self.encode_seconds, 3),
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "per_file": [asdict(f) for f in self.files],
            "index": None if self.manifest is None else dict(self.manifest.counts),
        }


DEFAULT_EXTRA_CHANNELS: tuple[str, ...] = ("use",)
"""Extra channels of an index built with the default model: the multilingual Universal Sentence
Encoder lifts English questions about Japanese remarks (dev set nDCG@10 0.474 -> 0.559, overall
0.586 -> 0.635; docs/evaluation.md)."""


def default_embedders(
    model_name: str | None,
    extra_channels: Sequence[str] | None = None,
    encoder: EncoderOptions | None = None,
) -> dict[str, Embedder]:
    """The embedders an index is built and searched with, by channel.

    ``PRIMARY_CHANNEL`` gets ``load_embedder(model_name)`` (``None``: multilingual-e5-small);
    each extra channel name is itself a model name for ``load_embedder`` (e.g. ``use``).
    ``extra_channels=None`` means the defaults: ``DEFAULT_EXTRA_CHANNELS`` with the default
    model, none with any other model (a chosen model is measured on its own first).  The CLI and
    the server both call this, so they agree on the channels. ``encoder`` chooses the default
    model's device and runtime (``models.loading.EncoderOptions``).
    """
    from models.loading import load_embedder

    if extra_channels is None:
        extra_channels = DEFAULT_EXTRA_CHANNELS if model_name is None else ()
    embedders = {PRIMARY_CHANNEL: load_embedder(model_name, encoder)}
    for name in extra_channels:
        if name and name != PRIMARY_CHANNEL:
            embedders[name] = load_embedder(name)
    return embedders


def update_index(
    directory: Path,
    paths: Sequence[Path],
    embedders: Mapping[str, Embedder],
    options: UpdateOptions | None = None,
) -> IndexSummary:
    """Add new and changed minutes under ``paths`` to the index at ``directory``."""
    options = options or UpdateOptions()
    started = time.perf_counter()
    summary = IndexSummary()
    index = open_for_update(directory, embedders, options.kind)
    try:
        run = _Run(index, embedders, options, summary)
        files = list(iter_input_files(paths))
        with _bar(options, total=len(files), unit="file", desc="files") as bar:
            for path in files:
                bar.set_postfix_str(path_text(path.name)[-40:])
                summary.files.extend(run.index_file(path))
                bar.update(1)
        if options.exclusive:
            for forgotten in index.writer.forget_files_except(run.seen):
                summary.statements_removed += forgotten.statements_removed
        else:
            stale = find_stale(index.writer.known_files(), paths, run.seen)
            if options.sync:
                summary.removed_files = remove_stale(index.writer, stale)
                summary.statements_removed += sum(
                    r.statements_removed for r in summary.removed_files
                )
            else:
                summary.stale = stale
        run.fill_missing_vectors()
        refresh_themes(index.store, embedders)
        index.refresh_vectors()
        summary.manifest = index.write_manifest()
    finally:
        index.close()
    summary.elapsed_seconds = time.perf_counter() - started
    return summary


def rebuild_index(
    directory: Path,
    paths: Sequence[Path],
    embedders: Mapping[str, Embedder],
    options: UpdateOptions | None = None,
) -> IndexSummary:
    """Build a fresh index from ``paths`` beside ``directory``, then swap it in.

    The old index stays readable until the new one is complete.  A killed rebuild resumes
    from its staging directory (``DIR.rebuilding``) when run again with the same models.
    The update lock of ``directory`` is held from start to swap, so a rebuild is refused while
    another writer runs and no writer can start before the new index is in place; the swap
    also happens under the staging directory's own lock, which becomes ``DIR/.lock``.
    """
    with IndexLock.acquire(directory):
        staging = staging_directory(directory)
        if staging.exists():
            try:
                open_for_update(staging, embedders, None).close()
            except IndexWriteError:
                raise
            except Exception:
                shutil.rmtree(staging)
        options = replace(options or UpdateOptions(), exclusive=True)
        summary = update_index(staging, paths, embedders, options)
        with IndexLock.acquire(staging):
            swap_in(staging, directory)
    return summary


class _Run:
    """The state of one update run (kept out of the public API)."""

    def __init__(
        self,
        index: UpdatableIndex,
        embedders: Mapping[str, Embedder],
        options: UpdateOptions,
        summary: IndexSummary,
    ) -> None:
        self.index = index
        self.embedders = embedders
        self.options = options
        self.summary = summary
        self.seen: set[str] = set()
        self.failed_sidecars: set[Path] = set()

    def index_file(self, path: Path) -> list[FileReport]:
        """Index one file unless it is unchanged; reports (a failed sidecar adds one)."""
        key = path_text(path.resolve())
        stat = path.stat()
        options_key = _options_key(path, self.options)
        self.seen.add(key)
        known = self.index.writer.source_file(key)
        same_stat = (options_key, stat.st_mtime_ns, stat.st_size)
        if known is not None and (known.options_key, known.mtime_ns, known.size) == same_stat:
            return [FileReport(path_text(path), "unchanged")]
        digest = _file_hash(path)
        source = SourceFile(key, digest, stat.st_mtime_ns, stat.st_size, options_key)
        if known is not None and (known.options_key, known.content_hash) == (options_key, digest):
            self.index.writer.touch_source_file(source)
            return [FileReport(path_text(path), "unchanged")]
        reports: list[FileReport] = []
        for result in read_paths([path], self.options.overrides):
            if result.error is None:
                report = self._store_file(source, result.meetings, result.fmt)
                reports.append(replace(report, warnings=result.warnings))
            elif result.path == path or result.path not in self.failed_sidecars:
                self.failed_sidecars.add(result.path)
                reports.append(
                    FileReport(path_text(result.path), "failed", error=str(result.error))
                )
        return reports

    def _store_file(
        self, source: SourceFile, meetings: Sequence[ParsedMeeting], fmt: str | None
    ) -> FileReport:
        passages = {
            s.statement_id: self.options.chunker(s.statement_id, s.text)
            for parsed in meetings
            for s in parsed.statements
        }
        texts = {content_hash(p.text): p.text for group in passages.values() for p in group}
        if self.options.passage_observer is not None:
            self.options.passage_observer(texts)
        embedded = sum(self._embed_missing(name, texts) for name in sorted(self.embedders))
        count = sum(len(group) for group in passages.values())
        self.summary.reused += count * len(self.embedders) - embedded
        change = self.index.writer.replace_file(source, meetings, passages)
        self.summary.statements_removed += change.statements_removed
        return FileReport(
            path=source.path,
            status="indexed",
            fmt=fmt,
            meetings=change.meetings,
            statements=change.statements,
            passages=count,
            embedded=embedded,
        )

    def _embed_missing(self, channel: str, texts: Mapping[str, str]) -> int:
        """Embed the texts with no stored vector in ``channel``; returns how many."""
        embedder = self.embedders[channel]
        missing = self.index.store.missing_vector_hashes(embedder.fingerprint, texts)
        if not missing:
            return 0
        order = sorted(missing, key=lambda h: (len(texts[h]), h))
        size = max(1, self.options.batch_size)
        with _bar(self.options, total=len(order), unit="passage", desc=f"embed {channel}") as bar:
            for batch in _batches(order, size):
                started = time.perf_counter()
                vectors = embedder.embed_documents([texts[h] for h in batch])
                self.summary.encode_seconds += time.perf_counter() - started
                self.index.writer.put_vectors(embedder.fingerprint, batch, vectors)
                self.summary.embedded += len(batch)
                bar.update(len(batch))
        return len(order)

    def fill_missing_vectors(self) -> None:
        """Embed passages stored without a vector in some channel (a channel just added)."""
        for name in sorted(self.embedders):
            fingerprint = self.embedders[name].fingerprint
            texts = self.index.store.passages_missing_vectors(fingerprint)
            if texts:
                self._embed_missing(name, texts)


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _bar(options: UpdateOptions, *, total: int, unit: str, desc: str) -> tqdm:
    disable = None if options.progress is None else not options.progress
    return tqdm(total=total, unit=unit, desc=desc, disable=disable, leave=False, dynamic_ncols=True)


def _file_hash(path: Path) -> str:
    return digest_file(path, hashlib.blake2b(digest_size=16)).hexdigest()


def _options_key(path: Path, options: UpdateOptions) -> str:
    """What besides the file's bytes decides its records: overrides and the sidecar beside it."""
    sidecar = path.parent / SIDECAR_NAME
    parts = {
        "overrides": None if options.overrides is None else str(asdict(options.overrides)),
        "sidecar": _file_hash(sidecar) if sidecar.is_file() else None,
        "chunker": getattr(options.chunker, "__qualname__", repr(options.chunker)),
    }
    return hashlib.blake2b(json.dumps(parts, sort_keys=True).encode(), digest_size=8).hexdigest()
