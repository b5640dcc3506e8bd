"""The SQLite store: records round-trip, filters run in SQL, files merge by id, snapshots hold."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.manifest import ChannelInfo
from indexer.records import Meeting, ParsedMeeting, Passage, Statement, StatementFilter
from indexer.store import StatementStore
from indexer.store_schema import SCHEMA_VERSION, content_hash
from indexer.store_writes import SourceFile, StoreWriter
from models.errors import IndexMismatchError, MeetingNotFoundError, StatementNotFoundError


def meeting(mid: str, body: str = "衆議院 内閣委員会", date: dt.date | None = None) -> Meeting:
    return Meeting(
        meeting_id=mid,
        title=f"title {mid}",
        date=date or dt.date(2022, 4, 1),
        body=body,
        language="ja",
        topics=("論点①", "論点②"),
        extra={"k": "v"},
    )


def statement(sid: str, mid: str, position: int, text: str, **kw: object) -> Statement:
    return Statement(
        statement_id=sid, meeting_id=mid, position=position, text=text, language="ja", **kw
    )  # type: ignore[arg-type]


def whole(s: Statement) -> list[Passage]:
    return [Passage(s.statement_id, 0, s.text, 0, len(s.text))]


def store_file(
    writer: StoreWriter, path: str, parsed: list[ParsedMeeting], digest: str = "h"
) -> None:
    passages = {s.statement_id: whole(s) for p in parsed for s in p.statements}
    writer.replace_file(SourceFile(path, digest, 1, 1), parsed, passages)


@pytest.fixture
def store(tmp_path: Path) -> StatementStore:
    opened = StatementStore.open(tmp_path / "index.sqlite")
    StoreWriter(opened).set_channel("e5", ChannelInfo("fake", "fp", 4, "flat"))
    return opened


def test_new_database_is_migrated_to_the_current_schema(store: StatementStore) -> None:
    version = store.connection.execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION
    mode = store.connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    StatementStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(IndexMismatchError, match="newer"):
        StatementStore.open(path)


def test_meetings_and_statements_round_trip(store: StatementStore) -> None:
    m = meeting("m1")
    s = statement("s1", "m1", 3, "経済安全保障について", speaker_name="山田", procedural=True)
    store_file(StoreWriter(store), "a.json", [ParsedMeeting(m, (s,))])
    assert store.get_meeting("m1") == m
    assert store.get_statement("s1") == s
    assert store.get_statements(["s1", "nope"]) == {"s1": s}
    assert store.statements_of_meeting("m1") == [s]
    with pytest.raises(StatementNotFoundError):
        store.get_statement("nope")
    with pytest.raises(MeetingNotFoundError):
        store.get_meeting("nope")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(min_size=0, max_size=300), cut=st.floats(0, 1), edited=st.booleans())
def test_any_text_round_trips(store: StatementStore, text: str, cut: float, edited: bool) -> None:
    s = statement("s-any", "m-any", 1, text, topic=text[:10] or None)
    at = int(cut * len(text))
    second = text[at:] + ("（編集）" if edited else "")
    passages = [Passage("s-any", 0, text[:at], 0, at), Passage("s-any", 1, second, at, len(text))]
    StoreWriter(store).replace_file(
        SourceFile("any.json", "h", 1, 1),
        [ParsedMeeting(meeting("m-any"), (s,))],
        {"s-any": passages},
    )
    assert store.get_statement("s-any") == s
    stored = store.get_passages(store.passage_ids_of_statement("s-any"))
    assert sorted(stored.values(), key=lambda p: p.ordinal) == passages
    assert [p for _, p in store.iter_passages()] == passages


def test_a_passage_that_is_its_statement_slice_stores_no_copy(store: StatementStore) -> None:
    s = statement("s1", "m1", 1, "第一文。第二文。")
    passages = [Passage("s1", 0, "第一文。", 0, 4), Passage("s1", 1, "第二文。", 4, 8)]
    parsed = [ParsedMeeting(meeting("m1"), (s,))]
    StoreWriter(store).replace_file(SourceFile("f.json", "h", 1, 1), parsed, {"s1": passages})
    stored = store.connection.execute("SELECT text FROM passages ORDER BY ordinal").fetchall()
    assert stored == [(None,), (None,)]
    assert [p for _, p in store.iter_passages()] == passages


def test_filters_restrict_passages_in_sql(store: StatementStore) -> None:
    writer = StoreWriter(store)
    a = meeting("ma", body="衆議院 内閣委員会", date=dt.date(2022, 3, 1))
    b = meeting("mb", body="参議院 経済産業委員会", date=dt.date(2023, 5, 30))
    store_file(
        writer,
        "x.json",
        [
            ParsedMeeting(
                a,
                (
                    statement("a1", "ma", 1, "委員長の指名", procedural=True),
                    statement("a2", "ma", 2, "半導体の供給網", speaker_name="小林鷹之"),
                ),
            ),
            ParsedMeeting(b, (statement("b1", "mb", 1, "エネルギー政策", topic="電力"),)),
        ],
    )

    def statements_of(where: StatementFilter) -> set[str]:
        ids = store.passage_ids_matching(where)
        assert ids.dtype == np.int64
        return {p.statement_id for p in store.get_passages(ids.tolist()).values()}

    assert statements_of(StatementFilter()) == {"a2", "b1"}
    assert statements_of(StatementFilter(include_procedural=True)) == {"a1", "a2", "b1"}
    assert statements_of(StatementFilter(body="内閣委員会")) == {"a2"}
    assert statements_of(StatementFilter(date_from=dt.date(2023, 1, 1))) == {"b1"}
    assert statements_of(StatementFilter(date_to=dt.date(2022, 12, 31))) == {"a2"}
    assert statements_of(StatementFilter(speaker="小林")) == {"a2"}
    assert statements_of(StatementFilter(topic="電力")) == {"b1"}
    assert statements_of(StatementFilter(meeting_id="mb")) == {"b1"}
    assert statements_of(StatementFilter(language="en")) == set()
    assert store.statement_ids_matching(StatementFilter(body="経済産業")) == ["b1"]


def test_list_meetings_is_ordered_by_date_with_counts(store: StatementStore) -> None:
    writer = StoreWriter(store)
    later = meeting("late", date=dt.date(2024, 1, 1))
    earlier = meeting("early", date=dt.date(2020, 1, 1))
    store_file(writer, "l.json", [ParsedMeeting(later, (statement("l1", "late", 1, "x"),))])
    store_file(writer, "e.json", [ParsedMeeting(earlier, ())])
    assert [(m.meeting_id, n) for m, n in store.list_meetings()] == [("early", 0), ("late", 1)]


def test_same_statement_from_two_files_is_one_and_survives_either_file(
    store: StatementStore,
) -> None:
    writer = StoreWriter(store)
    shared = statement("speech-1", "m1", 1, "共通の発言")
    only_pool = statement("speech-2", "m1", 2, "プールだけの発言")
    store_file(writer, "meeting.json", [ParsedMeeting(meeting("m1"), (shared,))])
    store_file(writer, "pool.jsonl", [ParsedMeeting(meeting("m1"), (shared, only_pool))])
    assert store.count_statements() == 2
    # The meeting file no longer gives the shared speech: the pool still does.
    store_file(writer, "meeting.json", [], digest="h2")
    assert set(store.get_statements(["speech-1", "speech-2"])) == {"speech-1", "speech-2"}
    # Now nothing gives it: it goes, and the meeting stays while the pool gives it.
    store_file(writer, "pool.jsonl", [ParsedMeeting(meeting("m1"), (only_pool,))], digest="h3")
    assert store.get_statements(["speech-1", "speech-2"]).keys() == {"speech-2"}
    store_file(writer, "pool.jsonl", [], digest="h4")
    assert store.count_meetings() == 0


def test_unchanged_statement_keeps_its_passage_ids(store: StatementStore) -> None:
    writer = StoreWriter(store)
    keep = statement("k", "m1", 1, "変わらない")
    edit = statement("e", "m1", 2, "変わる前")
    store_file(writer, "f.json", [ParsedMeeting(meeting("m1"), (keep, edit))])
    before = store.passage_ids_of_statement("k") + store.passage_ids_of_statement("e")
    edited = statement("e", "m1", 2, "変わった後")
    store_file(writer, "f.json", [ParsedMeeting(meeting("m1"), (keep, edited))], digest="h2")
    assert store.passage_ids_of_statement("k") == before[:1]
    assert store.passage_ids_of_statement("e") != before[1:]
    assert store.passage_ids_of_statement("e")[0] > max(before), "ids are never reused"


def test_vectors_are_stored_once_per_text_and_fingerprint(store: StatementStore) -> None:
    writer = StoreWriter(store)
    texts = ["同じ文", "同じ文", "別の文"]
    statements = tuple(statement(f"s{i}", "m1", i, t) for i, t in enumerate(texts))
    store_file(writer, "f.json", [ParsedMeeting(meeting("m1"), statements)])
    hashes = sorted({content_hash(t) for t in texts})
    assert store.missing_vector_hashes("fp", [content_hash(t) for t in texts]) == set(hashes)
    vectors = np.arange(8, dtype=np.float32).reshape(2, 4)
    writer.put_vectors("fp", hashes, vectors)
    assert store.missing_vector_hashes("fp", hashes) == set()
    assert store.missing_vector_hashes("other", hashes) == set(hashes)
    assert store.count_vectors() == {"fp": 2}
    ids = store.passage_ids_with_vectors("e5")
    stored = store.stored_vectors("e5", ids.tolist())
    by_hash = dict(zip(hashes, vectors, strict=True))
    for row, pid in zip(stored, ids.tolist(), strict=True):
        text = store.get_passages([pid])[pid].text
        assert np.array_equal(row, by_hash[content_hash(text)])


def test_snapshot_does_not_see_a_later_commit(tmp_path: Path, store: StatementStore) -> None:
    writer = StoreWriter(store)
    store_file(writer, "a.json", [ParsedMeeting(meeting("m1"), (statement("s1", "m1", 1, "x"),))])
    reader = StatementStore.open(tmp_path / "index.sqlite", readonly=True)
    reader.begin_snapshot()
    store_file(writer, "b.json", [ParsedMeeting(meeting("m2"), (statement("s2", "m2", 1, "y"),))])
    assert reader.count_statements() == 1
    reader.begin_snapshot()
    assert reader.count_statements() == 2
    reader.close()


def test_remove_meeting_deletes_its_statements_and_passages(store: StatementStore) -> None:
    writer = StoreWriter(store)
    store_file(
        writer,
        "f.json",
        [
            ParsedMeeting(meeting("m1"), (statement("s1", "m1", 1, "x"),)),
            ParsedMeeting(meeting("m2"), (statement("s2", "m2", 1, "y"),)),
        ],
    )
    assert writer.remove_meeting("m1") == 1
    assert writer.remove_meeting("m1") == -1
    assert [m.meeting_id for m, _ in store.list_meetings()] == ["m2"]
    assert {p.statement_id for _, p in store.iter_passages()} == {"s2"}
