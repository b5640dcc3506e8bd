"""`policy-search watch DIR` in a real process on a real temporary folder (bounded waits)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from indexer.folder_watch import is_minutes_change
from indexer.index_dir import open_index
from tests.conftest import REPO_ROOT
from tests.prepared_cache import search_cache_is_prepared

SEED = "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt"
COUNCIL = "minutes/2025-11-06_kisei-kaikaku-startup-innovation-wg.txt"
WAIT_SECONDS = 60.0


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {WAIT_SECONDS:g} s for {what}")


def ctrl_c_as_in_a_terminal() -> None:
    """Give the watcher the default SIGINT disposition a terminal gives a foreground program.

    A non-interactive shell starts a background job (``bash .ci/run &``) with SIGINT ignored,
    children inherit that, and Python installs no KeyboardInterrupt handler for an ignored
    SIGINT: Ctrl-C would then not reach the watcher at all.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def statements(index_dir: Path) -> int:
    try:
        with open_index(index_dir) as index:
            return index.store.count_statements()
    except Exception:
        return -1


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[tuple[Path, Path, subprocess.Popen[str]]]:
    folder, index_dir = tmp_path / "inbox", tmp_path / "index"
    folder.mkdir()
    log = (tmp_path / "watch.log").open("w")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from search_api.cli.main import main; main()", "watch",
         str(folder), "--index", str(index_dir), "--model", "fake", "--sync"],
        stdout=log, stderr=subprocess.STDOUT, text=True, env=env,
        preexec_fn=ctrl_c_as_in_a_terminal,
    )  # fmt: skip
    try:
        yield folder, index_dir, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        log.close()


def test_files_dropped_changed_and_deleted_are_indexed_while_watching(
    watcher: tuple[Path, Path, subprocess.Popen[str]], corpus_dir: Path, tmp_path: Path
) -> None:
    folder, index_dir, process = watcher
    log = tmp_path / "watch.log"
    wait_for(lambda: "watching" in log.read_text(), "the first update")
    assert statements(index_dir) == 0

    shutil.copy(corpus_dir / SEED, folder / "seed.txt")
    wait_for(lambda: statements(index_dir) == 41, "the dropped summary to be indexed")
    wait_for(lambda: search_cache_is_prepared(index_dir), "its search cache to be prepared")

    (folder / "sub").mkdir()
    shutil.copy(corpus_dir / COUNCIL, folder / "sub" / "council.txt")
    wait_for(lambda: statements(index_dir) == 41 + 55, "a file in a new subfolder")

    text = (folder / "seed.txt").read_text(encoding="utf-8")
    (folder / "seed.txt").write_text(text + "\n- ▶ 追記された発言。\n", encoding="utf-8")
    wait_for(lambda: statements(index_dir) == 42 + 55, "the changed file to be re-indexed")

    (folder / "sub" / "council.txt").unlink()
    wait_for(lambda: statements(index_dir) == 42, "the deleted file to be removed (--sync)")

    process.send_signal(signal.SIGTERM)  # as a service manager stops it (Ctrl-C: SIGINT)
    assert process.wait(timeout=20) == 0
    output = log.read_text()
    assert f"indexed    {folder / 'seed.txt'} [summary]: 41 statements" in output
    assert "removed    " in output and "council.txt (gone)" in output
    assert "related-remarks densities ready" in output
    assert search_cache_is_prepared(index_dir)  # the last version's (the deletion's)
    assert output.rstrip().endswith("stopped watching")


def test_a_running_server_answers_from_what_the_watcher_indexed(
    watcher: tuple[Path, Path, subprocess.Popen[str]], corpus_dir: Path, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app
    from search_api.settings import Settings

    folder, index_dir, process = watcher
    shutil.copy(corpus_dir / SEED, folder / "seed.txt")  # maybe before the watcher started
    wait_for(lambda: statements(index_dir) == 41, "the first file")
    app = create_app(Settings(index_dir=index_dir, model_name="fake"), reload_interval=0.0)
    with TestClient(app) as client:
        assert client.get("/meetings").json()["total"] == 1
        shutil.copy(corpus_dir / COUNCIL, folder / "council.txt")
        wait_for(lambda: client.get("/meetings").json()["total"] == 2, "the server to reload")
        hits = client.get("/search", params={"q": "ドローン", "meeting_id": "council"}).json()
        assert hits["results"] and hits["results"][0]["meeting"]["id"] == "council"
    process.send_signal(signal.SIGINT)  # Ctrl-C
    assert process.wait(timeout=20) == 0


def test_only_minutes_files_and_sidecars_trigger_an_update() -> None:
    assert is_minutes_change("/in/a.pdf") and is_minutes_change("/in/meetings.json")
    assert is_minutes_change("/in/pool.jsonl.gz")
    assert is_minutes_change("/in/new-folder")
    assert not is_minutes_change("/in/.a.txt.swp") and not is_minutes_change("/in/a.docx")
