"""Meeting and statement ids: URL-safe for any name, stable when other remarks change."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from indexer.identifiers import MAX_ID_CHARS, statement_ids, url_safe_id
from indexer.readers.kokkai import parse_kokkai_json
from indexer.readers.summary import parse_summary

SEED = "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt"
UNSAFE = re.compile(r"[#/?%&\s\\]")


@given(st.text(max_size=300))
def test_any_name_becomes_a_url_safe_id_of_bounded_length(name: str) -> None:
    identifier = url_safe_id(name)
    assert identifier and not UNSAFE.search(identifier)
    assert identifier.strip(".") and len(identifier) <= MAX_ID_CHARS
    assert url_safe_id(identifier) == identifier, "a safe id is kept as it is"


@given(st.text(min_size=1), st.text(min_size=1))
def test_names_that_differ_get_different_ids(first: str, second: str) -> None:
    if first != second:
        assert url_safe_id(first) != url_safe_id(second)


def test_safe_names_and_kokkai_ids_are_kept_and_others_are_cleaned_with_a_digest() -> None:
    assert url_safe_id("120804889X01320220330_138") == "120804889X01320220330_138"
    assert url_safe_id("2025-10-03_kisei-kaikaku") == "2025-10-03_kisei-kaikaku"
    assert url_safe_id("第1回会議") == "第1回会議"
    assert re.fullmatch(r"minutes-2024-[0-9a-f]{8}", url_safe_id("minutes\n2024"))
    assert re.fullmatch(r"a-b-c-[0-9a-f]{8}", url_safe_id("a b#c"))
    latin1 = os.fsdecode(b"r\xe9union")  # not UTF-8: a lone surrogate escape
    assert re.fullmatch(r"r-union-[0-9a-f]{8}", url_safe_id(latin1))
    assert re.fullmatch(r"id-[0-9a-f]{8}", url_safe_id(".."))


def test_identical_remarks_get_a_deterministic_tie_break_in_reading_order() -> None:
    ids = statement_ids("m", ["はい。", "本文。", "はい。", " はい。\n"])
    assert ids[0] != ids[1]
    assert ids[2] == f"{ids[0]}-2"
    assert ids[3] == f"{ids[0]}-3", "surrounding whitespace does not make it another remark"
    assert statement_ids("m", ["はい。", "本文。", "はい。", " はい。\n"]) == ids


def test_a_remark_keeps_its_id_when_others_of_its_meeting_are_added_removed_or_edited(
    corpus_dir: Path,
) -> None:
    text = (corpus_dir / SEED).read_text(encoding="utf-8")
    [before] = parse_summary(text, "seed.txt", "m")
    lines = text.split("\n")
    bullets = [i for i, line in enumerate(lines) if line.startswith(("- ", "・", "○", "▶"))]
    assert len(bullets) >= 5
    edited = list(lines)
    edited[bullets[3]] = edited[bullets[3]] + "（追記）"  # edit the 4th remark
    del edited[bullets[1]]  # remove the 2nd
    edited.insert(bullets[0], lines[bullets[0]].replace(lines[bullets[0]][2:], "新しい発言。"))
    [after] = parse_summary("\n".join(edited), "seed.txt", "m")
    old = {s.text: s.statement_id for s in before.statements}
    new = {s.text: s.statement_id for s in after.statements}
    kept = set(old) & set(new)
    assert len(kept) == len(before.statements) - 2
    assert all(old[t] == new[t] for t in kept)
    assert len(after.statements) == len(before.statements)


def test_diet_speeches_keep_their_speech_ids(corpus_dir: Path) -> None:
    path = corpus_dir / "kokkai" / "meetings" / "2022-03-23_diet-208_shugiin-naikaku.json"
    raw = json.loads(path.read_text(encoding="utf-8"))["speechRecord"]
    [meeting] = parse_kokkai_json(path.read_text(encoding="utf-8"), str(path))
    assert [s.statement_id for s in meeting.statements] == [r["speechID"] for r in raw]
    assert meeting.meeting.meeting_id == raw[0]["issueID"]
