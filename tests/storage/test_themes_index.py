"""Themes in a real index (real minutes, fake embedder): load, tag, filter, facets, timelines.

The fake embedder gives no meaning, so the user theme set here is loaded without a model: its
keywords alone decide the tags.  The real model's tags are checked in
``test_themes_real_model.py``.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from indexer.index_dir import open_index
from indexer.pipeline import UpdateOptions, default_embedders, update_index
from indexer.records import StatementFilter
from indexer.store import StatementStore
from indexer.themes.service import install_theme_set, retag
from indexer.themes.taxonomy import read_theme_file
from search_api.results import SearchMode, SearchRequest
from search_api.searcher import Searcher
from search_api.theme_views import theme_statements_page, theme_timeline, themes_overview
from tests.small_index import LATE_ADDITION, build_index

THEMES = """\
id = "econsec"
name = "Economic security (test set)"

[[themes]]
id = "supply"
name = "Supply chains"
name_ja = "サプライチェーン"
description = "Secure supply of critical goods."
keywords = ["サプライチェーン", "供給網", "半導体", "supply chain"]

[[themes]]
id = "patents"
name = "Secret patents"
name_ja = "特許出願の非公開"
description = "Keeping sensitive patent applications secret."
keywords = ["特許", "非公開"]

[[themes]]
id = "prices"
name = "Prices"
description = "Inflation and the price level."
keywords = ["inflation", "物価", "prices"]
"""


@pytest.fixture(scope="module")
def themed_index(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> Path:
    """The small real index with the test theme set loaded (fake embedder)."""
    directory = build_index(tmp_path_factory.mktemp("themes") / "index", corpus_dir)
    path = directory.parent / "econsec.toml"
    path.write_text(THEMES, encoding="utf-8")
    index_store = StatementStore.open(directory / "index.sqlite")
    try:
        install_theme_set(index_store, read_theme_file(path), {})
    finally:
        index_store.close()
    return directory


def _db(directory: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{directory / 'index.sqlite'}?mode=ro", uri=True)


def test_every_statement_is_tagged_and_keywords_decide_the_user_themes(
    themed_index: Path,
) -> None:
    with _db(themed_index) as db:
        statements = db.execute("SELECT count(*) FROM statements").fetchone()[0]
        tagged = db.execute(
            "SELECT set_id, count(DISTINCT statement_id) FROM statement_themes GROUP BY 1"
        ).fetchall()
        rows = db.execute(
            "SELECT s.text FROM statement_themes t JOIN statements s USING (statement_id) "
            "WHERE t.set_id = 'econsec' AND t.theme_id = 'patents' AND t.assigned = 1"
        ).fetchall()
    assert dict(tagged) == {"cap": statements, "econsec": statements}
    assert rows and all("特許" in text or "非公開" in text for (text,) in rows)


def test_the_theme_filter_restricts_the_search_itself(themed_index: Path) -> None:
    with open_index(themed_index) as index:
        searcher = Searcher(index, {})  # type: ignore[arg-type]
        request = SearchRequest("経済安全保障", limit=10, mode=SearchMode.LEXICAL)
        unfiltered = searcher.search(request)
        themed = searcher.search(
            SearchRequest(
                "経済安全保障",
                limit=10,
                mode=SearchMode.LEXICAL,
                filters=StatementFilter(themes=("econsec:prices", "patents")),
            )
        )
        with _db(themed_index) as db:
            allowed = {
                sid
                for (sid,) in db.execute(
                    "SELECT statement_id FROM statement_themes WHERE assigned = 1 AND "
                    "set_id = 'econsec' AND theme_id IN ('prices', 'patents')"
                )
            }
    assert themed.total < unfiltered.total
    assert len(themed.hits) == min(10, themed.total) and themed.total > 0
    assert {hit.statement.statement_id for hit in themed.hits} <= allowed
    for hit in themed.hits:
        assert {t.key for t in hit.statement.themes} & {"econsec:prices", "econsec:patents"}


def test_facets_equal_counts_computed_independently_from_sqlite(themed_index: Path) -> None:
    with open_index(themed_index) as index:
        searcher = Searcher(index, {})  # type: ignore[arg-type]
        request = SearchRequest(
            "半導体 サプライチェーン",
            limit=100,
            mode=SearchMode.LEXICAL,
            filters=StatementFilter(date_from=__import__("datetime").date(2022, 1, 1)),
            facets=("theme", "body", "year", "speaker"),
        )
        page = searcher.search(request)
        matched: list[str] = []
        for offset in range(0, page.total, 100):
            more = searcher.search(
                SearchRequest(request.query, 100, offset, request.mode, request.filters)
            )
            matched.extend(hit.statement.statement_id for hit in more.hits)
    assert page.facets is not None and len(matched) == page.total > 0
    with _db(themed_index) as db:
        marks = ",".join("?" * len(matched))
        expected = {
            "body": Counter(
                dict(
                    db.execute(
                        "SELECT m.body, count(*) FROM statements s JOIN meetings m USING "
                        f"(meeting_id) WHERE s.statement_id IN ({marks}) GROUP BY 1",
                        matched,
                    ).fetchall()
                )
            ),
            "theme": Counter(
                dict(
                    db.execute(
                        "SELECT set_id || ':' || theme_id, count(*) FROM statement_themes "
                        f"WHERE assigned = 1 AND statement_id IN ({marks}) GROUP BY 1",
                        matched,
                    ).fetchall()
                )
            ),
        }
        years = Counter(
            row[0][:4]
            for row in db.execute(
                "SELECT m.date FROM statements s JOIN meetings m USING (meeting_id) "
                f"WHERE s.statement_id IN ({marks})",
                matched,
            )
        )
        speakers = Counter(
            row[0] or "(unknown)"
            for row in db.execute(
                f"SELECT speaker_name FROM statements WHERE statement_id IN ({marks})", matched
            )
        )
    for name, counts in (*expected.items(), ("year", years)):
        assert {v.value: v.count for v in page.facets[name]} == dict(counts), name
    top = dict(speakers.most_common(20))
    assert {v.value: v.count for v in page.facets["speaker"]}.items() <= speakers.items()
    assert sum(v.count for v in page.facets["speaker"]) == sum(top.values())


def test_timeline_counts_add_up_to_the_themes_total(themed_index: Path) -> None:
    with open_index(themed_index) as index:
        overview = themes_overview(index.store)
        counts = {t["id"]: t["count"] for s in overview["sets"] for t in s["themes"]}
        for by in (None, "body", "house", "speaker_group"):
            for interval in ("year", "month"):
                data = theme_timeline(index.store, "supply", interval, by)
                assert sum(p["count"] for p in data["points"]) + data["undated"] == data["total"]
                assert data["total"] == counts["econsec:supply"] > 0
                assert all(
                    0 <= p["share"] <= 1 and p["count"] <= p["total"] for p in data["points"]
                )
        page = theme_statements_page(index.store, "econsec:supply", order="date", limit=500)
    assert page["total"] == counts["econsec:supply"] == len(page["results"])
    dates = [item["meeting"]["date"] or "" for item in page["results"]]
    assert dates == sorted(dates, reverse=True)


def test_new_statements_are_tagged_by_the_next_update_and_retag_embeds_nothing(
    themed_index: Path, tmp_path: Path, corpus_dir: Path
) -> None:
    copy = tmp_path / "index"
    shutil.copytree(themed_index, copy)
    update_index(
        copy, [corpus_dir / LATE_ADDITION], default_embedders("fake"), UpdateOptions(progress=False)
    )
    with _db(copy) as db:
        untagged = db.execute(
            "SELECT count(*) FROM statements s WHERE NOT EXISTS (SELECT 1 FROM statement_themes "
            "t WHERE t.statement_id = s.statement_id AND t.set_id = 'econsec')"
        ).fetchone()[0]
        before = db.execute("SELECT * FROM statement_themes ORDER BY 1, 2, 3").fetchall()
    assert untagged == 0
    store = StatementStore.open(copy / "index.sqlite")
    try:
        report = retag(store, ["econsec"])
    finally:
        store.close()
    with _db(copy) as db:
        after = db.execute("SELECT * FROM statement_themes ORDER BY 1, 2, 3").fetchall()
        vectors = db.execute("SELECT count(*) FROM vectors").fetchone()[0]
        passages = db.execute("SELECT count(*) FROM passages").fetchone()[0]
    assert report.tagged["econsec"] == len({row[0] for row in after})
    assert after == before  # the same stored model gives the same tags
    assert vectors == passages  # fake channel only: one vector per distinct passage text
