"""Indexing real minutes: incremental updates, replacement, removal, models, FAISS vs SQLite."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer.index_dir import faiss_path, open_for_update, open_index
from indexer.maintenance import check_index, remove_meeting
from indexer.manifest import read_manifest, read_version_key
from indexer.pipeline import UpdateOptions, rebuild_index, update_index
from indexer.records import StatementFilter
from indexer.vectors import FaissVectorIndex
from models.embedder import Embedder
from models.errors import IndexMismatchError, IndexNotFoundError, MeetingNotFoundError
from models.fake import HashingEmbedder

QUIET = UpdateOptions(progress=False)


def fake() -> dict[str, Embedder]:
    return {"e5": HashingEmbedder()}


@pytest.fixture
def meetings_dir(tmp_path: Path, corpus_dir: Path) -> Path:
    """Four real Diet meeting files, copied so a test may edit them."""
    target = tmp_path / "meetings"
    target.mkdir()
    for path in sorted((corpus_dir / "kokkai" / "meetings").glob("*.json"))[:4]:
        shutil.copy(path, target / path.name)
    return target


def test_reindexing_unchanged_input_embeds_nothing(tmp_path: Path, corpus_dir: Path) -> None:
    index_dir = tmp_path / "index"
    inputs = [corpus_dir / "seed", corpus_dir / "minutes"]
    first = update_index(index_dir, inputs, fake(), QUIET)
    assert first.failed == 0
    assert first.statements == 41 + 93 + 310
    assert first.embedded > 0
    assert first.embedded + first.reused == first.passages, "identical texts embedded once"
    second = update_index(index_dir, inputs, fake(), QUIET)
    assert second.embedded == 0
    assert second.skipped == len(second.files) == len(first.files)
    assert second.manifest is not None and second.manifest.generation == 1, "no-op: no bump"
    # A touched but identical file is hashed, found unchanged, and still embeds nothing.
    seed = next((corpus_dir / "seed").iterdir())
    copy = tmp_path / "copy" / seed.name
    copy.parent.mkdir()
    shutil.copy(seed, copy)
    update_index(index_dir, [copy], fake(), QUIET)
    os.utime(copy, ns=(1, 1))
    third = update_index(index_dir, [copy], fake(), QUIET)
    assert (third.skipped, third.embedded) == (1, 0)


def test_modified_meeting_file_replaces_only_its_statements(
    tmp_path: Path, meetings_dir: Path
) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [meetings_dir], fake(), QUIET)
    with open_index(index_dir) as index:
        before = {s.statement_id: s for s in index.store.iter_statements()}
    target = sorted(meetings_dir.glob("*.json"))[1]
    data = json.loads(target.read_text(encoding="utf-8"))
    records = data["speechRecord"]
    dropped = records.pop()
    edited = records[-1]
    edited["speech"] = edited["speech"] + "\r\n（追記）経済安全保障の新しい論点です。"
    target.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    summary = update_index(index_dir, [meetings_dir], fake(), QUIET)
    assert summary.count("indexed") == 1 and summary.skipped == 3
    assert summary.statements_removed == 1
    assert 0 < summary.embedded <= 4, "only the edited speech's new passages are embedded"
    with open_index(index_dir) as index:
        after = {s.statement_id: s for s in index.store.iter_statements()}
    assert set(before) - set(after) == {dropped["speechID"]}
    changed = {sid for sid in after if after[sid] != before[sid]}
    assert changed == {edited["speechID"]}
    assert "（追記）" in after[edited["speechID"]].text


def test_remove_meeting_and_reports_unknown_ids(tmp_path: Path, meetings_dir: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [meetings_dir], fake(), QUIET)
    with open_index(index_dir) as index:
        (victim, count), *_ = index.store.list_meetings()
        total = index.store.count_statements()
        key = index.version_key
    assert remove_meeting(index_dir, victim.meeting_id) == count
    assert read_version_key(index_dir) != key, "a server sees the change"
    with open_index(index_dir) as index:
        assert index.store.count_statements() == total - count
        assert victim.meeting_id not in {m.meeting_id for m, _ in index.store.list_meetings()}
        ids = index.store.passage_ids_matching(StatementFilter(include_procedural=True))
        assert np.array_equal(np.sort(index.vectors("e5").ids()), ids)
    with pytest.raises(MeetingNotFoundError):
        remove_meeting(index_dir, victim.meeting_id)
    assert check_index(index_dir).ok


def test_faiss_search_equals_brute_force_over_stored_vectors(
    tmp_path: Path, meetings_dir: Path
) -> None:
    index_dir = tmp_path / "index"
    embedder = HashingEmbedder()
    update_index(index_dir, [meetings_dir], {"e5": embedder}, QUIET)
    with open_index(index_dir, {"e5": embedder}) as index:
        ids = index.store.all_passage_ids()
        xb = index.store.stored_vectors("e5", ids.tolist())
        xq = np.stack([embedder.embed_query(q) for q in ["経済安全保障推進法", "半導体", "特許"]])
        for allowed in (None, index.store.passage_ids_matching(StatementFilter())):
            _, labels = index.vectors("e5").search(xq, 10, allowed_ids=allowed)
            mask = np.ones(len(ids), bool) if allowed is None else np.isin(ids, allowed)
            scores = xq @ xb[mask].T
            expected_scores = -np.sort(-scores, axis=1)[:, :10]
            got_scores = np.stack(
                [
                    [float(xq[q] @ xb[np.searchsorted(ids, i)]) for i in row]
                    for q, row in enumerate(labels)
                ]
            )
            assert np.allclose(got_scores, expected_scores, atol=1e-5)
            assert set(labels.ravel()) <= set(ids[mask].tolist())


def test_another_model_is_refused_with_a_rebuild_hint(tmp_path: Path, meetings_dir: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [meetings_dir], fake(), QUIET)
    other = {"e5": HashingEmbedder(dimension=32)}
    with pytest.raises(IndexMismatchError, match=r"fingerprint.*--rebuild"):
        open_index(index_dir, other)
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        update_index(index_dir, [meetings_dir], other, QUIET)
    with pytest.raises(IndexMismatchError, match="no embedding channel 'use'"):
        open_index(index_dir, {"use": HashingEmbedder()})
    summary = rebuild_index(index_dir, [meetings_dir], other, QUIET)
    assert summary.manifest is not None
    with open_index(index_dir, other) as index:
        assert index.manifest.channels["e5"].dimension == 32
        assert index.vectors("e5").dimension == 32
    assert not (tmp_path / "index.rebuilding").exists()


def test_missing_index_is_reported(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="policy-search index"):
        open_index(tmp_path / "nowhere")


def test_a_new_channel_is_filled_from_existing_passages(tmp_path: Path, meetings_dir: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [meetings_dir], fake(), QUIET)
    both = {"e5": HashingEmbedder(), "use": HashingEmbedder(dimension=16)}
    summary = update_index(index_dir, [meetings_dir], both, QUIET)
    assert summary.skipped == 4 and summary.embedded > 0
    with open_index(index_dir, both) as index:
        assert index.channels == ("e5", "use")
        assert index.vectors("use").ntotal == index.store.count_passages()
    with pytest.raises(IndexMismatchError, match="no model was given"):
        update_index(index_dir, [meetings_dir], fake(), QUIET)


def test_reader_keeps_its_snapshot_during_an_update(tmp_path: Path, corpus_dir: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [corpus_dir / "seed"], fake(), QUIET)
    reader = open_index(index_dir)
    assert not reader.is_stale()
    update_index(index_dir, [corpus_dir / "minutes"], fake(), QUIET)
    assert reader.store.count_statements() == 41
    assert reader.vectors("e5").ntotal == reader.store.count_passages()
    assert reader.is_stale()
    reader.close()
    with open_index(index_dir) as fresh:
        assert fresh.store.count_statements() == 41 + 93 + 310


def test_lagging_faiss_is_reconciled_on_open_and_by_check(tmp_path: Path, corpus_dir: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [corpus_dir / "seed"], fake(), QUIET)
    stale = faiss_path(index_dir, "e5").read_bytes()
    update_index(index_dir, [corpus_dir / "minutes"], fake(), QUIET)
    # As if killed after the SQLite commit and before the FAISS save:
    faiss_path(index_dir, "e5").write_bytes(stale)
    with open_index(index_dir) as index:
        assert index.vectors("e5").ntotal == index.store.count_passages()
    report = check_index(index_dir)
    assert not report.ok
    assert report.channels[0].missing_in_faiss > 0
    assert check_index(index_dir, rebuild_faiss=True).ok
    assert FaissVectorIndex.load(faiss_path(index_dir, "e5")).ntotal > 41


def test_a_failed_file_is_reported_and_the_others_indexed(
    tmp_path: Path, meetings_dir: Path
) -> None:
    (meetings_dir / "broken.json").write_text('{"speechRecord": [', encoding="utf-8")
    summary = update_index(tmp_path / "index", [meetings_dir], fake(), QUIET)
    assert summary.failed == 1
    (failure,) = [f for f in summary.files if f.status == "failed"]
    assert failure.error is not None and "broken.json" in failure.error
    assert summary.count("indexed") == 4


def test_update_lock_refuses_a_second_writer(tmp_path: Path, corpus_dir: Path) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [corpus_dir / "seed"], fake(), QUIET)
    holder = open_for_update(index_dir, fake())
    try:
        with pytest.raises(Exception, match="another policy-search process"):
            update_index(index_dir, [corpus_dir / "seed"], fake(), QUIET)
    finally:
        holder.close()
    manifest = read_manifest(index_dir)
    assert manifest is not None and manifest.counts["statements"] == 41


def test_a_resumed_rebuild_holds_exactly_the_files_given(
    tmp_path: Path, corpus_dir: Path, meetings_dir: Path
) -> None:
    index_dir = tmp_path / "index"
    update_index(index_dir, [corpus_dir / "seed"], fake(), QUIET)
    # A rebuild of more inputs was killed and left its staging directory behind.
    update_index(tmp_path / "index.rebuilding", [corpus_dir / "seed", meetings_dir], fake(), QUIET)
    summary = rebuild_index(index_dir, [corpus_dir / "seed"], fake(), QUIET)
    assert summary.skipped == 1, "the staging directory was resumed"
    assert summary.statements_removed > 0
    with open_index(index_dir) as index:
        assert index.store.count_statements() == 41
        assert index.vectors("e5").ntotal == index.store.count_passages()


def test_a_broken_sidecar_is_reported_once(tmp_path: Path, corpus_dir: Path) -> None:
    inputs = tmp_path / "minutes"
    inputs.mkdir()
    for path in sorted((corpus_dir / "minutes").glob("*kisei*.txt"))[:2]:
        shutil.copy(path, inputs / path.name)
    (inputs / "meetings.json").write_text("[{", encoding="utf-8")
    summary = update_index(tmp_path / "index", [inputs], fake(), QUIET)
    failed = [f.path for f in summary.files if f.status == "failed"]
    assert failed == [str(inputs / "meetings.json")]
    assert summary.count("indexed") == 2
