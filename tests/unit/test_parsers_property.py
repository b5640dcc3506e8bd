"""Parsers never crash on arbitrary input: they return meetings or raise ParseError."""

from __future__ import annotations

import contextlib
import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.decoding import decode_bytes
from indexer.metadata import parse_sidecar
from indexer.readers.english import parse_english
from indexer.readers.kokkai import parse_kokkai_json, parse_kokkai_lines
from indexer.readers.summary import parse_summary
from indexer.readers.transcript import parse_transcript
from indexer.reading import detect_format, parse_text, read_minutes_file
from indexer.records import ParsedMeeting
from models.errors import ParseError

# Characters that exercise every reader: bullets, headings, labels, JSON, CJK and control chars.
ALPHABET = st.sampled_from(
    [
        *'- ▶論点①その他○（）()君委員<>日時年月日{}[]":,speechIDRecord.?! \n\r\t\u3000\x00\x01',
        *["あ", "漢", "A", "z", "1", "\ufeff", "\u2028"],
    ]
)
TEXTS = st.one_of(st.text(), st.text(alphabet=ALPHABET, max_size=400))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check(result: list[ParsedMeeting]) -> None:
    for parsed in result:
        assert parsed.statements
        ids = [s.statement_id for s in parsed.statements]
        assert len(ids) == len(set(ids))


def _wrap(parse: Callable[..., list[ParsedMeeting]]) -> Callable[[str], list[ParsedMeeting]]:
    return lambda text: parse(text, "f.txt", "m")


@pytest.mark.parametrize(
    "parse",
    [
        _wrap(parse_summary),
        _wrap(parse_transcript),
        _wrap(parse_english),
        lambda text: parse_kokkai_json(text, "f.json"),
        lambda text: parse_kokkai_lines(text.split("\n"), "f.jsonl"),
        lambda text: parse_text(text, Path("f.txt"))[1],
    ],
    ids=["summary", "transcript", "english", "kokkai-json", "kokkai-lines", "detected"],
)
@SETTINGS
@given(text=TEXTS)
def test_parsers_return_or_raise_parse_error(
    parse: Callable[[str], list[ParsedMeeting]], text: str
) -> None:
    with contextlib.suppress(ParseError):
        _check(parse(text))


@SETTINGS
@given(
    record=st.dictionaries(
        st.sampled_from(["speechID", "issueID", "speech", "speechOrder", "session", "date"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=20), st.lists(st.integers())),
    )
)
def test_kokkai_records_of_any_shape(record: dict) -> None:

    with contextlib.suppress(ParseError):
        _check(parse_kokkai_lines([json.dumps(record)], "f.jsonl"))


@SETTINGS
@given(text=TEXTS)
def test_detect_format_and_sidecar_return_or_raise(text: str) -> None:
    for call in (lambda: detect_format(text, "f"), lambda: parse_sidecar(text, "m.json")):
        with contextlib.suppress(ParseError):
            call()


@SETTINGS
@given(data=st.binary(max_size=600))
def test_decoding_any_bytes_returns_text_or_raises_parse_error(data: bytes) -> None:
    try:
        decoded = decode_bytes(data, "f.bin")
    except ParseError:
        return
    assert decoded.text.strip()


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=400), compress=st.booleans(), cut=st.integers(0, 50))
def test_reading_any_file_returns_or_raises_parse_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, compress: bool, cut: int
) -> None:
    if compress:
        data = gzip.compress(data)
        data = data[: max(2, len(data) - cut)]
    path = tmp_path_factory.mktemp("any") / "input.txt"
    path.write_bytes(data)
    with contextlib.suppress(ParseError):
        _check(read_minutes_file(path))


@pytest.mark.parametrize("text", ['{"a":' * 100_000, "[" * 100_000])
def test_deeply_nested_json_is_a_parse_error(text: str) -> None:
    for call in (
        lambda: parse_kokkai_json(text, "f.json"),
        lambda: parse_kokkai_lines([text], "f.jsonl"),
        lambda: parse_sidecar(text, "meetings.json"),
        lambda: parse_text(text, Path("f.json")),
    ):
        with pytest.raises(ParseError):
            call()
