"""Hashing files in chunks gives the same digest as hashing their whole content."""

from __future__ import annotations

import hashlib
from pathlib import Path

from models.file_digest import CHUNK_BYTES, digest_file


def test_a_file_larger_than_a_chunk_hashes_like_its_whole_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * (CHUNK_BYTES // 256 * 2 + 3)
    path = tmp_path / "weights.bin"
    path.write_bytes(data)

    assert digest_file(path, hashlib.sha256()).hexdigest() == hashlib.sha256(data).hexdigest()
    blake = digest_file(path, hashlib.blake2b(digest_size=16)).hexdigest()
    assert blake == hashlib.blake2b(data, digest_size=16).hexdigest()


def test_an_empty_file_hashes_like_no_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.write_bytes(b"")

    assert digest_file(path, hashlib.sha256()).digest() == hashlib.sha256(b"").digest()
