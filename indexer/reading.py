"""Reading minutes files: discovery, format detection, sidecar metadata, per-file results.

This is the I/O side of the readers: it turns paths into bytes and text and hands them to
the pure parsers in `indexer.readers`.  The format is detected from the content (a ``.txt``
may hold any text format, a ``.gz`` may hold JSON Lines), not only from the extension.
A PDF (found by its ``%PDF-`` signature, whatever its name) is read by `indexer.pdf.reader`
into text that the same readers parse.  `read_paths` never raises for a bad file: each file's
outcome, success or ParseError, is reported on its own so the other files are still read.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from indexer.decoding import decode_bytes
from indexer.identifiers import url_safe_id
from indexer.metadata import SIDECAR_NAME, MeetingMetadata, load_sidecar, merge_metadata
from indexer.paths import path_text
from indexer.pdf.extract import looks_like_pdf
from indexer.pdf.reader import read_pdf, strip_cid_codes
from indexer.readers.english import looks_like_english, parse_english
from indexer.readers.kokkai import parse_kokkai_json, parse_kokkai_lines
from indexer.readers.summary import looks_like_summary, parse_summary
from indexer.readers.transcript import looks_like_transcript, parse_transcript
from indexer.records import ParsedMeeting
from models.errors import ParseError

__all__ = [
    "FORMATS",
    "FileReadResult",
    "MeetingMetadata",
    "detect_format",
    "iter_input_files",
    "parse_text",
    "read_minutes_file",
    "read_paths",
]

KOKKAI_JSON = "kokkai-json"
KOKKAI_JSONL = "kokkai-jsonl"
SUMMARY = "summary"
TRANSCRIPT = "transcript"
ENGLISH = "english"
FORMATS = (KOKKAI_JSON, KOKKAI_JSONL, SUMMARY, TRANSCRIPT, ENGLISH)
INPUT_SUFFIXES = frozenset({".txt", ".json", ".jsonl", ".ndjson", ".gz", ".pdf"})
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class FileReadResult:
    """What reading one file gave: its meetings, or the error that stopped it."""

    path: Path
    meetings: tuple[ParsedMeeting, ...]
    error: ParseError | None
    fmt: str | None
    warnings: tuple[str, ...] = ()
    """What was read but left out (glyphs without a Unicode map, pages without text)."""

    @property
    def statement_count(self) -> int:
        """Number of statements read from the file."""
        return sum(len(m.statements) for m in self.meetings)


def _first_json_line(text: str) -> object:
    for line in text.split("\n", 20)[:20]:
        if line.strip():
            try:
                return json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                return None
    return None


def detect_format(text: str, source: str) -> str:
    """Name the format of minutes text from its content (one of `FORMATS`).

    Raises ParseError "unknown format" listing the known formats when nothing fits.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        first = _first_json_line(stripped)
        if isinstance(first, dict) and "speechID" in first:
            return KOKKAI_JSONL
        if '"speechRecord"' in stripped[:2_000_000]:
            return KOKKAI_JSON
    if stripped.startswith(("{", "[")):
        raise ParseError(
            source,
            "JSON of the wrong shape: expected a Kokkai API response with 'speechRecord' "
            "or JSON Lines of speech records with 'speechID'",
        )
    if looks_like_summary(text):
        return SUMMARY
    if looks_like_transcript(text):
        return TRANSCRIPT
    if looks_like_english(text):
        return ENGLISH
    raise ParseError(source, f"unknown format (known formats: {', '.join(FORMATS)})")


def _meeting_id(path: Path, metadata: MeetingMetadata | None) -> str:
    """The sidecar's meeting id, else the file name without its suffixes, made URL-safe."""
    if metadata is not None and metadata.meeting_id:
        return url_safe_id(metadata.meeting_id)
    name = path.name
    for suffix in (".gz", ".txt", ".json", ".jsonl", ".pdf"):
        name = name.removesuffix(suffix)
    return url_safe_id(name or path.stem)


def parse_text(
    text: str, path: Path, metadata: MeetingMetadata | None = None, fmt: str | None = None
) -> tuple[str, list[ParsedMeeting]]:
    """Detect the format of decoded text (unless given) and parse it; returns (format, meetings)."""
    source = path_text(path)
    fmt = fmt or detect_format(text, source)
    if fmt == KOKKAI_JSON:
        return fmt, parse_kokkai_json(text, source)
    if fmt == KOKKAI_JSONL:
        return fmt, parse_kokkai_lines(text.split("\n"), source)
    meeting_id = _meeting_id(path, metadata)
    parsers = {SUMMARY: parse_summary, TRANSCRIPT: parse_transcript, ENGLISH: parse_english}
    if fmt not in parsers:
        raise ParseError(source, f"unknown format {fmt!r} (known formats: {', '.join(FORMATS)})")
    return fmt, parsers[fmt](text, source, meeting_id, metadata)


