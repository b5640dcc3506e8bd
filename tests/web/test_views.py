"""What the page shows, from the API's dicts: marking, paging, URL state, labels, exports."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from search_api.web.export import COLUMNS, citation, citation_row, to_csv
from search_api.web.labels import LABELS, choose_language
from search_api.web.views import (
    hit_link,
    mark_passage,
    mark_words,
    neighbours,
    paging,
    parse_span,
    record_url,
    search_fields,
    sections,
    state_query,
)

HIT = {
    "statement_id": "2023-10-12_meti#0020",
    "text": "前置き。高度人材に日本を信頼してもらう。後書き。",
    "language": "ja",
    "speaker": {"name": None, "role": None, "group": None},
    "topic": "論点③",
    "meeting": {
        "id": "m1", "title": "第1回 有識者会議", "date": "2023-10-12", "body": "有識者会議",
        "url": "https://example.org/m1",
    },
    "source": {"file": "x.txt", "line": 3, "url": None},
    "rank": 1,
    "relevance": 0.8,
    "highlight": {
        "passage": "高度人材に日本を信頼してもらう。", "terms": ["高度人材"],
        "char_start": 4, "char_end": 20,
    },
}  # fmt: skip


def test_every_label_exists_in_both_languages() -> None:
    assert set(LABELS["ja"]) == set(LABELS["en"])


def test_the_reader_language_comes_from_the_switch_then_the_browser() -> None:
    assert choose_language("en", "ja") == "en"
    assert choose_language(None, "en-GB,en;q=0.9,ja;q=0.8") == "en"
    assert choose_language(None, "fr-FR,ja;q=0.5,en;q=0.4") == "ja"
    assert choose_language(None, "de-DE") == "ja"
    assert choose_language("xx", None) == "ja"
    assert choose_language(None, "en;q=0,ja;q=0") == "ja"


def test_words_are_marked_case_insensitively_longest_first() -> None:
    pieces = mark_words("Supply chains and the supply chain", ["supply", "supply chain"])

    assert [p.text for p in pieces if p.marked] == ["Supply chain", "supply chain"]
    assert "".join(p.text for p in pieces) == "Supply chains and the supply chain"


def test_the_parts_of_a_matched_compound_are_not_marked_on_their_own() -> None:
    terms = ["半導体", "半", "導体", "サプライチェーン", "サプライ", "チェーン"]
    pieces = mark_words("半導体のサプライチェーンと半分の導体", terms)

    assert [p.text for p in pieces if p.marked] == ["半導体", "サプライチェーン"]


@given(st.text(max_size=200), st.lists(st.text(min_size=1, max_size=5), max_size=5))
def test_marking_never_loses_or_changes_a_character(text: str, words: list[str]) -> None:
    assert "".join(p.text for p in mark_words(text, words)) == text


def test_the_matched_passage_is_set_apart_in_the_full_text() -> None:
    span = parse_span(f"{HIT['highlight']['char_start']}-{HIT['highlight']['char_end']}")
    marked = mark_passage(HIT["text"], span, ["高度人材"])

    assert "".join(p.text for p in marked.passage) == HIT["highlight"]["passage"]
    assert [p.text for p in marked.passage if p.marked] == ["高度人材"]
    assert (
        "".join(p.text for part in (marked.before, marked.passage, marked.after) for p in part)
        == HIT["text"]
    )
    assert mark_passage("short", (3, 99), []).passage == ()  # a stale span marks nothing
    assert parse_span("12-x") is None


def test_the_url_keeps_the_whole_state_and_leaves_defaults_out() -> None:
    fields = search_fields(
        {"q": "半導体 供給網", "body": "", "include_procedural": "on", "limit": "10", "lang": "en"}
    )

    assert fields == {"q": "半導体 供給網", "include_procedural": True, "limit": "10"}
    query = state_query({**fields, "date_from": "2022-01-01"}, offset=20)
    assert parse_qsl(query) == [
        ("q", "半導体 供給網"),
        ("date_from", "2022-01-01"),
        ("include_procedural", "true"),
        ("offset", "20"),
    ]
    assert "offset" not in state_query({"q": "x"}, offset=0)


def test_paging_offers_previous_next_and_nearby_pages() -> None:
    middle = paging(total=95, limit=10, offset=40, shown=10)
    assert (middle.first, middle.last, middle.previous, middle.next) == (41, 50, 30, 50)
    assert [link.number for link in middle.links] == [1, 3, 4, 5, 6, 7, 10]
    assert [link.number for link in middle.links if link.current] == [5]
    last = paging(total=95, limit=10, offset=90, shown=5)
    assert (last.last, last.next) == (95, None)
    assert paging(total=0, limit=10, offset=0, shown=0).first == 0


def test_a_hit_links_to_its_statement_with_the_passage_to_mark() -> None:
    link = hit_link(HIT, "en")

    assert link.startswith("/ui/statements/2023-10-12_meti%230020?")
    assert "mark=4-20" in link and "hl=%E9%AB%98%E5%BA%A6%E4%BA%BA%E6%9D%90" in link
    assert link.endswith("lang=en")


def test_neighbours_skip_the_chairs_procedural_calls() -> None:
    items = [
        {"statement_id": "q", "procedural": False},
        {"statement_id": "chair", "procedural": True},
        {"statement_id": "a", "procedural": False},
        {"statement_id": "chair2", "procedural": True},
    ]
    assert neighbours(items, "a") == (items[0], None)
    assert neighbours(items, "q") == (None, items[2])
    assert neighbours(items, "missing") == (None, None)


def test_sections_follow_the_discussion_points_in_order() -> None:
    items = [{"topic": "論点①"}, {"topic": "論点①"}, {"topic": "論点③"}, {"topic": None}]

    assert [(topic, len(group)) for topic, group in sections(items)] == [
        ("論点①", 2),
        ("論点③", 1),
        (None, 1),
    ]


def test_an_exported_row_cites_speaker_meeting_date_and_source() -> None:
    row = citation_row(HIT, "http://127.0.0.1:8000/", "ja")

    assert set(row) == set(COLUMNS)
    assert row["speaker"] == "委員"
    assert row["record_url"] == "https://example.org/m1"  # no speech URL: the meeting's
    assert record_url({"source": {"url": "javascript:alert(1)"}, "meeting": {}}) is None
    assert row["page_url"] == "http://127.0.0.1:8000/ui/statements/2023-10-12_meti%230020"
    assert (
        citation(HIT, "en")
        == "panel member 「第1回 有識者会議」 2023-10-12. https://example.org/m1"
    )
    parsed = list(csv.DictReader(io.StringIO(to_csv([row, {**row, "text": '改行\nあり, "引用"'}]))))
    assert parsed[1]["text"] == '改行\nあり, "引用"'
    assert parsed[0]["relevance"] == "0.8"
