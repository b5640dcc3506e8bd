"""`policy-search index|stats|remove|check` through the real entry point (fake embedder)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.index_dir import faiss_path, open_index
from indexer.pipeline import UpdateOptions, update_index
from models.fake import HashingEmbedder
from tests.cli_runner import run
from tests.prepared_cache import search_cache_is_prepared


@pytest.fixture
def built(tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    index_dir = tmp_path / "index"
    code, out, _ = run(
        ["index", str(corpus_dir / "seed"), str(corpus_dir / "minutes"), "--index",
         str(index_dir), "--model", "fake", "--no-progress"],
        capsys,
    )  # fmt: skip
    assert code == 0, out
    return index_dir


def test_index_reports_each_file_and_stats_counts_them(
    built: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["stats", "--index", str(built), "--json"], capsys)
    assert code == 0
    stats = json.loads(out)
    assert (stats["meetings"], stats["statements"]) == (9, 41 + 93 + 310)
    assert stats["statements_by_language"] == {"en": 310, "ja": 134}
    seed_body = "経済安全保障に関する産業・技術基盤強化のための有識者会議"
    assert stats["statements_by_body"][seed_body] == 41
    assert stats["channels"]["e5"]["model_id"] == "hashing-64"
    code, out, _ = run(["stats", "--index", str(built)], capsys)
    assert code == 0 and "444 statements" in out and "310  en" in out

    code, out, _ = run(
        ["index", str(corpus_dir / "seed"), "--index", str(built), "--model", "fake"], capsys
    )
    assert code == 0
    assert out.startswith("unchanged  ")
    assert "0 newly embedded" in out


def test_index_prints_per_file_counts(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = next((corpus_dir / "seed").iterdir())
    code, out, _ = run(
        ["index", str(seed), "--index", str(tmp_path / "i"), "--model", "fake"], capsys
    )
    assert code == 0
    assert f"indexed    {seed.resolve()} [summary]: 1 meetings, 41 statements" in out
    assert "1 files (1 indexed, 0 unchanged, 0 failed)" in out


def test_a_failed_file_gives_exit_status_1_and_the_rest_is_indexed(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(next((corpus_dir / "seed").iterdir()), inputs / "seed.txt")
    (inputs / "empty.txt").write_bytes(b"")
    code, out, _ = run(
        ["index", str(inputs), "--index", str(tmp_path / "i"), "--model", "fake", "--json"],
        capsys,
    )
    assert code == 1
    summary = json.loads(out)
    assert (summary["indexed"], summary["failed"], summary["statements"]) == (1, 1, 41)
    (failure,) = [f for f in summary["per_file"] if f["status"] == "failed"]
    assert "empty.txt" in failure["error"]


def test_no_input_files_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty-folder").mkdir()
    args = ["index", str(tmp_path / "empty-folder"), "--index", str(tmp_path / "i")]
    code, _, err = run([*args, "--model", "fake"], capsys)
    assert code == 1 and "no minutes files found" in err


def test_overrides_set_the_meeting_metadata(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = next((corpus_dir / "seed").iterdir())
    index_dir = str(tmp_path / "i")
    args = ["index", str(seed), "--index", index_dir, "--model", "fake"]
    extra = ["--title", "テスト会議 第1回", "--date", "2024-01-02", "--body", "テスト会議"]
    assert run([*args, *extra], capsys)[0] == 0
    code, out, _ = run(["stats", "--index", index_dir, "--json"], capsys)
    assert json.loads(out)["statements_by_body"] == {"テスト会議": 41}
    # Other overrides are other options: the same file is read again, not skipped.
    code, out, _ = run([*args, "--body", "別の会議"], capsys)
    assert code == 0 and out.startswith("indexed")


def test_remove_deletes_a_meeting_and_refuses_unknown_ids(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["stats", "--index", str(built), "--json"], capsys)
    before = json.loads(out)["statements"]
    with open_index(built) as index:
        meeting, count = index.store.list_meetings()[0]
    code, out, err = run(["remove", meeting.meeting_id, "--index", str(built)], capsys)
    assert code == 0 and f"({count} statements)" in out
    assert search_cache_is_prepared(built)  # as after `index`: a server only loads it
    assert "related-remarks densities ready" in err
    code, out, _ = run(["stats", "--index", str(built), "--json"], capsys)
    assert json.loads(out)["statements"] == before - count
    code, _, err = run(["remove", meeting.meeting_id, "--index", str(built)], capsys)
    assert code == 1 and "no meeting" in err


def test_check_finds_a_broken_faiss_file_and_rebuilds_it(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check", "--index", str(built)], capsys)
    assert code == 0 and "channel e5: ok" in out
    faiss_path(built, "e5").unlink()
    code, out, _ = run(["check", "--index", str(built), "--json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["channels"][0]["missing_in_faiss"] > 0
    code, out, _ = run(["check", "--index", str(built), "--rebuild-faiss"], capsys)
    assert code == 0 and "channel e5: ok" in out
    assert search_cache_is_prepared(built)  # the rewritten version's, as after `index`


def test_missing_index_and_model_mismatch_are_clear_errors(
    tmp_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["stats", "--index", str(tmp_path / "nothing")], capsys)
    assert code == 1 and "no index at" in err and "policy-search index" in err
    other = tmp_path / "other-model"
    seed = [corpus_dir / "seed"]
    update_index(other, seed, {"e5": HashingEmbedder(32)}, UpdateOptions(progress=False))
    code, _, err = run(["index", str(seed[0]), "--index", str(other), "--model", "fake"], capsys)
    assert code == 1
    assert "hashing-bigram-v1-32" in err and "hashing-bigram-v1-64" in err
    assert "policy-search index --rebuild" in err


def test_rebuild_replaces_the_index(
    built: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        ["index", str(corpus_dir / "seed"), "--index", str(built), "--model", "fake",
         "--rebuild", "--kind", "hnsw"],
        capsys,
    )  # fmt: skip
    assert code == 0 and "index " in out
    code, out, _ = run(["stats", "--index", str(built), "--json"], capsys)
    stats = json.loads(out)
    assert stats["statements"] == 41 and stats["generation"] == 1
    assert stats["channels"]["e5"]["kind"] == "hnsw"


@pytest.mark.parametrize("command", ["index", "stats", "remove", "check", "upgrade"])
def test_every_command_documents_itself(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([command, "--help"], capsys)
    assert code == 0 and "--index" in out and "Usage: policy-search " + command in out


def test_upgrade_leaves_a_current_index_alone_and_reports_a_missing_one(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (built / "manifest.json").read_bytes()
    code, out, _ = run(["upgrade", "--index", str(built)], capsys)
    assert code == 0 and "nothing to do" in out
    assert (built / "manifest.json").read_bytes() == before
    code, _, err = run(["upgrade", "--index", str(tmp_path / "none")], capsys)
    assert code == 1 and "no index at" in err


def test_console_script_runs(built: Path) -> None:
    script = Path(sys.executable).with_name("policy-search")
    done = subprocess.run(
        [str(script), "stats", "--index", str(built), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["meetings"] == 9


def test_kind_hnsw_on_an_unchanged_index_rebuilds_its_faiss_files(
    built: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import faiss

    code, out, _ = run(
        ["index", str(corpus_dir / "seed"), "--index", str(built), "--model", "fake",
         "--kind", "hnsw"],
        capsys,
    )  # fmt: skip
    assert code == 0 and "unchanged" in out
    stored = faiss.read_index(str(faiss_path(built, "e5")))
    assert isinstance(faiss.downcast_index(stored.index), faiss.IndexHNSW)
    with open_index(built) as index:
        assert index.vectors("e5").kind == "hnsw"
        assert index.vectors("e5").ntotal == len(index.store.passage_ids_with_vectors("e5"))