def _gzip_lines(path: Path) -> Iterator[str]:
    """Lines of a gzip file, with truncation and bad bytes turned into ParseError."""
    number = 0
    try:
        with gzip.open(path, "rt", encoding="utf-8-sig", newline="\n") as stream:
            for number, line in enumerate(stream, start=1):  # noqa: B007
                yield line
    except (EOFError, OSError, zlib.error) as exc:
        raise ParseError(path_text(path), f"corrupt or truncated gzip: {exc}", number + 1) from exc
    except UnicodeDecodeError as exc:
        raise ParseError(path_text(path), "gzip content is not UTF-8 text", number + 1) from exc


def _read_gzip(path: Path, metadata: MeetingMetadata | None) -> tuple[str, list[ParsedMeeting]]:
    lines = _gzip_lines(path)
    head: list[str] = []
    for line in lines:
        head.append(line)
        if line.strip():
            break
    first = _first_json_line(head[-1]) if head else None
    if isinstance(first, dict) and "speechID" in first:

        def chained() -> Iterator[str]:
            yield from head
            yield from lines

        return KOKKAI_JSONL, parse_kokkai_lines(chained(), path_text(path))
    text = "".join(head) + "".join(lines)
    if not text.strip():
        raise ParseError(path_text(path), "empty file (gzip holds no text)")
    return parse_text(text, path, metadata)


def read_minutes_file_with_format(
    path: Path, metadata: MeetingMetadata | None = None
) -> tuple[str, list[ParsedMeeting]]:
    """Like `read_minutes_file` but also return the detected format name."""
    fmt, meetings, _warnings = read_minutes_file_with_warnings(path, metadata)
    return fmt, meetings


def read_minutes_file_with_warnings(
    path: Path, metadata: MeetingMetadata | None = None
) -> tuple[str, list[ParsedMeeting], tuple[str, ...]]:
    """Read one file: (format, meetings, warnings about text left out)."""
    source = path_text(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(1024)
        if head[:2] == _GZIP_MAGIC:
            return (*_read_gzip(path, metadata), ())
        if looks_like_pdf(head):
            pdf = read_pdf(path, lambda text: parse_text(text, path, metadata))
            return pdf.fmt, pdf.meetings, pdf.warnings
        if path.suffix.lower() == ".pdf":
            start = head[:16].decode("ascii", "backslashreplace")
            raise ParseError(source, f"not a PDF: no %PDF- signature (it starts {start!r})")
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(source, f"cannot read file: {exc.strerror or exc}") from exc
    decoded = decode_bytes(data, source)
    text, cid_codes = strip_cid_codes(decoded.text)
    warnings = (f"{cid_codes} (cid:NNN) placeholders were left out",) if cid_codes else ()
    if cid_codes and len(text.strip()) < 20 * cid_codes:
        raise ParseError(
            source,
            f"the text is mostly (cid:NNN) placeholders ({cid_codes}): it was extracted from a "
            "PDF whose fonts have no Unicode map and cannot be read",
        )
    return (*parse_text(text, path, metadata), warnings)


def read_minutes_file(path: Path, metadata: MeetingMetadata | None = None) -> list[ParsedMeeting]:
    """Read one minutes file of any known format into meetings and statements.

    Raises ParseError naming the file (and line or record) when it cannot be read.
    """
    return read_minutes_file_with_format(path, metadata)[1]


def _is_hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def iter_input_files(paths: Sequence[Path]) -> Iterator[Path]:
    """Yield the files to read: files as given, folders searched recursively (sorted).

    Sidecars (``meetings.json``) are metadata, never minutes: always skipped (so a shell glob
    like ``minutes/*`` works).  In folders, hidden files and folders and files whose suffix is
    not one of `INPUT_SUFFIXES` are skipped too; any other file named explicitly is yielded.
    """
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not _is_hidden(p, path)
                and p.name != SIDECAR_NAME
                and p.suffix.lower() in INPUT_SUFFIXES
            )
        else:
            found = [] if path.name == SIDECAR_NAME else [path]
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def read_paths(
    paths: Sequence[Path], overrides: MeetingMetadata | None = None
) -> Iterator[FileReadResult]:
    """Read every file under ``paths``, one result per file, never raising ParseError.

    Metadata for a file comes from the ``meetings.json`` beside it, then ``overrides``
    (CLI options) on top.  A malformed sidecar is reported as its own failed result.
    """
    sidecars: dict[Path, dict[str, MeetingMetadata]] = {}
    for path in iter_input_files(paths):
        directory = path.parent
        if directory not in sidecars:
            try:
                sidecars[directory] = load_sidecar(directory)
            except ParseError as exc:
                sidecars[directory] = {}
                yield FileReadResult(directory / SIDECAR_NAME, (), exc, None)
        metadata = merge_metadata(sidecars[directory].get(path.name), overrides)
        try:
            fmt, meetings, warnings = read_minutes_file_with_warnings(path, metadata)
        except ParseError as exc:
            yield FileReadResult(path, (), exc, None)
            continue
        yield FileReadResult(path, tuple(meetings), None, fmt, warnings)
