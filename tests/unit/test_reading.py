"""Reading files: discovery, format detection from content, sidecar metadata, bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
from pathlib import Path

import pytest

from indexer.reading import (
    FORMATS,
    FileReadResult,
    MeetingMetadata,
    detect_format,
    iter_input_files,
    read_minutes_file,
    read_paths,
)
from models.errors import ParseError

SEED = "seed/2023-10-12_meti-econsec-industrial-base-panel-01_gijiyoshi.txt"
COUNCIL = "minutes/2025-10-03_kisei-kaikaku-suishin-kaigi.txt"
FOMC = "minutes/2022-03-16_fomc-minutes_en.txt"
DIET = "kokkai/meetings/2022-03-23_diet-208_shugiin-naikaku.json"


def _count(meetings: list) -> int:
    return sum(len(m.statements) for m in meetings)


def test_whole_corpus_reads_with_expected_counts(corpus_dir: Path) -> None:
    results = list(read_paths([corpus_dir / "seed", corpus_dir / "minutes"]))
    assert all(r.error is None for r in results)
    by_format: dict[str | None, int] = {}
    for result in results:
        by_format[result.fmt] = by_format.get(result.fmt, 0) + result.statement_count
    assert by_format == {"summary": 41, "transcript": 93, "english": 310}
    meetings = list(read_paths([corpus_dir / "kokkai" / "meetings"]))
    assert sum(r.statement_count for r in meetings) == 372


def test_iter_input_files_recurses_sorted_and_skips_sidecars_and_hidden(tmp_path: Path) -> None:
    for name in ["b/2.txt", "b/1.json", "a.jsonl", "b/meetings.json", ".hidden/x.txt", "b/.y.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "notes.md").write_text("x")
    (tmp_path / "pool.jsonl.gz").write_bytes(gzip.compress(b"x"))
    files = list(iter_input_files([tmp_path]))
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "a.jsonl",
        "b/1.json",
        "b/2.txt",
        "pool.jsonl.gz",
    ]
    explicit = tmp_path / "notes.md"
    assert list(iter_input_files([explicit, tmp_path / "a.jsonl", tmp_path]))[:2] == [
        explicit,
        tmp_path / "a.jsonl",
    ]
    assert len(list(iter_input_files([tmp_path, tmp_path]))) == 4
    assert list(iter_input_files([tmp_path / "b" / "meetings.json"])) == []


def test_format_is_detected_from_content_not_extension(corpus_dir: Path, tmp_path: Path) -> None:
    expected = {SEED: "summary", COUNCIL: "transcript", FOMC: "english", DIET: "kokkai-json"}
    for relative, fmt in expected.items():
        disguised = tmp_path / f"{fmt}.dat"
        shutil.copy(corpus_dir / relative, disguised)
        [result] = read_paths([disguised])
        assert (result.fmt, result.error) == (fmt, None)
    assert set(expected.values()) < set(FORMATS)


def test_sidecar_metadata_and_cli_overrides(corpus_dir: Path, tmp_path: Path) -> None:
    shutil.copy(corpus_dir / COUNCIL, tmp_path / "council.txt")
    sidecar = [{"file": "council.txt", "title": "会議A", "date": "2025-10-03", "meeting_id": "m-a"}]
    (tmp_path / "meetings.json").write_text(json.dumps(sidecar, ensure_ascii=False))
    [result] = read_paths([tmp_path])
    meeting = result.meetings[0].meeting
    assert (meeting.meeting_id, meeting.title, meeting.date) == (
        "m-a",
        "会議A",
        dt.date(2025, 10, 3),
    )
    assert result.meetings[0].statements[0].statement_id.startswith("m-a_")
    override = MeetingMetadata(title="Override", body="規制改革推進会議")
    [result] = read_paths([tmp_path], overrides=override)
    meeting = result.meetings[0].meeting
    assert (meeting.title, meeting.body, meeting.meeting_id) == (
        "Override",
        "規制改革推進会議",
        "m-a",
    )


def test_malformed_sidecar_is_reported_and_files_still_read(
    corpus_dir: Path, tmp_path: Path
) -> None:
    shutil.copy(corpus_dir / COUNCIL, tmp_path / "council.txt")
    (tmp_path / "meetings.json").write_text("[{")
    results = list(read_paths([tmp_path]))
    assert [r.path.name for r in results] == ["meetings.json", "council.txt"]
    assert results[0].error is not None and results[1].error is None
    assert results[1].statement_count == 14


@pytest.mark.parametrize("encoding", ["cp932", "utf-16", "utf-8-sig"])
def test_real_file_in_other_encodings_reads_the_same(
    corpus_dir: Path, tmp_path: Path, encoding: str
) -> None:
    text = (corpus_dir / COUNCIL).read_text(encoding="utf-8")
    path = tmp_path / "council.txt"
    path.write_bytes(text.encode(encoding))
    statements = read_minutes_file(path)[0].statements
    original = read_minutes_file(corpus_dir / COUNCIL)[0].statements
    assert len(statements) == 14
    assert [s.text for s in statements] == [s.text for s in original]


def test_plain_and_gzip_json_lines(corpus_dir: Path, tmp_path: Path) -> None:
    records = json.loads((corpus_dir / DIET).read_text(encoding="utf-8"))["speechRecord"]
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    (tmp_path / "p.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "p.jsonl.gz").write_bytes(gzip.compress(lines.encode("utf-8")))
    (tmp_path / "seed.txt.gz").write_bytes(gzip.compress((corpus_dir / SEED).read_bytes()))
    results = {r.path.name: r for r in read_paths([tmp_path])}
    assert results["p.jsonl"].fmt == results["p.jsonl.gz"].fmt == "kokkai-jsonl"
    assert results["p.jsonl"].statement_count == results["p.jsonl.gz"].statement_count == 26
    assert (results["seed.txt.gz"].fmt, results["seed.txt.gz"].statement_count) == ("summary", 41)


def _error_of(path: Path) -> ParseError:
    [result] = read_paths([path])
    assert isinstance(result, FileReadResult)
    assert result.meetings == () and result.error is not None
    assert result.error.path == str(path)
    return result.error


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"\n \n", "empty"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "binary"),
        ("broken.json", b'{"speechRecord": [{"speechID": "1", ', "malformed JSON"),
        ("shape.json", b'{"hits": [1, 2, 3]}', "wrong shape"),
        ("list.json", b"[1, 2, 3]", "wrong shape"),
        ("numbers.txt", "１２３ ４５６\n７８９".encode(), "unknown format"),
        ("empty.gz", gzip.compress(b""), "empty"),
    ],
)
def test_bad_input_is_a_parse_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    error = _error_of(path)
    assert message in str(error)
    assert str(error).startswith(str(path))


def test_unknown_format_lists_the_known_formats(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("あいうえお かきくけこ\nさしすせそ", encoding="utf-8")
    error = _error_of(path)
    assert all(fmt in str(error) for fmt in FORMATS)


def test_truncated_gzip_names_the_file_and_line(corpus_dir: Path, tmp_path: Path) -> None:
    records = json.loads((corpus_dir / DIET).read_text(encoding="utf-8"))["speechRecord"]
    data = gzip.compress(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8")
    )
    path = tmp_path / "pool.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    error = _error_of(path)
    assert "truncated" in str(error)
    assert error.line is not None and error.line > 1


def test_bad_json_line_in_gzip_names_the_line(tmp_path: Path) -> None:
    lines = [json.dumps({"speechID": "1", "issueID": "i", "speech": "○山田君\u3000はい。"})] * 3
    lines[1] = "{not json"
    path = tmp_path / "pool.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode("utf-8")))
    error = _error_of(path)
    assert error.line == 2


def test_missing_file_is_reported_and_other_files_still_read(
    corpus_dir: Path, tmp_path: Path
) -> None:
    results = list(read_paths([tmp_path / "missing.txt", corpus_dir / SEED]))
    assert results[0].error is not None and "cannot read" in str(results[0].error)
    assert results[1].statement_count == 41


def test_read_minutes_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("")
    with pytest.raises(ParseError, match="empty"):
        read_minutes_file(path)


def test_detect_format_on_text() -> None:
    assert detect_format('{"speechID": "1", "issueID": "2"}\n', "x") == "kokkai-jsonl"
    assert detect_format('{"numberOfRecords": 1, "speechRecord": []}', "x") == "kokkai-json"
    assert detect_format("○山田（委員）\n発言です。", "x") == "transcript"
    assert detect_format("The Committee met on Tuesday and discussed inflation.", "x") == "english"
    assert detect_format("議事要旨\n<日時>2024年1月5日\n- 意見。", "x") == "summary"
