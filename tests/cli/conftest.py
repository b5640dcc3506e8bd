"""Fixtures for the query CLI tests: one small real index per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.small_index import build_index


@pytest.fixture(scope="session")
def cli_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """A read-only index of six real meetings built with the fake embedder."""
    return build_index(tmp_path_factory.mktemp("cli-index") / "index", corpus_dir)
