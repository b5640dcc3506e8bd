"""The English -> Japanese table read from JMdict (jamdict-data's SQLite schema) and cached."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from models.bilingual_dictionary import (
    jmdict_database,
    load_english_japanese,
    normalised_gloss,
    read_cached_table,
    read_english_japanese,
    table_path,
)
from models.errors import EmbeddingError

SCHEMA = """
CREATE TABLE Entry (idseq INTEGER NOT NULL UNIQUE);
CREATE TABLE Sense (ID INTEGER PRIMARY KEY, idseq INTEGER);
CREATE TABLE SenseGloss (sid INTEGER, lang TEXT, gend TEXT, text TEXT);
CREATE TABLE Kanji (ID INTEGER PRIMARY KEY, idseq INTEGER, text TEXT);
CREATE TABLE KJP (kid INTEGER, text TEXT);
CREATE TABLE Kana (ID INTEGER PRIMARY KEY, idseq INTEGER, text TEXT, nokanji BOOLEAN);
CREATE TABLE KNP (kid INTEGER, text TEXT);
"""


def jmdict_file(path: Path) -> Path:
    """Four entries in JMdict's shape: two common ones with kanji, a common kana-only
    loanword, and an uncommon entry that must be left out."""
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    rows = {
        # 輸出 (common; its rarer spelling 輸出し has no priority) : "export (goods)"; "exports"
        "Entry": [(1,), (2,), (3,), (4,)],
        "Kanji": [(10, 1, "輸出し"), (11, 1, "輸出"), (20, 2, "半導体"), (40, 4, "珍語")],
        "KJP": [(11, "news1"), (11, "ichi1"), (20, "news2")],
        "Kana": [(31, 3, "タクシー", 1), (41, 4, "ちんご", 0)],
        "KNP": [(31, "gai1")],
        "Sense": [(100, 1), (101, 1), (200, 2), (300, 3), (301, 3), (400, 4)],
        "SenseGloss": [
            (100, "eng", None, "to export (goods)"),
            (100, "eng", None, "exportation"),
            (101, "eng", None, "exports"),
            (101, "ger", None, "Ausfuhr"),
            (200, "eng", None, "semiconductor"),
            (200, "eng", None, "a word of four or more words"),
            (300, "eng", None, "taxi"),
            (301, "eng", None, "exportation"),
            (400, "eng", None, "export"),
        ],
    }
    for table, values in rows.items():
        marks = ",".join("?" * len(values[0]))
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
    db.commit()
    db.close()
    return path


def test_glosses_are_normalised_as_questions_are_matched() -> None:
    assert normalised_gloss("to export (goods)") == "export"
    assert normalised_gloss("The Bank of Japan") == "bank of japan"
    assert normalised_gloss("ride-hailing!") == "ride-hailing"


def test_common_entries_give_their_commonest_written_form(tmp_path: Path) -> None:
    table = read_english_japanese(jmdict_file(tmp_path / "jmdict.db"))
    assert table["export"] == ("輸出",)  # the uncommon entry 珍語 is left out
    assert table["exports"] == ("輸出",)
    assert table["semiconductor"] == ("半導体",)
    assert table["taxi"] == ("タクシー",)  # a kana-only entry keeps its kana
    assert "ausfuhr" not in table
    assert "word of four or more words" not in table  # glosses of more than three words


def test_earlier_senses_and_glosses_come_first(tmp_path: Path) -> None:
    table = read_english_japanese(jmdict_file(tmp_path / "jmdict.db"))
    # 輸出 has "exportation" in its first sense, タクシー only in its second
    assert table["exportation"] == ("輸出", "タクシー")


def test_the_table_is_cached_and_read_back(tmp_path: Path) -> None:
    database = jmdict_file(tmp_path / "jmdict.db")
    first = load_english_japanese(tmp_path / "cache", database)
    assert first is not None
    cached = table_path(tmp_path / "cache", database)
    assert dict(read_cached_table(cached) or {}) == dict(first)
    lines = cached.read_text(encoding="utf-8").splitlines()
    edited = [
        lines[0],
        *("export\tfrom the cache" if ln.startswith("export\t") else ln for ln in lines[1:]),
    ]
    cached.write_text("\n".join(edited) + "\n", encoding="utf-8")
    assert (load_english_japanese(tmp_path / "cache", database) or {})["export"] == (
        "from the cache",
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short: the count no longer matches
        lambda text: text.replace("\t", " ", 3),  # a line without its forms
        lambda text: "something else\n" + text,
    ],
)
def test_a_damaged_cache_is_rebuilt(tmp_path: Path, damage: Callable[[str], str]) -> None:
    database = jmdict_file(tmp_path / "jmdict.db")
    first = load_english_japanese(tmp_path / "cache", database)
    cached = table_path(tmp_path / "cache", database)
    cached.write_text(damage(cached.read_text(encoding="utf-8")), encoding="utf-8")
    assert read_cached_table(cached) is None
    assert dict(load_english_japanese(tmp_path / "cache", database) or {}) == dict(first or {})
    assert read_cached_table(cached) is not None


def test_a_file_that_is_not_jmdict_is_an_error_naming_it(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(EmbeddingError, match=r"other\.db"):
        read_english_japanese(other)


def test_the_installed_jmdict_translates_policy_words(tmp_path: Path) -> None:
    """The real jamdict-data package (a dependency): the words English questions need."""
    database = jmdict_database()
    assert database is not None, "jamdict-data is a dependency of policy-search"
    table = load_english_japanese(tmp_path, database)
    assert table is not None
    assert "半導体" in table["semiconductor"]
    assert "原子炉" in table["nuclear reactor"]
    assert "輸出" in table["export"]
    assert "関税" in table["tariff"]
    assert len(table) > 30_000


def test_without_jamdict_data_there_is_no_table(monkeypatch: pytest.MonkeyPatch) -> None:
    import models.bilingual_dictionary as dictionary

    monkeypatch.setattr(dictionary, "jmdict_database", lambda: None)
    assert dictionary.load_english_japanese() is None


def test_an_unwritable_cache_still_gives_the_table(tmp_path: Path) -> None:
    database = jmdict_file(tmp_path / "jmdict.db")
    not_a_directory = tmp_path / "cache"
    not_a_directory.write_text("a file where the cache directory should be")
    table = load_english_japanese(not_a_directory, database)
    assert table is not None and table["export"] == ("輸出",)
