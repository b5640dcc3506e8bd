"""Download the speech records of a query to a JSON Lines file (``.gz``: gzip), resumably.

The file is what `indexer.readers.kokkai` reads: one speech record per line, as the API gives
it.  Each page is appended and flushed as it arrives (a gzip file gets one gzip member per
page, which gzip readers read as one stream).  Run again with the same query and file, the
download resumes after the records already there: the API returns a query's records in a
fixed order, so it asks from ``startRecord = records held + 1`` and still skips any
``speechID`` the file holds, so nothing is written twice.  A last line cut off by an
interruption (or a truncated gzip member) is dropped before resuming.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from indexer.kokkai_api.client import KokkaiClient, SpeechPage
from indexer.kokkai_api.query import KokkaiQuery
from models.errors import ParseError


@dataclass(frozen=True, slots=True)
class DownloadReport:
    """What a download did."""

    path: str
    total: int
    """Records matching the query (``numberOfRecords``)."""
    held_before: int
    written: int
    duplicates_skipped: int
    requests: int

    @property
    def held(self) -> int:
        """Records in the file now."""
        return self.held_before + self.written


def _is_gzip(path: Path) -> bool:
    return path.suffix == ".gz"


def _read_lines(path: Path) -> Iterator[str]:
    if _is_gzip(path):
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            yield from stream
    else:
        with path.open(encoding="utf-8") as stream:
            yield from stream


def held_records(path: Path) -> tuple[list[str], bool]:
    """(speechIDs in the file, whether its end was cut off); no file -> ([], False)."""
    if not path.exists():
        return [], False
    ids: list[str] = []
    try:
        for number, line in enumerate(_read_lines(path), start=1):
            if not line.endswith("\n"):
                return ids, True
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ParseError(
                    str(path), "not a JSON Lines file of speech records", number
                ) from exc
            if not isinstance(record, dict) or "speechID" not in record:
                raise ParseError(str(path), "line is not a speech record (no speechID)", number)
            ids.append(str(record["speechID"]))
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        if not _is_gzip(path) or (isinstance(exc, gzip.BadGzipFile) and not ids):
            raise ParseError(str(path), f"cannot resume: {exc}") from exc
        return ids, True
    return ids, False


def _rewrite_without_tail(path: Path, count: int) -> None:
    """Keep the first ``count`` complete records of a file whose end was cut off."""
    temporary = path.with_name(path.name + ".partial")
    lines: list[str] = []
    try:
        for line in _read_lines(path):
            if len(lines) == count:
                break
            if line.endswith("\n") and line.strip():
                lines.append(line)
    except (EOFError, zlib.error):
        pass
    with _open_append(temporary, _is_gzip(path)) as stream:
        stream.write("".join(lines))
    os.replace(temporary, path)


def _open_append(path: Path, compressed: bool) -> IO[str]:
    if compressed:
        return gzip.open(path, "at", encoding="utf-8")
    return path.open("a", encoding="utf-8")


def download_speeches(
    client: KokkaiClient,
    query: KokkaiQuery,
    path: Path,
    max_records: int | None = None,
    on_page: Callable[[SpeechPage, int], None] | None = None,
) -> DownloadReport:
    """Append the query's records to ``path`` (resuming), at most ``max_records`` in all.

    ``on_page(page, written)`` is called after each page is safely on disk (progress bar,
    indexing as the records arrive).
    """
    query.validate()
    ids, cut = held_records(path)
    if cut:
        _rewrite_without_tail(path, len(ids))
    seen = set(ids)
    held = len(ids)
    written = skipped = requests = 0
    total = 0
    limit = None if max_records is None else max(0, max_records - held)
    if limit == 0:
        return DownloadReport(str(path), held, held, 0, 0, 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    for page in client.iter_pages(query, start=held + 1, limit=limit):
        requests += 1
        total = page.total
        fresh = _fresh_records(page.records, seen)
        skipped += len(page.records) - len(fresh)
        if limit is not None:
            fresh = fresh[: limit - written]
        if fresh:
            with _open_append(path, _is_gzip(path)) as stream:
                stream.write("".join(_json_line(record) for record in fresh))
            written += len(fresh)
        if on_page is not None:
            on_page(page, len(fresh))
    return DownloadReport(str(path), total, held, written, skipped, requests)


def _fresh_records(records: list[dict[str, Any]], seen: set[str]) -> list[dict[str, Any]]:
    fresh = []
    for record in records:
        key = str(record.get("speechID"))
        if key not in seen:
            seen.add(key)
            fresh.append(record)
    return fresh


def _json_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
