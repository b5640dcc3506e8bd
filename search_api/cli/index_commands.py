"""CLI commands (index side): index, stats, remove, check; registered by search_api.cli.main.

``index`` reads minutes files and folders into the index at ``--index`` (default from
``POLICY_SEARCH_INDEX``), reporting per-file counts and failures; it exits with status 1 when
any file failed.  The others inspect or maintain an existing index.  Errors propagate to
``cli.main``, which prints them on stderr with a non-zero exit status.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from indexer.index_dir import open_index, staging_directory
from indexer.maintenance import check_index, remove_meeting, upgrade_index
from indexer.manifest import Manifest
from indexer.metadata import MeetingMetadata
from indexer.pipeline import (
    DEFAULT_BATCH_SIZE,
    IndexSummary,
    UpdateOptions,
    default_embedders,
    rebuild_index,
    update_index,
)
from indexer.vectors import INDEX_KINDS, recommended_kind
from models.loading import EncoderOptions
from search_api.cli.options import encoder_options, index_dir_option, json_option

if TYPE_CHECKING:
    from search_api.background_analysis import BackgroundAnalysis


def _channels(value: str | None) -> tuple[str, ...] | None:
    """Channel names from the option; None (option not given) keeps the defaults."""
    if value is None:
        return None
    return tuple(c.strip() for c in value.split(",") if c.strip())


@click.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_dir_option
@click.option(
    "--model",
    envvar="POLICY_SEARCH_MODEL",
    default=None,
    metavar="NAME",
    help="Embedding model (default: multilingual-e5-small; 'fake' for the test embedder). "
    "Env: POLICY_SEARCH_MODEL.",
)
@click.option(
    "--channels",
    envvar="POLICY_SEARCH_CHANNELS",
    default=None,
    metavar="NAMES",
    help="Extra embedding channels besides e5, comma-separated. Default: 'use' with the "
    "default model, none with another model; '' for none. Env: POLICY_SEARCH_CHANNELS.",
)
@click.option("--title", help="Meeting title for every file read (overrides the text).")
@click.option(
    "--date", type=click.DateTime(formats=["%Y-%m-%d"]), help="Meeting date (YYYY-MM-DD)."
)
@click.option("--body", help="Meeting body (council, committee) for every file read.")
@click.option("--rebuild", is_flag=True, help="Build a fresh index, then replace the old one.")
@click.option(
    "--kind",
    type=click.Choice(INDEX_KINDS),
    default=None,
    help="FAISS index kind: flat (exact, default) or hnsw (approximate, large corpora).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 65536),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Passages embedded and committed per batch.",
)
@click.option(
    "--sync",
    is_flag=True,
    help="Also remove the meetings of indexed files gone from the folders given "
    "(without it they are listed as stale).",
)
@click.option("--progress/--no-progress", default=None, help="Progress bars (default: on a TTY).")
@json_option
@encoder_options
def index_command(
    paths: tuple[Path, ...],
    index_dir: Path,
    model: str | None,
    channels: str | None,
    title: str | None,
    date: dt.datetime | None,
    body: str | None,
    rebuild: bool,
    kind: str | None,
    batch_size: int,
    progress: bool | None,
    sync: bool,
    as_json: bool,
    encoder: EncoderOptions,
) -> None:
    """Index minutes files and folders (recursively): add what is new, replace what changed.

    Unchanged files are skipped and identical passages are embedded once.  Exits with status
    1 when any file could not be read (the others are still indexed).  Files indexed from a
    folder earlier and gone from it now are listed as stale; ``--sync`` removes them.
    """
    overrides = None
    if title or date or body:
        overrides = MeetingMetadata(
            title=title, date=None if date is None else date.date(), body=body
        )
    embedders = default_embedders(model, _channels(channels), encoder)
    analysis = _background_analysis(staging_directory(index_dir) if rebuild else index_dir)
    options = UpdateOptions(
        overrides=overrides,
        kind=kind,
        batch_size=batch_size,
        progress=progress,
        sync=sync,
        passage_observer=analysis,
    )
    build = rebuild_index if rebuild else update_index
    try:
        summary = build(index_dir, list(paths), embedders, options)
    except BaseException:
        analysis.cancel()
        raise
    analysis.finish()
    if summary.manifest is not None:
        prepare_search(index_dir, None if as_json else to_stderr)
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_summary(summary, index_dir)
    if not summary.files:
        click.echo("error: no minutes files found (.txt, .json, .jsonl, .gz, .pdf)", err=True)
    if summary.failed or not summary.files:
        raise click.exceptions.Exit(1)


def _background_analysis(built_in: Path) -> BackgroundAnalysis:
    """Analyses the passages for BM25 beside the encoders, into the directory being built."""
    from search_api.background_analysis import BackgroundAnalysis
    from search_api.lexical import Analyzer
    from search_api.search_cache import term_counts_path

    return BackgroundAnalysis(term_counts_path(built_in), Analyzer())


def prepare_search(index_dir: Path, say: Callable[[str], None] | None = None) -> None:
    """Build the search cache (BM25, passage table, passage densities for related remarks) of
    the index as it is now, so `serve` starts in seconds and its first related request does not
    wait; ``say`` gets one line per step done, with its time. Every command that changes the
    index calls it afterwards; for a version already prepared it only checks."""
    from search_api.ranking import RankingConfig
    from search_api.related.hubness import prepare_density
    from search_api.search_cache import prepare_derived_data

    started = time.perf_counter()
    if not prepare_derived_data(index_dir):
        return
    if say is not None:
        say(f"search cache ready ({time.perf_counter() - started:.1f}s)")
    started = time.perf_counter()
    searched = prepare_density(index_dir, RankingConfig().related.hub_neighbours)
    if searched is not None and say is not None:
        seconds = time.perf_counter() - started
        say(f"related-remarks densities ready ({seconds:.1f}s, {searched} passages searched)")


def to_stderr(line: str) -> None:
    """Print a progress line on stderr (the commands' results stay alone on stdout)."""
    click.echo(line, err=True)


def print_sync(summary: IndexSummary) -> None:
    """The stale files (kept) or removed files (``--sync``) of an update."""
    for stale in summary.stale:
        meetings = ", ".join(stale.meetings) or "no meetings"
        click.echo(f"stale      {stale.path} (gone; still indexed: {meetings})")
    for removed in summary.removed_files:
        meetings = ", ".join(removed.meetings_removed) or "no meeting"
        click.echo(
            f"removed    {removed.path} (gone): meetings {meetings}, "
            f"{removed.statements_removed} statements"
        )
    if summary.stale:
        click.echo(f"{len(summary.stale)} stale files kept; run with --sync to remove them")


def _print_summary(summary: IndexSummary, index_dir: Path) -> None:
    for report in summary.files:
        if report.status == "failed":
            click.echo(f"FAILED     {report.error}", err=True)
        elif report.status == "unchanged":
            click.echo(f"unchanged  {report.path}")
        else:
            click.echo(
                f"indexed    {report.path} [{report.fmt}]: {report.meetings} meetings, "
                f"{report.statements} statements, {report.passages} passages, "
                f"{report.embedded} embedded"
            )
        for warning in report.warnings:
            click.echo(f"warning    {report.path}: {warning}", err=True)
    print_sync(summary)
    click.echo(
        f"{len(summary.files)} files ({summary.count('indexed')} indexed, {summary.skipped} "
        f"unchanged, {summary.failed} failed): {summary.meetings} meetings, "
        f"{summary.statements} statements, {summary.passages} passages; "
        f"{summary.embedded} newly embedded, {summary.reused} reused; "
        f"{summary.statements_removed} statements removed; {summary.elapsed_seconds:.1f}s "
        f"({summary.encode_seconds:.1f}s in the encoders)"
    )
    if summary.manifest is not None:
        counts = summary.manifest.counts
        click.echo(
            f"index {index_dir}: {counts.get('meetings', 0)} meetings, "
            f"{counts.get('statements', 0)} statements, {counts.get('passages', 0)} passages "
            f"(generation {summary.manifest.generation})"
        )
        _advise_vector_kind(summary.manifest, index_dir)


def _advise_vector_kind(manifest: Manifest, index_dir: Path) -> None:
    """Recommend an approximate FAISS index when exact search outgrows the latency budget."""
    passages = manifest.counts.get("passages", 0)
    for name, channel in sorted(manifest.channels.items()):
        advised = recommended_kind(passages, channel.dimension)
        if channel.kind == "flat" and advised != "flat":
            click.echo(
                f"note: channel {name!r} holds {passages:,} vectors of {channel.dimension} "
                f"dimensions: exact search over them no longer fits a 30 ms search; "
                f"`policy-search index --rebuild PATH... --index {index_dir} --kind {advised}` "
                "makes it approximate (see docs/benchmarks.md)",
                err=True,
            )


@click.command("stats")
@index_dir_option
@json_option
def stats_command(index_dir: Path, as_json: bool) -> None:
    """Print counts of meetings, statements and passages, by body and by language."""
    with open_index(index_dir) as index:
        store = index.store
        manifest = index.manifest
        data: dict[str, Any] = {
            "index": str(index_dir),
            "meetings": store.count_meetings(),
            "statements": store.count_statements(),
            "passages": store.count_passages(),
            "statements_by_body": dict(store.count_statements_by("body").most_common()),
            "statements_by_language": dict(store.count_statements_by("language").most_common()),
            "statements_by_kind": dict(store.count_statements_by("procedural").most_common()),
            "channels": {
                name: {
                    "model_id": c.model_id,
                    "fingerprint": c.fingerprint,
                    "dimension": c.dimension,
                    "kind": c.kind,
                }
                for name, c in sorted(store.channels().items())
            },
            "generation": manifest.generation,
            "created_at": None if manifest.created_at is None else manifest.created_at.isoformat(),
            "updated_at": None if manifest.updated_at is None else manifest.updated_at.isoformat(),
        }
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"index {index_dir}: {data['meetings']} meetings, {data['statements']} statements, "
        f"{data['passages']} passages (generation {data['generation']}, "
        f"updated {data['updated_at']})"
    )
    for name, channel in data["channels"].items():
        click.echo(
            f"channel {name}: {channel['model_id']} ({channel['dimension']}d, {channel['kind']})"
        )
    _print_counts("by language", data["statements_by_language"])
    _print_counts("by kind", data["statements_by_kind"])
    _print_counts("by body", data["statements_by_body"])


