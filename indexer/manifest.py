"""The index manifest: what an index directory holds and which models built it.

``manifest.json`` is written last by every completed update (atomically: a temporary file
swapped in with ``os.replace``), so its ``generation`` tells a running server cheaply that a new
index is complete.  It records the schema version, one entry per embedding *channel* (model id,
fingerprint, dimension, FAISS kind), counts and timestamps.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.errors import IndexCorruptError, IndexWriteError

MANIFEST_NAME = "manifest.json"
FORMAT_NAME = "policy-search-index"


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """One embedding channel: the model whose vectors fill ``faiss/<channel>.index``."""

    model_id: str
    fingerprint: str
    dimension: int
    kind: str = "flat"
    """FAISS index kind: ``flat`` (exact inner product) or ``hnsw`` (approximate)."""


@dataclass(frozen=True, slots=True)
class Manifest:
    """Everything an index directory says about itself."""

    schema_version: int
    channels: Mapping[str, ChannelInfo]
    counts: Mapping[str, int] = field(default_factory=dict)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    generation: int = 0
    """Incremented by each completed update; a server reopens when it changes."""
    build_id: str = ""
    """Random id of this index directory's build (changes with ``--rebuild``)."""
    content_version: int = 0
    """The database's ``index_state.content_version`` this manifest describes."""

    @property
    def version_key(self) -> tuple[str, int]:
        """(build id, generation): differs from the last one seen when a new index is ready."""
        return (self.build_id, self.generation)

    def to_json(self) -> dict[str, Any]:
        """The JSON document written to ``manifest.json``."""
        return {
            "format": FORMAT_NAME,
            "schema_version": self.schema_version,
            "build_id": self.build_id,
            "generation": self.generation,
            "content_version": self.content_version,
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
            "channels": {
                name: {
                    "model_id": info.model_id,
                    "fingerprint": info.fingerprint,
                    "dimension": info.dimension,
                    "kind": info.kind,
                }
                for name, info in sorted(self.channels.items())
            },
            "counts": dict(sorted(self.counts.items())),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        """Parse a manifest document; raises KeyError/TypeError/ValueError on a wrong shape."""
        if data.get("format") != FORMAT_NAME:
            raise ValueError(f"not a {FORMAT_NAME} manifest")
        channels = {
            str(name): ChannelInfo(
                model_id=str(info["model_id"]),
                fingerprint=str(info["fingerprint"]),
                dimension=int(info["dimension"]),
                kind=str(info.get("kind", "flat")),
            )
            for name, info in dict(data["channels"]).items()
        }
        return cls(
            schema_version=int(data["schema_version"]),
            channels=channels,
            counts={str(k): int(v) for k, v in dict(data.get("counts", {})).items()},
            created_at=_parse_time(data.get("created_at")),
            updated_at=_parse_time(data.get("updated_at")),
            generation=int(data.get("generation", 0)),
            build_id=str(data.get("build_id", "")),
            content_version=int(data.get("content_version", 0)),
        )


def read_manifest(directory: Path) -> Manifest | None:
    """The manifest of an index directory, or None when it has none yet."""
    path = directory / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexCorruptError(f"cannot read {path}: {exc}") from exc
    try:
        return Manifest.from_json(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(f"{path} is not a valid index manifest: {exc}") from exc


def read_version_key(directory: Path) -> tuple[str, int]:
    """(build id, generation) of the index at ``directory`` (``("", 0)`` without a manifest).

    Cheap enough to call on every request (one small JSON read); when it differs from the
    ``version_key`` of an open index, a completed update or rebuild is waiting to be opened.
    """
    manifest = read_manifest(directory)
    return ("", 0) if manifest is None else manifest.version_key


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Write ``manifest.json`` atomically (temporary file, fsync, ``os.replace``)."""
    text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n"
    write_atomically(directory / MANIFEST_NAME, text.encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` so readers see the old or the new file, never half of one."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise IndexWriteError(f"cannot write {path}: {exc}; the previous file is kept") from exc
    sync_directory(path.parent)


def sync_directory(directory: Path) -> None:
    """fsync a directory so a rename in it survives a power cut (best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def utc_now() -> dt.datetime:
    """The current time in UTC, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_time(value: object) -> dt.datetime | None:
    if value is None:
        return None
    return dt.datetime.fromisoformat(str(value))
