"""``policy-search fetch kokkai``: download Diet speeches from the Kokkai API to JSON Lines.

The client (paging, delay, retries, resume) lives in ``indexer.kokkai_api``; this module only
turns options into a query and settings, shows progress and, with ``--index DIR``, indexes
the file after every page so the records are searchable as they arrive, and prepares the
search cache once at the end (as `index` does).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path

import click
from tqdm import tqdm

from indexer.kokkai_api.client import DEFAULT_BASE_URL, ClientSettings, KokkaiClient, SpeechPage
from indexer.kokkai_api.download import DownloadReport, download_speeches
from indexer.kokkai_api.query import KokkaiQuery
from indexer.pipeline import UpdateOptions, default_embedders, update_index
from models.embedder import Embedder
from models.loading import EncoderOptions
from search_api.cli.index_commands import prepare_search, to_stderr
from search_api.cli.options import encoder_options, json_option


@click.group("fetch")
def fetch_group() -> None:
    """Download minutes from their publishers' APIs (no key needed)."""


def _date(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else value.date()


@fetch_group.command("kokkai")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--any", "any_words", metavar="WORDS", help="Words anywhere in the speech (any).")
@click.option("--speaker", help="Speaker name (speaker).")
@click.option("--house", help="衆議院, 参議院, 両院 or 両院協議会 (nameOfHouse).")
@click.option("--meeting", help="Committee or meeting name, e.g. 内閣委員会 (nameOfMeeting).")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="From date (from).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Until date (until).")
@click.option("--session-from", type=click.IntRange(1), help="First Diet session (sessionFrom).")
@click.option("--session-to", type=click.IntRange(1), help="Last Diet session (sessionTo).")
@click.option(
    "--max-records", type=click.IntRange(1), help="Stop when the file holds this many records."
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=3.0,
    show_default=True,
    help="Seconds between two requests (be polite to the NDL's server).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1),
    default=30.0,
    show_default=True,
    help="Seconds to wait for an answer before retrying.",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=4,
    show_default=True,
    help="Retries of a failed request (time-out, dropped connection, 5xx).",
)
@click.option(
    "--backoff",
    type=click.FloatRange(0),
    default=5.0,
    show_default=True,
    help="Seconds before the first retry; doubled each time.",
)
@click.option(
    "--base-url",
    envvar="POLICY_SEARCH_KOKKAI_URL",
    default=DEFAULT_BASE_URL,
    show_default=True,
    help="API base URL. Env: POLICY_SEARCH_KOKKAI_URL.",
)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also index the records into this index as they arrive.",
)
@click.option(
    "--model",
    envvar="POLICY_SEARCH_MODEL",
    default=None,
    metavar="NAME",
    help="Embedding model for --index (as for `index`). Env: POLICY_SEARCH_MODEL.",
)
@click.option(
    "--channels",
    envvar="POLICY_SEARCH_CHANNELS",
    default=None,
    metavar="NAMES",
    help="Extra channels for --index (as for `index`). Env: POLICY_SEARCH_CHANNELS.",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a TTY).")
@json_option
@encoder_options
def fetch_kokkai_command(
    output: Path,
    any_words: str | None,
    speaker: str | None,
    house: str | None,
    meeting: str | None,
    date_from: dt.datetime | None,
    until: dt.datetime | None,
    session_from: int | None,
    session_to: int | None,
    max_records: int | None,
    delay: float,
    timeout: float,
    retries: int,
    backoff: float,
    base_url: str,
    index_dir: Path | None,
    model: str | None,
    channels: str | None,
    progress: bool | None,
    as_json: bool,
    encoder: EncoderOptions,
) -> None:
    """Download the speeches matching the query to OUTPUT (JSON Lines; gzip if it ends .gz).

    Run it again to resume: records already in OUTPUT are not asked for or written again.

    \b
    Example:
      policy-search fetch kokkai speeches.jsonl.gz --any 経済安全保障 --from 2022-01-01
    """
    query = KokkaiQuery(
        any=any_words,
        speaker=speaker,
        house=house,
        meeting=meeting,
        date_from=_date(date_from),
        date_until=_date(until),
        session_from=session_from,
        session_to=session_to,
    )
    query.validate()
    settings = ClientSettings(base_url, delay, timeout, retries, backoff)
    embedders = None
    if index_dir is not None:
        extra = None if channels is None else tuple(c for c in channels.split(",") if c)
        embedders = default_embedders(model, extra, encoder)
    bar = tqdm(unit="record", desc="kokkai", disable=None if progress is None else not progress)
    client = KokkaiClient(settings, on_retry=lambda why, n, wait: bar.write(
        f"retry {n}/{retries} in {wait:g} s: {why}"
    ))  # fmt: skip
    indexer = _PageIndexer(output, index_dir, embedders, bar)

    def on_page(page: SpeechPage, written: int) -> None:
        target = page.total if max_records is None else min(page.total, max_records)
        if bar.total != target:
            bar.total = target
            bar.refresh()
        bar.update(written)
        if written:
            indexer.index()

    try:
        report = download_speeches(client, query, output, max_records, on_page)
    finally:
        bar.close()
    if indexer.runs and index_dir is not None:  # once, not after every page
        prepare_search(index_dir, None if as_json else to_stderr)
    _print_report(report, indexer, as_json)


class _PageIndexer:
    """Indexes the growing file after each page (unchanged passages embed nothing)."""

    def __init__(
        self,
        output: Path,
        index_dir: Path | None,
        embedders: Mapping[str, Embedder] | None,
        bar: tqdm,
    ) -> None:
        self.output = output
        self.index_dir = index_dir
        self.embedders = embedders
        self.bar = bar
        self.statements = 0
        self.runs = 0

    def index(self) -> None:
        if self.index_dir is None or self.embedders is None:
            return
        summary = update_index(
            self.index_dir, [self.output], self.embedders, UpdateOptions(progress=False)
        )
        for report in summary.files:
            if report.status == "failed":
                self.bar.write(f"FAILED     {report.error}")
        if summary.manifest is not None:
            self.statements = summary.manifest.counts.get("statements", 0)
        self.runs += 1


def _print_report(report: DownloadReport, indexer: _PageIndexer, as_json: bool) -> None:
    data = {
        "path": report.path,
        "matching": report.total,
        "held_before": report.held_before,
        "written": report.written,
        "held": report.held,
        "duplicates_skipped": report.duplicates_skipped,
        "pages": report.requests,
        "index": None if indexer.index_dir is None else str(indexer.index_dir),
        "index_statements": indexer.statements if indexer.index_dir else None,
    }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{report.path}: {report.written} new records ({report.held} held, "
        f"{report.total} match the query); pages requested: {report.requests}, "
        f"duplicates skipped: {report.duplicates_skipped}"
    )
    if indexer.index_dir is not None:
        click.echo(
            f"index {indexer.index_dir}: {indexer.statements} statements "
            f"({indexer.runs} updates as the records arrived)"
        )


COMMANDS: list[click.Command] = [fetch_group]
