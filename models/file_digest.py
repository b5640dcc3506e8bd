"""Hashing a file's bytes without holding the whole file in memory (weights are hundreds of MB)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, TypeVar

CHUNK_BYTES = 1 << 20


class Digest(Protocol):
    """What hashlib's hash objects offer that a file digest needs."""

    def update(self, data: bytes, /) -> None: ...


D = TypeVar("D", bound=Digest)


def digest_file(path: Path, digest: D) -> D:
    """Feed the bytes of ``path`` to ``digest`` in 1 MiB chunks and return ``digest``."""
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest
