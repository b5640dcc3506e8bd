"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

# Property tests check behaviour, not speed: a per-example deadline only measures how busy the
# machine is (one hit its 200 ms deadline on a 2-core machine that was also indexing).
settings.register_profile("policy-search", deadline=None)
settings.load_profile("policy-search")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real minutes in ../shared/corpus (read-only)."""
    path = SHARED_DIR / "corpus"
    if not path.is_dir():
        pytest.fail(f"real corpus not found at {path}; ../shared must sit beside the repo")
    return path


@pytest.fixture(scope="session")
def dev_questions_path() -> Path:
    """The labelled dev questions in ../shared/eval/dev.jsonl."""
    return SHARED_DIR / "eval" / "dev.jsonl"


@pytest.fixture(scope="session")
def demo_corpus_dir() -> Path:
    """The demo corpus committed in data/ (the METI panel summary)."""
    return REPO_ROOT / "data"


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[object]:
    """The default multilingual-e5-small embedder, loaded once per test session."""
    from models.loading import load_embedder

    yield load_embedder(None)
