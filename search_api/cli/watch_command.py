"""``policy-search watch DIR...``: keep an index up to date while minutes are dropped in."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import threading
from pathlib import Path

import click

from indexer.folder_watch import watch_folders
from indexer.pipeline import IndexSummary, UpdateOptions, default_embedders
from models.errors import PolicySearchError
from models.loading import EncoderOptions
from search_api.cli.index_commands import prepare_search, print_sync
from search_api.cli.options import encoder_options, index_dir_option


@click.command("watch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_dir_option
@click.option(
    "--model",
    envvar="POLICY_SEARCH_MODEL",
    default=None,
    metavar="NAME",
    help="Embedding model (as for `index`). Env: POLICY_SEARCH_MODEL.",
)
@click.option(
    "--channels",
    envvar="POLICY_SEARCH_CHANNELS",
    default=None,
    metavar="NAMES",
    help="Extra embedding channels (as for `index`). Env: POLICY_SEARCH_CHANNELS.",
)
@click.option(
    "--sync", is_flag=True, help="Also remove the meetings of files deleted from the folders."
)
@encoder_options
def watch_command(
    paths: tuple[Path, ...],
    index_dir: Path,
    model: str | None,
    channels: str | None,
    sync: bool,
    encoder: EncoderOptions,
) -> None:
    """Index PATHS, then re-index whatever appears or changes there until Ctrl-C (or SIGTERM).

    After each update the search cache (BM25, related-remarks densities) is prepared, as by
    `index`. A running `policy-search serve` on the same index picks every update up by itself.
    """
    extra = None if channels is None else tuple(c for c in channels.split(",") if c)
    embedders = default_embedders(model, extra, encoder)
    options = UpdateOptions(progress=False, sync=sync)

    def report(summary: IndexSummary | None, error: PolicySearchError | None) -> None:
        stamp = dt.datetime.now().strftime("%H:%M:%S")
        if error is not None:
            click.echo(f"{stamp} error: {error}", err=True)
            return
        assert summary is not None
        for file in summary.files:
            if file.status == "failed":
                click.echo(f"{stamp} FAILED     {file.error}", err=True)
            elif file.status == "indexed":
                click.echo(
                    f"{stamp} indexed    {file.path} [{file.fmt}]: {file.statements} statements"
                )
        print_sync(summary)
        counts = summary.manifest.counts if summary.manifest else {}
        if summary.manifest is not None:  # ready before the next server start or related request
            try:
                prepare_search(index_dir, lambda line: click.echo(f"{stamp} {line}", err=True))
            except PolicySearchError as exc:  # the index is updated; a server computes it instead
                click.echo(f"{stamp} error preparing the search cache: {exc}", err=True)
        click.echo(
            f"{stamp} index {index_dir}: {counts.get('meetings', 0)} meetings, "
            f"{counts.get('statements', 0)} statements; watching "
            f"{', '.join(str(p) for p in paths)} (Ctrl-C to stop)",
        )

    stop = threading.Event()  # SIGTERM (a service manager) stops after the running update
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    # Ctrl-C during an update: the next run resumes it (the index stays consistent).
    try:
        with contextlib.suppress(KeyboardInterrupt):
            watch_folders(index_dir, paths, embedders, options, report, stop)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("stopped watching")


COMMANDS: list[click.Command] = [watch_command]
