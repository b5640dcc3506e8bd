"""The searcher over a real index built from real minutes with the deterministic fake embedder."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from indexer.index_dir import open_for_update, open_index
from indexer.pipeline import PRIMARY_CHANNEL, UpdateOptions, update_index
from indexer.records import StatementFilter
from models.errors import (
    ConfigError,
    IndexCorruptError,
    MeetingNotFoundError,
    StatementNotFoundError,
)
from models.fake import HashingEmbedder
from search_api.ranking import RankingConfig
from search_api.related.config import RelatedConfig
from search_api.results import SearchMode, SearchRequest
from search_api.searcher import Searcher

FILES = (
    "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt",
    "kokkai/meetings/2022-04-15_diet-208_shugiin-keizaisangyo.json",
    "kokkai/meetings/2022-03-30_diet-208_shugiin-keizaisangyo.json",
    "kokkai/meetings/2023-05-30_diet-211_sangiin-keizaisangyo.json",
    "minutes/2025-05-07_fomc-minutes_en.txt",
)


@pytest.fixture(scope="module")
def index_dir(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("index")
    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    update_index(
        directory, [corpus_dir / f for f in FILES], embedders, UpdateOptions(progress=False)
    )
    return directory


@pytest.fixture(scope="module")
def searcher(index_dir: Path) -> Searcher:
    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    return Searcher(open_index(index_dir, embedders), embedders)


def _ids(page) -> list[str]:
    return [hit.statement.statement_id for hit in page.hits]


@pytest.mark.parametrize("mode", list(SearchMode))
def test_every_mode_returns_ranked_statements_with_their_meeting(searcher, mode) -> None:
    page = searcher.search(SearchRequest("太陽光パネル 中国 依存", limit=5, mode=mode))
    assert len(page.hits) == 5
    assert [hit.rank for hit in page.hits] == [1, 2, 3, 4, 5]
    scores = [hit.score for hit in page.hits]
    assert scores == sorted(scores, reverse=True)
    for hit in page.hits:
        assert hit.meeting.meeting_id == hit.statement.meeting_id
        assert hit.highlight.passage in hit.statement.text
    assert page.total >= 5


def test_hybrid_pages_are_the_same_whether_channels_run_at_once_or_in_turn(
    index_dir, searcher
) -> None:
    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    in_turn = Searcher(open_index(index_dir, embedders), embedders, stage_helpers=0)
    try:
        for question in ("太陽光パネル 中国 依存", "federal funds rate", "経済安全保障"):
            request = SearchRequest(question, limit=10, mode=SearchMode.HYBRID)
            together, alone = searcher.search(request), in_turn.search(request)
            assert _ids(together) == _ids(alone)
            assert [h.score for h in together.hits] == [h.score for h in alone.hits]
    finally:
        in_turn.close()


def test_lexical_search_finds_the_remarks_and_highlights_the_words(searcher) -> None:
    page = searcher.search(SearchRequest("ソーラーシェアリング", mode=SearchMode.LEXICAL))
    assert len(page.hits) >= 2
    assert all("ソーラーシェアリング" in hit.statement.text for hit in page.hits[:2])
    assert all("ソーラー" in hit.statement.text for hit in page.hits)  # a part of the word
    assert page.hits[0].highlight.terms == ("ソーラー", "シェアリング")
    assert page.total == len(page.hits)  # only statements containing the words match


def test_a_meeting_filter_restricts_the_search_itself(searcher) -> None:
    meetings = {m.meeting_id: n for m, n in searcher.meetings()}
    seed = next(mid for mid in meetings if "meti" in mid or "2023-10-12" in mid)
    request = SearchRequest(
        "原子力発電所の運転期間", limit=20, filters=StatementFilter(meeting_id=seed)
    )
    for mode in SearchMode:
        page = searcher.search(dataclasses.replace(request, mode=mode))
        assert {hit.meeting.meeting_id for hit in page.hits} <= {seed}
    semantic = searcher.search(dataclasses.replace(request, mode=SearchMode.SEMANTIC))
    assert (
        len(semantic.hits) == 20
    )  # the seed has 41 remarks: a selective filter still fills a page


def test_date_and_speaker_filters(searcher) -> None:
    import datetime as dt

    page = searcher.search(
        SearchRequest("原子力", limit=10, filters=StatementFilter(date_from=dt.date(2023, 1, 1)))
    )
    assert page.hits
    assert all(hit.meeting.date >= dt.date(2023, 1, 1) for hit in page.hits)
    speaker = page.hits[0].statement.speaker_name
    assert speaker
    by_speaker = searcher.search(
        SearchRequest("原子力", limit=10, filters=StatementFilter(speaker=speaker))
    )
    assert all(speaker in (hit.statement.speaker_name or "") for hit in by_speaker.hits)


def test_paging_is_stable_and_never_overlaps(searcher) -> None:
    for mode in SearchMode:
        whole = searcher.search(SearchRequest("経済安全保障 サプライチェーン", limit=30, mode=mode))
        pages = [
            searcher.search(SearchRequest("経済安全保障 サプライチェーン", 10, offset, mode))
            for offset in (0, 10, 20)
        ]
        assert [i for p in pages for i in _ids(p)] == _ids(whole)
        assert len(set(_ids(whole))) == len(_ids(whole))
        assert [h.rank for h in pages[2].hits] == list(range(21, 21 + len(pages[2].hits)))
        assert all(p.total == whole.total for p in pages)


def test_procedural_remarks_are_left_out_unless_asked_for(searcher) -> None:
    query = "the next meeting of the Committee would be held"
    default = searcher.search(SearchRequest(query, limit=100, mode=SearchMode.LEXICAL))
    assert all(not hit.statement.procedural for hit in default.hits)
    everything = searcher.search(
        SearchRequest(query, 100, 0, SearchMode.LEXICAL, StatementFilter(include_procedural=True))
    )
    assert any(hit.statement.procedural for hit in everything.hits)


def test_related_remarks_come_from_other_meetings(searcher) -> None:
    hit = searcher.search(SearchRequest("太陽光パネル", limit=1)).hits[0]
    source = hit.statement
    page = searcher.related(source.statement_id, limit=10)
    assert len(page.hits) == 10
    assert all(h.statement.meeting_id != source.meeting_id for h in page.hits)
    same_meeting_allowed = searcher.related(source.statement_id, exclude_same_meeting=False)
    assert source.statement_id not in _ids(same_meeting_allowed)
    assert any(h.statement.meeting_id == source.meeting_id for h in same_meeting_allowed.hits)
    second = searcher.related(source.statement_id, limit=5, offset=5)
    assert _ids(second) == _ids(page)[5:]


def test_records_and_health(searcher) -> None:
    meetings = searcher.meetings()
    assert len(meetings) == 5
    assert sum(n for _, n in meetings) == searcher.health().statements
    meeting, statements = searcher.meeting(meetings[0][0].meeting_id)
    assert [s.position for s in statements] == sorted(s.position for s in statements)
    statement, its_meeting = searcher.get_statement(statements[1].statement_id)
    assert its_meeting == meeting and statement == statements[1]
    health = searcher.health()
    assert health.model_id == HashingEmbedder().model_id
    assert health.passages >= health.statements > 0
    with pytest.raises(StatementNotFoundError):
        searcher.get_statement("no-such-id")
    with pytest.raises(StatementNotFoundError):
        searcher.related("no-such-id")
    with pytest.raises(MeetingNotFoundError):
        searcher.meeting("no-such-meeting")
    with pytest.raises(ConfigError):
        searcher.search(SearchRequest("   "))


def test_the_lexical_index_is_cached_in_the_index_directory(index_dir, searcher) -> None:
    cache = index_dir / "search-cache"
    assert [p for p in cache.iterdir() if not p.name.startswith(".")]
    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    again = Searcher(open_index(index_dir, embedders), embedders)
    request = SearchRequest("ソーラーシェアリング", mode=SearchMode.LEXICAL)
    assert _ids(again.search(request)) == _ids(searcher.search(request))


def test_related_by_mean_over_source_passages_still_leaves_the_meeting_out(
    index_dir, searcher
) -> None:
    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    by_passages = Searcher(
        open_index(index_dir, embedders),
        embedders,
        RankingConfig(related=RelatedConfig(aggregate="mean")),
    )
    long_remark = max(
        (hit.statement for hit in searcher.search(SearchRequest("原子力", limit=20)).hits),
        key=lambda s: len(s.text),
    )
    page = by_passages.related(long_remark.statement_id, limit=10)
    assert len(page.hits) == 10
    assert all(h.statement.meeting_id != long_remark.meeting_id for h in page.hits)
    assert len(set(_ids(page))) == 10


def test_related_ranks_by_the_channels_that_have_vectors_while_another_is_being_added(
    index_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(index_dir, copy)
    adding = {PRIMARY_CHANNEL: HashingEmbedder(), "extra": HashingEmbedder(32)}
    open_for_update(copy, adding).close()  # records the channel; no vector embedded yet
    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    searcher = Searcher(open_index(copy, embedders), embedders)
    try:
        statement_id = searcher.search(SearchRequest("太陽光パネル", limit=1)).hits[0]
        page = searcher.related(statement_id.statement.statement_id, limit=5)
    finally:
        searcher.close()

    assert "extra" in open_index(copy).channels
    assert len(page.hits) == 5


def test_a_closed_searcher_has_released_its_index(index_dir: Path) -> None:
    embedders = {PRIMARY_CHANNEL: HashingEmbedder()}
    searcher = Searcher(open_index(index_dir, embedders), embedders)
    assert searcher.meetings()

    searcher.close()

    with pytest.raises(IndexCorruptError, match="closed"):
        searcher.meetings()
