"""A real `policy-search index` process killed mid-way: the index stays usable, a rerun resumes."""

from __future__ import annotations

import gzip
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from indexer.index_dir import open_index
from indexer.pipeline import UpdateOptions, update_index
from indexer.store import DATABASE_NAME
from models.fake import HashingEmbedder

SAMPLE_SPEECHES = 1000
BATCH = 64
# The real CLI entry point, with the fake embedder slowed down so the kill lands mid-way.
CHILD = """
import sys, time
from models.fake import HashingEmbedder
original = HashingEmbedder.embed_documents
def slow(self, texts):
    time.sleep(0.2)
    return original(self, texts)
HashingEmbedder.embed_documents = slow
from search_api.cli.main import main
main(["index", sys.argv[1], "--index", sys.argv[2], "--model", "fake",
      "--batch-size", sys.argv[3], "--no-progress"])
"""


def pool_sample(corpus_dir: Path, target: Path, count: int) -> Path:
    """The first ``count`` speeches of the real pool, as a gzip JSON Lines file."""
    with gzip.open(corpus_dir / "kokkai" / "speeches.jsonl.gz", "rt", encoding="utf-8") as src:
        lines = [next(src) for _ in range(count)]
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.writelines(lines)
    return target


def stored_vectors(index_dir: Path) -> int:
    uri = f"{(index_dir / DATABASE_NAME).resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM vectors").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def test_killed_update_leaves_a_usable_index_and_a_rerun_resumes(
    tmp_path: Path, corpus_dir: Path
) -> None:
    index_dir = tmp_path / "index"
    sample = pool_sample(corpus_dir, tmp_path / "pool-sample.jsonl.gz", SAMPLE_SPEECHES)
    embedders = {"e5": HashingEmbedder()}
    update_index(index_dir, [corpus_dir / "seed"], embedders, UpdateOptions(progress=False))
    base_vectors = stored_vectors(index_dir)

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(sample), str(index_dir), str(BATCH)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while stored_vectors(index_dir) < base_vectors + 3 * BATCH:
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "the child never committed three batches"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    committed = stored_vectors(index_dir) - base_vectors
    assert committed >= 3 * BATCH

    # The previous index opens and answers.
    with open_index(index_dir, embedders) as index:
        assert index.manifest.generation == 1
        assert index.store.count_statements() == 41
        xq = embedders["e5"].embed_query("経済安全保障")[None, :]
        _, labels = index.vectors("e5").search(xq, 5)
        assert (labels >= 0).all()
        found = index.store.get_passages(labels[0].tolist())
        assert len(found) == 5

    # Running the same command again completes it, embedding only what was not committed.
    rerun = update_index(index_dir, [sample], embedders, UpdateOptions(progress=False))
    assert rerun.failed == 0 and rerun.statements == SAMPLE_SPEECHES
    assert rerun.reused >= committed
    assert rerun.embedded + rerun.reused == rerun.passages
    assert rerun.embedded < rerun.passages - committed + BATCH
    with open_index(index_dir, embedders) as index:
        assert index.store.count_statements() == 41 + SAMPLE_SPEECHES
        ids = index.store.all_passage_ids()
        assert np.array_equal(np.sort(index.vectors("e5").ids()), ids)


def test_a_reader_answers_from_the_old_index_during_an_update_then_sees_the_new_one(
    tmp_path: Path, corpus_dir: Path
) -> None:
    index_dir = tmp_path / "index"
    sample = pool_sample(corpus_dir, tmp_path / "pool-sample.jsonl.gz", 300)
    embedders = {"e5": HashingEmbedder()}
    update_index(index_dir, [corpus_dir / "seed"], embedders, UpdateOptions(progress=False))
    base_vectors = stored_vectors(index_dir)
    reader = open_index(index_dir, embedders)
    xq = embedders["e5"].embed_query("経済安全保障")[None, :]

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(sample), str(index_dir), str(BATCH)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while stored_vectors(index_dir) < base_vectors + BATCH:
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.05)
        # Mid-update: the open reader answers from its snapshot; a new reader too.
        with open_index(index_dir, embedders) as newcomer:
            for index in (reader, newcomer):
                assert not index.is_stale()
                assert index.store.count_statements() == 41
                _, labels = index.vectors("e5").search(xq, 3)
                assert len(index.store.get_passages(labels[0].tolist())) == 3
        assert child.wait(timeout=120) == 0, child.stderr.read().decode() if child.stderr else ""
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert reader.is_stale()
    reader.close()
    with open_index(index_dir, embedders) as fresh:
        assert fresh.store.count_statements() == 41 + 300
        assert fresh.manifest.generation == 2
