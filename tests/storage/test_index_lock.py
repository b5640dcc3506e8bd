"""Every index writer takes the same lock: a rebuild never swaps a directory under a running update.

Regression for issue 13.1: `index --rebuild` locked only its staging directory and swapped it in
under a running `index`, whose statements then vanished (and `.lock` became a new file, so later
writers were not excluded either).  Real `policy-search` processes on real pool speeches,
fake embedder; the running writer is frozen with SIGSTOP while it holds the lock, so the timing
is deterministic.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from indexer.index_lock import IndexLock, lock_holder
from models.errors import IndexWriteError
from tests.storage.test_crash import pool_sample

ENTRY_POINT = Path(sys.executable).parent / "policy-search"
POOL_SPEECHES = 1000


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRY_POINT), *args], capture_output=True, text=True, timeout=300, check=False
    )


@contextmanager
def frozen_writer(*args: str, index_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """A `policy-search` writer stopped (SIGSTOP) while it holds the lock of ``index_dir``."""
    child = subprocess.Popen(
        [str(ENTRY_POINT), *args, "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while lock_holder(index_dir) != child.pid:
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"writer never took the lock: {child.communicate()}")
            time.sleep(0.005)
        os.kill(child.pid, signal.SIGSTOP)
        yield child
    finally:
        os.kill(child.pid, signal.SIGCONT)
        child.wait(timeout=300)


def statements_in(index_dir: Path) -> int:
    stats = run_cli("stats", "--index", str(index_dir), "--json")
    assert stats.returncode == 0, stats.stderr
    return int(json.loads(stats.stdout)["statements"])


@pytest.fixture()
def pool(tmp_path: Path, corpus_dir: Path) -> Path:
    return pool_sample(corpus_dir, tmp_path / "pool.jsonl.gz", POOL_SPEECHES)


def test_a_rebuild_is_refused_while_an_update_runs_and_the_update_keeps_its_statements(
    tmp_path: Path, corpus_dir: Path, pool: Path
) -> None:
    index_dir = tmp_path / "index"
    seed = str(corpus_dir / "seed")
    writer_args = ("index", str(pool), "--index", str(index_dir), "--model", "fake")
    with frozen_writer(*writer_args, index_dir=index_dir) as writer:
        rebuild = run_cli("index", seed, "--rebuild", "--index", str(index_dir), "--model", "fake")
        again = run_cli("index", seed, "--index", str(index_dir), "--model", "fake")
    assert writer.returncode == 0
    assert rebuild.returncode == 1
    assert f"another policy-search process (pid {writer.pid}) is updating" in rebuild.stderr
    assert again.returncode == 1 and "is updating" in again.stderr
    assert statements_in(index_dir) == POOL_SPEECHES
    assert run_cli("check", "--index", str(index_dir)).returncode == 0


def test_an_update_is_refused_while_a_rebuild_runs_and_the_lock_still_excludes_after_the_swap(
    tmp_path: Path, corpus_dir: Path, pool: Path
) -> None:
    index_dir = tmp_path / "index"
    seed = str(corpus_dir / "seed")
    assert run_cli("index", seed, "--index", str(index_dir), "--model", "fake").returncode == 0
    rebuild_args = ("index", str(pool), "--rebuild", "--index", str(index_dir), "--model", "fake")
    with frozen_writer(*rebuild_args, index_dir=index_dir) as rebuild:
        update = run_cli("index", seed, "--index", str(index_dir), "--model", "fake")
        remove = run_cli("remove", "no-such-meeting", "--index", str(index_dir))
    assert rebuild.returncode == 0, rebuild.stderr
    assert update.returncode == 1 and "is updating" in update.stderr
    assert remove.returncode == 1 and "is updating" in remove.stderr
    assert statements_in(index_dir) == POOL_SPEECHES
    assert run_cli("check", "--index", str(index_dir)).returncode == 0
    # After the swap, DIR/.lock is the lock every writer takes: a second writer is refused.
    with IndexLock.acquire(index_dir), pytest.raises(IndexWriteError, match="is updating"):
        IndexLock.acquire(index_dir)