def _print_counts(title: str, counts: dict[str, int]) -> None:
    click.echo(f"statements {title}:")
    width = max((len(str(v)) for v in counts.values()), default=1)
    for key, value in counts.items():
        click.echo(f"  {value:>{width}}  {key}")


@click.command("remove")
@click.argument("meeting_id")
@index_dir_option
def remove_command(meeting_id: str, index_dir: Path) -> None:
    """Delete a meeting and its statements from the index (indexing its file again brings it
    back only if the file changed)."""
    removed = remove_meeting(index_dir, meeting_id)
    click.echo(f"removed meeting {meeting_id} ({removed} statements)")
    prepare_search(index_dir, to_stderr)


@click.command("check")
@index_dir_option
@click.option(
    "--rebuild-faiss", is_flag=True, help="Rebuild the FAISS files from vectors in SQLite."
)
@json_option
def check_command(index_dir: Path, rebuild_faiss: bool, as_json: bool) -> None:
    """Verify that SQLite and FAISS agree (counts and ids); exit status 1 when they do not."""
    report = check_index(index_dir, rebuild_faiss=rebuild_faiss)
    if rebuild_faiss:  # a new index version: its search cache, as after `index`
        prepare_search(index_dir, None if as_json else to_stderr)
    if as_json:
        click.echo(
            json.dumps(
                {"ok": report.ok, "channels": [_check_json(c) for c in report.channels]}, indent=2
            )
        )
    else:
        for c in report.channels:
            state = "ok" if c.ok else "MISMATCH"
            click.echo(
                f"channel {c.channel}: {state}: {c.sqlite_passages} passages in SQLite, "
                f"{c.faiss_vectors} vectors in FAISS, {c.missing_in_faiss} missing, "
                f"{c.extra_in_faiss} extra, {c.passages_without_vector} without a stored vector"
            )
        if not report.ok:
            click.echo("run `policy-search check --rebuild-faiss` to rebuild FAISS", err=True)
    if not report.ok:
        raise click.exceptions.Exit(1)


def _check_json(check: Any) -> dict[str, Any]:
    return {
        "channel": check.channel,
        "ok": check.ok,
        "sqlite_passages": check.sqlite_passages,
        "faiss_vectors": check.faiss_vectors,
        "missing_in_faiss": check.missing_in_faiss,
        "extra_in_faiss": check.extra_in_faiss,
        "passages_without_vector": check.passages_without_vector,
    }


@click.command("upgrade")
@index_dir_option
def upgrade_command(index_dir: Path) -> None:
    """Upgrade an index built by an older policy-search in place (stored vectors are kept)."""
    before, after = upgrade_index(index_dir)
    if before == after:
        click.echo(f"index {index_dir} is at schema version {after}: nothing to do")
    else:
        click.echo(f"upgraded index {index_dir} from schema version {before} to {after}")


COMMANDS: list[click.Command] = [
    index_command,
    stats_command,
    remove_command,
    check_command,
    upgrade_command,
]
